"""Step kinds: a new kind is one module (its dataclass, checks, player and lint hooks),
found by the schema, the runner and the linter through the registry."""

import io
from dataclasses import dataclass

import pytest

from tutor.documents import spec
from tutor.lessons import steps
from tutor.lessons.catalog import find_lesson
from tutor.lessons.lint import lint_paths
from tutor.lessons.model import Source, Step, Text
from tutor.lessons.progress import ProgressStore
from tutor.lessons.runner import Options, Runner
from tutor.lessons.schema import load_lesson, read_lesson
from tutor.lessons.steps.kind import PASSED, StepKind
from tutor.lessons.ui import AutoPrompter
from tutor.render import make_console


@dataclass(frozen=True, kw_only=True)
class Recall(Step):
    text: Text
    answer: Source
    tries: int = spec(2, minimum=1)


def play(runner, step: Recall) -> str:
    runner.text(step.text)
    typed = runner.prompt("> ", step.answer.text)
    return runner.conclude(step, PASSED if typed.strip() == step.answer.text else "failed")


def formulas(math, step: Recall) -> None:
    math.expr(step.answer, f"step {step.id!r}: answer")


RECALL = StepKind("recall", Recall, play, formulas=formulas)

LESSON = """\
schema: 1
id: demo
order: 99
languages: [en, zh]
title: {en: Demo, zh: 演示}
summary: {en: A demo, zh: 一个演示}
variables: [x]
steps:
  - id: r
    kind: recall
    text: {en: "d/dx x^2?", zh: "d/dx x^2？"}
    answer: "2*x"
"""


@pytest.fixture
def recall(monkeypatch, tmp_path):
    monkeypatch.setitem(steps.KINDS, "recall", RECALL)
    monkeypatch.chdir(tmp_path)


def lesson_file(tmp_path, text=LESSON):
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_builtin_kind_is_registered_with_its_dataclass():
    assert list(steps.KINDS) == ["say", "ask", "ask-matrix", "choose", "compute", "code", "descend",
                                 "graph", "exercise"]
    for name, kind in steps.KINDS.items():
        assert kind.name == name and issubclass(kind.model, Step)


def test_a_new_kind_is_read_with_the_defaults_of_its_dataclass(recall, tmp_path):
    step = load_lesson(lesson_file(tmp_path)).steps[0]
    assert isinstance(step, Recall) and step.tries == 2 and step.answer == Source("2*x", 12)
    assert lint_paths([lesson_file(tmp_path)]) == []


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ('    answer: "2*x"\n', '    answer: "2*x"\n    trys: 3\n', 13,
     "step 'r': unknown field 'trys' (did you mean 'tries'?)"),
    ('    answer: "2*x"\n', '    answer: "2*x"\n    tries: 0\n', 13,
     "step 'r': tries: expected a whole number of at least 1, got int '0'"),
    ('    answer: "2*x"\n', "", 9, "step 'r': missing field 'answer'"),
])
def test_its_fields_are_checked_by_their_type(recall, tmp_path, old, new, line, message):
    _, problems = read_lesson(lesson_file(tmp_path, LESSON.replace(old, new)))
    assert [str(p) for p in problems] == [f"demo.yaml:{line}: {message}"]


def test_lint_checks_its_formulas_and_translations(recall, tmp_path):
    text = LESSON.replace('"2*x"', '"2*x +"').replace(', zh: "d/dx x^2？"', "")
    found = [str(p) for p in lint_paths([lesson_file(tmp_path, text)])]
    assert any(p.startswith("demo.yaml:11: step 'r': text: missing translation (zh)") for p in found)
    assert any(p.startswith("demo.yaml:12: step 'r': answer: cannot read '2*x +'") for p in found)


def test_the_runner_plays_it(recall, tmp_path):
    out = io.StringIO()
    console = make_console(file=out)
    options = Options(lang="en", prompter=AutoPrompter(console.print), out_dir=tmp_path)
    lesson = load_lesson(lesson_file(tmp_path))
    assert Runner(lesson, ProgressStore(), console, options).run() == 0
    assert "Lesson finished: 1 of 1 steps passed." in out.getvalue()


def test_the_descent_table_and_its_summary_use_the_same_units(tmp_path):
    out = io.StringIO()
    console = make_console(file=out)
    options = Options(lang="en", prompter=AutoPrompter(console.print), out_dir=tmp_path,
                      descent_cap=6000)
    lesson = load_lesson(find_lesson("himmelblau"))
    index = lesson.step_index("manual")
    options.only = frozenset({"manual"})
    assert Runner(lesson, ProgressStore(), console, options).run(start=index) == 0
    lines = out.getvalue().splitlines()
    header = next(line for line in lines if line.lstrip().startswith("step"))
    assert header.rstrip().endswith("|diff|/tol")
    worst_row = max(float(line.split()[-1]) for line in lines if line.strip()[:1].isdigit()
                    and line.rstrip().endswith(tuple("0123456789")) and "(" in line)
    first = next(n for n, line in enumerate(lines) if "checked at every" in line)
    summary = " ".join(" ".join(lines[first:first + 2]).split())
    assert f"worst |diff|/tol {worst_row:.2g}" in summary


class Typed:
    """Lines as a learner types them at a terminal (blank ones included)."""

    def __init__(self, lines: list[str], shown: list[str]):
        self.lines, self.shown = iter(lines), shown

    def ask(self, prompt: str, reference: str | None = None) -> str:
        self.shown.append(prompt)
        return next(self.lines)


@pytest.mark.parametrize("typed, start", [
    ([""], 2),                         # Enter: the first step not passed
    (["5"], 4), (["dydx"], 1),         # a step number or name
    (["twelve", "99", "1"], 0),        # not a step: asked again
])
def test_a_review_starts_where_the_learner_wants(typed, start):
    from tutor.lessons.runner import review_start

    lesson = load_lesson(find_lesson("polynomial"))
    recorded = {step.id: PASSED for step in lesson.steps} | {"slope-at-2": "failed"}
    out = io.StringIO()
    shown = []
    assert review_start(lesson, recorded, Typed(typed, shown), make_console(file=out), "en") == start
    assert shown[0].startswith("Review from which step (1-11 or its name)? Enter: 3 (slope-at-2)")
    assert out.getvalue().count("Type a step number") == len(typed) - 1


def test_a_review_of_a_lesson_all_passed_starts_at_step_1():
    from tutor.lessons.runner import review_start

    lesson = load_lesson(find_lesson("polynomial"))
    recorded = {step.id: PASSED for step in lesson.steps}
    assert review_start(lesson, recorded, Typed([""], []),
                        make_console(file=io.StringIO()), "en") == 0


@pytest.mark.parametrize("answer", ["y' = 3x^2 + 2x", "dy/dx = 2x + 3x^2", "f'(x) = 3x^2+2x",
                                    "y′=3x²+2x", "3x^2 + 2x"])
def test_an_answer_may_start_with_its_left_side(answer):
    from tutor.lessons.mathctx import LessonMath
    from tutor.lessons.steps.ask import Judge

    lesson = load_lesson(find_lesson("polynomial"))
    assert Judge(LessonMath(lesson), lesson.steps[1]).verdict(answer).correct


def test_skip_at_a_multiple_choice_shows_the_right_option(tmp_path):
    from tutor.lessons.ui import ScriptedPrompter

    lesson = load_lesson(find_lesson("polynomial"))
    choose = next(step for step in lesson.steps if step.kind == "choose")
    out = io.StringIO()
    console = make_console(file=out)
    options = Options(lang="en", prompter=ScriptedPrompter(["skip"], None), out_dir=tmp_path,
                      only=frozenset({choose.id}))
    Runner(lesson, ProgressStore.scratch(), console, options).run(lesson.step_index(choose.id))
    assert f"The right option was {choose.answer}." in out.getvalue()
    assert "Skipped." in out.getvalue()


def test_a_text_check_shows_what_was_printed_as_far_as_the_expected_text_goes():
    from tutor.lessons.mathctx import LessonMath
    from tutor.lessons.snippets import RunResult
    from tutor.lessons.steps.code import check_output
    from tutor.messages import language

    lesson = load_lesson(find_lesson("polynomial"))
    step = lesson.steps[lesson.step_index("two-ways")]
    printed = ("tape.gradient returns a list\ndy/dx from tape.gradient: [16.]\n"
               "second tape.gradient: A non-persistent GradientTape cannot be used twice!\n"
               "persistent tape, second call: [16.]\ndtype of x: float32\n")
    checks = {c.label: c for c in check_output(LessonMath(lesson), step, RunResult(printed),
                                                "tensorflow")}
    wrong = checks["second tape.gradient:"]
    assert not wrong.ok and len(wrong.expected) > 40
    assert wrong.found == "A non-persistent GradientTape cannot be used twice!"[:len(wrong.expected)]
    mse = load_lesson(find_lesson("mse-softmax"))
    pipeline = mse.steps[mse.step_index("torch-pipeline")]
    grads = ", ".join(["0.5"] * 8)
    with language("zh"):
        [check] = [c for c in check_output(LessonMath(mse), pipeline,
                                           RunResult(f"dL/dw: [{grads}]\n"), "torch")
                   if c.label == "dL/dw:"]
    assert check.found.endswith("，……（共 8 个数）")
