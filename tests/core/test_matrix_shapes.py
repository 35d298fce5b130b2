"""Shapes: declarations, inference node by node, and explanations of shapes that don't fit."""

import pytest

from tutor.errors import ParseError, TutorError
from tutor.matrix.parsing import parse
from tutor.matrix.shapes import MAX_DIM, ShapeChecker, ShapeError, declare, describe

DECLARED = declare({"X": "n×d", "w": "d", "y": "n", "W": "d×k", "Y": "n×k", "p": "k",
                    "S": "d×d", "c": "", "r": "1×k"})
DIMS = ["n", "d", "k"]


def shape_of(text):
    return ShapeChecker(DECLARED).shape(parse(text, DECLARED, DIMS))


def shape_error(text):
    with pytest.raises(ShapeError) as caught:
        shape_of(text)
    return caught.value


@pytest.mark.parametrize("spec, shape", [
    ("n×d", ("n", "d")), ("n x d", ("n", "d")), ("n*d", ("n", "d")), ("(n, d)", ("n", "d")),
    (("n", "d"), ("n", "d")), ("d", ("d",)), ("d×1", ("d",)), ("1×d", (1, "d")),
    ("", ()), ("scalar", ()), ("1", ()), (5, (5,)), ("3x4", (3, 4)), ("n x 3", ("n", 3)),
])
def test_declarations(spec, shape):
    assert declare({"A": spec}) == {"A": shape}


@pytest.mark.parametrize("shapes, message", [
    ({"A": "n×d×k"}, "has 3 dimensions"),
    ({"A": "n×0"}, "must be between 1 and"),
    ({"A": "100000×100000"}, f"dimensions must be between 1 and {MAX_DIM}"),
    ({"A": "n×-d"}, "neither a dimension name nor a whole number"),
    ({"A": 2.5}, "must be text like 'n×d'"),
    ({"T": "n"}, "cannot name a variable"),
    ({"sum": "n"}, "cannot name a variable"),
    ({"n": "n×d"}, "names both a variable and a dimension"),
    ({}, "shapes must map each variable"),
])
def test_bad_declarations_are_refused_clearly(shapes, message):
    with pytest.raises(ShapeError, match=message):
        declare(shapes)


@pytest.mark.parametrize("text, shape", [
    ("X^T (X w - y)", ("d",)),
    ("X w - y", ("n",)),
    ("w^T", (1, "d")),
    ("w^T w", ()),
    ("w w^T", ("d", "d")),
    ("X^T (softmax(X W) - Y) / n", ("d", "k")),
    ("sum(Y, axis=0)", ("k",)),
    ("sum(Y, axis=1)", ("n",)),
    ("sum(Y)", ()),
    ("mean(w)", ()),
    ("1_n^T Y", (1, "k")),
    ("Y + p", ("n", "k")),          # a vector along each row, as NumPy does
    ("X + y", ("n", "d")),          # or down each column when only that fits
    ("Y - r", ("n", "k")),
    ("diag(p) - p p^T", ("k", "k")),
    ("diag(S)", ("d",)),
    ("trace(S) + c", ()),
    ("‖X‖ + norm(w)", ()),
    ("(Y > 0) ⊙ exp(Y)", ("n", "k")),
    ("c X", ("n", "d")),
    ("ones(n, k) + Y", ("n", "k")),
    ("sum(r, axis=0)", ("k",)),
])
def test_inferred_shapes(text, shape):
    assert shape_of(text) == shape


def test_a_product_that_does_not_fit_names_the_dimensions_and_a_product_that_would():
    error = shape_error("X (X w - y)")
    assert str(error) == ("X(Xw − y) needs d = n (X is an n×d matrix, Xw − y is an n-vector) "
                          "at column 3; Xᵀ(Xw − y) is a d-vector")
    assert error.column == 3
    assert "at column 9" in str(shape_error("X^T X W @ Y"))  # the column of '@'


def test_a_repair_takes_a_transpose_away_rather_than_adding_a_second():
    error = shape_error("X^T (X w - y)^T")
    assert "Xᵀ(Xw − y)ᵀ cannot be multiplied in this order" in str(error)
    assert "Xᵀ(Xw − y) is a d-vector" in str(error)


def test_two_column_vectors_need_a_transpose():
    error = shape_error("w w")
    assert "multiplies two column vectors" in str(error)
    assert "wᵀw is a scalar" in str(error)


@pytest.mark.parametrize("text, message, column", [
    ("(w^T w)^T", "wᵀw is a scalar: transposing it does nothing", 8),
    ("c^T", "c is a scalar", 2),
    ("trace(X)", "trace needs a square matrix; X is an n×d matrix", 1),
    ("diag(X)", "diag takes a vector", 1),
    ("X * W", "for a matrix product write @", 3),
    ("w + w^T", "a column vector and a row vector", 3),
    ("Y + w^T", "which do not fit", 3),
    ("sum(w, axis=1)", "which has only axis 0", 1),
    ("softmax(c)", "softmax of a scalar is always 1", 1),
])
def test_shape_errors(text, message, column):
    error = shape_error(text)
    assert message in str(error)
    assert error.column == column
    assert isinstance(error, ParseError) and isinstance(error, TutorError)


@pytest.mark.parametrize("shape, words", [
    ((), "a scalar"), (("n",), "an n-vector"), (("d",), "a d-vector"), ((1, "k"), "a row "
     "vector (1×k)"), (("n", "d"), "an n×d matrix"), (("k", "d"), "a k×d matrix"),
    ((8, 3), "an 8×3 matrix"), (("hidden",), "a hidden-vector"), (("out",), "an out-vector"),
])
def test_shapes_in_words(shape, words):
    assert describe(shape) == words
