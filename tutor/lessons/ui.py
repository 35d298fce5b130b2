"""The runner's words (from :mod:`tutor.messages`), the learner's language, and where answers come from.

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

from tutor.messages import text


def show(console, renderable) -> None:
    """Print ``renderable`` on a rich console; off a terminal without the spaces rich pads with."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    console.out("\n".join(line.rstrip() for line in captured.get().splitlines()), highlight=False)


def say(key: str, lang: str, **values) -> str:
    """The catalogue's message ``key`` (:mod:`tutor.messages`) in ``lang``, filled in."""
    return text(key, lang, **values)


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
