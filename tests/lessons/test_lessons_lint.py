"""Lesson files: schema validation and `tutor lint`, each bad input named with file:line."""

import textwrap

import pytest

from tutor.errors import LessonError
from tutor.lessons.commands import run_lint
from tutor.lessons.lint import lint_paths
from tutor.lessons.schema import Problem, load_lesson

GOOD = textwrap.dedent("""\
    schema: 1
    id: demo
    order: 99
    languages: [en, zh]
    title: {en: Demo, zh: 演示}
    summary: {en: A demo lesson, zh: 一个演示}
    variables: [x]
    steps:
      - id: intro
        kind: say
        text: {en: Hello, zh: 你好}
        math: "y = x^3"
      - id: dydx
        kind: ask
        text: {en: "dy/dx?", zh: "dy/dx？"}
        derivative: {of: "x^3", wrt: x}
        solution: "3*x^2"
        wrong_examples:
          - answer: "3*x^3"
            mistake: power-rule-exponent-not-lowered
            feedback: {en: Lower the power, zh: 次数减一}
      - id: check
        kind: compute
        expr: "x^3"
        wrt: [x]
        at: [{x: 2}]
        random: 50
    """)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # problems then name files as learners see them: demo.yaml:14


def lesson_file(tmp_path, text=GOOD, name="demo.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_in(tmp_path, text):
    path = lesson_file(tmp_path, text)
    return [str(p) for p in lint_paths([path])], path.name


def test_the_good_lesson_is_clean(tmp_path):
    assert lint_paths([lesson_file(tmp_path)]) == []


@pytest.mark.parametrize("old, new, line, message", [
    ("kind: ask", "kind: aks", 14, "step 'dydx': unknown step kind 'aks' (expected one of: say, ask, "
                                   "ask-matrix, choose, compute, code, descend, graph, exercise)"),
    ('    solution: "3*x^2"\n', "", 13, "step 'dydx': missing field 'solution'"),
    ("    wrong_examples:", "    hint: [a]\n    wrong_examples:", 18, "unknown field 'hint' (did you mean 'hints'?)"),
    ('expr: "x^3"', 'expr: "x^3 +"', 24, "step 'check': expr: cannot read 'x^3 +': missing operand"),
    ('expr: "x^3"', 'expr: "x^3 + q"', 24, "unknown name 'q'"),
    ("id: check", "id: intro", 22, "duplicate step id 'intro' (first used on line 9)"),
    ('solution: "3*x^2"', 'solution: "3*x"', 17, "the solution '3*x' fails its own check"),
    ('answer: "3*x^3"', 'answer: "x^2*3"', 19, "is judged correct; a wrong example must be wrong"),
    ("mistake: power-rule-exponent-not-lowered", "mistake: sign-flipped", 19,
     "not 'sign-flipped'"),
    ("text: {en: Hello, zh: 你好}", "text: Hello", 11, "step 'intro': text: missing translation (en, zh)"),
    ("at: [{x: 2}]", "at: [{point: {x: 2}, expect: fail}]", 26, "passes, but 'expect: fail' says it must not"),
    ('    solution: "3*x^2"\n', '    domains: {x: "(1, 0)"}\n    solution: "3*x^2"\n', 17,
     "step 'dydx': domains: x: domain '(1, 0)': the lower end must be below the upper end"),
    ('    solution: "3*x^2"\n', '    domain: {q: "(0, 1)"}\n    solution: "3*x^2"\n', 13,
     "step 'dydx': domains: 'q' is not a variable"),
])
def test_lint_names_file_line_and_problem(tmp_path, old, new, line, message):
    assert old in GOOD
    found, name = problems_in(tmp_path, GOOD.replace(old, new, 1))
    assert any(f"{name}:{line}: " in p and message in p for p in found), found


@pytest.mark.parametrize("hint, gives_away", [
    ("{en: Lower the power by one, zh: 次数减一}", False),
    ("{en: \"It is 3*x^2.\", zh: 次数减一}", True),            # the solution's text
    ("{en: \"The answer: x²·3\", zh: 次数减一}", True),         # a piece that reads as the solution
    ("{en: Lower the power by one, zh: \"答案是 3x²。\"}", True),  # in any language
    ("{en: \"d(x³)/dx = 3x^2\", zh: 次数减一}", True),
    ("{en: \"Compare with d(x²)/dx = 2x\", zh: 次数减一}", False),
])
def test_lint_refuses_a_hint_that_gives_the_answer_away(tmp_path, hint, gives_away):
    text = GOOD.replace("    wrong_examples:", f"    hints:\n      - {hint}\n    wrong_examples:", 1)
    found, name = problems_in(tmp_path, text)
    refused = [p for p in found if "hint 1" in p and "gives the answer away" in p]
    assert bool(refused) == gives_away, found


def test_lint_refuses_a_hint_that_gives_the_value_away(tmp_path):
    text = GOOD.replace('derivative: {of: "x^3", wrt: x}', 'derivative: {of: "x^3", wrt: x, at: {x: 2}}')
    text = text.replace('solution: "3*x^2"', 'solution: "12"').replace('"3*x^3"', '"24"')
    text = text.replace("        mistake: power-rule-exponent-not-lowered\n", "")
    hinted = text.replace("    wrong_examples:", "    hints:\n      - {en: \"3·2² = 12.\", zh: 三乘四}\n"
                          "    wrong_examples:", 1)
    assert problems_in(tmp_path, text)[0] == []
    found, name = problems_in(tmp_path, hinted)
    assert any(f"{name}:19: step 'dydx': hint 1 (en) gives the answer away" in p for p in found), found


def test_yaml_syntax_error_has_its_line(tmp_path):
    found, name = problems_in(tmp_path, GOOD.replace("    math: \"y = x^3\"", "    math: [y = x^3"))
    assert found and f"{name}:13: not valid YAML" in found[0], found


def test_duplicate_yaml_key_is_an_error(tmp_path):
    found, name = problems_in(tmp_path, GOOD.replace("order: 99\n", "order: 99\norder: 3\n"))
    assert found == [f"{name}:4: key 'order' appears twice in this mapping (first on line 3)"]


def test_wrong_example_shadowed_by_an_earlier_one(tmp_path):
    old = "        feedback: {en: Lower the power, zh: 次数减一}\n"
    assert old in GOOD
    text = GOOD.replace(old, old + "      - answer: \"3*x*x^2\"\n"
                                   "        feedback: {en: Same, zh: 同上}\n")
    found, name = problems_in(tmp_path, text)
    assert any(":22: " in p and "an earlier wrong example catches this answer first" in p for p in found)


def test_load_lesson_raises_the_first_problem(tmp_path):
    path = lesson_file(tmp_path, GOOD.replace("kind: ask", "kind: aks"))
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert str(caught.value).endswith("demo.yaml:14: step 'dydx': unknown step kind 'aks' "
                                      "(expected one of: say, ask, ask-matrix, choose, compute, code, descend, graph, exercise)")
    assert caught.value.line == 14


def test_tensor_index_errors_are_lesson_errors(tmp_path):
    text = GOOD.replace("steps:\n", "tensors:\n  w: {shape: [2, 3], init: zeros}\n"
                                    "let:\n  s: \"sum(j, w[j])\"\nsteps:\n")
    found, name = problems_in(tmp_path, text)
    assert any(f"{name}:11: let s:" in p and "w has 2 dimension(s)" in p for p in found), found


def test_code_snippet_syntax_error(tmp_path):
    text = GOOD + textwrap.indent(textwrap.dedent("""\
        - id: run
          kind: code
          torch: |
            print("hello"
        """), "  ")
    found, name = problems_in(tmp_path, text)
    assert any("step 'run': the torch snippet is not valid Python" in p for p in found), found


TF_STEP = textwrap.indent(textwrap.dedent("""\
    - id: run
      kind: code
      at: {x: 2}
      torch: |
        print("grad:", 12.0)
      tensorflow: |
        import tensorflow as tf

        print("grad:", 12.0)
      tensorflow_expect:
        - {after: "grad:", value: "3*x^2"}
    """), "  ")


def test_tensorflow_snippet_syntax_error_names_its_line(tmp_path):
    head, _, tail = TF_STEP.rpartition('"grad:", 12')  # the TensorFlow snippet's print
    broken = head + '"grad:" 12' + tail
    found, name = problems_in(tmp_path, GOOD + broken)
    # line 36 is the TensorFlow snippet's third line, the one with the missing comma
    assert found == [f"{name}:36: step 'run': the tensorflow snippet is not valid Python: "
                     "invalid syntax. Perhaps you forgot a comma? (snippet line 3)"], found


def test_tensorflow_checks_are_read_like_the_torch_ones(tmp_path):
    assert problems_in(tmp_path, GOOD + TF_STEP)[0] == []
    found, name = problems_in(tmp_path, GOOD + TF_STEP.replace("3*x^2", "3*q^2"))
    assert any(f"{name}:38: " in p and "unknown name 'q'" in p for p in found), found


def test_tensorflow_expect_needs_a_tensorflow_snippet(tmp_path):
    text = GOOD + textwrap.indent(textwrap.dedent("""\
        - id: run
          kind: code
          torch: print(1)
          tensorflow_expect:
            - {after: "grad:", text: "1"}
        """), "  ")
    found, name = problems_in(tmp_path, text)
    assert f"{name}:31: step 'run': 'tensorflow_expect' without a 'tensorflow' snippet to check" in found


def test_lint_command_exit_codes(tmp_path, capsys):
    import argparse

    good = lesson_file(tmp_path)
    assert run_lint(argparse.Namespace(paths=[str(good)])) == 0
    assert "Checked 1 file: no problems." in capsys.readouterr().out
    bad = lesson_file(tmp_path, GOOD.replace("kind: ask", "kind: aks"), "bad.yaml")
    assert run_lint(argparse.Namespace(paths=[str(tmp_path)])) == 1
    out = capsys.readouterr().out
    assert "bad.yaml:14: step 'dydx': unknown step kind 'aks'" in out
    assert "1 problem in 2 files." in out
    assert bad.exists()


def test_bundled_lessons_are_lint_clean():
    assert [str(p) for p in lint_paths(None)] == []


def test_other_file_kinds_plug_in(tmp_path):
    other = tmp_path / "assignment.toml"
    other.write_text("x = 1\n")

    def toml_linter(path):
        return [Problem(str(path), 1, "not a real assignment")] if path.suffix == ".toml" else None

    assert [p.message for p in lint_paths([other], other_kinds=[toml_linter])] == [
        "not a real assignment"]


def test_the_authoring_guide_example_is_valid(tmp_path, monkeypatch):
    """docs/lessons.md's first lesson lints clean, and its lint example says what lint says."""
    import re
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "lessons.md").read_text()
    example = re.search(r"```yaml\n(schema: 1 .*?)```", guide, re.S).group(1)
    (tmp_path / "lessons").mkdir()
    path = lesson_file(tmp_path, example, "lessons/20-power-rule.yaml")
    assert lint_paths([path]) == []
    lesson_file(tmp_path, example.replace("kind: ask", "kind: aks"), "lessons/20-power-rule.yaml")
    shown = re.search(r"\n(lessons/20-power-rule\.yaml:\d+: .*)\n", guide).group(1)
    assert [str(p) for p in lint_paths([path])] == [shown]


CODE_STEP = """\
  - id: run
    kind: code
    text: {en: Run it, zh: 运行}
    comments:
      - {en: "two, not three", zh: "是二，不是三"}
      - {en: "a stale note", zh: "过时的注释"}
    torch: |
      import torch
      x = torch.tensor(2.0)   # two, not three
      # a block of comments
      # read as one text
      print("x:", x.item())
"""


def test_a_snippet_comment_without_translation_and_a_stale_one_are_named(tmp_path):
    found, name = problems_in(tmp_path, GOOD + CODE_STEP)
    assert found == [
        f"{name}:37: step 'run': the torch snippet's comment 'a block of comments read as one "
        "text' has no translation; add it to the step's comments as {en: ..., zh: ...}",
        f"{name}:33: step 'run': comments: 'a stale note' is not a comment of the step's "
        "snippets"]


def test_a_learner_reads_snippet_comments_in_the_lesson_language(tmp_path):
    text = (GOOD + CODE_STEP).replace('{en: "a stale note", zh: "过时的注释"}',
                                       '{en: "a block of comments read as one text", '
                                       'zh: "几行注释\\n合起来是一段"}')
    assert lint_paths([lesson_file(tmp_path, text)]) == []
    step = load_lesson(lesson_file(tmp_path, text)).steps[-1]
    assert step.shown("torch", "zh").splitlines()[1:4] == [
        "x = torch.tensor(2.0)   # 是二，不是三", "# 几行注释", "# 合起来是一段"]
    assert step.shown("torch", "en") == step.torch  # the code that runs, unchanged


def test_mistake_feedback_that_states_the_answer_is_named(tmp_path):
    found, name = problems_in(tmp_path, GOOD.replace("{en: Lower the power,",
                                                     "{en: \"Lower the power: 3x^2\","))
    assert len(found) == 1
    assert found[0].startswith(f"{name}:21: step 'dydx': wrong example #1 '3*x^3': its "
                               "feedback (en) gives the answer away: 'Lower the power: 3x^2'")
