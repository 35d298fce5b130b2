"""How results show themselves in Jupyter: Markdown with the math typeset (MathJax ``$...$``).

:class:`~tutor.check.Verdict` and :class:`~tutor.gradcheck.GradientReport` call these from
their ``_repr_markdown_``; a derivation (:mod:`tutor.feedback.explanation`) has its own
Markdown and LaTeX forms. Text from a message is escaped, so a ``*`` or ``|`` in a formula
shows as typed.

>>> from tutor.check import check_answer
>>> print(verdict_markdown(check_answer("2*x", "x^2 + x")).splitlines()[0])
**✗ Wrong**
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sympy

if TYPE_CHECKING:
    from tutor.check import Verdict
    from tutor.gradcheck import GradientReport

_SPECIAL = re.compile(r"([\\`*_\[\]<>|$])")


def escape(text: str) -> str:
    """``text`` shown literally in Markdown (line breaks kept).

    >>> escape("2*x | y_1")
    '2\\\\*x \\\\| y\\\\_1'
    """
    return "  \n".join(_SPECIAL.sub(r"\\\1", line) for line in str(text).splitlines())


def math(expr: sympy.Basic) -> str:
    """An expression typeset inline: ``$x^{2}$``."""
    return f"${sympy.latex(expr)}$"


def _table(rows: list[tuple[str, str]]) -> str:
    return "\n".join(["| | |", "|---|---|", *(f"| {key} | {value} |" for key, value in rows)])


def verdict_markdown(verdict: Verdict) -> str:
    """A verdict: right or wrong, the message, the mistake, the expressions and any parts."""
    lines = ["**✓ Correct**" if verdict.correct else
             "**? Unreadable**" if verdict.unreadable else "**✗ Wrong**", "",
             escape(verdict.message)]
    rows = []
    if verdict.mistake:
        rows.append(("mistake", f"`{verdict.mistake}`"))
    if verdict.expected is not None:
        rows.append(("expected", math(verdict.expected)))
    if verdict.given is not None:
        rows.append(("your answer", math(verdict.given)))
    for key, value in (verdict.counterexample or {}).items():
        rows.append((escape(key), escape(value if isinstance(value, str) else repr(value))))
    if rows:
        lines += ["", _table(rows)]
    if verdict.parts:
        lines += ["", *(f"- {'✓' if part.correct else '✗'} {escape(part.message)}"
                        for part in verdict.parts)]
    return "\n".join(lines)


def report_markdown(report: GradientReport) -> str:
    """A gradient report: agreement, the symbolic gradient typeset, the worst point."""
    lines = ["**✓ The gradients agree**" if report.ok else "**✗ The gradients disagree**", "",
             escape(report.message)]
    rows = [(f"$\\partial f / \\partial {sympy.latex(sympy.Symbol(name))}$", math(expr))
            for name, expr in zip(report.wrt, report.symbolic, strict=False)]
    point = ", ".join(f"{name} = {value:.6g}" for name, value in report.worst_point.items())
    rows += [("worst point", escape(point or "-")),
             ("max abs error", f"{report.max_abs_error:.3g}"),
             ("max rel error", f"{report.max_rel_error:.3g}"),
             ("points, dtype, backend", escape(f"{report.n_points}, {report.dtype}, "
                                               f"{report.backend}"))]
    return "\n".join([*lines, "", _table(rows)])
