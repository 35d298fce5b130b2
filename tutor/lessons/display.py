"""What every step kind uses to show itself: lesson text as Markdown, code, pass marks.

Each kind's own tables live with the kind (:mod:`tutor.lessons.steps`); none decides anything.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.text import Text

from tutor.lessons.ui import say, show

__all__ = ["code_block", "indent", "mark", "markdown", "show"]


def mark(ok: bool, lang: str) -> Text:
    return Text(say("passed_mark", lang), style="green") if ok else Text(say("failed_mark", lang),
                                                                          style="bold red")


_CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
_CJK_IDEOGRAPHS = "\u3400-\u9fff"
# Markdown turns a line break into a space. In Chinese text there is none after full-width
# punctuation or between two characters; a line that starts a list item, heading, quote,
# table or number keeps its break.
_CJK_LINE_BREAK = re.compile(
    f"(?<=[{_CJK_PUNCTUATION}])\n[ \t]*(?=[^\\s*+#>|0-9-])"
    f"|(?<=[{_CJK_IDEOGRAPHS}])\n[ \t]*(?=[{_CJK_IDEOGRAPHS}{_CJK_PUNCTUATION}])")


def markdown(console: Console, text: str) -> None:
    """Markdown, with Chinese line breaks joined the Chinese way (see _CJK_LINE_BREAK)."""
    text = _CJK_LINE_BREAK.sub("", text.strip())
    show(console, Markdown(text, code_theme="ansi_dark", hyperlinks=False))


def code_block(console: Console, title: str, source: str) -> None:
    console.print(Text(title, style="bold"))
    show(console, Syntax(source.rstrip("\n"), "python", theme="ansi_dark", line_numbers=False,
                         word_wrap=True, padding=(0, 2)))


def indent(block: str) -> str:
    """Every line of ``block`` indented by two spaces."""
    return "\n".join("  " + line for line in block.splitlines())
