"""The matrix-derivative question type: read, graded with the mistake named, linted."""

import re
from pathlib import Path

import pytest

from tutor.errors import AssignmentError
from tutor.grading.answers_file import read_answers
from tutor.grading.lint import lint_assignment
from tutor.grading.loader import load_assignment
from tutor.grading.questions import grade_text

EXAMPLES = Path(__file__).parents[2] / "examples"

ASSIGNMENT = """\
title: Matrix
seed: 0
questions:
  - id: linear
    type: matrix-derivative
    points: 2
    function: sum((Z - Y)^2) / (2 n)
    wrt: [W, b]
    shapes: X=n×d, W=d×k, b=k, Y=n×k
    define: Z=X W + 1_n b^T
    solution: X^T (Z - Y) / n; sum(Z - Y, axis=0) / n
  - id: softmax
    type: matrix-derivative
    function: -sum(Y ⊙ log_softmax(X W)) / n
    wrt: W
    shapes: X=n×d, W=d×k, Y=n×k
    given: Y=one-hot
    solution: X^T (softmax(X W) - Y) / n
"""


def write(tmp_path, text=ASSIGNMENT):
    path = tmp_path / "matrix.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def questions(tmp_path):
    return {q.id: q for q in load_assignment(write(tmp_path)).questions}


def test_a_right_answer_gets_full_marks_in_any_layout(questions):
    linear = questions["linear"]
    for answer in (["X^T (Z - Y) / n", "1_n^T (Z - Y) / n"],
                   {"W": "X.T @ (Z - Y) / n", "b": "sum(Z - Y, axis=0) / n"}):
        result = grade_text(linear, answer, seed=0)
        assert result.status == "correct" and result.score == 2, result.feedback
    assert grade_text(questions["softmax"], "X^T (softmax(X W) - Y) / n", seed=0).score == 1


def test_each_part_names_its_mistake_with_partial_credit(questions):
    result = grade_text(questions["linear"], ["X^T (Z - Y) / n", "(Z - Y) / n"], seed=0)
    assert result.status == "partial" and result.score == 1
    assert result.mistakes == ["bias-not-summed"]
    assert "∂L/∂b: Your answer (Z − Y)/n is an n×k matrix" in result.feedback
    wrong = grade_text(questions["softmax"], "X^T (softmax(X W) - Y)", seed=0)
    assert wrong.score == 0 and wrong.mistakes == ["mean-factor-missing"]


@pytest.mark.parametrize(("answer", "mistake", "message"), [
    ("X^T (Z - Y) / n", "wrong number of parts", "Expected 2 answers (W, b), got 1."),
    ({"W": "X^T (Z - Y) / n", "c": "0"}, "wrong number of parts", "Answer keys c are not"),
])
def test_answers_of_the_wrong_form(questions, answer, mistake, message):
    result = grade_text(questions["linear"], answer, seed=0)
    assert result.score == 0 and result.mistakes == [mistake] and message in result.feedback


def test_an_unreadable_part_is_named_and_costs_only_its_share(questions):
    result = grade_text(questions["linear"], ["import os", "sum(Z - Y, axis=0) / n"], seed=0)
    assert result.score == 1 and result.mistakes == ["unreadable"]
    assert "Could not read your answer" in result.feedback


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    wrt: W\n", "    wrt: V\n", "question 'softmax': wrt='V' is not declared"),
    ("shapes: X=n×d, W=d×k, b=k, Y=n×k", "shapes: X=n×d W",
     "question 'linear': the shape of X ('n×d W') has 'd W', which is neither"),
    ("given: Y=one-hot", "given: Y=one-hat", "question 'softmax': "),
    ("    define: Z=X W + 1_n b^T\n", "", "question 'linear': the loss"),
    ("    shapes: X=n×d, W=d×k, Y=n×k\n", "", "question 'softmax': missing field 'shapes'"),
])
def test_a_question_autograd_cannot_answer_is_refused_at_load(tmp_path, old, new, message):
    with pytest.raises(AssignmentError, match=re.escape(message)):
        load_assignment(write(tmp_path, ASSIGNMENT.replace(old, new, 1)))


def test_matrix_fields_belong_to_matrix_questions_only(tmp_path):
    text = ASSIGNMENT + "  - id: d\n    type: derivative\n    function: x^2\n    wrt: x\n" \
        "    shapes: x=n\n"
    with pytest.raises(AssignmentError, match="unknown field 'shapes'"):
        load_assignment(write(tmp_path, text))


def test_lint_runs_the_solution(tmp_path):
    assert lint_assignment(write(tmp_path)) == []
    broken = ASSIGNMENT.replace("solution: X^T (softmax(X W) - Y) / n",
                                "solution: (softmax(X W) - Y)^T X / n")
    problems = [str(p) for p in lint_assignment(write(tmp_path, broken))]
    assert len(problems) == 1 and "question 'softmax': the solution does not get full marks" \
        in problems[0] and "transpose" in problems[0]
    missing = ASSIGNMENT.replace("    solution: X^T (softmax(X W) - Y) / n\n", "")
    assert "needs a 'solution'" in str(lint_assignment(write(tmp_path, missing))[0])


def test_the_example_class_answers_the_matrix_question():
    assignment = load_assignment(EXAMPLES / "assignment.yaml")
    question = assignment.question("linear-layer")
    scores = {}
    for name, file in (("alice", "alice/answers.yaml"), ("bob", "bob/answers.yaml"),
                       ("carol", "carol.toml")):
        answers, problems = read_answers(EXAMPLES / "submissions" / file, assignment)
        assert problems == []
        scores[name] = grade_text(question, answers["linear-layer"], seed=0)
    assert scores["alice"].score == 2
    assert scores["bob"].mistakes == ["transpose-missing", "bias-not-summed"]
    assert scores["carol"].score == 1 and scores["carol"].mistakes == ["sum-wrong-axis"]
