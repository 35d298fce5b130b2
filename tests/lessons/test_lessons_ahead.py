"""Work done ahead of the steps: the code steps' expected values computed in a background
thread from the start (or resume point) of a run, equal to those computed at the step; the
lesson's start reads its formulas without computing numbers (the lint still does).
(How much time this saves: benchmarks/lessons.py.)"""

import subprocess
import sys

import pytest
from test_lessons_lint import GOOD, TF_STEP, lesson_file

from tutor.errors import LessonError
from tutor.lessons.ahead import Ahead
from tutor.lessons.catalog import catalog, find_lesson
from tutor.lessons.lint import formula_problems, lint_lesson
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.progress import ProgressStore
from tutor.lessons.runner import Options, Runner
from tutor.lessons.schema import load_lesson
from tutor.lessons.steps.code import Code, ahead_key, expected_ahead, expected_values
from tutor.lessons.ui import AutoPrompter
from tutor.messages import current_language, language
from tutor.render import make_console


def test_ahead_hands_back_results_errors_and_the_language_of_its_caller():
    def fails():
        raise LessonError("no value for x")

    with language("zh"):
        ahead = Ahead({"lang": current_language, "fails": fails, "sum": lambda: 1 + 2})
    assert ahead.result("lang", lambda: "not queued") == "zh"
    assert ahead.result("sum", lambda: "not queued") == 3
    with pytest.raises(LessonError, match="no value for x"):
        ahead.result("fails", lambda: "not queued")
    assert ahead.result("never queued", lambda: "done now") == "done now"


def _numeric_expectations(step):
    return [(framework, expectation) for framework in ("torch", "tensorflow")
            for expectation in (step.checks(framework) if step.source(framework) else ())
            if expectation.value is not None or expectation.derivative is not None]


def test_values_computed_ahead_equal_those_computed_at_the_step():
    compared = 0
    for info in catalog():
        lesson = load_lesson(info.path)
        ahead = Ahead(expected_ahead(LessonMath(lesson), lesson.steps))  # a background thread
        here = LessonMath(lesson)  # computed again, from scratch, in this thread
        for step in [step for step in lesson.steps if isinstance(step, Code)]:
            for framework, expectation in _numeric_expectations(step):
                queued = ahead.result(ahead_key(step, expectation), lambda: None)
                assert queued is not None, (lesson.id, step.id, framework, expectation)
                assert queued == expected_values(here, step, expectation), (step.id, framework)
                compared += 1
    assert compared > 40  # every lesson's code steps, torch and TensorFlow halves


def test_the_exact_derivative_is_what_is_computed_ahead():
    lesson = load_lesson(find_lesson("polynomial"))
    step = lesson.steps[lesson.step_index("two-ways")]  # at x = 2: 2x + 3x^2 = 16
    ahead = Ahead(expected_ahead(LessonMath(lesson), [step]))
    torch_checks = [e for _, e in _numeric_expectations(step)]
    assert {tuple(ahead.result(ahead_key(step, e), lambda: None)) for e in torch_checks} == {(16.0,)}
    # the same formula after two labels and in both halves: computed once
    assert len(ahead.jobs) == 1 < len(torch_checks)


def _runner(lesson_id, tmp_path, worker):
    lesson = load_lesson(find_lesson(lesson_id))
    console = make_console()
    options = Options(lang="en", prompter=AutoPrompter(console.print), out_dir=tmp_path)
    return lesson, Runner(lesson, ProgressStore.scratch(), console, options, worker=worker)


def test_a_run_prepares_the_steps_from_where_it_starts(tmp_path, code_worker, capsys):
    lesson, runner = _runner("polynomial", tmp_path, code_worker)
    runner.run(lesson.step_index("accumulation-trap"))  # resumed on a code step
    prepared = {key[1] for key in runner.ahead.jobs if key[0] == "expected"}
    assert prepared == {"accumulation-trap"}  # not the code steps before it
    assert "import torch" not in runner.ahead.jobs  # no compute or descend step from there
    lesson, runner = _runner("polynomial", tmp_path, code_worker)
    runner.run(0)
    assert {key[1] for key in runner.ahead.jobs if key[0] == "expected"} == {
        "two-ways", "watch-constants", "accumulation-trap"}
    assert "import torch" in runner.ahead.jobs  # 'side-by-side' computes with torch here
    assert "Lesson finished: 11 of 11 steps passed" in capsys.readouterr().out


def test_the_lesson_start_reads_formulas_without_computing_numbers():
    # mse-softmax's code step expects derivatives at the lesson's seeded tensor values: drawing
    # them takes torch, deriving them seconds of SymPy; the start only reads the formulas
    found = subprocess.run(
        [sys.executable, "-c",
         "import sys\n"
         "from tutor.lessons.catalog import find_lesson\n"
         "from tutor.lessons.lint import formula_problems\n"
         "from tutor.lessons.schema import load_lesson\n"
         "print(formula_problems(load_lesson(find_lesson('mse-softmax'))), "
         "'torch' in sys.modules)\n"],
        capture_output=True, text=True, check=True)
    assert found.stdout == "[] False\n"


def test_the_lint_still_computes_every_expected_value(tmp_path):
    path = lesson_file(tmp_path, GOOD + TF_STEP.replace("    at: {x: 2}\n", ""))
    assert formula_problems(load_lesson(path)) == []  # readable: the lesson starts
    problems = [str(problem) for problem in lint_lesson(path)]
    assert any("step 'run': expect: no value for x; give them in the step's 'at'" in p
               for p in problems), problems
