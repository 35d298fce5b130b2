"""``tolerance:`` in lesson ask steps and assignment derivative questions: a decimal answer for
an exact number is accepted "within tolerance" where the file sets one, refused without."""

from dataclasses import replace
from pathlib import Path

import pytest

from tutor.grading.loader import load_assignment
from tutor.grading.model import Question
from tutor.grading.questions import grade_text
from tutor.lessons.catalog import find_lesson
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.schema import load_lesson
from tutor.lessons.steps.ask import Judge

LESSONS = Path(__file__).parents[2] / "lessons"


def ask_step(lesson_name: str, step_id: str):
    lesson = load_lesson(find_lesson(lesson_name))
    return lesson, next(step for step in lesson.steps if step.id == step_id)


@pytest.mark.parametrize("lesson_name, step_id, close, far", [
    ("gradcheck", "forward-difference", "3.312", "3.3"),
    ("gradcheck", "central-difference", "3.0095", "3"),
    ("grad-bookkeeping", "predict-forgotten-zero", "0.4402", "0.45"),
])
def test_a_lesson_accepts_a_decimal_within_its_tolerance_only(lesson_name, step_id, close, far):
    lesson, step = ask_step(lesson_name, step_id)
    assert step.tolerance == 0.001
    judge = Judge(LessonMath(lesson), step)
    verdict = judge.verdict(close)
    assert verdict.correct and "accepted within tolerance" in verdict.message
    assert not judge.verdict(far).correct
    strict = Judge(LessonMath(lesson), replace(step, tolerance=None))
    assert not strict.verdict(close).correct


def test_every_bundled_ask_step_with_a_decimal_solution_sets_a_tolerance():
    decimal_steps = []
    for path in sorted(LESSONS.glob("*.yaml")):
        for step in load_lesson(path).steps:
            solution = getattr(step, "solution", None)
            if getattr(step, "kind", None) == "ask" and "." in solution.text.strip('"'):
                decimal_steps.append((path.name, step.id, step.tolerance))
    assert len(decimal_steps) >= 3
    assert all(tolerance for _, _, tolerance in decimal_steps), decimal_steps


def test_a_derivative_question_accepts_a_decimal_within_its_tolerance_only():
    question = Question(id="d", type="derivative", function="pi x^2", wrt=("x",))
    strict = grade_text(question, "6.2832 x", seed=0)
    assert strict.score == 0
    tolerant = grade_text(replace(question, tolerance=1e-4), "6.2832 x", seed=0)
    assert tolerant.score == tolerant.max_score
    assert "accepted within tolerance" in tolerant.components[0].message
    assert grade_text(replace(question, tolerance=1e-4), "6.3 x", seed=0).score == 0


def test_the_tolerance_of_a_derivative_question_is_read_from_the_file(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("id: a\ntitle: A\nquestions:\n"
                    "  - {id: d, type: derivative, function: pi x^2, wrt: x, tolerance: 1e-4}\n"
                    "  - {id: e, type: derivative, function: x^2, wrt: x}\n")
    assignment = load_assignment(path)
    assert assignment.question("d").tolerance == 1e-4
    assert assignment.question("e").tolerance is None


def test_a_value_answer_off_the_exact_number_says_it_was_accepted_within_tolerance():
    question = Question(id="v", type="value", function="x^3", wrt=("x",), at=(("x", 2.0),),
                        tolerance=0.01)
    assert grade_text(question, "12", seed=0).components[0].message == "Correct."
    close = grade_text(question, "12.005", seed=0)
    assert close.score == close.max_score
    assert "accepted within tolerance" in close.components[0].message
