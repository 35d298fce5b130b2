"""Work done ahead, in order, in one background thread, while the learner reads: the numbers
the code steps' output is checked against (SymPy derivatives of a whole pipeline take a
second or more), and torch's import for the steps that compute with it in this process.

A step asks for its result with :meth:`Ahead.result`: done by then, or waited for, or (work
never queued) done there and then. The results, errors included, are what the same work
would give in the main thread: the work runs in the context (the learner's language) of the
code that queued it; SymPy's time limits do not apply in a background thread, and lesson
formulas are the lesson author's, not a learner's.

>>> ahead = Ahead({"answer": lambda: 6 * 7})
>>> ahead.result("answer", lambda: 0), ahead.result("other", lambda: 1)
(42, 1)
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Hashable, Mapping
from typing import Any


class _Job:
    def __init__(self, work: Callable[[], Any]) -> None:
        self.work = work
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.value = self.work()
        except BaseException as error:  # handed to whoever asks for the result
            self.error = error
        finally:
            self.done.set()

    def result(self) -> Any:
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.value


class Ahead:
    """Runs ``work`` (key -> callable) in its order, in a daemon thread started at once."""

    def __init__(self, work: Mapping[Hashable, Callable[[], Any]]) -> None:
        self.jobs = {key: _Job(job) for key, job in work.items()}
        if self.jobs:
            context = contextvars.copy_context()
            threading.Thread(target=context.run, args=(self._run_all,), name="tutor-ahead",
                             daemon=True).start()

    def _run_all(self) -> None:
        for job in self.jobs.values():
            job.run()

    def result(self, key: Hashable, work: Callable[[], Any]) -> Any:
        """The result of the work queued under ``key`` (waiting for it if need be; its error
        raised here), or of ``work`` done now if none was."""
        job = self.jobs.get(key)
        return work() if job is None else job.result()
