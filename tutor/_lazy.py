"""Names a package exports but imports only on first use, so that `tutor --help` stays fast."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(package: str, table: Mapping[str, str], namespace: dict,
                 public: list[str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``table`` maps a name to its module."""

    def __getattr__(name: str) -> object:
        if name in table:
            value = getattr(importlib.import_module(table[name]), name)
            namespace[name] = value  # found directly next time
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(public)

    return __getattr__, __dir__
