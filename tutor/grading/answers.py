"""A student's answers file (YAML, JSON or TOML): question id -> answer, with clear problems.

Problems never stop grading: an unreadable file leaves the text questions unanswered, an
unknown id is reported and skipped. Numbers in answers are read by
:func:`tutor.parsing.parse_number`.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from tutor.errors import AssignmentError
from tutor.grading.documents import read_document
from tutor.grading.model import Assignment

MAX_ANSWERS_BYTES = 1_000_000


def read_answers(path: Path | None, assignment: Assignment) -> tuple[dict[str, object], list[str]]:
    """The answers by question id, and the problems found (as ``file:line: message``)."""
    if path is None:
        return {}, []
    if path.stat().st_size > MAX_ANSWERS_BYTES:
        return {}, [f"{path}: the answers file is larger than {MAX_ANSWERS_BYTES} bytes; not read"]
    try:
        data, lines = read_document(path)
    except AssignmentError as error:
        return {}, [f"{error} (the answers in this file were not graded)"]
    if data is None:
        return {}, [f"{path}: the answers file is empty"]
    if not isinstance(data, dict):
        return {}, [f"{path}: expected question ids with answers (like 'q1: 2x'), "
                    f"got {type(data).__name__}"]
    answers, problems = {}, []
    ids = [q.id for q in assignment.questions]
    for key, value in data.items():
        where = f"{path}:{lines.get((key,), 1)}"
        question = assignment.question(str(key))
        if question is None:
            close = difflib.get_close_matches(str(key), ids, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"the questions are {', '.join(ids)}"
            problems.append(f"{where}: unknown question '{key}'; {hint}")
        elif question.is_code:
            problems.append(f"{where}: question '{key}' is graded from your Python file "
                            f"(function {question.entry}); this answer is ignored")
        else:
            answers[question.id] = value
    return answers, problems
