"""What every step kind uses to show itself: lesson text as Markdown, code, pass marks.

Each kind's own tables live with the kind (:mod:`tutor.lessons.steps`); none decides anything.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.markdown import Markdown
from rich.syntax import Syntax
from rich.text import Text

from tutor.lessons.ui import say, show

__all__ = ["Comment", "code_block", "fit_comments", "indent", "mark", "markdown", "show",
           "snippet_comments"]


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


_FENCE = re.compile(r"^([ \t]*)```(python|py)?\n(.*?)^\1```", re.DOTALL | re.MULTILINE)
_CODE_MARGIN = 4  # the padding code is shown with, both sides


def markdown(console: Console, text: str) -> None:
    """Markdown, with Chinese line breaks joined the Chinese way (see _CJK_LINE_BREAK) and
    the comments of long code lines moved above them (see :func:`fit_comments`)."""
    text = _CJK_LINE_BREAK.sub("", text.strip())
    width = console.width - _CODE_MARGIN
    text = _FENCE.sub(lambda fence: fence.group().replace(
        fence.group(3), fit_comments(fence.group(3), width)), text)
    show(console, Markdown(text, code_theme="ansi_dark", hyperlinks=False))


def code_block(console: Console, title: str, source: str) -> None:
    console.print(Text(title, style="bold"))
    source = fit_comments(source.rstrip("\n"), console.width - _CODE_MARGIN)
    show(console, Syntax(source, "python", theme="ansi_dark", line_numbers=False,
                         word_wrap=True, padding=(0, 2)))


def fit_comments(source: str, width: int) -> str:
    """``source`` with each trailing comment of a line wider than ``width`` moved onto a line
    of its own above it, so that a narrow terminal does not wrap the comment onto a line of
    its own that reads like code.

    >>> print(fit_comments("x = f(y)      # the comment", 16))
    # the comment
    x = f(y)
    """
    lines = source.split("\n")
    for comment in reversed(snippet_comments(source)):
        line = lines[comment.row]
        if comment.whole_lines or cell_len(line) <= width:
            continue
        code = line[:comment.column].rstrip()
        indent = code[:len(code) - len(code.lstrip())]
        lines[comment.row:comment.row + 1] = [f"{indent}{line[comment.column:]}", code]
    return "\n".join(lines)


@dataclass(frozen=True)
class Comment:
    """A comment in a snippet: one trailing comment, or a block of whole comment lines at one
    indentation read as one text (lines joined by spaces). ``row`` counts from 0."""

    text: str
    row: int
    column: int
    rows: int = 1
    whole_lines: bool = False


def snippet_comments(source: str) -> list[Comment]:
    """The comments of ``source``, blocks of whole comment lines joined (none if it does not
    tokenize: the lint reports that).

    >>> [c.text for c in snippet_comments("x = 1  # one\\n# a long\\n# note\\ny = x\\n")]
    ['one', 'a long note']
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    lines = source.splitlines()
    found: list[Comment] = []
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        row, column = token.start[0] - 1, token.start[1]
        text = token.string.lstrip("#").strip()
        whole = not lines[row][:column].strip()
        last = found[-1] if found else None
        if whole and last and last.whole_lines and last.column == column and \
                last.row + last.rows == row:
            found[-1] = Comment(f"{last.text} {text}", last.row, column, last.rows + 1, True)
        else:
            found.append(Comment(text, row, column, 1, whole))
    return found


def indent(block: str) -> str:
    """Every line of ``block`` indented by two spaces."""
    return "\n".join("  " + line for line in block.splitlines())
