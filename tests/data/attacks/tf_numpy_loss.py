# TensorFlow: the loss computed in numpy and handed back as a constant (no tape connection).
import numpy as np
import tensorflow as tf


def loss(x, y):
    return tf.constant(x.numpy() * np.sin(y.numpy()))
