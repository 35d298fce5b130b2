"""Attacks on the grader itself: one student can neither stop the class nor cheat the grade.

Each attack submission is a file under tests/data/attacks/; every test asserts what the
attacked student gets (zero for that question, a clear line, a flag for manual review when
it is tampering) and that the rest of the class is graded normally.
"""

import ctypes
import os
import socket
import textwrap
from pathlib import Path

import pytest

from tutor.grading import questions
from tutor.grading.grader import _Sandboxes, grade, grade_submission
from tutor.grading.loader import load_assignment
from tutor.grading.reporters import folder_name
from tutor.grading.submissions import collect
from tutor.sandbox import Limits, Sandbox, StudentCodeError
from tutor.sandbox.frames import read_frame, write_frame

ATTACKS = Path(__file__).parents[1] / "data" / "attacks"

ASSIGNMENT = (ATTACKS / "assignment.yaml").read_text()
HONEST_CODE = (ATTACKS / "honest" / "solution.py").read_text()
HONEST_TENSORFLOW_CODE = (ATTACKS / "honest" / "tensorflow_solution.py").read_text()
HONEST_ANSWERS = "d1: 2x sin(x) + x^2 cos(x)\n"


@pytest.fixture(scope="module")
def assignment(tmp_path_factory):
    path = tmp_path_factory.mktemp("a") / "attacked.yaml"
    path.write_text(ASSIGNMENT)
    return load_assignment(path)


@pytest.fixture(scope="module")
def sandboxes(assignment):
    shared = _Sandboxes(assignment)
    yield shared
    shared.close()


def student(root: Path, name: str, answers: str = HONEST_ANSWERS, code: str = HONEST_CODE) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "answers.yaml").write_text(answers)
    (folder / "solution.py").write_text(textwrap.dedent(code))
    return folder


def attack(name: str) -> str:
    return (ATTACKS / name).read_text()


def graded(assignment, sandboxes, folder: Path):
    (submission,) = collect([folder])
    result = grade_submission(assignment, submission, sandboxes)
    return result, {q.id: q for q in result.questions}


# ---------------------------------------------------------------- one student, one failure


def test_a_hanging_text_answer_is_flagged_and_the_class_is_graded(assignment, tmp_path, monkeypatch):
    monkeypatch.setattr(questions, "ANSWER_SECONDS", 1.0)
    text_only = type(assignment)(assignment.id, assignment.title, assignment.questions[:1])
    folders = [student(tmp_path, "hang", "d1: x + sin(exp(exp(exp(5))))\n"),
               student(tmp_path, "honest")]
    results = {r.student: r for r in grade(text_only, collect(folders))}
    hang, honest = results["hang"], results["honest"]
    assert hang.questions[0].score == 0 and hang.questions[0].status == "error"
    assert "could not be checked within 1 s" in hang.questions[0].feedback
    assert any("flagged for manual review" in p and "d1" in p for p in hang.problems)
    assert honest.score == honest.max_score and honest.problems == ()


def test_a_hanging_value_answer_is_flagged_too(tmp_path, monkeypatch):
    """The issue's value question hung for 300 s on the same kind of number."""
    monkeypatch.setattr(questions, "ANSWER_SECONDS", 1.0)
    path = tmp_path / "v.yaml"
    path.write_text("title: V\nquestions:\n  - {id: v, type: value, answer: 0.25}\n")
    folders = [student(tmp_path, "hang", "v: sin(exp(exp(exp(5))))\n"), student(tmp_path, "fine", "v: 1/4\n")]
    results = {r.student: r for r in grade(load_assignment(path), collect(folders))}
    hang, fine = results["hang"].questions[0], results["fine"].questions[0]
    assert hang.score == 0 and "could not be checked within 1 s" in hang.feedback
    assert any("flagged for manual review" in p for p in results["hang"].problems)
    assert fine.score == fine.max_score


def test_a_deeply_nested_reply_is_refused_not_a_recursion_error(assignment, sandboxes, tmp_path):
    result, q = graded(assignment, sandboxes, student(tmp_path, "nest", code=attack("nested_reply.py")))
    assert q["manual"].score == 0 and q["manual"].components[0].mistake == "code: protocol"
    assert "nested deeper" in q["manual"].feedback
    assert any("manual" in p and "manual review" in p for p in result.problems)
    assert q["d1"].status == "correct"


def test_frames_accept_only_shallow_plain_data():
    r, w = os.pipe()
    try:
        write_frame(w, {"message": "x" * 5000})
        with pytest.raises(ValueError, match="string of 5000"):
            read_frame(r, timeout=1, depth=4)
        write_frame(w, {"path": [[1.0, 2.0], [3.0, float("nan")]], "ok": True})
        assert read_frame(r, timeout=1, depth=4)["path"][1][0] == 3.0
        body = b'{"a": "[[[[[[[[", "b": [[[]]]}'  # brackets inside strings do not count
        os.write(w, len(body).to_bytes(4, "big") + body)
        assert read_frame(r, timeout=1, depth=3)["a"] == "[[[[[[[["
    finally:
        os.close(r)
        os.close(w)


# ---------------------------------------------------------------- the assignment decides the grade


def test_float16_results_get_no_wider_tolerance(assignment, sandboxes, tmp_path):
    result, q = graded(assignment, sandboxes, student(tmp_path, "half", code=attack("half_precision.py")))
    assert q["loss"].score == 0 and q["manual"].score == 0
    assert q["d1"].status == "correct"


def test_a_forward_difference_in_float16_is_not_a_gradient(assignment, sandboxes, tmp_path):
    _, q = graded(assignment, sandboxes, student(tmp_path, "fd", code=attack("forward_difference.py")))
    d_dx, d_dy = q["manual"].components
    assert d_dx.share == 0  # off by h y: float16's tolerance used to let it pass
    assert d_dy.share == 1  # x^2 y is linear in y: the difference quotient is exact there


def test_the_float_type_the_worker_reports_is_not_trusted(assignment, sandboxes, tmp_path):
    _, q = graded(assignment, sandboxes, student(tmp_path, "forge", code=attack("forged_dtype.py")))
    assert q["manual"].score == 0
    assert q["d1"].status == "correct"


# ---------------------------------------------------------------- confinement (OS layers alone)

CALL = {"op": "call", "mode": "numpy", "entry": "f", "args": [[1.0]], "parts": 1}


@pytest.fixture(scope="module")
def bare_sandbox():
    """No audit hook: what the operating system's layers hold on their own."""
    box = Sandbox(Limits(timeout=5.0), torch=False, audit=False)
    yield box
    box.close()


def call(sandbox, source: str):
    """Load ``source`` as solution.py, call ``f``; its one number, or the StudentCodeError."""
    with sandbox.session({"solution.py": source.encode()}) as session:
        try:
            session.load("solution")
            return session.request(CALL)["parts"][0][0]
        except StudentCodeError as error:
            return error


def test_no_socket_of_any_family(bare_sandbox, tmp_path):
    path = tmp_path / "host.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen()
        os.chmod(path, 0o777)
        os.chmod(tmp_path, 0o777)
        source = attack("sockets.py").replace("PLACEHOLDER", str(path))
        assert call(bare_sandbox, source) == 0.0


def test_no_system_v_ipc_with_the_host_and_nothing_left_behind(bare_sandbox):
    libc = ctypes.CDLL(None, use_errno=True)
    key = 0x74757472
    segment = libc.shmget(key, ctypes.c_size_t(4096), 0o1000 | 0o644)
    assert segment >= 0
    try:
        before = Path("/proc/sysvipc/shm").read_text()
        source = attack("sysv_ipc.py").replace("HOST_KEY = 0", f"HOST_KEY = {key}")
        assert call(bare_sandbox, source) == 0.0
        assert Path("/proc/sysvipc/shm").read_text() == before
    finally:
        libc.shmctl(segment, 0, None)  # IPC_RMID


def test_no_process_leaves_the_group_that_is_killed(bare_sandbox):
    assert call(bare_sandbox, attack("escape_group.py")) == 0.0


def test_no_python_level_switch_turns_the_audit_hook_off():
    with Sandbox(Limits(timeout=5.0), torch=False) as box:
        error = call(box, attack("audit_switch.py"))
    assert isinstance(error, StudentCodeError)
    assert "running programs is not allowed" in str(error)


# ---------------------------------------------------------------- autograd questions check autograd


@pytest.mark.parametrize("name", ["patched_autograd.py", "patched_worker.py", "custom_function.py"])
def test_tampering_with_autograd_or_the_worker_fails_and_is_flagged(assignment, sandboxes, tmp_path, name):
    result, q = graded(assignment, sandboxes, student(tmp_path, "tamper", code=attack(name)))
    assert q["loss"].score == 0 and q["loss"].components[0].mistake == "code: tampering"
    assert any("'loss'" in p and "manual review" in p for p in result.problems)
    assert q["d1"].status == "correct"


def test_an_honest_loss_is_not_taken_for_tampering(assignment, sandboxes, tmp_path):
    result, q = graded(assignment, sandboxes, student(tmp_path, "honest"))
    assert result.score == result.max_score and result.problems == ()


@pytest.mark.parametrize("name, says", [
    ("tf_patched_tape.py", "not the one TensorFlow's GradientTape computes"),
    ("tf_custom_gradient.py", "(solution.py: gradient) ran while GradientTape computed"),
    ("tf_patched_internals.py", "replaced tensorflow.python.eager.imperative_grad.imperative_grad")])
def test_tampering_with_tensorflow_autodiff_fails_and_is_flagged(tf, assignment, sandboxes, tmp_path,
                                                                  name, says):
    """A patched ``GradientTape.gradient`` that undoes itself, finite differences returned by
    a ``tf.custom_gradient``, and a patch under the tape's methods that undoes itself after
    two calls: the tape kept before the student's module was imported recomputes the
    gradient, once what it relies on is checked again, with no student code running."""
    result, q = graded(assignment, sandboxes, student(tmp_path, "tamper", code=attack(name)))
    assert q["loss"].score == 0 and q["loss"].components[0].mistake == "code: tampering"
    assert says in q["loss"].feedback
    assert any("'loss'" in p and "manual review" in p for p in result.problems)


@pytest.mark.parametrize("name", ["tf_numpy_loss.py", "tf_stop_gradient.py"])
def test_a_tensorflow_loss_without_a_tape_connection_gets_no_gradient_credit(
        tf, assignment, sandboxes, tmp_path, name):
    """The right values, computed in numpy or behind tf.stop_gradient: the tape gives None,
    which counts as zeros, with the hint; not tampering (the student reported no gradient)."""
    result, q = graded(assignment, sandboxes, student(tmp_path, "cut", code=attack(name)))
    values, gradient = q["loss"].components
    assert values.share == 1 and gradient.share == 0 and gradient.mistake == "wrong gradient"
    assert "tf.stop_gradient" in gradient.message and result.problems == ()


def test_an_honest_tensorflow_loss_is_not_taken_for_tampering(tf, assignment, sandboxes, tmp_path):
    result, _ = graded(assignment, sandboxes, student(tmp_path, "honest-tf", code=HONEST_TENSORFLOW_CODE))
    assert result.score == result.max_score and result.problems == ()


def test_failure_kinds_and_messages_from_the_worker_are_not_trusted(assignment, sandboxes, tmp_path):
    result, q = graded(assignment, sandboxes, student(tmp_path, "forger", code=attack("forged_failure.py")))
    assert q["loss"].components[0].mistake == "code: exception"
    assert "\x1b" not in q["loss"].feedback and "\x00" not in q["loss"].feedback
    assert q["manual"].components[0].mistake == "code: protocol"
    assert all("forged" not in (m or "") for r in result.questions for m in r.mistakes)


# ---------------------------------------------------------------- a whole class under attack

HONEST_WRONG_CODE = """\
import torch

def loss(x, y):
    return x * torch.sin(y).detach()

def grad(x, y):
    return 2 * x * y, x
"""


def test_a_class_with_every_attack_is_graded_and_every_report_parses(tf, tmp_path, monkeypatch):
    """Every attack under tests/data/attacks (the TensorFlow ones too, hence ``tf``), an
    honest student with torch and one with TensorFlow, an honest wrong one and a hanging
    text answer, graded in one run."""
    import csv
    import json
    import xml.etree.ElementTree as ElementTree

    from tutor.cli import main

    monkeypatch.setattr(questions, "ANSWER_SECONDS", 2.0)
    (tmp_path / "hw.yaml").write_text(ASSIGNMENT)
    folders = [student(tmp_path / "class", "honest"),
               student(tmp_path / "class", "honest-tf", code=HONEST_TENSORFLOW_CODE),
               student(tmp_path / "class", "wrong", "d1: 2x cos(x)\n", HONEST_WRONG_CODE),
               student(tmp_path / "class", "hang", "d1: x + sin(exp(exp(exp(5))))\n")]
    folders += [student(tmp_path / "class", path.stem, code=path.read_text())
                for path in sorted(ATTACKS.glob("*.py"))]
    out = tmp_path / "out"
    code = main(["grade", str(tmp_path / "hw.yaml"), *map(str, folders), "--out", str(out), "--jobs", "2",
                 "--no-gradebook", "--quiet", "--format", "csv,junit,gradescope,json"])
    assert code == 0
    graded = {r["student"]: r for r in json.loads((out / "grades.json").read_text())["results"]}
    assert set(graded) == {f.name for f in folders}
    ElementTree.parse(out / "junit.xml")
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert len(rows) == len(folders)
    for folder in folders:
        assert json.loads((out / "gradescope" / folder_name(folder.name) / "results.json")
                          .read_text())["tests"]

    def code_score(name):
        return sum(q["score"] for q in graded[name]["questions"] if q["id"] != "d1")

    for honest in ("honest", "honest-tf"):
        assert graded[honest]["score"] == graded[honest]["max_score"] and not graded[honest]["problems"]
    assert {"tf_patched_tape", "tf_custom_gradient", "tf_numpy_loss"} <= graded.keys()
    for name in graded.keys() - {"honest", "honest-tf", "wrong", "hang"}:
        assert code_score(name) <= code_score("wrong"), name
    assert any("manual review" in p for p in graded["hang"]["problems"])


NON_ROOT = """\
import json, sys
from pathlib import Path
from tutor.sandbox import Limits, Sandbox
found = {}
with Sandbox(Limits(timeout=5), torch=False, audit=False) as box:
    for name in ("sockets.py", "escape_group.py", "sysv_ipc.py"):
        with box.session({"solution.py": Path(sys.argv[1], name).read_bytes()}) as session:
            session.load("solution")
            call = {"op": "call", "mode": "numpy", "entry": "f", "args": [[1.0]], "parts": 1}
            found[name] = session.request(call)["parts"][0][0]
        found["uid"] = session.info["uid"]
print(json.dumps(found))
"""


def test_the_os_layers_hold_for_a_grader_that_is_not_root():
    """As a user namespace's unmapped user (``unshare --user``: no root, no capabilities on
    the host), which takes the sandbox's non-root path: no own user, no namespaces."""
    import json
    import shutil
    import subprocess
    import sys

    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    done = subprocess.run(["unshare", "--user", sys.executable, "-c", NON_ROOT, str(ATTACKS)],
                          capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).parents[2])
    if done.returncode != 0 and "unshare failed" in done.stderr:
        pytest.skip("user namespaces are not available here")
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    assert found["uid"] != 0
    assert found == {"sockets.py": 0.0, "escape_group.py": 0.0, "sysv_ipc.py": 0.0, "uid": found["uid"]}


def test_the_cpu_bound_leaves_the_cores_own_time_limits_working():
    from tutor._limits import within_time
    from tutor.grading.review import OutOfCpu, within_cpu_seconds

    def spin():
        while True:
            pass

    # inside the grader's bound, the core's wall-clock limit still fires (and is not refused)
    assert within_cpu_seconds(lambda: within_time(spin, 0.2, "fallback"), 5.0) == "fallback"
    with pytest.raises(OutOfCpu):
        within_cpu_seconds(spin, 0.3)
