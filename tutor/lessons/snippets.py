"""The processes that run the snippets of ``code`` steps, seen from the tutor.

One :class:`CodeWorker` serves a whole lesson run with one process per framework: the torch
snippets run where only torch was imported, the TensorFlow ones where only TensorFlow was
(so a torch snippet never waits for TensorFlow's seconds-long import, and both imports run
side by side on two cores). :meth:`CodeWorker.warm` starts them as soon as ``tutor learn``
starts, before the lesson is even read (this module imports nothing heavy, so that they start
first); each imports its library and makes its first calls before it says it is ready, and
that wait never counts against a snippet's time limit. Once the lesson is read, ``warm`` is
called again with what its snippets need besides: libraries (TensorFlow snippets that import
torch), imported at once, and costly first calls (torch.optim's, torch.func's: see
:mod:`.snippet_process`), asked for once the lesson's first code step has run; :meth:`CodeWorker.keep`
stops the processes the lesson does not need. A snippet that runs past its time limit is stopped
(its process is killed and restarted for the next one); one that crashes its process is
reported. The process itself is :mod:`tutor.lessons.snippet_process`.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor._quiet import TENSORFLOW_QUIET
from tutor.lessons.snippet_process import FIRST_USES

_PROCESS = Path(__file__).with_name("snippet_process.py")
_START_SECONDS = 120.0
_EXITING_SECONDS = 2.0


@dataclass
class RunResult:
    """What a snippet did: its output, the error it raised, or why it did not finish."""

    stdout: str = ""
    error: dict | None = None
    timed_out: bool = False
    crashed: str | None = None


class _Process:
    """One snippet process for one framework; its replies come back through a queue."""

    def __init__(self, framework: str, also: Sequence[str] = ()) -> None:
        self.framework = framework
        self.replies: queue.Queue = queue.Queue()
        self.popen = subprocess.Popen(
            [sys.executable, "-u", str(_PROCESS), framework, *also], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
            start_new_session=True, env={**TENSORFLOW_QUIET, **os.environ})
        self.ready: str | None | bool = False  # False until it replies; then its import error
        self.answered = False  # it has run a snippet
        self.asked = {framework, *also}  # the libraries and first uses it was asked to prepare
        self.first_uses: list[str] = []  # not asked for yet (see CodeWorker._ask_first_uses)
        self.made: set[str] = set()  # the first uses it says it made
        self.making = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.popen.stdout:
            try:
                reply = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "made" in reply:  # not an answer: a first use was made
                with self.making:
                    self.made.add(reply["made"])
                    self.making.notify_all()
            else:
                self.replies.put(reply)
        self.replies.put(None)
        with self.making:
            self.making.notify_all()

    def prepare(self, libraries: Sequence[str], first_uses: Sequence[str]) -> None:
        """Have it import ``libraries`` before the next snippet; keep ``first_uses`` (names in
        :data:`~.snippet_process.FIRST_USES`) to ask for later."""
        libraries = [name for name in libraries if name not in self.asked]
        self.first_uses += [name for name in first_uses if name not in self.asked]
        self.asked.update(libraries, first_uses)
        if libraries:
            self.send({"import": libraries})

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait_ready(self) -> str | None:
        """Wait for the import and warm-up; None when they went well, else what went wrong."""
        if self.ready is False:
            try:
                reply = self.replies.get(timeout=_START_SECONDS)
            except queue.Empty:
                reply = None
            self.ready = (f"the worker process could not start ({self.exit_status()})"
                          if reply is None else reply.get("error") and
                          f"importing {self.framework} failed: {reply['error']}")
        return self.ready

    def send(self, request: dict) -> bool:
        try:
            self.popen.stdin.write(json.dumps(request) + "\n")
            self.popen.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        return True

    def exit_status(self) -> str:
        code = self.popen.wait(timeout=10)
        return f"killed by signal {-code}" if code < 0 else f"exit code {code}"

    def kill(self, wait: bool) -> None:
        """Kill the process and everything it started (its own process group)."""
        if self.alive():
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if wait:
            self.popen.wait(timeout=10)
            for stream in (self.popen.stdin, self.popen.stdout):
                stream.close()


class CodeWorker:
    """Runs snippets one at a time, each in its framework's process (started on first use)."""

    def __init__(self) -> None:
        self.processes: dict[str, _Process] = {}

    def warm(self, *frameworks: str, also: Mapping[str, Sequence[str]] | None = None,
             first_uses: Mapping[str, Sequence[str]] | None = None) -> None:
        """Start the processes for ``frameworks`` ("torch", "tensorflow") now, in the
        background: each imports its library while the learner reads, and the libraries
        ``also[framework]`` its snippets import too (TensorFlow snippets that use torch),
        then makes the calls ``first_uses[framework]`` (see :meth:`_Process.prepare`).
        A process already running is asked for what it was not asked for yet."""
        for framework in frameworks:
            libraries = (also or {}).get(framework, ())
            process = self.processes.get(framework)
            if process is None or not process.alive():
                process = self.processes[framework] = _Process(framework, libraries)
            process.prepare(libraries, (first_uses or {}).get(framework, ()))
        self._ask_first_uses()

    def keep(self, *frameworks: str) -> None:
        """Stop the processes of every framework but ``frameworks`` (a lesson without
        TensorFlow snippets, or without code steps, does not need them)."""
        for framework in [name for name in self.processes if name not in frameworks]:
            self._drop(framework, wait=False)

    @property
    def imported(self) -> dict[str, str | None]:
        """The frameworks whose process said it was ready: None, or why its import failed."""
        return {name: process.ready for name, process in self.processes.items()
                if process.ready is not False}

    def run(self, code: str, name: str, timeout: float, framework: str = "torch") -> RunResult:
        """Run ``code`` in ``framework``'s process; waiting for its start is not timed."""
        self.warm(framework)
        process = self.processes[framework]
        failed = process.wait_ready()
        if failed:
            self._drop(framework, wait=True)
            return RunResult(crashed=failed)
        if not process.send({"code": code, "name": name}):
            return RunResult(crashed=self._drop(framework, wait=True, ending=True))
        try:
            reply = process.replies.get(timeout=timeout)
        except queue.Empty:
            self._drop(framework, wait=True)
            return RunResult(timed_out=True)
        if reply is None:  # it closed its output: it crashed
            return RunResult(crashed=self._drop(framework, wait=True, ending=True))
        process.answered = True
        self._ask_first_uses()
        return RunResult(reply["stdout"], reply["error"])

    def _ask_first_uses(self) -> None:
        """Once every process has run a snippet (the lesson's first code step is done: a
        learner reads on, and no first use competes with an import or delays that step), ask
        each for the first uses it keeps: it makes them while no snippet waits."""
        if all(process.answered for process in self.processes.values()):
            for process in self.processes.values():
                if process.first_uses:
                    process.send({"first_uses": process.first_uses})
                    process.first_uses = []

    def wait_first_uses(self, timeout: float = _START_SECONDS) -> bool:
        """Wait until every process has made the first uses asked of it (what a learner's
        reading gives them time for); False if one did not within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            with process.making:
                asked = (process.asked & FIRST_USES.keys()) - set(process.first_uses)
                while not process.made >= asked:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or not process.alive():
                        return False
                    process.making.wait(remaining)
        return True

    def _drop(self, framework: str, wait: bool, ending: bool = False) -> str:
        """Kill ``framework``'s process (the next snippet starts a fresh one); how it ended.
        ``ending``: it closed its output, so it is exiting: give it a moment to say how."""
        process = self.processes.pop(framework)
        if ending:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=_EXITING_SECONDS)
        running = process.alive()
        process.kill(wait)
        return "killed" if running else process.exit_status()

    def stop(self, *, wait: bool = True) -> None:
        """Kill every process; ``wait=False`` at the end of a run (the tutor exits next, and
        waiting for a killed process to free torch's and TensorFlow's memory takes seconds)."""
        for framework in list(self.processes):
            self._drop(framework, wait)
