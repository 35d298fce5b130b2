"""The kinds of lesson step, one module each: its dataclass (which is its schema), its checks,
how the runner plays it, how ``tutor lint`` checks it, and how its results are shown.

A new kind is a new module ending in ``KIND = StepKind(...)`` (see :mod:`.kind`) and one
entry in :data:`KINDS` below; the schema, the runner and the linter find it here.

>>> list(KINDS)
['say', 'ask', 'ask-matrix', 'choose', 'compute', 'code', 'descend', 'graph', 'exercise']
"""

from __future__ import annotations

from tutor.lessons.steps import (
    ask,
    ask_matrix,
    choose,
    code,
    compute,
    descend,
    exercise,
    graph,
    say,
)
from tutor.lessons.steps.kind import PASSED, StepKind

#: Every step kind by name, in the order the authoring guide lists them.
KINDS: dict[str, StepKind] = {kind.name: kind for kind in (
    say.KIND, ask.KIND, ask_matrix.KIND, choose.KIND, compute.KIND, code.KIND, descend.KIND,
    graph.KIND, exercise.KIND)}

__all__ = ["KINDS", "PASSED", "StepKind"]
