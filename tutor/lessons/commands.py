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
from pathlib import Path

from tutor.messages import LANGUAGES, set_language, text


def register(subparsers) -> None:
    """Add list, learn, watch, reset and lint to ``subparsers`` (each sets ``run``)."""
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
    learn.add_argument("--workspace", metavar="DIR",
                       help="where exercise files are written (default: state dir/exercises)")
    learn.set_defaults(run=run_learn)

    watch = subparsers.add_parser("watch", help="re-check exercise files on every save")
    watch.add_argument("target", nargs="?",
                       help="an exercise file, exercise name or lesson (default: every "
                            "exercise file in the workspace)")
    watch.add_argument("--workspace", metavar="DIR", help="the exercises' folder")
    watch.add_argument("--lang", choices=LANGUAGES, help="language (default: as last time)")
    watch.set_defaults(run=run_watch)

    reset = subparsers.add_parser("reset", help="forget the progress of one lesson, or of all")
    reset.add_argument("lesson", nargs="?", help="lesson to forget (default: every lesson)")
    reset.add_argument("--yes", action="store_true", help="erase every lesson without asking")
    reset.set_defaults(run=run_reset)


def default(args: argparse.Namespace) -> int:
    """``tutor`` alone: the lesson menu in a terminal (Enter starts or continues the lesson
    chosen), the table of ``tutor list`` elsewhere."""
    from tutor.lessons import menu
    from tutor.lessons.catalog import catalog

    store = _store(getattr(args, "lang", None))
    infos = catalog()
    lang = getattr(args, "lang", None)  # `tutor --lang zh`: this language, remembered
    if not (infos and sys.stdin.isatty() and sys.stdout.isatty()):
        return _list(store, infos, _language(lang, store))
    worker = _warm_worker()  # warm while the learner picks
    try:
        chosen = menu.pick(menu.rows(infos, store), _language(lang, store))
        if chosen is None:
            return 0
        return _learn(argparse.Namespace(lesson=chosen, lang=lang, restart=False, step=None,
                                         retry=False, answers=None, auto=False, save=False,
                                         out=None, workspace=None), store, worker)
    finally:
        worker.stop(wait=False)  # the tutor exits next: don't wait for the killed processes


def _warm_worker():
    """A code worker already importing torch, and TensorFlow when it is installed, in the
    background: started first, before SymPy is loaded and the lesson read (``_learn`` then
    stops the processes the lesson does not need and tells the others what it imports)."""
    import importlib.util

    from tutor.lessons.snippets import CodeWorker

    worker = CodeWorker()
    worker.warm(*[name for name in ("torch", "tensorflow") if importlib.util.find_spec(name)])
    return worker


def _console():
    from tutor.render import make_console

    return make_console()


def _store(requested_lang: str | None = None):
    """The learner's progress, with a warning on stderr (in ``requested_lang``, else as LANG
    says) if the file had to be set aside."""
    from tutor.lessons.progress import ProgressStore
    from tutor.lessons.ui import detect_language

    set_language(detect_language(requested_lang))
    store = ProgressStore()
    if store.warning:
        print(text("cli_warning", warning=store.warning), file=sys.stderr)
    return store


def _language(requested: str | None, store) -> str:
    from tutor.lessons.ui import detect_language

    remembered = store.setting("lang")
    lang = requested or (remembered if remembered in LANGUAGES else None) or detect_language()
    set_language(lang)  # what follows, errors included, is in this language
    return lang


def run_list(args: argparse.Namespace | None) -> int:
    from tutor.lessons.catalog import catalog

    store = _store(getattr(args, "lang", None))
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
    worker = _warm_worker()  # first: most lessons have code steps (stopped if this one has none)
    try:
        return _learn(args, _store(args.lang), worker)
    finally:
        worker.stop(wait=False)  # the tutor exits next: don't wait for the killed processes


def _learn(args: argparse.Namespace, store, worker) -> int:
    from rich.text import Text

    from tutor.errors import LessonError
    from tutor.lessons.catalog import catalog, find_lesson
    from tutor.lessons.lint import formula_problems
    from tutor.lessons.progress import ProgressStore
    from tutor.lessons.runner import Options, Runner, review_start
    from tutor.lessons.schema import load_lesson
    from tutor.lessons.steps.code import frameworks_to_run, warm_for
    from tutor.lessons.ui import say

    lang = _language(args.lang, store)
    infos = catalog()
    lesson = load_lesson(find_lesson(args.lesson, infos))
    worker.keep(*frameworks_to_run(lesson.steps))  # stop what no snippet of it needs
    warm_for(worker, lesson.steps)  # what its snippets need besides; before anything is printed
    problems = formula_problems(lesson)
    if problems:
        raise problems[0].as_error()
    scripted = args.auto or args.answers or not sys.stdin.isatty()
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
            raise LessonError(text("no_such_step", lesson=lesson.id, step=args.step,
                                   steps=", ".join(step.id for step in lesson.steps)))
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
    ids = [info.id for info in infos]
    following = ids[ids.index(lesson.id) + 1] if lesson.id in ids[:-1] else None
    cap = os.environ.get("TUTOR_MAX_DESCENT_STEPS")
    options = Options(lang=lang, prompter=prompter, next_lesson=following,
                      out_dir=out_dir, only=frozenset(retry) if retry else None,
                      workspace=Path(args.workspace) if args.workspace else None,
                      descent_cap=int(cap) if cap and cap.isdigit() and int(cap) > 0 else None)
    console.rule(Text(lesson.title.get(lang), style="bold"))
    console.print(Text(lesson.summary.get(lang), style="italic"))
    return Runner(lesson, store, console, options, worker=worker).run(start)


def _watched(target: str | None, folder, lang: str):
    """The exercise files ``tutor watch`` checks: a file, an exercise, a lesson's exercises
    (their files written in ``lang`` when missing), or every exercise file in the workspace."""
    from tutor.errors import TutorError
    from tutor.lessons.catalog import find_lesson
    from tutor.lessons.exercises import EXERCISES
    from tutor.lessons.schema import load_lesson
    from tutor.lessons.workspace import exercise_for, write_exercise

    if target is None:
        found = [folder / e.file_name for e in EXERCISES.values() if (folder / e.file_name).exists()]
        if not found:
            raise TutorError(text("watch_no_files", folder=folder))
        return found
    if target.endswith(".py"):
        path = Path(target)
        exercise_for(path)
        if not path.is_file():
            raise TutorError(text("watch_no_file", path=path))
        return [path]
    if target in EXERCISES:
        return [write_exercise(EXERCISES[target], folder, lang=lang)]
    lesson = load_lesson(find_lesson(target))
    names = [step.exercise for step in lesson.steps if step.kind == "exercise"]
    if not names:
        raise TutorError(text("watch_no_exercises", lesson=lesson.id))
    return [write_exercise(EXERCISES[name], folder, lang=lang) for name in names]


def _stamp(path: Path) -> tuple[int, int] | None:
    """When ``path`` was last written, and its size (None while it is missing)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def run_watch(args: argparse.Namespace) -> int:
    """Check each file now, then again within a second of every save, until Ctrl-C."""
    from rich.text import Text
    from watchfiles import watch

    from tutor.lessons.workspace import ExerciseChecker, exercise_for, workspace_dir

    lang = _language(args.lang, _store(args.lang))
    paths = [p.resolve() for p in _watched(args.target, workspace_dir(args.workspace), lang)]
    console = _console()

    def verdict(path) -> None:
        result = checker.check(exercise_for(path), path)
        console.print(Text(text("watch_passed" if result.correct else "watch_not_yet",
                                file=path.name),
                           style="bold green" if result.correct else "bold red"))
        console.print(Text(result.message))
        console.file.flush()  # a verdict is seen at once, also through a pipe

    with ExerciseChecker() as checker:
        for path in paths:
            verdict(path)
        stamps = {path: _stamp(path) for path in paths}
        announced = False
        try:  # the watcher wakes at a save; every 0.25 s it also yields, and stamps are compared
            for _ in watch(*{p.parent for p in paths}, debounce=50, step=20,
                           rust_timeout=250, yield_on_timeout=True):
                if not announced:  # the watcher is running now: saves from here are seen
                    console.print(Text(text("watch_watching",
                                            files=", ".join(p.name for p in paths)),
                                       style="dim"))
                    console.file.flush()
                    announced = True
                for path in paths:
                    stamp = _stamp(path)
                    if stamp is not None and stamp != stamps[path]:
                        stamps[path] = stamp
                        verdict(path)
        except KeyboardInterrupt:
            return 0
    return 0


def _plot_dir(out: str | None, lesson, store):
    """Where plots go; when the lesson draws any, the directory is made now, so that a bad
    ``--out`` fails before the first step, not at the plot (TutorError, one line)."""
    from tutor.errors import TutorError
    from tutor.lessons.progress import state_dir

    directory = Path(out) if out else state_dir() / "plots"
    if any(getattr(step, "plot", None) for step in lesson.steps):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TutorError(text("plot_dir_unusable", directory=directory,
                                  why=error.strerror)) from None
        if not os.access(directory, os.W_OK):
            raise TutorError(text("plot_dir_unusable", directory=directory,
                                  why=text("not_writable")))
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
            raise TutorError(text("answers_unreadable", path=args.answers,
                                  why=error.strerror)) from None
        return ScriptedPrompter(lines, echo)
    if not sys.stdin.isatty():
        return ScriptedPrompter(sys.stdin, echo)
    return TerminalPrompter(editor=sys.stdout.isatty())


def run_reset(args: argparse.Namespace) -> int:
    from tutor.errors import TutorError
    from tutor.lessons.catalog import find_lesson
    from tutor.lessons.schema import load_lesson
    from tutor.lessons.ui import say

    store = _store(getattr(args, "lang", None))
    lang = _language(None, store)
    store.check_writable()
    if args.lesson:
        lesson_id = load_lesson(find_lesson(args.lesson)).id
        store.forget(lesson_id)
        message = say("reset_one", lang, lesson=lesson_id)
    else:
        if not args.yes:
            if not sys.stdin.isatty():
                raise TutorError(text("reset_needs_yes"))
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
