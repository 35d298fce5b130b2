"""Where each learner is: one JSON file, saved after every step, atomically.

The file lives in ``$TUTOR_HOME`` if set, else ``$XDG_STATE_HOME/tutor``, else
``~/.local/state/tutor``. It is written to a temporary file and renamed over the old one, so
a crash or Ctrl-C leaves either the old or the new file, never half of one. A file that is
not ours (corrupt JSON, another format) is moved aside as ``progress.json.bad`` (then
``.bad.2``, ``.bad.3``: an earlier backup is never overwritten) with a warning, and the learner
starts fresh. A state directory that cannot be used (a file, a path that cannot be created)
is a :class:`~tutor.errors.TutorError`, one line. ``ProgressStore.scratch()`` is a store that
is never read nor written: scripted and ``--auto`` runs use it unless asked to ``--save``.
Remembered settings (the language) live in the same file.

>>> import tempfile, pathlib
>>> store = ProgressStore(pathlib.Path(tempfile.mkdtemp()) / "progress.json")
>>> store.record("polynomial", "dydx", "passed"); store.save()
>>> ProgressStore(store.path).lesson("polynomial")["steps"]
{'dydx': 'passed'}
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from tutor.errors import TutorError
from tutor.messages import text as message

FORMAT = "tutor-progress"
VERSION = 1
STATUSES = ("passed", "failed", "skipped", "seen")
#: The statuses `tutor learn N --retry` plays again: every step tried and not passed.
TO_RETRY = ("failed", "skipped", "seen")


def state_dir() -> Path:
    """The tutor's state directory (not created)."""
    if os.environ.get("TUTOR_HOME"):
        return Path(os.environ["TUTOR_HOME"])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "tutor"


class ProgressStore:
    """Read on creation; ``warning`` says what happened to a file that could not be used."""

    def __init__(self, path: Path | None = None, *, keep: bool = True):
        self.path = path or state_dir() / "progress.json"
        self.keep = keep
        self.warning: str | None = None
        self.data = self._load() if keep else self._fresh()

    @classmethod
    def scratch(cls) -> ProgressStore:
        """A store that starts empty and never touches the disk (a demo, a scripted run)."""
        return cls(Path(os.devnull), keep=False)

    def check_writable(self) -> None:
        """Create the state directory now; TutorError (one line) if it cannot be used."""
        if not self.keep:
            return
        directory = self.path.parent
        if directory.exists() and not directory.is_dir():
            raise _unusable(directory, NotADirectoryError(20, message("progress_is_a_file")))
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _unusable(self.path.parent, error) from None
        if not os.access(self.path.parent, os.W_OK):
            raise TutorError(message("progress_unusable", directory=self.path.parent,
                                     why=message("not_writable")))

    def _fresh(self) -> dict:
        return {"format": FORMAT, "version": VERSION, "last": None, "lessons": {}}

    def _load(self) -> dict:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return self._fresh()
        except (NotADirectoryError, IsADirectoryError) as error:
            self.check_writable()  # names a state directory that is a file
            raise _unusable(self.path.parent, error) from None
        except (OSError, UnicodeDecodeError) as error:
            return self._set_aside(message("progress_unreadable", error=error))
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            return self._set_aside(message("progress_not_json", line=error.lineno))
        problem = _problem(data)
        return self._set_aside(problem) if problem else data

    def _set_aside(self, problem: str) -> dict:
        bad = self.path.with_name(self.path.name + ".bad")
        number = 1
        while bad.exists():
            number += 1
            bad = self.path.with_name(f"{self.path.name}.bad.{number}")
        try:
            os.replace(self.path, bad)
            kept = message("progress_kept_as", path=bad)
        except OSError:
            kept = message("progress_left_in_place")
        self.warning = message("progress_set_aside", path=self.path, problem=problem, kept=kept)
        return self._fresh()

    # ------------------------------------------------------------ reading

    def lesson(self, lesson_id: str) -> dict:
        """``{"position": step id or None, "finished": bool, "steps": {id: status}}``."""
        entry = self.data["lessons"].get(lesson_id) or {}
        return {"position": entry.get("position"), "finished": bool(entry.get("finished")),
                "steps": dict(entry.get("steps") or {})}

    @property
    def last(self) -> str | None:
        return self.data.get("last")

    def to_retry(self, lesson_id: str) -> list[str]:
        """The steps of ``lesson_id`` recorded as failed, skipped or seen (solution shown)."""
        return [step for step, status in self.lesson(lesson_id)["steps"].items()
                if status in TO_RETRY]

    def setting(self, name: str) -> str | None:
        """A remembered setting (``lang``), or None."""
        return (self.data.get("settings") or {}).get(name)

    def remember(self, name: str, value: str) -> None:
        self.data.setdefault("settings", {})[name] = value

    # ------------------------------------------------------------ changing

    def _entry(self, lesson_id: str) -> dict:
        self.data["last"] = lesson_id
        entry = self.data["lessons"].setdefault(lesson_id, {"position": None, "finished": False,
                                                            "steps": {}})
        entry["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
        return entry

    def at(self, lesson_id: str, step_id: str) -> None:
        self._entry(lesson_id)["position"] = step_id

    def record(self, lesson_id: str, step_id: str, status: str) -> None:
        self._entry(lesson_id)["steps"][step_id] = status

    def finish(self, lesson_id: str) -> None:
        entry = self._entry(lesson_id)
        entry["finished"], entry["position"] = True, None

    def forget(self, lesson_id: str | None = None) -> None:
        """Forget one lesson, or everything."""
        if lesson_id is None:
            settings = self.data.get("settings")
            self.data = self._fresh()
            if settings:
                self.data["settings"] = settings
            return
        self.data["lessons"].pop(lesson_id, None)
        if self.data.get("last") == lesson_id:
            self.data["last"] = None

    def save(self) -> None:
        """Write the file atomically (temporary file in the same directory, then rename)."""
        if not self.keep:
            return
        self.check_writable()
        try:
            descriptor, temporary = tempfile.mkstemp(prefix=".progress-", suffix=".tmp",
                                                     dir=self.path.parent)
        except OSError as error:
            raise _unusable(self.path.parent, error) from None
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
                json.dump(self.data, stream, ensure_ascii=False, indent=1)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _unusable(directory: Path, error: OSError) -> TutorError:
    return TutorError(message("progress_unusable", directory=directory, why=error.strerror))


def _problem(data: object) -> str | None:
    """Why ``data`` is not a progress file of ours, or None."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return message("progress_not_ours")
    if data.get("version") != VERSION:
        return message("progress_version", version=data.get("version"), reads=VERSION)
    lessons = data.get("lessons")
    if not isinstance(data.get("settings", {}), dict):
        return message("progress_damaged_settings")
    if not isinstance(lessons, dict) or not all(
            isinstance(entry, dict) and isinstance(entry.get("steps", {}), dict)
            for entry in lessons.values()):
        return message("progress_damaged_lessons")
    return None
