"""Sandboxed side: the adapters that call the student's functions and turn what they return
into plain numbers (values, gradients, points), refusing wrong types and shapes with a
message for the student. torch, TensorFlow and numpy are imported inside the functions: the
zygote has them preloaded.
"""

from __future__ import annotations

import types

from tutor.sandbox import integrity


class _WrongResult(Exception):
    """The student's function returned something of the wrong type or shape."""


def call(function, request: dict, module, workdir: str) -> dict:
    """The reply to one call request: ``{"ok": True, ...numbers}``, or a "type" or
    "tampering" failure."""
    try:
        if "framework" in request:  # torch or TensorFlow: the one asked for, or the one used
            request = {**request, "framework": _framework(function, request, module, workdir)}
        return {"ok": True, **_CALLS[request["mode"]](function, request)}
    except _WrongResult as error:
        return {"ok": False, "kind": "type", "message": str(error)}
    except integrity.Tampered as error:
        return {"ok": False, "kind": "tampering", "message": str(error)}


_LIBRARIES = {"torch": "torch", "tensorflow": "tensorflow", "keras": "tensorflow"}
_SPELLED = {"torch": "torch", "tensorflow": "TensorFlow"}


def _library(value) -> str | None:
    """"torch" or "tensorflow" when ``value`` is (or comes from) that library's module."""
    name = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
    return _LIBRARIES.get(name.partition(".")[0]) if isinstance(name, str) else None


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names


def _unwrapped(value):
    """A decorated function's own function (``tf.function`` keeps it as ``python_function``,
    ``functools.wraps`` as ``__wrapped__``)."""
    for _ in range(8):
        inner = getattr(value, "python_function", None) or getattr(value, "__wrapped__", None)
        if inner is None:
            break
        value = inner
    return value


def _used_library(function, module, workdir: str) -> str | None:
    """The autodiff library the student's function uses, found through the global names it
    (and every function of the student's that it calls) refers to; failing that, the one the
    student's module imported. None when it uses neither, or both."""
    found, seen, todo = set(), set(), [function]
    while todo:
        item = _unwrapped(todo.pop())
        if not isinstance(item, types.FunctionType) or item.__code__ in seen \
                or not item.__code__.co_filename.startswith(workdir):
            continue
        seen.add(item.__code__)
        for name in _global_names(item.__code__):
            value = item.__globals__.get(name)
            if _library(value):
                found.add(_library(value))
            else:
                todo.append(value)
    if not found:
        found = {_library(value) for value in vars(module).values()} - {None}
    return found.pop() if len(found) == 1 else None


def _framework(function, request: dict, module, workdir: str) -> str:
    """The library to call the student's function with: the question's, or with "auto" the
    one the function uses (torch when that cannot be told)."""
    asked, used = request["framework"], _used_library(function, module, workdir)
    if asked == "auto":
        return used or "torch"
    if used not in (None, asked):
        raise _WrongResult(f"This question asks for {_SPELLED[asked]}; your {request['entry']} "
                           f"uses {_SPELLED[used]}")
    return asked


def _call_gradient(function, request: dict) -> dict:
    """The student's loss at every point, and its automatic gradient: the tutor's backend
    (torch or TensorFlow) computes both in one call, on float64 inputs. The gradient is
    checked against the one the autodiff kept before student code ran computes from the same
    loss (a patched ``torch.autograd.grad`` or ``GradientTape.gradient``, a loss outside the
    library, a gradient of the student's own are caught: ``integrity.recorded``)."""
    from tutor.errors import TutorError
    from tutor.lowering import BACKENDS

    framework = request.get("framework", "torch")
    autodiff = BACKENDS[framework]
    n, name = len(request["args"][0]), request["entry"]
    names = [f"arg{i}" for i in range(len(request["args"]))]
    dtypes, kept = [], []

    def checked(*tensors):
        out, gradient = integrity.recorded(framework, function, tensors, f"your {name}")
        try:
            autodiff.one_value_per_point(out, n, f"Your {name}", api=False)
        except TutorError as error:
            raise _WrongResult(str(error)) from None
        dtypes.append(autodiff.dtype_name(out))
        kept.append(gradient)
        return out

    wanted = [arg for arg, need in zip(names, request["grad"], strict=True) if need]
    try:
        values, grads = autodiff.value_and_gradient(
            checked, dict(zip(names, request["args"], strict=True)), wanted)
    except TutorError as error:
        advice = str(error).split(", or check with dtype=")[0]  # the rest is for API users
        raise _WrongResult(f"Your {name}: {advice.removeprefix('the ')}") from None
    own = kept[-1]() if kept else None
    if own is not None and framework == "tensorflow":  # the tape watched every input
        own = [g for g, need in zip(own, request["grad"], strict=True) if need]
    _same_gradient(grads.tolist(), own, name, autodiff)
    return {"value": values.tolist(), "dtype": dtypes[0], "grads": grads.tolist(),
            "framework": framework}


def _same_gradient(reported: list, computed: list | None, name: str, autodiff) -> None:
    """Refuse a gradient that differs from the library's own (None: no graph, all zeros)."""
    import numpy as np

    computed = computed or [None] * len(reported)
    for given, own in zip(reported, computed, strict=True):
        own = np.zeros(len(given)) if own is None else np.asarray(own)
        if not np.allclose(given, own, rtol=1e-9, atol=0.0, equal_nan=True):
            raise integrity.Tampered(
                f"The gradient of your {name} is not the one {autodiff.autodiff} computes from "
                f"it (was {autodiff.spelled}'s autodiff changed, or the loss computed outside "
                f"{autodiff.spelled}?)")


def _call_numpy(function, request: dict) -> dict:
    """The student's numpy gradient function: one array per variable."""
    import numpy as np

    n, parts = len(request["args"][0]), request["parts"]
    result = function(*[np.array(column, dtype=np.float64) for column in request["args"]])
    name = request["entry"]
    try:
        arrays = [np.asarray(p) for p in (result if parts > 1 else [result])]
        table = np.array([np.broadcast_to(a.astype(np.float64), (n,)) for a in arrays])
    except (TypeError, ValueError) as error:
        raise _WrongResult(f"Your {name} must return {parts} numpy array(s) of shape ({n},) "
                           f"(one per variable); it returned {type(result).__name__} ({error})") from None
    if table.shape != (parts, n):
        raise _WrongResult(f"Your {name} must return {parts} array(s) (one per variable); "
                           f"it returned {table.shape[0]}")
    floats = [a.dtype for a in arrays if a.dtype.kind == "f"]
    dtype = max(floats, key=lambda d: np.finfo(d).eps) if floats else np.dtype(np.float64)
    return {"parts": table.tolist(), "dtype": dtype.name}


def _start(point: list[float], framework: str):
    """A point to descend from: a float64 leaf tensor that requires grad, or a tf.Variable."""
    if framework == "tensorflow":
        import tensorflow as tf

        return tf.Variable(point, dtype=tf.float64)
    import torch

    return torch.tensor(point, dtype=torch.float64, requires_grad=True)


def _plain(value):
    """TensorFlow tensors and variables (also inside lists) as numpy arrays."""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value.numpy() if _library(type(value)) == "tensorflow" else value


def _point(value, size: int, name: str) -> list[float]:
    import torch

    try:
        value = _plain(value)
        point = torch.as_tensor(value.detach() if isinstance(value, torch.Tensor) else value,
                                dtype=torch.float64).reshape(-1)
    except (TypeError, ValueError, RuntimeError) as error:
        raise _WrongResult(f"Your {name} must return a point (a tensor, array or list of {size} "
                           f"numbers); it returned {type(value).__name__} ({error})") from None
    if point.numel() != size:
        raise _WrongResult(f"Your {name} must return a point with {size} coordinates; got {point.numel()}")
    return point.tolist()


def _call_step(function, request: dict) -> dict:
    """Apply the student's ``step(x, lr)`` ``steps`` times; the whole path comes back."""
    size, name = len(request["start"]), request["entry"]
    path = [list(map(float, request["start"]))]
    for _ in range(request["steps"]):
        x = _start(path[-1], request.get("framework", "torch"))
        result = function(x, request["lr"])
        path.append(_point(x if result is None else result, size, name))
    return {"path": path}


def _call_loop(function, request: dict) -> dict:
    """The student's ``descend(start, lr, steps)``: the point it ends at."""
    start = _start(request["start"], request.get("framework", "torch"))
    result = _plain(function(start, request["lr"], request["steps"]))
    size = len(request["start"])
    if isinstance(result, list | tuple) and result and isinstance(result[0], list | tuple):
        result = result[-1]  # a whole path: its last point
    elif hasattr(result, "ndim") and result.ndim == 2:
        result = result[-1]
    return {"point": _point(start if result is None else result, size, request["entry"])}


def _call_arrays(function, request: dict) -> dict:
    """A learner's NumPy function (an exercise's backward pass), called once with the named
    ``arguments`` (nested lists; a number for a scalar): the ``parts`` arrays it returns,
    as nested lists (vectors and matrices only), at most ``max_entries`` numbers in all
    (so a reply stays small whatever the function builds)."""
    import numpy as np

    name, parts = request["entry"], request["parts"]
    arguments = {key: np.array(value, dtype=np.float64) if isinstance(value, list) else
                 float(value) for key, value in request["arguments"].items()}
    result = function(**arguments)
    items = result if isinstance(result, tuple | list) and parts > 1 else [result]
    if len(items) != parts:
        raise _WrongResult(f"Your {name} must return {parts} arrays; it returned "
                           f"{len(items) if isinstance(result, tuple | list) else 1}")
    arrays, entries = [], 0
    for item in items:
        try:
            array = np.asarray(_plain(item), dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise _WrongResult(f"Your {name} must return NumPy arrays; it returned "
                               f"{type(item).__name__} ({error})") from None
        entries += array.size
        if array.ndim > 2:
            raise _WrongResult(f"Your {name} returned an array of shape {array.shape}; "
                               "a gradient here is a vector or a matrix")
        if entries > request["max_entries"]:
            raise _WrongResult(f"Your {name} returned more than {request['max_entries']} "
                               "numbers; the arrays it should return are far smaller")
        arrays.append(array)
    return {"arrays": [array.tolist() for array in arrays]}


_CALLS = {"gradient": _call_gradient, "numpy": _call_numpy, "step": _call_step, "loop": _call_loop,
          "arrays": _call_arrays}
