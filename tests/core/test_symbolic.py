import pytest
import sympy

from tutor.errors import ParseError
from tutor.functions import sigmoid
from tutor.symbolic import derive, gradient, hessian, readable

x, y = sympy.symbols("x y", real=True)


def test_seed_polynomial_derivative_and_value():
    d = derive("x^2 + x^3 + 5", "x")
    assert sympy.expand(d - (2 * x + 3 * x**2)) == 0
    assert d.subs(x, 2) == 16


def test_several_variables_give_a_tuple_one_per_variable():
    dx, dy = derive("(x^2+y-11)^2 + (x+y^2-7)^2", ["x", "y"])
    assert sympy.expand(dx - (4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7))) == 0
    assert sympy.expand(dy - (2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7))) == 0
    assert derive("x*y", "x,y") == (y, x)


def test_second_order_and_hessian():
    assert derive("x^3", "x", order=2) == 6 * x
    h = hessian("(x^2+y-11)^2 + (x+y^2-7)^2", ["x", "y"])
    assert h.shape == (2, 2)
    assert sympy.expand(h[0, 1] - h[1, 0]) == 0
    assert sympy.expand(h[0, 1] - (4 * x + 4 * y)) == 0
    assert h.subs({x: 3, y: 2}).is_positive_definite


def test_readable_form_prefers_the_simpler_expression():
    assert derive("sqrt(x^2)", "x") == sympy.sign(x)
    assert derive("sigmoid(x)", "x") == sigmoid(x) * (1 - sigmoid(x))
    big = sympy.Add(*[sympy.sin(k * x) ** 2 for k in range(1, 30)])
    assert readable(big) is big  # too big to simplify: left alone, quickly


def test_gradient_accepts_symbols_and_names():
    assert gradient(x**2 * y, [x, "y"]) == (2 * x * y, x**2)


def test_bad_order_is_a_clear_error():
    with pytest.raises(ValueError, match="order must be 1 or more"):
        derive("x^2", "x", order=0)
    with pytest.raises(ValueError, match="at most 10"):
        derive("sin(x)", "x", order=100_000)  # not 100,000 rounds of SymPy's diff


@pytest.mark.parametrize("wrt", [",", "", []])
def test_no_variable_is_a_parse_error(wrt):
    with pytest.raises(ParseError, match="no variable to differentiate"):
        derive("x^2", wrt)
