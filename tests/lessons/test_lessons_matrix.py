"""Lesson steps with matrix answers (ask-matrix) and the autograd graph (graph), and the
lessons built on them, in English and Chinese."""

import io

import pytest
import sympy

from tutor.errors import LessonError, TutorError
from tutor.lessons.autograd_graph import autograd_tree, build_graph, dot, export, sympy_tree
from tutor.lessons.catalog import find_lesson
from tutor.lessons.lint import lint_paths
from tutor.lessons.progress import ProgressStore
from tutor.lessons.runner import Options, Runner
from tutor.lessons.schema import load_lesson
from tutor.lessons.steps.ask_matrix import MatrixJudge
from tutor.lessons.ui import AutoPrompter, ScriptedPrompter
from tutor.render import make_console

MATRIX_LESSON = """\
schema: 1
id: demo
order: 90
title: Demo
summary: A matrix question.
steps:
  - id: dw
    kind: ask-matrix
    text: What is dL/dw?
    loss: "‖X w - y‖²"
    wrt: w
    shapes: "X=n×d, w=d, y=n"
    solution: "2 X^T (X w - y)"
    tries: 3
    wrong_examples:
      - answer: "X^T (X w - y)"
        mistake: factor-2-missing
        feedback: Where did the 2 go?
"""


def lesson_file(tmp_path, text=MATRIX_LESSON):
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def play(path, lines=None, lang="en", out_dir=None):
    out = io.StringIO()
    console = make_console(file=out)
    prompter = AutoPrompter(console.print) if lines is None else \
        ScriptedPrompter(lines, echo=console.print)
    options = Options(lang=lang, prompter=prompter, out_dir=out_dir or path.parent)
    code = Runner(load_lesson(path), ProgressStore(), console, options).run()
    return code, out.getvalue()


# ---------------------------------------------------------------- ask-matrix


def test_a_matrix_answer_is_judged_and_its_mistake_named(tmp_path):
    judge = MatrixJudge(load_lesson(lesson_file(tmp_path)).steps[0])
    assert judge.verdict("2 X.T @ (X @ w - y)").correct
    wrong = judge.verdict("2 X (X w - y)")
    assert not wrong.correct and wrong.mistake == "transpose-missing"
    assert "needs d = n" in wrong.message
    assert judge.verdict("X^T (X w - y)").mistake == "factor-2-missing"
    assert judge.verdict("2 X^T (X w - y) +").unreadable


def test_a_wrong_example_is_known_by_its_value_or_its_spelling(tmp_path):
    judge = MatrixJudge(load_lesson(lesson_file(tmp_path)).steps[0])
    example = judge.step.wrong_examples[0]
    assert judge.known_wrong("X.T @ (X @ w - y)") is example  # another spelling, same values
    assert judge.known_wrong("transpose(X) (X w) - X^T y") is example
    assert judge.known_wrong("2 X^T (X w - y)") is None


def test_playing_a_matrix_step_shows_the_verdict_the_feedback_and_the_tries(tmp_path):
    code, out = play(lesson_file(tmp_path), ["X^T (X w - y)", "X w", "2 X^T (X w - y)"])
    assert code == 0, out
    # a known wrong answer gets the lesson's feedback instead of the checker's (never both)
    assert "Where did the 2 go?" in out and "The factor 2 is missing" not in out
    assert "Try again (2 left)" in out and "Try again (1 left)" in out
    assert "Your answer Xw is an n-vector" in out
    assert "Lesson finished: 1 of 1 steps passed." in out


def test_an_unreadable_matrix_answer_does_not_count_as_a_try(tmp_path):
    code, out = play(lesson_file(tmp_path), ["X^T (X w - y", "X w", "X w", "X w"])
    assert "That does not count as a try." in out
    assert "No tries left" in out and code == 1


@pytest.mark.parametrize(("old", "new", "message"), [
    ('solution: "2 X^T (X w - y)"', 'solution: "X^T (X w - y)"',
     "13: step 'dw': the solution 'X^T (X w - y)' fails its own check"),
    ("mistake: factor-2-missing", "mistake: transpose-missing",
     "16: step 'dw': wrong example #1 'X^T (X w - y)': the checker reports "
     "'factor-2-missing', not 'transpose-missing'"),
    ('answer: "X^T (X w - y)"', 'answer: "2 X.T @ (X @ w - y)"',
     "16: step 'dw': wrong example #1 '2 X.T @ (X @ w - y)' is judged correct"),
])
def test_lint_checks_a_matrix_steps_solution_and_wrong_examples(tmp_path, old, new, message):
    problems = [str(p) for p in lint_paths([lesson_file(tmp_path, MATRIX_LESSON.replace(old, new))])]
    assert len(problems) == 1 and problems[0].split("demo.yaml:")[1].startswith(message), problems


def test_a_matrix_question_that_cannot_be_read_is_a_lesson_error(tmp_path):
    problems = [str(p) for p in lint_paths([lesson_file(tmp_path, MATRIX_LESSON.replace(
        '"X=n×d, w=d, y=n"', '"X=n×d, w"'))])]
    assert [p.split("demo.yaml:")[1] for p in problems] == ["12: step 'dw': shapes: expected name=value, got 'w' "
                        "(write name=value, separated by commas)"]
    path = lesson_file(tmp_path, MATRIX_LESSON.replace('"X=n×d, w=d, y=n"', '"X=n×d, y=n"'))
    with pytest.raises(LessonError, match="step 'dw': the question cannot be read: wrt='w' is "
                       "not declared"):
        MatrixJudge(load_lesson(path).steps[0], "demo.yaml")


# ---------------------------------------------------------------- the autograd graph


def test_the_graph_follows_grad_fn_to_the_leaves_where_grad_lands():
    x, y = sympy.symbols("x y")
    graph = build_graph(x * y + sympy.sin(x), {"x": 1.0, "y": 2.0}, retain=[x * y], hooks=["x"])
    assert graph.root.name == "AddBackward0" and graph.root.computes == "x*y + sin(x)"
    product, sine = graph.root.children
    assert (product.name, sine.name) == ("MulBackward0", "SinBackward0")
    assert [child.leaf for child in product.children] == ["x", "y"]
    shared = sine.children[0]
    assert shared.leaf == "x" and shared.seen_before  # one AccumulateGrad, reached twice
    assert graph.gradients == pytest.approx({"x": 2.0 + 0.5403023058681398, "y": 1.0})
    assert graph.retained == {"x*y": 1.0} and graph.hooked == pytest.approx({"x": 2.5403023})
    assert graph.value == pytest.approx(2.0 + 0.8414709848)


def test_a_constant_input_is_none_in_next_functions():
    x = sympy.Symbol("x")
    graph = build_graph(3 * x**2, {"x": 2.0})
    assert graph.root.name == "MulBackward0"
    assert [None if c is None else c.name for c in graph.root.children] == ["PowBackward0", None]
    assert graph.gradients == {"x": 12.0}


def test_the_trees_and_the_dot_export(tmp_path):
    x, y = sympy.symbols("x y")
    graph = build_graph(x * y + sympy.sin(x), {"x": 1.0, "y": 2.0})
    console = make_console(file=io.StringIO())
    console.print(sympy_tree(graph.expression))
    console.print(autograd_tree(graph))
    shown = console.file.getvalue()
    assert "Mul  x*y" in shown and "SinBackward0  sin(x)" in shown
    assert "AccumulateGrad → leaf x  (x.grad = 2.5403)  (the same node again)" in shown
    text = dot(graph)
    assert text.count("AccumulateGrad\\nx") == 1  # a shared node is drawn once
    assert text.count(" -> ") == 5
    written = export(graph, tmp_path / "g" / "graph.dot")
    assert written[0].read_text() == text


@pytest.mark.parametrize(("formula", "options", "message"), [
    ("x + atan(x)", {}, "cannot draw atan"),
    ("x*y", {"retain": ["x + y"]}, "retain: x \\+ y is not a subexpression"),
    ("x*y", {"hooks": ["z"]}, "hook: z is not a variable"),
    ("x*z", {}, "z has no value"),
])
def test_graph_bad_input(formula, options, message):
    retain = [sympy.sympify(text) for text in options.get("retain", ())]
    with pytest.raises(TutorError, match=message):
        build_graph(sympy.sympify(formula), {"x": 1.0, "y": 2.0}, retain=retain,
                    hooks=options.get("hooks", ()))


# ---------------------------------------------------------------- the lessons


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("lesson", ["linear-layer-backprop", "softmax-matrix",
                                    "autograd-graph"])
def test_the_matrix_lessons_play_to_the_end_and_lint_clean(lesson, lang, tmp_path):
    path = find_lesson(lesson)
    assert lint_paths([path]) == []
    code, out = play(path, lang=lang, out_dir=tmp_path)
    assert code == 0, out[-3000:]
    steps = len(load_lesson(path).steps)
    finished = f"{steps} of {steps} steps passed" if lang == "en" else f"{steps} 步中通过 {steps} 步"
    assert finished in out
    if lesson == "autograd-graph":
        assert (tmp_path / "autograd-graph.dot").read_text().startswith("digraph autograd {")


GRAPH_LESSON = """\
schema: 1
id: graph-demo
order: 91
title: Graph
summary: A graph step.
variables: [x]
steps:
  - id: g
    kind: graph
    formula: "x^2 + cos(x)"
    at: {x: 0.5}
    dot: graph.dot
"""


@pytest.mark.parametrize(("old", "new", "message"), [
    ("dot: graph.dot", "dot: ../graph.dot", "12: step 'g': dot: a file name ending in .dot"),
    ('formula: "x^2 + cos(x)"', 'formula: "x^2 + acos(x)"', "step 'g': the graph step cannot "
     "draw acos"),
])
def test_lint_checks_a_graph_step(tmp_path, old, new, message):
    path = lesson_file(tmp_path, GRAPH_LESSON.replace(old, new))
    problems = [str(p) for p in lint_paths([path])]
    assert len(problems) == 1 and message in problems[0], problems


def test_a_graph_step_draws_both_trees_and_writes_its_dot_file(tmp_path):
    code, out = play(lesson_file(tmp_path, GRAPH_LESSON), out_dir=tmp_path / "out")
    assert code == 0, out
    assert "PowBackward0  x**2" in out and "CosBackward0  cos(x)" in out
    assert "Pow  x**2" in out and "value at x = 0.5: 1.12758" in out
    assert (tmp_path / "out" / "graph.dot").read_text().count("AccumulateGrad") == 1
