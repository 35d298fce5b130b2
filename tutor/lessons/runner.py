"""Walk a learner through a lesson, one step at a time, saving progress after every step.

The runner is a thin consumer of the public API: answers are judged by :mod:`.answers`
(the core checker), numbers come from :mod:`.compute`, :mod:`.code` and :mod:`.descend`,
and :mod:`.display` prints them. Answers come from a :class:`~.ui.Prompter` (terminal,
scripted lines, or the reference answers for ``--auto``).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.text import Text

from tutor.errors import ParseError
from tutor.lessons import display, model
from tutor.lessons.answers import Judge
from tutor.lessons.code import CodeWorker, run_code
from tutor.lessons.compute import compute
from tutor.lessons.descend import Descent, descend
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.progress import ProgressStore
from tutor.lessons.ui import MESSAGES, Prompter, say
from tutor.lowering import tensorflow_installed
from tutor.render import pretty

PASSED = "passed"


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


@dataclass
class Runner:
    lesson: model.Lesson
    store: ProgressStore
    console: Console
    options: Options
    worker: CodeWorker | None = None  # give one to share it between runs; else the run owns one
    math: LessonMath = field(init=False)
    descents: dict[str, Descent] = field(init=False, default_factory=dict)
    statuses: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.owns_worker = self.worker is None
        self.worker = self.worker or CodeWorker()
        self.math = LessonMath(self.lesson)
        self.lang = self.options.lang
        self.prompter = self.options.prompter

    # ------------------------------------------------------------ the loop

    def run(self, start: int = 0) -> int:
        """Play from step ``start``; the exit code (scripted: 0 only if every step passed)."""
        steps = self.lesson.steps
        code_steps = [step for step in steps[start:] if isinstance(step, model.Code)]
        if code_steps:
            self.worker.start()  # torch imports in the background while the learner reads
        if any(step.tensorflow for step in code_steps) and tensorflow_installed():
            self.worker.preload("tensorflow")  # and then TensorFlow, which takes seconds
        order = [i for i, step in enumerate(steps)
                 if self.options.only is None or step.id in self.options.only]
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
                    getattr(self, f"play_{step.kind}")(step)
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
                self.worker.stop()

    def _summary(self) -> int:
        recorded = self.store.lesson(self.lesson.id)["steps"]
        passed = sum(recorded.get(step.id) == PASSED for step in self.lesson.steps)
        total = len(self.lesson.steps)
        self.console.rule()
        self.console.print(Text(say("done", self.lang, passed=passed, total=total), style="bold"))
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

    def _leave(self, step, command: str):
        """``skip`` concludes the step; ``back`` and ``quit`` move away from it."""
        if command != "skip":
            raise _Move(command)
        self.note("skipped")
        return self.conclude(step, "skipped", pause=False)

    def conclude(self, step: model.Step, status: str, judge: Judge | None = None, *,
                 pause: bool = True) -> str:
        """Save the step's result now, then (in a terminal) wait; after a correct answer the
        learner may ask for the reference solution and its derivation."""
        self.statuses[step.id] = status
        self.store.record(self.lesson.id, step.id, status)
        following = self.lesson.step_index(step.id) + 1
        if following < len(self.lesson.steps):
            self.store.at(self.lesson.id, self.lesson.steps[following].id)
        self.store.save()
        if pause and self.pause(offer_solution=judge is not None) == "solution":
            self._reveal(judge)
            self.pause()
        return status

    # ------------------------------------------------------------ say

    def play_say(self, step: model.Say) -> str:
        self.text(step.text)
        for source in step.math:
            formula = self.math.formula(source, f"step {step.id!r}")
            self.console.print(Text(_indent(pretty(formula)), style="bold"))
        self.pause()  # read first: quitting here leaves the step unmarked
        return self.conclude(step, PASSED, pause=False)

    # ------------------------------------------------------------ ask

    def play_ask(self, step: model.Ask) -> str:
        judge = Judge(self.math, step)
        self.text(step.text)
        tries, hints = step.tries, list(step.hints)
        shown_hints = 0
        while True:
            line = self.prompt(say("answer_prompt", self.lang), step.solution.text).strip()
            command = line.lower()
            if command in ("back", "quit", "skip"):
                return self._leave(step, command)
            if command == "hint":
                shown_hints = self._hint(hints, shown_hints, always=True)
                continue
            if command == "solution":
                self._reveal(judge)
                return self.conclude(step, "seen")
            if command in ("help", "?") or not line:
                self.note("commands")
                continue
            try:
                answer = judge.read(line)
            except ParseError as error:
                self.note("unreadable_answer", style="yellow", error=error)
                self.note("unreadable")
                continue
            verdict = judge.verdict(answer)
            if verdict.correct:
                self.console.print(Text(say("correct", self.lang), style="bold green"))
                if not self.prompter.interactive:  # a transcript: the reference, or (auto) how
                    auto = self.prompter.plays_reference
                    self._reveal(judge, reference=not auto, derivation=auto and judge.at is None)
                return self.conclude(step, PASSED, judge)
            self.console.print(Text(verdict.message, style="red"))
            example = judge.known_wrong(answer)
            if example is not None and example.feedback is not None:
                self.console.print(Text(example.feedback.get(self.lang), style="yellow"))
            tries -= 1
            if tries == 0:
                self.note("out_of_tries", answer=judge.step.solution.text)
                self._reveal(judge, reference=False)
                return self.conclude(step, "failed")
            shown_hints = self._hint(hints, shown_hints, always=False)
            self.note("tries_left", n=tries)

    def _hint(self, hints: list[model.Text], shown: int, always: bool) -> int:
        if shown < len(hints):
            self.console.print(Text(say("hint", self.lang, n=shown + 1, text=hints[shown].get(self.lang)),
                                    style="cyan"))
            return shown + 1
        if always:
            self.note("no_more_hints")
        return shown

    def _reveal(self, judge: Judge, *, reference: bool = True, derivation: bool = True) -> None:
        if reference:
            self.note("reference", answer=judge.step.solution.text)
        explanation = judge.explanation() if derivation else None
        if explanation:
            self.console.print(Text(say("derivation", self.lang), style="bold"))
            self.console.print(Text(_indent(explanation)))

    # ------------------------------------------------------------ choose

    def play_choose(self, step: model.Choose) -> str:
        self.text(step.text)
        for number, option in enumerate(step.options, 1):
            self.console.print(Text(f"  {number}. ") + Text(option.text.get(self.lang)))
        count, tries = len(step.options), step.tries
        while True:
            line = self.prompt(say("choice_prompt", self.lang, n=count), str(step.answer)).strip()
            command = line.lower()
            if command in ("back", "quit", "skip"):
                return self._leave(step, command)
            if command == "solution":
                self.note("correct_choice", n=step.answer)
                return self.conclude(step, "seen")
            if not (line.isdigit() and 1 <= int(line) <= count):
                self.note("choice_help", n=count)
                continue
            option = step.options[int(line) - 1]
            style = "green" if option.correct else "red"
            if option.feedback is not None:
                self.console.print(Text(option.feedback.get(self.lang), style=style))
            else:
                self.note("correct" if option.correct else "wrong_choice", style=style)
            if option.correct:
                return self.conclude(step, PASSED)
            tries -= 1
            if tries == 0:
                self.note("correct_choice", n=step.answer)
                return self.conclude(step, "failed")

    # ------------------------------------------------------------ compute

    def play_compute(self, step: model.Compute) -> str:
        self.text(step.text)
        result = compute(self.math, step)
        display.show_compute(self.console, result, self.lang)
        return self.conclude(step, PASSED if result.passed else "failed")

    # ------------------------------------------------------------ code

    def play_code(self, step: model.Code) -> str:
        """Run the PyTorch snippet, then the TensorFlow one (or show it, when TensorFlow is
        not installed); the step passes when every snippet that ran passed its checks."""
        self.text(step.text)
        passed = self._snippet(step, "torch")
        if step.tensorflow and tensorflow_installed():
            passed = self._snippet(step, "tensorflow") and passed
        elif step.tensorflow:
            display.code_block(self.console, say("tf_missing", self.lang), step.tensorflow)
        return self.conclude(step, PASSED if passed else "failed")

    def _snippet(self, step: model.Code, framework: str) -> bool:
        display.code_block(self.console, say(f"{framework}_code", self.lang), step.source(framework))
        name = f"<{self.lesson.id}:{step.id}>" if framework == "torch" else (
            f"<{self.lesson.id}:{step.id}:{framework}>")
        with self.console.status("running ...") if self.console.is_terminal else nullcontext():
            result = run_code(self.math, step, self.worker, name, framework)
        display.show_code_result(self.console, result, step.timeout, self.lang)
        return result.passed

    # ------------------------------------------------------------ descend

    def _descend(self, step: model.Descend, show: bool) -> Descent:
        names = self.math.descend_variables(step)
        function = self.math.expr(step.function, f"step {step.id!r}: function")
        starts = [[point.values[n] for n in names] for point in step.starts]
        steps = min(step.steps, self.options.descent_cap or step.steps)
        several = len(starts) > 1
        if not show:
            return descend(function, names, starts, method=step.method, lr=step.lr, steps=steps,
                           every=step.every, dtype=step.dtype)
        self.console.print(Text(display.row_header(names, len(starts)), style="bold"))
        progress = _progress(self.console, steps)
        with progress or nullcontext():
            task = progress.add_task(step.method, total=steps) if progress else None
            descent = descend(
                function, names, starts, method=step.method, lr=step.lr, steps=steps,
                every=step.every, dtype=step.dtype,
                on_row=lambda row: self.console.print(display.row_line(row, several)),
                on_progress=(lambda done: progress.update(task, completed=done)) if progress else None)
        return descent

    def play_descend(self, step: model.Descend) -> str:
        self.text(step.text)
        descent = self._descend(step, show=True)
        self.descents[step.id] = descent
        check = descent.check
        self.console.print(Text(say("grad_checked", self.lang, n=check.checked, failed=check.failed,
                                    error=check.worst_error),
                                style="green" if check.failed == 0 else "bold red"))
        steps = len(descent.path) - 1
        if descent.last_move < steps:
            self.note("last_move", step=descent.last_move, steps=steps)
        shortened = self.options.descent_cap is not None and self.options.descent_cap < step.steps
        targets = [[p.values[n] for n in descent.variables] for p in step.ends_near]
        flags = display.show_ends(self.console, descent, None if shortened else targets, step.tol,
                                  None if shortened else step.value_below, self.lang)
        ok = check.failed == 0 and all(flags)
        if step.same_as:
            ok = self._compare_paths(step, descent) and ok
        if step.plot:
            self._plot(step, descent, targets)
        return self.conclude(step, PASSED if ok else "failed")

    def _compare_paths(self, step: model.Descend, descent: Descent) -> bool:
        import numpy

        other = self.descents.get(step.same_as)
        if other is None or len(other.path) != len(descent.path):
            index = self.lesson.step_index(step.same_as)
            other = self._descend(self.lesson.steps[index], show=False)
        same = bool(numpy.array_equal(other.path, descent.path))
        verdict = display.mark(same, self.lang)
        self.console.print(Text(say("same_path", self.lang, other=step.same_as, verdict="")) + verdict)
        return same

    def _plot(self, step: model.Descend, descent: Descent, targets) -> None:
        from tutor.lessons.plot import PlotUnavailable, contour_plot

        function = self.math.expr(step.function, f"step {step.id!r}: function")
        out = self.options.out_dir / step.plot
        try:
            path = contour_plot(function, descent.variables, descent.path, targets, out,
                                f"{self.lesson.id}: {step.method}, lr={step.lr:g}")
        except PlotUnavailable as missing:
            self.console.print(Text(say("plot_missing", self.lang, why=missing), style="yellow"))
            return
        self.note("plot_saved", path=path)


def _indent(block: str) -> str:
    return "\n".join("  " + line for line in block.splitlines())


def _progress(console: Console, total: int):
    """A progress bar in a terminal; None elsewhere (a transcript has no use for one)."""
    if not console.is_terminal:
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=True)
