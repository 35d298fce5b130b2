"""The computation graph autograd builds for a formula, drawn beside the SymPy expression tree.

The formula's SymPy tree is evaluated node by node with PyTorch scalars (one torch operation
per SymPy node), so every ``grad_fn`` of the graph is known to compute one subexpression. The
graph is then walked from the result's ``grad_fn`` through ``next_functions`` down to the
``AccumulateGrad`` nodes of the leaves, where ``.grad`` lands. Chosen subexpressions keep
their gradient (``retain_grad``) and a hook on a leaf records the gradient flowing into it.

>>> import sympy
>>> x, y = sympy.symbols("x y")
>>> graph = build_graph(x * y + sympy.sin(x), {"x": 1.0, "y": 2.0}, retain=[x * y], hooks=["x"])
>>> graph.root.name
'AddBackward0'
>>> graph.gradients["x"], graph.gradients["y"]
(2.5403023058681398, 1.0)
>>> graph.retained["x*y"], graph.hooked["x"]
(1.0, 2.5403023058681398)
>>> print(dot(graph).splitlines()[0])
digraph autograd {
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sympy
from rich.tree import Tree

from tutor.errors import TutorError
from tutor.messages import text as message_text

#: SymPy functions the graph step evaluates, by their name in torch.
_FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "tanh", "sinh", "cosh", "sqrt", "abs",
              "sigmoid", "relu")
_LARGEST = 60  # nodes: a graph to read, not a network


@dataclass
class GraphNode:
    """One node of autograd's backward graph: its class name, the subexpression it
    differentiates (None for a leaf's AccumulateGrad), the leaf it feeds, and its inputs."""

    name: str
    computes: str | None
    leaf: str | None = None
    children: list[GraphNode | None] = field(default_factory=list)
    seen_before: bool = False


@dataclass
class AutogradGraph:
    expression: sympy.Expr
    value: float
    root: GraphNode
    gradients: dict[str, float]  # leaf name -> .grad after backward
    retained: dict[str, float]  # subexpression -> its .grad (retain_grad)
    hooked: dict[str, float]  # leaf name -> the gradient its hook saw


class _Evaluator:
    def __init__(self, values: Mapping[str, float], retain: Iterable[sympy.Expr]):
        import torch

        self.torch = torch
        self.leaves = {name: torch.tensor(float(value), dtype=torch.float64, requires_grad=True)
                       for name, value in values.items()}
        self.retain = set(retain)
        self.kept: dict[str, object] = {}
        self.labels: dict[object, str] = {}  # grad_fn -> the subexpression it computes
        self.count = 0

    def __call__(self, node: sympy.Basic):
        torch = self.torch
        self.count += 1
        if self.count > _LARGEST:
            raise TutorError(f"the formula has more than {_LARGEST} nodes: too big to draw")
        if isinstance(node, sympy.Symbol):
            if node.name not in self.leaves:
                raise TutorError(f"{node.name} has no value; give it one in 'at'")
            return self.leaves[node.name]
        if node.is_number:  # a plain number, as in code: `3 * x ** 2`
            return float(node)
        args = [self(arg) for arg in node.args]
        if isinstance(node, sympy.Add):
            result = args[0]
            for arg in args[1:]:
                result = result + arg
        elif isinstance(node, sympy.Mul):
            result = args[0]
            for arg in args[1:]:
                result = result * arg
        elif isinstance(node, sympy.Pow):
            result = args[0] ** args[1]
        else:
            name = type(node).__name__.lower()
            if name not in _FUNCTIONS:
                raise TutorError(f"the graph step cannot draw {type(node).__name__}; it knows "
                                 f"+ − × /, powers and {', '.join(_FUNCTIONS)}")
            result = getattr(torch, name)(*args)
        if isinstance(result, float):
            return result
        if result.grad_fn is not None:
            self.labels.setdefault(result.grad_fn, sympy.sstr(node))
        if node in self.retain:
            result.retain_grad()
            self.kept[sympy.sstr(node)] = result
        return result


def build_graph(expr: sympy.Expr, values: Mapping[str, float], *,
                retain: Iterable[sympy.Expr] = (), hooks: Iterable[str] = ()) -> AutogradGraph:
    """Evaluate ``expr`` at ``values`` with torch, walk its backward graph, run backward."""
    evaluate = _Evaluator(values, retain)
    output = evaluate(expr)
    if output.grad_fn is None:
        raise TutorError(f"{expr} does not depend on any variable: autograd builds no graph")
    missing = [sympy.sstr(part) for part in evaluate.retain if sympy.sstr(part) not in
               evaluate.kept]
    if missing:
        raise TutorError(f"retain: {', '.join(missing)} is not a subexpression of {expr}")
    leaf_names = {id(tensor): name for name, tensor in evaluate.leaves.items()}
    hooked: dict[str, float] = {}
    for name in hooks:
        if name not in evaluate.leaves:
            raise TutorError(f"hook: {name} is not a variable of {expr}")
        evaluate.leaves[name].register_hook(
            lambda grad, name=name: hooked.__setitem__(name, float(grad)))

    seen: set[int] = set()

    def walk(function) -> GraphNode | None:
        if function is None:
            return None  # an input that needs no gradient (a constant)
        name = type(function).__name__
        if name == "AccumulateGrad":
            node = GraphNode(name, None, leaf=leaf_names.get(id(function.variable), "?"))
        else:
            node = GraphNode(name, evaluate.labels.get(function))
        if id(function) in seen:
            node.seen_before = True
            return node
        seen.add(id(function))
        node.children = [walk(child) for child, _ in function.next_functions]
        return node

    root = walk(output.grad_fn)
    output.backward()
    gradients = {name: float(tensor.grad) for name, tensor in evaluate.leaves.items()
                 if tensor.grad is not None}
    retained = {label: float(tensor.grad) for label, tensor in evaluate.kept.items()}
    return AutogradGraph(expr, float(output.detach()), root, gradients, retained, hooked)


# ---------------------------------------------------------------- drawing


def sympy_tree(expr: sympy.Basic) -> Tree:
    """The SymPy expression tree: one branch per argument."""
    def label(node: sympy.Basic) -> str:
        return sympy.sstr(node) if not node.args else f"{type(node).__name__}  [dim]{node}[/dim]"

    tree = Tree(label(expr))

    def grow(branch: Tree, node: sympy.Basic) -> None:
        for arg in node.args:
            grow(branch.add(label(arg)), arg)

    grow(tree, expr)
    return tree


def _label(node: GraphNode, graph: AutogradGraph) -> str:
    if node.leaf is not None:
        grad = graph.gradients.get(node.leaf)
        text = (f"[green]AccumulateGrad[/green] → {message_text('graph_leaf')} "
                f"[bold]{node.leaf}[/bold]")
        text += f"  ({node.leaf}.grad = {grad:.6g})" if grad is not None else ""
    else:
        text = f"[cyan]{node.name}[/cyan]"
        if node.computes is not None:
            text += f"  [dim]{node.computes}[/dim]"
            if node.computes in graph.retained:
                text += f"  (retain_grad: .grad = {graph.retained[node.computes]:.6g})"
    again = f"  [yellow]{message_text('graph_same_node')}[/yellow]" if node.seen_before else ""
    return text + again


def autograd_tree(graph: AutogradGraph) -> Tree:
    """The backward graph as a tree, from the result's grad_fn to the leaves."""
    tree = Tree(_label(graph.root, graph))

    def grow(branch: Tree, node: GraphNode) -> None:
        for child in node.children:
            if child is None:
                branch.add(f"[dim]None  {message_text('graph_constant')}[/dim]")
            else:
                grow(branch.add(_label(child, graph)), child)

    grow(tree, graph.root)
    return tree


def dot(graph: AutogradGraph) -> str:
    """The backward graph as Graphviz DOT text (shared nodes drawn once)."""
    lines = ["digraph autograd {", "  rankdir=BT;", "  node [shape=box, fontname=Helvetica];"]
    numbers: dict[tuple, int] = {}

    def name_of(node: GraphNode) -> str:
        label = f"{node.name}\\n{node.leaf}" if node.leaf else \
            f"{node.name}\\n{node.computes or ''}"
        key = (node.name, node.leaf, node.computes)
        if key not in numbers:
            numbers[key] = len(numbers)
            style = ", style=filled, fillcolor=lightgreen" if node.leaf else ""
            lines.append(f'  n{numbers[key]} [label="{label}"{style}];')
        return f"n{numbers[key]}"

    def visit(node: GraphNode) -> None:
        here = name_of(node)
        for child in node.children:
            if child is not None:
                edge = f"  {name_of(child)} -> {here};"
                if edge not in lines:
                    lines.append(edge)
                visit(child)

    visit(graph.root)
    lines.append("}")
    return "\n".join(lines) + "\n"


def export(graph: AutogradGraph, path: Path) -> list[Path]:
    """Write the DOT text to ``path`` (and an SVG beside it when the graphviz package and its
    ``dot`` program are installed); the files written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dot(graph)
    path.write_text(text, encoding="utf-8")
    written = [path]
    try:
        import graphviz
    except ImportError:
        return written
    try:
        svg = graphviz.Source(text).pipe(format="svg")
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError):
        return written
    path.with_suffix(".svg").write_bytes(svg)
    return [*written, path.with_suffix(".svg")]
