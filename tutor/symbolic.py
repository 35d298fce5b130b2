"""Closed-form derivatives: the SymPy side of every check.

>>> from tutor.symbolic import derive, hessian
>>> derive("x^2 + x^3 + 5", "x")
3*x**2 + 2*x
>>> derive("(x^2+y-11)^2 + (x+y^2-7)^2", ["x", "y"])[1]
2*x**2 + 4*y*(x + y**2 - 7) + 2*y - 22
>>> hessian("x^2 y", ["x", "y"])
Matrix([
[2*y, 2*x],
[2*x,   0]])
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from tutor._limits import MAX_ORDER, bounded, within_time
from tutor.errors import ParseError
from tutor.parsing import parse, symbol

#: Above this size a derivative is left as differentiated: simplifying big trees costs
#: seconds and rarely reads better.
_SIMPLIFY_MAX_OPS = 40
_SIMPLIFY_SECONDS = 0.25

Wrt = str | sympy.Symbol | Sequence[str | sympy.Symbol]


def as_expr(expr: str | sympy.Expr, variables: Sequence[str] | None = None) -> sympy.Expr:
    """A SymPy expression from an expression or from typed text (read by the safe parser)."""
    if isinstance(expr, str):
        return parse(expr, variables)
    if isinstance(expr, sympy.Basic):
        return expr
    if isinstance(expr, int):
        return sympy.Integer(expr)
    if isinstance(expr, float):
        return sympy.Float(expr)
    raise TypeError(f"expected an expression or text, got {type(expr).__name__}")


def wrt_symbols(expr: sympy.Expr, wrt: Wrt) -> tuple[sympy.Symbol, ...]:
    """The symbols named by ``wrt`` ("x", "x,y", a Symbol or a sequence), matched by name in ``expr``."""
    if isinstance(wrt, str):
        names = [name.strip() for name in wrt.split(",")]
    elif isinstance(wrt, sympy.Symbol):
        names = [wrt.name]
    else:
        names = [w.name if isinstance(w, sympy.Symbol) else str(w).strip() for w in wrt]
    if not names or any(not name for name in names):
        raise ParseError(f"no variable to differentiate with respect to in {wrt!r}; "
                         "name one or more, e.g. x or x,y")
    by_name = {s.name: s for s in expr.free_symbols}
    return tuple(by_name.get(name) or symbol(name) for name in names)


def _is_single(wrt: Wrt) -> bool:
    return isinstance(wrt, sympy.Symbol) or (isinstance(wrt, str) and "," not in wrt)


def readable(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` simplified where that clearly shortens it (by 2 operations or more).

    Polynomials stay as differentiated (``3*x**2 + 2*x``, not ``x*(3*x + 2)``), and big
    expressions are left alone: simplifying them costs seconds and rarely reads better.
    """
    ops = sympy.count_ops(expr)
    if ops > _SIMPLIFY_MAX_OPS or expr.is_polynomial(*expr.free_symbols):
        return expr
    simpler = within_time(lambda: sympy.simplify(expr), _SIMPLIFY_SECONDS, expr)
    return simpler if sympy.count_ops(simpler) <= ops - 2 else expr


def derive(expr: str | sympy.Expr, wrt: Wrt, order: int = 1, *,
           simplify: bool = True) -> sympy.Expr | tuple[sympy.Expr, ...]:
    """d^order expr / d wrt^order: one expression for one variable, a tuple for several.

    With several variables and ``order=2`` the tuple holds the pure second derivatives;
    ``hessian`` gives the mixed ones too. ``order`` is at most ``MAX_ORDER``: high
    derivatives of compositions grow exponentially. The work is bounded in time
    (``tutor._limits.TIME_LIMIT``; a ``TimeLimitError`` past it).
    """
    if not 1 <= order <= MAX_ORDER:
        raise ValueError(f"order must be 1 or more, at most {MAX_ORDER}; got {order}")
    expr = as_expr(expr)
    tidy = readable if simplify else (lambda e: e)
    results = bounded(lambda: tuple(tidy(sympy.diff(expr, s, order))
                                    for s in wrt_symbols(expr, wrt)), "differentiating")
    return results[0] if _is_single(wrt) else results


def gradient(expr: str | sympy.Expr, wrt: Wrt, *, simplify: bool = True) -> tuple[sympy.Expr, ...]:
    """The gradient as a tuple, one partial derivative per variable in ``wrt``."""
    expr = as_expr(expr)
    return derive(expr, wrt_symbols(expr, wrt), simplify=simplify)


def hessian(expr: str | sympy.Expr, wrt: Wrt) -> sympy.Matrix:
    """The matrix of second derivatives d^2 expr / d wrt_i d wrt_j."""
    expr = as_expr(expr)
    return bounded(lambda: sympy.hessian(expr, wrt_symbols(expr, wrt)).applyfunc(readable),
                   "the second derivatives")
