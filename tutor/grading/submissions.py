"""Find each student's files: a folder per student, or files named after the student.

``alice/`` (holding ``answers.yaml`` and/or ``solution.py``), ``bob.yaml`` and ``bob.py``
give students ``alice`` and ``bob``. Problems (a missing path, two answers files) are kept
with the submission and reported for that student only.

>>> [s.student for s in collect(["examples/submissions/alice"])]  # doctest: +SKIP
['alice']
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tutor.documents import SUFFIXES
from tutor.errors import TutorError

MAX_CODE_BYTES = 1_000_000
DEFAULT_MODULE = "solution"


@dataclass(frozen=True)
class Submission:
    student: str
    sources: tuple[str, ...]  # the paths given for this student
    answers: Path | None = None
    code: dict[str, bytes] = field(default_factory=dict)  # Python files by name
    module: str | None = None  # the one to import
    problems: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Hash of the submitted content: regrading the same files is the same attempt."""
        digest = hashlib.sha256()
        if self.answers is not None and self.answers.is_file():
            digest.update(self.answers.name.encode() + b"\0" + self.answers.read_bytes())
        for name, data in sorted(self.code.items()):
            digest.update(name.encode() + b"\0" + data)
        return digest.hexdigest()[:16]

    @property
    def files(self) -> tuple[str, ...]:
        names = [self.answers.name] if self.answers is not None else []
        return tuple(names + sorted(self.code))


def student_of(path: Path) -> str:
    return path.name if path.is_dir() else path.stem


def shard_of(student: str, count: int) -> int:
    """The shard (0-based) a student belongs to: stable whatever the rest of the class is."""
    return int(hashlib.sha256(student.encode()).hexdigest(), 16) % count


def collect(paths: Sequence[str | Path]) -> list[Submission]:
    """One submission per student, sorted by student; files with one stem are one student."""
    groups: dict[str, list[Path]] = {}
    for path in map(Path, paths):
        groups.setdefault(student_of(path), []).append(path)
    return [_submission(student, groups[student]) for student in sorted(groups)]


def _submission(student: str, paths: list[Path]) -> Submission:
    sources = tuple(str(p) for p in paths)
    folders = [p for p in paths if p.is_dir()]
    if len(folders) > 1 or (folders and len(paths) > 1):
        raise TutorError(f"two submissions for student {student!r}: {', '.join(sources)}")
    problems: list[str] = []
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            problems.append(f"submission not found: {path}")
        elif path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in (*SUFFIXES, ".py"))
        else:
            files.append(path)
    files = [f for f in files if _usable(f, problems)]
    answers = _answers_file([f for f in files if f.suffix.lower() in SUFFIXES], problems)
    code = {f.name: f.read_bytes() for f in files if f.suffix == ".py"}
    if not answers and not code and not problems:
        problems.append(f"no answers file ({', '.join(SUFFIXES)}) and no .py file in {sources[0]}")
    return Submission(student, sources, answers, code, _module(code, problems), tuple(problems))


def _usable(path: Path, problems: list[str]) -> bool:
    if path.is_symlink():
        problems.append(f"{path}: symbolic links are not graded")
        return False
    if not path.is_file():
        return False
    if path.suffix == ".py" and path.stat().st_size > MAX_CODE_BYTES:
        problems.append(f"{path}: larger than {MAX_CODE_BYTES} bytes; not run")
        return False
    if path.suffix not in (*SUFFIXES, ".py"):
        problems.append(f"{path}: not an answers file ({', '.join(SUFFIXES)}) or a .py file")
        return False
    return True


def _answers_file(candidates: list[Path], problems: list[str]) -> Path | None:
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    named = [p for p in candidates if p.stem == "answers"]
    if len(named) == 1:
        return named[0]
    problems.append(f"several answers files ({', '.join(p.name for p in candidates)}); "
                    "keep one, or name it answers.yaml")
    return None


def _module(code: dict[str, bytes], problems: list[str]) -> str | None:
    if len(code) == 1:
        return Path(next(iter(code))).stem
    if f"{DEFAULT_MODULE}.py" in code:
        return DEFAULT_MODULE
    if code:
        problems.append(f"several Python files ({', '.join(sorted(code))}) and none named "
                        f"{DEFAULT_MODULE}.py; the code questions need one entry file")
    return None
