import threading
import time

from tutor._limits import within_time


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
