"""The process that runs the snippets of ``code`` steps for one framework (started by
:mod:`.snippets`, one process per framework).

``python snippet_process.py torch`` (or ``tensorflow``, then any other library its snippets
import, such as ``torch``) imports those libraries and runs a tiny warm-up for each (the first
autograd call, the first ``tf.function`` trace), says ``{"ready": true, "error": ...}``, then
reads one JSON request per line:

- ``{"code": ..., "name": ...}``: run a snippet; the answer is its captured output and its
  error, if any;
- ``{"import": [...]}`` (no answer): import more libraries now, before the next snippet;
- ``{"first_uses": [...]}``: make the first calls named in :data:`FIRST_USES` while no
  snippet is waiting (each takes up to a second the first time, next to nothing after),
  saying ``{"made": name}`` after each.

The snippet runs here, in a separate process with a time limit enforced by the parent,
never in the tutor itself. This file imports nothing from ``tutor``: it runs as a script.
"""

from __future__ import annotations

import contextlib
import io
import json
import linecache
import os
import select
import sys
import traceback

_OUTPUT_LIMIT = 200_000

# Run once before "ready", so that a lesson's first snippet does not pay for the library's
# first calls (autograd's engine, TensorFlow's eager context and tf.function's first trace).
WARM_UP = {
    "torch": "import torch\n"
             "x = torch.ones(2, requires_grad=True)\n"
             "torch.autograd.grad((x * x).sum(), [x])\n",
    "tensorflow": "import tensorflow as tf\n"
                  "x = tf.Variable([1.0, 2.0])\n"
                  "@tf.function\n"
                  "def square():\n"
                  "    with tf.GradientTape() as tape:\n"
                  "        y = tf.reduce_sum(x * x)\n"
                  "    return tape.gradient(y, x)\n"
                  "square()\n",
}

# First calls that cost about a second each, made ahead (while no snippet waits) for the
# lessons whose snippets use them (the tutor asks for those whose name is in a snippet):
# the first torch optimizer imports torch._dynamo, the first torch.func transform sets up
# functorch, the first Keras optimizer inside tf.function builds its slots and traces.
FIRST_USES = {
    "torch.optim": "import torch\n"
                   "torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n",
    "torch.func": "import torch\n"
                  "from torch.func import hessian, jacrev\n"
                  "hessian(lambda v: (v ** 3).sum())(torch.ones(2))\n"
                  "jacrev(torch.sin)(torch.ones(2))\n",
    "tf.optimizers": "import tensorflow as tf\n"
                     "x = tf.Variable([1.0, 2.0])\n"
                     "optimizer = tf.optimizers.Adam(0.1)\n"
                     "@tf.function\n"
                     "def step():\n"
                     "    with tf.GradientTape() as tape:\n"
                     "        y = tf.reduce_sum(x * x)\n"
                     "    optimizer.apply_gradients(zip(tape.gradient(y, [x]), [x]))\n"
                     "step()\n",
}


def _run(code: str, name: str) -> dict:
    linecache.cache[name] = (len(code), None, code.splitlines(True), name)  # for tracebacks
    output = io.StringIO()
    error = None
    saved_stdin, sys.stdin = sys.stdin, io.StringIO("")
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            # The one place lesson code runs: here, in this separate, time-limited process.
            exec(compile(code, name, "exec"), {"__name__": "__main__"})
    except BaseException as caught:  # everything the snippet raises is reported, even SystemExit
        lines = traceback.format_exception(caught)
        error = {"type": type(caught).__name__, "message": str(caught),
                 "bases": [cls.__name__ for cls in type(caught).__mro__],
                 "traceback": "".join([lines[0], *lines[2:]]) if len(lines) > 2 else "".join(lines)}
    finally:
        sys.stdin = saved_stdin
    text = output.getvalue()
    if len(text) > _OUTPUT_LIMIT:
        text = text[:_OUTPUT_LIMIT] + "\n... (output cut)\n"
    return {"stdout": text, "error": error}


def _warm(library: str) -> dict | None:
    """Import ``library`` and make its first calls; the error, if any."""
    return _run(WARM_UP.get(library, f"import {library}\n"), f"<warm-up {library}>")["error"]


class _Requests:
    """The request lines on file descriptor ``fd``, read unbuffered, so that :meth:`waiting`
    can tell whether one has arrived without taking it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def waiting(self) -> bool:
        return b"\n" in self.buffer or bool(select.select([self.fd], [], [], 0)[0])

    def next(self) -> dict | None:
        """The next request (waiting for it); None at the end of the input."""
        while b"\n" not in self.buffer:
            chunk = os.read(self.fd, 1 << 16)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # anything written straight to file descriptor 1 cannot corrupt the protocol
    framework, *also = sys.argv[1:] or ["torch"]
    error = None
    for library in (framework, *also):  # its own library first: an error names it
        error = error or _warm(library)
    protocol.write(json.dumps({"ready": True, "error": error and
                               f"{error['type']}: {error['message']}"}) + "\n")
    requests, first_uses = _Requests(sys.stdin.fileno()), []
    while True:
        while first_uses and not requests.waiting():
            name = first_uses.pop(0)
            _run(FIRST_USES[name], f"<first use of {name}>")  # a failure shows in the snippet
            protocol.write(json.dumps({"made": name}) + "\n")
        request = requests.next()
        if request is None:
            return
        if "code" not in request:
            for library in request.get("import", ()):
                _warm(library)  # a failed import is reported by the snippet that needs it
            first_uses += [name for name in request.get("first_uses", ()) if name in FIRST_USES]
            continue
        protocol.write(json.dumps(_run(request["code"], request.get("name", "<snippet>"))) + "\n")


if __name__ == "__main__":
    main()
