"""Showing math and verdicts to a person: rich in a terminal, plain text elsewhere.

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> inline(2*x + 3*x**2)
'3x² + 2x'
>>> inline(sympy.Max(0, 2*x))
'relu(2x)'
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from typing import IO, TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from tutor.messages import text as message

if TYPE_CHECKING:  # SymPy is imported where it is used: `tutor list` needs none of it
    import sympy

_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def make_console(file: IO[str] | None = None) -> Console:
    """A console that colours a terminal and writes plain text to pipes, files and NO_COLOR users.

    A terminal keeps its own width; a pipe or file gets at least 100 columns. Never emoji:
    Windows consoles garble them.
    """
    _break_chinese_at_punctuation()
    console = Console(file=file, no_color="NO_COLOR" in os.environ, emoji=False, highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, 100)
    return console


#: Chinese lines may break after these (and before the opening brackets), never inside a word.
_BREAK_AFTER = "，。：；、！？）」』"
_BREAK_BEFORE = "（「『"


@functools.cache
def _break_chinese_at_punctuation() -> None:
    """Teach rich's wrapping the break points of Chinese text.

    rich breaks lines only at spaces, so a Chinese sentence (no spaces) longer than the line is
    chopped at whatever character meets the edge, splitting words (应用链 / 式法则). Here each
    run rich would treat as one word is cut after full-width punctuation and before an opening
    bracket, so lines end at a clause's end; only a clause wider than the whole line is still
    chopped. rich has no public hook for this: its ``_wrap.words`` is replaced, and left alone
    if a rich version no longer has it.
    """
    from rich import _wrap

    original = getattr(_wrap, "words", None)
    if original is None or getattr(original, "breaks_chinese", False):
        return

    def words(text: str):
        for start, _end, word in original(text):
            cuts = {i + 1 for i in range(len(word) - 1) if word[i] in _BREAK_AFTER
                    and word[i + 1] not in _BREAK_AFTER and not word[i + 1].isspace()}
            cuts |= {i for i in range(1, len(word)) if word[i] in _BREAK_BEFORE
                     and word[i - 1] not in _BREAK_BEFORE and not word[i - 1].isspace()}
            edges = [0, *sorted(cuts), len(word)]
            for begin, end in itertools.pairwise(edges):
                yield start + begin, start + end, word[begin:end]

    words.breaks_chinese = True
    _wrap.words = words


@functools.cache
def _relu():
    import sympy

    return sympy.Function("relu")  # for display only: relu(x) is Max(0, x) to SymPy


def _for_display(expr: sympy.Basic) -> sympy.Basic:
    """``Max(0, u)`` shown as ``relu(u)``, the way learners write it."""
    import sympy

    def is_relu(node):
        return isinstance(node, sympy.Max) and len(node.args) == 2 and sympy.S.Zero in node.args

    def as_relu(node):
        return _relu()(next(arg for arg in node.args if arg != 0))

    return expr.replace(is_relu, as_relu) if isinstance(expr, sympy.Basic) else expr


def pretty(expr: sympy.Basic) -> str:
    """Unicode pretty form, as a block of lines (fractions stacked, powers raised)."""
    import sympy

    return sympy.pretty(_for_display(expr), use_unicode=True)


def inline(expr: sympy.Basic) -> str:
    """A one-line unicode form: integer powers as superscripts, no ``*`` next to a number or power."""
    import sympy

    text = sympy.sstr(_for_display(expr))
    raise_ = lambda m: m.group(1).translate(_SUPERSCRIPTS)  # noqa: E731
    text = re.sub(r"\*\*(\d+)(?![\d.])", raise_, text)  # x**2 -> x²
    text = re.sub(r"\*\*\((-\d+)\)", raise_, text)  # x**(-2) -> x⁻²
    text = re.sub(r"\*\*", "^", text)
    text = re.sub(r"(?<![\w.])(\d+)\*(?=[A-Za-z(])", r"\1", text)  # 3*x -> 3x
    return text.replace("*", "·")


def verdict_lines(verdict) -> list[str]:
    """A verdict as short lines: the mark, the message, what was expected."""
    mark = f"[green]{message('mark_right')}[/]" if verdict.correct else f"[red]{message('mark_wrong')}[/]"
    lines = [f"{mark}  {verdict.message}"]
    if verdict.mistake:
        lines.append("       " + message("mistake_code", code=verdict.mistake))
    return lines


_LIBRARY = {"sympy": "SymPy", "torch": "PyTorch", "tensorflow": "TensorFlow"}


def gradient_table(report) -> Table:
    """The symbolic gradient and autodiff's side by side at the worst point, then each pair
    of libraries compared (one pair, or three for ``backend="all"``)."""
    from tutor.numeric import format_point  # SymPy and NumPy: not for commands that print tables

    table = Table(title=message("worst_point", point=format_point(report.worst_point)))
    table.add_column("d/d")
    table.add_column(message("symbolic"))
    table.add_column("SymPy", justify="right")
    table.add_column(_LIBRARY.get(report.backend, "autodiff"), justify="right")
    table.add_column(message("column_difference"), justify="right")
    rows = zip(report.wrt, report.symbolic, report.symbolic_at_worst, report.autograd_at_worst,
               strict=True)
    for name, expr, symbolic, autograd in rows:
        table.add_row(name, inline(expr), f"{symbolic:.10g}", f"{autograd:.10g}",
                      f"{abs(autograd - symbolic):.2g}")
    return table


def pairs_table(report) -> Table:
    """Every pair of libraries compared: max errors and a mark."""
    table = Table(title=message("points_dtype", n=report.n_points, dtype=report.dtype))
    for column in ("column_compared", "column_max_abs", "column_max_rel"):
        table.add_column(message(column), justify="left" if column == "column_compared" else "right")
    table.add_column("", justify="right")
    for pair in report.pairs:
        names = f"{_LIBRARY.get(pair.first, pair.first)} vs {_LIBRARY.get(pair.second, pair.second)}"
        table.add_row(names, f"{pair.max_abs_error:.2g}", f"{pair.max_rel_error:.2g}",
                      message("mark_ok") if pair.ok else message("mark_differs"))
    return table
