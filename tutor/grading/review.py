"""Bounds and flags for grading one student: a CPU-time bound for work that may run away,
and the marks that send a result to the teacher for manual review.

>>> from tutor.grading.model import Question, QuestionResult
>>> review_reasons(QuestionResult.failed(Question("q", "value"), "error", "?", "code: tampering"))
['code: tampering']
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TypeVar

from tutor.grading.model import QuestionResult

T = TypeVar("T")
#: The mistake that flags a result for the teacher to look at (a hanging answer, tampering).
MANUAL_REVIEW = "manual review"
#: Code failures that mean tampering with the sandbox rather than a wrong answer.
_REVIEW_KINDS = ("protocol", "tampering")


def review_reasons(result: QuestionResult) -> list[str]:
    """Why ``result`` needs the teacher's eyes (empty when it does not)."""
    return [m.removeprefix(f"{MANUAL_REVIEW}: ") for m in result.mistakes
            if m.startswith(MANUAL_REVIEW) or m.removeprefix("code: ") in _REVIEW_KINDS]


class OutOfCpu(BaseException):
    """Raised in the bounded work when its CPU time is up (a BaseException, so that no
    ``except Exception`` inside SymPy swallows it)."""


def within_cpu_seconds(work: Callable[[], T], seconds: float) -> T:
    """``work()``, interrupted with ``OutOfCpu`` after ``seconds`` of this process's CPU time
    (SIGPROF, then again every 0.2 s in case some code swallows the first). A CPU timer, so
    the core's own wall-clock limits (SIGALRM, ``tutor._limits``) keep working inside. In a
    thread other than the main one it cannot be bounded and just runs."""
    if threading.current_thread() is not threading.main_thread():
        return work()
    armed = [True]

    def out_of_time(signum, frame):
        if armed[0]:
            raise OutOfCpu

    previous = signal.signal(signal.SIGPROF, out_of_time)
    signal.setitimer(signal.ITIMER_PROF, seconds, 0.2)
    try:
        return work()
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
