"""SymPy expressions as fast array functions: PyTorch and TensorFlow (differentiable), NumPy.

Three parts: pure printers, one per library, that turn an expression into code text
(:mod:`~tutor.lowering.printers`); backends as objects that import their library lazily,
run that code and compute values and gradients (:mod:`~tutor.lowering.backends`); and the
one path from an expression to a ``LoweredFunction`` (:mod:`~tutor.lowering.codegen`).
The generated code is kept as ``.source`` (it is shown to learners). TensorFlow is imported
only when it is asked for (its import takes seconds).

>>> import torch
>>> from tutor.parsing import parse
>>> f = lower(parse("x^2 + sin(x)"), ["x"])
>>> x = torch.tensor([0.0, 2.0], dtype=torch.float64, requires_grad=True)
>>> f(x).sum().backward(); x.grad
tensor([1.0000, 3.5839], dtype=torch.float64)
>>> numeric_function(parse("log(x)"), ["x"])([1.0, -1.0])
array([ 0., nan])
"""

from tutor.lowering.backends import (
    BACKENDS,
    NUMPY,
    TENSORFLOW,
    TENSORFLOW_QUIET,
    TORCH,
    Backend,
    backend,
)
from tutor.lowering.codegen import LoweredFunction, lower, numeric_function

__all__ = ["BACKENDS", "NUMPY", "TENSORFLOW", "TENSORFLOW_QUIET", "TORCH", "Backend", "backend",
           "LoweredFunction", "lower", "numeric_function"]
