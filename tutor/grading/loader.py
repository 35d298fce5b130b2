"""Read and validate an assignment file (YAML, TOML or JSON); every error names file:line.

The schema is the model (:class:`~tutor.grading.model.Assignment`, ``Question``,
``SandboxSettings``): :mod:`tutor.documents` reads their fields by name, type and default,
and a question's ``types`` metadata says which question types take a field. This module adds
the readers for what an assignment writes its own way (names, points, numbers as text such
as ``pi/4``) and the checks that span fields (the function uses only its variables, ...).

>>> a = load_assignment("examples/assignment.yaml")
>>> a.title, len(a.questions), a.max_score
('Week 3: derivatives by hand and by autograd', 9, 23.0)
"""

from __future__ import annotations

import dataclasses
import hashlib
import keyword
import re
from pathlib import Path

from tutor.documents import Node, Reader, did_you_mean, read_file
from tutor.errors import AssignmentError, ParseError, TutorError
from tutor.grading.model import (
    QUESTION_TYPES,
    TOLERANCES,
    Assignment,
    Question,
    SandboxSettings,
)

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def load_assignment(path: str | Path) -> Assignment:
    """The validated assignment in ``path``; AssignmentError (path, line) if anything is off."""
    path = Path(path)
    root = read_file(path, AssignmentError)
    reader = AssignmentReader(str(path))
    given = {"path": str(path), "fingerprint": hashlib.sha256(path.read_bytes()).hexdigest()[:16]}
    if root.get("id") is None:
        given["id"] = path.stem
    return reader.read(Assignment, root, "", given=given)


def question_keys(kind: str) -> dict[str, bool]:
    """The fields a question of type ``kind`` may have, each with whether it must."""
    keys = {}
    for field in dataclasses.fields(Question):
        meta = field.metadata
        if field.name != "line" and kind in meta.get("types", QUESTION_TYPES):
            keys[field.name] = field.name in ("id", "type") or kind in meta.get("required_for", ())
    return keys


class AssignmentReader(Reader):
    """Reads an assignment's node tree, raising AssignmentError at the first problem."""

    def __init__(self, path: str):
        super().__init__(path, AssignmentError, collect=False)
        self.checks.update({Question: _check_question, SandboxSettings: _check_sandbox})

    def number(self, node: Node, where: str, positive: bool = False,
               minimum: float | None = None) -> float | None:
        """A number; text such as "pi/4" is read too."""
        from tutor.parsing import parse_number

        if node.kind == "scalar" and isinstance(node.value, str):
            try:
                node = dataclasses.replace(node, value=parse_number(node.value))
            except ParseError:
                pass
        return super().number(node, where, positive, minimum)

    def share(self, node: Node, where: str) -> float | None:
        """A share of a score: a number from 0 to 1, or a percentage such as "10%"."""
        text = node.value if node.kind == "scalar" else None
        percent = isinstance(text, str) and text.strip().endswith("%")
        if percent:
            node = dataclasses.replace(node, value=text.strip()[:-1])
        value = self.number(node, where, minimum=0)
        if value is not None and percent:
            value /= 100
        if value is not None and value > 1:
            self.problem(node.line, f"{where}: a share of the score is at most 1 (or 100%)")
            return None
        return value

    def numbers(self, node: Node, where: str) -> tuple[float, ...]:
        """A number or a list of them (each may be text such as "pi/4")."""
        from tutor.parsing import parse_number

        try:
            return tuple(parse_number(item.plain()) for item in self.items(node, where))
        except ParseError as error:
            self.problem(node.line, f"{where}: {error}")

    def identifier(self, node: Node, where: str) -> str | None:
        text = self.string(node, where)
        if not _ID.match(text):
            self.problem(node.line, f"{where}: {text!r} is not a valid id "
                         "(letters, digits, '_', '.', '-')")
        return text

    def question_type(self, node: Node, where: str) -> str:
        kind = self.string(node, where)
        if kind not in QUESTION_TYPES:
            self.problem(node.line, f"{where}: unknown type {kind!r}"
                         f"{did_you_mean(kind, QUESTION_TYPES)}")
        return kind

    def entry(self, node: Node, where: str) -> str:
        entry = self.string(node, where)
        if not entry.isidentifier() or keyword.iskeyword(entry):
            self.problem(node.line, f"{where}: {entry!r} is not a Python function name")
        return entry

    def names(self, node: Node, where: str) -> tuple[str, ...]:
        """Variable names: a list, or one string "x, y"."""
        from tutor.parsing import symbol

        value = node.plain()
        items = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.problem(node.line, f"{where}: expected variable names (a list or 'x, y'), "
                         f"got {node.type_name}")
        for item in items:
            try:
                symbol(item)
            except ParseError as error:
                self.problem(node.line, f"{where}: {error}")
        if len(set(items)) != len(items):
            self.problem(node.line, f"{where}: a variable is listed twice")
        return tuple(items)

    def point(self, node: Node, where: str) -> tuple[tuple[str, float], ...]:
        from tutor.parsing import parse_point

        try:
            return tuple(sorted(parse_point(node.plain()).items()))
        except ParseError as error:
            self.problem(node.line, f"{where}: cannot read the point: {error}")

    def questions(self, node: Node, where: str) -> tuple[Question, ...]:
        if node.kind != "list" or not node.items:
            self.problem(node.line, "'questions' must be a non-empty list of questions")
        questions, seen = [], set()
        for item in node.items:
            question = self.question(item)
            if question.id in seen:
                self.problem(item.get("id").line, f"question id {question.id!r} is used twice")
            seen.add(question.id)
            questions.append(question)
        return tuple(questions)

    def question(self, node: Node) -> Question:
        if node.kind != "map":
            self.problem(node.line, f"question: expected a mapping of fields, got {node.type_name}")
        if node.get("id") is None:
            self.problem(node.line, "question: missing field 'id'")
        qid = self.identifier(node.get("id"), "id")
        where = f"question '{qid}'"
        type_node = node.get("type")
        if type_node is None:
            self.problem(node.line, f"{where}: missing field 'type'")
        kind = self.question_type(type_node, f"{where}: type")
        return self.read(Question, node, where, given={"id": qid, "type": kind},
                         keys=question_keys(kind))


def _check_question(reader: AssignmentReader, node: Node, where: str, values: dict) -> None:
    """What spans fields: names the function uses, the point, the start, default tolerances."""
    from tutor.parsing import parse

    kind, variables = values["type"], values.get("variables", ())
    if kind == "matrix-derivative":
        _check_matrix_question(reader, node, where, values)
        return

    def fail(key: str, message: str) -> None:
        found = node.get(key)
        reader.problem(found.line if found is not None else node.line, f"{where}: {message}")

    if "function" in values:
        try:
            expr = parse(values["function"], variables or None)
        except ParseError as error:
            fail("function", f"cannot read the function {values['function']!r}: {error}")
        free = {s.name for s in expr.free_symbols}
        if variables and free - set(variables):
            fail("function", f"the function uses {', '.join(sorted(free - set(variables)))}, "
                 "which 'variables' does not list")
        if not variables and kind in ("derivative", "value"):
            values["variables"] = variables = tuple(sorted(free))
    if "wrt" in values:
        unknown = set(values["wrt"]) - set(variables)
        if unknown:
            fail("wrt", f"wrt names {', '.join(sorted(unknown))}, which the function does not use")
    elif kind in ("gradient-code", "manual-gradient", "descent"):
        values["wrt"] = variables
    if kind == "value":
        if "answer" not in values and "at" not in values:
            fail("type", "a value question needs 'answer' (the number) or 'function' and 'at' "
                 "(to compute it)")
        if "at" in values:
            if "function" not in values:
                fail("at", "'at' needs a 'function' to evaluate")
            missing = set(variables) - {name for name, _ in values["at"]}
            if missing:
                fail("at", f"the point gives no value for {', '.join(sorted(missing))}")
    if kind == "descent" and len(values["start"]) != len(variables):
        fail("start", f"start has {len(values['start'])} coordinates; variables has "
             f"{len(variables)}")
    if kind in TOLERANCES:
        values.setdefault("tolerance", TOLERANCES[kind])


def _check_matrix_question(reader: AssignmentReader, node: Node, where: str,
                           values: dict) -> None:
    """The loss, shapes, structure and definitions must make a question autograd can answer."""
    from tutor.grading.questions import matrix_question

    try:
        matrix_question(values.get("function", ""), values.get("wrt", ()),
                        values.get("shapes", ""), values.get("given", ""),
                        values.get("define", ""))
    except TutorError as error:
        reader.problem(node.line, f"{where}: {error}")


def _check_sandbox(reader: AssignmentReader, node: Node, where: str, values: dict) -> None:
    for key, value in values.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            reader.problem(node.get(key).line, f"{where}: {key}: expected a positive number, "
                           f"got {value}")
