import tensorflow as tf


def loss(x, y):
    return x * tf.sin(y)


def grad(x, y):
    return 2 * x * y, x ** 2
