"""Run untrusted code (graded submissions, a learner's exercises) in a fresh, confined process per submission, and never trust what it says.

Grader side (``supervisor``): a ``Sandbox`` keeps one warm "zygote" process and starts a
``Session`` (a fresh child forked from it) per submission. Sandboxed side: ``zygote`` forks
the children; each confines itself (``confinement``: rlimits, namespaces, user, seccomp,
audit hook; ``landlock``: files, TCP, signals) before any student code runs, then runs the
request ``server``, which calls the student's functions through the ``adapters`` and returns
plain numbers over ``frames`` (length-prefixed JSON). docs/grading.md lists every layer, what
it covers and what it does not.
"""

from __future__ import annotations

from tutor.sandbox.supervisor import (
    Limits,
    Sandbox,
    SandboxError,
    SandboxSettings,
    Session,
    StudentCodeError,
    protections,
)

__all__ = ["Limits", "Sandbox", "SandboxError", "SandboxSettings",
           "Session", "StudentCodeError", "protections"]
