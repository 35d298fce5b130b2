"""``ask-matrix``: the learner types a matrix or vector derivative, checked against autograd.

The step declares the question as :func:`tutor.feedback.matrix_mistakes.check_matrix_derivative`
takes it: a scalar ``loss`` (or a vector function, for a Jacobian), the variable ``wrt``, the
``shapes`` of every name, and optionally ``given`` structure and ``define``\\ d names, each
written as on the command line (``"X=n×d, w=d, y=n"``). A wrong answer's verdict names the
mistake (a missing transpose, a missing 1/n, ...); ``wrong_examples`` may require a mistake
name or add their own feedback, as in ``ask``.

>>> from tutor.lessons.schema import load_lesson
>>> from tutor.lessons.catalog import find_lesson
>>> lesson = load_lesson(find_lesson("linear-layer-backprop"))
>>> step = next(step for step in lesson.steps if step.kind == "ask-matrix")
>>> judge = MatrixJudge(step)
>>> judge.verdict(step.solution.text).correct
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.text import Text as RichText

from tutor.check import Verdict
from tutor.documents import Node, Problem, Reader, spec
from tutor.errors import LessonError, TutorError
from tutor.lessons.model import Source, Step, Text
from tutor.lessons.steps.ask import WrongExample, read_answer
from tutor.lessons.steps.kind import PASSED, StepKind


@dataclass(frozen=True, kw_only=True)
class AskMatrix(Step):
    text: Text
    loss: Source
    wrt: str
    shapes: Source  # "X=n×d, w=d, y=n"
    given: Source | None = None  # "Y=one-hot"
    define: Source | None = None  # "P=softmax(X W)"
    solution: Source
    hints: tuple[Text, ...] = ()
    tries: int = spec(3, minimum=1)
    wrong_examples: tuple[WrongExample, ...] = ()


def _assignments(source: Source | None, what: str) -> dict[str, str] | None:
    from tutor.matrix.check import read_assignments

    return None if source is None else read_assignments(source.text, what)


class MatrixJudge:
    """Everything needed to judge answers to one ``ask-matrix`` step, prepared once."""

    def __init__(self, step: AskMatrix, label: str = ""):
        from tutor.matrix.check import prepare

        self.step = step
        self.question = {
            "loss": step.loss.text, "wrt": step.wrt,
            "shapes": _assignments(step.shapes, "shapes"),
            "given": _assignments(step.given, "given"),
            "define": _assignments(step.define, "define")}
        try:
            self.problem = prepare(**self.question)
        except TutorError as error:
            raise LessonError(f"step {step.id!r}: the question cannot be read: {error}",
                              path=label, line=step.loss.line) from None

    def verdict(self, answer: str) -> Verdict:
        """The checker's verdict on the typed ``answer``, with the mistake named."""
        from tutor.feedback.matrix_mistakes import check_matrix_derivative

        question = dict(self.question)
        return check_matrix_derivative(answer, question.pop("loss"), question.pop("wrt"),
                                       question.pop("shapes"), **question)

    def _read(self, answer: str) -> tuple[str, list[np.ndarray]] | None:
        """The answer as written out again (spellings made one) and its values, if it fits."""
        from tutor.matrix.nodes import render

        try:
            tree = self.problem.read(answer)
        except TutorError:
            return None
        try:
            values = self.problem.evaluate(tree)[1]
        except TutorError:  # shapes that do not fit: known by how it is written
            values = []
        return render(tree), values

    def known_wrong(self, answer: str) -> WrongExample | None:
        """The first wrong example that ``answer`` is (written the same, or equal in value)."""
        from tutor.matrix.check import entry_ratios

        mine = self._read(answer)
        if mine is None:
            return None
        for example in self.step.wrong_examples:
            theirs = self._read(example.answer.text)
            if theirs is None:
                continue
            if theirs[0] == mine[0] or (mine[1] and theirs[1] and all(
                    np.all(entry_ratios(a, b) <= 1.0)
                    for a, b in zip(theirs[1], mine[1], strict=True))):
                return example
        return None


def check(reader: Reader, node: Node, where: str, values: dict) -> None:
    from tutor.matrix.check import read_assignments

    for key in ("shapes", "given", "define"):
        source = values.get(key)
        if source is not None:
            try:
                read_assignments(source.text, key)
            except TutorError as error:
                reader.problem(source.line, f"{where}: {error} (write name=value, "
                               "separated by commas)")


# ---------------------------------------------------------------- playing


def play(runner, step: AskMatrix) -> str:

    judge = MatrixJudge(step, runner.math.label)
    runner.text(step.text)
    runner.console.print(RichText(f"  {step.shapes.text}", style="dim"))
    tries, hints, shown_hints = step.tries, list(step.hints), 0

    def reveal() -> None:
        runner.note("reference", answer=step.solution.text)

    while True:
        line, status, shown_hints = read_answer(runner, step, hints, shown_hints, reveal)
        if status is not None:
            return status
        verdict = judge.verdict(line)
        if verdict.unreadable:
            runner.console.print(RichText(verdict.message, style="yellow"))
            runner.note("unreadable")
            continue
        if verdict.correct:  # the verdict begins "Correct:": said once, not twice
            runner.console.print(RichText(verdict.message, style="bold green"))
            return runner.conclude(step, PASSED, reveal)
        example = judge.known_wrong(line)
        if example is not None and example.feedback is not None:  # the lesson's words, or
            runner.console.print(RichText(example.feedback.get(runner.lang), style="yellow"))
        else:  # the checker's: one of the two, never both
            runner.console.print(RichText(verdict.message, style="red"))
        tries -= 1
        if tries == 0:
            runner.note("out_of_tries", answer=step.solution.text)
            return runner.conclude(step, "failed")
        runner.note("tries_left_hint" if shown_hints < len(hints) else "tries_left", n=tries)


# ---------------------------------------------------------------- linting


def formulas(math, step: AskMatrix) -> None:
    MatrixJudge(step, math.label)


def problems(math, step: AskMatrix, path: str) -> list[Problem]:
    """The solution must pass its own check; each wrong example must fail, as it says."""
    judge = MatrixJudge(step, math.label)
    where = f"step {step.id!r}"
    found = []
    verdict = judge.verdict(step.solution.text)
    if not verdict.correct:
        found.append(Problem(path, step.solution.line, f"{where}: the solution "
                             f"{step.solution.text!r} fails its own check: {verdict.message}"))
    for number, example in enumerate(step.wrong_examples, 1):
        here = f"{where}: wrong example #{number} {example.answer.text!r}"
        verdict = judge.verdict(example.answer.text)
        if verdict.correct:
            found.append(Problem(path, example.line, f"{here} is judged correct; a wrong "
                                 "example must be wrong"))
            continue
        if verdict.unreadable:
            found.append(Problem(path, example.line, f"{here}: {verdict.message}"))
            continue
        if example.mistake and verdict.mistake != example.mistake:
            what = f"reports {verdict.mistake!r}" if verdict.mistake else "recognises no mistake"
            found.append(Problem(path, example.line, f"{here}: the checker {what}, not "
                                 f"{example.mistake!r}"))
        if example.feedback and judge.known_wrong(example.answer.text) is not example:
            found.append(Problem(path, example.line, f"{here}: an earlier wrong example "
                                 "catches this answer first, so its feedback never shows"))
    return found


KIND = StepKind("ask-matrix", AskMatrix, play, checks={AskMatrix: check},
                formulas=formulas, problems=problems)
