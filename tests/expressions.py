"""Shared test expressions, in a plain module so that no test file imports another: every
lowered node type with points in its domain (lowering tests, for each backend), and
hand-picked plus seeded random functions (explanation and mistake tests)."""

import random

import numpy as np
import sympy
from sympy import Rational

from tutor.functions import relu, sigmoid, softplus
from tutor.parsing import parse, symbol

x, y = symbol("x"), symbol("y")

EPS64 = float(np.finfo(np.float64).eps)
RTOL64 = 1000 * EPS64  # a few hundred ulps: room for libm differences, far below any real bug

# (expression in x, points inside its real domain)
GENERAL = (-2.5, -0.7, 0.0, 0.3, 1.9)
POSITIVE = (0.2, 1.0, 3.7)
UNIT = (-0.9, -0.2, 0.0, 0.6)
OUTSIDE_UNIT = (-3.0, -1.2, 1.5, 4.0)
NONZERO = (-2.0, -0.4, 0.5, 3.0)
NODES = [
    (sympy.exp(x), GENERAL), (sympy.log(x), POSITIVE),
    (sympy.sin(x), GENERAL), (sympy.cos(x), GENERAL), (sympy.tan(x), UNIT),
    (sympy.cot(x), NONZERO), (sympy.sec(x), UNIT), (sympy.csc(x), NONZERO),
    (sympy.asin(x), UNIT), (sympy.acos(x), UNIT), (sympy.atan(x), GENERAL),
    (sympy.acot(x), NONZERO), (sympy.asec(x), OUTSIDE_UNIT), (sympy.acsc(x), OUTSIDE_UNIT),
    (sympy.sinh(x), GENERAL), (sympy.cosh(x), GENERAL), (sympy.tanh(x), GENERAL),
    (sympy.coth(x), NONZERO), (sympy.sech(x), GENERAL), (sympy.csch(x), NONZERO),
    (sympy.asinh(x), GENERAL), (sympy.acosh(x), (1.0, 1.5, 7.0)), (sympy.atanh(x), UNIT),
    (sympy.acoth(x), OUTSIDE_UNIT), (sympy.asech(x), (0.1, 0.5, 1.0)), (sympy.acsch(x), NONZERO),
    (sympy.Abs(x), GENERAL), (sympy.sign(x), GENERAL), (sympy.sign(x - 0.3), GENERAL),
    (sympy.floor(x), GENERAL), (sympy.ceiling(x), GENERAL),
    (x**2, GENERAL), (x**3, GENERAL), (x**-1, NONZERO), (x**-2, NONZERO), (1 / (1 - x), NONZERO),
    (sympy.sqrt(x), POSITIVE),
    (1 / sympy.sqrt(x), POSITIVE), (x**Rational(3, 2), POSITIVE), (x**Rational(1, 3), POSITIVE),
    (x**sympy.pi, POSITIVE), (2**x, GENERAL), (sympy.sqrt(x**2 + 1), GENERAL),
    (sympy.Max(1.0, x), GENERAL), (sympy.Min(x, 2), (-1.0, 2.0, 3.0)), (relu(x), GENERAL),
    (sympy.Max(x, x**2, Rational(1, 2)), GENERAL), (sympy.Min(x, -x, x**3 - 1), GENERAL),
    (sympy.Heaviside(x), GENERAL), (sympy.Heaviside(x, 0), GENERAL),
    (sympy.Heaviside(x**2 - 1), (-1.0, 0.0, 1.0, 2.0)), (sympy.diff(relu(x), x), GENERAL),
    (sympy.Piecewise((x**2, x < 0), (sympy.sin(x), x < 1), (Rational(1, 3), True)), GENERAL),
    (sympy.Piecewise((1, x > 0), (0, True)), GENERAL),
    (sympy.Piecewise((x, sympy.And(x > -1, x < 1)), (-x, sympy.Or(x < -2, sympy.Eq(x, 2))),
                     (0, True)), (-3.0, -1.5, 0.5, 2.0, 5.0)),
    (sympy.Piecewise((x, sympy.Not(x > 0)), (2 * x, True)), GENERAL),
    (sigmoid(x), (-40.0, -3.0, 0.0, 2.0, 40.0)),
    (softplus(x), (-40.0, -3.0, 0.0, 2.0, 25.0, 40.0, 800.0)),
    (Rational(1, 3) * x + sympy.E - sympy.pi, GENERAL), (sympy.E**x * sympy.pi, GENERAL),
    (sympy.exp(-x**2 / 2) / sympy.sqrt(2 * sympy.pi), GENERAL), (sympy.cos(2)**x, (-1.0, 2.0)),
]


def exact(expr: sympy.Expr, values: dict[sympy.Symbol, float]) -> float:
    """SymPy's own value at the exact binary points, 30 digits."""
    value = expr.evalf(30, subs={s: sympy.Float(v) for s, v in values.items()})
    return float(value)


SMOOTH = [
    x**3 - 2 * x + 1, sympy.sin(x) * sympy.exp(-x), sympy.log(1 + x**2), sympy.tanh(3 * x - 1),
    sigmoid(x) * softplus(-x), sympy.sqrt(x**2 + 1) / (2 + sympy.cos(x)), sympy.atan(x)**2,
    sympy.Abs(x - 5), sympy.Max(x, x**2 - 3),
]


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


def random_expression(rng: random.Random, depth: int) -> sympy.Expr:
    """A random expression in x (and y) from a seeded generator."""
    if depth == 0 or rng.random() < 0.2:
        return rng.choice([x, x, x, y, sympy.Integer(rng.randint(1, 5)), sympy.Rational(1, 2)])
    a = random_expression(rng, depth - 1)
    b = random_expression(rng, depth - 1)
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


def corpus() -> list[sympy.Expr]:
    """The hand-picked functions, then 200 distinct seeded random ones that use x."""
    found = [parse(text, ["x", "y", "z", "w", "b"]) for text in HAND_PICKED]
    rng = random.Random(20240601)
    while len(found) < len(HAND_PICKED) + 200:
        expr = random_expression(rng, 3)
        if expr.has(x) and expr not in found:
            found.append(expr)
    return found


CORPUS = corpus()
