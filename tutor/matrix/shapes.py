"""Shapes with named dimensions: declared by a question (``{"X": "n×d", "w": "d"}``),
inferred for every node of an expression, and explained when they do not fit.

A shape is a tuple of dimensions (a name such as ``"n"`` or a whole number): ``()`` is a
scalar, ``("n",)`` a (column) vector, ``(1, "n")`` a row vector (a transposed vector) and
``("n", "d")`` a matrix. Vectors are columns, as in math: ``p pᵀ`` is an outer product and
``pᵀp`` a number. Element-wise operations broadcast a scalar, and a vector over a matrix the
way NumPy does (along each row when its length is the number of columns).

>>> from tutor.matrix.parsing import parse
>>> shapes = declare({"X": "n×d", "w": "d", "y": "n"})
>>> describe(ShapeChecker(shapes).shape(parse("X^T (X w - y)", shapes, ["n", "d"])))
'a d-vector'
>>> ShapeChecker(shapes).shape(parse("X (X w - y)", shapes, ["n", "d"]))
Traceback (most recent call last):
...
tutor.matrix.shapes.ShapeError: X(Xw − y) needs d = n (X is an n×d matrix, Xw − y is an n-vector) at column 3; Xᵀ(Xw − y) is a d-vector
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tutor.errors import ParseError
from tutor.matrix.nodes import Node, render
from tutor.matrix.parsing import RESERVED
from tutor.matrix.tokens import error_at
from tutor.messages import text

Dim = str | int
Shape = tuple[Dim, ...]

#: The largest whole-number dimension a question may declare, and the most entries a declared
#: variable may have once its named dimensions get their sizes.
MAX_DIM = 512
MAX_ENTRIES = 65_536

_SEPARATOR = re.compile(r"\s*(?:×|\*|,|(?<=[\s\d])x(?=[\s\d]))\s*")


class ShapeError(ParseError):
    """An expression whose shapes do not fit together (or a shape declaration that is wrong)."""


def normalize(shape: Shape) -> Shape:
    """Drop unit dimensions that carry no meaning: 1×1 is a scalar and n×1 a vector."""
    if all(dim == 1 for dim in shape):
        return ()
    if len(shape) == 2 and shape[1] == 1:
        return (shape[0],)
    return tuple(shape)


def layout(shape: Shape) -> tuple[Dim, Dim]:
    """Rows and columns: a scalar is 1×1, a vector n×1."""
    return (1, 1) if not shape else (shape[0], 1) if len(shape) == 1 else (shape[0], shape[1])


def _article(dim: Dim) -> str:
    """'an ' or 'a ' before a shape that starts with ``dim`` (as it is read aloud)."""
    first = str(dim)
    vowel = first[:1] in "aeiou" if len(first) > 1 and not first.isdigit() else \
        first in set("aefhilmnorsx") | {"8", "11", "18"}
    return "an " if vowel else "a "


def describe(shape: Shape) -> str:
    """'a scalar', 'an n-vector', 'a row vector (1×n)', 'an n×d matrix' (in the current
    language)."""
    if not shape:
        return text("shape_scalar")
    if len(shape) == 1:
        return text("shape_vector", article=_article(shape[0]), size=shape[0])
    if shape[0] == 1:
        return text("shape_row", size=shape[1])
    return text("shape_matrix", article=_article(shape[0]), rows=shape[0], columns=shape[1])


def declare(shapes: Mapping[str, object]) -> dict[str, Shape]:
    """Shapes from a question: ``"n×d"``, ``"n x d"``, ``"n, d"``, ``("n", "d")``, ``"d"``,
    ``5``, ``""`` or ``"scalar"`` for a number.

    >>> declare({"X": "n x 3", "w": ("3",), "c": "scalar"})
    {'X': ('n', 3), 'w': (3,), 'c': ()}
    """
    if not isinstance(shapes, Mapping) or not shapes:
        raise ShapeError(text("shapes_mapping"))
    declared = {}
    for name, spec in shapes.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_") \
                or name in RESERVED:
            raise ShapeError(text("shapes_bad_name", name=name,
                                  reserved=", ".join(sorted(RESERVED))))
        declared[name] = _declared_shape(name, spec)
    clash = dimension_names(declared) & set(declared)
    if clash:
        raise ShapeError(text("shapes_clash", names=", ".join(sorted(clash))))
    return declared


def _declared_shape(name: str, spec: object) -> Shape:
    if isinstance(spec, str):
        written = spec.strip()
        parts = [] if written in ("", "scalar", "1", "()") else \
            _SEPARATOR.split(written.strip("()").strip())
    elif isinstance(spec, int) and not isinstance(spec, bool):
        parts = [str(spec)]
    elif isinstance(spec, (tuple, list)):
        parts = [str(part).strip() for part in spec]
    else:
        raise ShapeError(text("shapes_spec_type", name=name, spec=spec))
    if len(parts) > 2:
        raise ShapeError(text("shapes_too_many", name=name, count=len(parts), spec=spec))
    dims: list[Dim] = []
    for part in parts:
        if part.isdigit():
            size = int(part)
            if not 1 <= size <= MAX_DIM:
                raise ShapeError(text("shapes_dim_range", name=name, size=size, most=MAX_DIM))
            dims.append(size)
        elif part.isidentifier() and not part.startswith("_") and part not in RESERVED:
            dims.append(part)
        else:
            raise ShapeError(text("shapes_bad_part", name=name, spec=spec, part=part))
    return normalize(tuple(dims))


def dimension_names(declared: Mapping[str, Shape]) -> set[str]:
    return {dim for shape in declared.values() for dim in shape if isinstance(dim, str)}


def concrete(shape: Shape, sizes: Mapping[str, int]) -> tuple[int, int]:
    """Rows and columns once the named dimensions have ``sizes``."""
    return tuple(sizes[dim] if isinstance(dim, str) else dim for dim in layout(shape))


class ShapeChecker:
    """The shape of every node of a tree, or a :class:`ShapeError` that says which operator
    does not fit and, where one exists, the nearby expression that would."""

    def __init__(self, declared: Mapping[str, Shape], *, explain: bool = True):
        self.declared = declared
        self.explain = explain  # False: no search for a product that would fit
        self.known: dict[int, Shape] = {}

    def shape(self, node: Node) -> Shape:
        key = id(node)
        if key not in self.known:
            self.known[key] = self._infer(node)
        return self.known[key]

    def _infer(self, node: Node) -> Shape:
        kind = node.kind
        if kind in ("number", "dim"):
            return ()
        if kind == "var":
            return self.declared[node.value]
        if kind == "ones":
            return normalize(node.value)
        if kind == "eye":
            return (node.value, node.value)
        inner = [self.shape(arg) for arg in node.args]
        if kind == "T":
            return self._transpose(node, inner[0])
        if kind in ("neg", "apply", "pow", "let"):
            return inner[0]
        if kind in ("add", "sub", "mul", "div", "compare"):
            return self.broadcast(node, *inner)
        if kind == "matmul":
            return self._product(node, *inner)
        if kind in ("trace", "diag"):
            return self._diagonal(node, inner[0])
        if kind == "norm":
            return ()
        operation, axis = node.value
        if kind == "softmax":
            if not inner[0]:
                raise self._error(node, text("shape_softmax_scalar", operation=operation,
                                             value=0 if operation == "log_softmax" else 1),
                                  text("shape_is_scalar", expr=render(node.args[0])))
            return inner[0]
        return self._reduced(node, inner[0], axis)

    def _error(self, node: Node, message: str, hint: str = "") -> ShapeError:
        return error_at(message, node.column, hint, ShapeError)

    def _transpose(self, node: Node, shape: Shape) -> Shape:
        if not shape:
            raise self._error(node, text("shape_transpose_scalar", expr=render(node.args[0])),
                              text("shape_remove_transpose"))
        return normalize((1, shape[0]) if len(shape) == 1 else (shape[1], shape[0]))

    def broadcast(self, node: Node, left: Shape, right: Shape) -> Shape:
        """The shape of an element-wise operation, NumPy-style (see the module docstring)."""
        if left == right or not right:
            return left
        if not left:
            return right
        if len(left) < len(right):
            left, right = right, left
        if len(left) == 2 and left[0] != 1 and len(right) == 1 and right[0] in left:
            return left
        if len(left) == 2 and len(right) == 2 and right[0] == 1 and right[1] == left[1]:
            return left
        a, b = (self.shape(arg) for arg in node.args)
        hint = ""
        if node.kind == "mul" and self._fits_product(*node.args):
            hint = text("shape_hint_matmul")
        elif len(left) == 2 and len(right) == 2 and right[0] == 1 and right[1] == left[0]:
            hint = text("shape_hint_row")
        elif {len(a), len(b)} == {1, 2} and 1 in (a + b):
            hint = text("shape_hint_column_row")
        return self._raise_mismatch(node, text(f"shape_op:{node.kind}"), a, b, hint)

    def _raise_mismatch(self, node: Node, what: str, a: Shape, b: Shape, hint: str):
        first, second = (render(arg) for arg in node.args)
        raise self._error(node, text("shape_mismatch", expr=render(node), what=what,
                                     left=describe(a), right=describe(b), first=first,
                                     second=second), hint)

    def _fits_product(self, left: Node, right: Node) -> bool:
        try:
            self._product(Node("matmul", (left, right)), self.shape(left), self.shape(right))
        except ShapeError:
            return False
        return True

    def _product(self, node: Node, left: Shape, right: Shape) -> Shape:
        if not left or not right:
            return left or right
        (rows, inner_left), (inner_right, columns) = layout(left), layout(right)
        if inner_left == inner_right:
            return normalize((rows, columns))
        first, second = node.args
        what = text("shape_needs", expr=render(node), inner_left=inner_left,
                    inner_right=inner_right)
        if len(left) == 1 and len(right) == 1:
            what = text("shape_two_columns", expr=render(node))
        elif 1 in (inner_left, inner_right):
            what = text("shape_wrong_order", expr=render(node))
        message = text("shape_product", what=what, first=render(first), left=describe(left),
                       second=render(second), right=describe(right))
        raise self._error(node, message, self._repair(first, second) if self.explain else "")

    def _repair(self, first: Node, second: Node) -> str:
        """A product near ``first second`` whose shapes fit, and its shape, or ''."""
        transposed = [factor.args[0] if factor.kind == "T" else Node("T", (factor,))
                      for factor in (first, second)]
        for left, right in ((transposed[0], second), (first, transposed[1]), (second, first),
                            tuple(transposed)):
            candidate = Node("matmul", (left, right))
            checker = ShapeChecker(self.declared, explain=False)
            checker.known = self.known  # the factors' shapes are known
            try:
                shape = checker.shape(candidate)
            except ShapeError:
                continue
            return text("shape_repair", expr=render(candidate), shape=describe(shape))
        return ""

    def _diagonal(self, node: Node, shape: Shape) -> Shape:
        square = len(shape) == 2 and shape[0] == shape[1]
        if node.kind == "trace":
            if square:
                return ()
            raise self._error(node, text("shape_trace", expr=render(node.args[0]),
                                         shape=describe(shape)))
        if len(shape) == 1 or (len(shape) == 2 and shape[0] == 1):
            return (shape[-1], shape[-1])
        if square:
            return (shape[0],)
        raise self._error(node, text("shape_diag", expr=render(node.args[0]),
                                     shape=describe(shape)))

    def _reduced(self, node: Node, shape: Shape, axis: int | None) -> Shape:
        operation = node.value[0]
        if axis is None:
            return ()
        rows, columns = layout(shape)
        if len(shape) < 2 and axis != 0 and not (len(shape) == 1 and axis == -1):
            raise self._error(node, text("shape_axis_0_only", operation=operation, axis=axis,
                                         expr=render(node.args[0]), shape=describe(shape)))
        if len(shape) < 2:
            return ()
        return normalize((columns,) if axis == 0 else (rows,))
