"""`tutor learn` and `tutor reset` around a lesson: scripted runs leave progress alone unless
--save, --retry plays only the failed steps, one-line errors for unusable directories,
--version, did-you-mean."""

import json

from lesson_processes import run_tutor, saved

ALL_RIGHT = "2x + 3x^2\n16\n1\n2\n"
DYDX_WRONG = "x\nx\nx\n16\n1\n2\n"


def test_auto_and_piped_runs_leave_progress_alone_unless_saved(tmp_path):
    home = tmp_path / "home"
    assert run_tutor("learn", "polynomial", "--step", "slope-at-2", "--save", home=home,
                     input_text="quit\n").returncode == 1
    before = (home / "progress.json").read_bytes()
    assert run_tutor("learn", "polynomial", "--auto", home=home).returncode == 0
    assert run_tutor("learn", "polynomial", home=home, input_text=ALL_RIGHT).returncode == 0
    assert (home / "progress.json").read_bytes() == before
    assert run_tutor("learn", "polynomial", "--auto", "--save", home=home).returncode == 0
    assert saved(home)["lessons"]["polynomial"]["finished"]


def test_retry_plays_only_the_failed_steps(tmp_path):
    home = tmp_path / "home"
    first = run_tutor("learn", "polynomial", "--save", home=home, input_text=DYDX_WRONG)
    assert first.returncode == 1 and "Lesson finished: 10 of 11 steps passed." in first.stdout
    assert "Not passed: dydx. Play only these again: tutor learn polynomial --retry" in first.stdout
    assert saved(home)["lessons"]["polynomial"]["steps"]["dydx"] == "failed"
    retry = run_tutor("learn", "polynomial", "--retry", "--save", home=home,
                      input_text="2x + 3x^2\n")
    assert retry.returncode == 0, retry.stdout[-2000:]
    assert "Retrying 1 step(s): dydx" in retry.stdout
    headers = [line.split()[0] for line in retry.stdout.splitlines() if "/11  " in line]
    assert headers == ["2/11"]
    assert "Lesson finished: 11 of 11 steps passed." in retry.stdout
    again = run_tutor("learn", "polynomial", "--retry", home=home)
    assert again.returncode == 0 and "No failed, skipped or revealed steps" in again.stdout


def test_unusable_state_or_plot_directories_are_one_line_errors(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("")
    writing = (["learn", "polynomial", "--auto", "--save"], ["reset", "--yes"])
    cases = [(home, args) for home in (a_file, a_file / "below") for args in (["list"], *writing)]
    cases += [("/proc/no-such-dir", args) for args in writing]  # listing reads nothing there
    for home, args in cases:
        result = run_tutor(*args, home=home)
        assert result.returncode == 2, (home, args, result.stderr)
        assert result.stderr.startswith(f"tutor: error: cannot use {home} for progress")
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    result = run_tutor("learn", "himmelblau", "--auto", "--out", "/proc/nonexistent/plots",
                       home=tmp_path / "home")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("tutor: error: cannot save this lesson's plots in "
                                    "/proc/nonexistent/plots")
    assert "1/" not in result.stdout  # at the start, not at the plot


def test_reset_without_a_lesson_needs_yes_off_a_terminal(tmp_path):
    home = tmp_path / "home"
    run_tutor("learn", "polynomial", "--auto", "--save", home=home)
    refused = run_tutor("reset", home=home)
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    assert saved(home)["lessons"]["polynomial"]["finished"]
    done = run_tutor("reset", "--yes", home=home)
    assert done.returncode == 0 and "Forgot your progress in every lesson." in done.stdout
    assert saved(home)["lessons"] == {}


def test_version_and_did_you_mean(tmp_path):
    from tutor import __version__

    version = run_tutor("--version", home=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"tutor {__version__}"
    typo = run_tutor("learn", "polynomail", home=tmp_path)
    assert typo.returncode == 2
    assert "did you mean 'polynomial'?" in typo.stderr


def test_the_remembered_language_is_used_only_if_known(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    stored = {"format": "tutor-progress", "version": 1, "last": None, "lessons": {},
              "settings": {"lang": "zh"}}
    (home / "progress.json").write_text(json.dumps(stored))
    assert "课程" in run_tutor("list", home=home).stdout
    assert "lesson" in run_tutor("list", "--lang", "en", home=home).stdout
    stored["settings"]["lang"] = "klingon"
    (home / "progress.json").write_text(json.dumps(stored))
    result = run_tutor("list", home=home)
    assert result.returncode == 0 and "lesson" in result.stdout.splitlines()[0]


def test_lang_before_the_command_chooses_the_menu_s_and_the_command_s_language(tmp_path):
    """`tutor --lang zh` is how a Chinese reader starts; it was an argparse error."""
    menu = run_tutor("--lang", "zh", home=tmp_path)  # piped: the menu's table
    assert menu.returncode == 0 and "课程" in menu.stdout.splitlines()[0]
    wrong = run_tutor("--lang", "zh", "check", "3x", "--of", "x^2", home=tmp_path)
    assert wrong.returncode == 1 and "还不对" in wrong.stdout
    own = run_tutor("--lang", "zh", "check", "3x", "--of", "x^2", "--lang", "en", home=tmp_path)
    assert "Not quite" in own.stdout  # the command's own option wins


def test_tutor_list_imports_neither_torch_nor_sympy(tmp_path):
    """The table of lessons is a file read: it must start in a fraction of a second (a
    lazy import broken once made it 0.5 s)."""
    import os
    import subprocess
    import sys

    code = ("import sys\nfrom tutor.cli import main\nmain(['list'])\n"
            "print(sorted(m for m in ('torch', 'sympy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "TUTOR_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
