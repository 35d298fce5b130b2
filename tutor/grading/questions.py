"""Grade one question: text answers through the checker, code through the sandbox.

Student code only ever returns numbers (values, gradients, points) from its sandboxed
process. The judging is the core checker's: ``check_derivative`` for text, and
``check_computed_gradient`` for the gradient the student's code computed (by hand with numpy,
or with torch's autograd or TensorFlow's GradientTape).

(About 520 lines: every question type's grading in one place, so that the text, matrix and
code paths share one result-building vocabulary; the code half, from ``StudentCode`` on, is
the part to move into a module of its own when it grows.)

>>> from tutor.grading.model import Question
>>> q = Question(id="q1", type="derivative", function="x^2 sin(x)", wrt=("x",))
>>> grade_text(q, "2x sin(x) + x^2 cos(x)", seed=0).status
'correct'
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from tutor.grading.model import Component, Question, QuestionResult
from tutor.grading.review import MANUAL_REVIEW, OutOfCpu, within_cpu_seconds
from tutor.sandbox import Sandbox, SandboxError, StudentCodeError

_SHOW_OUTPUT_FOR = ("exception", "type", "exit")


# ---------------------------------------------------------------- text answers


class _Pairs(tuple):
    """A {name: answer} mapping as a hashable key, never equal to a plain list of pairs."""

    def __eq__(self, other) -> bool:
        return isinstance(other, _Pairs) and tuple.__eq__(self, other)

    def __ne__(self, other) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((_Pairs, tuple(self)))


def answer_key(answer: object):
    """An answer from a file as a hashable, picklable key: lists become tuples, mappings
    ``_Pairs``, anything exotic (a YAML date) its text."""
    if isinstance(answer, _Pairs):
        return answer
    if isinstance(answer, dict):
        return _Pairs(sorted((str(k), answer_key(v)) for k, v in answer.items()))
    if isinstance(answer, list | tuple):
        return tuple(answer_key(a) for a in answer)
    if isinstance(answer, str | int | float | bool) or answer is None:
        return answer
    return str(answer)


#: CPU seconds one text answer may take to judge (``grade_text``'s default).
ANSWER_SECONDS = 10.0


_TOO_SLOW: set = set()  # (question, answer, seed) that ran out of time once: not judged again


def grade_text(question: Question, answer: object, *, seed: int,
               seconds: float | None = None) -> QuestionResult:
    """Grade a derivative or value answer as written in the answers file. Never raises: an
    answer the checker chokes on gets zero with the reason, one that takes more than
    ``seconds`` (default ``ANSWER_SECONDS``) of CPU time to judge gets zero flagged for manual
    review."""
    seconds = seconds or ANSWER_SECONDS
    key = answer_key(answer)
    if key is None or key == "" or key == ():
        return QuestionResult.failed(question, "unanswered", "No answer given.", "unanswered")
    if (question, key, seed) in _TOO_SLOW:
        return _too_slow(question, seconds)
    try:
        return within_cpu_seconds(lambda: _grade_text_cached(
            question, _parsed(question, key) if question.type == "derivative" else key, seed,
            seconds), seconds)
    except OutOfCpu:
        _TOO_SLOW.add((question, key, seed))
        return _too_slow(question, seconds)
    except Exception as error:  # a checker bug must cost one answer, not the class
        return QuestionResult.failed(question, "error", f"This answer could not be graded "
                                     f"({type(error).__name__}: {error}); tell your teacher.",
                                     "grading error")


def _too_slow(question: Question, seconds: float) -> QuestionResult:
    return QuestionResult.failed(
        question, "error", f"This answer could not be checked within {seconds:g} s (numbers too "
        "large to evaluate, such as exp(exp(exp(5)))); your teacher will look at it.",
        f"{MANUAL_REVIEW}: too slow to check")


def _parsed(question: Question, answer):
    """Each part as a SymPy expression where it parses, so that answers written differently
    ("2x sin(x)", "2*x*sin(x)") share one verdict; unreadable parts stay text (their message
    quotes them)."""
    from tutor.errors import ParseError
    from tutor.parsing import parse

    parts = _parts(question, answer, question.wrt)
    if isinstance(parts, str) or (len(question.wrt) > 1 and len(parts) == 1):
        return answer  # an error, or "a, b" text that the checker splits
    read = []
    for part in parts:
        try:
            read.append(parse(str(part), list(question.variables) or None))
        except ParseError:
            read.append(part)
    return tuple(read)


@functools.lru_cache(maxsize=100_000)
def _grade_text_cached(question: Question, answer, seed: int, seconds: float) -> QuestionResult:
    """Identical answers across a class are judged once per process; the checker's own time
    limit is the grader's bound too (an answer it cannot check in time is ``_too_slow``)."""
    if question.type == "derivative":
        return _grade_derivative(question, answer, seed, seconds)
    if question.type == "matrix-derivative":
        return _grade_matrix_derivative(question, answer, seed)
    return _grade_value(question, answer)


def _parts(question: Question, answer, names: tuple[str, ...]) -> list | str:
    """One answer per name from a list, a {name: answer} mapping or (for one name) a scalar."""
    if isinstance(answer, _Pairs):
        given = dict(answer)
        unknown = set(given) - set(names)
        if unknown:
            return f"Answer keys {', '.join(sorted(unknown))} are not among {', '.join(names)}."
        return [given.get(name) for name in names]
    if isinstance(answer, tuple):
        return list(answer)
    if len(names) > 1 and question.type == "value":
        return f"Expected {len(names)} numbers ({', '.join(names)}), got one."
    return [answer]


def _grade_derivative(question: Question, answer, seed: int, seconds: float) -> QuestionResult:
    import sympy

    from tutor.feedback import check_derivative

    parts = _parts(question, answer, question.wrt)
    if isinstance(parts, str):
        return QuestionResult.failed(question, "wrong", parts, "wrong number of parts")
    parts = ["" if p is None else p if isinstance(p, str | sympy.Basic) else str(p) for p in parts]
    if len(question.wrt) == 1 and len(parts) != 1:
        return QuestionResult.failed(question, "wrong", f"Expected one derivative, got {len(parts)}.",
                                     "wrong number of parts")
    if len(parts) == 1:
        parts = parts[0]  # one variable, or "a, b" text that the checker splits
    verdict = check_derivative(parts, question.function, list(question.wrt),
                               variables=list(question.variables) or None, seed=seed,
                               tolerance=question.tolerance, domains=question.domains,
                               time_limit=seconds)
    if verdict.timed_out:
        raise OutOfCpu  # the same as running out of the grader's bound: flagged for review
    verdicts = verdict.parts or (verdict,)
    if len(verdicts) != len(question.wrt):
        return QuestionResult.failed(question, "wrong", verdict.message, "wrong number of parts")
    components = [Component(f"d/d{name}", float(v.correct), v.message, None if v.correct else
                            v.mistake or ("unreadable" if v.given is None else "unrecognised mistake"))
                  for name, v in zip(question.wrt, verdicts, strict=True)]
    return QuestionResult.from_components(question, components)


def matrix_question(loss: str, wrt: tuple[str, ...], shapes: str, given: str = "",
                    define: str = "") -> dict:
    """A matrix-derivative question's arguments for ``check_matrix_derivative``, each read
    and the loss differentiated once per variable (TutorError naming what is wrong)."""
    from tutor.matrix.check import prepare, read_assignments

    question = {"loss": loss, "wrt": list(wrt), "shapes": read_assignments(shapes, "shapes"),
                "given": read_assignments(given, "given") if given else None,
                "define": read_assignments(define, "define") if define else None}
    for name in wrt:
        prepare(loss, name, question["shapes"], question["given"], define=question["define"])
    return question


def _grade_matrix_derivative(question: Question, answer, seed: int) -> QuestionResult:
    from tutor.feedback.matrix_mistakes import check_matrix_derivative

    parts = _parts(question, answer, question.wrt)
    if isinstance(parts, str):
        return QuestionResult.failed(question, "wrong", parts, "wrong number of parts")
    if len(parts) != len(question.wrt):
        return QuestionResult.failed(question, "wrong", f"Expected {len(question.wrt)} "
                                     f"answers ({', '.join(question.wrt)}), got {len(parts)}.",
                                     "wrong number of parts")
    arguments = matrix_question(question.function, question.wrt, question.shapes,
                                question.given, question.define)
    components = []
    for name, part in zip(question.wrt, parts, strict=True):
        verdict = check_matrix_derivative("" if part is None else str(part), arguments["loss"],
                                          name, arguments["shapes"], arguments["given"],
                                          define=arguments["define"], seed=seed)
        mistake = None if verdict.correct else verdict.mistake or (
            "unreadable" if verdict.unreadable else "unrecognised mistake")
        components.append(Component(f"∂L/∂{name}", float(verdict.correct), verdict.message,
                                    mistake))
    return QuestionResult.from_components(question, components)


@functools.lru_cache(maxsize=1024)
def expected_values(question: Question) -> tuple[float, ...]:
    """The numbers a value question expects: given, or computed from function, wrt and at."""
    if question.answer:
        return question.answer
    import sympy

    from tutor.parsing import parse, symbol

    expr = parse(question.function, list(question.variables) or None)
    point = {symbol(name): value for name, value in question.at}
    targets = [sympy.diff(expr, symbol(w)) for w in question.wrt] or [expr]
    return tuple(float(sympy.N(t.subs(point), 17)) for t in targets)


def _grade_value(question: Question, answer) -> QuestionResult:
    from tutor.errors import ParseError
    from tutor.parsing import parse_number

    expected = expected_values(question)
    names = tuple(f"d/d{w}" for w in question.wrt) if len(expected) > 1 and question.wrt else \
        tuple(f"value {i + 1}" for i in range(len(expected)))
    parts = _parts(question, answer, names if len(expected) > 1 else ("value",))
    if isinstance(parts, str):
        return QuestionResult.failed(question, "wrong", parts, "wrong number of parts")
    if len(parts) != len(expected):
        return QuestionResult.failed(question, "wrong", f"Expected {len(expected)} number(s), "
                                     f"got {len(parts)}.", "wrong number of parts")
    components = []
    for name, part, target in zip(names, parts, expected, strict=True):
        try:
            given = parse_number(part)
        except ParseError as error:
            components.append(Component(name, 0.0, f"Could not read {part!r} as a number: {error}.",
                                        "unreadable"))
            continue
        allowed = question.tolerance + question.rel_tolerance * abs(target)
        if given == target:
            components.append(Component(name, 1.0, "Correct."))
        elif abs(given - target) <= allowed:
            components.append(Component(name, 1.0, f"Correct (accepted within tolerance "
                                                    f"{allowed:.3g})."))
        else:
            components.append(Component(name, 0.0, f"Not quite: {given:.10g} is not within "
                                                    f"{allowed:.3g} of the expected value.", "wrong value"))
    return QuestionResult.from_components(question, components)


# ---------------------------------------------------------------- code answers


class StudentCode:
    """A student's Python files in the sandbox: loaded once per process, and reloaded in a
    fresh process after a crash or a timeout (so one bad question cannot sink the others).
    ``sandbox(files)`` gives the sandbox to run these files in."""

    def __init__(self, sandbox: Callable[[dict[str, bytes]], Sandbox], files: dict[str, bytes],
                 module: str | None):
        self._sandbox = sandbox
        self.files, self.module = files, module
        self._session = None
        self._load_error: StudentCodeError | None = None

    def call(self, request: dict, timeout: float) -> dict:
        if self.module is None:
            raise StudentCodeError("missing", "No Python file in your submission.")
        if self._load_error is not None:
            raise self._load_error
        if self._session is None or not self._session.alive:
            self._session = self._sandbox(self.files).session(self.files)
            try:
                self._session.load(self.module, timeout)
            except StudentCodeError as error:
                self._load_error = StudentCodeError(error.kind, f"Your code could not be loaded: {error}")
                raise self._load_error from None
        return self._session.request({"op": "call", **request}, timeout)

    def output(self) -> str:
        return self._session.output(300).strip() if self._session and self._session.alive else ""

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


def grade_code(question: Question, code: StudentCode, *, seed: int, timeout: float) -> QuestionResult:
    """Run the student's function for this question in the sandbox and judge what it returns."""
    graders = {"gradient-code": _grade_gradient_code, "manual-gradient": _grade_manual_gradient,
               "descent": _grade_descent}
    try:
        components = graders[question.type](question, code, seed, question.timeout or timeout)
    except StudentCodeError as error:
        message = str(error) + ("" if str(error).endswith(".") else ".")
        output = code.output() if error.kind in _SHOW_OUTPUT_FOR else ""
        if output:
            message += f"\nYour code printed (last lines):\n{output}"
        return QuestionResult.failed(question, "error", message, f"code: {error.kind}")
    except SandboxError as error:
        return QuestionResult.failed(question, "error", f"Your code could not be run: {error}",
                                     "code: sandbox")
    return QuestionResult.from_components(question, components)


def _column(value, n: int) -> np.ndarray:
    """A reply field that must be ``n`` numbers; anything else is a protocol violation."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or array.shape != (n,):
        raise StudentCodeError("protocol", "The process sent a malformed reply")
    return array


class _Remote:
    """The student's function evaluated in the sandbox, once per set of points.

    ``gradients(columns, wanted)`` returns the student's gradient columns for the wanted
    variables; the last ``columns``, ``values`` (gradient-code), ``dtype`` and ``framework``
    (the library it ran under) are kept. ``dtype`` is the core's ``returned_dtype`` of every
    number returned, never what the process says: "float32" when each is a float32 number
    (float16 and bfloat16 ones are: float32's tolerance, never their own), else "float64".
    """

    def __init__(self, code: StudentCode, question: Question, timeout: float):
        self.code, self.question, self.timeout = code, question, timeout
        self.replies: dict = {}
        self.values: np.ndarray | None = None
        self.columns: dict = {}
        self.dtype = "float32"  # until a reply holds a number float32 cannot represent
        self.framework = "torch"

    def gradients(self, columns: dict, wanted: list[bool]) -> list[np.ndarray]:
        q = self.question
        n = len(next(iter(columns.values())))
        self.columns = columns
        key = (tuple(c.tobytes() for c in columns.values()), tuple(wanted))
        if key not in self.replies:
            from tutor.numeric import returned_dtype

            args = [c.tolist() for c in columns.values()]
            if q.type == "gradient-code":
                reply = self.code.call({"mode": "gradient", "framework": q.framework, "entry": q.entry,
                                        "args": args, "grad": wanted}, self.timeout)
                grads = self._columns(reply.get("grads"), sum(wanted), n)
                self.values = _column(reply.get("value"), n)
                self.framework = "tensorflow" if reply.get("framework") == "tensorflow" else "torch"
            else:
                reply = self.code.call({"mode": "numpy", "entry": q.entry, "args": args,
                                        "parts": len(q.wrt)}, self.timeout)
                parts = dict(zip(q.wrt, self._columns(reply.get("parts"), len(q.wrt), n), strict=True))
                grads = [parts[name] for name, need in zip(q.variables, wanted, strict=True) if need]
            numbers = [*grads, *([self.values] if q.type == "gradient-code" else [])]
            if self.dtype == "float32" and returned_dtype(*numbers) == "float64":
                self.dtype = "float64"
            self.replies[key] = grads
        return list(self.replies[key])

    @staticmethod
    def _columns(value, count: int, n: int) -> list[np.ndarray]:
        if not isinstance(value, list) or len(value) != count:
            raise StudentCodeError("protocol", "The process sent a malformed reply")
        return [_column(v, n) for v in value]


@functools.lru_cache(maxsize=256)
def _reference(question: Question):
    from tutor.parsing import parse

    return parse(question.function, list(question.variables))


def _check(question: Question, remote: _Remote, wrt: list[str], seed: int):
    """The core's check of the student's gradient, with the core's tolerance rule (the one
    ``tutor.testing`` follows): float32's when every number they returned is a float32 number
    (float16 included), else float64's."""
    from tutor.gradcheck import check_computed_gradient

    wanted = [name in wrt for name in question.variables]

    def gradient(columns: dict) -> list[np.ndarray]:  # the remote answers in variable order
        by_name = dict(zip([v for v in question.variables if v in wrt],
                           remote.gradients(columns, wanted), strict=True))
        return [by_name[name] for name in wrt]

    return check_computed_gradient(_reference(question), wrt, gradient, points=question.samples,
                                   seed=seed, variables=list(question.variables))


def _numbers(given, expected) -> tuple[str, str]:
    """Both number lists with just enough digits to show how they differ."""
    for digits in (6, 10, 17):
        a = ", ".join(f"{v:.{digits}g}" for v in given)
        b = ", ".join(f"{v:.{digits}g}" for v in expected)
        if a != b:
            break
    return a, b


def _gradient_component(name: str, report, what: str, cut_by: str | None = None) -> Component:
    """``cut_by``: how the student's autodiff library loses a gradient (hinted at zeros)."""
    from tutor.numeric import format_point

    if report.ok:
        return Component(name, 1.0, f"{what} matches the symbolic gradient at {report.n_points} points.")
    given, expected = _numbers(report.autograd_at_worst, report.symbolic_at_worst)
    hint = ""
    cut = any(g == 0 and e != 0 for g, e in zip(report.autograd_at_worst, report.symbolic_at_worst,
                                               strict=True))
    if cut_by and cut:
        hint = (f" A zero where the gradient is not zero usually means {cut_by}, "
                "or a detour through numpy or math.")
    return Component(name, 0.0, f"At {format_point(report.worst_point)} {what[0].lower()}{what[1:]} is "
                                f"({given}); it should be ({expected}).{hint}", "wrong gradient")


def _grade_gradient_code(question: Question, code: StudentCode, seed: int, timeout: float):
    """Values of the student's loss (torch or TensorFlow), and its automatic gradient, against
    the reference."""
    from tutor.lowering import BACKENDS
    from tutor.numeric import error_ratio, evaluate, format_point, tolerance

    remote = _Remote(code, question, timeout)
    report = _check(question, remote, list(question.wrt), seed)
    columns = remote.columns
    expected, given = evaluate(_reference(question), columns), remote.values
    # float64 values are held to the answers' strict rule (a small constant off must not pass);
    # float32 ones keep the typical-magnitude allowance for rounding near the loss's zeros.
    percentile = 10.0 if remote.dtype == "float64" else 90.0
    ratios = np.where(np.isnan(given), np.inf,
                      error_ratio(expected, given, tolerance(remote.dtype), percentile=percentile))
    worst = int(np.argmax(ratios))
    if ratios[worst] <= 1:
        values = Component("values", 1.0, f"The values match the reference at {len(given)} points.")
    else:
        point = {name: float(column[worst]) for name, column in columns.items()}
        mine, theirs = _numbers([given[worst]], [expected[worst]])
        values = Component("values", 0.0, f"At {format_point(point)} your function gives {mine}; "
                                          f"the reference gives {theirs}.", "wrong values")
    autodiff = BACKENDS[remote.framework]
    return [values, _gradient_component("gradient", report, f"The {autodiff.autodiff_short} gradient",
                                        autodiff.gradient_lost_by)]


def _grade_manual_gradient(question: Question, code: StudentCode, seed: int, timeout: float):
    """The student's hand-written numpy gradient, one partial derivative at a time."""
    remote = _Remote(code, question, timeout)
    return [_gradient_component(f"d/d{name}", _check(question, remote, [name], seed), f"Your d/d{name}")
            for name in question.wrt]


@functools.lru_cache(maxsize=64)
def reference_path(question: Question) -> np.ndarray:
    """Gradient descent on the reference function in float64: ``steps + 1`` points."""
    import sympy

    from tutor.lowering import numeric_function
    from tutor.parsing import parse, symbol

    expr = parse(question.function, list(question.variables))
    partials = [numeric_function(sympy.diff(expr, symbol(v)), question.variables)
                for v in question.variables]
    path = np.empty((question.steps + 1, len(question.variables)))
    path[0] = question.start
    with np.errstate(all="ignore"):  # a diverging reference is reported by `tutor lint`
        for step in range(question.steps):
            gradient = np.array([float(f(*path[step])) for f in partials])
            path[step + 1] = path[step] - question.lr * gradient
    return path


def _point_text(point) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in point) + ")"


def _grade_descent(question: Question, code: StudentCode, seed: int, timeout: float):
    """The first step and the end point of the student's descent against the reference."""
    reference = reference_path(question)
    size = len(question.variables)
    request = {"entry": question.entry, "start": list(question.start), "lr": question.lr,
               "framework": question.framework}
    if question.mode == "step":
        path = code.call({**request, "mode": "step", "steps": question.steps}, timeout).get("path")
        if not isinstance(path, list) or len(path) != question.steps + 1:
            raise StudentCodeError("protocol", "The process sent a malformed reply")
        path = np.array([_column(p, size) for p in path])
        first, last = path[1], path[-1]
    else:
        first = _column(code.call({**request, "mode": "loop", "steps": 1}, timeout).get("point"), size)
        last = first if question.steps == 1 else _column(
            code.call({**request, "mode": "loop", "steps": question.steps}, timeout).get("point"), size)
        path = None

    def close(given, expected) -> bool:
        return bool(np.all(np.abs(given - expected) <= question.tolerance * (1 + np.abs(expected))))

    start = _point_text(question.start)
    components = [_descent_component("first step", first, reference[1], close,
                                     f"One step from {start} with lr = {question.lr:g}")]
    if question.steps > 1:
        component = _descent_component(f"after {question.steps} steps", last, reference[-1], close,
                                       f"After {question.steps} steps")
        if path is not None and not component.share:
            off = next(i for i in range(len(path)) if not close(path[i], reference[i]))
            component = Component(component.name, 0.0,
                                  f"{component.message} Your path leaves the reference at step {off}.",
                                  component.mistake)
        components.append(component)
    return components


def _descent_component(name: str, given, expected, close, what: str) -> Component:
    if close(given, expected):
        return Component(name, 1.0, f"{what} you reach {_point_text(given)}, as expected.")
    return Component(name, 0.0, f"{what} you reach {_point_text(given)}; the reference reaches "
                                f"{_point_text(expected)}.", "wrong trajectory")
