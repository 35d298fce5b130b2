"""Read math the way people type it, safely: no ``eval``, no ``sympify``, no ``parse_expr``.

A regex tokenizer and a recursive-descent parser build SymPy nodes directly from a
whitelist of operators, functions and constants, so nothing typed can run Python code.
It accepts Python syntax (``**``, ``*``), ``^``, implicit products (``2x``, ``x y``,
``(x+1)(x-1)``), unicode (``3x²``, ``x⁻¹``, ``·``, ``×``, ``−``, ``÷``, ``π``, ``√``) and
``|x|``, textbook function application (``sin x``, ``ln x``, ``cos 2x``, ``sin x cos x``),
subscripts (``x₁`` is ``x_1``) and Greek letters by name (``θ`` is ``theta``, ``σ(x)`` is the
sigmoid). Sizes are bounded (length, nesting, tower height, effective exponents, node count),
every parse is bounded in time, and every error names its column.

Precedence of a function written without parentheses, as textbooks use it: the function
applies to the product written right after it, up to the next ``+``, ``-``, ``*``, ``/``,
comma, closing bracket or function name. So ``sin 2x`` is sin(2x), ``sin x^2`` is sin(x²),
``sin x cos x`` is sin(x)·cos(x) and ``sin x / 2`` is sin(x)/2.

The module is long because the tokenizer, the grammar and the limits that keep every input
cheap are one unit, read together.

>>> parse("3x^2 + 2x")
3*x**2 + 2*x
>>> parse("sigmoid(x)(1 - sigmoid(x))")
(1 - sigmoid(x))*sigmoid(x)
>>> parse("xy + e^x", variables=["x", "y"])
x*y + exp(x)
>>> parse("2*x +")
Traceback (most recent call last):
...
tutor.errors.ParseError: missing operand after '+' at column 5
>>> parse("sin x cos 2x")
sin(x)*cos(2*x)
>>> parse_point("x=pi/2, y=-1.5")
{'x': 1.5707963267948966, 'y': -1.5}
"""

from __future__ import annotations

import functools
import itertools
import keyword
import math
import numbers
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import NamedTuple

import sympy
from sympy import S

from tutor._cursor import TokenCursor
from tutor._limits import bounded
from tutor.errors import ParseError
from tutor.functions import relu, sigmoid, softplus
from tutor.messages import text as message_text

MAX_LENGTH = 1000
MAX_DEPTH = 100
MAX_EXPONENT = 1000  # also the effective one: (x^1000)^1000 and x²²²²... are refused
MAX_TOWER = 8  # powers stacked in exponents: x^x^x is 3
MAX_NODES = 2000  # in the expression built
MAX_DIGITS = 50  # in a typed number
MAX_RESULT_DIGITS = 300  # in a number computed from a power of numbers
#: Values one max or min compares (nested ones merge): SymPy compares them pairwise each time
#: it builds one, and their derivatives hold a step function per pair.
MAX_COMPARED = 8

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_VALUE = str.maketrans(_SUPERSCRIPTS + "⁺⁻₀₁₂₃₄₅₆₇₈₉", "0123456789+-0123456789")
_OPERATORS = {"**": "^", "·": "*", "⋅": "*", "×": "*", "−": "-", "–": "-", "÷": "/"}
_TOKEN = re.compile(
    rf"""(?P<space>\s+)
    |(?P<num>(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?)
    |(?P<name>[^\W\d{_SUPERSCRIPTS}π][^\W{_SUPERSCRIPTS}π]*)
    |(?P<sup>[⁺⁻]?[{_SUPERSCRIPTS}]+)
    |(?P<op>\*\*|[-+*/^(),|·⋅×−–÷√π])""",
    re.VERBOSE,
)
_FORBIDDEN = {char: reason for chars, reason in [  # character -> its message key
    ("'\"", "parse_no_strings"), (".", "parse_no_dot"), ("[]", "parse_no_brackets"),
    ("{}", "parse_no_braces"), ("=", "parse_no_equals"), ("<>", "parse_no_comparison"),
    (";", "parse_no_semicolon"),
] for char in chars}

_INVERSE_TRIG = {"asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
                 "asec": sympy.asec, "acsc": sympy.acsc, "acot": sympy.acot}
_INVERSE_HYPERBOLIC = {"asinh": sympy.asinh, "acosh": sympy.acosh, "atanh": sympy.atanh,
                       "asech": sympy.asech, "acsch": sympy.acsch, "acoth": sympy.acoth}
_ONE_ARGUMENT = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "sec": sympy.sec, "csc": sympy.csc, "cosec": sympy.csc, "cot": sympy.cot,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "sech": sympy.sech, "csch": sympy.csch, "coth": sympy.coth,
    **_INVERSE_TRIG, **_INVERSE_HYPERBOLIC,
    **{"arc" + name[1:]: f for name, f in {**_INVERSE_TRIG, **_INVERSE_HYPERBOLIC}.items()},
    **{"ar" + name[1:]: f for name, f in _INVERSE_HYPERBOLIC.items()},  # arsinh, ISO 80000-2
    "exp": sympy.exp, "ln": sympy.log, "sqrt": sympy.sqrt,
    "log2": lambda arg: sympy.log(arg, 2), "log10": lambda arg: sympy.log(arg, 10),
    "abs": sympy.Abs, "Abs": sympy.Abs, "sign": sympy.sign,
    "heaviside": sympy.Heaviside, "Heaviside": sympy.Heaviside,
    "sigmoid": sigmoid, "σ": sigmoid, "softplus": softplus, "relu": relu,
}
#: name -> (SymPy callable, fewest arguments, most arguments or None for no limit)
_FUNCTIONS = {
    **{name: (function, 1, 1) for name, function in _ONE_ARGUMENT.items()},
    "log": (sympy.log, 1, 2),  # log(x) natural, log(x, b) to base b
    "max": (sympy.Max, 2, None), "Max": (sympy.Max, 2, None),
    "min": (sympy.Min, 2, None), "Min": (sympy.Min, 2, None),
}
_CONSTANTS = {"pi": S.Pi, "e": S.Exp1, "E": S.Exp1}
_PRODUCT_NAME = re.compile(r"[^\W\d_](?:[0-9]*|_\w*)")  # x, x1, w_1: may multiply a '('


class _Token(NamedTuple):
    kind: str  # num, name, sup, op, end
    value: str  # normalised: '**' -> '^', '×' -> '*', identifiers NFKC
    pos: int  # 0-based index into the text
    raw: str  # as typed, for messages


def _error(text: str, pos: int, message: str, hint: str = "") -> ParseError:
    """A ParseError whose message reads 'what at column N; hint'."""
    what = message_text("at_column", what=message, column=pos + 1)
    err = ParseError(message_text("with_hint", what=what, hint=hint) if hint else what, text=text)
    err.column = pos + 1
    return err


_SUBSCRIPTS = re.compile("[₀₁₂₃₄₅₆₇₈₉]+")


def _greek_name(char: str) -> str:
    """theta for θ, Theta for Θ, lamda for λ (SymPy's spelling: lambda is a Python keyword)."""
    name = unicodedata.name(char, "")
    if not name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")) or " WITH " in name:
        return char
    word = name.rsplit(" ", 1)[1].lower()
    return word.capitalize() if "CAPITAL" in name else word


def normalise_name(raw: str) -> str:
    """A name as typed, read the way the checker compares names: NFKC, subscripts as ``_1``
    (x₁ is x_1) and Greek letters by name (θ is theta); σ and π stay (sigmoid, pi).

    >>> normalise_name("θ₁"), normalise_name("theta_1"), normalise_name("ｘ")
    ('theta_1', 'theta_1', 'x')
    """
    name = _SUBSCRIPTS.sub(lambda m: "_" + m.group().translate(_SUPERSCRIPT_VALUE), raw)
    name = unicodedata.normalize("NFKC", name)
    if name in ("σ", "π") or name.isascii():
        return name
    return "".join(_greek_name(char) for char in name)


def _tokenize(text: str) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            reason = message_text(_FORBIDDEN.get(char, "parse_unexpected_char"), char=char)
            raise _error(text, pos, reason)
        kind, raw = match.lastgroup, match.group()
        if kind == "name":
            value = normalise_name(raw)
            _check_name(text, pos, value, raw)
        elif kind == "op":
            value = _OPERATORS.get(raw, raw)
        else:
            value = raw
        if kind != "space":
            tokens.append(_Token(kind, value, pos, raw))
        pos = match.end()
    tokens.append(_Token("end", "", len(text), "end of input"))
    return tokens


_UNDEFINED = (S.ComplexInfinity, S.NaN, S.Infinity, S.NegativeInfinity)


def _undefined(value: sympy.Expr) -> bool:
    """zoo, nan or ±oo in a new node (its arguments were checked when they were built)."""
    return any(node in _UNDEFINED for node in (value, *value.args))


def _check_name(text: str, pos: int, name: str, raw: str) -> None:
    if name.startswith("_"):
        raise _error(text, pos, message_text("parse_underscore", raw=raw))
    if keyword.iskeyword(name):
        raise _error(text, pos, message_text("parse_keyword", name=name))
    if not name.isidentifier():
        raise _error(text, pos, message_text("parse_bad_name", raw=raw))


@functools.lru_cache(maxsize=4096)
def _make_symbol(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


def symbol(name: str) -> sympy.Symbol:
    """The real SymPy symbol called ``name``; only plain identifiers are allowed.

    >>> symbol("w_1").is_real
    True
    """
    if isinstance(name, str):
        name = normalise_name(name)  # as the parser reads names
    if not isinstance(name, str) or not _is_plain_name(name):
        raise ParseError(f"{name!r} is not a valid name; use a letter followed by letters, "
                         "digits or '_' (not a Python keyword)")
    return _make_symbol(name)


def _is_plain_name(name: str) -> bool:
    return name.isidentifier() and not name.startswith("_") and not keyword.iskeyword(name)


class _Parser(TokenCursor):
    """Grammar, loosest first:
    sum := term (('+'|'-') term)* ; term := signed (('*'|'/') signed | power)*
    signed := ('+'|'-')* power ; power := atom superscript* ('^' signed)?
    atom := number | name | name '(' args ')' | '(' sum ')' | '|' sum '|' | 'π' | '√' power
    """

    def __init__(self, text: str, variables: dict[str, sympy.Expr] | None):
        self.text = text
        super().__init__(_tokenize(text))
        self.depth = 0
        self.tower = 0  # exponents open around the current token
        self.open_bars = 0  # '|' groups open at the current parenthesis level
        self.variables = variables
        if variables is not None:  # names usable in a product like 'xy'
            self.known = {**_CONSTANTS, **variables}
            self.known_by_length = sorted(self.known, key=len, reverse=True)

    def error(self, token: _Token, message: str, hint: str = "") -> ParseError:
        return _error(self.text, token.pos, message, hint)

    def parse(self) -> sympy.Expr:
        expr = self.sum()
        token = self.peek()
        if token.kind != "end":
            raise self.unexpected(token)
        return expr

    def unexpected(self, token: _Token) -> ParseError:
        if token.value == ")":
            return self.error(token, message_text("parse_unexpected_close"),
                              message_text("parse_no_open"))
        if token.value == ",":
            return self.error(token, message_text("parse_unexpected_comma"),
                              message_text("parse_comma_hint"))
        return self.error(token, message_text("parse_unexpected", raw=token.raw))

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(token, message_text("parse_too_deep"),
                             message_text("parse_depth_limit", limit=MAX_DEPTH))

    def sum(self) -> sympy.Expr:
        terms = [self.term()]
        while self.at("+", "-"):
            negative = self.advance().value == "-"
            term = self.term()
            terms.append(-term if negative else term)
        return sympy.Add(*terms) if len(terms) > 1 else terms[0]

    def term(self) -> sympy.Expr:
        factors = [self.signed()]
        while True:
            token = self.peek()
            if self.at("*", "/"):
                self.advance()
                factor = self.signed()
                if token.value == "/":
                    if factor.is_Number and factor == 0:
                        raise self.error(token, message_text("parse_division_by_zero"))
                    factor = sympy.Pow(factor, -1)
                factors.append(factor)
            elif token.kind == "num":
                raise self.error(token, message_text("parse_missing_operator", raw=token.raw),
                                 message_text("parse_star_between_numbers"))
            elif token.kind == "name" or self.at("(", "π", "√") or (
                    self.at("|") and not self.open_bars):
                factors.append(self.power())  # implicit multiplication
            else:
                break
        return sympy.Mul(*factors) if len(factors) > 1 else factors[0]

    def signed(self) -> sympy.Expr:
        negative = False
        while self.at("+", "-"):
            negative ^= self.advance().value == "-"
        value = self.power()
        return -value if negative else value

    def power(self) -> sympy.Expr:
        base = self.atom()
        while self.peek().kind == "sup":
            token = self.advance()
            base = self.make_power(base, sympy.Integer(token.value.translate(_SUPERSCRIPT_VALUE)),
                                   token)
        if self.at("^"):
            token = self.advance()
            self.enter(token)
            self.tower += 1
            if self.tower >= MAX_TOWER:  # the base is one more level
                raise self.error(token, "powers stacked too high",
                                 f"the limit is {MAX_TOWER} levels (x^x^x is 3)")
            exponent = self.signed()
            self.tower -= 1
            self.depth -= 1
            base = self.make_power(base, exponent, token)
        return base

    def make_power(self, base: sympy.Expr, exponent: sympy.Expr, token: _Token) -> sympy.Expr:
        if exponent.is_Number and abs(exponent) > MAX_EXPONENT:
            raise self.error(token, f"exponent {exponent} is too large",
                             f"the limit is {MAX_EXPONENT}")
        if base.is_Rational and exponent.is_Rational and abs(base) not in (0, 1):
            digits = math.log10(max(abs(base.p), base.q)) * abs(float(exponent))
            if digits > MAX_RESULT_DIGITS:
                raise self.error(token, f"the number {base}^{exponent} is too large to compute",
                                 f"results may have at most {MAX_RESULT_DIGITS} digits")
        value = sympy.Pow(base, exponent)
        if _undefined(value):
            raise self.error(token, f"{base}^{exponent} is undefined")
        for node in (value, *value.args):  # powers of powers multiply: (x^1000)^1000, x²²²²
            if node.is_Pow and node.exp.is_Number and abs(node.exp) > MAX_EXPONENT:
                raise self.error(token, f"the exponent {node.exp} is too large",
                                 f"the limit is {MAX_EXPONENT}, powers of powers included")
        return value

    def atom(self) -> sympy.Expr:
        token = self.advance()
        if token.kind == "num":
            return self.number(token)
        if token.kind == "name":
            return self.name(token)
        if token.value == "π":
            return S.Pi
        if token.value == "√":
            self.enter(token)
            value = sympy.sqrt(self.power())
            self.depth -= 1
            return value
        if token.value in ("(", "|"):
            return self.group(token)
        self.index -= 1
        if token.kind == "end":
            before = self.tokens[self.index - 1] if self.index else token
            raise self.error(before, message_text("parse_missing_operand", raw=before.raw))
        if token.kind == "sup":
            raise self.error(token, message_text("parse_superscript_alone", raw=token.raw))
        if token.value == ")" and self.index and self.tokens[self.index - 1].value == "(":
            raise self.error(token, message_text("parse_empty_parentheses"))
        raise self.error(token, message_text("parse_unexpected", raw=token.raw),
                         message_text("parse_expected_operand"))

    def group(self, opening: _Token) -> sympy.Expr:
        """'(' sum ')' or '|' sum '|' (absolute value); the opening token is consumed."""
        self.enter(opening)
        outer_bars = self.open_bars
        self.open_bars = 1 if opening.value == "|" else 0
        value = self.sum()
        self.close(opening)
        self.open_bars = outer_bars
        self.depth -= 1
        return sympy.Abs(value) if opening.value == "|" else value

    def close(self, opening: _Token) -> None:
        closing = ")" if opening.value == "(" else "|"
        token = self.peek()
        if token.kind == "op" and token.value == closing:
            self.advance()
        elif token.kind == "end":
            raise self.error(opening, message_text("parse_unclosed", raw=opening.raw),
                             message_text("parse_close_it", closing=closing))
        else:
            raise self.unexpected(token)

    def number(self, token: _Token) -> sympy.Expr:
        mantissa, _, exponent = token.value.lower().partition("e")
        if len(mantissa.replace(".", "").lstrip("0")) > MAX_DIGITS:
            raise self.error(token, f"number {token.raw[:20]}... is too long",
                             f"the limit is {MAX_DIGITS} digits")
        if exponent and abs(int(exponent)) > 300:
            raise self.error(token, f"number {token.raw} is out of range",
                             "use exponents between e-300 and e300")
        if "." in token.value or exponent:
            return sympy.Float(token.value)
        return sympy.Integer(int(token.value))

    def name(self, token: _Token) -> sympy.Expr:
        name = token.value
        if name in _FUNCTIONS:
            return self.call(token)
        if self.at("(") and self.variables is None and name not in _CONSTANTS \
                and not _PRODUCT_NAME.fullmatch(name):
            raise self.unknown_function(token)
        value = self.resolve(name)
        if value is not None:
            return value
        if self.at("("):
            raise self.unknown_function(token)
        hint = (message_text("parse_expected_names", names=", ".join(sorted(self.variables)))
                if self.variables else message_text("parse_no_variables"))
        for function in _FUNCTIONS:
            rest = name[len(function):]
            if name.startswith(function) and rest and self.resolve(rest) is not None:
                hint += message_text("parse_did_you_mean", guess=f"{function}({rest})")
                break
        raise self.error(token, message_text("parse_unknown_name", raw=token.raw), hint)

    def unknown_function(self, token: _Token) -> ParseError:
        return self.error(token, message_text("parse_unknown_function", raw=token.raw),
                          f"known functions: {', '.join(_FUNCTIONS)}; "
                          f"for a product write {token.raw}*(...)")

    def resolve(self, name: str) -> sympy.Expr | None:
        """A constant, a symbol, or (with variables) a product of known names like 'xy'."""
        if self.variables is None:
            return _CONSTANTS.get(name) or symbol(name)
        if name in self.known:
            return self.known[name]
        following: list[str | None] = [None] * len(name) + [""]  # best piece starting at i
        for start in range(len(name) - 1, -1, -1):
            following[start] = next((k for k in self.known_by_length if name.startswith(k, start)
                                     and following[start + len(k)] is not None), None)
        if following[0] is None:
            return None
        factors, start = [], 0
        while start < len(name):
            factors.append(self.known[following[start]])
            start += len(following[start])
        return sympy.Mul(*factors)

    def call(self, token: _Token) -> sympy.Expr:
        """name(args), also sin²(x) and sin^2(x) for a power of the call."""
        function, fewest, most = _FUNCTIONS[token.value]
        power = None
        if self.peek().kind == "sup":
            power = self.advance()
        elif self.at("^") and self.peek(1).kind == "num" and (
                self.peek(2).value == "(" or self.peek(2).kind == "name"):
            self.advance()
            power = self.advance()
        elif self.at("^") and self.peek(1).value == "-":
            power = self.peek()
        if power is not None and not power.value.translate(_SUPERSCRIPT_VALUE).isdigit():
            raise self.error(power, f"only a whole positive power can follow {token.raw!r}",
                             f"write a{token.raw}(x) for the inverse or ({token.raw}(x))^p")
        if not self.at("("):
            return self.apply_bare(token, function, power, most)
        opening = self.advance()
        self.enter(opening)
        outer_bars, self.open_bars = self.open_bars, 0
        args = [self.sum()]
        while self.at(","):
            self.advance()
            args.append(self.sum())
        self.close(opening)
        self.open_bars = outer_bars
        self.depth -= 1
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = f"{fewest} or more" if most is None else (
                str(fewest) if fewest == most else f"{fewest} to {most}")
            raise self.error(token, f"function {token.raw!r} takes {wanted} argument"
                             f"{'' if wanted == '1' else 's'}, got {len(args)}")
        try:
            value = function(*args)
        except (ValueError, TypeError) as err:  # e.g. Max of a non-real number
            raise self.error(token, f"{token.raw}(...) cannot take these arguments ({err})"
                             ) from None
        if _undefined(value):
            raise self.error(token, f"{token.raw}(...) is undefined here")
        if isinstance(value, (sympy.Max, sympy.Min)) and len(value.args) > MAX_COMPARED:
            raise self.error(token, f"{token.raw}(...) compares {len(value.args)} values",
                             f"the limit is {MAX_COMPARED}, nested max and min included")
        return self.raised(value, power)

    def raised(self, value: sympy.Expr, power: _Token | None) -> sympy.Expr:
        """``value`` to the power written after the function name (sin²x), if any."""
        if power is None:
            return value
        exponent = sympy.Integer(power.value.translate(_SUPERSCRIPT_VALUE))
        return self.make_power(value, exponent, power)

    def apply_bare(self, token: _Token, function, power: _Token | None,
                   most: int | None) -> sympy.Expr:
        """``sin 2x``: the function applies to the product written next to it, up to the next
        operator or function name (see the module's precedence rule)."""
        if most != 1 and token.value != "log":
            raise self.error(token, f"function {token.raw!r} needs its arguments in parentheses",
                             f"write it like {token.raw}(a, b)")
        if not (self.peek().kind in ("num", "name") or self.at("π", "√", "(")):
            raise self.error(token, f"function {token.raw!r} needs an argument",
                             f"write it like {token.raw}(x) or {token.raw} x")
        self.enter(token)
        factors = [self.power()]
        while self.peek().kind in ("num", "name") and self.peek().value not in _FUNCTIONS \
                or self.at("π", "√", "("):
            if self.peek().kind == "num":
                raise self.error(self.peek(), message_text("parse_missing_operator", raw=self.peek().raw),
                                 message_text("parse_star_between_numbers"))
            factors.append(self.power())
        self.depth -= 1
        value = function(sympy.Mul(*factors))
        if _undefined(value):
            raise self.error(token, f"{token.raw} ... is undefined here")
        return self.raised(value, power)


def _variable_table(variables: Iterable[str | sympy.Symbol] | str) -> dict[str, sympy.Expr]:
    if isinstance(variables, str):
        variables = [name for name in re.split(r"[\s,]+", variables) if name]
    table = {}
    for variable in variables:
        variable = symbol(variable.name if isinstance(variable, sympy.Symbol) else variable)
        if variable.name in _FUNCTIONS:
            raise ParseError(f"variable name {variable.name!r} is a function name; "
                             "choose another name")
        table[variable.name] = variable
    return table


def parse(text: str, variables: Iterable[str | sympy.Symbol] | str | None = None) -> sympy.Expr:
    """The SymPy expression for ``text``; symbols are real.

    With ``variables``, only those names (and ``pi``, ``e``) are allowed, and an unknown
    name like ``xy`` is read as the product ``x*y`` when it splits into known names.

    >>> parse("x(1+x) - |x|²")
    -x**2 + x*(x + 1)
    """
    if not isinstance(text, str):
        raise ParseError(f"expected the expression as text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the expression is {len(text)} characters long; "
                         f"the limit is {MAX_LENGTH} characters")
    if not text.strip():
        raise ParseError(message_text("parse_empty"))
    table = None if variables is None else _variable_table(variables)

    def read() -> sympy.Expr:
        try:
            return _Parser(text, table).parse()
        except RecursionError:  # only when called from an already deep stack
            raise ParseError(f"the expression is nested too deeply to read here; "
                             f"the limit is {MAX_DEPTH} levels") from None
    expr = bounded(read, message_text("reading_expression"))
    if next(itertools.islice(sympy.preorder_traversal(expr), MAX_NODES, None), None) is not None:
        raise ParseError(f"the expression has more than {MAX_NODES} parts; simplify it first")
    return expr


def parse_point(point: str | Mapping[str, object]) -> dict[str, float]:
    """Values of variables from ``"x=2, y=-1"`` or a mapping; values may be constants like pi/2.

    >>> parse_point({"x": 2, "y": "sqrt(2)"})
    {'x': 2.0, 'y': 1.4142135623730951}
    """
    if isinstance(point, Mapping):
        return {_point_name(name): _point_value(name, value) for name, value in point.items()}
    if not isinstance(point, str):
        raise ParseError(f"expected a point like 'x=2, y=-1', got {type(point).__name__}")
    if not point.strip():
        raise ParseError("the point is empty; write it like x=2, y=-1")
    result: dict[str, float] = {}
    for start, part in split_top_level(point):
        name, equals, value = part.partition("=")
        name_start = start + len(name) - len(name.lstrip())
        name = name.strip()
        if not equals or not name:
            raise _error(point, name_start, f"expected name=value, got {part.strip()!r}",
                         "write the point like x=2, y=-1")
        if not _is_plain_name(name):
            raise _error(point, name_start, f"{name!r} is not a valid variable name")
        if name in result:
            raise _error(point, name_start, f"{name!r} is given twice")
        value_start = start + len(part) - len(value)
        try:
            result[name] = _point_value(name, value)
        except ParseError as err:  # count columns in the whole point
            column = value_start + (err.column or len(value) - len(value.lstrip()) + 1)
            at = message_text("at_column", what="\0", column=err.column).split("\0")
            message = str(err).replace(at[1], at[0], 1) if err.column else str(err)
            raise _error(point, column - 1, *re.split("; |；", message, maxsplit=1)) from None
    return result


def split_top_level(text: str) -> list[tuple[int, str]]:
    """Parts between commas outside brackets, each with its start index (nothing evaluated).

    >>> split_top_level("x=max(1, 2), y=3")
    [(0, 'x=max(1, 2)'), (12, ' y=3')]
    """
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            parts.append((start, text[start:index]))
            start = index + 1
    parts.append((start, text[start:]))
    return parts


def _point_name(name: object) -> str:
    symbol(name)  # validates
    return name


def _point_value(name: str, value: object) -> float:
    return parse_number(value, f"the value of {name!r}", kind="points")


def parse_number(value: object, what: str = "the value", *, kind: str = "values") -> float:
    """A real, finite number given as a number or as constant text such as ``"pi/2"``;
    ``ParseError`` naming ``what`` (and ``kind`` for "must be finite") otherwise.

    >>> parse_number("e^2"), parse_number(3)
    (7.38905609893065, 3.0)
    """
    if isinstance(value, str):
        try:
            value = parse(value)
        except ParseError as err:
            error = ParseError(f"{what}: {err}", text=value)
            error.column = err.column
            raise error from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real | sympy.Expr):
        raise ParseError(f"{what} must be a number, got {value!r}")
    if isinstance(value, sympy.Expr) and value.free_symbols:
        unknown = ", ".join(sorted(map(str, value.free_symbols)))
        raise ParseError(f"{what} must be a constant, but it uses {unknown}")
    try:
        number = complex(sympy.N(value, 17)) if isinstance(value, sympy.Expr) else float(value)
    except (TypeError, ValueError, OverflowError):
        raise ParseError(f"{what} cannot be computed as a number") from None
    if isinstance(number, complex):
        if number.imag != 0:
            raise ParseError(f"{what} is not a real number ({number})")
        number = number.real
    if not math.isfinite(number):
        raise ParseError(f"{what} is {number}; {kind} must be finite numbers")
    return number
