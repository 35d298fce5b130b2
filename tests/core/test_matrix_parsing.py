"""Reading matrix answers: spellings, the trees they give, and errors with their columns."""

import pytest

from tutor.errors import ParseError
from tutor.matrix.nodes import Node, render
from tutor.matrix.parsing import MAX_DEPTH, MAX_LENGTH, parse

VARIABLES = ["X", "w", "y", "P", "Y", "p", "x", "W", "dZ", "Z", "b", "c"]
DIMS = ["n", "d", "k", "h"]


def read(text):
    return parse(text, VARIABLES, DIMS)


@pytest.mark.parametrize("text, shown", [
    ("2 X^T (X w - y)", "2Xᵀ(Xw − y)"),
    ("X.T @ (P - Y) / n", "Xᵀ(P − Y)/n"),
    ("(p - y) x^T", "(p − y)xᵀ"),
    ("sum(dZ, axis=0)", "sum(dZ, axis=0)"),
    ("diag(p) - p p^T", "diag(p) − ppᵀ"),
    ("(W^T dZ) ⊙ (Z > 0)", "(Wᵀ dZ) ⊙ (Z > 0)"),
    ("‖X w − y‖² / n", "‖Xw − y‖²/n"),
    ("-2/n X^T(y - Xw)", "−2/n Xᵀ(y − Xw)"),
    ("mean(exp(Z) ∘ tanh(Z), axis=1)", "mean(exp(Z) ⊙ tanh(Z), axis=1)"),
    ("trace(X^T X) + norm(w)", "trace(XᵀX) + ‖w‖"),
    ("eye(d) - I_d + ones(n, d)", "I_d − I_d + ones(n, d)"),
    ("sigmoid(X w) - σ(Xw)", "sigmoid(Xw) − sigmoid(Xw)"),
])
def test_the_issues_examples_read_as_written(text, shown):
    assert render(read(text)) == shown


@pytest.mark.parametrize("spellings", [
    ["X^T", "Xᵀ", "X.T", "X'", "transpose(X)"],
    ["X @ w", "X w", "Xw", "X·w", "X⋅w", "X × w"],
    ["Z ⊙ W", "Z ∘ W", "Z * W"],
    ["sum(dZ, axis=0)", "sum(dZ, 0)", "dZ.sum(axis=0)", "sum(dZ, dim=0)"],
    ["1_n^T dZ", "ones(n)^T dZ", "𝟙_n^T dZ"],
    ["outer(p, y)", "p y^T"],
    ["dot(p, y)", "p^T y"],
    ["X^Tw", "X^T w"],
    ["x^2", "x²", "x**2"],
])
def test_spellings_of_one_operation_give_one_tree(spellings):
    trees = {read(text) for text in spellings}
    assert len(trees) == 1, [render(tree) for tree in trees]


def test_products_group_left_but_a_number_in_front_multiplies_the_rest():
    assert read("X w y") == Node("matmul", (read("X w"), read("y")))
    two_x_rest = read("2 X (X w - y)")
    assert two_x_rest.kind == "matmul" and two_x_rest.args[0] == Node("number", value=2.0)
    assert two_x_rest.args[1] == read("X (X w - y)")


def test_minus_binds_looser_than_transpose_and_power():
    assert read("-X^T") == Node("neg", (Node("T", (Node("var", value="X"),)),))
    assert read("-x^2").kind == "neg"


@pytest.mark.parametrize("text, message, column", [
    ("X w +", "missing operand after '+'", 5),
    ("q + 1", "unknown name 'q'", 1),
    ("X |w|", "a single '|' is not allowed", 3),
    ("X^(-1)", "only a number may follow '^'", 3),
    ("X^-1", "a matrix inverse is not supported", 2),
    ("sum(X, axis=2)", "axis 2 does not exist", 13),
    ("sum(X, keepdims=1)", "unknown keyword 'keepdims'", 8),
    ("foo(X)", "unknown function 'foo'", 1),
    ("(X w", "unclosed '('", 1),
    ("X w)", "unexpected ')'", 4),
    ("X 2", "missing operator before '2'", 3),
    ("ones(q)", "unknown dimension 'q'", 6),
    ("1_q", "unknown dimension 'q'", 1),
    ("X.foo", "'.foo' is not allowed", 2),
    ("X[0]", "square brackets are not allowed", 2),
    ("exp X", "needs its argument in parentheses", 1),
    ("Z > 0 > 1", "chained comparisons", 7),
    ("X = w", "'=' is only allowed in axis=", 3),
    ("", "the expression is empty", None),
    ("()", "empty parentheses", 2),
    ("sum(X, 0, 1)", "takes 1 argument", 1),
    ("x^500", "exponent 500 is too large", 2),
])
def test_errors_say_what_and_where(text, message, column):
    with pytest.raises(ParseError) as caught:
        read(text)
    assert message in str(caught.value)
    assert caught.value.column == column
    if column is not None:
        assert f"at column {column}" in str(caught.value)


def test_unknown_names_list_what_the_question_declares():
    with pytest.raises(ParseError, match="the question declares: .*W, X, Y.*dZ"):
        read("V + X")


@pytest.mark.parametrize("text", [
    "__import__('os').system('echo hacked')", "X.__class__", "lambda: 1", "import os",
    "exec('1')", "X; w", '"text"', "{1: 2}",
])
def test_code_is_never_run_only_refused(text, capsys):
    with pytest.raises(ParseError):
        read(text)
    assert "hacked" not in capsys.readouterr().out


def test_sizes_of_typed_text_are_bounded():
    with pytest.raises(ParseError, match=f"the limit is {MAX_LENGTH}"):
        read("x + " * 300 + "x")
    with pytest.raises(ParseError, match="nested too deeply"):
        read("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ParseError, match="expected the expression as text"):
        parse(3, VARIABLES, DIMS)


def test_defined_names_read_as_their_definition():
    softmax = read("softmax(X W)")
    tree = parse("X^T (P - Y)", ["X", "W", "Y"], ["n"], {"P": softmax})
    assert render(tree) == "Xᵀ(P − Y)"
    assert Node("let", (softmax,), "P") in tree.walk()
    assert tree.names() == {"X", "W", "Y"}


def test_reading_a_matrix_formula_loads_neither_sympy_nor_torch():
    import subprocess
    import sys

    code = ("import sys, tutor.matrix.parsing, tutor.matrix.shapes; "
            "print(sorted(m for m in ('torch', 'sympy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == "[]"


def test_every_node_kind_is_documented_and_read():
    from tutor.matrix.nodes import KINDS

    text = ("-2 X^T (X w - y) / n + trace(diag(w)) ⊙ ‖w‖ * exp(sum(eye(d), axis=0))² "
            "+ 1_d + mean(softmax(Q) ⊙ (Q > 0))")
    tree = parse(text, VARIABLES, DIMS, {"Q": read("W")})
    assert {node.kind for node in tree.walk()} == set(KINDS)
