"""``tutor lint``: every problem in lesson files, with file:line, before a learner meets it.

Three layers: the schema (:mod:`.schema`), the formulas (each one parsed, every name known,
translations complete), and the numbers (solutions pass their own check, wrong examples fail
and trigger their feedback, compute steps agree, code expectations can be computed); each
step kind (:mod:`tutor.lessons.steps`) says how its formulas and numbers are checked.

Other file kinds (assignments) are linted by the functions passed as ``other_kinds``: each
returns a list of problems for a file it owns, or None for a file that is not its kind.

>>> from tutor.lessons.catalog import find_lesson
>>> lint_paths([find_lesson("polynomial")])
[]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from tutor.errors import LessonError, TutorError
from tutor.lessons import model
from tutor.lessons.catalog import lesson_dirs, lesson_files
from tutor.lessons.schema import Problem, display_path, read_lesson
from tutor.lessons.steps import KINDS

FileLinter = Callable[[Path], "list[Problem] | None"]


def expand_paths(paths: Iterable[str | Path] | None = None) -> Iterator[Path]:
    """The files named by ``paths``: directories give their ``*.yaml`` files (default: the
    lesson directories)."""
    for path in map(Path, paths or lesson_dirs()):
        if path.is_dir():
            yield from lesson_files(path)
        else:
            yield path


def lint_paths(paths: Sequence[str | Path] | None = None,
               other_kinds: Sequence[FileLinter] = ()) -> list[Problem]:
    """Problems in the files and directories ``paths`` (default: the bundled lessons).

    A file that one of ``other_kinds`` claims (returns a list for) is that kind's; every
    other file is a lesson."""
    problems = []
    for path in expand_paths(paths):
        for linter in other_kinds:
            found = linter(path)
            if found is not None:
                problems += found
                break
        else:
            problems += lint_lesson(path)
    return problems


def lint_lesson(path: str | Path) -> list[Problem]:
    """Every problem in one lesson file (schema first; formulas and numbers if it is valid)."""
    lesson, problems = read_lesson(path)
    if lesson is None:
        return problems
    shown = display_path(path)
    problems = _translation_problems(lesson, shown)
    try:
        from tutor.lessons.mathctx import LessonMath

        math = LessonMath(lesson)
    except TutorError as error:
        return problems + [_as_problem(error, shown, None)]
    for step in lesson.steps:
        try:
            problems += _step_problems(lesson, math, step, shown)
        except TutorError as error:
            problems.append(_as_problem(error, shown, step.line))
    return problems


def formula_problems(lesson: model.Lesson) -> list[Problem]:
    """The first formula in ``lesson`` that cannot be read, as a problem (fast: no numbers)."""
    from tutor.lessons.mathctx import LessonMath

    shown = display_path(lesson.path)
    try:
        math = LessonMath(lesson)
        for step in lesson.steps:
            KINDS[step.kind].formulas(math, step)
    except TutorError as error:
        return [_as_problem(error, shown, None)]
    return []


def _as_problem(error: TutorError, path: str, line: int | None) -> Problem:
    """A Problem from an error raised while checking (a LessonError knows its own line)."""
    if isinstance(error, LessonError):
        return Problem(path, error.line or line, error.message)
    return Problem(path, line, str(error))


# ---------------------------------------------------------------- translations


def _texts(value: object, where: str) -> Iterator[tuple[model.Text, str]]:
    """Every text in a lesson, step or part of one (found through the dataclass fields)."""
    if isinstance(value, model.Text):
        yield value, where
    elif isinstance(value, tuple):
        for number, item in enumerate(value, 1):
            yield from _texts(item, f"{where} #{number}" if len(value) > 1 else where)
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            inner = f"{where}: {field.name}" if where else field.name
            yield from _texts(getattr(value, field.name), inner)


def _lesson_texts(lesson: model.Lesson) -> Iterator[tuple[model.Text, str]]:
    yield from _texts(lesson.title, "title")
    yield from _texts(lesson.summary, "summary")
    for step in lesson.steps:
        yield from _texts(step, f"step {step.id!r}")


def _translation_problems(lesson: model.Lesson, path: str) -> list[Problem]:
    if len(lesson.languages) < 2:
        return []
    problems = []
    for text, where in _lesson_texts(lesson):
        missing = text.missing(list(lesson.languages))
        if missing:
            problems.append(Problem(path, text.line, f"{where}: missing translation "
                                    f"({', '.join(missing)}); this lesson declares languages "
                                    f"{', '.join(lesson.languages)}"))
    return problems


# ---------------------------------------------------------------- formulas and numbers


def _step_problems(lesson: model.Lesson, math, step: model.Step, path: str) -> list[Problem]:
    kind = KINDS[step.kind]
    kind.formulas(math, step)
    return kind.problems(math, step, path)
