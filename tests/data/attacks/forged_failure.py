# An exception message with control characters, terminal escapes and rich markup; and a
# failure of a kind the worker never reports, written straight onto the reply pipe.
import json
import os
import struct


def loss(x, y):
    raise ValueError("bad\x00\x1b[31m [bold red]x[/] \x07")


def grad(x, y):
    body = json.dumps({"ok": False, "kind": "[bold]\x1b[2Jforged", "message": "x"}).encode()
    for fd in range(3, 64):
        try:
            os.write(fd, struct.pack(">I", len(body)) + body)
        except OSError:
            pass
    return 2 * x * y, x ** 2
