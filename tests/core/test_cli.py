"""The command line end to end, as a subprocess, the way a person runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def tutor(*args, input=None):
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True, text=True,
                          input=input, timeout=120)


def test_derive_prints_the_derivative_and_its_value():
    result = tutor("derive", "x^2 + x^3 + 5", "--wrt", "x", "--at", "x=2")
    assert result.returncode == 0, result.stderr
    assert "3x² + 2x" in result.stdout
    assert "16" in result.stdout.splitlines()[-1]


def test_derive_json():
    data = json.loads(tutor("derive", "x*y", "--wrt", "x,y", "--json").stdout)
    assert data["derivatives"] == ["y", "x"]


@pytest.mark.parametrize("answer, code", [("2x + 3x^2", 0), ("2x + 3x", 1), ("2x + (", 2)])
def test_check_exit_codes(answer, code):
    result = tutor("check", answer, "--of", "x^2 + x^3 + 5", "--wrt", "x")
    assert result.returncode == code, result.stdout + result.stderr
    if code == 2:  # an unreadable answer: exit 2 with a message naming the column, no crash
        assert "column" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_json_has_the_verdict():
    data = json.loads(tutor("check", "3x^2", "--of", "x^3", "--json").stdout)
    assert data["correct"] is True


def test_gradcheck_himmelblau():
    result = tutor("gradcheck", "(x^2+y-11)^2 + (x+y^2-7)^2", "--wrt", "x,y", "--points", "500")
    assert result.returncode == 0, result.stderr
    assert "agrees" in result.stdout and "500 points" in result.stdout


@pytest.mark.parametrize("args, fragment", [
    (("derive", "__import__('os').system('id')"), "column"),
    (("derive", "x^99999999"), "exponent"),
    (("derive", "9^9^9^9"), ""),
    (("derive", "x" * 10_000), "long"),
    (("derive", ""), "empty"),
    (("derive", "sin(x", "--wrt", "x"), "column"),
    (("derive", "foo(x)"), "foo"),
    (("derive", "x^2", "--wrt", "x)"), ""),
    (("derive", "x^2", "--wrt", ","), "no variable"),
    (("check", "2x", "--of", "x^2", "--wrt", ","), "no variable"),
    (("gradcheck", "x^2", "--wrt", "x", "--points", "100000000"), "at most"),
    (("gradcheck", "x^2", "--wrt", "x", "--points", "0"), "at least 1"),
    (("derive", "x^2", "--at", "x=nan"), ""),
])
def test_bad_input_is_one_line_and_exit_2(args, fragment):
    result = tutor(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("tutor: error:")
    assert fragment.lower() in result.stderr.lower()


@pytest.mark.parametrize("order", ["0", "11", "two"])
def test_bad_order_is_a_usage_error(order):
    result = tutor("derive", "sin(x)", "--order", order)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--order: expected a whole number from 1 to 10" in result.stderr


def test_value_at_a_point_is_shown_as_a_number():
    result = tutor("derive", "x^3", "--order", "2", "--at", "x=2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].strip() == "at x = 2: 12"


def test_help_does_not_import_torch_or_sympy():
    code = ("import sys\nfrom tutor.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('torch', 'sympy', 'numpy') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_lint_checks_lessons_and_assignments_together(tmp_path):
    assignment = tmp_path / "week1.yaml"
    assignment.write_text(
        "title: Week 1\nquestions:\n"
        "  - id: product\n    type: derivative\n    function: x^2 sin(x)\n    wrt: x\n"
        "    solution: 2x sin(x)\n")
    result = tutor("lint", "lessons", str(assignment))
    assert result.returncode == 1, result.stdout + result.stderr
    problems = [line for line in result.stdout.splitlines() if "week1.yaml:" in line]
    assert problems and "product" in problems[0]
    from lesson_processes import ROOT

    lessons = len(list((ROOT / "lessons").glob("*.yaml")))  # every lesson, and the assignment
    assert f"{lessons + 1} files" in result.stdout


def test_json_output_is_strict_even_for_infinite_errors():
    from tutor.cli import _finite

    data = {"max_abs_error": float("inf"), "values": [1.0, float("nan")], "ok": False}
    assert json.loads(json.dumps(_finite(data), allow_nan=False)) == {
        "max_abs_error": None, "values": [1.0, None], "ok": False}
    result = tutor("gradcheck", "x^2", "--wrt", "x", "--points", "5", "--json")
    assert json.loads(result.stdout)["n_points"] == 5


HIMMELBLAU = "(x^2+y-11)^2 + (x+y^2-7)^2"


REPO = Path(__file__).resolve().parents[2]


def python(code: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=180, env=env)


# ---------------------------------------------------------------- TensorFlow (marker: tensorflow)


def test_cli_without_tensorflow_is_one_line_and_exit_2():
    code = ("import sys; sys.modules['tensorflow'] = None\nfrom tutor.cli import main\n"
            "sys.exit(main(['gradcheck', 'x^2', '--wrt', 'x', '--backend', 'tensorflow']))")
    result = python(code)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == 'tutor: error: TensorFlow is not installed: pip install "tutor[tensorflow]"\n'


def test_help_and_torch_paths_never_import_tensorflow():
    code = ("import sys\nfrom tutor.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "import torch, tutor\nfrom tutor.gradcheck import check_gradient\n"
            "from tutor.lowering import lower\nfrom tutor.parsing import parse\n"
            "assert main(['gradcheck', 'x^2*y', '--wrt', 'x,y', '--points', '20']) == 0\n"
            "assert check_gradient('sin(x)', 'x', points=10, fn=torch.sin).ok\n"
            "lower(parse('relu(x)'), ['x'])(torch.ones(2))\n"
            "print('imported:', sys.modules.get('tensorflow') is not None)")
    result = python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "imported: False"


def test_cli_backends_end_to_end_quietly(tf):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    code = ("import sys\nfrom tutor.cli import main\n"
            f"sys.exit(main(['gradcheck', {HIMMELBLAU!r}, '--wrt', 'x,y', '--points', '300', "
            "'--backend', 'all', '--json']))")
    result = python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no TensorFlow C++ log lines for the learner
    data = json.loads(result.stdout)
    assert data["backend"] == "all" and [p["ok"] for p in data["pairs"]] == [True, True, True]
