"""``ask``: the learner types a derivative (or an expression or number), judged by the checker.

The verdict comes from :func:`tutor.feedback.check_derivative` (a derivative, maybe at a point)
or :func:`tutor.check.check_answer` (an expression or number to match); for an answer equal to
one of the lesson's ``wrong_examples`` with feedback, that feedback is shown instead of the
checker's message (one explanation per wrong answer, not two).

>>> from tutor.lessons.schema import load_lesson
>>> from tutor.lessons.mathctx import LessonMath
>>> from tutor.lessons.catalog import find_lesson
>>> lesson = load_lesson(find_lesson("polynomial"))
>>> judge = Judge(LessonMath(lesson), lesson.steps[1])
>>> judge.verdict("2x + 3x^2").correct
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy
from rich.text import Text as RichText

from tutor.check import Verdict, check_answer
from tutor.documents import Node, Problem, Reader, spec
from tutor.domains import Domain
from tutor.errors import LessonError, ParseError, TutorError
from tutor.lessons.display import indent
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.model import Derivative, Source, Step, Text
from tutor.lessons.steps.kind import PASSED, StepKind

#: What a learner may write before the answer: ``y' =``, ``f′(x) =``, ``dy/dx =``, ``∂L/∂p =``.
_LEFT_SIDE = re.compile(r"^\s*(?:[^\W\d]\w*\s*['′]+(?:\s*\(\s*\w+\s*\))?"
                        r"|d\w*\s*/\s*d\w+|∂\w*\s*/\s*∂\w+)\s*=(?!=)\s*")


@dataclass(frozen=True, kw_only=True)
class WrongExample:
    answer: Source
    feedback: Text | None = None
    mistake: str | None = None  # the name the checker's mistake search must give it
    line: int


@dataclass(frozen=True, kw_only=True)
class Ask(Step):
    text: Text
    derivative: Derivative | None = None
    expect: Source | None = None
    solution: Source
    hints: tuple[Text, ...] = ()
    tries: int = spec(3, minimum=1)
    wrong_examples: tuple[WrongExample, ...] = ()
    #: Relative tolerance for a decimal answer (the checker's ``tolerance=``); without it an
    #: answer that differs provably from the expected one is wrong however close.
    tolerance: float | None = spec(None, positive=True)
    # where the variables' values lie, {p: "(0, 1)", y: "{0, 1}"}: the checker samples there
    domains: tuple[tuple[str, Domain], ...] = spec((), read="domains", aliases=("domain",))


def check_ask(reader: Reader, node: Node, where: str, values: dict) -> None:
    if ("derivative" in node.entries) == ("expect" in node.entries):
        reader.problem(node.line, f"{where}: give exactly one of 'derivative' (of, wrt[, at]) "
                       "or 'expect' (the expression or number to match)")


def check_example(reader: Reader, node: Node, where: str, values: dict) -> None:
    if "feedback" not in node.entries and "mistake" not in node.entries:
        reader.problem(node.line, f"{where}: give the 'feedback' it must show or the 'mistake' "
                       "the checker must recognise")


class Judge:
    """Everything needed to judge answers to one ``ask`` step, prepared once."""

    def __init__(self, math: LessonMath, step: Ask):
        self.math, self.step = math, step
        where = f"step {step.id!r}"
        derivative = step.derivative
        if derivative is not None:
            if len(derivative.wrt) != 1:
                raise LessonError(f"{where}: derivative: ask for one variable at a time "
                                  f"(got wrt {', '.join(derivative.wrt)})", path=math.label,
                                  line=derivative.of.line)
            self.wrt = derivative.wrt[0]
            self.hold = [self.wrt] if self.wrt in math.let_names() else []
            self.function = math.expr(derivative.of, f"{where}: derivative: of", self.hold)
            self.at = dict(derivative.at.values) if derivative.at else None
        else:
            self.hold, self.wrt, self.function, self.at = [], None, None, None
            self.expected = math.expr(step.expect, f"{where}: expect")
        self.examples = [(example, math.expr(example.answer, f"{where}: wrong example", self.hold))
                         for example in step.wrong_examples]
        self.solution = math.expr(step.solution, f"{where}: solution", self.hold)
        math.expand_names([name for name, _ in step.domains], f"{where}: domains", step.line)
        self.domains = dict(step.domains)

    def read(self, text: str) -> sympy.Expr:
        """The learner's text as an expression (a leading ``y' =``, ``dy/dx =`` or ``f'(x) =``
        set aside); ParseError if it cannot be read."""
        return self.math.read_answer(_LEFT_SIDE.sub("", text, count=1), self.hold)

    def verdict(self, answer: str | sympy.Expr) -> Verdict:
        """The checker's verdict on ``answer`` (text that cannot be read gives a wrong verdict)."""
        from tutor.feedback import check_derivative

        if isinstance(answer, str):
            try:
                answer = self.read(answer)
            except ParseError as error:
                return Verdict(False, f"Could not read your answer: {error}.")
        if self.function is not None:
            return check_derivative(answer, self.function, self.wrt, at=self.at,
                                    tolerance=self.step.tolerance,
                                    domains=self.domains)
        return check_answer(answer, self.expected, tolerance=self.step.tolerance,
                            domains=self.domains)

    def known_wrong(self, answer: sympy.Expr) -> WrongExample | None:
        """The first wrong example that ``answer`` equals, if any."""
        for example, expr in self.examples:
            if check_answer(answer, expr, domains=self.domains).correct:
                return example
        return None

    def explanation(self) -> str | None:
        """The derivation of the reference answer, from :mod:`tutor.feedback.explanation`."""
        if self.function is None:
            return None
        try:
            from tutor.feedback.explanation import explain, format_derivation

            return format_derivation(explain(self.function, self.wrt), "text")
        except (ImportError, ValueError, TypeError, TutorError):  # a form it cannot take
            return None


# ---------------------------------------------------------------- playing


def play(runner, step: Ask) -> str:
    from tutor.lessons.ui import say

    judge = Judge(runner.math, step)
    runner.text(step.text)
    tries, hints = step.tries, list(step.hints)
    shown_hints = 0

    def reveal() -> None:
        _reveal(runner, judge)

    while True:
        line, status, shown_hints = read_answer(runner, step, hints, shown_hints, reveal)
        if status is not None:
            return status
        try:
            answer = judge.read(line)
        except ParseError as error:
            runner.note("unreadable_answer", style="yellow", error=error)
            runner.note("unreadable")
            continue
        verdict = judge.verdict(answer)
        if verdict.correct:
            runner.console.print(RichText(say("correct", runner.lang), style="bold green"))
            if not runner.prompter.interactive:  # a transcript: the reference, or (auto) how
                auto = runner.prompter.plays_reference
                _reveal(runner, judge, reference=not auto, derivation=auto and judge.at is None)
            return runner.conclude(step, PASSED, reveal)
        example = judge.known_wrong(answer)
        if example is not None and example.feedback is not None:  # the lesson's words, not both
            runner.console.print(RichText(example.feedback.get(runner.lang), style="yellow"))
        else:
            runner.console.print(RichText(verdict.message, style="red"))
        tries -= 1
        if tries == 0:
            runner.note("out_of_tries", answer=judge.step.solution.text)
            _reveal(runner, judge, reference=False)
            return runner.conclude(step, "failed")
        runner.note("tries_left_hint" if shown_hints < len(hints) else "tries_left", n=tries)


def read_answer(runner, step: Step, hints: list[Text], shown: int,
                reveal: Callable[[], None]) -> tuple[str, str | None, int]:
    """Prompt until the learner types an answer or a command that ends the step, handling
    hint, solution, help and empty lines on the way: (the answer, the step's status when a
    command ended it, the hints shown so far). Every answer prompt of a lesson reads this way."""
    from tutor.lessons.ui import say

    while True:
        line = runner.prompt(say("answer_prompt", runner.lang), step.solution.text).strip()
        command = line.lower()
        if command in ("back", "quit", "skip"):
            return line, runner.leave(step, command), shown
        if command == "hint":
            shown = show_hint(runner, hints, shown)
        elif command == "solution":
            reveal()
            return line, runner.conclude(step, "seen"), shown
        elif command in ("help", "?") or not line:
            runner.note("commands")
        else:
            return line, None, shown


def show_hint(runner, hints: list[Text], shown: int) -> int:
    """Show the next hint (only when asked: hints are offered, not forced); the count shown."""
    from tutor.lessons.ui import say

    if shown < len(hints):
        runner.console.print(RichText(say("hint", runner.lang, n=shown + 1,
                                          text=hints[shown].get(runner.lang)), style="cyan"))
        return shown + 1
    runner.note("no_more_hints")
    return shown


def _reveal(runner, judge: Judge, *, reference: bool = True, derivation: bool = True) -> None:
    from tutor.lessons.ui import say

    if reference:
        runner.note("reference", answer=judge.step.solution.text)
    explanation = judge.explanation() if derivation else None
    if explanation:
        runner.console.print(RichText(say("derivation", runner.lang), style="bold"))
        runner.console.print(RichText(indent(explanation)))


# ---------------------------------------------------------------- linting


def formulas(math: LessonMath, step: Ask) -> None:
    Judge(math, step)


def problems(math: LessonMath, step: Ask, path: str) -> list[Problem]:
    """The solution must pass its own check; each wrong example must fail, as it says."""
    judge = Judge(math, step)
    where = f"step {step.id!r}"
    found = []
    verdict = judge.verdict(judge.solution)
    if not verdict.correct:
        found.append(Problem(path, step.solution.line, f"{where}: the solution "
                             f"{step.solution.text!r} fails its own check: {verdict.message}"))
    for number, (example, expr) in enumerate(judge.examples, 1):
        here = f"{where}: wrong example #{number} {example.answer.text!r}"
        verdict = judge.verdict(expr)
        if verdict.correct:
            found.append(Problem(path, example.line, f"{here} is judged correct; a wrong "
                                 "example must be wrong"))
            continue
        if example.mistake and verdict.mistake != example.mistake:
            what = f"reports {verdict.mistake!r}" if verdict.mistake else "recognises no mistake"
            found.append(Problem(path, example.line, f"{here}: the checker {what}, not "
                                 f"{example.mistake!r}"))
        if example.feedback and judge.known_wrong(expr) is not example:
            found.append(Problem(path, example.line, f"{here}: an earlier wrong example "
                                 "catches this answer first, so its feedback never shows"))
        found += [Problem(path, example.feedback.line or example.line, f"{here}: its feedback "
                          f"({lang}) gives the answer away: {text!r}; say what went wrong, and "
                          "leave the answer to the learner's next try")
                  for lang, text in (example.feedback.by_language.items()
                                     if example.feedback else ()) if gives_away(judge, text)]
    found += [Problem(path, hint.line or step.line, f"{where}: hint {number} ({lang}) gives the answer away: "
                      f"{text!r}; a hint should lead to the answer, not state it")
              for number, hint in enumerate(step.hints, 1) for lang, text in hint.by_language.items()
              if gives_away(judge, text)]
    return found


#: Where a hint's text splits into pieces that may each be a formula: punctuation, ``=`` and the
#: words that introduce a result ("is", "是", ...).
_PIECES = re.compile(r"[=,;:，；：。？?]|\b(?:and|is|so)\b|是|为|等于|得到|就是")
_NOISE = re.compile(r"[\s*·⋅×]")
_SHORTEST_QUOTE = 6  # a shorter solution ("w2") is found as a formula piece, not as text


def gives_away(judge: Judge, hint: str) -> bool:
    """Whether ``hint`` contains the solution: its text (spaces and ``*`` ignored), or a piece
    of the hint that reads as a formula the checker accepts as the answer (so also its value).

    >>> from tutor.lessons.schema import load_lesson
    >>> from tutor.lessons.catalog import find_lesson
    >>> lesson = load_lesson(find_lesson("polynomial"))
    >>> judge = Judge(LessonMath(lesson), lesson.steps[2])   # dy/dx at x = 2, which is 16
    >>> gives_away(judge, "So it is 4 + 12 = 16."), gives_away(judge, "Add 4 and 12.")
    (True, False)
    """
    solution = _NOISE.sub("", judge.step.solution.text)
    if len(solution) >= _SHORTEST_QUOTE and solution in _NOISE.sub("", hint):
        return True
    for piece in _PIECES.split(hint):
        piece = piece.strip().rstrip(".")
        if not piece:
            continue
        try:
            expr = judge.read(piece)
        except TutorError:  # words, not a formula
            continue
        if judge.verdict(expr).correct:
            return True
    return False


KIND = StepKind("ask", Ask, play, checks={Ask: check_ask, WrongExample: check_example},
                formulas=formulas, problems=problems)
