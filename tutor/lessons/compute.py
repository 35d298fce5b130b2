"""``compute`` steps: the closed-form derivative and autograd, side by side, at given points.

Each point is one :func:`tutor.gradcheck.check_gradient` call on the formula the checker lowers
to PyTorch, so the numbers, the tolerance and the pass/fail mark are the checker's own. With
``minimum: true`` the point must also be a minimum: a gradient no larger than the rounding of
the digits written allows, and a positive definite Hessian.

>>> from tutor.lessons.catalog import find_lesson
>>> from tutor.lessons.schema import load_lesson
>>> lesson = load_lesson(find_lesson("polynomial"))
>>> result = compute(LessonMath(lesson), lesson.steps[4])
>>> result.passed, [row.symbolic for row in result.rows][:2]
(True, [16.0, 1.0])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from tutor.errors import LessonError
from tutor.gradcheck import GradientReport, check_gradient
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.model import Compute, Point
from tutor.lowering import numeric_function
from tutor.numeric import tolerance
from tutor.render import inline
from tutor.symbolic import derive, gradient, hessian

_FORMULA_WIDTH = 30


@dataclass
class Row:
    """One derivative at one point."""

    point: Point
    name: str
    symbolic: float
    autograd: float
    ok: bool


@dataclass
class Stationary:
    """Is a point a minimum? ``allowed`` is the largest gradient its written digits explain."""

    point: Point
    gradient: float
    allowed: float
    eigenvalues: tuple[float, ...]

    @property
    def kind(self) -> str:
        if self.gradient > self.allowed:
            return "not stationary"
        if all(e > 0 for e in self.eigenvalues):
            return "minimum"
        if all(e < 0 for e in self.eigenvalues):
            return "maximum"
        return "saddle"


@dataclass
class ComputeResult:
    step: Compute
    names: list[str]
    rows: list[Row]
    formulas: list[str] | None
    point_ok: list[bool]
    stationary: list[Stationary]
    random: GradientReport | None

    @property
    def passed(self) -> bool:
        meets = all(ok != point.expect_fail for ok, point in zip(self.point_ok, self.points, strict=True))
        return meets and (self.random is None or self.random.ok)

    @property
    def points(self) -> list[Point]:
        return list(self.step.at) or [Point({}, self.step.line)]


def compute(math: LessonMath, step: Compute) -> ComputeResult:
    """Run the step: per point the checker's gradient report, then the random-point check."""
    where = f"step {step.id!r}"
    expr = math.expr(step.expr, f"{where}: expr")
    wrt = math.expand_names(step.wrt, where, step.line)
    others = sorted({s.name for s in expr.free_symbols} - set(wrt))
    names = wrt + others
    points = list(step.at) or [Point({}, step.line)]
    rows, point_ok, stationary = [], [], []
    for point in points:
        values = math.point(point)
        missing = [name for name in names if name not in values]
        if missing:
            raise LessonError(f"{where}: the point gives no value for {', '.join(missing)}",
                              path=math.label, line=point.line)
        report = check_gradient(expr, wrt, points={n: [values[n]] for n in names},
                                dtype=step.dtype, variables=names)
        ok = report.ok
        for name, s, a in zip(wrt, report.symbolic_at_worst, report.autograd_at_worst, strict=True):
            rows.append(Row(point, math.display.get(name, name), s, a, report.ok))
        if step.minimum:
            found = _stationary(expr, wrt, point, values)
            stationary.append(found)
            ok = ok and found.kind == "minimum"
        point_ok.append(ok)
    random = None
    if step.random:
        random = check_gradient(expr, wrt, points=step.random, dtype=step.dtype, variables=names)
    return ComputeResult(step, wrt, rows, _formulas(expr, wrt), point_ok, stationary, random)


def _formulas(expr: sympy.Expr, wrt: list[str]) -> list[str] | None:
    """The derivatives as short one-line formulas, or None when one is too long to show."""
    if sympy.count_ops(expr) > 200:
        return None
    shown = [inline(d) for d in derive(expr, wrt)]
    return shown if all(len(s) <= _FORMULA_WIDTH for s in shown) else None


def _stationary(expr: sympy.Expr, wrt: list[str], point: Point, values: dict[str, float]) -> Stationary:
    """Gradient size, what rounding allows, and Hessian eigenvalues at ``point``."""
    args = [values[name] for name in wrt]
    others = {s: values[s.name] for s in expr.free_symbols if s.name not in wrt}
    local = expr.xreplace(others)
    gradient_at = np.array([float(numeric_function(part, wrt)(*args))
                            for part in gradient(local, wrt, simplify=False)])
    matrix = hessian(local, wrt)
    h = np.array([[float(numeric_function(matrix[i, j], wrt)(*args)) for j in range(len(wrt))]
                  for i in range(len(wrt))])
    rounding = np.array([0.0 if point.decimals.get(n) is None else 0.5 * 10.0 ** -point.decimals[n]
                         for n in wrt])
    allowed = 2.0 * np.abs(h) @ rounding + tolerance("float64") * (1.0 + np.abs(h).max())
    excess = np.abs(gradient_at) / allowed
    worst = int(np.argmax(excess))
    return Stationary(point, float(abs(gradient_at[worst])), float(allowed[worst]),
                      tuple(float(e) for e in np.linalg.eigvalsh(h)))
