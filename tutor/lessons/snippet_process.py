"""The process that runs the snippets of ``code`` steps for one framework (started by
:mod:`.snippets`, one process per framework).

``python snippet_process.py torch`` (or ``tensorflow``, then any other library its snippets
import, such as ``torch``) imports those libraries and runs a tiny warm-up for each (the first
autograd call, the first ``tf.function`` trace), says
``{"ready": true, "error": ...}``, then answers one JSON request per line:
``{"code": ..., "name": ...}`` with the snippet's captured output and its error, if any.
The snippet runs here, in a separate process with a time limit enforced by the parent,
never in the tutor itself. This file imports nothing from ``tutor``: it runs as a script.
"""

from __future__ import annotations

import contextlib
import io
import json
import linecache
import os
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


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # anything written straight to file descriptor 1 cannot corrupt the protocol
    framework, *also = sys.argv[1:] or ["torch"]
    error = None
    for library in (framework, *also):  # its own library first: an error names it
        error = error or _run(WARM_UP.get(library, f"import {library}\n"),
                              f"<warm-up {library}>")["error"]
    protocol.write(json.dumps({"ready": True, "error": error and
                               f"{error['type']}: {error['message']}"}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        protocol.write(json.dumps(_run(request["code"], request.get("name", "<snippet>"))) + "\n")


if __name__ == "__main__":
    main()
