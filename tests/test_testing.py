"""`tutor.testing`: assertions for pytest-based graders, failing with the checker's reasons."""

import numpy as np
import pytest
import torch

from tutor.testing import (
    assert_derivative,
    assert_equivalent,
    assert_gradient_matches,
    assert_manual_gradient,
)


def test_assert_derivative_passes_and_explains_failures():
    assert_derivative("2x sin(x) + x^2 cos(x)", "x^2 sin(x)", "x")
    assert_derivative(["2xy", "x^2"], "x^2 y", ["x", "y"])
    with pytest.raises(AssertionError, match=r"'2x cos\(x\)' is not d/dx of x\^2 sin\(x\)\. .*Product rule"):
        assert_derivative("2x cos(x)", "x^2 sin(x)", "x")
    with pytest.raises(AssertionError, match="d/dy"):
        assert_derivative("2xy, x", "x^2 y", "x,y")


def test_assert_equivalent():
    assert_equivalent("cos(2x)", "cos(x)^2 - sin(x)^2")
    with pytest.raises(AssertionError, match="Not quite"):
        assert_equivalent("cos(2x)", "cos(x)^2")


def test_assert_gradient_matches_torch_functions():
    def loss(w, b, x):
        return (torch.sigmoid(w * x + b) - 1) ** 2

    report = assert_gradient_matches(loss, "(sigmoid(w x + b) - 1)^2", ["w", "b"], variables=["w", "b", "x"])
    assert report.ok and report.n_points == 200

    def detached(w, b, x):
        return (torch.sigmoid(w * x + b).detach() - 1) ** 2

    with pytest.raises(AssertionError, match="gradient of detached does not match d/d\\(w, b\\)"):
        assert_gradient_matches(detached, "(sigmoid(w x + b) - 1)^2", ["w", "b"], variables=["w", "b", "x"])


def test_assert_manual_gradient_numpy_functions():
    def grad(x, y):
        return 2 * x * y, x**2

    assert assert_manual_gradient(grad, "x^2 y", ["x", "y"]).ok
    assert_manual_gradient(lambda x: np.cos(x), "sin(x)", "x")
    with pytest.raises(AssertionError, match="is not the gradient d/d\\(x, y\\)"):
        assert_manual_gradient(lambda x, y: (2 * x, x**2), "x^2 y", ["x", "y"])
    with pytest.raises(AssertionError, match="returned 1 arrays; expected 2"):
        assert_manual_gradient(lambda x, y: [2 * x * y], "x^2 y", ["x", "y"])


def test_assert_gradient_matches_tensorflow_functions(tf):
    report = assert_gradient_matches(lambda x: tf.sin(x) * x, "sin(x) x", "x", backend="tensorflow")
    assert report.ok and report.backend == "tensorflow"
    with pytest.raises(AssertionError, match="GradientTape"):
        assert_gradient_matches(lambda x: tf.sin(x) * tf.stop_gradient(x), "sin(x) x", "x",
                                backend="tensorflow")
