"""Reading node trees into dataclasses: the dataclass is the schema.

:meth:`Reader.read` takes a dataclass's field names, type hints, defaults and
``field(metadata=...)`` (see :func:`spec`), so a default is written once, on the dataclass,
and an unknown key gets a did-you-mean. A reader either collects problems (for a linter) or
raises the first one; either way each names its file and line.

>>> from dataclasses import dataclass
>>> from tutor.documents.files import read_text
>>> @dataclass(frozen=True)
... class Step:
...     lr: float = spec(positive=True)
...     steps: int = spec(10, minimum=1)
>>> Reader("a.yaml").read(Step, read_text("lr: 1e-2\\n", "a.yaml"), "step")
Step(lr=0.01, steps=10)
>>> reader = Reader("a.yaml")
>>> reader.read(Step, read_text("lr: 0.1\\nstep: 5\\n", "a.yaml"), "step")
>>> print(reader.problems[0])
a.yaml:2: step: unknown field 'step' (did you mean 'steps'?)
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from tutor.documents.files import Node
from tutor.errors import FileError

# ---------------------------------------------------------------- problems


def display_path(path: Path | str) -> str:
    """``path`` relative to the working directory when it lies below it, else as given."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def did_you_mean(word: str, options: typing.Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a close option, else the list of options.

    >>> did_you_mean("hint", ["hints", "tries"])
    " (did you mean 'hints'?)"
    """
    options = list(options)
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (expected one of: {', '.join(options)})"


@dataclasses.dataclass(frozen=True)
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

    def as_error(self, error: type[FileError] = FileError) -> FileError:
        return error(self.message, path=self.path, line=self.line)


# ---------------------------------------------------------------- field readers


def spec(default: Any = dataclasses.MISSING, *, factory: Any = dataclasses.MISSING,
         **metadata: Any) -> Any:
    """A dataclass field with reading rules for :meth:`Reader.read`.

    ``read``: the name of the Reader method that reads it (else chosen by its type);
    ``key``: its name in the file; ``minimum`` / ``maximum`` / ``positive``: bounds;
    ``required``: must be in the file even though the dataclass has a default;
    ``aliases``: other keys that may give it (one of them at most);
    ``line_of``: not in the file; the line of that key (0 when absent);
    ``from_file=False``: not in the file (set by the program)."""
    return dataclasses.field(default=default, default_factory=factory, metadata=metadata)


class Reader:
    """Reads nodes into values, noting each problem with its line.

    With ``collect`` the problems are gathered (for a linter) and readers return a default;
    without it the first problem raises ``error``."""

    def __init__(self, path: str, error: type[FileError] = FileError, collect: bool = True):
        self.path, self.error, self.collect = path, error, collect
        self.problems: list[Problem] = []
        #: checks of fields that go together, per dataclass: check(reader, node, where, values)
        self.checks: dict[type, Callable[[Reader, Node, str, dict], None]] = {}

    def problem(self, line: int | None, message: str) -> None:
        if not self.collect:
            raise self.error(message, path=self.path, line=line)
        self.problems.append(Problem(self.path, line, message))

    def fields(self, node: Node, where: str, allowed: Mapping[str, bool]) -> bool:
        """Check ``node`` is a mapping with every required key and no unknown key."""
        if node.kind != "map":
            self.problem(node.line, f"{_at(where)}expected a mapping of fields, got {node.type_name}")
            return False
        for key in node.entries:
            if key not in allowed:
                self.problem(node.key_lines[key],
                             f"{_at(where)}unknown field {key!r}{did_you_mean(key, allowed)}")
        for key, required in allowed.items():
            if required and key not in node.entries:
                self.problem(node.line, f"{_at(where)}missing field {key!r}")
        return True

    def string(self, node: Node, where: str) -> str | None:
        if node.kind == "scalar" and node.value is not None and node.raw.strip():
            return node.raw if not isinstance(node.value, str) else node.value
        self.problem(node.line, f"{_at(where)}expected a string, got {node.type_name}")
        return None

    def integer(self, node: Node, where: str, minimum: int = 0,
                maximum: int | None = None) -> int | None:
        value = node.value if node.kind == "scalar" else None
        if type(value) is int and value >= minimum and (maximum is None or value <= maximum):
            return value
        wanted = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        self.problem(node.line, f"{_at(where)}expected a whole number {wanted}, got {node.type_name}")
        return None

    def number(self, node: Node, where: str, positive: bool = False,
               minimum: float | None = None) -> float | None:
        value = node.value if node.kind == "scalar" else None
        if isinstance(value, int | float) and not isinstance(value, bool) and (
                not positive or value > 0) and (minimum is None or value >= minimum):
            return float(value)
        wanted = ("a positive number" if positive else "a non-negative number" if minimum == 0
                  else "a number")
        self.problem(node.line, f"{_at(where)}expected {wanted}, got {node.type_name}")
        return None

    def flag(self, node: Node, where: str) -> bool | None:
        if node.kind == "scalar" and isinstance(node.value, bool):
            return node.value
        self.problem(node.line, f"{_at(where)}expected true or false, got {node.type_name}")
        return None

    def choice(self, node: Node, where: str, options: tuple[str, ...]) -> str | None:
        value = self.string(node, where)
        if value is not None and value not in options:
            self.problem(node.line, f"{_at(where)}{value!r} is not one of: {', '.join(options)}")
            return None
        return value

    def items(self, node: Node | None, where: str) -> list[Node]:
        """The items of a list (one value alone counts as a list of one)."""
        if node is None:
            return []
        return node.items if node.kind == "list" else [node]

    def domains(self, node: Node, where: str) -> tuple:
        """Variable domains, ``{p: "(0, 1)", y: "{0, 1}"}``: ``((name, Domain), ...)``
        (see :mod:`tutor.domains`), each bad one named with its line."""
        from tutor.domains import parse_domain
        from tutor.errors import ParseError

        if node.kind != "map":
            self.problem(node.line, f"{_at(where)}expected a mapping of variable names to domains "
                         f"such as {{p: \"(0, 1)\", y: \"{{0, 1}}\"}}, got {node.type_name}")
            return ()
        found = []
        for name, value in node.entries.items():
            try:
                found.append((name, parse_domain(str(value.plain()))))
            except ParseError as error:
                self.problem(value.line, f"{_at(where)}{name}: {error}")
        return tuple(found)

    # ------------------------------------------------------------ dataclasses

    def read(self, cls: type, node: Node, where: str, *, given: Mapping[str, Any] | None = None,
             check: Callable[[Reader, Node, str, dict], None] | None = None,
             keys: Mapping[str, bool] | None = None) -> Any:
        """An instance of the dataclass ``cls`` from the mapping ``node`` (None if not valid).

        Fields come from the file by name, except those in ``given``; ``keys`` (key: required)
        narrows the fields the file may give, for a class whose fields depend on a kind;
        ``check`` (by default
        the one in ``self.checks``) may add problems that involve several fields: it gets the
        values read so far, and may add values the file gives in its own way."""
        check = check or self.checks.get(cls)
        given = dict(given or {})
        count = len(self.problems)
        rules = [rule for rule in _rules(cls) if keys is None or rule.key in keys
                 or not rule.from_file]
        allowed = {key: rule.required and not rule.aliases and rule.name not in given
                   for rule in rules if rule.from_file for key in (rule.key, *rule.aliases)}
        if keys is not None:
            allowed = {key: required and key not in given for key, required in keys.items()}
        if not self.fields(node, where, allowed):
            return None
        values = dict(given)
        for rule in rules:
            if rule.name in given:
                continue
            if rule.line_of is not None:
                found = node.get(rule.line_of)
                values[rule.name] = found.line if found is not None else 0
                continue
            if rule.name == "line" and not rule.from_file:
                values["line"] = node.line
                continue
            if not rule.from_file:
                continue
            present = [key for key in (rule.key, *rule.aliases) if key in node.entries]
            if len(present) > 1 or (rule.aliases and rule.required and not present):
                names = " or ".join(repr(k) for k in (rule.key, *rule.aliases))
                self.problem(node.line, f"{_at(where)}give exactly one of {names}")
                continue
            if present:
                value = self.value(rule, node.entries[present[0]], f"{_at(where)}{present[0]}")
                if value is not None:
                    values[rule.name] = value
        if check is not None:
            check(self, node, where, values)
        if len(self.problems) > count:
            return None
        return cls(**values)

    def value(self, rule: _Rule, node: Node, where: str) -> Any:
        """One field's value, read by its ``read`` method or by its type."""
        if rule.read:
            return getattr(self, rule.read)(node, where)
        return self.typed(rule.type, node, where, rule.bounds)

    def typed(self, hint: Any, node: Node, where: str, bounds: Mapping[str, Any]) -> Any:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (types.UnionType, typing.Union):
            return self.typed(next(a for a in args if a is not type(None)), node, where, bounds)
        if origin is typing.Literal:
            return self.choice(node, where, args)
        if origin is tuple:
            values = [self.typed(args[0], item, f"{where} #{number}", bounds)
                      for number, item in enumerate(self.items(node, where), 1)]
            return tuple(v for v in values if v is not None)
        if hint is bool:
            return self.flag(node, where)
        if hint is int:
            return self.integer(node, where, **bounds)
        if hint is float:
            return self.number(node, where, **bounds)
        if hint is str:
            return self.string(node, where)
        custom = self.type_readers().get(hint)
        if custom is not None:
            return custom(node, where)
        if dataclasses.is_dataclass(hint):
            return self.read(hint, node, where)
        raise TypeError(f"no reader for {hint!r}")  # a programming error in a model

    def type_readers(self) -> dict[type, Callable[[Node, str], Any]]:
        """Readers for the types of one kind of file (subclasses add theirs)."""
        return {}


def _at(where: str) -> str:
    """The prefix of a message about ``where`` ("" at the top of a file)."""
    return f"{where}: " if where else ""


@dataclasses.dataclass(frozen=True)
class _Rule:
    name: str
    key: str
    type: Any
    required: bool
    read: str | None = None
    aliases: tuple[str, ...] = ()
    line_of: str | None = None
    from_file: bool = True
    bounds: dict = dataclasses.field(default_factory=dict)


_RULES: dict[type, list[_Rule]] = {}


def _rules(cls: type) -> list[_Rule]:
    """The reading rules of a dataclass, from its fields, type hints and metadata."""
    if cls not in _RULES:
        hints = typing.get_type_hints(cls)
        rules = []
        for field in dataclasses.fields(cls):
            meta = field.metadata
            has_default = (field.default is not dataclasses.MISSING
                           or field.default_factory is not dataclasses.MISSING)
            rules.append(_Rule(
                field.name, meta.get("key", field.name), hints[field.name],
                meta.get("required", not has_default), meta.get("read"),
                tuple(meta.get("aliases", ())), meta.get("line_of"),
                meta.get("from_file", field.name != "line" and "line_of" not in meta),
                {k: meta[k] for k in ("minimum", "maximum", "positive") if k in meta}))
        _RULES[cls] = rules
    return _RULES[cls]
