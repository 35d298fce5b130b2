# TensorFlow: finite differences dressed as autograd: a numpy loss whose tf.custom_gradient
# returns central differences, so the tape itself reports them.
import numpy as np
import tensorflow as tf


def reference(x, y):
    return x * np.sin(y)


@tf.custom_gradient
def loss(x, y):
    a, b, h = x.numpy(), y.numpy(), 1e-6

    def gradient(upstream):
        return (upstream * (reference(a + h, b) - reference(a - h, b)) / (2 * h),
                upstream * (reference(a, b + h) - reference(a, b - h)) / (2 * h))

    return tf.constant(reference(a, b)), gradient
