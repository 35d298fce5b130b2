"""``tutor lint``: every problem in lesson files, with file:line, before a learner meets it.

Three layers: the schema (:mod:`.schema`), the formulas (each one parsed, every name known,
translations complete), and the numbers (solutions pass their own check, wrong examples fail
and trigger their feedback, compute steps agree, code expectations can be computed).

Other file kinds (assignments) are linted by the functions passed as ``other_kinds``: each
returns a list of problems for a file it owns, or None for a file that is not its kind.

>>> from tutor.lessons.catalog import find_lesson
>>> lint_paths([find_lesson("polynomial")])
[]
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from tutor.errors import LessonError, TutorError
from tutor.lessons import model
from tutor.lessons.catalog import lesson_dirs, lesson_files
from tutor.lessons.schema import Problem, display_path, read_lesson

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
            _read_formulas(lesson, math, step)
    except TutorError as error:
        return [_as_problem(error, shown, None)]
    return []


def _as_problem(error: TutorError, path: str, line: int | None) -> Problem:
    """A Problem from an error raised while checking (a LessonError knows its own line)."""
    if not isinstance(error, LessonError):
        return Problem(path, line, str(error))
    prefix = (f"{error.path}:{error.line}: " if error.path and error.line else
              f"{error.path}: " if error.path else "")
    return Problem(path, error.line or line, str(error).removeprefix(prefix))


# ---------------------------------------------------------------- translations


def _texts(lesson: model.Lesson) -> Iterator[tuple[model.Text, str]]:
    yield lesson.title, "title"
    yield lesson.summary, "summary"
    for step in lesson.steps:
        where = f"step {step.id!r}"
        if step.text:
            yield step.text, f"{where}: text"
        for hint in getattr(step, "hints", ()):
            yield hint, f"{where}: hint"
        for example in getattr(step, "wrong_examples", ()):
            if example.feedback:
                yield example.feedback, f"{where}: wrong example {example.answer.text!r}: feedback"
        for number, option in enumerate(getattr(step, "options", ()), 1):
            yield option.text, f"{where}: option {number}"
            if option.feedback:
                yield option.feedback, f"{where}: option {number}: feedback"
        at = getattr(step, "at", None)
        points = (at,) if isinstance(at, model.Point) else tuple(at or ())
        for point in (*points, *getattr(step, "starts", ())):
            if point.note:
                yield point.note, f"{where}: note"


def _translation_problems(lesson: model.Lesson, path: str) -> list[Problem]:
    if len(lesson.languages) < 2:
        return []
    problems = []
    for text, where in _texts(lesson):
        missing = text.missing(list(lesson.languages))
        if missing:
            problems.append(Problem(path, text.line, f"{where}: missing translation "
                                    f"({', '.join(missing)}); this lesson declares languages "
                                    f"{', '.join(lesson.languages)}"))
    return problems


# ---------------------------------------------------------------- formulas and numbers


def _read_formulas(lesson: model.Lesson, math, step: model.Step) -> None:
    """Parse every formula of ``step``; raises LessonError at the first bad one."""
    from tutor.lessons.answers import Judge
    from tutor.lessons.code import expected_values

    where = f"step {step.id!r}"
    if isinstance(step, model.Say):
        for source in step.math:
            math.formula(source, where)
    elif isinstance(step, model.Ask):
        Judge(math, step)
    elif isinstance(step, model.Compute):
        math.expr(step.expr, f"{where}: expr")
        math.expand_names(step.wrt, where, step.line)
    elif isinstance(step, model.Code):
        for expectation in (*step.expect, *(step.tensorflow_expect or ())):
            if expectation.value is not None or expectation.derivative is not None:
                expected_values(math, step, expectation)
    elif isinstance(step, model.Descend):
        math.descend_variables(step)


def _step_problems(lesson: model.Lesson, math, step: model.Step, path: str) -> list[Problem]:
    _read_formulas(lesson, math, step)
    if isinstance(step, model.Ask):
        return _ask_problems(math, step, path)
    if isinstance(step, model.Compute):
        return _compute_problems(math, step, path)
    if isinstance(step, model.Code):
        return _code_problems(step, path)
    return []


def _ask_problems(math, step: model.Ask, path: str) -> list[Problem]:
    from tutor.lessons.answers import Judge

    judge = Judge(math, step)
    where = f"step {step.id!r}"
    problems = []
    verdict = judge.verdict(judge.solution)
    if not verdict.correct:
        problems.append(Problem(path, step.solution.line, f"{where}: the solution "
                                f"{step.solution.text!r} fails its own check: {verdict.message}"))
    for number, (example, expr) in enumerate(judge.examples, 1):
        here = f"{where}: wrong example #{number} {example.answer.text!r}"
        verdict = judge.verdict(expr)
        if verdict.correct:
            problems.append(Problem(path, example.line, f"{here} is judged correct; a wrong "
                                    "example must be wrong"))
            continue
        if example.mistake and verdict.mistake != example.mistake:
            found = f"reports {verdict.mistake!r}" if verdict.mistake else "recognises no mistake"
            problems.append(Problem(path, example.line, f"{here}: the checker {found}, not "
                                    f"{example.mistake!r}"))
        if example.feedback and judge.known_wrong(expr) is not example:
            problems.append(Problem(path, example.line, f"{here}: an earlier wrong example "
                                    "catches this answer first, so its feedback never shows"))
    return problems


def _compute_problems(math, step: model.Compute, path: str) -> list[Problem]:
    from tutor.lessons.compute import compute

    result = compute(math, step)
    problems = []
    where = f"step {step.id!r}"
    for ok, point in zip(result.point_ok, result.points, strict=True):
        if ok == point.expect_fail:
            shown = ", ".join(f"{k} = {v:g}" for k, v in point.values.items()) or "the tensor values"
            what = ("passes, but 'expect: fail' says it must not" if ok else
                    "fails: the symbolic and autograd numbers disagree" if not result.stationary
                    else "fails: not a minimum, or the numbers disagree")
            problems.append(Problem(path, point.line, f"{where}: at {shown} the check {what}"))
    if result.random is not None and not result.random.ok:
        problems.append(Problem(path, step.line, f"{where}: {result.random.message}"))
    return problems


def _code_problems(step: model.Code, path: str) -> list[Problem]:
    problems = []
    for framework in model.FRAMEWORKS:
        source = step.source(framework)
        if source is None:
            continue
        try:
            ast.parse(source)
        except SyntaxError as error:
            problems.append(Problem(path, step.line_of(framework) + (error.lineno or 0),
                                    f"step {step.id!r}: the {framework} snippet is not valid "
                                    f"Python: {error.msg} (snippet line {error.lineno})"))
    return problems
