"""Walk a learner through a lesson, one step at a time, saving progress after every step.

Each step is played by its kind (:data:`tutor.lessons.steps.KINDS`); the runner gives the
kinds what they share: the console, the learner's language, the lesson's math, the prompt,
the work done ahead (:mod:`.ahead`: started with the run, from the step it starts at), and
:meth:`Runner.conclude`, which records a step's result. Answers come from a
:class:`~.ui.Prompter` (terminal, scripted lines, or the reference answers for ``--auto``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from tutor.catalogue import MESSAGES
from tutor.lessons import display, model
from tutor.lessons.ahead import Ahead
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.progress import ProgressStore
from tutor.lessons.snippets import CodeWorker
from tutor.lessons.steps import KINDS, PASSED
from tutor.lessons.steps.code import expected_ahead, warm_for
from tutor.lessons.ui import Prompter, say
from tutor.messages import language

# Step kinds that run torch in this process (the others import nothing heavy): torch is
# imported ahead, as soon as the lesson starts, not when such a step is reached.
_TORCH_KINDS = ("compute", "descend")


class _Move(Exception):
    """The learner typed back or quit."""

    def __init__(self, where: str):
        self.where = where


@dataclass
class Options:
    lang: str
    prompter: Prompter
    out_dir: Path
    descent_cap: int | None = None  # tests: shorten descents (their end checks are then skipped)
    next_lesson: str | None = None
    only: frozenset[str] | None = None  # --retry: play only these steps
    workspace: Path | None = None  # where exercise files go (default: workspace_dir())


@dataclass
class Runner:
    lesson: model.Lesson
    store: ProgressStore
    console: Console
    options: Options
    worker: CodeWorker | None = None  # give one to share it between runs; else the run owns one
    math: LessonMath = field(init=False)
    ahead: Ahead = field(init=False)  # work done in the background from the start of a run
    results: dict[str, Any] = field(init=False, default_factory=dict)  # by step id, for later steps
    statuses: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.owns_worker = self.worker is None
        self.worker = self.worker or CodeWorker()
        self.math = LessonMath(self.lesson)
        self.ahead = Ahead({})
        self.lang = self.options.lang
        self.prompter = self.options.prompter

    # ------------------------------------------------------------ the loop

    def run(self, start: int = 0) -> int:
        """Play from step ``start``; the exit code (scripted: 0 only if every step passed).
        Everything printed meanwhile, the checker's words included, is in the learner's language."""
        with language(self.lang):
            return self._play(start)

    def _play(self, start: int) -> int:
        steps = self.lesson.steps
        order = [i for i, step in enumerate(steps)
                 if self.options.only is None or step.id in self.options.only]
        self._prepare([steps[i] for i in order if i >= start])
        position, index = next((n for n, i in enumerate(order) if i >= start), len(order)), start
        try:
            while position < len(order):
                index = order[position]
                step = steps[index]
                self.store.at(self.lesson.id, step.id)
                self.store.save()
                self.console.rule(Text(f"{index + 1}/{len(steps)}  {step.id}", style="bold cyan"),
                                  align="left")
                try:
                    KINDS[step.kind].play(self, step)
                except _Move as move:
                    if move.where == "quit":
                        self.note("saved_quit", lesson=self.lesson.id)
                        return 0 if self.prompter.interactive else 1
                    position = max(position - 1, 0)
                    continue
                position += 1
            self.store.finish(self.lesson.id)
            self.store.save()
            return self._summary()
        except KeyboardInterrupt:
            self.store.save()
            self.console.print()
            self.note("interrupted", lesson=self.lesson.id)
            return 130
        except EOFError:  # Ctrl-D in a terminal, or the end of the scripted answers
            self.store.save()
            self.console.print()
            if self.prompter.interactive:
                self.note("interrupted", lesson=self.lesson.id)
                return 0
            self.note("input_ended", step=index + 1)
            return 1
        finally:
            if self.owns_worker:
                self.worker.stop(wait=False)  # the run ends: don't wait for the killed processes

    def _prepare(self, ahead: list[model.Step]) -> None:
        """Start, in the background, what the steps ``ahead`` will need while the learner
        reads: the snippet processes' imports, torch's import here, the expected values."""
        warm_for(self.worker, ahead)
        work = {}
        if any(step.kind in _TORCH_KINDS for step in ahead):
            work["import torch"] = lambda: importlib.import_module("torch")
        self.ahead = Ahead({**work, **expected_ahead(self.math, ahead)})

    def _summary(self) -> int:
        recorded = self.store.lesson(self.lesson.id)["steps"]
        passed = sum(recorded.get(step.id) == PASSED for step in self.lesson.steps)
        total = len(self.lesson.steps)
        self.console.rule()
        self.console.print(Text(say("done", self.lang, passed=passed, total=total), style="bold"))
        missed = self.store.to_retry(self.lesson.id)  # failed, skipped or solution shown
        if missed:
            self.note("not_passed", steps=", ".join(missed), lesson=self.lesson.id)
        if self.options.next_lesson:
            self.note("next_lesson", lesson=self.options.next_lesson)
        if self.prompter.interactive:
            return 0
        return 0 if all(status == PASSED for status in self.statuses.values()) else 1

    # ------------------------------------------------------------ helpers

    def note(self, key: str, style: str = "", **values) -> None:
        """Print the runner's message ``key`` in the learner's language (its ``_unsaved`` form,
        if it has one, when the run is not recorded)."""
        if not self.store.keep and f"{key}_unsaved" in MESSAGES:
            key = f"{key}_unsaved"
        self.console.print(Text(say(key, self.lang, **values), style=style))

    def text(self, text: model.Text | None) -> None:
        if text is not None:
            display.markdown(self.console, text.get(self.lang))

    def prompt(self, message: str, reference: str | None = None) -> str:
        return self.prompter.ask(message, reference)

    def pause(self, offer_solution: bool = False) -> str:
        """In a terminal, wait for Enter (or back / quit / solution); returns what was typed."""
        if not self.prompter.interactive:
            return ""
        key = "continue_solution" if offer_solution else "continue"
        while True:
            typed = self.prompt(f"{say(key, self.lang)} ").strip().lower()
            if typed in ("back", "quit"):
                raise _Move(typed)
            if typed == "" or (offer_solution and typed == "solution"):
                return typed

    def leave(self, step: model.Step, command: str) -> str:
        """``skip`` concludes the step; ``back`` and ``quit`` move away from it."""
        if command != "skip":
            raise _Move(command)
        self.note("skipped")
        return self.conclude(step, "skipped", pause=False)

    def conclude(self, step: model.Step, status: str, reveal: Callable[[], None] | None = None,
                 *, pause: bool = True) -> str:
        """Save the step's result now, then (in a terminal) wait; with ``reveal`` the learner
        may then ask for the solution (a correct answer's reference and its derivation)."""
        self.statuses[step.id] = status
        self.store.record(self.lesson.id, step.id, status)
        following = self.lesson.step_index(step.id) + 1
        if following < len(self.lesson.steps):
            self.store.at(self.lesson.id, self.lesson.steps[following].id)
        self.store.save()
        if pause and self.pause(offer_solution=reveal is not None) == "solution":
            reveal()
            self.pause()
        return status


def review_start(lesson: model.Lesson, recorded: dict[str, str], prompter: Prompter,
                 console: Console, lang: str) -> int:
    """Where a review of a finished lesson starts: the step the learner names (its number or
    id), or on Enter the first step not passed (the first step if all passed)."""
    ids = [step.id for step in lesson.steps]
    default = next((n for n, step_id in enumerate(ids) if recorded.get(step_id) != PASSED), 0)
    console.print(Text(say("review", lang)))
    while True:
        try:
            typed = prompter.ask(say("review_from", lang, total=len(ids), n=default + 1,
                                     step=ids[default])).strip()
        except EOFError:  # Ctrl-D: leave, as Ctrl-C does
            raise KeyboardInterrupt from None
        if not typed:
            return default
        if typed.isdigit() and 1 <= int(typed) <= len(ids):
            return int(typed) - 1
        if typed in ids:
            return ids.index(typed)
        console.print(Text(say("review_help", lang, total=len(ids))))
