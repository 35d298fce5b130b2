"""Is this matrix derivative right? The scalar checker's idea one level up.

The loss is a formula over declared matrices and vectors; it is lowered to PyTorch and
differentiated by autograd. The answer (a formula, or a function of NumPy arrays) is evaluated
at the same seeded random values, at several sizes of the named dimensions (all different,
so that a missing transpose shows), one vectorised call per size, and compared entry by entry
with a tolerance from float64.

>>> shapes = {"X": "n×d", "w": "d", "y": "n"}
>>> check_matrix_derivative("2 X^T (X w - y)", "‖X w - y‖²", "w", shapes).correct
True
>>> print(check_matrix_derivative("2 X (X w - y)", "‖X w - y‖²", "w", shapes).message)
Your answer's shapes do not fit: X(Xw − y) needs d = n (X is an n×d matrix, Xw − y is an n-vector) at column 5; Xᵀ(Xw − y) is a d-vector.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from tutor.check import Verdict
from tutor.errors import ParseError, TutorError
from tutor.matrix.evaluate import (
    check_sizes,
    check_work,
    choose_sizes,
    lower,
    sample,
    structures,
    tensor,
)
from tutor.matrix.nodes import Node, render
from tutor.matrix.parsing import RESERVED, parse
from tutor.matrix.shapes import Shape, ShapeChecker, ShapeError, declare, describe, normalize
from tutor.messages import text
from tutor.numeric import answer_ratio, format_point

#: Random draws per size, and how many sizes are tried.
DRAWS = 4
SIZES = 3
MAX_DRAWS = 16
_LISTED = 6  # differing entries named in a message


def _sizes_text(sizes: Mapping[str, int]) -> str:
    return format_point(sizes) if sizes else text("matrix_declared_sizes")


@dataclass(frozen=True)
class MatrixProblem:
    """A loss (or vector function), the variable it is differentiated by, the declared shapes,
    structure and definitions, and autograd's derivative at seeded values for every size
    tried (draws where the loss is undefined left out)."""

    loss: Node
    wrt: str
    declared: Mapping[str, Shape]
    defined: Mapping[str, Node]
    kinds: Mapping[str, str]
    sizes: tuple[dict[str, int], ...]
    values: tuple[dict[str, np.ndarray], ...]
    expected: tuple[np.ndarray, ...]
    derivative_shape: Shape
    jacobian: bool = False

    @property
    def dims(self) -> list[str]:
        return list(self.sizes[0])

    @property
    def derivative_name(self) -> str:
        return f"∂f/∂{self.wrt}" if self.jacobian else f"∂L/∂{self.wrt}"

    def read(self, text: str) -> Node:
        """A learner's formula as a tree (no shape check yet)."""
        return parse(text, self.declared, self.dims, self.defined)

    def fits(self, shape: Shape) -> bool:
        """Does an answer of ``shape`` have the derivative's shape (a row for a vector too)?"""
        wanted = self.derivative_shape
        return shape == wanted or (len(wanted) == 1 and shape == (1, wanted[0])) or (
            len(shape) == 1 and wanted == (1, shape[0]))

    def evaluate(self, tree: Node) -> tuple[Shape, list[np.ndarray]]:
        """The shape of ``tree`` and, when it fits, its values at every size laid out as the
        derivative. Raises ShapeError when its shapes do not fit together."""
        checker = ShapeChecker(self.declared)
        shape = checker.shape(tree)
        if not self.fits(shape):
            return shape, []
        for sizes in self.sizes:
            check_work(tree, checker, sizes, text("matrix_your_answer"))
        program = lower(tree, checker)
        import torch

        results = []
        with torch.no_grad():
            for sizes, values, expected in zip(self.sizes, self.values, self.expected,
                                               strict=True):
                env = {name: tensor(value) for name, value in values.items()}
                result = program(env, sizes).numpy()
                result = result.reshape(result.shape[0], *expected.shape[1:])
                results.append(np.broadcast_to(result, expected.shape))
        return shape, results

    def agrees(self, results: Sequence[np.ndarray]) -> bool:
        return bool(results) and all(
            np.all(entry_ratios(expected, given) <= 1.0)
            for expected, given in zip(self.expected, results, strict=True))


def entry_ratios(expected: np.ndarray, given: np.ndarray) -> np.ndarray:
    """Each entry's error over the allowed error (above 1 is wrong, NaN counts as wrong)."""
    ratios = answer_ratio(expected.ravel(), given.ravel()).reshape(expected.shape)
    return np.where(np.isnan(ratios), np.inf, ratios)


def _definitions(define: Mapping[str, str] | None, declared: Mapping[str, Shape],
                 dims: Sequence[str]) -> dict[str, Node]:
    """Names for formulas (``{"p": "softmax(z)"}``), each read with the names before it."""
    defined: dict[str, Node] = {}
    for name, formula in (define or {}).items():
        if not isinstance(name, str) or not name.isidentifier() or name in declared or \
                name in dims or name in RESERVED:
            raise TutorError(text("question_define_name", name=name))
        try:
            tree = parse(formula, declared, dims, defined)
            ShapeChecker(declared).shape(tree)
        except ParseError as error:
            raise type(error)(text("question_definition", name=name, formula=formula,
                                   error=error)) from None
        defined[name] = tree
    return defined


def _derivative(loss, wrt_value, draws: int):
    """autograd's gradient (draws, rows, columns) of a scalar loss, or Jacobian of a vector
    function (draws, outputs, inputs), in one backward call."""
    import torch

    if loss.shape[1:] == (1, 1):
        return torch.autograd.grad(loss.sum(), wrt_value)[0]
    outputs = loss.shape[1]
    seeds = torch.eye(outputs, dtype=loss.dtype).reshape(outputs, 1, outputs, 1).expand(
        outputs, draws, outputs, 1)
    (rows,) = torch.autograd.grad(loss, wrt_value, grad_outputs=seeds, is_grads_batched=True)
    return rows.reshape(outputs, draws, -1).permute(1, 0, 2)


def prepare(loss: str, wrt: str, shapes: Mapping[str, object],
            given: Mapping[str, str] | None = None, *, define: Mapping[str, str] | None = None,
            sizes: object = None, seed: int = 0, draws: int = DRAWS) -> MatrixProblem:
    """Read the question and compute autograd's derivative at every size: the part of a
    check that does not depend on the answer (grading many answers can share it).

    A scalar ``loss`` has a gradient shaped like ``wrt``; a vector function of a vector (or
    scalar) ``wrt`` has a Jacobian, one row per output: J[i, j] = ∂f_i/∂wrt_j.
    """
    declared = declare(shapes)
    if wrt not in declared:
        raise TutorError(text("question_wrt_undeclared", wrt=wrt, declared=", ".join(declared)))
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise TutorError(text("question_draws", most=MAX_DRAWS, draws=draws))
    kinds = structures(given, declared)
    dims = list(dict.fromkeys(dim for shape in declared.values() for dim in shape
                              if isinstance(dim, str)))  # in the order they are declared
    assignments = choose_sizes(dims, declared, SIZES, seed) if sizes is None else \
        check_sizes(sizes, dims, declared)
    defined = _definitions(define, declared, dims)
    if not isinstance(loss, str):
        raise TutorError(text("question_loss_text", kind=type(loss).__name__))
    try:
        tree = parse(loss, declared, dims, defined)
        checker = ShapeChecker(declared)
        shape = checker.shape(tree)
    except ParseError as error:
        raise type(error)(text("question_loss", loss=loss, error=error)) from None
    wrt_shape = declared[wrt]
    if shape and (len(shape) != 1 or len(wrt_shape) > 1):
        raise ShapeError(text("question_loss_scalar", expr=render(tree), shape=describe(shape)))
    if wrt not in tree.names():
        raise TutorError(text("question_loss_independent", expr=render(tree), wrt=wrt))
    for assignment in assignments:
        check_work(tree, checker, assignment, text("matrix_the_loss"))
    program = lower(tree, checker)

    kept_values, derivatives = [], []
    for index, assignment in enumerate(assignments):
        values = sample(declared, kinds, assignment, draws, seed + index)
        env = {name: tensor(value).requires_grad_(name == wrt) for name, value in values.items()}
        value = program(env, assignment)
        derivative = _derivative(value, env[wrt], draws).numpy()
        finite = np.isfinite(value.detach().numpy()).reshape(draws, -1).all(axis=1) & \
            np.isfinite(derivative).reshape(draws, -1).all(axis=1)
        if not finite.any():
            raise TutorError(text("question_loss_undefined", expr=render(tree),
                                  sizes=_sizes_text(assignment)))
        kept_values.append({name: value[finite] for name, value in values.items()})
        derivatives.append(derivative[finite])
    derivative_shape = wrt_shape if not shape else normalize((shape[0], *wrt_shape))
    return MatrixProblem(tree, wrt, declared, defined, kinds, tuple(assignments),
                         tuple(kept_values), tuple(derivatives), derivative_shape,
                         jacobian=bool(shape))


def read_assignments(written: str, what: str) -> dict[str, str]:
    """``"X=n×d, P=softmax(X W, axis=1)"`` as a mapping, split at commas outside brackets
    (for the command line; nothing is evaluated).

    >>> read_assignments("X=n×d, w=(d), P=sum(X, axis=0)", "--shapes")
    {'X': 'n×d', 'w': '(d)', 'P': 'sum(X, axis=0)'}
    """
    parts, depth, start = [], 0, 0
    for index, char in enumerate(written + ","):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(written[start:index])
            start = index + 1
    result = {}
    for part in parts:
        name, equals, value = part.partition("=")
        if not equals or not name.strip() or not value.strip():
            raise TutorError(text("question_assignment", what=what, part=part.strip()))
        result[name.strip()] = value.strip()
    return result


# ---------------------------------------------------------------- verdicts

#: Names the mistake behind a wrong answer: (problem, the answer's tree, verdict) in, the
#: verdict (with ``mistake`` and a longer message when one is found) out. The feedback layer
#: (:mod:`tutor.feedback.matrix_mistakes`) supplies one; the core never imports it.
MatrixDiagnoser = Callable[[MatrixProblem, Node, Verdict], Verdict]


def _index(problem: MatrixProblem, row: int, column: int) -> str:
    """Where an entry of the derivative is: '[2]' or '[1, 0]' ('' for a scalar)."""
    shape = problem.derivative_shape
    if not shape:
        return ""
    if len(shape) == 1 or shape[0] == 1:
        return f"[{row if len(shape) == 1 else column}]"
    return f"[{row}, {column}]"


def _entry(problem: MatrixProblem, row: int, column: int) -> str:
    index = _index(problem, row, column)
    return text("matrix_entry", index=index) if index else text("matrix_the_value")


def judge(problem: MatrixProblem, results: Sequence[np.ndarray]) -> Verdict:
    """The verdict on an answer's values (one array per size, laid out as the gradient)."""
    name = problem.derivative_name
    ratios = [entry_ratios(expected, given) for expected, given in zip(problem.expected, results,
                                                                  strict=True)]
    wrong = [index for index, ratio in enumerate(ratios) if np.any(ratio > 1.0)]
    tried = "; ".join(_sizes_text(sizes) for sizes in problem.sizes)
    draws = sum(len(expected) for expected in problem.expected)
    if not wrong:
        count = len(problem.sizes)
        at = text("matrix_at_sizes", count=count, plural="s" * (count > 1), tried=tried,
                  draws=draws) if problem.dims else text("matrix_at_draws", draws=draws)
        return Verdict(True, text("matrix_correct", name=name, at=at))
    index = max(wrong, key=lambda i: float(ratios[i].max()))
    ratio, expected, given = ratios[index], problem.expected[index], results[index]
    draw, row, column = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    differing = int((ratio[draw] > 1.0).sum())
    entries = ratio[draw].size
    where = _entry(problem, int(row), int(column))
    got, want = float(given[draw, row, column]), float(expected[draw, row, column])
    shown = text("matrix_undefined") if not np.isfinite(got) else text("matrix_gives", value=got)
    sizes = problem.sizes[index]
    count = text("matrix_count", differing=differing, entries=entries)
    if differing < entries:  # name them: a pattern (one row, the diagonal) is a clue
        listed = [_index(problem, int(r), int(c))
                  for r, c in np.argwhere(ratio[draw] > 1.0)[:_LISTED]]
        count = text("matrix_listed", count=count,
                     listed=", ".join(listed) + (", …" if differing > _LISTED else ""))
    at = text("matrix_with_sizes", sizes=_sizes_text(sizes)) if sizes else ""
    if entries == 1:
        message = text("matrix_wrong_value", at=at, shown=shown, name=name, want=want)
    else:
        message = text("matrix_wrong_entries", at=at, count=count, name=name, where=where,
                       shown=shown, want=want)
    if len(wrong) < len(problem.sizes):
        message += text("matrix_matches_some", matching=len(problem.sizes) - len(wrong),
                        sizes=len(problem.sizes))
    return Verdict(False, message, counterexample={
        "sizes": dict(sizes), "draw": int(draw), "entry": where, "expected": want,
        "given": got if np.isfinite(got) else None, "differing": differing, "entries": entries})


def _shape_verdict(problem: MatrixProblem, answer: str, shape: Shape) -> Verdict:
    return Verdict(False, text("matrix_wrong_shape", answer=answer, shape=describe(shape),
                               name=problem.derivative_name, wrt=problem.wrt,
                               wanted=describe(problem.derivative_shape)))


def _function_results(problem: MatrixProblem, function: Callable, part: int | None = None,
                      parts: int = 1) -> list[np.ndarray] | str:
    """A Python function's values, called once per draw with NumPy arrays (vectors 1-D), or
    the sentence saying why it could not be used; with ``part``, item ``part`` of the
    ``parts`` arrays it returns. It runs in this process: use it for trusted code."""
    try:
        parameters = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return text("matrix_function_unreadable")
    unknown = [p for p in parameters if p not in problem.declared and p not in problem.dims]
    if unknown:
        return text("matrix_function_undeclared", unknown=", ".join(unknown),
                    declared=", ".join([*problem.declared, *problem.dims]))
    results = []
    for sizes, values, expected in zip(problem.sizes, problem.values, problem.expected,
                                       strict=True):
        per_draw = []
        for draw in range(len(expected)):
            arguments = {p: sizes[p] if p in sizes else _numpy_layout(
                values[p][draw], problem.declared[p]) for p in parameters}
            try:
                output = function(**arguments)
                if part is not None:
                    count = len(output) if isinstance(output, (tuple, list)) else 1
                    if count != parts:
                        return text("matrix_function_parts", parts=parts, count=count)
                    output = output[part]
                result = np.asarray(output, dtype=np.float64)
            except Exception as error:  # noqa: BLE001  (the learner's code: any failure)
                return text("matrix_function_raised", kind=type(error).__name__, error=error)
            if result.size != expected[draw].size:
                return text("matrix_function_shape", sizes=_sizes_text(sizes),
                            shape=result.shape, name=problem.derivative_name, wanted=tuple(
                                sizes.get(dim, dim) for dim in problem.derivative_shape))
            per_draw.append(result.reshape(expected[draw].shape))
        results.append(np.stack(per_draw))
    return results


def _numpy_layout(value: np.ndarray, shape: Shape) -> np.ndarray | float:
    if not shape:
        return float(value[0, 0])
    return value[:, 0].copy() if len(shape) == 1 else value.copy()


def check_matrix_derivative(answer: str | Callable | Sequence[str], loss: str,
                            wrt: str | Sequence[str], shapes: Mapping[str, object],
                            given: Mapping[str, str] | None = None, *,
                            define: Mapping[str, str] | None = None, sizes: object = None,
                            seed: int = 0, draws: int = DRAWS,
                            diagnose: MatrixDiagnoser | None = None) -> Verdict:
    """Is ``answer`` the derivative of the scalar ``loss`` with respect to ``wrt``?

    ``shapes`` declares every variable ("n×d", "d", "" for a scalar); ``given`` declares
    structure that sampling respects ({"Y": "one-hot"}, probabilities, symmetric,
    positive-definite, mask, positive); ``define`` names formulas the loss and the answer may
    use ({"P": "softmax(X W)"}). ``sizes`` fixes the dimensions (a mapping or a list of
    them) instead of seeded small sizes. ``answer`` is a formula, or a Python function whose
    parameters are declared names (NumPy arrays, vectors 1-D). A learner's formula that cannot
    be read gives a wrong verdict saying why; ``diagnose`` names the mistake behind a wrong
    one (:func:`tutor.feedback.matrix_mistakes.check_matrix_derivative` passes it).
    With several ``wrt``, ``answer`` is a list of formulas or a function returning one array
    per variable; each gets its own verdict in ``parts`` (``score`` is partial credit).

    >>> check_matrix_derivative("X.T @ (softmax(X W) - Y) / n", "-sum(Y ⊙ log_softmax(X W)) / n",
    ...                         "W", {"X": "n×d", "W": "d×k", "Y": "n×k"},
    ...                         given={"Y": "one-hot"}).correct
    True
    """
    names = [wrt] if isinstance(wrt, str) else list(wrt) if isinstance(wrt, Sequence) else []
    if not names or not all(isinstance(name, str) for name in names):
        raise TutorError(text("question_wrt", wrt=wrt))
    problems = [prepare(loss, name, shapes, given, define=define, sizes=sizes, seed=seed,
                        draws=draws) for name in names]
    return check_prepared(problems, answer, diagnose)


def check_prepared(problems: Sequence[MatrixProblem], answer: str | Callable | Sequence[str],
                   diagnose: MatrixDiagnoser | None = None) -> Verdict:
    """:func:`check_matrix_derivative` on questions already prepared (one per variable, as
    :func:`prepare` makes them): checking many answers to one question shares the autograd
    work (``tutor watch`` re-checks a file on every save)."""
    if len(problems) == 1:
        return _check_one(problems[0], answer, diagnose)
    wanted = ", ".join(problem.derivative_name for problem in problems)
    if callable(answer):
        parts = [_check_one(problem, answer, diagnose, index, len(problems))
                 for index, problem in enumerate(problems)]
    elif isinstance(answer, (list, tuple)) and len(answer) == len(problems):
        parts = [_check_one(problem, part, diagnose) for problem, part in zip(
            problems, answer, strict=True)]
    else:
        count = len(answer) if isinstance(answer, (list, tuple)) else 1
        return Verdict(False, text("matrix_answers_count", n=len(problems), wanted=wanted,
                                   count=count))
    first_wrong = next((part for part in parts if not part.correct), None)
    return Verdict(
        first_wrong is None,
        "\n".join(text("matrix_part", name=problem.derivative_name, message=part.message)
                  for problem, part in zip(problems, parts, strict=True)),
        counterexample=first_wrong.counterexample if first_wrong else None,
        mistake=next((part.mistake for part in parts if part.mistake), None), parts=tuple(parts))


def _check_one(problem: MatrixProblem, answer: str | Callable, diagnose: MatrixDiagnoser | None,
               part: int | None = None, parts: int = 1) -> Verdict:
    if callable(answer):
        results = _function_results(problem, answer, part, parts)
        return Verdict(False, results) if isinstance(results, str) else judge(problem, results)
    try:
        tree = problem.read(answer)
    except ParseError as error:
        return Verdict(False, text("verdict_unreadable", error=error), unreadable=True)
    try:
        shape, results = problem.evaluate(tree)
    except ShapeError as error:
        verdict = Verdict(False, text("matrix_shapes_do_not_fit", error=error))
    except TutorError as error:  # too much work at the question's sizes
        return Verdict(False, text("matrix_cannot_check", error=error))
    else:
        verdict = judge(problem, results) if results else \
            _shape_verdict(problem, render(tree), shape)
    if diagnose is not None and not verdict.correct:
        verdict = diagnose(problem, tree, verdict)
    return verdict
