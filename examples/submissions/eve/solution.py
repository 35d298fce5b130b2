"""Eve: resource attacks. Each should cost her that question and nothing else."""
import os


def loss(w, b, x, y):
    while True:                                   # an endless loop: the wall-clock timeout
        pass


def grad_himmelblau(x, y):
    children = 0
    for _ in range(200):                          # a bounded fork attempt, never a real bomb
        if os.fork() == 0:
            os._exit(0)
        children += 1
    return x, y


def step(x, lr):
    hoard = bytearray(50 * 1024**3)               # 50 GB: the address-space limit
    return x


def descend(start, lr, steps):
    while True:                                   # 1 GB of printing: the output cap
        print("x" * (1 << 20))
