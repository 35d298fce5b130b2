"""``exercise``: a file the learner edits in their own editor, checked in the confined worker.

The step writes the exercise's file (a TODO, in the lesson's language;
:mod:`tutor.lessons.exercises`) into the learner's workspace, says which file to edit, and
checks it each time the learner presses Enter or types ``check`` (or ``tutor watch`` checks it
on every save): shapes, values against autograd, the mistake named. ``hint`` shows the step's
hints one at a time. The lesson goes on when it passes. Enter on a file unchanged since a
failing check does not run it again (``check`` does, say after a timeout on a busy machine):
the learner is told to edit it first, and a scripted run (nobody at the keyboard to edit it)
ends the step there as failed. With ``--auto`` the reference solution is written and checked.

>>> from tutor.documents import read_text
>>> from tutor.lessons.schema import LessonReader
>>> node = read_text("exercise: relu_backward\\n", "a.yaml")
>>> LessonReader("a.yaml").read(ExerciseStep, node, "step 'e'",
...                              given={"id": "e", "kind": "exercise"}).exercise
'relu_backward'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text as RichText

from tutor.documents import Node, Problem, Reader
from tutor.lessons.display import code_block
from tutor.lessons.exercises import EXERCISES
from tutor.lessons.model import Step, Text
from tutor.lessons.steps.kind import PASSED, StepKind


@dataclass(frozen=True, kw_only=True)
class ExerciseStep(Step):
    exercise: str  # the function's name, a key of tutor.lessons.exercises.EXERCISES
    hints: tuple[Text, ...] = ()


def check(reader: Reader, node: Node, where: str, values: dict) -> None:
    name = values.get("exercise")
    if name is not None and name not in EXERCISES:
        reader.problem(node.key_lines.get("exercise", node.line),
                       f"{where}: no exercise {name!r}; there are {', '.join(EXERCISES)}")


def _contents(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def play(runner, step: ExerciseStep) -> str:
    from tutor.lessons.steps.ask import show_hint
    from tutor.lessons.ui import say
    from tutor.lessons.workspace import ExerciseChecker, workspace_dir, write_exercise

    exercise = EXERCISES[step.exercise]
    runner.text(step.text)
    folder = workspace_dir(runner.options.workspace)
    auto = runner.prompter.plays_reference
    path = write_exercise(exercise, folder, solution=auto, lang=runner.lang)
    if auto:
        code_block(runner.console, say("exercise_wrote_solution", runner.lang, path=path),
                   exercise.reference())
    else:  # said once, wrapped as a line is (a prompt that long would break inside words)
        runner.console.print(RichText(say("exercise_edit", runner.lang, path=path)))
    hints, shown = list(step.hints), 0
    failed_on: bytes | None = None  # the file as it was at the last failing check
    with ExerciseChecker() as checker:
        while True:
            if not auto:
                command = runner.prompt(say("exercise_prompt", runner.lang), "").strip().lower()
                if command in ("back", "quit", "skip"):
                    return runner.leave(step, command)
                if command == "solution":
                    code_block(runner.console, say("exercise_solution", runner.lang),
                               exercise.reference())
                    return runner.conclude(step, "seen")
                if command == "hint":
                    shown = show_hint(runner, hints, shown)
                    continue
                if command not in ("", "check"):
                    runner.note("exercise_commands")
                    continue
                if command == "" and failed_on is not None and _contents(path) == failed_on:
                    if not runner.prompter.interactive:  # nobody can edit it between lines
                        runner.note("exercise_unchanged_end", path=path.name)
                        return runner.conclude(step, "failed")
                    runner.note("exercise_unchanged", path=path.name)
                    continue
            contents = _contents(path)
            verdict = checker.check(exercise, path)
            runner.console.print(RichText(verdict.message,
                                          style="green" if verdict.correct else "red"))
            if verdict.correct or auto:
                return runner.conclude(step, PASSED if verdict.correct else "failed")
            failed_on = contents


def problems(math, step: ExerciseStep, path: str) -> list[Problem]:
    """The reference solution must pass its own check (run here: it is the tutor's code)."""
    from tutor.matrix import check_matrix_derivative

    exercise = EXERCISES.get(step.exercise)
    if exercise is None:
        return []
    verdict = check_matrix_derivative(exercise.solution, exercise.loss, list(exercise.wrt),
                                      exercise.shapes, exercise.given or None,
                                      define=exercise.define or None)
    if verdict.correct:
        return []
    return [Problem(path, step.line, f"step {step.id!r}: the reference solution of "
                    f"{exercise.name} is wrong: {verdict.message}")]


KIND = StepKind("exercise", ExerciseStep, play, checks={ExerciseStep: check}, problems=problems)
