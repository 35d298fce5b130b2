"""``say``: text to read and, maybe, formulas shown in two dimensions.

>>> from tutor.documents import read_text
>>> from tutor.lessons.schema import LessonReader
>>> node = read_text("id: intro\\nkind: say\\ntext: Hello\\nmath: y = x^3\\n", "a.yaml")
>>> LessonReader("a.yaml").read(Say, node, "step 'intro'", given={"id": "intro", "kind": "say"}).math
(Source(text='y = x^3', line=4),)
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text as RichText

from tutor.lessons.display import indent
from tutor.lessons.model import Source, Step, Text
from tutor.lessons.steps.kind import PASSED, StepKind


@dataclass(frozen=True, kw_only=True)
class Say(Step):
    text: Text
    math: tuple[Source, ...] = ()  # one formula, or a list of them


def formulas(math, step: Say) -> None:
    for source in step.math:
        math.formula(source, f"step {step.id!r}")


def play(runner, step: Say) -> str:
    from tutor.render import pretty

    runner.text(step.text)
    for source in step.math:
        formula = runner.math.formula(source, f"step {step.id!r}")
        runner.console.print(RichText(indent(pretty(formula)), style="bold"))
    runner.pause()  # read first: quitting here leaves the step unmarked
    return runner.conclude(step, PASSED, pause=False)


KIND = StepKind("say", Say, play, formulas=formulas)
