"""Naming the mistake behind a wrong matrix derivative, and the pytest assertion."""

import doctest
import importlib

import pytest

from tutor.feedback.matrix_mistakes import (
    MATRIX_MISTAKES,
    check_matrix_derivative,
    name_matrix_mistake,
)
from tutor.matrix import check as core
from tutor.testing import assert_matrix_gradient

LEAST_SQUARES = ("‖X w - y‖²", "w", {"X": "n×d", "w": "d", "y": "n"}, {})
CROSS_ENTROPY = ("-sum(Y ⊙ log(P)) / n", "W", {"X": "n×d", "W": "d×k", "Y": "n×k"},
                 {"given": {"Y": "one-hot"}, "define": {"P": "softmax(X W)"}})
BIAS = ("sum(dZ ⊙ (Z + b))", "b", {"dZ": "n×h", "Z": "n×h", "b": "h"}, {})
SOFTMAX = ("softmax(z)", "z", {"z": "k"}, {"define": {"p": "softmax(z)"}})
RELU = ("sum(dZ ⊙ (W relu(Z)))", "Z", {"W": "k×h", "Z": "h×n", "dZ": "k×n"}, {})


def verdict_for(answer, question):
    loss, wrt, shapes, options = question
    return check_matrix_derivative(answer, loss, wrt, shapes, **options)


@pytest.mark.parametrize("answer, question, code, words", [
    ("-2 X^T (X w - y)", LEAST_SQUARES, "sign-error", "The sign is wrong"),
    ("2 X^T X w + 2 X^T y", LEAST_SQUARES, "sign-error", "The term 2Xᵀy has the wrong sign"),
    ("X^T (X w - y)", LEAST_SQUARES, "factor-2-missing", "The factor 2 is missing"),
    ("4 X^T (X w - y)", LEAST_SQUARES, "factor-2-extra", "a factor 2 too many"),
    ("2 X (X w - y)", LEAST_SQUARES, "transpose-missing", "X should be transposed: Xᵀ"),
    ("X^T (P - Y)^T / n", CROSS_ENTROPY, "transpose-extra",
     "(P − Y)ᵀ should not be transposed: write P − Y"),
    ("2/n X^T (X w - y)", LEAST_SQUARES, "mean-factor-extra", "a 1/n too many"),
    ("X.T @ (P - Y)", CROSS_ENTROPY, "mean-factor-missing", "The factor 1/n is missing"),
    ("(P - Y)^T X / n", CROSS_ENTROPY, "transpose-missing",
     "Your answer is the transpose of ∂L/∂W"),
    ("(P - Y) X^T / n", CROSS_ENTROPY, "product-order",
     "The product (P − Y)Xᵀ is in the wrong order: it should be Xᵀ(P − Y)"),
    ("X.T @ (Y - P) / n", CROSS_ENTROPY, "sign-error", "The sign is wrong"),
    ("dZ", BIAS, "bias-not-summed", "sums them over the batch: sum(dZ, axis=0)"),
    ("sum(dZ, axis=1)", BIAS, "sum-wrong-axis", "it should be sum(dZ, axis=0)"),
    ("-p p^T", SOFTMAX, "jacobian-diagonal-missing", "the diagonal term is missing"),
    ("2 diag(p) - p p^T", SOFTMAX, "jacobian-diagonal-wrong",
     "those on the diagonal are not"),
])
def test_one_wrong_rule_is_named(answer, question, code, words):
    verdict = verdict_for(answer, question)
    assert not verdict.correct
    assert verdict.mistake == code, verdict.message
    assert words in verdict.message
    assert code in MATRIX_MISTAKES


def test_right_answers_and_unexplained_ones_name_nothing():
    assert verdict_for("2 X^T (X w - y)", LEAST_SQUARES).mistake is None
    assert verdict_for("(dZ^T W)^T ⊙ (Z > 0)", RELU).correct
    for answer, question in [("w", LEAST_SQUARES), ("(W^T dZ) ⊙ (Z < 0)", RELU)]:
        unexplained = verdict_for(answer, question)
        assert not unexplained.correct and unexplained.mistake is None


def test_the_core_check_names_nothing_and_takes_the_hook():
    loss, wrt, shapes, _ = LEAST_SQUARES
    plain = core.check_matrix_derivative("X^T (X w - y)", loss, wrt, shapes)
    assert plain.mistake is None
    hooked = core.check_matrix_derivative("X^T (X w - y)", loss, wrt, shapes,
                                          diagnose=name_matrix_mistake)
    assert hooked.mistake == "factor-2-missing"
    assert hooked.message.startswith(plain.message)
    seen = []
    core.check_matrix_derivative("w", loss, wrt, shapes,
                                 diagnose=lambda problem, tree, v: seen.append(tree) or v)
    assert [tree.kind for tree in seen] == ["var"]


def test_assert_matrix_gradient():
    loss, wrt, shapes, _ = LEAST_SQUARES
    assert_matrix_gradient("2 X^T (X w - y)", loss, wrt, shapes)
    assert_matrix_gradient(lambda X, w, y: 2 * X.T @ (X @ w - y), loss, wrt, shapes)
    with pytest.raises(AssertionError, match=r"'X\^T \(X w - y\)' is not ∂/∂w of .*"
                                             "The factor 2 is missing"):
        assert_matrix_gradient("X^T (X w - y)", loss, wrt, shapes)

    def linear_backward(X, w, y):
        return X.T @ (X @ w - y)

    with pytest.raises(AssertionError, match="linear_backward is not ∂/∂w"):
        assert_matrix_gradient(linear_backward, loss, wrt, shapes)
    with pytest.raises(AssertionError, match=r"(?s)is not ∂/∂\(w, X\) .*∂L/∂X: Not quite"):
        assert_matrix_gradient(["2 X^T (X w - y)", "X"], loss, ["w", "X"], shapes)


@pytest.mark.parametrize("name", [
    "tutor.matrix.nodes", "tutor.matrix.tokens", "tutor.matrix.parsing", "tutor.matrix.shapes", "tutor.matrix.evaluate",
    "tutor.matrix.check", "tutor.feedback.matrix_mistakes",
])
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_example_in_docs_matrix_md_prints_what_it_says():
    import pathlib
    import re

    text = (pathlib.Path(__file__).parents[2] / "docs" / "matrix.md").read_text()
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    printed = " ".join(line.removeprefix("# ") for line in block.splitlines()
                       if line.startswith("# "))
    verdict = verdict_for("X.T @ (P - Y)", CROSS_ENTROPY)
    assert verdict.mistake == re.search(r"v.mistake +# '(.*)'", block).group(1)
    assert verdict.message == printed
