"""Assignment files: every question type loads; every mistake is reported at file:line."""

from pathlib import Path

import pytest

from tutor.documents import read_text
from tutor.errors import AssignmentError
from tutor.grading.loader import load_assignment
from tutor.grading.model import QUESTION_TYPES
from tutor.grading.questions import expected_values

EXAMPLE = Path(__file__).parents[2] / "examples" / "assignment.yaml"


def load(tmp_path: Path, text: str, name: str = "a.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return load_assignment(path)


def error_of(tmp_path: Path, text: str, name: str = "a.yaml") -> AssignmentError:
    with pytest.raises(AssignmentError) as info:
        load(tmp_path, text, name)
    return info.value


def test_the_example_covers_every_question_type():
    assignment = load_assignment(EXAMPLE)
    assert assignment.id == "week3" and assignment.max_score == 25
    assert {q.type for q in assignment.questions} == set(QUESTION_TYPES)
    assert {q.mode for q in assignment.questions if q.type == "descent"} == {"step", "loop"}
    assert all(q.solution for q in assignment.questions)
    assert {q.framework for q in assignment.questions if q.type in ("gradient-code", "descent")} == {"auto"}
    gradient = assignment.question("gradient")
    line = EXAMPLE.read_text().splitlines().index("  - id: gradient") + 1
    assert gradient.wrt == ("x", "y") and gradient.line == line


def test_value_questions_compute_their_answer():
    question = load_assignment(EXAMPLE).question("himmelblau-at-origin")
    assert expected_values(question) == pytest.approx((-14.0, -22.0))


def test_numbers_written_as_text_are_read(tmp_path):
    a = load(tmp_path, "title: T\nquestions:\n  - {id: v, type: value, answer: pi/4, tolerance: 1e-4}\n")
    assert a.questions[0].answer == pytest.approx((0.7853981633974483,))
    assert a.questions[0].tolerance == 1e-4  # YAML 1.1 leaves 1e-4 as text


HEAD = "title: T\nquestions:\n"


@pytest.mark.parametrize(("body", "line", "words"), [
    ("  - {id: q1, type: derivatve, function: x, wrt: x}\n", 3, "did you mean 'derivative'?"),
    ("  - id: q1\n    type: derivative\n    function: x^2\n    wrt: x\n    point: 3\n", 7,
     "unknown field 'point'"),
    ("  - id: q1\n    type: derivative\n    wrt: x\n", 3, "missing field 'function'"),
    ("  - id: q1\n    type: derivative\n    function: 2*x +\n    wrt: x\n", 5,
     "cannot read the function '2*x +'"),
    ("  - id: q1\n    type: derivative\n    function: x^2\n    wrt: z\n", 6,
     "which the function does not use"),
    ("  - {id: q1, type: value, answer: 1}\n  - {id: q1, type: value, answer: 2}\n", 4,
     "question id 'q1' is used twice"),
    ("  - id: d\n    type: descent\n    entry: step\n    function: x^2 + y^2\n    variables: [x, y]\n"
     "    start: [0]\n    lr: 0.1\n    steps: 3\n", 8, "start has 1 coordinates"),
    ("  - {id: c, type: gradient-code, entry: 2fast, function: x, variables: [x]}\n", 3,
     "not a Python function name"),
    ("  - id: c\n    type: gradient-code\n    entry: f\n    function: x\n    variables: [x]\n"
     "    framework: jax\n", 8, "framework: 'jax' is not one of: auto, torch, tensorflow"),
    ("  - {id: m, type: manual-gradient, entry: g, function: x, variables: [x], framework: torch}\n", 3,
     "question 'm': unknown field 'framework'"),
    ("  - {id: d, type: descent, entry: s, function: x^2, variables: [x], start: [0], lr: 0.1,"
     " steps: 3, mode: walk}\n", 3, "mode: 'walk' is not one of: step, loop"),
    ("  - {id: v, type: value, function: x^2, at: {y: 1}}\n", 3, "no value for x"),
    ("  - {id: v, type: value, answer: 1, points: -2}\n", 3, "positive number"),
    ("  - {id: v, type: value}\n", 3, "needs 'answer'"),
    ("  - just text\n", 3, "expected a mapping"),
])
def test_errors_name_the_line(tmp_path, body, line, words):
    error = error_of(tmp_path, HEAD + body)
    assert error.line == line, str(error)
    assert words in str(error)
    assert str(error).startswith(f"{tmp_path / 'a.yaml'}:{line}: ")


def test_file_level_errors(tmp_path):
    assert "missing field 'questions'" in str(error_of(tmp_path, "title: T\n"))
    assert "non-empty list" in str(error_of(tmp_path, "title: T\nquestions: []\n"))
    assert error_of(tmp_path, "title: T\ntitle: U\nquestions: []\n").line == 2  # duplicate key
    syntax = error_of(tmp_path, "title: T\nquestions:\n  - {id: q1\n")
    assert "not valid YAML" in str(syntax) and syntax.line is not None
    assert "unknown field 'sandbx'" in str(error_of(tmp_path, HEAD + "  - {id: v, type: value, answer: 1}\nsandbx: {}\n"))
    with pytest.raises(AssignmentError, match="file not found"):
        load_assignment(tmp_path / "missing.yaml")
    with pytest.raises(AssignmentError, match="unknown file type"):
        load(tmp_path, "x", name="a.txt")


TOML = """\
title = "T"
seed = 3

[sandbox]
timeout = 5

[[questions]]
id = "d"
type = "derivative"
function = "x^2"
wrt = "x"

[[questions]]
id = "v"
type = "value"
answr = 1
"""


def test_toml_assignments_and_their_lines(tmp_path):
    error = error_of(tmp_path, TOML, name="a.toml")
    assert error.line == 16 and "did you mean 'answer'?" in str(error)
    assignment = load(tmp_path, TOML.replace("answr", "answer"), name="b.toml")
    assert assignment.seed == 3 and assignment.sandbox.timeout == 5
    assert [q.id for q in assignment.questions] == ["d", "v"]
    broken = error_of(tmp_path, 'title = "T\n', name="c.toml")
    assert "not valid TOML" in str(broken) and broken.line == 1


def test_documents_keep_lines_for_every_key():
    node = read_text('{\n  "a": 1,\n  "b": [1, 2]\n}\n', "x.json")
    assert node.plain() == {"a": 1, "b": [1, 2]} and node.key_lines["b"] == 3
    node = read_text("top:\n  - k: 1\n    j: 2\n", "x.yaml")
    assert node.get("top").items[0].key_lines["j"] == 3


BCE_QUESTION = """\
title: T
questions:
  - id: dl-dp
    type: derivative
    function: "-(y*log(p) + (1 - y)*log(1 - p))"
    wrt: p
    domains: {p: "(0, 1)", y: "{0, 1}"}
"""


def test_domains_are_read_and_used_for_counterexamples(tmp_path):
    from tutor.domains import parse_domain
    from tutor.grading.questions import grade_text

    question = load(tmp_path, BCE_QUESTION).questions[0]
    assert dict(question.domains) == {"p": parse_domain("(0, 1)"), "y": parse_domain("{0, 1}")}
    result = grade_text(question, "-1/p", seed=0)
    assert result.status == "wrong"
    point = result.feedback.split(" at ")[1].split(" your answer")[0]   # "p = 0.48, y = 0"
    values = dict(item.split(" = ") for item in point.split(", "))
    assert 0 < float(values["p"]) < 1 and values["y"] in ("0", "1")


@pytest.mark.parametrize("domains, line, message", [
    ('{p: "(1, 0)"}', 7, "p: domain '(1, 0)': the lower end must be below the upper end"),
    ('"(0, 1)"', 7, "expected a mapping of variable names to domains"),
])
def test_a_bad_domain_is_named_with_its_line(tmp_path, domains, line, message):
    text = BCE_QUESTION.replace('{p: "(0, 1)", y: "{0, 1}"}', domains)
    error = error_of(tmp_path, text)
    assert error.line == line and message in str(error)
