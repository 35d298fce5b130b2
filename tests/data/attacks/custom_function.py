# torch: finite differences dressed as autograd: a numpy loss in a torch.autograd.Function
# whose backward returns central differences, so autograd itself reports them.
import numpy as np
import torch


def reference(x, y):
    return x * np.sin(y)


class Differences(torch.autograd.Function):
    @staticmethod
    def forward(context, x, y):
        context.save_for_backward(x, y)
        return torch.tensor(reference(x.numpy(), y.numpy()))

    @staticmethod
    def backward(context, upstream):
        a, b = (t.numpy() for t in context.saved_tensors)
        h = 1e-6
        return (upstream * torch.tensor((reference(a + h, b) - reference(a - h, b)) / (2 * h)),
                upstream * torch.tensor((reference(a, b + h) - reference(a, b - h)) / (2 * h)))


def loss(x, y):
    return Differences.apply(x, y)
