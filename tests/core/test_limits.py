import threading
import time

import pytest

from tutor._limits import TimeLimitError, bounded, within_time
from tutor.errors import TutorError


def test_work_that_finishes_returns_its_result():
    assert within_time(lambda: 42, 1.0, None) == 42


def test_work_that_runs_too_long_gives_the_fallback_quickly():
    start = time.perf_counter()
    assert within_time(lambda: time.sleep(5) or "done", 0.05, "fallback") == "fallback"
    assert time.perf_counter() - start < 2


def test_outside_the_main_thread_the_work_is_skipped():
    results = []
    thread = threading.Thread(target=lambda: results.append(within_time(lambda: 1, 1.0, "skipped")))
    thread.start()
    thread.join()
    assert results == ["skipped"]


def test_limits_nest_and_the_inner_one_ends_first():
    start = time.perf_counter()
    inner = within_time(lambda: within_time(lambda: time.sleep(3), 0.05, "inner"), 2, "outer")
    assert inner == "inner" and time.perf_counter() - start < 1


def test_an_outer_limit_ends_inner_work_that_would_run_longer():
    start = time.perf_counter()
    outer = within_time(lambda: within_time(lambda: time.sleep(3), 2, "inner"), 0.1, "outer")
    assert outer == "outer" and time.perf_counter() - start < 1


def test_work_that_swallows_the_alarm_is_still_stopped():
    def stubborn():
        while True:
            try:
                time.sleep(1)
            except Exception:  # the limit is not an Exception, so this cannot catch it
                pass

    with pytest.raises(TimeLimitError, match="took longer than 0.1 s"):
        bounded(stubborn, "stubborn work", 0.1)


def test_bounded_returns_the_result_and_names_deep_recursion():
    assert bounded(lambda: 42, "quick work") == 42

    def deep(n):
        return deep(n + 1)

    with pytest.raises(TutorError, match="nested too deeply"):
        bounded(lambda: deep(0), "deep work")


def test_derive_is_bounded_in_time(monkeypatch):
    from tutor import symbolic

    monkeypatch.setattr("tutor._limits.TIME_LIMIT", 0.05)
    monkeypatch.setattr(symbolic.sympy, "diff", lambda *args: time.sleep(2))
    with pytest.raises(TimeLimitError, match="differentiating took longer"):
        symbolic.derive("x^2", "x", simplify=False)
