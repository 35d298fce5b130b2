"""Lesson formulas: tensors element by element, index notation, let bindings, seeded values."""

import numpy as np
import pytest
import sympy

from tutor.errors import LessonError, ParseError
from tutor.lessons.catalog import find_lesson
from tutor.lessons.descend import descend
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.model import Lesson, Let, Source, Tensor, Text
from tutor.lessons.schema import load_lesson
from tutor.parsing import parse, symbol


def lesson_with(tensors=(), lets=(), variables=()):
    return Lesson(path=None, id="t", order=1, title=Text({"": "t"}), summary=Text({"": "t"}),
                  steps=(), variables=tuple(variables), tensors=tuple(tensors),
                  lets=tuple(Let(name, idx, Source(body, n)) for n, (name, idx, body) in enumerate(lets, 1)))


def test_matrix_product_in_index_notation():
    math = LessonMath(lesson_with(
        tensors=[Tensor("a", (2, 3), 1, init="zeros"), Tensor("v", (3,), 2, init="zeros")],
        lets=[("av", ("i",), "sum(j, a[i,j]*v[j])")]))
    assert math.shapes["av"] == (2,)
    av1 = math.substitute(symbol("av_1"))
    assert av1 == parse("a_1_0*v_0 + a_1_1*v_1 + a_1_2*v_2")


def test_data_tensors_become_numbers():
    math = LessonMath(lesson_with(
        tensors=[Tensor("p", (2,), 1, init="zeros"), Tensor("y", (1, 2), 2, one_hot=(1,), depth=2)]))
    assert math.expr(Source("sum(k, (p[k] - y[0,k])^2)", 1), "t") == parse("p_0^2 + (p_1 - 1)^2")


def test_holding_a_binding_keeps_it_a_variable():
    math = LessonMath(lesson_with(variables=["x1", "w1", "b1", "w2", "b2"],
                                  lets=[("y1", (), "x1*w1 + b1"), ("y2", (), "y1*w2 + b2")]))
    assert math.expr(Source("y2", 1), "t", hold=["y1"]) == parse("y1*w2 + b2")
    assert sympy.expand(math.expr(Source("y2", 1), "t")) == sympy.expand(parse("(x1*w1 + b1)*w2 + b2"))
    assert math.read_answer("w2*y1") == parse("w2*(x1*w1 + b1)")


@pytest.mark.parametrize("body, message", [
    ("sum(j, a[i,j])", "'i' in a[i,j] is not a number or an index letter"),
    ("a[0,5]", "index 5 is out of range for a (size 3)"),
    ("a[0]", "a has 2 dimension(s) [2, 3], but a[0] gives 1 index(es)"),
    ("q[0]", "'q' is not a tensor or an indexed let binding"),
    ("sum(j, a[0,j]", "has no closing parenthesis"),
])
def test_index_mistakes_are_named(body, message):
    math = LessonMath(lesson_with(tensors=[Tensor("a", (2, 3), 1, init="zeros")]))
    with pytest.raises(ParseError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        math.expand(body)


def test_an_index_over_different_sizes_is_rejected():
    with pytest.raises(LessonError, match="index 'j' indexes dimensions of different sizes"):
        LessonMath(lesson_with(tensors=[Tensor("a", (2, 3), 1, init="zeros"),
                                        Tensor("v", (2,), 2, init="zeros")],
                               lets=[("s", (), "sum(j, a[0,j]*v[j])")]))


def test_seeded_values_are_torchs_draws():
    import torch

    lesson = load_lesson(find_lesson("mse-softmax"))
    values = LessonMath(lesson).values
    torch.manual_seed(0)
    x, w = torch.rand(3, 4), torch.rand(4, 2)
    assert values["x_2_3"] == x[2, 3].item() and values["w_3_1"] == w[3, 1].item()
    assert values["b_0"] == 0.0 and "y_true_0_0" not in values


def test_the_mse_loss_matches_torch():
    import torch
    import torch.nn.functional as F

    lesson = load_lesson(find_lesson("mse-softmax"))
    math = LessonMath(lesson)
    loss = math.expr(Source("loss", 1), "t")
    value = float(loss.xreplace({symbol(k): v for k, v in math.values.items()}))
    torch.manual_seed(0)
    x, w = torch.rand(3, 4, dtype=torch.float32), torch.rand(4, 2)
    expected = F.mse_loss(F.softmax(x.double() @ w.double(), dim=1),
                          F.one_hot(torch.tensor([0, 1, 1]), 2).double())
    assert value == pytest.approx(expected.item(), rel=1e-12)


def test_the_full_himmelblau_descent():
    """The source's run: 30,000 float32 steps from (0, 0), every gradient checked."""
    f = parse("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    run = descend(f, ["x", "y"], [[0.0, 0.0]], lr=0.001, steps=30000, every=2000)
    assert run.check.checked == 30000 and run.check.failed == 0
    assert np.allclose(run.final[0], [3.0, 2.0], atol=1e-5)
    assert 3e-10 < run.final_values[0] < 6e-10  # about 4.5e-10, as the source prints
    assert len(run.rows) == 16 and run.rows[1].step == 2000
    assert run.last_move < 1000  # stuck: lr * grad rounds away in float32
    # The table's column and the summary say the same thing: the worst row is the worst ratio.
    assert max(row.chunk_ratio for row in run.rows) == run.check.worst_ratio


def test_sgd_retraces_the_manual_path_bit_for_bit():
    f = parse("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    starts = [[0.0, 0.0], [-4.0, -4.0]]
    manual = descend(f, ["x", "y"], starts, method="manual", lr=0.001, steps=2000)
    sgd = descend(f, ["x", "y"], starts, method="sgd", lr=0.001, steps=2000)
    assert np.array_equal(manual.path, sgd.path)
    adam = descend(f, ["x", "y"], starts, method="adam", lr=0.001, steps=2000)
    assert not np.array_equal(manual.path, adam.path)


def test_a_wrong_gradient_would_be_caught():
    """The per-step check is real: lower a different function than the one differentiated."""
    from tutor.lessons import descend as module

    f = parse("x^2")
    real_lower = module.lower
    module.lower = lambda expr, names: real_lower(parse("x^2 + 0.5*x^3"), names)
    try:
        run = descend(f, ["x"], [[1.0]], lr=0.01, steps=50)
    finally:
        module.lower = real_lower
    assert run.check.failed == 50 and run.check.worst_step == 0
