"""Classroom assignments: load an assignment, grade a class (student code sandboxed),
write reports, record a gradebook.

>>> from tutor.grading import load_assignment, collect, grade
>>> results = grade(load_assignment("examples/assignment.yaml"),
...                 collect(["examples/submissions/alice"]))  # doctest: +SKIP

Names are imported on first use, so that `tutor --help` stays fast.
"""

from __future__ import annotations

from tutor._lazy import lazy_exports

_LAZY = {
    "load_assignment": "tutor.grading.loader",
    "lint_assignment": "tutor.grading.lint",
    "collect": "tutor.grading.submissions",
    "grade": "tutor.grading.grader",
    "Gradebook": "tutor.grading.gradebook",
    "Sandbox": "tutor.sandbox",
    "Limits": "tutor.sandbox",
}
__all__ = list(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), __all__)
