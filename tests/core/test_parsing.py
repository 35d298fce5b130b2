"""Tests for tutor.parsing: accepted syntax, hostile input, variables, columns, points."""

from __future__ import annotations

import ast
import builtins
import inspect
import math
import random
import sys
import time
from pathlib import Path

import pytest
import sympy
from sympy import (
    Abs,
    E,
    Float,
    Heaviside,
    Integer,
    Max,
    Min,
    Rational,
    Symbol,
    acos,
    asin,
    atan,
    cos,
    cosh,
    cot,
    csc,
    exp,
    log,
    pi,
    sec,
    sign,
    sin,
    sqrt,
    tan,
    tanh,
)

from tutor.errors import ParseError
from tutor.functions import sigmoid, softplus
from tutor.parsing import parse, parse_point, symbol

x, y, z = (Symbol(name, real=True) for name in "xyz")


# --- accepted syntax -------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # Python / SymPy syntax
    ("x**2 + 3*x - 1", x**2 + 3 * x - 1),
    ("(x + 1)/(x - 1)", (x + 1) / (x - 1)),
    ("-x", -x),
    ("+x", x),
    ("--x", x),
    ("x - -y", x + y),
    ("2*-x", -2 * x),
    ("x/y/z", x / y / z),
    # ^ for powers: right-associative, tighter than unary minus
    ("x^2", x**2),
    ("-x^2", -(x**2)),
    ("x^-2", x**-2),
    ("x^-2y", x**-2 * y),
    ("2^3^2", Integer(512)),
    ("x^y^z", x ** (y**z)),
    ("-2^2", Integer(-4)),
    ("x^(1/2)", sqrt(x)),
    # implicit multiplication
    ("2x", 2 * x),
    ("3x^2", 3 * x**2),
    ("2(x+1)", 2 * (x + 1)),
    ("x y", x * y),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("sin(x)cos(x)", sin(x) * cos(x)),
    ("sigmoid(x)(1-sigmoid(x))", sigmoid(x) * (1 - sigmoid(x))),
    ("x(1+x)", x * (1 + x)),
    ("2 x y", 2 * x * y),
    ("x^2 y", x**2 * y),
    ("2sin(x)", 2 * sin(x)),
    ("1/2x", x / 2),
    ("(x)(y)(z)", x * y * z),
    # unicode
    ("x²", x**2),
    ("3x³", 3 * x**3),
    ("x⁻¹", 1 / x),
    ("x¹⁰", x**10),
    ("3x²y", 3 * x**2 * y),
    ("(x+1)²", (x + 1) ** 2),
    ("x · y", x * y),
    ("x × y", x * y),
    ("x − y", x - y),
    ("x ÷ y", x / y),
    ("2π", 2 * pi),
    ("√x", sqrt(x)),
    ("√(x+1)", sqrt(x + 1)),
    ("θ^2", Symbol("theta", real=True) ** 2),  # θ and theta are one name
    ("w₁", Symbol("w_1", real=True)),  # a subscript reads as _1
    # absolute value bars
    ("|x|", Abs(x)),
    ("|x - 1| + 1", Abs(x - 1) + 1),
    ("||x| - 1|", Abs(Abs(x) - 1)),
    ("|x||y|", Abs(x) * Abs(y)),
    ("x|y|", x * Abs(y)),
    ("|x|²", x**2),
    # numbers
    ("1.5x", Float("1.5") * x),
    (".5", Float("0.5")),
    ("1e-3", Float("0.001")),
    ("2.5E2", Float("250")),
    ("2.0*x", Float("2.0") * x),
    ("1/3", Rational(1, 3)),
    ("007", Integer(7)),
    # constants
    ("pi", pi),
    ("e", E),
    ("E", E),
    ("e^x", exp(x)),
    ("e^(2x)", exp(2 * x)),
    ("2e", 2 * E),
    # names that are single symbols
    ("x1 + w2 + b1", Symbol("x1", real=True) + Symbol("w2", real=True) + Symbol("b1", real=True)),
    ("w_1 x", Symbol("w_1", real=True) * x),
    ("xy", Symbol("xy", real=True)),
    ("w_1(x + 1)", Symbol("w_1", real=True) * (x + 1)),
])
def test_accepted_syntax(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("sin(x)", sin(x)), ("cos(x)", cos(x)), ("tan(x)", tan(x)),
    ("sec(x)", sec(x)), ("csc(x)", csc(x)), ("cot(x)", cot(x)),
    ("asin(x)", asin(x)), ("acos(x)", acos(x)), ("atan(x)", atan(x)),
    ("arcsin(x)", asin(x)), ("arccos(x)", acos(x)), ("arctan(x)", atan(x)),
    ("sinh(x)", sympy.sinh(x)), ("cosh(x)", cosh(x)), ("tanh(x)", tanh(x)),
    ("asinh(x)", sympy.asinh(x)), ("acosh(x)", sympy.acosh(x)), ("atanh(x)", sympy.atanh(x)),
    ("exp(x)", exp(x)), ("log(x)", log(x)), ("ln(x)", log(x)), ("log(x, 2)", log(x, 2)),
    ("log(8, 2)", Integer(3)),
    ("sqrt(x)", sqrt(x)), ("abs(x)", Abs(x)), ("Abs(x)", Abs(x)), ("sign(x)", sign(x)),
    ("sigmoid(x)", sigmoid(x)), ("softplus(x)", softplus(x)), ("relu(x)", Max(0, x)),
    ("max(x, y)", Max(x, y)), ("Max(x, y, 1)", Max(x, y, 1)),
    ("max(|x|, |y|)", Max(Abs(x), Abs(y))),
    ("min(x, y)", Min(x, y)), ("Min(x, 0)", Min(x, 0)),
    ("heaviside(x)", Heaviside(x)), ("Heaviside(x)", Heaviside(x)),
    ("sin^2(x) + cos²(x)", sin(x) ** 2 + cos(x) ** 2),
    ("sin(x)^2", sin(x) ** 2),
    ("exp(-x^2/2)", exp(-(x**2) / 2)),
])
def test_functions(text, expected):
    assert parse(text) == expected


def test_symbols_are_real_and_shared():
    expr = parse("x + y")
    assert all(s.is_real for s in expr.free_symbols)
    assert parse("x") is symbol("x")
    assert symbol("x") == x


def test_float_and_integer_types():
    assert isinstance(parse("2"), sympy.Integer)
    assert isinstance(parse("2.0"), sympy.Float)
    assert isinstance(parse("1e3"), sympy.Float)


def test_whitespace_is_ignored():
    assert parse("  3 x ^ 2\t+\n1 ") == 3 * x**2 + 1


# --- variables -----------------------------------------------------------------------

def test_variables_split_products():
    assert parse("xy", variables=["x", "y"]) == x * y
    assert parse("2xy + y", variables="x, y") == 2 * x * y + y
    assert parse("x1y", variables=["x1", "y"]) == Symbol("x1", real=True) * y
    assert parse("xx", variables=["x"]) == x**2
    assert parse("pix", variables=["x"]) == pi * x


def test_variable_named_like_a_product_wins():
    xy = Symbol("xy", real=True)
    assert parse("xy", variables=["x", "y", "xy"]) == xy


def test_variables_shadow_constants():
    assert parse("e", variables=["e"]) == Symbol("e", real=True)
    assert parse("e^x", variables=["x"]) == exp(x)


def test_variables_accept_symbols():
    assert parse("x y", variables=[x, y]) == x * y


def test_unknown_name_with_variables():
    with pytest.raises(ParseError) as info:
        parse("2xy+z", variables=["x", "y"])
    assert str(info.value) == "unknown name 'z' at column 5; expected one of: x, y"
    assert info.value.column == 5


def test_no_variables_allowed():
    assert parse("2pi + e", variables=[]) == 2 * pi + E
    with pytest.raises(ParseError, match="may use no variables"):
        parse("x", variables=[])


def test_unknown_name_suggests_function_call():
    with pytest.raises(ParseError, match=r"did you mean sin\(x\)"):
        parse("sinx", variables=["x"])


def test_variable_product_before_parenthesis():
    assert parse("x(1+x)", variables=["x"]) == x * (1 + x)
    assert parse("xy(1+x)", variables=["x", "y"]) == x * y * (1 + x)


@pytest.mark.parametrize("variables", [["_x"], ["1x"], ["x y"], ["lambda"], ["sin"]])
def test_bad_variable_names(variables):
    with pytest.raises(ParseError):
        parse("1", variables=variables)


# --- rejected input --------------------------------------------------------------------

@pytest.mark.parametrize("text, column, fragment", [
    ("__import__('os').system('id')", 1, "'_'"),
    ("().__class__", 3, "attribute"),
    ("()", 2, "empty parentheses"),
    ("x.real", 2, "attribute"),
    ("lambda x: x", 1, "keyword"),
    ("'x'", 1, "strings"),
    ('"x"', 1, "strings"),
    ("x[0]", 2, "brackets"),
    ("[x for x in y]", 1, "brackets"),
    ("{x}", 1, "braces"),
    ("x for x in y", 3, "keyword"),
    ("x, y", 2, "','"),
    ("(x, y)", 3, "','"),
    ("x = 1", 3, "'='"),
    ("x == 1", 3, "'='"),
    ("x < 1", 3, "comparison"),
    ("x; y", 2, "';'"),
    ("x +", 3, "missing operand after '+'"),
    ("x*", 2, "missing operand after '*'"),
    ("x^", 2, "missing operand after '^'"),
    ("2 *", 3, "missing operand"),
    ("(x + 1", 1, "unclosed '('"),
    ("((x)", 1, "unclosed '('"),
    ("sin(x", 4, "unclosed '('"),
    ("x + 1)", 6, "unexpected ')'"),
    ("|x", 1, "unclosed '|'"),
    ("* x", 1, "unexpected '*'"),
    ("foo(x)", 1, "known functions: sin, cos"),
    ("theta(x + 1)", 1, "unknown function 'theta'"),
    ("sin + 1", 1, "function 'sin' needs"),
    ("2 + cos", 5, "function 'cos' needs"),
    ("sin^-1(x)", 4, "asin"),
    ("sin⁻¹(x)", 4, "asin"),
    ("ln(x, 2)", 1, "takes 1 argument"),
    ("max(x)", 1, "2 or more"),
    ("log(x, 2, 3)", 1, "1 to 2"),
    ("sin()", 5, "empty parentheses"),
    ("2 3", 3, "missing operator"),
    ("x 2", 3, "missing operator"),
    ("1/0", 2, "division by zero"),
    ("x/(1-1)", 2, "division by zero"),
    ("0^-1", 2, "undefined"),
    ("log(0)", 1, "undefined"),
    ("tan(pi/2)", 1, "undefined"),
    ("atanh(1)", 1, "undefined"),
    ("cot(0)", 1, "undefined"),
    ("max(sqrt(-1), 1)", 1, "cannot take these arguments"),
    ("max(x, x^2, x^3, x^4, x^5, x^6, x^7, x^8, x^9)", 1, "compares 9 values"),
    ("min(x, min(x^2, x^3, x^4, x^5), min(x^6, x^7, x^8, x^9))", 1, "limit is 8"),
    ("x @ y", 3, "'@'"),
    ("None", 1, "keyword"),
    ("x + _y", 5, "'_'"),
    ("²", 1, "superscript"),
    ("x½", 1, "not a valid name"),
    ("1" * 60, 1, "50 digits"),
    ("1e400", 1, "out of range"),
    ("x^99999999", 2, "limit is 1000"),
    ("x^1e5", 2, "limit is 1000"),
    ("x^(10^4)", 2, "limit is 1000"),
    ("9^9^9^9", 4, "limit is 1000"),
    ("10^301", 3, "at most 300 digits"),
    ("2^1000", 2, "at most 300 digits"),
    ("2^-1001", 2, "limit is 1000"),
    ("(" * 101 + "x" + ")" * 101, 101, "limit is 100"),
    ("sin(" * 101 + "x" + ")" * 101, 404, "limit is 100"),
    ("x^" * 101 + "x", 16, "limit is 8 levels"),  # a tower is refused before the depth limit
])
def test_rejected_with_column(text, column, fragment):
    with pytest.raises(ParseError) as info:
        parse(text)
    message = str(info.value)
    assert fragment in message
    assert info.value.column == column
    assert f"at column {column}" in message
    assert info.value.text == text


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"),
    ("   \t", "empty"),
    ("x" * 1001, "limit is 1000 characters"),
    ("x + " * 2500, "10000 characters long"),
])
def test_rejected_without_column(text, fragment):
    with pytest.raises(ParseError, match=fragment):
        parse(text)


def test_parse_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse("(")


def test_non_text_is_rejected():
    with pytest.raises(ParseError, match="as text"):
        parse(42)


@pytest.mark.parametrize("text", ["9^9^9^9", "x^99999999", "2^2^2^2^2^2^2", "(9^9)^(9^9)",
                                  "10^299*10^299^2"])
def test_huge_powers_are_refused_quickly(text):
    start = time.perf_counter()
    with pytest.raises(ParseError):
        parse(text)
    assert time.perf_counter() - start < 1.0


def test_large_but_bounded_numbers_are_computed():
    assert parse("10^300") == Integer(10) ** 300
    assert parse("2^900") == Integer(2) ** 900
    assert parse("x^1000") == x**1000
    assert parse("(1/2)^-900") == Integer(2) ** 900


def test_long_valid_input_is_accepted():
    text = " + ".join(f"{k}x^{k % 9}" for k in range(1, 120))[:1000].rstrip(" +")
    expr = parse(text)
    assert expr.is_polynomial(x)
    assert sympy.Poly(expr, x).degree() == 8


def test_deep_but_allowed_nesting():
    assert parse("(" * 100 + "x" + ")" * 100) == x
    assert parse("-" * 999 + "x") == -x
    nested = x
    for _ in range(100):
        nested = sigmoid(nested)
    assert parse("sigmoid(" * 100 + "x" + ")" * 100) == nested


def test_recursion_error_from_a_deep_caller_becomes_parse_error():
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 150)
    try:
        with pytest.raises(ParseError, match="nested too deeply"):
            parse("(" * 100 + "x" + ")" * 100)
    finally:
        sys.setrecursionlimit(old_limit)


# --- never evaluates Python ------------------------------------------------------------

SAMPLES = ["3x^2 + 2x", "sin(x)cos(x)", "x/abs(x)", "sigmoid(x)(1-sigmoid(x))", "e^(2x)",
           "1/cosh(x)^2", "|x|² + √x", "log(x, 2) + ln(y)", "max(x, y, 1.5)", "2.0*x"]


def _parse_all(texts):
    """Each text's expression, or its ParseError."""
    results = []
    for text in texts:
        try:
            results.append(parse(text))
        except ParseError as err:
            results.append(err)
    return results


def test_never_calls_eval_or_sympify(monkeypatch):
    import sympy.parsing.sympy_parser

    sympify_module = sys.modules["sympy.core.sympify"]

    def forbidden(*args, **kwargs):
        raise AssertionError(f"forbidden call with {args!r}")

    original = sympify_module.sympify

    def sympify_no_strings(a, *args, **kwargs):  # SymPy sympifies its own objects internally
        if isinstance(a, str):
            forbidden(a)
        return original(a, *args, **kwargs)

    hostile = ["__import__('os').system('id')", "().__class__", "lambda: 0", "x.real"]
    expected = [parse(text) for text in SAMPLES]
    with monkeypatch.context() as patch:  # undone before pytest itself needs compile()
        for name in ("eval", "exec", "compile"):
            patch.setattr(builtins, name, forbidden)
        patch.setattr(ast, "parse", forbidden)
        patch.setattr(ast, "literal_eval", forbidden)
        patch.setattr(sympy, "sympify", forbidden)
        patch.setattr(sympy, "parse_expr", forbidden)
        patch.setattr(sympy.parsing.sympy_parser, "parse_expr", forbidden)
        patch.setattr(sympify_module, "sympify", sympify_no_strings)
        results = _parse_all(SAMPLES + hostile)
    assert results[:len(SAMPLES)] == expected
    assert all(isinstance(err, ParseError) for err in results[len(SAMPLES):])


def _called_names(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return getattr(func, "id", getattr(func, "attr", ""))


def test_source_has_no_evaluating_calls():
    source = Path(__file__).parents[2].joinpath("tutor", "parsing.py").read_text(encoding="utf-8")
    called = {_called_names(node) for node in ast.walk(ast.parse(source))
              if isinstance(node, ast.Call)}
    assert "_Parser" in called and "sympy.Pow" in called  # the walk sees real calls
    banned = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr", "S",
              "sympy.sympify", "sympy.parse_expr", "sympy.S", "ast.literal_eval", "ast.parse",
              "builtins.eval", "getattr"}
    assert not called & banned


# --- symbol() --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["x", "w_1", "theta", "x1", "learning_rate"])
def test_symbol_accepts_plain_names(name):
    made = symbol(name)
    assert made.name == name and made.is_real
    assert symbol(name) is made


@pytest.mark.parametrize("name", ["", "1x", "_x", "__class__", "x y", "x.y", "lambda", "for",
                                  "a-b", "x)", 3, None])
def test_symbol_rejects_non_identifiers(name):
    with pytest.raises(ParseError):
        symbol(name)


# --- parse_point -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("x=2, y=-1.5", {"x": 2.0, "y": -1.5}),
    ("x=pi/2", {"x": math.pi / 2}),
    (" x = 1/4 ,y=e ", {"x": 0.25, "y": math.e}),
    ("a=log(8, 2)", {"a": 3.0}),
    ("x=sqrt(2)", {"x": math.sqrt(2)}),
    ("w_1=-3", {"w_1": -3.0}),
])
def test_parse_point_text(text, expected):
    result = parse_point(text)
    assert result == pytest.approx(expected)
    assert list(result) == list(expected)
    assert all(type(v) is float for v in result.values())


def test_parse_point_mapping():
    assert parse_point({"x": 2, "y": "pi", "z": 0.5, "w": Integer(3)}) == pytest.approx(
        {"x": 2.0, "y": math.pi, "z": 0.5, "w": 3.0})


@pytest.mark.parametrize("point, fragment", [
    ("x=2, y=abc", "must be a constant, but it uses abc at column 8"),
    ("x=1/0", "division by zero at column 4"),
    ("x=2, y=(1", "unclosed '(' at column 8"),
    ("x", "expected name=value"),
    ("x=2, x=3", "'x' is given twice at column 6"),
    ("x=", "the value of 'x': the expression is empty"),
    ("1x=3", "not a valid variable name at column 1"),
    ("x=log(-1)", "not a real number"),
    ("x=1e300^2", "finite"),
    ("x=exp(exp(exp(10)))", "finite"),
    ("", "empty"),
    ({"x": float("nan")}, "nan; points must be finite"),
    ({"x": float("inf")}, "inf; points must be finite"),
    ({"x": True}, "must be a number"),
    ({"x": [1]}, "must be a number"),
    ({"_x": 1}, "not a valid name"),
    ({"x": "y + 1"}, "must be a constant"),
    (3, "expected a point"),
])
def test_parse_point_errors(point, fragment):
    with pytest.raises(ParseError) as info:
        parse_point(point)
    assert fragment in str(info.value)


# --- properties: random input never crashes, printed SymPy reads back ---------------------

_ALPHABET = ["x", "y", "2", "3.5", "e", "pi", "π", "(", ")", "|", "+", "-", "*", "/", "^", "**",
             "²", "⁻¹", " ", ",", "sin", "log", "sigmoid", "relu", "max", "√", "·", ".", "_", "'",
             "=", "1e3", "0"]


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 25)))


def test_random_input_gives_expression_or_parse_error():
    rng = random.Random(0)
    accepted = 0
    for _ in range(3000):
        text = _random_text(rng)
        try:
            expr = parse(text)
        except ParseError as err:
            assert err.column is None or 1 <= err.column <= len(text) + 1, text
        else:
            assert isinstance(expr, sympy.Expr), text
            assert not expr.has(sympy.zoo, sympy.nan), text
            accepted += 1
    assert accepted > 100  # the generator really exercises the accepting paths


def _random_expr(rng: random.Random, depth: int = 0) -> sympy.Expr:
    leaves = [x, y, z, Integer(rng.randint(1, 9)), Rational(rng.randint(1, 9), 7), pi, E]
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(leaves)
    a, b = _random_expr(rng, depth + 1), _random_expr(rng, depth + 1)
    unary = [sin, cos, exp, tanh, sigmoid, Abs, lambda v: sqrt(v**2 + 1), lambda v: log(v**2 + 1)]
    build = rng.choice([
        lambda: a + b, lambda: a - b, lambda: a * b, lambda: a / (b**2 + 1),
        lambda: a ** rng.randint(2, 4), lambda: rng.choice(unary)(a),
        lambda: Max(a, b) if not (a.is_number or b.is_number) else a + b,  # Max compares numbers
    ])
    return build()


def test_printed_sympy_reads_back():
    rng = random.Random(1)
    for _ in range(300):
        expr = _random_expr(rng)
        read = parse(str(expr))
        assert read == expr or sympy.expand(read - expr) == 0, str(expr)


def test_max_of_sigmoid_of_a_constant():
    assert parse("max(sigmoid(cos(5)), 0)") == sigmoid(cos(5))


def test_hypothesis_random_text_never_crashes():
    hypothesis = pytest.importorskip("hypothesis")
    strategies = hypothesis.strategies

    @hypothesis.settings(max_examples=300, deadline=None, derandomize=True)
    @hypothesis.given(strategies.lists(strategies.sampled_from(_ALPHABET), max_size=30)
                      | strategies.lists(strategies.characters(), max_size=30))
    def check(pieces):
        text = "".join(pieces)
        try:
            assert isinstance(parse(text), sympy.Expr)
        except ParseError:
            pass

    check()


# --- textbook notation and names (issue 10) --------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("sin x", "sin(x)"),
    ("ln x", "log(x)"),
    ("cos 2x", "cos(2*x)"),
    ("sin x cos x", "sin(x)*cos(x)"),  # the function takes the product up to the next function
    ("sin x^2", "sin(x**2)"),
    ("sin x / 2", "sin(x)/2"),  # ... and stops at an operator
    ("2 sin x + 1", "2*sin(x) + 1"),
    ("sin^2 x", "sin(x)**2"),
    ("sin cos x", "sin(cos(x))"),
    ("e^sin x", "exp(sin(x))"),
    ("sech(x) + csch(x) + coth(x)", "coth(x) + csch(x) + sech(x)"),
    ("cosec(x)", "csc(x)"),
    ("acot(x) + arccot(x)", "2*acot(x)"),
    ("arsinh(x) + arcosh(x) + artanh(x)", "acosh(x) + asinh(x) + atanh(x)"),
    ("asech(x) + arcsch(x) + arccoth(x)", "acoth(x) + acsch(x) + asech(x)"),
    ("σ(x)", "sigmoid(x)"),
    ("x₁ + x_1", "2*x_1"),
    ("θ + theta", "2*theta"),
])
def test_textbook_notation(text, expected):
    assert str(parse(text)) == expected


def test_greek_and_subscripts_match_in_variable_lists():
    assert parse("θ x₁", variables=["theta", "x_1"]) == symbol("theta") * symbol("x_1")
    assert symbol("θ") is symbol("theta")


@pytest.mark.parametrize("text, fragment", [
    ("x" + " ²" * 11, "powers of powers"),  # x^(2^11): the effective exponent is bounded
    ("((x^1000)^1000)^1000", "powers of powers"),
    ("(x y^1000)^1000", "powers of powers"),
    ("^".join(["x"] * 90), "limit is 8 levels"),  # a 90-level tower: refused, no RecursionError
    ("max x", "in parentheses"),
    ("sin", "needs an argument"),
    ("sin + x", "needs an argument"),
])
def test_size_limits_cannot_be_walked_around(text, fragment):
    with pytest.raises(ParseError, match=fragment):
        parse(text)


def test_a_tower_of_eight_levels_is_read_and_nine_are_not():
    assert parse("^".join(["x"] * 8)).is_Pow
    with pytest.raises(ParseError, match="limit is 8 levels"):
        parse("^".join(["x"] * 9))


def test_node_count_is_bounded(monkeypatch):
    text = "+".join(f"sin(x{i})" for i in range(100))
    assert len(parse(text).args) == 100
    monkeypatch.setattr("tutor.parsing.MAX_NODES", 150)
    with pytest.raises(ParseError, match="more than 150 parts"):
        parse(text)


def test_parsing_is_bounded_in_time(monkeypatch):
    from tutor._limits import TimeLimitError

    monkeypatch.setattr("tutor._limits.TIME_LIMIT", 0.05)
    monkeypatch.setattr("tutor.parsing._Parser.parse", lambda self: __import__("time").sleep(2))
    with pytest.raises(TimeLimitError, match="took longer than 0.05 s"):
        parse("x")
