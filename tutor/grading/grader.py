"""Grade a class: each submission's text answers and code, in parallel, reproducibly.

With ``jobs > 1`` submissions are spread over worker processes (each with its own warm
sandbox zygote and its own cache of judged answers); results come back sorted by student,
so the output does not depend on the number of jobs.

>>> from tutor.grading.loader import load_assignment
>>> from tutor.grading.submissions import collect
>>> results = grade(load_assignment("examples/assignment.yaml"),
...                 collect(["examples/submissions/alice"]))  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from tutor.grading.answers import read_answers
from tutor.grading.model import Assignment, QuestionResult, SubmissionResult
from tutor.grading.questions import StudentCode, grade_code, grade_text
from tutor.grading.sandbox import Limits, Sandbox
from tutor.grading.submissions import Submission

Progress = Callable[[SubmissionResult], None]


class _Sandboxes:
    """One sandbox per process, started on the first code question and closed at exit."""

    def __init__(self, assignment: Assignment):
        self.assignment = assignment
        self.sandbox: Sandbox | None = None

    def __call__(self) -> Sandbox:
        if self.sandbox is None:
            settings = self.assignment.sandbox
            limits = Limits(timeout=settings.timeout, memory_mb=settings.memory_mb,
                            cpu_seconds=settings.cpu_seconds, output_bytes=settings.output_bytes)
            torch = any(q.type in ("gradient-code", "descent") for q in self.assignment.questions)
            self.sandbox = Sandbox(limits, torch=torch)
        return self.sandbox

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None


def grade_submission(assignment: Assignment, submission: Submission,
                     sandboxes: Callable[[], Sandbox]) -> SubmissionResult:
    """All questions of one student; problems with their files are reported, never raised."""
    answers, problems = read_answers(submission.answers, assignment)
    code = StudentCode(sandboxes, submission.code, submission.module)
    results = []
    try:
        for question in assignment.questions:
            if question.is_code:
                result = grade_code(question, code, seed=assignment.seed,
                                    timeout=assignment.sandbox.timeout)
            elif question.id in answers:
                result = grade_text(question, answers[question.id], seed=assignment.seed)
            else:
                where = f" in {submission.answers.name}" if submission.answers else ""
                result = QuestionResult.failed(question, "unanswered", f"No answer{where}.",
                                               "unanswered")
            results.append(result)
    finally:
        code.close()
    return SubmissionResult(submission.student, assignment.id, tuple(results),
                            submission.problems + tuple(problems), submission.fingerprint,
                            submission.files)


def grade(assignment: Assignment, submissions: Sequence[Submission], *, jobs: int = 1,
          progress: Progress | None = None) -> list[SubmissionResult]:
    """Grade every submission; ``progress`` is called as each one finishes."""
    if jobs <= 1 or len(submissions) <= 1:
        sandboxes = _Sandboxes(assignment)
        results = []
        try:
            for submission in submissions:
                results.append(grade_submission(assignment, submission, sandboxes))
                if progress:
                    progress(results[-1])
        finally:
            sandboxes.close()
        return sorted(results, key=lambda r: r.student)
    context = multiprocessing.get_context("spawn")
    results = []
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(assignment,)) as pool:
        futures = [pool.submit(_grade_in_worker, submission) for submission in submissions]
        for future in as_completed(futures):
            results.append(future.result())
            if progress:
                progress(results[-1])
    return sorted(results, key=lambda r: r.student)


_worker_state: dict = {}


def _start_worker(assignment: Assignment) -> None:
    sandboxes = _Sandboxes(assignment)
    _worker_state.update(assignment=assignment, sandboxes=sandboxes)
    atexit.register(sandboxes.close)


def _grade_in_worker(submission: Submission) -> SubmissionResult:
    return grade_submission(_worker_state["assignment"], submission, _worker_state["sandboxes"])
