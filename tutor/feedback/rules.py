"""Per-kind rules of the expression tree, side by side, in the style of micrograd's engine.

For each node kind (:data:`tutor.feedback.tree.KINDS`) one :class:`Rule` holds

- ``value``: the node's value at the sample points from its children's (the forward pass);
- ``partials``: d node / d child for every child (the local derivatives autodiff chains);
- ``derive``: the derivative as a person writes it, with the names of the rules applied (the
  step of :func:`tutor.feedback.explanation.explain`);
- ``wrong``: the derivatives that one wrong rule at this node gives, with the mistake's code
  (the candidates of :func:`tutor.feedback.mistakes.diagnose`).

``value``, ``partials`` and ``wrong`` take the numeric tree (:class:`tutor.feedback.evaluation.Tree`),
``derive`` takes the deriver (:class:`tutor.feedback.explanation.Deriver`, a :class:`Deriving`).

>>> from tutor.parsing import parse, symbol
>>> from tutor.feedback.tree import decompose
>>> from tutor.feedback.explanation import Deriver
>>> node = decompose(parse("x^3"), symbol("x"))
>>> RULES[node.kind].derive(node, Deriver(symbol("x"), node))
(('power',), 3*x**2)
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

import numpy as np
import sympy

from tutor.errors import LoweringError
from tutor.feedback.tree import Node, Unsupported, decompose
from tutor.functions import sigmoid, softplus
from tutor.numeric import evaluate
from tutor.parsing import symbol

if TYPE_CHECKING:
    from tutor.feedback.evaluation import Tree

Array = np.ndarray | float
#: What ``Rule.derive`` returns: the names of the rules applied (none: no step is shown) and
#: the derivative as the rule writes it, before tidying.
Formula = tuple[tuple[str, ...], sympy.Expr]
#: What ``Rule.wrong`` yields: a mistake code, a detail for its message, the wrong derivative.
WrongRule = tuple[str, object, Array]




class Deriving(Protocol):
    """What a rule's ``derive`` may use: the variable, the root, the steps recorded so far
    (objects with ``expr``, ``rules`` and ``formula``) and the derivative of another node."""

    x: sympy.Symbol
    root: Node
    steps: list

    def derive(self, node: Node) -> sympy.Expr: ...


# ---------------------------------------------------------------- shapes of formulas


def mul(*factors: sympy.Expr) -> sympy.Expr:
    """An unevaluated product that leaves out factors of 1, to show a rule's shape."""
    if any(f == 0 for f in factors):
        return sympy.S.Zero
    kept = [f for f in factors if f != 1]
    if not kept:
        return sympy.S.One
    return kept[0] if len(kept) == 1 else sympy.Mul(*kept, evaluate=False)


def add(*terms: sympy.Expr) -> sympy.Expr:
    """An unevaluated sum that leaves out zeros."""
    kept = [t for t in terms if t != 0]
    if not kept:
        return sympy.S.Zero
    return kept[0] if len(kept) == 1 else sympy.Add(*kept, evaluate=False)


def evaluated(expr: sympy.Expr) -> sympy.Expr:
    """Rebuild an unevaluated formula bottom-up so that SymPy's automatic simplification runs.

    Only sums, products and powers are ever left unevaluated (by ``mul``, ``add`` and the
    quotient rule); function applications are rebuilt never, as rebuilding a ``Max`` makes
    SymPy compare its arguments again, which costs seconds for nested relus.
    """
    if not isinstance(expr, (sympy.Add, sympy.Mul, sympy.Pow)):
        return expr
    return expr.func(*(evaluated(a) for a in expr.args))


# ---------------------------------------------------------------- the rules


class Rule:
    """One node kind's value, local derivatives, derivative rule and wrong variants."""

    name = ""

    def value(self, node: Node, tree: Tree) -> np.ndarray:
        raise NotImplementedError

    def partials(self, node: Node, tree: Tree) -> list[Array | None]:
        return []

    def derive(self, node: Node, deriver: Deriving) -> Formula:
        raise NotImplementedError  # numbers and symbols: the deriver knows 0 and 1

    def wrong(self, node: Node, tree: Tree, t: dict[Node, Array], x: sympy.Symbol
              ) -> Iterator[WrongRule]:
        return iter(())


def as_float(expr: sympy.Expr) -> float:
    """A number expression as a float, NaN when it is not real."""
    try:
        return float(expr)
    except (TypeError, ValueError):
        return float("nan")


class Number(Rule):
    name = "number"

    def value(self, node, tree):
        return np.full(tree.size, as_float(node.expr))


class Symbol(Rule):
    name = "symbol"

    def value(self, node, tree):
        return tree.points[node.expr.name]


class Sum(Rule):
    """d (u + v) = u' + v'. A linear sum like x + 1 gets no step of its own below the root."""

    name = "sum"

    def value(self, node, tree):
        return np.sum(tree.children_values(node), axis=0)

    def partials(self, node, tree):
        return [1.0] * len(node.children)

    def derive(self, node, deriver):
        before = len(deriver.steps)
        formula = add(*(deriver.derive(child) for child in node.children))
        linear = len(deriver.steps) == before and not evaluated(formula).has(deriver.x)
        return ((), formula) if linear and node is not deriver.root else (("sum",), formula)


class Product(Rule):
    """d (f g h) = f' g h + f g' h + f g h'."""

    name = "product"

    def value(self, node, tree):
        return np.prod(tree.children_values(node), axis=0)

    def partials(self, node, tree):
        values = tree.children_values(node)
        return [np.prod(values[:i] + values[i + 1:], axis=0) for i in range(len(values))]

    def derive(self, node, deriver):
        factors = [child.expr for child in node.children]
        derivatives = [deriver.derive(child) for child in node.children]
        terms = [mul(*factors[:i], d, *factors[i + 1:]) for i, d in enumerate(derivatives) if d != 0]
        return ("product",), add(*terms)

    def wrong(self, node, tree, t, x):
        derivatives = [t[c] for c in node.children]
        yield ("product-rule-derivatives-multiplied", None,
               np.prod([tree.full(d) for d in derivatives], 0))
        for child, partial, d in zip(node.children, tree.partials[node], derivatives, strict=True):
            yield "product-rule-term-missing", child.expr, t[node] - partial * d


class Scale(Product):
    """d (c u) = c u'. The constant joins the step of what it multiplies (d/dx 3x² = 3·2·x)."""

    name = "scale"

    def derive(self, node, deriver):
        constant, rest = node.children
        before = len(deriver.steps)
        inner = deriver.derive(rest)
        if len(deriver.steps) > before and deriver.steps[-1].expr == rest.expr:
            last = deriver.steps.pop()
            return last.rules + ("constant multiple",), mul(constant.expr, last.formula)
        if rest.expr == deriver.x and node is not deriver.root:
            return (), constant.expr  # d/dx (c x) = c is shown where it is used
        return ("constant multiple",), mul(constant.expr, inner)

    def wrong(self, node, tree, t, x):
        constant, rest = node.children
        if constant.expr not in (1, -1):
            yield "constant-factor-dropped", constant.expr, t[rest]


class Quotient(Rule):
    """d (f/g) = (f' g - f g')/g², and the softmax rule for e^u / Σ e^(u_j)."""

    name = "quotient"

    def value(self, node, tree):
        f, g = tree.children_values(node)
        return f / g

    def partials(self, node, tree):
        f, g = tree.children_values(node)
        return [1.0 / g, -f / g**2]

    def derive(self, node, deriver):
        numerator, denominator = node.children
        softmax = _softmax_parts(numerator.expr, denominator.expr)
        if softmax is not None:
            return ("softmax",), _softmax(deriver, node.expr, *softmax)
        f, g = numerator.expr, denominator.expr
        df, dg = deriver.derive(numerator), deriver.derive(denominator)
        top = add(mul(df, g), mul(-1, f, dg) if dg != 0 else sympy.S.Zero)
        return ("quotient",), sympy.Mul(top, sympy.Pow(sympy.Pow(g, 2, evaluate=False), -1,
                                                       evaluate=False), evaluate=False)

    def wrong(self, node, tree, t, x):
        (f, g), (df, dg) = tree.children_values(node), [t[c] for c in node.children]
        yield "quotient-rule-numerator-swapped", None, -t[node]
        yield "quotient-rule-plus-sign", None, (df * g + f * dg) / g**2
        yield "quotient-rule-no-square", "over g", t[node] * g
        yield "quotient-rule-no-square", "no denominator", t[node] * g**2
        yield "quotient-rule-derivatives-divided", None, df / dg


def _exp_terms(expr: sympy.Expr) -> list[sympy.Expr] | None:
    """[u_1, ..., u_n] when ``expr`` is e^(u_1) + ... + e^(u_n) with n >= 2, else None."""
    if not expr.is_Add or not all(isinstance(t, sympy.exp) for t in expr.args):
        return None
    return [t.args[0] for t in expr.args]


def _softmax_parts(numerator: sympy.Expr, denominator: sympy.Expr):
    exponents = _exp_terms(denominator)
    if exponents is None or not isinstance(numerator, sympy.exp) or numerator not in denominator.args:
        return None
    return numerator.args[0], exponents


def _shares(deriver: Deriving, exponents: list[sympy.Expr]) -> sympy.Expr:
    """Σ_j s_j u_j' for the softmax shares s_j = e^(u_j) / Σ e^(u_k)."""
    total = sympy.Add(*(sympy.exp(u) for u in exponents))
    return add(*(mul(sympy.exp(u) / total, deriver.derive(decompose(u, deriver.x)))
                 for u in exponents))


def _softmax(deriver: Deriving, s: sympy.Expr, exponent: sympy.Expr, exponents: list[sympy.Expr]):
    """d/dx e^u / Σ_j e^(u_j) = s (u' - Σ_j s_j u_j')."""
    shares = _shares(deriver, exponents)
    return mul(s, add(deriver.derive(decompose(exponent, deriver.x)), -shares))


class Power(Rule):
    """d u^n = n u^(n-1) u' (power), d a^u = a^u ln(a) u' (exponential), d u^v (general)."""

    name = "power"

    def value(self, node, tree):
        b, e = tree.children_values(node)
        return np.power(b, e)

    def partials(self, node, tree):
        b, e = tree.children_values(node)
        return [e * np.power(b, e - 1), tree.value[node] * np.log(b)]

    def derive(self, node, deriver):
        x = deriver.x
        base, exponent = node.children
        b, e = base.expr, exponent.expr
        if not e.has(x):
            chain = ("chain",) if b != x else ()
            return ("power", *chain), mul(e, b ** (e - 1), deriver.derive(base))
        if not b.has(x):
            chain = ("chain",) if e != x else ()
            return ("exponential", *chain), mul(node.expr, sympy.log(b), deriver.derive(exponent))
        inner = add(mul(deriver.derive(exponent), sympy.log(b)),
                    mul(e, deriver.derive(base), sympy.Pow(b, -1, evaluate=False)))
        return ("general power",), mul(node.expr, inner)

    def wrong(self, node, tree, t, x):
        (base, exponent), (b, e) = node.children, tree.children_values(node)
        db, de = t[base], t[exponent]
        if not exponent.expr.has(x):
            n = exponent.expr
            if n not in (0, 1):
                yield "power-rule-exponent-not-lowered", None, e * np.power(b, e) * db
            if n == 2:  # named on its own, and part of "the factor n everywhere"
                yield "square-factor-2-missing", None, b * db
            if n not in (-1, 0, 1):
                yield "power-rule-coefficient-dropped", None, np.power(b, e - 1) * db
            if n.is_number and n < -1:
                yield "power-rule-coefficient-dropped", "sign kept", -np.power(b, e - 1) * db
        elif not base.expr.has(x):
            u_to_power = e * np.power(b, e - 1)
            yield "exponential-as-power", "with inner", u_to_power * de
            if exponent.expr != x:
                yield "exponential-as-power", "without inner", u_to_power
            yield "exponential-log-factor-missing", None, tree.value[node] * de
        if not exponent.expr.has(x) and base.expr != x:
            yield "chain-rule-inner-dropped", base.expr, tree.partials[node][0]
        elif not base.expr.has(x) and exponent.expr != x:
            yield "chain-rule-inner-dropped", exponent.expr, tree.partials[node][1]


_FAMILIES: dict[type, str] = {
    sympy.exp: "exp",
    sympy.log: "log",
    sigmoid: "sigmoid",
    softplus: "softplus",
    sympy.Max: "relu/Max",
    sympy.Min: "Min",
    sympy.Abs: "abs",
    **dict.fromkeys((sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc), "trig"),
    **dict.fromkeys((sympy.asin, sympy.acos, sympy.atan, sympy.acot, sympy.asec, sympy.acsc),
                    "inverse trig"),
    **dict.fromkeys((sympy.sinh, sympy.cosh, sympy.tanh, sympy.coth, sympy.sech, sympy.csch),
                    "hyperbolic"),
    **dict.fromkeys((sympy.asinh, sympy.acosh, sympy.atanh, sympy.acoth), "inverse hyperbolic"),
}


def family(expr: sympy.Expr) -> str:
    """The rule family of a function application: ``family(sin(x)) == 'trig'``."""
    return _FAMILIES.get(type(expr), type(expr).__name__)


def outer_derivative(expr: sympy.Function, index: int) -> sympy.Expr:
    """d f(a_1, ..., a_n) / d a_index (0-based), evaluated at the arguments."""
    try:
        return expr.fdiff(index + 1)
    except sympy.ArgumentIndexError:
        dummy = sympy.Dummy("u", real=True)
        args = list(expr.args)
        args[index] = dummy
        return sympy.diff(expr.func(*args), dummy).subs(dummy, expr.args[index])


@functools.lru_cache(maxsize=512)
def _application(func: type, numbers: tuple) -> tuple[sympy.Expr, tuple[str, ...], tuple]:
    """f(u0, c, u2, ...) with a symbol for every non-number argument, its names, and its
    derivative in each argument (None for the numbers)."""
    args = [n if n is not None else symbol(f"u{i}") for i, n in enumerate(numbers)]
    pattern = func(*args)
    names = tuple(f"u{i}" for i, n in enumerate(numbers) if n is None)
    if not isinstance(pattern, func):  # it evaluated to something else: no pattern
        raise Unsupported(f"cannot evaluate {func.__name__} numerically here")
    outer = tuple(None if n is not None else outer_derivative(pattern, i)
                  for i, n in enumerate(numbers))
    return pattern, names, outer


class Function(Rule):
    """d f(u) = f'(u) u' (the chain rule; several arguments add up), and log-sum-exp."""

    name = "function"

    @staticmethod
    def _pattern(node: Node):
        numbers = tuple(a if a.is_number else None for a in node.expr.args)
        return _application(node.expr.func, numbers)

    @staticmethod
    def _arguments(node: Node, tree: Tree) -> list[np.ndarray]:
        return [tree.value[c] for c in node.children if not c.expr.is_number]

    def value(self, node, tree):
        pattern, names, _ = self._pattern(node)
        return evaluate(pattern, dict(zip(names, self._arguments(node, tree), strict=True)))

    def partials(self, node, tree):
        _, names, outer = self._pattern(node)
        points = dict(zip(names, self._arguments(node, tree), strict=True))
        return [None if d is None else _outer_values(d, points, tree.size) for d in outer]

    def derive(self, node, deriver):
        expr = node.expr
        if isinstance(expr, sympy.log) and _exp_terms(expr.args[0]) is not None:
            return ("log-sum-exp",), _shares(deriver, _exp_terms(expr.args[0]))
        terms, chain = [], False
        for index, child in enumerate(node.children):
            inner = deriver.derive(child)
            if inner != 0:
                terms.append(mul(inner, outer_derivative(expr, index)))
                chain = chain or child.expr != deriver.x
        return (family(expr), *(("chain",) if chain else ())), add(*terms)

    def wrong(self, node, tree, t, x):
        expr, value = node.expr, tree.value[node]
        varying = [(c, p) for c, p in zip(node.children, tree.partials[node], strict=True)
                   if c.expr.has(x)]
        if len(varying) == 1:
            inner, outer = varying[0]
            u, du = tree.value[inner], t[inner]
            if isinstance(expr, sympy.exp):
                yield "exponential-as-power", "with inner", u * value / np.e * du
                if inner.expr != x:
                    yield "exponential-as-power", "without inner", u * value / np.e
            elif isinstance(expr, (sympy.sin, sympy.cos)):
                yield "trig-sign-error", None, -t[node]
            elif isinstance(expr, sigmoid):
                yield "sigmoid-derivative-plus", None, value * (1 + value) * du
            if inner.expr != x:
                yield "chain-rule-inner-dropped", inner.expr, outer
        elif varying and any(c.expr != x for c, _ in varying):
            yield "chain-rule-inner-dropped", None, sum(tree.full(p) for _, p in varying)


def _outer_values(derivative: sympy.Expr, points: dict[str, np.ndarray], size: int) -> np.ndarray:
    try:
        return evaluate(derivative, points)
    except LoweringError:  # DiracDelta and the like: no numeric derivative
        return np.full(size, np.nan)


RULES: dict[str, Rule] = {rule.name: rule for rule in (
    Number(), Symbol(), Sum(), Scale(), Product(), Quotient(), Power(), Function())}


def wrong_rules(node: Node, tree: Tree, t: dict[Node, Array], x: sympy.Symbol
                ) -> Iterator[WrongRule]:
    """(code, detail, wrong derivative of ``node``) for every wrong rule that applies to it:
    a constant term's derivative kept, or one of its kind's wrong variants."""
    if not node.expr.has(x):
        parent = tree.parent.get(node)
        if node.expr != 0 and (parent is None or parent.kind == "sum"):
            yield "constant-derivative-kept", None, tree.value[node]
        return
    yield from RULES[node.kind].wrong(node, tree, t, x)
