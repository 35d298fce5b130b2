"""Alice's solutions: all correct."""
import numpy as np
import torch


def loss(w, b, x, y):
    return (torch.sigmoid(w * x + b) - y) ** 2


def grad_himmelblau(x, y):
    a = x**2 + y - 11
    b = x + y**2 - 7
    return np.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b])


def himmelblau(p):
    return (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2


def step(x, lr):
    (grad,) = torch.autograd.grad(himmelblau(x), [x])
    x.data.sub_(lr * grad)  # in place, as in the lecture


def descend(start, lr, steps):
    x = start.detach().clone().requires_grad_(True)
    optimizer = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        himmelblau(x).backward()
        optimizer.step()
    return x.detach()
