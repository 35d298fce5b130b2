"""Results in Jupyter: the ``_repr_markdown_``/``_repr_latex_`` forms, and the example
notebook run cell by cell with nbclient (a local kernel; no network)."""

from pathlib import Path

from tutor import check_derivative, check_gradient, check_matrix_derivative, explain
from tutor.notebook import escape

NOTEBOOK = Path(__file__).parents[2] / "examples" / "checking.ipynb"


def test_a_wrong_verdict_shows_its_mistake_and_typeset_expressions():
    shown = check_derivative("2x cos(x)", "x^2 sin(x)", "x")._repr_markdown_()
    assert shown.startswith("**✗ Wrong**")
    assert "| mistake | `product-rule-derivatives-multiplied` |" in shown
    assert r"| your answer | $2 x \cos{\left(x \right)}$ |" in shown


def test_a_matrix_verdict_and_its_parts():
    shapes = {"X": "n×d", "W": "d×h", "b": "h", "G": "n×h"}
    verdict = check_matrix_derivative(["X^T G", "G"], "sum(G ⊙ (X W + 1_n b^T))", ["W", "b"],
                                      shapes)
    shown = verdict._repr_markdown_()
    assert shown.startswith("**✗ Wrong**") and "| mistake | `bias-not-summed` |" in shown
    assert "\n- ✓ Correct: your answer matches" in shown and "\n- ✗ Your answer G is" in shown
    assert check_matrix_derivative("X^T G", "sum(G ⊙ (X W))", "W", shapes)._repr_markdown_() \
        .startswith("**✓ Correct**")


def test_a_gradient_report_typesets_the_symbolic_gradient():
    shown = check_gradient("x^2 sin(y)", ["x", "y"])._repr_markdown_()
    assert shown.startswith("**✓ The gradients agree**")
    assert r"| $\partial f / \partial y$ | $x^{2} \cos{\left(y \right)}$ |" in shown


def test_a_derivation_in_markdown_and_latex():
    derivation = explain("x^2 sin(x)", "x")
    assert derivation._repr_markdown_() == derivation.to_markdown()
    latex = derivation._repr_latex_()
    assert latex.startswith(r"$$\begin{align*}") and latex.endswith(r"\end{align*}$$")
    assert r"\text{product rule}" in latex


def test_text_from_a_message_is_shown_literally():
    assert escape("a*b | c_d") == r"a\*b \| c\_d"
    assert escape("one\ntwo") == "one  \ntwo"


def test_the_example_notebook_runs_and_shows_typeset_results():
    import nbclient  # the notebook extra (make test installs it)
    import nbformat

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent.parent)}}).execute()
    shown = [output["data"]["text/markdown"] for cell in notebook.cells
             if cell.cell_type == "code" for output in cell.outputs
             if output.get("output_type") == "execute_result"]
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.get("output_type") == "error"]
    assert errors == []
    assert len(shown) == 6
    scalar_wrong, scalar_right, derivation, matrix_wrong, matrix_right, report = shown
    assert "`product-rule-derivatives-multiplied`" in scalar_wrong
    assert scalar_right.startswith("**✓ Correct**")
    assert derivation.startswith("### Derivative of $x^{2}")
    assert "`mean-factor-missing`" in matrix_wrong and matrix_right.startswith("**✓ Correct**")
    assert report.startswith("**✓ The gradients agree**")
