"""Write grades for people and programs: Gradescope, CSV, JSON, JUnit; and merge shards.

Every file is written atomically (a temporary file, then a rename) and holds no timestamps,
so grading the same inputs twice gives byte-identical files. ``grades.json`` is always
written: it holds everything, and ``merge`` combines the ones written by shards.

>>> FORMATS
('gradescope', 'json', 'csv', 'junit')
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tutor.documents import write_atomic
from tutor.errors import TutorError
from tutor.grading.gradescope import Context, results_json
from tutor.grading.model import Assignment, SubmissionResult
from tutor.grading.untrusted import clean_result, spreadsheet_cell

FORMATS = ("gradescope", "json", "csv", "junit")
GRADES_FILE = "grades.json"


@dataclass(frozen=True)
class Graded:
    """A graded class: what the assignment was (enough to report without its file) and results
    (their student-provided text cleaned: see ``tutor.grading.untrusted``)."""

    assignment: dict  # id, title, fingerprint, max_score, questions: [{id, type, points, ...}]
    results: tuple[SubmissionResult, ...]

    @classmethod
    def of(cls, assignment: Assignment, results: Iterable[SubmissionResult]) -> Graded:
        summary = {
            "id": assignment.id, "title": assignment.title, "fingerprint": assignment.fingerprint,
            "max_score": assignment.max_score,
            "questions": [{"id": q.id, "type": q.type, "points": q.points,
                           "visibility": q.visibility} for q in assignment.questions],
        }
        if assignment.late_penalty is not None:
            summary["late_penalty"] = dataclasses.asdict(assignment.late_penalty)
        return cls.sorted(summary, results)

    @classmethod
    def sorted(cls, assignment: dict, results: Iterable[SubmissionResult]) -> Graded:
        """``results`` cleaned and sorted by student."""
        return cls(assignment, tuple(sorted(map(clean_result, results), key=lambda r: r.student)))

    def to_json(self) -> str:
        data = {"assignment": self.assignment, "results": [r.to_dict() for r in self.results]}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_reports(graded: Graded, out: Path, formats: Sequence[str],
                  gradescope: Context | None = None) -> list[Path]:
    """Write ``grades.json`` and the requested formats into ``out``; the paths written.
    ``gradescope`` adds what only a Gradescope run knows (lateness, execution time)."""
    gradescope = gradescope or Context()
    files = {out / GRADES_FILE: graded.to_json()}
    if "csv" in formats:
        files[out / "grades.csv"] = class_sheet(graded)
    if "junit" in formats:
        files[out / "junit.xml"] = junit(graded)
    if "gradescope" in formats:
        if len(graded.results) == 1:
            files[out / "results.json"] = results_json(graded.results[0], graded.assignment,
                                                       gradescope)
        else:  # the run's time is no one student's execution_time
            each = dataclasses.replace(gradescope, execution_time=None)
            for result in graded.results:
                files[out / "gradescope" / folder_name(result.student) / "results.json"] = \
                    results_json(result, graded.assignment, each)
    for path, text in files.items():
        write_atomic(path, text)
    return list(files)


def folder_name(student: str) -> str:
    """A folder name for ``student``'s files: readable, and unique per name (a short hash of
    the exact name follows the readable part).

    >>> folder_name("Doe, Jane"), folder_name("Doe Jane"), folder_name("张伟"), folder_name("..")
    ('Doe_Jane-17a6fb0c', 'Doe_Jane-e075274e', '张伟-a3a0bafd', 'student-5ec1f7e7')
    """
    readable = re.sub(r"[^\w.@-]+", "_", unicodedata.normalize("NFKC", student))
    readable = readable.strip("._-")[:40] or "student"
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{readable}-{digest}"


def class_sheet(graded: Graded) -> str:
    """One row per student: the score of each question, the total, and any problems."""
    ids = [q["id"] for q in graded.assignment["questions"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(map(spreadsheet_cell, ["student", *ids, "total", "max_score", "problems"]))
    for result in graded.results:
        scores = {q.id: q.score for q in result.questions}
        writer.writerow([spreadsheet_cell(result.student), *(_number(scores.get(i, 0.0)) for i in ids),
                         _number(result.score), _number(result.max_score),
                         spreadsheet_cell(" | ".join(result.problems))])
    return buffer.getvalue()


def _number(value: float) -> str:
    return f"{value:g}"


def junit(graded: Graded) -> str:
    """JUnit XML: a test suite per student, a test case per question (CI systems show these)."""
    name = graded.assignment["id"]
    root = ET.Element("testsuites", name=name)
    failures = 0
    for result in graded.results:
        failed = [q for q in result.questions if q.status != "correct"]
        failures += len(failed)
        suite = ET.SubElement(root, "testsuite", name=result.student, tests=str(len(result.questions)),
                              failures=str(len(failed)), errors="0")
        for question in result.questions:
            case = ET.SubElement(suite, "testcase", classname=f"{name}.{result.student}",
                                 name=question.id)
            if question.status != "correct":
                failure = ET.SubElement(case, "failure", type=question.status, message=(
                    f"{_number(question.score)}/{_number(question.max_score)} points"))
                failure.text = question.feedback
        if result.problems:
            ET.SubElement(suite, "system-out").text = "\n".join(result.problems)
    root.set("tests", str(sum(len(r.questions) for r in graded.results)))
    root.set("failures", str(failures))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def read_graded(path: Path) -> Graded:
    """A ``grades.json`` (or a folder holding one) written by ``write_reports``."""
    file = path / GRADES_FILE if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        return Graded.sorted(data["assignment"],
                             [SubmissionResult.from_dict(r) for r in data["results"]])
    except FileNotFoundError:
        raise TutorError(f"{file}: not found; give the --out folders of the shards") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TutorError(f"{file}: not a grades file written by `tutor grade` ({error})") from None


def update(existing: Graded, new: Graded, where: Path) -> Graded:
    """``new`` merged into the report ``existing`` found in ``where``: the students graded now
    replace their earlier results, the others are kept. A report of another assignment, or of
    another version of it that the new grades do not cover completely, is refused."""
    check_same_assignment(existing, new.assignment["id"], where)
    old, now = existing.assignment, new.assignment
    graded_now = {r.student for r in new.results}
    if old["fingerprint"] != now["fingerprint"]:
        if {r.student for r in existing.results} <= graded_now:
            return new
        raise TutorError(f"{where} holds grades of another version of {now['id']!r} "
                         f"({old['fingerprint']}, now {now['fingerprint']}): regrade the whole "
                         "class into it, or give --replace (or another --out)")
    kept = [r for r in existing.results if r.student not in graded_now]
    return Graded.sorted(now, [*kept, *new.results])


def check_same_assignment(existing: Graded, assignment_id: str, where: Path) -> None:
    """Refuse to merge grades of ``assignment_id`` into a report of another assignment."""
    if existing.assignment["id"] != assignment_id:
        raise TutorError(f"{where} holds grades of assignment {existing.assignment['id']!r}, not "
                         f"{assignment_id!r}: give another --out, or --replace to overwrite them")


def merge(parts: Sequence[Graded]) -> Graded:
    """One graded class from shards of the same assignment; a student graded twice must
    have the same result in both."""
    if not parts:
        raise TutorError("nothing to merge")
    first = parts[0].assignment
    by_student: dict[str, SubmissionResult] = {}
    for part in parts:
        if part.assignment != first:
            raise TutorError(f"cannot merge grades of different assignments or versions: "
                             f"{first['id']} ({first['fingerprint']}) and "
                             f"{part.assignment['id']} ({part.assignment['fingerprint']})")
        for result in part.results:
            if by_student.setdefault(result.student, result) != result:
                raise TutorError(f"student {result.student!r} was graded differently in two shards")
    return Graded(first, tuple(sorted(by_student.values(), key=lambda r: r.student)))
