"""Grader side of the sandbox: the warm zygote, one fresh confined process per ``session``,
and replies that are read with a deadline, a size cap and a depth cap and then validated.

>>> with Sandbox(Limits(timeout=5), torch=False) as sandbox:  # doctest: +SKIP
...     with sandbox.session({"solution.py": b"def f(x):\\n    return 2 * x\\n"}) as session:
...         session.load("solution")
...         session.request({"op": "call", "mode": "numpy", "entry": "f", "args": [[1.0]],
...                          "parts": 1})["parts"]
[[2.0]]
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from tutor.errors import TutorError
from tutor.sandbox.frames import FrameTimeout, FrameTooLarge, read_frame, write_frame

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
#: Student code runs as this uid plus a per-grader offset when the grader is root.
SANDBOX_UID_BASE = 1_500_000_000
_ZYGOTE_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "PYTHONHASHSEED": "0", "LANG": "C.UTF-8"}
_START_SECONDS = 120.0
#: How deep a reply may nest: {"path": [[x, y], ...]} needs 3.
_REPLY_DEPTH = 6


@dataclass(frozen=True)
class SandboxSettings:
    """The limits an assignment (docs/grading.md) or an exercise may set; declared once here:
    ``Limits`` extends them with the ones the caller fixes."""

    timeout: float = 10.0
    memory_mb: int = 4096
    cpu_seconds: int = 60
    output_bytes: int = 1_000_000


@dataclass(frozen=True)
class Limits(SandboxSettings):
    """What one submission's process may use: the assignment's ``SandboxSettings`` (``timeout``
    is wall-clock seconds per request) and two the grader fixes."""

    processes: int = 32
    reply_bytes: int = 64 * 1024 * 1024


class SandboxError(TutorError):
    """The sandbox itself could not run (not the student's fault)."""


#: The failure kinds a sandboxed process may report; any other is a protocol violation.
REPORTED_KINDS = frozenset({"exception", "missing", "type", "memory", "output", "exit", "syntax",
                            "tampering"})
_CONTROL = dict.fromkeys([*range(0, 9), *range(11, 32), 127])  # all but tab and newline


class StudentCodeError(Exception):
    """Student code failed; ``kind`` says how (timeout, crashed, protocol, or one of
    ``REPORTED_KINDS``) and the message says it to the student."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


class Sandbox:
    """Fresh confined processes on demand, forked from one warm zygote. ``torch`` and
    ``tensorflow`` say which libraries the zygote imports and warms up (TensorFlow adds about
    2 s to its start and 0.9 GB of address space, so only code that needs it should pay)."""

    def __init__(self, limits: Limits = Limits(), *, torch: bool = True, tensorflow: bool = False,
                 audit: bool = True):
        self.limits = limits
        self.torch, self.tensorflow = torch, tensorflow
        self.audit = audit
        self.uid = SANDBOX_UID_BASE + os.getpid() % 1_000_000 if os.geteuid() == 0 else None
        self._control: socket.socket | None = None
        self._zygote: subprocess.Popen | None = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def session(self, files: Mapping[str, bytes]) -> Session:
        """A fresh process whose working directory holds ``files`` (name -> content)."""
        control = self._ensure_zygote()
        workdir = tempfile.mkdtemp(prefix="tutor-sandbox-")
        for name, data in files.items():
            Path(workdir, name).write_bytes(data)
        if self.uid is not None:
            os.chown(workdir, self.uid, self.uid)
        spec = {"op": "spawn", "workdir": workdir, "uid": self.uid, "audit": self.audit,
                "limits": asdict(self.limits), "read": _python_roots()}
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        try:
            socket.send_fds(control, [json.dumps(spec).encode()], [request_r, reply_w])
            pid = json.loads(control.recv(1 << 16))["pid"]
        except (OSError, ValueError, KeyError) as error:
            for fd in (request_w, reply_r):
                os.close(fd)
            shutil.rmtree(workdir, ignore_errors=True)
            self.close()
            raise SandboxError(f"the sandbox's zygote process failed: {error}") from None
        finally:
            os.close(request_r)
            os.close(reply_w)
        return Session(self, pid, request_w, reply_r, workdir)

    def reap(self, pid: int) -> int | None:
        """Wait for a killed child (via the zygote, its parent); its raw wait status."""
        if self._control is None:
            return None
        try:
            self._control.send(json.dumps({"op": "reap", "pid": pid}).encode())
            return json.loads(self._control.recv(1 << 16))["status"]
        except (OSError, ValueError, KeyError):
            return None

    def close(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._zygote is not None:
            try:
                self._zygote.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._zygote.kill()
                self._zygote.wait()
            self._zygote = None

    def _ensure_zygote(self) -> socket.socket:
        if self._control is not None:
            return self._control
        if sys.platform != "linux":
            raise SandboxError("student code can only be run on Linux (the sandbox uses its "
                               "process limits, namespaces and Landlock)")
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        boot = (f"import sys; sys.path.insert(0, {_PACKAGE_ROOT!r}); "
                f"from tutor.sandbox.zygote import zygote; "
                f"zygote({theirs.fileno()}, {self.torch}, {self.tensorflow})")
        with tempfile.TemporaryFile() as log:
            self._zygote = subprocess.Popen(
                [sys.executable, "-s", "-c", boot], pass_fds=[theirs.fileno()], env=_ZYGOTE_ENV,
                cwd="/", stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            theirs.close()
            ours.settimeout(_START_SECONDS)
            try:
                hello = ours.recv(1 << 16)
            except OSError:
                hello = b""
            if not hello:
                log.seek(0)
                detail = log.read().decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
                ours.close()
                self._control = ours
                self.close()
                raise SandboxError(f"the sandbox could not start: {detail[0]}")
        ours.settimeout(None)
        self._control = ours
        return ours


class Session:
    """One fresh sandboxed process; ``request`` raises StudentCodeError when the code fails."""

    def __init__(self, sandbox: Sandbox, pid: int, request_fd: int, reply_fd: int, workdir: str):
        self.sandbox, self.pid = sandbox, pid
        self._request_fd, self._reply_fd = request_fd, reply_fd
        self.workdir = workdir
        self.alive = True
        self.info: dict = {}
        try:
            hello = self._receive(_START_SECONDS)
        except StudentCodeError as error:
            self.close()
            raise SandboxError(f"the sandbox process did not start: {error}") from None
        if not isinstance(hello, dict) or not hello.get("ready"):
            self.close()
            raise SandboxError(f"the sandbox process could not confine itself: {hello.get('error')}")
        if sandbox.uid is not None and hello.get("uid") in (0, None):
            self.close()
            raise SandboxError("the sandbox process is still root; refusing to run student code")
        self.info = hello

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def load(self, module: str, timeout: float | None = None) -> None:
        """Import the student's ``module`` (a file in the working directory)."""
        self.request({"op": "load", "module": module}, timeout)

    def request(self, message: dict, timeout: float | None = None) -> dict:
        """Send one request, wait for its reply; raise StudentCodeError if the code failed."""
        if not self.alive:
            raise StudentCodeError("crashed", "The process had already ended")
        try:
            write_frame(self._request_fd, message)
        except OSError:
            pass  # the child is gone; reading tells how
        reply = self._receive(self.sandbox.limits.timeout if timeout is None else timeout)
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            self.close()
            raise StudentCodeError("protocol", "The process sent a malformed reply")
        if not reply["ok"]:
            kind, message = reply.get("kind"), reply.get("message")
            if kind not in REPORTED_KINDS or not isinstance(message, str):
                self.close()
                raise StudentCodeError("protocol", "The process sent a malformed reply")
            raise StudentCodeError(kind, message[:2000].translate(_CONTROL))
        return reply

    def output(self, limit: int = 2000) -> str:
        """The last ``limit`` characters the code printed, control characters dropped (never
        follows links it planted)."""
        try:
            fd = os.open(Path(self.workdir, ".output"), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return ""
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return ""
            file.seek(max(0, info.st_size - limit))
            return file.read(limit).decode(errors="replace").translate(_CONTROL)

    def _receive(self, timeout: float) -> object:
        try:
            return read_frame(self._reply_fd, timeout=timeout, cap=self.sandbox.limits.reply_bytes,
                              depth=_REPLY_DEPTH)
        except FrameTimeout:
            self.close()
            raise StudentCodeError("timeout", f"Did not finish within {timeout:g} s "
                                   "(an endless loop, or far too much work)") from None
        except EOFError:
            status = self.close()
            raise StudentCodeError("crashed", _describe_status(status, self.sandbox.limits)) from None
        except (FrameTooLarge, ValueError) as error:
            self.close()
            raise StudentCodeError("protocol", f"The process sent an invalid reply ({error})") from None

    def close(self) -> int | None:
        """Kill the process, its group and (when we chose the user) every process of that user."""
        if not self.alive:
            return None
        self.alive = False
        for kill in (os.killpg, os.kill):
            try:
                kill(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.info.get("uid") == self.sandbox.uid is not None:
            _kill_user(self.sandbox.uid)
        status = self.sandbox.reap(self.pid)
        for fd in (self._request_fd, self._reply_fd):
            os.close(fd)
        shutil.rmtree(self.workdir, ignore_errors=True)
        return status


def protections() -> list[str]:
    """What the sandbox enforces on this machine, as a fresh session reports it; lines that
    start with "missing:" name a layer this machine lacks."""
    with Sandbox(Limits(), torch=False) as sandbox, sandbox.session({}) as session:
        info = session.info
    lines = [f"runs as uid {info['uid']}" + (" (own user, killed afterwards)"
                                             if info["uid"] == sandbox.uid else "")]
    lines.append(f"Landlock ABI {info['landlock']}" if info["landlock"] else
                 "missing: Landlock (student code can read what its user can read)")
    lines += (["no network", "own IPC namespace"] if info["network"] == "none" else
              ["missing: network and IPC namespaces (sockets and IPC refused by seccomp only)"])
    lines.append(f"seccomp ({info['seccomp']} system calls refused: sockets, IPC, setsid, ptrace)"
                 if info["seccomp"] else "missing: seccomp (student code may open sockets)")
    if sandbox.uid is None:
        lines.append("missing: a separate user (run the grader as root in a container for one)")
    return lines


def _python_roots() -> list[str]:
    """Where the interpreter's modules live: the only places student code may read."""
    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return sorted(roots | {os.path.realpath(root) for root in roots})


def _describe_status(status: int | None, limits: Limits) -> str:
    if status is None:
        return "The process ended during the call"
    code = os.waitstatus_to_exitcode(status)
    if code >= 0:
        return f"The code ended the process with exit code {code} (os._exit or a crash)"
    reasons = {signal.SIGXCPU: f"used more than {limits.cpu_seconds} s of CPU time",
               signal.SIGKILL: "was killed (over a limit: memory or CPU)",
               signal.SIGSEGV: "crashed (segmentation fault)"}
    name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
    return f"The process {reasons.get(-code, 'was ended')} (signal {name})"


def _kill_user(uid: int, rounds: int = 20) -> None:
    """SIGKILL every live process of ``uid`` (escaped forks included), until none are left."""
    for _ in range(rounds):
        found = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                status = Path(entry.path, "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if int(fields.get("Uid", "-1 ").split()[0]) == uid and not fields["State"].strip().startswith("Z"):
                found = True
                try:
                    os.kill(int(entry.name), signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if not found:
            return
        time.sleep(0.01)
