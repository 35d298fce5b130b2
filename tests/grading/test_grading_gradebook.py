"""The SQLite gradebook: history, idempotent regrades, one transaction per submission,
versioned schema."""

import io
import sqlite3

import pytest

from tutor.errors import TutorError
from tutor.grading.gradebook import MIGRATIONS, Gradebook, default_path
from tutor.grading.model import Component, QuestionResult, SubmissionResult

HW1 = {"id": "hw1", "title": "Homework 1", "max_score": 3.0, "fingerprint": "a1"}
HW2 = {"id": "hw2", "title": "Homework 2", "max_score": 1.0, "fingerprint": "b2"}


def submission(student="ann", assignment="hw1", fingerprint="f1", score=2.0) -> SubmissionResult:
    return SubmissionResult(student, assignment, (
        QuestionResult("q1", score, 2.0, "correct", "Correct."),
        QuestionResult("q2", 0.0, 1.0, "wrong", "Not quite."),
    ), (), fingerprint)


@pytest.fixture
def book(tmp_path):
    with Gradebook(tmp_path / "grades.sqlite") as opened:
        yield opened


def dump(book: Gradebook) -> list:
    return [book.db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
            for table in ("assignments", "attempts", "scores")]


def test_default_location_follows_tutor_home(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path))
    assert default_path() == tmp_path / "gradebook.sqlite"


def test_regrading_the_same_files_is_idempotent(book):
    assert book.record(HW1, submission()) == 1
    before = dump(book)
    assert book.record(HW1, submission()) == 1
    assert dump(book) == before


def test_changed_files_are_a_new_attempt_and_history_spans_assignments(book):
    book.record(HW1, submission(fingerprint="f1", score=1.0))
    assert book.record(HW1, submission(fingerprint="f2", score=2.0)) == 2
    book.record(HW2, submission(assignment="hw2", fingerprint="g1", score=0.5))
    book.record(HW1, submission(student="bob"))
    history = book.history("ann")
    assert [(h["assignment"], h["attempt"], h["score"]) for h in history] == \
        [("hw1", 1, 1.0), ("hw1", 2, 2.0), ("hw2", 1, 0.5)]
    assert [s["question"] for s in book.scores("ann", "hw1", 2)] == ["q1", "q2"]
    assert len(book.history(assignment="hw1")) == 3


def test_a_crash_mid_submission_leaves_nothing_half_written(book, monkeypatch):
    book.record(HW1, submission(student="ann"))
    broken = submission(student="bob")
    broken = SubmissionResult(broken.student, broken.assignment,
                              broken.questions + (broken.questions[0],), (), "f1")  # duplicate key
    with pytest.raises(sqlite3.IntegrityError):
        book.record(HW1, broken)
    assert book.history("bob") == []
    assert book.db.execute("SELECT COUNT(*) FROM scores WHERE student = 'bob'").fetchone() == (0,)
    assert len(book.history("ann")) == 1


def test_export_csv(book):
    book.record(HW1, submission())
    out = io.StringIO()
    book.export_csv(out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "assignment,student,attempt,question,score,max_score,status,mistakes"
    assert lines[1:] == ["hw1,ann,1,q1,2.0,2.0,correct,", "hw1,ann,1,q2,0.0,1.0,wrong,"]


def test_old_files_are_migrated_once(tmp_path):
    path = tmp_path / "old.sqlite"
    Gradebook(path).close()  # a file of the current version
    added = MIGRATIONS + ("ALTER TABLE attempts ADD COLUMN note TEXT; CREATE TABLE extra (x)",)
    with Gradebook(path, migrations=added) as book:
        assert book.schema_version() == len(MIGRATIONS) + 1
        book.record(HW1, submission())
    with Gradebook(path, migrations=added) as book:  # nothing left to do
        assert book.schema_version() == len(MIGRATIONS) + 1 and len(book.history()) == 1


def test_a_failing_migration_changes_nothing(tmp_path):
    path = tmp_path / "old.sqlite"
    Gradebook(path).close()
    with pytest.raises(TutorError, match="no such table: nowhere"):
        Gradebook(path, migrations=MIGRATIONS + ("CREATE TABLE extra (x); SELECT * FROM nowhere",))
    with Gradebook(path) as book:
        assert book.schema_version() == len(MIGRATIONS)
        assert book.db.execute("SELECT name FROM sqlite_master WHERE name = 'extra'").fetchone() is None


def test_newer_files_are_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    sqlite3.connect(path).execute("PRAGMA user_version = 9").connection.close()
    with pytest.raises(TutorError, match="schema version 9, newer"):
        Gradebook(path)


def test_not_a_database(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are not grades" * 100)
    with pytest.raises(TutorError, match="gradebook"):
        Gradebook(path)


def test_a_version_1_file_keeps_its_grades_when_migrated(tmp_path):
    path = tmp_path / "v1.sqlite"
    with Gradebook(path, migrations=MIGRATIONS[:1]) as old:
        old.db.execute("INSERT INTO assignments VALUES ('hw1', 'Homework 1', 3.0, 'a1')")
        old.db.execute("INSERT INTO attempts VALUES ('hw1', 'ann', 1, 'f1', 2.0, 3.0, '[]', "
                       "'2026-01-01T00:00:00+00:00')")
    with Gradebook(path) as book:
        [attempt] = book.history("ann")
        assert attempt["graded_at"] == "2026-01-01T00:00:00+00:00" and attempt["version"] == ""
        assert book.record(HW1, submission(fingerprint="f2")) == 2
        assert [h["attempt"] for h in book.history("ann")] == [1, 2]


def test_attempts_are_listed_in_grading_order_and_a_revert_is_newest(book):
    book.record(HW1, submission(fingerprint="first", score=1.0))
    book.record(HW1, submission(fingerprint="second", score=2.0))
    book.record(HW1, submission(fingerprint="first", score=1.0))  # back to the first files
    history = book.history("ann")
    assert [(h["attempt"], h["score"]) for h in history] == [(2, 2.0), (1, 1.0)]  # 1 counts


def test_each_attempt_records_the_assignment_version_that_graded_it(book):
    book.record(HW1, submission(fingerprint="f1"))
    changed = {**HW1, "fingerprint": "a2", "max_score": 4.0}
    book.record(changed, submission(fingerprint="f2"))
    assert [(h["attempt"], h["version"]) for h in book.history("ann")] == [(1, "a1"), (2, "a2")]


def test_student_text_is_cleaned_before_it_is_stored(book):
    hostile = SubmissionResult("=cmd|' /C calc'!A0", "hw1", (
        QuestionResult("q1", 0.0, 2.0, "error", "boom \x1b[31m pid 4242 \ud800", (
            Component("answer", 0.0, "boom", "@SUM(1)"),)),), (), "f1")
    book.record(HW1, hostile)
    [score] = book.scores(hostile.student, "hw1", 1)
    assert score["feedback"] == "boom  pid <pid> \\ud800"
    out = io.StringIO()
    book.export_csv(out)
    assert out.getvalue().splitlines()[1] == "hw1,'=cmd|' /C calc'!A0,1,q1,0.0,2.0,error,'@SUM(1)"
