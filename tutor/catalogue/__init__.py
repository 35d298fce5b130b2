"""The texts of :mod:`tutor.messages`: key -> (English, Chinese), one module per layer.

The modules hold data only; keys are unique across them (a unit test checks it).
"""

from __future__ import annotations

from tutor.catalogue import cli, core, feedback, lessons

MESSAGES: dict[str, tuple[str, str]] = {**core.MESSAGES, **feedback.MESSAGES, **lessons.MESSAGES,
                                        **cli.MESSAGES}
TABLES = {"core": core.MESSAGES, "feedback": feedback.MESSAGES, "lessons": lessons.MESSAGES,
          "cli": cli.MESSAGES}
