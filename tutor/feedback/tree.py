"""The expression tree that derivations and the mistake search share, and their bounds.

An expression is cut into :class:`Node` objects as a person reads it for d/dx: a sum, a
constant multiple, a product, a quotient, a power, a function application, down to numbers and
symbols. Each kind's rules (its value, its derivative, its wrong variants) are in
:mod:`tutor.feedback.rules`.

>>> from tutor.parsing import parse, symbol
>>> [node.kind for node in decompose(parse("3sin(x)"), symbol("x")).walk()]
['scale', 'number', 'function', 'symbol']
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import sympy
from sympy.core.function import Application

from tutor.errors import ExplainError

#: Expressions nested deeper than this many levels are refused (SymPy's own printing and
#: differentiation recurse once or more per level and fail near 150).
MAX_DEPTH = 100

KINDS = ("number", "symbol", "sum", "scale", "product", "quotient", "power", "function")


@dataclass(frozen=True, eq=False)
class Node:
    """One sub-expression and how it is built from its children.

    ``kind`` is one of :data:`KINDS`: number, symbol, sum, scale (constant factor times the
    rest), product, quotient (numerator, denominator), power (base, exponent), function (its
    arguments).
    """

    expr: sympy.Expr
    kind: str
    children: tuple[Node, ...] = ()

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, parents first (left to right)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


class Unsupported(ExplainError):
    """An expression holding something that is not a differentiable formula (a relation, a sum
    over an index, ...)."""


def check_depth(expr: sympy.Basic, limit: int = MAX_DEPTH) -> None:
    """Raise :class:`ExplainError` when ``expr`` is nested more than ``limit`` levels deep.

    Iterative, so that it answers for expressions far too deep for SymPy's recursion.
    """
    deepest: dict[int, int] = {}  # id -> the deepest level it was reached at
    stack = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise ExplainError(f"the expression is nested more than {limit} levels deep; "
                               f"step-by-step derivations go to at most {limit} levels")
        if deepest.get(id(node), 0) >= depth:
            continue
        deepest[id(node)] = depth
        stack.extend((arg, depth + 1) for arg in node.args)


def decompose(expr: sympy.Expr, x: sympy.Symbol) -> Node:
    """Cut ``expr`` into a tree of rules as a person applies them for d/dx.

    >>> from tutor.parsing import parse, symbol
    >>> node = decompose(parse("3x/(x+1)"), symbol("x"))
    >>> node.kind, [c.kind for c in node.children], node.children[1].kind
    ('scale', ['number', 'quotient'], 'quotient')
    """
    check_depth(expr)
    return _decompose(expr, x)


def _decompose(expr: sympy.Expr, x: sympy.Symbol) -> Node:
    if not expr.free_symbols:
        return Node(expr, "number")
    if expr.is_Symbol:
        return Node(expr, "symbol")
    if expr.is_Add:
        return Node(expr, "sum", tuple(_decompose(term, x) for term in expr.args))
    if expr.is_Pow:
        return Node(expr, "power", (_decompose(expr.base, x), _decompose(expr.exp, x)))
    if expr.is_Mul:
        return _decompose_product(expr, x)
    if isinstance(expr, Application) and not isinstance(expr, sympy.Piecewise) and all(
            isinstance(a, sympy.Expr) for a in expr.args):
        return Node(expr, "function", tuple(_decompose(a, x) for a in expr.args))
    raise Unsupported(f"cannot differentiate {type(expr).__name__} {expr} step by step")


def _decompose_product(expr: sympy.Mul, x: sympy.Symbol) -> Node:
    constant = [f for f in expr.args if not f.has(x)]
    varying = [f for f in expr.args if f.has(x)]
    if constant and varying:
        rest = sympy.Mul(*varying)
        return Node(expr, "scale", (_decompose(sympy.Mul(*constant), x), _decompose(rest, x)))
    below = [f for f in varying if f.is_Pow and f.exp.is_number and f.exp.is_negative]
    above = [f for f in varying if f not in below]
    if below and above:
        numerator = sympy.Mul(*above)
        denominator = sympy.Mul(*(f.base ** -f.exp for f in below))
        return Node(expr, "quotient", (_decompose(numerator, x), _decompose(denominator, x)))
    return Node(expr, "product", tuple(_decompose(f, x) for f in expr.args))


# ---------------------------------------------------------------- the time bound


#: Seconds ``explain`` and ``format_derivation`` may take by default.
EXPLAIN_SECONDS = 2.0


class Deadline:
    """A time bound on some work: :meth:`check` raises :class:`ExplainError` naming the bound
    once it has passed. One deadline can be shared by several calls (derive, then format).

    >>> Deadline(None).check()  # no bound
    >>> Deadline(0.0).check()
    Traceback (most recent call last):
    ...
    tutor.errors.ExplainError: the step-by-step derivation took longer than its time bound of 0 s
    """

    def __init__(self, seconds: float | None, what: str = "the step-by-step derivation"):
        self.seconds = seconds
        self.what = what
        self.end = math.inf if seconds is None else time.perf_counter() + seconds

    @classmethod
    def of(cls, budget: float | Deadline | None) -> Deadline:
        """``budget`` itself when it is a deadline, else a new one of ``budget`` seconds."""
        return budget if isinstance(budget, Deadline) else cls(budget)

    def passed(self) -> bool:
        return time.perf_counter() > self.end

    def check(self) -> None:
        if self.passed():
            raise ExplainError(f"{self.what} took longer than its time bound of {self.seconds:g} s")
