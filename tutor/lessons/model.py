"""What a lesson is, once its file has been read and validated: plain dataclasses, no SymPy.

These dataclasses are also the lesson file's schema: :class:`tutor.documents.Reader` reads
each field by its name, type and default (``spec`` adds bounds and custom readers), so a
default is written once, here. The step kinds (``say``, ``ask``, ...) are dataclasses
deriving from :class:`Step`, each in its own module of :mod:`tutor.lessons.steps`.

Expressions stay text (:class:`Source`, with their line) until :mod:`tutor.lessons.mathctx`
parses them, so that listing lessons never pays for SymPy.

>>> Text({"en": "Hello", "zh": "你好"}, line=3).get("zh")
'你好'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from tutor.documents import spec

SCHEMA_VERSION = 1
DType = Literal["float64", "float32"]
DTYPES = get_args(DType)
ANY_LANGUAGE = ""


@dataclass(frozen=True)
class Text:
    """A text in one or more languages; a plain string is stored under ``ANY_LANGUAGE``."""

    by_language: dict[str, str]
    line: int = 0

    def get(self, language: str) -> str:
        """The text in ``language``, else English, else whatever there is."""
        for key in (language, "en", ANY_LANGUAGE):
            if key in self.by_language:
                return self.by_language[key]
        return next(iter(self.by_language.values()), "")

    def missing(self, languages: list[str]) -> list[str]:
        """The languages this text is not written in (a plain string counts as none)."""
        return [lang for lang in languages if lang not in self.by_language]


@dataclass(frozen=True)
class Source:
    """An expression as written in the lesson file, with its line."""

    text: str
    line: int


@dataclass(frozen=True)
class Point:
    """Values of variables. ``decimals`` says how many digits each value was written with
    (None for an exact integer); ``expect_fail`` marks a point the lesson shows failing."""

    values: dict[str, float]
    line: int
    decimals: dict[str, int | None] = field(default_factory=dict)
    expect_fail: bool = False
    note: Text | None = None


@dataclass(frozen=True)
class Derivative:
    """d ``of`` / d ``wrt`` (names of variables, tensors or ``let`` bindings), maybe at a point."""

    of: Source
    wrt: tuple[str, ...] = spec(read="names", required=True)
    at: Point | None = None


@dataclass(frozen=True, kw_only=True)
class Step:
    """What every step has; ``kind`` names its module in :mod:`tutor.lessons.steps`."""

    id: str  # read first by the schema, which then picks the kind's dataclass
    kind: str
    line: int
    text: Text | None = None


@dataclass(frozen=True)
class Tensor:
    """A named tensor: its elements become variables ``name_i_j`` (or numbers, for data)."""

    name: str
    shape: tuple[int, ...]
    line: int
    init: str | None = None  # uniform, normal, zeros, ones
    low: float = 0.0
    high: float = 1.0
    values: tuple | None = None  # nested lists: data, written into formulas as numbers
    one_hot: tuple[int, ...] | None = None
    depth: int | None = None

    @property
    def is_data(self) -> bool:
        return self.values is not None or self.one_hot is not None


@dataclass(frozen=True)
class Let:
    """``name: expr`` or ``name[i,k]: expr with i and k`` (one formula per element)."""

    name: str
    indices: tuple[str, ...]
    body: Source


@dataclass(frozen=True, kw_only=True)
class Lesson:
    """A lesson file: its fields, in this order, are the top of the file."""

    path: Path = spec(from_file=False)
    schema: int = spec(SCHEMA_VERSION, required=True, read="schema_version")
    id: str = spec(read="identifier")
    order: int = spec(0, required=True)
    title: Text
    summary: Text
    steps: tuple[Step, ...] = spec(read="steps")
    languages: tuple[str, ...] = spec(("en",), read="languages")
    variables: tuple[str, ...] = spec((), read="names")
    seed: int = 0
    tensors: tuple[Tensor, ...] = spec((), read="tensors")
    lets: tuple[Let, ...] = spec((), key="let", read="lets")

    def step_index(self, step_id: str) -> int | None:
        return next((i for i, step in enumerate(self.steps) if step.id == step_id), None)
