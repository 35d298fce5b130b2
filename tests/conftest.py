"""Shared test set-up: no test touches the real progress or gradebook files; the ``tf``
fixture for tests that need TensorFlow."""

import os

import pytest


@pytest.fixture(autouse=True)
def _private_tutor_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "tutor-home"))
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture(scope="session")
def tf():
    """The ``tensorflow`` module. Without the ``tensorflow`` extra the test is skipped with
    the reason, unless TUTOR_REQUIRE_TENSORFLOW=1 (``make test``, CI): then it fails."""
    from tutor.lowering import TENSORFLOW

    if not (TENSORFLOW.installed() or os.environ.get("TUTOR_REQUIRE_TENSORFLOW") == "1"):
        pytest.skip(TENSORFLOW.missing)
    return TENSORFLOW.library()


@pytest.fixture(scope="session")
def code_worker():
    """The lessons' code snippet processes, shared by the test session: torch (and
    TensorFlow, once a test asks for it) are imported once."""
    from tutor.lessons.snippets import CodeWorker

    shared = CodeWorker()
    shared.warm("torch")
    yield shared
    shared.stop()
