"""Carol: float32 where float64 is expected, a loss with the wrong label term."""
import numpy as np
import torch


def loss(w, b, x, y):
    return (torch.sigmoid(w * x + b) - 1) ** 2        # ignores y


def grad_himmelblau(x, y):
    a = x**2 + y - 11
    b = x + y**2 - 7
    return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b], dtype=np.float32)


def step(x, lr):
    f = (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2
    (g,) = torch.autograd.grad(f, [x])
    return (x - lr * g).float()


def descend(start, lr, steps):
    path = [start.tolist()]
    x = start.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f = (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2
        (g,) = torch.autograd.grad(f, [x])
        x = (x - lr * g).detach().requires_grad_(True)
        path.append(x.tolist())
    return path                                        # the whole path: its last point counts
