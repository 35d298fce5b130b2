"""Is this derivative right? (Does autograd agree with the closed form: :mod:`tutor.gradcheck`.)

An answer is judged against the expected expression at seeded points where the expected one
is defined, spread over magnitudes 1e-3 to 1e3 of both signs, whole and half numbers, and both
sides of every kink. Float64 finds the points where they seem to differ; each of those is
re-evaluated exactly (30 digits, working precision growing where terms cancel), and an
accepted answer is re-evaluated exactly at a few points too: an answer whose difference from
the expected one is provably nonzero is wrong however small, unless the question sets a
``tolerance``. Every check is bounded in time (``tutor._limits.TIME_LIMIT``). See
docs/checking.md.

>>> check_derivative("2x + 3x^2", "x^2 + x^3 + 5", "x").correct
True
>>> check_answer("cos(2x)", "cos(x)^2 - sin(x)^2").correct
True
>>> check_answer("x^2 + 1e-9", "x^2").correct
False
>>> check_answer("3.14159", "pi", tolerance=1e-5).message
'Correct (accepted within tolerance 1e-05).'
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy

from tutor._limits import TimeLimitError, bounded, within_time
from tutor.domains import Domain, DomainsLike, read_domains, within_domains
from tutor.errors import ParseError, TutorError
from tutor.messages import text as message
from tutor.numeric import (
    WHOLE_AND_HALF,
    Point,
    evaluate,
    exact_values,
    format_point,
    kink_arguments,
    kink_points,
    point_at,
    real_throughout,
    spread_points,
    tolerance,
)
from tutor.parsing import parse, parse_point, split_top_level
from tutor.symbolic import Wrt, as_expr, wrt_symbols

#: How many points a verdict rests on, and how many candidates are drawn to find them.
ANSWER_POINTS = 64
#: The most random points ``check_gradient`` draws (about a second of work).
MAX_POINTS = 1_000_000
_CANDIDATES_PER_POINT = 4
#: Fewer usable points than this and a wider search (magnitudes up to 1e6) is made.
_FEW_POINTS = 8
#: Points of an accepted answer re-evaluated exactly: where float64 saw the largest
#: difference, and the first points drawn.
_CONFIRM_POINTS = 2
#: Seconds one exact re-evaluation may take before float64's reading stands.
_EXACT_SECONDS = 0.5

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
    #: The answer could not be read (or checked in time): a verdict on the input, not the maths.
    unreadable: bool = False
    #: Checking it ran out of time (numbers too extreme, an expression too large): unreadable
    #: too, but a grader may want a person to look.
    timed_out: bool = False

    def __bool__(self) -> bool:
        return self.correct

    def _repr_markdown_(self) -> str:
        """How Jupyter shows a verdict (math typeset)."""
        from tutor.notebook import verdict_markdown

        return verdict_markdown(self)

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
            "unreadable": self.unreadable,
            "timed_out": self.timed_out,
        }


def _read_answer(answer: str | sympy.Expr | float, names: Sequence[str] | None) -> sympy.Expr:
    if isinstance(answer, str):
        return parse(answer, names)
    return as_expr(answer)


def _judging_points(expected: sympy.Expr, given: sympy.Expr, names: Sequence[str],
                    seed: int, domains: Mapping[str, Domain] | None = None,
                    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Up to ``ANSWER_POINTS`` points where ``expected`` is finite and no kink sits exactly,
    kink neighbours first, inside the variables' ``domains``; and the expected values there."""
    kinks = kink_arguments(expected) + kink_arguments(given)
    chosen: dict[str, np.ndarray] = {name: np.empty(0) for name in names}
    values = np.empty(0)
    for widen in (1.0, 1e3):
        spread = {name: column * widen for name, column in
                  spread_points(names, ANSWER_POINTS * _CANDIDATES_PER_POINT, seed).items()}
        beside = kink_points(expected + given, spread) if kinks and widen == 1.0 else {}
        candidates = {name: np.concatenate([beside.get(name, np.empty(0)), spread[name]])
                      for name in names}
        if domains:
            candidates = within_domains(candidates, domains, seed)
        with np.errstate(all="ignore"):
            found = evaluate(expected, candidates)
            usable = np.isfinite(found)
            for kink in kinks:
                usable &= evaluate(kink, candidates) != 0
        take = np.flatnonzero(usable)[:ANSWER_POINTS - values.size]
        chosen = {name: np.concatenate([chosen[name], candidates[name][take]]) for name in names}
        values = np.concatenate([values, found[take]])
        if values.size >= _FEW_POINTS:
            break
        seed += 1
    return chosen, values


def _exact(expected: sympy.Expr, given: sympy.Expr, point: Point) -> tuple[bool | None, float, float, float]:
    """``exact_values`` within ``_EXACT_SECONDS``; undecided when it fails or runs out of time."""
    def work():
        try:
            return exact_values(expected, given, point)
        except (TypeError, ValueError, ArithmeticError, RecursionError):
            return None
    return within_time(work, _EXACT_SECONDS, None) or (None, math.nan, math.nan, math.nan)


def _shows(value: float, other: float) -> str:
    """``value`` with as many digits as it takes to tell it from ``other`` (up to 17)."""
    for digits in (6, 10, 17):
        if f"{value:.{digits}g}" != f"{other:.{digits}g}":
            break
    return f"{value:.{digits}g}"


def _wrong(expected: sympy.Expr, given: sympy.Expr, point: Point, want: float, got: float,
           difference: float) -> Verdict:
    counterexample = {"point": point, "expected": want, "given": got}
    if not math.isfinite(got):
        counterexample["given"] = None
        return Verdict(False, message("verdict_undefined", point=format_point(point), want=want),
                       expected, given, counterexample=counterexample)
    tiny = ""
    if _shows(got, want) == _shows(want, got):
        tiny = message("verdict_differ_by", difference=difference)
    hint = ""
    if given.is_number and not expected.is_number:
        variables = ", ".join(sorted(s.name for s in expected.free_symbols))
        hint = message("verdict_number_hint", variables=variables)
    key = "verdict_wrong" if point else "verdict_wrong_number"
    return Verdict(False, message(key, point=format_point(point), got=_shows(got, want),
                                  want=_shows(want, got), tiny=tiny, hint=hint),
                   expected, given, counterexample=counterexample)


def _judge(expected: sympy.Expr, given: sympy.Expr, names: Sequence[str], seed: int,
           tolerance_: float | None = None, domains: Mapping[str, Domain] | None = None,
           ) -> Verdict:
    """Compare two expressions at points where ``expected`` is defined (see the module)."""
    names = tuple(sorted(set(names) | {s.name for s in expected.free_symbols | given.free_symbols}))
    points, want = _judging_points(expected, given, names, seed, domains)
    if want.size == 0:
        return Verdict(False, message("verdict_expected_undefined"),
                       expected, given)
    with np.errstate(all="ignore"):
        got = evaluate(given, points)
        difference = np.abs(got - want)
        size = np.maximum(np.abs(want), np.abs(got))
        scale = float(np.median(np.abs(want))) or 1.0
        if tolerance_ is None:
            ratios = np.where(difference == 0, 0.0, difference / (tolerance("float64") * size))
        else:
            ratios = difference / (tolerance_ * np.maximum(size, scale))
    ratios = np.where(np.isnan(ratios), np.inf, ratios)

    def close(want_: float, got_: float, differ: bool | None) -> bool:
        if differ is False or tolerance_ is None or not math.isfinite(got_):
            return differ is False
        return abs(got_ - want_) <= tolerance_ * max(abs(want_), abs(got_), scale)

    order = np.argsort(-ratios, kind="stable")
    # A counterexample a person can check by hand first: whole or half numbers, then small ones.
    simple = np.ones(want.size, dtype=bool)
    small = simple.copy()
    for column in points.values():
        simple &= np.isin(column, WHOLE_AND_HALF)
        small &= np.abs(column) <= 10
    suspects = sorted((int(i) for i in order if ratios[i] > 1.0),
                      key=lambda i: (not simple[i], not small[i]))
    for i in suspects:
        point = point_at(points, i)
        if np.isnan(got[i]) and not within_time(
                functools.partial(real_throughout, given, point), _EXACT_SECONDS, False):
            # undefined in real arithmetic (log(x) - log(2x) at x < 0), whatever complex says
            return _wrong(expected, given, point, float(want[i]), math.nan, math.nan)
        differ, want_i, got_i, difference_i = _exact(expected, given, point)
        float_difference = float(want[i] - got[i])
        if differ is None and tolerance_ is None and abs(float_difference) <= tolerance(
                "float64") * max(float(size[i]), scale):
            continue  # undecided exactly, and negligible beside the values' typical size
        if differ is None and not math.isfinite(want_i) or (  # exact evaluation gave up, or
                abs(float_difference - difference_i) <= 1e-6 * abs(difference_i)):  # float64 is
            want_i, got_i = float(want[i]), float(got[i])  # right: its values read cleaner
            difference_i = float_difference
        if not close(want_i, got_i, differ):
            return _wrong(expected, given, point, want_i, got_i, difference_i)
    if tolerance_ is not None:
        return Verdict(True, message("verdict_within", tolerance=tolerance_), expected, given)
    confirm = [int(i) for i in order if 0.0 < ratios[i] <= 1.0][:_CONFIRM_POINTS // 2]
    confirm += [i for i in range(want.size) if i not in confirm][:_CONFIRM_POINTS - len(confirm)]
    for i in confirm:
        point = point_at(points, i)
        differ, want_i, got_i, difference_i = _exact(expected, given, point)
        if differ:
            return _wrong(expected, given, point, want_i, got_i, difference_i)
    return Verdict(True, message("verdict_correct"), expected, given)


def _bounded_verdict(work: Callable[[], Verdict], time_limit: float | None) -> Verdict:
    """``work()`` within the time limit; a limit or size exceeded is a verdict that says so."""
    try:
        return bounded(work, message("checking_answer"), time_limit)
    except TutorError as error:
        return Verdict(False, message("verdict_cannot_check", error=error), unreadable=True,
                       timed_out=isinstance(error, TimeLimitError))


def check_answer(answer: str | sympy.Expr | float, expected: str | sympy.Expr | float, *,
                 variables: Sequence[str] | None = None, seed: int = 0,
                 tolerance: float | None = None, time_limit: float | None = None,
                 domains: DomainsLike | None = None) -> Verdict:
    """Is ``answer`` equal to ``expected`` as a function (or number)?

    A learner's text goes through the safe parser; text that cannot be read gives a wrong
    verdict whose message says why, never an exception. With ``tolerance``, values within
    that relative error are accepted ("accepted within tolerance"); without, any provable
    difference is wrong. ``time_limit`` (seconds, default ``tutor._limits.TIME_LIMIT``)
    bounds the check. ``domains`` (``{"p": "(0, 1)", "y": "{0, 1}"}``, see
    :mod:`tutor.domains`) keeps the sample points, so the counterexamples, inside them.

    >>> check_answer("sigmoid(x)(1 - sigmoid(x))", "exp(-x)/(1 + exp(-x))^2").correct
    True
    >>> check_answer("abs(p)", "p", domains={"p": "(0, 1)"}).correct
    True
    >>> check_answer("sin(x)^2 + cos(x)^2", "1").correct
    True
    """
    expected = as_expr(expected, variables)
    names = list(variables) if variables is not None else sorted(s.name for s in expected.free_symbols)
    domains = read_domains(domains)

    def work() -> Verdict:
        try:  # a constant expected answer may be written with variables: sin(x)^2 + cos(x)^2
            given = _read_answer(answer, names if names or variables is not None else None)
        except ParseError as error:
            return Verdict(False, message("verdict_unreadable", error=error), expected, None,
                           unreadable=True)
        return _judge(expected, given, names, seed, tolerance, domains)
    return _bounded_verdict(work, time_limit)


def _split_components(answer: str) -> list[str]:
    """Split "a, b", "(a, b)" or "[a, b]" at top-level commas (bracket counting only)."""
    text = answer.strip()
    if text[:1] + text[-1:] in ("()", "[]"):
        inner, depth = text[1:-1], 0
        balanced = all((depth := depth + {"(": 1, "[": 1, ")": -1, "]": -1}.get(c, 0)) >= 0
                       for c in inner)
        if balanced and depth == 0:
            text = inner
    return [part.strip() for _, part in split_top_level(text)]


def _read_function(function: str | sympy.Expr, wrt: Wrt,
                   variables: Sequence[str] | None) -> sympy.Expr:
    """The function, its names read as the answer's are: ``xy`` is x*y when x is a variable
    of differentiation and ``xy`` splits into it and single letters."""
    expr = as_expr(function, variables)
    if not isinstance(function, str) or variables is not None:
        return expr
    wrt_names = [s.name for s in wrt_symbols(expr, wrt)]
    names = {s.name for s in expr.free_symbols}
    if all(name in names for name in wrt_names):
        return expr
    letters = set(wrt_names)
    for name in names:
        splits = name.isascii() and name.isalpha() and any(w in name for w in wrt_names)
        letters |= set(name) if splits else {name}
    try:
        return parse(function, sorted(letters))
    except ParseError:
        return expr


#: Names the mistake behind a wrong one-variable derivative: (function, variable, verdict) in,
#: the verdict (with ``mistake`` and a longer message when one is found) out. The feedback
#: layer (:mod:`tutor.feedback`) supplies one; the core never imports it.
Diagnoser = Callable[[sympy.Expr, sympy.Symbol, "Verdict"], "Verdict"]


def check_derivative(answer: str | sympy.Expr | Sequence, function: str | sympy.Expr, wrt: Wrt, *,
                     variables: Sequence[str] | None = None, at: Mapping[str, float] | None = None,
                     seed: int = 0, diagnose: Diagnoser | None = None,
                     tolerance: float | None = None, time_limit: float | None = None,
                     domains: DomainsLike | None = None) -> Verdict:
    """Is ``answer`` the derivative of ``function`` (or its gradient, for several variables)?

    With ``at``, the answer is the derivative's value at that point. A gradient answer is a
    sequence (or "a, b", "[a, b]" text) with one part per variable; each part gets its own
    verdict in ``parts`` and ``score`` gives partial credit. ``diagnose`` is called on each
    wrong part (``tutor.check_derivative`` passes the feedback layer's mistake search).
    ``tolerance``, ``time_limit`` and ``domains`` are as for ``check_answer``.

    >>> v = check_derivative("x^2 + 3x", "x^3 + x^2", "x")
    >>> v.correct, v.counterexample is not None
    (False, True)
    >>> check_derivative("y", "xy", "x").correct
    True
    """
    function = bounded(lambda: _read_function(function, wrt, variables), "reading the function",
                       time_limit)
    symbols = wrt_symbols(function, wrt)
    names = list(variables) if variables is not None else sorted(
        {s.name for s in function.free_symbols} | {s.name for s in symbols})
    point = parse_point(at) if at is not None else None
    domains = read_domains(domains)
    return _bounded_verdict(lambda: _check_parts(answer, function, symbols, names, point, seed,
                                                 diagnose, tolerance, domains), time_limit)


def _check_parts(answer: str | sympy.Expr | Sequence, function: sympy.Expr,
                 symbols: Sequence[sympy.Symbol], names: list[str], point: Point | None,
                 seed: int, diagnose: Diagnoser | None, tolerance_: float | None,
                 domains: Mapping[str, Domain] | None = None) -> Verdict:
    expected = [sympy.diff(function, s) for s in symbols]
    if point is not None:  # the answer is a number, or a function of the variables left free
        expected = [e.subs({s: point[s.name] for s in e.free_symbols if s.name in point})
                    for e in expected]
        names = [name for name in names if name not in point]
    if isinstance(answer, (list, tuple, sympy.Tuple)):
        answers = list(answer)
    elif isinstance(answer, str) and (len(symbols) > 1 or answer.strip()[:1] == "["):
        answers = _split_components(answer)
    else:
        answers = [answer]
    if len(answers) != len(symbols):
        wanted = ", ".join(f"d/d{s.name}" for s in symbols)
        return Verdict(False, message("verdict_parts", n=len(symbols), plural="s" * (len(symbols) > 1),
                                      wanted=wanted, got=len(answers)), None, None)
    parts = []
    for symbol_, expected_part, answer_part in zip(symbols, expected, answers, strict=True):
        try:
            given = _read_answer(answer_part, names)
        except ParseError as error:
            parts.append(Verdict(False, message("verdict_unreadable", error=error), expected_part,
                                 unreadable=True))
            continue
        verdict = _judge(expected_part, given, names, seed, tolerance_, domains)
        if diagnose and not verdict.correct and point is None and verdict.given is not None:
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
        unreadable=any(part.unreadable for part in parts),
        timed_out=any(part.timed_out for part in parts),
    )
