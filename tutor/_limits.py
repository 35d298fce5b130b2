"""Limits for SymPy work that can run away: a time limit (simplify, equals), a derivative order.

SymPy cannot be interrupted from another thread, so the time limit is a SIGALRM timer. It is
only available in the main thread of the main interpreter; elsewhere the work is skipped and
the fallback is returned, which callers treat as "not confirmed", never as a wrong answer.
This module imports nothing heavy: the command line reads its limits before SymPy is loaded.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: The highest derivative order ``tutor.symbolic.derive`` (and ``tutor derive --order``)
#: computes: beyond it, derivatives of compositions take SymPy seconds to minutes.
MAX_ORDER = 10


class _OutOfTime(Exception):
    pass


def within_time(work: Callable[[], T], seconds: float, fallback: T) -> T:
    """Return ``work()``, or ``fallback`` if it takes longer than ``seconds`` or cannot be limited."""
    if threading.current_thread() is not threading.main_thread():
        return fallback
    if signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # someone else's timer is running: don't steal it
        return fallback
    armed = [True]  # an alarm that arrives after the work is done must not raise

    def out_of_time(signum, frame):
        if armed[0]:
            raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, out_of_time)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        result = work()
        armed[0] = False
        return result
    except (_OutOfTime, RecursionError):
        armed[0] = False
        return fallback
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
