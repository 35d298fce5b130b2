"""A student's answers file (YAML, JSON or TOML): question id -> answer, with clear problems.

Problems never stop grading: an unreadable file leaves the text questions unanswered, an
unknown id is reported and skipped. The file is read by :mod:`tutor.documents`, bounded in
size and nesting, with no YAML aliases, so that no answers file can stop the class. Numbers
in answers are read by :func:`tutor.parsing.parse_number`.
"""

from __future__ import annotations

from pathlib import Path

from tutor.documents import did_you_mean, read_file
from tutor.errors import AssignmentError
from tutor.grading.model import Assignment


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
