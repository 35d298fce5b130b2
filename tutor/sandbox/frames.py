"""Length-prefixed JSON messages over pipes, between the grader and a sandboxed process.

JSON and never pickle: unpickling what a student's process sends would run its code in the
grader. Reads take a deadline, a size cap and a nesting cap, and accept only numbers, short
strings, lists and string-keyed objects, so a hostile process can neither hang, flood nor
overflow the grader's stack (a reply nested 100,000 deep is refused before it is decoded).

>>> r, w = os.pipe()
>>> write_frame(w, {"ok": True, "value": [1.5, float("nan")]})
>>> read_frame(r, timeout=1.0, cap=1000)["value"][0]
1.5
"""

from __future__ import annotations

import json
import os
import re
import select
import struct
import time

_HEADER = struct.Struct(">I")
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
#: The longest string a reply may hold (a failure message: 500 characters and a hint).
MAX_STRING = 4000


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


def read_frame(fd: int, *, timeout: float | None = None, cap: int | None = None,
               depth: int | None = None) -> object:
    """Receive one JSON message. Raises EOFError when the writer is gone, FrameTimeout,
    FrameTooLarge, or ValueError for bytes that are not a JSON message. With ``depth``, the
    message must be nested at most that deep and hold only numbers, strings of at most
    ``MAX_STRING`` characters, booleans, null, lists and string-keyed objects.

    >>> r, w = os.pipe()
    >>> write_frame(w, [[[1.0]]])
    >>> read_frame(r, timeout=1.0, depth=2)
    Traceback (most recent call last):
    ...
    ValueError: the message is nested deeper than 2 levels
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    if cap is not None and size > cap:
        raise FrameTooLarge(f"a message of {size} bytes (the cap is {cap})")
    body = _read_exactly(fd, size, deadline)
    if depth is None:
        return json.loads(body)
    _check_nesting(body, depth)
    message = json.loads(body)
    _check_values(message)
    return message


def _check_nesting(body: bytes, depth: int) -> None:
    """Refuse (before decoding, at C speed) bodies nested deeper than ``depth``: each round
    removes the innermost bracket pairs, so a body deeper than ``2 * depth`` is never empty
    after ``depth`` rounds."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    for _ in range(depth):
        brackets = brackets.replace(b"[]", b"").replace(b"{}", b"")
    if brackets:
        raise ValueError(f"the message is nested deeper than {depth} levels")


def _check_values(message: object) -> None:
    """Only plain JSON data of bounded size (iterative: the nesting is already bounded)."""
    todo = [message]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if not all(isinstance(key, str) and len(key) <= 100 for key in item):
                raise ValueError("the message has a key that is not a short string")
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, str):
            if len(item) > MAX_STRING:
                raise ValueError(f"the message holds a string of {len(item)} characters")
        elif not (item is None or isinstance(item, bool | int | float)):
            raise ValueError(f"the message holds {type(item).__name__}")


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
