"""The public API: what `from tutor import ...` gives, whatever was imported before."""

import doctest
import importlib
import subprocess
import sys

import pytest

import tutor

PUBLIC_FUNCTIONS = ["parse", "derive", "gradient", "hessian", "lower", "check_answer",
                    "check_derivative", "check_gradient", "explain", "check_matrix_derivative"]


def test_every_public_name_is_the_documented_object_not_a_module():
    import tutor.check  # noqa: F401  (loads the stage modules first, as real programs do)
    import tutor.feedback.mistakes  # noqa: F401

    for name in PUBLIC_FUNCTIONS:
        assert callable(getattr(tutor, name)), name
        assert getattr(tutor, name).__name__ == name
    assert tutor.Verdict.__name__ == "Verdict" and tutor.GradientReport.__name__ == "GradientReport"
    assert issubclass(tutor.ParseError, ValueError) and issubclass(tutor.ParseError, tutor.TutorError)


def test_all_lists_exactly_what_is_importable():
    for name in tutor.__all__:
        assert getattr(tutor, name) is not None
    errors = {"TutorError", "ParseError", "LoweringError", "BackendError", "FileError",
              "LessonError", "AssignmentError"}
    assert set(tutor.__all__) == {*PUBLIC_FUNCTIONS, "Verdict", "GradientReport", *errors}
    assert sorted(dir(tutor)) == sorted(tutor.__all__)


def test_import_tutor_is_light():
    code = "import sys, tutor; print(sorted(m for m in ('torch', 'sympy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("name", [
    "tutor", "tutor.functions", "tutor.parsing", "tutor.symbolic", "tutor.lowering", "tutor.check",
    "tutor.render", "tutor.feedback.explanation", "tutor.feedback.mistakes", "tutor.testing",
    "tutor.lowering.printers", "tutor.lowering.backends", "tutor.lowering.codegen", "tutor.gradcheck",
    "tutor.lessons.display", "tutor.lessons.steps.code", "tutor._cursor", "tutor.numeric",
])
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
