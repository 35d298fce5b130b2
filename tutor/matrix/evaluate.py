"""Matrix expressions lowered to PyTorch, and the seeded random values they are evaluated at.

Every value is a float64 tensor of shape (draws, rows, columns): a scalar is 1×1 and a vector
a column n×1, so one call evaluates an expression for several random draws at once, and
autograd differentiates it (``torch.matmul`` batches over the first axis). No value is
bigger than MAX_DIM × MAX_DIM in one draw, since every dimension is at most MAX_DIM. Sampling respects
the structure a question declares (``given={"Y": "one-hot"}``).

>>> import numpy as np
>>> from tutor.matrix.parsing import parse
>>> from tutor.matrix.shapes import ShapeChecker, declare
>>> declared = declare({"X": "n×d", "w": "d"})
>>> run = lower(parse("X w", declared, ["n", "d"]), ShapeChecker(declared))
>>> values = sample(declared, {}, {"n": 3, "d": 2}, draws=4, seed=0)
>>> tuple(run({name: tensor(v) for name, v in values.items()}, {"n": 3, "d": 2}).shape)
(4, 3, 1)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from tutor.errors import TutorError
from tutor.matrix.nodes import Node, render
from tutor.matrix.shapes import MAX_DIM, MAX_ENTRIES, Shape, ShapeChecker, concrete, describe
from tutor.messages import text
from tutor.numeric import format_point

#: The most multiply-adds one draw of an expression may cost (a 512×512 matrix product is
#: 134 million): more is refused before anything is computed.
MAX_WORK = 300_000_000

Program = Callable[[Mapping[str, Any], Mapping[str, int]], Any]

#: given= structures: name -> aliases (what each means: the catalogue's ``structure:<name>``)
STRUCTURES = {
    "one-hot": ("onehot", "labels"),
    "probabilities": ("probability", "distribution", "distributions", "stochastic"),
    "symmetric": (),
    "positive-definite": ("spd", "pd", "positive definite"),
    "mask": ("binary",),
    "positive": ("positive entries",),
}
_ALIASES = {alias: name for name, aliases in STRUCTURES.items() for alias in (name, *aliases)}


def tensor(values: np.ndarray):
    import torch

    return torch.from_numpy(values)


# ---------------------------------------------------------------- structure and sampling


def structures(given: Mapping[str, str] | None, declared: Mapping[str, Shape]) -> dict[str, str]:
    """``given`` checked against the declared shapes, with aliases resolved."""
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise TutorError(text("given_mapping"))
    resolved = {}
    for name, kind in given.items():
        if name not in declared:
            raise TutorError(text("given_undeclared", name=name, declared=", ".join(declared)))
        canonical = _ALIASES.get(str(kind).strip().lower())
        if canonical is None:
            choices = "; ".join(f"{key}: {text(f'structure:{key}')}" for key in STRUCTURES)
            raise TutorError(text("given_unknown", kind=kind, name=name, choices=choices))
        shape = declared[name]
        if canonical in ("symmetric", "positive-definite") and (
                len(shape) != 2 or shape[0] != shape[1]):
            raise TutorError(text("given_not_square", name=name, structure=canonical,
                                  shape=describe(shape)))
        if canonical in ("one-hot", "probabilities") and not shape:
            raise TutorError(text("given_scalar", name=name, structure=canonical))
        resolved[name] = canonical
    return resolved


def _structured(kind: str | None, draws: int, rows: int, columns: int,
                rng: np.random.Generator) -> np.ndarray:
    size = (draws, rows, columns)
    along = 1 if columns == 1 else 2  # a vector's entries, else each row
    if kind == "one-hot":
        length = size[along]
        hot = rng.integers(0, length, (draws, rows if along == 2 else 1))
        eye = np.eye(length)[hot]  # (draws, rows, length) or (draws, 1, length)
        return eye if along == 2 else eye.transpose(0, 2, 1)
    if kind == "probabilities":
        logits = rng.uniform(-2.0, 2.0, size)
        weights = np.exp(logits - logits.max(axis=along, keepdims=True))
        return weights / weights.sum(axis=along, keepdims=True)
    if kind == "mask":
        return rng.integers(0, 2, size).astype(np.float64)
    if kind == "positive":
        return rng.uniform(0.1, 2.0, size)
    values = rng.uniform(-2.0, 2.0, size)  # bounded: exp and powers stay finite
    if kind == "symmetric":
        return (values + values.transpose(0, 2, 1)) / 2
    if kind == "positive-definite":
        return values @ values.transpose(0, 2, 1) / rows + np.eye(rows)
    return values


def sample(declared: Mapping[str, Shape], kinds: Mapping[str, str], sizes: Mapping[str, int],
           draws: int, seed: int) -> dict[str, np.ndarray]:
    """Seeded float64 values (draws, rows, columns) for every declared variable."""
    rng = np.random.default_rng([seed, *sorted(sizes.values())])
    return {name: _structured(kinds.get(name), draws, *concrete(shape, sizes), rng)
            for name, shape in declared.items()}


def choose_sizes(dims: Sequence[str], declared: Mapping[str, Shape], count: int,
                 seed: int) -> list[dict[str, int]]:
    """``count`` seeded assignments of sizes (2 to 9 or so) to the named dimensions, all
    different within an assignment (n ≠ d, so a missing transpose shows), avoiding the
    whole-number dimensions the question declares."""
    taken = {dim for shape in declared.values() for dim in shape if isinstance(dim, int)}
    pool = [size for size in range(2, 8 + len(dims) + len(taken)) if size not in taken]
    rng = np.random.default_rng(seed)
    assignments: list[dict[str, int]] = []
    for _ in range(4 * count):  # a few more tries, so that no size is tried twice
        assignment = dict(zip(dims, map(int, rng.permutation(pool)[:len(dims)]), strict=True))
        if assignment not in assignments:
            assignments.append(assignment)
        if len(assignments) == count:
            break
    return assignments


def check_sizes(sizes: object, dims: Sequence[str], declared: Mapping[str, Shape]
                ) -> list[dict[str, int]]:
    """Sizes given by a caller: a mapping dimension -> size, or a list of them."""
    assignments = [sizes] if isinstance(sizes, Mapping) else sizes
    if not isinstance(assignments, Sequence) or not assignments or not all(
            isinstance(assignment, Mapping) for assignment in assignments):
        raise TutorError(text("sizes_mapping"))
    checked = []
    for assignment in assignments:
        missing = [dim for dim in dims if dim not in assignment]
        if missing:
            raise TutorError(text("sizes_missing", sizes=dict(assignment),
                                  missing=", ".join(missing)))
        for dim in dims:
            size = assignment[dim]
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_DIM:
                raise TutorError(text("sizes_range", dim=dim, most=MAX_DIM, size=size))
        fixed = {dim: int(assignment[dim]) for dim in dims}
        for name, shape in declared.items():
            entries = math.prod(concrete(shape, fixed))
            if entries > MAX_ENTRIES:
                raise TutorError(text("sizes_entries", sizes=fixed, name=name, entries=entries,
                                      limit=MAX_ENTRIES))
        checked.append(fixed)
    return checked


def check_work(root: Node, checker: ShapeChecker, sizes: Mapping[str, int], what: str) -> None:
    """Refuse ``what`` (the loss, your answer: words to print), the expression ``root``, if it
    would cost more than MAX_WORK multiply-adds per draw at ``sizes`` (a long product of large
    matrices), before any of it is computed."""
    work = 0
    for node in root.walk():
        rows, columns = concrete(checker.shape(node), sizes)
        work += rows * columns
        if node.kind == "matmul" and all(checker.shape(arg) for arg in node.args):
            work += rows * columns * concrete(checker.shape(node.args[0]), sizes)[1]
    if work > MAX_WORK:
        raise TutorError(text("matrix_too_much_work", what=what, expr=render(root), work=work,
                              sizes=format_point(sizes), limit=MAX_WORK))


# ---------------------------------------------------------------- lowering to torch


def _elementwise() -> dict[str, Callable]:
    import torch

    return {
        "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "tanh": torch.tanh,
        "sigmoid": torch.sigmoid, "relu": torch.relu,
        "softplus": torch.nn.functional.softplus, "sin": torch.sin, "cos": torch.cos,
        "sinh": torch.sinh, "cosh": torch.cosh, "abs": torch.abs, "sign": torch.sign,
        "heaviside": lambda x: (x > 0).to(x.dtype),
    }


_BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    ">": lambda a, b: (a > b).double(), "<": lambda a, b: (a < b).double(),
    ">=": lambda a, b: (a >= b).double(), "<=": lambda a, b: (a <= b).double(),
}


def _as_row_against(shape: Shape, other: Shape) -> bool:
    """A vector meeting a matrix element-wise lies along its rows when its length is the
    number of columns (NumPy's rule)."""
    return len(shape) == 1 and len(other) == 2 and other[0] != 1 and shape[0] == other[1]


def lower(node: Node, checker: ShapeChecker) -> Program:
    """A function (values by name, sizes by dimension) -> tensor (draws, rows, columns)."""
    import torch

    functions = _elementwise()
    float64 = torch.float64

    def build(node: Node) -> Program:
        kind, value = node.kind, node.value
        if kind == "number":
            constant = torch.tensor(float(value), dtype=float64).reshape(1, 1, 1)
            return lambda env, sizes: constant
        if kind == "var":
            return lambda env, sizes: env[value]
        if kind == "dim":
            return lambda env, sizes: torch.full((1, 1, 1), float(sizes[value]), dtype=float64)
        if kind in ("ones", "eye"):
            shape = checker.shape(node)
            make = (lambda r, c: torch.ones(1, r, c, dtype=float64)) if kind == "ones" else \
                (lambda r, c: torch.eye(r, dtype=float64).unsqueeze(0))
            return lambda env, sizes: make(*concrete(shape, sizes))
        parts = [build(arg) for arg in node.args]
        shapes = [checker.shape(arg) for arg in node.args]
        if len(parts) == 2:
            return _binary(node, *parts, *shapes)
        inner = parts[0]
        if kind == "let":
            return inner
        if kind == "T":
            return lambda env, sizes: inner(env, sizes).transpose(1, 2)
        if kind == "neg":
            return lambda env, sizes: -inner(env, sizes)
        if kind == "pow":
            return lambda env, sizes: inner(env, sizes) ** value
        if kind == "apply":
            function = functions[value]
            return lambda env, sizes: function(inner(env, sizes))
        if kind == "norm":
            return lambda env, sizes: torch.linalg.vector_norm(inner(env, sizes), dim=(1, 2),
                                                                keepdim=True)
        if kind == "trace":
            return lambda env, sizes: torch.diagonal(inner(env, sizes), dim1=1, dim2=2).sum(
                1).reshape(-1, 1, 1)
        if kind == "diag":
            return _diag(inner, shapes[0])
        if kind == "softmax":
            operation, axis = value
            dim = 1 if axis == 0 or len(shapes[0]) == 1 else 2
            function = torch.softmax if operation == "softmax" else torch.log_softmax
            return lambda env, sizes: function(inner(env, sizes), dim=dim)
        operation, axis = value
        return _reduce(inner, operation, axis if len(shapes[0]) == 2 else None)

    return build(node)


def _binary(node: Node, first: Program, second: Program, left: Shape, right: Shape) -> Program:
    import torch

    if node.kind == "matmul":
        if not left or not right:
            return lambda env, sizes: first(env, sizes) * second(env, sizes)
        return lambda env, sizes: torch.matmul(first(env, sizes), second(env, sizes))
    if _as_row_against(left, right):
        first = _transposed(first)
    elif _as_row_against(right, left):
        second = _transposed(second)
    operation = _BINARY[node.value if node.kind == "compare" else node.kind]
    return lambda env, sizes: operation(first(env, sizes), second(env, sizes))


def _transposed(program: Program) -> Program:
    return lambda env, sizes: program(env, sizes).transpose(1, 2)


def _diag(inner: Program, shape: Shape) -> Program:
    import torch

    if len(shape) == 2 and shape[0] != 1:  # a square matrix: its diagonal, as a vector
        return lambda env, sizes: torch.diagonal(inner(env, sizes), dim1=1, dim2=2).unsqueeze(2)

    def diagonal_matrix(env, sizes):
        vector = inner(env, sizes)
        return torch.diag_embed(vector.reshape(vector.shape[0], -1))

    return diagonal_matrix


def _reduce(inner: Program, operation: str, axis: int | None) -> Program:
    def reduce(value, dims):
        return value.sum(dims, keepdim=True) if operation == "sum" else \
            value.mean(dims, keepdim=True)

    if axis is None:
        return lambda env, sizes: reduce(inner(env, sizes), (1, 2))
    if axis == 0:  # down the rows: one value per column, as a (column) vector
        return lambda env, sizes: reduce(inner(env, sizes), 1).transpose(1, 2)
    return lambda env, sizes: reduce(inner(env, sizes), 2)
