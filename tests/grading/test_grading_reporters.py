"""Report formats, atomic writes, shard merging."""

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tutor.errors import TutorError
from tutor.grading.gradescope import results_json
from tutor.grading.model import Assignment, Component, Question, QuestionResult, SubmissionResult
from tutor.grading.reporters import (
    Graded,
    class_sheet,
    folder_name,
    junit,
    merge,
    read_graded,
    update,
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


# ------------------------------------------------------------------ hostile student text

FORGED = "[/red][bold red]x[/"  # an unmatched closing tag: MarkupError before
HOSTILE_FEEDBACK = ("Your code raised: \x00\x07\x1b[2J\x1b]0;owned\x07 \u202egnp.exe\r\n"
                    "at /tmp/tutor-sandbox-k3j9x0a1/solution.py (pid 31337) \udcff\ufffe")


def hostile(student: str, feedback: str = HOSTILE_FEEDBACK) -> SubmissionResult:
    return SubmissionResult(student, "hw1", (
        QuestionResult("q1", 0.0, 2.0, "error", feedback,
                       (Component("answer", 0.0, feedback, FORGED),)),
        QuestionResult("q2", 1.0, 1.0, "correct", "Correct.", (Component("answer", 1.0, "ok"),)),
    ), (f"answers.yaml: {FORGED} \x1b[31m",), "f00", ("answers.yaml",))


HOSTILE_NAMES = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "\rReturn",
                 "bell\x07", "bad\udcffbyte", "\u202eevil", "张伟", "李娜", "Doe Jane", "Doe, Jane"]


def test_every_report_stays_valid_for_hostile_student_text(tmp_path):
    graded = Graded.of(ASSIGNMENT, [hostile(name) for name in HOSTILE_NAMES])
    write_reports(graded, tmp_path, ["csv", "junit", "gradescope"])
    root = ET.parse(tmp_path / "junit.xml").getroot()  # parses: no raw control characters
    assert len(root) == len(HOSTILE_NAMES)
    failure = root.find("testsuite/testcase[@name='q1']/failure")
    assert "\\x07" in failure.text and "\x1b" not in failure.text and "\\u202e" in failure.text
    data = json.loads((tmp_path / "grades.json").read_bytes().decode("utf-8"))  # strict UTF-8
    assert len(data["results"]) == len(HOSTILE_NAMES)
    rows = list(csv.reader(io.StringIO((tmp_path / "grades.csv").read_text(encoding="utf-8"))))
    for row in rows[1:]:
        assert not row[0].startswith(("=", "+", "-", "@", "\t", "\r")), row[0]
        assert row[-1].startswith("answers.yaml")
    assert {row[0] for row in rows} >= {"'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)",
                                        "bell\\x07", "bad\\xffbyte", "\\u202eevil"}
    results = sorted((tmp_path / "gradescope").glob("*/results.json"))
    assert len(results) == len(HOSTILE_NAMES)  # one folder per student: no two collide
    students = {json.loads(p.read_bytes().decode("utf-8"))["extra_data"]["student"] for p in results}
    assert {"张伟", "李娜", "Doe Jane", "Doe, Jane"} <= students  # the original names are kept


def test_folder_names_are_readable_and_unique():
    names = ["张伟", "李娜", "Doe Jane", "Doe, Jane", "doe jane", "..", "", "a/b", "a_b"]
    folders = [folder_name(n) for n in names]
    assert len(set(folders)) == len(names)
    assert folders[0].startswith("张伟-") and folders[2].startswith("Doe_Jane-")
    assert all("/" not in f and not f.startswith(".") for f in folders)


def test_the_terminal_summary_shows_forged_markup_as_text():
    from rich.console import Console

    from tutor.grading.summary import render

    console = Console(record=True, width=200, force_terminal=True, color_system=None)
    graded = Graded.of(ASSIGNMENT, [hostile(f"{FORGED}ann\x1b[31m")])
    render(console, graded.assignment, graded.results)  # a MarkupError before
    shown = console.export_text()
    assert f"{FORGED} ×1" in shown and f"{FORGED}ann" in shown
    assert "\x1b" not in shown and "owned" not in shown


def test_reruns_are_identical_whatever_the_sandbox_folder_and_pid():
    first = hostile("ann", "printed /tmp/tutor-sandbox-aaaaaaaa/x.txt pid 100 at 0x7f00aa uid 1500012345")
    again = hostile("ann", "printed /tmp/tutor-sandbox-b1c2d3e4/x.txt pid 999 at 0x7f99bb uid 1500054321")
    reports = [Graded.of(ASSIGNMENT, [r]) for r in (first, again)]
    assert reports[0].to_json() == reports[1].to_json()
    assert junit(reports[0]) == junit(reports[1])
    feedback = reports[0].results[0].questions[0].feedback
    assert feedback == "printed <sandbox>/x.txt pid <pid> at <address> uid <uid>"


# ------------------------------------------------------------------ regrading into --out


def test_regrading_some_students_keeps_the_others():
    regraded = Graded.of(ASSIGNMENT, [result("amy", 1.0)])
    merged = update(CLASS, regraded, Path("grades"))
    assert [(r.student, r.score) for r in merged.results] == [("amy", 1.0), ("zed", 1.0)]


def test_regrading_refuses_another_assignment_or_a_partial_new_version():
    other = Graded({**CLASS.assignment, "id": "hw2"}, (result("amy", 1.0),))
    with pytest.raises(TutorError, match="holds grades of assignment 'hw1', not 'hw2'"):
        update(CLASS, other, Path("grades"))
    newer = {**CLASS.assignment, "fingerprint": "new"}
    with pytest.raises(TutorError, match="another version of 'hw1'"):
        update(CLASS, Graded(newer, (result("amy", 1.0),)), Path("grades"))
    everyone = Graded(newer, (result("amy", 1.0), result("zed", 2.0)))
    assert update(CLASS, everyone, Path("grades")) == everyone  # the whole class regraded


def test_execution_time_only_for_one_submission(tmp_path):
    from tutor.grading.gradescope import Context

    timed = Context(execution_time=12.34)
    write_reports(Graded.of(ASSIGNMENT, [result("amy", 2.0)]), tmp_path / "one", ["gradescope"], timed)
    assert json.loads((tmp_path / "one" / "results.json").read_text())["execution_time"] == 12.3
    write_reports(CLASS, tmp_path / "class", ["gradescope"], timed)
    for path in (tmp_path / "class" / "gradescope").glob("*/results.json"):
        assert "execution_time" not in json.loads(path.read_text())
