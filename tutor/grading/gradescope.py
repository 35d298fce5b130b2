"""Gradescope: ``results.json`` for one submission, late penalties from Gradescope's
``submission_metadata.json``, and a ready autograder zip (``tutor gradescope``).

Feedback is plain text that may quote a student's output, so every ``output_format`` is
``text``: nothing a student prints is rendered as HTML or Markdown. The files hold no time
unless asked (``execution_time``), so reruns stay byte-identical.

>>> policy = {"per_day": 0.1, "max": 0.5, "after_late_due_date": 1.0, "grace_minutes": 0.0}
>>> meta = {"created_at": "2026-03-03T10:00:00+00:00",
...         "assignment": {"due_date": "2026-03-01T23:59:00+00:00", "late_due_date": None}}
>>> late = lateness(policy, meta)
>>> late.penalty, late.detail["days"]
(0.2, 2)
"""

from __future__ import annotations

import datetime
import importlib.metadata
import io
import json
import math
import shlex
import stat
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tutor.errors import TutorError
from tutor.grading.model import Assignment, LatePenalty, SubmissionResult
from tutor.grading.untrusted import clean

TEXT = "text"
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
SOURCE_FOLDER = "tutor-src"  # this package's source inside the autograder zip


@dataclass(frozen=True)
class Late:
    """How late one submission was, and what it costs."""

    penalty: float  # the share of the score taken off, 0..1
    message: str  # shown to the student
    detail: dict  # recorded in results.json's extra_data


@dataclass(frozen=True)
class Context:
    """What only a Gradescope run knows: lateness, who submitted, how long grading took."""

    late: Late | None = None
    users: tuple[str, ...] = ()
    execution_time: float | None = None


def results_json(result: SubmissionResult, assignment: Mapping,
                 context: Context | None = None) -> str:
    """Gradescope's ``results.json`` for one graded submission of ``assignment`` (the summary
    ``tutor grade`` keeps: id, fingerprint, questions with their visibility)."""
    context = context or Context()
    visibility = {q["id"]: q.get("visibility", "visible") for q in assignment["questions"]}
    tests = [{
        "name": question.id, "number": str(number),
        "score": question.score, "max_score": question.max_score,
        "status": "passed" if question.status == "correct" else "failed",
        "output": question.feedback, "output_format": TEXT,
        "visibility": visibility.get(question.id, "visible"),
        "extra_data": {"status": question.status, "mistakes": question.mistakes},
    } for number, question in enumerate(result.questions, start=1)]
    extra = {"student": result.student, "assignment": assignment["id"],
             "assignment_fingerprint": assignment["fingerprint"],
             "submission_fingerprint": result.fingerprint, "files": list(result.files)}
    if context.users:
        extra["users"] = list(context.users)
    score, output = result.score, list(result.problems)
    if context.late is not None:
        score = round(score * (1 - context.late.penalty), 4)
        output.insert(0, context.late.message)
        extra["late"] = context.late.detail
    data: dict = {"score": score}
    if context.execution_time is not None:
        data["execution_time"] = round(context.execution_time, 1)
    data.update({"output": "\n".join(output), "output_format": TEXT, "test_output_format": TEXT,
                 "test_name_format": TEXT, "visibility": "visible", "stdout_visibility": "hidden",
                 "extra_data": extra, "tests": tests})
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ submission_metadata.json


def read_context(path: Path, policy: Mapping | None) -> Context:
    """The context of one Gradescope submission from its ``submission_metadata.json``."""
    try:
        metadata = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TutorError(f"{path}: not found (Gradescope writes it as "
                         "/autograder/submission_metadata.json)") from None
    except (OSError, ValueError) as error:
        raise TutorError(f"{path}: not Gradescope's submission metadata ({error})") from None
    if not isinstance(metadata, dict):
        raise TutorError(f"{path}: not Gradescope's submission metadata (expected an object)")
    users = metadata.get("users") if isinstance(metadata.get("users"), list) else []
    names = tuple(clean(str(u["name"])) for u in users if isinstance(u, dict) and u.get("name"))
    try:
        late = lateness(policy, metadata) if policy else None
    except TutorError as error:
        raise TutorError(f"{path}: {error}") from None
    return Context(late, names)


def lateness(policy: Mapping, metadata: Mapping) -> Late | None:
    """The penalty ``policy`` (a LatePenalty as a mapping) sets for the submission described
    by ``metadata``; None when it was on time. Individual extensions (a due date under a
    user's ``assignment``) count: the latest one applies."""
    rule = LatePenalty(**policy)
    created = _time(metadata, "created_at")
    dates = [metadata.get("assignment")] + [
        u.get("assignment") for u in metadata.get("users") or () if isinstance(u, dict)]
    dates = [d for d in dates if isinstance(d, dict) and d.get("due_date")]
    if not dates:
        raise TutorError("'assignment' has no 'due_date'")
    due = max(_time(d, "due_date") for d in dates)
    late_dues = [_time(d, "late_due_date") for d in dates if d.get("late_due_date")]
    delay = created - due
    if delay <= datetime.timedelta(minutes=rule.grace_minutes):
        return None
    days = math.ceil((delay - datetime.timedelta(minutes=rule.grace_minutes)) / datetime.timedelta(days=1))
    penalty = min(rule.max, rule.per_day * days)
    past_late_due = bool(late_dues) and created > max(late_dues)
    if past_late_due:
        penalty = max(penalty, rule.after_late_due_date)
    penalty = round(penalty, 4)
    when = "after the late due date" if past_late_due else "after the due date"
    message = (f"Submitted {_duration(delay)} {when} ({due.isoformat()}): late penalty "
               f"{penalty * 100:g}% of the score.")
    detail = {"submitted": created.isoformat(), "due_date": due.isoformat(), "days": days,
              "penalty": penalty, "past_late_due_date": past_late_due}
    return Late(penalty, message, detail)


def _time(data: Mapping, key: str) -> datetime.datetime:
    text = data.get(key)
    try:
        moment = datetime.datetime.fromisoformat(str(text))
    except ValueError:
        raise TutorError(f"'{key}' is not a date and time: {text!r}") from None
    if moment.tzinfo is None:
        raise TutorError(f"'{key}' has no time zone: {text!r}")
    return moment


def _duration(delay: datetime.timedelta) -> str:
    """``1 day 2 h 5 min``."""
    minutes = math.ceil(delay.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes or not parts else []
    return " ".join(parts)


# ------------------------------------------------------------------ the autograder zip

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image (made by `tutor gradescope`).
# torch comes first, from its CPU-only index: tutor's own requirements then find it installed
# (from PyPI pip would fetch the CUDA build, gigabytes Gradescope has no GPU for).
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${TUTOR_VENV:-/opt/tutor-venv}"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (@PYTHON_VERSION@))'; then
    apt-get update && apt-get install -y python@PYTHON_DOTTED@ python@PYTHON_DOTTED@-venv
    PYTHON=python@PYTHON_DOTTED@
fi
"$PYTHON" -m venv "$VENV" || { apt-get update && apt-get install -y python3-venv && "$PYTHON" -m venv --clear "$VENV"; }
"$VENV/bin/python" -m pip install --upgrade pip
@INSTALL@
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission (made by `tutor gradescope`): it grades
# /autograder/submission and writes /autograder/results/results.json.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
TUTOR="${TUTOR:-${TUTOR_VENV:-/opt/tutor-venv}/bin/tutor}"
cd "$ROOT"
"$TUTOR" grade "$ROOT/source/"@ASSIGNMENT@ "$ROOT/submission" --out "$ROOT/results" \\
    --format gradescope --no-gradebook --quiet --replace --execution-time \\
    --submission-metadata "$ROOT/submission_metadata.json"
"""


def install_lines(python: str, torch: str, package: str) -> list[str]:
    """The two installs, the same for Gradescope's setup.sh and the Dockerfile (a test holds
    the Dockerfile to them): torch from its CPU-only index first, so that tutor's own
    requirements find it installed, then ``package``.

    >>> install_lines("python", "torch==2.13.0", ".")[1]
    'python -m pip install .'
    """
    return [f"{python} -m pip install --index-url {TORCH_INDEX} {torch}",
            f"{python} -m pip install {package}"]


def build_autograder(assignment: Assignment, out: Path, *, package: str | None = None,
                     tensorflow: bool | None = None) -> list[str]:
    """Write the autograder zip for ``assignment`` to ``out``; the names it holds.

    ``package`` is what setup.sh installs after torch (a pip requirement); by default this
    tutor's own source, bundled. ``tensorflow`` adds the TensorFlow extra; by default when a
    code question accepts TensorFlow."""
    if tensorflow is None:
        tensorflow = any(q.type in ("gradient-code", "descent") and q.framework != "torch"
                         for q in assignment.questions)
    source = Path(assignment.path)
    files: dict[str, bytes] = {source.name: source.read_bytes()}
    extra = "[tensorflow]" if tensorflow else ""
    if package is None:
        files.update(_bundled_source())
        requirement = f'"$SOURCE/{SOURCE_FOLDER}{extra}"'
    else:
        requirement = shlex.quote(package + extra)
    minimum = _python_minimum()
    setup = (SETUP.replace("@PYTHON_VERSION@", ", ".join(map(str, minimum)))
             .replace("@PYTHON_DOTTED@", ".".join(map(str, minimum)))
             .replace("@INSTALL@", "\n".join(install_lines(
                 '"$VENV/bin/python"', f"torch=={_torch_version()}", requirement))))
    files["setup.sh"] = setup.encode()
    files["run_autograder"] = RUN.replace("@ASSIGNMENT@", shlex.quote(source.name)).encode()
    _write_zip(out, files, executable={"setup.sh", "run_autograder"})
    return sorted(files)


def _torch_version() -> str:
    """The torch this machine grades with (the local part, like ``+cpu``, dropped)."""
    try:
        return importlib.metadata.version("torch").split("+")[0]
    except importlib.metadata.PackageNotFoundError:
        raise TutorError("torch is not installed here; the autograder pins this machine's "
                         "torch version") from None


def _python_minimum() -> tuple[int, int]:
    requires = importlib.metadata.metadata("tutor").get("Requires-Python") or ">=3.11"
    major, minor = requires.strip().removeprefix(">=").split(".")[:2]
    return int(major), int(minor)


def _bundled_source() -> dict[str, bytes]:
    """This tutor's source (package, setup files, README, lessons) for setup.sh to install."""
    import tutor

    root = Path(tutor.__file__).resolve().parent.parent
    if not (root / "setup.cfg").is_file():
        raise TutorError("this tutor was not installed from a source checkout, so it cannot be "
                         "bundled; give --package with what setup.sh should pip install "
                         "(e.g. a wheel's URL or tutor==VERSION)")
    paths = [root / name for name in ("setup.cfg", "pyproject.toml", "setup.py", "README.md",
                                      "LICENSE") if (root / name).is_file()]
    paths += sorted((root / "lessons").glob("*.yaml"))
    paths += sorted(p for p in (root / "tutor").rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    return {f"{SOURCE_FOLDER}/{p.relative_to(root).as_posix()}": p.read_bytes() for p in paths}


def _write_zip(out: Path, files: Mapping[str, bytes], executable: set[str]) -> None:
    """A zip with fixed dates and modes (the same inputs give the same bytes), written
    atomically."""
    from tutor.documents import write_atomic

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            mode = 0o755 if name in executable else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    write_atomic(out, buffer.getvalue())
