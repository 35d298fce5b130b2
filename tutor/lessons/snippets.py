"""The processes that run the snippets of ``code`` steps, seen from the tutor.

One :class:`CodeWorker` serves a whole lesson run with one process per framework: the torch
snippets run where only torch was imported, the TensorFlow ones where only TensorFlow was
(so a torch snippet never waits for TensorFlow's seconds-long import, and both imports run
side by side on two cores). :meth:`CodeWorker.warm` starts them as soon as a lesson is chosen;
each imports its library and makes its first calls before it says it is ready, and that wait
never counts against a snippet's time limit. A snippet that runs past its time limit is stopped
(its process is killed and restarted for the next one); one that crashes its process is
reported. The process itself is :mod:`tutor.lessons.snippet_process`.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor.lowering import TENSORFLOW_QUIET

_PROCESS = Path(__file__).with_name("snippet_process.py")
_START_SECONDS = 120.0


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
        threading.Thread(target=_pump, args=(self.popen.stdout, self.replies), daemon=True).start()
        self.ready: str | None | bool = False  # False until it replies; then its import error

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

    def settle(self, seconds: float = 2.0) -> None:
        """Wait up to ``seconds`` for a process that is ending to be gone, so that it is not
        taken for one still running (and reported killed instead of its exit status)."""
        try:
            self.popen.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            pass

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

    def warm(self, *frameworks: str, also: Mapping[str, Sequence[str]] | None = None) -> None:
        """Start the processes for ``frameworks`` ("torch", "tensorflow") now, in the
        background: each imports its library while the learner reads, and the libraries
        ``also[framework]`` its snippets import too (TensorFlow snippets that use torch)."""
        for framework in frameworks:
            process = self.processes.get(framework)
            if process is None or not process.alive():
                self.processes[framework] = _Process(framework, (also or {}).get(framework, ()))

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
            return RunResult(crashed=self._drop(framework, wait=True))
        try:
            reply = process.replies.get(timeout=timeout)
        except queue.Empty:
            self._drop(framework, wait=True)
            return RunResult(timed_out=True)
        if reply is None:  # its output closed: the process is ending (exit frees the pipe first)
            process.settle()
            return RunResult(crashed=self._drop(framework, wait=True))
        return RunResult(reply["stdout"], reply["error"])

    def _drop(self, framework: str, wait: bool) -> str:
        """Kill ``framework``'s process (the next snippet starts a fresh one); how it ended."""
        process = self.processes.pop(framework)
        running = process.alive()
        process.kill(wait)
        return "killed" if running else process.exit_status()

    def stop(self, *, wait: bool = True) -> None:
        """Kill every process; ``wait=False`` at the end of a run (the tutor exits next, and
        waiting for a killed process to free torch's and TensorFlow's memory takes seconds)."""
        for framework in list(self.processes):
            self._drop(framework, wait)


def _pump(stream, replies: queue.Queue) -> None:
    for line in stream:
        try:
            replies.put(json.loads(line))
        except json.JSONDecodeError:
            continue
    replies.put(None)
