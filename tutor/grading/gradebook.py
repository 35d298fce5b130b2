"""Every graded submission, kept in SQLite: history per student across assignments.

Rows are keyed by assignment, student, attempt and question. An attempt is one distinct
submitted content: regrading the same files replaces that attempt's rows (idempotent),
new files make a new attempt. Each attempt records the assignment version (its content
hash) that graded it, and when it was last graded: history lists attempts in grading order,
so the last one is the grade that counts (a student who reverts to earlier files makes that
earlier attempt the newest again). Each submission is recorded in one transaction, so a
crash mid-batch leaves every submission either fully recorded or not at all. The schema
version lives in ``PRAGMA user_version`` and older files are migrated when opened.

>>> book = Gradebook(":memory:")
>>> book.schema_version()
2
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from tutor.errors import TutorError
from tutor.grading.model import SubmissionResult
from tutor.grading.untrusted import clean_result, spreadsheet_cell

#: MIGRATIONS[n] brings a version-n file to version n + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE assignments (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, max_score REAL NOT NULL,
        fingerprint TEXT NOT NULL);
    CREATE TABLE attempts (
        assignment TEXT NOT NULL REFERENCES assignments(id), student TEXT NOT NULL,
        attempt INTEGER NOT NULL, fingerprint TEXT NOT NULL, score REAL NOT NULL,
        max_score REAL NOT NULL, problems TEXT NOT NULL, recorded_at TEXT NOT NULL,
        PRIMARY KEY (assignment, student, attempt), UNIQUE (assignment, student, fingerprint));
    CREATE TABLE scores (
        assignment TEXT NOT NULL, student TEXT NOT NULL, attempt INTEGER NOT NULL,
        question TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,
        status TEXT NOT NULL, mistakes TEXT NOT NULL, feedback TEXT NOT NULL,
        PRIMARY KEY (assignment, student, attempt, question),
        FOREIGN KEY (assignment, student, attempt) REFERENCES attempts ON DELETE CASCADE);
    CREATE INDEX attempts_by_student ON attempts (student, assignment);
    """,
    # 2: which version of the assignment graded each attempt, and when it was last graded
    # (graded_order: a counter over the whole file, so order is exact within one second).
    """
    ALTER TABLE attempts ADD COLUMN assignment_fingerprint TEXT NOT NULL DEFAULT '';
    ALTER TABLE attempts ADD COLUMN graded_at TEXT NOT NULL DEFAULT '';
    ALTER TABLE attempts ADD COLUMN graded_order INTEGER NOT NULL DEFAULT 0;
    UPDATE attempts SET graded_at = recorded_at, graded_order = rowid;
    """,
)


def default_path() -> Path:
    """``$TUTOR_HOME/gradebook.sqlite`` (TUTOR_HOME defaults to ~/.tutor)."""
    home = os.environ.get("TUTOR_HOME") or Path.home() / ".tutor"
    return Path(home) / "gradebook.sqlite"


class Gradebook:
    """A gradebook file; ``record`` one submission at a time, read back history."""

    def __init__(self, path: str | Path, migrations: Sequence[str] = MIGRATIONS):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA foreign_keys = ON")
            # Write-ahead log: each submission's transaction is atomic and survives a crash of
            # the grader; an OS crash may lose the last ones, never half of one. 10x faster.
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self._migrate(migrations)
        except sqlite3.DatabaseError as error:
            raise TutorError(f"gradebook {self.path}: {error}") from None

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self, migrations: Sequence[str]) -> None:
        version = self.schema_version()
        if version > len(migrations):
            raise TutorError(f"gradebook {self.path} has schema version {version}, newer than this "
                             f"tutor knows ({len(migrations)}); upgrade tutor")
        for number in range(version, len(migrations)):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in migrations[number].split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def record(self, assignment: dict, result: SubmissionResult) -> int:
        """Store one graded submission in one transaction; returns its attempt number."""
        result = clean_result(result)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            attempt = self._record(assignment, result)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return attempt

    def _record(self, assignment: dict, result: SubmissionResult) -> int:
        db = self.db
        db.execute("INSERT INTO assignments (id, title, max_score, fingerprint) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                   "title = excluded.title, max_score = excluded.max_score, "
                   "fingerprint = excluded.fingerprint",
                   (assignment["id"], assignment["title"], assignment["max_score"],
                    assignment["fingerprint"]))
        key = (result.assignment, result.student)
        row = db.execute("SELECT attempt, recorded_at FROM attempts WHERE assignment = ? AND "
                         "student = ? AND fingerprint = ?", (*key, result.fingerprint)).fetchone()
        now = _now()
        if row is None:
            latest = db.execute("SELECT MAX(attempt) FROM attempts WHERE assignment = ? AND student = ?",
                                key).fetchone()[0]
            attempt, recorded_at = (latest or 0) + 1, now
        else:
            attempt, recorded_at = row
            db.execute("DELETE FROM attempts WHERE assignment = ? AND student = ? AND attempt = ?",
                       (*key, attempt))
        order = db.execute("SELECT COALESCE(MAX(graded_order), 0) + 1 FROM attempts").fetchone()[0]
        db.execute("INSERT INTO attempts (assignment, student, attempt, fingerprint, score, max_score, "
                   "problems, recorded_at, assignment_fingerprint, graded_at, graded_order) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (*key, attempt, result.fingerprint, result.score, result.max_score,
                    json.dumps(list(result.problems)), recorded_at, assignment["fingerprint"], now,
                    order))
        db.executemany("INSERT INTO scores (assignment, student, attempt, question, score, max_score, "
                       "status, mistakes, feedback) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (*key, attempt, q.id, q.score, q.max_score, q.status, "; ".join(q.mistakes), q.feedback)
            for q in result.questions])
        return attempt

    def history(self, student: str | None = None, assignment: str | None = None) -> list[dict]:
        """Attempts per student and assignment in the order they were last graded (the last
        one counts), optionally filtered; ``version`` is the assignment's content hash that
        graded the attempt ("" for attempts recorded before versions were)."""
        query = ("SELECT a.student, a.assignment, s.title, a.attempt, a.score, a.max_score, "
                 "a.recorded_at, a.graded_at, a.assignment_fingerprint, a.problems "
                 "FROM attempts a JOIN assignments s ON s.id = a.assignment "
                 "WHERE (? IS NULL OR a.student = ?) AND (? IS NULL OR a.assignment = ?) "
                 "ORDER BY a.student, a.assignment, a.graded_order")
        columns = ("student", "assignment", "title", "attempt", "score", "max_score", "recorded_at",
                   "graded_at", "version", "problems")
        rows = self.db.execute(query, (student, student, assignment, assignment)).fetchall()
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def scores(self, student: str, assignment: str, attempt: int) -> list[dict]:
        rows = self.db.execute(
            "SELECT question, score, max_score, status, mistakes, feedback FROM scores WHERE "
            "student = ? AND assignment = ? AND attempt = ? ORDER BY rowid",
            (student, assignment, attempt)).fetchall()
        columns = ("question", "score", "max_score", "status", "mistakes", "feedback")
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def export_csv(self, file: IO[str]) -> None:
        """Every question score of every attempt, one row each."""
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["assignment", "student", "attempt", "question", "score", "max_score",
                         "status", "mistakes"])
        for row in self.db.execute(
                "SELECT assignment, student, attempt, question, score, max_score, status, mistakes "
                "FROM scores ORDER BY assignment, student, attempt, rowid"):
            writer.writerow([spreadsheet_cell(c) if isinstance(c, str) else c for c in row])


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
