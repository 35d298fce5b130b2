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

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: `import tutor.testing` stays light
    import sympy

    from tutor.check import GradientReport
    from tutor.symbolic import Wrt

    Expression = str | sympy.Expr

__all__ = ["assert_equivalent", "assert_derivative", "assert_gradient_matches",
           "assert_manual_gradient"]


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
    from tutor.check import check_gradient

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
    import numpy as np

    from tutor.check import check_gradient
    from tutor.grading.questions import gradient_proxy
    from tutor.symbolic import as_expr, wrt_symbols

    __tracebackhide__ = True
    expr = as_expr(expr, variables)
    names = tuple(s.name for s in wrt_symbols(expr, wrt))
    order = tuple(variables) if variables is not None else \
        names + tuple(sorted({s.name for s in expr.free_symbols} - set(names)))

    def gradients(columns: dict, wanted: list[bool]) -> list:
        parts = grad_fn(*columns.values())
        parts = [parts] if len(names) == 1 else list(parts)
        if len(parts) != len(names):
            raise AssertionError(f"{getattr(grad_fn, '__name__', 'grad_fn')} returned {len(parts)} "
                                 f"arrays; expected {len(names)} (d/d{', d/d'.join(names)})")
        by_name = dict(zip(names, parts, strict=True))
        n = len(next(iter(columns.values())))
        return [np.broadcast_to(np.asarray(by_name[name], dtype=np.float64), (n,)).copy()
                for name, need in zip(order, wanted, strict=True) if need]

    fn = gradient_proxy(expr, order, gradients)
    report = check_gradient(expr, list(names), fn=fn, points=points, rtol=rtol, seed=seed,
                            variables=list(order))
    if not report.ok:
        raise AssertionError(f"{getattr(grad_fn, '__name__', 'grad_fn')} is not the gradient "
                             f"d/d({', '.join(names)}) of {expr}: {report.message}")
    return report
