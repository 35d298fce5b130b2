"""`tutor grade` and `tutor gradebook` from the command line."""

import json
import shutil
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.grading.reporters import folder_name

EXAMPLES = Path(__file__).parents[2] / "examples"

TEXT_ASSIGNMENT = """\
title: Warm-up
id: warmup
questions:
  - {id: d1, type: derivative, function: x^3, wrt: x}
  - {id: d2, type: derivative, points: 2, function: sin(x) x, wrt: x}
  - {id: v, type: value, answer: 0.5, tolerance: 0.01}
"""


@pytest.fixture
def text_class(tmp_path):
    (tmp_path / "warmup.yaml").write_text(TEXT_ASSIGNMENT)
    answers = {"ann": "d1: 3x^2\nd2: cos(x) x + sin(x)\nv: 1/2\n", "ben": "d1: 3x\nd2: cos(x)\n",
               "cat": "d1: 3x^2\nv: 0.7\n", "dan": "d1: x^3/3\nd2: x cos(x)\nv: 0.5\n",
               "eli": "d2: [\n"}
    folders = []
    for name, text in answers.items():
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / "answers.yaml").write_text(text)
        folders.append(str(tmp_path / "class" / name))
    return tmp_path / "warmup.yaml", folders


def test_grade_writes_every_format_and_a_summary(text_class, tmp_path, capsys):
    assignment, folders = text_class
    out = tmp_path / "out"
    code = main(["grade", str(assignment), *folders, str(tmp_path / "nobody"), "--out", str(out),
                 "--format", "csv,junit,gradescope,json"])
    assert code == 0
    shown = capsys.readouterr().out
    assert "Warm-up: 6 student(s)" in shown
    assert "product-rule" in shown or "unrecognised mistake" in shown  # most common mistakes
    assert "submission not found" in shown
    assert (out / "grades.csv").read_text().splitlines()[1] == "ann,1,2,1,4,4,"
    assert (out / "junit.xml").exists()
    assert (out / "gradescope" / folder_name("ben") / "results.json").exists()
    first = (out / "grades.json").read_bytes()
    assert main(["grade", str(assignment), *folders, str(tmp_path / "nobody"), "--out", str(out),
                 "--quiet"]) == 0
    assert (out / "grades.json").read_bytes() == first  # rerun: identical


def test_gradebook_show_and_export(text_class, tmp_path, capsys):
    assignment, folders = text_class
    main(["grade", str(assignment), *folders, "--out", str(tmp_path / "out"), "--quiet"])
    main(["grade", str(assignment), *folders, "--out", str(tmp_path / "out"), "--quiet"])
    Path(folders[0], "answers.yaml").write_text("d1: 3x^2\n")  # ann resubmits
    main(["grade", str(assignment), folders[0], "--out", str(tmp_path / "out"), "--quiet"])
    capsys.readouterr()
    assert main(["gradebook", "show"]) == 0
    table = capsys.readouterr().out
    assert table.count("warmup") == 6  # five students, ann twice; regrades added nothing
    assert main(["gradebook", "show", "--student", "ann"]) == 0
    history = capsys.readouterr().out
    assert "attempt 1" in history and "attempt 2" in history and "unanswered" in history
    assert main(["gradebook", "export", "--csv", "--out", str(tmp_path / "book.csv")]) == 0
    rows = (tmp_path / "book.csv").read_text().splitlines()
    assert rows[0].startswith("assignment,student,attempt,question") and len(rows) == 1 + 6 * 3


def test_shards_merge_into_the_full_result(text_class, tmp_path):
    assignment, folders = text_class
    main(["grade", str(assignment), *folders, "--out", str(tmp_path / "full"), "--quiet",
          "--no-gradebook"])
    for k in (1, 2, 3):
        main(["grade", str(assignment), *folders, "--shard", f"{k}/3", "--out",
              str(tmp_path / f"shard{k}"), "--quiet", "--no-gradebook"])
    sizes = [len(json.loads((tmp_path / f"shard{k}" / "grades.json").read_text())["results"])
             for k in (1, 2, 3)]
    assert sum(sizes) == 5
    assert main(["grade", "--merge", *(str(tmp_path / f"shard{k}") for k in (1, 2, 3)),
                 "--out", str(tmp_path / "merged"), "--quiet"]) == 0
    assert (tmp_path / "merged" / "grades.json").read_bytes() == \
        (tmp_path / "full" / "grades.json").read_bytes()


def test_code_questions_end_to_end_with_jobs(tmp_path, capsys):
    out = tmp_path / "out"
    subs = [str(EXAMPLES / "submissions" / name) for name in ("alice", "frank")]
    assert main(["grade", str(EXAMPLES / "assignment.yaml"), *subs, "--out", str(out),
                 "--jobs", "2", "--format", "csv", "--no-gradebook"]) == 0
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[1].startswith("alice,2,2,2,2,1,2,4,4,3,3,25,25")
    assert rows[2].startswith("frank,0,0,0,0,0,0,0,0,0,0,0,25")
    assert "code: missing" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "message"), [
    (["grade", "missing.yaml", "x"], "file not found"),
    (["grade", "{assignment}"], "no submissions given"),
    (["grade", "--merge", "{tmp}"], "not found"),
])
def test_bad_input_is_one_line_and_exit_2(text_class, tmp_path, capsys, argv, message):
    assignment, _ = text_class
    argv = [a.format(assignment=assignment, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tutor: error:") and message in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("option", [["--shard", "3/2"], ["--format", "pdf"], ["--jobs", "0"]])
def test_bad_options_are_usage_errors(text_class, option, capsys):
    assignment, folders = text_class
    with pytest.raises(SystemExit) as exit_:
        main(["grade", str(assignment), *folders, *option])
    assert exit_.value.code == 2 and option[0] in capsys.readouterr().err


def test_merge_refuses_different_assignments(text_class, tmp_path, capsys):
    assignment, folders = text_class
    main(["grade", str(assignment), folders[0], "--out", str(tmp_path / "a"), "--quiet"])
    changed = tmp_path / "changed.yaml"
    shutil.copy(assignment, changed)
    changed.write_text(TEXT_ASSIGNMENT.replace("points: 2", "points: 3"))
    main(["grade", str(changed), folders[1], "--out", str(tmp_path / "b"), "--quiet"])
    assert main(["grade", "--merge", str(tmp_path / "a"), str(tmp_path / "b")]) == 2
    assert "different assignments or versions" in capsys.readouterr().err


def test_regrading_one_student_merges_into_the_class_report(text_class, tmp_path):
    assignment, folders = text_class
    out = tmp_path / "out"
    main(["grade", str(assignment), *folders, "--out", str(out), "--format", "csv", "--quiet"])
    Path(folders[1], "answers.yaml").write_text("d1: 3x^2\n")  # ben resubmits
    main(["grade", str(assignment), folders[1], "--out", str(out), "--format", "csv", "--quiet"])
    rows = (out / "grades.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["ann", "ben", "cat", "dan", "eli"]
    assert rows[2].startswith("ben,1,0,0,1,")
    main(["grade", str(assignment), folders[1], "--out", str(out), "--format", "csv", "--quiet",
          "--replace"])
    assert len((out / "grades.csv").read_text().splitlines()) == 2


def test_regrading_into_a_report_of_another_assignment_is_refused_before_grading(
        text_class, tmp_path, capsys):
    assignment, folders = text_class
    main(["grade", str(assignment), folders[0], "--out", str(tmp_path / "out"), "--quiet"])
    other = tmp_path / "other.yaml"
    other.write_text(TEXT_ASSIGNMENT.replace("id: warmup", "id: week2"))
    assert main(["grade", str(other), folders[0], "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "holds grades of assignment 'warmup', not 'week2'" in capsys.readouterr().err
    assert main(["gradebook", "show", "--assignment", "week2"]) == 0
    assert "no grades recorded" in capsys.readouterr().out


def test_students_with_hostile_or_similar_names_each_get_their_reports(tmp_path, capsys):
    import csv
    import xml.etree.ElementTree as ET

    (tmp_path / "warmup.yaml").write_text(TEXT_ASSIGNMENT)
    names = ["张伟", "李娜", "Doe Jane", "Doe, Jane", "=HYPERLINK(1)", "[bold red]x[", "bell\x07"]
    for name in names:
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / "answers.yaml").write_text("d1: 3x^2\nd9: 1\n")
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "warmup.yaml"),
                 *(str(tmp_path / "class" / n) for n in names),
                 "--out", str(out), "--format", "csv,junit,gradescope"]) == 0
    shown = capsys.readouterr().out
    assert "[bold red]x[" in shown and "\x07" not in shown
    students = {json.loads(p.read_text())["extra_data"]["student"]
                for p in (out / "gradescope").glob("*/results.json")}
    assert students == {*names[:-1], "bell\\x07"}
    rows = list(csv.reader((out / "grades.csv").open()))
    assert "'=HYPERLINK(1)" in [row[0] for row in rows]
    assert len(ET.parse(out / "junit.xml").getroot()) == len(names)


GRADIENT_ASSIGNMENT = """\
title: Gradients
id: gradients
questions:
  - {id: grad, type: derivative, function: x^3 y + y^2, wrt: [x, y]}
  - {id: sq, type: derivative, function: tanh(x)^2, wrt: x}
"""


def test_gradients_in_brackets_or_parentheses_and_sech_through_tutor_grade(tmp_path):
    (tmp_path / "gradients.yaml").write_text(GRADIENT_ASSIGNMENT)
    files = {  # every way a student writes the gradient, in every answers format
        "brackets": ("answers.yaml", 'grad: "[3x^2 y, x^3 + 2y]"\nsq: 2tanh(x) sech(x)^2\n'),
        "parens": ("answers.yaml", 'grad: "(3x^2 y, x^3 + 2y)"\nsq: 2 tanh x sech(x)^2\n'),
        "list": ("answers.yaml", "grad: [3x^2 y, x^3 + 2y]\nsq: 2 tanh(x) / cosh(x)^2\n"),
        "commas": ("answers.yaml", "grad: 3x^2 y, x^3 + 2y\nsq: 2 tanh(x) sech(x)**2\n"),
        "toml": ("answers.toml", 'grad = "[3x^2 y, x^3 + 2y]"\nsq = "2tanh(x) sech(x)^2"\n'),
        "json": ("answers.json", '{"grad": "(3x^2 y, x^3 + 2y)", "sq": "2tanh(x)sech(x)^2"}'),
        "half": ("answers.yaml", 'grad: "[3x^2, x^3 + 2y]"\nsq: 2tanh(x) sech(x)\n'),
        "one": ("answers.yaml", 'grad: "[3x^2 y]"\n'),
    }
    folders = []
    for name, (file_name, text) in files.items():
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / file_name).write_text(text)
        folders.append(str(tmp_path / "class" / name))
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "gradients.yaml"), *folders, "--out", str(out),
                 "--no-gradebook", "--quiet"]) == 0
    results = {r["student"]: {q["id"]: q for q in r["questions"]}
               for r in json.loads((out / "grades.json").read_text())["results"]}
    for name in ("brackets", "parens", "list", "commas", "toml", "json"):
        assert results[name]["grad"]["score"] == 1.0, (name, results[name]["grad"]["feedback"])
        assert results[name]["sq"]["score"] == 1.0, (name, results[name]["sq"]["feedback"])
    half = results["half"]
    assert [c["share"] for c in half["grad"]["components"]] == [0.0, 1.0]
    assert half["sq"]["score"] == 0.0
    assert results["one"]["grad"]["score"] == 0.0
    assert "Expected 2" in results["one"]["grad"]["feedback"]
