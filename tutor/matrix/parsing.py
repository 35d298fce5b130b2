"""Read a matrix expression as people type it, safely: a regex tokenizer and a
recursive-descent parser that build :class:`~tutor.matrix.nodes.Node` trees from a whitelist
(no ``eval``, ``sympify`` or ``parse_expr``).

Transposes: ``Xᵀ``, ``X^T``, ``X.T``, ``X'``. Matrix products: ``@``, juxtaposition (``X w``,
``Xw`` when both are declared names), ``·``, ``×``. Element-wise: ``⊙``, ``∘``, ``*``, ``/``,
``^2`` (and ``x²``), ``Z > 0`` (1 where it holds). Functions: ``sum(A, axis=0)``,
``mean``, ``A.sum(axis=0)``, ``trace``/``tr``, ``diag``, ``norm``/``‖x‖``,
``softmax``/``log_softmax``, ``outer``, ``dot``, ``ones(n)``/``1_n``, ``eye(n)``/``I_n``, and the
element-wise exp, log, sqrt, tanh, sigmoid, relu, softplus, sin, cos, abs, sign, heaviside.

>>> from tutor.matrix.nodes import render
>>> render(parse("2 X^T (X w - y)", ["X", "w", "y"], ["n", "d"]))
'2Xᵀ(Xw − y)'
>>> render(parse("X.T @ (P - Y) / n", ["X", "P", "Y"], ["n", "d", "k"]))
'Xᵀ(P − Y)/n'
>>> parse("X w +", ["X", "w"], [])
Traceback (most recent call last):
...
tutor.errors.ParseError: missing operand after '+' at column 5
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tutor._cursor import TokenCursor
from tutor.errors import ParseError
from tutor.matrix.nodes import Node
from tutor.matrix.tokens import SUPERSCRIPTS, Token, error_at, tokenize
from tutor.messages import text as message_text

MAX_LENGTH = 1000
MAX_DEPTH = 60
MAX_EXPONENT = 100

ELEMENTWISE = {
    "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "tanh": "tanh",
    "sigmoid": "sigmoid", "σ": "sigmoid", "relu": "relu", "softplus": "softplus",
    "sin": "sin", "cos": "cos", "sinh": "sinh", "cosh": "cosh", "abs": "abs", "sign": "sign",
    "heaviside": "heaviside", "step": "heaviside",
}
_REDUCTIONS = {"sum", "mean"}
_SOFTMAX = {"softmax", "log_softmax"}
_SHAPE_MAKERS = {"ones", "eye"}
_PAIRS = {"outer", "dot"}
_ONE_ARGUMENT = {"trace": "trace", "tr": "trace", "diag": "diag", "norm": "norm",
                 "transpose": "T"}
FUNCTIONS = sorted({*ELEMENTWISE, *_REDUCTIONS, *_SOFTMAX, *_SHAPE_MAKERS, *_PAIRS,
                    *_ONE_ARGUMENT})
RESERVED = {"T", "I", "e", "pi", "axis", "dim", *FUNCTIONS}
_CONSTANTS = {"pi": 3.141592653589793, "π": 3.141592653589793, "e": 2.718281828459045}
_COMPARISONS = (">", "<", ">=", "<=")
_ELEMENTWISE_PRODUCTS = ("*", "⊙", "/")


def _is_coefficient(node: Node) -> bool:
    """A number made of constants and dimension names (2, -2/n), which commutes."""
    return all(part.kind in ("number", "dim", "neg", "mul", "div", "matmul", "pow")
               for part in node.walk())


class _Parser(TokenCursor):
    """Grammar, loosest first:
    compare := sum (('>'|'<'|'>='|'<=') sum)? ; sum := term (('+'|'-') term)*
    term := signed (('@'|'·'|'*'|'⊙'|'/') signed | postfix)*   (juxtaposition is '@')
    signed := ('+'|'-')* postfix ; postfix := atom ('ᵀ' | "'" | '^T' | '.T' | '^' power
              | superscript | '.sum(...)' | '.mean(...)')*
    atom := number | name | 1_n | function '(' args ')' | '(' compare ')' | '‖' sum '‖'
    """

    def __init__(self, text: str, variables: set[str], dims: set[str],
                 defined: Mapping[str, Node]):
        self.text = text
        super().__init__(tokenize(text))
        self.depth = 0
        self.in_norm = False
        self.variables = variables
        self.dims = dims
        self.defined = defined
        self.known = sorted(variables | dims | set(defined), key=len, reverse=True)

    # -- tokens
    def expect(self, op: str, opening: Token) -> None:
        if self.at(op):
            self.advance()
            return
        token = self.peek()
        if token.kind == "end":
            raise error_at(message_text("parse_unclosed", raw=opening.raw), opening.column,
                           message_text("parse_close_it", closing=op))
        raise self.unexpected(token)

    def unexpected(self, token: Token) -> ParseError:
        if token.kind == "end":
            before = self.tokens[self.index - 1] if self.index else token
            return error_at(message_text("parse_missing_operand", raw=before.raw), before.column)
        if token.value == ")":
            return error_at(message_text("parse_unexpected_close"), token.column, message_text("parse_no_open"))
        if token.value == ",":
            return error_at(message_text("parse_unexpected_comma"), token.column,
                            message_text("matrix_parse_comma_hint"))
        if token.value == "=":
            return error_at(message_text("matrix_parse_equals"), token.column,
                            message_text("matrix_parse_equation_hint"))
        return error_at(message_text("parse_unexpected", raw=token.raw), token.column)

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise error_at(message_text("parse_too_deep"), token.column,
                           message_text("parse_depth_limit", limit=MAX_DEPTH))

    # -- grammar
    def parse(self) -> Node:
        node = self.compare()
        if self.peek().kind != "end":
            raise self.unexpected(self.peek())
        return node

    def compare(self) -> Node:
        left = self.sum()
        if self.at(*_COMPARISONS):
            token = self.advance()
            left = Node("compare", (left, self.sum()), token.value, token.column)
            if self.at(*_COMPARISONS):
                raise error_at(message_text("matrix_parse_chained"), self.peek().column)
        return left

    def sum(self) -> Node:
        node = self.term()
        while self.at("+", "-"):
            token = self.advance()
            node = Node("add" if token.value == "+" else "sub", (node, self.term()),
                        column=token.column)
        return node

    def term(self) -> Node:
        node = self.signed()
        while True:
            token = self.peek()
            if self.at("@", "·", *_ELEMENTWISE_PRODUCTS):
                self.advance()
                kind = {"*": "mul", "⊙": "mul", "/": "div"}.get(token.value, "matmul")
                node = Node(kind, (node, self.signed()), column=token.column)
            elif token.kind == "num":
                raise error_at(message_text("parse_missing_operator", raw=token.raw), token.column,
                               message_text("matrix_parse_number_first"))
            elif token.kind in ("name", "ones") or self.at("(") or (
                    self.at("‖") and not self.in_norm):
                if _is_coefficient(node):  # 2 X (Xw - y) is 2 (X (Xw - y)), as in math
                    return Node("matmul", (node, self.term()), column=token.column)
                node = Node("matmul", (node, self.postfix()), column=token.column)
            else:
                return node

    def signed(self) -> Node:
        negative, first = False, self.peek()
        while self.at("+", "-"):
            negative ^= self.advance().value == "-"
        node = self.postfix()
        return Node("neg", (node,), column=first.column) if negative else node

    def postfix(self) -> Node:
        node = self.atom()
        while True:
            token = self.peek()
            if self.at("ᵀ", "'"):
                self.advance()
                node = Node("T", (node,), column=token.column)
            elif self.at(".") and self.peek(1).kind == "name":
                node = self.method(node)
            elif self.at("^"):
                node = self.power(node)
            elif token.kind == "sup":
                self.advance()
                node = self.make_power(node, token.value.translate(
                    str.maketrans(SUPERSCRIPTS + "⁻", "0123456789-")), token)
            else:
                return node

    def method(self, node: Node) -> Node:
        dot = self.advance()
        name = self.advance()
        if name.value == "T":
            return Node("T", (node,), column=dot.column)
        if name.value in _REDUCTIONS and self.at("("):
            args, axis = self.arguments(name)
            if args:
                raise error_at(message_text("matrix_parse_method_axis_only", name=name.value),
                               name.column, message_text("matrix_parse_method_hint", name=name.value))
            return Node("reduce", (node,), (name.value, axis), name.column)
        raise error_at(message_text("matrix_parse_attribute", raw=name.raw), dot.column,
                       message_text("matrix_parse_attribute_hint"))

    def power(self, node: Node) -> Node:
        caret = self.advance()
        token = self.peek()
        if token.kind == "name" and token.value.startswith("T"):
            self.advance()
            if token.value != "T":  # X^Tw: the transpose, then the name 'w'
                rest = token.value[1:]
                self.index -= 1
                self.tokens[self.index] = Token("name", rest, token.column + 1, rest)
            return Node("T", (node,), column=caret.column)
        negative = self.at("-")
        if negative:
            self.advance()
        token = self.advance()
        if token.kind != "num":
            if token.value == "(":
                raise error_at(message_text("matrix_parse_power"), token.column,
                               message_text("matrix_parse_power_hint"))
            self.index -= 1
            raise self.unexpected(token)
        exponent = ("-" if negative else "") + token.value
        if exponent == "-1" and node.kind in ("var", "T"):
            raise error_at(message_text("matrix_parse_inverse"), caret.column,
                           message_text("matrix_parse_inverse_hint"))
        return self.make_power(node, exponent, caret)

    def make_power(self, node: Node, exponent: str, token: Token) -> Node:
        value = float(exponent)
        if abs(value) > MAX_EXPONENT:
            raise error_at(message_text("matrix_parse_exponent", exponent=exponent), token.column,
                           message_text("matrix_parse_limit", limit=MAX_EXPONENT))
        return Node("pow", (node,), value, token.column)

    def atom(self) -> Node:
        token = self.advance()
        if token.kind == "num":
            return Node("number", value=float(token.value), column=token.column)
        if token.kind == "ones":
            return self.ones(token)
        if token.kind == "name":
            return self.name(token)
        if token.value == "(":
            self.enter(token)
            node = self.compare()
            self.expect(")", token)
            self.depth -= 1
            return node
        if token.value == "‖" and not self.in_norm:
            self.enter(token)
            self.in_norm = True
            node = self.sum()
            self.in_norm = False
            self.expect("‖", token)
            self.depth -= 1
            return Node("norm", (node,), column=token.column)
        self.index -= 1
        if token.value == ")" and self.index and self.tokens[self.index - 1].value == "(":
            raise error_at(message_text("parse_empty_parentheses"), token.column)
        if token.kind == "sup":
            raise error_at(message_text("parse_superscript_alone", raw=token.raw), token.column)
        raise self.unexpected(token)

    def ones(self, token: Token) -> Node:
        size = token.value.partition("_")[2]
        if size.isdigit():
            return Node("ones", value=(int(size),), column=token.column)
        if size not in self.dims:
            raise self.unknown_dimension(size, token.column)
        return Node("ones", value=(size,), column=token.column)

    def unknown_dimension(self, name: str, column: int) -> ParseError:
        known = ", ".join(sorted(self.dims)) or message_text("matrix_parse_none_declared")
        return error_at(message_text("matrix_parse_unknown_dimension", name=name), column,
                        message_text("matrix_parse_dimensions", known=known))

    def name(self, token: Token) -> Node:
        name = token.value
        if self.at("(") and (name in FUNCTIONS or name == "σ"):
            return self.call(token)
        if name in FUNCTIONS or name == "σ":
            raise error_at(message_text("matrix_parse_needs_parentheses", name=name), token.column,
                           message_text("matrix_parse_write_like", name=name))
        if name in self.variables:
            return Node("var", value=name, column=token.column)
        if name in self.defined:
            return Node("let", (self.defined[name],), name, token.column)
        if name in self.dims:
            return Node("dim", value=name, column=token.column)
        if name.startswith("I_") and name[2:] in self.dims:
            return Node("eye", value=name[2:], column=token.column)
        if name in _CONSTANTS:
            return Node("number", value=_CONSTANTS[name], column=token.column)
        pieces = self.split(name)
        if pieces:  # 'Xw': the product of two declared names
            nodes = [self.name(Token("name", piece, token.column, piece)) for piece in pieces]
            node = nodes[0]
            for other in nodes[1:]:
                node = Node("matmul", (node, other), column=token.column)
            return node
        if self.at("("):
            raise error_at(message_text("parse_unknown_function", raw=token.raw), token.column,
                           message_text("matrix_parse_known_functions", functions=", ".join(FUNCTIONS),
                                raw=token.raw))
        known = ", ".join(sorted(self.variables | self.dims | set(self.defined)))
        raise error_at(message_text("parse_unknown_name", raw=token.raw), token.column,
                       message_text("matrix_parse_declared", known=known))

    def split(self, name: str) -> list[str] | None:
        """``name`` as a run of declared names ('Xw' -> X, w), or None."""
        best: list[list[str] | None] = [None] * len(name) + [[]]
        for start in range(len(name) - 1, -1, -1):
            for known in self.known:
                rest = best[start + len(known)] if name.startswith(known, start) else None
                if rest is not None:
                    best[start] = [known, *rest]
                    break
        return best[0]

    def arguments(self, function: Token) -> tuple[list[Node], object]:
        """'(' args [, axis=k] ')' after a function name; the args and the axis (or None)."""
        opening = self.advance()
        self.enter(opening)
        outer_norm, self.in_norm = self.in_norm, False
        args, axis = [], None
        while True:
            if self.peek().kind == "name" and self.peek(1).value == "=":
                axis = self.keyword(function)
            elif self.at(")") and not args:
                break
            else:
                if axis is not None:
                    raise error_at(message_text("matrix_parse_positional_after_axis"),
                                   self.peek().column)
                args.append(self.compare())
            if not self.at(","):
                break
            self.advance()
        self.expect(")", opening)
        self.in_norm = outer_norm
        self.depth -= 1
        return args, axis

    def keyword(self, function: Token) -> int:
        name = self.advance()
        if name.value not in ("axis", "dim"):
            raise error_at(message_text("matrix_parse_unknown_keyword", raw=name.raw), name.column,
                           message_text("matrix_parse_only_axis"))
        self.advance()  # '='
        return self.axis_number(function)

    def axis_number(self, function: Token) -> int:
        negative = self.at("-")
        if negative:
            self.advance()
        token = self.advance()
        if token.kind != "num" or not token.value.isdigit():
            raise error_at(message_text("matrix_parse_axis_value", function=function.value),
                           token.column)
        axis = -int(token.value) if negative else int(token.value)
        if axis not in (0, 1, -1):
            raise error_at(message_text("matrix_parse_no_such_axis", function=function.value, axis=axis),
                           token.column, message_text("matrix_parse_axes_hint"))
        return axis

    def call(self, token: Token) -> Node:
        name = ELEMENTWISE.get(token.value, token.value)
        if token.value in _SHAPE_MAKERS:
            return self.shape_maker(token)
        args, axis = self.arguments(token)
        if len(args) == 2 and axis is None and name in _REDUCTIONS | _SOFTMAX:
            axis = self.positional_axis(token, args.pop())
        wanted = 2 if name in _PAIRS else 1
        if len(args) != wanted:
            raise error_at(message_text("matrix_parse_arguments", raw=token.raw, wanted=wanted,
                                plural="s" * (wanted > 1), got=len(args)), token.column)
        if axis is not None and name not in _REDUCTIONS | _SOFTMAX:
            raise error_at(message_text("matrix_parse_no_axis", raw=token.raw), token.column)
        if name in _REDUCTIONS:
            return Node("reduce", tuple(args), (name, axis), token.column)
        if name in _SOFTMAX:
            return Node("softmax", tuple(args), (name, axis), token.column)
        if name == "outer":
            return Node("matmul", (args[0], Node("T", (args[1],))), column=token.column)
        if name == "dot":
            return Node("matmul", (Node("T", (args[0],)), args[1]), column=token.column)
        if name in _ONE_ARGUMENT:
            return Node(_ONE_ARGUMENT[name], tuple(args), column=token.column)
        return Node("apply", tuple(args), name, token.column)

    def positional_axis(self, token: Token, node: Node) -> int:
        value = -node.args[0].value if node.kind == "neg" and node.args[0].kind == "number" \
            else node.value if node.kind == "number" else None
        if value not in (0, 1, -1):
            raise error_at(message_text("matrix_parse_positional_axis", function=token.value),
                           node.column)
        return int(value)

    def shape_maker(self, token: Token) -> Node:
        opening = self.advance()
        sizes = []
        while True:
            size = self.advance()
            if size.kind == "num" and size.value.isdigit():
                sizes.append(int(size.value))
            elif size.kind == "name" and size.value in self.dims:
                sizes.append(size.value)
            elif size.kind == "name":
                raise self.unknown_dimension(size.value, size.column)
            else:
                self.index -= 1
                raise error_at(message_text("matrix_parse_dimensions_like", function=token.value),
                               size.column)
            if not self.at(","):
                break
            self.advance()
        self.expect(")", opening)
        most = 2 if token.value == "ones" else 1
        if len(sizes) > most:
            raise error_at(message_text("matrix_parse_at_most", function=token.value, most=most,
                                        plural="s" * (most > 1)), token.column)
        if token.value == "eye":
            return Node("eye", value=sizes[0], column=token.column)
        return Node("ones", value=tuple(sizes), column=token.column)


def parse(text: str, variables: Iterable[str], dims: Iterable[str],
          defined: Mapping[str, Node] | None = None) -> Node:
    """The tree of ``text``, whose names must be ``variables`` (matrices, vectors, scalars),
    ``dims`` (dimension names, read as numbers) or ``defined`` (names for formulas)."""
    if not isinstance(text, str):
        raise ParseError(message_text("question_not_text", kind=type(text).__name__))
    if len(text) > MAX_LENGTH:
        raise ParseError(message_text("matrix_parse_too_long", length=len(text),
                                      limit=MAX_LENGTH))
    if not text.strip():
        raise ParseError(message_text("matrix_parse_empty"))
    try:
        return _Parser(text, set(variables), set(dims), defined or {}).parse()
    except RecursionError:
        raise ParseError(message_text("matrix_parse_nested", limit=MAX_DEPTH)) from None
