"""The expression tree evaluated at many points at once: values, forward-mode derivatives
(tangents) and reverse-mode adjoints, each node by its kind's rule (:mod:`tutor.feedback.rules`).

>>> from tutor.parsing import parse, symbol
>>> from tutor.feedback.tree import decompose
>>> x = symbol("x")
>>> tree = Tree(decompose(parse("x^2 + 3x"), x), {"x": np.array([1.0, 2.0])})
>>> tree.full(tree.value[tree.root]).tolist(), tree.full(tree.tangent({x: 1.0})[tree.root]).tolist()
([4.0, 10.0], [5.0, 7.0])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import numpy as np
import sympy

from tutor.feedback.rules import RULES, Array
from tutor.feedback.tree import Deadline, Node


class Tree:
    """Values and partial derivatives of every node of a tree at the sample points.

    ``deadline`` bounds the work: past it, :class:`tutor.errors.ExplainError` is raised.
    """

    def __init__(self, root: Node, points: Mapping[str, np.ndarray],
                 deadline: Deadline | None = None):
        self.root = root
        self.points = points
        self.deadline = deadline or Deadline(None)
        self.nodes = list(root.walk())  # parents first
        self.parent = {child: node for node in self.nodes for child in node.children}
        self.size = len(next(iter(points.values())))
        self.value: dict[Node, np.ndarray] = {}
        with np.errstate(all="ignore"):
            for node in reversed(self.nodes):
                self.deadline.check()
                self.value[node] = RULES[node.kind].value(node, self)

    def children_values(self, node: Node) -> list[np.ndarray]:
        return [self.value[child] for child in node.children]

    @functools.cached_property
    def partials(self) -> dict[Node, list[Array | None]]:
        """d node / d child for every child (None for number arguments of a function)."""
        partials = {}
        with np.errstate(all="ignore"):
            for node in self.nodes:
                self.deadline.check()
                partials[node] = RULES[node.kind].partials(node, self)
        return partials

    def tangent(self, seed: Mapping[sympy.Symbol, float],
                wrong: Callable[[Node, dict], Array | None] | None = None) -> dict[Node, Array]:
        """Forward-mode derivatives of every node for the seed (1 for the variable), with
        ``wrong(node, tangents)`` replacing a node's derivative where it returns one."""
        t: dict[Node, Array] = {}
        with np.errstate(all="ignore"):
            for node in reversed(self.nodes):
                self.deadline.check()
                total: Array = seed.get(node.expr, 0.0) if node.kind == "symbol" else 0.0
                for child, partial in zip(node.children, self.partials[node], strict=True):
                    if partial is not None and not _is_zero(t[child]):
                        total = total + partial * t[child]
                t[node] = total
                if wrong is not None:
                    replaced = wrong(node, t)
                    if replaced is not None:
                        t[node] = replaced
        return t

    def adjoint(self) -> dict[Node, Array]:
        """d root / d node for every node (each occurrence separately)."""
        w: dict[Node, Array] = {self.root: 1.0}
        with np.errstate(all="ignore"):
            for node in self.nodes:
                for child, partial in zip(node.children, self.partials[node], strict=True):
                    w[child] = 0.0 if partial is None else w[node] * partial
        return w

    def full(self, value: Array) -> np.ndarray:
        """``value`` (an array or a plain number) as one value per point."""
        return np.broadcast_to(np.asarray(value, dtype=np.float64), (self.size,))


def _is_zero(value: Array) -> bool:
    return isinstance(value, float) and value == 0.0
