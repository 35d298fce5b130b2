"""check_gradient: autodiff (PyTorch, TensorFlow, both) against the closed form."""

from __future__ import annotations

import json
import os

import pytest
import sympy

from tutor import gradcheck
from tutor.errors import BackendError, TutorError
from tutor.gradcheck import check_gradient
from tutor.lowering import NUMPY, TENSORFLOW
from tutor.numeric import tolerance

HIMMELBLAU = "(x^2+y-11)^2 + (x+y^2-7)^2"


TOL32 = tolerance("float32")


# ---------------------------------------------------------------- TensorFlow (marker: tensorflow)


def test_unknown_backends_and_fn_with_all_are_clear_errors():
    with pytest.raises(BackendError, match="unknown backend 'jax'; choose one of: torch, tensorflow, all"):
        check_gradient("x^2", "x", backend="jax")
    with pytest.raises(BackendError, match="NumPy has no automatic differentiation"):
        NUMPY.value_and_gradient(lambda t: t, {"x": [1.0]}, ["x"])


def test_fn_with_backend_all_is_refused(tf):
    with pytest.raises(TutorError, match="fn is written with one library"):
        check_gradient("x^2", "x", fn=lambda t: t**2, backend="all")


def test_import_tensorflow_quietens_its_logging_unless_the_user_chose(tf, monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    TENSORFLOW.library()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2"
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    TENSORFLOW.library()
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"


def test_gradient_tape_agrees_with_sympy_on_himmelblau(tf):
    report = check_gradient(HIMMELBLAU, "x,y", backend="tensorflow")
    assert report.ok and report.n_points == 1000 and report.backend == "tensorflow"
    assert report.max_rel_error < 1e-12
    assert [(p.first, p.second, p.ok) for p in report.pairs] == [("sympy", "tensorflow", True)]
    assert "GradientTape agrees" in report.message
    data = json.loads(json.dumps(report.to_dict()))
    assert data["backend"] == "tensorflow" and data["pairs"][0]["second"] == "tensorflow"


def test_users_tensorflow_function_with_a_bug_is_caught_and_located(tf):
    def buggy(x, y):  # the second square forgotten
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7)

    def right(x, y):
        return tf.math.square(x**2 + y - 11) + tf.math.square(x + y**2 - 7)

    assert check_gradient(HIMMELBLAU, "x,y", fn=right, points=200, backend="tensorflow").ok
    report = check_gradient(HIMMELBLAU, "x,y", fn=buggy, points=200, backend="tensorflow")
    assert not report.ok and report.max_value_error > 1
    wx, wy = report.worst_point["x"], report.worst_point["y"]
    expected_dy = 2 * (wx**2 + wy - 11) + 4 * wy * (wx + wy**2 - 7)
    assert report.symbolic_at_worst[1] == pytest.approx(expected_dy)
    assert report.autograd_at_worst[1] == pytest.approx(expected_dy - 4 * wy * (wx + wy**2 - 7) + 2 * wy)
    assert "DISAGREES" in report.message


@pytest.mark.parametrize("dtype", ["float32", "tf.float32"])
def test_float32_tensorflow_function_uses_the_float32_tolerance(tf, dtype):
    dtype = tf.float32 if dtype == "tf.float32" else dtype
    seen = []

    def himmelblau(x, y):
        seen.append(x.dtype)
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    report = check_gradient(HIMMELBLAU, "x,y", fn=himmelblau, dtype=dtype, backend="tensorflow")
    assert report.ok and report.dtype == "float32" and seen == [tf.float32]
    assert report.max_rel_error > 1e-9 and report.rtol == pytest.approx(TOL32)


def test_float32_constant_in_a_float64_check_explains_tensorflow_dtypes(tf):
    def scaled(x):
        return tf.constant(3.0) * x**2  # tf.constant(3.0) is float32, the points float64

    with pytest.raises(TutorError, match=r"never converts between float32 and float64.*x\.dtype"):
        check_gradient("3x^2", "x", fn=scaled, backend="tensorflow")


def test_a_function_of_the_other_framework_is_pointed_out(tf):
    with pytest.raises(TutorError, match="a tensorflow tensor: check it with backend='tensorflow'"):
        check_gradient("x^2", "x", fn=lambda t: tf.ones(t.shape[0], tf.float64), points=5)
    with pytest.raises(TutorError, match=r"shape \(\) for inputs of shape \(1000,\)\. It must work "
                                         r"elementwise: one value per point \(no tf\.reduce_sum"):
        check_gradient("x^2", "x", fn=lambda t: tf.reduce_sum(t), backend="tensorflow")


def test_constant_function_has_zero_gradient_where_tensorflow_says_none(tf):
    report = check_gradient("5 + 0*x", "x", fn=lambda t: tf.fill(t.shape, tf.constant(5.0, t.dtype)),
                            points=10, backend="tensorflow")
    assert report.ok and report.autograd_at_worst == (0.0,)


def test_kinks_are_reported_on_tensorflow(tf):
    report = check_gradient("relu(x)", "x", points={"x": [-1.0, 0.0, 2.0]}, backend="tensorflow")
    assert report.ok and report.n_points == 2
    assert report.nondifferentiable_points == ({"x": 0.0},)


def test_all_backends_agree_pairwise(tf):
    report = check_gradient("sigmoid(w*x + b) * log(1 + x^2)", "w,b", points=300, backend="all")
    assert report.ok and report.backend == "all"
    pairs = [(p.first, p.second) for p in report.pairs]
    assert pairs == [("sympy", "torch"), ("sympy", "tensorflow"), ("torch", "tensorflow")]
    assert all(p.ok and p.max_rel_error < 1e-10 for p in report.pairs)  # TF sigmoid: ~1e-12
    for words in ("SymPy vs PyTorch: agree", "SymPy vs TensorFlow: agree",
                  "PyTorch vs TensorFlow: agree"):
        assert words in report.message
    assert len(json.loads(json.dumps(report.to_dict()))["pairs"]) == 3


def test_all_backends_report_the_pair_that_differs(tf, monkeypatch):
    lowered = gradcheck._lowered

    def skewed(expr, names, backend="torch"):  # TensorFlow gets a function off by 1e-6
        return lowered(expr * (1 + sympy.Float(1e-6)) if backend == "tensorflow" else expr,
                       names, backend)

    monkeypatch.setattr(gradcheck, "_lowered", skewed)
    report = check_gradient(HIMMELBLAU, "x,y", points=100, backend="all")
    assert not report.ok
    assert [p.ok for p in report.pairs] == [True, False, False]
    assert "SymPy vs PyTorch: agree" in report.message and "PyTorch vs TensorFlow: DIFFER" in report.message
    worst = report.pairs[1]
    assert report.worst_point == worst.worst_point and report.autograd_at_worst == worst.second_at_worst
    assert worst.max_rel_error == pytest.approx(1e-6, rel=1e-3)
