import json
import time
import warnings

import numpy as np
import pytest
import sympy

from tutor.check import check_answer
from tutor.errors import ParseError, TutorError
from tutor.feedback import check_derivative
from tutor.gradcheck import check_computed_gradient, check_gradient
from tutor.numeric import tolerance

x, y = sympy.symbols("x y", real=True)


@pytest.mark.parametrize("answer, function", [
    ("2x + 3x^2", "x^2 + x^3 + 5"),
    ("2.0*x + 3x²", "x^2 + x^3 + 5"),
    ("x/abs(x)", "sqrt(x^2)"),
    ("cos(2x)", "sin(x)cos(x)"),
    ("sigmoid(x)(1-sigmoid(x))", "sigmoid(x)"),
    ("exp(-x)/(1+exp(-x))^2", "sigmoid(x)"),
    ("1/cosh(x)^2", "tanh(x)"),
    ("1 - tanh(x)^2", "tanh(x)"),
    ("1/x", "ln(x)"),
    ("6^(3x^2+4x-2) ln(6) (6x+4)", "6^(3x^2+4x-2)"),
])
def test_equivalent_forms_are_accepted(answer, function):
    verdict = check_derivative(answer, function, "x")
    assert verdict.correct, verdict.message
    assert verdict.mistake is None


def test_wrong_answer_gets_a_counterexample_with_both_values():
    verdict = check_derivative("2x + 3x", "x^2 + x^3 + 5", "x")
    assert not verdict.correct
    point = verdict.counterexample["point"]
    px = point["x"]
    assert verdict.counterexample["expected"] == pytest.approx(2 * px + 3 * px**2)
    assert verdict.counterexample["given"] == pytest.approx(5 * px)
    assert f"{px:.6g}" in verdict.message


@pytest.mark.parametrize("answer, function", [
    ("20x^19 + 1", "x^20"),
    ("10e^(10x) + x", "e^(10x)"),
    ("1000x^999 + x^2", "x^1000"),
])
def test_a_wrong_term_is_caught_where_values_span_many_magnitudes(answer, function):
    # near x = 0 these derivatives are tiny, elsewhere huge: the error must not be measured
    # against the huge values alone
    verdict = check_derivative(answer, function, "x")
    assert not verdict.correct and verdict.counterexample is not None


def test_slow_for_simplify_based_checkers_stays_fast():
    start = time.perf_counter()
    verdict = check_derivative("6^(3x^2+4x-2) (6x+4)", "6^(3x^2+4x-2)", "x")
    assert not verdict.correct
    assert time.perf_counter() - start < 5  # generous: the point is "no hang", not speed


def test_unreadable_answer_is_a_wrong_verdict_not_an_exception():
    verdict = check_derivative("2x + (3x^2", "x^2 + x^3 + 5", "x")
    assert not verdict.correct
    assert "column" in verdict.message
    hostile = check_answer("__import__('os').system('id')", "x")
    assert not hostile.correct and "Could not read" in hostile.message


def test_answer_undefined_where_expected_is_defined_is_a_domain_mismatch():
    verdict = check_derivative("2x + log(x) - log(2x) + log(2)", "x^2", "x")
    assert not verdict.correct
    assert "undefined" in verdict.message and verdict.counterexample["point"]["x"] <= 0


def test_points_where_the_expected_answer_is_undefined_are_skipped():
    assert check_answer("ln(x)", "log(x)").correct
    assert check_derivative("1/(2 sqrt(x))", "sqrt(x)", "x").correct
    assert not check_derivative("1/sqrt(x)", "sqrt(x)", "x").correct


def test_number_where_a_function_is_expected_says_so():
    verdict = check_derivative("16", "x^2 + x^3 + 5", "x")
    assert not verdict.correct and "a function of x is expected" in verdict.message


def test_value_at_a_point():
    assert check_derivative("16", "x^2 + x^3 + 5", "x", at={"x": 2}).correct
    assert not check_derivative("15.9", "x^2 + x^3 + 5", "x", at={"x": 2}).correct
    assert check_derivative("2y", "x^2 y", "x", at={"x": "1"}).correct  # y is left free
    with pytest.raises(ParseError, match="finite"):
        check_derivative("1", "x^2", "x", at={"x": float("nan")})


def test_answer_parts_as_a_sequence_even_for_one_variable():
    assert check_derivative(["2x"], "x^2", ["x"]).correct
    verdict = check_derivative(["2x", "0"], "x^2", "x")
    assert not verdict.correct and verdict.message == "Expected 1 part (d/dx), got 2."


@pytest.mark.parametrize("name", ["numpy", "torch", "t0", "float"])
def test_variables_named_like_the_generated_code_work(name):
    assert check_derivative(f"3{name}^2 + t1", f"{name}^3 + t1 {name}", name).correct
    assert not check_answer(f"2{name}", f"3{name}").correct


def test_wrong_variable_is_reported():
    verdict = check_derivative("2z", "x^2", "x")
    assert not verdict.correct and "z" in verdict.message


def test_gradient_answers_get_credit_per_component():
    f = "(x^2+y-11)^2 + (x+y^2-7)^2"
    right = ["4x(x^2+y-11) + 2(x+y^2-7)", "2(x^2+y-11) + 4y(x+y^2-7)"]
    assert check_derivative(right, f, "x,y").score == 1.0
    half = check_derivative([right[0], "4y(x+y^2-7)"], f, "x,y")
    assert not half.correct and half.score == 0.5
    assert half.parts[0].correct and not half.parts[1].correct
    assert "d/dy" in half.message
    as_text = check_derivative(f"({right[0]}, {right[1]})", f, "x,y")
    assert as_text.correct
    assert not check_derivative(right[0], f, "x,y").correct  # one part for two variables


def test_verdict_to_dict_is_json():
    data = json.loads(json.dumps(check_derivative("3x^2", "x^3", "x").to_dict()))
    assert data["correct"] is True and data["score"] == 1.0


def test_tolerance_comes_from_the_dtype():
    assert tolerance("float32") > 1000 * tolerance("float64")
    assert tolerance("torch.float64") == pytest.approx(np.sqrt(np.finfo(np.float64).eps))


# ---------------------------------------------------------------- check_gradient

HIMMELBLAU = "(x^2+y-11)^2 + (x+y^2-7)^2"


def test_gradient_of_lowered_expression_agrees():
    report = check_gradient(HIMMELBLAU, "x,y")
    assert report.ok and report.n_points == 1000
    assert report.max_rel_error < 1e-12
    assert set(report.worst_point) == {"x", "y"}


def test_users_torch_function_with_a_bug_is_caught_and_located():
    def buggy(x, y):  # the second square forgotten
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7)

    report = check_gradient(HIMMELBLAU, "x,y", fn=buggy, points=200)
    assert not report.ok
    assert report.max_abs_error > 1
    assert report.max_value_error > 1
    wx, wy = report.worst_point["x"], report.worst_point["y"]
    expected_dy = 2 * (wx**2 + wy - 11) + 4 * wy * (wx + wy**2 - 7)
    assert report.symbolic_at_worst[1] == pytest.approx(expected_dy)
    assert "DISAGREES" in report.message


def test_nan_from_the_users_function_is_an_infinite_error_without_warnings():
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = check_gradient("x^2", "x", fn=lambda x: torch.sqrt(x - 10), points=5)
    assert not report.ok
    assert report.max_abs_error == report.max_value_error == float("inf")
    assert "nan" in report.message and "max abs error inf" in report.message


def test_correct_user_function_in_float32_uses_a_looser_tolerance():
    import torch

    def himmelblau(x, y):
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    report = check_gradient(HIMMELBLAU, "x,y", fn=himmelblau, dtype=torch.float32)
    assert report.ok and report.dtype == "float32"
    assert report.max_rel_error > 1e-9  # float32 really was used
    assert report.rtol == pytest.approx(tolerance("float32"))


def test_explicit_points_in_three_shapes():
    by_name = check_gradient("x^2 + x^3 + 5", "x", points={"x": [2.0]})
    assert by_name.n_points == 1 and by_name.symbolic_at_worst[0] == pytest.approx(16)
    assert by_name.autograd_at_worst[0] == pytest.approx(16)
    rows = check_gradient("x*y", "x,y", points=[[1, 2], [3, 4]])
    assert rows.n_points == 2 and rows.ok
    dicts = check_gradient("x*y", "x", points=[{"x": 1, "y": 5}])
    assert dicts.autograd_at_worst == (5.0,)
    assert check_gradient("x^2", "x", points=[1.0, 2.0]).n_points == 2  # one variable: a list
    assert check_gradient("x^2", "x", points=np.int64(3)).n_points == 3


def test_kinks_are_reported_not_failed():
    report = check_gradient("relu(x)", "x", points={"x": [-1.0, 0.0, 2.0]})
    assert report.ok and report.n_points == 2
    assert report.nondifferentiable_points == ({"x": 0.0},)
    assert "not differentiable" in report.message
    assert check_gradient("abs(x) + x^2", "x").ok


def test_parameters_other_than_wrt_are_sampled_too():
    report = check_gradient("w*x + b", "w,b", points=50)
    assert report.ok and report.wrt == ("w", "b")
    assert set(report.worst_point) == {"w", "b", "x"}


@pytest.mark.parametrize("kwargs, message", [
    ({"points": {"x": [float("nan")]}}, "finite"),
    ({"points": {"y": [1.0]}}, "no values for x"),
    ({"points": [{"y": 1.0}]}, "no values for x"),
    ({"points": {"x": []}}, "no values for x"),
    ({"points": [["a"]]}, "rows of numbers"),
    ({"points": 2.5}, "a count"),
    ({"points": 0}, "at least 1"),
    ({"points": 10**7}, "at most 1,000,000"),
    ({"fn": lambda x: x.sum()}, "one value per point"),
    ({"dtype": "int64"}, "float type"),
])
def test_bad_gradient_check_input_is_a_clear_error(kwargs, message):
    with pytest.raises(TutorError, match=message):
        check_gradient("x^2", "x", **kwargs)


def test_report_to_dict_is_json():
    data = json.loads(json.dumps(check_gradient("sin(x)", "x", points=10).to_dict()))
    assert data["ok"] is True and data["n_points"] == 10


# ---------------------------------------------------------------- gradients computed elsewhere


def test_a_computed_gradient_is_judged_at_the_checks_points():
    seen = []

    def gradient(points):
        seen.append(list(points))
        return [2 * points["x"] * points["y"], points["x"] ** 2]

    report = check_computed_gradient("x^2 y", "x,y", gradient, points=50)
    assert report.ok and report.n_points == 50 and report.backend == "given"
    assert seen == [["x", "y"]]  # one call, every variable in order
    assert report.message.startswith("the given gradient agrees with the symbolic gradient at 50 points")
    assert report.max_value_error is None


def test_a_wrong_computed_gradient_is_located():
    report = check_computed_gradient("x^2 y + w", "x", lambda p: [2 * p["x"]], variables=["w", "x", "y"],
                                     points={"w": [0.0, 0.0], "x": [1.0, 3.0], "y": [1.0, 2.0]})
    assert not report.ok and "DISAGREES" in report.message
    assert report.worst_point == {"w": 0.0, "x": 3.0, "y": 2.0}
    assert report.autograd_at_worst == (6.0,) and report.symbolic_at_worst == (12.0,)


def test_computed_gradients_leave_kinks_out_and_take_a_tolerance():
    report = check_computed_gradient("abs(x)", "x", lambda p: [np.sign(p["x"])],
                                     points={"x": [-1.0, 0.0, 2.0]})
    assert report.ok and report.nondifferentiable_points == ({"x": 0.0},)
    nearly = lambda p: [np.cos(p["x"]) * (1 + 1e-5)]  # noqa: E731
    assert not check_computed_gradient("sin(x)", "x", nearly).ok
    assert check_computed_gradient("sin(x)", "x", nearly, rtol=1e-4).ok


@pytest.mark.parametrize("gradient, message", [
    (lambda p: [p["x"]], r"returned 1 arrays; expected 2 \(d/dx, d/dy\)"),
    (lambda p: [p["x"], p["x"][:2]], "must be 1000 numbers, one per point"),
])
def test_a_malformed_computed_gradient_is_a_clear_error(gradient, message):
    with pytest.raises(TutorError, match=message):
        check_computed_gradient("x y", "x,y", gradient)


# --- verdicts you can trust (issue 10) ---------------------------------------------------

from tutor import check as core  # noqa: E402  (the core checker, without the feedback layer)

EXPANDED = str(sympy.expand(sympy.diff((2 * x + 5) ** 8 * (5 * x - 1) ** 6, x))).replace("**", "^")


@pytest.mark.parametrize("answer, expected", [
    ("-1e-9", "1e-9"),  # small magnitudes: a sign error is caught at any size
    ("1e-300*x", "2e-300*x"),
    ("x^2 + 1e-9", "x^2"),  # near-equal but different: a provable difference is wrong
    ("3.14159265", "pi"),  # a decimal for an exact number, no tolerance set
    ("0.99999999", "1"),
    ("(a^b)^c", "a^(b c)"),  # branch-sensitive: differ at a < 0, b even, c half
    ("sqrt(x^2)", "x"),
    ("2 log(x)", "log(x^2)"),
])
def test_wrong_answers_are_refused(answer, expected):
    verdict = check_answer(answer, expected)
    assert not verdict.correct, verdict.message
    assert verdict.counterexample is not None


@pytest.mark.parametrize("answer, function, at", [
    ("0", "1e-12*x^2", None),
    ("-9.36e-14", "sigmoid(x)", {"x": 30}),  # a vanishing gradient with the wrong sign
    ("-1", "abs(x-10)", None),  # kinks outside [-3, 3]
    ("0", "relu(x-4)", None),
    ("2x", "x^2 + relu(x-5)", None),
    ("3x^2 + 1e-9", "x^3", None),
    (EXPANDED + " + 1", "(2x+5)^8 (5x-1)^6", None),  # off by a constant near cancellation
])
def test_wrong_derivatives_are_refused(answer, function, at):
    verdict = core.check_derivative(answer, function, "x", at=at)
    assert not verdict.correct, verdict.message


@pytest.mark.parametrize("answer, function", [
    (EXPANDED, "(2x+5)^8 (5x-1)^6"),  # float64 cancels near the repeated root
    ("1/(2sqrt(x-4))", "sqrt(x-4)"),  # defined only beyond the old box
    ("y", "xy"),  # 'xy' reads as x*y on both sides
    ("Heaviside(x-4)", "relu(x-4)"),
    ("sign(x-10)", "abs(x-10)"),
    ("[2x y, x^2]", "x^2 y"),
    ("cos x - x sin x", "x cos x"),  # textbook notation in answers
    ("-sech(x) tanh(x)", "sech x"),
])
def test_right_derivatives_are_accepted(answer, function):
    wrt = "x,y" if answer.startswith("[") else "x"
    verdict = core.check_derivative(answer, function, wrt)
    assert verdict.correct, verdict.message


@pytest.mark.parametrize("answer, expected", [
    ("sin(x)^2 + cos(x)^2", "1"),  # a constant expected answer accepts variables
    ("sqrt(x-4)", "sqrt(x-4)"),
    ("acosh(x/10)", "acosh(x/10)"),
    ("log(x-100)", "log(x-100)"),
    ("exp(x)^2/exp(x)", "exp(x)"),  # float64 overflows at large x; exact values agree
    ("0.5x", "x/2"),  # a decimal that is exactly the number
    ("θ^2", "theta^2"),
])
def test_right_answers_are_accepted(answer, expected):
    verdict = check_answer(answer, expected)
    assert verdict.correct, verdict.message


def test_a_tolerance_accepts_decimals_and_says_so():
    assert not check_answer("3.14159", "pi").correct
    verdict = check_answer("3.14159", "pi", tolerance=1e-5)
    assert verdict.correct and "accepted within tolerance" in verdict.message
    assert not check_answer("3.14", "pi", tolerance=1e-5).correct
    assert core.check_derivative("0.3333 x^(-2/3)", "x^(1/3)", "x", tolerance=1e-3).correct


def test_a_tiny_difference_is_shown_with_enough_digits():
    message = check_answer("x^2 + 1e-9", "x^2").message
    numbers = [word.rstrip(",.") for word in message.split() if word[:1].isdigit()]
    assert len(set(numbers[1:])) == 2, message  # the two values read differently


def test_an_unreadable_answer_is_a_verdict_not_an_exception():
    for answer in ("x^1001", "((x^1000)^1000)^1000", "x" + " ²" * 11, "2x + ("):
        verdict = check_answer(answer, "x^2")
        assert not verdict.correct and "Could not read" in verdict.message


def test_a_slow_check_ends_within_its_time_limit():
    start = time.perf_counter()
    verdict = check_answer("x + sin(exp(exp(exp(5))))", "x", time_limit=0.5)
    assert time.perf_counter() - start < 2.5
    assert not verdict.correct and "time limit" in verdict.message


def test_a_power_tower_is_a_clear_error_not_a_recursion_error():
    tower = "^".join(["x"] * 90)
    with pytest.raises(TutorError, match="stacked too high"):
        core.check_derivative("1", tower, "x")
    deep = x
    for _ in range(90):
        deep = sympy.Pow(x, deep, evaluate=False)
    verdict = core.check_derivative("1", deep, "x", time_limit=1)
    assert not verdict.correct and "Could not check" in verdict.message


def test_no_usable_point_is_said_clearly():
    verdict = check_answer("1", "sqrt(-x^2 - 1)")
    assert not verdict.correct and "undefined at every sample point" in verdict.message


def test_check_gradient_finds_points_beyond_the_box():
    report = check_gradient("sqrt(x-4)", "x", points=200)
    assert report.ok and report.n_points > 0 and report.worst_point["x"] > 4


@pytest.mark.parametrize("answer, shown", [("16.00001", "16.00001"), ("16.000001", "16.000001"),
                                           ("15.999999", "15.999999")])
def test_a_number_close_to_the_expected_one_shows_the_difference(answer, shown):
    for verdict in (check_derivative(answer, "x^3 + x^2 + 5", "x", at={"x": 2}),
                    check_answer(answer, "16")):
        assert not verdict.correct
        assert verdict.message == f"Not quite: your answer is {shown}, the expected value is 16."
