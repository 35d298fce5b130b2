"""The exercises a learner edits: backward passes written with NumPy, checked against autograd.

Each :class:`Exercise` names the function the learner writes, the loss whose derivatives it
must return (a matrix-calculus formula, :mod:`tutor.matrix`), the file it starts from (a TODO)
and its reference solution, which is a real function below (``tutor lint`` checks it, and
``--auto`` writes its source). ``mistakes`` are wrong variants an exercise recognises by their
values; :mod:`tutor.lessons.workspace` also tries the generic ones (a sign, a factor 2, 1/n, a
transpose, a bias not summed).

>>> EXERCISES["relu_backward"].parameters
('dA', 'Z')
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from tutor.messages import text

# ---------------------------------------------------------------- reference solutions

def linear_backward(dZ, X, W):
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    return dX, dW, db


def relu_backward(dA, Z):
    return dA * (Z > 0)


def softmax_cross_entropy_backward(Z, Y):
    n = Z.shape[0]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    return (P - Y) / n


def two_layer_forward(X, W1, b1, W2, b2):
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0)
    Z2 = H @ W2 + b2
    E = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    return Z1, H, E / E.sum(axis=1, keepdims=True)


def two_layer_backward(X, Y, W1, b1, W2, b2):
    Z1, H, P = two_layer_forward(X, W1, b1, W2, b2)
    dZ2 = (P - Y) / X.shape[0]
    dW2 = H.T @ dZ2
    db2 = dZ2.sum(axis=0)
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0)
    return dW1, db1, dW2, db2


def layer_norm_backward(dY, X):
    mean = X.mean(axis=1, keepdims=True)
    scale = 1 / np.sqrt(((X - mean) ** 2).mean(axis=1, keepdims=True) + 1e-5)
    Y = (X - mean) * scale
    return scale * (dY - dY.mean(axis=1, keepdims=True) - Y * (dY * Y).mean(axis=1, keepdims=True))


# ---------------------------------------------------------------- recognised wrong variants

def _relu_mask_from_gradient(dA, Z):
    return dA * (dA > 0)


def _two_layer_without_relu_mask(X, Y, W1, b1, W2, b2):
    Z1, H, P = two_layer_forward(X, W1, b1, W2, b2)
    dZ2 = (P - Y) / X.shape[0]
    dZ1 = dZ2 @ W2.T
    return X.T @ dZ1, dZ1.sum(axis=0), H.T @ dZ2, dZ2.sum(axis=0)


def _layer_norm_scale_only(dY, X):
    mean = X.mean(axis=1, keepdims=True)
    return dY / np.sqrt(((X - mean) ** 2).mean(axis=1, keepdims=True) + 1e-5)


@dataclass(frozen=True)
class Mistake:
    """A wrong variant recognised by its values: its code and the function; what went wrong
    is the catalogue's ``exercise_mistake:<code>``."""

    code: str
    variant: Callable

    @property
    def message(self) -> str:
        """What went wrong, in the current language."""
        return text(f"exercise_mistake:{self.code}")


@dataclass(frozen=True)
class Exercise:
    """A function to write: ``loss`` over ``shapes`` (with ``given`` structure and ``define``
    names) differentiated by each of ``wrt``, in that order, is what it returns."""

    name: str
    loss: str
    wrt: tuple[str, ...]
    shapes: Mapping[str, str]
    solution: Callable
    given: Mapping[str, str] = field(default_factory=dict)
    define: Mapping[str, str] = field(default_factory=dict)
    mistakes: tuple[Mistake, ...] = ()
    helpers: tuple[Callable, ...] = ()  # functions the solution calls, written before it

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(inspect.signature(self.solution).parameters)

    @property
    def file_name(self) -> str:
        return f"{self.name}.py"

    def returns(self, lang: str | None = None) -> str:
        """What the function returns, as its docstring says (in ``lang``)."""
        return text(f"exercise_returns:{self.name}", lang)

    def template(self, lang: str | None = None) -> str:
        """The file the learner starts from, its words in ``lang``: the signature, what to
        return, a TODO."""
        shapes = ", ".join(f"{name}: {shape or text('exercise_scalar', lang)}"
                           for name, shape in self.shapes.items() if name in self.parameters)
        loss = self.loss + "".join(f", {name} = {formula}"
                                   for name, formula in self.define.items())
        about = text("exercise_template", lang, name=self.name, loss=loss, shapes=shapes)
        return (f'"""{about}\n"""\n\n'
                "import numpy as np\n\n\n"
                f"def {self.name}({', '.join(self.parameters)}):\n"
                f'    """{text("exercise_return", lang, what=self.returns(lang))}"""\n'
                f"    # {text('exercise_todo', lang)}\n"
                "    raise NotImplementedError\n")

    def reference(self) -> str:
        """The reference solution as a file (``--auto`` writes it)."""
        return "import numpy as np\n\n\n" + "\n\n".join(
            inspect.getsource(function) for function in (*self.helpers, self.solution))


_TWO_LAYER_SHAPES = {"X": "n×d", "Y": "n×k", "W1": "d×h", "b1": "h", "W2": "h×k", "b2": "k"}

#: Every exercise by function name.
EXERCISES: dict[str, Exercise] = {exercise.name: exercise for exercise in (
    Exercise("linear_backward", "sum(dZ ⊙ (X W + ones(n) b^T))", ("X", "W", "b"),
             {"dZ": "n×k", "X": "n×d", "W": "d×k", "b": "k"}, linear_backward),
    Exercise("relu_backward", "sum(dA ⊙ relu(Z))", ("Z",), {"dA": "n×k", "Z": "n×k"},
             relu_backward,
             mistakes=(Mistake("relu-mask-from-gradient", _relu_mask_from_gradient),)),
    Exercise("softmax_cross_entropy_backward", "-sum(Y ⊙ log_softmax(Z)) / n", ("Z",),
             {"Z": "n×k", "Y": "n×k"}, softmax_cross_entropy_backward, given={"Y": "one-hot"}),
    Exercise("two_layer_backward", "-sum(Y ⊙ log_softmax(relu(X W1 + b1) W2 + b2)) / n",
             ("W1", "b1", "W2", "b2"), _TWO_LAYER_SHAPES, two_layer_backward,
             given={"Y": "one-hot"},
             mistakes=(Mistake("relu-mask-missing", _two_layer_without_relu_mask),),
             helpers=(two_layer_forward,)),
    Exercise("layer_norm_backward", "sum(dY ⊙ ((X - M) ⊙ (s ones(d)^T)))", ("X",),
             {"dY": "n×d", "X": "n×d"}, layer_norm_backward,
             define={"M": "mean(X, axis=1) ones(d)^T",
                     "s": "1 / sqrt(mean((X - M) ⊙ (X - M), axis=1) + 0.00001)"},
             mistakes=(Mistake("layer-norm-mean-terms-missing", _layer_norm_scale_only),)),
)}
