"""Feedback: step-by-step derivations and the mistake behind a wrong answer.

It stands on the core (:mod:`tutor.check`, :mod:`tutor.numeric`) and wraps its verdicts;
the core never imports it. Derivations (:mod:`.explanation`) and the mistake search
(:mod:`.mistakes`) share one expression tree (:mod:`.tree`), whose node kinds each have one
rule (:mod:`.rules`: value, local derivatives, derivation step, wrong variants), evaluated at
many points by :mod:`.evaluation`.

>>> check_derivative("cos(3x^2 + 1)", "sin(3x^2 + 1)", "x").mistake
'chain-rule-inner-dropped'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy

from tutor import check
from tutor.check import Verdict
from tutor.feedback.mistakes import name_mistake
from tutor.symbolic import Wrt


def check_derivative(answer: str | sympy.Expr | Sequence, function: str | sympy.Expr, wrt: Wrt, *,
                     variables: Sequence[str] | None = None, at: Mapping[str, float] | None = None,
                     seed: int = 0, tolerance: float | None = None,
                     time_limit: float | None = None,
                     domains: check.DomainsLike | None = None) -> Verdict:
    """:func:`tutor.check.check_derivative`, naming the common mistake behind a wrong answer."""
    return check.check_derivative(answer, function, wrt, variables=variables, at=at, seed=seed,
                                  tolerance=tolerance, time_limit=time_limit,
                                  diagnose=name_mistake, domains=domains)
