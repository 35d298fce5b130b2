"""The runner's own words in each language, the learner's language, and where answers come from.

A :class:`Prompter` gives the next line a learner types: from the terminal (a prompt_toolkit
line editor: history, editing, Tab completes the commands, redrawn on resize; Ctrl-C raises
KeyboardInterrupt, Ctrl-D on an empty line EOFError), from an answers file or pipe (scripted,
echoed into the transcript), or the reference answer (``--auto``). ``exit`` and ``q`` are read
as ``quit``.

>>> say("correct", "zh")
'正确。'
>>> ScriptedPrompter(["# comment", "", "2x", "exit"], echo=None).ask("> ")
'2x'
>>> as_command("  Q ")
'quit'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

MESSAGES: dict[str, tuple[str, str]] = {
    "correct": ("Correct.", "正确。"),
    "reference": ("Reference answer: {answer}", "参考答案：{answer}"),
    "derivation": ("How it is derived:", "推导过程："),
    "tries_left": ("Try again ({n} left), or type hint, solution, skip.",
                   "再试一次（还剩 {n} 次），也可以输入 hint、solution、skip。"),
    "tries_left_hint": ("Try again ({n} left); type hint for a hint (or solution, skip).",
                        "再试一次（还剩 {n} 次）；输入 hint 查看提示（或 solution、skip）。"),
    "out_of_tries": ("No tries left. The answer was: {answer}", "次数用完了。答案是：{answer}"),
    "no_more_hints": ("No more hints. Type solution to see the answer.",
                      "没有更多提示了。输入 solution 查看答案。"),
    "hint": ("Hint {n}: {text}", "提示 {n}：{text}"),
    "unreadable_answer": ("Could not read your answer: {error}.", "无法读取你的答案：{error}。"),
    "wrong_choice": ("Not this one.", "不是这个。"),
    "unreadable": ("That does not count as a try.", "这次不计入尝试次数。"),
    "skipped": ("Skipped.", "已跳过。"),
    "answer_prompt": ("answer> ", "答案> "),
    "choice_prompt": ("choice (1-{n})> ", "选项 (1-{n})> "),
    "choice_help": ("Type the number of an option, from 1 to {n}.", "请输入选项的编号，1 到 {n}。"),
    "correct_choice": ("The right option was {n}.", "正确选项是 {n}。"),
    "continue": ("[Enter] continue   back   quit", "[回车] 继续   back 上一步   quit 退出"),
    "continue_solution": ("[Enter] continue   solution: the reference and its derivation   quit",
                          "[回车] 继续   solution：参考答案与推导   quit 退出"),
    "commands": ("Type an answer, or: hint, solution, skip, back, quit.",
                 "请输入答案，或者：hint、solution、skip、back、quit。"),
    "saved_quit": ("Progress saved. Run `tutor learn {lesson}` to continue from here.",
                   "进度已保存。运行 `tutor learn {lesson}` 可从这里继续。"),
    "interrupted": ("Stopped. Progress saved; `tutor learn {lesson}` continues at this step.",
                    "已中断。进度已保存；`tutor learn {lesson}` 会从这一步继续。"),
    "input_ended": ("The answers ran out at step {step}; progress saved.",
                    "答案在第 {step} 步用完了；进度已保存。"),
    "saved_quit_unsaved": ("Stopped. This run was not recorded (--save records one).",
                           "已停止。本次运行没有记录进度（加 --save 可记录）。"),
    "interrupted_unsaved": ("Stopped. This run was not recorded (--save records one).",
                            "已中断。本次运行没有记录进度（加 --save 可记录）。"),
    "input_ended_unsaved": ("The answers ran out at step {step}; this run was not recorded "
                            "(--save records one).",
                            "答案在第 {step} 步用完了；本次运行没有记录进度（加 --save 可记录）。"),
    "review": ("You finished this lesson before; here it is again for review.",
               "你已经学完这一课；现在重新浏览一遍。"),
    "review_from": ("Review from which step (1-{total} or its name)? Enter: {n} ({step}) ",
                    "从哪一步开始复习（1-{total} 或步骤名）？回车：第 {n} 步（{step}） "),
    "review_help": ("Type a step number from 1 to {total}, a step name, or Enter.",
                    "请输入 1 到 {total} 的步骤编号、步骤名，或直接回车。"),
    "not_passed": ("Not passed: {steps}. Play only these again: tutor learn {lesson} --retry",
                   "未通过的步骤：{steps}。只重做这些步骤：tutor learn {lesson} --retry"),
    "not_passed_unsaved": ("Not passed: {steps}.", "未通过的步骤：{steps}。"),
    "resuming": ("Continuing at step {n} of {total}.", "从第 {n} 步（共 {total} 步）继续。"),
    "done": ("Lesson finished: {passed} of {total} steps passed.",
             "本课完成：{total} 步中通过 {passed} 步。"),
    "next_lesson": ("Next: tutor learn {lesson}", "下一课：tutor learn {lesson}"),
    "last_marker": ("* the lesson you took last", "* 你最近学习的一课"),
    "lessons_done": ("{done}/{total} lessons finished", "已完成 {done}/{total} 课"),
    "menu": ("Choose a lesson: up/down arrows or its number, then Enter (q leaves).",
             "选择一课：用上下方向键或编号选择，按回车开始（q 退出）。"),
    "no_lessons": ("No lessons found (set TUTOR_LESSONS to a directory of lesson files).",
                   "没有找到课程（请把 TUTOR_LESSONS 设为存放课程文件的目录）。"),
    "column_lesson": ("lesson", "课程"),
    "column_title": ("title", "标题"),
    "column_progress": ("progress", "进度"),
    "steps_passed": ("{done}/{total} passed", "通过 {done}/{total}"),
    "finished": ("finished", "已完成"),
    "reset_ask": ("Forget your progress in every lesson? [y/N] ", "清除所有课程的进度吗？[y/N] "),
    "reset_all": ("Forgot your progress in every lesson.", "已清除所有课程的进度。"),
    "reset_one": ("Forgot your progress in {lesson}.", "已清除 {lesson} 的进度。"),
    "reset_kept": ("Nothing was erased.", "没有清除任何进度。"),
    "nothing_to_retry": ("No failed, skipped or revealed steps to retry in {lesson}.",
                         "{lesson} 中没有需要重做的步骤（未通过、跳过或看过答案的）。"),
    "retrying": ("Retrying {n} step(s): {steps}", "重做 {n} 个步骤：{steps}"),
    "all_passed": ("Every step passed.", "所有步骤均已通过。"),
    "symbolic": ("symbolic", "符号"),
    "autograd": ("autograd", "自动求导"),
    "difference": ("|difference|", "|差值|"),
    "at_seeded": ("at the lesson's seeded tensor values", "在本课设定随机种子生成的张量取值处"),
    "expected_fail": ("fails (expected)", "未通过（预期之中）"),
    "unexpected_pass": ("passes, but the lesson expects it to fail", "通过了，但本课预期它不通过"),
    "output": ("Output:", "输出："),
    "torch_code": ("PyTorch (runs now):", "PyTorch（现在运行）："),
    "tensorflow_code": ("TensorFlow (runs now):", "TensorFlow（现在运行）："),
    "tf_missing": ("TensorFlow not installed: showing code only "
                   "(pip install \"tutor[tensorflow]\" to run it).",
                   "未安装 TensorFlow：只显示代码（pip install \"tutor[tensorflow]\" 后即可运行）。"),
    "timed_out": ("The snippet did not finish within {seconds:g} s and was stopped.",
                  "代码在 {seconds:g} 秒内没有运行完，已被终止。"),
    "crashed": ("The snippet crashed the worker process ({why}).", "代码使工作进程崩溃了（{why}）。"),
    "raised": ("The snippet raised an error:", "代码抛出了错误："),
    "checks": ("Checks against the symbolic values:", "与符号结果的核对："),
    "plot_saved": ("Contour plot saved: {path}", "等高线图已保存：{path}"),
    "plot_missing": ("No plot: {why}. The lesson goes on.", "未生成图：{why}。课程继续。"),
    "same_path": ("Same path as step '{other}', bit for bit: {verdict}",
                  "与步骤 '{other}' 的路径逐位相同：{verdict}"),
    "grad_checked": ("Autograd vs symbolic gradient, checked at every one of {n} steps: {failed} "
                     "disagreed; worst |diff|/tol {ratio:.2g} (|difference| {error:.2g}).",
                     "在全部 {n} 步中逐步核对自动求导与符号梯度：{failed} 步不一致；"
                     "最大 |diff|/tol 为 {ratio:.2g}（|差值| {error:.2g}）。"),
    "last_move": ("The position last changed at step {step} of {steps}.",
                  "位置最后一次改变是在第 {step} 步（共 {steps} 步）。"),
    "ends": ("Where each run ended:", "每次运行的终点："),
    "random_check": ("Also at {n} random points: {verdict}", "另外在 {n} 个随机点上：{verdict}"),
    "passed_mark": ("ok", "通过"),
    "failed_mark": ("FAIL", "失败"),
}


def show(console, renderable) -> None:
    """Print ``renderable`` on a rich console; off a terminal without the spaces rich pads with."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    console.out("\n".join(line.rstrip() for line in captured.get().splitlines()), highlight=False)


def say(key: str, lang: str, **values) -> str:
    """The message ``key`` in ``lang`` (English unless ``lang`` is zh), filled in."""
    english, chinese = MESSAGES[key]
    return (chinese if lang == "zh" else english).format(**values)


def detect_language(requested: str | None = None) -> str:
    """``requested``, else zh when LC_ALL / LC_MESSAGES / LANG starts with zh, else en."""
    if requested:
        return requested
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


#: What a learner can type instead of an answer (completed with Tab in a terminal).
COMMANDS = ("hint", "solution", "skip", "back", "quit")
_QUIT_WORDS = ("exit", "q")


def as_command(line: str) -> str:
    """``line`` with ``exit`` and ``q`` read as ``quit`` (anything else unchanged)."""
    return "quit" if line.strip().lower() in _QUIT_WORDS else line


class Prompter:
    """Where answers come from. ``interactive`` prompters also pause after reading steps."""

    interactive = False
    plays_reference = False

    def ask(self, prompt: str, reference: str | None = None) -> str:
        raise NotImplementedError


class TerminalPrompter(Prompter):
    """A learner at a keyboard. ``editor``: prompt_toolkit's line editor (stdin and stdout are
    a terminal); else plain ``input()`` (stdout redirected to a file, say)."""

    interactive = True

    def __init__(self, editor: bool = True):
        self.session = None
        if editor:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.completion import WordCompleter
            from prompt_toolkit.history import InMemoryHistory

            self.session = PromptSession(history=InMemoryHistory(),
                                         completer=WordCompleter(COMMANDS),
                                         complete_while_typing=False)

    def ask(self, prompt: str, reference: str | None = None) -> str:
        if self.session is None:
            return as_command(input(prompt))
        return as_command(self.session.prompt([("bold", prompt)]))


class ScriptedPrompter(Prompter):
    """Answers from lines (a file or a pipe); blank lines and ``#`` comments are skipped."""

    def __init__(self, lines: Iterable[str], echo: Callable[[str], None] | None):
        self.lines = iter(lines)
        self.echo = echo

    def ask(self, prompt: str, reference: str | None = None) -> str:
        for line in self.lines:
            answer = line.rstrip("\n")
            if answer.strip() and not answer.lstrip().startswith("#"):
                if self.echo:
                    self.echo(prompt + answer)
                return as_command(answer)
        raise EOFError


class AutoPrompter(Prompter):
    """Plays the reference answer of every question."""

    plays_reference = True

    def __init__(self, echo: Callable[[str], None]):
        self.echo = echo

    def ask(self, prompt: str, reference: str | None = None) -> str:
        self.echo(prompt + (reference or ""))
        return reference or ""
