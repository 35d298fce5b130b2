"""Assertions for pytest-based graders (plain pytest, Otter-Grader, nbgrader): the tutor's
checker behind one call, failing with the checker's own explanation.

>>> assert_derivative("2x sin(x) + x^2 cos(x)", "x^2 sin(x)", "x")
>>> assert_derivative("2x cos(x)", "x^2 sin(x)", "x")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
AssertionError: '2x cos(x)' is not d/dx of x^2 sin(x). Not quite: ...

In a test file::

    from tutor.testing import assert_gradient_matches
    from student import loss

    def test_loss_gradient():
        assert_gradient_matches(loss, "(sigmoid(w x + b) - y)^2", wrt=["w", "b"],
                                variables=["w", "b", "x", "y"])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: `import tutor.testing` stays light
    import sympy

    from tutor.gradcheck import GradientReport
    from tutor.symbolic import Wrt

    Expression = str | sympy.Expr

__all__ = ["assert_equivalent", "assert_derivative", "assert_gradient_matches",
           "assert_manual_gradient", "assert_matrix_gradient"]


def assert_equivalent(answer: Expression | float, expected: Expression | float, *,
                      variables: Sequence[str] | None = None) -> None:
    """``answer`` equals ``expected`` as a function (text goes through the safe parser)."""
    from tutor.check import check_answer

    __tracebackhide__ = True
    verdict = check_answer(answer, expected, variables=variables)
    if not verdict.correct:
        raise AssertionError(f"{answer!r} is not equal to {expected}. {verdict.message}")


def assert_derivative(answer: Expression | Sequence[Expression], function: Expression,
                      wrt: Wrt = "x", *, variables: Sequence[str] | None = None,
                      seed: int = 0) -> None:
    """``answer`` is the derivative of ``function`` (a list or "a, b" for a gradient)."""
    from tutor.feedback import check_derivative

    __tracebackhide__ = True
    verdict = check_derivative(answer, function, wrt, variables=variables, seed=seed)
    if not verdict.correct:
        names = wrt if isinstance(wrt, str) else ",".join(map(str, wrt))
        raise AssertionError(f"{answer!r} is not d/d{names} of {function}. {verdict.message}")


def assert_gradient_matches(fn: Callable[..., Any], expr: Expression, wrt: Wrt, *,
                            variables: Sequence[str] | None = None, points: int = 200,
                            dtype: Any = None, rtol: float | None = None,
                            atol: float | None = None, seed: int = 0,
                            backend: str = "torch") -> GradientReport:
    """``fn`` (a torch function, one tensor per variable; a TensorFlow one with
    ``backend="tensorflow"``) has ``expr``'s values, and its automatic gradient matches the
    symbolic gradient at ``points`` seeded points."""
    from tutor.gradcheck import check_gradient

    __tracebackhide__ = True
    report = check_gradient(expr, wrt, fn=fn, points=points, dtype=dtype, rtol=rtol, atol=atol,
                            seed=seed, variables=variables, backend=backend)
    if not report.ok:
        raise AssertionError(f"the gradient of {getattr(fn, '__name__', 'fn')} does not match "
                             f"d/d({', '.join(report.wrt)}) of {expr}: {report.message}")
    return report


def assert_manual_gradient(grad_fn: Callable[..., Any], expr: Expression, wrt: Wrt, *,
                           variables: Sequence[str] | None = None, points: int = 200,
                           rtol: float | None = None, seed: int = 0) -> GradientReport:
    """``grad_fn`` (numpy arrays in, one array per ``wrt`` variable out) is ``expr``'s gradient."""
    from tutor.errors import TutorError
    from tutor.gradcheck import check_computed_gradient
    from tutor.symbolic import as_expr, wrt_symbols

    __tracebackhide__ = True
    name = getattr(grad_fn, "__name__", "grad_fn")
    expr = as_expr(expr, variables)
    single = len(wrt_symbols(expr, wrt)) == 1

    def gradient(points: dict) -> list:
        parts = grad_fn(*points.values())
        return [parts] if single else list(parts)

    try:
        report = check_computed_gradient(expr, wrt, gradient, points=points, rtol=rtol, seed=seed,
                                         variables=variables)
    except TutorError as error:
        raise AssertionError(f"{name}: {error}") from None
    if not report.ok:
        raise AssertionError(f"{name} is not the gradient d/d({', '.join(report.wrt)}) of {expr}: "
                             f"{report.message}")
    return report

def assert_matrix_gradient(answer: str | Callable | Sequence[str], loss: str,
                           wrt: str | Sequence[str], shapes: Mapping[str, object],
                           given: Mapping[str, str] | None = None, **options) -> None:
    """For pytest: ``answer`` (a formula, or a function of NumPy arrays named as the question
    declares them) is the derivative of ``loss`` with respect to ``wrt``; otherwise an
    AssertionError with the checker's message and the mistake it names.

    >>> assert_matrix_gradient(lambda X, w, y: 2 * X.T @ (X @ w - y), "‖X w - y‖²", "w",
    ...                        {"X": "n×d", "w": "d", "y": "n"})
    """
    from tutor.feedback.matrix_mistakes import check_matrix_derivative

    __tracebackhide__ = True
    verdict = check_matrix_derivative(answer, loss, wrt, shapes, given, **options)
    if not verdict.correct:
        shown = getattr(answer, "__name__", "the function") if callable(answer) else repr(answer)
        names = wrt if isinstance(wrt, str) else f"({', '.join(wrt)})"
        raise AssertionError(f"{shown} is not ∂/∂{names} of {loss}. {verdict.message}")
