"""Backends as objects: PyTorch, TensorFlow and NumPy, each with its printer and its runtime.

A backend imports its library lazily (TensorFlow's import takes seconds), says whether it is
installed, gives the namespace generated code runs in, runs that code, and (PyTorch,
TensorFlow) computes values and gradients at many points in one vectorised autodiff call.

>>> TORCH.value_and_gradient(lambda x: x**3, {"x": [1.0, 2.0]}, ["x"])[1].tolist()
[[3.0, 12.0]]
>>> backend("numpy").title, TENSORFLOW.autodiff
('NumPy', "TensorFlow's GradientTape")
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from tutor._quiet import TENSORFLOW_QUIET
from tutor.errors import BackendError, TutorError
from tutor.lowering.printers import ArrayPrinter, NumPyPrinter, TensorFlowPrinter, TorchPrinter

#: Points evaluated per NumPy call: small enough to stay in cache, big enough to amortise Python.
_CHUNK = 8192

#: Points differentiated per autograd call when there are more.
_AUTOGRAD_CHUNK = 65536


class Backend:
    """One array library: how to import it, run code printed for it, and differentiate."""

    name: ClassVar[str]  # the ``backend=`` value that selects it
    title: ClassVar[str]  # the library's name, for messages
    spelled: ClassVar[str]  # as people writing code for it spell it ("torch")
    package: ClassVar[str]  # the module to import
    printer: ClassVar[type[ArrayPrinter]]
    #: Its automatic differentiation as a sentence names it ("autograd"), and in short;
    #: None: it has none.
    autodiff: ClassVar[str | None] = None
    autodiff_short: ClassVar[str | None] = None
    #: How a gradient is usually lost with it (a hint when one comes out zero).
    gradient_lost_by: ClassVar[str] = ""
    missing: ClassVar[str]  # the message when the library cannot be imported
    #: What students reach for that sums a tensor instead of working elementwise.
    reducers: ClassVar[str] = ""

    def __repr__(self) -> str:
        return f"<{self.title} backend>"

    def installed(self) -> bool:
        """Whether the library can be imported, without importing it."""
        return importlib.util.find_spec(self.package) is not None

    def library(self) -> Any:
        """The library's module; ``BackendError`` saying how to install it when missing."""
        try:
            return importlib.import_module(self.package)
        except ImportError as err:
            raise BackendError(self.missing) from err

    def namespace(self) -> dict[str, Any]:
        """The globals generated code runs in."""
        return {self.printer.module: self.library()}

    def run(self, function: Callable[..., Any], unlinked: tuple[int, ...],
            arrays: Sequence[Any]) -> Any:
        """Call the generated ``function``; ``unlinked`` are inputs the result has no graph to."""
        raise NotImplementedError

    def value_and_gradient(self, fn: Callable[..., Any], points: Mapping[str, Any],
                           wrt: Sequence[str], *, dtype: str = "float64") -> tuple[Any, Any]:
        """``fn`` and its automatic gradient at every point, in one vectorised autodiff call.

        ``fn`` takes one tensor per name in ``points`` (all the points at once, in ``dtype``)
        and returns one value per point. The result is two float64 NumPy arrays: the values,
        shape (n,), and the gradient with respect to ``wrt``, shape (len(wrt), n); a gradient
        the library leaves out (None: the output does not depend on it) is zeros.
        """
        if self.autodiff is None:
            choices = " or ".join(b.name for b in BACKENDS.values() if b.autodiff)
            raise BackendError(f"{self.title} has no automatic differentiation; choose {choices}")
        import numpy

        columns = {name: numpy.asarray(values, dtype=numpy.float64).astype(dtype, copy=False)
                   for name, values in points.items()}
        n = len(next(iter(columns.values())))
        values, grads = self._differentiate(fn, columns, tuple(wrt), n)
        if isinstance(grads, numpy.ndarray) and grads.shape == (len(wrt), n):
            return numpy.asarray(values, dtype=numpy.float64), grads
        gradient = numpy.zeros((len(wrt), n))
        for row, grad in zip(gradient, grads, strict=True):
            if grad is not None:
                row[:] = grad
        return numpy.asarray(values, dtype=numpy.float64), gradient

    def _differentiate(self, fn: Callable[..., Any], columns: Mapping[str, Any],
                       wrt: tuple[str, ...], n: int) -> tuple[Any, Any]:
        """Values as a NumPy array, and one NumPy array (or None) per ``wrt`` name (or all
        of them as one float64 block, a row per name)."""
        raise NotImplementedError

    def tensor_type(self) -> type:
        """The library's tensor class (what a function checked on it must return)."""
        raise NotImplementedError

    def one_value_per_point(self, out: Any, n: int, who: str = "the function", *,
                            api: bool = True) -> None:
        """A ``TutorError`` unless ``out`` is a tensor of shape (n,). ``who`` names the
        function in the message; ``api``: suggest the ``backend=`` for the other library."""
        if not isinstance(out, self.tensor_type()):
            library = type(out).__module__.partition(".")[0]
            kind = f"{library}.{type(out).__name__}".removeprefix("builtins.")
            other = BACKENDS.get(library)
            switch = (f" (a {library} tensor: check it with backend={library!r})"
                      if api and other not in (None, self) and other.autodiff else "")
            raise TutorError(f"{who} returned {kind}; it must return a {self.spelled} tensor "
                             f"(use {self.spelled} functions such as {self.printer.module}.exp, "
                             f"not math.exp){switch}")
        if tuple(out.shape) != (n,):
            hint = (f" It must work elementwise: one value per point (no {self.reducers})."
                    if math.prod(out.shape) == 1 else " It must return one value per point.")
            raise TutorError(f"{who} returned a tensor of shape {tuple(out.shape)} for inputs of "
                             f"shape ({n},).{hint}")

    def dtype_name(self, tensor: Any) -> str:
        """The float type of a tensor of this library, as "float32"."""
        return tensor.dtype.name


class _Torch(Backend):
    name = "torch"
    title = "PyTorch"
    spelled = "torch"
    package = "torch"
    printer = TorchPrinter
    autodiff = "autograd"
    autodiff_short = "autograd"
    gradient_lost_by = "the graph was cut: .detach(), .item(), .data"
    missing = "PyTorch is not installed; install torch to lower to it"
    reducers = ".sum(), .mean() or .item()"

    def tensor_type(self) -> type:
        return self.library().Tensor

    def dtype_name(self, tensor: Any) -> str:
        return str(tensor.dtype).removeprefix("torch.")

    def run(self, function: Callable[..., Any], unlinked: tuple[int, ...],
            arrays: Sequence[Any]) -> Any:
        import torch

        tensors = [a if isinstance(a, torch.Tensor) and a.is_floating_point()
                   else torch.as_tensor(a, dtype=torch.float64) for a in arrays]
        dtypes = [t.dtype for t in tensors] or [torch.float64]
        dtype = functools.reduce(torch.promote_types, dtypes)
        out = function(*tensors)
        if not isinstance(out, torch.Tensor):
            out = torch.tensor(out, dtype=dtype, device=tensors[0].device if tensors else None)
        if unlinked:  # broadcast to every input and keep each in the graph, with zero gradient
            never = torch.zeros((), dtype=torch.bool, device=out.device)
            for index in unlinked:
                out = torch.where(never, tensors[index], out)
        return out if out.dtype == dtype else out.to(dtype)

    def _differentiate(self, fn: Callable[..., Any], columns: Mapping[str, Any],
                       wrt: tuple[str, ...], n: int) -> tuple[Any, Any]:
        """Values, and the gradient as one float64 block (a row per ``wrt`` name, zeros where
        autograd gives None). In chunks of ``_AUTOGRAD_CHUNK`` points: each chunk's tensors
        stay in cache and reuse the allocator's memory (about 1.5x faster at 10^6 points)."""
        import numpy
        import torch

        values, gradient = numpy.empty(n), numpy.zeros((len(wrt), n))
        for start in range(0, n, _AUTOGRAD_CHUNK):
            part = slice(start, min(start + _AUTOGRAD_CHUNK, n))
            inputs = {name: torch.tensor(column[part], requires_grad=name in wrt)
                      for name, column in columns.items()}
            out = fn(*inputs.values())
            self.one_value_per_point(out, part.stop - part.start)
            leaves = [inputs[name] for name in wrt]
            if out.requires_grad and leaves:
                grads = torch.autograd.grad(out.sum(), leaves, allow_unused=True)
                for row, grad in zip(gradient, grads, strict=True):
                    if grad is not None:
                        row[part] = grad.detach().double().numpy()
            values[part] = out.detach().double().numpy()
        return values, gradient


class _TensorFlow(Backend):
    name = "tensorflow"
    title = "TensorFlow"
    spelled = "TensorFlow"
    package = "tensorflow"
    printer = TensorFlowPrinter
    autodiff = "TensorFlow's GradientTape"
    autodiff_short = "GradientTape"
    gradient_lost_by = ("the tape lost track: .numpy(), tf.stop_gradient, "
                        "a new tf.Variable made from an input")
    missing = 'TensorFlow is not installed: pip install "tutor[tensorflow]"'
    reducers = "tf.reduce_sum, tf.reduce_mean or .numpy()"

    def library(self) -> Any:
        """``tensorflow``, imported quietly (see ``TENSORFLOW_QUIET``).

        >>> TENSORFLOW.library().constant(2.0).dtype.name  # doctest: +SKIP
        'float32'
        """
        for name, value in TENSORFLOW_QUIET.items():
            os.environ.setdefault(name, value)
        return super().library()

    def tensor_type(self) -> type:
        return self.library().Tensor

    def run(self, function: Callable[..., Any], unlinked: tuple[int, ...],
            arrays: Sequence[Any]) -> Any:
        import numpy
        import tensorflow as tf  # imported quietly already: ``namespace`` made ``function``

        tensors = [(a if a.dtype.is_floating else tf.cast(a, tf.float64))
                   if isinstance(a, (tf.Tensor, tf.Variable))
                   else tf.constant(numpy.asarray(a, dtype=numpy.float64)) for a in arrays]
        dtype = max((t.dtype for t in tensors), key=lambda d: d.size, default=tf.float64)
        tensors = [t if t.dtype == dtype else tf.cast(t, dtype) for t in tensors]
        out = function(*tensors)
        out = tf.cast(out, dtype) if tf.is_tensor(out) else tf.constant(out, dtype)
        # Broadcast to every input and keep each in the graph (all of them, not only the
        # ``unlinked``): TensorFlow's gradient through floor, ceil or nothing is None, ours zeros.
        never = tf.zeros((), tf.bool)
        for tensor in tensors:
            out = tf.where(never, tensor, out)
        return out

    def _differentiate(self, fn: Callable[..., Any], columns: Mapping[str, Any],
                       wrt: tuple[str, ...], n: int) -> tuple[Any, list[Any]]:
        tf = self.library()
        inputs = {name: tf.constant(values) for name, values in columns.items()}
        watched = [inputs[name] for name in wrt]
        try:
            with tf.GradientTape() as tape:
                tape.watch(watched)  # constants, not Variables: the tape records them if asked
                out = fn(*inputs.values())
        except tf.errors.InvalidArgumentError as err:
            dtype = next(iter(columns.values())).dtype.name
            raise TutorError(_tensorflow_failure(err, dtype)) from None
        self.one_value_per_point(out, n)
        grads = tape.gradient(out, watched)  # for a vector ``out``, the gradient of its sum
        return out.numpy(), [None if g is None else tf.convert_to_tensor(g).numpy() for g in grads]


def _tensorflow_failure(error: Any, dtype: str) -> str:
    """TensorFlow's own message, with the usual cause when float types were mixed."""
    message = f"the TensorFlow function failed on {dtype} inputs: {error.message.splitlines()[0]}"
    if "double tensor" in message and "float tensor" in message:
        message += (". TensorFlow never converts between float32 and float64 (its default is "
                    "float32): make constants with the inputs' dtype, e.g. tf.constant(2.0, "
                    "x.dtype), or check with dtype='float32'")
    return message


class _NumPy(Backend):
    """float64, evaluated in cache-sized chunks with floating-point warnings off."""

    name = "numpy"
    title = "NumPy"
    spelled = "numpy"
    package = "numpy"
    printer = NumPyPrinter
    missing = "NumPy is not installed"

    def run(self, function: Callable[..., Any], unlinked: tuple[int, ...],
            arrays: Sequence[Any]) -> Any:
        import numpy

        inputs = numpy.broadcast_arrays(*(numpy.asarray(a, dtype=numpy.float64) for a in arrays))
        shape = inputs[0].shape if inputs else ()
        flat = [a.reshape(-1) for a in inputs]
        out = numpy.empty(math.prod(shape))
        with numpy.errstate(all="ignore"):
            for start in range(0, out.size, _CHUNK):
                out[start:start + _CHUNK] = function(*(a[start:start + _CHUNK] for a in flat))
        return out.reshape(shape)


TORCH, TENSORFLOW, NUMPY = _Torch(), _TensorFlow(), _NumPy()
BACKENDS: dict[str, Backend] = {b.name: b for b in (TORCH, TENSORFLOW, NUMPY)}


def backend(name: str) -> Backend:
    """The backend called ``name``: "torch", "tensorflow" or "numpy"."""
    found = BACKENDS.get(name)
    if found is None:
        raise BackendError(f"unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}")
    return found
