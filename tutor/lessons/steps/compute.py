"""``compute``: the closed-form derivative and autograd, side by side, at given points.

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
from rich.console import Console
from rich.table import Table
from rich.text import Text as RichText

from tutor.documents import Problem, spec
from tutor.errors import LessonError
from tutor.gradcheck import GradientReport, check_gradient
from tutor.lessons.display import mark, show
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.model import DType, Point, Source, Step
from tutor.lessons.steps.kind import PASSED, StepKind
from tutor.lessons.ui import say
from tutor.lowering import numeric_function
from tutor.numeric import tolerance
from tutor.render import inline
from tutor.symbolic import derive, gradient, hessian

_FORMULA_WIDTH = 30


@dataclass(frozen=True, kw_only=True)
class Compute(Step):
    expr: Source
    wrt: tuple[str, ...] = spec(read="names", required=True)
    at: tuple[Point, ...] = ()
    dtype: DType = "float64"
    minimum: bool = False  # each point must also be a minimum
    random: int = spec(1000, minimum=0)  # random points checked too


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


# ---------------------------------------------------------------- showing


def _number(value: float, decimals: int | None) -> str:
    return f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"


def _point_label(point) -> str:
    """``2`` for one variable, ``(3.584428, -1.848126)`` for several, digits as written."""
    shown = [_number(v, point.decimals.get(k)) for k, v in point.values.items()]
    return shown[0] if len(shown) == 1 else f"({', '.join(shown)})"


def _point_header(points, lang: str) -> str:
    names = list(points[0].values) if points else []
    where = (names[0] if len(names) == 1 else f"({', '.join(names)})") if names else ""
    return say("column_at", lang, where=where).strip()


def show_compute(console: Console, result: ComputeResult, lang: str) -> None:
    step = result.step
    several = len(result.points) > 1 or any(p.values for p in result.points)
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    if several:
        table.add_column(_point_header(result.points, lang))
    table.add_column("d/d")
    if result.formulas:
        table.add_column(say("column_formula", lang))
    table.add_column(say("symbolic", lang), justify="right")
    table.add_column(say("autograd", lang), justify="right")
    table.add_column(say("difference", lang), justify="right")
    table.add_column("")
    per_point = len(result.names)
    for index, row in enumerate(result.rows):
        point_index = index // per_point
        cells = []
        if several:
            cells.append(_point_label(row.point) if index % per_point == 0 else "")
        cells.append(row.name)
        if result.formulas:
            cells.append(result.formulas[index % per_point])
        agreement = mark(row.ok, lang) if result.stationary else _point_mark(result, point_index, lang)
        cells += [f"{row.symbolic:.9g}", f"{row.autograd:.9g}",
                  f"{abs(row.autograd - row.symbolic):.1e}", agreement]
        table.add_row(*cells)
    seeded = not several and not step.at and result.rows
    console.print(RichText(say("autograd_dtype_seeded" if seeded else "autograd_dtype", lang,
                               dtype=step.dtype), style="dim"))
    show(console, table)
    if result.stationary:
        _show_stationary(console, result, lang)
    for point in result.points:
        if point.note:
            console.print(RichText(say("point_note", lang, point=_point_label(point),
                                       note=point.note.get(lang)), style="italic"))
    random = result.random
    if random is not None:
        summary = (say("max_difference", lang, error=random.max_abs_error, dtype=random.dtype)
                   if random.ok else random.message) + " "
        console.print(RichText(say("random_check", lang, n=random.n_points, verdict=summary))
                      + mark(random.ok, lang))


def _point_mark(result: ComputeResult, index: int, lang: str) -> RichText:
    ok, point = result.point_ok[index], result.points[index]
    if point.expect_fail:
        return RichText(say("expected_fail" if not ok else "unexpected_pass", lang),
                    style="yellow" if not ok else "bold red")
    return mark(ok, lang)


def _show_stationary(console: Console, result: ComputeResult, lang: str) -> None:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for title, justify in ((_point_header(result.points, lang), "left"),
                           (say("column_max_grad", lang), "right"),
                           (say("column_allowed", lang), "right"),
                           (say("column_hessian", lang), "right"), ("", "left"), ("", "left")):
        table.add_column(title, justify=justify)
    for index, found in enumerate(result.stationary):
        eigen = ", ".join(f"{e:.3g}" for e in found.eigenvalues)
        kind = RichText(say(f"point_{found.kind}", lang),
                        style="green" if found.kind == "minimum" else "red")
        table.add_row(_point_label(found.point), f"{found.gradient:.1e}", f"{found.allowed:.1e}",
                      eigen, kind, _point_mark(result, index, lang))
    show(console, table)


# ---------------------------------------------------------------- playing and linting


def formulas(math: LessonMath, step: Compute) -> None:
    math.expr(step.expr, f"step {step.id!r}: expr")
    math.expand_names(step.wrt, f"step {step.id!r}", step.line)


def play(runner, step: Compute) -> str:
    runner.text(step.text)
    result = compute(runner.math, step)
    show_compute(runner.console, result, runner.lang)
    return runner.conclude(step, PASSED if result.passed else "failed")


def problems(math: LessonMath, step: Compute, path: str) -> list[Problem]:
    """Each point passes (or fails, when the lesson says it must) and so do random points."""
    result = compute(math, step)
    found = []
    where = f"step {step.id!r}"
    for ok, point in zip(result.point_ok, result.points, strict=True):
        if ok == point.expect_fail:
            shown = ", ".join(f"{k} = {v:g}" for k, v in point.values.items()) or "the tensor values"
            what = ("passes, but 'expect: fail' says it must not" if ok else
                    "fails: the symbolic and autograd numbers disagree" if not result.stationary
                    else "fails: not a minimum, or the numbers disagree")
            found.append(Problem(path, point.line, f"{where}: at {shown} the check {what}"))
    if result.random is not None and not result.random.ok:
        found.append(Problem(path, step.line, f"{where}: {result.random.message}"))
    return found


KIND = StepKind("compute", Compute, play, formulas=formulas, problems=problems)
