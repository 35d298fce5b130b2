"""Every lesson played in Chinese, with unreadable and wrong answers, hints, solutions and
every table, must print no English of the program's own.

English the lessons keep on purpose is allowed: words in a lesson file outside its ``en`` texts
(code but not its comments, formulas, variable names, terms the Chinese prose keeps such as
PyTorch or autograd),
what the lesson's code prints, and the commands a learner types (hint, solution, ...). Chinese
lines must also use full-width punctuation next to Chinese characters.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
import yaml

from tutor.lessons.catalog import catalog, find_lesson
from tutor.lessons.display import snippet_comments
from tutor.lessons.progress import ProgressStore
from tutor.lessons.runner import Options, Runner
from tutor.lessons.schema import load_lesson
from tutor.lessons.snippets import CodeWorker
from tutor.lessons.steps.ask import Ask
from tutor.lessons.steps.code import FRAMEWORKS
from tutor.lessons.ui import COMMANDS, Prompter
from tutor.render import make_console

#: Words the program may print in Chinese mode: the commands a learner types (check: at an
#: exercise), library and package names, the extension of an exercise file's name.
ALLOWED = {*COMMANDS, "check", "tutor", "learn", "watch", "save", "pip", "install", "PyTorch",
           "TensorFlow", "SymPy", "autograd", "float32", "float64", "py", "Debian", "fonts",
           "noto", "cjk"}
#: Function names formulas are printed with.
MATH = {"sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "asin", "acos", "atan",
        "exp", "log", "sqrt", "sigmoid", "softplus", "softmax", "relu", "Max", "Min", "abs", "sign"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]+")
#: Identifiers: a computation graph's nodes (SymPy's node classes, autograd's grad_fn classes
#: such as AddBackward0) and the exceptions a learner's exercise raises.
IDENTIFIERS = re.compile(r"(Add|Mul|Pow|[A-Z][A-Za-z]*Backward[0-9]*|AccumulateGrad"
                         r"|[A-Z][A-Za-z]*(Error|Exception))$")
DIFFERENTIAL = re.compile(r"(?<![A-Za-z])d[a-z][0-9]*(?![A-Za-z])")  # dx, dz1 in d/dx, dz₁
HAN = "\u4e00-\u9fff"
#: One Chinese term each: 海森矩阵 (not "Hessian 矩阵"), tape as TensorFlow calls it (not 磁带).
MIXED_TERMS = ("Hessian 矩阵", "Hessian 正定", "磁带")
ASCII_PUNCTUATION = re.compile(rf"[{HAN}][,:;!?]|[{HAN}]\(|\)[{HAN}]|[{HAN}]\.(?!\w)")


class Mischief(Prompter):
    """A learner who types something unreadable, then a wrong answer (one the lesson names a
    mistake for, if it has one), asks for hints, then answers right (odd questions) or asks
    for the solution (even ones). ``wrong``: a wrong answer by reference answer."""

    def __init__(self, echo, wrong: dict[str, str]):
        self.echo, self.wrong, self.last, self.tries, self.questions = echo, wrong, object(), 0, 0

    def ask(self, prompt: str, reference: str | None = None) -> str:
        if reference != self.last:
            self.last, self.tries, self.questions = reference, 0, self.questions + 1
        self.tries += 1
        if reference is None:
            answer = ""
        elif prompt.startswith("选项"):
            plan = ["0", "2" if reference.strip() != "2" else "1", "hint", reference]
            answer = plan[min(self.tries, len(plan)) - 1]
        else:
            last = reference if self.questions % 2 else "solution"
            plan = ["2 +", self.wrong.get(reference, "12345.5"), "hint", "hint", last]
            answer = plan[min(self.tries, len(plan)) - 1]
        self.echo(prompt + answer)
        return answer


def kept_words(node, key: str | None = None) -> set[str]:
    """ASCII words of a lesson file outside its English texts and its snippets' comments
    (a learner reads those translated)."""
    if key == "en":
        return set()
    if key in FRAMEWORKS and isinstance(node, str):
        lines = node.splitlines()
        for comment in snippet_comments(node):
            for row in range(comment.row, comment.row + comment.rows):
                lines[row] = lines[row][:comment.column]
        node = "\n".join(lines)
    if isinstance(node, dict):
        return set().union(*(kept_words(value, str(k)) for k, value in node.items()), set())
    if isinstance(node, list):
        return set().union(*(kept_words(item) for item in node), set())
    return set(WORD.findall(str(node))) | ({key} if key else set())


def play_in_chinese(lesson_id: str, worker: CodeWorker, tmp_path: Path,
                    monkeypatch) -> tuple[str, set[str], set[str]]:
    """The transcript (the plot directory left out), the English allowed, what code printed."""
    printed_by_code: set[str] = set()
    run = worker.run

    def run_and_note(*args, **kwargs):
        result = run(*args, **kwargs)
        printed_by_code.update(WORD.findall(result.stdout))
        if result.error:
            printed_by_code.update(WORD.findall(result.error["type"] + " " + result.error["message"]))
        return result

    monkeypatch.setattr(worker, "run", run_and_note)
    out = io.StringIO()
    console = make_console(file=out)
    path = find_lesson(lesson_id)
    lesson = load_lesson(path)
    wrong = {step.solution.text: step.wrong_examples[0].answer.text for step in lesson.steps
             if isinstance(step, Ask) and step.wrong_examples}
    options = Options(lang="zh", prompter=Mischief(console.print, wrong), out_dir=tmp_path,
                      workspace=tmp_path, descent_cap=300)
    Runner(lesson, ProgressStore.scratch(), console, options, worker=worker).run()
    allowed = ALLOWED | printed_by_code | kept_words(yaml.safe_load(path.read_text("utf-8")))
    allowed |= MATH
    return out.getvalue().replace(str(tmp_path), "…"), allowed, printed_by_code


@pytest.fixture
def no_tensorflow(monkeypatch):
    """TensorFlow as if not installed: its snippets are shown, not run (their output is the
    lesson's code, not the program's words)."""
    monkeypatch.setitem(sys.modules, "tensorflow", None)


@pytest.mark.parametrize("lesson", [info.id for info in catalog()])
def test_a_lesson_in_chinese_prints_no_english(lesson, no_tensorflow, code_worker, tmp_path,
                                               monkeypatch):
    transcript, allowed, printed = play_in_chinese(lesson, code_worker, tmp_path, monkeypatch)
    assert "提示 1：" in transcript or "没有更多提示了" in transcript  # hints were asked for
    english, punctuation = [], []
    for line in transcript.splitlines():
        if line.startswith(("答案> ", "选项（")):
            continue  # the prompt, then what the learner typed
        english += [(word, line) for word in WORD.findall(DIFFERENTIAL.sub("", line))
                    if word not in allowed and not IDENTIFIERS.match(word)
                    and not any(kept.startswith(word) for kept in printed)]  # a cut cell
        if ASCII_PUNCTUATION.search(line):
            punctuation.append(line)
    assert not english, "\n".join(f"{word!r} in: {line}" for word, line in english[:20])
    assert not punctuation, "\n".join(punctuation[:20])
    assert not [term for term in MIXED_TERMS if term in transcript]
