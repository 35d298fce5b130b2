"""A lesson's formulas as SymPy: its variables, its tensors element by element, its ``let`` bindings.

Tensors are declared with a shape; each element is a variable named ``w_0_1`` (written
``w[0,1]`` in formulas). ``let`` bindings may use index letters and ``sum(j, ...)``::

    logits[i,k]: "sum(j, x[i,j]*w[j,k]) + b[k]"

The index notation is expanded as text (no evaluation) into one formula per element, and
every formula is read by the safe parser :func:`tutor.parsing.parse`. A binding stays a symbol
until :meth:`LessonMath.substitute` replaces it by its definition, so ``d y2 / d y1`` can
hold ``y1`` while ``d y2 / d w1`` expands everything.

>>> from tutor.lessons.model import Lesson, Let, Source, Text, Tensor
>>> lesson = Lesson(path=None, id="demo", order=1, title=Text({"": "Demo"}),
...     summary=Text({"": "Demo"}), steps=(), tensors=(Tensor("w", (2,), 1, init="zeros"),),
...     lets=(Let("s", (), Source("sum(j, w[j]^2)", 2)),))
>>> math = LessonMath(lesson)
>>> math.expr(Source("s", 3), "demo")
w_0**2 + w_1**2
>>> math.expand_names(["w"])
['w_0', 'w_1']
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping

import sympy

from tutor.errors import LessonError, ParseError
from tutor.lessons.model import Lesson, Let, Point, Source, Tensor
from tutor.parsing import parse, symbol

_SUM = re.compile(r"\bsum\s*\(\s*([A-Za-z_]\w*)\s*,")
_REF = re.compile(r"([A-Za-z]\w*)\s*\[([^\[\]]*)\]")


def element_name(name: str, index: Iterable[int]) -> str:
    """``w``, (0, 1) -> ``w_0_1``; a scalar keeps its name."""
    return "_".join([name, *map(str, index)])


class LessonMath:
    """Names, tensor values and ``let`` definitions of one lesson, ready for the checker."""

    def __init__(self, lesson: Lesson):
        self.lesson = lesson
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.display: dict[str, str] = {}  # element symbol name -> w[0,1]
        self.elements: dict[str, list[str]] = {}
        self.constants: dict[sympy.Symbol, sympy.Expr] = {}
        self.definitions: list[tuple[str, dict[sympy.Symbol, sympy.Expr]]] = []
        self.names: list[str] = list(lesson.variables)
        for tensor in lesson.tensors:
            self._declare(tensor.name, tensor.shape)
            if tensor.is_data:
                self.constants.update(_data_elements(tensor))
        for let in lesson.lets:
            self._define(let)

    # ------------------------------------------------------------ building

    def _declare(self, name: str, shape: tuple[int, ...]) -> list[str]:
        self.shapes[name] = shape
        elements = []
        for index in itertools.product(*(range(n) for n in shape)):
            element = element_name(name, index)
            self.display[element] = f"{name}[{','.join(map(str, index))}]" if index else name
            elements.append(element)
        self.elements[name] = elements
        self.names += elements
        return elements

    def _define(self, let: Let) -> None:
        where = f"let {let.name}"
        try:
            ranges = [self._range(index, let.body.text) for index in let.indices]
        except ParseError as error:
            raise LessonError(f"{where}: {error}", path=self.label, line=let.body.line) from None
        definitions = {}
        for element, index in zip(self._declare(let.name, tuple(ranges)),
                                  itertools.product(*(range(n) for n in ranges)), strict=True):
            env = dict(zip(let.indices, index, strict=True))
            definitions[symbol(element)] = self._parse(let.body, where, env)
        self.definitions.append((let.name, definitions))

    @property
    def label(self) -> str:
        """The lesson file as errors name it."""
        from tutor.documents import display_path

        return display_path(self.lesson.path) if self.lesson.path else "<lesson>"

    # ------------------------------------------------------------ index notation

    def _range(self, index: str, text: str) -> int:
        """How far ``index`` runs, from the dimensions it indexes in ``text``."""
        sizes = set()
        for name, inside in _REF.findall(text):
            positions = [part.strip() for part in inside.split(",")]
            for position, part in enumerate(positions):
                if part == index and name in self.shapes and position < len(self.shapes[name]):
                    sizes.add(self.shapes[name][position])
        if len(sizes) != 1:
            problem = "is not used to index any tensor" if not sizes else (
                f"indexes dimensions of different sizes {sorted(sizes)}")
            raise ParseError(f"index {index!r} {problem}")
        return sizes.pop()

    def expand(self, text: str, env: Mapping[str, int] | None = None) -> str:
        """Index notation as plain text: ``sum(j, w[j])`` -> ``(w_0 + w_1)``."""
        env = dict(env or {})
        match = _SUM.search(text)
        if match:
            index = match.group(1)
            if index in env:
                raise ParseError(f"index {index!r} is already in use here")
            depth, end = 1, match.end()
            while end < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                end += 1
            if depth:
                raise ParseError(f"sum({index}, ...) has no closing parenthesis")
            body = text[match.end():end - 1]
            terms = [self.expand(body, {**env, index: value})
                     for value in range(self._range(index, body))]
            expanded = f"{text[:match.start()]}({' + '.join(terms)}){text[end:]}"
            return self.expand(expanded, env)
        return _REF.sub(lambda m: self._element(m.group(1), m.group(2), env), text)

    def _element(self, name: str, inside: str, env: Mapping[str, int]) -> str:
        if name not in self.shapes:
            raise ParseError(f"{name!r} is not a tensor or an indexed let binding, "
                             f"so {name}[{inside}] means nothing")
        shape = self.shapes[name]
        parts = [part.strip() for part in inside.split(",")] if inside.strip() else []
        if len(parts) != len(shape):
            raise ParseError(f"{name} has {len(shape)} dimension(s) {list(shape)}, "
                             f"but {name}[{inside}] gives {len(parts)} index(es)")
        index = []
        for part, size in zip(parts, shape, strict=True):
            value = env.get(part, int(part) if part.isdigit() else None)
            if value is None:
                raise ParseError(f"{part!r} in {name}[{inside}] is not a number or an index letter "
                                 "bound by sum(...) or by the let name")
            if not 0 <= value < size:
                raise ParseError(f"index {value} is out of range for {name} (size {size})")
            index.append(value)
        return element_name(name, index)

    # ------------------------------------------------------------ reading formulas

    def _parse(self, source: Source, where: str, env: Mapping[str, int] | None = None) -> sympy.Expr:
        try:
            return self._parse_text(source.text, env)
        except ParseError as error:
            raise LessonError(f"{where}: cannot read {source.text!r}: {error}", path=self.label,
                              line=source.line) from None

    def _parse_text(self, text: str, env: Mapping[str, int] | None = None) -> sympy.Expr:
        expanded = self.expand(text, env) if ("[" in text or "sum" in text) and self.shapes else text
        return parse(expanded, self.names)

    def substitute(self, expr: sympy.Expr, hold: Iterable[str] = ()) -> sympy.Expr:
        """Replace ``let`` names by their definitions (except those in ``hold``) and data by numbers."""
        hold = set(hold)
        for name, definitions in reversed(self.definitions):
            if name not in hold:
                expr = expr.xreplace({s: d for s, d in definitions.items() if s.name not in hold})
        return expr.xreplace(self.constants)

    def expr(self, source: Source, where: str, hold: Iterable[str] = ()) -> sympy.Expr:
        """A formula from the lesson file, with ``let`` bindings substituted; LessonError on bad text."""
        return self.substitute(self._parse(source, where), hold)

    def shown(self, source: Source, where: str) -> sympy.Expr:
        """A formula as written (bindings kept as names), for display."""
        return self._parse(source, where)

    def read_answer(self, text: str, hold: Iterable[str] = ()) -> sympy.Expr:
        """A learner's answer: parsed safely, bindings substituted. ParseError if unreadable."""
        return self.substitute(self._parse_text(text), hold)

    def expand_names(self, names: Iterable[str], where: str = "", line: int | None = None) -> list[str]:
        """Variable names, with tensor and indexed-binding names replaced by their elements."""
        result = []
        for name in names:
            if name in self.elements and self.shapes[name]:
                result += self.elements[name]
            elif name in self.names:
                result.append(name)
            else:
                raise LessonError(f"{where}: {name!r} is not a variable, tensor or let binding of "
                                  f"this lesson", path=self.label, line=line)
        return result

    def formula(self, source: Source, where: str) -> sympy.Expr:
        """A ``say`` step's formula, for display: ``lhs = rhs`` becomes an equation."""
        sides = source.text.split("=")
        if len(sides) > 2:
            raise LessonError(f"{where}: math: at most one '=' in {source.text!r}",
                              path=self.label, line=source.line)
        try:
            parsed = [parse(self.expand(side) if self.shapes else side) for side in sides]
        except ParseError as error:
            raise LessonError(f"{where}: math: cannot read {source.text!r}: {error}",
                              path=self.label, line=source.line) from None
        return sympy.Eq(*parsed, evaluate=False) if len(parsed) == 2 else parsed[0]

    def let_names(self) -> set[str]:
        return {name for name, _ in self.definitions}

    # ------------------------------------------------------------ numbers

    @functools.cached_property
    def values(self) -> dict[str, float]:
        """The seeded starting values of every tensor element (float32, as torch draws them)."""
        import torch

        generator = torch.Generator().manual_seed(self.lesson.seed)
        values: dict[str, float] = {}
        for tensor in self.lesson.tensors:
            if tensor.is_data:
                continue
            numbers = _draw(tensor, generator).reshape(-1).tolist()
            values.update(zip(self.elements[tensor.name], numbers, strict=True))
        return values

    def point(self, point: Point | None = None) -> dict[str, float]:
        """Tensor values, overridden and completed by ``point``."""
        return {**(self.values if self.lesson.tensors else {}), **(point.values if point else {})}


def _draw(tensor: Tensor, generator):
    import torch

    shape = tensor.shape
    if tensor.init == "uniform":
        drawn = torch.rand(shape, generator=generator)
        return drawn if (tensor.low, tensor.high) == (0.0, 1.0) else drawn * (tensor.high - tensor.low) + tensor.low
    if tensor.init == "normal":
        return torch.randn(shape, generator=generator)
    return (torch.zeros if tensor.init == "zeros" else torch.ones)(shape)


def _data_elements(tensor: Tensor) -> dict[sympy.Symbol, sympy.Expr]:
    if tensor.one_hot is not None:
        rows = [[int(label == k) for k in range(tensor.depth)] for label in tensor.one_hot]
    else:
        rows = tensor.values
    flat = list(_flatten(rows))
    names = [element_name(tensor.name, index)
             for index in itertools.product(*(range(n) for n in tensor.shape))]
    return {symbol(name): sympy.nsimplify(value) for name, value in zip(names, flat, strict=True)}


def _flatten(values):
    if isinstance(values, (list, tuple)):
        for value in values:
            yield from _flatten(value)
    else:
        yield values
