"""Heidi: TensorFlow's classic slips. The loss copies w into a new tf.Variable (the tape
watches the copy, so d/dw is lost), the manual gradient is right, the descent step mixes a
float32 constant into float64 math, and the loop turns its variable into a plain tensor,
which the tape does not watch, so the second step's gradient is None."""
import numpy as np
import tensorflow as tf


def loss(w, b, x, y):
    w = tf.Variable(w)                               # a fresh variable: no gradient reaches the input w
    return (tf.math.sigmoid(w * x + b) - y) ** 2


def grad_himmelblau(x, y):
    a = x**2 + y - 11
    b = x + y**2 - 7
    return 4 * x * a + 2 * b, 2 * a + 4 * y * b


def himmelblau(p):
    return (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2


def step(x, lr):
    with tf.GradientTape() as tape:
        f = himmelblau(x)
    x.assign_sub(tf.constant(lr) * tape.gradient(f, x))   # tf.constant(lr) is float32


def descend(start, lr, steps):
    x = tf.Variable(start)
    for _ in range(steps):
        with tf.GradientTape() as tape:
            f = himmelblau(x)
        x = x - lr * tape.gradient(f, x)             # x is now a tensor, no longer a variable
    return x
