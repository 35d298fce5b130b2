"""tutor.lowering: every lowered node against SymPy's own numbers, autograd, shapes, safety."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import sympy
import torch
from expressions import NODES, RTOL64, SMOOTH, exact, x, y
from sympy import Rational

from tutor.errors import BackendError, LoweringError, TutorError
from tutor.functions import relu
from tutor.gradcheck import check_gradient
from tutor.lowering import (
    BACKENDS,
    NUMPY,
    TENSORFLOW,
    TORCH,
    LoweredFunction,
    backend,
    codegen,
    lower,
    numeric_function,
)
from tutor.parsing import parse, symbol

REPO = Path(__file__).resolve().parents[2]


def torch_values(fn: LoweredFunction, *arrays: object, dtype=torch.float64) -> np.ndarray:
    return fn(*(torch.tensor(a, dtype=dtype) for a in arrays)).detach().numpy()


@pytest.mark.parametrize("expr, points", NODES, ids=[str(e) for e, _ in NODES])
def test_each_node_matches_sympy_in_torch_and_numpy(expr, points):
    want = np.array([exact(expr, {x: p}) for p in points])
    got_torch = torch_values(lower(expr, ["x"]), points)
    got_numpy = numeric_function(expr, ["x"])(np.array(points))
    np.testing.assert_allclose(got_torch, want, rtol=RTOL64, atol=RTOL64)
    np.testing.assert_allclose(got_numpy, want, rtol=RTOL64, atol=RTOL64)


def test_two_argument_nodes_match_sympy():
    expr = sympy.atan2(y, x) + sympy.atan2(1, x) + x**y
    xs, ys = np.array([0.5, 2.0, 1.5]), np.array([-1.0, 0.3, 2.0])
    want = [exact(expr, {x: a, y: b}) for a, b in zip(xs, ys, strict=True)]
    np.testing.assert_allclose(torch_values(lower(expr, ["x", "y"]), xs, ys), want, rtol=RTOL64)
    np.testing.assert_allclose(numeric_function(expr, ["x", "y"])(xs, ys), want, rtol=RTOL64)


def test_erf_lowers_to_torch_and_numpy_says_it_cannot():
    points = [-1.0, 0.0, 0.7]
    want = [exact(sympy.erf(x) + sympy.erfc(x / 2), {x: p}) for p in points]
    got = torch_values(lower(sympy.erf(x) + sympy.erfc(x / 2), ["x"]), points)
    np.testing.assert_allclose(got, want, rtol=RTOL64)
    with pytest.raises(LoweringError, match="no NumPy lowering for erf"):
        numeric_function(sympy.erf(x), ["x"])


def test_heaviside_keeps_sympy_value_at_zero_and_relu_gradient_agrees():
    assert sympy.diff(relu(x), x) == sympy.Heaviside(x)
    points = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, requires_grad=True)
    step = lower(sympy.Heaviside(x), ["x"])(points)
    assert step.tolist() == [0.0, 0.5, 1.0]
    (gradient,) = torch.autograd.grad(step.sum(), points)
    assert gradient.tolist() == [0.0, 0.0, 0.0]
    (relu_gradient,) = torch.autograd.grad(lower(relu(x), ["x"])(points).sum(), points)
    assert relu_gradient.tolist() == [0.0, 0.5, 1.0]  # = Heaviside(x), H(0) = 1/2


def test_sign_and_heaviside_of_nan_are_nan_not_a_number_made_up():
    for expr in (sympy.Heaviside(sympy.log(x)), sympy.sign(sympy.log(x))):
        got_torch = torch_values(lower(expr, ["x"]), [-1.0, 2.0])
        got_numpy = numeric_function(expr, ["x"])([-1.0, 2.0])
        assert np.isnan(got_torch[0]) and np.isnan(got_numpy[0])
        assert got_torch[1] == got_numpy[1] == 1.0


def test_dirac_delta_is_zero_away_from_zero_and_undefined_at_zero():
    delta = sympy.diff(relu(x - 1), x, 2)
    assert delta == sympy.DiracDelta(x - 1)
    points = torch.tensor([-1.0, 1.0, 2.5, float("nan")], dtype=torch.float64, requires_grad=True)
    out = lower(delta, ["x"])(points)
    np.testing.assert_equal(out.detach().numpy(), [0.0, np.nan, 0.0, np.nan])
    np.testing.assert_equal(numeric_function(delta, ["x"])(points.detach()), [0, np.nan, 0, np.nan])
    (grad,) = torch.autograd.grad(out[[0, 2]].sum(), points)
    assert grad.tolist() == [0.0, 0.0, 0.0, 0.0]
    with pytest.raises(LoweringError, match="no PyTorch lowering for DiracDelta"):
        lower(sympy.DiracDelta(x, 1), ["x"])  # a derivative of the delta: no silent wrong number


def test_composite_heaviside_argument_is_computed_once():
    source = lower(sympy.Heaviside(sympy.sin(x) * y), ["x", "y"]).source
    assert source.count("torch.sin(") == 1


@pytest.mark.parametrize("expr", SMOOTH, ids=str)
def test_autograd_through_lowered_function_matches_sympy_derivative(expr):
    points = torch.linspace(-2.3, 2.9, 41, dtype=torch.float64, requires_grad=True)
    (autograd,) = torch.autograd.grad(lower(expr, ["x"])(points).sum(), points)
    symbolic = numeric_function(sympy.diff(expr, x), ["x"])(points.detach().numpy())
    np.testing.assert_allclose(autograd.numpy(), symbolic, rtol=RTOL64, atol=RTOL64)


def test_gradient_of_two_variables_matches_sympy():
    expr = (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2
    xs = torch.tensor([0.0, 3.0, -2.8], dtype=torch.float64, requires_grad=True)
    ys = torch.tensor([1.0, 2.0, 3.1], dtype=torch.float64, requires_grad=True)
    grads = torch.autograd.grad(lower(expr, ["x", "y"])(xs, ys).sum(), (xs, ys))
    for got, wrt in zip(grads, (x, y), strict=True):
        want = numeric_function(sympy.diff(expr, wrt), ["x", "y"])(xs.detach(), ys.detach())
        np.testing.assert_allclose(got.numpy(), want, rtol=RTOL64)


def test_broadcasts_over_a_batch():
    fn = lower(x * y + sympy.sin(x), ["x", "y"])
    batch = torch.linspace(0, 1, 7, dtype=torch.float64)
    assert fn(batch, torch.tensor(2.0, dtype=torch.float64)).shape == (7,)
    assert fn(batch[:, None], torch.ones(3, dtype=torch.float64)).shape == (7, 3)
    numeric = numeric_function(x * y, ["x", "y"])
    assert numeric(np.ones((4, 1)), np.arange(5.0)).shape == (4, 5)
    assert numeric(2.0, 3.0).shape == () and float(numeric(2.0, 3.0)) == 6.0
    assert numeric(np.array([]), 1.0).shape == (0,)


@pytest.mark.parametrize("expr", [sympy.Integer(5), sympy.pi, x**2, sympy.Piecewise((1, x > 0),
                                                                                  (0, True))],
                         ids=str)
def test_constants_and_unused_inputs_give_full_shape_and_zero_gradient(expr):
    xs = torch.tensor([-1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    ys = torch.zeros(4, 1, dtype=torch.float64, requires_grad=True)
    out = lower(expr, ["x", "y"])(xs, ys)
    assert out.shape == (4, 3) and out.dtype == torch.float64
    grad_x, grad_y = torch.autograd.grad(out.sum(), (xs, ys))
    assert torch.all(grad_y == 0)
    if not expr.has(x) or isinstance(expr, sympy.Piecewise):
        assert torch.all(grad_x == 0)
    numeric = numeric_function(expr, ["x", "y"])(xs.detach(), ys.detach())
    np.testing.assert_allclose(numeric, out.detach().numpy(), rtol=RTOL64)


@pytest.mark.parametrize("expr", [sympy.floor(x), sympy.ceiling(x), sympy.sign(x),
                                  sympy.Heaviside(x - 1), sympy.Piecewise((2, x > 1), (3, True))],
                         ids=str)
def test_piecewise_constant_nodes_have_zero_gradient(expr):
    xs = torch.tensor([-1.5, 0.5, 2.5], dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(lower(expr, ["x"])(xs).sum(), xs)
    assert grad.tolist() == [0.0, 0.0, 0.0]


def test_constant_values_are_exact_float64():
    out = lower(Rational(1, 3) + sympy.E, ["x"])(torch.zeros(2, dtype=torch.float64))
    assert out.tolist() == [1 / 3 + np.e] * 2
    assert lower(sympy.Integer(7), [])().item() == 7.0
    assert numeric_function(sympy.pi, [])() == np.pi


@pytest.mark.parametrize("expr", [sympy.sin(x) * y, sympy.Max(1.0, x), sympy.Integer(5),
                                  sympy.Heaviside(x), sympy.Piecewise((1, x > 0), (2, True)),
                                  Rational(1, 3) * x + sympy.pi], ids=str)
def test_float32_in_float32_out(expr):
    xs = torch.tensor([-0.5, 0.25, 2.0], dtype=torch.float32, requires_grad=True)
    out = lower(expr, ["x", "y"])(xs, torch.tensor(1.5, dtype=torch.float32))
    assert out.dtype == torch.float32 and out.shape == (3,)
    want = numeric_function(expr, ["x", "y"])(xs.detach().double(), 1.5)
    eps32 = float(np.finfo(np.float32).eps)
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=8 * eps32, atol=8 * eps32)
    (grad,) = torch.autograd.grad(out.sum(), xs)
    assert grad.dtype == torch.float32


def test_lowered_function_shows_its_source():
    fn = lower(sympy.sin(x) ** 2 + sympy.sin(x), [x])
    assert isinstance(fn.source, str) and "torch.sin" in fn.source
    assert fn.variables == ("x",) and fn.backend == "torch"
    assert "numpy.sin" in numeric_function(sympy.sin(x), ["x"]).source
    assert lower(x, ["x"], backend="numpy").backend == "numpy"


def test_big_expression_stays_small_through_common_subexpressions():
    logistic = x
    for _ in range(8):
        logistic = 4 * logistic * (1 - logistic)
    derivative = sympy.diff(logistic, x)
    fn = numeric_function(derivative, ["x"])
    assert len(fn.source) < 4000 < len(str(derivative))
    assert "t0 = " in fn.source
    points = torch.linspace(0.05, 0.95, 9, dtype=torch.float64, requires_grad=True)
    (autograd,) = torch.autograd.grad(lower(logistic, ["x"])(points).sum(), points)
    scale = float(np.max(np.abs(autograd.numpy())))
    np.testing.assert_allclose(fn(points.detach()), autograd.numpy(), rtol=0, atol=1e-12 * scale)


def test_generated_source_does_not_depend_on_the_hash_seed():
    code = ("import sympy; from tutor.parsing import parse, symbol; from tutor.lowering import "
            "numeric_function; e = parse('sigmoid(w*x+b)*log(1+exp(x*y)) + exp(x*y)*sin(w*x+b)');"
            "print(numeric_function(sympy.diff(e, symbol('w'), symbol('x')), list('bwxy')).source)")
    sources = {subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                              text=True, timeout=60, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2", "3")}
    assert len(sources) == 1 and "t0 = " in sources.pop()


def test_chunked_numpy_evaluation_matches_torch_on_many_points():
    expr = sympy.tanh(x) * sympy.exp(-y) + relu(x - y)
    rng = np.random.default_rng(0)
    xs, ys = rng.normal(size=30_000), rng.normal(size=30_000)
    np.testing.assert_allclose(numeric_function(expr, ["x", "y"])(xs, ys),
                               torch_values(lower(expr, ["x", "y"]), xs, ys), rtol=RTOL64)


def test_temporaries_never_clash_with_variable_names():
    t0, t1 = symbol("t0"), symbol("t1")
    expr = sympy.sin(t0 + t1) ** 2 + sympy.sin(t0 + t1) + sympy.exp(t0 * t1) * sympy.exp(t0 * t1)
    want = exact(expr, {t0: 0.3, t1: -1.2})
    assert numeric_function(expr, ["t0", "t1"])(0.3, -1.2) == pytest.approx(want, rel=RTOL64)
    assert lower(expr, ["t0", "t1"])(torch.tensor(0.3, dtype=torch.float64),
                                      torch.tensor(-1.2, dtype=torch.float64)).item() == \
        pytest.approx(want, rel=RTOL64)


def test_variables_match_by_name_whatever_their_assumptions():
    plain = sympy.Symbol("x")
    assert numeric_function(plain**2 + x, [plain])(3.0) == 12.0
    assert lower(plain * 2, ["x"])(torch.tensor(2.0)).item() == 4.0


def test_inputs_that_are_not_float_tensors_become_float64():
    fn = lower(1 / x + sympy.Dummy("y"), ["x", "y"])
    out = fn(torch.tensor([1, 2]), 0.5)
    assert out.dtype == torch.float64 and out.tolist() == [1.5, 1.0]
    assert numeric_function(x / 2, ["x"])([1, 3]).tolist() == [0.5, 1.5]


def test_numpy_gives_nan_where_undefined_and_never_warns():
    cases = [(sympy.log(x), -1.0, np.nan), (sympy.sqrt(x), -1.0, np.nan), (1 / x, 0.0, np.inf),
             (sympy.exp(x), 1000.0, np.inf), (sympy.asin(x), 2.0, np.nan),
             (sympy.sqrt(-2) * x, 1.0, np.nan), (x**Rational(1, 3), -8.0, np.nan),
             (sympy.Piecewise((x, x > 0)), -1.0, np.nan), (sympy.log(-2) + x, 1.0, np.nan)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for expr, point, want in cases:
            got = numeric_function(expr, ["x"])(np.array([point, 0.5]))
            assert got.dtype == np.float64, expr
            np.testing.assert_equal(got[0], want, err_msg=str(expr))


@pytest.mark.parametrize("name", ["x); import os; (", "__import__('os')", "x y", "lambda",
                                  "_hidden", "1x", ""])
def test_crafted_variable_names_are_rejected(name):
    with pytest.raises(LoweringError, match="cannot use variable"):
        lower(x, [name])
    with pytest.raises(LoweringError):
        numeric_function(x, [sympy.Symbol(name)] if name else [name])


def test_crafted_symbol_in_expression_never_becomes_code(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    crafted = sympy.Symbol("__import__('pathlib').Path('pwned').touch()")
    for expr, variables in [(crafted + x, ["x"]), (crafted * 2, [crafted]),
                            (sympy.Function("os.system")(x), ["x"])]:
        with pytest.raises(LoweringError):
            lower(expr, variables)
        with pytest.raises(LoweringError):
            numeric_function(expr, variables)
    assert not (tmp_path / "pwned").exists()


def test_expression_symbol_missing_from_variables_is_named():
    with pytest.raises(LoweringError, match="'y', which is not among the variables \\(x\\)"):
        lower(x + y, ["x"])


def test_backend_module_name_is_not_a_variable():
    with pytest.raises(LoweringError, match="backend module"):
        lower(symbol("torch") + 1, ["torch"])
    assert numeric_function(symbol("torch") + 1, ["torch"])(1.0) == 2.0
    numpy_ = symbol("numpy")  # NumPy code is never shown, so it names its module _numpy
    assert numeric_function(sympy.sin(numpy_) + numpy_, ["numpy"])(0.0) == 0.0


def test_nested_relus_lower_without_rebuilding_max():
    nested = x
    for _ in range(30):  # Max is made inert while code is generated: still the maximum
        nested = relu(nested - 1)
    fn = numeric_function(sympy.diff(nested, x) + nested, ["x"])
    assert fn(np.array([0.0, 40.0])).tolist() == [0.0, 11.0]
    assert "maximum" in fn.source
    constant = sympy.Max(1, sympy.pi, evaluate=False)  # a constant still prints as its value
    assert numeric_function(constant + x, ["x"])(1.0) == pytest.approx(1 + np.pi, rel=RTOL64)


@pytest.mark.parametrize("expr, node", [
    (sympy.zeta(x), "zeta"), (sympy.gamma(x), "gamma"), (sympy.loggamma(x), "loggamma"),
    (sympy.Function("f")(x), "f"), (sympy.Mod(x, 3), "Mod"), (sympy.re(x + sympy.I * x), None),
    (sympy.besselj(1, x), "besselj"),
    (sympy.Piecewise((x, sympy.Xor(x > 0, x < 2)), (0, True)), "Xor"),
    (sympy.Piecewise((x, sympy.Contains(x, sympy.Interval(0, 1))), (0, True)), "Contains"),
])
def test_nodes_without_a_lowering_raise_naming_the_node(expr, node):
    if node is None:  # SymPy itself reduced it to plain x: nothing to refuse
        assert lower(expr, ["x"])(torch.tensor(2.0)).item() == 2.0
        return
    with pytest.raises(LoweringError, match=f"no PyTorch lowering for {node} \\(in "):
        lower(expr, ["x"])
    with pytest.raises(LoweringError, match=f"no NumPy lowering for {node} "):
        numeric_function(expr, ["x"])


def test_unsupported_node_is_shown_as_written_not_as_temporaries():
    inner = sympy.sin(x) + 1
    with pytest.raises(LoweringError, match=r"in zeta\(sin\(x\) \+ 1\)"):
        lower(sympy.zeta(inner) + inner**2 + sympy.exp(inner), ["x"])


def test_unevaluated_derivative_asks_to_derive_first():
    for expr in (sympy.Derivative(x**2, x), sympy.Derivative(sympy.Function("f")(x), x) + x):
        with pytest.raises(LoweringError, match="derive first"):
            lower(expr, ["x"])


def test_bad_arguments():
    with pytest.raises(BackendError, match="unknown backend 'jax'"):
        lower(x, ["x"], backend="jax")
    with pytest.raises(TypeError, match="tutor.parsing.parse"):
        lower("x**2", ["x"])
    with pytest.raises(TypeError, match="expected 2 arrays"):
        lower(x + y, ["x", "y"])(torch.ones(2))
    with pytest.raises(LoweringError, match="listed twice"):
        lower(x, ["x", "x"])


def test_importing_lower_does_not_import_torch():
    code = "import tutor.lowering, sys; assert 'torch' not in sys.modules, 'torch imported'"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- bounds: time and size

HUGE_CONSTANT = "x + sin(exp(exp(exp(5))))"  # sin of a 10^64-digit number: evalf never ends


@pytest.fixture
def short_time_limit(monkeypatch):
    monkeypatch.setattr(codegen, "MAX_SECONDS", 0.3)


@pytest.mark.parametrize("make", [lambda e: lower(e, ["x"]), lambda e: numeric_function(e, ["x"])])
def test_a_constant_that_cannot_be_evaluated_in_time_is_named(short_time_limit, make):
    start = time.perf_counter()
    with pytest.raises(LoweringError, match=r"cannot evaluate the constant sin\(exp\(exp\(exp\(5\)\)\)\) "
                                            r"within 0\.3 s \(the time limit for lowering\)"):
        make(parse(HUGE_CONSTANT))
    assert time.perf_counter() - start < 3
    assert float(make(parse("x + sin(2)"))(1.0)) == pytest.approx(1 + np.sin(2))  # still lowers


def test_the_check_command_with_such_a_constant_ends_with_exit_2(short_time_limit, capsys):
    from tutor.cli import main

    start = time.perf_counter()
    assert main(["check", HUGE_CONSTANT, "--of", "x^2/2", "--wrt", "x"]) == 2
    assert time.perf_counter() - start < 3
    assert "cannot evaluate the constant sin(exp(exp(exp(5))))" in capsys.readouterr().out


def test_an_expression_with_too_many_parts_is_refused(monkeypatch):
    monkeypatch.setattr(codegen, "MAX_NODES", 50)
    with pytest.raises(LoweringError, match="more than 50 distinct parts, the limit for lowering"):
        lower(sum(x**k for k in range(2, 40)), ["x"])
    assert lower(x**2 + x, ["x"])(torch.tensor([2.0])).tolist() == [6.0]


def test_lowering_outside_the_main_thread_runs_without_a_timer():
    results = []
    worker = threading.Thread(target=lambda: results.append(numeric_function(parse("x + sin(2)"), ["x"])))
    worker.start()
    worker.join(timeout=60)
    assert float(results[0](0.0)) == pytest.approx(np.sin(2))


# ---------------------------------------------------------------- backends as objects


def test_backends_are_looked_up_by_name_and_know_their_library():
    assert list(BACKENDS) == ["torch", "tensorflow", "numpy"]
    assert backend("torch") is TORCH and TORCH.installed() and NUMPY.installed()
    assert TORCH.namespace()["torch"] is torch
    with pytest.raises(BackendError, match="unknown backend 'jax'; choose one of: torch, tensorflow, numpy"):
        backend("jax")
    with pytest.raises(BackendError, match="NumPy has no automatic differentiation; choose torch or tensorflow"):
        NUMPY.value_and_gradient(lambda t: t, {"x": [1.0]}, ["x"])


def test_value_and_gradient_on_torch_in_float32_and_with_nothing_to_differentiate():
    values, grads = TORCH.value_and_gradient(lambda x, y: x * y, {"x": [1.0, 2.0], "y": [3.0, 4.0]},
                                             ["y"], dtype="float32")
    assert values.dtype == np.float64 and values.tolist() == [3.0, 8.0]
    assert grads.tolist() == [[1.0, 2.0]]  # d/dy only
    _, none = TORCH.value_and_gradient(lambda x: x * 2, {"x": [1.0, 2.0]}, [])
    assert none.shape == (0, 2)
    _, constant = TORCH.value_and_gradient(lambda x: torch.ones_like(x), {"x": [1.0]}, ["x"])
    assert constant.tolist() == [[0.0]]  # no graph: zeros, never None


def test_one_value_per_point_names_the_function_and_what_it_returned():
    with pytest.raises(TutorError, match=r"^loss returned a tensor of shape \(\) for inputs of shape "
                                         r"\(3,\)\. It must work elementwise: one value per point "
                                         r"\(no \.sum\(\), \.mean\(\) or \.item\(\)\)\.$"):
        TORCH.one_value_per_point(torch.zeros(()), 3, "loss")
    with pytest.raises(TutorError, match=r"returned a tensor of shape \(3, 2\) .* one value per point"):
        TORCH.one_value_per_point(torch.zeros(3, 2), 3)
    with pytest.raises(TutorError, match=r"^the function returned float; it must return a torch tensor"):
        TORCH.one_value_per_point(1.0, 3)
    TORCH.one_value_per_point(torch.zeros(3), 3)


HIMMELBLAU = "(x^2+y-11)^2 + (x+y^2-7)^2"


def tf_values(tf, fn, *arrays, dtype="float64"):
    return fn(*(tf.constant(np.asarray(a, dtype=dtype)) for a in arrays)).numpy()


# ---------------------------------------------------------------- TensorFlow (marker: tensorflow)


@pytest.mark.parametrize("expr, points", NODES, ids=[str(e) for e, _ in NODES])
def test_each_node_matches_sympy_eagerly_and_in_a_tf_function(tf, expr, points):
    fn = lower(expr, ["x"], backend="tensorflow")
    want = np.array([exact(expr, {x: p}) for p in points])
    eager = fn(tf.constant(points, tf.float64))
    assert eager.dtype == tf.float64 and eager.shape == (len(points),)
    np.testing.assert_allclose(eager.numpy(), want, rtol=RTOL64, atol=RTOL64)
    # In a graph a bare Python float that comes first would turn float32: constants are typed.
    graph = tf.function(fn)(tf.constant(points, tf.float64))
    np.testing.assert_allclose(graph.numpy(), want, rtol=RTOL64, atol=RTOL64)


def test_two_argument_nodes_and_erf_match_sympy(tf):
    expr = sympy.atan2(y, x) + sympy.atan2(1, x) + x**y + sympy.erf(x) + sympy.erfc(y / 2)
    xs, ys = [0.5, 2.0, 1.5], [-1.0, 0.3, 2.0]
    want = [exact(expr, {x: a, y: b}) for a, b in zip(xs, ys, strict=True)]
    got = tf_values(tf, lower(expr, ["x", "y"], backend="tensorflow"), xs, ys)
    np.testing.assert_allclose(got, want, rtol=RTOL64)


@pytest.mark.parametrize("expr", SMOOTH, ids=str)
def test_gradient_tape_through_lowered_function_matches_sympy_derivative(tf, expr):
    points = tf.constant(np.linspace(-2.3, 2.9, 41))
    with tf.GradientTape() as tape:
        tape.watch(points)
        out = lower(expr, ["x"], backend="tensorflow")(points)
    (gradient,) = tape.gradient(out, [points])
    symbolic = numeric_function(sympy.diff(expr, x), ["x"])(points.numpy())
    np.testing.assert_allclose(gradient.numpy(), symbolic, rtol=RTOL64, atol=RTOL64)


def test_gradient_of_two_variables_matches_torch(tf):
    expr = sympy.parse_expr(HIMMELBLAU.replace("^", "**"), {"x": x, "y": y})
    xs, ys = [0.0, 3.0, -2.8], [1.0, 2.0, 3.1]
    tx, ty = tf.constant(xs, tf.float64), tf.constant(ys, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([tx, ty])
        out = lower(expr, ["x", "y"], backend="tensorflow")(tx, ty)
    tf_grads = tape.gradient(out, [tx, ty])
    px = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    py = torch.tensor(ys, dtype=torch.float64, requires_grad=True)
    torch_grads = torch.autograd.grad(lower(expr, ["x", "y"])(px, py).sum(), (px, py))
    for got, want in zip(tf_grads, torch_grads, strict=True):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=RTOL64)


def test_broadcasting_dtypes_and_inputs_that_are_not_tensors(tf):
    fn = lower(x * y + sympy.sin(x), ["x", "y"], backend="tensorflow")
    batch = tf.constant(np.linspace(0, 1, 7))
    assert fn(batch, tf.constant(2.0, tf.float64)).shape == (7,)
    assert fn(batch[:, None], tf.ones(3, tf.float64)).shape == (7, 3)
    from_python = fn([1.0, 2.0], 0.1)  # lists and Python floats: float64, as with torch
    assert from_python.dtype == tf.float64
    assert from_python.numpy()[0] == pytest.approx(0.1 + np.sin(1.0), rel=RTOL64)
    assert fn(tf.constant([1, 2]), 3).dtype == tf.float64  # integers too
    single = fn(tf.constant([0.5, 2.0], tf.float32), tf.constant(1.5, tf.float32))
    assert single.dtype == tf.float32
    # TensorFlow never mixes float types; the lowered function casts to the widest input
    mixed = fn(tf.constant([0.5], tf.float32), tf.constant([1.5], tf.float64))
    assert mixed.dtype == tf.float64


@pytest.mark.parametrize("expr", [sympy.Integer(5), sympy.pi, x**2, sympy.floor(x),
                                  sympy.ceiling(x), sympy.sign(x), sympy.Heaviside(x - 1),
                                  sympy.Piecewise((1, x > 0), (0, True))], ids=str)
def test_gradients_are_zeros_never_none_and_shapes_are_full(tf, expr):
    xs = tf.constant([-1.5, 0.5, 2.5], tf.float64)
    ys = tf.zeros((4, 1), tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([xs, ys])
        out = lower(expr, ["x", "y"], backend="tensorflow")(xs, ys)
    assert out.shape == (4, 3) and out.dtype == tf.float64
    grad_x, grad_y = tape.gradient(out, [xs, ys])
    assert grad_y is not None and not np.any(grad_y.numpy())
    assert grad_x is not None
    want_grad = 2 * xs.numpy() * 4 if expr == x**2 else np.zeros(3)  # summed over 4 rows of y
    np.testing.assert_allclose(grad_x.numpy(), want_grad, rtol=RTOL64)
    want = numeric_function(expr, ["x", "y"])(xs.numpy(), ys.numpy())
    np.testing.assert_allclose(out.numpy(), want, rtol=RTOL64)


def test_source_is_tensorflow_code_shown_to_learners(tf):
    fn = lower(sympy.sin(x) ** 2 + sympy.Max(1, x), [x], backend="tensorflow")
    assert fn.backend == "tensorflow" and fn.variables == ("x",)
    assert "tf.math.sin" in fn.source and "tf.maximum" in fn.source and "torch" not in fn.source
    assert fn.source.count("tf.math.sin(") == 1  # common subexpressions computed once


@pytest.mark.parametrize("expr, node", [(sympy.zeta(x), "zeta"), (sympy.gamma(x), "gamma"),
                                        (sympy.Mod(x, 3), "Mod"), (sympy.Function("f")(x), "f"),
                                        (sympy.DiracDelta(x, 1), "DiracDelta")])
def test_node_without_a_tensorflow_lowering_is_named(tf, expr, node):
    with pytest.raises(LoweringError, match=f"no TensorFlow lowering for {node} \\(in "):
        lower(expr, ["x"], backend="tensorflow")


def test_names_the_generated_code_uses_are_not_variables(tf):
    for name in ("tf", "float"):
        with pytest.raises(LoweringError, match="backend module or a builtin"):
            lower(sympy.Symbol(name) + 1, [name], backend="tensorflow")


def test_missing_tensorflow_names_the_extra(no_tensorflow):
    assert not TENSORFLOW.installed()
    message = 'TensorFlow is not installed: pip install "tutor\\[tensorflow\\]"'
    with pytest.raises(BackendError, match=message):
        lower(x**2, ["x"], backend="tensorflow")
    for choice in ("tensorflow", "all"):
        with pytest.raises(BackendError, match=message):
            check_gradient("x^2", "x", backend=choice)
    with pytest.raises(BackendError, match=message):
        TENSORFLOW.value_and_gradient(lambda t: t, {"x": [1.0]}, ["x"])
    assert check_gradient("x^2", "x", points=5).ok  # torch goes on working
