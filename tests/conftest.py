"""Shared test set-up: no test touches the real progress or gradebook files."""

import pytest


@pytest.fixture(autouse=True)
def _private_tutor_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "tutor-home"))
    monkeypatch.setenv("NO_COLOR", "1")
