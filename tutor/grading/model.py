"""Assignments, questions and results as plain frozen data (hashable, JSON round-trippable).

>>> q = Question(id="q1", type="derivative", function="x^2", wrt=("x",))
>>> r = QuestionResult.from_components(q, [Component("d/dx", 1.0, "Correct.")])
>>> r.score, r.status
(1.0, 'correct')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, get_args

from tutor.documents import spec
from tutor.domains import Domain
from tutor.sandbox.supervisor import SandboxSettings  # the limits an assignment may set

#: Question types answered by text in an answers file, and by a Python file.
TEXT_TYPES = ("derivative", "value", "matrix-derivative")
CODE_TYPES = ("gradient-code", "manual-gradient", "descent")
QUESTION_TYPES = TEXT_TYPES + CODE_TYPES
#: What gradient-code and descent questions accept: "auto" takes torch or TensorFlow, whichever
#: the student's function uses.
Framework = Literal["auto", "torch", "tensorflow"]
FRAMEWORKS = get_args(Framework)
#: When Gradescope shows a question's result to the student (its test ``visibility``).
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]
VISIBILITIES = get_args(Visibility)


#: The tolerance of a question that gives none, by type.
TOLERANCES = {"value": 1e-6, "descent": 1e-4}
_CODE = {"types": CODE_TYPES, "required_for": CODE_TYPES}
_MATRIX = ("matrix-derivative",)


@dataclass(frozen=True)
class Question:
    """One question; it is also the schema of a question in an assignment file: ``types``
    says which question types take a field (all when absent), ``required_for`` which need it.
    Which fields matter depends on ``type`` (see docs/grading.md)."""

    id: str = spec(read="identifier")
    type: str = spec(read="question_type")
    points: float = spec(1.0, positive=True)
    prompt: str = ""
    line: int | None = None
    # the math: what to differentiate, or the reference loss
    function: str = spec("", required_for=("derivative", "matrix-derivative", *CODE_TYPES))
    # argument order for code; allowed names for text
    variables: tuple[str, ...] = spec((), read="names", required_for=CODE_TYPES)
    wrt: tuple[str, ...] = spec((), read="names", types=("derivative", "value", "gradient-code",
                                                         "manual-gradient", "matrix-derivative"),
                                required_for=("derivative", "matrix-derivative"))
    # matrix-derivative: written as on the command line, "X=n×d, w=d", "Y=one-hot", "P=..."
    shapes: str = spec("", types=_MATRIX, required_for=_MATRIX)
    given: str = spec("", types=_MATRIX)
    define: str = spec("", types=_MATRIX)
    at: tuple[tuple[str, float], ...] = spec((), read="point", types=("value",))
    # where the variables' values lie, {p: "(0, 1)", y: "{0, 1}"}: sampling and counterexamples
    domains: tuple[tuple[str, Domain], ...] = spec((), read="domains", types=("derivative",))
    answer: tuple[float, ...] = spec((), read="numbers", types=("value",))  # if given
    # value, descent: absolute, else TOLERANCES; derivative: relative, the checker's tolerance=
    # (none by default: an answer provably different from the expected one is wrong)
    tolerance: float | None = spec(None, minimum=0, types=("derivative", "value", "descent"))
    rel_tolerance: float = spec(1e-9, minimum=0, types=("value",))
    entry: str = spec("", read="entry", **_CODE)  # the student's Python function
    samples: int = spec(200, minimum=1, maximum=100_000,
                        types=("gradient-code", "manual-gradient"))
    timeout: float | None = spec(None, positive=True, types=CODE_TYPES)
    # gradient-code, descent: torch, tensorflow or auto (either)
    framework: Framework = spec("auto", types=("gradient-code", "descent"))
    # descent: "step" (step(x, lr)) or "loop" (descend(start, lr, steps))
    mode: Literal["step", "loop"] = spec("step", types=("descent",))
    start: tuple[float, ...] = spec((), read="numbers", types=("descent",),
                                    required_for=("descent",))
    lr: float = spec(0.0, positive=True, types=("descent",), required_for=("descent",))
    steps: int = spec(0, minimum=1, maximum=1_000_000, types=("descent",),
                      required_for=("descent",))
    solution: str | None = None  # the reference answer or code, checked by `tutor lint`
    visibility: Visibility = "visible"  # Gradescope

    @property
    def is_code(self) -> bool:
        return self.type in CODE_TYPES


@dataclass(frozen=True)
class LatePenalty:
    """What a late Gradescope submission loses, as fractions of its score."""

    # shares of the score: a number up to 1, or a percentage such as "10%"
    per_day: float = spec(read="share")  # per started day after the due date (and grace)
    max: float = spec(1.0, read="share")  # never more than this
    after_late_due_date: float = spec(1.0, read="share")  # past Gradescope's late due date
    grace_minutes: float = spec(0.0, minimum=0)


@dataclass(frozen=True)
class Assignment:
    """An assignment file: its fields are the top of the file (``id`` defaults to its name)."""

    id: str = spec(read="identifier")
    title: str
    questions: tuple[Question, ...] = spec(read="questions")
    path: str = spec("", from_file=False)
    seed: int = 0
    fingerprint: str = spec("", from_file=False)  # of the file's bytes
    sandbox: SandboxSettings = SandboxSettings()
    late_penalty: LatePenalty | None = None  # Gradescope runs given submission_metadata.json

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def needs_code(self) -> bool:
        return any(q.is_code for q in self.questions)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


@dataclass(frozen=True)
class Component:
    """One gradable part of a question: d/dy of a gradient, the values of a loss, ..."""

    name: str
    share: float  # 0..1; a question's components weigh the same
    message: str
    mistake: str | None = None


@dataclass(frozen=True)
class QuestionResult:
    id: str
    score: float
    max_score: float
    status: str  # correct | partial | wrong | unanswered | error
    feedback: str
    components: tuple[Component, ...] = ()

    @classmethod
    def from_components(cls, question: Question, components: list[Component]) -> QuestionResult:
        share = sum(c.share for c in components) / len(components)
        score = round(question.points * share, 4)
        status = "correct" if share >= 1 else "partial" if share > 0 else "wrong"
        lines = [c.message if len(components) == 1 else f"{c.name}: {c.message}" for c in components]
        return cls(question.id, score, question.points, status, "\n".join(lines), tuple(components))

    @classmethod
    def failed(cls, question: Question, status: str, message: str, mistake: str | None = None):
        """Zero points with one reason (no answer, code that crashed, ...)."""
        return cls(question.id, 0.0, question.points, status, message,
                   (Component("answer", 0.0, message, mistake),))

    @property
    def mistakes(self) -> list[str]:
        return [c.mistake for c in self.components if c.mistake]


@dataclass(frozen=True)
class SubmissionResult:
    student: str
    assignment: str
    questions: tuple[QuestionResult, ...]
    problems: tuple[str, ...] = ()  # per-student errors: unreadable answers, unknown ids, ...
    fingerprint: str = ""  # hash of the submitted files: one attempt per distinct content
    files: tuple[str, ...] = field(default=())

    @property
    def score(self) -> float:
        return round(sum(q.score for q in self.questions), 4)

    @property
    def max_score(self) -> float:
        return round(sum(q.max_score for q in self.questions), 4)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["score"], data["max_score"] = self.score, self.max_score
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        questions = tuple(
            QuestionResult(**{**q, "components": tuple(Component(**c) for c in q["components"])})
            for q in data["questions"])
        return cls(data["student"], data["assignment"], questions, tuple(data["problems"]),
                   data["fingerprint"], tuple(data["files"]))
