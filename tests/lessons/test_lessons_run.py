"""The runner in scripted mode, in-process: every bundled lesson to the end, answers files,
bad input at the prompt, misbehaving code steps, language choice."""

import argparse
import io
import json
import sys
from pathlib import Path

import pytest

from tutor.errors import LessonError
from tutor.lessons.catalog import catalog, find_lesson
from tutor.lessons.commands import register
from tutor.lessons.progress import ProgressStore, state_dir
from tutor.lessons.runner import Options, Runner
from tutor.lessons.schema import load_lesson
from tutor.lessons.steps.code import Code
from tutor.lessons.ui import AutoPrompter
from tutor.lowering import TENSORFLOW
from tutor.render import make_console

DATA = Path(__file__).parents[1] / "data" / "lessons"


def tutor(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tutor")
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.run(args)


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setenv("TUTOR_MAX_DESCENT_STEPS", "300")


@pytest.fixture
def no_tensorflow(monkeypatch):
    """TensorFlow as if not installed (tests of answers need not pay for its import)."""
    monkeypatch.setitem(sys.modules, "tensorflow", None)


@pytest.mark.parametrize("lesson", [info.id for info in catalog()])
def test_every_bundled_lesson_plays_to_the_end(lesson, code_worker, tmp_path):
    out = io.StringIO()
    console = make_console(file=out)
    options = Options(lang="en", prompter=AutoPrompter(console.print), out_dir=tmp_path,
                      descent_cap=300)
    loaded = load_lesson(find_lesson(lesson))
    code = Runner(loaded, ProgressStore(), console, options, worker=code_worker).run()
    out = out.getvalue()
    total = len([i for i in catalog() if i.id == lesson][0].step_ids)
    assert code == 0, out[-3000:]
    assert f"Lesson finished: {total} of {total} steps passed." in out
    assert "FAIL" not in out
    # Every TensorFlow snippet ran (and passed, above) when TensorFlow is installed.
    tf_steps = sum(isinstance(step, Code) and step.tensorflow is not None for step in loaded.steps)
    shown = "TensorFlow (runs now):" if TENSORFLOW.installed() else "TensorFlow not installed"
    assert out.count(shown) == tf_steps
    progress = json.loads((state_dir() / "progress.json").read_text())
    assert progress["lessons"][lesson]["finished"] is True


def test_polynomial_demo_shows_the_sources_numbers(capsys):
    assert tutor("learn", "polynomial", "--auto") == 0
    out = capsys.readouterr().out
    assert "dy/dx from autograd.grad: 16.0" in out
    assert "dy/dx from backward + x.grad: 16.0" in out
    assert "after backward number 2: x.grad = 32.0" in out
    assert "torch.autograd.grad returns a tuple" in out
    if TENSORFLOW.installed():
        assert "tape.gradient returns a list" in out and "tape.gradient gives None" in out
    assert "How it is derived:" in out and "power rule" in out  # the derivation, rule by rule
    assert "Result: d/dx (x³ + x² + 5) = 3x² + 2x" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_himmelblau_plot_and_the_typo(quick, tmp_path, capsys):
    assert tutor("learn", "himmelblau", "--auto", "--step", "four-starts", "--out", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "not stationary" in out and "fails (expected)" in out
    assert out.count("minimum        │ ok") == 4
    pytest.importorskip("matplotlib")
    png = tmp_path / "himmelblau-paths.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_answers_file_with_mistakes_hints_and_garbage(no_tensorflow, tmp_path, capsys):
    answers = tmp_path / "answers.txt"
    answers.write_text("\n".join([
        "# the first question",
        "2x + 3x^2 + 5",     # a known wrong answer: its own feedback and the checker's mistake
        "hint",
        "2x + 3x^2 +",       # cannot be read: says so, does not cost a try
        "3x^2 + 2x",
        "17",                # y itself, not the slope
        "16",
        "1", "2",            # the two multiple-choice questions
    ]) + "\n")
    assert tutor("learn", "polynomial", "--answers", str(answers)) == 0
    out = capsys.readouterr().out
    assert "Almost: the 5 does not change when x changes" in out
    assert "Constant rule" not in out  # the lesson's feedback instead of the checker's, not both
    assert "Not quite" not in out  # both wrong answers are known ones, with their own feedback
    assert "Hint 1: Differentiate term by term" in out
    assert "Could not read your answer" in out and "That does not count as a try." in out
    assert "17 is y itself at x = 2" in out
    assert "Reference answer: 16" in out
    assert "Lesson finished: 11 of 11 steps passed." in out


def test_wrong_answers_use_up_the_tries(no_tensorflow, tmp_path, capsys):
    answers = tmp_path / "answers.txt"
    answers.write_text("x\nx^2\nx^3\nskip\n1\n2\n")
    assert tutor("learn", "polynomial", "--answers", str(answers)) == 1
    out = capsys.readouterr().out
    assert "Try again (2 left)" in out and "Try again (1 left)" in out
    assert "No tries left. The answer was: 2*x + 3*x^2" in out
    assert "Skipped." in out
    assert "Lesson finished: 9 of 11 steps passed." in out


def test_hints_are_offered_not_forced(no_tensorflow, tmp_path, capsys):
    answers = tmp_path / "answers.txt"
    answers.write_text("x\nx^2\nhint\n3x^2 + 2x\n16\n1\n2\n")
    assert tutor("learn", "polynomial", "--answers", str(answers)) == 0
    out = capsys.readouterr().out
    assert out.count("type hint for a hint") == 2
    assert out.count("Hint 1:") == 1 and "Hint 2:" not in out  # only the hint asked for


def test_counterexamples_respect_the_lessons_domains(no_tensorflow, tmp_path, capsys):
    answers = tmp_path / "answers.txt"
    answers.write_text("p - y\n")
    tutor("learn", "mse-softmax", "--step", "dloss-dprob", "--answers", str(answers))
    out = capsys.readouterr().out
    shown = out.split("answer> p - y")[1].split("your answer")[0]  # " Not quite: at p = ..., y = 1"
    values = dict(item.split(" = ") for item in shown.split(" at ")[1].strip().split(", "))
    assert 0 < float(values["p"]) < 1 and values["y"] in ("0", "1")


def test_answers_that_run_out_stop_cleanly(tmp_path, capsys):
    answers = tmp_path / "answers.txt"
    answers.write_text("2x + 3x^2\n")
    assert tutor("learn", "polynomial", "--answers", str(answers)) == 1
    assert "The answers ran out at step 3; this run was not recorded" in capsys.readouterr().out
    assert not (state_dir() / "progress.json").exists()
    assert tutor("learn", "polynomial", "--answers", str(answers), "--save") == 1
    out = capsys.readouterr().out
    assert "The answers ran out at step 3; progress saved." in out
    saved = json.loads((state_dir() / "progress.json").read_text())["lessons"]["polynomial"]
    assert saved["position"] == "slope-at-2" and saved["steps"]["dydx"] == "passed"


def test_misbehaving_code_is_stopped_and_the_lesson_goes_on(capsys):
    code = tutor("learn", str(DATA / "runaway-code.yaml"), "--auto")
    out = capsys.readouterr().out
    assert code == 1  # those steps did not pass
    assert "The snippet did not finish within 2 s and was stopped." in out
    assert "crashed the worker process (exit code 3)" in out
    assert "grad: 6.0" in out  # a fresh worker ran the next snippet
    assert "ValueError: a bug in the snippet" in out
    assert "Still here." in out
    assert "Lesson finished: 2 of 5 steps passed." in out


def test_chinese_text_from_flag_and_from_locale(monkeypatch, capsys):
    assert tutor("learn", "polynomial", "--auto", "--lang", "zh", "--step", "why-32") == 0
    assert "为什么第二次读到的是 32？" in capsys.readouterr().out
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert tutor("learn", "polynomial", "--auto", "--step", "wrap-up") == 0
    assert "本课验证了" in capsys.readouterr().out


def test_unknown_lesson_and_step_name_the_choices():
    with pytest.raises(LessonError, match="no lesson called 'nope'; the lessons are: polynomial"):
        tutor("learn", "nope", "--auto")
    with pytest.raises(LessonError, match="has no step 'nope'; its steps are: welcome, dydx"):
        tutor("learn", "polynomial", "--auto", "--step", "nope")


def test_list_and_reset(capsys):
    tutor("learn", "polynomial", "--auto", "--step", "wrap-up", "--save")
    capsys.readouterr()
    assert tutor("list") == 0
    listing = capsys.readouterr().out
    assert "polynomial" in listing and "himmelblau" in listing
    count = len(catalog())
    assert "passed, finished" in listing and f"1/{count} lessons finished" in listing
    assert tutor("reset", "polynomial") == 0
    assert "Forgot your progress in polynomial." in capsys.readouterr().out
    tutor("list")
    listing = capsys.readouterr().out
    assert "passed, finished" not in listing and f"0/{count} lessons finished" in listing


def test_without_matplotlib_the_plot_is_skipped(quick, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    assert tutor("learn", "himmelblau", "--auto", "--step", "four-starts", "--out", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "No plot: matplotlib is not installed (pip install 'tutor[plot]'). The lesson goes on." in out
    assert not (tmp_path / "himmelblau-paths.png").exists()


def test_chinese_line_breaks_join_without_spaces():
    from tutor.lessons.display import markdown

    out = io.StringIO()
    markdown(make_console(file=out), "第一行。\nPyTorch 记录\n运算，由 `x`\n计算。\n\n- 一\n- 二")
    lines = [line.strip() for line in out.getvalue().splitlines() if line.strip()]
    assert lines[0] == "第一行。PyTorch 记录运算，由 x 计算。"
    assert lines[1:] == ["• 一", "• 二"]
