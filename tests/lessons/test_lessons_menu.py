"""Plain `tutor`: a lesson menu in a terminal (arrows, numbers, q), the table when piped; a
progress bar per lesson and overall."""

import pytest

pexpect = pytest.importorskip("pexpect")

from lesson_processes import run_tutor, spawn  # noqa: E402

from tutor.lessons import menu  # noqa: E402
from tutor.lessons.catalog import catalog  # noqa: E402
from tutor.lessons.progress import ProgressStore  # noqa: E402


def test_bars_and_the_suggested_lesson():
    store = ProgressStore()
    store.record("polynomial", "welcome", "passed")
    store.record("polynomial", "dydx", "failed")
    store.finish("mse-softmax")
    store.record("chain-rule", "intro", "passed")  # the lesson taken last
    rows = {row.info.id: row for row in menu.rows(catalog(), store)}
    total = rows["polynomial"].total
    assert rows["polynomial"].passed == 1 and rows["polynomial"].progress("en") == (
        f"{menu.bar(1, total)} 1/{total} passed")
    assert rows["mse-softmax"].progress("zh").endswith("已完成")
    assert rows["himmelblau"].progress("en") == "-"
    assert [row.info.id for row in rows.values() if row.last] == ["chain-rule"]
    assert menu.suggested(list(rows.values())) == "chain-rule"
    store.finish("chain-rule")
    assert menu.suggested(menu.rows(catalog(), store)) == "polynomial"
    assert menu.overall(menu.rows(catalog(), store), "en").endswith(
        f"2/{len(rows)} lessons finished")
    assert menu.bar(0, 0) == "░" * 10 and menu.bar(12, 12) == "█" * 10


def test_piped_tutor_prints_the_table_with_bars_and_the_marker_explained(tmp_path):
    home = tmp_path / "home"
    assert run_tutor("learn", "polynomial", "--auto", "--save", home=home).returncode == 0
    result = run_tutor(home=home)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    row = next(line for line in lines if line.startswith("1*"))
    assert "██████████ 11/11 passed, finished" in row
    assert f"█░░░░░░░░░ 1/{len(catalog())} lessons finished" in lines
    assert "* the lesson you took last" in lines
    assert lines[-1] == "Next: tutor learn mse-softmax"  # the same words the lesson ends with


def test_the_menu_takes_numbers_and_arrows(tmp_path):
    child = spawn(tmp_path / "home", size=(30, 100))
    child.expect_exact(f"0/{len(catalog())} lessons finished")
    child.expect(r">\s+1\. [^\r\n]*polynomial")  # nothing started: the first lesson
    child.send("4")
    child.expect(r">\s+4\. [^\r\n]*himmelblau")
    child.send("\x1b[A")  # arrow up
    child.expect(r">\s+3\. [^\r\n]*chain-rule")
    child.send("\r")
    child.expect_exact("The chain rule, link by link")
    child.expect_exact("[Enter] continue")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_q_leaves_the_menu(tmp_path):
    child = spawn(tmp_path / "home")
    child.expect_exact("lessons finished")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and not (tmp_path / "home" / "progress.json").exists()
