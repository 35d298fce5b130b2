"""Gradescope as teachers use it: results.json fields, late penalties from
submission_metadata.json, and the autograder zip run against a fake /autograder tree."""

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.errors import AssignmentError, TutorError
from tutor.grading.gradescope import build_autograder, lateness, read_context, results_json
from tutor.grading.loader import load_assignment
from tutor.grading.model import Assignment, Component, QuestionResult, SubmissionResult
from tutor.grading.reporters import Graded

ASSIGNMENT_YAML = """\
title: Warm-up
id: warmup
late_penalty: {per_day: 10%, max: 30%, grace_minutes: 15}
questions:
  - {id: d1, type: derivative, function: x^3, wrt: x}
  - {id: d2, type: derivative, points: 2, function: sin(x) x, wrt: x, visibility: hidden}
  - {id: v, type: value, answer: 0.5, tolerance: 0.01, visibility: after_due_date}
"""
POLICY = {"per_day": 0.1, "max": 0.3, "after_late_due_date": 1.0, "grace_minutes": 15.0}
DUE = "2026-03-01T23:59:00-05:00"


def metadata(created: str, due: str = DUE, late_due: str | None = None, users=()) -> dict:
    return {"id": 1, "created_at": created, "users": list(users),
            "assignment": {"due_date": due, "late_due_date": late_due, "title": "Warm-up"}}


@pytest.fixture
def assignment_file(tmp_path) -> Path:
    path = tmp_path / "warmup.yaml"
    path.write_text(ASSIGNMENT_YAML)
    return path


# ------------------------------------------------------------------ the assignment's settings


def test_visibility_and_late_penalty_are_read_from_the_assignment(assignment_file):
    assignment = load_assignment(assignment_file)
    assert [q.visibility for q in assignment.questions] == ["visible", "hidden", "after_due_date"]
    assert assignment.late_penalty.per_day == 0.1 and assignment.late_penalty.max == 0.3
    assert assignment.late_penalty.grace_minutes == 15


@pytest.mark.parametrize(("change", "message"), [
    (("visibility: hidden", "visibility: secret"), "visibility: 'secret' is not one of: visible, hidden"),
    (("per_day: 10%", "per_day: 150%"), "per_day: a share of the score is at most 1"),
    (("grace_minutes: 15", "grace: 15"), "unknown field 'grace'"),
])
def test_bad_gradescope_settings_are_refused_with_their_line(assignment_file, change, message):
    assignment_file.write_text(ASSIGNMENT_YAML.replace(*change))
    with pytest.raises(AssignmentError, match=message) as error:
        load_assignment(assignment_file)
    assert error.value.line in (3, 6)


# ------------------------------------------------------------------ results.json


def graded_one(assignment: Assignment) -> Graded:
    questions = tuple(QuestionResult(q.id, q.points, q.points, "correct", "Correct.",
                                     (Component("answer", 1.0, "Correct."),))
                      for q in assignment.questions)
    return Graded.of(assignment, [SubmissionResult("submission", assignment.id, questions, (),
                                                   "f1", ("answers.yaml",))])


def test_results_json_carries_gradescope_fields(assignment_file):
    graded = graded_one(load_assignment(assignment_file))
    data = json.loads(results_json(graded.results[0], graded.assignment))
    assert [t["visibility"] for t in data["tests"]] == ["visible", "hidden", "after_due_date"]
    assert {t["output_format"] for t in data["tests"]} == {"text"}
    assert data["output_format"] == data["test_output_format"] == "text"
    assert data["extra_data"]["student"] == "submission"
    assert data["extra_data"]["assignment_fingerprint"] == graded.assignment["fingerprint"]
    assert data["tests"][0]["extra_data"] == {"status": "correct", "mistakes": []}
    assert "execution_time" not in data and data["score"] == 4.0


# ------------------------------------------------------------------ late penalties


@pytest.mark.parametrize(("created", "late_due", "penalty"), [
    ("2026-03-01T23:00:00-05:00", None, None),       # on time
    ("2026-03-02T00:10:00-05:00", None, None),       # within the 15 grace minutes
    ("2026-03-02T00:20:00-05:00", None, 0.1),        # one started day late
    ("2026-03-02T05:30:00+00:00", None, 0.1),        # the same moment in another time zone
    ("2026-03-03T12:00:00-05:00", None, 0.2),        # two days
    ("2026-03-09T12:00:00-05:00", None, 0.3),        # capped at max
    ("2026-03-04T12:00:00-05:00", "2026-03-03T23:59:00-05:00", 1.0),  # past the late due date
])
def test_late_penalty_per_started_day(created, late_due, penalty):
    late = lateness(POLICY, metadata(created, late_due=late_due))
    assert (late.penalty if late else None) == penalty


def test_an_individual_extension_counts():
    extended = [{"name": "Ann", "assignment": {"due_date": "2026-03-05T23:59:00-05:00"}}]
    assert lateness(POLICY, metadata("2026-03-03T12:00:00-05:00", users=extended)) is None


@pytest.mark.parametrize(("data", "message"), [
    (metadata("yesterday"), "'created_at' is not a date and time"),
    (metadata("2026-03-03T12:00:00"), "'created_at' has no time zone"),
    ({"created_at": "2026-03-03T12:00:00+00:00", "assignment": {}}, "no 'due_date'"),
])
def test_bad_metadata_is_a_clear_error(tmp_path, data, message):
    path = tmp_path / "submission_metadata.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TutorError, match=message):
        read_context(path, POLICY)


def test_unreadable_metadata_files(tmp_path):
    with pytest.raises(TutorError, match="not found"):
        read_context(tmp_path / "missing.json", POLICY)
    (tmp_path / "m.json").write_text("{oops")
    with pytest.raises(TutorError, match="not Gradescope's submission metadata"):
        read_context(tmp_path / "m.json", POLICY)


def test_late_results_json_takes_the_penalty_off_the_score(tmp_path, assignment_file):
    path = tmp_path / "submission_metadata.json"
    path.write_text(json.dumps(metadata("2026-03-03T12:00:00-05:00",
                                        users=[{"name": "Ann \x1b[31mLee"}])))
    graded = graded_one(load_assignment(assignment_file))
    context = read_context(path, graded.assignment["late_penalty"])
    data = json.loads(results_json(graded.results[0], graded.assignment, context))
    assert data["score"] == 3.2  # 4 points, two days late: -20%
    assert data["output"].startswith("Submitted 1 day 12 h 1 min after the due date")
    assert data["extra_data"]["late"]["penalty"] == 0.2
    assert data["extra_data"]["users"] == ["Ann Lee"]
    assert sum(t["score"] for t in data["tests"]) == 4.0  # each question keeps its own score


# ------------------------------------------------------------------ the autograder zip


def test_the_autograder_zip_is_complete_and_reproducible(tmp_path, assignment_file):
    assignment = load_assignment(assignment_file)
    names = build_autograder(assignment, tmp_path / "a.zip")
    build_autograder(assignment, tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert {"setup.sh", "run_autograder", "warmup.yaml", "tutor-src/setup.cfg",
            "tutor-src/tutor/grading/gradescope.py"} <= set(names)
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert not modes["warmup.yaml"] & stat.S_IXUSR
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


FAKE_PYTHON = """#!/bin/sh
# stands in for python3 and the venv's python: records what setup.sh asks of it
echo "$0 $*" >> "$LOG"
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
exit 0
"""


def test_setup_sh_installs_cpu_torch_first_then_tutor(tmp_path, assignment_file):
    import importlib.metadata

    build_autograder(load_assignment(assignment_file), tmp_path / "autograder.zip")
    source = tmp_path / "source"
    unzip(tmp_path / "autograder.zip", source)
    fake = tmp_path / "python3"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    log = tmp_path / "log"
    env = {**os.environ, "PYTHON": str(fake), "TUTOR_VENV": str(tmp_path / "venv"), "LOG": str(log)}
    subprocess.run(["bash", str(source / "setup.sh")], env=env, check=True, timeout=60)
    installs = [line.split(" -m pip install ", 1)[1] for line in log.read_text().splitlines()
                if " -m pip install " in line]
    torch = importlib.metadata.version("torch").split("+")[0]
    assert installs == ["--upgrade pip",
                        f"--index-url https://download.pytorch.org/whl/cpu torch=={torch}",
                        f"{source}/tutor-src"]
    assert torch == "2.13.0"


def test_setup_sh_installs_the_tensorflow_extra_when_asked(tmp_path, assignment_file):
    build_autograder(load_assignment(assignment_file), tmp_path / "a.zip", tensorflow=True,
                     package="tutor==0.1.0")
    setup = zipfile.ZipFile(tmp_path / "a.zip").read("setup.sh").decode()
    assert setup.rstrip().endswith("-m pip install 'tutor==0.1.0[tensorflow]'")
    assert "tutor-src/setup.cfg" not in zipfile.ZipFile(tmp_path / "a.zip").namelist()


def test_the_bundled_source_installs(tmp_path, assignment_file):
    """What setup.sh installs builds as a package (a wheel, no dependencies fetched)."""
    pytest.importorskip("setuptools")
    build_autograder(load_assignment(assignment_file), tmp_path / "a.zip")
    zipfile.ZipFile(tmp_path / "a.zip").extractall(tmp_path / "source")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path / "wheels"), str(tmp_path / "source" / "tutor-src")],
                   check=True, capture_output=True, timeout=300)
    [wheel] = (tmp_path / "wheels").glob("tutor-*.whl")
    assert "tutor/grading/gradescope.py" in zipfile.ZipFile(wheel).namelist()


def unzip(zip_path: Path, target: Path) -> None:
    """Extract keeping each file's mode, as `unzip` (and Gradescope) do."""
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            archive.extract(info, target)
            (target / info.filename).chmod(info.external_attr >> 16 & 0o777)


def fake_autograder(tmp_path: Path, zip_path: Path, answers: str, created: str) -> Path:
    """A temporary folder laid out as Gradescope's /autograder."""
    root = tmp_path / "autograder"
    unzip(zip_path, root / "source")
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "answers.yaml").write_text(answers)
    (root / "results").mkdir()
    (root / "submission_metadata.json").write_text(json.dumps(
        metadata(created, users=[{"email": "ann@example.com", "id": 7, "name": "Ann Lee"}])))
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    return root


def test_run_autograder_grades_a_late_submission_in_a_fake_autograder_tree(tmp_path,
                                                                          assignment_file):
    assert main(["gradescope", str(assignment_file), "--out", str(tmp_path / "ag.zip")]) == 0
    root = fake_autograder(tmp_path, tmp_path / "ag.zip", "d1: 3x^2\nd2: x cos(x) + sin(x)\nv: 2\n",
                           created="2026-03-02T12:00:00-05:00")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root),
           "TUTOR": str(Path(sys.executable).parent / "tutor")}
    done = subprocess.run([str(root / "run_autograder")], env=env, cwd=root, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert [(t["name"], t["score"], t["visibility"]) for t in data["tests"]] == [
        ("d1", 1.0, "visible"), ("d2", 2.0, "hidden"), ("v", 0.0, "after_due_date")]
    assert data["score"] == 2.7  # 3 of 4 points, one day late: -10%
    assert "late penalty 10%" in data["output"]
    assert isinstance(data["execution_time"], float) and data["execution_time"] >= 0
    assert data["extra_data"]["users"] == ["Ann Lee"]


def test_submission_metadata_is_for_one_submission(tmp_path, assignment_file, capsys):
    (tmp_path / "m.json").write_text(json.dumps(metadata("2026-03-02T12:00:00-05:00")))
    for name in ("ann", "ben"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "answers.yaml").write_text("d1: 3x^2\n")
    assert main(["grade", str(assignment_file), str(tmp_path / "ann"), str(tmp_path / "ben"),
                 "--submission-metadata", str(tmp_path / "m.json"), "--no-gradebook",
                 "--out", str(tmp_path / "out")]) == 2
    assert "describes one Gradescope submission; got 2 students" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ the Dockerfile (not built here)

ROOT = Path(__file__).parents[2]


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]


def test_dockerfile_installs_cpu_torch_like_the_autograder_then_tutor():
    """The Dockerfile's installs are the autograder's (``install_lines``, which setup.sh is
    made from), with the torch this machine grades with, on a Python the package accepts."""
    from tutor.grading.gradescope import _python_minimum, _torch_version, install_lines

    instructions = dockerfile_instructions()
    base = next(argument for name, argument in instructions if name == "FROM")
    version = tuple(int(p) for p in base.removeprefix("python:").split("-")[0].split("."))
    assert base.startswith("python:") and version >= _python_minimum()
    assert ("ARG", f"TORCH_VERSION={_torch_version()}") in instructions
    runs = [argument for name, argument in instructions if name == "RUN"]
    torch, tutor = install_lines("python", '"torch==${TORCH_VERSION}"', '".${EXTRAS:+[${EXTRAS}]}"')
    assert runs == [torch, f"{tutor} && rm -rf /src"]
    assert ("ENV", "PIP_NO_CACHE_DIR=1") in instructions


def test_setup_sh_is_made_from_the_same_install_lines(tmp_path, assignment_file):
    from tutor.grading.gradescope import _torch_version, install_lines

    build_autograder(load_assignment(assignment_file), tmp_path / "a.zip", tensorflow=False,
                     package="tutor==0.1.0")
    setup = zipfile.ZipFile(tmp_path / "a.zip").read("setup.sh").decode()
    lines = install_lines('"$VENV/bin/python"', f"torch=={_torch_version()}", "tutor==0.1.0")
    assert setup.rstrip().endswith("\n".join(lines))


def test_the_dockerfile_runs_the_tutor_command_the_package_installs():
    import configparser
    import json

    from tutor.cli import build_parser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    scripts = dict(line.split(" = ") for line in
                   config["options.entry_points"]["console_scripts"].strip().splitlines())
    instructions = dockerfile_instructions()
    command = json.loads(next(argument for name, argument in instructions if name == "CMD"))
    assert command[0] in scripts and scripts[command[0]] == "tutor.cli:run"
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(command[1:])
    assert done.value.code == 0  # --help
    assert ("ENV", "TUTOR_HOME=/grades") in instructions and ("WORKDIR", "/work") in instructions


def test_dockerfile_copies_what_the_package_needs():
    copied = [part.rstrip("/") for name, argument in dockerfile_instructions() if name == "COPY"
              for part in argument.split()[:-1]]
    assert {"setup.cfg", "pyproject.toml", "README.md", "lessons", "tutor"} <= set(copied)
    assert all((ROOT / path).exists() for path in copied)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git"} <= set(ignored) and not set(copied) & set(ignored)


def test_the_docs_docker_commands_use_the_image_the_docs_build():
    import re
    import shlex

    from tutor.cli import build_parser

    docs = "\n".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    docs = docs.replace("\\\n", " ")
    [image] = set(re.findall(r"docker build -t (\S+) ", docs))
    runs = [shlex.split(line[line.index("docker run"):])
            for line in docs.splitlines() if "docker run" in line and "--runtime" not in line]
    assert runs
    for tokens in runs:
        assert image in tokens
        command = tokens[tokens.index(image) + 1:]
        if command[:2] == ["sh", "-c"]:
            command = shlex.split(command[2])
        assert command[0] == "tutor"
        try:
            build_parser().parse_args(command[1:])
        except SystemExit as done:  # --version and --help exit 0, a usage error 2
            assert done.code == 0, tokens
