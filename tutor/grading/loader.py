"""Read and validate an assignment file (YAML or TOML); every error names file:line.

>>> a = load_assignment("examples/assignment.yaml")
>>> a.title, len(a.questions), a.max_score
('Week 3: derivatives by hand and by autograd', 9, 23.0)
"""

from __future__ import annotations

import difflib
import hashlib
import keyword
import re
from collections.abc import Mapping
from pathlib import Path

from tutor.errors import AssignmentError, ParseError
from tutor.grading.documents import Lines, read_document
from tutor.grading.model import FRAMEWORKS, QUESTION_TYPES, Assignment, Question, SandboxSettings

_COMMON = {"id", "type", "points", "prompt", "solution"}
_CODE = {"entry", "function", "variables", "timeout"}
_FIELDS = {
    "derivative": {"function", "wrt", "variables"},
    "value": {"answer", "function", "wrt", "at", "variables", "tolerance", "rel_tolerance"},
    "gradient-code": _CODE | {"wrt", "samples", "framework"},
    "manual-gradient": _CODE | {"wrt", "samples"},
    "descent": _CODE | {"start", "lr", "steps", "mode", "tolerance", "framework"},
}
_REQUIRED = {
    "derivative": ("function", "wrt"),
    "value": (),
    "gradient-code": ("entry", "function", "variables"),
    "manual-gradient": ("entry", "function", "variables"),
    "descent": ("entry", "function", "variables", "start", "lr", "steps"),
}
_TOP = {"title", "id", "seed", "sandbox", "questions"}
_SANDBOX = {"timeout": float, "memory_mb": int, "cpu_seconds": int, "output_bytes": int}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
DESCENT_TOLERANCE = 1e-4
VALUE_TOLERANCE = 1e-6


def load_assignment(path: str | Path) -> Assignment:
    """The validated assignment in ``path``; AssignmentError (path, line) if anything is off."""
    path = Path(path)
    data, lines = read_document(path)
    reader = _Reader(str(path), lines)
    top = reader.mapping(data, ())
    reader.known_keys(top, (), _TOP, "assignment")
    questions_data = reader.require(top, (), "questions")
    if not isinstance(questions_data, list) or not questions_data:
        reader.fail("'questions' must be a non-empty list of questions", ("questions",))
    questions = [reader.question(item, ("questions", i)) for i, item in enumerate(questions_data)]
    seen: dict[str, int] = {}
    for index, question in enumerate(questions):
        if question.id in seen:
            reader.fail(f"question id {question.id!r} is used twice", ("questions", index, "id"))
        seen[question.id] = index
    sandbox = reader.sandbox(top.get("sandbox", {}))
    return Assignment(
        id=reader.identifier(top.get("id", path.stem), ("id",)),
        title=reader.text(reader.require(top, (), "title"), ("title",)),
        questions=tuple(questions),
        path=str(path),
        seed=reader.integer(top.get("seed", 0), ("seed",), low=0),
        fingerprint=hashlib.sha256(path.read_bytes()).hexdigest()[:16],
        sandbox=sandbox,
    )


class _Reader:
    """Typed access to the raw data, raising AssignmentError at the right line."""

    def __init__(self, path: str, lines: Lines):
        self.path, self.lines = path, lines

    def line(self, key_path: tuple) -> int | None:
        while key_path not in self.lines and key_path:
            key_path = key_path[:-1]
        return self.lines.get(key_path)

    def fail(self, message: str, key_path: tuple, prefix: str = "") -> None:
        raise AssignmentError(f"{prefix}{message}", path=self.path, line=self.line(key_path))

    def mapping(self, value, key_path: tuple) -> dict:
        if not isinstance(value, Mapping):
            self.fail(f"expected a mapping of keys to values, got {_kind(value)}", key_path)
        return dict(value)

    def require(self, data: dict, key_path: tuple, key: str, prefix: str = ""):
        if key not in data:
            self.fail(f"'{key}' is missing", key_path, prefix)
        return data[key]

    def known_keys(self, data: dict, key_path: tuple, allowed: set, what: str, prefix: str = ""):
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else \
                    f"; {what} keys are: {', '.join(sorted(allowed))}"
                self.fail(f"unknown key '{key}' for {what}{hint}", (*key_path, key), prefix)

    def text(self, value, key_path: tuple, prefix: str = "") -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value).strip():
            self.fail(f"expected text, got {_kind(value)}", key_path, prefix)
        return str(value)

    def number(self, value, key_path: tuple, prefix: str = "", *, positive: bool = False) -> float:
        """A number; text such as "1e-4" (which YAML 1.1 leaves as text) or "pi/4" is read too."""
        from tutor.parsing import parse_number

        try:
            value = parse_number(value)
        except ParseError:
            self.fail(f"expected a number, got {_kind(value)}", key_path, prefix)
        if value < 0 or (positive and value == 0):
            self.fail(f"expected a {'positive' if positive else 'non-negative'} number, got {value}",
                      key_path, prefix)
        return float(value)

    def integer(self, value, key_path: tuple, prefix: str = "", *, low: int = 1,
                high: int = 10**7) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"expected a whole number from {low} to {high}, got {value!r}", key_path, prefix)
        return value

    def identifier(self, value, key_path: tuple, prefix: str = "") -> str:
        text = self.text(value, key_path, prefix)
        if not _ID.match(text):
            self.fail(f"{text!r} is not a valid id (letters, digits, '_', '.', '-')", key_path, prefix)
        return text

    def choice(self, value, choices: tuple[str, ...], key_path: tuple, prefix: str = "") -> str:
        text = self.text(value, key_path, prefix)
        if text not in choices:
            self.fail(f"{key_path[-1]} must be {' or '.join(map(repr, choices))}, got {text!r}",
                      key_path, prefix)
        return text

    def names(self, value, key_path: tuple, prefix: str = "") -> tuple[str, ...]:
        from tutor.parsing import symbol

        items = [v.strip() for v in value.split(",")] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.fail(f"expected variable names (a list or 'x, y'), got {_kind(value)}", key_path, prefix)
        for item in items:
            try:
                symbol(item)
            except ParseError as error:
                self.fail(str(error), key_path, prefix)
        if len(set(items)) != len(items):
            self.fail("a variable is listed twice", key_path, prefix)
        return tuple(items)

    def sandbox(self, value) -> SandboxSettings:
        data = self.mapping(value, ("sandbox",))
        self.known_keys(data, ("sandbox",), set(_SANDBOX), "sandbox")
        settings = {}
        for key, kind in _SANDBOX.items():
            if key in data:
                key_path = ("sandbox", key)
                settings[key] = (self.number(data[key], key_path, positive=True) if kind is float
                                 else self.integer(data[key], key_path, high=10**12))
        return SandboxSettings(**settings)

    # ------------------------------------------------------------ questions

    def question(self, value, key_path: tuple) -> Question:
        data = self.mapping(value, key_path)
        qid = self.identifier(self.require(data, key_path, "id"), (*key_path, "id"))
        prefix = f"question '{qid}': "
        kind = self.text(self.require(data, key_path, "type", prefix), (*key_path, "type"), prefix)
        if kind not in QUESTION_TYPES:
            close = difflib.get_close_matches(kind, QUESTION_TYPES, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(QUESTION_TYPES)}"
            self.fail(f"unknown type '{kind}'; {hint}", (*key_path, "type"), prefix)
        self.known_keys(data, key_path, _COMMON | _FIELDS[kind], f"a {kind} question", prefix)
        for key in _REQUIRED[kind]:
            self.require(data, key_path, key, prefix)

        def at(key):
            return (*key_path, key)

        fields: dict = {"id": qid, "type": kind, "line": self.line(key_path)}
        if "points" in data:
            fields["points"] = self.number(data["points"], at("points"), prefix, positive=True)
        for key in ("prompt", "solution"):
            if key in data:
                fields[key] = self.text(data[key], at(key), prefix)
        if "variables" in data:
            fields["variables"] = self.names(data["variables"], at("variables"), prefix)
        if "function" in data:
            fields["function"] = self.text(data["function"], at("function"), prefix)
            expr = self.expression(fields["function"], fields.get("variables"), at("function"), prefix)
            free = sorted(s.name for s in expr.free_symbols)
            if fields.get("variables") and set(free) - set(fields["variables"]):
                extra = ", ".join(sorted(set(free) - set(fields["variables"])))
                self.fail(f"the function uses {extra}, which 'variables' does not list",
                          at("function"), prefix)
            fields.setdefault("variables", tuple(free) if kind in ("derivative", "value") else ())
        if "wrt" in data:
            fields["wrt"] = self.names(data["wrt"], at("wrt"), prefix)
            unknown = set(fields["wrt"]) - set(fields.get("variables", ()))
            if unknown:
                self.fail(f"wrt names {', '.join(sorted(unknown))}, which the function does not use",
                          at("wrt"), prefix)
        elif kind in ("gradient-code", "manual-gradient"):
            fields["wrt"] = fields["variables"]
        if "entry" in data:
            entry = self.text(data["entry"], at("entry"), prefix)
            if not entry.isidentifier() or keyword.iskeyword(entry):
                self.fail(f"entry {entry!r} is not a Python function name", at("entry"), prefix)
            fields["entry"] = entry
        for key in ("timeout", "tolerance", "rel_tolerance"):
            if key in data:
                fields[key] = self.number(data[key], at(key), prefix, positive=key == "timeout")
        if "framework" in data:
            fields["framework"] = self.choice(data["framework"], FRAMEWORKS, at("framework"), prefix)
        if "samples" in data:
            fields["samples"] = self.integer(data["samples"], at("samples"), prefix, high=100_000)
        if kind == "value":
            self.value_fields(data, fields, key_path, prefix)
        if kind == "descent":
            self.descent_fields(data, fields, key_path, prefix)
        return Question(**fields)

    def expression(self, text: str, variables, key_path: tuple, prefix: str):
        from tutor.parsing import parse

        try:
            return parse(text, variables)
        except ParseError as error:
            self.fail(f"cannot read the function {text!r}: {error}", key_path, prefix)

    def value_fields(self, data: dict, fields: dict, key_path: tuple, prefix: str) -> None:
        from tutor.parsing import parse_point

        if "answer" not in data and "at" not in data:
            self.fail("a value question needs 'answer' (the number) or 'function' and 'at' "
                      "(to compute it)", key_path, prefix)
        if "answer" in data:
            fields["answer"] = self.numbers(data["answer"], (*key_path, "answer"), prefix)
        if "at" in data:
            if "function" not in data:
                self.fail("'at' needs a 'function' to evaluate", (*key_path, "at"), prefix)
            try:
                point = parse_point(data["at"])
            except ParseError as error:
                self.fail(f"cannot read the point: {error}", (*key_path, "at"), prefix)
            missing = set(fields["variables"]) - set(point)
            if missing:
                self.fail(f"the point gives no value for {', '.join(sorted(missing))}",
                          (*key_path, "at"), prefix)
            fields["at"] = tuple(sorted(point.items()))
        fields.setdefault("tolerance", VALUE_TOLERANCE)

    def numbers(self, value, key_path: tuple, prefix: str) -> tuple[float, ...]:
        from tutor.parsing import parse_number

        items = value if isinstance(value, list) else [value]
        try:
            return tuple(parse_number(item) for item in items)
        except ParseError as error:
            self.fail(str(error), key_path, prefix)

    def descent_fields(self, data: dict, fields: dict, key_path: tuple, prefix: str) -> None:
        mode = self.choice(data.get("mode", "step"), ("step", "loop"), (*key_path, "mode"), prefix)
        start = self.numbers(data["start"], (*key_path, "start"), prefix)
        if len(start) != len(fields["variables"]):
            self.fail(f"start has {len(start)} coordinates; variables has {len(fields['variables'])}",
                      (*key_path, "start"), prefix)
        fields.update(
            mode=mode, start=start,
            lr=self.number(data["lr"], (*key_path, "lr"), prefix, positive=True),
            steps=self.integer(data["steps"], (*key_path, "steps"), prefix, high=1_000_000))
        fields["wrt"] = fields["variables"]
        fields.setdefault("tolerance", DESCENT_TOLERANCE)


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", type(None): "nothing"}.get(type(value), repr(value))
