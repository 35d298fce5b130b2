"""Check an assignment before students see it: valid file, checkable questions, and reference
solutions that earn full marks (code solutions run in the same sandbox as students' code).

>>> [str(p) for p in lint_assignment("examples/assignment.yaml")]  # doctest: +SKIP
[]
"""

from __future__ import annotations

import math
from pathlib import Path

from tutor.errors import AssignmentError, TutorError
from tutor.grading.model import Assignment, Question


def looks_like_assignment(path: str | Path) -> bool:
    """True for a YAML/TOML/JSON file whose top level has ``questions`` (lessons do not)."""
    from tutor.documents import SUFFIXES, read_file

    if Path(path).suffix.lower() not in SUFFIXES:
        return False
    try:
        return read_file(path, AssignmentError).get("questions") is not None
    except AssignmentError:
        return False


def assignment_linter(path: str | Path) -> list[AssignmentError] | None:
    """For ``tutor lint``: the problems of an assignment file, None for any other file."""
    return lint_assignment(path) if looks_like_assignment(path) else None


def lint_assignment(path: str | Path) -> list[AssignmentError]:
    """Every problem found, each naming file:line and the question; empty when all is well."""
    from tutor.grading.grader import _Sandboxes
    from tutor.grading.loader import load_assignment

    try:
        assignment = load_assignment(path)
    except AssignmentError as error:
        return [error]
    problems = []
    sandboxes = _Sandboxes(assignment)
    try:
        for question in assignment.questions:
            try:
                problem = _problem(question, assignment, sandboxes)
            except TutorError as error:
                problem = str(error)
            if problem:
                problems.append(AssignmentError(f"question '{question.id}': {problem}",
                                                path=assignment.path, line=question.line))
    finally:
        sandboxes.close()
    return problems


def _problem(question: Question, assignment: Assignment, sandboxes) -> str | None:
    from tutor.grading.questions import expected_values, grade_text

    if question.type == "derivative":
        from tutor.symbolic import derive

        reference = derive(question.function, list(question.wrt))
        answer = question.solution or [str(part) for part in reference]
        result = grade_text(question, answer, seed=assignment.seed)
        what = "the solution" if question.solution else "the derivative itself"
        return None if result.status == "correct" else f"{what} does not get full marks: {result.feedback}"
    if question.type == "matrix-derivative":
        if not question.solution:
            return "a matrix-derivative question needs a 'solution' (the reference answer)"
        result = grade_text(question, _solution_parts(question), seed=assignment.seed)
        return None if result.status == "correct" else \
            f"the solution does not get full marks: {result.feedback}"
    if question.type == "value":
        values = expected_values(question)
        if not all(math.isfinite(v) for v in values):
            return f"the expected value is not a finite number ({', '.join(map(str, values))})"
        if question.answer and question.at:
            computed = expected_values(Question(**{**question.__dict__, "answer": ()}))
            if any(abs(a - c) > question.tolerance + question.rel_tolerance * abs(c)
                   for a, c in zip(question.answer, computed, strict=True)):
                return f"'answer' {list(question.answer)} disagrees with the function at the point " \
                       f"({', '.join(f'{c:.10g}' for c in computed)})"
        if question.solution:
            result = grade_text(question, _solution_value(question.solution), seed=assignment.seed)
            if result.status != "correct":
                return f"the solution does not get full marks: {result.feedback}"
        return None
    return _code_problem(question, assignment, sandboxes)


def _solution_value(text: str):
    """A value solution as written: "0.25", "1/4" or a list like "[-14, -22]"."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        return [part.strip() for part in text[1:-1].split(",")]
    return text


def _solution_parts(question: Question) -> str | list[str]:
    """A matrix solution: one formula, or one per variable separated by ';'."""
    parts = [part.strip() for part in question.solution.split(";")]
    return parts if len(question.wrt) > 1 else parts[0]


def _code_problem(question: Question, assignment: Assignment, sandboxes) -> str | None:
    import numpy as np

    from tutor.gradcheck import check_gradient
    from tutor.grading.questions import StudentCode, grade_code, reference_path

    if question.type == "descent":
        if not np.all(np.isfinite(reference_path(question))):
            return "the reference descent diverges (is lr too large?)"
    else:
        report = check_gradient(question.function, list(question.wrt), points=question.samples,
                                seed=assignment.seed, variables=list(question.variables))
        if not report.ok:
            return f"the reference function cannot be checked: {report.message}"
    if not question.solution:
        return None
    code = StudentCode(sandboxes, {"solution.py": question.solution.encode()}, "solution")
    try:
        result = grade_code(question, code, seed=assignment.seed, timeout=assignment.sandbox.timeout)
    finally:
        code.close()
    if result.status != "correct":
        return (f"the reference solution gets {result.score:g}/{result.max_score:g}: "
                f"{result.feedback}")
    return None
