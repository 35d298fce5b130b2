"""TensorFlow in lessons: code steps run their TensorFlow snippet too, and the places where
TensorFlow and PyTorch differ, as the lessons state them, are pinned here.

Tests that run TensorFlow take the ``tf`` fixture (tests/conftest.py): skipped with the reason
without the ``tensorflow`` extra, failed instead when TUTOR_REQUIRE_TENSORFLOW=1.
"""

import io
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy
import torch
from expressions import x

from tutor.functions import relu
from tutor.lessons.catalog import find_lesson
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.progress import ProgressStore
from tutor.lessons.runner import Options, Runner
from tutor.lessons.schema import load_lesson
from tutor.lessons.snippets import CodeWorker
from tutor.lessons.steps.code import numbers_after, run_code
from tutor.lessons.ui import AutoPrompter
from tutor.lowering import TENSORFLOW, TORCH, lower
from tutor.numeric import error_ratio, tolerance
from tutor.render import make_console

TOL32 = tolerance("float32")


def outputs(worker, lesson_id: str, step_id: str) -> dict[str, str]:
    """What the step's PyTorch and TensorFlow snippets printed; both must pass their checks."""
    lesson = load_lesson(find_lesson(lesson_id))
    step = lesson.steps[lesson.step_index(step_id)]
    math = LessonMath(lesson)
    printed = {}
    for framework in ("torch", "tensorflow"):
        result = run_code(math, step, worker, f"<{step_id}>", framework)
        assert result.passed and result.checks, (framework, result)
        printed[framework] = result.run.stdout
    return printed


def numbers(text: str, label: str) -> np.ndarray:
    """The numbers on the line after ``label``."""
    line = text[text.index(label) + len(label):].split("\n", 1)[0]
    return np.array([n[0] for n in numbers_after(line, 0)])


def play(lesson_id: str, step_id: str, lang: str = "en", worker=None) -> str:
    """The transcript of ``--auto`` from ``step_id`` to the end (the lessons here draw no plots)."""
    out = io.StringIO()
    console = make_console(file=out)
    lesson = load_lesson(find_lesson(lesson_id))
    options = Options(lang=lang, prompter=AutoPrompter(console.print), out_dir=Path("plots"))
    runner = Runner(lesson, ProgressStore(), console, options, worker=worker)
    assert runner.run(lesson.step_index(step_id)) == 0, out.getvalue()[-3000:]
    return out.getvalue()


# ---------------------------------------------------------------- reading TensorFlow's output


def test_numbers_in_tensorflow_reprs_are_the_values_only():
    assert [n[0] for n in numbers_after("tf.Tensor([16.], shape=(1,), dtype=float32)", 0)] == [16.0]
    variable = "<tf.Variable 'Variable:0' shape=(2,) dtype=float32, numpy=array([ 3., -2.5], dtype=float32)>"
    assert [n[0] for n in numbers_after(variable, 0)] == [3.0, -2.5]
    # positions still point into the text as printed
    text = "grad: tf.Tensor(6.0, shape=(), dtype=float32)"
    value, _, start, end = numbers_after(text, 0)[0]
    assert (value, text[start:end]) == (6.0, "6.0")


# ---------------------------------------------------------------- the differences, pinned


def test_gradients_come_back_as_a_tuple_in_torch_and_a_list_in_tensorflow(tf, code_worker):
    printed = outputs(code_worker, "polynomial", "two-ways")
    assert "torch.autograd.grad returns a tuple" in printed["torch"]
    assert "tape.gradient returns a list" in printed["tensorflow"]
    assert numbers(printed["tensorflow"], "dy/dx from tape.gradient:").tolist() == [16.0]


def test_both_make_float32_from_python_numbers(tf, code_worker):
    printed = outputs(code_worker, "polynomial", "two-ways")
    assert "dtype of x: torch.float32" in printed["torch"]
    assert "dtype of x: float32" in printed["tensorflow"]


def test_unwatched_constant_gives_none_in_tensorflow_and_an_error_in_torch(tf, code_worker):
    printed = outputs(code_worker, "polynomial", "watch-constants")
    assert "untracked tensor: RuntimeError\n    element 0 of tensors does not require grad" in printed["torch"]
    assert "unwatched constant: tape.gradient gives None" in printed["tensorflow"]
    assert numbers(printed["tensorflow"], "after tape.watch(c):").tolist() == [16.0]


def test_tensorflow_does_not_accumulate_gradients(tf, code_worker):
    printed = outputs(code_worker, "polynomial", "accumulation-trap")
    assert "after backward number 2: x.grad = 32.0" in printed["torch"]
    assert numbers(printed["tensorflow"], "gradient 2:")[0] == 16.0


def test_round_has_gradient_zero_in_torch_and_none_in_tensorflow(tf, code_worker):
    printed = outputs(code_worker, "grad-bookkeeping", "straight-through")
    assert "round: grad = 0.0" in printed["torch"]
    assert "round: grad = None" in printed["tensorflow"]


def test_mixing_float32_and_float64_promotes_in_torch_and_fails_in_tensorflow(tf, code_worker):
    printed = outputs(code_worker, "gradcheck", "h-sweep")
    assert "float32 + float64: torch.float64" in printed["torch"]
    assert "float32 + float64: InvalidArgumentError" in printed["tensorflow"]


def test_kinks_are_resolved_differently(tf, code_worker):
    printed = outputs(code_worker, "tanh-relu", "kink-code")
    assert numbers(printed["torch"], "maximum(x, 0) at 0: grad =").tolist() == [0.5]
    assert numbers(printed["tensorflow"], "tf.maximum(x, 0) at 0: grad =").tolist() == [1.0]
    assert numbers(printed["tensorflow"], "leaky_relu at 0: grad =").tolist() == [pytest.approx(0.2)]


def test_tensorflow_mse_of_the_lesson_matches_torch_mse_loss(tf, code_worker):
    printed = outputs(code_worker, "mse-softmax", "torch-pipeline")
    torch_loss = numbers(printed["torch"], "loss:")[0]
    tf_loss = numbers(printed["tensorflow"], "loss:")[0]
    assert abs(tf_loss - torch_loss) <= TOL32 * abs(torch_loss)
    for label in ("dL/dw:", "dL/db:"):
        np.testing.assert_allclose(numbers(printed["tensorflow"], label),
                                   numbers(printed["torch"], label), rtol=TOL32, atol=TOL32 * 0.1)


def test_reduce_mean_of_tf_losses_mse_is_f_mse_loss(tf):
    """tf.losses.MSE averages the last axis only; reduce_mean over the rest gives F.mse_loss."""
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(0)
    probs, target = rng.random((5, 3), dtype=np.float32), rng.random((5, 3), dtype=np.float32)
    per_row = tf.losses.MSE(target, probs)
    assert per_row.shape == (5,)
    mean = float(tf.reduce_mean(per_row))
    want = F.mse_loss(torch.from_numpy(probs), torch.from_numpy(target)).item()
    assert abs(mean - want) <= TOL32 * want


def test_himmelblau_descent_lands_on_the_same_point_in_both(tf, code_worker):
    printed = outputs(code_worker, "himmelblau", "both-frameworks")
    torch_end = numbers(printed["torch"], "manual, 2000 steps: x, y =")[:2]  # then f
    tf_end = numbers(printed["tensorflow"], "assign_sub, 2000 steps: x, y =")[:2]
    np.testing.assert_allclose(tf_end, torch_end, rtol=1e-6)
    np.testing.assert_allclose(tf_end, [3, 2], atol=1e-5)
    assert "SGD = assign_sub, bit for bit: True" in printed["tensorflow"]


# ---------------------------------------------------------------- running, and not running


def test_tensorflow_import_is_not_timed_as_part_of_the_snippet(tf, tmp_path):
    """TensorFlow's import takes seconds; a 1-second limit still lets a fresh worker's
    first TensorFlow snippet pass, and a runaway one is still stopped."""
    lesson = tmp_path / "quick.yaml"
    lesson.write_text(
        "schema: 1\nid: quick\norder: 1\ntitle: Quick\nsummary: Quick.\nvariables: [x]\nsteps:\n"
        "  - id: run\n    kind: code\n    timeout: 1\n    at: {x: 3}\n"
        "    torch: print('grad:', 6.0)\n"
        "    tensorflow: |\n      import tensorflow as tf\n      x = tf.Variable(3.0)\n"
        "      with tf.GradientTape() as tape:\n          y = x * x\n"
        "      print('grad:', tape.gradient(y, x).numpy())\n"
        "    expect: [{after: 'grad:', value: '2*x'}]\n"
        "  - id: spins\n    kind: code\n    timeout: 1\n    torch: print('fine')\n"
        "    tensorflow: |\n      while True:\n          pass\n")
    loaded = load_lesson(lesson)
    fresh = CodeWorker()
    try:
        ok = run_code(LessonMath(loaded), loaded.steps[0], fresh, "<run>", "tensorflow")
        assert ok.passed and [c.ok for c in ok.checks] == [True], ok
        stopped = run_code(LessonMath(loaded), loaded.steps[1], fresh, "<spins>", "tensorflow")
        assert stopped.run.timed_out and not stopped.passed
    finally:
        fresh.stop()


def test_runner_preloads_tensorflow_for_a_lesson_with_tensorflow_steps(tf, code_worker):
    out = play("polynomial", "watch-constants", worker=code_worker)
    assert code_worker.imported["tensorflow"] is None  # imported, without an error
    assert "TensorFlow (runs now):" in out and "unwatched constant: tape.gradient gives None" in out


def test_without_tensorflow_the_snippet_is_shown_not_run(code_worker, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # as if not installed
    asked = []
    monkeypatch.setattr(code_worker, "warm", lambda *names, **needs: asked.extend(names))
    out = play("polynomial", "two-ways", worker=code_worker)
    assert "tensorflow" not in asked  # the worker was not asked to import TensorFlow
    assert "TensorFlow not installed: showing code only" in out
    assert 'print("tape.gradient returns a", type(grads).__name__)' in out  # shown
    assert "tape.gradient returns a list" not in out  # not run
    assert "Lesson finished: 6 of 11 steps passed." in out  # the torch half decides
    zh = play("polynomial", "two-ways", lang="zh", worker=code_worker)
    assert "未安装 TensorFlow：只显示代码" in zh


# ---------------------------------------------------------------- TensorFlow (marker: tensorflow)


def test_default_float_is_float32_and_tensorflow_never_promotes(tf):
    assert tf.constant(2.0).dtype == tf.float32 and tf.Variable([2.0]).dtype == tf.float32
    assert torch.tensor(2.0).dtype == torch.float32
    assert (torch.tensor([2.0]) + torch.tensor([1.0], dtype=torch.float64)).dtype == torch.float64
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.constant([2.0]) + tf.constant([1.0], tf.float64)
    assert lower(x + 1, ["x"], backend="tensorflow")(2.0).dtype == tf.float64  # ours: float64


def test_tape_gradient_is_a_list_and_autograd_grad_a_tuple(tf):
    def func(t):
        return t**2 + t**3 + 5

    x_tf = tf.Variable([2.0])  # Variables are watched without tape.watch
    with tf.GradientTape() as tape:
        out = func(x_tf)
    grads_tf = tape.gradient(out, [x_tf])
    x_torch = torch.tensor([2.0], requires_grad=True)
    grads_torch = torch.autograd.grad(func(x_torch), [x_torch])
    assert type(grads_tf) is list and type(grads_torch) is tuple
    assert grads_tf[0].numpy().tolist() == grads_torch[0].tolist() == [16.0]


def test_constants_need_tape_watch_and_unconnected_gradients_are_none(tf):
    c = tf.constant([2.0])
    with tf.GradientTape() as tape:
        out = c**2
    assert tape.gradient(out, c) is None  # not watched
    with tf.GradientTape() as tape:
        tape.watch(c)
        out = c**2
    assert tape.gradient(out, c).numpy().tolist() == [4.0]
    unused = tf.constant([1.0])
    with tf.GradientTape() as tape:
        tape.watch(unused)
        out = tf.math.floor(unused) + tf.constant(5.0)
    assert tape.gradient(out, unused) is None  # TensorFlow: None ...
    _, grads = TENSORFLOW.value_and_gradient(lambda t: tf.math.floor(t) + 5.0, {"x": [1.5]}, ["x"])
    assert grads.tolist() == [[0.0]]  # ... ours: zeros
    t = torch.tensor([1.5], requires_grad=True)
    assert torch.autograd.grad(torch.floor(t).sum(), [t])[0].tolist() == [0.0]  # torch: zeros


def test_persistent_tape_for_the_chain_rule(tf):
    x1, w1, b1, w2, b2 = (tf.constant([v]) for v in (0.3, 0.6, 0.1, 0.8, 0.2))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([w1, b1, w2, b2])
        y1 = x1 * w1 + b1
        y2 = y1 * w2 + b2
    [dy1_dw1] = tape.gradient(y1, [w1])
    [dy2_dy1] = tape.gradient(y2, [y1])
    [dy2_dw1] = tape.gradient(y2, [w1])
    assert dy2_dw1.numpy() == pytest.approx((dy2_dy1 * dy1_dw1).numpy())
    with tf.GradientTape() as once:
        once.watch(w1)
        y = x1 * w1
    once.gradient(y, w1)
    with pytest.raises(RuntimeError):
        once.gradient(y, w1)  # a tape that is not persistent answers once


def test_tf_mse_of_softmax_matches_torch_mse_loss(tf):
    rng = np.random.default_rng(0)
    x_np = rng.uniform(size=(3, 4)).astype(np.float32)
    w_np = rng.uniform(size=(4, 2)).astype(np.float32)
    b_np = np.zeros(2, np.float32)
    labels = [0, 1, 1]

    w_tf, b_tf = tf.constant(w_np), tf.constant(b_np)
    with tf.GradientTape() as tape:
        tape.watch([w_tf, b_tf])
        probs = tf.nn.softmax(tf.constant(x_np) @ w_tf + b_tf)
        losses = tf.losses.MSE(tf.one_hot(labels, depth=2), probs)  # one value per row
        loss_tf = tf.reduce_mean(losses)
    grads_tf = tape.gradient(loss_tf, [w_tf, b_tf])
    assert losses.shape == (3,)

    w = torch.tensor(w_np, requires_grad=True)
    b = torch.tensor(b_np, requires_grad=True)
    probs = torch.nn.functional.softmax(torch.tensor(x_np) @ w + b, dim=1)
    y_true = torch.zeros(3, 2).scatter_(1, torch.tensor(labels).view(-1, 1), 1.0)
    assert y_true.tolist() == tf.one_hot(labels, depth=2).numpy().tolist()
    loss_torch = torch.nn.functional.mse_loss(y_true, probs)
    grads_torch = torch.autograd.grad(loss_torch, [w, b])

    assert loss_tf.dtype == tf.float32 and loss_torch.dtype == torch.float32
    pairs = [(loss_tf, loss_torch), *zip(grads_tf, grads_torch, strict=True)]
    for got, want in pairs:
        ratio = error_ratio(want.detach().numpy().ravel(), got.numpy().ravel(), TOL32)
        assert np.all(ratio <= 1.0), (got, want)


def test_manual_descent_and_sgd_take_the_same_steps(tf):
    def himmelblau(p):
        return (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2

    lr, steps = 0.001, 200
    x_tf, x_sgd = tf.Variable([0.0, 0.0]), tf.Variable([0.0, 0.0])
    optimizer = tf.optimizers.SGD(lr)
    x_torch = torch.tensor([0.0, 0.0], requires_grad=True)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            pred = himmelblau(x_tf)
        x_tf.assign_sub(lr * tape.gradient(pred, [x_tf])[0])
        with tf.GradientTape() as tape:
            pred = himmelblau(x_sgd)
        optimizer.apply_gradients(zip(tape.gradient(pred, [x_sgd]), [x_sgd], strict=True))
        (grad,) = torch.autograd.grad(himmelblau(x_torch), [x_torch])
        x_torch.data.sub_(lr * grad)
    want = x_torch.detach().numpy()
    assert np.all(error_ratio(want, x_tf.numpy(), TOL32) <= 1.0)
    assert np.all(error_ratio(want, x_sgd.numpy(), TOL32) <= 1.0)
    assert np.linalg.norm(want - [3.0, 2.0]) < np.linalg.norm([3.0, 2.0])  # heading to (3, 2)


def test_max_at_a_tie_gives_a_different_subgradient_in_each_framework(tf):
    """Why kinks are left out of checks: at relu's kink the three disagree, all legitimately."""
    points = [-1.0, 0.0, 2.0]
    _, tf_grad = TENSORFLOW.value_and_gradient(lower(relu(x), ["x"], backend="tensorflow"),
                                               {"x": points}, ["x"])
    _, torch_grad = TORCH.value_and_gradient(lower(relu(x), ["x"]), {"x": points}, ["x"])
    assert tf_grad.tolist() == [[0.0, 1.0, 1.0]]  # tf.maximum: all to the first argument
    assert torch_grad.tolist() == [[0.0, 0.5, 1.0]]  # torch.maximum: split evenly
    assert sympy.diff(relu(x), x).subs(x, 0) == sympy.Rational(1, 2)  # Heaviside(0) = 1/2
