"""Lesson files: read with :mod:`tutor.documents` into the :mod:`.model` dataclasses.

The schema is the model: :class:`LessonReader` only adds the readers for what a lesson file
writes its own way (texts in several languages, formulas, names, points, tensors, ``let``)
and dispatches each step to its kind's dataclass (:mod:`tutor.lessons.steps`). Every problem
names the file and line. :func:`read_lesson` collects all problems (for ``tutor lint``);
:func:`load_lesson` raises the first one as a ``LessonError`` (for ``tutor learn``).
The schema is documented for authors in ``docs/lessons.md``.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "bad.yaml"
>>> _ = path.write_text("schema: 1\\nid: demo\\norder: 1\\ntitle: Demo\\nsummary: A demo\\n"
...                     "steps:\\n  - id: dydx\\n    kind: aks\\n")
>>> print(read_lesson(path)[1][0].message)
step 'dydx': unknown step kind 'aks' (expected one of: say, ask, ask-matrix, choose, compute, code, descend, graph)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tutor.documents import Node, Problem, Reader, display_path, read_file
from tutor.errors import LessonError
from tutor.lessons import model

__all__ = ["LessonReader", "Problem", "display_path", "load_lesson", "read_lesson"]

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)?\Z")
_LET_KEY = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\[\s*([A-Za-z_,\s]*?)\s*\])?\s*\Z")
_INITS = ("uniform", "normal", "zeros", "ones")


def read_lesson(path: Path | str) -> tuple[model.Lesson | None, list[Problem]]:
    """The lesson in ``path`` and every schema problem found (the lesson is None if any)."""
    shown = display_path(path)
    try:
        root = read_file(path, LessonError)
    except LessonError as error:
        return None, [Problem(shown, error.line, error.message)]
    reader = LessonReader(shown)
    lesson = reader.read(model.Lesson, root, "", given={"path": Path(path)},
                         check=_check_names)
    return (None if reader.problems else lesson), reader.problems


def load_lesson(path: Path | str) -> model.Lesson:
    """The lesson in ``path``; raises ``LessonError`` (file:line: problem) if it is not valid."""
    lesson, problems = read_lesson(path)
    if problems:
        raise problems[0].as_error(LessonError)
    return lesson


def _check_names(reader: Reader, node: Node, where: str, values: dict[str, Any]) -> None:
    """A name is a variable, a tensor or a let binding, never two of them."""
    seen: dict[str, str] = {}
    entries = [(name, "variable", node.get("variables")) for name in values.get("variables", ())]
    entries += [(t.name, "tensor", t) for t in values.get("tensors", ())]
    entries += [(let.name, "let binding", let.body) for let in values.get("lets", ())]
    for name, what, where_found in entries:
        if name in seen:
            reader.problem(getattr(where_found, "line", None),
                           f"the name {name!r} is used for a {seen[name]} and a {what}")
        seen[name] = what


class LessonReader(Reader):
    """Reads a lesson's node tree, collecting problems instead of stopping."""

    def __init__(self, path: str):
        from tutor.lessons.steps import KINDS

        super().__init__(path, LessonError, collect=True)
        self.kinds = KINDS
        for kind in KINDS.values():
            self.checks.update(kind.checks)

    def type_readers(self) -> dict:
        return {model.Text: self.text, model.Source: self.expr, model.Point: self.point}

    # ------------------------------------------------------------ values

    def text(self, node: Node, where: str) -> model.Text | None:
        if node.kind == "scalar" and isinstance(node.value, str) and node.value.strip():
            return model.Text({model.ANY_LANGUAGE: node.value}, node.line)
        if node.kind == "map" and node.entries:
            texts = {}
            for lang, value in node.entries.items():
                if not _LANGUAGE.match(lang):
                    self.problem(node.key_lines[lang], f"{where}: {lang!r} is not a language "
                                 "code (write texts as {en: ..., zh: ...})")
                elif value.kind != "scalar" or not isinstance(value.value, str) or not value.value.strip():
                    self.problem(value.line, f"{where}: the {lang!r} text must be a non-empty string")
                else:
                    texts[lang] = value.value
            return model.Text(texts, node.line) if texts else None
        self.problem(node.line, f"{where}: expected a text (a string, or {{en: ..., zh: ...}}), "
                     f"got {node.type_name}")
        return None

    def expr(self, node: Node, where: str) -> model.Source | None:
        text = self.string(node, where)
        return None if text is None else model.Source(text, node.line)

    def identifier(self, node: Node, where: str) -> str | None:
        text = self.string(node, where)
        if text is not None and not _ID.match(text):
            self.problem(node.line, f"{where} {text!r} must be letters, digits, '-', '_' or '.'")
        return text

    def schema_version(self, node: Node, where: str) -> int | None:
        if node.kind == "scalar" and node.value == model.SCHEMA_VERSION:
            return node.value
        self.problem(node.line, f"schema version {node.raw or '?'} is not supported "
                     f"(this tutor reads schema: {model.SCHEMA_VERSION})")
        return None

    def names(self, node: Node, where: str) -> tuple[str, ...]:
        """A list of names, or one string "x, y"."""
        if node.kind == "scalar" and isinstance(node.value, str):
            names = [n for n in re.split(r"[\s,]+", node.value) if n]
        elif node.kind == "list" and all(item.kind == "scalar" for item in node.items):
            names = [item.raw for item in node.items]
        else:
            self.problem(node.line, f"{where}: expected a list of names, got {node.type_name}")
            return ()
        bad = [n for n in names if not _NAME.match(n)]
        if bad:
            self.problem(node.line, f"{where}: {', '.join(map(repr, bad))}: not a valid name "
                         "(letters, digits and _)")
        elif not names:
            self.problem(node.line, f"{where}: the list of names is empty")
        return tuple(names)

    def languages(self, node: Node, where: str) -> tuple[str, ...]:
        languages = self.names(node, where)
        for lang in languages:
            if not _LANGUAGE.match(lang):
                self.problem(node.line, f"{where}: {lang!r} is not a language code")
        return languages or ("en",)

    def point(self, node: Node, where: str) -> model.Point | None:
        """``{x: 2, y: -1}``, or ``{point: {...}, expect: fail, note: text}``."""
        if node.kind == "map" and "point" in node.entries:
            if not self.fields(node, where, {"point": True, "expect": False, "note": False}):
                return None
            inner = self.point(node.entries["point"], where)
            expect = node.get("expect")
            fails = expect is not None and self.choice(expect, f"{where}: expect",
                                                       ("pass", "fail")) == "fail"
            note = node.get("note")
            if inner is None:
                return None
            return model.Point(inner.values, node.line, inner.decimals, fails,
                               self.text(note, f"{where}: note") if note is not None else None)
        if node.kind != "map":
            self.problem(node.line, f"{where}: expected a point like {{x: 2, y: -1}}, "
                         f"got {node.type_name}")
            return None
        values, decimals = {}, {}
        for name, value in node.entries.items():
            number = self.number(value, f"{where}: {name}")
            if not _NAME.match(name):
                self.problem(node.key_lines[name], f"{where}: {name!r} is not a valid name")
            if number is not None:
                values[name] = number
                decimals[name] = _decimals(value.raw)
        return model.Point(values, node.line, decimals)

    # ------------------------------------------------------------ steps

    def steps(self, node: Node, where: str) -> tuple[model.Step, ...]:
        if node.kind != "list":
            self.problem(node.line, f"{where}: expected a list, got {node.type_name}")
            return ()
        if not node.items:
            self.problem(node.line, f"{where}: a lesson needs at least one step")
        steps, first_line = [], {}
        for number, item in enumerate(node.items, 1):
            step = self.step(item, number)
            if step is None:
                continue
            if step.id in first_line:
                self.problem(step.line, f"duplicate step id {step.id!r} (first used on line "
                             f"{first_line[step.id]}); every step needs its own id")
                continue
            first_line[step.id] = step.line
            steps.append(step)
        return tuple(steps)

    def step(self, node: Node, number: int) -> model.Step | None:
        if node.kind != "map":
            self.problem(node.line, f"step #{number}: expected a mapping with id and kind, "
                         f"got {node.type_name}")
            return None
        id_node, kind_node = node.get("id"), node.get("kind")
        where = f"step #{number}"
        if id_node is None:
            self.problem(node.line, f"{where}: missing field 'id' (a stable name such as 'dydx')")
            return None
        step_id = self.identifier(id_node, f"{where}: id")
        if step_id is None:
            return None
        where = f"step {step_id!r}"
        kinds = ", ".join(self.kinds)
        if kind_node is None:
            self.problem(node.line, f"{where}: missing field 'kind' (one of: {kinds})")
            return None
        kind = self.string(kind_node, f"{where}: kind")
        if kind is not None and kind not in self.kinds:
            self.problem(kind_node.line, f"{where}: unknown step kind {kind!r} "
                         f"(expected one of: {kinds})")
        if kind not in self.kinds:
            return None
        return self.read(self.kinds[kind].model, node, where,
                         given={"id": step_id, "kind": kind})

    # ------------------------------------------------------------ tensors and let

    def tensors(self, node: Node, where: str) -> tuple[model.Tensor, ...]:
        if node.kind != "map":
            self.problem(node.line, f"{where}: expected a mapping name -> tensor, got {node.type_name}")
            return ()
        return tuple(t for name, spec in node.entries.items()
                     if (t := self.tensor(name, spec, node.key_lines[name])) is not None)

    def tensor(self, name: str, node: Node, line: int) -> model.Tensor | None:
        where = f"tensor {name!r}"
        if not _NAME.match(name):
            self.problem(line, f"{where}: not a valid name (letters, digits and _)")
            return None
        allowed = {"shape": False, "init": False, "low": False, "high": False, "values": False,
                   "one_hot": False, "depth": False}
        if not self.fields(node, where, allowed):
            return None
        sources = [key for key in ("init", "values", "one_hot") if key in node.entries]
        if len(sources) != 1:
            self.problem(line, f"{where}: give exactly one of 'init' ({', '.join(_INITS)}), "
                         "'values' or 'one_hot'")
            return None
        shape = self.shape(node.get("shape"), where)
        if "values" in node.entries:
            values = node.entries["values"].plain()
            found = _shape_of(values)
            if found is None:
                self.problem(node.entries["values"].line, f"{where}: values must be numbers or "
                             "(nested) lists of numbers of equal length")
                return None
            if node.get("shape") is not None and shape != found:
                self.problem(node.line, f"{where}: values have shape {list(found)}, not {list(shape)}")
            return model.Tensor(name, found, line, values=_freeze(values))
        if "one_hot" in node.entries:
            labels = node.entries["one_hot"].plain()
            depth_node = node.get("depth")
            depth = self.integer(depth_node, f"{where}: depth", minimum=1) if depth_node else None
            if depth is None:
                if depth_node is None:
                    self.problem(node.line, f"{where}: one_hot needs 'depth', the number of classes")
                return None
            if not (isinstance(labels, list) and labels and all(
                    type(v) is int and 0 <= v < depth for v in labels)):
                self.problem(node.entries["one_hot"].line, f"{where}: one_hot must be a list of "
                             f"class numbers from 0 to {depth - 1}")
                return None
            return model.Tensor(name, (len(labels), depth), line, one_hot=tuple(labels), depth=depth)
        init = self.choice(node.get("init"), f"{where}: init", _INITS)
        if not init:
            return None
        bounds = {key: self.number(node.get(key), f"{where}: {key}")
                  for key in ("low", "high") if node.get(key) is not None}
        return model.Tensor(name, shape, line, init=init,
                            **{k: v for k, v in bounds.items() if v is not None})

    def shape(self, node: Node | None, where: str) -> tuple[int, ...]:
        if node is None:
            return ()
        dims = node.plain()
        if isinstance(dims, list) and all(type(d) is int and 1 <= d <= 64 for d in dims) and len(dims) <= 3:
            return tuple(dims)
        self.problem(node.line, f"{where}: shape must be a list of up to 3 sizes from 1 to 64, "
                     f"like [3, 4]; got {node.raw or node.type_name}")
        return ()

    def lets(self, node: Node, where: str) -> tuple[model.Let, ...]:
        if node.kind != "map":
            self.problem(node.line, f"{where}: expected a mapping name -> expression, got {node.type_name}")
            return ()
        lets = []
        for key, value in node.entries.items():
            match = _LET_KEY.match(key)
            indices = tuple(i.strip() for i in (match.group(2) or "").split(",") if i.strip()) if match else ()
            if not match or any(not _NAME.match(i) for i in indices) or len(set(indices)) != len(indices):
                self.problem(node.key_lines[key], f"{where}: {key!r} must be a name, or a name with "
                             "distinct index letters like probs[i,k]")
                continue
            body = self.expr(value, f"let {key}")
            if body is not None:
                lets.append(model.Let(match.group(1), indices, body))
        return tuple(lets)


def _decimals(raw: str) -> int | None:
    """Digits after the point in a number as written: '3.584428' -> 6; '3' -> None (exact)."""
    text = raw.strip().lower()
    if "e" in text or "." not in text:
        return None
    return len(text.split(".", 1)[1])


def _shape_of(values: Any) -> tuple[int, ...] | None:
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        return ()
    if not isinstance(values, list) or not values:
        return None
    shapes = {_shape_of(v) for v in values}
    if len(shapes) != 1 or None in shapes:
        return None
    return (len(values), *shapes.pop())


def _freeze(values: Any) -> Any:
    return tuple(_freeze(v) for v in values) if isinstance(values, list) else values
