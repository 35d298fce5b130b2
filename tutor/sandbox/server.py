"""Sandboxed side: the request server a confined child runs, and how student failures are
described (exit, memory, output cap, syntax, an exception at the student's own line).
"""

from __future__ import annotations

import errno
import importlib.util
import os
import random
import sys
import traceback

from tutor.sandbox import adapters, integrity
from tutor.sandbox.frames import read_frame, write_frame


class Server:
    """Answers the grader's requests (load the module, call a function) until the pipe closes."""

    def __init__(self, request_fd: int, reply_fd: int, workdir: str, limits: dict):
        self.request_fd, self.reply_fd = request_fd, reply_fd
        self.workdir = workdir
        self.limits = limits
        self.module = None

    def serve(self) -> None:
        """The loop holds what it uses in locals taken before any student code runs, so that
        replacing a global (the reply writer, say) cannot silence or forge its replies."""
        pid, getpid, leave, read, write = os.getpid(), os.getpid, os._exit, read_frame, write_frame
        handle, request_fd, reply_fd = self.handle, self.request_fd, self.reply_fd
        while True:
            try:
                request = read(request_fd)
            except EOFError:
                leave(0)
            reply = handle(request)
            if getpid() != pid:  # a fork made by student code came back here
                leave(0)
            write(reply_fd, reply)

    def handle(self, request: dict) -> dict:
        """The reply to ``request``; a "tampering" failure whenever student code has replaced
        what the worker or torch's autograd relies on (checked after every request)."""
        reply = self.answer(request)
        changed = integrity.tampered()
        if changed:
            return {"ok": False, "kind": "tampering", "message": "Your code replaced "
                    f"{', '.join(changed[:3])}, which grading relies on"}
        return reply

    def answer(self, request: dict) -> dict:
        _reseed()
        try:
            if request["op"] == "load":
                return self.load(request["module"])
            function = getattr(self.module, request["entry"], None)
            if not callable(function):
                return {"ok": False, "kind": "missing",
                        "message": f"No function named {request['entry']!r} in your code"}
            return adapters.call(function, request, self.module, self.workdir)
        except BaseException as error:  # noqa: BLE001 - student code may raise anything
            return self.failure(error)

    def load(self, name: str) -> dict:
        path = os.path.join(self.workdir, f"{name}.py")
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        self.module = module
        return {"ok": True}

    def failure(self, error: BaseException) -> dict:
        if isinstance(error, SystemExit):
            return {"ok": False, "kind": "exit", "message": f"The code called sys.exit({error.code!r})"}
        if isinstance(error, MemoryError):
            return {"ok": False, "kind": "memory",
                    "message": f"Ran out of memory (the limit is {self.limits['memory_mb']} MB)"}
        if isinstance(error, OSError) and error.errno == errno.EFBIG:
            return {"ok": False, "kind": "output", "message": "Wrote more output than allowed "
                    f"({self.limits['output_bytes']} bytes)"}
        if isinstance(error, SyntaxError):
            where = f"{os.path.basename(error.filename or '?')}, line {error.lineno}"
            return {"ok": False, "kind": "syntax", "message": f"{where}: SyntaxError: {error.msg}"}
        return {"ok": False, "kind": "exception", "message": _describe(error, self.workdir)}


#: What TensorFlow's own messages leave students guessing about: (words in it, the hint).
_TENSORFLOW_HINTS = (
    (("double tensor", "float tensor"), "TensorFlow never converts between float32 and float64: "
                                        "make constants with the inputs' dtype, e.g. tf.constant(lr, x.dtype)"),
    (("NoneType",), "With TensorFlow, tape.gradient gives None for what the tape did not watch: "
                    "use a tf.Variable, or tape.watch(x) for a tensor"),
)


def _describe(error: BaseException, workdir: str) -> str:
    """``solution.py, line 4, in loss: ZeroDivisionError: division by zero``."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(workdir)]
    text = f"{type(error).__name__}: {error}"[:500]
    hints = [hint for words, hint in _TENSORFLOW_HINTS if all(w in text for w in words)]
    if hints and "tensorflow" in sys.modules:
        text = f"{text.rstrip().removesuffix('name:').rstrip(' .')}. {'. '.join(hints)}"
    if not frames:
        return text
    frame = frames[-1]
    return f"{os.path.basename(frame.filename)}, line {frame.lineno}, in {frame.name}: {text}"


def _reseed() -> None:
    random.seed(0)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(0)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(0)
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(0)
