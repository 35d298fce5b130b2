"""Deep-learning functions as SymPy functions, so derivatives stay readable.

``sigmoid(x)`` differentiates to ``sigmoid(x)*(1 - sigmoid(x))`` rather than a tower of
exponentials, and ``softplus(x)`` to ``sigmoid(x)``. ``relu(x)`` is ``Max(0, x)``, whose
derivative SymPy gives as ``Heaviside(x)``.

>>> from sympy import Symbol
>>> x = Symbol("x", real=True)
>>> sigmoid(x).diff(x)
(1 - sigmoid(x))*sigmoid(x)
>>> relu(x)
Max(0, x)
"""

from __future__ import annotations

import sympy
from sympy import Function, Max, S, exp, log


class sigmoid(Function):  # noqa: N801  (named as learners write it)
    """The logistic function 1 / (1 + e^-x)."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return S.Half
        if arg is S.Infinity:
            return S.One
        if arg is S.NegativeInfinity:
            return S.Zero
        return None

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + exp(-arg))

    def _eval_evalf(self, prec):
        return (1 / (1 + exp(-self.args[0])))._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real


class softplus(Function):  # noqa: N801
    """log(1 + e^x), the smooth relu."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return log(2)
        return None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, arg, **kwargs):
        return log(1 + exp(arg))

    _eval_rewrite_as_exp = _eval_rewrite_as_log

    def _eval_evalf(self, prec):
        return log(1 + exp(self.args[0]))._eval_evalf(prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real


def relu(arg: sympy.Expr) -> sympy.Expr:
    """max(0, x), written as SymPy's ``Max`` so that SymPy knows its derivative."""
    return Max(S.Zero, arg)
