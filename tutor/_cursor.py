"""The token cursor both parsers walk with (:mod:`tutor.parsing` for scalars,
:mod:`tutor.matrix.parsing` for matrices). Tokens have a ``kind`` and a ``value``, and the list
ends with one of kind ``"end"``: peeking past the end stays there.

>>> from collections import namedtuple
>>> Token = namedtuple("Token", "kind value")
>>> cursor = TokenCursor([Token("num", "2"), Token("op", "+"), Token("end", "")])
>>> cursor.advance().value, cursor.at("+", "-"), cursor.peek(5).kind
('2', True, 'end')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class TokenCursor:
    """A position in a list of tokens."""

    def __init__(self, tokens: Sequence[Any]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self, ahead: int = 0) -> Any:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Any:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, *ops: str) -> bool:
        """Is the next token one of the operators ``ops``?"""
        token = self.peek()
        return token.kind == "op" and token.value in ops
