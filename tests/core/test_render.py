import io

import pytest
import sympy

from tutor.feedback import check_derivative
from tutor.gradcheck import check_gradient
from tutor.render import gradient_table, inline, make_console, pretty, verdict_lines

x, y = sympy.symbols("x y", real=True)


@pytest.mark.parametrize("expr, text", [
    (3 * x**2 + 2 * x, "3x² + 2x"),
    (x**-2, "x⁻²"),
    (x**sympy.Rational(2, 3), "x^(2/3)"),
    (sympy.Float(2.5) * x, "2.5·x"),
    (x**2.5, "x^2.5"),
    (sympy.sin(x) ** 2 / 2, "sin(x)²/2"),
    (sympy.Max(0, x) * y, "y·relu(x)"),
    (sympy.Max(1, x), "Max(1, x)"),
])
def test_inline_form(expr, text):
    assert inline(expr) == text


def test_pretty_is_multiline_unicode():
    assert pretty(x**2 / (1 + x)).splitlines()[-2] == "─────"
    assert "relu(x)" in pretty(sympy.Max(0, x))


def test_console_writes_plain_text_to_a_pipe():
    out = io.StringIO()
    console = make_console(out)
    for line in verdict_lines(check_derivative("2x", "x^3", "x")):
        console.print(line)
    console.print(gradient_table(check_gradient("x*y", "x,y", points=5)))
    text = out.getvalue()
    assert "\x1b[" not in text and "wrong" in text
    assert max(len(line) for line in text.splitlines()) <= 100
