"""What a teacher wants to see first: per-question statistics and who had problems.

>>> from tutor.grading.model import QuestionResult, SubmissionResult, Component
>>> r = SubmissionResult("ann", "w1", (QuestionResult("q1", 1.0, 2.0, "partial", "",
...     (Component("d/dx", 1.0, ""), Component("d/dy", 0.0, "", "sign")),),))
>>> question_stats({"questions": [{"id": "q1", "type": "derivative", "points": 2.0}]}, [r])[0].mistakes
[('sign', 1)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tutor.grading.model import SubmissionResult
from tutor.grading.untrusted import clean

MAX_STUDENT_ROWS = 40


@dataclass(frozen=True)
class QuestionStats:
    id: str
    type: str
    points: float
    mean: float
    full_marks: int
    students: int
    mistakes: list[tuple[str, int]]  # most common first


def question_stats(assignment: dict, results: Sequence[SubmissionResult]) -> list[QuestionStats]:
    """Mean score, how many got full marks, and the most common mistakes, per question."""
    stats = []
    for question in assignment["questions"]:
        graded = [q for r in results for q in r.questions if q.id == question["id"]]
        mistakes: Counter = Counter()
        for result in graded:
            for component in result.components:
                if component.share < 1:
                    mistakes[component.mistake or "other"] += 1
        mean = sum(q.score for q in graded) / len(graded) if graded else 0.0
        stats.append(QuestionStats(question["id"], question["type"], question["points"], mean,
                                   sum(q.status == "correct" for q in graded), len(graded),
                                   sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))))
    return stats


def render(console, assignment: dict, results: Sequence[SubmissionResult]) -> None:
    """The summary tables on a rich console. Every text is shown as it is: never read as rich
    markup, with escape sequences and control characters made visible (``untrusted.clean``)."""
    from rich.table import Table
    from rich.text import Text

    def text(value: object, style: str = "") -> Text:
        return Text(clean(str(value)), style=style)

    count = len(results)
    mean = sum(r.score for r in results) / count if count else 0.0
    table = Table(title=text(f"{assignment['title']}: {count} student(s), mean {mean:.4g} / "
                             f"{assignment['max_score']:g}"))
    for column, justify in (("question", "left"), ("type", "left"), ("points", "right"),
                            ("mean", "right"), ("full marks", "right"),
                            ("most common mistakes", "left")):
        table.add_column(column, justify=justify)
    for stat in question_stats(assignment, results):
        common = ", ".join(f"{name} ×{n}" for name, n in stat.mistakes[:3]) or "-"
        table.add_row(text(stat.id), text(stat.type), f"{stat.points:g}", f"{stat.mean:.3g}",
                      f"{stat.full_marks}/{stat.students}", text(common))
    console.print(table)
    if count <= MAX_STUDENT_ROWS:
        students = Table(title="students")
        for column, justify in (("student", "left"), ("score", "right"), ("problems", "left")):
            students.add_column(column, justify=justify)
        for result in results:
            students.add_row(text(result.student), f"{result.score:g} / {result.max_score:g}",
                             str(len(result.problems)) if result.problems else "")
        console.print(students)
    for result in results:
        for problem in result.problems:
            console.print(Text.assemble(text(result.student, "yellow"), ": ", text(problem)))
