"""Lesson, assignment and answers files: one reader for all three (the "documents" layer,
which imports nothing from tutor but its errors).

- :mod:`.files` reads YAML, TOML or JSON into :class:`Node` trees that keep every line,
  bounded in size and nesting and without YAML aliases (students' answers files come here);
- :mod:`.fields` reads node trees into dataclasses (the dataclass is the schema), with
  did-you-mean for unknown keys and problems that name file:line;
- :func:`write_atomic` replaces a file in one step (progress, reports), so readers see the
  old file or the new one, never half of it.
"""

from tutor.documents.fields import Problem, Reader, did_you_mean, display_path, spec
from tutor.documents.files import (
           MAX_BYTES,
           MAX_DEPTH,
           SUFFIXES,
           Node,
           read_file,
           read_text,
           write_atomic,
)

__all__ = ["MAX_BYTES", "MAX_DEPTH", "SUFFIXES", "Node", "Problem", "Reader", "did_you_mean",
           "display_path", "read_file", "read_text", "spec", "write_atomic"]
