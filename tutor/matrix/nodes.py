"""The tree a matrix expression is read into, and how it is written back for messages.

A :class:`Node` is immutable and compares by structure (not by column), so edited copies of a
tree (the mistake search builds many) are cheap and can be cached.

>>> x, w, y = Node("var", value="X"), Node("var", value="w"), Node("var", value="y")
>>> render(Node("matmul", (Node("T", (x,)), Node("sub", (Node("matmul", (x, w)), y)))))
'Xᵀ(Xw − y)'
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

#: Node kinds with their number of arguments (None: any) and what ``value`` holds.
KINDS: dict[str, str] = {
    "number": "a float constant",
    "var": "a declared variable's name",
    "dim": "a dimension's name, used as a number (e.g. 1/n)",
    "ones": "a tuple of dimensions: a vector or matrix of ones",
    "eye": "a dimension: the identity matrix",
    "T": "the transpose of its argument",
    "neg": "minus its argument",
    "add": "sum of two", "sub": "difference of two",
    "matmul": "matrix product (or a scalar times anything)",
    "mul": "element-wise product", "div": "element-wise quotient",
    "pow": "element-wise power; value is the exponent",
    "apply": "an element-wise function; value is its name",
    "reduce": "value is (sum|mean, axis or None)",
    "trace": "sum of the diagonal", "diag": "vector -> diagonal matrix, square matrix -> vector",
    "norm": "the 2-norm (Frobenius for a matrix)",
    "softmax": "value is (softmax|log_softmax, axis or None)",
    "compare": "value is one of > < >= <=; 1.0 where it holds, else 0.0",
    "let": "a name the question defines (value); its one argument is the definition",
}


@dataclass(frozen=True)
class Node:
    """One operation of a matrix expression: ``kind`` (a key of :data:`KINDS`), its
    arguments, a ``value`` (a name, number or option) and the 1-based ``column`` of its
    operator in the typed text (0 when the node was made by a program)."""

    kind: str
    args: tuple[Node, ...] = ()
    value: object = None
    column: int = field(default=0, compare=False)

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, parents first."""
        yield self
        for arg in self.args:
            yield from arg.walk()

    def editable(self) -> Iterator[Node]:
        """Like :meth:`walk`, but not into the definitions behind defined names."""
        yield self
        if self.kind != "let":
            for arg in self.args:
                yield from arg.editable()

    def names(self) -> set[str]:
        """The declared variables the expression uses."""
        return {node.value for node in self.walk() if node.kind == "var"}


def replace_at(root: Node, target: Node, replacement: Node) -> Iterator[Node]:
    """Copies of ``root`` with one occurrence of ``target`` (by identity) replaced by
    ``replacement``; one copy per occurrence. Definitions behind defined names are kept."""
    if root is target:
        yield replacement
        return
    if root.kind == "let":
        return
    for index, arg in enumerate(root.args):
        for new in replace_at(arg, target, replacement):
            yield Node(root.kind, root.args[:index] + (new,) + root.args[index + 1:],
                       root.value, root.column)


# ---------------------------------------------------------------- writing a tree back

_PRECEDENCE = {"compare": 0, "add": 1, "sub": 1, "neg": 2, "matmul": 3, "mul": 3, "div": 3,
               "pow": 5, "T": 5}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_INFIX = {"add": " + ", "sub": " − ", "mul": " ⊙ ", "div": "/"}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _precedence(node: Node) -> int:
    if node.kind == "number" and node.value < 0:
        return 2
    return _PRECEDENCE.get(node.kind, 9)


def _wrapped(node: Node, above: int) -> str:
    text = render(node)
    return f"({text})" if _precedence(node) < above else text


def _single_letter(node: Node) -> bool:
    while node.kind == "T":
        node = node.args[0]
    return node.kind in ("var", "dim", "let") and len(str(node.value)) == 1


def _juxtaposed(left: Node, right: Node) -> str:
    coefficient = all(part.kind in ("number", "dim", "neg", "div") for part in left.walk())
    first, second = _wrapped(left, 2), _wrapped(right, 3 if coefficient else 4)
    last = left
    while last.kind == "matmul":  # the factor next to ``right``
        last = last.args[1]
    tight = second.startswith("(") or (left.kind == "number" and second[:1].isalpha()) or \
        _single_letter(right) and (
        first.endswith(")") or _single_letter(last) or left.kind == "number")
    return f"{first}{second}" if tight else f"{first} {second}"


def _axis(axis: object) -> str:
    return "" if axis is None else f", axis={axis}"


def render(node: Node) -> str:
    """The expression in math notation: juxtaposition for products, ᵀ, ⊙ and −."""
    kind, args, value = node.kind, node.args, node.value
    if kind == "number":
        return _number(value)
    if kind in ("var", "dim", "let"):
        return str(value)
    if kind == "ones":
        return "1_" + "×".join(map(str, value)) if len(value) == 1 else \
            f"ones({', '.join(map(str, value))})"
    if kind == "eye":
        return f"I_{value}"
    if kind == "T":
        return _wrapped(args[0], 9) + "ᵀ"
    if kind == "neg":
        return "−" + _wrapped(args[0], 3)
    if kind == "matmul":
        return _juxtaposed(*args)
    if kind in _INFIX:
        above = _PRECEDENCE[kind]
        left_above = 2 if kind == "div" else above + (kind == "mul" and args[0].kind != "mul")
        right_above = above + 1 if kind in ("sub", "div", "mul") else above
        return _wrapped(args[0], left_above) + _INFIX[kind] + _wrapped(args[1], right_above)
    if kind == "compare":
        return f"{_wrapped(args[0], 1)} {value} {_wrapped(args[1], 1)}"
    if kind == "pow":
        exponent = _number(value)
        tail = exponent.translate(_SUPERSCRIPT) if exponent.lstrip("-").isdigit() \
            else f"^{exponent}"
        return _wrapped(args[0], 9) + tail
    if kind == "norm":
        return f"‖{render(args[0])}‖"
    if kind == "reduce":
        operation, axis = value
        return f"{operation}({render(args[0])}{_axis(axis)})"
    if kind == "softmax":
        operation, axis = value
        return f"{operation}({render(args[0])}{_axis(axis)})"
    name = value if kind == "apply" else kind
    return f"{name}({render(args[0])})"
