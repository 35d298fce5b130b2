"""The tokens of a matrix expression: one regular expression over a whitelist of characters,
with unicode spellings folded into one (``×`` and ``⋅`` are ``·``, ``∘`` is ``⊙``, ``−`` is
``-``), and errors that name their column.

>>> [token.value for token in tokenize("Xᵀ(Xw − y)")]
['X', 'ᵀ', '(', 'Xw', '-', 'y', ')', '']
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from typing import NamedTuple

from tutor.errors import ParseError
from tutor.messages import text as message_text

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_NOT_IN_NAMES = SUPERSCRIPTS + "ᵀ"
_TOKEN = re.compile(
    rf"""(?P<space>\s+)
    |(?P<ones>[1𝟙𝟏]_(?:[^\W\d{_NOT_IN_NAMES}]\w*|[0-9]+))
    |(?P<num>(?:[0-9]+\.[0-9]*(?![A-Za-z_])|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?)
    |(?P<name>[^\W\d_{_NOT_IN_NAMES}][^\W{_NOT_IN_NAMES}]*)
    |(?P<sup>⁻?[{SUPERSCRIPTS}]+)
    |(?P<op>\*\*|>=|<=|\|\||[-+*/^(),@·⋅×⊙∘ᵀ'><=‖.−–])""",
    re.VERBOSE,
)
_SPELLINGS = {"**": "^", "⋅": "·", "×": "·", "∘": "⊙", "−": "-", "–": "-", "||": "‖"}
_FORBIDDEN = {char: key for chars, key in [  # the catalogue's reason why
    ('"', "parse_no_strings"), ("[]", "parse_no_brackets"), ("{}", "parse_no_braces"),
    (";", "parse_no_semicolon"), ("|", "matrix_parse_bar"),
] for char in chars}


class Token(NamedTuple):
    kind: str  # ones, num, name, sup, op, end
    value: str
    column: int  # 1-based
    raw: str


def error_at(message: str, column: int, hint: str = "", kind: type[ParseError] = ParseError
             ) -> ParseError:
    """A ParseError (or subclass ``kind``) reading 'what at column N; hint' (in the current
    language)."""
    what = message_text("at_column", what=message, column=column)
    error = kind(message_text("with_hint", what=what, hint=hint) if hint else what)
    error.column = column
    return error


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            raise error_at(message_text(_FORBIDDEN.get(char, "parse_unexpected_char"), char=char),
                           pos + 1)
        kind, raw = match.lastgroup, match.group()
        value = unicodedata.normalize("NFKC", raw) if kind == "name" else \
            _SPELLINGS.get(raw, raw)
        if kind == "name" and (keyword.iskeyword(value) or not value.isidentifier()):
            raise error_at(message_text("matrix_parse_not_a_name", raw=raw), pos + 1)
        if kind != "space":
            tokens.append(Token(kind, value, pos + 1, raw))
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1, "end of input"))
    return tokens
