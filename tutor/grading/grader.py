"""Grade a class: every distinct text answer judged once, code run per submission, in parallel.

A class repeats itself: hundreds of students give a few dozen distinct answers. So text
answers are read first, the distinct ones are judged once (spread over the worker
processes), and each student's results are assembled from them. Code questions need the
student's own sandboxed process: they are graded per submission, each worker holding its own
warm sandbox zygote (and a second one with TensorFlow, started only for code that uses it). Results come back sorted by student, whatever the number of jobs.

>>> from tutor.grading.loader import load_assignment
>>> from tutor.grading.submissions import collect
>>> results = grade(load_assignment("examples/assignment.yaml"),
...                 collect(["examples/submissions/alice"]))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed

from tutor.grading.answers_file import read_answers
from tutor.grading.model import Assignment, QuestionResult, SubmissionResult
from tutor.grading.questions import StudentCode, answer_key, grade_code, grade_text
from tutor.grading.review import review_reasons
from tutor.grading.submissions import Submission
from tutor.sandbox import Limits, Sandbox, SandboxError

Progress = Callable[[SubmissionResult], None]
#: Distinct answers per worker below which judging in one process is faster than starting
#: workers (judging takes about 3 ms per distinct answer; a worker costs more to feed).
_DISTINCT_PER_WORKER = 500
Answers = dict[str, object]  # question id -> answer key (hashable)


class _Sandboxes:
    """Per process: one sandbox for code that needs torch at most, and one that has TensorFlow
    preloaded too, for code that needs it; each started on first use and closed at exit."""

    def __init__(self, assignment: Assignment):
        self.assignment = assignment
        self.sandboxes: dict[bool, Sandbox] = {}  # keyed by "with TensorFlow"

    def __call__(self, files: Mapping[str, bytes] | None = None) -> Sandbox:
        """The sandbox to run ``files`` in."""
        tensorflow = needs_tensorflow(self.assignment, files or {})
        if tensorflow not in self.sandboxes:
            from tutor.lowering import TENSORFLOW

            if tensorflow and not TENSORFLOW.installed():
                raise SandboxError(f"this code needs TensorFlow; on the grading machine: {TENSORFLOW.missing}")
            limits = Limits(**dataclasses.asdict(self.assignment.sandbox))
            torch = any(q.type in ("gradient-code", "descent") for q in self.assignment.questions)
            self.sandboxes[tensorflow] = Sandbox(limits, torch=torch, tensorflow=tensorflow)
        return self.sandboxes[tensorflow]

    def close(self) -> None:
        for sandbox in self.sandboxes.values():
            sandbox.close()
        self.sandboxes.clear()


_IMPORTS_TENSORFLOW = re.compile(
    rb"^[ \t]*(?:from[ \t]+(?:tensorflow|keras)\b|import[ \t][^\n]*\b(?:tensorflow|keras)\b)", re.MULTILINE)


def needs_tensorflow(assignment: Assignment, files: Mapping[str, bytes]) -> bool:
    """Whether code must run where TensorFlow is preloaded: a question asks for TensorFlow,
    or one of the files imports it (or Keras).

    >>> needs_tensorflow(Assignment("a", "A", ()), {"s.py": b"import numpy as np, tensorflow as tf"})
    True
    """
    return any(q.framework == "tensorflow" for q in assignment.questions if q.is_code) or any(
        _IMPORTS_TENSORFLOW.search(data) for name, data in files.items() if name.endswith(".py"))


def _read(assignment: Assignment, submission: Submission) -> tuple[Answers, list[str]]:
    answers, problems = read_answers(submission.answers, assignment)
    return {qid: answer_key(answer) for qid, answer in answers.items()}, problems


def _grade_code(assignment: Assignment, submission: Submission,
                sandboxes: Callable[[], Sandbox]) -> dict[str, QuestionResult]:
    code = StudentCode(sandboxes, submission.code, submission.module)
    try:
        return {q.id: grade_code(q, code, seed=assignment.seed, timeout=assignment.sandbox.timeout)
                for q in assignment.questions if q.is_code}
    finally:
        code.close()


def _assemble(assignment: Assignment, submission: Submission, answers: Answers, problems: list[str],
              judged: Callable[[str, object], QuestionResult],
              code: dict[str, QuestionResult]) -> SubmissionResult:
    results = []
    for question in assignment.questions:
        if question.is_code:
            results.append(code[question.id])
        elif question.id in answers:
            results.append(judged(question.id, answers[question.id]))
        else:
            where = f" in {submission.answers.name}" if submission.answers else ""
            results.append(QuestionResult.failed(question, "unanswered", f"No answer{where}.",
                                                 "unanswered"))
    flagged = [f"question '{r.id}': flagged for manual review ({reason})"
               for r in results for reason in review_reasons(r)]
    return SubmissionResult(submission.student, assignment.id, tuple(results),
                            submission.problems + tuple(problems) + tuple(flagged),
                            submission.fingerprint, submission.files)


def grade_submission(assignment: Assignment, submission: Submission,
                     sandboxes: Callable[[], Sandbox]) -> SubmissionResult:
    """All questions of one student; problems with their files are reported, never raised."""
    answers, problems = _read(assignment, submission)

    def judged(qid: str, key: object) -> QuestionResult:
        return grade_text(assignment.question(qid), key, seed=assignment.seed)

    code = _grade_code(assignment, submission, sandboxes)
    return _assemble(assignment, submission, answers, problems, judged, code)


def grade(assignment: Assignment, submissions: Sequence[Submission], *, jobs: int = 1,
          progress: Progress | None = None) -> list[SubmissionResult]:
    """Grade every submission; ``progress`` is called as each one is complete."""
    readings = {s.student: _read(assignment, s) for s in submissions}
    distinct = list(dict.fromkeys((qid, key) for answers, _ in readings.values()
                                  for qid, key in answers.items()))
    sandboxes = _Sandboxes(assignment)
    parallel_text = jobs > 1 and len(distinct) >= _DISTINCT_PER_WORKER * jobs
    parallel_code = jobs > 1 and assignment.needs_code and len(submissions) > 1
    pool: Executor | None = None
    table: dict = {}
    if parallel_text:
        # One answer per question judged here first: forked workers inherit the warm caches
        # (the reference derivative lowered, its mistake search built) instead of each
        # building them again.
        first = list({qid: (qid, key) for qid, key in reversed(distinct)}.values())
        table.update(_judge_chunk(first, assignment))
        distinct = [item for item in distinct if item not in table]
    if parallel_text or parallel_code:
        pool = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_start_worker,
                                   initargs=(assignment,))
    try:
        code_results = _code_results(assignment, submissions, sandboxes, pool)  # workers start now
        table.update(_judge(assignment, distinct, pool if parallel_text else None, jobs))
        results = []
        for submission, code in code_results:
            answers, problems = readings[submission.student]
            results.append(_assemble(assignment, submission, answers, problems,
                                     lambda qid, key: table[(qid, key)], code))
            if progress:
                progress(results[-1])
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        sandboxes.close()
    return sorted(results, key=lambda r: r.student)


def _judge(assignment: Assignment, distinct: list[tuple[str, object]], pool: Executor | None,
           jobs: int) -> dict:
    """Verdicts for every distinct (question, answer), in chunks over the pool."""
    if pool is None:
        return dict(_judge_chunk(distinct, assignment))
    size = max(1, len(distinct) // (4 * jobs) + 1)
    chunks = [distinct[i:i + size] for i in range(0, len(distinct), size)]
    table = {}
    for future in as_completed([pool.submit(_judge_chunk, chunk) for chunk in chunks]):
        table.update(future.result())
    return table


def _judge_chunk(keys: list[tuple[str, object]], assignment: Assignment | None = None):
    assignment = assignment or _worker_state["assignment"]
    return [((qid, key), grade_text(assignment.question(qid), key, seed=assignment.seed))
            for qid, key in keys]


def _code_results(assignment: Assignment, submissions: Sequence[Submission], sandboxes,
                  pool: Executor | None) -> Iterable[tuple[Submission, dict]]:
    """Each submission with its code questions' results, as they finish. With a pool the
    work is submitted at once, so the workers grade code while this process judges text."""
    if not assignment.needs_code:
        return ((s, {}) for s in submissions)
    if pool is None:
        return ((s, _grade_code(assignment, s, sandboxes)) for s in submissions)
    futures = {pool.submit(_grade_code_in_worker, s): s for s in submissions}
    return ((futures[future], future.result()) for future in as_completed(futures))


def _context():
    """Fork (workers start warm: modules imported, caches filled) when that is safe, that is
    on Linux with no other thread running; otherwise spawn (a fresh interpreter each)."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


_worker_state: dict = {}


def _start_worker(assignment: Assignment) -> None:
    """Per worker process: its sandbox zygote exits when the worker does (its socket closes)."""
    _worker_state.update(assignment=assignment, sandboxes=_Sandboxes(assignment))


def _grade_code_in_worker(submission: Submission) -> dict[str, QuestionResult]:
    return _grade_code(_worker_state["assignment"], submission, _worker_state["sandboxes"])
