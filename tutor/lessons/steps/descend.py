"""``descend``: gradient descent with autograd from one or more starts, every step's gradient
checked against the symbolic one (:mod:`tutor.lessons.descend` does the numbers), a table
of the path, where each start ended, and maybe a contour plot.

>>> from tutor.documents import read_text
>>> from tutor.lessons.schema import LessonReader
>>> node = read_text("function: x^2\\nstart: {x: 1}\\nlr: 1e-1\\nsteps: 50\\n", "a.yaml")
>>> step = LessonReader("a.yaml").read(Descend, node, "", given={"id": "d", "kind": "descend"})
>>> step.lr, step.row_every, step.method
(0.1, 5, 'manual')
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Literal

import numpy
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text as RichText

from tutor.documents import Node, Reader, spec
from tutor.errors import LessonError
from tutor.lessons.descend import Descent, Row, descend
from tutor.lessons.display import mark, show
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.model import DType, Point, Source, Step, Text
from tutor.lessons.steps.kind import PASSED, StepKind
from tutor.lessons.ui import say


@dataclass(frozen=True, kw_only=True)
class PlotPath:
    """Another path drawn on the plot to compare with the descent (Newton's step, say)."""

    label: Text
    points: tuple[Point, ...]
    line: int


@dataclass(frozen=True, kw_only=True)
class Descend(Step):
    function: Source
    variables: tuple[str, ...] = spec((), read="names")  # default: the function's, sorted
    starts: tuple[Point, ...] = spec(aliases=("start",))
    method: Literal["manual", "sgd", "adam"] = "manual"
    lr: float = spec(positive=True)
    steps: int = spec(minimum=1)
    every: int | None = spec(None, minimum=1)  # a table row every so many steps
    dtype: DType = "float32"
    ends_near: tuple[Point, ...] = ()  # one target per start
    tol: float = spec(1e-3, positive=True)
    value_below: float | None = spec(None, positive=True)
    same_as: str | None = None  # an earlier descend step that must take the same path
    plot: str | None = None  # a .png file name for a contour plot
    plot_paths: tuple[PlotPath, ...] = ()  # drawn on the plot too

    @property
    def row_every(self) -> int:
        """Steps between table rows: ``every``, else a tenth of the steps."""
        return self.every or max(self.steps // 10, 1)


def check(reader: Reader, node: Node, where: str, values: dict) -> None:
    starts, ends = values.get("starts", ()), values.get("ends_near", ())
    if ends and starts and len(ends) != len(starts):
        reader.problem(node.get("ends_near").line, f"{where}: ends_near has {len(ends)} points "
                       f"for {len(starts)} starts; give one per start")
    plot = values.get("plot")
    if plot is not None and (not plot.endswith(".png") or "/" in plot or "\\" in plot):
        reader.problem(node.get("plot").line, f"{where}: plot must be a file name ending in "
                       ".png, without a directory")


def variables(math: LessonMath, step: Descend) -> list[str]:
    """The variables a ``descend`` step moves, checked against its points and ``same_as``."""
    where = f"step {step.id!r}"
    function = math.expr(step.function, f"{where}: function")
    names = math.expand_names(step.variables, where, step.line) if step.variables else sorted(
        s.name for s in function.free_symbols)
    problem = None
    extra = sorted({s.name for s in function.free_symbols} - set(names))
    if extra:
        problem = (f"the function also depends on {', '.join(extra)}; list every variable it "
                   "descends on in 'variables'")
    drawn = [point for other in step.plot_paths for point in other.points]
    for point in (*step.starts, *step.ends_near, *drawn):
        missing = [n for n in names if n not in point.values]
        if missing and problem is None:
            problem = f"the point on line {point.line} gives no value for {', '.join(missing)}"
    if step.same_as is not None:
        index = math.lesson.step_index(step.same_as)
        other = math.lesson.steps[index] if index is not None else None
        if not isinstance(other, Descend) or index >= math.lesson.step_index(step.id):
            problem = f"same_as {step.same_as!r} must name an earlier descend step"
    if step.plot_paths and not step.plot:
        problem = "plot_paths are drawn on the plot: give 'plot' (a .png file name) too"
    if step.plot and len(names) != 2:
        problem = f"a plot needs exactly two variables, not {len(names)}"
    if problem:
        raise LessonError(f"{where}: {problem}", path=math.label, line=step.line)
    return names


# ---------------------------------------------------------------- playing


def _descend(runner, step: Descend, show_rows: bool) -> Descent:
    names = variables(runner.math, step)
    function = runner.math.expr(step.function, f"step {step.id!r}: function")
    starts = [[point.values[n] for n in names] for point in step.starts]
    steps = min(step.steps, runner.options.descent_cap or step.steps)
    settings = {"method": step.method, "lr": step.lr, "steps": steps, "every": step.row_every,
                "dtype": step.dtype}
    if not show_rows:
        return descend(function, names, starts, **settings)
    several = len(starts) > 1
    runner.console.print(RichText(row_header(names, len(starts), runner.lang), style="bold"))
    progress = _progress(runner.console, steps)
    with progress or nullcontext():
        task = progress.add_task(step.method, total=steps) if progress else None
        return descend(
            function, names, starts, **settings,
            on_row=lambda row: runner.console.print(row_line(row, several)),
            on_progress=(lambda done: progress.update(task, completed=done)) if progress else None)


def play(runner, step: Descend) -> str:
    runner.text(step.text)
    descent = _descend(runner, step, show_rows=True)
    runner.results[step.id] = descent
    check = descent.check
    runner.console.print(RichText(say("grad_checked", runner.lang, n=check.checked,
                                      failed=check.failed, error=check.worst_error,
                                      ratio=check.worst_ratio),
                                  style="green" if check.failed == 0 else "bold red"))
    steps = len(descent.path) - 1
    if descent.last_move < steps:
        runner.note("last_move", step=descent.last_move, steps=steps)
    shortened = runner.options.descent_cap is not None and runner.options.descent_cap < step.steps
    targets = [[p.values[n] for n in descent.variables] for p in step.ends_near]
    flags = show_ends(runner.console, descent, None if shortened else targets, step.tol,
                      None if shortened else step.value_below, runner.lang)
    ok = check.failed == 0 and all(flags)
    if step.same_as:
        ok = _compare_paths(runner, step, descent) and ok
    if step.plot:
        _plot(runner, step, descent, targets)
    return runner.conclude(step, PASSED if ok else "failed")


def _compare_paths(runner, step: Descend, descent: Descent) -> bool:
    import numpy

    other = runner.results.get(step.same_as)
    if not isinstance(other, Descent) or len(other.path) != len(descent.path):
        index = runner.lesson.step_index(step.same_as)
        other = _descend(runner, runner.lesson.steps[index], show_rows=False)
    same = bool(numpy.array_equal(other.path, descent.path))
    verdict = mark(same, runner.lang)
    runner.console.print(RichText(say("same_path", runner.lang, other=step.same_as, verdict=""))
                         + verdict)
    return same


def _plot(runner, step: Descend, descent: Descent, targets) -> None:
    from tutor.lessons.plot import PlotUnavailable, contour_plot, han_font

    function = runner.math.expr(step.function, f"step {step.id!r}: function")
    out = runner.options.out_dir / step.plot
    font = han_font() if runner.lang != "en" else None
    lang = runner.lang if font or runner.lang == "en" else "en"  # no empty boxes for Chinese
    others = [(other.label.get(lang),
               numpy.array([[p.values[n] for n in descent.variables] for p in other.points]))
              for other in step.plot_paths]
    try:
        path = contour_plot(function, descent.variables, descent.path, targets, out,
                            f"{runner.lesson.id}: {step.method}, lr={step.lr:g}", others, lang, font)
    except PlotUnavailable as missing:
        runner.console.print(RichText(say("plot_missing", runner.lang, why=missing),
                                      style="yellow"))
        return
    runner.note("plot_saved", path=path)
    if lang != runner.lang:
        runner.note("plot_in_english", style="dim")


def _progress(console: Console, total: int):
    """A progress bar in a terminal; None elsewhere (a transcript has no use for one)."""
    if not console.is_terminal:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)


# ---------------------------------------------------------------- showing


def row_line(row: Row, several: bool) -> str:
    """One line of the descent table."""
    if several:
        values = "  ".join(f"{v:11.4e}" for v in row.values)
        return f"{row.step:>7}  {values}"
    position = ", ".join(f"{v: .6f}" for v in row.positions[0])
    return f"{row.step:>7}  ({position})  {row.values[0]:11.4e}  {row.chunk_ratio:10.2g}"


def row_header(names: list[str], starts: int, lang: str) -> str:
    """The descent table's header, padded by terminal cells (a Chinese character takes two)."""
    step = _right(say("column_step", lang), 7)
    if starts > 1:
        return f"{step}  " + "  ".join(_right(say("column_run", lang, n=i + 1), 11)
                                       for i in range(starts))
    position = f"({', '.join(names)})"
    # the gradient's worst |autograd - symbolic| since the previous row, as a fraction of the
    # tolerance (the summary after the table gives the same, and the |difference|)
    return f"{step}  {position:<24}  {'f':>11}  {_right(say('column_ratio', lang), 10)}"


def _right(text: str, width: int) -> str:
    return " " * max(width - cell_len(text), 0) + text


def show_ends(console: Console, descent: Descent, targets, tol: float, value_below, lang: str) -> list[bool]:
    """Where each start ended, against the lesson's targets; returns a pass flag per start."""
    table = Table(title=say("ends", lang), title_justify="left", show_edge=False, pad_edge=False,
                  header_style="bold")
    for column in ("column_start", "column_end", "f", "column_target", ""):
        table.add_column(say(column, lang) if column.startswith("column_") else column)
    flags = []
    for index, path in enumerate(descent.path.transpose(1, 0, 2)):
        start, end, value = path[0], path[-1], float(descent.final_values[index])
        target = targets[index] if targets else None
        ok = target is None or all(abs(e - t) <= tol for e, t in zip(end, target, strict=True))
        ok = ok and (value_below is None or value < value_below)
        flags.append(ok)
        table.add_row(_pair(start), _pair(end, 6), f"{value:.3g}",
                      _pair(target, 6) if target is not None else "-", mark(ok, lang))
    show(console, table)
    return flags


def _pair(values, digits: int = 3) -> str:
    return "(" + ", ".join(f"{v:.{digits}f}" for v in values) + ")"



KIND = StepKind("descend", Descend, play, checks={Descend: check}, formulas=variables)
