"""Report formats, atomic writes, shard merging."""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from tutor.errors import TutorError
from tutor.grading.model import Assignment, Component, Question, QuestionResult, SubmissionResult
from tutor.grading.gradescope import results_json
from tutor.grading.reporters import (
    Graded,
    class_sheet,
    folder_name,
    junit,
    merge,
    read_graded,
    write_atomic,
    write_reports,
)

QUESTIONS = (Question("q1", "derivative", 2.0), Question("q2", "value", 1.0))
ASSIGNMENT = Assignment("hw1", "Homework 1", QUESTIONS, fingerprint="abc")


def result(student: str, q1: float, problems=()) -> SubmissionResult:
    return SubmissionResult(student, "hw1", (
        QuestionResult("q1", q1, 2.0, "correct" if q1 == 2 else "partial", "d/dx: Correct.\nd/dy: <no> & 'x'",
                       (Component("d/dx", 1.0, "Correct."), Component("d/dy", q1 - 1, "no", "sign"))),
        QuestionResult("q2", 0.0, 1.0, "unanswered", "No answer.", (Component("answer", 0.0, "No answer."),)),
    ), tuple(problems), "f00", ("answers.yaml",))


CLASS = Graded.of(ASSIGNMENT, [result("zed", 1.0, ["answers.yaml:3: unknown question 'q9'"]),
                               result("amy", 2.0)])


def test_results_are_sorted_by_student():
    assert [r.student for r in CLASS.results] == ["amy", "zed"]


def test_gradescope_results_json():
    data = json.loads(results_json(CLASS.results[1], CLASS.assignment))
    assert data["score"] == 1.0
    assert data["output"] == "answers.yaml:3: unknown question 'q9'"
    first = data["tests"][0]
    assert {k: first[k] for k in ("name", "score", "max_score", "status", "visibility")} == {
        "name": "q1", "score": 1.0, "max_score": 2.0, "status": "failed", "visibility": "visible"}
    assert "d/dy" in first["output"]
    assert "execution_time" not in data  # no timings: reruns are byte-identical


def test_class_sheet():
    rows = list(csv.reader(io.StringIO(class_sheet(CLASS))))
    assert rows[0] == ["student", "q1", "q2", "total", "max_score", "problems"]
    assert rows[1] == ["amy", "2", "0", "2", "3", ""]
    assert rows[2][0] == "zed" and rows[2][3] == "1" and "q9" in rows[2][5]


def test_junit_is_valid_xml_with_escaped_feedback():
    root = ET.fromstring(junit(CLASS).split("?>", 1)[1])
    assert root.get("tests") == "4" and root.get("failures") == "3"
    suites = {s.get("name"): s for s in root}
    failure = suites["zed"].find("testcase[@name='q1']/failure")
    assert failure.get("message") == "1/2 points" and "<no> & 'x'" in failure.text
    assert suites["amy"].find("testcase[@name='q1']/failure") is None
    assert "q9" in suites["zed"].find("system-out").text


def test_reports_are_written_atomically_and_identically(tmp_path):
    written = write_reports(CLASS, tmp_path, ["csv", "junit", "gradescope"])
    names = sorted(str(p.relative_to(tmp_path)) for p in written)
    assert names == ["grades.csv", "grades.json", f"gradescope/{folder_name('amy')}/results.json",
                     f"gradescope/{folder_name('zed')}/results.json", "junit.xml"]
    before = {p: p.read_bytes() for p in written}
    write_reports(CLASS, tmp_path, ["csv", "junit", "gradescope"])
    assert {p: p.read_bytes() for p in written} == before
    assert not [p for p in tmp_path.rglob(".*")]  # no temporary files left behind


def test_single_submission_gradescope_goes_where_gradescope_looks(tmp_path):
    one = Graded.of(ASSIGNMENT, [result("submission", 2.0)])
    write_reports(one, tmp_path, ["gradescope"])
    assert json.loads((tmp_path / "results.json").read_text())["score"] == 2.0


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "grades.csv"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, None)  # fails half-way, after the temporary file exists
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]


def test_grades_json_round_trips(tmp_path):
    write_reports(CLASS, tmp_path, [])
    assert read_graded(tmp_path) == CLASS


def test_merge_checks_assignment_and_duplicates():
    amy, zed = CLASS.results[0], CLASS.results[1]
    parts = [Graded(CLASS.assignment, (zed,)), Graded(CLASS.assignment, (amy, zed))]
    assert merge(parts) == CLASS  # the same student in two shards: fine when identical
    changed = Graded(CLASS.assignment, (result("amy", 1.0),))
    with pytest.raises(TutorError, match="'amy' was graded differently"):
        merge([CLASS, changed])
    other = Graded({**CLASS.assignment, "fingerprint": "new"}, ())
    with pytest.raises(TutorError, match="different assignments or versions"):
        merge([CLASS, other])


def test_read_graded_explains_bad_input(tmp_path):
    with pytest.raises(TutorError, match="not found"):
        read_graded(tmp_path)
    (tmp_path / "grades.json").write_text("{}")
    with pytest.raises(TutorError, match="not a grades file"):
        read_graded(tmp_path)
