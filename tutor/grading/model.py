"""Assignments, questions and results as plain frozen data (hashable, JSON round-trippable).

>>> q = Question(id="q1", type="derivative", function="x^2", wrt=("x",))
>>> r = QuestionResult.from_components(q, [Component("d/dx", 1.0, "Correct.")])
>>> r.score, r.status
(1.0, 'correct')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: Question types answered by text in an answers file, and by a Python file.
TEXT_TYPES = ("derivative", "value")
CODE_TYPES = ("gradient-code", "manual-gradient", "descent")
QUESTION_TYPES = TEXT_TYPES + CODE_TYPES
#: What gradient-code and descent questions accept: "auto" takes torch or TensorFlow, whichever
#: the student's function uses.
FRAMEWORKS = ("auto", "torch", "tensorflow")


@dataclass(frozen=True)
class Question:
    """One question. Which fields matter depends on ``type`` (see docs/grading.md)."""

    id: str
    type: str
    points: float = 1.0
    prompt: str = ""
    line: int | None = None
    function: str = ""  # the math: what to differentiate, or the reference loss
    variables: tuple[str, ...] = ()  # argument order for code; allowed names for text
    wrt: tuple[str, ...] = ()
    at: tuple[tuple[str, float], ...] = ()  # value questions: the point
    answer: tuple[float, ...] = ()  # value questions: the expected numbers, if given
    tolerance: float | None = None
    rel_tolerance: float = 1e-9
    entry: str = ""  # the student's Python function
    samples: int = 200
    timeout: float | None = None
    framework: str = "auto"  # gradient-code, descent: torch, tensorflow or auto (either)
    mode: str = "step"  # descent: "step" (step(x, lr)) or "loop" (descend(start, lr, steps))
    start: tuple[float, ...] = ()
    lr: float = 0.0
    steps: int = 0
    solution: str | None = None  # the reference answer or code, checked by `tutor lint`

    @property
    def is_code(self) -> bool:
        return self.type in CODE_TYPES


@dataclass(frozen=True)
class SandboxSettings:
    """The sandbox limits an assignment may set (docs/grading.md); declared once: the
    sandbox's ``Limits`` extends them with the ones the grader fixes."""

    timeout: float = 10.0
    memory_mb: int = 4096
    cpu_seconds: int = 60
    output_bytes: int = 1_000_000


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    questions: tuple[Question, ...]
    path: str = ""
    seed: int = 0
    fingerprint: str = ""
    sandbox: SandboxSettings = SandboxSettings()

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
