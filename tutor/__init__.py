"""tutor: learn and check derivatives. SymPy derives the closed form, PyTorch autograd checks it.

>>> from tutor import derive, check_derivative
>>> derive("x^2 + x^3 + 5", "x")
3*x**2 + 2*x
>>> check_derivative("2x + 3x^2", "x^2 + x^3 + 5", "x").correct
True

Names are imported on first use, so `import tutor` (and `tutor --help`) stays fast.
"""

from __future__ import annotations

from tutor._lazy import lazy_exports
from tutor.errors import (
    AssignmentError,
    BackendError,
    FileError,
    LessonError,
    LoweringError,
    ParseError,
    TutorError,
)

_LAZY = {
    "parse": "tutor.parsing",
    "derive": "tutor.symbolic",
    "gradient": "tutor.symbolic",
    "hessian": "tutor.symbolic",
    "lower": "tutor.lowering",
    "check_answer": "tutor.check",
    "check_derivative": "tutor.feedback",
    "check_gradient": "tutor.gradcheck",
    "Verdict": "tutor.check",
    "GradientReport": "tutor.gradcheck",
    "explain": "tutor.feedback.explanation",
    "check_matrix_derivative": "tutor.feedback.matrix_mistakes",
}

__all__ = [
    *_LAZY,
    "TutorError", "ParseError", "LoweringError", "BackendError", "FileError", "LessonError",
    "AssignmentError",
]
__version__ = "0.1.0"


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals(), __all__)
