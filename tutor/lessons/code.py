"""``code`` steps: run the PyTorch snippet (and the TensorFlow one, when TensorFlow is
installed) in a worker process, then check what each printed.

One :class:`CodeWorker` serves a whole lesson run, so torch and TensorFlow are imported once
(TensorFlow's import, seconds long, is asked for ahead and never counts against a snippet's
time limit). A snippet that runs past its time limit is stopped (the worker is killed and
restarted for the next one); one that crashes the worker is reported. Numbers are read from
the output after a label and compared with the symbolic values, allowing for the digits
printed and the dtype.

>>> numbers_after("grad: tensor([16.0000, -0.5])", 0)[:2]
[(16.0, 4, 14, 21), (-0.5, 1, 23, 27)]
>>> [n[0] for n in numbers_after("tf.Tensor([16.], shape=(1,), dtype=float32)", 0)]
[16.0]
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tutor.errors import LessonError
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.model import Code, Expectation
from tutor.lowering import TENSORFLOW_QUIET, numeric_function
from tutor.numeric import error_ratio, tolerance
from tutor.parsing import symbol
from tutor.symbolic import gradient

_WORKER = Path(__file__).with_name("worker.py")
_START_SECONDS = 120.0
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
# Parts of TensorFlow's reprs whose digits are not values: shape=(1,), 'Variable:0'.
_NOT_VALUES = re.compile(r"shape=\([^)]*\)|<tf\.Variable '[^']*'")


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
            [sys.executable, "-u", str(_WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
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


# ---------------------------------------------------------------- checking the output


def numbers_after(text: str, start: int) -> list[tuple[float, int, int, int]]:
    """Numbers in ``text`` from ``start``: (value, decimals written, start, end)."""
    found = []
    text = _NOT_VALUES.sub(lambda m: " " * len(m.group()), text)  # same length: same positions
    for match in _NUMBER.finditer(text, start):
        written = match.group()
        mantissa = written.lower().split("e")[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        found.append((float(written), decimals, match.start(), match.end()))
    return found


@dataclass
class Check:
    """One expectation and how the output met it."""

    label: str
    expected: str
    found: str
    ok: bool


@dataclass
class CodeResult:
    run: RunResult
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        unexpected = self.run.error is not None and not any(c.label == "error" for c in self.checks)
        return (not self.run.timed_out and not self.run.crashed and not unexpected
                and all(c.ok for c in self.checks))


def expected_values(math: LessonMath, step: Code, expectation: Expectation) -> list[float]:
    """The symbolic values a ``value`` or ``derivative`` expectation stands for, as numbers."""
    where = f"step {step.id!r}: expect"
    if expectation.derivative is not None:
        d = expectation.derivative
        function = math.expr(d.of, where)
        exprs = list(gradient(function, math.expand_names(d.wrt, where, expectation.line),
                              simplify=False))
        point = {**math.point(step.at), **(d.at.values if d.at else {})}
    else:
        name = expectation.value.text.strip()
        if name in math.elements and math.shapes[name]:
            exprs = [math.substitute(symbol(e)) for e in math.elements[name]]
        else:
            exprs = [math.expr(expectation.value, where)]
        point = math.point(step.at)
    values = []
    for expr in exprs:
        names = sorted(s.name for s in expr.free_symbols)
        missing = [n for n in names if n not in point]
        if missing:
            raise LessonError(f"{where}: no value for {', '.join(missing)}; give them in the "
                              "step's 'at'", path=math.label, line=expectation.line)
        values.append(float(numeric_function(expr, names)(*[point[n] for n in names])))
    return values


def check_output(math: LessonMath, step: Code, run: RunResult,
                 framework: str = "torch") -> list[Check]:
    """Compare the ``framework`` snippet's output with each of its expectations, in order."""
    text, cursor, checks = run.stdout, 0, []
    rtol = tolerance(step.dtype)
    for expectation in step.checks(framework):
        label = expectation.after or ""
        if expectation.error is not None:
            raised = (run.error or {}).get("bases", [])
            found = f"{run.error['type']}" if run.error else "no error"
            checks.append(Check("error", expectation.error, found, expectation.error in raised))
            continue
        start = cursor
        if label:
            at = text.find(label, cursor)
            at = text.find(label) if at < 0 else at
            if at < 0:
                checks.append(Check(label, "the label in the output", "not printed", False))
                continue
            start = at + len(label)
        if expectation.text is not None:
            rest = text[start:].lstrip()
            ok = rest.startswith(expectation.text)
            checks.append(Check(label, expectation.text, rest.split("\n", 1)[0][:40], ok))
            cursor = start + (len(text[start:]) - len(rest)) + len(expectation.text) if ok else start
            continue
        wanted = expected_values(math, step, expectation)
        printed = numbers_after(text, start)[:len(wanted)]
        if len(printed) < len(wanted):
            checks.append(Check(label, _numbers(wanted), f"{len(printed)} of {len(wanted)} numbers", False))
            continue
        got = np.array([p[0] for p in printed])
        ref = np.array(wanted)
        digits = np.array([_digits_allowance(text[p[2]:p[3]], p[1]) for p in printed])
        ok = bool(np.all((error_ratio(ref, got, rtol) <= 1.0) | (np.abs(got - ref) <= digits)))
        checks.append(Check(label, _numbers(wanted), _numbers(got), ok))
        cursor = printed[-1][3]
    return checks


def _digits_allowance(written: str, decimals: int) -> float:
    """Half a unit in the last digit written: '0.1234' may stand for 0.12344 or 0.12335."""
    exponent = int(written.lower().split("e")[1]) if "e" in written.lower() else 0
    return 0.5 * 10.0 ** (exponent - decimals)


def _numbers(values) -> str:
    shown = ", ".join(f"{v:.6g}" for v in list(values)[:3])
    return shown + (f", ... ({len(values)} numbers)" if len(values) > 3 else "")


def run_code(math: LessonMath, step: Code, worker: CodeWorker, name: str,
             framework: str = "torch") -> CodeResult:
    """Run the step's ``framework`` snippet ("torch" or "tensorflow") and check its output."""
    needs = "tensorflow" if framework == "tensorflow" else None
    run = worker.run(step.source(framework), name, step.timeout, needs=needs)
    if run.timed_out or run.crashed:
        return CodeResult(run)
    return CodeResult(run, check_output(math, step, run, framework))
