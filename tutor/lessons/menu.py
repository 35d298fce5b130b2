"""The lessons with the learner's progress: the table of `tutor list` and the menu of `tutor`.

Both show a progress bar per lesson and the lessons finished overall. The menu (a terminal
only) is prompt_toolkit's choice list: arrow keys or a lesson's number, Enter to start, q or
Escape to leave.

>>> bar(3, 12, width=8)
'██░░░░░░'
"""

from __future__ import annotations

from dataclasses import dataclass

from tutor.lessons.catalog import LessonInfo
from tutor.lessons.progress import ProgressStore
from tutor.lessons.ui import say

PASSED = "passed"


@dataclass(frozen=True)
class Row:
    """One lesson as the learner stands in it."""

    info: LessonInfo
    passed: int
    finished: bool
    started: bool
    last: bool

    @property
    def total(self) -> int:
        return len(self.info.step_ids)

    def progress(self, lang: str) -> str:
        """``████░░░░░░ 4/11 passed`` (``finished`` added), ``-`` if never started."""
        if self.info.problem:
            return self.info.problem
        if not (self.started or self.finished):
            return "-"
        passed = say("steps_passed", lang, done=self.passed, total=self.total)
        text = f"{bar(self.passed, self.total)} {passed}"
        return say("progress_finished", lang, progress=text) if self.finished else text

    def gauge(self) -> str:
        """``████░░░░░░  4/11 ✓``: the menu's short form (✓ finished)."""
        mark = "✓" if self.finished else " "
        return f"{bar(self.passed, self.total)} {self.passed:>2}/{self.total:<2} {mark}"


def bar(done: int, total: int, width: int = 10) -> str:
    """A bar of ``width`` cells, ``done / total`` of them full."""
    full = round(width * done / total) if total else 0
    return "█" * full + "░" * (width - full)


def rows(infos: list[LessonInfo], store: ProgressStore) -> list[Row]:
    result = []
    for info in infos:
        entry = store.lesson(info.id)
        passed = sum(entry["steps"].get(step) == PASSED for step in info.step_ids)
        started = bool(entry["steps"] or entry["position"])
        result.append(Row(info, passed, entry["finished"], started, info.id == store.last))
    return result


def overall(lesson_rows: list[Row], lang: str) -> str:
    """``███░░░░░░░ 3/12 lessons finished``."""
    done = sum(row.finished for row in lesson_rows)
    total = len(lesson_rows)
    return f"{bar(done, total)} {say('lessons_done', lang, done=done, total=total)}"


def suggested(lesson_rows: list[Row]) -> str:
    """The lesson to take next: the last one if unfinished, else the first unfinished one."""
    for row in lesson_rows:
        if row.last and not row.finished:
            return row.info.id
    return next((row.info.id for row in lesson_rows if not row.finished), lesson_rows[0].info.id)


def table(lesson_rows: list[Row], lang: str):
    """The rich table of `tutor list`; ``*`` marks the lesson taken last."""
    from rich.table import Table

    grid = Table(show_edge=False, pad_edge=False, header_style="bold")
    for key in ("#", "column_lesson", "column_title", "column_progress"):
        grid.add_column(key if key == "#" else say(key, lang))
    for row in lesson_rows:
        grid.add_row(f"{row.info.order}{'*' if row.last else ''}", row.info.id,
                     row.info.title.get(lang), row.progress(lang))
    return grid


def pick(lesson_rows: list[Row], lang: str) -> str | None:
    """The id of the lesson chosen in the menu, or None when the learner leaves."""
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.shortcuts import choice
    from rich.cells import cell_len

    leave = KeyBindings()

    @leave.add("q")
    @leave.add("escape", eager=True)
    def _leave(event) -> None:
        event.app.exit(result=None)

    width = max(cell_len(row.info.id) for row in lesson_rows) + 2
    options = [(row.info.id, f"{row.gauge()}  {row.info.id}{' ' * (width - cell_len(row.info.id))}"
                             f"{row.info.title.get(lang)}") for row in lesson_rows]
    message = f"{overall(lesson_rows, lang)}\n{say('menu', lang)}"
    return choice(message, options=options, default=suggested(lesson_rows), key_bindings=leave)
