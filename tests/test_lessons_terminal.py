"""The real `python -m tutor learn` in a pseudo-terminal: answer wrong, ask for a hint, skip,
quit, and come back to the same step."""

import json
import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent


def spawn(home: Path, *args: str):
    env = {**os.environ, "TUTOR_HOME": str(home), "NO_COLOR": "1", "LANG": "en_US.UTF-8",
           "PYTHONPATH": str(ROOT)}
    env.pop("LC_ALL", None)
    return pexpect.spawn(sys.executable, ["-m", "tutor", *args], cwd=str(ROOT),
                         env=env, dimensions=(24, 80), encoding="utf-8", timeout=60)


def test_wrong_hint_skip_quit_then_resume(tmp_path):
    home = tmp_path / "home"
    child = spawn(home, "learn", "polynomial")
    child.expect_exact("1/11")
    child.expect_exact("[Enter] continue")
    child.sendline("")

    child.expect_exact("answer> ")
    child.sendline("x + x^2")
    child.expect_exact("forgot to multiply by the old exponent")
    child.expect_exact("Hint 1: Differentiate term by term")
    child.expect_exact("Try again (2 left)")

    child.expect_exact("answer> ")
    child.sendline("hint")
    child.expect_exact("Hint 2: Power rule")

    child.expect_exact("answer> ")
    child.sendline("skip")
    child.expect_exact("Skipped.")
    child.expect_exact("Now a number: what is dy/dx at x = 2?")

    child.expect_exact("answer> ")
    child.sendline("quit")
    child.expect_exact("Progress saved. Run `tutor learn polynomial` to continue from here.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    saved = json.loads((home / "progress.json").read_text())["lessons"]["polynomial"]
    assert saved["position"] == "slope-at-2"
    assert saved["steps"] == {"welcome": "passed", "dydx": "skipped"}

    again = spawn(home)  # plain `tutor`: continues the unfinished lesson
    again.expect_exact("Continuing at step 3 of 11.")
    again.expect_exact("3/11  slope-at-2")
    again.expect_exact("answer> ")
    again.sendline("16")
    again.expect_exact("Correct.")
    again.expect_exact("solution: the reference and its derivation")
    again.sendline("solution")
    again.expect_exact("Reference answer: 16")
    again.expect_exact("power rule")
    again.expect_exact("[Enter] continue")
    again.sendintr()  # Ctrl-C: one line, no traceback
    again.expect_exact("Stopped. Progress saved")
    again.expect(pexpect.EOF)
    assert "Traceback" not in again.before
    again.close()
    assert again.exitstatus == 130

    saved = json.loads((home / "progress.json").read_text())["lessons"]["polynomial"]
    assert saved["steps"]["slope-at-2"] == "passed"


def run_tutor(*args, input_text=None, home):
    import subprocess

    env = {**os.environ, "TUTOR_HOME": str(home), "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tutor", *args], cwd=str(ROOT), env=env,
                          input=input_text, capture_output=True, text=True, timeout=120)


def test_answers_piped_on_stdin_give_a_transcript(tmp_path):
    answers = "2x + 3x^2\n16\n1\n2\n"
    result = run_tutor("learn", "polynomial", input_text=answers, home=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert "answer> 2x + 3x^2" in result.stdout and "choice (1-3)> 2" in result.stdout
    assert "Lesson finished: 11 of 11 steps passed." in result.stdout
    failing = run_tutor("learn", "polynomial", input_text="x\n", home=tmp_path)
    assert failing.returncode == 1 and "Traceback" not in failing.stderr


def test_plain_tutor_lists_lessons_and_bad_lessons_are_one_line(tmp_path):
    result = run_tutor(home=tmp_path)
    assert result.returncode == 0 and "polynomial" in result.stdout and "tutor learn" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: 1\nid: bad\norder: 1\ntitle: t\nsummary: s\nsteps:\n  - id: a\n    kind: aks\n")
    result = run_tutor("learn", str(bad), home=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith("bad.yaml:8: step 'a': unknown step kind 'aks' (expected one "
                                          "of: say, ask, choose, compute, code, descend)")
    assert "Traceback" not in result.stderr
