"""Checking matrix derivatives against autograd: right answers, wrong ones, structure, bad input."""

import ast
import pathlib

import numpy as np
import pytest

from tutor.errors import ParseError, TutorError
from tutor.matrix.check import MAX_DRAWS, check_matrix_derivative, prepare
from tutor.matrix.evaluate import choose_sizes, sample, structures
from tutor.matrix.shapes import MAX_DIM, ShapeError, declare

LEAST_SQUARES = ("‖X w - y‖²", "w", {"X": "n×d", "w": "d", "y": "n"})
CROSS_ENTROPY = dict(loss="-sum(Y ⊙ log(P)) / n", wrt="W",
                     shapes={"X": "n×d", "W": "d×k", "Y": "n×k"}, given={"Y": "one-hot"},
                     define={"P": "softmax(X W)"})


def check(answer, loss, wrt, shapes, **options):
    return check_matrix_derivative(answer, loss, wrt, shapes, **options)


@pytest.mark.parametrize("answer, loss, wrt, shapes, options", [
    ("2 X^T (X w - y)", *LEAST_SQUARES, {}),
    ("2 X^T X w - 2 X^T y", *LEAST_SQUARES, {}),
    ("2 (X w - y)^T X", *LEAST_SQUARES, {}),  # a row vector for a vector is accepted
    ("X.T @ (P - Y) / n", CROSS_ENTROPY["loss"], "W", CROSS_ENTROPY["shapes"],
     {"given": CROSS_ENTROPY["given"], "define": CROSS_ENTROPY["define"]}),
    ("X.T @ (softmax(X W) - Y) / n", "-sum(Y ⊙ log_softmax(X W)) / n", "W",
     {"X": "n×d", "W": "d×k", "Y": "n×k"}, {"given": {"Y": "one-hot"}}),
    ("(p - y) x^T", "-sum(y ⊙ log(p))", "W", {"W": "k×d", "x": "d", "y": "k"},
     {"given": {"y": "one-hot"}, "define": {"p": "softmax(W x)"}}),
    ("sum(dZ, axis=0)", "sum(dZ ⊙ (Z + b))", "b", {"dZ": "n×h", "Z": "n×h", "b": "h"}, {}),
    ("1_n^T dZ", "sum(dZ ⊙ (Z + b))", "b", {"dZ": "n×h", "Z": "n×h", "b": "h"}, {}),
    ("diag(p) - p p^T", "softmax(z)", "z", {"z": "k"}, {"define": {"p": "softmax(z)"}}),
    ("(W^T dZ) ⊙ (Z > 0)", "sum(dZ ⊙ (W relu(Z)))", "Z", {"W": "k×h", "Z": "h×n",
                                                         "dZ": "k×n"}, {}),
    ("2 S w", "w^T S w", "w", {"S": "d×d", "w": "d"}, {"given": {"S": "symmetric"}}),
    ("A^T", "sum(A ⊙ B^T)", "B", {"A": "n×m", "B": "m×n"}, {}),
    ("X^T ((1 - tanh(X W)^2) ⊙ G)", "sum(G ⊙ tanh(X W))", "W",
     {"X": "n×d", "W": "d×k", "G": "n×k"}, {}),
])
def test_right_answers_are_accepted(answer, loss, wrt, shapes, options):
    verdict = check(answer, loss, wrt, shapes, **options)
    assert verdict.correct, verdict.message
    assert verdict.message.startswith("Correct: your answer matches autograd's")


def test_a_wrong_answer_names_the_size_the_entry_and_both_values():
    verdict = check("X^T (X w - y)", *LEAST_SQUARES)
    assert not verdict.correct
    example = verdict.counterexample
    sizes = ", ".join(f"{dim} = {size}" for dim, size in example["sizes"].items())
    assert f"with {sizes}, {example['differing']} of {example['entries']} entries" in \
        verdict.message
    assert example["entry"] in verdict.message and example["entry"].startswith("entry [")
    assert f"your answer gives {example['given']:.6g}, autograd gives " \
           f"{example['expected']:.6g}" in verdict.message
    assert example["given"] == pytest.approx(example["expected"] / 2)  # half the gradient


def test_the_worst_entry_is_reported():
    def off_in_two_entries(X, w, y):
        gradient = 2 * X.T @ (X @ w - y)
        gradient[0] += 0.5
        gradient[1] += 5.0
        return gradient

    verdict = check(off_in_two_entries, *LEAST_SQUARES)
    example = verdict.counterexample
    assert example["entry"] == "entry [1]" and example["differing"] == 2
    assert f"2 of {example['entries']} entries ([0], [1]) of your ∂L/∂w differ" in \
        verdict.message
    assert example["given"] - example["expected"] == pytest.approx(5.0)


def test_sizes_differ_from_each_other_so_transposes_show():
    for sizes in choose_sizes(["n", "d", "k"], {}, 3, seed=0):
        assert len(set(sizes.values())) == 3 and min(sizes.values()) >= 2
    # a square-only mistake (X w for X^T w) would pass at n = d, and is refused here
    verdict = check("2 X^T (X w - y)", *LEAST_SQUARES)
    assert verdict.correct
    wrong = check("w^T X^T X", "w^T X^T X w", "w", {"X": "n×d", "w": "d"})
    assert not wrong.correct and "the sign" not in wrong.message


def test_sizes_avoid_the_whole_number_dimensions_of_the_question():
    declared = declare({"A": "2×3", "B": "4×5", "C": "6×7", "D": "8×9", "x": "n", "y": "m"})
    for sizes in choose_sizes(["n", "m"], declared, 3, seed=0):
        assert not set(sizes.values()) & set(range(2, 10)) and sizes["n"] != sizes["m"]


def test_verdicts_are_reproducible_and_depend_on_the_seed():
    first = check("X^T (X w - y)", *LEAST_SQUARES)
    again = check("X^T (X w - y)", *LEAST_SQUARES)
    other = check("X^T (X w - y)", *LEAST_SQUARES, seed=1)
    assert first.message == again.message
    assert first.counterexample != other.counterexample


def test_fixed_sizes_up_to_64():
    verdict = check("2 X^T (X w - y)", *LEAST_SQUARES, sizes=[{"n": 64, "d": 48}])
    assert verdict.correct and "n = 64, d = 48" in verdict.message


def test_structure_matters_for_cross_entropy():
    """X^T(softmax(XW) - Y)/n is the gradient only when each row of Y sums to 1."""
    options = {"shapes": CROSS_ENTROPY["shapes"], "define": CROSS_ENTROPY["define"]}
    answer, loss = "X.T @ (P - Y) / n", CROSS_ENTROPY["loss"]
    assert check(answer, loss, "W", given={"Y": "one-hot"}, **options).correct
    assert check(answer, loss, "W", given={"Y": "probabilities"}, **options).correct
    assert not check(answer, loss, "W", **options).correct


@pytest.mark.parametrize("kind, holds", [
    ("one-hot", lambda v: np.all(v.sum(axis=2) == 1) and set(np.unique(v)) <= {0.0, 1.0}),
    ("onehot", lambda v: np.all(v.sum(axis=2) == 1)),
    ("probabilities", lambda v: np.allclose(v.sum(axis=2), 1) and np.all(v > 0)),
    ("mask", lambda v: set(np.unique(v)) == {0.0, 1.0}),
    ("positive", lambda v: np.all(v > 0)),
])
def test_sampling_respects_row_structure(kind, holds):
    declared = declare({"Y": "n×k"})
    values = sample(declared, structures({"Y": kind}, declared), {"n": 5, "k": 4}, 8, 0)["Y"]
    assert values.shape == (8, 5, 4) and holds(values)


def test_sampling_respects_vector_and_square_structure():
    declared = declare({"p": "k", "S": "k×k", "A": "k×k"})
    kinds = structures({"p": "distribution", "S": "symmetric", "A": "positive-definite"},
                       declared)
    values = sample(declared, kinds, {"k": 6}, 8, 3)
    assert np.allclose(values["p"].sum(axis=1), 1) and values["p"].shape == (8, 6, 1)
    assert np.array_equal(values["S"], values["S"].transpose(0, 2, 1))
    assert np.all(np.linalg.eigvalsh(values["A"]) > 0)
    one_hot = sample(declare({"y": "k"}), {"y": "one-hot"}, {"k": 5}, 4, 0)["y"]
    assert np.all(one_hot.sum(axis=1) == 1)


@pytest.mark.parametrize("given, message", [
    ({"Q": "one-hot"}, "given names 'Q', which the shapes do not declare"),
    ({"X": "fuzzy"}, "unknown structure 'fuzzy' for X; choose one of: one-hot"),
    ({"X": "symmetric"}, "X is declared symmetric, but it is an n×d matrix"),
    ({"c": "one-hot"}, "c is declared one-hot, but it is a scalar"),
    (["X"], "given must map variable names"),
])
def test_bad_structure_is_refused(given, message):
    with pytest.raises(TutorError, match=message):
        prepare("sum(X) + c", "X", {"X": "n×d", "c": ""}, given)


# ---------------------------------------------------------------- answers that are functions


def test_a_numpy_function_can_be_the_answer():
    def gradient(X, w, y):
        return 2 * X.T @ (X @ w - y)

    def no_two(X, w, y):
        return X.T @ (X @ w - y)

    assert check(gradient, *LEAST_SQUARES).correct
    assert not check(no_two, *LEAST_SQUARES).correct
    assert check(lambda dZ: dZ.sum(axis=0), "sum(dZ ⊙ (Z + b))", "b",
                 {"dZ": "n×h", "Z": "n×h", "b": "h"}).correct


@pytest.mark.parametrize("function, message", [
    (lambda X, w, y: X @ w, "returned an array of shape"),
    (lambda X, w, y: 1 / 0, "Your function raised ZeroDivisionError"),
    (lambda X, v: X, "your function takes v, which the question does not declare"),
])
def test_a_broken_function_gets_a_verdict_not_a_traceback(function, message):
    verdict = check(function, *LEAST_SQUARES)
    assert not verdict.correct and message.lower() in verdict.message.lower()


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("answer, message", [
    ("2 X (X w - y)", "X(Xw − y) needs d = n"),
    ("2 X^T (X q - y)", "unknown name 'q'"),
    ("(w^T w)^T X^T y", "wᵀw is a scalar: transposing it does nothing"),
    ("X", "Your answer X is an n×d matrix; ∂L/∂w has the shape of w: a d-vector"),
    ("__import__('os')", "Could not read your answer"),
    ("", "the expression is empty"),
])
def test_bad_answers_get_a_wrong_verdict_saying_why(answer, message):
    verdict = check(answer, *LEAST_SQUARES)
    assert not verdict.correct and message in verdict.message


@pytest.mark.parametrize("loss, wrt, shapes, options, error, message", [
    ("X^T X", "X", {"X": "n×d"}, {}, ShapeError, "the loss must be a scalar"),
    ("‖X w - q‖²", "w", {"X": "n×d", "w": "d"}, {}, ParseError, "unknown name 'q'"),
    ("‖X w‖²", "v", {"X": "n×d", "w": "d"}, {}, TutorError, "wrt='v' is not declared"),
    ("‖X‖²", "w", {"X": "n×d", "w": "d"}, {}, TutorError, "does not depend on w"),
    ("‖X X‖²", "X", {"X": "n×d"}, {}, ShapeError, "XX needs d = n"),
    ("sum(log(x - 50))", "x", {"x": "n"}, {}, TutorError, "undefined at every random draw"),
    ("sum(x)", "x", {"x": "n"}, {"sizes": {"n": 100000}}, TutorError, "from 1 to 512"),
    ("sum(x)", "x", {"x": "n"}, {"sizes": {"d": 3}}, TutorError, "give no size for n"),
    ("sum(X)", "X", {"X": "n×d"}, {"sizes": {"n": 512, "d": 512}}, TutorError,
     "the limit is 65,536"),
    ("sum(x)", "x", {"x": "n"}, {"sizes": "big"}, TutorError, "sizes must map"),
    ("sum(x)", "x", {"x": "n"}, {"draws": MAX_DRAWS + 1}, TutorError, "draws must be"),
    ("sum(x)", "x", {"x": "n"}, {"define": {"x": "x"}}, TutorError, "cannot be defined"),
    ("sum(x)", "x", {"x": "n"}, {"define": {"p": "x x"}}, ParseError,
     "the definition of p"),
    (3, "x", {"x": "n"}, {}, TutorError, "the loss must be a formula as text"),
    ("sum(x)", "x", {"x": f"{MAX_DIM * 1000}"}, {}, ShapeError, "dimensions must be between"),
])
def test_bad_questions_raise_clear_errors(loss, wrt, shapes, options, error, message):
    with pytest.raises(error, match=message):
        check("x", loss, wrt, shapes, **options)


def test_work_is_bounded_before_it_is_done():
    shapes, sizes = {"X": "n×n"}, {"n": 256}
    long_product = " ".join(["X"] * 25)  # 24 products of 256×256 matrices
    verdict = check(long_product, "sum(X)", "X", shapes, sizes=sizes, draws=1)
    assert not verdict.correct
    assert f"Your answer cannot be checked: your answer {'X' * 25} would take about 405,864,448 " \
        "operations per draw with n = 256" in verdict.message
    assert "the limit is 300,000,000" in verdict.message
    with pytest.raises(TutorError, match="the loss sum.* would take about"):
        check("X", f"sum({long_product})", "X", shapes, sizes=sizes, draws=1)


def test_jacobians_of_vector_functions():
    verdict = check("diag(sigmoid(z) ⊙ (1 - sigmoid(z)))", "sigmoid(z)", "z", {"z": "k"})
    assert verdict.correct
    assert check("A", "A x", "x", {"A": "m×k", "x": "k"}).correct
    assert not check("A^T", "A x", "x", {"A": "m×k", "x": "k"}).correct


def test_the_matrix_package_is_core_it_imports_no_layer_above():
    root = pathlib.Path(__file__).parents[2] / "tutor" / "matrix"
    above = ("tutor.feedback", "tutor.lessons", "tutor.grading", "tutor.cli", "tutor.testing")
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(name.startswith(above) for name in names), (path.name, names)


def _random_formulas():
    from hypothesis import strategies as st

    leaves = st.sampled_from(["X", "w", "y", "c", "n", "2", "0.5", "1_n", "ones(d)", "eye(d)"])

    def extend(inner):
        unary = st.tuples(st.sampled_from(["-{}", "({})^T", "exp({})", "relu({})", "sum({})",
                                           "sum({}, axis=0)", "mean({}, axis=1)", "diag({})",
                                           "trace({})", "‖{}‖", "softmax({})", "({})²",
                                           "({} > 0)", "{}.T", "tanh({})"]), inner)
        binary = st.tuples(st.sampled_from(["{} + {}", "{} - {}", "{} {}", "{} @ {}",
                                            "{} ⊙ {}", "{} / {}", "({})({})"]), inner, inner)
        return st.one_of(unary.map(lambda t: t[0].format(t[1])),
                         binary.map(lambda t: t[0].format(t[1], t[2])))

    return st.recursive(leaves, extend, max_leaves=8)


def test_any_formula_gets_a_verdict_never_a_traceback():
    """Random formulas: read, shape-checked, evaluated and searched for a mistake, or refused
    with a ParseError; nothing else escapes."""
    from hypothesis import given, settings

    from tutor.check import Verdict
    from tutor.feedback.matrix_mistakes import MATRIX_MISTAKES, name_matrix_mistake

    problem = prepare("‖X w - y‖² + c", "w", {"X": "n×d", "w": "d", "y": "n", "c": ""})

    @settings(max_examples=120, deadline=None, derandomize=True)
    @given(_random_formulas())
    def run(text):
        try:
            tree = problem.read(text)
            shape, results = problem.evaluate(tree)
        except ParseError:
            return
        assert problem.fits(shape) == bool(results)
        for result, expected in zip(results, problem.expected, strict=False):
            assert result.shape == expected.shape
        named = name_matrix_mistake(problem, tree, Verdict(False, "wrong"))
        assert named.mistake is None or named.mistake in MATRIX_MISTAKES

    run()


def test_tutor_check_takes_matrix_answers(capsys):
    import json

    from tutor.cli import main

    question = ["--of", "‖X w - y‖²", "--wrt", "w", "--shapes", "X=n×d, w=d, y=n"]
    assert main(["check", "2 X^T (X w - y)", *question]) == 0
    assert main(["check", "X^T (X w - y)", *question]) == 1
    assert "mistake: factor-2-missing" in capsys.readouterr().out
    assert main(["check", "X.T @ (P - Y) / n", "--of", "-sum(Y ⊙ log(P)) / n", "--wrt", "W",
                 "--shapes", "X=n×d, W=d×k, Y=n×k", "--given", "Y=one-hot",
                 "--define", "P=softmax(X W)", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["correct"] is True


@pytest.mark.parametrize("arguments, message", [
    (["--equals", "x", "--shapes", "x=n"], "needs --of LOSS and --wrt VARIABLE"),
    (["--of", "sum(x)", "--wrt", "x", "--shapes", "x=n, bad"], "--shapes: expected name=value"),
    (["--of", "sum(x)", "--wrt", "x", "--shapes", "x=n×d×k"], "has 3 dimensions"),
])
def test_tutor_check_with_bad_shapes_says_why(arguments, message, capsys):
    from tutor.cli import main

    assert main(["check", "x", *arguments]) == 2
    assert message in capsys.readouterr().err


def test_several_variables_get_one_verdict_each_and_partial_credit():
    loss, shapes = "sum(G ⊙ (X W + 1_n b^T))", {"X": "n×d", "W": "d×h", "b": "h", "G": "n×h"}
    both = check(["X^T G", "sum(G, axis=0)"], loss, ["W", "b"], shapes)
    assert both.correct and both.score == 1.0 and len(both.parts) == 2
    half = check(["X^T G", "G"], loss, ["W", "b"], shapes)
    assert not half.correct and half.score == 0.5
    assert half.message.splitlines()[1].startswith("∂L/∂b: Your answer G is an n×h matrix")

    def linear_backward(X, G):
        return X.T @ G, G.sum(axis=0)

    assert check(linear_backward, loss, ["W", "b"], shapes).correct
    one_array = check(lambda X, G: X.T @ G, loss, ["W", "b"], shapes)
    assert "Your function should return 2 arrays, one per variable; it returned 1" in \
        one_array.message
    assert "Expected 2 answers (∂L/∂W, ∂L/∂b), one per variable, as a list; got 1" in \
        check("X^T G", loss, ["W", "b"], shapes).message
    with pytest.raises(TutorError, match="wrt must name a declared variable"):
        check("x", loss, [], shapes)
