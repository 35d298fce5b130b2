"""Matrix calculus answers: typed matrix and vector derivatives checked against autograd.

:mod:`~tutor.matrix.parsing` reads a formula into a tree (:mod:`~tutor.matrix.nodes`),
:mod:`~tutor.matrix.shapes` gives every node a shape or explains why it has none,
:mod:`~tutor.matrix.evaluate` lowers the tree to PyTorch and samples structured values, and
:mod:`~tutor.matrix.check` judges an answer. This package is part of the core: it imports
nothing from the feedback layer, which names mistakes (:mod:`tutor.feedback.matrix_mistakes`).
"""

from __future__ import annotations

from tutor._lazy import lazy_exports

_LAZY = {name: "tutor.matrix.check" for name in
         ("MatrixProblem", "check_matrix_derivative", "check_prepared", "prepare")}
__all__ = list(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), __all__)
