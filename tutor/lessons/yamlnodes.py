"""YAML read with ``safe_load`` semantics, but keeping the line of every value.

``yaml.compose`` gives a node tree with positions; this module turns it into :class:`Node`
objects (a mapping, a list or a scalar, each with its 1-based line) so that every validation
message can say ``file:line``. Duplicate keys, which ``safe_load`` silently merges, are errors.

>>> node = read_yaml("id: polynomial\\nsteps:\\n  - id: intro\\n")
>>> node.get("steps").items[0].get("id").value, node.get("steps").items[0].line
('intro', 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Node:
    """One YAML value: ``kind`` is map, list or scalar; ``raw`` is a scalar as written."""

    kind: str
    line: int
    value: Any = None
    raw: str = ""
    entries: dict[str, Node] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    items: list[Node] = field(default_factory=list)

    def get(self, key: str) -> Node | None:
        return self.entries.get(key) if self.kind == "map" else None

    def plain(self) -> Any:
        """The value as ``yaml.safe_load`` would give it (dicts, lists, scalars)."""
        if self.kind == "map":
            return {key: node.plain() for key, node in self.entries.items()}
        if self.kind == "list":
            return [node.plain() for node in self.items]
        return self.value

    @property
    def type_name(self) -> str:
        if self.kind != "scalar":
            return {"map": "a mapping", "list": "a list"}[self.kind]
        return "nothing" if self.value is None else f"{type(self.value).__name__} {self.raw!r}"


class YamlProblem(ValueError):
    """Text that is not valid YAML (or has a duplicate key), at ``line`` (1-based, or None)."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def read_yaml(text: str) -> Node:
    """Parse ``text`` into a :class:`Node` tree; raises YamlProblem on bad YAML."""
    loader = _LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise YamlProblem("the file is empty", 1)
        return _convert(root, loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "not valid YAML"
        raise YamlProblem(f"YAML syntax error: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"YAML error: {error}", None) from None
    finally:
        loader.dispose()


def _convert(node: yaml.Node, loader) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = Node("map", line)
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                key = str(key_node.value)
            if key in result.entries:
                raise YamlProblem(f"key {key!r} appears twice in this mapping (first on line "
                                  f"{result.key_lines[key]})", key_line)
            result.entries[key] = _convert(value_node, loader)
            result.key_lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        return Node("list", line, items=[_convert(item, loader) for item in node.value])
    return Node("scalar", line, value=loader.construct_object(node, deep=True), raw=str(node.value))
