"""Reading a YAML, TOML or JSON file into :class:`Node` trees that keep the line of every value.

Bounded for students' answers files: at most ``MAX_BYTES`` of text and ``MAX_DEPTH`` levels
of nesting in every format (checked before the parsers, which recurse, see the nesting), and
no YAML anchors or aliases at all (``&name`` / ``*name``). Aliases are refused rather than
bounded because no lesson or assignment needs them and, with them, 321 bytes can describe a
billion values: the check is on the parser's event stream, before anything is built. YAML is
read the YAML 1.2 way where PyYAML follows YAML 1.1: ``1e-3`` is a number, ``no`` and ``on``
are text, ``010`` is ten and ``1:30`` is text.

>>> node = read_text("title: Week 1\\nquestions:\\n  - id: q1\\n    lr: 1e-3\\n", "a.yaml")
>>> item = node.get("questions").items[0]
>>> item.get("id").value, item.line, item.get("lr").value
('q1', 3, 0.001)
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import yaml

from tutor.errors import FileError

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
SUFFIXES = (".yaml", ".yml", ".toml", ".json")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclasses.dataclass
class Node:
    """One value of a file: ``kind`` is map, list or scalar; ``raw`` is a scalar as written."""

    kind: str
    line: int
    value: Any = None
    raw: str = ""
    entries: dict[str, Node] = dataclasses.field(default_factory=dict)
    key_lines: dict[str, int] = dataclasses.field(default_factory=dict)
    items: list[Node] = dataclasses.field(default_factory=list)

    def get(self, key: str) -> Node | None:
        return self.entries.get(key) if self.kind == "map" else None

    def plain(self) -> Any:
        """The value as plain data (dicts, lists, scalars)."""
        if self.kind == "map":
            return {key: node.plain() for key, node in self.entries.items()}
        if self.kind == "list":
            return [node.plain() for node in self.items]
        return self.value

    @property
    def is_empty(self) -> bool:
        return self.kind == "scalar" and self.value is None

    @property
    def type_name(self) -> str:
        if self.kind != "scalar":
            return {"map": "a mapping", "list": "a list"}[self.kind]
        return "nothing" if self.value is None else f"{type(self.value).__name__} {self.raw!r}"


# ---------------------------------------------------------------- reading files


def read_file(path: str | Path, error: type[FileError] = FileError) -> Node:
    """The node tree of a file; ``error`` (with path and line) when it cannot be read."""
    shown = str(path)
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise error("file not found", path=shown) from None
    except OSError as problem:
        raise error(f"cannot read the file: {problem.strerror or problem}", path=shown) from None
    if len(data) > MAX_BYTES:
        raise error(f"the file is larger than {MAX_BYTES:,} bytes; not read", path=shown)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise error("the file is not UTF-8 text", path=shown) from None
    return read_text(text, shown, error)


def read_text(text: str, path: str, error: type[FileError] = FileError) -> Node:
    """Like :func:`read_file` for text already read; the format comes from the suffix."""
    if len(text) > MAX_BYTES:
        raise error(f"the text is longer than {MAX_BYTES:,} characters; not read", path=path)
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _read_yaml(text, path, error)
    if suffix == ".json":
        lines = _json_lines(text, path, error)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as problem:
            raise error(f"not valid JSON: {problem.msg} (column {problem.colno})", path=path,
                        line=problem.lineno) from None
        return _tree(data, (), lines, 1, path, error)
    if suffix == ".toml":
        _check_toml_depth(text, path, error)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as problem:
            line = re.search(r"line (\d+)", str(problem))
            raise error(f"not valid TOML: {problem}", path=path,
                        line=int(line.group(1)) if line else None) from None
        return _tree(data, (), _toml_lines(text), 1, path, error)
    raise error(f"unknown file type {suffix!r}; use one of {', '.join(SUFFIXES)}", path=path)


def _too_deep(path: str, line: int | None, error: type[FileError]) -> FileError:
    return error(f"values are nested more than {MAX_DEPTH} levels deep; not read", path=path,
                 line=line)


def _read_yaml(text: str, path: str, error: type[FileError]) -> Node:
    loader = _LOADER(text)
    try:
        return _compose(loader, path, error)
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark or problem.context_mark
        message = problem.problem or problem.context or "not valid YAML"
        if problem.context and problem.context_mark and problem.problem_mark:
            message = f"{message} ({problem.context} from line {problem.context_mark.line + 1})"
        raise error(f"not valid YAML: {message}", path=path,
                    line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as problem:
        raise error(f"not valid YAML: {problem}", path=path) from None
    finally:
        loader.dispose()


def _compose(loader, path: str, error: type[FileError]) -> Node:
    """Build the node tree from the parser's events, in one pass and without recursion:
    an alias or a collection nested too deep is refused before anything grows."""
    root: Node | None = None
    stack: list[list] = []  # open collections: [node, key waiting for its value, its line]
    while not loader.check_event(yaml.StreamEndEvent):
        event = loader.get_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.DocumentStartEvent) and root is not None:
            raise error("a file holds one YAML document; this is a second one", path=path,
                        line=line)
        if isinstance(event, yaml.AliasEvent):
            raise error(f"YAML aliases (*{event.anchor}) are not allowed; write the value out",
                        path=path, line=line)
        if isinstance(event, yaml.CollectionEndEvent):
            node = stack.pop()[0]
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise _too_deep(path, line, error)
            is_map = isinstance(event, yaml.MappingStartEvent)
            opened = Node("map" if is_map else "list", line)
            if stack and stack[-1][0].kind == "map" and stack[-1][1] is None:
                raise error("keys must be plain names, not lists or mappings", path=path,
                            line=line)
            stack.append([opened, None, 0])
            continue
        elif isinstance(event, yaml.ScalarEvent):
            node = _scalar(event, loader, line, path, error)
        else:
            continue
        if not stack:
            root = node
            continue
        parent = stack[-1]
        if parent[0].kind == "list":
            parent[0].items.append(node)
        elif parent[1] is None:
            key = str(node.raw)
            if key in parent[0].entries:
                raise error(f"key {key!r} appears twice in this mapping (first on line "
                            f"{parent[0].key_lines[key]})", path=path, line=line)
            parent[1], parent[2] = key, line
        else:
            parent[0].entries[parent[1]], parent[0].key_lines[parent[1]] = node, parent[2]
            parent[1] = None
    return root if root is not None else Node("scalar", 1)


def _scalar(event: yaml.ScalarEvent, loader, line: int, path: str,
            error: type[FileError]) -> Node:
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    try:
        value = loader.construct_object(yaml.ScalarNode(
            tag, event.value, event.start_mark, event.end_mark, style=event.style))
    except yaml.constructor.ConstructorError as problem:
        raise error(f"cannot read this value: {problem.problem}", path=path, line=line) from None
    if not event.style:  # plain, not quoted
        value = _yaml12(event.value, value)
    return Node("scalar", line, value=value, raw=event.value)


_YAML12_FLOAT = re.compile(r"[-+]?(\.\d+|\d+\.?\d*)([eE][-+]?\d+)?\Z")
_YAML12_DECIMAL = re.compile(r"[-+]?0\d+\Z")


def _yaml12(raw: str, value: Any) -> Any:
    """A plain scalar as YAML 1.2 reads it, where PyYAML's YAML 1.1 reads it otherwise."""
    if isinstance(value, str) and _YAML12_FLOAT.match(raw):
        return float(raw)  # 1e-3: text in YAML 1.1
    if isinstance(value, bool) and raw.lower() not in ("true", "false"):
        return raw  # yes, no, on, off: booleans in YAML 1.1
    if isinstance(value, int | float) and ":" in raw:
        return raw  # 1:30: a base-60 number in YAML 1.1
    if isinstance(value, int) and _YAML12_DECIMAL.match(raw):
        return int(raw, 10)  # 010: octal in YAML 1.1
    return value


Lines = dict[tuple, int]


def _tree(value: Any, key_path: tuple, lines: Lines, line: int, path: str,
          error: type[FileError]) -> Node:
    """A Node tree from plain data (JSON, TOML) and the lines found for its key paths."""
    line = lines.get(key_path, line)
    if len(key_path) > MAX_DEPTH:
        raise _too_deep(path, line, error)
    if isinstance(value, dict):
        node = Node("map", line)
        for key, item in value.items():
            node.key_lines[key] = lines.get((*key_path, key), line)
            node.entries[key] = _tree(item, (*key_path, key), lines, line, path, error)
        return node
    if isinstance(value, list):
        return Node("list", line, items=[_tree(item, (*key_path, index), lines, line, path, error)
                                         for index, item in enumerate(value)])
    raw = json.dumps(value) if isinstance(value, bool) or value is None else str(value)
    return Node("scalar", line, value=value, raw=raw)


_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,\n]|[^\s{}\[\]:,"]+')


def _json_lines(text: str, path: str, error: type[FileError]) -> Lines:
    """The line of every key and list item, found without recursion; refuses deep nesting."""
    lines: Lines = {(): 1}
    stack: list[list] = []  # per open container: [kind, key path, next index, key, expects key]
    line = 1
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
            continue
        top = stack[-1] if stack else None
        if token in ":,":
            if top is not None and top[0] == "{":
                top[4] = token == ","
            continue
        if token in "}]":
            if stack:
                stack.pop()
            continue
        if top is not None and top[0] == "{" and top[4] and token.startswith('"'):
            top[3] = json.loads(token)
            lines[(*top[1], top[3])] = line
            continue
        here: tuple = ()
        if top is not None and top[0] == "[":
            here = (*top[1], top[2])
            lines[here] = line
            top[2] += 1
        elif top is not None:
            here = (*top[1], top[3])
        if token in "{[":
            if len(stack) >= MAX_DEPTH:
                raise _too_deep(path, line, error)
            stack.append([token, here, 0, None, True])
    return lines


_TOML_SKIPPED = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*')


def _check_toml_depth(text: str, path: str, error: type[FileError]) -> None:
    """Refuse arrays and inline tables nested too deep (tomllib would recurse into them)."""
    bare = _TOML_SKIPPED.sub(lambda m: "\n" * m.group().count("\n"), text)
    depth = 0
    for line_number, line in enumerate(bare.split("\n"), start=1):
        for char in line:
            if char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(path, line_number, error)
            elif char in "]}":
                depth = max(depth - 1, 0)


_TOML_ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([\w.-]+)\s*\]\]")
_TOML_TABLE = re.compile(r"^\s*\[\s*([\w.-]+)\s*\]")
_TOML_KEY = re.compile(r"^\s*([\w-]+|\"[^\"]*\")\s*=")


def _toml_lines(text: str) -> Lines:
    """Lines of table headers and keys (``[[questions]]`` counts up an index)."""
    lines: Lines = {(): 1}
    counts: dict[str, int] = {}
    table: tuple = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _TOML_ARRAY_TABLE.match(line):
            name = match.group(1)
            counts[name] = counts.get(name, -1) + 1
            table = (*name.split("."), counts[name])
        elif match := _TOML_TABLE.match(line):
            table = tuple(match.group(1).split("."))
        elif match := _TOML_KEY.match(line):
            lines.setdefault((*table, match.group(1).strip('"')), number)
            continue
        else:
            continue
        lines.setdefault(table, number)
    return lines


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace ``path`` with ``content`` (text is written as UTF-8) in one step: readers see
    the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content.encode() if isinstance(content, str) else content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
