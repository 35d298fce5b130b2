"""``code``: run the PyTorch snippet (and the TensorFlow one, when TensorFlow is installed)
in the snippet process (:mod:`tutor.lessons.snippets`), then check what each printed.

Numbers are read from the output after a label and compared with the symbolic values,
allowing for the digits printed and the dtype.

>>> numbers_after("grad: tensor([16.0000, -0.5])", 0)[:2]
[(16.0, 4, 14, 21), (-0.5, 1, 23, 27)]
>>> [n[0] for n in numbers_after("tf.Tensor([16.], shape=(1,), dtype=float32)", 0)]
[16.0]
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import sympy
from rich.console import Console
from rich.table import Table
from rich.text import Text as RichText

from tutor.documents import Node, Problem, Reader, spec
from tutor.errors import LessonError
from tutor.lessons.display import code_block, mark, show, snippet_comments
from tutor.lessons.mathctx import LessonMath
from tutor.lessons.model import Derivative, DType, Point, Source, Step, Text
from tutor.lessons.snippet_process import FIRST_USES
from tutor.lessons.snippets import CodeWorker, RunResult
from tutor.lessons.steps.kind import PASSED, StepKind
from tutor.lessons.ui import say
from tutor.lowering import TENSORFLOW
from tutor.messages import text as message
from tutor.numeric import error_ratio, tolerance, value_at
from tutor.parsing import symbol
from tutor.symbolic import gradient

FRAMEWORKS = ("torch", "tensorflow")
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
# Parts of TensorFlow's reprs whose digits are not values: shape=(1,), 'Variable:0'.
_NOT_VALUES = re.compile(r"shape=\([^)]*\)|<tf\.Variable '[^']*'")


@dataclass(frozen=True, kw_only=True)
class Expectation:
    """One check on a code step's output: a value, a derivative, a text, or an error it raises."""

    line: int
    after: str | None = None  # the label in the output the numbers follow
    value: Source | None = None
    derivative: Derivative | None = None
    text: str | None = None
    error: str | None = None


@dataclass(frozen=True, kw_only=True)
class Code(Step):
    """A PyTorch snippet and, optionally, its TensorFlow counterpart; each is run and its
    output checked (``tensorflow_expect`` defaults to ``expect``). ``comments`` translates
    the snippets' comments, one ``{en: ..., zh: ...}`` per comment, so that a learner reads
    them in the lesson's language while the code that runs stays one."""

    torch: str
    tensorflow: str | None = None
    comments: tuple[Text, ...] = ()
    timeout: float = spec(60.0, positive=True)
    at: Point | None = None
    dtype: DType = "float32"
    expect: tuple[Expectation, ...] = ()
    tensorflow_expect: tuple[Expectation, ...] | None = None
    torch_line: int = spec(0, line_of="torch")
    tensorflow_line: int = spec(0, line_of="tensorflow")

    def source(self, framework: str) -> str | None:
        """The snippet for ``framework`` (one of FRAMEWORKS)."""
        return self.torch if framework == "torch" else self.tensorflow

    def checks(self, framework: str) -> tuple[Expectation, ...]:
        """The expectations the ``framework`` snippet's output must meet."""
        if framework == "tensorflow" and self.tensorflow_expect is not None:
            return self.tensorflow_expect
        return self.expect

    def line_of(self, framework: str) -> int:
        """The line of the file where the ``framework`` snippet's first line is."""
        return self.torch_line if framework == "torch" else self.tensorflow_line

    def shown(self, framework: str, lang: str) -> str | None:
        """The ``framework`` snippet as a learner reads it in ``lang``: its comments
        translated (where ``comments`` has them), the code unchanged."""
        source = self.source(framework)
        if source is None or lang == "en":
            return source
        translated = {text.get("en"): text.get(lang) for text in self.comments}
        lines = source.splitlines(keepends=True)
        for comment in reversed(snippet_comments(source)):
            if comment.text not in translated:
                continue
            code = lines[comment.row][:comment.column]  # the indentation, or the code before it
            parts = translated[comment.text].splitlines() if comment.whole_lines else \
                [" ".join(translated[comment.text].split())]
            lines[comment.row:comment.row + comment.rows] = [f"{code}# {part}\n" for part in parts]
        return "".join(lines)


_EXPECTATION_KINDS = ("value", "derivative", "text", "error")


def check_code(reader: Reader, node: Node, where: str, values: dict) -> None:
    if "tensorflow_expect" in node.entries and "tensorflow" not in node.entries:
        reader.problem(node.key_lines["tensorflow_expect"], f"{where}: 'tensorflow_expect' "
                       "without a 'tensorflow' snippet to check")


def check_expectation(reader: Reader, node: Node, where: str, values: dict) -> None:
    if sum(kind in node.entries for kind in _EXPECTATION_KINDS) != 1:
        reader.problem(node.line, f"{where}: give exactly one of {', '.join(_EXPECTATION_KINDS)}")


# ---------------------------------------------------------------- checking the output


def numbers_after(text: str, start: int) -> list[tuple[float, int, int, int]]:
    """Numbers in ``text`` from ``start``: (value, decimals written, start, end)."""
    found = []
    text = _NOT_VALUES.sub(lambda m: " " * len(m.group()), text)  # same length: same positions
    for match in _NUMBER.finditer(text, start):
        written = match.group()
        mantissa = written.lower().split("e")[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        found.append((float(written), decimals, match.start(), match.end()))
    return found


@dataclass
class Check:
    """One expectation and how the output met it."""

    label: str
    expected: str
    found: str
    ok: bool


@dataclass
class CodeResult:
    run: RunResult
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        unexpected = self.run.error is not None and not any(c.label == "error" for c in self.checks)
        return (not self.run.timed_out and not self.run.crashed and not unexpected
                and all(c.ok for c in self.checks))


def expected_values(math: LessonMath, step: Code, expectation: Expectation) -> list[float]:
    """The symbolic values a ``value`` or ``derivative`` expectation stands for, as numbers
    (from the exact derivatives: a second or more for a lesson's whole pipeline, so a lesson
    run computes them ahead, see :func:`expected_ahead`)."""
    where = f"step {step.id!r}: expect"
    exprs, point = _expressions(math, step, expectation), math.point(step.at)
    if expectation.derivative is not None:
        d = expectation.derivative
        exprs = list(gradient(exprs[0], math.expand_names(d.wrt, where, expectation.line),
                              simplify=False))
        point = {**point, **(d.at.values if d.at else {})}
    values = []
    for expr in exprs:
        missing = sorted(s.name for s in expr.free_symbols if s.name not in point)
        if missing:
            raise LessonError(f"{where}: no value for {', '.join(missing)}; give them in the "
                              "step's 'at'", path=math.label, line=expectation.line)
        values.append(value_at(expr, point))
    return values


def _expressions(math: LessonMath, step: Code, expectation: Expectation) -> list[sympy.Expr]:
    """The formulas of a ``value`` expectation (a tensor's elements), or the function of a
    ``derivative`` one, read from the lesson (no numbers, no derivatives yet)."""
    where = f"step {step.id!r}: expect"
    if expectation.derivative is not None:
        d = expectation.derivative
        math.expand_names(d.wrt, where, expectation.line)
        return [math.expr(d.of, where)]
    name = expectation.value.text.strip()
    if name in math.elements and math.shapes[name]:
        return [math.substitute(symbol(e)) for e in math.elements[name]]
    return [math.expr(expectation.value, where)]


def _numeric(step: Code) -> list[Expectation]:
    """The step's ``value`` and ``derivative`` expectations, PyTorch's and TensorFlow's."""
    return [e for e in (*step.expect, *(step.tensorflow_expect or ()))
            if e.value is not None or e.derivative is not None]


def expected_ahead(math: LessonMath, steps) -> dict:
    """The expected values of the code steps among ``steps``, as work for
    :class:`~tutor.lessons.ahead.Ahead` (keyed as :func:`ahead_key` says)."""
    return {ahead_key(step, expectation): functools.partial(expected_values, math, step,
                                                            expectation)
            for step in steps if isinstance(step, Code) for expectation in _numeric(step)}


def ahead_key(step: Code, expectation: Expectation) -> tuple:
    """What :func:`expected_ahead` files an expectation's values under: what they depend on
    (the step, for its point, and the formula), so that a value expected after several
    labels, or by both halves, is computed once."""
    d = expectation.derivative
    formula = (("value", expectation.value.text) if d is None else
               ("derivative", d.of.text, d.wrt, tuple(d.at.values.items()) if d.at else ()))
    return ("expected", step.id, formula)


def check_output(math: LessonMath, step: Code, run: RunResult, framework: str = "torch",
                 expected: Callable[[Expectation], list[float]] | None = None) -> list[Check]:
    """Compare the ``framework`` snippet's output with each of its expectations, in order;
    ``expected`` gives their values (default: :func:`expected_values`, computed now)."""
    expected = expected or functools.partial(expected_values, math, step)
    text, cursor, checks = run.stdout, 0, []
    rtol = tolerance(step.dtype)
    for expectation in step.checks(framework):
        label = expectation.after or ""
        if expectation.error is not None:
            raised = (run.error or {}).get("bases", [])
            found = f"{run.error['type']}" if run.error else "no error"
            checks.append(Check("error", expectation.error, found, expectation.error in raised))
            continue
        start = cursor
        if label:
            at = text.find(label, cursor)
            at = text.find(label) if at < 0 else at
            if at < 0:
                checks.append(Check(label, message("label_in_output"), message("not_printed"), False))
                continue
            start = at + len(label)
        if expectation.text is not None:
            rest = text[start:].lstrip()
            ok = rest.startswith(expectation.text)
            printed_line = rest.split("\n", 1)[0]
            shown = max(40, len(expectation.text))  # as much as the expected text, at least
            checks.append(Check(label, expectation.text, printed_line[:shown], ok))
            cursor = start + (len(text[start:]) - len(rest)) + len(expectation.text) if ok else start
            continue
        wanted = expected(expectation)
        printed = numbers_after(text, start)[:len(wanted)]
        if len(printed) < len(wanted):
            checks.append(Check(label, _numbers(wanted), message("n_of_numbers", n=len(printed), total=len(wanted)), False))
            continue
        got = np.array([p[0] for p in printed])
        ref = np.array(wanted)
        digits = np.array([_digits_allowance(text[p[2]:p[3]], p[1]) for p in printed])
        ok = bool(np.all((error_ratio(ref, got, rtol) <= 1.0) | (np.abs(got - ref) <= digits)))
        checks.append(Check(label, _numbers(wanted), _numbers(got), ok))
        cursor = printed[-1][3]
    return checks


def _digits_allowance(written: str, decimals: int) -> float:
    """Half a unit in the last digit written: '0.1234' may stand for 0.12344 or 0.12335."""
    exponent = int(written.lower().split("e")[1]) if "e" in written.lower() else 0
    return 0.5 * 10.0 ** (exponent - decimals)


def _numbers(values) -> str:
    shown = ", ".join(f"{v:.6g}" for v in list(values)[:3])
    return shown + (message("more_numbers", n=len(values)) if len(values) > 3 else "")


def run_code(math: LessonMath, step: Code, worker: CodeWorker, name: str,
             framework: str = "torch",
             expected: Callable[[Expectation], list[float]] | None = None) -> CodeResult:
    """Run the step's ``framework`` snippet ("torch" or "tensorflow") and check its output
    (``expected`` as in :func:`check_output`)."""
    run = worker.run(step.source(framework), name, step.timeout, framework)
    if run.timed_out or run.crashed:
        return CodeResult(run)
    return CodeResult(run, check_output(math, step, run, framework, expected))


def show_code_result(console: Console, result: CodeResult, timeout: float, lang: str) -> None:
    run = result.run
    if run.stdout.strip():
        console.print(RichText(say("output", lang), style="bold"))
        console.print(RichText("\n".join("  " + line for line in run.stdout.rstrip("\n").splitlines())))
    if run.timed_out:
        console.print(RichText(say("timed_out", lang, seconds=timeout), style="bold red"))
        return
    if run.crashed:
        console.print(RichText(say("crashed", lang, why=run.crashed), style="bold red"))
        return
    if run.error is not None:
        expected = any(check.label == "error" for check in result.checks)
        console.print(RichText(say("raised", lang), style="bold yellow" if expected else "bold red"))
        shown = f"{run.error['type']}: {run.error['message']}" if expected else run.error["traceback"]
        console.print(RichText("\n".join("  " + line for line in shown.rstrip().splitlines())))
    if result.checks:
        table = Table(title=say("checks", lang), title_justify="left", show_edge=False,
                      pad_edge=False, header_style="bold")
        for column in ("column_after", "column_expected", "column_printed"):
            table.add_column(say(column, lang))
        table.add_column("")
        for check in result.checks:
            table.add_row(check.label, check.expected, check.found, mark(check.ok, lang))
        show(console, table)


# ---------------------------------------------------------------- playing and linting


def frameworks_to_run(steps) -> list[str]:
    """The frameworks whose snippets ``steps`` will run here: what a worker should warm.

    TensorFlow snippets are only shown, not run, when TensorFlow is not installed.
    """
    code = [step for step in steps if isinstance(step, Code)]
    wanted = ["torch"] if code else []
    if any(step.tensorflow for step in code) and TENSORFLOW.installed():
        wanted.append("tensorflow")
    return wanted


def warm_for(worker: CodeWorker, steps) -> None:
    """Have ``worker`` prepare, in the background, what the snippets of ``steps`` use."""
    frameworks = frameworks_to_run(steps)
    worker.warm(*frameworks, also={name: libraries_imported(steps, name) for name in frameworks},
                first_uses={name: first_uses(steps, name) for name in frameworks})


def _sources(steps, framework: str) -> list[str]:
    return [step.source(framework) or "" for step in steps if isinstance(step, Code)]


def libraries_imported(steps, framework: str) -> list[str]:
    """The other frameworks the ``framework`` snippets of ``steps`` import (TensorFlow snippets
    that take the lesson's numbers from torch): the worker imports them ahead too.

    >>> from tutor.lessons.catalog import find_lesson
    >>> from tutor.lessons.schema import load_lesson
    >>> libraries_imported(load_lesson(find_lesson("mse-softmax")).steps, "tensorflow")
    ['torch']
    """
    found = set()
    for source in _sources(steps, framework):
        try:
            tree = ast.parse(source)
        except SyntaxError:  # reported by the lint; when run, the snippet reports it
            continue
        for node in ast.walk(tree):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found.update(name.split(".")[0] for name in names)
    return [name for name in FRAMEWORKS if name in found and name != framework]


def first_uses(steps, framework: str) -> list[str]:
    """The costly first calls (:data:`~tutor.lessons.snippet_process.FIRST_USES`) that the
    ``framework`` snippets of ``steps`` name: the worker makes them ahead.

    >>> from tutor.lessons.catalog import find_lesson
    >>> from tutor.lessons.schema import load_lesson
    >>> first_uses(load_lesson(find_lesson("grad-bookkeeping")).steps, "torch")
    ['torch.optim']
    """
    sources = _sources(steps, framework)
    return [name for name in FIRST_USES if any(name in source for source in sources)]


def play(runner, step: Code) -> str:
    """Run the PyTorch snippet, then the TensorFlow one (or show it, when TensorFlow is
    not installed); the step passes when every snippet that ran passed its checks."""
    runner.text(step.text)
    passed = _snippet(runner, step, "torch")
    if step.tensorflow and TENSORFLOW.installed():
        passed = _snippet(runner, step, "tensorflow") and passed
    elif step.tensorflow:
        code_block(runner.console, say("tf_missing", runner.lang),
                   step.shown("tensorflow", runner.lang))
    return runner.conclude(step, PASSED if passed else "failed")


def _snippet(runner, step: Code, framework: str) -> bool:
    code_block(runner.console, say(f"{framework}_code", runner.lang),
               step.shown(framework, runner.lang))
    lesson_id = runner.lesson.id
    name = f"<{lesson_id}:{step.id}>" if framework == "torch" else (
        f"<{lesson_id}:{step.id}:{framework}>")
    console = runner.console
    def expected(expectation: Expectation) -> list[float]:  # computed ahead, while the learner read
        return runner.ahead.result(ahead_key(step, expectation),
                                   functools.partial(expected_values, runner.math, step, expectation))

    with console.status(say("running", runner.lang)) if console.is_terminal else nullcontext():
        result = run_code(runner.math, step, runner.worker, name, framework, expected)
    show_code_result(console, result, step.timeout, runner.lang)
    return result.passed


def formulas(math: LessonMath, step: Code) -> None:
    """The formulas of the expectations can be read (no numbers: a lesson checks this
    when it starts; the lint computes the numbers too, in :func:`problems`)."""
    for expectation in _numeric(step):
        _expressions(math, step, expectation)


def problems(math: LessonMath, step: Code, path: str) -> list[Problem]:
    """Each expected value can be computed, each snippet must be valid Python (it is run only
    when the lesson is played), and in a lesson in several languages each of its comments must
    be translated under ``comments``."""
    for expectation in _numeric(step):
        expected_values(math, step, expectation)  # a LessonError says where it cannot
    found = []
    for framework in FRAMEWORKS:
        source = step.source(framework)
        if source is None:
            continue
        try:
            ast.parse(source)
        except SyntaxError as error:
            found.append(Problem(path, step.line_of(framework) + (error.lineno or 0),
                                 f"step {step.id!r}: the {framework} snippet is not valid "
                                 f"Python: {error.msg} (snippet line {error.lineno})"))
    if len(math.lesson.languages) > 1:
        found += _comment_problems(step, path)
    return found


def _comment_problems(step: Code, path: str) -> list[Problem]:
    translated = {text.get("en") for text in step.comments}
    found, written = [], set()
    for framework in FRAMEWORKS:
        for comment in snippet_comments(step.source(framework) or ""):
            written.add(comment.text)
            if comment.text not in translated:
                found.append(Problem(path, step.line_of(framework) + comment.row + 1,
                                     f"step {step.id!r}: the {framework} snippet's comment "
                                     f"{comment.text!r} has no translation; add it to the "
                                     "step's comments as {en: ..., zh: ...}"))
    found += [Problem(path, text.line, f"step {step.id!r}: comments: {text.get('en')!r} is "
                      "not a comment of the step's snippets")
              for text in step.comments if text.get("en") not in written]
    return found


KIND = StepKind("code", Code, play, checks={Code: check_code, Expectation: check_expectation},
                formulas=formulas, problems=problems)
