"""``graph``: draw the computation graph autograd builds for a formula, beside SymPy's tree.

The formula is evaluated at ``at`` with PyTorch (see :mod:`tutor.lessons.autograd_graph`);
``retain`` lists subexpressions that keep their gradient (``retain_grad``), ``hooks`` the
variables whose gradient a hook records; ``dot`` names a Graphviz file written to the output
folder (``--out``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.columns import Columns
from rich.panel import Panel
from rich.text import Text as RichText

from tutor.documents import Node, Reader
from tutor.errors import LessonError, TutorError
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.model import Point, Source, Step, Text
from tutor.lessons.steps.kind import PASSED, StepKind


@dataclass(frozen=True, kw_only=True)
class Graph(Step):
    text: Text | None = None
    formula: Source
    at: Point
    retain: tuple[Source, ...] = ()
    hooks: tuple[str, ...] = ()
    dot: str | None = None  # a file name for the Graphviz export


def check(reader: Reader, node: Node, where: str, values: dict) -> None:
    name = values.get("dot")
    if name is not None and ("/" in name or "\\" in name or not name.endswith(".dot")):
        reader.problem(node.get("dot").line, f"{where}: dot: a file name ending in .dot, "
                       "without a directory")


def build(math: LessonMath, step: Graph):
    from tutor.lessons.autograd_graph import build_graph

    where = f"step {step.id!r}"
    expr = math.expr(step.formula, f"{where}: formula")
    retain = [math.expr(source, f"{where}: retain") for source in step.retain]
    try:
        return build_graph(expr, dict(step.at.values), retain=retain, hooks=step.hooks)
    except TutorError as error:
        raise LessonError(f"{where}: {error}", path=math.label, line=step.formula.line) from None


def play(runner, step: Graph) -> str:
    from tutor.lessons.autograd_graph import autograd_tree, export, sympy_tree
    from tutor.lessons.ui import say

    graph = build(runner.math, step)
    runner.text(step.text)
    runner.console.print(Columns([
        Panel(sympy_tree(graph.expression), title="SymPy", expand=False),
        Panel(autograd_tree(graph), title="autograd (grad_fn → next_functions)",
              expand=False)]))
    at = ", ".join(f"{name} = {value:g}" for name, value in step.at.values.items())
    runner.console.print(RichText(say("graph_value_at", runner.lang, at=at,
                                      value=f"{graph.value:.6g}")))
    for name, value in graph.hooked.items():
        runner.console.print(RichText(say("graph_hook", runner.lang, name=name,
                                          value=f"{value:.6g}"), style="magenta"))
    if step.dot:
        for path in export(graph, runner.options.out_dir / step.dot):
            runner.console.print(RichText(f"→ {path}", style="dim"))
    return runner.conclude(step, PASSED)


def formulas(math: LessonMath, step: Graph) -> None:
    build(math, step)


KIND = StepKind("graph", Graph, play, checks={Graph: check}, formulas=formulas)
