"""Shared test set-up: no test touches the real progress or gradebook files; the ``tf``
fixture for tests that need TensorFlow, and the ``tensorflow`` marker on every test that uses
it (``pytest -m "not tensorflow"`` runs the rest); ``no_tensorflow`` for the opposite.

The tests are arranged by layer: core/, sandbox/, documents/, feedback/, lessons/, grading/;
helpers they share (``expressions``, ``lesson_processes``) sit here, beside this file."""

import os
import sys

import pytest


@pytest.fixture(autouse=True)
def _private_tutor_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "tutor-home"))
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A command run in-process may set the message language (``--lang zh``): set it back."""
    from tutor.messages import language

    with language("en"):
        yield


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


@pytest.fixture
def no_tensorflow(monkeypatch):
    """TensorFlow as if not installed: importing it fails."""
    monkeypatch.setitem(sys.modules, "tensorflow", None)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tf" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.tensorflow)
