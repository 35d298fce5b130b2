"""Lesson files: read, validate against the schema, and build the :mod:`model` objects.

Every problem names the file and line. :func:`read_lesson` collects all problems (for
``tutor lint``); :func:`load_lesson` raises the first one as a ``LessonError`` (for ``tutor learn``).
The schema itself is documented for authors in ``docs/lessons.md``.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "bad.yaml"
>>> _ = path.write_text("schema: 1\\nid: demo\\norder: 1\\ntitle: Demo\\nsummary: A demo\\n"
...                     "steps:\\n  - id: dydx\\n    kind: aks\\n")
>>> print(read_lesson(path)[1][0].message)
step 'dydx': unknown step kind 'aks' (expected one of: say, ask, choose, compute, code, descend)
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.errors import LessonError
from tutor.lessons import model
from tutor.lessons.yamlnodes import Node, YamlProblem, read_yaml

SCHEMA_VERSION = 1
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)?\Z")
_LET_KEY = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\[\s*([A-Za-z_,\s]*?)\s*\])?\s*\Z")
_TOP_FIELDS = {"schema": True, "id": True, "order": True, "title": True, "summary": True,
               "steps": True, "languages": False, "variables": False, "seed": False,
               "tensors": False, "let": False}
_STEP_FIELDS: dict[str, dict[str, bool]] = {
    "say": {"text": True, "math": False},
    "ask": {"text": True, "derivative": False, "expect": False, "solution": True, "hints": False,
            "tries": False, "wrong_examples": False},
    "choose": {"text": True, "options": True, "tries": False},
    "compute": {"text": False, "expr": True, "wrt": True, "at": False, "dtype": False,
                "minimum": False, "random": False},
    "code": {"text": False, "torch": True, "tensorflow": False, "timeout": False, "at": False,
             "dtype": False, "expect": False, "tensorflow_expect": False},
    "descend": {"text": False, "function": True, "variables": False, "start": False,
                "starts": False, "method": False, "lr": True, "steps": True, "every": False,
                "dtype": False, "ends_near": False, "tol": False, "value_below": False,
                "same_as": False, "plot": False},
}
_INITS = ("uniform", "normal", "zeros", "ones")


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, at a line; ``str()`` gives ``path:line: message``."""

    path: str
    line: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {label}{self.message}"

    def as_error(self) -> LessonError:
        return LessonError(self.message, path=self.path, line=self.line)


def display_path(path: Path | str) -> str:
    """``path`` relative to the working directory when it lies below it, else as given."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def read_lesson(path: Path | str) -> tuple[model.Lesson | None, list[Problem]]:
    """The lesson in ``path`` and every schema problem found (the lesson is None if any)."""
    shown = display_path(path)
    try:
        root = read_yaml(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        return None, [Problem(shown, None, f"cannot read the file: {error.strerror}")]
    except UnicodeDecodeError:
        return None, [Problem(shown, None, "the file is not UTF-8 text")]
    except YamlProblem as error:
        return None, [Problem(shown, error.line, str(error))]
    reader = _Reader(shown)
    lesson = reader.lesson(root, Path(path))
    return (None if reader.problems else lesson), reader.problems


def load_lesson(path: Path | str) -> model.Lesson:
    """The lesson in ``path``; raises ``LessonError`` (file:line: problem) if it is not valid."""
    lesson, problems = read_lesson(path)
    if problems:
        raise problems[0].as_error()
    return lesson


class _Reader:
    """Reads a node tree into model objects, recording problems instead of stopping."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    # ------------------------------------------------------------ generic fields

    def fields(self, node: Node, where: str, allowed: dict[str, bool]) -> bool:
        """Check ``node`` is a mapping with every required key and no unknown key."""
        if node.kind != "map":
            self.problem(node.line, f"{where}: expected a mapping of fields, got {node.type_name}")
            return False
        for key in node.entries:
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else (
                    f" (expected: {', '.join(allowed)})")
                self.problem(node.key_lines[key], f"{where}: unknown field {key!r}{hint}")
        for key, required in allowed.items():
            if required and key not in node.entries:
                self.problem(node.line, f"{where}: missing field {key!r}")
        return True

    def text(self, node: Node | None, where: str) -> model.Text | None:
        if node is None:
            return None
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

    def string(self, node: Node | None, where: str) -> str | None:
        if node is None:
            return None
        if node.kind == "scalar" and node.value is not None and node.raw.strip():
            return node.raw if not isinstance(node.value, str) else node.value
        self.problem(node.line, f"{where}: expected a string, got {node.type_name}")
        return None

    def expr(self, node: Node | None, where: str) -> model.Source | None:
        text = self.string(node, where)
        return None if text is None else model.Source(text, node.line)

    def integer(self, node: Node | None, where: str, default: int | None, minimum: int = 0) -> int | None:
        if node is None:
            return default
        if node.kind == "scalar" and type(node.value) is int and node.value >= minimum:
            return node.value
        self.problem(node.line, f"{where}: expected a whole number of at least {minimum}, "
                     f"got {node.type_name}")
        return default

    def number(self, node: Node | None, where: str, default: float | None,
               positive: bool = False) -> float | None:
        if node is None:
            return default
        value = node.value if node.kind == "scalar" else None
        if isinstance(value, str):
            try:
                value = float(value)  # YAML 1.1 reads 1e-3 (no dot) as a string
            except ValueError:
                value = None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                not positive or value > 0):
            return float(value)
        wanted = "a positive number" if positive else "a number"
        self.problem(node.line, f"{where}: expected {wanted}, got {node.type_name}")
        return default

    def flag(self, node: Node | None, where: str, default: bool) -> bool:
        if node is None:
            return default
        if node.kind == "scalar" and isinstance(node.value, bool):
            return node.value
        self.problem(node.line, f"{where}: expected true or false, got {node.type_name}")
        return default

    def choice(self, node: Node | None, where: str, options: tuple[str, ...], default: str) -> str:
        value = self.string(node, where)
        if value is None:
            return default
        if value not in options:
            self.problem(node.line, f"{where}: {value!r} is not one of: {', '.join(options)}")
            return default
        return value

    def names(self, node: Node | None, where: str) -> tuple[str, ...]:
        """A list of names, or one string "x, y"."""
        if node is None:
            return ()
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

    def point(self, node: Node, where: str) -> model.Point | None:
        """``{x: 2, y: -1}``, or ``{point: {...}, expect: fail, note: text}``."""
        if node.kind == "map" and "point" in node.entries:
            if not self.fields(node, where, {"point": True, "expect": False, "note": False}):
                return None
            inner = self.point(node.entries["point"], where)
            expect = self.choice(node.get("expect"), f"{where}: expect", ("pass", "fail"), "pass")
            if inner is None:
                return None
            return model.Point(inner.values, node.line, inner.decimals, expect == "fail",
                               self.text(node.get("note"), f"{where}: note"))
        if node.kind != "map":
            self.problem(node.line, f"{where}: expected a point like {{x: 2, y: -1}}, "
                         f"got {node.type_name}")
            return None
        values, decimals = {}, {}
        for name, value in node.entries.items():
            number = self.number(value, f"{where}: {name}", None)
            if not _NAME.match(name):
                self.problem(node.key_lines[name], f"{where}: {name!r} is not a valid name")
            if number is not None:
                values[name] = number
                decimals[name] = _decimals(value.raw)
        return model.Point(values, node.line, decimals)

    def points(self, node: Node | None, where: str) -> tuple[model.Point, ...]:
        if node is None:
            return ()
        items = node.items if node.kind == "list" else [node]
        return tuple(p for i, item in enumerate(items, 1)
                     if (p := self.point(item, f"{where} #{i}")) is not None)

    def items(self, node: Node | None, where: str) -> list[Node]:
        if node is None:
            return []
        if node.kind != "list":
            self.problem(node.line, f"{where}: expected a list, got {node.type_name}")
            return []
        return node.items

    # ------------------------------------------------------------ the lesson

    def lesson(self, root: Node, path: Path) -> model.Lesson | None:
        if not self.fields(root, "lesson", _TOP_FIELDS):
            return None
        get = root.get
        version = get("schema")
        if version is not None and not (version.kind == "scalar" and version.value == SCHEMA_VERSION):
            self.problem(version.line, f"schema version {version.raw or '?'} is not supported "
                         f"(this tutor reads schema: {SCHEMA_VERSION})")
        lesson_id = self.string(get("id"), "id")
        if lesson_id is not None and not _ID.match(lesson_id):
            self.problem(get("id").line, f"id {lesson_id!r} must be letters, digits, '-', '_' or '.'")
        languages = self.names(get("languages"), "languages") or ("en",)
        for lang in languages:
            if not _LANGUAGE.match(lang):
                self.problem(get("languages").line, f"languages: {lang!r} is not a language code")
        steps = self.steps(get("steps"))
        lesson = model.Lesson(
            path=path, id=lesson_id or "", order=self.integer(get("order"), "order", 0) or 0,
            title=self.text(get("title"), "title"), summary=self.text(get("summary"), "summary"),
            steps=tuple(steps), languages=languages, variables=self.names(get("variables"), "variables"),
            seed=self.integer(get("seed"), "seed", 0) or 0,
            tensors=self.tensors(get("tensors")), lets=self.lets(get("let")),
        )
        self.check_names(lesson, root)
        return lesson

    def check_names(self, lesson: model.Lesson, root: Node) -> None:
        seen: dict[str, str] = {}
        entries = [(name, "variable", root.get("variables")) for name in lesson.variables]
        entries += [(t.name, "tensor", t) for t in lesson.tensors]
        entries += [(let.name, "let binding", let.body) for let in lesson.lets]
        for name, what, where in entries:
            if name in seen:
                self.problem(getattr(where, "line", None),
                             f"the name {name!r} is used for a {seen[name]} and a {what}")
            seen[name] = what

    def tensors(self, node: Node | None) -> tuple[model.Tensor, ...]:
        if node is None:
            return ()
        if node.kind != "map":
            self.problem(node.line, f"tensors: expected a mapping name -> tensor, got {node.type_name}")
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
            depth = self.integer(node.get("depth"), f"{where}: depth", None, minimum=1)
            if depth is None:
                self.problem(node.line, f"{where}: one_hot needs 'depth', the number of classes")
                return None
            if not (isinstance(labels, list) and labels and all(
                    type(v) is int and 0 <= v < depth for v in labels)):
                self.problem(node.entries["one_hot"].line, f"{where}: one_hot must be a list of "
                             f"class numbers from 0 to {depth - 1}")
                return None
            return model.Tensor(name, (len(labels), depth), line, one_hot=tuple(labels), depth=depth)
        init = self.choice(node.get("init"), f"{where}: init", _INITS, "")
        if not init:
            return None
        return model.Tensor(name, shape, line, init=init,
                            low=self.number(node.get("low"), f"{where}: low", 0.0),
                            high=self.number(node.get("high"), f"{where}: high", 1.0))

    def shape(self, node: Node | None, where: str) -> tuple[int, ...]:
        if node is None:
            return ()
        dims = node.plain()
        if isinstance(dims, list) and all(type(d) is int and 1 <= d <= 64 for d in dims) and len(dims) <= 3:
            return tuple(dims)
        self.problem(node.line, f"{where}: shape must be a list of up to 3 sizes from 1 to 64, "
                     f"like [3, 4]; got {node.raw or node.type_name}")
        return ()

    def lets(self, node: Node | None) -> tuple[model.Let, ...]:
        if node is None:
            return ()
        if node.kind != "map":
            self.problem(node.line, f"let: expected a mapping name -> expression, got {node.type_name}")
            return ()
        lets = []
        for key, value in node.entries.items():
            match = _LET_KEY.match(key)
            indices = tuple(i.strip() for i in (match.group(2) or "").split(",") if i.strip()) if match else ()
            if not match or any(not _NAME.match(i) for i in indices) or len(set(indices)) != len(indices):
                self.problem(node.key_lines[key], f"let: {key!r} must be a name, or a name with "
                             "distinct index letters like probs[i,k]")
                continue
            body = self.expr(value, f"let {key}")
            if body is not None:
                lets.append(model.Let(match.group(1), indices, body))
        return tuple(lets)

    # ------------------------------------------------------------ steps

    def steps(self, node: Node | None) -> list[model.Step]:
        items = self.items(node, "steps")
        if node is not None and node.kind == "list" and not items:
            self.problem(node.line, "steps: a lesson needs at least one step")
        steps, first_line = [], {}
        for number, item in enumerate(items, 1):
            step = self.step(item, number)
            if step is None:
                continue
            if step.id in first_line:
                self.problem(step.line, f"duplicate step id {step.id!r} (first used on line "
                             f"{first_line[step.id]}); every step needs its own id")
                continue
            first_line[step.id] = step.line
            steps.append(step)
        return steps

    def step(self, node: Node, number: int) -> model.Step | None:
        if node.kind != "map":
            self.problem(node.line, f"step #{number}: expected a mapping with id and kind, "
                         f"got {node.type_name}")
            return None
        step_id = self.string(node.get("id"), f"step #{number}: id")
        where = f"step {step_id!r}" if step_id else f"step #{number}"
        if step_id is None:
            self.problem(node.line, f"{where}: missing field 'id' (a stable name such as 'dydx')")
            return None
        if not _ID.match(step_id):
            self.problem(node.get("id").line, f"{where}: id must be letters, digits, '-', '_' or '.'")
        kind = self.string(node.get("kind"), f"{where}: kind")
        if kind is None:
            self.problem(node.line, f"{where}: missing field 'kind' (one of: {', '.join(model.KINDS)})")
            return None
        if kind not in model.KINDS:
            self.problem(node.get("kind").line, f"{where}: unknown step kind {kind!r} "
                         f"(expected one of: {', '.join(model.KINDS)})")
            return None
        allowed = {"id": True, "kind": True, **_STEP_FIELDS[kind]}
        count = len(self.problems)
        self.fields(node, where, allowed)
        base = {"id": step_id, "kind": kind, "line": node.line,
                "text": self.text(node.get("text"), f"{where}: text")}
        step = getattr(self, f"step_{kind}")(node, where, base)
        return step if len(self.problems) == count else None

    def step_say(self, node: Node, where: str, base: dict) -> model.Step:
        math = node.get("math")
        sources = [self.expr(item, f"{where}: math") for item in self.items(math, f"{where}: math")] \
            if math is not None and math.kind == "list" else [self.expr(math, f"{where}: math")]
        return model.Say(**base, math=tuple(s for s in sources if s is not None))

    def derivative(self, node: Node | None, where: str) -> model.Derivative | None:
        if node is None or not self.fields(node, where, {"of": True, "wrt": True, "at": False}):
            return None
        of, wrt = self.expr(node.get("of"), f"{where}: of"), self.names(node.get("wrt"), f"{where}: wrt")
        at = self.point(node.get("at"), f"{where}: at") if node.get("at") is not None else None
        return model.Derivative(of, wrt, at) if of is not None and wrt else None

    def step_ask(self, node: Node, where: str, base: dict) -> model.Step:
        derivative = self.derivative(node.get("derivative"), f"{where}: derivative")
        expect = self.expr(node.get("expect"), f"{where}: expect")
        if ("derivative" in node.entries) == ("expect" in node.entries):
            self.problem(node.line, f"{where}: give exactly one of 'derivative' (of, wrt[, at]) "
                         "or 'expect' (the expression or number to match)")
        examples = []
        for i, item in enumerate(self.items(node.get("wrong_examples"), f"{where}: wrong_examples"), 1):
            here = f"{where}: wrong example #{i}"
            if not self.fields(item, here, {"answer": True, "feedback": False, "mistake": False}):
                continue
            if "feedback" not in item.entries and "mistake" not in item.entries:
                self.problem(item.line, f"{here}: give the 'feedback' it must show or the "
                             "'mistake' the checker must recognise")
            answer = self.expr(item.get("answer"), f"{here}: answer")
            if answer is not None:
                examples.append(model.WrongExample(
                    answer, self.text(item.get("feedback"), f"{here}: feedback"),
                    self.string(item.get("mistake"), f"{here}: mistake"), item.line))
        hints = [self.text(h, f"{where}: hint") for h in self.items(node.get("hints"), f"{where}: hints")]
        return model.Ask(**base, derivative=derivative, expect=expect,
                         solution=self.expr(node.get("solution"), f"{where}: solution"),
                         hints=tuple(h for h in hints if h), wrong_examples=tuple(examples),
                         tries=self.integer(node.get("tries"), f"{where}: tries", 3, minimum=1))

    def step_choose(self, node: Node, where: str, base: dict) -> model.Step:
        options = []
        items = self.items(node.get("options"), f"{where}: options")
        for i, item in enumerate(items, 1):
            here = f"{where}: option {i}"
            if self.fields(item, here, {"text": True, "correct": False, "feedback": False}):
                text = self.text(item.get("text"), f"{here}: text")
                if text is not None:
                    options.append(model.Option(text, self.flag(item.get("correct"), here, False),
                                                self.text(item.get("feedback"), f"{here}: feedback"),
                                                item.line))
        if items and len(items) < 2:
            self.problem(node.line, f"{where}: a choice needs at least two options")
        if items and sum(o.correct for o in options) != 1:
            self.problem(node.get("options").line, f"{where}: exactly one option must have "
                         f"'correct: true' (found {sum(o.correct for o in options)})")
        return model.Choose(**base, options=tuple(options),
                            tries=self.integer(node.get("tries"), f"{where}: tries", 2, minimum=1))

    def step_compute(self, node: Node, where: str, base: dict) -> model.Step:
        return model.Compute(
            **base, expr=self.expr(node.get("expr"), f"{where}: expr"),
            wrt=self.names(node.get("wrt"), f"{where}: wrt"),
            at=self.points(node.get("at"), f"{where}: at"),
            dtype=self.choice(node.get("dtype"), f"{where}: dtype", model.DTYPES, "float64"),
            minimum=self.flag(node.get("minimum"), f"{where}: minimum", False),
            random=self.integer(node.get("random"), f"{where}: random", 1000, minimum=0))

    def expectations(self, node: Node | None, where: str) -> tuple[model.Expectation, ...]:
        """The checks of a ``code`` step's output (its ``expect`` or ``tensorflow_expect``)."""
        expects = []
        for i, item in enumerate(self.items(node, where), 1):
            here = f"{where} #{i}"
            allowed = {"after": False, "value": False, "derivative": False, "text": False, "error": False}
            if not self.fields(item, here, allowed):
                continue
            kinds = [k for k in ("value", "derivative", "text", "error") if k in item.entries]
            if len(kinds) != 1:
                self.problem(item.line, f"{here}: give exactly one of value, derivative, text, error")
                continue
            expects.append(model.Expectation(
                item.line, after=self.string(item.get("after"), f"{here}: after"),
                value=self.expr(item.get("value"), f"{here}: value"),
                derivative=self.derivative(item.get("derivative"), f"{here}: derivative"),
                text=self.string(item.get("text"), f"{here}: text"),
                error=self.string(item.get("error"), f"{here}: error")))
        return tuple(expects)

    def step_code(self, node: Node, where: str, base: dict) -> model.Step:
        torch_node, tf_node, at = node.get("torch"), node.get("tensorflow"), node.get("at")
        tf_expect = node.get("tensorflow_expect")
        if tf_expect is not None and tf_node is None:
            self.problem(node.key_lines["tensorflow_expect"], f"{where}: 'tensorflow_expect' "
                         "without a 'tensorflow' snippet to check")
        return model.Code(
            **base, torch=self.string(torch_node, f"{where}: torch") or "",
            torch_line=torch_node.line if torch_node else 0,
            tensorflow=self.string(tf_node, f"{where}: tensorflow"),
            tensorflow_line=tf_node.line if tf_node else 0,
            timeout=self.number(node.get("timeout"), f"{where}: timeout", 60.0, positive=True),
            at=self.point(at, f"{where}: at") if at is not None else None,
            dtype=self.choice(node.get("dtype"), f"{where}: dtype", model.DTYPES, "float32"),
            expect=self.expectations(node.get("expect"), f"{where}: expect"),
            tensorflow_expect=(None if tf_expect is None else
                               self.expectations(tf_expect, f"{where}: tensorflow_expect")))

    def step_descend(self, node: Node, where: str, base: dict) -> model.Step:
        if ("start" in node.entries) == ("starts" in node.entries):
            self.problem(node.line, f"{where}: give exactly one of 'start' (a point) or 'starts' "
                         "(a list of points)")
        starts = self.points(node.get("start") or node.get("starts"), f"{where}: start")
        ends = self.points(node.get("ends_near"), f"{where}: ends_near")
        if ends and len(ends) != len(starts):
            self.problem(node.get("ends_near").line, f"{where}: ends_near has {len(ends)} points "
                         f"for {len(starts)} starts; give one per start")
        steps = self.integer(node.get("steps"), f"{where}: steps", 1, minimum=1) or 1
        plot = self.string(node.get("plot"), f"{where}: plot")
        if plot is not None and (not plot.endswith(".png") or "/" in plot or "\\" in plot):
            self.problem(node.get("plot").line, f"{where}: plot must be a file name ending in "
                         ".png, without a directory")
        return model.Descend(
            **base, function=self.expr(node.get("function"), f"{where}: function"),
            variables=self.names(node.get("variables"), f"{where}: variables"), starts=starts,
            method=self.choice(node.get("method"), f"{where}: method", model.METHODS, "manual"),
            lr=self.number(node.get("lr"), f"{where}: lr", 0.001, positive=True), steps=steps,
            every=self.integer(node.get("every"), f"{where}: every", max(steps // 10, 1), minimum=1),
            dtype=self.choice(node.get("dtype"), f"{where}: dtype", model.DTYPES, "float32"),
            ends_near=ends, tol=self.number(node.get("tol"), f"{where}: tol", 1e-3, positive=True),
            value_below=self.number(node.get("value_below"), f"{where}: value_below", None, positive=True),
            same_as=self.string(node.get("same_as"), f"{where}: same_as"), plot=plot)


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
