"""The lesson commands: ``tutor list``, ``learn``, ``reset``, ``lint``, and plain ``tutor``.

:func:`register` adds them to the CLI's subparsers; :func:`default` runs when ``tutor`` is
called without a command. Nothing heavy is imported at module level (``tutor --help`` stays
fast); each command imports what it needs.
"""

from __future__ import annotations

import argparse
import os
import sys


def register(subparsers) -> None:
    """Add list, learn, reset and lint to ``subparsers`` (each sets ``run``)."""
    listing = subparsers.add_parser("list", help="the lessons, with your progress")
    listing.set_defaults(run=run_list)

    learn = subparsers.add_parser("learn", help="take a lesson (continues where you left off)")
    learn.add_argument("lesson", help="lesson id, file name, number, or path to a .yaml file")
    learn.add_argument("--lang", choices=["en", "zh"], help="language (default: from LANG)")
    learn.add_argument("--restart", action="store_true", help="start again from the first step")
    learn.add_argument("--step", metavar="ID", help="start at this step")
    learn.add_argument("--answers", metavar="FILE",
                       help="scripted: read answers from FILE, one per line; print a transcript")
    learn.add_argument("--auto", action="store_true",
                       help="play every step with its reference answer (a demo)")
    learn.add_argument("--out", metavar="DIR", help="where plots are saved (default: state dir)")
    learn.set_defaults(run=run_learn)

    reset = subparsers.add_parser("reset", help="forget the progress of one lesson, or of all")
    reset.add_argument("lesson", nargs="?", help="lesson to forget (default: every lesson)")
    reset.set_defaults(run=run_reset)


def default(args: argparse.Namespace) -> int:
    """``tutor`` alone: continue the last unfinished lesson in a terminal, else list lessons."""
    from tutor.lessons.progress import ProgressStore

    store = ProgressStore()
    last = store.last
    if last and sys.stdin.isatty() and not store.lesson(last)["finished"]:
        return run_learn(argparse.Namespace(lesson=last, lang=None, restart=False, step=None,
                                            answers=None, auto=False, out=None))
    return run_list(args)


def _console():
    from tutor.render import make_console

    return make_console()


def _warn(store) -> None:
    if store.warning:
        print(f"tutor: warning: {store.warning}", file=sys.stderr)


def run_list(args: argparse.Namespace) -> int:
    from rich.table import Table

    from tutor.lessons.catalog import catalog
    from tutor.lessons.progress import ProgressStore
    from tutor.lessons.ui import detect_language, show

    lang = detect_language(getattr(args, "lang", None))
    store = ProgressStore()
    _warn(store)
    infos = catalog()
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    for column in ("#", "lesson", "title", "progress"):
        table.add_column(column)
    for info in infos:
        entry = store.lesson(info.id)
        done = sum(entry["steps"].get(step) == "passed" for step in info.step_ids)
        if info.problem:
            progress = info.problem
        elif entry["finished"]:
            progress = f"finished ({done}/{len(info.step_ids)} passed)"
        elif entry["steps"] or entry["position"]:
            progress = f"{done}/{len(info.step_ids)} passed"
        else:
            progress = "-"
        marker = "*" if info.id == store.last else ""
        table.add_row(f"{info.order}{marker}", info.id, info.title.get(lang), progress)
    console = _console()
    if not infos:
        console.print("No lessons found (set TUTOR_LESSONS to a directory of lesson files).")
        return 1
    show(console, table)
    first = next((i.id for i in infos if not store.lesson(i.id)["finished"]), infos[0].id)
    console.print(f"\nStart or continue with: tutor learn {first}")
    return 0


def run_learn(args: argparse.Namespace) -> int:
    from pathlib import Path

    from rich.text import Text

    from tutor.errors import LessonError
    from tutor.lessons.catalog import catalog, find_lesson
    from tutor.lessons.lint import formula_problems
    from tutor.lessons.progress import ProgressStore, state_dir
    from tutor.lessons.runner import Options, Runner
    from tutor.lessons.schema import load_lesson
    from tutor.lessons.ui import detect_language, say

    lesson = load_lesson(find_lesson(args.lesson))
    problems = formula_problems(lesson)
    if problems:
        raise problems[0].as_error()
    store = ProgressStore()
    _warn(store)
    lang = detect_language(args.lang)
    console = _console()
    scripted = args.auto or args.answers or not sys.stdin.isatty()
    start = 0
    if args.step:
        start = lesson.step_index(args.step)
        if start is None:
            raise LessonError(f"lesson {lesson.id!r} has no step {args.step!r}; its steps are: "
                              f"{', '.join(step.id for step in lesson.steps)}")
    elif args.restart:
        store.forget(lesson.id)
    elif not scripted:
        entry = store.lesson(lesson.id)
        if entry["finished"]:
            console.print(Text(say("review", lang)))
        elif entry["position"] and lesson.step_index(entry["position"]) is not None:
            start = lesson.step_index(entry["position"])
            console.print(Text(say("resuming", lang, n=start + 1, total=len(lesson.steps))))
    ids = [info.id for info in catalog()]
    following = ids[ids.index(lesson.id) + 1] if lesson.id in ids[:-1] else None
    cap = os.environ.get("TUTOR_MAX_DESCENT_STEPS")
    options = Options(lang=lang, prompter=_prompter(args, console), next_lesson=following,
                      out_dir=Path(args.out) if args.out else state_dir() / "plots",
                      descent_cap=int(cap) if cap and cap.isdigit() and int(cap) > 0 else None)
    console.rule(Text(lesson.title.get(lang), style="bold"))
    console.print(Text(lesson.summary.get(lang), style="italic"))
    return Runner(lesson, store, console, options).run(start)


def _prompter(args: argparse.Namespace, console):
    from rich.text import Text

    from tutor.lessons.ui import AutoPrompter, ScriptedPrompter, TerminalPrompter

    def echo(line: str) -> None:
        console.print(Text(line, style="bold"))

    if args.auto:
        return AutoPrompter(echo)
    if args.answers:
        from tutor.errors import TutorError

        try:
            with open(args.answers, encoding="utf-8") as stream:
                lines = stream.read().splitlines()
        except OSError as error:
            raise TutorError(f"cannot read the answers file {args.answers}: {error.strerror}") from None
        return ScriptedPrompter(lines, echo)
    if not sys.stdin.isatty():
        return ScriptedPrompter(sys.stdin, echo)
    return TerminalPrompter(lambda prompt: console.input(Text(prompt, style="bold")))


def run_reset(args: argparse.Namespace) -> int:
    from tutor.lessons.catalog import find_lesson
    from tutor.lessons.progress import ProgressStore
    from tutor.lessons.schema import load_lesson

    store = ProgressStore()
    _warn(store)
    if args.lesson:
        lesson_id = load_lesson(find_lesson(args.lesson)).id
        store.forget(lesson_id)
        message = f"Forgot your progress in {lesson_id}."
    else:
        store.forget()
        message = "Forgot your progress in every lesson."
    store.save()
    print(message)
    return 0


def run_lint(args: argparse.Namespace, other_kinds=()) -> int:
    """Print every problem in ``args.paths`` (lessons, and files ``other_kinds`` claim)."""
    from tutor.lessons.lint import expand_paths, lint_paths

    files = list(expand_paths(args.paths or None))
    problems = lint_paths(files, other_kinds)
    for problem in problems:
        print(problem)
    count = f"{len(files)} file{'s' if len(files) != 1 else ''}"
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {count}.")
        return 1
    print(f"Checked {count}: no problems.")
    return 0
