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

#: Every mistake code, in the order they are tried (the first match is reported).
MATRIX_MISTAKES: dict[str, str] = {
    "sign-error": "the derivative, or one term of it, with the opposite sign",
    "factor-2-missing": "the 2 from differentiating a square left out",
    "factor-2-extra": "a factor 2 the derivative does not have",
    "mean-factor-missing": "the 1/n of a mean over the batch left out",
    "mean-factor-extra": "a 1/n the loss does not have",
    "bias-not-summed": "a per-example gradient not summed over the batch",
    "sum-wrong-axis": "a sum or mean over the wrong axis",
    "transpose-missing": "a factor (or the whole answer) that should be transposed",
    "transpose-extra": "a transpose too many",
    "product-order": "the factors of a matrix product in the wrong order",
    "jacobian-diagonal-missing": "the diagonal term of a Jacobian (diag(p) in diag(p) − ppᵀ) "
                                 "left out",
    "jacobian-diagonal-wrong": "right off the diagonal, wrong on it",
}

#: The search stops after this many candidates or this much time (then nothing is named).
MAX_CANDIDATES = 400
_SECONDS = 1.0
_LARGEST_TREE = 200


def _number(value: float) -> Node:
    return Node("number", value=float(value))


def _whole_answer_edits(problem: MatrixProblem, tree: Node) -> Iterator[tuple[str, Node, str]]:
    name = problem.derivative_name
    yield "sign-error", Node("neg", (tree,)), f"The sign is wrong: {name} is minus your answer."
    yield ("factor-2-missing", Node("matmul", (_number(2), tree)),
           f"The factor 2 is missing: {name} is 2 times your answer.")
    yield ("factor-2-extra", Node("div", (tree, _number(2))),
           f"There is a factor 2 too many: {name} is half your answer.")
    for dim in problem.dims:
        count = Node("dim", value=dim)
        yield ("mean-factor-missing", Node("div", (tree, count)),
               f"The factor 1/{dim} is missing: the loss is a mean over the {dim} examples, "
               f"so its gradient is your answer divided by {dim}.")
        yield ("mean-factor-extra", Node("matmul", (count, tree)),
               f"There is a 1/{dim} too many: the loss is a sum, not a mean, so {name} is "
               f"{dim} times your answer.")
    for axis in (0, 1):
        summed = Node("reduce", (tree,), ("sum", axis))
        yield ("bias-not-summed", summed,
               f"Your answer holds one gradient per example; {name} sums them over the batch: "
               f"{render(summed)}.")


def _edits_at(node: Node) -> Iterator[tuple[str, Node, str]]:
    """(code, replacement for ``node``, message) for the one-rule mistakes at ``node``."""
    shown = render(node)
    if node.kind == "reduce" and node.value[1] is not None:
        operation, axis = node.value
        other = 1 if axis == 0 else 0
        fixed = Node("reduce", node.args, (operation, other), node.column)
        yield ("sum-wrong-axis", fixed,
               f"{shown} is over the wrong axis: it should be {render(fixed)}.")
    if node.kind == "T":
        yield ("transpose-extra", node.args[0],
               f"{shown} should not be transposed: write {render(node.args[0])}.")
    elif node.kind not in ("number", "dim"):
        fixed = Node("T", (node,))
        yield ("transpose-missing", fixed, f"{shown} should be transposed: {render(fixed)}.")
    if node.kind == "matmul" and not any(_constant(arg) for arg in node.args):
        swapped = Node("matmul", node.args[::-1], column=node.column)
        yield ("product-order", swapped,
               f"The product {shown} is in the wrong order: it should be {render(swapped)}.")
    if node.kind in ("add", "sub"):
        flipped = Node("sub" if node.kind == "add" else "add", node.args, column=node.column)
        yield ("sign-error", flipped,
               f"The term {render(node.args[1])} has the wrong sign: {render(flipped)}.")


def _constant(node: Node) -> bool:
    return all(part.kind in ("number", "dim", "neg", "div") for part in node.walk())


def _candidates(problem: MatrixProblem, tree: Node) -> Iterator[tuple[str, Node, str]]:
    yield from _whole_answer_edits(problem, tree)
    if sum(1 for _ in tree.editable()) > _LARGEST_TREE:
        return
    for node in tree.editable():
        for code, fixed, message in _edits_at(node):
            for candidate in replace_at(tree, node, fixed):
                if node is tree and code == "transpose-missing":
                    message = (f"Your answer is the transpose of {problem.derivative_name}: "
                               f"{render(candidate)}.")
                yield code, candidate, message


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
    if any(node.kind in ("diag", "eye") for node in tree.editable()):
        return ("jacobian-diagonal-wrong", "The entries off the diagonal are right; those on "
                "the diagonal are not: check the diagonal term.")
    return ("jacobian-diagonal-missing", "The entries off the diagonal are right, but the "
            "diagonal term is missing: the softmax Jacobian is diag(p) − ppᵀ, not −ppᵀ.")


def name_matrix_mistake(problem: MatrixProblem, tree: Node, verdict: Verdict) -> Verdict:
    """``verdict`` with the mistake behind a wrong answer named, when one rule explains it.

    Used as the ``diagnose`` hook of :func:`tutor.matrix.check.check_matrix_derivative`.
    """
    found = _diagonal_mistake(problem, tree)
    deadline = time.perf_counter() + _SECONDS
    if found is None:
        for count, (code, candidate, message) in enumerate(_candidates(problem, tree)):
            if count >= MAX_CANDIDATES or time.perf_counter() > deadline:
                break
            if _right(problem, candidate):
                found = code, message
                break
    if found is None:
        return verdict
    code, message = found
    return replace(verdict, mistake=code, message=f"{verdict.message} {message}")


def check_matrix_derivative(answer: str | Callable | Sequence[str], loss: str,
                            wrt: str | Sequence[str], shapes: Mapping[str, object],
                            given: Mapping[str, str] | None = None, **options) -> Verdict:
    """:func:`tutor.matrix.check.check_matrix_derivative`, naming the mistake behind a wrong
    answer (``verdict.mistake`` is a key of :data:`MATRIX_MISTAKES`)."""
    return matrix_check.check_matrix_derivative(answer, loss, wrt, shapes, given,
                                                diagnose=name_matrix_mistake, **options)
