"""`lint_assignment`: reference solutions must earn full marks before students see a question."""

from pathlib import Path

from tutor.grading.lint import assignment_linter, lint_assignment, looks_like_assignment

EXAMPLE = Path(__file__).parents[2] / "examples" / "assignment.yaml"

BROKEN = """\
title: Broken on purpose
sandbox: {timeout: 3}
questions:
  - id: wrong-solution
    type: derivative
    function: x^2 sin(x)
    wrt: x
    solution: 2x cos(x)
  - id: disagreeing-value
    type: value
    function: x^2
    at: {x: 3}
    answer: 8
  - id: fine
    type: value
    answer: 1
  - id: bad-code
    type: gradient-code
    entry: loss
    function: x^2
    variables: [x]
    solution: |
      import torch
      def loss(x):
          return x ** 3
  - id: diverges
    type: descent
    entry: step
    function: x^2
    variables: [x]
    start: [1]
    lr: 5
    steps: 2000
"""


def test_the_example_is_clean():
    assert lint_assignment(EXAMPLE) == []


def test_every_broken_question_is_named_at_its_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    problems = {str(p).split("question '")[1].split("'")[0]: p for p in lint_assignment(path)}
    assert sorted(problems) == ["bad-code", "disagreeing-value", "diverges", "wrong-solution"]
    assert problems["wrong-solution"].line == 4
    assert "Product rule" in str(problems["wrong-solution"])
    assert "disagrees with the function" in str(problems["disagreeing-value"])
    assert "reference solution gets 0/1" in str(problems["bad-code"])
    assert "diverges" in str(problems["diverges"])


def test_invalid_files_give_the_loader_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("title: T\nquestions:\n  - {id: q, type: nope}\n")
    (problem,) = lint_assignment(path)
    assert problem.line == 3 and "unknown type 'nope'" in str(problem)
    assert [str(p) for p in assignment_linter(path)] == [str(problem)]  # the `tutor lint` hook


def test_tutor_lint_hook_only_claims_assignments(tmp_path):
    lesson = tmp_path / "lesson.yaml"
    lesson.write_text("title: A lesson\nsteps: []\n")
    assert looks_like_assignment(EXAMPLE) and not looks_like_assignment(lesson)
    assert not looks_like_assignment(tmp_path / "notes.txt")
    assert assignment_linter(lesson) is None
