"""Does a gradient agree with the closed form? Autodiff (PyTorch, TensorFlow) or one computed
elsewhere (a hand-written NumPy gradient, a student's code in the sandbox) against SymPy's.

The gradients are compared at many points in one vectorised call, with a tolerance from the
float type, and the worst point is reported; points on a kink are set aside. (About 480
lines: the reports, the choice of points and the chunked comparison are one piece of work.)

>>> check_gradient("(x^2+y-11)^2 + (x+y^2-7)^2", "x,y").ok
True
>>> check_computed_gradient("x^2 y", "x,y", lambda p: [2 * p["x"] * p["y"], p["x"] ** 2]).ok
True
"""

from __future__ import annotations

import contextlib
import functools
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import sympy

from tutor.errors import BackendError, TutorError
from tutor.lowering import BACKENDS, TENSORFLOW, lower
from tutor.numeric import (
    Point,
    allowed_error,
    evaluate,
    format_point,
    kink_arguments,
    magnitude,
    point_at,
    returned_dtype,
    sample_points,
    spread_points,
    tolerance,
)
from tutor.symbolic import Wrt, as_expr, wrt_symbols

#: The most random points ``check_gradient`` draws (about a second of work).
MAX_POINTS = 1_000_000
#: ``backend=`` values of ``check_gradient``: one framework, or both against each other.
CHOICES = ("torch", "tensorflow", "all")
#: The ``backend`` of a report on a gradient computed elsewhere.
GIVEN = "given"
_CANDIDATES_PER_POINT = 4
_FLOAT_TYPES = ("float16", "float32", "float64")
_AUTODIFF = {name: b.autodiff for name, b in BACKENDS.items() if b.autodiff} | {
    GIVEN: "the given gradient"}
_SHORT = {name: b.autodiff_short for name, b in BACKENDS.items() if b.autodiff} | {
    "sympy": "symbolic", "all": "autodiff", GIVEN: "given"}
_TITLE = {name: b.title for name, b in BACKENDS.items()} | {"sympy": "SymPy"}


@dataclass(frozen=True)
class GradientPair:
    """Two gradients of one function ("sympy", "torch" or "tensorflow") compared at the same
    points, with their values where they differ most for the tolerance."""

    first: str
    second: str
    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst_point: Point
    first_at_worst: tuple[float, ...]
    second_at_worst: tuple[float, ...]

    def to_dict(self) -> dict:
        return {"first": self.first, "second": self.second, "ok": self.ok,
                "max_abs_error": self.max_abs_error, "max_rel_error": self.max_rel_error,
                "worst_point": self.worst_point, "first_at_worst": list(self.first_at_worst),
                "second_at_worst": list(self.second_at_worst)}


@dataclass(frozen=True)
class GradientReport:
    """How a gradient (autodiff's, or one computed elsewhere) compares with the symbolic one
    over many points.

    ``pairs`` has each comparison made: SymPy against the backend, or for ``backend="all"``
    SymPy against PyTorch, SymPy against TensorFlow and PyTorch against TensorFlow. The other
    fields describe the worst comparison with SymPy; ``autograd_at_worst`` is the checked
    gradient there (``backend`` "given": one computed elsewhere).
    """

    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst_point: Point
    n_points: int
    symbolic: tuple[sympy.Expr, ...]
    wrt: tuple[str, ...]
    dtype: str
    rtol: float
    autograd_at_worst: tuple[float, ...] = ()
    symbolic_at_worst: tuple[float, ...] = ()
    max_value_error: float | None = None
    nondifferentiable_points: tuple[Point, ...] = field(default=())
    message: str = ""
    backend: str = "torch"
    pairs: tuple[GradientPair, ...] = ()

    def __bool__(self) -> bool:
        return self.ok

    def _repr_markdown_(self) -> str:
        """How Jupyter shows a report (the symbolic gradient typeset)."""
        from tutor.notebook import report_markdown

        return report_markdown(self)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok, "message": self.message,
            "max_abs_error": self.max_abs_error, "max_rel_error": self.max_rel_error,
            "worst_point": self.worst_point, "n_points": self.n_points,
            "symbolic": [str(e) for e in self.symbolic], "wrt": list(self.wrt),
            "dtype": self.dtype, "rtol": self.rtol,
            "autograd_at_worst": list(self.autograd_at_worst),
            "symbolic_at_worst": list(self.symbolic_at_worst),
            "max_value_error": self.max_value_error,
            "nondifferentiable_points": list(self.nondifferentiable_points),
            "backend": self.backend, "pairs": [pair.to_dict() for pair in self.pairs],
        }


@dataclass(frozen=True)
class _Setup:
    """What every gradient check needs: the expression, its symbolic gradient, the points."""

    expr: sympy.Expr
    symbolic: tuple[sympy.Expr, ...]
    wrt: tuple[str, ...]
    names: tuple[str, ...]
    dtype: str
    rtol: float
    points: dict[str, np.ndarray]  # the compared points, on no kink
    kinked: tuple[Point, ...]
    values: np.ndarray  # the function at the points (float64, NaN where undefined)
    expected: np.ndarray  # the symbolic gradient there: one row per ``wrt`` name
    defined: np.ndarray  # where every part of ``expected`` is finite


def _symbolic_values(symbolic: Sequence[sympy.Expr], points: Mapping[str, np.ndarray]) -> np.ndarray:
    """The symbolic gradient at ``points``, one float64 row per part."""
    return np.stack([evaluate(part, points) for part in symbolic])


def _defined_points(expr: sympy.Expr, symbolic: Sequence[sympy.Expr], names: Sequence[str],
                    count: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """``count`` seeded points where ``expr`` and its gradient are finite, with the values
    there: first exactly ``count`` points (enough where the function is defined everywhere),
    then ``_CANDIDATES_PER_POINT`` times as many, in [-3, 3] and then spread over magnitudes
    (sqrt(x-4) is defined beyond 3)."""
    for draw, oversample in ((sample_points, 1), (sample_points, _CANDIDATES_PER_POINT),
                             (spread_points, _CANDIDATES_PER_POINT)):
        candidates = draw(names, count * oversample, seed)
        values = evaluate(expr, candidates)
        expected = _symbolic_values(symbolic, candidates)
        defined = np.isfinite(values) & np.isfinite(expected).all(axis=0)
        if oversample == 1 and defined.all():
            return candidates, values, expected
        chosen = np.flatnonzero(defined)[:count]
        if chosen.size and oversample > 1:
            return ({name: column[chosen] for name, column in candidates.items()},
                    values[chosen], expected[:, chosen])
    raise TutorError(f"{expr} or its gradient is undefined at every sample point")


def _prepare(expr: str | sympy.Expr, wrt: Wrt, variables: Sequence[str] | None,
             points: int | Mapping | Sequence, dtype: Any, rtol: float | None,
             seed: int) -> _Setup:
    expr = as_expr(expr, variables)
    wrt_syms = wrt_symbols(expr, wrt)
    wrt_names = tuple(s.name for s in wrt_syms)
    others = sorted({s.name for s in expr.free_symbols} - set(wrt_names))
    names = tuple(variables) if variables is not None else wrt_names + tuple(others)
    missing = sorted({s.name for s in expr.free_symbols} - set(names))
    if missing:
        raise TutorError(f"variables {list(names)} leave out {', '.join(missing)} used by {expr}")
    dtype_name = _dtype_name(dtype)
    rtol = tolerance(dtype_name) if rtol is None else rtol
    symbolic = tuple(sympy.diff(expr, s) for s in wrt_syms)

    if isinstance(points, numbers.Integral):
        if points < 1:
            raise TutorError(f"points must be at least 1, got {points}")
        if points > MAX_POINTS:
            raise TutorError(f"points may be at most {MAX_POINTS:,}, got {points:,}")
        columns, values, expected = _defined_points(expr, symbolic, names, points, seed)
    else:
        columns, values, expected = _explicit_points(points, names), None, None
    if dtype_name != "float64":  # compare at exactly the points autodiff sees: in its dtype
        columns = {name: column.astype(dtype_name).astype(np.float64)
                   for name, column in columns.items()}
        values = expected = None

    kink_mask = np.zeros(len(next(iter(columns.values()))), dtype=bool)
    for kink in kink_arguments(expr):
        kink_mask |= np.abs(evaluate(kink, columns)) <= rtol
    if kink_mask.all():
        raise TutorError("every point lies on a kink of the function, where it has no derivative")
    kinked = tuple(point_at(columns, i) for i in np.flatnonzero(kink_mask))
    if kinked:
        kept = ~kink_mask
        columns = {name: column[kept] for name, column in columns.items()}
        values = None if values is None else values[kept]
        expected = None if expected is None else expected[:, kept]
    if values is None:
        values = evaluate(expr, columns)
    if expected is None:
        expected = _symbolic_values(symbolic, columns)
        defined = np.isfinite(expected).all(axis=0)
    else:  # the drawn points were chosen where it is finite
        defined = np.ones(expected.shape[1], dtype=bool)
    return _Setup(expr, symbolic, wrt_names, names, dtype_name, rtol, columns, kinked, values,
                  expected, defined)


def _explicit_points(points: Any, names: Sequence[str]) -> dict[str, np.ndarray]:
    """One float64 column per name from a mapping name -> values, {name: value} rows or rows."""
    try:
        rows = None if isinstance(points, Mapping) else list(points)
        if rows and isinstance(rows[0], Mapping):
            points, rows = {n: [row[n] for row in rows if n in row] for n in names}, None
        if rows is None:
            missing = [n for n in names if not np.size(points.get(n, []))]
            if missing:
                raise TutorError(f"points give no values for {', '.join(missing)}")
            columns = {n: np.atleast_1d(np.asarray(points[n], dtype=np.float64)) for n in names}
        else:
            table = np.asarray(rows, dtype=np.float64)
            table = table[:, None] if table.ndim == 1 and len(names) == 1 else np.atleast_2d(table)
            if table.ndim != 2:
                raise TutorError("points: give one row of numbers per point")
            if table.shape[1] != len(names):
                raise TutorError(f"each point needs {len(names)} values ({', '.join(names)}), "
                                 f"got {table.shape[1]}")
            columns = {name: table[:, i] for i, name in enumerate(names)}
    except (TypeError, ValueError) as error:
        raise TutorError(f"points must be a count, a mapping name -> values, a list of "
                         f"{{name: value}} or rows of numbers ({error})") from None
    if any(column.ndim != 1 for column in columns.values()):
        raise TutorError("points: give each variable a flat list of values")
    if len({len(column) for column in columns.values()}) != 1:
        raise TutorError("points: every variable needs the same number of values")
    bad = [name for name, column in columns.items() if not np.all(np.isfinite(column))]
    if bad:
        raise TutorError(f"points: values of {', '.join(bad)} must be finite numbers (found NaN or inf)")
    return columns


def _dtype_name(dtype: Any) -> str:
    """The float type's name ("float64" for None), given as text or a torch, TensorFlow or
    NumPy type."""
    if dtype is None:
        return "float64"
    name = dtype if isinstance(dtype, str) else getattr(dtype, "name", None)  # tf, numpy dtypes
    if not isinstance(name, str):
        name = str(dtype)  # torch.float32
        with contextlib.suppress(TypeError):
            name = np.dtype(dtype).name  # numpy.float32
    name = name.removeprefix("torch.")
    if name not in _FLOAT_TYPES:
        raise TutorError(f"dtype must be a float type such as float32 or float64, got {dtype!r}")
    return name


@functools.lru_cache(maxsize=256)
def _lowered(expr: sympy.Expr, names: tuple[str, ...], backend: str = "torch"):
    return lower(expr, names, backend=backend)


#: Points compared per step: each step's temporaries stay in cache.
_COMPARE_CHUNK = 65536


@dataclass(frozen=True)
class _Mismatch:
    """How far ``other`` is from ``reference`` (rows of values, one column per point)."""

    ratios: np.ndarray  # per point, the largest error ratio (above 1 is a mismatch); 0 undefined
    max_abs_error: float  # infinite where ``other`` is NaN
    max_rel_error: float


def _mismatch(reference: np.ndarray, other: np.ndarray, defined: np.ndarray, rtol: float,
              atol: float | None) -> _Mismatch:
    """``other`` against ``reference`` where ``defined``, a cache-sized chunk of points at a
    time (10^6 points in a fraction of the time of whole-array passes)."""
    scale = magnitude(reference, 90.0)
    n = reference.shape[1]
    ratios = np.empty(n)
    max_abs = max_rel = 0.0
    with np.errstate(all="ignore"):
        for start in range(0, n, _COMPARE_CHUNK):
            part = slice(start, start + _COMPARE_CHUNK)
            ref, oth, inside = reference[:, part], other[:, part], defined[part]
            errors = np.abs(oth - ref)
            chunk = errors / allowed_error(ref, oth, rtol, scale)
            if atol is not None:
                chunk[errors <= atol] = 0.0
            unequal = np.isnan(chunk)  # NaN or inf from autodiff where SymPy has a number
            if unequal.any():
                chunk[unequal] = np.inf
                errors[np.isnan(errors)] = np.inf
            relative = np.abs(ref)
            np.maximum(relative, 1e-300, out=relative)
            np.divide(errors, relative, out=relative)
            if not inside.all():
                chunk[:, ~inside] = errors[:, ~inside] = relative[:, ~inside] = 0.0
            ratios[part] = chunk.max(axis=0)
            max_abs = max(max_abs, float(errors.max()))
            max_rel = max(max_rel, float(relative.max()))
    return _Mismatch(ratios, max_abs, max_rel)


def _compare(first: str, reference: np.ndarray, second: str, other: np.ndarray,
             points: Mapping[str, np.ndarray], defined: np.ndarray, rtol: float,
             atol: float | None) -> tuple[GradientPair, float]:
    """``other`` against ``reference`` (one row per variable), where the symbolic gradient is
    ``defined``; and the largest error ratio (above 1 is a mismatch)."""
    mismatch = _mismatch(reference, other, defined, rtol, atol)
    worst = int(np.argmax(mismatch.ratios))
    pair = GradientPair(
        first, second, ok=bool(mismatch.ratios[worst] <= 1.0),
        max_abs_error=mismatch.max_abs_error, max_rel_error=mismatch.max_rel_error,
        worst_point=point_at(points, worst),
        first_at_worst=tuple(float(v) for v in reference[:, worst]),
        second_at_worst=tuple(float(v) for v in other[:, worst]))
    return pair, float(mismatch.ratios[worst])


def check_gradient(expr: str | sympy.Expr, wrt: Wrt, *, fn: Callable | None = None,
                   points: int | Mapping | Sequence = 1000, dtype: Any = None,
                   rtol: float | None = None, atol: float | None = None, seed: int = 0,
                   variables: Sequence[str] | None = None, backend: str = "torch") -> GradientReport:
    """Compare the automatic gradient of ``expr`` (or of your function ``fn``) with the
    symbolic gradient at many points, in one vectorised autodiff call.

    ``backend`` is "torch" (autograd), "tensorflow" (GradientTape, TensorFlow installed) or
    "all": SymPy, PyTorch and TensorFlow checked against each other, each pair in ``pairs``.
    ``fn`` is written with the backend's library: it takes one tensor per variable
    (``variables``, by default ``wrt`` then the other symbols by name) holding every point,
    and returns one value per point. ``points`` is a count (seeded random points where the
    gradient is defined) or explicit points: a mapping name -> values, a list of
    {name: value}, or rows of values. Points on a kink (relu or abs at 0) are reported in
    ``nondifferentiable_points`` and left out of the comparison. Without ``rtol`` the
    tolerance is the dtype's; at float64 points, an ``fn`` whose every returned number is a
    float32 number (float16 ones are) is judged at float32's (``numeric.returned_dtype``).

    >>> report = check_gradient("x^2 + x^3 + 5", "x", fn=lambda x: x**2 + x**3 + 5)
    >>> report.ok, report.n_points
    (True, 1000)
    >>> [p.ok for p in check_gradient("x^3", "x", backend="all").pairs]  # doctest: +SKIP
    [True, True, True]
    """
    if backend not in CHOICES:
        raise BackendError(f"unknown backend {backend!r}; choose one of: {', '.join(CHOICES)}")
    if fn is not None and backend == "all":
        raise TutorError("fn is written with one library: check it with backend='torch' or "
                         "backend='tensorflow'")
    frameworks = ("torch", "tensorflow") if backend == "all" else (backend,)
    if "tensorflow" in frameworks:
        TENSORFLOW.library()  # a missing TensorFlow is named before any work is done
    setup = _prepare(expr, wrt, variables, points, dtype, rtol, seed)
    results = {framework: BACKENDS[framework].value_and_gradient(
        fn if fn is not None else _lowered(setup.expr, setup.names, framework), setup.points,
        setup.wrt, dtype=setup.dtype) for framework in frameworks}
    values = results[backend][0] if fn is not None else None
    if fn is not None and rtol is None:
        setup = _judged_by_returned_numbers(setup, values, results[backend][1])
    return _report(setup, {name: grads for name, (_, grads) in results.items()}, backend,
                   atol, values)


def _judged_by_returned_numbers(setup: _Setup, *returned: np.ndarray) -> _Setup:
    """The setup with float32's tolerance when every number the user's code returned at
    float64 points is a float32 number (``returned_dtype``: float16 gets float32's too)."""
    if setup.dtype != "float64" or returned_dtype(*returned) == "float64":
        return setup
    return replace(setup, dtype="float32", rtol=tolerance("float32"))


def check_computed_gradient(expr: str | sympy.Expr, wrt: Wrt,
                            gradient: Callable[[dict[str, np.ndarray]], Sequence[Any]], *,
                            points: int | Mapping | Sequence = 1000, dtype: Any = None,
                            rtol: float | None = None, atol: float | None = None, seed: int = 0,
                            variables: Sequence[str] | None = None) -> GradientReport:
    """Compare a gradient computed elsewhere with the symbolic gradient of ``expr``.

    ``gradient`` gets the points as {name: float64 array} (every variable, in the order of
    ``variables``) and returns one array per ``wrt`` variable, each of one value per point
    (or one value for all). The other arguments are ``check_gradient``'s, and so is the rule
    for the tolerance from the returned numbers; the report's ``backend`` is "given".

    >>> check_computed_gradient("sin(x)", "x", lambda p: [p["x"]]).ok
    False
    """
    setup = _prepare(expr, wrt, variables, points, dtype, rtol, seed)
    n = len(next(iter(setup.points.values())))
    parts = list(gradient(dict(setup.points)))
    if len(parts) != len(setup.wrt):
        raise TutorError(f"the gradient returned {len(parts)} arrays; expected {len(setup.wrt)} "
                         f"(d/d{', d/d'.join(setup.wrt)})")
    try:
        grads = np.stack([np.broadcast_to(np.asarray(part, dtype=np.float64), (n,))
                          for part in parts])
    except (TypeError, ValueError) as error:
        raise TutorError(f"each part of the gradient must be {n} numbers, one per point "
                         f"({error})") from None
    if rtol is None:
        setup = _judged_by_returned_numbers(setup, grads)
    return _report(setup, {GIVEN: grads}, GIVEN, atol, None)


def _report(setup: _Setup, gradients: Mapping[str, np.ndarray], backend: str,
            atol: float | None, values: np.ndarray | None) -> GradientReport:
    """The report on ``gradients`` (one row per ``wrt`` name, by source), and on the function
    ``values`` when given."""
    points, rtol = setup.points, setup.rtol
    sources = list(gradients)
    expected, defined = setup.expected, setup.defined
    compared_pairs = [_compare("sympy", expected, source, gradients[source], points, defined,
                               rtol, atol) for source in sources]
    if backend == "all":
        compared_pairs.append(_compare("torch", gradients["torch"], "tensorflow",
                                       gradients["tensorflow"], points, defined, rtol, atol))
    pairs = tuple(pair for pair, _ in compared_pairs)
    with_sympy = pairs[:len(sources)]
    worst = max(compared_pairs[:len(sources)], key=lambda compared_pair: compared_pair[1])[0]
    ok = all(pair.ok for pair in pairs)

    value_error = None
    if values is not None:
        reference = setup.values
        mismatch = _mismatch(reference[None], np.asarray(values)[None], np.isfinite(reference),
                             rtol, None)
        value_error = mismatch.max_abs_error
        ok = ok and bool(np.all(mismatch.ratios <= 1.0))
    report = GradientReport(
        ok=ok, max_abs_error=max(pair.max_abs_error for pair in with_sympy),
        max_rel_error=max(pair.max_rel_error for pair in with_sympy),
        worst_point=worst.worst_point, n_points=len(next(iter(points.values()))),
        symbolic=setup.symbolic, wrt=setup.wrt, dtype=setup.dtype, rtol=rtol,
        autograd_at_worst=worst.second_at_worst, symbolic_at_worst=worst.first_at_worst,
        max_value_error=value_error, nondifferentiable_points=setup.kinked, backend=backend,
        pairs=pairs,
    )
    return _with_message(report)


def _with_message(report: GradientReport) -> GradientReport:
    if report.backend == "all":
        lines = [_pairs_message(report)]
    else:
        name = _AUTODIFF[report.backend]
        head = (f"{name} agrees with the symbolic gradient at {report.n_points} points"
                if report.ok else
                f"{name} DISAGREES with the symbolic gradient (tolerance rtol={report.rtol:.2g})")
        lines = [f"{head} ({report.dtype}); worst at {format_point(report.worst_point)}: "
                 f"{_SHORT[report.backend]} {list(map(_short, report.autograd_at_worst))}, "
                 f"symbolic {list(map(_short, report.symbolic_at_worst))}, "
                 f"max abs error {report.max_abs_error:.3g}, max rel error {report.max_rel_error:.3g}."]
    if report.max_value_error is not None:
        lines.append(f"Function values: max abs error {report.max_value_error:.3g}.")
    if report.nondifferentiable_points:
        first = format_point(report.nondifferentiable_points[0])
        lines.append(f"{len(report.nondifferentiable_points)} point(s) lie on a kink where the "
                     f"function is not differentiable (e.g. {first}); {_SHORT[report.backend]} "
                     "returns a subgradient there, so they were left out.")
    return replace(report, message=" ".join(lines))


def _pairs_message(report: GradientReport) -> str:
    """SymPy, PyTorch and TensorFlow, pair by pair."""
    head = (f"SymPy, PyTorch and TensorFlow agree pairwise at {report.n_points} points "
            f"({report.dtype})" if report.ok else
            f"SymPy, PyTorch and TensorFlow DISAGREE (tolerance rtol={report.rtol:.2g}, "
            f"{report.dtype})")
    parts = [f"{_TITLE[p.first]} vs {_TITLE[p.second]}: {'agree' if p.ok else 'DIFFER'}, "
             f"max abs error {p.max_abs_error:.3g}, max rel error {p.max_rel_error:.3g}, worst at "
             f"{format_point(p.worst_point)}: {_SHORT[p.first]} {list(map(_short, p.first_at_worst))}, "
             f"{_SHORT[p.second]} {list(map(_short, p.second_at_worst))}" for p in report.pairs]
    return f"{head}: " + "; ".join(parts) + "."


def _short(value: float) -> str:
    return f"{value:.6g}"
