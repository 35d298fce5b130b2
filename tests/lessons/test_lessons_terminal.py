"""The real `python -m tutor learn` in a pseudo-terminal: answer wrong, ask for a hint, skip,
quit, and come back to the same step; the line editor (Enter ends the line, Tab completes the
commands, history, resize, Ctrl-D, exit and q)."""

import pytest

pexpect = pytest.importorskip("pexpect")

from lesson_processes import run_tutor, saved, spawn  # noqa: E402


def test_wrong_hint_skip_quit_then_resume(tmp_path):
    home = tmp_path / "home"
    child = spawn(home, "learn", "polynomial")
    child.expect_exact("1/11")
    child.expect_exact("[Enter] continue")
    child.sendline("")

    child.expect_exact("answer>")
    child.sendline("x + x^2")
    child.expect_exact("forgot to multiply by the old exponent")
    child.expect_exact("Try again (2 left); type hint for a hint")  # offered, not shown

    child.expect_exact("answer>")
    child.sendline("hint")
    child.expect_exact("Hint 1: Differentiate term by term")
    child.expect_exact("answer>")
    child.sendline("hint")
    child.expect_exact("Hint 2: Power rule")

    child.expect_exact("answer>")
    child.sendline("skip")
    child.expect_exact("Skipped.")
    child.expect_exact("Now a number: what is dy/dx at x = 2?")

    child.expect_exact("answer>")
    child.sendline("quit")
    child.expect_exact("Progress saved. Run `tutor learn polynomial` to continue from here.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    entry = saved(home)["lessons"]["polynomial"]
    assert entry["position"] == "slope-at-2"
    assert entry["steps"] == {"welcome": "passed", "dydx": "skipped"}

    again = spawn(home)  # plain `tutor`: the menu, on the unfinished lesson; Enter continues it
    again.expect(r">\s+1\. [^\r\n]*polynomial")
    again.send("\r")
    again.expect_exact("Continuing at step 3 of 11.")
    again.expect_exact("3/11  slope-at-2")
    again.expect_exact("answer>")
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

    entry = saved(home)["lessons"]["polynomial"]
    assert entry["steps"]["slope-at-2"] == "passed"


def test_enter_ends_the_line_tab_completes_and_history_recalls(tmp_path):
    child = spawn(tmp_path / "home", "learn", "polynomial")
    child.expect_exact("[Enter] continue")
    child.sendline("")
    child.expect_exact("2/11  dydx")
    assert "\n" in child.before.rsplit("quit", 1)[-1]  # the header starts a line of its own
    child.expect_exact("answer>")
    child.sendline("x + x^2")
    child.expect_exact("forgot to multiply by the old exponent")
    child.expect_exact("answer>")
    child.send("\x1b[A\r")  # arrow up: the last answer again
    child.expect_exact("forgot to multiply by the old exponent")
    child.expect_exact("answer>")
    child.send("sol\t")  # Tab completes "solution"
    child.expect_exact("solution")
    child.send("\r")
    child.expect_exact("Reference answer: 2*x + 3*x^2")
    child.expect_exact("[Enter] continue")
    child.sendline("")
    child.expect_exact("answer>")
    child.send("x^2")
    child.expect_exact("x^2")  # echoed: now resize
    child.setwinsize(24, 50)  # a resize redraws the prompt with what was typed
    child.expect(r"answer>(\x1b\[[0-9;?]*[A-Za-z]| )*x\^2")
    child.sendcontrol("u")  # erase the line
    child.sendcontrol("d")  # Ctrl-D on an empty line: stop, saved
    child.expect_exact("Stopped. Progress saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert saved(tmp_path / "home")["lessons"]["polynomial"]["position"] == "slope-at-2"


@pytest.mark.parametrize("word", ["exit", "q"])
def test_exit_and_q_quit(tmp_path, word):
    child = spawn(tmp_path / "home", "learn", "polynomial", "--step", "dydx")
    child.expect_exact("answer>")
    child.sendline(word)
    child.expect_exact("Progress saved. Run `tutor learn polynomial` to continue from here.")
    child.expect(pexpect.EOF)
    assert "Not quite" not in child.before and "Could not read" not in child.before


def test_quitting_at_a_continue_prompt_leaves_the_step_unmarked(tmp_path):
    child = spawn(tmp_path / "home", "learn", "polynomial")
    child.expect_exact("[Enter] continue")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    entry = saved(tmp_path / "home")["lessons"]["polynomial"]
    assert entry["steps"] == {} and entry["position"] == "welcome"


def test_the_language_is_remembered(tmp_path):
    home = tmp_path / "home"
    child = spawn(home, "learn", "polynomial", "--lang", "zh")
    child.expect_exact("[回车] 继续")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    saved = "".join(f.read_text(encoding="utf-8") for f in home.rglob("*.json"))
    assert '"lang": "zh"' in saved  # remembered in the progress file
    again = spawn(home)  # English LANG, no --lang: the menu and the lesson stay Chinese
    again.expect_exact("选择一课")
    again.send("\r")
    again.expect_exact("[回车] 继续")
    again.sendline("quit")
    again.expect_exact("进度已保存")
    again.expect(pexpect.EOF)


def test_reset_asks_before_erasing_everything(tmp_path):
    home = tmp_path / "home"
    run_tutor("learn", "polynomial", "--auto", "--save", home=home)
    child = spawn(home, "reset")
    child.expect_exact("Forget your progress in every lesson? [y/N]")
    child.sendline("n")
    child.expect_exact("Nothing was erased.")
    child.expect(pexpect.EOF)
    assert saved(home)["lessons"]["polynomial"]["finished"]
    child = spawn(home, "reset")
    child.expect_exact("[y/N]")
    child.sendline("y")
    child.expect_exact("Forgot your progress in every lesson.")
    child.expect(pexpect.EOF)
    assert saved(home)["lessons"] == {}


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
                                          "of: say, ask, ask-matrix, choose, compute, code, descend, graph, exercise)")
    assert "Traceback" not in result.stderr


def test_a_finished_lesson_is_reviewed_from_the_step_the_learner_picks(tmp_path):
    home = tmp_path / "home"
    assert run_tutor("learn", "polynomial", "--auto", "--save", home=home).returncode == 0
    child = spawn(home, "learn", "polynomial")
    child.expect_exact("You finished this lesson before")
    child.expect_exact("Review from which step (1-11 or its name)? Enter: 1 (welcome)")
    child.sendline("slope-at-2")
    child.expect_exact("3/11  slope-at-2")
    child.expect_exact("answer>")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
