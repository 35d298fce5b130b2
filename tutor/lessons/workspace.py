"""The learner's workspace (the exercise files they edit) and how an edited file is checked.

An exercise file is never imported here: :class:`ExerciseChecker` runs it in the confined
worker (:mod:`tutor.sandbox`, the one graded code runs in) and calls the learner's function
there with NumPy arrays; the arrays come back and the matrix core compares them with
autograd's derivatives (:func:`tutor.matrix.check_matrix_derivative`). A wrong one is matched
against the exercise's known wrong variants and the generic mistakes (a sign, a factor 2, 1/n,
a transpose, a bias gradient not summed over the batch) to name it.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from inspect import Parameter, Signature
from pathlib import Path

import numpy as np

from tutor.check import Verdict
from tutor.errors import TutorError
from tutor.feedback.matrix_mistakes import matrix_mistake
from tutor.lessons.exercises import EXERCISES, Exercise
from tutor.messages import text
from tutor.sandbox import Limits, Sandbox, StudentCodeError

#: What one check may use: an exercise is small, so a few seconds and 1 GB are plenty.
LIMITS = Limits(timeout=3.0, memory_mb=1024, cpu_seconds=10)
#: At most this many numbers come back from one call of the learner's function.
MAX_ENTRIES = 100_000


def workspace_dir(folder: str | os.PathLike | None = None) -> Path:
    """``folder``, else ``$TUTOR_WORKSPACE``, else ``exercises`` in the tutor's state folder."""
    from tutor.lessons.progress import state_dir

    chosen = folder or os.environ.get("TUTOR_WORKSPACE")
    return Path(chosen) if chosen else state_dir() / "exercises"


def write_exercise(exercise: Exercise, folder: Path, *, solution: bool = False,
                   lang: str | None = None) -> Path:
    """Write the exercise's file (its TODO, its words in ``lang``) into ``folder``, unless the
    learner already has it; with ``solution``, the reference into ``folder/solutions`` (never
    over their work)."""
    folder = folder / "solutions" if solution else folder
    path = folder / exercise.file_name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if solution or not path.exists():
            path.write_text(exercise.reference() if solution else exercise.template(lang),
                            encoding="utf-8")
    except OSError as error:
        raise TutorError(text("exercise_cannot_write", path=path, why=error.strerror)) from None
    return path


def exercise_for(path: Path) -> Exercise:
    """The exercise a file is for, from its name (``linear_backward.py``)."""
    exercise = EXERCISES.get(path.stem)
    if exercise is None:
        raise TutorError(text("exercise_not_a_file", name=path.name, files=", ".join(
            e.file_name for e in EXERCISES.values())))
    return exercise


class _Stopped(Exception):
    """The learner's code failed in the worker; the checker keeps why."""


class _ConfinedFunction:
    """The learner's function as the matrix core calls it (named NumPy arrays in, arrays
    out), each call answered by the confined worker; calls are remembered, so the parts of a
    whole backward pass cost one call per draw, and the mistake search reuses them."""

    def __init__(self, session, exercise: Exercise):
        self.session, self.exercise = session, exercise
        self.calls: dict[bytes, tuple[dict, list[np.ndarray]]] = {}
        self.failure: StudentCodeError | None = None
        self.__signature__ = Signature(
            [Parameter(name, Parameter.POSITIONAL_OR_KEYWORD) for name in exercise.parameters])

    def __call__(self, **arguments):
        key = b"".join(str(np.shape(value)).encode() + np.asarray(value, np.float64).tobytes()
                       for value in arguments.values())
        if key not in self.calls:
            if self.failure is not None:
                raise _Stopped
            request = {"op": "call", "mode": "arrays", "entry": self.exercise.name,
                       "parts": len(self.exercise.wrt), "max_entries": MAX_ENTRIES,
                       "arguments": {name: np.asarray(value).tolist()
                                     for name, value in arguments.items()}}
            try:
                reply = self.session.request(request)
                arrays = [np.array(array, dtype=np.float64) for array in reply["arrays"]]
            except StudentCodeError as error:
                self.failure = error
                raise _Stopped from None
            except (KeyError, TypeError, ValueError):  # the worker's reply was tampered with
                self.failure = StudentCodeError("protocol", "The worker sent arrays that are "
                                                "not arrays of numbers")
                raise _Stopped from None
            self.calls[key] = (arguments, arrays)
        arrays = self.calls[key][1]
        return tuple(arrays) if len(arrays) > 1 else arrays[0]


class ExerciseChecker:
    """Checks exercise files, keeping one warm confined worker (started on the first check;
    each check runs in a fresh process forked from it). Use as a context manager."""

    def __init__(self, limits: Limits = LIMITS):
        self.sandbox = Sandbox(limits, torch=False)
        self._problems: dict[str, list] = {}  # autograd's side of each exercise, made once

    def problems(self, exercise: Exercise) -> list:
        """The exercise's questions, one per variable, prepared (autograd run) once."""
        from tutor.matrix import prepare

        if exercise.name not in self._problems:
            self._problems[exercise.name] = [
                prepare(exercise.loss, name, exercise.shapes, exercise.given or None,
                        define=exercise.define or None) for name in exercise.wrt]
        return self._problems[exercise.name]

    def __enter__(self) -> ExerciseChecker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.sandbox.close()

    def check(self, exercise: Exercise, path: Path) -> Verdict:
        """The verdict on the learner's file at ``path`` (read now)."""
        from tutor.matrix import check_prepared

        problems = self.problems(exercise)
        try:
            source = path.read_bytes()
        except OSError as error:
            return Verdict(False, text("exercise_cannot_read", path=path, why=error.strerror),
                           unreadable=True)
        with self.sandbox.session({"exercise.py": source}) as session:
            function = _ConfinedFunction(session, exercise)
            try:
                session.load("exercise")
            except StudentCodeError as error:
                return _failed(error, path.name)
            verdict = check_prepared(problems, function)
        if function.failure is not None:
            return _failed(function.failure, path.name)
        if len(exercise.wrt) == 1:
            verdict = replace(verdict, parts=(verdict,))
        return _name_mistake(exercise, function.calls.values(), verdict)


#: Where the worker says the learner's code failed: ``exercise.py, line 13, in f: Error...``
#: (the file is loaded as exercise.py).
_WHERE = re.compile(r"exercise\.py, line (?P<line>\d+)(?:, in (?P<function>\w+))?: (?P<error>.*)",
                    re.DOTALL)


def _failed(error: StudentCodeError, file_name: str) -> Verdict:
    """What the learner is told when their code failed in the worker: a timeout and the
    memory limit in the catalogue's words; an error raised with the line of their file it
    was raised at and what Python said."""
    if error.kind == "timeout":
        message = text("exercise_timeout", seconds=LIMITS.timeout)
    elif error.kind == "memory":
        message = text("exercise_memory", megabytes=LIMITS.memory_mb)
    elif error.kind == "crashed":
        message = text("exercise_crashed", error=error)
    else:
        where = _WHERE.fullmatch(str(error).rstrip().removesuffix(":"))  # ': ' of no message
        if where is None:
            report = str(error)
        elif where["function"]:
            report = text("exercise_raised_in", file=file_name, line=where["line"],
                          function=where["function"], error=where["error"])
        else:
            report = text("exercise_raised_at", file=file_name, line=where["line"],
                          error=where["error"])
        message = text("exercise_failed", error=report)
    return Verdict(False, message, unreadable=error.kind == "syntax")


def _generic(reference: np.ndarray, given: np.ndarray, batch: int) -> str | None:
    """The generic mistake that turns ``reference`` into ``given``, if one does."""
    def same(a, b) -> bool:
        return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-9)

    if given.shape == reference.shape[::-1] and given.ndim == 2 and same(given.T, reference):
        return "transpose-missing"
    if given.ndim == reference.ndim + 1 and same(given.sum(axis=0), reference):
        return "bias-not-summed"
    for code, changed in (("sign-error", -reference), ("factor-2-missing", reference / 2),
                          ("factor-2-extra", 2 * reference),
                          ("mean-factor-missing", reference * batch),
                          ("mean-factor-extra", reference / batch)):
        if same(given, changed) and not same(given, reference):
            return code
    return None


def _name_mistake(exercise: Exercise, calls, verdict: Verdict) -> Verdict:
    """Name what is wrong with each wrong part: an exercise's own variant first, then the
    generic mistakes (codes of :data:`MATRIX_MISTAKES`)."""
    calls = list(calls)
    if verdict.correct or not calls:
        return verdict
    found = []
    for index, (name, part) in enumerate(zip(exercise.wrt, verdict.parts, strict=True)):
        if part.correct:
            continue
        for mistake in exercise.mistakes:
            if all(_matches(mistake.variant(**arguments), arrays, index, len(exercise.wrt))
                   for arguments, arrays in calls):
                found.append((mistake.code, text("exercise_part_mistake", name=name,
                                                  mistake=mistake.message)))
                break
        else:
            codes = {_generic(_part(exercise.solution(**arguments), index, len(exercise.wrt)),
                              arrays[index], len(next(iter(arguments.values()))))
                     for arguments, arrays in calls}
            if len(codes) == 1 and None not in codes:
                code = codes.pop()
                found.append((code, text("exercise_part_described", name=name,
                                         mistake=matrix_mistake(code))))
    if not found:
        return verdict
    return replace(verdict, mistake=found[0][0],
                   message=verdict.message + "\n" + "\n".join(text for _, text in found))


def _part(result, index: int, parts: int) -> np.ndarray:
    return np.asarray(result[index] if parts > 1 else result, dtype=np.float64)


def _matches(result, arrays: list[np.ndarray], index: int, parts: int) -> bool:
    wanted = _part(result, index, parts)
    return wanted.shape == arrays[index].shape and bool(
        np.allclose(wanted, arrays[index], rtol=1e-6, atol=1e-9))

