"""What a lesson is, once its file has been read and validated: plain dataclasses, no SymPy.

Expressions stay text (:class:`Source`, with their line) until :mod:`tutor.lessons.mathctx`
parses them, so that listing lessons never pays for SymPy.

>>> Text({"en": "Hello", "zh": "你好"}, line=3).get("zh")
'你好'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("say", "ask", "choose", "compute", "code", "descend")
METHODS = ("manual", "sgd", "adam")
DTYPES = ("float64", "float32")
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
    wrt: tuple[str, ...]
    at: Point | None = None


@dataclass(frozen=True, kw_only=True)
class Step:
    id: str
    kind: str
    line: int
    text: Text | None = None


@dataclass(frozen=True, kw_only=True)
class Say(Step):
    math: tuple[Source, ...] = ()


@dataclass(frozen=True)
class WrongExample:
    answer: Source
    feedback: Text | None
    mistake: str | None
    line: int


@dataclass(frozen=True, kw_only=True)
class Ask(Step):
    derivative: Derivative | None = None
    expect: Source | None = None
    solution: Source
    hints: tuple[Text, ...] = ()
    tries: int = 3
    wrong_examples: tuple[WrongExample, ...] = ()


@dataclass(frozen=True)
class Option:
    text: Text
    correct: bool
    feedback: Text | None
    line: int


@dataclass(frozen=True, kw_only=True)
class Choose(Step):
    options: tuple[Option, ...]
    tries: int = 2

    @property
    def answer(self) -> int:
        """The 1-based number of the correct option."""
        return next(i for i, option in enumerate(self.options, 1) if option.correct)


@dataclass(frozen=True, kw_only=True)
class Compute(Step):
    expr: Source
    wrt: tuple[str, ...]
    at: tuple[Point, ...] = ()
    dtype: str = "float64"
    minimum: bool = False
    random: int = 1000


@dataclass(frozen=True)
class Expectation:
    """One check on a code step's output: a value, a derivative, a text, or an error it raises."""

    line: int
    after: str | None = None
    value: Source | None = None
    derivative: Derivative | None = None
    text: str | None = None
    error: str | None = None


FRAMEWORKS = ("torch", "tensorflow")


@dataclass(frozen=True, kw_only=True)
class Code(Step):
    """A PyTorch snippet and, optionally, its TensorFlow counterpart; each is run and its
    output checked (``tensorflow_expect`` defaults to ``expect``)."""

    torch: str
    tensorflow: str | None = None
    timeout: float = 60.0
    at: Point | None = None
    dtype: str = "float32"
    expect: tuple[Expectation, ...] = ()
    tensorflow_expect: tuple[Expectation, ...] | None = None
    torch_line: int = 0
    tensorflow_line: int = 0

    def source(self, framework: str) -> str | None:
        """The snippet for ``framework`` (one of FRAMEWORKS)."""
        return self.torch if framework == "torch" else self.tensorflow

    def checks(self, framework: str) -> tuple[Expectation, ...]:
        """The expectations the ``framework`` snippet's output must meet."""
        if framework == "tensorflow" and self.tensorflow_expect is not None:
            return self.tensorflow_expect
        return self.expect

    def line_of(self, framework: str) -> int:
        """The line of the file where the ``framework`` snippet's first line is."""
        return self.torch_line if framework == "torch" else self.tensorflow_line


@dataclass(frozen=True, kw_only=True)
class Descend(Step):
    function: Source
    variables: tuple[str, ...] = ()
    starts: tuple[Point, ...]
    method: str = "manual"
    lr: float
    steps: int
    every: int
    dtype: str = "float32"
    ends_near: tuple[Point, ...] = ()
    tol: float = 1e-3
    value_below: float | None = None
    same_as: str | None = None
    plot: str | None = None


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


@dataclass(frozen=True)
class Lesson:
    path: Path
    id: str
    order: int
    title: Text
    summary: Text
    steps: tuple[Step, ...]
    languages: tuple[str, ...] = ("en",)
    variables: tuple[str, ...] = ()
    seed: int = 0
    tensors: tuple[Tensor, ...] = ()
    lets: tuple[Let, ...] = ()

    def step_index(self, step_id: str) -> int | None:
        return next((i for i, step in enumerate(self.steps) if step.id == step_id), None)
