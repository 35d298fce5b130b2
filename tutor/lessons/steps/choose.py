"""``choose``: a multiple choice with exactly one right option, each with its own feedback.

>>> from tutor.documents import read_text
>>> from tutor.lessons.schema import LessonReader
>>> node = read_text("text: Which?\\noptions:\\n  - {text: a, correct: true}\\n  - {text: b}\\n",
...                  "a.yaml")
>>> LessonReader("a.yaml").read(Choose, node, "step 'c'", given={"id": "c", "kind": "choose"}).answer
1
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text as RichText

from tutor.documents import Node, Reader, spec
from tutor.lessons.model import Step, Text
from tutor.lessons.steps.kind import PASSED, StepKind


@dataclass(frozen=True, kw_only=True)
class Option:
    text: Text
    correct: bool = False
    feedback: Text | None = None
    line: int


@dataclass(frozen=True, kw_only=True)
class Choose(Step):
    text: Text
    options: tuple[Option, ...]
    tries: int = spec(2, minimum=1)

    @property
    def answer(self) -> int:
        """The 1-based number of the correct option."""
        return next(i for i, option in enumerate(self.options, 1) if option.correct)


def check(reader: Reader, node: Node, where: str, values: dict) -> None:
    options, written = values.get("options", ()), node.get("options")
    if written is None:
        return
    if len(reader.items(written, where)) < 2:
        reader.problem(node.line, f"{where}: a choice needs at least two options")
    correct = sum(option.correct for option in options)
    if correct != 1:
        reader.problem(written.line, f"{where}: exactly one option must have 'correct: true' "
                       f"(found {correct})")


def play(runner, step: Choose) -> str:
    from tutor.lessons.ui import say

    runner.text(step.text)
    for number, option in enumerate(step.options, 1):
        runner.console.print(RichText(f"  {number}. ") + RichText(option.text.get(runner.lang)))
    count, tries = len(step.options), step.tries
    while True:
        line = runner.prompt(say("choice_prompt", runner.lang, n=count), str(step.answer)).strip()
        command = line.lower()
        if command in ("back", "quit", "skip"):
            if command == "skip":
                runner.note("correct_choice", n=step.answer)
            return runner.leave(step, command)
        if command == "solution":
            runner.note("correct_choice", n=step.answer)
            return runner.conclude(step, "seen")
        if not (line.isdigit() and 1 <= int(line) <= count):
            runner.note("choice_help", n=count)
            continue
        option = step.options[int(line) - 1]
        style = "green" if option.correct else "red"
        if option.feedback is not None:
            runner.console.print(RichText(option.feedback.get(runner.lang), style=style))
        else:
            runner.note("correct" if option.correct else "wrong_choice", style=style)
        if option.correct:
            return runner.conclude(step, PASSED)
        tries -= 1
        if tries == 0:
            runner.note("correct_choice", n=step.answer)
            return runner.conclude(step, "failed")


KIND = StepKind("choose", Choose, play, checks={Choose: check})
