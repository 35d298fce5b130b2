"""The process that runs the snippets of ``code`` steps, seen from the tutor.

One :class:`CodeWorker` serves a whole lesson run, so torch and TensorFlow are imported once
(TensorFlow's import, seconds long, is asked for ahead and never counts against a snippet's
time limit). A snippet that runs past its time limit is stopped (the worker is killed and
restarted for the next one); one that crashes the worker is reported. The process itself
is :mod:`tutor.lessons.snippet_process`.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
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


class CodeWorker:
    """A Python process that runs snippets one at a time; started on first use.

    :meth:`preload` asks it to import a module ahead (TensorFlow, while the learner reads);
    the replies come back in order, and :meth:`run` waits for them before timing a snippet.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.replies: queue.Queue = queue.Queue()
        self.waiting: list[str] = []  # replies not read yet: "ready", then modules imported
        self.imported: dict[str, str | None] = {}  # module -> None, or why it failed

    def start(self) -> None:
        """Start the worker now (it imports torch in the background)."""
        if self.process is not None and self.process.poll() is None:
            return
        self.replies = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-u", str(_PROCESS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, encoding="utf-8", start_new_session=True,
            env={**TENSORFLOW_QUIET, **os.environ})
        threading.Thread(target=_pump, args=(self.process.stdout, self.replies), daemon=True).start()
        self.waiting = ["ready"]
        self.imported = {}

    def preload(self, module: str) -> None:
        """Have the worker import ``module`` (e.g. "tensorflow") now, in the background."""
        self.start()
        if module in self.imported or module in self.waiting:
            return
        if self._send({"import": module}):
            self.waiting.append(module)

    def run(self, code: str, name: str, timeout: float, *, needs: str | None = None) -> RunResult:
        """Run ``code``; ``needs`` names a slow module to import first, outside ``timeout``."""
        if needs:
            self.preload(needs)
        self.start()
        try:
            while self.waiting:  # replies are None when the worker died; queue.Empty on time-out
                reply = self.replies.get(timeout=_START_SECONDS)
                what = self.waiting.pop(0)
                if reply is None:
                    doing = "start" if what == "ready" else f"import {what}"
                    return RunResult(crashed=f"the worker process could not {doing} ({self._exit()})")
                if what != "ready":
                    self.imported[what] = reply.get("error")
            if needs and self.imported.get(needs):
                return RunResult(crashed=f"importing {needs} failed: {self.imported[needs]}")
            if not self._send({"code": code, "name": name}):
                return RunResult(crashed=self._exit())
            reply = self.replies.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            return RunResult(timed_out=True)
        if reply is None:
            return RunResult(crashed=self._exit())
        return RunResult(reply["stdout"], reply["error"])

    def _send(self, request: dict) -> bool:
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return False
        return True

    def _exit(self) -> str:
        code = self.process.wait(timeout=10) if self.process else None
        self.process = None
        if code is not None and code < 0:
            return f"killed by signal {-code}"
        return f"exit code {code}"

    def stop(self) -> None:
        """Kill the worker and everything it started (its own process group)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()
        self.process = None


def _pump(stream, replies: queue.Queue) -> None:
    for line in stream:
        try:
            replies.put(json.loads(line))
        except json.JSONDecodeError:
            continue
    replies.put(None)
