"""Mallory: escapes and sabotage. Each should cost her that question and nothing else."""
import os
import sys

import torch


def loss(w, b, x, y):
    secrets = open("/etc/passwd").read()          # other files: denied
    classmates = os.listdir("..")                  # other students' folders: denied
    return torch.zeros_like(w)


def grad_himmelblau(x, y):
    sys.exit(0)                                    # leaving early is caught


def step(x, lr):
    os._exit(3)                                    # killing the process is survived


def descend(start, lr, steps):
    raise RuntimeError("I give up")
