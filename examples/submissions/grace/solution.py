"""Grace's solutions, in TensorFlow: all correct (the grader runs them under GradientTape)."""
import numpy as np
import tensorflow as tf


def loss(w, b, x, y):
    return (tf.math.sigmoid(w * x + b) - y) ** 2


def grad_himmelblau(x, y):
    a = x**2 + y - 11
    b = x + y**2 - 7
    return np.stack([4 * x * a + 2 * b, 2 * a + 4 * y * b])


def himmelblau(p):
    return (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2


def step(x, lr):
    """x is a tf.Variable: the tape watches it, assign_sub updates it in place."""
    with tf.GradientTape() as tape:
        f = himmelblau(x)
    x.assign_sub(lr * tape.gradient(f, x))


def descend(start, lr, steps):
    x = tf.Variable(start)
    run(x, lr, tf.constant(steps))
    return x


@tf.function  # one graph for the whole loop: tf.range becomes a tf.while_loop
def run(x, lr, steps):
    for _ in tf.range(steps):
        with tf.GradientTape() as tape:
            f = himmelblau(x)
        x.assign_sub(lr * tape.gradient(f, x))
