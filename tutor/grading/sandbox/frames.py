"""Length-prefixed JSON messages over pipes, between the grader and a sandboxed process.

JSON and never pickle: unpickling what a student's process sends would run its code in the
grader. Reads take a deadline and a size cap, so a hostile process can neither hang nor
flood the grader.

>>> r, w = os.pipe()
>>> write_frame(w, {"ok": True, "value": [1.5, float("nan")]})
>>> read_frame(r, timeout=1.0, cap=1000)["value"][0]
1.5
"""

from __future__ import annotations

import json
import os
import select
import struct
import time

_HEADER = struct.Struct(">I")


class FrameTimeout(Exception):
    """No complete message before the deadline."""


class FrameTooLarge(Exception):
    """The other side announced a message above the cap."""


def write_frame(fd: int, message: object) -> None:
    """Send one JSON message (blocking)."""
    body = json.dumps(message, separators=(",", ":")).encode()
    data = _HEADER.pack(len(body)) + body
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_frame(fd: int, *, timeout: float | None = None, cap: int | None = None) -> object:
    """Receive one JSON message. Raises EOFError when the writer is gone, FrameTimeout,
    FrameTooLarge, or ValueError for bytes that are not a JSON message."""
    deadline = None if timeout is None else time.monotonic() + timeout
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    if cap is not None and size > cap:
        raise FrameTooLarge(f"a message of {size} bytes (the cap is {cap})")
    return json.loads(_read_exactly(fd, size, deadline))


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks = []
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                raise FrameTimeout
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
