"""Classroom assignments: load an assignment, grade a class (student code sandboxed),
write reports, record a gradebook.

>>> from tutor.grading import load_assignment, collect, grade
>>> results = grade(load_assignment("examples/assignment.yaml"),
...                 collect(["examples/submissions/alice"]))  # doctest: +SKIP

Names are imported on first use, so that `tutor --help` stays fast.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "load_assignment": "tutor.grading.loader",
    "lint_assignment": "tutor.grading.lint",
    "collect": "tutor.grading.submissions",
    "grade": "tutor.grading.grader",
    "Gradebook": "tutor.grading.gradebook",
    "Sandbox": "tutor.grading.sandbox",
    "Limits": "tutor.grading.sandbox",
}
__all__ = list(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tutor.grading' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
