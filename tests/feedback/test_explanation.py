import doctest
import importlib
import json
import time

import numpy as np
import pytest
import sympy
from expressions import CORPUS, HAND_PICKED

from tutor.errors import ExplainError, TutorError
from tutor.feedback.evaluation import Tree
from tutor.feedback.explanation import FORMATS, Derivation, explain, format_derivation
from tutor.feedback.rules import RULES
from tutor.feedback.tree import KINDS, MAX_DEPTH, Deadline, decompose
from tutor.numeric import error_ratio, evaluate, sample_points, tolerance
from tutor.parsing import parse, symbol
from tutor.render import inline
from tutor.symbolic import derive

x, y, z = symbol("x"), symbol("y"), symbol("z")


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


def test_nested_relus_are_explained_quickly():
    text = "relu(" * 30 + "x" + " - 1)" * 30
    start = time.perf_counter()
    derivation = explain(text, "x")
    assert time.perf_counter() - start < 10  # generous: it took minutes when Max was rebuilt
    want = derive(text, "x", simplify=False)
    points = {"x": np.array([-1.0, 0.5, 29.5, 31.0, 45.0])}
    np.testing.assert_array_equal(evaluate(derivation.result, points), evaluate(want, points))


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
    with pytest.raises(ExplainError, match="unknown format 'html'; choose one of"):
        format_derivation(explain("x", "x"), "html")
    assert set(FORMATS) == {"text", "markdown", "latex", "json"}


def test_one_variable_only():
    with pytest.raises(ExplainError, match="one variable"):
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


def test_explain_errors_are_tutor_errors():
    assert issubclass(ExplainError, TutorError) and issubclass(ExplainError, ValueError)


def test_every_kind_has_one_rule_whose_numbers_agree_with_its_derivation():
    assert set(RULES) == set(KINDS) and all(RULES[kind].name == kind for kind in KINDS)
    for expr in CORPUS[:len(HAND_PICKED)]:
        wrt = _wrt(expr)
        names = sorted({s.name for s in expr.free_symbols} | {wrt.name})
        points = sample_points(names, 32, seed=3)
        tree = Tree(decompose(expr, wrt), points)
        numeric = tree.full(tree.tangent({wrt: 1.0})[tree.root])  # from each kind's partials
        symbolic = evaluate(explain(expr, wrt).steps[-1].result, points)  # each kind's derive
        defined = np.isfinite(numeric) & np.isfinite(symbolic)
        assert defined.sum() >= 8, expr
        assert np.all(error_ratio(symbolic[defined], numeric[defined], 1e-6) <= 1.0), expr


def _tower(levels: int) -> sympy.Expr:
    expr = x
    for _ in range(levels - 1):
        expr = sympy.Pow(x, expr, evaluate=False)
    return expr


def _nested_sin(levels: int) -> sympy.Expr:
    expr = x
    for _ in range(levels):
        expr = sympy.sin(expr, evaluate=False)  # SymPy's own checks recurse past ~1000 levels
    return expr


@pytest.mark.parametrize("fmt", ["text", "latex", "json"])
def test_a_power_tower_is_refused_at_the_time_bound(fmt):
    # Printing the 20 steps of a 20-level tower takes 0.2 s (LaTeX) to 15 s (text, loaded
    # machine); deriving it takes about 0.02 s. The printing alone must stop at its bound.
    derivation = explain(_tower(20), "x", budget=None)
    with pytest.raises(ExplainError, match="took longer than its time bound of 0.02 s"):
        format_derivation(derivation, fmt, budget=Deadline(0.02))


def test_deriving_itself_stops_at_the_time_bound():
    with pytest.raises(ExplainError, match="took longer than its time bound of 0.01 s"):
        explain(_nested_sin(99), "x", budget=0.01)  # about 0.1 s to derive without a bound


def test_a_derivation_within_the_bound_is_unchanged():
    derivation = explain("sin(3x^2 + 1)", "x", budget=None)
    assert format_derivation(derivation, budget=None) == format_derivation(derivation)
    assert derivation.to_dict(None) == derivation.to_dict()


@pytest.mark.parametrize("build, levels", [(_nested_sin, MAX_DEPTH + 1), (_nested_sin, 1500),
                                           (_tower, 300)])
def test_deep_nesting_is_refused_without_recursion_error(build, levels):
    with pytest.raises(ExplainError, match=f"nested more than {MAX_DEPTH} levels deep"):
        explain(build(levels), "x")


def test_nesting_up_to_the_bound_is_explained():
    derivation = explain(_nested_sin(MAX_DEPTH - 1), "x", budget=None)
    assert len(derivation.steps) == MAX_DEPTH - 1
    assert derivation.steps[-1].rules == ("trig", "chain")


def test_cli_steps_stop_at_the_default_bound(monkeypatch, capsys):
    from tutor import cli
    from tutor.feedback import tree

    monkeypatch.setattr(tree, "EXPLAIN_SECONDS", 0.2)
    nested = "sin(" * 60 + "x" + ")" * 60  # within the parser's limits; its steps take over 2 s
    assert cli.main(["derive", nested, "--wrt", "x", "--steps"]) == 2
    assert "time bound of 0.2 s" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["tree", "rules", "evaluation"])
def test_docstring_examples_of_the_tree_modules_run(name):
    module = importlib.import_module(f"tutor.feedback.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
