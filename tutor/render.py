"""Showing math and verdicts to a person: rich in a terminal, plain text elsewhere.

>>> from sympy import Symbol
>>> x = Symbol("x", real=True)
>>> inline(2*x + 3*x**2)
'3x² + 2x'
"""

from __future__ import annotations

import os
import re
from typing import IO

import sympy
from rich.console import Console
from rich.table import Table

_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def make_console(file: IO[str] | None = None) -> Console:
    """A console that colours a terminal and writes plain text to pipes, files and NO_COLOR users.

    Never narrower than 80 columns and never emoji: Windows consoles garble them.
    """
    console = Console(file=file, no_color="NO_COLOR" in os.environ, emoji=False, highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, 100)
    return console


def pretty(expr: sympy.Basic) -> str:
    """Unicode pretty form, as a block of lines (fractions stacked, powers raised)."""
    return sympy.pretty(expr, use_unicode=True)


def inline(expr: sympy.Basic) -> str:
    """A one-line unicode form: integer powers as superscripts, no ``*`` next to a number or power."""
    text = sympy.sstr(expr)
    raise_ = lambda m: m.group(1).translate(_SUPERSCRIPTS)  # noqa: E731
    text = re.sub(r"\*\*(\d+)(?![\d.])", raise_, text)  # x**2 -> x²
    text = re.sub(r"\*\*\((-\d+)\)", raise_, text)  # x**(-2) -> x⁻²
    text = re.sub(r"\*\*", "^", text)
    text = re.sub(r"(?<![\w.])(\d+)\*(?=[A-Za-z(])", r"\1", text)  # 3*x -> 3x
    return text.replace("*", "·")


def verdict_lines(verdict) -> list[str]:
    """A verdict as short lines: the mark, the message, what was expected."""
    mark = "[green]right[/]" if verdict.correct else "[red]wrong[/]"
    lines = [f"{mark}  {verdict.message}"]
    if verdict.mistake:
        lines.append(f"       mistake: {verdict.mistake}")
    return lines


def gradient_table(report) -> Table:
    """Autograd and the symbolic gradient side by side at the worst point."""
    table = Table(title=f"worst point: {', '.join(f'{k} = {v:.6g}' for k, v in report.worst_point.items())}")
    table.add_column("d/d")
    table.add_column("symbolic")
    table.add_column("at worst point", justify="right")
    table.add_column("autograd", justify="right")
    table.add_column("difference", justify="right")
    rows = zip(report.wrt, report.symbolic, report.symbolic_at_worst, report.autograd_at_worst,
               strict=True)
    for name, expr, symbolic, autograd in rows:
        table.add_row(name, inline(expr), f"{symbolic:.10g}", f"{autograd:.10g}",
                      f"{abs(autograd - symbolic):.2g}")
    return table
