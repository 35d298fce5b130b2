"""Where lessons live and how a learner names one.

Lessons are the ``*.yaml`` files of the bundled ``lessons/`` directory, or of the directories
in ``TUTOR_LESSONS`` (separated by ``os.pathsep``). A lesson is named by its id
(``polynomial``), its file name (``01-polynomial``), its order number (``1``) or a path; a
near miss (``polynomail``) gets a did-you-mean.
Listing reads only the top of each file (fast: no SymPy, no torch).

>>> find_lesson("1").name
'01-polynomial.yaml'
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from tutor.documents import read_file
from tutor.errors import LessonError
from tutor.lessons.model import ANY_LANGUAGE, Text
from tutor.messages import text

#: The lessons beside the package in a checkout, else where `pip install` put them.
_CHECKOUT = Path(__file__).resolve().parents[2] / "lessons"
BUNDLED = _CHECKOUT if _CHECKOUT.is_dir() else Path(sys.prefix) / "share" / "tutor" / "lessons"


@dataclass(frozen=True)
class LessonInfo:
    """What the lesson list shows; ``problem`` is set for a file that cannot be read."""

    id: str
    order: int
    title: Text
    path: Path
    step_ids: tuple[str, ...] = ()
    problem: str | None = None


def lesson_dirs() -> list[Path]:
    """The directories searched for lessons."""
    configured = os.environ.get("TUTOR_LESSONS")
    if configured:
        return [Path(p) for p in configured.split(os.pathsep) if p]
    return [BUNDLED]


def lesson_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def _text(value) -> Text:
    if isinstance(value, dict):
        return Text({str(k): str(v) for k, v in value.items()})
    return Text({ANY_LANGUAGE: str(value) if value is not None else "?"})


def _info(path: Path) -> LessonInfo:
    try:
        data = read_file(path, LessonError).plain()
        steps = data.get("steps") or []
        ids = tuple(str(s.get("id")) for s in steps if isinstance(s, dict))
        return LessonInfo(str(data.get("id") or path.stem), int(data.get("order") or 0),
                          _text(data.get("title")), path, ids)
    except (LessonError, AttributeError, TypeError, ValueError) as error:
        return LessonInfo(path.stem, 0, Text({ANY_LANGUAGE: path.stem}), path,
                          problem=text("lesson_unreadable", error=type(error).__name__, path=path))


def catalog() -> list[LessonInfo]:
    """Every lesson found, in order."""
    infos = [_info(path) for directory in lesson_dirs() for path in lesson_files(directory)]
    return sorted(infos, key=lambda info: (info.order, info.id))


def find_lesson(name: str, infos: list[LessonInfo] | None = None) -> Path:
    """The file of the lesson called ``name`` among ``infos`` (default: the catalog, read
    now); LessonError listing the lessons if none matches."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path
    infos = catalog() if infos is None else infos
    for info in infos:
        stem = info.path.stem
        if name in (info.id, stem, str(info.order), stem.split("-", 1)[-1]):
            return info.path
    close = difflib.get_close_matches(name.lower(), [info.id for info in infos], n=1, cutoff=0.7)
    if close:
        raise LessonError(text("no_lesson_did_you_mean", name=name, guess=close[0]))
    known = ", ".join(info.id for info in infos) or text("none_found")
    raise LessonError(text("no_lesson", name=name, known=known))
