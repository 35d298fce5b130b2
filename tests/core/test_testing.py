"""`tutor.testing`: assertions for pytest-based graders, failing with the checker's reasons."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from tutor.numeric import returned_dtype, tolerance
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


# ---------------------------------------------------------------- one tolerance rule with the grader

ATTACKS = Path(__file__).parents[1] / "data" / "attacks"


def attack_module(name: str):
    """A submission the grader's tests grade (tests/test_grading_attacks.py), imported here."""
    spec = importlib.util.spec_from_file_location(f"attack_{name}", ATTACKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_float16_return_three_percent_wrong_fails_as_in_the_grader():
    half = attack_module("half_precision")
    with pytest.raises(AssertionError, match=r"float32\)"):
        assert_manual_gradient(half.grad, "x^2 y", ["x", "y"])
    with pytest.raises(AssertionError, match="DISAGREES"):
        assert_gradient_matches(half.loss, "x sin(y)", ["x", "y"])


def test_a_forward_difference_fails_as_a_manual_gradient_as_in_the_grader():
    with pytest.raises(AssertionError, match="d/d\\(x, y\\)"):
        assert_manual_gradient(attack_module("forward_difference").grad, "x^2 y", ["x", "y"])

    def forward_difference_in_float64(x, y, h=0.01):
        return ((x + h) ** 2 * y - x ** 2 * y) / h, x ** 2

    with pytest.raises(AssertionError, match="float64"):
        assert_manual_gradient(forward_difference_in_float64, "x^2 y", ["x", "y"])


def test_float32_and_float16_returns_are_judged_at_float32s_tolerance_never_their_own():
    def in_float32(x, y):
        return (2 * x * y).astype(np.float32), (x ** 2).astype(np.float32)

    def in_float16(x, y):
        return (2 * x * y).astype(np.float16), (x ** 2).astype(np.float16)

    report = assert_manual_gradient(in_float32, "x^2 y", ["x", "y"])
    assert report.dtype == "float32" and report.rtol == tolerance("float32")
    half = assert_manual_gradient(in_float16, "x^2 y", ["x", "y"])  # rounding alone passes
    assert half.dtype == "float32" and half.rtol == tolerance("float32") < tolerance("float16")
    honest = assert_gradient_matches(lambda x, y: x.float() * torch.sin(y.float()), "x sin(y)",
                                     ["x", "y"])
    assert honest.dtype == "float32"
    assert returned_dtype(np.float16([0.1])) == "float32"
    assert returned_dtype(np.array([0.1])) == "float64"
