"""Bob: the loss values are right but .detach() cuts autograd off, the manual gradient
loses a factor 2, the descent step climbs instead of descending."""
import numpy as np
import torch


def loss(w, b, x, y):
    p = torch.sigmoid(w * x + b).detach()          # the values survive, the gradient does not
    return (p - y) ** 2


def grad_himmelblau(x, y):
    a = x**2 + y - 11
    b = x + y**2 - 7
    return 2 * x * a + 2 * b, 2 * a + 4 * y * b     # d/dx: 2x instead of 4x


def step(x, lr):
    f = (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2
    f.backward()
    return x.detach() + lr * x.grad                  # ascent, not descent


def descend(start, lr, steps):
    x = start.detach().clone().requires_grad_(True)
    for _ in range(steps):
        f = (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2
        (g,) = torch.autograd.grad(f, [x])
        x = (x - lr * g).detach().requires_grad_(True)
    return x.detach().numpy()
