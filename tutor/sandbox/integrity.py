"""Sandboxed side: what the worker takes before student code runs, to check after each call
that torch and the worker are intact and that an autograd gradient really is autograd's.

``trust`` runs in the zygote (before any student module is imported): it keeps torch's
autograd functions and notes the objects the worker and torch's autodiff depend on.
``tampered`` (after every request) names those that student code replaced.
``autograd_gradient`` computes a loss's gradient with the functions kept, so a patched
``torch.autograd.grad`` (say, one returning finite differences for a numpy loss) is caught
even when the patch undoes itself.

These checks live in the student's own process: they catch tampering done in Python, the
way the known attacks do it, and are not a boundary against native code (docs/grading.md).
"""

from __future__ import annotations

import sys

#: The worker's own modules: their top-level names must keep their objects.
_WORKER_MODULES = ("adapters", "server", "frames", "integrity", "confinement")
#: (module, class or "", attribute): what autodiff questions rely on in torch and TensorFlow.
_LIBRARY_PARTS = (
    ("torch", "", "tensor"), ("torch", "", "as_tensor"), ("torch", "", "stack"),
    ("torch.autograd", "", "grad"), ("torch.autograd", "", "backward"),
    ("torch.autograd", "Function", "apply"), ("torch", "Tensor", "backward"),
    ("torch", "Tensor", "sum"), ("torch", "Tensor", "detach"), ("torch", "Tensor", "double"),
    ("torch", "Tensor", "tolist"), ("torch", "Tensor", "requires_grad"),
    ("torch", "Tensor", "grad_fn"), ("torch", "Tensor", "__torch_function__"),
    ("tensorflow", "GradientTape", "gradient"), ("tensorflow", "GradientTape", "watch"),
    ("tensorflow", "", "constant"),
    ("tutor.lowering.backends", "Backend", "value_and_gradient"),
    ("tutor.lowering.backends", "_Torch", "_differentiate"),
    ("tutor.lowering.backends", "_TensorFlow", "_differentiate"),
    ("tutor.lowering.backends", "", "BACKENDS"),
)
_kept: dict = {}


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
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        _kept["autograd"] = (torch.autograd.grad, torch.Tensor, torch.Tensor.sum,
                             torch.Tensor.detach, torch.Tensor.double, torch.Tensor.tolist)


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


def tampered() -> list[str]:
    """What student code replaced or removed since ``trust`` (empty: intact)."""
    return [".".join(part for part in key if part) for key, value in _kept.items()
            if isinstance(key, tuple) and _lookup(*key) is not value]


def autograd_gradient(out, inputs) -> list | None:
    """The gradient of ``out.sum()`` for the inputs that require it, by the autograd kept
    before student code ran (lists of floats; None for an input the loss does not reach);
    None when ``out`` is not a tensor that requires grad."""
    grad, tensor, total, detach, double, tolist = _kept["autograd"]
    if not isinstance(out, tensor) or not out.requires_grad:
        return None
    leaves = [t for t in inputs if t.requires_grad]
    grads = grad(total(out), leaves, retain_graph=True, allow_unused=True)
    return [None if g is None else tolist(double(detach(g))) for g in grads]
