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

from tutor.lowering import numeric_function

Point = dict[str, float]


def tolerance(dtype: Any = "float64") -> float:
    """The relative tolerance for a float type: the square root of its machine epsilon.

    >>> round(tolerance("float64"), 10), round(tolerance("float32"), 6)
    (1.49e-08, 0.000345)
    """
    name = str(dtype).removeprefix("torch.")
    return math.sqrt(float(np.finfo(np.dtype(name)).eps))


def sample_points(names: Sequence[str], n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``n`` seeded points per name, mixing [-3, 3], (0, 3] and [-1, 1] so that functions
    defined only for positive arguments still get enough points."""
    rng = np.random.default_rng(seed)
    points = {}
    for name in names:
        wide = rng.uniform(-3.0, 3.0, n)
        positive = rng.uniform(0.05, 3.0, n)
        narrow = rng.uniform(-1.0, 1.0, n)
        pick = rng.integers(0, 4, n)  # half wide, a quarter each of the others
        points[name] = np.where(pick < 2, wide, np.where(pick == 2, positive, narrow))
    return points


def point_at(points: Mapping[str, np.ndarray], index: int) -> Point:
    return {name: float(values[index]) for name, values in points.items()}


def format_point(point: Mapping[str, float]) -> str:
    """``x = 1.5, y = -2`` for a point."""
    return ", ".join(f"{name} = {value:.6g}" for name, value in point.items()) or "any point"


@functools.lru_cache(maxsize=1024)
def _numeric(expr: sympy.Expr, names: tuple[str, ...]) -> Callable[..., np.ndarray]:
    return numeric_function(expr, names)


def evaluate(expr: sympy.Expr, points: Mapping[str, np.ndarray]) -> np.ndarray:
    """``expr`` at every point, float64, NaN where it is undefined."""
    names = tuple(points)
    n = len(next(iter(points.values()))) if points else 1
    values = _numeric(expr, names)(*points.values())
    return np.broadcast_to(np.asarray(values, dtype=np.float64), (n,))


def _scale(values: np.ndarray, percentile: float) -> float:
    """A magnitude of the values (at least 1), for an absolute tolerance near zero."""
    finite = np.abs(values[np.isfinite(values)])
    return max(float(np.percentile(finite, percentile)), 1.0) if finite.size else 1.0


def error_ratio(reference: np.ndarray, other: np.ndarray, rtol: float, *,
                percentile: float = 90.0) -> np.ndarray:
    """|other - reference| over the allowed error: 1 or less is a match, NaN-safe.

    The error is relative to the larger value, and absolute below the ``percentile`` of
    |reference|: the typical magnitude by default, which absorbs the rounding of two
    computations of one function near its zeros (float32 autograd against SymPy).

    >>> error_ratio(np.array([1.0, 1e-9]), np.array([1.0, 2e-9]), 1e-8).round(3).tolist()
    [0.0, 0.1]
    """
    allowed = rtol * (np.maximum(np.abs(reference), np.abs(other)) + _scale(reference, percentile))
    with np.errstate(all="ignore"):
        return np.abs(other - reference) / allowed


def answer_ratio(expected: np.ndarray, given: np.ndarray) -> np.ndarray:
    """``error_ratio`` for an answer against the expected values, in float64.

    The absolute part is held to a magnitude nearly every value reaches (the 10th
    percentile), not the typical one: where values span many orders of magnitude, as
    e^(10x) or x^20 do, a typical magnitude would excuse a wrong term wherever they are small
    (``20x^19 + 1`` for d/dx x^20).
    """
    return error_ratio(expected, given, tolerance("float64"), percentile=10.0)
