"""The lesson commands: ``tutor list``, ``learn``, ``reset``, ``lint``, and plain ``tutor``.

:func:`register` adds them to the CLI's subparsers; :func:`default` runs when ``tutor`` is
called without a command: in a terminal the lesson menu, else the table of ``tutor list``.
Scripted runs (``--auto``, ``--answers``, answers piped in) leave the learner's progress alone
unless ``--save`` is given. The language is ``--lang``, else the one remembered from the last
``--lang``, else LANG. Nothing heavy is imported at module level (``tutor --help`` stays
fast); each command imports what it needs.
"""

from __future__ import annotations

import argparse
import os
import sys

LANGUAGES = ("en", "zh")


def register(subparsers) -> None:
    """Add list, learn, reset and lint to ``subparsers`` (each sets ``run``)."""
    listing = subparsers.add_parser("list", help="the lessons, with your progress")
    listing.add_argument("--lang", choices=LANGUAGES, help="language (default: as last time)")
    listing.set_defaults(run=run_list)

    learn = subparsers.add_parser("learn", help="take a lesson (continues where you left off)")
    learn.add_argument("lesson", help="lesson id, file name, number, or path to a .yaml file")
    learn.add_argument("--lang", choices=LANGUAGES,
                       help="language, remembered for next time (default: as last time, else LANG)")
    learn.add_argument("--restart", action="store_true", help="start again from the first step")
    learn.add_argument("--step", metavar="ID", help="start at this step")
    learn.add_argument("--retry", action="store_true",
                       help="play only the steps you failed, skipped or saw the solution of")
    learn.add_argument("--answers", metavar="FILE",
                       help="scripted: read answers from FILE, one per line; print a transcript")
    learn.add_argument("--auto", action="store_true",
                       help="play every step with its reference answer (a demo)")
    learn.add_argument("--save", action="store_true",
                       help="record a scripted or --auto run in your progress "
                            "(default: left alone)")
    learn.add_argument("--out", metavar="DIR", help="where plots are saved (default: state dir)")
    learn.set_defaults(run=run_learn)

    reset = subparsers.add_parser("reset", help="forget the progress of one lesson, or of all")
    reset.add_argument("lesson", nargs="?", help="lesson to forget (default: every lesson)")
    reset.add_argument("--yes", action="store_true", help="erase every lesson without asking")
    reset.set_defaults(run=run_reset)


def default(args: argparse.Namespace) -> int:
    """``tutor`` alone: the lesson menu in a terminal (Enter starts or continues the lesson
    chosen), the table of ``tutor list`` elsewhere."""
    from tutor.lessons import menu
    from tutor.lessons.catalog import catalog

    store = _store()
    infos = catalog()
    if not (infos and sys.stdin.isatty() and sys.stdout.isatty()):
        return _list(store, infos, _language(None, store))
    chosen = menu.pick(menu.rows(infos, store), _language(None, store))
    if chosen is None:
        return 0
    return _learn(argparse.Namespace(lesson=chosen, lang=None, restart=False, step=None,
                                     retry=False, answers=None, auto=False, save=False, out=None),
                  store)


def _console():
    from tutor.render import make_console

    return make_console()


def _store():
    """The learner's progress, with a warning on stderr if the file had to be set aside."""
    from tutor.lessons.progress import ProgressStore

    store = ProgressStore()
    if store.warning:
        print(f"tutor: warning: {store.warning}", file=sys.stderr)
    return store


def _language(requested: str | None, store) -> str:
    from tutor.lessons.ui import detect_language

    remembered = store.setting("lang")
    return requested or (remembered if remembered in LANGUAGES else None) or detect_language()


def run_list(args: argparse.Namespace | None) -> int:
    from tutor.lessons.catalog import catalog

    store = _store()
    return _list(store, catalog(), _language(getattr(args, "lang", None), store))


def _list(store, infos, lang: str) -> int:
    from tutor.lessons import menu
    from tutor.lessons.ui import say, show

    console = _console()
    if not infos:
        console.print(say("no_lessons", lang))
        return 1
    lesson_rows = menu.rows(infos, store)
    show(console, menu.table(lesson_rows, lang))
    console.print(menu.overall(lesson_rows, lang))
    if store.last:
        console.print(say("last_marker", lang))
    console.print(say("next_lesson", lang, lesson=menu.suggested(lesson_rows)))
    return 0


def run_learn(args: argparse.Namespace) -> int:
    return _learn(args, _store())


def _learn(args: argparse.Namespace, store) -> int:
    from rich.text import Text

    from tutor.errors import LessonError
    from tutor.lessons.catalog import catalog, find_lesson
    from tutor.lessons.lint import formula_problems
    from tutor.lessons.progress import ProgressStore
    from tutor.lessons.runner import Options, Runner, review_start
    from tutor.lessons.schema import load_lesson
    from tutor.lessons.ui import say

    lesson = load_lesson(find_lesson(args.lesson))
    problems = formula_problems(lesson)
    if problems:
        raise problems[0].as_error()
    scripted = args.auto or args.answers or not sys.stdin.isatty()
    lang = _language(args.lang, store)
    retry = store.to_retry(lesson.id) if args.retry else None
    if scripted and not args.save:
        store = ProgressStore.scratch()
    store.check_writable()
    if args.lang and store.keep:
        store.remember("lang", args.lang)
    out_dir = _plot_dir(args.out, lesson, store)
    console = _console()
    prompter = _prompter(args, console)
    start = 0
    if args.step:
        start = lesson.step_index(args.step)
        if start is None:
            raise LessonError(f"lesson {lesson.id!r} has no step {args.step!r}; its steps are: "
                              f"{', '.join(step.id for step in lesson.steps)}")
    elif retry is not None:
        if not retry:
            console.print(Text(say("nothing_to_retry", lang, lesson=lesson.id)))
            return 0
        console.print(Text(say("retrying", lang, n=len(retry), steps=", ".join(retry))))
    elif args.restart:
        store.forget(lesson.id)
    elif not scripted:
        entry = store.lesson(lesson.id)
        if entry["finished"]:
            start = review_start(lesson, entry["steps"], prompter, console, lang)
        elif entry["position"] and lesson.step_index(entry["position"]) is not None:
            start = lesson.step_index(entry["position"])
            console.print(Text(say("resuming", lang, n=start + 1, total=len(lesson.steps))))
    ids = [info.id for info in catalog()]
    following = ids[ids.index(lesson.id) + 1] if lesson.id in ids[:-1] else None
    cap = os.environ.get("TUTOR_MAX_DESCENT_STEPS")
    options = Options(lang=lang, prompter=prompter, next_lesson=following,
                      out_dir=out_dir, only=frozenset(retry) if retry else None,
                      descent_cap=int(cap) if cap and cap.isdigit() and int(cap) > 0 else None)
    console.rule(Text(lesson.title.get(lang), style="bold"))
    console.print(Text(lesson.summary.get(lang), style="italic"))
    return Runner(lesson, store, console, options).run(start)


def _plot_dir(out: str | None, lesson, store):
    """Where plots go; when the lesson draws any, the directory is made now, so that a bad
    ``--out`` fails before the first step, not at the plot (TutorError, one line)."""
    from pathlib import Path

    from tutor.errors import TutorError
    from tutor.lessons.progress import state_dir

    directory = Path(out) if out else state_dir() / "plots"
    if any(getattr(step, "plot", None) for step in lesson.steps):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TutorError(f"cannot save this lesson's plots in {directory}: {error.strerror} "
                             "(give a directory you can write with --out)") from None
        if not os.access(directory, os.W_OK):
            raise TutorError(f"cannot save this lesson's plots in {directory}: not writable "
                             "(give a directory you can write with --out)")
    return directory


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
    return TerminalPrompter(editor=sys.stdout.isatty())


def run_reset(args: argparse.Namespace) -> int:
    from tutor.errors import TutorError
    from tutor.lessons.catalog import find_lesson
    from tutor.lessons.schema import load_lesson
    from tutor.lessons.ui import say

    store = _store()
    lang = _language(None, store)
    store.check_writable()
    if args.lesson:
        lesson_id = load_lesson(find_lesson(args.lesson)).id
        store.forget(lesson_id)
        message = say("reset_one", lang, lesson=lesson_id)
    else:
        if not args.yes:
            if not sys.stdin.isatty():
                raise TutorError("`tutor reset` without a lesson erases the progress of every "
                                 "lesson: add --yes to do that, or name one lesson")
            try:
                answer = input(say("reset_ask", lang))
            except EOFError:
                answer = ""
            if answer.strip().lower() not in ("y", "yes", "是"):
                print(say("reset_kept", lang))
                return 0
        store.forget()
        message = say("reset_all", lang)
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
