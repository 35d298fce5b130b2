"""Showing step results in the terminal: tables that fit 80 columns, plain text off a terminal.

Every function takes a rich console and the learner's language and prints; none decides
anything (the numbers come from :mod:`.compute`, :mod:`.code` and :mod:`.descend`).
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from tutor.lessons.code import CodeResult
from tutor.lessons.compute import ComputeResult
from tutor.lessons.descend import Descent, Row
from tutor.lessons.ui import say, show


def mark(ok: bool, lang: str) -> Text:
    return Text(say("passed_mark", lang), style="green") if ok else Text(say("failed_mark", lang),
                                                                          style="bold red")


_CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
_CJK_IDEOGRAPHS = "\u3400-\u9fff"
# Markdown turns a line break into a space. In Chinese text there is none after full-width
# punctuation or between two characters; a line that starts a list item, heading, quote,
# table or number keeps its break.
_CJK_LINE_BREAK = re.compile(
    f"(?<=[{_CJK_PUNCTUATION}])\n[ \t]*(?=[^\\s*+#>|0-9-])"
    f"|(?<=[{_CJK_IDEOGRAPHS}])\n[ \t]*(?=[{_CJK_IDEOGRAPHS}{_CJK_PUNCTUATION}])")


def markdown(console: Console, text: str) -> None:
    """Markdown, with Chinese line breaks joined the Chinese way (see _CJK_LINE_BREAK)."""
    text = _CJK_LINE_BREAK.sub("", text.strip())
    show(console, Markdown(text, code_theme="ansi_dark", hyperlinks=False))


def code_block(console: Console, title: str, source: str) -> None:
    console.print(Text(title, style="bold"))
    show(console, Syntax(source.rstrip("\n"), "python", theme="ansi_dark", line_numbers=False,
                         word_wrap=True, padding=(0, 2)))


def _number(value: float, decimals: int | None) -> str:
    return f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"


def _point_label(point) -> str:
    """``2`` for one variable, ``(3.584428, -1.848126)`` for several, digits as written."""
    shown = [_number(v, point.decimals.get(k)) for k, v in point.values.items()]
    return shown[0] if len(shown) == 1 else f"({', '.join(shown)})"


def _point_header(points) -> str:
    names = list(points[0].values) if points else []
    return "at " + (names[0] if len(names) == 1 else f"({', '.join(names)})") if names else "at"


def show_compute(console: Console, result: ComputeResult, lang: str) -> None:
    step = result.step
    several = len(result.points) > 1 or any(p.values for p in result.points)
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    if several:
        table.add_column(_point_header(result.points))
    table.add_column("d/d")
    if result.formulas:
        table.add_column("formula")
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
    where = say("at_seeded", lang) + ", " if not several and not step.at and result.rows else ""
    console.print(Text(f"{where}{say('autograd', lang)}: {step.dtype}", style="dim"))
    show(console, table)
    if result.stationary:
        _show_stationary(console, result, lang)
    for point in result.points:
        if point.note:
            console.print(Text(f"{_point_label(point)}: {point.note.get(lang)}", style="italic"))
    random = result.random
    if random is not None:
        summary = (f"max |difference| {random.max_abs_error:.1e} ({random.dtype}) "
                   if random.ok else random.message + " ")
        console.print(Text(say("random_check", lang, n=random.n_points, verdict=summary))
                      + mark(random.ok, lang))


def _point_mark(result: ComputeResult, index: int, lang: str) -> Text:
    ok, point = result.point_ok[index], result.points[index]
    if point.expect_fail:
        return Text(say("expected_fail" if not ok else "unexpected_pass", lang),
                    style="yellow" if not ok else "bold red")
    return mark(ok, lang)


def _show_stationary(console: Console, result: ComputeResult, lang: str) -> None:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for title, justify in ((_point_header(result.points), "left"), ("max |grad|", "right"),
                           ("allowed", "right"), ("Hessian eig.", "right"), ("", "left"),
                           ("", "left")):
        table.add_column(title, justify=justify)
    for index, found in enumerate(result.stationary):
        eigen = ", ".join(f"{e:.3g}" for e in found.eigenvalues)
        kind = Text(found.kind, style="green" if found.kind == "minimum" else "red")
        table.add_row(_point_label(found.point), f"{found.gradient:.1e}", f"{found.allowed:.1e}",
                      eigen, kind, _point_mark(result, index, lang))
    show(console, table)


def show_code_result(console: Console, result: CodeResult, timeout: float, lang: str) -> None:
    run = result.run
    if run.stdout.strip():
        console.print(Text(say("output", lang), style="bold"))
        console.print(Text("\n".join("  " + line for line in run.stdout.rstrip("\n").splitlines())))
    if run.timed_out:
        console.print(Text(say("timed_out", lang, seconds=timeout), style="bold red"))
        return
    if run.crashed:
        console.print(Text(say("crashed", lang, why=run.crashed), style="bold red"))
        return
    if run.error is not None:
        expected = any(check.label == "error" for check in result.checks)
        console.print(Text(say("raised", lang), style="bold yellow" if expected else "bold red"))
        shown = f"{run.error['type']}: {run.error['message']}" if expected else run.error["traceback"]
        console.print(Text("\n".join("  " + line for line in shown.rstrip().splitlines())))
    if result.checks:
        table = Table(title=say("checks", lang), title_justify="left", show_edge=False,
                      pad_edge=False, header_style="bold")
        for column in ("after", "expected", "printed", ""):
            table.add_column(column)
        for check in result.checks:
            table.add_row(check.label, check.expected, check.found, mark(check.ok, lang))
        show(console, table)


def row_line(row: Row, several: bool) -> str:
    """One line of the descent table."""
    if several:
        values = "  ".join(f"{v:11.4e}" for v in row.values)
        return f"{row.step:>7}  {values}"
    position = ", ".join(f"{v: .6f}" for v in row.positions[0])
    return f"{row.step:>7}  ({position})  {row.values[0]:11.4e}  {row.chunk_ratio:8.2g}"


def row_header(names: list[str], starts: int) -> str:
    if starts > 1:
        columns = "  ".join(f"{'f (run ' + str(i + 1) + ')':>11}" for i in range(starts))
        return f"{'step':>7}  {columns}"
    position = f"({', '.join(names)})"
    return f"{'step':>7}  {position:<24}  {'f':>11}  {'grad err':>8}"


def show_ends(console: Console, descent: Descent, targets, tol: float, value_below, lang: str) -> list[bool]:
    """Where each start ended, against the lesson's targets; returns a pass flag per start."""
    table = Table(title=say("ends", lang), title_justify="left", show_edge=False, pad_edge=False,
                  header_style="bold")
    for column in ("start", "end", "f", "target", ""):
        table.add_column(column)
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
