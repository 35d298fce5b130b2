"""`tutor grade`, `tutor gradebook` and `tutor gradescope`: argument parsing, and a few lines
over the grading API.

Only argparse is imported here; everything else inside the run functions (`tutor --help`
stays fast).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers) -> None:
    """Add the `grade`, `gradebook` and `gradescope` commands."""
    grade = subparsers.add_parser(
        "grade", help="grade a class's submissions (student code runs sandboxed)",
        description="Grade every SUBMISSION (a folder or files per student) against ASSIGNMENT. "
                    "With --merge, combine the --out folders of shards instead.")
    grade.add_argument("assignment", metavar="ASSIGNMENT",
                       help="the assignment file (.yaml or .toml); with --merge, a shard's --out folder")
    grade.add_argument("submissions", nargs="*", metavar="SUBMISSION",
                       help="a student's folder, or their files (alice.yaml, alice.py)")
    grade.add_argument("--out", type=Path, default=Path("grades"),
                       help="folder for the reports (default: grades)")
    grade.add_argument("--format", type=_formats, default=("json",), metavar="FORMATS",
                       help="comma-separated: gradescope, json, csv, junit (default json; "
                            "grades.json is always written)")
    grade.add_argument("--jobs", type=_positive, default=1, help="parallel processes (default 1)")
    grade.add_argument("--gradebook", type=Path,
                       help="SQLite gradebook to record into (default $TUTOR_HOME/gradebook.sqlite)")
    grade.add_argument("--no-gradebook", action="store_true", help="do not record into a gradebook")
    grade.add_argument("--shard", type=_shard, metavar="K/N",
                       help="grade only shard K of N (1-based), e.g. 3/8, for array jobs")
    grade.add_argument("--merge", action="store_true",
                       help="combine shard outputs: every positional argument is an --out folder")
    grade.add_argument("--quiet", action="store_true", help="no progress bar or summary tables")
    grade.add_argument("--replace", action="store_true",
                       help="replace the reports in --out (default: merge into them, so regrading "
                            "some students keeps the others' grades)")
    grade.add_argument("--submission-metadata", type=Path, metavar="FILE",
                       help="Gradescope's submission_metadata.json: the assignment's late_penalty "
                            "applies to results.json (one submission only)")
    grade.add_argument("--execution-time", action="store_true",
                       help="record how long grading took in results.json (reruns then differ)")
    grade.set_defaults(run=_run_grade)

    gradescope = subparsers.add_parser(
        "gradescope", help="make a Gradescope autograder zip for an assignment",
        description="Write a zip to upload as a Gradescope programming assignment's autograder: "
                    "setup.sh (torch CPU, then tutor), run_autograder and the assignment file.")
    gradescope.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment file")
    gradescope.add_argument("--out", type=Path, default=Path("autograder.zip"),
                            help="the zip to write (default: autograder.zip)")
    gradescope.add_argument("--package", metavar="REQUIREMENT",
                            help="what setup.sh pip-installs after torch (default: this tutor's "
                                 "source, bundled in the zip)")
    gradescope.add_argument("--tensorflow", action=argparse.BooleanOptionalAction,
                            help="install the TensorFlow extra (default: when a code question "
                                 "accepts TensorFlow)")
    gradescope.set_defaults(run=_run_gradescope)

    book = subparsers.add_parser("gradebook", help="show or export the grades recorded by `tutor grade`")
    actions = book.add_subparsers(dest="action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="attempts per student and assignment")
    show.add_argument("--student", help="one student's history, question by question")
    show.add_argument("--assignment", help="only this assignment id")
    export = actions.add_parser("export", help="every recorded question score")
    export.add_argument("--csv", action="store_true", required=True, help="as CSV (the only format)")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    for parser in (show, export):
        parser.add_argument("--gradebook", type=Path,
                            help="the gradebook file (default $TUTOR_HOME/gradebook.sqlite)")
    show.set_defaults(run=_run_show)
    export.set_defaults(run=_run_export)


def _formats(text: str) -> tuple[str, ...]:
    from tutor.grading.reporters import FORMATS

    formats = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or text!r}; "
                                         f"choose from {', '.join(FORMATS)}")
    return formats


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def _shard(text: str) -> tuple[int, int]:
    k, slash, n = text.partition("/")
    if not (slash and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N (like 2/8), got {text!r}")
    return int(k), int(n)


def _gradebook_path(args: argparse.Namespace) -> Path:
    from tutor.grading.gradebook import default_path

    return args.gradebook or default_path()


def _run_grade(args: argparse.Namespace) -> int:
    import dataclasses
    import time
    from contextlib import nullcontext

    from rich.text import Text

    from tutor.errors import TutorError
    from tutor.grading.gradebook import Gradebook
    from tutor.grading.gradescope import Context, read_context
    from tutor.grading.loader import load_assignment
    from tutor.grading.model import CODE_TYPES
    from tutor.grading.reporters import (
        GRADES_FILE,
        check_same_assignment,
        merge,
        read_graded,
        update,
        write_reports,
    )
    from tutor.grading.summary import render
    from tutor.render import make_console
    from tutor.sandbox import protections

    if args.merge and (args.shard or args.submission_metadata):
        raise TutorError(f"{'--shard' if args.shard else '--submission-metadata'} and --merge "
                         "do not go together")
    started = time.monotonic()
    console = make_console()
    assignment = None if args.merge else load_assignment(args.assignment)
    context = Context()
    if args.submission_metadata:  # read first: a bad file stops the run before any grading
        policy = assignment.late_penalty
        context = read_context(args.submission_metadata,
                               dataclasses.asdict(policy) if policy else None)
    # the report already in --out, read first: one this run may not merge into stops it early
    existing = None if args.replace or not (args.out / GRADES_FILE).exists() else read_graded(args.out)
    if existing is not None and assignment is not None:
        check_same_assignment(existing, assignment.id, args.out)
    book = None if args.no_gradebook else Gradebook(_gradebook_path(args))
    with book or nullcontext():
        if args.merge:
            graded = merge([read_graded(Path(p)) for p in [args.assignment, *args.submissions]])
            for result in graded.results:
                if book is not None:
                    book.record(graded.assignment, result)
        else:
            graded = _grade_class(args, assignment, book, console)
    if args.execution_time:
        context = dataclasses.replace(context, execution_time=time.monotonic() - started)
    if existing is not None:
        graded = update(existing, graded, args.out)
    written = write_reports(graded, args.out, args.format, context)
    if not args.quiet:
        render(console, graded.assignment, graded.results)
        if not args.merge and any(q["type"] in CODE_TYPES for q in graded.assignment["questions"]):
            console.print(Text("sandbox: " + "; ".join(protections())))
    console.print(Text("wrote " + ", ".join(str(p) for p in written[:4])
                       + (f" and {len(written) - 4} more" if len(written) > 4 else "")))
    return 0


def _grade_class(args: argparse.Namespace, assignment, book, console):
    from tutor.errors import TutorError
    from tutor.grading.grader import grade
    from tutor.grading.reporters import Graded
    from tutor.grading.submissions import collect, shard_of

    if not args.submissions:
        raise TutorError("no submissions given: list the students' folders or files")
    submissions = collect(args.submissions)
    if args.shard:
        k, n = args.shard
        submissions = [s for s in submissions if shard_of(s.student, n) == k - 1]
    if args.submission_metadata and len(submissions) != 1:
        raise TutorError(f"--submission-metadata describes one Gradescope submission; "
                         f"got {len(submissions)} students")
    summary = Graded.of(assignment, ()).assignment
    progress = _progress_bar(console, len(submissions), quiet=args.quiet)
    task = progress.add_task("grading", total=len(submissions))

    def done(result) -> None:
        if book is not None:
            book.record(summary, result)
        if not progress.live.is_started:
            progress.start()  # its refresh thread only after the worker processes exist
        progress.advance(task)

    try:
        results = grade(assignment, submissions, jobs=args.jobs, progress=done)
    finally:
        progress.stop()
    return Graded.of(assignment, results)


def _progress_bar(console, total: int, *, quiet: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True,
                    disable=quiet or not console.is_terminal)


def _run_show(args: argparse.Namespace) -> int:
    from rich.table import Table
    from rich.text import Text

    from tutor.grading.gradebook import Gradebook
    from tutor.render import make_console

    console = make_console()
    with Gradebook(_gradebook_path(args)) as book:
        attempts = book.history(args.student, args.assignment)
        if not attempts:
            console.print(Text("no grades recorded" + (f" for {args.student}" if args.student else "")))
            return 0
        table = Table(title=Text(f"gradebook {book.path} (attempts in grading order: the last counts)"))
        for column in ("student", "assignment", "attempt", "score", "assignment version", "graded"):
            table.add_column(column)
        for row in attempts:
            table.add_row(Text(row["student"]), Text(row["assignment"]), str(row["attempt"]),
                          f"{row['score']:g} / {row['max_score']:g}", row["version"][:8] or "?",
                          row["graded_at"])
        console.print(table)
        if args.student:
            for row in attempts:
                detail = Table(title=Text(f"{row['assignment']} attempt {row['attempt']}"))
                for column in ("question", "score", "status", "mistakes"):
                    detail.add_column(column)
                for score in book.scores(args.student, row["assignment"], row["attempt"]):
                    detail.add_row(Text(score["question"]),
                                   f"{score['score']:g} / {score['max_score']:g}",
                                   Text(score["status"]), Text(score["mistakes"]))
                console.print(detail)
    return 0


def _run_gradescope(args: argparse.Namespace) -> int:
    from rich.text import Text

    from tutor.errors import TutorError
    from tutor.grading.gradescope import build_autograder
    from tutor.grading.loader import load_assignment
    from tutor.render import make_console

    if args.out.is_dir():
        raise TutorError(f"--out {args.out} is a folder; give the zip file to write")
    names = build_autograder(load_assignment(args.assignment), args.out, package=args.package,
                             tensorflow=args.tensorflow)
    shown = [n for n in names if "/" not in n]
    bundled = len(names) - len(shown)
    make_console().print(Text(
        f"wrote {args.out}: {', '.join(shown)}" + (f" and tutor's source ({bundled} files)"
                                                   if bundled else "")
        + "; upload it as the autograder of a Gradescope programming assignment"))
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from tutor.documents import write_atomic
    from tutor.grading.gradebook import Gradebook

    with Gradebook(_gradebook_path(args)) as book:
        if args.out is None:
            book.export_csv(sys.stdout)
        else:
            import io

            buffer = io.StringIO()
            book.export_csv(buffer)
            write_atomic(args.out, buffer.getvalue())
    return 0
