"""Exercises a learner edits (tutor.lessons.exercises, .workspace, steps/exercise.py, tutor watch):
the reference solutions pass in the confined worker, wrong variants have their mistake named,
and hostile files (an endless loop, file access, a 10 GB allocation) get a clear message."""

from __future__ import annotations

import contextlib
import io
import queue
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from lesson_processes import ROOT, environment, run_tutor

from tutor.errors import TutorError
from tutor.lessons.exercises import EXERCISES
from tutor.lessons.ui import Prompter
from tutor.lessons.workspace import ExerciseChecker, exercise_for, write_exercise

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the confined worker needs Linux")


@pytest.fixture(scope="module")
def checker():
    with ExerciseChecker() as shared:
        yield shared


def _check(checker, tmp_path, name: str, body: str):
    exercise = EXERCISES[name]
    path = tmp_path / exercise.file_name
    path.write_text(f"import numpy as np\n\n\ndef {name}({', '.join(exercise.parameters)}):\n"
                    + "".join(f"    {line}\n" for line in body.splitlines()))
    return checker.check(exercise, path)


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_each_reference_solution_passes_in_the_confined_worker(checker, tmp_path, name):
    path = write_exercise(EXERCISES[name], tmp_path, solution=True)
    verdict = checker.check(EXERCISES[name], path)
    assert verdict.correct, verdict.message


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_the_file_a_learner_starts_from_fails_saying_why(checker, tmp_path, name):
    verdict = checker.check(EXERCISES[name], write_exercise(EXERCISES[name], tmp_path))
    assert not verdict.correct
    assert "NotImplementedError" in verdict.message and f"def {name}(" in \
        (tmp_path / f"{name}.py").read_text()


WRONG = [
    ("linear_backward", "return dZ @ W.T, dZ.T @ X, dZ.sum(axis=0)", "transpose-missing", "dW"),
    ("linear_backward", "return dZ @ W.T, X.T @ dZ, dZ", "bias-not-summed", "db"),
    ("linear_backward", "return -dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)", "sign-error", "dX"),
    ("relu_backward", "return dA * (dA > 0)", "relu-mask-from-gradient", "dZ"),
    ("softmax_cross_entropy_backward",
     "E = np.exp(Z - Z.max(axis=1, keepdims=True))\nreturn E / E.sum(axis=1, keepdims=True) - Y",
     "mean-factor-missing", "dZ"),
    ("softmax_cross_entropy_backward",
     "E = np.exp(Z)\nreturn 2 * (E / E.sum(axis=1, keepdims=True) - Y) / Z.shape[0]",
     "factor-2-extra", "dZ"),
    ("two_layer_backward",
     "Z1 = X @ W1 + b1\nH = np.maximum(Z1, 0)\nZ2 = H @ W2 + b2\n"
     "E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))\n"
     "dZ2 = (E / E.sum(axis=1, keepdims=True) - Y) / X.shape[0]\ndZ1 = dZ2 @ W2.T\n"
     "return X.T @ dZ1, dZ1.sum(axis=0), H.T @ dZ2, dZ2.sum(axis=0)", "relu-mask-missing", "dW1"),
    ("layer_norm_backward",
     "mean = X.mean(axis=1, keepdims=True)\n"
     "return dY / np.sqrt(((X - mean) ** 2).mean(axis=1, keepdims=True) + 1e-5)",
     "layer-norm-mean-terms-missing", "dX"),
]


@pytest.mark.parametrize(("name", "body", "mistake", "part"), WRONG,
                         ids=[f"{w[0]}-{w[2]}" for w in WRONG])
def test_wrong_variants_have_their_mistake_named(checker, tmp_path, name, body, mistake, part):
    verdict = _check(checker, tmp_path, name, body)
    assert not verdict.correct
    assert verdict.mistake == mistake, verdict.message
    assert f"\n{part}: " in verdict.message


def test_a_right_part_is_credited_beside_a_wrong_one(checker, tmp_path):
    verdict = _check(checker, tmp_path, "linear_backward", "return dZ @ W.T, X.T @ dZ, dZ")
    assert [part.correct for part in verdict.parts] == [True, True, False]
    assert "has the shape (7,)" in verdict.parts[2].message  # db: a k-vector, k = 7


@pytest.mark.parametrize(("body", "said"), [
    ("while True:\n    pass", "endless loop"),
    ("import os\nreturn os.listdir('/etc'), open('/etc/passwd').read(), 0", "not allowed"),
    ("big = np.ones(10 * 2**30 // 8)\nreturn big, big, big", "more memory than an exercise"),
    ("return 1, 2", "must return 3 arrays"),
    ("return np.zeros((400, 400)), 0, 0", "more than 100000 numbers"),
    ("return np.zeros((2, 2, 2)), 0, 0", "a vector or a matrix"),
], ids=["endless-loop", "file-access", "10GB", "two-arrays", "huge-reply", "3-d"])
def test_hostile_or_broken_files_get_a_clear_message(checker, tmp_path, body, said):
    started = time.monotonic()
    verdict = _check(checker, tmp_path, "linear_backward", body)
    assert not verdict.correct and said in verdict.message, verdict.message
    assert time.monotonic() - started < 30  # bounded by the worker's limits, never a hang
    assert "root:" not in verdict.message


def test_a_syntax_error_names_its_line(checker, tmp_path):
    verdict = _check(checker, tmp_path, "relu_backward", "return dA *")
    assert verdict.unreadable and "line 5" in verdict.message


def test_the_learners_work_is_never_overwritten(tmp_path):
    exercise = EXERCISES["relu_backward"]
    path = write_exercise(exercise, tmp_path)
    path.write_text("# my work\n")
    assert write_exercise(exercise, tmp_path).read_text() == "# my work\n"
    solution = write_exercise(exercise, tmp_path, solution=True)
    assert solution.parent.name == "solutions" and "dA * (Z > 0)" in solution.read_text()
    assert path.read_text() == "# my work\n"


def test_a_file_that_is_no_exercise_is_refused(tmp_path):
    with pytest.raises(TutorError, match="not an exercise file; the exercises are"):
        exercise_for(tmp_path / "homework.py")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_two_layer_lesson_plays_to_the_end_with_auto(tmp_path, lang):
    result = run_tutor("learn", "two-layer-network", "--auto", "--lang", lang,
                       "--workspace", str(tmp_path / "ws"), home=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    correct = {"en": "Correct: your answer matches autograd", "zh": "你的答案与自动求导的"}[lang]
    assert result.stdout.count(correct) >= 5
    assert (tmp_path / "ws" / "solutions" / "two_layer_backward.py").exists()


def test_lint_refuses_an_unknown_exercise(tmp_path):
    lesson = (ROOT / "lessons" / "14-two-layer-network.yaml").read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text(lesson.replace("exercise: relu_backward", "exercise: relu_forward"))
    result = run_tutor("lint", str(bad), home=tmp_path)
    assert result.returncode != 0 and "no exercise 'relu_forward'" in result.stdout + result.stderr


def _read_until(lines: queue.Queue, text: str, seconds: float = 60) -> str:
    """Lines printed until one contains ``text`` (at most ``seconds`` of waiting)."""
    seen, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"{text!r} not printed; got:\n{''.join(seen)}")


@contextlib.contextmanager
def _watching(tmp_path, *options: str):
    """`tutor watch relu_backward` running on the workspace tmp_path/ws: the queue of the lines
    it prints (the process is killed at the end)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", "watch", "relu_backward", "--workspace",
         str(tmp_path / "ws"), *options], cwd=str(ROOT),
        env={**environment(tmp_path), "COLUMNS": "300"}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                     daemon=True).start()
    try:
        yield lines
    finally:
        process.kill()
        process.wait()


def test_watch_rechecks_the_file_on_every_save(tmp_path):
    with _watching(tmp_path) as lines:
        first = _read_until(lines, "watching")
        assert "relu_backward.py: not yet" in first and "NotImplementedError" in first
        path = tmp_path / "ws" / "relu_backward.py"
        path.write_text("def relu_backward(dA, Z):\n    return dA * (dA > 0)\n")
        assert "relu-mask" not in _read_until(lines, "not yet")  # the verdict...
        assert "The mask must come from Z" in _read_until(lines, "mask")  # ...names it
        path.write_text("def relu_backward(dA, Z):\n    return dA * (Z > 0)\n")
        assert "Correct" in _read_until(lines, "Correct")


def test_watch_speaks_the_language_asked_for(tmp_path):
    with _watching(tmp_path, "--lang", "zh") as lines:
        first = _read_until(lines, "正在监视 relu_backward.py（按 Ctrl-C 停止）")
        assert "relu_backward.py：还没通过" in first and "你的代码在检查器的受限工作进程中出错" in first
        source = (tmp_path / "ws" / "relu_backward.py").read_text("utf-8")
        assert "# TODO：在这里写你的代码" in source


@pytest.mark.parametrize("name", ["tutor.lessons.exercises", "tutor.lessons.steps.exercise"])
def test_docstring_examples_run(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_arrays_call_mode_returns_named_arrays_from_the_worker():
    """The sandbox's own protocol, as grading could use it too: named arrays in, arrays out."""
    from tutor.sandbox import Limits, Sandbox

    code = b"def f(A, s):\n    return A.T * s, A.sum(axis=0)\n"
    with Sandbox(Limits(timeout=5), torch=False) as sandbox, \
            sandbox.session({"solution.py": code}) as session:
        session.load("solution")
        reply = session.request({"op": "call", "mode": "arrays", "entry": "f", "parts": 2,
                                 "max_entries": 100,
                                 "arguments": {"A": [[1.0, 2.0], [3.0, 4.0]], "s": 2}})
    assert reply["arrays"] == [[[2.0, 6.0], [4.0, 8.0]], [4.0, 6.0]]


def test_a_checker_reuses_autograds_side_of_an_exercise(checker):
    exercise = EXERCISES["linear_backward"]
    assert checker.problems(exercise) is checker.problems(exercise)
    assert [problem.wrt for problem in checker.problems(exercise)] == ["X", "W", "b"]


def test_a_scripted_learner_checks_a_wrong_file_then_a_right_one(tmp_path):
    """The step checks the file each time the learner types check (or presses Enter), names
    the mistake, and goes on when the file passes; the learner's file is left as they wrote it."""
    folder = tmp_path / "ws"
    folder.mkdir()
    right = EXERCISES["linear_backward"].reference()
    path = folder / "linear_backward.py"
    path.write_text(right.replace("dZ.sum(axis=0)", "dZ"))
    answers = tmp_path / "answers.txt"
    answers.write_text("check\nnonsense\nsolution\n")
    result = run_tutor("learn", "two-layer-network", "--answers", str(answers), "--step",
                       "linear", "--workspace", str(folder), home=tmp_path)
    assert "db: a per-example gradient not summed over the batch" in result.stdout
    assert "Press Enter or type check, hint, solution, skip or quit." in result.stdout
    assert "The reference solution:" in result.stdout and "3/7  relu" in result.stdout
    assert path.read_text() == right.replace("dZ.sum(axis=0)", "dZ")


def test_a_reply_that_is_not_arrays_of_numbers_stops_the_check():
    """What comes back from the worker is checked like any reply from student code."""
    from tutor.lessons.workspace import _ConfinedFunction, _Stopped

    class Forged:
        def request(self, message):
            return {"ok": True, "arrays": [[1.0, [2.0, "x"]]]}

    function = _ConfinedFunction(Forged(), EXERCISES["relu_backward"])
    with pytest.raises(_Stopped):
        function(dA=np.ones((2, 2)), Z=np.ones((2, 2)))
    assert function.failure.kind == "protocol"


class EnterOnly(Prompter):
    """A learner who types ``typed``, then only presses Enter, and never edits the file. After
    30 prompts (or 120 s) the test fails instead of hanging: before the fix the exercise step
    re-ran the same failing check for ever (lesson 14 hung in the Chinese scripted run)."""

    def __init__(self, interactive: bool, typed: tuple[str, ...] = ()):
        self.interactive, self.typed = interactive, typed
        self.prompts, self.deadline = 0, time.monotonic() + 120

    def ask(self, prompt: str, reference: str | None = None) -> str:
        self.prompts += 1
        if self.prompts > 30 or time.monotonic() > self.deadline:
            raise AssertionError("the exercise step keeps asking: it would never end")
        return self.typed[self.prompts - 1] if self.prompts <= len(self.typed) else ""


def _play_step(step_id: str, prompter: Prompter, tmp_path, monkeypatch, lang: str):
    """Play one step of lesson 14; the transcript and how many times the file was checked."""
    from tutor.lessons.catalog import find_lesson
    from tutor.lessons.progress import ProgressStore
    from tutor.lessons.runner import Options, Runner
    from tutor.lessons.schema import load_lesson
    from tutor.render import make_console

    checks = []
    check = ExerciseChecker.check
    monkeypatch.setattr(ExerciseChecker, "check",
                        lambda self, *args: checks.append(args) or check(self, *args))
    out = io.StringIO()
    store = ProgressStore.scratch()
    options = Options(lang=lang, prompter=prompter, out_dir=tmp_path, workspace=tmp_path,
                      only=frozenset({step_id}))
    Runner(load_lesson(find_lesson("two-layer-network")), store, make_console(file=out),
           options).run()
    return out.getvalue(), len(checks), store


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_scripted_learner_pressing_enter_on_an_unchanged_file_ends_the_step(
        tmp_path, monkeypatch, lang):
    prompter = EnterOnly(interactive=False)
    transcript, checks, store = _play_step("relu", prompter, tmp_path, monkeypatch, lang)
    assert checks == 1 and prompter.prompts == 2  # the second Enter finds the file unchanged
    assert store.lesson("two-layer-network")["steps"]["relu"] == "failed"
    assert ("has not changed since the last check" if lang == "en" else "自上次检查以来没有改动") \
        in transcript


def test_in_a_terminal_enter_on_an_unchanged_file_does_not_check_it_again(tmp_path,
                                                                          monkeypatch):
    prompter = EnterOnly(interactive=True, typed=("", "", "hint", "check", "skip"))
    transcript, checks, store = _play_step("relu", prompter, tmp_path, monkeypatch, "en")
    assert checks == 2  # Enter did not run it again; check (asked for by name) did
    assert store.lesson("two-layer-network")["steps"]["relu"] == "skipped"
    assert "Hint 1: (Z > 0) is an array of True and False" in transcript
    assert "relu_backward.py has not changed since the last check, so the verdict stands" \
        in transcript


def test_the_file_a_learner_starts_from_speaks_the_lessons_language(tmp_path):
    path = write_exercise(EXERCISES["two_layer_backward"], tmp_path, lang="zh")
    source = path.read_text(encoding="utf-8")
    compile(source, str(path), "exec")
    assert "练习 two_layer_backward：修改这个文件并保存" in source
    assert "# TODO：在这里写你的代码" in source and "返回 dW1、db1、dW2、db2：" in source
    assert "Return" not in source and "Shapes" not in source
