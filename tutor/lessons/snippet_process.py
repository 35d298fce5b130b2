"""The process that runs the PyTorch snippets of ``code`` steps (started by :mod:`.code`).

It imports torch once, says ``{"ready": ...}``, then answers one JSON request per line:
``{"code": ..., "name": ...}`` with the snippet's captured output and its error, if any;
``{"import": "tensorflow"}`` (sent ahead of the first TensorFlow snippet, so that its
seconds-long import is not timed as part of the snippet) with the error, if any.
The snippet runs here, in a separate process with a time limit enforced by the parent,
never in the tutor itself. This file imports nothing from ``tutor``: it runs as a script.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import linecache
import os
import sys
import traceback

_OUTPUT_LIMIT = 200_000


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
    requests = sys.stdin
    try:
        import torch

        version = torch.__version__
    except ImportError:
        version = None
    protocol.write(json.dumps({"ready": True, "torch": version}) + "\n")
    for line in requests:
        request = json.loads(line)
        if "import" in request:
            reply = _import(request["import"])
        else:
            reply = _run(request["code"], request.get("name", "<snippet>"))
        protocol.write(json.dumps(reply) + "\n")


def _import(module: str) -> dict:
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            importlib.import_module(module)
    except Exception as caught:  # reported to the parent, which shows it with the snippet
        return {"imported": module, "error": f"{type(caught).__name__}: {caught}"}
    return {"imported": module, "error": None}


if __name__ == "__main__":
    main()
