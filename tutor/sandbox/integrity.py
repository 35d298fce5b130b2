"""Sandboxed side: what the worker takes before student code runs, to check after each call
that torch, TensorFlow and the worker are intact and that an autodiff gradient really is the
library's own.

``trust`` runs in the zygote (before any student module is imported): it keeps torch's
autograd functions and TensorFlow's ``GradientTape`` methods, and notes the objects the worker
and both libraries' autodiff depend on. ``tampered`` (after every request, and again just
before a gradient is recomputed) names those that student code replaced. ``recorded`` calls
the student's loss so that its gradient can be recomputed with the functions kept, so a
patched ``torch.autograd.grad`` or ``GradientTape.gradient`` (say, one returning finite
differences for a numpy loss) is caught even when the patch undoes itself; and while that
gradient is computed, no Python code from outside the Python installation may run (a
``tf.custom_gradient``, ``torch.autograd.Function`` or gradient hook of the student's own is
not the library's gradient).

These checks live in the student's own process: they catch tampering done in Python, the
way the known attacks do it, and are not a boundary against native code (docs/grading.md).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

#: The worker's own modules: their top-level names must keep their objects.
_WORKER_MODULES = ("adapters", "server", "frames", "integrity", "confinement")
_TF_EAGER = "tensorflow.python.eager"
#: (module, class or "", attribute): what autodiff questions rely on in torch and TensorFlow,
#: down to what ``torch.autograd.grad`` and ``GradientTape.gradient`` call.
_LIBRARY_PARTS = (
    ("torch", "", "tensor"), ("torch", "", "as_tensor"), ("torch", "", "stack"),
    ("torch.autograd", "", "grad"), ("torch.autograd", "", "backward"),
    ("torch.autograd", "", "_engine_run_backward"),
    ("torch.autograd.graph", "", "_engine_run_backward"),
    ("torch.autograd.variable", "Variable", "_execution_engine"),
    ("torch.autograd", "Function", "apply"), ("torch", "Tensor", "backward"),
    ("torch", "Tensor", "sum"), ("torch", "Tensor", "detach"), ("torch", "Tensor", "double"),
    ("torch", "Tensor", "tolist"), ("torch", "Tensor", "requires_grad"),
    ("torch", "Tensor", "grad_fn"), ("torch", "Tensor", "__torch_function__"),
    ("tensorflow", "", "GradientTape"), ("tensorflow", "", "Tensor"), ("tensorflow", "", "constant"),
    ("tensorflow", "", "convert_to_tensor"),
    *(("tensorflow", "GradientTape", name) for name in (
        "__init__", "gradient", "watch", "__enter__", "__exit__", "_push_tape", "_pop_tape")),
    (f"{_TF_EAGER}.backprop", "", "imperative_grad"), (f"{_TF_EAGER}.backprop", "", "tape"),
    (f"{_TF_EAGER}.backprop", "", "_gradient_function"),
    (f"{_TF_EAGER}.imperative_grad", "", "imperative_grad"),
    (f"{_TF_EAGER}.imperative_grad", "", "pywrap_tfe"),
    *((f"{_TF_EAGER}.tape", "", name) for name in ("push_new_tape", "pop_tape", "watch",
                                                    "pywrap_tfe")),
    *(("tensorflow.python.pywrap_tfe", "", name) for name in (
        "TFE_Py_TapeGradient", "TFE_Py_TapeSetNew", "TFE_Py_TapeSetRemove",
        "TFE_Py_TapeWatch")),
    ("tensorflow.python.framework.ops", "", "_gradient_registry"),
    ("tensorflow.python.framework.ops", "_EagerTensorBase", "numpy"),
    ("tutor.lowering.backends", "Backend", "value_and_gradient"),
    ("tutor.lowering.backends", "_Torch", "_differentiate"),
    ("tutor.lowering.backends", "_TensorFlow", "_differentiate"),
    ("tutor.lowering.backends", "", "BACKENDS"),
)
_kept: dict = {}


class Tampered(Exception):
    """Student code changed what grading relies on, or a gradient is not autodiff's own."""


def trust() -> None:
    """Keep the objects checked later (call in the zygote, after its imports)."""
    _kept.clear()
    prefix = __name__.rpartition(".")[0]
    for name in _WORKER_MODULES:
        module = sys.modules[f"{prefix}.{name}"]
        for attribute, value in vars(module).items():
            if not attribute.startswith("__"):
                _kept[(module.__name__, "", attribute)] = value
    calls = sys.modules[f"{prefix}.adapters"]._CALLS
    _kept.update({(f"{prefix}.adapters", "_CALLS", mode): call for mode, call in calls.items()})
    for module, owner, attribute in _LIBRARY_PARTS:
        found = _lookup(module, owner, attribute)
        if found is not _MISSING:
            _kept[(module, owner, attribute)] = found
    _kept["profile"] = sys.setprofile
    _kept["library roots"] = tuple({os.path.realpath(path) + os.sep for path in (
        sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
        os.path.dirname(os.path.dirname(__file__)))})
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        _kept["autograd"] = (torch.autograd.grad, torch.Tensor, torch.Tensor.sum,
                             torch.Tensor.detach, torch.Tensor.double, torch.Tensor.tolist)
    if "tensorflow" in sys.modules:
        tf, ops = sys.modules["tensorflow"], sys.modules["tensorflow.python.framework.ops"]
        tape, registry = tf.GradientTape, ops._gradient_registry
        _kept["tape"] = (tape, tape.__enter__, tape.__exit__, tape.watch, tape.gradient, tf.Tensor,
                         tf.convert_to_tensor, ops._EagerTensorBase.numpy)
        _kept["gradient functions"] = (registry._registry, _gradient_functions(registry._registry))


_MISSING = object()


def _lookup(module: str, owner: str, attribute: str):
    """``module[.owner].attribute`` as it is now (class attributes read from the class's own
    dictionaries, so properties and descriptors compare as themselves)."""
    found = sys.modules.get(module)
    if found is None:
        return _MISSING
    if owner == "_CALLS":
        return found._CALLS.get(attribute, _MISSING)
    if owner:
        cls = getattr(found, owner, None)
        for klass in getattr(cls, "__mro__", ()):
            if attribute in vars(klass):
                return vars(klass)[attribute]
        return _MISSING
    return vars(found).get(attribute, _MISSING)


def _gradient_functions(registry: dict) -> dict:
    """TensorFlow's gradient function per op type (what ``tf.RegisterGradient`` changes)."""
    return {name: entry.get("type") for name, entry in registry.items()}


def tampered() -> list[str]:
    """What student code replaced or removed since ``trust`` (empty: intact)."""
    changed = [".".join(part for part in key if part) for key, value in _kept.items()
               if isinstance(key, tuple) and _lookup(*key) is not value]
    if "gradient functions" in _kept:
        registry, functions = _kept["gradient functions"]
        if _gradient_functions(registry) != functions:
            changed.append("TensorFlow's registered gradient functions")
    return changed


def recorded(framework: str, function: Callable, tensors: Sequence, what: str):
    """Call the student's loss ``function`` on ``tensors``; return what it returns and a
    function giving its gradient (of the sum, for the tensors that require one: torch's
    ``requires_grad``, all of them with TensorFlow) as lists of floats, None for an input the
    loss is not connected to, or None in all when the result is not a tensor of the library.
    The gradient is computed with the functions kept before student code ran. ``what``
    ("your loss") names the loss in a ``Tampered`` error."""
    if framework == "tensorflow":
        return _taped(function, tensors, what)
    out = function(*tensors)
    gradient = _autograd_gradient(out, tensors, what)  # now: torch's own call frees the graph
    return out, lambda: gradient


def _autograd_gradient(out, inputs: Sequence, what: str) -> list | None:
    grad, tensor, total, detach, double, tolist = _kept["autograd"]
    if not isinstance(out, tensor) or not out.requires_grad:
        return None
    leaves = [t for t in inputs if t.requires_grad]
    grads = _library_code_only(
        lambda: grad(total(out), leaves, retain_graph=True, allow_unused=True), what, "autograd")
    return [None if g is None else tolist(double(detach(g))) for g in grads]


def _taped(function: Callable, tensors: Sequence, what: str):
    """The loss under a ``GradientTape`` of the class kept (it records alongside any tape
    around it: the backend's, the student's own)."""
    tape_class, enter, leave, watch, gradient, tensor, convert, numpy = _kept["tape"]
    tape = tape_class()
    enter(tape)
    try:
        watch(tape, list(tensors))
        out = function(*tensors)
    finally:
        leave(tape, None, None, None)

    def taped_gradient() -> list | None:
        if not isinstance(out, tensor):
            return None
        grads = _library_code_only(lambda: gradient(tape, out, list(tensors)), what,
                                   "GradientTape")
        return [None if g is None else numpy(convert(g)).astype(float).tolist() for g in grads]

    return out, taped_gradient


def _library_code_only(compute: Callable, what: str, autodiff: str):
    """``compute()`` (a gradient), refused when what grading relies on was replaced, or when
    Python code from outside the Python installation runs meanwhile: a gradient function of
    the student's own (``tf.custom_gradient``, ``torch.autograd.Function``, a hook), however
    it came into the tape or the graph."""
    changed = tampered()
    if changed:
        raise Tampered(f"Your code replaced {', '.join(changed[:3])}, which grading relies on")
    roots, set_profile, foreign, seen = _kept["library roots"], _kept["profile"], [], {}

    def outside(filename) -> bool:  # a file outside the Python installation (cached)
        if filename not in seen:
            seen[filename] = isinstance(filename, str) and filename[:1] == os.sep and \
                not os.path.realpath(filename).startswith(roots)
        return seen[filename]

    def watch(frame, event, arg):
        # code from a file outside, or compiled (exec, eval) into such a file's module
        if event == "call" and not foreign and (outside(frame.f_code.co_filename) or
                                                outside(frame.f_globals.get("__file__"))):
            foreign.append(f"{os.path.basename(frame.f_code.co_filename)}: {frame.f_code.co_name}")

    set_profile(watch)
    try:
        result = compute()
    finally:
        set_profile(None)
    if foreign:
        raise Tampered(f"Your code ({foreign[0]}) ran while {autodiff} computed the gradient of "
                       f"{what}: a gradient of your own (tf.custom_gradient, "
                       "torch.autograd.Function, a gradient hook) is not the library's")
    return result


#: The code allowed to call ``sys.setprofile`` under the audit hook (``confinement``).
PROFILER = _library_code_only.__code__
