"""The progress store: where it lives, atomic saves, and files that are not ours."""

import json

import pytest

from tutor.lessons.commands import run_list
from tutor.lessons.progress import ProgressStore, state_dir


def test_state_dir_follows_tutor_home_then_xdg(monkeypatch, tmp_path):
    assert state_dir() == tmp_path / "tutor-home"  # set by conftest
    monkeypatch.delenv("TUTOR_HOME")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_dir() == tmp_path / "xdg" / "tutor"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "tutor"


def test_round_trip_and_forget():
    store = ProgressStore()
    store.at("polynomial", "dydx")
    store.record("polynomial", "welcome", "passed")
    store.record("himmelblau", "dfdx", "skipped")
    store.save()
    again = ProgressStore()
    assert again.warning is None
    assert again.lesson("polynomial") == {"position": "dydx", "finished": False,
                                          "steps": {"welcome": "passed"}}
    assert again.last == "himmelblau"
    again.forget("himmelblau")
    again.save()
    assert ProgressStore().lesson("himmelblau")["steps"] == {}
    assert ProgressStore().lesson("polynomial")["position"] == "dydx"


def test_save_leaves_no_temporary_files():
    store = ProgressStore()
    for step in range(20):
        store.record("polynomial", f"s{step}", "passed")
        store.save()
    assert sorted(p.name for p in state_dir().iterdir()) == ["progress.json"]


def test_a_failed_write_keeps_the_old_file(monkeypatch):
    store = ProgressStore()
    store.record("polynomial", "welcome", "passed")
    store.save()
    store.record("polynomial", "dydx", "passed")

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patched, pytest.raises(OSError):
        patched.setattr(json, "dump", broken_dump)
        store.save()
    assert ProgressStore().lesson("polynomial")["steps"] == {"welcome": "passed"}
    assert sorted(p.name for p in state_dir().iterdir()) == ["progress.json"]


@pytest.mark.parametrize("content, reason", [
    ("{not json", "is not valid JSON"),
    ('{"some": "other program"}', "is not a tutor progress file"),
    ('{"format": "tutor-progress", "version": 99, "lessons": {}}', "has version 99"),
    ('{"format": "tutor-progress", "version": 1, "lessons": {"x": 3}}', "has a damaged lesson table"),
    ("\udcff", "cannot be read"),
])
def test_a_corrupted_or_foreign_file_is_kept_aside(content, reason):
    path = state_dir() / "progress.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe garbage" if content == "\udcff" else content.encode())
    store = ProgressStore()
    assert reason in store.warning and "starting fresh" in store.warning
    assert (state_dir() / "progress.json.bad").exists()
    assert store.lesson("polynomial")["steps"] == {}
    store.record("polynomial", "welcome", "passed")
    store.save()
    assert ProgressStore().warning is None


def test_list_warns_about_a_corrupted_file_and_goes_on(capsys):
    path = state_dir() / "progress.json"
    path.parent.mkdir(parents=True)
    path.write_text("[1, 2")
    assert run_list(None) == 0
    captured = capsys.readouterr()
    assert "tutor: warning: progress file" in captured.err and "progress.json.bad" in captured.err
    assert "polynomial" in captured.out


def test_a_second_damaged_file_keeps_the_first_backup():
    path = state_dir() / "progress.json"
    path.parent.mkdir(parents=True)
    for content in ("first damage", "second damage", "third damage"):
        path.write_text(content)
        assert ProgressStore().warning is not None
    backups = {p.name: p.read_text() for p in state_dir().glob("progress.json.bad*")}
    assert backups == {"progress.json.bad": "first damage", "progress.json.bad.2": "second damage",
                       "progress.json.bad.3": "third damage"}


def test_plain_tutor_warns_about_a_damaged_file(tmp_path):
    from lesson_processes import run_tutor

    home = tmp_path / "home"
    home.mkdir()
    (home / "progress.json").write_text("[1, 2")
    result = run_tutor(home=home)
    assert result.returncode == 0 and "polynomial" in result.stdout
    assert result.stderr.startswith("tutor: warning: progress file") and ".bad" in result.stderr


def test_a_scratch_store_never_touches_the_disk():
    real = ProgressStore()
    real.record("polynomial", "welcome", "failed")
    real.save()
    scratch = ProgressStore.scratch()
    assert scratch.lesson("polynomial")["steps"] == {}
    scratch.record("polynomial", "welcome", "passed")
    scratch.finish("polynomial")
    scratch.save()
    assert scratch.lesson("polynomial")["finished"]
    assert ProgressStore().lesson("polynomial") == {"position": None, "finished": False,
                                                    "steps": {"welcome": "failed"}}


def test_settings_are_remembered_and_outlive_a_reset():
    store = ProgressStore()
    assert store.setting("lang") is None
    store.remember("lang", "zh")
    store.record("polynomial", "welcome", "passed")
    store.save()
    again = ProgressStore()
    assert again.setting("lang") == "zh"
    again.forget()
    again.save()
    assert ProgressStore().setting("lang") == "zh"
    assert ProgressStore().lesson("polynomial")["steps"] == {}


def test_steps_to_retry_are_the_ones_not_passed():
    store = ProgressStore()
    for step, status in [("a", "passed"), ("b", "failed"), ("c", "skipped"), ("d", "seen"),
                         ("e", "failed"), ("e", "passed")]:
        store.record("polynomial", step, status)
    assert store.to_retry("polynomial") == ["b", "c", "d"]


def test_an_unusable_state_directory_is_a_tutor_error(tmp_path, monkeypatch):
    from tutor.errors import TutorError

    a_file = tmp_path / "a-file"
    a_file.write_text("")
    monkeypatch.setenv("TUTOR_HOME", str(a_file))
    with pytest.raises(TutorError, match="a-file for progress: it is a file, not a directory"):
        ProgressStore()
    monkeypatch.setenv("TUTOR_HOME", str(a_file / "below"))
    with pytest.raises(TutorError, match="below for progress: Not a directory"):
        ProgressStore()
