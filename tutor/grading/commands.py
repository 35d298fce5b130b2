"""`tutor grade` and `tutor gradebook`: argument parsing, and a few lines over the grading API.

Only argparse is imported here; everything else inside the run functions (`tutor --help`
stays fast).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers) -> None:
    """Add the `grade` and `gradebook` commands."""
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
    grade.set_defaults(run=_run_grade)

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
    from contextlib import nullcontext

    from tutor.errors import TutorError
    from tutor.grading.gradebook import Gradebook
    from tutor.grading.model import CODE_TYPES
    from tutor.grading.reporters import merge, read_graded, write_reports
    from tutor.grading.sandbox import protections
    from tutor.grading.summary import render
    from tutor.render import make_console

    if args.merge and args.shard:
        raise TutorError("--shard and --merge do not go together")
    console = make_console()
    book = None if args.no_gradebook else Gradebook(_gradebook_path(args))
    with book or nullcontext():
        if args.merge:
            graded = merge([read_graded(Path(p)) for p in [args.assignment, *args.submissions]])
            for result in graded.results:
                if book is not None:
                    book.record(graded.assignment, result)
        else:
            graded = _grade_class(args, book, console)
    written = write_reports(graded, args.out, args.format)
    if not args.quiet:
        render(console, graded.assignment, graded.results)
        if not args.merge and any(q["type"] in CODE_TYPES for q in graded.assignment["questions"]):
            console.print("sandbox: " + "; ".join(protections()), highlight=False)
    console.print("wrote " + ", ".join(str(p) for p in written[:4])
                  + (f" and {len(written) - 4} more" if len(written) > 4 else ""), highlight=False)
    return 0


def _grade_class(args: argparse.Namespace, book, console):
    from tutor.errors import TutorError
    from tutor.grading.grader import grade
    from tutor.grading.loader import load_assignment
    from tutor.grading.reporters import Graded
    from tutor.grading.submissions import collect, shard_of

    assignment = load_assignment(args.assignment)
    if not args.submissions:
        raise TutorError("no submissions given: list the students' folders or files")
    submissions = collect(args.submissions)
    if args.shard:
        k, n = args.shard
        submissions = [s for s in submissions if shard_of(s.student, n) == k - 1]
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
    from rich.markup import escape
    from rich.table import Table

    from tutor.grading.gradebook import Gradebook
    from tutor.render import make_console

    console = make_console()
    with Gradebook(_gradebook_path(args)) as book:
        attempts = book.history(args.student, args.assignment)
        if not attempts:
            console.print("no grades recorded" + (f" for {args.student}" if args.student else ""))
            return 0
        table = Table(title=f"gradebook {book.path}")
        for column in ("student", "assignment", "attempt", "score", "recorded"):
            table.add_column(column)
        for row in attempts:
            table.add_row(escape(row["student"]), escape(row["assignment"]), str(row["attempt"]),
                          f"{row['score']:g} / {row['max_score']:g}", row["recorded_at"])
        console.print(table)
        if args.student:
            for row in attempts:
                detail = Table(title=f"{row['assignment']} attempt {row['attempt']}")
                for column in ("question", "score", "status", "mistakes"):
                    detail.add_column(column)
                for score in book.scores(args.student, row["assignment"], row["attempt"]):
                    detail.add_row(score["question"], f"{score['score']:g} / {score['max_score']:g}",
                                   score["status"], escape(score["mistakes"]))
                console.print(detail)
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from tutor.grading.gradebook import Gradebook
    from tutor.grading.reporters import write_atomic

    with Gradebook(_gradebook_path(args)) as book:
        if args.out is None:
            book.export_csv(sys.stdout)
        else:
            import io

            buffer = io.StringIO()
            book.export_csv(buffer)
            write_atomic(args.out, buffer.getvalue())
    return 0
