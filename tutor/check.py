"""Is this derivative right? (Does autograd agree with the closed form: :mod:`tutor.gradcheck`.)

Answers are judged the way good answer checkers do it: evaluate both expressions at many
seeded random points where the expected one is defined, compare with a tolerance derived from
the float type, and report the worst point. A cheap symbolic confirmation runs where it can;
it can only add confidence, never overturn the numeric verdict.

>>> check_derivative("2x + 3x^2", "x^2 + x^3 + 5", "x").correct
True
>>> check_answer("cos(2x)", "cos(x)^2 - sin(x)^2").correct
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy

from tutor._limits import within_time
from tutor.errors import ParseError
from tutor.numeric import (
    answer_ratio,
    evaluate,
    format_point,
    point_at,
    sample_points,
)
from tutor.parsing import parse, parse_point, split_top_level
from tutor.symbolic import Wrt, as_expr, wrt_symbols

#: How many points a verdict rests on, and how many candidates are drawn to find them.
ANSWER_POINTS = 64
_CANDIDATES_PER_POINT = 4
_CONFIRM_MAX_OPS = 40
_CONFIRM_SECONDS = 0.2

# ---------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    """The answer to "is this right?", for a person (``message``) and for a program."""

    correct: bool
    message: str
    expected: sympy.Expr | None = None
    given: sympy.Expr | None = None
    counterexample: dict | None = None
    mistake: str | None = None
    parts: tuple[Verdict, ...] = ()

    def __bool__(self) -> bool:
        return self.correct

    @property
    def score(self) -> float:
        """The share of correct parts (1 or 0 for a one-part answer): partial credit."""
        if not self.parts:
            return 1.0 if self.correct else 0.0
        return sum(part.correct for part in self.parts) / len(self.parts)

    def to_dict(self) -> dict:
        return {
            "correct": self.correct,
            "message": self.message,
            "expected": None if self.expected is None else str(self.expected),
            "given": None if self.given is None else str(self.given),
            "counterexample": self.counterexample,
            "mistake": self.mistake,
            "score": self.score,
            "parts": [part.to_dict() for part in self.parts],
        }


def _read_answer(answer: str | sympy.Expr | float, names: Sequence[str]) -> sympy.Expr:
    if isinstance(answer, str):
        return parse(answer, names)
    return as_expr(answer)


def _confirmed_equal(expected: sympy.Expr, given: sympy.Expr) -> bool:
    """A symbolic proof of equality where one is cheap; False means "not proven", not "unequal"."""
    difference = expected - given
    if sympy.count_ops(difference) > _CONFIRM_MAX_OPS:
        return False
    return within_time(lambda: sympy.simplify(difference) == 0, _CONFIRM_SECONDS, False)


def _judge(expected: sympy.Expr, given: sympy.Expr, names: Sequence[str], seed: int) -> Verdict:
    """Compare two expressions at seeded points where ``expected`` is defined."""
    names = tuple(sorted(set(names) | {s.name for s in expected.free_symbols | given.free_symbols}))
    candidates = sample_points(names, ANSWER_POINTS * _CANDIDATES_PER_POINT, seed)
    expected_values = evaluate(expected, candidates)
    usable = np.flatnonzero(np.isfinite(expected_values))[:ANSWER_POINTS]
    if usable.size == 0:
        return Verdict(False, "The expected expression is undefined at every sample point, so "
                       "answers to it cannot be checked.", expected, given)
    points = {name: values[usable] for name, values in candidates.items()}
    expected_values = expected_values[usable]
    given_values = evaluate(given, points)

    undefined = np.flatnonzero(~np.isfinite(given_values))
    if undefined.size:
        i = int(undefined[0])
        point = point_at(points, i)
        return Verdict(
            False,
            f"Your answer is undefined at {format_point(point)}, where the expected value is "
            f"{expected_values[i]:.6g} (the domains differ).",
            expected, given,
            counterexample={"point": point, "expected": float(expected_values[i]), "given": None},
        )
    ratios = answer_ratio(expected_values, given_values)
    worst = int(np.argmax(ratios))
    if ratios[worst] <= 1.0:
        proof = " (confirmed symbolically)" if _confirmed_equal(expected, given) else ""
        return Verdict(True, f"Correct{proof}.", expected, given)
    point = point_at(points, worst)
    hint = ""
    if given.is_number and not expected.is_number:
        variables = ", ".join(sorted(s.name for s in expected.free_symbols))
        hint = f" Your answer is a number; a function of {variables} is expected."
    return Verdict(
        False,
        f"Not quite: at {format_point(point)} your answer gives {given_values[worst]:.6g}, "
        f"the expected value is {expected_values[worst]:.6g}.{hint}",
        expected, given,
        counterexample={"point": point, "expected": float(expected_values[worst]),
                        "given": float(given_values[worst])},
    )


def check_answer(answer: str | sympy.Expr | float, expected: str | sympy.Expr | float, *,
                 variables: Sequence[str] | None = None, seed: int = 0) -> Verdict:
    """Is ``answer`` equal to ``expected`` as a function (or number)?

    A learner's text goes through the safe parser; text that cannot be read gives a wrong
    verdict whose message says why, never an exception.

    >>> check_answer("sigmoid(x)(1 - sigmoid(x))", "exp(-x)/(1 + exp(-x))^2").correct
    True
    """
    expected = as_expr(expected, variables)
    names = list(variables) if variables is not None else sorted(s.name for s in expected.free_symbols)
    try:
        given = _read_answer(answer, names)
    except ParseError as error:
        return Verdict(False, f"Could not read your answer: {error}.", expected, None)
    return _judge(expected, given, names, seed)


def _split_components(answer: str) -> list[str]:
    """Split "a, b" or "(a, b)" at top-level commas (bracket counting only, nothing evaluated)."""
    text = answer.strip()
    if text.startswith("(") and text.endswith(")"):
        inner, depth = text[1:-1], 0
        balanced = all((depth := depth + {"(": 1, ")": -1}.get(c, 0)) >= 0 for c in inner)
        if balanced and depth == 0:
            text = inner
    return [part.strip() for _, part in split_top_level(text)]


#: Names the mistake behind a wrong one-variable derivative: (function, variable, verdict) in,
#: the verdict (with ``mistake`` and a longer message when one is found) out. The feedback
#: layer (:mod:`tutor.feedback`) supplies one; the core never imports it.
Diagnoser = Callable[[sympy.Expr, sympy.Symbol, "Verdict"], "Verdict"]


def check_derivative(answer: str | sympy.Expr | Sequence, function: str | sympy.Expr, wrt: Wrt, *,
                     variables: Sequence[str] | None = None, at: Mapping[str, float] | None = None,
                     seed: int = 0, diagnose: Diagnoser | None = None) -> Verdict:
    """Is ``answer`` the derivative of ``function`` (or its gradient, for several variables)?

    With ``at``, the answer is the derivative's value at that point. A gradient answer is a
    sequence (or "a, b" text) with one part per variable; each part gets its own verdict in
    ``parts`` and ``score`` gives partial credit. ``diagnose`` is called on each wrong part
    (``tutor.check_derivative`` passes the feedback layer's mistake search).

    >>> v = check_derivative("x^2 + 3x", "x^3 + x^2", "x")
    >>> v.correct, v.counterexample is not None
    (False, True)
    """
    function = as_expr(function, variables)
    symbols = wrt_symbols(function, wrt)
    names = list(variables) if variables is not None else sorted(
        {s.name for s in function.free_symbols} | {s.name for s in symbols})
    expected = [sympy.diff(function, s) for s in symbols]
    if at is not None:  # the answer is a number, or a function of the variables left free
        point = parse_point(at)
        expected = [e.subs({s: point[s.name] for s in e.free_symbols if s.name in point})
                    for e in expected]
        names = [name for name in names if name not in point]
    if isinstance(answer, (list, tuple, sympy.Tuple)):
        answers = list(answer)
    elif isinstance(answer, str) and len(symbols) > 1:
        answers = _split_components(answer)
    else:
        answers = [answer]
    if len(answers) != len(symbols):
        wanted = ", ".join(f"d/d{s.name}" for s in symbols)
        return Verdict(False, f"Expected {len(symbols)} part{'s' * (len(symbols) > 1)} "
                       f"({wanted}), got {len(answers)}.", None, None)
    parts = []
    for symbol_, expected_part, answer_part in zip(symbols, expected, answers, strict=True):
        try:
            given = _read_answer(answer_part, names)
        except ParseError as error:
            parts.append(Verdict(False, f"Could not read your answer: {error}.", expected_part))
            continue
        verdict = _judge(expected_part, given, names, seed)
        if diagnose and not verdict.correct and at is None and verdict.given is not None:
            verdict = diagnose(function, symbol_, verdict)
        parts.append(verdict)
    if len(parts) == 1:
        return parts[0]
    lines = [f"d/d{s.name}: {part.message}" for s, part in zip(symbols, parts, strict=True)]
    first_wrong = next((part for part in parts if not part.correct), None)
    return Verdict(
        all(part.correct for part in parts), "\n".join(lines),
        sympy.Tuple(*expected), sympy.Tuple(*(p.given for p in parts if p.given is not None)),
        first_wrong.counterexample if first_wrong else None,
        next((p.mistake for p in parts if p.mistake), None), tuple(parts),
    )
