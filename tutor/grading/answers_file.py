"""A student's answers file (YAML, JSON or TOML): question id -> answer, with clear problems.

Problems never stop grading: an unreadable file leaves the text questions unanswered, an
unknown id is reported and skipped. The file is read by :mod:`tutor.documents`, bounded in
size and nesting, with no YAML aliases, so that no answers file can stop the class.

>>> read_number("pi/2")
1.5707963267948966
"""

from __future__ import annotations

import numbers
from pathlib import Path

from tutor.documents import did_you_mean, read_file
from tutor.errors import AssignmentError
from tutor.grading.model import Assignment


def read_number(value: object) -> float:
    """A number typed as a number or as text such as ``"pi/2"`` or ``"e^2"`` (safe parser)."""
    from tutor.parsing import parse

    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a number, got {value!r}")
    expr = parse(value)  # a ParseError is a ValueError
    if expr.free_symbols:
        names = ", ".join(sorted(s.name for s in expr.free_symbols))
        raise ValueError(f"{value!r} is not a number (it uses {names})")
    number = complex(expr.evalf())
    if number.imag:
        raise ValueError(f"{value!r} is not a real number")
    return number.real


def read_answers(path: Path | None, assignment: Assignment) -> tuple[dict[str, object], list[str]]:
    """The answers by question id, and the problems found (as ``file:line: message``)."""
    if path is None:
        return {}, []
    try:
        root = read_file(path, AssignmentError)
    except AssignmentError as error:
        return {}, [f"{error} (the answers in this file were not graded)"]
    if root.is_empty:
        return {}, [f"{path}: the answers file is empty"]
    if root.kind != "map":
        return {}, [f"{path}: expected question ids with answers (like 'q1: 2x'), "
                    f"got {root.type_name}"]
    answers, problems = {}, []
    ids = [q.id for q in assignment.questions]
    for key, node in root.entries.items():
        where = f"{path}:{root.key_lines[key]}"
        question = assignment.question(key)
        if question is None:
            problems.append(f"{where}: unknown question '{key}'{did_you_mean(key, ids)}")
        elif question.is_code:
            problems.append(f"{where}: question '{key}' is graded from your Python file "
                            f"(function {question.entry}); this answer is ignored")
        else:
            answers[question.id] = node.plain()
    return answers, problems
