"""One message catalogue: every sentence the program prints, in English and in Chinese.

A message is a key plus parameters (:func:`text`), rendered in a language the caller picks: an
explicit ``lang=``, else the *current language* (a context variable the lesson runner and the
CLI's ``--lang`` set with :func:`language`; English by default, so code and tests that never set
it read today's English). The texts live in :mod:`tutor.catalogue` (plain Python tables
key -> (English, Chinese), one module per layer that prints them) so that core modules render
Chinese without importing any layer above them, and a unit test holds the tables complete.
Chinese texts use full-width punctuation (，：；（）。); parameters are code, formulas, numbers.

Why not gettext or Babel: both key messages by their English text and need compiled catalogues
shipped as package data; here a key stays stable while its wording changes, a missing
translation is a test failure rather than a silent fallback, and nothing is installed.

>>> text("correct", "zh")
'正确。'
>>> with language("zh"):
...     text("hint", n=1, text="x")
'提示 1：x'
>>> text("hint", n=1, text="x")
'Hint 1: x'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from tutor.catalogue import MESSAGES

#: The languages every message has, English first (the default).
LANGUAGES = ("en", "zh")
_CURRENT: ContextVar[str] = ContextVar("tutor_language", default="en")


def current_language() -> str:
    """The language messages render in when the caller names none."""
    return _CURRENT.get()


def set_language(lang: str) -> None:
    """Make ``lang`` the current language from here on (the CLI, once per command)."""
    _CURRENT.set(_known(lang))


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Render in ``lang`` inside the ``with`` block (a lesson run), then as before."""
    token = _CURRENT.set(_known(lang))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _known(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    return lang


def text(key: str, lang: str | None = None, **params) -> str:
    """The message ``key`` in ``lang`` (the current language if None), filled in."""
    english, chinese = MESSAGES[key]
    template = chinese if (lang or _CURRENT.get()) == "zh" else english
    return template.format(**params)

