"""Grading a class: partial credit, per-student problems, hostile students among good ones,
identical output on rerun, shards that add up to the whole class."""

import dataclasses
import textwrap
from pathlib import Path

import pytest

from tutor.grading.grader import _Sandboxes, grade, grade_submission
from tutor.grading.loader import load_assignment
from tutor.grading.model import SandboxSettings
from tutor.grading.reporters import Graded, merge
from tutor.grading.submissions import collect, shard_of

EXAMPLES = Path(__file__).parents[2] / "examples"

ASSIGNMENT = """\
title: Quick check
id: quick
sandbox: {timeout: 2}
questions:
  - {id: d1, type: derivative, points: 2, function: x^2 sin(x), wrt: x}
  - {id: grad, type: derivative, points: 2, function: x^2 y + exp(y), wrt: [x, y]}
  - {id: v1, type: value, function: x^3, wrt: x, at: {x: 2}, tolerance: 0.01}
  - {id: loss, type: gradient-code, points: 2, entry: loss, function: x sin(y), variables: [x, y]}
  - {id: manual, type: manual-gradient, points: 2, entry: grad, function: x^2 y, variables: [x, y]}
  - id: descent
    type: descent
    points: 2
    entry: step
    function: (x - 1)^2 + 2 y^2
    variables: [x, y]
    start: [0, 1]
    lr: 0.1
    steps: 20
"""

GOOD_CODE = """\
import torch

def loss(x, y):
    return x * torch.sin(y)

def grad(x, y):
    return 2 * x * y, x ** 2

def step(p, lr):
    return p.detach() - lr * torch.stack([2 * (p[0] - 1), 4 * p[1]]).detach()
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture(scope="module")
def assignment(tmp_path_factory):
    return load_assignment(write(tmp_path_factory.mktemp("a") / "quick.yaml", ASSIGNMENT))


@pytest.fixture(scope="module")
def sandboxes(assignment):
    shared = _Sandboxes(assignment)
    yield shared
    shared.close()


def student(root: Path, name: str, answers: str | None = None, code: str | None = None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    if answers is not None:
        write(folder / "answers.yaml", answers)
    if code is not None:
        write(folder / "solution.py", code)
    return folder


def grade_one(assignment, sandboxes, folder: Path):
    (submission,) = collect([folder])
    result = grade_submission(assignment, submission, sandboxes)
    return result, {q.id: q for q in result.questions}


GOOD_ANSWERS = "d1: 2x sin(x) + x^2 cos(x)\ngrad: [2xy, x^2 + e^y]\nv1: 12\n"


def test_a_correct_submission_gets_full_marks(assignment, sandboxes, tmp_path):
    result, questions = grade_one(assignment, sandboxes, student(tmp_path, "ann", GOOD_ANSWERS, GOOD_CODE))
    assert result.problems == ()
    assert {q: r.status for q, r in questions.items()} == dict.fromkeys(questions, "correct")
    assert result.score == result.max_score == 11


def test_partial_credit_per_component_with_the_checkers_feedback(assignment, sandboxes, tmp_path):
    code = GOOD_CODE.replace("return 2 * x * y, x ** 2", "return 2 * x * y, x")  # d/dy wrong
    code = code.replace("return x * torch.sin(y)", "return x * torch.sin(y).detach()")
    answers = "d1: 2x cos(x)\ngrad: '2xy, x^2'\nv1: 11\n"
    _, q = grade_one(assignment, sandboxes, student(tmp_path, "ben", answers, code))
    assert q["d1"].score == 0 and "product-rule" in q["d1"].components[0].mistake
    assert "Product rule" in q["d1"].feedback
    assert q["grad"].score == 1 and q["grad"].status == "partial"  # d/dx right, d/dy wrong
    assert q["v1"].score == 0 and q["v1"].components[0].mistake == "wrong value"
    assert [c.share for c in q["loss"].components] == [1.0, 0.0]  # values right, gradient cut
    assert "graph was cut" in q["loss"].feedback
    assert [c.share for c in q["manual"].components] == [1.0, 0.0]
    assert q["manual"].score == 1


def test_float32_results_are_judged_with_float32_tolerance(assignment, sandboxes, tmp_path):
    code = GOOD_CODE.replace("return 2 * x * y, x ** 2",
                             "import numpy as np\n    return (2 * x * y).astype(np.float32), (x ** 2).astype(np.float32)")
    _, q = grade_one(assignment, sandboxes, student(tmp_path, "cy", GOOD_ANSWERS, code))
    assert q["manual"].status == "correct"


def test_descent_reports_where_the_path_leaves_the_reference(assignment, sandboxes, tmp_path):
    code = GOOD_CODE.replace("p.detach() - lr", "p.detach() + lr")
    _, q = grade_one(assignment, sandboxes, student(tmp_path, "dee", GOOD_ANSWERS, code))
    assert q["descent"].score == 0
    assert "leaves the reference at step 1" in q["descent"].feedback


HOSTILE = {
    "endless loop": ("while True:\n        pass", "timeout", "Did not finish within 2 s"),
    "200 forks": ("import os\n    for _ in range(200):\n        if os.fork() == 0:\n"
                  "            os._exit(0)", "exception", "starting processes is not allowed"),
    "50 GB": ("hoard = bytearray(50 * 1024**3)", "memory", "Ran out of memory"),
    "1 GB of output": ("for _ in range(1024):\n        print('x' * (1 << 20))", "output",
                       "more output than allowed"),
    "sys.exit": ("import sys\n    sys.exit(1)", "exit", "sys.exit(1)"),
    "os._exit": ("import os\n    os._exit(7)", "crashed", "exit code 7"),
    "raising": ("raise KeyError('boom')", "exception", "KeyError"),
    "wrong type": ("return 'tensor'", "type", "returned str"),
    "classmate's file": ("return open(CLASSMATE).read()", "exception", "not allowed"),
}


@pytest.mark.parametrize("attack", HOSTILE)
def test_hostile_code_costs_only_that_question(assignment, sandboxes, tmp_path, attack):
    body, kind, reason = HOSTILE[attack]
    classmate = write(tmp_path / "other" / "solution.py", GOOD_CODE)
    code = GOOD_CODE.replace("def loss(x, y):\n    return x * torch.sin(y)",
                             f"CLASSMATE = {str(classmate)!r}\n\ndef loss(x, y):\n    {body}")
    result, q = grade_one(assignment, sandboxes, student(tmp_path, "eve", GOOD_ANSWERS, code))
    assert q["loss"].score == 0 and q["loss"].status == "error"
    assert q["loss"].components[0].mistake == f"code: {kind}"
    assert reason in q["loss"].feedback
    others = [r for name, r in q.items() if name != "loss"]
    assert all(r.status == "correct" for r in others), [r.feedback for r in others]


def test_code_problems_that_block_loading_fail_every_code_question(assignment, sandboxes, tmp_path):
    _, q = grade_one(assignment, sandboxes, student(tmp_path, "syd", GOOD_ANSWERS, "def loss(x, y)\n"))
    for name in ("loss", "manual", "descent"):
        assert q[name].status == "error" and "SyntaxError" in q[name].feedback
    assert q["d1"].status == "correct"


def test_missing_function_is_named(assignment, sandboxes, tmp_path):
    code = GOOD_CODE.replace("def step", "def stop")
    _, q = grade_one(assignment, sandboxes, student(tmp_path, "max", GOOD_ANSWERS, code))
    assert "No function named 'step'" in q["descent"].feedback
    assert q["loss"].status == "correct"


def test_answers_are_never_evaluated(assignment, sandboxes, tmp_path):
    canary = tmp_path / "pwned"
    answers = (f"d1: __import__('os').system('touch {canary}')\n"
               f"grad: \"exec('open(\\\\'{canary}\\\\', \\\\'w\\\\')'), 1\"\nv1: 2**1000000\n")
    result, q = grade_one(assignment, sandboxes, student(tmp_path, "ivy", answers))
    assert not canary.exists()
    assert "Could not read your answer" in q["d1"].feedback
    assert q["grad"].score == 0 and q["v1"].score == 0


def test_per_student_problems_are_reported_not_raised(assignment, sandboxes, tmp_path):
    bad = student(tmp_path, "bad", "d1: [unclosed\n")
    unknown = student(tmp_path, "unk", "d1: 2x sin(x) + x^2 cos(x)\nq9: 1\nloss: x\n")
    results = {r.student: r for r in
               (grade_submission(assignment, s, sandboxes)
                for s in collect([bad, unknown, tmp_path / "ghost"]))}
    assert "answers.yaml:2: not valid YAML" in results["bad"].problems[0]
    assert "flow sequence from line 1" in results["bad"].problems[0]
    assert all(q.status in ("unanswered", "error") for q in results["bad"].questions)
    problems = results["unk"].problems
    assert any("answers.yaml:2: unknown question 'q9'" in p for p in problems)
    assert any("'loss' is graded from your Python file" in p for p in problems)
    assert results["unk"].questions[0].status == "correct"
    assert results["ghost"].problems == (f"submission not found: {tmp_path / 'ghost'}",)
    assert results["ghost"].score == 0


def test_submission_layouts(tmp_path):
    write(tmp_path / "amy.yaml", "d1: 1\n")
    write(tmp_path / "amy.py", "x = 1\n")
    notes = student(tmp_path, "notes", "d1: 1\n")
    write(notes / "scratch.toml", "")
    twice = student(tmp_path, "twice", "d1: 1\n")
    write(twice / "answers.json", "{}")
    many = student(tmp_path, "many", None, "x = 1\n")
    write(many / "helper.py", "y = 2\n")
    lonely = student(tmp_path, "lonely", None)
    write(lonely / "a.py", "")
    write(lonely / "b.py", "")
    found = {s.student: s for s in
             collect([tmp_path / "amy.yaml", tmp_path / "amy.py", notes, twice, many, lonely])}
    assert found["amy"].answers.name == "amy.yaml" and found["amy"].module == "amy"
    assert found["notes"].answers.name == "answers.yaml" and found["notes"].problems == ()
    assert found["twice"].answers is None
    assert "several answers files (answers.json, answers.yaml)" in found["twice"].problems[0]
    assert found["many"].module == "solution" and set(found["many"].code) == {"helper.py", "solution.py"}
    assert found["lonely"].module is None
    assert "none named solution.py" in found["lonely"].problems[0]


@pytest.fixture(scope="module")
def example_class():
    """The sample class but its TensorFlow students (tests/test_grading_tensorflow.py)."""
    assignment = load_assignment(EXAMPLES / "assignment.yaml")
    assignment = dataclasses.replace(assignment, sandbox=SandboxSettings(timeout=3))
    folders = sorted(p for p in (EXAMPLES / "submissions").iterdir() if p.name not in ("grace", "heidi"))
    return assignment, collect(folders)


@pytest.fixture(scope="module")
def example_results(example_class):
    assignment, submissions = example_class
    sandboxes = _Sandboxes(assignment)
    try:
        return [grade_submission(assignment, s, sandboxes) for s in submissions]
    finally:
        sandboxes.close()


def test_the_example_class(example_results):
    by_name = {r.student: r for r in example_results}
    assert sorted(by_name) == ["alice", "bob", "carol", "dave", "eve", "frank", "mallory"]
    assert by_name["alice"].score == by_name["alice"].max_score == 25
    assert 0 < by_name["bob"].score < 25 and 0 < by_name["carol"].score < 25
    eve = {q.id: q for q in by_name["eve"].questions}
    assert [eve[i].components[0].mistake for i in
            ("logistic-loss", "himmelblau-gradient", "descent-step", "descent-loop")] == \
        ["code: timeout", "code: exception", "code: memory", "code: output"]
    assert eve["sigmoid-slope"].status == "correct"  # the rest of eve is graded normally
    mallory = {q.id: q for q in by_name["mallory"].questions}
    assert mallory["product"].status == "correct"
    assert "os._exit" in mallory["descent-step"].feedback


def test_rerun_and_job_count_give_identical_output(example_class, example_results):
    assignment, submissions = example_class
    again = grade(assignment, submissions[:2], jobs=2)
    assert Graded.of(assignment, again).to_json() == \
        Graded.of(assignment, example_results[:2]).to_json()


def test_shards_partition_the_class_and_merge_back(example_class, example_results):
    assignment, submissions = example_class
    shards = [[s for s in submissions if shard_of(s.student, 3) == k] for k in range(3)]
    assert sorted(s.student for shard in shards for s in shard) == [s.student for s in submissions]
    by_name = {r.student: r for r in example_results}
    parts = [Graded.of(assignment, [by_name[s.student] for s in shard]) for shard in shards]
    assert merge(parts).to_json() == Graded.of(assignment, example_results).to_json()


def test_answers_of_the_wrong_shape_are_explained(assignment):
    from tutor.grading.questions import grade_text

    cases = [("d1", ["2x", "3x"], "Expected one derivative, got 2"),
             ("grad", "2xy", "Expected 2 parts"),
             ("grad", {"x": "2xy", "z": "1"}, "Answer keys z are not among x, y"),
             ("v1", [12, 13], "Expected 1 number(s), got 2"),
             ("v1", "twelve", "Could not read 'twelve' as a number")]
    for qid, answer, message in cases:
        result = grade_text(assignment.question(qid), answer, seed=0)
        assert result.score == 0 and message in result.feedback, (qid, answer, result.feedback)


def test_answers_in_every_shape_through_the_whole_grader(assignment, tmp_path, monkeypatch):
    from tutor.grading import grader

    monkeypatch.setattr(grader, "_DISTINCT_PER_WORKER", 1)  # judge in the pool, small as it is
    shapes = {"text": "grad: '2xy, x^2 + e^y'\n", "list": "grad: [2xy, x^2 + e^y]\n",
              "mapping": "grad: {y: x^2 + e^y, x: 2xy}\n"}
    folders = [student(tmp_path, name, text) for name, text in shapes.items()]
    text_only = dataclasses.replace(assignment, questions=assignment.questions[:3])
    for jobs in (1, 2):
        results = grade(text_only, collect(folders), jobs=jobs)
        assert [r.questions[1].status for r in results] == ["correct"] * 3, jobs


def test_answer_keys_are_hashable_and_keep_mappings_apart():
    from tutor.grading.questions import answer_key

    mapping = answer_key({"y": "x^2", "x": ["2xy"]})
    pairs = answer_key([["x", ["2xy"]], ["y", "x^2"]])
    assert hash(mapping) != hash(pairs) and mapping != pairs
    assert answer_key({"a": 1}) == answer_key({"a": 1})
    assert answer_key(mapping) == mapping  # idempotent: a key stays a mapping


def test_a_checker_failure_costs_one_answer_not_the_class(assignment, monkeypatch):
    from tutor.grading import questions

    def explode(*args):
        raise RuntimeError("checker bug")

    monkeypatch.setattr(questions, "_grade_text_cached", explode)
    result = questions.grade_text(assignment.question("d1"), "2x", seed=0)
    assert result.status == "error" and "RuntimeError: checker bug" in result.feedback


def test_distinct_answers_are_judged_once_per_class(assignment, tmp_path, monkeypatch):
    from tutor.grading import grader

    folders = [student(tmp_path, f"s{i}", "d1: 2x sin(x) + x^2 cos(x)\nv1: 12\n") for i in range(5)]
    folders.append(student(tmp_path, "odd", "d1: '2*x*sin(x) + x**2*cos(x)'\nv1: 11\n"))
    seen = []
    original = grader._judge_chunk
    monkeypatch.setattr(grader, "_judge_chunk", lambda keys, a=None: seen.extend(keys) or original(keys, a))
    text_only = dataclasses.replace(assignment, questions=assignment.questions[:3])
    results = grade(text_only, collect(folders))
    assert len(seen) == 4  # two distinct texts for d1, two for v1
    assert [(r.student, r.score) for r in results][:2] == [("odd", 2.0), ("s0", 3.0)]


def test_code_questions_need_linux_and_say_so(assignment, tmp_path, monkeypatch):
    import sys
    import types

    from tutor.sandbox import supervisor

    monkeypatch.setattr(supervisor, "sys", types.SimpleNamespace(platform="darwin", executable=sys.executable))
    _, q = grade_one(assignment, _Sandboxes(assignment), student(tmp_path, "mac", GOOD_ANSWERS, GOOD_CODE))
    assert q["loss"].status == "error" and "only be run on Linux" in q["loss"].feedback
    assert q["d1"].status == "correct"  # text questions are graded everywhere
