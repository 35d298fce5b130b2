"""Step-by-step derivations: which rule applies where, and what each step feeds upward.

>>> d = explain("x^2 + x^3 + 5", "x")
>>> [step.rule for step in d.steps]
['power', 'power', 'sum']
>>> d.result
3*x**2 + 2*x
>>> print(format_derivation(explain("sin(3x)", "x"), "markdown").splitlines()[2])
1. **trig rule + chain rule**: $\\frac{d}{d x} \\sin{\\left(3 x \\right)} = 3 \\cos{\\left(3 x \\right)}$

The expression is first cut into a tree of :class:`Node` (sum, constant multiple, product,
quotient, power, function); :mod:`tutor.feedback.mistakes` walks the same tree numerically.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import sympy
from sympy.core.function import Application
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm, stringPict

from tutor.functions import sigmoid, softplus
from tutor.render import inline
from tutor.symbolic import Wrt, as_expr, readable, wrt_symbols

FORMATS = ("text", "markdown", "latex", "json")

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


# ---------------------------------------------------------------- the expression tree


@dataclass(frozen=True, eq=False)
class Node:
    """One sub-expression and how it is built from its children.

    ``kind`` is one of: number, symbol, sum, scale (constant factor times the rest), product,
    quotient (numerator, denominator), power (base, exponent), function (its arguments).
    """

    expr: sympy.Expr
    kind: str
    children: tuple[Node, ...] = ()

    def walk(self):
        """This node and every node below it, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()


class Unsupported(ValueError):
    """An expression holding something that is not a differentiable formula (a relation, a sum
    over an index, ...)."""


def decompose(expr: sympy.Expr, x: sympy.Symbol) -> Node:
    """Cut ``expr`` into a tree of rules as a person applies them for d/dx.

    >>> from tutor.parsing import parse, symbol
    >>> node = decompose(parse("3x/(x+1)"), symbol("x"))
    >>> node.kind, [c.kind for c in node.children], node.children[1].kind
    ('scale', ['number', 'quotient'], 'quotient')
    """
    if not expr.free_symbols:
        return Node(expr, "number")
    if expr.is_Symbol:
        return Node(expr, "symbol")
    if expr.is_Add:
        return Node(expr, "sum", tuple(decompose(term, x) for term in expr.args))
    if expr.is_Pow:
        return Node(expr, "power", (decompose(expr.base, x), decompose(expr.exp, x)))
    if expr.is_Mul:
        return _decompose_product(expr, x)
    if isinstance(expr, Application) and not isinstance(expr, sympy.Piecewise) and all(
            isinstance(a, sympy.Expr) for a in expr.args):
        return Node(expr, "function", tuple(decompose(a, x) for a in expr.args))
    raise Unsupported(f"cannot differentiate {type(expr).__name__} {expr} step by step")


def _decompose_product(expr: sympy.Mul, x: sympy.Symbol) -> Node:
    constant = [f for f in expr.args if not f.has(x)]
    varying = [f for f in expr.args if f.has(x)]
    if constant and varying:
        rest = sympy.Mul(*varying)
        return Node(expr, "scale", (decompose(sympy.Mul(*constant), x), decompose(rest, x)))
    below = [f for f in varying if f.is_Pow and f.exp.is_number and f.exp.is_negative]
    above = [f for f in varying if f not in below]
    if below and above:
        numerator = sympy.Mul(*above)
        denominator = sympy.Mul(*(f.base ** -f.exp for f in below))
        return Node(expr, "quotient", (decompose(numerator, x), decompose(denominator, x)))
    return Node(expr, "product", tuple(decompose(f, x) for f in expr.args))


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


# ---------------------------------------------------------------- steps


@dataclass(frozen=True)
class Step:
    """One rule applied to one sub-expression: d/dx ``expr`` = ``formula`` = ``result``.

    ``rules`` names the main rule first, then "chain" and "constant multiple" when they were
    applied in the same step. ``result`` is what the step feeds upward.
    """

    rules: tuple[str, ...]
    expr: sympy.Expr
    formula: sympy.Expr
    result: sympy.Expr

    @property
    def rule(self) -> str:
        return self.rules[0]

    @property
    def label(self) -> str:
        """``"power rule + chain rule"``."""
        return " + ".join(r if r.endswith(("rule", "multiple")) else f"{r} rule" for r in self.rules)

    def parts(self, show: Callable[[sympy.Expr], str] = sympy.pretty) -> list[sympy.Expr]:
        """The right-hand sides of the step's equation, leaving out the result when ``show``
        prints it the same as the formula."""
        if show(self.formula) == show(self.result):
            return [self.formula]
        return [self.formula, self.result]

    def to_dict(self) -> dict:
        return {
            "rule": self.rule, "rules": list(self.rules), "label": self.label,
            "expr": str(self.expr), "formula": str(self.formula), "result": str(self.result),
            "latex": {"expr": sympy.latex(self.expr), "formula": sympy.latex(self.formula),
                      "result": sympy.latex(self.result)},
        }


@dataclass(frozen=True)
class Derivation:
    """The derivation of d/d``wrt`` ``expr``: ``steps`` in order, the last one's result is the
    derivative; ``result`` is it in its most readable form."""

    expr: sympy.Expr
    wrt: sympy.Symbol
    steps: tuple[Step, ...]
    result: sympy.Expr

    def __str__(self) -> str:
        return self.to_text()

    def to_text(self) -> str:
        return format_derivation(self, "text")

    def to_markdown(self) -> str:
        return format_derivation(self, "markdown")

    def to_latex(self) -> str:
        return format_derivation(self, "latex")

    def to_dict(self) -> dict:
        return {"expr": str(self.expr), "wrt": self.wrt.name, "result": str(self.result),
                "latex": sympy.latex(self.result), "steps": [s.to_dict() for s in self.steps]}


# ---------------------------------------------------------------- the derivation itself


def _mul(*factors: sympy.Expr) -> sympy.Expr:
    """An unevaluated product that leaves out factors of 1, to show a rule's shape."""
    if any(f == 0 for f in factors):
        return sympy.S.Zero
    kept = [f for f in factors if f != 1]
    if not kept:
        return sympy.S.One
    return kept[0] if len(kept) == 1 else sympy.Mul(*kept, evaluate=False)


def _add(*terms: sympy.Expr) -> sympy.Expr:
    kept = [t for t in terms if t != 0]
    if not kept:
        return sympy.S.Zero
    return kept[0] if len(kept) == 1 else sympy.Add(*kept, evaluate=False)


def _evaluated(expr: sympy.Expr) -> sympy.Expr:
    """Rebuild an unevaluated formula bottom-up so that SymPy's automatic simplification runs.

    Only sums, products and powers are ever left unevaluated (by ``_mul``, ``_add`` and the
    quotient rule); function applications are rebuilt never, as rebuilding a ``Max`` makes
    SymPy compare its arguments again, which costs seconds for nested relus.
    """
    if not isinstance(expr, (sympy.Add, sympy.Mul, sympy.Pow)):
        return expr
    return expr.func(*(_evaluated(a) for a in expr.args))


class _Deriver:
    """Derives a tree, recording one step per non-trivial sub-expression."""

    def __init__(self, x: sympy.Symbol, root: Node):
        self.x = x
        self.root = root
        self.steps: list[Step] = []
        self.known: dict[sympy.Expr, sympy.Expr] = {}

    def derive(self, node: Node) -> sympy.Expr:
        expr = node.expr
        if not expr.has(self.x):
            return sympy.S.Zero
        if expr == self.x:
            return sympy.S.One
        if expr in self.known:  # derived before (softmax sums share their terms)
            return self.known[expr]
        rule: Callable[[Node], tuple[tuple[str, ...], sympy.Expr]] = getattr(self, f"_{node.kind}")
        before = len(self.steps)
        rules, formula = rule(node)
        result = self.known[expr] = _evaluated(formula)
        linear = node.kind == "sum" and len(self.steps) == before and not result.has(self.x)
        if rules and not (linear and node is not self.root):
            # (a merged constant multiple has recorded its step already; a linear sum like
            # x + 1 is differentiated where it is used)
            self.steps.append(Step(rules, expr, formula, result))
        return result

    def _sum(self, node: Node):
        return ("sum",), _add(*(self.derive(child) for child in node.children))

    def _scale(self, node: Node):
        constant, rest = node.children
        before = len(self.steps)
        inner = self.derive(rest)
        if len(self.steps) > before and self.steps[-1].expr == rest.expr:
            last = self.steps.pop()
            formula = _mul(constant.expr, last.formula)
            self.steps.append(Step(last.rules + ("constant multiple",), node.expr, formula,
                                   _evaluated(formula)))
            return (), formula
        if rest.expr == self.x and node is not self.root:
            return (), constant.expr  # d/dx (c x) = c is shown where it is used
        return ("constant multiple",), _mul(constant.expr, inner)

    def _product(self, node: Node):
        factors = [child.expr for child in node.children]
        derivatives = [self.derive(child) for child in node.children]
        terms = [_mul(*factors[:i], d, *factors[i + 1:]) for i, d in enumerate(derivatives) if d != 0]
        return ("product",), _add(*terms)

    def _quotient(self, node: Node):
        numerator, denominator = node.children
        softmax = _softmax_parts(numerator.expr, denominator.expr)
        if softmax is not None:
            return ("softmax",), self._softmax(node.expr, *softmax)
        f, g = numerator.expr, denominator.expr
        df, dg = self.derive(numerator), self.derive(denominator)
        top = _add(_mul(df, g), _mul(-1, f, dg) if dg != 0 else sympy.S.Zero)
        return ("quotient",), sympy.Mul(top, sympy.Pow(sympy.Pow(g, 2, evaluate=False), -1,
                                                       evaluate=False), evaluate=False)

    def _softmax(self, s: sympy.Expr, exponent: sympy.Expr, exponents: list[sympy.Expr]):
        """d/dx e^u / sum_j e^(u_j) = s (u' - sum_j s_j u_j')."""
        total = sympy.Add(*(sympy.exp(u) for u in exponents))
        shares = _add(*(_mul(sympy.exp(u) / total, self.derive(decompose(u, self.x)))
                        for u in exponents))
        return _mul(s, _add(self.derive(decompose(exponent, self.x)), -shares))

    def _power(self, node: Node):
        base, exponent = node.children
        b, e = base.expr, exponent.expr
        if not e.has(self.x):
            chain = ("chain",) if b != self.x else ()
            return ("power", *chain), _mul(e, b ** (e - 1), self.derive(base))
        if not b.has(self.x):
            chain = ("chain",) if e != self.x else ()
            return ("exponential", *chain), _mul(node.expr, sympy.log(b), self.derive(exponent))
        inner = _add(_mul(self.derive(exponent), sympy.log(b)),
                     _mul(e, self.derive(base), sympy.Pow(b, -1, evaluate=False)))
        return ("general power",), _mul(node.expr, inner)

    def _function(self, node: Node):
        expr = node.expr
        if isinstance(expr, sympy.log):
            exponents = _exp_terms(expr.args[0])
            if exponents is not None:
                shares = [_mul(sympy.exp(u) / expr.args[0], self.derive(decompose(u, self.x)))
                          for u in exponents]
                return ("log-sum-exp",), _add(*shares)
        terms, chain = [], False
        for index, child in enumerate(node.children):
            inner = self.derive(child)
            if inner != 0:
                terms.append(_mul(inner, outer_derivative(expr, index)))
                chain = chain or child.expr != self.x
        return (family(expr), *(("chain",) if chain else ())), _add(*terms)


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


def explain(expr: str | sympy.Expr, wrt: Wrt) -> Derivation:
    """The derivation of d expr / d wrt, one step per rule applied.

    >>> d = explain("x sin(x)", "x")
    >>> d.steps[-1].label, d.steps[-1].result
    ('product rule', x*cos(x) + sin(x))
    """
    expr = as_expr(expr)
    symbols = wrt_symbols(expr, wrt)
    if len(symbols) != 1:
        raise ValueError(f"explain takes one variable to differentiate by, got {len(symbols)}")
    x = symbols[0]
    try:
        deriver = _Deriver(x, decompose(expr, x))
    except Unsupported:
        result = sympy.diff(expr, x)
        return Derivation(expr, x, (Step(("differentiation",), expr, result, result),), result)
    result = deriver.derive(deriver.root)
    steps = deriver.steps
    if not steps or steps[-1].expr != expr:  # the whole thing was a constant or x itself
        rule = "constant" if not expr.has(x) else "variable"
        steps.append(Step((rule,), expr, result, result))
    return Derivation(expr, x, tuple(steps), readable(result))


# ---------------------------------------------------------------- formats


def _pretty_equation(parts: list[sympy.Expr]) -> str:
    printer = PrettyPrinter({"use_unicode": True})
    joined = printer._print(parts[0])
    for part in parts[1:]:
        joined = prettyForm(*stringPict.next(joined, " = ", printer._print(part)))
    return "\n".join(line.rstrip() for line in joined.render(wrap_line=False).splitlines())


def _indented(block: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in block.splitlines())


def _as_text(d: Derivation) -> str:
    expr = f"({inline(d.expr)})" if d.expr.is_Add else inline(d.expr)
    lines = [f"d/d{d.wrt.name} {expr}", ""]
    for number, step in enumerate(d.steps, 1):
        lines.append(f"{number}. {step.label}")
        equation = [sympy.Derivative(step.expr, d.wrt), *step.parts()]
        lines.append(_indented(_pretty_equation(equation), "   "))
    lines.append("")
    lines.append(f"Result: d/d{d.wrt.name} {expr} = {inline(d.result)}")
    return "\n".join(lines)


def _latex_step(step: Step, wrt: sympy.Symbol) -> str:
    return " = ".join([sympy.latex(sympy.Derivative(step.expr, wrt)),
                       *(sympy.latex(p) for p in step.parts(sympy.latex))])


def _as_markdown(d: Derivation) -> str:
    lines = [f"### Derivative of ${sympy.latex(d.expr)}$ with respect to ${d.wrt.name}$", ""]
    lines += [f"{n}. **{step.label}**: ${_latex_step(step, d.wrt)}$"
              for n, step in enumerate(d.steps, 1)]
    lines += ["", f"**Result:** ${sympy.latex(sympy.Derivative(d.expr, d.wrt))} = "
              f"{sympy.latex(d.result)}$"]
    return "\n".join(lines)


def _as_latex(d: Derivation) -> str:
    rows = []
    for step in d.steps:
        left, *right = _latex_step(step, d.wrt).split(" = ")
        rows.append(f"{left} &= {' = '.join(right)} && \\text{{{step.label}}}")
    rows.append(f"{sympy.latex(sympy.Derivative(d.expr, d.wrt))} &= {sympy.latex(d.result)} "
                "&& \\text{result}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def format_derivation(derivation: Derivation, fmt: str = "text") -> str:
    """The derivation as ``text`` (unicode, for a terminal), ``markdown``, ``latex`` or ``json``."""
    if fmt == "json":
        return json.dumps(derivation.to_dict(), indent=2, ensure_ascii=False)
    render = {"text": _as_text, "markdown": _as_markdown, "latex": _as_latex}.get(fmt)
    if render is None:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return render(derivation)
