"""One exception family: every error a person can cause is a ``TutorError``.

Messages name the input, the place (column, or file:line) and what would be valid.
The CLI prints them as one line and exits with code 2.
"""

from __future__ import annotations


class TutorError(Exception):
    """Base class of every error this package raises on purpose."""


class ParseError(TutorError, ValueError):
    """Typed math that cannot be read. ``column`` is 1-based (None when not about one place)."""

    def __init__(self, message: str, *, text: str = "", column: int | None = None):
        self.text = text
        self.column = column
        super().__init__(message if column is None else text("at_column", what=message, column=column))


class LoweringError(TutorError, ValueError):
    """A SymPy expression that cannot be turned into code for a backend."""


class BackendError(TutorError, RuntimeError):
    """A numeric backend that is not installed or cannot run."""


class FileError(TutorError, ValueError):
    """A lesson, assignment or answers file that is not valid. ``path`` and ``line`` say where.

    >>> str(FileError("unknown field 'hint'", path="a.yaml", line=3))
    "a.yaml:3: unknown field 'hint'"
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}: " if path and line else (f"{path}: " if path else "")
        super().__init__(f"{where}{message}")


class LessonError(FileError):
    """A lesson file that is not valid."""


class AssignmentError(FileError):
    """An assignment or answers file that is not valid."""


class ExplainError(TutorError, ValueError):
    """A step-by-step derivation that cannot be given: more than one variable, an unknown
    output format, or an expression past a bound (nesting depth, time)."""
