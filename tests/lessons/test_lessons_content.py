"""What the bundled lessons say agrees with what their code prints (issue 12, item 14)."""

import io

import pytest

from tutor.lessons.catalog import find_lesson
from tutor.lessons.progress import ProgressStore
from tutor.lessons.runner import Options, Runner
from tutor.lessons.schema import load_lesson
from tutor.lessons.ui import AutoPrompter
from tutor.render import make_console


def play(lesson_id: str, steps: set[str], worker, tmp_path, lang: str = "en") -> str:
    out = io.StringIO()
    console = make_console(file=out)
    lesson = load_lesson(find_lesson(lesson_id))
    options = Options(lang=lang, prompter=AutoPrompter(console.print), out_dir=tmp_path,
                      only=frozenset(steps))
    first = min(lesson.step_index(step) for step in steps)
    assert Runner(lesson, ProgressStore.scratch(), console, options, worker=worker).run(first) == 0
    return " ".join(out.getvalue().split())  # rich's line breaks and table padding set aside


def step_text(lesson_id: str, step_id: str, lang: str) -> str:
    lesson = load_lesson(find_lesson(lesson_id))
    return " ".join(lesson.steps[lesson.step_index(step_id)].text.get(lang).split())


def test_lesson_3_shows_that_the_difference_is_not_zero(code_worker, tmp_path):
    out = play("chain-rule", {"float-equality"}, code_worker, tmp_path)
    assert "difference: │ 5.55112e-17 │ 5.55112e-17 │ ok" in out
    assert "│ 0 │ 5.55112e-17 │ ok" not in out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_2_does_not_call_float32_columns_exact_opposites(code_worker, tmp_path, lang):
    out = play("mse-softmax", {"torch-pipeline"}, code_worker, tmp_path, lang)
    printed = out.split("dL/dw: [[")[1].split("]")[0].split(", ")
    text = step_text("mse-softmax", "opposite-columns", lang)
    assert "exact opposites" not in text and "恰好互为相反数" not in text
    for number in printed:  # the numbers the text quotes are the ones PyTorch prints
        assert number.lstrip("-")[:14] in text


@pytest.mark.parametrize("lang, column, row, under", [
    ("en", "Every column of this 3×3 matrix sums to 0, because the pᵢ always sum to 1",
     "every row sums to 0 as well", "underflows"),
    ("zh", "每一列之和都是 0，因为各个 pᵢ 的总和恒为 1", "每一行之和也是 0", "下溢"),
])
def test_lesson_8_proves_what_it_says(lang, column, row, under):
    jacobian = step_text("softmax-cross-entropy", "jacobian", lang)
    assert column in jacobian and row in jacobian
    recap = step_text("softmax-cross-entropy", "recap", lang)
    assert under in recap and "overflows" not in recap and "溢出" not in recap


def test_lesson_1_shows_the_second_backward_failing_then_retain_graph(code_worker, tmp_path):
    from tutor.lowering import TENSORFLOW

    out = play("polynomial", {"two-ways"}, code_worker, tmp_path)
    assert ("backward on the same graph: Trying to backward through the graph a second time"
            in out)
    assert "retain_graph=True" in out and "FAIL" not in out
    if TENSORFLOW.installed():
        assert "second tape.gradient: A non-persistent GradientTape can only be used" in out
        assert "persistent tape, second call: [16.]" in out


def test_lesson_4_shows_why_not_minus_equals_and_adam_in_tensorflow(code_worker, tmp_path):
    from tutor.lowering import TENSORFLOW

    out = play("himmelblau", {"both-frameworks"}, code_worker, tmp_path)
    assert "xy -= lr * grad: a leaf Variable that requires grad" in out and "FAIL" not in out
    if TENSORFLOW.installed():
        assert "xy -= lr * grad: `variable -= value` with `tf.Variable`s" in out
        assert "xy - lr * grad is a EagerTensor" in out and "tape.gradient for it: None" in out
        assert "Adam, 20000 steps: x, y = [3. 2.]" in out


@pytest.mark.parametrize("lang, outdated", [("en", "That is out of date: `F.one_hot`"),
                                            ("zh", "这已经过时了：`F.one_hot`")])
def test_lesson_2_corrects_the_hand_made_one_hot_and_names_the_loss_forms(lang, outdated):
    text = step_text("mse-softmax", "torch-pipeline", lang)
    assert outdated in text and "`F.cross_entropy`" in text
    for form in ("`F.mse_loss`", "`torch.nn.MSELoss()`", "`tf.keras.losses.MeanSquaredError()`"):
        assert form in text
