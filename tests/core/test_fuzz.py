"""Random well-formed expressions and random text through every public entry point of the
core (parse, derive, hessian, check_answer, check_derivative), each under a short time limit:
the answer is a result, a Verdict or a TutorError, never a hang, a crash or a traceback."""

import time

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor._limits import TIME_LIMIT
from tutor.check import Verdict, check_answer, check_derivative
from tutor.errors import TutorError
from tutor.parsing import parse
from tutor.symbolic import derive, hessian

LIMIT = 0.5  # seconds per check in this test
SLACK = 1.5  # seconds of overhead allowed on a loaded machine

FUNCTIONS = ["sin", "cos", "tan", "exp", "ln", "sqrt", "abs", "relu", "sigmoid", "sech", "acot",
             "arsinh", "atanh", "log"]
leaves = st.sampled_from(["x", "y", "2", "0.5", "pi", "e", "1e-9", "1e300", "0", "-1", "θ", "x₁"])


def _combine(children):
    unary = st.builds(lambda f, a: f"{f}({a})", st.sampled_from(FUNCTIONS), children)
    bare = st.builds(lambda f, a: f"{f} {a}", st.sampled_from(FUNCTIONS), leaves)
    binary = st.builds(lambda a, op, b: f"({a}){op}({b})", children,
                       st.sampled_from(["+", "-", "*", "/", "^", " "]), children)
    return unary | bare | binary | st.builds(lambda a: f"|{a}|", children)


expressions = st.recursive(leaves, _combine, max_leaves=12)
texts = st.text(alphabet=st.sampled_from(list("xy12e.^*/+-() ²⁻√|πθσ,[]sinlogexp")), max_size=40)
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def bounded_call(work):
    start = time.perf_counter()
    try:
        result = work()
    except TutorError as error:
        assert str(error)
        result = error
    assert time.perf_counter() - start < LIMIT + SLACK
    return result


@FUZZ
@given(expressions)
def test_parse_and_derive_answer_or_refuse(text):
    result = bounded_call(lambda: parse(text))
    assert isinstance(result, TutorError) and str(result) or isinstance(result, sympy.Basic)
    if not isinstance(result, TutorError) and result.free_symbols:
        derived = bounded_call(lambda: derive(result, sorted(s.name for s in result.free_symbols)[0]))
        assert isinstance(derived, TutorError) and str(derived) or isinstance(derived, sympy.Basic)


@FUZZ
@given(expressions, expressions)
def test_check_answer_gives_a_verdict(answer, expected):
    try:
        parse(expected)
    except TutorError:
        return
    verdict = bounded_call(lambda: check_answer(answer, expected, time_limit=LIMIT))
    assert isinstance(verdict, Verdict) and verdict.message


@FUZZ
@given(texts, expressions)
def test_check_derivative_gives_a_verdict_for_any_text(answer, function):
    result = bounded_call(lambda: check_derivative(answer, function, "x", time_limit=LIMIT))
    assert isinstance(result, (Verdict, TutorError))


@FUZZ
@given(texts)
def test_random_text_parses_or_is_refused_with_a_message(text):
    result = bounded_call(lambda: parse(text))
    assert isinstance(result, TutorError) and str(result) or isinstance(result, sympy.Basic)


def test_hessian_of_a_random_function_is_bounded():
    result = bounded_call(lambda: hessian("sigmoid(x y) sech(x) + |x - y|^3", "x,y"))
    assert isinstance(result, TutorError) or result.shape == (2, 2)


@pytest.mark.parametrize("text", ["x + sin(exp(exp(exp(5))))", "^".join(["x"] * 90),
                                  "sin(" * 99 + "x" + ")" * 99, "x" + " ²" * 12])
def test_known_hard_inputs_end_within_the_bound(text):
    assert TIME_LIMIT > 0
    result = bounded_call(lambda: check_derivative("1", text, "x", time_limit=LIMIT))
    assert isinstance(result, (Verdict, TutorError))
