"""Numbers behind every verdict: tolerances from the float type, seeded sample points,
float64 evaluation of an expression at many points, and error ratios against a tolerance.

The checker (:mod:`tutor.check`) and the feedback layer both stand on this module.

>>> round(tolerance("float32"), 6)
0.000345
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy
from sympy import S

from tutor.lowering import numeric_function
from tutor.messages import text as message

Point = dict[str, float]


def tolerance(dtype: Any = "float64") -> float:
    """The relative tolerance for a float type: the square root of its machine epsilon.

    >>> round(tolerance("float64"), 10), round(tolerance("float32"), 6)
    (1.49e-08, 0.000345)
    """
    name = str(dtype).removeprefix("torch.")
    return math.sqrt(float(np.finfo(np.dtype(name)).eps))


def returned_dtype(*arrays: Any) -> str:
    """The float type that judges numbers computed by someone's code, read from the numbers
    alone (never from what the code says it used): "float32" when every number is exactly a
    float32 number, else "float64". float16 and bfloat16 numbers are float32 numbers: they get
    float32's tolerance, never their own wider one. ``tutor.testing`` and the grader both
    judge user code's gradients at ``tolerance(returned_dtype(...))``.

    >>> returned_dtype(np.float16([0.1, 2.0]), np.float32([1.5]))
    'float32'
    >>> returned_dtype(np.float32([0.1]), np.array([0.1]))
    'float64'
    """
    with np.errstate(over="ignore", invalid="ignore"):
        for array in arrays:
            array = np.asarray(array, dtype=np.float64)
            if not np.array_equal(array.astype(np.float32).astype(np.float64), array,
                                  equal_nan=True):
                return "float64"
    return "float32"


#: u in [0, 1) -> a point, by quarter of u: slope * u + offset (see ``sample_points``).
_SAMPLE_SLOPES = np.array([12.0, 12.0, 11.8, 8.0])
_SAMPLE_OFFSETS = np.array([-3.0, -3.0, -5.85, -7.0])
_SAMPLE_CHUNK = 16384


def sample_points(names: Sequence[str], n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``n`` seeded points per name, mixing [-3, 3], (0, 3] and [-1, 1] so that functions
    defined only for positive arguments still get enough points.

    One uniform draw per coordinate decides both the interval (half [-3, 3], a quarter each
    of the others) and the place in it: a single generator call, fast at 10^6 points.

    >>> points = sample_points(["x"], 1000)
    >>> bool(points["x"].min() >= -3 and points["x"].max() <= 3)
    True
    """
    table = np.random.default_rng(seed).random((len(names), n))
    flat = table.reshape(-1)
    for start in range(0, flat.size, _SAMPLE_CHUNK):  # in cache-sized chunks, in place
        chunk = flat[start:start + _SAMPLE_CHUNK]
        quarter = (chunk * 4.0).astype(np.intp)  # 0, 1: [-3, 3); 2: [0.05, 3); 3: [-1, 1)
        chunk *= _SAMPLE_SLOPES[quarter]
        chunk += _SAMPLE_OFFSETS[quarter]
    return dict(zip(names, table, strict=True))


def point_at(points: Mapping[str, np.ndarray], index: int) -> Point:
    return {name: float(values[index]) for name, values in points.items()}


def format_point(point: Mapping[str, float]) -> str:
    """``x = 1.5, y = -2`` for a point (with the current language's separator)."""
    return message("point_separator").join(f"{name} = {value:.6g}" for name, value in point.items()) \
        or message("any_point")


@functools.lru_cache(maxsize=1024)
def _numeric(expr: sympy.Expr, names: tuple[str, ...]) -> Callable[..., np.ndarray]:
    return numeric_function(expr, names)


def evaluate(expr: sympy.Expr, points: Mapping[str, np.ndarray]) -> np.ndarray:
    """``expr`` at every point, float64, NaN where it is undefined."""
    names = tuple(points)
    n = len(next(iter(points.values()))) if points else 1
    values = _numeric(expr, names)(*points.values())
    return np.broadcast_to(np.asarray(values, dtype=np.float64), (n,))


#: Values a magnitude is read from: past this many, an evenly strided subset (seeded points
#: are in random order, so the subset is as typical as the whole, and 20x faster at 10^6).
_MAGNITUDE_SAMPLE = 65536


def magnitude(values: np.ndarray, percentile: float) -> float:
    """The ``percentile`` of |values| over the finite ones, at least 1: the scale of an
    absolute tolerance near zero.

    >>> magnitude(np.array([0.5, 2.0, 40.0, np.nan]), 50.0)
    2.0
    """
    values = np.ravel(values)
    if values.size > _MAGNITUDE_SAMPLE:
        values = values[::-(-values.size // _MAGNITUDE_SAMPLE)]
    finite = np.abs(values[np.isfinite(values)])
    return max(float(np.percentile(finite, percentile)), 1.0) if finite.size else 1.0


def error_ratio(reference: np.ndarray, other: np.ndarray, rtol: float, *,
                percentile: float = 90.0, scale: float | None = None) -> np.ndarray:
    """|other - reference| over the allowed error: 1 or less is a match, NaN-safe.

    The error is relative to the larger value, and absolute below the ``percentile`` of
    |reference| (or below ``scale`` when given: ``magnitude`` of the whole, for a part):
    the typical magnitude by default, which absorbs the rounding of two computations of one
    function near its zeros (float32 autograd against SymPy).

    >>> error_ratio(np.array([1.0, 1e-9]), np.array([1.0, 2e-9]), 1e-8).round(3).tolist()
    [0.0, 0.1]
    """
    if scale is None:
        scale = magnitude(reference, percentile)
    with np.errstate(all="ignore"):
        return np.abs(other - reference) / allowed_error(reference, other, rtol, scale)


def allowed_error(reference: np.ndarray, other: np.ndarray, rtol: float,
                  scale: float) -> np.ndarray:
    """The error ``error_ratio`` allows: rtol * (max(|reference|, |other|) + scale)."""
    allowed = np.maximum(np.abs(reference), np.abs(other))
    allowed += scale
    allowed *= rtol
    return allowed


def answer_ratio(expected: np.ndarray, given: np.ndarray) -> np.ndarray:
    """``error_ratio`` for an answer against the expected values, in float64.

    The absolute part is held to a magnitude nearly every value reaches (the 10th
    percentile), not the typical one: where values span many orders of magnitude, as
    e^(10x) or x^20 do, a typical magnitude would excuse a wrong term wherever they are small
    (``20x^19 + 1`` for d/dx x^20).
    """
    return error_ratio(expected, given, tolerance("float64"), percentile=10.0)


# ---------------------------------------------------------------- points for judging answers

#: Integers and half-integers: where branch-sensitive forms such as (a^b)^c and a^(b c), or
#: sqrt(x^2) and x, are both real and differ (negative bases, whole exponents).
WHOLE_AND_HALF = np.array([-4, -3, -2.5, -2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2, 2.5, 3, 4.0])
#: Where a kink's argument is searched for sign changes: magnitudes 1e-3 to 1e3, both signs.
_KINK_GRID = np.unique(np.concatenate([-np.logspace(3, -3, 181), [0.0], np.logspace(-3, 3, 181),
                                       np.linspace(-5, 5, 101)]))
#: How far from a kink the points beside it lie, relative to max(1, |kink|).
_KINK_OFFSETS = np.array([1e-3, 0.05, 0.7])


def spread_points(names: Sequence[str], n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``n`` seeded points per name spread over magnitudes: about 30% in [-3, 3], 30% at
    ±10^u for u in [-3, 3], 15% in (0, 3], 10% in [-1, 1] and 15% whole or half numbers;
    at another 15% of the points every coordinate is a whole or half number."""
    rng = np.random.default_rng(seed)
    points = {}
    for name in names:
        kind = rng.integers(0, 20, n)
        wide = rng.uniform(-3.0, 3.0, n)
        magnitude = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-3.0, 3.0, n)
        positive = rng.uniform(0.05, 3.0, n)
        narrow = rng.uniform(-1.0, 1.0, n)
        whole = rng.choice(WHOLE_AND_HALF, n)
        points[name] = np.select([kind < 6, kind < 12, kind < 15, kind < 17],
                                 [wide, magnitude, positive, narrow], whole)
    jointly_whole = rng.random(n) < 0.15  # every coordinate whole or half: (a^b)^c at a < 0
    for column in points.values():
        column[jointly_whole] = rng.choice(WHOLE_AND_HALF, int(jointly_whole.sum()))
    return points


def kink_arguments(expr: sympy.Expr) -> list[sympy.Expr]:
    """Expressions whose sign changes where ``expr`` has a kink or a jump: the arguments of
    abs, sign and Heaviside, differences of max/min arguments, piecewise conditions."""
    found = []
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, (sympy.Abs, sympy.sign, sympy.Heaviside)):
            found.append(node.args[0])
        elif isinstance(node, (sympy.Max, sympy.Min)):
            found += [a - b for i, a in enumerate(node.args) for b in node.args[i + 1:]]
        elif isinstance(node, sympy.Piecewise):
            found += [c.lhs - c.rhs for _, c in node.args if isinstance(c, sympy.core.relational.Relational)]
    return [arg for arg in dict.fromkeys(found) if arg.free_symbols]


def _sign_changes(kink: sympy.Expr, name: str, row: Point) -> np.ndarray:
    """Where ``kink`` changes sign along ``name`` through ``row`` (bisected to float precision)."""
    def along(values: np.ndarray) -> np.ndarray:
        return evaluate(kink, {n: values if n == name else np.full(values.size, row[n])
                               for n in row})
    signs = np.sign(along(_KINK_GRID))
    left = np.flatnonzero((signs[:-1] * signs[1:] < 0) | (signs[:-1] == 0))
    low, high = _KINK_GRID[left], _KINK_GRID[left + 1]
    low_sign = signs[left]
    for _ in range(60):
        middle = (low + high) / 2
        middle_sign = np.sign(along(middle)) if middle.size else middle
        go_right = middle_sign == low_sign
        low, high = np.where(go_right, middle, low), np.where(go_right, high, middle)
    return np.where(low_sign == 0, low, (low + high) / 2)


def kink_points(expr: sympy.Expr, base: Mapping[str, np.ndarray],
                most: int = 48) -> dict[str, np.ndarray]:
    """Points on both sides of every kink of ``expr`` (see ``kink_arguments``): each kink's
    argument is followed along each of its variables through a few ``base`` points."""
    names = list(base)
    rows: list[Point] = []
    for kink in kink_arguments(expr):
        for name in sorted(s.name for s in kink.free_symbols if s.name in base):
            for index in range(min(2, len(base[name]))):
                row = point_at(base, index)
                with np.errstate(all="ignore"):
                    roots = _sign_changes(kink, name, row)
                for root in roots[:4]:
                    offsets = _KINK_OFFSETS * max(1.0, abs(root))
                    rows += [{**row, name: root + side * offset}
                             for offset in offsets for side in (-1, 1)]
    rows = rows[:most]
    return {name: np.array([row[name] for row in rows], dtype=np.float64) for name in names}


# ---------------------------------------------------------------- exact re-evaluation

#: Significant digits of the exact re-evaluation (SymPy's evalf over mpmath, whose working
#: precision grows where terms cancel).
EXACT_DIGITS = 30
#: The working precision evalf may reach while terms cancel: a difference below about
#: 1e-(this - EXACT_DIGITS) of the terms' size reads as zero.
_MAX_WORKING_DIGITS = 80


def _exact_decimals(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with each decimal read as the exact decimal typed (0.1 as 1/10)."""
    floats = expr.atoms(sympy.Float)
    return expr.xreplace({f: sympy.Rational(str(f)) for f in floats}) if floats else expr


def _real(value: sympy.Expr) -> float:
    """A real value as a float; NaN for a complex or undefined one."""
    try:
        number = complex(value) if value.is_number else complex(math.nan)
    except (TypeError, ValueError, OverflowError):
        number = complex(math.nan)
    return number.real if abs(number.imag) <= 1e-12 * abs(number.real) else math.nan


def real_throughout(expr: sympy.Expr, point: Mapping[str, float]) -> bool:
    """Is every power and function inside ``expr`` real at ``point``? (log(x) - log(2x) is
    real for x < 0 in complex arithmetic, undefined for real functions.)"""
    at = {s: sympy.Rational(point[s.name]) for s in expr.free_symbols if s.name in point}
    inner = (node for node in sympy.preorder_traversal(expr)
             if isinstance(node, (sympy.Pow, sympy.Function)) and node.free_symbols)
    return all(_is_real(node.evalf(15, subs=at)) for node in inner)


def _is_real(value: sympy.Expr) -> bool:
    """A real number, however large (an overflow in float64 is no domain error)."""
    if not value.is_number or value.has(S.NaN, S.ComplexInfinity):
        return False
    real, imaginary = value.as_real_imag()
    return bool(imaginary == 0 or abs(imaginary) <= 1e-12 * abs(real))


# Functions with a convention at their kinks (Heaviside(0), Max's derivative at a tie): there,
# values follow the lowered function's convention, the one autograd runs use.
_KINKED = (sympy.Heaviside, sympy.Piecewise, sympy.Max, sympy.Min, sympy.Abs, sympy.sign,
           sympy.DiracDelta)


def value_at(expr: sympy.Expr, point: Mapping[str, float]) -> float:
    """``expr`` at one ``point``: SymPy's own arithmetic to ``EXACT_DIGITS`` digits (for one
    point much quicker than generating code, and exact far beyond any dtype), else the lowered
    float64 function (kinked functions, and NaN where the expression is undefined).

    >>> from tutor.parsing import parse
    >>> value_at(parse("exp(x)/(1 + exp(x))"), {"x": 0.5}), value_at(parse("log(x)"), {"x": -1.0})
    (0.6224593312018546, nan)
    """
    if not expr.has(*_KINKED):
        at = {s: sympy.Float(point[s.name], EXACT_DIGITS) for s in expr.free_symbols}
        exact = expr.xreplace(at).evalf(EXACT_DIGITS)
        if isinstance(exact, (sympy.Float, sympy.Rational)):
            return float(exact)
    return float(evaluate(expr, {s.name: np.array([point[s.name]]) for s in expr.free_symbols})[0])


def exact_values(expected: sympy.Expr, given: sympy.Expr,
                 point: Mapping[str, float]) -> tuple[bool | None, float, float, float]:
    """(differ, expected, given, difference) at ``point`` in exact arithmetic.

    ``differ`` is True when the difference is provably nonzero (SymPy reaches
    ``EXACT_DIGITS`` correct digits of it), False when it vanishes (the values are then not
    computed: NaN), None when undecided (a complex or undefined value). The point's
    coordinates are taken exactly as the floats they are; complex arithmetic is used, so
    see ``real_throughout`` for the real functions' domains.

    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> exact_values(x**2 + sympy.Float("1e-9"), x**2, {"x": 1.5})[0]
    True
    >>> exact_values(sympy.sin(x)**2 + sympy.cos(x)**2, sympy.Integer(1), {"x": 0.3})[0]
    False
    """
    at = {s: sympy.Rational(point[s.name])
          for s in expected.free_symbols | given.free_symbols if s.name in point}
    expected, given = _exact_decimals(expected), _exact_decimals(given)
    difference = (expected - given).evalf(EXACT_DIGITS, subs=at, maxn=_MAX_WORKING_DIGITS)
    if difference == 0 or (difference.is_Float and difference._prec < 20):  # it vanishes
        return False, math.nan, math.nan, 0.0
    values = [_real(v) for v in (expected.evalf(17, subs=at), given.evalf(17, subs=at),
                                 difference)]
    if not (math.isfinite(values[0]) and math.isfinite(values[1])) or not difference.is_Number:
        return None, *values
    exact = isinstance(difference, sympy.Rational) or getattr(difference, "_prec", 0) >= 20
    return exact, *values
