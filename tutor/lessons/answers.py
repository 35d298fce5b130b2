"""Judging what a learner types at an ``ask`` step, with the core checker.

The verdict comes from :func:`tutor.feedback.check_derivative` (a derivative, maybe at a point)
or :func:`tutor.check.check_answer` (an expression or number to match); the lesson's
``wrong_examples`` add their own feedback for answers equal to a known wrong one.

>>> from tutor.lessons.schema import load_lesson
>>> from tutor.lessons.mathctx import LessonMath
>>> from tutor.lessons.catalog import find_lesson
>>> lesson = load_lesson(find_lesson("polynomial"))
>>> judge = Judge(LessonMath(lesson), lesson.steps[1])
>>> judge.verdict("2x + 3x^2").correct
True
"""

from __future__ import annotations

import sympy

from tutor.check import Verdict, check_answer
from tutor.errors import LessonError, ParseError, TutorError
from tutor.feedback import check_derivative
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.model import Ask, WrongExample


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

    def read(self, text: str) -> sympy.Expr:
        """The learner's text as an expression; ParseError if it cannot be read."""
        return self.math.read_answer(text, self.hold)

    def verdict(self, answer: str | sympy.Expr) -> Verdict:
        """The checker's verdict on ``answer`` (text that cannot be read gives a wrong verdict)."""
        if isinstance(answer, str):
            try:
                answer = self.read(answer)
            except ParseError as error:
                return Verdict(False, f"Could not read your answer: {error}.")
        if self.function is not None:
            return check_derivative(answer, self.function, self.wrt, at=self.at)
        return check_answer(answer, self.expected)

    def known_wrong(self, answer: sympy.Expr) -> WrongExample | None:
        """The first wrong example that ``answer`` equals, if any."""
        for example, expr in self.examples:
            if check_answer(answer, expr).correct:
                return example
        return None

    def explanation(self) -> str | None:
        """The derivation of the reference answer, from :mod:`tutor.feedback.explanation` when it is there."""
        if self.function is None:
            return None
        try:
            from tutor.feedback.explanation import explain, format_derivation

            return format_derivation(explain(self.function, self.wrt), "text")
        except (ImportError, ValueError, TypeError, TutorError):  # no explainer, or a form it cannot take
            return None
