# Finds the reply pipe (every open descriptor) and writes a frame nested 100,000 deep, then
# returns normally: the grader must refuse the frame, not overflow its own stack.
import os
import struct


def grad(x, y):
    body = b"[" * 100_000 + b"]" * 100_000
    for fd in range(3, 64):
        try:
            os.write(fd, struct.pack(">I", len(body)) + body)
        except OSError:
            pass
    return 2 * x * y, x ** 2
