"""What a step kind is: its model, its schema checks, how it is played and how it is linted.

Each kind is one module of :mod:`tutor.lessons.steps` that ends with ``KIND = StepKind(...)``;
the registry there lists them. The runner calls ``play``, the schema reads ``model`` (its
dataclass fields are its file fields) and calls ``checks``, ``tutor lint`` calls
``formulas`` and ``problems``. A kind shows its own results (its ``play`` prints them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutor.documents import Node, Problem, Reader
    from tutor.lessons.mathctx import LessonMath
    from tutor.lessons.model import Step
    from tutor.lessons.runner import Runner

#: The status of a step the learner got right (others: failed, skipped, seen).
PASSED = "passed"

Check = Callable[["Reader", "Node", str, dict[str, Any]], None]


def _no_formulas(math: LessonMath, step: Step) -> None:
    return None


def _no_problems(math: LessonMath, step: Step, path: str) -> list[Problem]:
    return []


@dataclass(frozen=True)
class StepKind:
    """One kind of lesson step, registered in :data:`tutor.lessons.steps.KINDS`.

    ``play(runner, step)`` runs the step and returns its status; ``checks`` maps a dataclass
    of the kind (the step, or one of its parts) to a check of fields that go together;
    ``formulas(math, step)`` parses every formula (LessonError at a bad one); ``problems``
    checks the numbers for ``tutor lint``."""

    name: str
    model: type
    play: Callable[[Runner, Any], str]
    checks: Mapping[type, Check] = field(default_factory=dict)
    formulas: Callable[[LessonMath, Any], None] = _no_formulas
    problems: Callable[[LessonMath, Any, str], list[Problem]] = _no_problems
