"""Read a YAML, TOML or JSON file into plain data plus the line of every key.

``lines`` maps a key path such as ``("questions", 2, "wrt")`` to its 1-based line, so that
validation errors can say ``week3.yaml:17``. YAML lines come from ``yaml.compose``; TOML and
JSON lines are found by a light scan of the text (TOML: table headers and ``key =``).

>>> data, lines = read_text("title: Week 1\\nquestions:\\n  - id: q1\\n", "a.yaml")
>>> data["questions"][0]["id"], lines[("questions", 0, "id")]
('q1', 3)
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

from tutor.errors import AssignmentError

Lines = dict[tuple, int]
SUFFIXES = (".yaml", ".yml", ".toml", ".json")


def read_document(path: str | Path) -> tuple[object, Lines]:
    """Data and key lines of a file; AssignmentError (with path and line) when unreadable."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssignmentError("file not found", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise AssignmentError(f"cannot read the file ({error})", path=str(path)) from None
    return read_text(text, str(path))


def read_text(text: str, path: str) -> tuple[object, Lines]:
    """Like ``read_document`` for text already read; the format comes from the suffix."""
    suffix = Path(path).suffix.lower()
    if suffix == ".toml":
        try:
            return tomllib.loads(text), _toml_lines(text)
        except tomllib.TOMLDecodeError as error:
            line = re.search(r"line (\d+)", str(error))
            raise AssignmentError(f"not valid TOML: {error}", path=path,
                                  line=int(line.group(1)) if line else None) from None
    if suffix == ".json":
        try:
            return json.loads(text), _json_lines(text)
        except json.JSONDecodeError as error:
            raise AssignmentError(f"not valid JSON: {error.msg} (column {error.colno})",
                                  path=path, line=error.lineno) from None
    if suffix not in (".yaml", ".yml"):
        raise AssignmentError(f"unknown file type {suffix!r}; use one of {', '.join(SUFFIXES)}",
                              path=path)
    return _read_yaml(text, path)


def _read_yaml(text: str, path: str) -> tuple[object, Lines]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context
        if error.context and error.context_mark and error.problem_mark:
            message = f"{message} ({error.context} from line {error.context_mark.line + 1})"
        raise AssignmentError(f"not valid YAML: {message}", path=path,
                              line=mark.line + 1 if mark else None) from None
    lines: Lines = {(): 1}
    if node is None:
        return None, lines
    constructor = yaml.SafeLoader("")
    return _yaml_value(node, (), lines, constructor, path), lines


def _yaml_value(node: yaml.Node, key_path: tuple, lines: Lines, constructor, path: str):
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str | int | float | bool):
                raise AssignmentError("keys must be plain names", path=path, line=line)
            if key in result:
                raise AssignmentError(f"{key!r} is given twice", path=path, line=line)
            lines[(*key_path, key)] = line
            result[key] = _yaml_value(value_node, (*key_path, key), lines, constructor, path)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[(*key_path, index)] = item.start_mark.line + 1
            items.append(_yaml_value(item, (*key_path, index), lines, constructor, path))
        return items
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.constructor.ConstructorError as error:
        raise AssignmentError(f"cannot read this value: {error.problem}", path=path,
                              line=node.start_mark.line + 1) from None


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


_JSON_KEY = re.compile(r'"((?:[^"\\]|\\.)*)"\s*:')


def _json_lines(text: str) -> Lines:
    """First line of each top-level key (JSON answers files are flat mappings)."""
    lines: Lines = {(): 1}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _JSON_KEY.finditer(line):
            lines.setdefault((match.group(1),), number)
    return lines
