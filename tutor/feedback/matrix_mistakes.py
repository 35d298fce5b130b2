"""Name the mistake behind a wrong matrix derivative: one-wrong-rule search on the answer.

A matrix loss has no step-by-step derivation to replay, so the search runs the other way
round: every answer one wrong rule away from the learner's is built (a transpose added or
taken away at one place, a product's factors swapped, a sign, a 1/n or a 2, a sum over the
batch, another axis) and checked against autograd at the question's sizes. The first edit that
turns the answer into a right one names the rule that was broken. The softmax Jacobian's
missing diagonal is recognised from the numbers: the off-diagonal entries agree and the
diagonal does not.

>>> shapes = {"X": "n×d", "w": "d", "y": "n"}
>>> verdict = check_matrix_derivative("X^T (X w - y)", "‖X w - y‖²", "w", shapes)
>>> verdict.mistake
'factor-2-missing'
>>> check_matrix_derivative("2 X (X w - y)", "‖X w - y‖²", "w", shapes).mistake
'transpose-missing'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace

import numpy as np

from tutor.check import Verdict
from tutor.errors import TutorError
from tutor.matrix import check as matrix_check
from tutor.matrix.check import MatrixProblem
from tutor.matrix.nodes import Node, render, replace_at
from tutor.messages import text

#: A one-rule edit: the mistake's code, the answer with it undone, and the message that says
#: it (a catalogue key and its fields, rendered only for the edit that is found).
Edit = tuple[str, Node, str, dict]

#: Every mistake code, in the order they are tried (the first match is reported); what each
#: is: :func:`matrix_mistake`.
MATRIX_MISTAKES: tuple[str, ...] = (
    "sign-error", "factor-2-missing", "factor-2-extra", "mean-factor-missing",
    "mean-factor-extra", "bias-not-summed", "sum-wrong-axis", "transpose-missing",
    "transpose-extra", "product-order", "jacobian-diagonal-missing", "jacobian-diagonal-wrong")


def matrix_mistake(code: str) -> str:
    """What the mistake ``code`` is, in the current language.

    >>> matrix_mistake("transpose-extra")
    'a transpose too many'
    """
    return text(f"matrix_mistake:{code}")


#: The search stops after this many candidates or this much time (then nothing is named).
MAX_CANDIDATES = 400
_SECONDS = 1.0
_LARGEST_TREE = 200


def _number(value: float) -> Node:
    return Node("number", value=float(value))


def _whole_answer_edits(problem: MatrixProblem, tree: Node) -> Iterator[Edit]:
    name = problem.derivative_name
    yield "sign-error", Node("neg", (tree,)), "matrix_edit:sign", {"name": name}
    yield ("factor-2-missing", Node("matmul", (_number(2), tree)),
           "matrix_edit:factor-2-missing", {"name": name})
    yield ("factor-2-extra", Node("div", (tree, _number(2))), "matrix_edit:factor-2-extra",
           {"name": name})
    for dim in problem.dims:
        count = Node("dim", value=dim)
        yield ("mean-factor-missing", Node("div", (tree, count)),
               "matrix_edit:mean-factor-missing", {"dim": dim})
        yield ("mean-factor-extra", Node("matmul", (count, tree)),
               "matrix_edit:mean-factor-extra", {"dim": dim, "name": name})
    for axis in (0, 1):
        summed = Node("reduce", (tree,), ("sum", axis))
        yield ("bias-not-summed", summed, "matrix_edit:bias-not-summed",
               {"name": name, "fixed": render(summed)})


def _edits_at(node: Node) -> Iterator[Edit]:
    """(code, replacement for ``node``, message key, its fields) for the one-rule mistakes at
    ``node``."""
    shown = render(node)
    if node.kind == "reduce" and node.value[1] is not None:
        operation, axis = node.value
        other = 1 if axis == 0 else 0
        fixed = Node("reduce", node.args, (operation, other), node.column)
        yield ("sum-wrong-axis", fixed, "matrix_edit:sum-wrong-axis",
               {"shown": shown, "fixed": render(fixed)})
    if node.kind == "T":
        yield ("transpose-extra", node.args[0], "matrix_edit:transpose-extra",
               {"shown": shown, "fixed": render(node.args[0])})
    elif node.kind not in ("number", "dim"):
        fixed = Node("T", (node,))
        yield ("transpose-missing", fixed, "matrix_edit:transpose-missing",
               {"shown": shown, "fixed": render(fixed)})
    if node.kind == "matmul" and not any(_constant(arg) for arg in node.args):
        swapped = Node("matmul", node.args[::-1], column=node.column)
        yield ("product-order", swapped, "matrix_edit:product-order",
               {"shown": shown, "fixed": render(swapped)})
    if node.kind in ("add", "sub"):
        flipped = Node("sub" if node.kind == "add" else "add", node.args, column=node.column)
        yield ("sign-error", flipped, "matrix_edit:term-sign",
               {"shown": render(node.args[1]), "fixed": render(flipped)})


def _constant(node: Node) -> bool:
    return all(part.kind in ("number", "dim", "neg", "div") for part in node.walk())


def _candidates(problem: MatrixProblem, tree: Node) -> Iterator[Edit]:
    yield from _whole_answer_edits(problem, tree)
    if sum(1 for _ in tree.editable()) > _LARGEST_TREE:
        return
    for node in tree.editable():
        for code, fixed, key, fields in _edits_at(node):
            for candidate in replace_at(tree, node, fixed):
                if node is tree and code == "transpose-missing":
                    key, fields = "matrix_edit:transpose-whole", {
                        "name": problem.derivative_name, "fixed": render(candidate)}
                yield code, candidate, key, fields


def _right(problem: MatrixProblem, candidate: Node) -> bool:
    try:
        _, results = problem.evaluate(candidate)
    except TutorError:  # shapes that do not fit, values too big: not this mistake
        return False
    return problem.agrees(results)


def _diagonal_mistake(problem: MatrixProblem, tree: Node) -> tuple[str, str] | None:
    """Right off the diagonal, wrong on it: the diagonal term of a Jacobian."""
    shape = problem.derivative_shape
    if len(shape) != 2 or shape[0] != shape[1]:
        return None
    try:
        _, results = problem.evaluate(tree)
    except TutorError:
        return None
    if not results:
        return None
    off_right, diagonal_wrong = True, False
    for expected, given in zip(problem.expected, results, strict=True):
        ratios = matrix_check.entry_ratios(expected, given)
        diagonal = np.eye(expected.shape[1], dtype=bool)
        off_right &= bool(np.all(ratios[:, ~diagonal] <= 1.0))
        diagonal_wrong |= bool(np.any(ratios[:, diagonal] > 1.0))
    if not (off_right and diagonal_wrong):
        return None
    code = "jacobian-diagonal-wrong" if any(node.kind in ("diag", "eye")
                                            for node in tree.editable()) \
        else "jacobian-diagonal-missing"
    return code, text(f"matrix_edit:{code}")


def name_matrix_mistake(problem: MatrixProblem, tree: Node, verdict: Verdict) -> Verdict:
    """``verdict`` with the mistake behind a wrong answer named, when one rule explains it.

    Used as the ``diagnose`` hook of :func:`tutor.matrix.check.check_matrix_derivative`.
    """
    found = _diagonal_mistake(problem, tree)
    deadline = time.perf_counter() + _SECONDS
    if found is None:
        for count, (code, candidate, key, fields) in enumerate(_candidates(problem, tree)):
            if count >= MAX_CANDIDATES or time.perf_counter() > deadline:
                break
            if _right(problem, candidate):
                found = code, text(key, **fields)
                break
    if found is None:
        return verdict
    code, message = found
    return replace(verdict, mistake=code,
                   message=text("mistake_after_verdict", verdict=verdict.message, mistake=message))


def check_matrix_derivative(answer: str | Callable | Sequence[str], loss: str,
                            wrt: str | Sequence[str], shapes: Mapping[str, object],
                            given: Mapping[str, str] | None = None, **options) -> Verdict:
    """:func:`tutor.matrix.check.check_matrix_derivative`, naming the mistake behind a wrong
    answer (``verdict.mistake`` is one of :data:`MATRIX_MISTAKES`)."""
    return matrix_check.check_matrix_derivative(answer, loss, wrt, shapes, given,
                                                diagnose=name_matrix_mistake, **options)
