import json
import random

import numpy as np
import pytest
import sympy

from tutor.check import error_ratio, evaluate, sample_points, tolerance
from tutor.explanation import FORMATS, Derivation, decompose, explain, format_derivation
from tutor.functions import sigmoid, softplus
from tutor.parsing import parse, symbol
from tutor.render import inline
from tutor.symbolic import derive

x, y, z = symbol("x"), symbol("y"), symbol("z")

HAND_PICKED = [
    "x^2 + x^3 + 5", "4x^3 - 2x + 7", "x^5", "sqrt(x)", "1/x^2", "(2x + 1)^3", "(x^2 + 1)^2",
    "x sin(x)", "x^2 e^x", "(x^2 + 1)(x^3 - x)", "x^3 ln(x)", "x e^(2x) cos(x)",
    "x/(x + 1)", "sin(x)/x", "(x^2 + 1)/(x - 1)", "e^x/x", "1/(x^2 + 1)", "3x/(2 - x)",
    "sin(3x^2 + 1)", "cos(2x)", "e^(x^2)", "e^(-x^2)", "2^x", "3^(x^2)", "x^x", "x^sin(x)",
    "ln(x^2 + 1)", "log(x, 2)", "log(sin(x))", "sqrt(x^2 + 1)", "tan(x)", "sec(x)", "cot(2x)",
    "asin(x/2)", "acos(x^2/4)", "atan(x^2)", "sinh(x) cosh(x)", "tanh(3x)", "asinh(x)",
    "sigmoid(x)", "sigmoid(2x + 1)", "softplus(3x)", "relu(3x)", "relu(x^2 - 1)", "abs(x^3 - 1)",
    "max(x, x^2)", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "(w x + b - y)^2",
    "((w + b - 1)^2 + (2w + b - 3)^2)/2", "e^x/(e^x + e^y + e^z)", "log(e^x + e^y + e^z)",
    "-log(e^x/(e^x + e^y))", "(e^x/(e^x + e^y) - 1)^2", "x y^2 + sin(x y)", "5", "x", "3x", "-x",
    "y^2 + 1",
]


def _random_expression(rng: random.Random, depth: int) -> sympy.Expr:
    """A random expression in x (and y) from a seeded generator."""
    if depth == 0 or rng.random() < 0.2:
        return rng.choice([x, x, x, y, sympy.Integer(rng.randint(1, 5)), sympy.Rational(1, 2)])
    a = _random_expression(rng, depth - 1)
    b = _random_expression(rng, depth - 1)
    unary = [sympy.sin, sympy.cos, sympy.exp, sympy.tanh, sympy.atan, sigmoid, softplus,
             lambda u: sympy.log(1 + u**2), lambda u: sympy.sqrt(1 + u**2), lambda u: u**3,
             lambda u: 1 / (2 + u**2)]
    choice = rng.randrange(6)
    if choice == 0:
        return a + b
    if choice == 1:
        return a * b
    if choice == 2:
        return a / (b**2 + 1)
    if choice == 3:
        return a - 3 * b
    return rng.choice(unary)(a)


def _corpus() -> list[sympy.Expr]:
    corpus = [parse(text, ["x", "y", "z", "w", "b"]) for text in HAND_PICKED]
    rng = random.Random(20240601)
    while len(corpus) < len(HAND_PICKED) + 200:
        expr = _random_expression(rng, 3)
        if expr.has(x) and expr not in corpus:
            corpus.append(expr)
    return corpus


CORPUS = _corpus()


def _wrt(expr: sympy.Expr) -> sympy.Symbol:
    return x if expr.has(x) or not expr.free_symbols else min(expr.free_symbols, key=str)


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 250
    assert len({str(e) for e in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("expr", CORPUS, ids=[str(e)[:40] for e in CORPUS])
def test_last_step_equals_the_derivative(expr):
    wrt = _wrt(expr)
    derivation = explain(expr, wrt)
    expected = derive(expr, wrt, simplify=False)
    names = sorted({s.name for s in expr.free_symbols} | {wrt.name})
    points = sample_points(names, 64, seed=1)
    want = evaluate(expected, points)
    for got in (evaluate(derivation.steps[-1].result, points), evaluate(derivation.result, points)):
        defined = np.isfinite(want)
        assert defined.sum() >= 8, "too few points where the derivative is defined"
        ratios = error_ratio(want[defined], got[defined], tolerance("float64"))
        assert np.all(ratios <= 1.0), (expr, derivation.steps[-1].result)
    assert derivation.steps[-1].expr == expr


def test_every_step_is_true_on_its_own():
    for expr in CORPUS[:len(HAND_PICKED)]:
        wrt = _wrt(expr)
        for step in explain(expr, wrt).steps:
            difference = sympy.diff(step.expr, wrt) - step.result
            names = sorted({s.name for s in expr.free_symbols} | {wrt.name})
            values = evaluate(difference, sample_points(names, 16, seed=2))
            assert np.nanmax(np.abs(values)) < 1e-7, (expr, step)


def test_polynomial_takes_a_handful_of_steps():
    derivation = explain("x^2 + x^3 + 5", "x")
    assert [step.rule for step in derivation.steps] == ["power", "power", "sum"]
    assert derivation.steps[0].expr == x**2 and derivation.steps[0].result == 2 * x
    assert derivation.result == derive("x^2 + x^3 + 5", "x")
    assert len(derivation.to_text().splitlines()) < 20


def test_steps_grow_with_the_expression_not_faster():
    terms = " + ".join(f"{k}x^{k}" for k in range(2, 12))
    assert len(explain(terms, "x").steps) == 11  # one per term, then the sum


@pytest.mark.parametrize("text, rules", [
    ("sin(3x^2 + 1)", ("trig", "chain")),
    ("x sin(x)", ("product",)),
    ("x/(x + 1)", ("quotient",)),
    ("e^x/(e^x + e^y)", ("softmax",)),
    ("log(e^x + e^y)", ("log-sum-exp",)),
    ("2^x", ("exponential",)),
    ("x^x", ("general power",)),
    ("3x^2", ("power", "constant multiple")),
    ("sigmoid(x)", ("sigmoid",)),
    ("softplus(2x)", ("softplus", "chain")),
    ("relu(x)", ("relu/Max",)),
    ("abs(x)", ("abs",)),
    ("atan(x)", ("inverse trig",)),
    ("cosh(x)", ("hyperbolic",)),
    ("asinh(x)", ("inverse hyperbolic",)),
    ("ln(x)", ("log",)),
    ("5", ("constant",)),
    ("x", ("variable",)),
])
def test_the_last_step_names_the_rule(text, rules):
    assert explain(text, "x").steps[-1].rules == rules


def test_the_rule_instance_is_shown():
    step = explain("x^3", "x").steps[0]
    assert (step.expr, step.result) == (x**3, 3 * x**2)
    assert "power rule" in step.label
    quotient = explain("x/(x + 1)", "x").steps[-1]
    assert quotient.formula != quotient.result  # (f'g - fg')/g^2 before it is tidied
    assert sympy.simplify(quotient.formula.doit() - quotient.result) == 0


def test_inner_steps_come_before_the_chain_step():
    steps = explain("sin(3x^2 + 1)", "x").steps
    assert [s.expr for s in steps] == [3 * x**2, 3 * x**2 + 1, sympy.sin(3 * x**2 + 1)]
    assert steps[1].result == 6 * x


def test_partial_derivative_treats_other_variables_as_constants():
    derivation = explain("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "y")
    assert derivation.wrt == y
    assert sympy.expand(derivation.result - derive("(x^2 + y - 11)^2 + (x + y^2 - 7)^2", "y")) == 0
    assert all(step.expr.has(y) for step in derivation.steps)


def test_text_format_is_readable_unicode():
    derivation = explain("x^2 + x^3 + 5", "x")
    text = format_derivation(derivation, "text")
    assert "power rule" in text and "sum rule" in text
    assert text.splitlines()[0] == "d/dx (x³ + x² + 5)"
    assert text.splitlines()[-1] == f"Result: d/dx (x³ + x² + 5) = {inline(derivation.result)}"
    assert "**" not in text


def test_markdown_and_latex_formats():
    derivation = explain("sin(3x)", "x")
    markdown = format_derivation(derivation, "markdown")
    assert "1. **trig rule + chain rule**" in markdown and r"\cos" in markdown
    latex = format_derivation(derivation, "latex")
    assert latex.startswith(r"\begin{align*}") and latex.endswith(r"\end{align*}")
    assert r"\text{trig rule + chain rule}" in latex


def test_json_format_round_trips():
    derivation = explain("x sin(x)", "x")
    data = json.loads(format_derivation(derivation, "json"))
    assert data == derivation.to_dict()
    assert data["wrt"] == "x" and data["steps"][-1]["rule"] == "product"
    assert parse(data["result"]) == derivation.result


def test_unknown_format_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown format 'html'; choose one of"):
        format_derivation(explain("x", "x"), "html")
    assert set(FORMATS) == {"text", "markdown", "latex", "json"}


def test_one_variable_only():
    with pytest.raises(ValueError, match="one variable"):
        explain("x y", "x,y")


def test_str_is_the_text_form():
    derivation = explain("x^2", "x")
    assert isinstance(derivation, Derivation)
    assert str(derivation) == derivation.to_text() == format_derivation(derivation, "text")


def test_decompose_shapes():
    assert decompose(parse("3x/(x+1)"), x).children[1].kind == "quotient"
    assert decompose(parse("x/2"), x).kind == "scale"
    assert decompose(parse("1/x"), x).kind == "power"
    assert decompose(parse("relu(x)"), x).kind == "function"
    assert [n.kind for n in decompose(parse("y^2 + 1"), x).walk()] == [
        "sum", "number", "power", "symbol", "number"]
