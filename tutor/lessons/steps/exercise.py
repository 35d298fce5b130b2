"""``exercise``: a file the learner edits in their own editor, checked in the confined worker.

The step writes the exercise's file (a TODO; :mod:`tutor.lessons.exercises`) into the
learner's workspace, says which file to edit, and checks it each time the learner presses
Enter or types ``check`` (or ``tutor watch`` checks it on every save): shapes, values against autograd, the
mistake named. The lesson goes on when it passes. With ``--auto`` the reference solution is
written and checked.

>>> from tutor.documents import read_text
>>> from tutor.lessons.schema import LessonReader
>>> node = read_text("exercise: relu_backward\\n", "a.yaml")
>>> LessonReader("a.yaml").read(ExerciseStep, node, "step 'e'",
...                              given={"id": "e", "kind": "exercise"}).exercise
'relu_backward'
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text as RichText

from tutor.documents import Node, Problem, Reader
from tutor.lessons.display import code_block
from tutor.lessons.exercises import EXERCISES
from tutor.lessons.model import Step
from tutor.lessons.steps.kind import PASSED, StepKind

#: This kind's messages: (English, Chinese).
MESSAGES = {
    "edit": ("Edit {path} in your editor and save it. Press Enter (or type check) to check "
             "it, or run `tutor watch {path}` in another terminal; type solution, skip or quit.",
             "在你的编辑器里修改并保存 {path}。按回车（或输入 check）检查，或在另一个终端运行 "
             "`tutor watch {path}`；也可输入 solution、skip 或 quit。"),
    "unknown": ("Press Enter or type check, solution, skip or quit.",
                "请按回车，或输入 check、solution、skip、quit。"),
    "wrote_solution": ("The reference solution, written to {path}:",
                       "参考答案，已写入 {path}："),
    "solution": ("The reference solution:", "参考答案："),
}


def _say(key: str, lang: str, **values) -> str:
    english, chinese = MESSAGES[key]
    return (chinese if lang == "zh" else english).format(**values)


@dataclass(frozen=True, kw_only=True)
class ExerciseStep(Step):
    exercise: str  # the function's name, a key of tutor.lessons.exercises.EXERCISES


def check(reader: Reader, node: Node, where: str, values: dict) -> None:
    name = values.get("exercise")
    if name is not None and name not in EXERCISES:
        reader.problem(node.key_lines.get("exercise", node.line),
                       f"{where}: no exercise {name!r}; there are {', '.join(EXERCISES)}")


def play(runner, step: ExerciseStep) -> str:
    from tutor.lessons.workspace import ExerciseChecker, workspace_dir, write_exercise

    exercise = EXERCISES[step.exercise]
    runner.text(step.text)
    folder = workspace_dir(runner.options.workspace)
    auto = runner.prompter.plays_reference
    path = write_exercise(exercise, folder, solution=auto)
    if auto:
        code_block(runner.console, _say("wrote_solution", runner.lang, path=path),
                   exercise.reference())
    with ExerciseChecker() as checker:
        while True:
            if not auto:
                command = runner.prompt(_say("edit", runner.lang, path=path) + " ", "").strip()
                if command.lower() in ("back", "quit", "skip"):
                    return runner.leave(step, command.lower())
                if command.lower() == "solution":
                    code_block(runner.console, _say("solution", runner.lang),
                               exercise.reference())
                    return runner.conclude(step, "seen")
                if command.lower() not in ("", "check"):
                    runner.console.print(RichText(_say("unknown", runner.lang)))
                    continue
            verdict = checker.check(exercise, path)
            runner.console.print(RichText(verdict.message,
                                          style="green" if verdict.correct else "red"))
            if verdict.correct or auto:
                return runner.conclude(step, PASSED if verdict.correct else "failed")


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
