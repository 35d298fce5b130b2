"""Limits for work that can run away: time limits (nestable), a derivative order.

SymPy cannot be interrupted from another thread, so a time limit is a SIGALRM timer. Limits
nest: an inner limit never outlives an outer one, and the outer one still fires when the
inner work swallows nothing. A timer is only available in the main thread of the main
interpreter: elsewhere ``within_time`` skips the work (its callers treat the fallback as "not
confirmed") and ``bounded`` runs it unbounded. The grader judges in worker processes, whose
main thread has a timer.

This module imports nothing heavy: the command line reads its limits before SymPy is loaded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from tutor.errors import TutorError
from tutor.messages import text

T = TypeVar("T")

#: The highest derivative order ``tutor.symbolic.derive`` (and ``tutor derive --order``)
#: computes: beyond it, derivatives of compositions take SymPy seconds to minutes.
MAX_ORDER = 10

#: Seconds a public entry point (parse, derive, check_answer, ...) may take before it gives
#: up with a message; the environment variable TUTOR_TIME_LIMIT changes the default.
TIME_LIMIT = float(os.environ.get("TUTOR_TIME_LIMIT", "2"))


class TimeLimitError(TutorError):
    """Work on one input took longer than its time limit."""


class _OutOfTime(BaseException):  # not an Exception: library code catching those lets it through
    pass


_deadlines: list[float] = []  # monotonic end times, innermost last
_REFIRE = 0.05  # if library code swallows the alarm anyway, it fires again this much later


def _on_alarm(signum, frame) -> None:
    if _deadlines and time.monotonic() >= min(_deadlines) - 1e-4:
        signal.setitimer(signal.ITIMER_REAL, _REFIRE)
        raise _OutOfTime
    _arm()


def _arm() -> None:
    remaining = min(_deadlines) - time.monotonic() if _deadlines else 0.0
    signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-4) if _deadlines else 0.0)


def _can_limit() -> bool:
    if threading.current_thread() is not threading.main_thread():
        return False
    # Someone else's timer (not ours) is running: don't steal it.
    return bool(_deadlines) or signal.getitimer(signal.ITIMER_REAL)[0] == 0


def _run(work: Callable[[], T], seconds: float) -> tuple[bool, T | None]:
    """(True, work()) or (False, None) when ``seconds`` ran out; an outer limit that ran out
    propagates to its owner.

    The alarm may fire anywhere, the clean-up included: each deadline is removed however its
    run ends, and the outermost run clears the timer and every deadline before it puts the
    previous handler back (a timer left behind would kill the process with SIGALRM)."""
    end = time.monotonic() + seconds
    outermost = not _deadlines
    previous = signal.signal(signal.SIGALRM, _on_alarm) if outermost else None
    try:
        with _alarm_blocked():
            _deadlines.append(end)
            _arm()
        try:
            return True, work()
        except _OutOfTime:
            with _alarm_blocked():
                _discard(end)
            if any(time.monotonic() >= other - 1e-4 for other in _deadlines):
                raise  # an outer limit ran out: its owner answers
            return False, None
        finally:
            with _alarm_blocked():
                _discard(end)
                _arm()
    except _OutOfTime:
        if not outermost:
            raise
        return False, None  # the alarm fired during the clean-up: no one else's to answer
    finally:
        if outermost:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _deadlines.clear()
            signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _alarm_blocked():
    blocked = {signal.SIGALRM}
    signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, blocked)


def _discard(end: float) -> None:
    if end in _deadlines:
        _deadlines.remove(end)


def within_time(work: Callable[[], T], seconds: float, fallback: T) -> T:
    """Return ``work()``, or ``fallback`` if it takes longer than ``seconds`` or cannot be limited."""
    if not _can_limit():
        return fallback
    try:
        finished, result = _run(work, seconds)
    except RecursionError:
        return fallback
    return result if finished else fallback


def bounded(work: Callable[[], T], what: str, seconds: float | None = None) -> T:
    """``work()`` within ``seconds`` (``TIME_LIMIT`` by default), else a ``TimeLimitError``
    naming ``what``; a ``RecursionError`` becomes a ``TutorError`` too.

    >>> bounded(lambda: 6 * 7, "the answer")
    42
    """
    seconds = TIME_LIMIT if seconds is None else seconds
    try:
        if not _can_limit():
            return work()
        finished, result = _run(work, seconds)
    except RecursionError:
        raise TutorError(text("nested_too_deeply", what=what)) from None
    if not finished:
        raise TimeLimitError(text("time_limit", what=what, seconds=seconds))
    return result
