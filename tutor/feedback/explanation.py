"""Step-by-step derivations: which rule applies where, and what each step feeds upward.

>>> d = explain("x^2 + x^3 + 5", "x")
>>> [step.rule for step in d.steps]
['power', 'power', 'sum']
>>> d.result
3*x**2 + 2*x
>>> print(format_derivation(explain("sin(3x)", "x"), "markdown").splitlines()[2])
1. **trig rule + chain rule**: $\\frac{d}{d x} \\sin{\\left(3 x \\right)} = 3 \\cos{\\left(3 x \\right)}$

The expression is cut into the tree of :mod:`tutor.feedback.tree`; each node's derivative
and the names of its rules come from its kind's rule in :mod:`tutor.feedback.rules`, the same
table the mistake search (:mod:`tutor.feedback.mistakes`) takes its wrong variants from.

Deriving and formatting are bounded in time (:data:`EXPLAIN_SECONDS` by default, ``budget=``
to change it) and in nesting depth (:data:`tutor.feedback.tree.MAX_DEPTH`); past a bound they
raise :class:`tutor.errors.ExplainError` naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import sympy
from sympy.printing.latex import LatexPrinter
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm, stringPict
from sympy.printing.str import StrPrinter

from tutor.errors import ExplainError
from tutor.feedback.rules import RULES, evaluated
from tutor.feedback.tree import EXPLAIN_SECONDS, Deadline, Node, Unsupported, check_depth, decompose
from tutor.messages import text as message
from tutor.render import inline
from tutor.symbolic import Wrt, as_expr, readable, wrt_symbols

FORMATS = ("text", "markdown", "latex", "json")
Budget = float | Deadline | None
T = TypeVar("T")


# ---------------------------------------------------------------- printing within a deadline


class _Bounded:
    """A SymPy printer that checks a deadline at every sub-expression it prints."""

    def __init__(self, deadline: Deadline, settings: dict | None = None):
        super().__init__(settings)
        self.deadline = deadline

    def _print(self, expr, **kwargs):
        self.deadline.check()
        return super()._print(expr, **kwargs)


class _Str(_Bounded, StrPrinter):
    pass


class _Latex(_Bounded, LatexPrinter):
    pass


class _Pretty(_Bounded, PrettyPrinter):
    pass


class _Printers:
    """``str``, ``sympy.latex`` and unicode pretty printing, all stopping at one deadline."""

    def __init__(self, budget: Budget):
        self.deadline = deadline = Deadline.of(budget)
        self.str = _Str(deadline, {"order": None}).doprint  # what str(expr) prints
        self.latex = _Latex(deadline).doprint
        self.form = _Pretty(deadline, {"use_unicode": True})._print  # a 2-D block

    @staticmethod
    def render(form: prettyForm) -> str:
        return "\n".join(line.rstrip() for line in form.render(wrap_line=False).splitlines())

    def equation(self, forms: list[prettyForm]) -> str:
        """``forms[0] = forms[1] = ...`` as one block of lines."""
        joined = forms[0]
        for form in forms[1:]:
            joined = prettyForm(*stringPict.next(joined, " = ", form))
        return self.render(joined)


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
        """``"power rule + chain rule"`` (in the current language: 幂法则 + 链式法则)."""
        return " + ".join(message(f"rule:{r}") for r in self.rules)

    def parts(self, show: Callable[[sympy.Expr], T] = sympy.pretty,
              key: Callable[[T], object] = lambda shown: shown) -> list[T]:
        """The right-hand sides of the step's equation as ``show`` prints them: the formula,
        and the result unless it prints the same (compared by ``key``)."""
        formula, result = show(self.formula), show(self.result)
        return [formula] if key(formula) == key(result) else [formula, result]

    def to_dict(self, budget: Budget = EXPLAIN_SECONDS) -> dict:
        printers = _Printers(budget)
        text, latex = printers.str, printers.latex
        return {
            "rule": self.rule, "rules": list(self.rules), "label": self.label,
            "expr": text(self.expr), "formula": text(self.formula), "result": text(self.result),
            "latex": {"expr": latex(self.expr), "formula": latex(self.formula),
                      "result": latex(self.result)},
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

    def _repr_markdown_(self) -> str:
        """How Jupyter shows a derivation: numbered steps, math typeset."""
        return self.to_markdown()

    def _repr_latex_(self) -> str:
        """The derivation as one aligned display (for LaTeX frontends)."""
        return f"$${self.to_latex()}$$"

    def to_dict(self, budget: Budget = EXPLAIN_SECONDS) -> dict:
        """Every expression as text and as LaTeX, printed within ``budget`` seconds (or a
        :class:`~tutor.feedback.tree.Deadline`)."""
        printers = _Printers(budget)
        return {"expr": printers.str(self.expr), "wrt": self.wrt.name,
                "result": printers.str(self.result), "latex": printers.latex(self.result),
                "steps": [s.to_dict(printers.deadline) for s in self.steps]}


# ---------------------------------------------------------------- the derivation itself


class Deriver:
    """Derives a tree for d/dx node by node, each by its kind's rule, recording one step per
    non-trivial sub-expression (inner ones first) and deriving each sub-expression once."""

    def __init__(self, x: sympy.Symbol, root: Node, deadline: Deadline | None = None):
        self.x = x
        self.root = root
        self.deadline = deadline or Deadline(None)
        self.steps: list[Step] = []
        self.known: dict[sympy.Expr, sympy.Expr] = {}

    def derive(self, node: Node) -> sympy.Expr:
        """d/dx of ``node``, recording the step its rule names (if any)."""
        self.deadline.check()
        expr = node.expr
        if not expr.has(self.x):
            return sympy.S.Zero
        if expr == self.x:
            return sympy.S.One
        if expr in self.known:  # derived before (softmax sums share their terms)
            return self.known[expr]
        rules, formula = RULES[node.kind].derive(node, self)
        result = self.known[expr] = evaluated(formula)
        if rules:
            self.steps.append(Step(rules, expr, formula, result))
        return result


def explain(expr: str | sympy.Expr, wrt: Wrt, *, budget: Budget = EXPLAIN_SECONDS) -> Derivation:
    """The derivation of d expr / d wrt, one step per rule applied.

    ``budget``: seconds it may take (None: no bound), or a :class:`~tutor.feedback.tree.Deadline`
    shared with :func:`format_derivation`. Raises :class:`~tutor.errors.ExplainError` past the
    time bound or for an expression nested more than ``MAX_DEPTH`` levels.

    >>> d = explain("x sin(x)", "x")
    >>> d.steps[-1].label, d.steps[-1].result
    ('product rule', x*cos(x) + sin(x))
    """
    expr = as_expr(expr)  # (parsing has bounds of its own)
    deadline = Deadline.of(budget)
    check_depth(expr)
    symbols = wrt_symbols(expr, wrt)
    if len(symbols) != 1:
        raise ExplainError(f"explain takes one variable to differentiate by, got {len(symbols)}")
    x = symbols[0]
    try:
        deriver = Deriver(x, decompose(expr, x), deadline)
    except Unsupported:
        result = sympy.diff(expr, x)
        return Derivation(expr, x, (Step(("differentiation",), expr, result, result),), result)
    try:
        result = deriver.derive(deriver.root)
    except RecursionError as error:  # a formula deeper than SymPy can take
        raise ExplainError("the derivation is nested too deeply to show step by step") from error
    steps = deriver.steps
    if not steps or steps[-1].expr != expr:  # the whole thing was a constant or x itself
        rule = "constant" if not expr.has(x) else "variable"
        steps.append(Step((rule,), expr, result, result))
    deadline.check()
    return Derivation(expr, x, tuple(steps), readable(result))


# ---------------------------------------------------------------- formats


def _indented(block: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in block.splitlines())


def _as_text(d: Derivation, printers: _Printers) -> str:
    expr = f"({inline(d.expr)})" if d.expr.is_Add else inline(d.expr)
    lines = [f"d/d{d.wrt.name} {expr}", ""]
    for number, step in enumerate(d.steps, 1):
        lines.append(f"{number}. {step.label}")
        left = printers.form(sympy.Derivative(step.expr, d.wrt))
        equation = printers.equation([left, *step.parts(printers.form, printers.render)])
        lines.append(_indented(equation, "   "))
    lines.append("")
    lines.append(message("result_line", equation=f"d/d{d.wrt.name} {expr} = {inline(d.result)}"))
    return "\n".join(lines)


def _latex_step(step: Step, wrt: sympy.Symbol, latex: Callable[[sympy.Expr], str]) -> str:
    return " = ".join([latex(sympy.Derivative(step.expr, wrt)), *step.parts(latex)])


def _as_markdown(d: Derivation, printers: _Printers) -> str:
    latex = printers.latex
    lines = [f"### Derivative of ${latex(d.expr)}$ with respect to ${d.wrt.name}$", ""]
    lines += [f"{n}. **{step.label}**: ${_latex_step(step, d.wrt, latex)}$"
              for n, step in enumerate(d.steps, 1)]
    lines += ["", f"**{message('result')}** ${latex(sympy.Derivative(d.expr, d.wrt))} = {latex(d.result)}$"]
    return "\n".join(lines)


def _as_latex(d: Derivation, printers: _Printers) -> str:
    latex = printers.latex
    rows = []
    for step in d.steps:
        left, *right = _latex_step(step, d.wrt, latex).split(" = ")
        rows.append(f"{left} &= {' = '.join(right)} && \\text{{{step.label}}}")
    rows.append(f"{latex(sympy.Derivative(d.expr, d.wrt))} &= {latex(d.result)} && \\text{{result}}")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def _as_json(d: Derivation, printers: _Printers) -> str:
    return json.dumps(d.to_dict(printers.deadline), indent=2, ensure_ascii=False)


_RENDERERS = {"text": _as_text, "markdown": _as_markdown, "latex": _as_latex, "json": _as_json}


def format_derivation(derivation: Derivation, fmt: str = "text", *,
                      budget: Budget = EXPLAIN_SECONDS) -> str:
    """The derivation as ``text`` (unicode, for a terminal), ``markdown``, ``latex`` or ``json``,
    printed within ``budget`` seconds (or a shared :class:`~tutor.feedback.tree.Deadline`)."""
    render = _RENDERERS.get(fmt)
    if render is None:
        raise ExplainError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    try:
        return render(derivation, _Printers(budget))
    except RecursionError as error:
        raise ExplainError("the derivation is nested too deeply to print") from error
