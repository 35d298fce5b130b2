"""Dave: a syntax error, so none of his code questions can run."""
import torch


def loss(w, b, x, y)
    return (torch.sigmoid(w * x + b) - y) ** 2
