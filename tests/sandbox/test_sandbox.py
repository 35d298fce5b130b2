"""The sandbox against hostile student code: every attack costs a clear error, never the grader.

Attacks are bounded (200 forks, not a bomb). Each runs in a fresh process; the ones marked
"os layer" run with the audit hook off, to show that the kernel-level limits hold alone.
"""

import os
import subprocess
import time

import pytest

from tutor.sandbox import Limits, Sandbox, StudentCodeError

CALL = {"op": "call", "mode": "numpy", "args": [[1.0, 2.0]], "parts": 1}


@pytest.fixture(scope="module")
def sandbox():
    os.environ["TUTOR_TEST_SECRET"] = "hunter2"  # must not reach student code
    try:
        box = Sandbox(Limits(timeout=2.0, cpu_seconds=20, output_bytes=100_000))
        box.session({}).close()  # start the zygote while the secret is set
    finally:
        del os.environ["TUTOR_TEST_SECRET"]
    yield box
    box.close()


@pytest.fixture(scope="module")
def bare_sandbox():
    """No audit hook: only the OS layers (user, rlimits, Landlock, network namespace)."""
    box = Sandbox(Limits(timeout=5.0), torch=False, audit=False)
    yield box
    box.close()


def run(sandbox, body: str, entry: str = "f", request=CALL, **files):
    """Load ``body`` as solution.py and call ``entry``; the reply or the StudentCodeError."""
    sources = {"solution.py": body.encode(), **{k: v.encode() for k, v in files.items()}}
    with sandbox.session(sources) as session:
        try:
            session.load("solution")
            return session.request({**request, "entry": entry})
        except StudentCodeError as error:
            return error


def test_student_torch_function_returns_values_and_autograd_gradient(sandbox):
    reply = run(sandbox, "import torch\ndef f(x, y):\n    return x * torch.sin(y)\n",
                request={"op": "call", "mode": "gradient", "args": [[1.0, 2.0], [0.0, 0.5]],
                         "grad": [True, True]})
    assert reply["value"] == pytest.approx([0.0, 2 * 0.479425538604203])
    assert reply["grads"][0] == pytest.approx([0.0, 0.479425538604203])  # d/dx = sin(y)
    assert reply["grads"][1] == pytest.approx([1.0, 2 * 0.8775825618903728])  # d/dy = x cos(y)


def test_student_code_runs_confined(sandbox):
    reply = run(sandbox, "import os\ndef f(x):\n    return [float(os.getuid()), float(len(os.listdir('.')))]\n",
                request={**CALL, "args": [[1.0, 2.0]]})
    uid, files = reply["parts"][0]
    if os.geteuid() == 0:
        assert uid != 0  # root ignores process limits, so student code never runs as root
    assert files == 2  # its own solution.py and output file, nothing else
    with sandbox.session({"solution.py": b""}) as session:
        assert session.info["landlock"] >= 0
        if os.geteuid() == 0:
            assert session.info["network"] == "none"


def test_environment_holds_no_secrets(sandbox):
    body = "import os\ndef f(x):\n    return [float('TUTOR_TEST_SECRET' in os.environ), float(len(os.environ))]\n"
    has_secret, count = run(sandbox, body, request={**CALL, "args": [[0.0, 0.0]]})["parts"][0]
    assert has_secret == 0.0
    assert count <= 6  # HOME, TMPDIR, PATH, LANG, OMP_NUM_THREADS


def test_infinite_loop_times_out_quickly(sandbox):
    start = time.monotonic()
    error = run(sandbox, "def f(x):\n    while True:\n        pass\n")
    assert isinstance(error, StudentCodeError) and error.kind == "timeout"
    assert "2 s" in str(error)
    assert time.monotonic() - start < 6


def test_fork_attempt_is_refused(sandbox):
    body = ("import os\ndef f(x):\n    for _ in range(200):\n"
            "        if os.fork() == 0:\n            os._exit(0)\n    return x\n")
    error = run(sandbox, body)
    assert error.kind == "exception" and "starting processes is not allowed" in str(error)


def test_os_layer_caps_forks_and_kills_the_survivors(bare_sandbox):
    body = ("import os, time\ndef f(x):\n    for _ in range(200):\n        if os.fork() == 0:\n"
            "            os.setsid()\n            time.sleep(60)\n            os._exit(0)\n    return x\n")
    error = run(bare_sandbox, body)
    assert error.kind == "exception" and "BlockingIOError" in str(error)  # RLIMIT_NPROC
    if bare_sandbox.uid is not None:
        ps = subprocess.run(["ps", "-eo", "uid=,stat="], capture_output=True, text=True).stdout
        alive = [line for line in ps.splitlines()
                 if line.split()[0] == str(bare_sandbox.uid) and not line.split()[1].startswith("Z")]
        assert alive == []  # escaped forks were killed with the session


def test_allocating_50_gb_hits_the_memory_limit(sandbox):
    error = run(sandbox, "def f(x):\n    hoard = bytearray(50 * 1024**3)\n    return x\n")
    assert error.kind == "memory" and "4096 MB" in str(error)


def test_printing_1_gb_hits_the_output_cap(sandbox):
    error = run(sandbox, "def f(x):\n    for _ in range(1024):\n        print('x' * (1 << 20))\n")
    assert error.kind == "output" and "100000 bytes" in str(error)


def test_sys_exit_is_reported(sandbox):
    error = run(sandbox, "import sys\ndef f(x):\n    sys.exit(3)\n")
    assert error.kind == "exit" and "sys.exit(3)" in str(error)


def test_os_exit_kills_only_that_process(sandbox):
    error = run(sandbox, "import os\ndef f(x):\n    os._exit(3)\n")
    assert error.kind == "crashed" and "exit code 3" in str(error)
    assert run(sandbox, "def f(x):\n    return x\n")["parts"] == [[1.0, 2.0]]  # the next one is fine


def test_exceptions_name_the_students_line(sandbox):
    error = run(sandbox, "def f(x):\n    y = 0\n    return x + 1 / y\n")
    assert error.kind == "exception"
    assert "solution.py, line 3, in f: ZeroDivisionError" in str(error)


def test_syntax_error_fails_the_load(sandbox):
    error = run(sandbox, "def f(x)\n    return x\n")
    assert error.kind == "syntax" and "line 1" in str(error)


def test_missing_function(sandbox):
    error = run(sandbox, "def g(x):\n    return x\n")
    assert error.kind == "missing" and "'f'" in str(error)


def test_wrong_return_type(sandbox):
    error = run(sandbox, "import math\ndef f(x, y):\n    return math.exp(1.0)\n",
                request={"op": "call", "mode": "gradient", "args": [[1.0], [2.0]], "grad": [True, True]})
    assert error.kind == "type" and "returned float" in str(error) and "torch tensor" in str(error)


def test_elementwise_shape_is_required(sandbox):
    error = run(sandbox, "def f(x):\n    return (x ** 2).sum()\n",
                request={"op": "call", "mode": "gradient", "args": [[1.0, 2.0]], "grad": [True]})
    assert error.kind == "type" and "one value per point" in str(error)


@pytest.fixture
def classmate(tmp_path):
    secret = tmp_path / "bob" / "solution.py"
    secret.parent.mkdir()
    secret.write_text("ANSWER = 42\n")
    secret.chmod(0o644)
    tmp_path.chmod(0o755)
    return secret


def test_reading_another_students_file_is_refused(sandbox, classmate):
    error = run(sandbox, f"def f(x):\n    return [len(open({str(classmate)!r}).read())] * 2\n")
    assert error.kind == "exception" and "PermissionError" in str(error)
    assert "not allowed" in str(error)


def test_os_layer_refuses_other_files_too(bare_sandbox, classmate):
    for path in (classmate, "/etc/passwd"):
        error = run(bare_sandbox, f"def f(x):\n    return [len(open({str(path)!r}).read())] * 2\n")
        assert error.kind == "exception" and "PermissionError" in str(error), path


def test_os_layer_refuses_writing_outside(bare_sandbox, tmp_path):
    target = tmp_path / "planted"
    error = run(bare_sandbox, f"def f(x):\n    open({str(target)!r}, 'w').write('x')\n")
    assert error.kind == "exception" and not target.exists()


def test_network_is_unavailable(bare_sandbox):
    body = ("import socket\ndef f(x):\n    s = socket.socket()\n    s.settimeout(1)\n"
            "    s.connect(('1.1.1.1', 53))\n    return x\n")
    assert isinstance(run(bare_sandbox, body), StudentCodeError)


def test_as_root_student_code_gets_its_own_network_and_ipc_namespaces(bare_sandbox):
    """The namespaces themselves (seccomp refuses sockets and System V IPC anyway): their
    inode numbers in /proc/self/ns differ from the grader's as root; a grader that is not
    root makes none (docs/grading.md says so)."""
    body = ("import os\ndef f(x):\n    return [float(os.readlink(f'/proc/self/ns/{kind}')[5:-1])"
            " for kind in ('ipc', 'net')]\n")
    inside = run(bare_sandbox, body, request={**CALL, "args": [[0.0, 0.0]]})["parts"][0]
    grader = [float(os.readlink(f"/proc/self/ns/{kind}")[5:-1]) for kind in ("ipc", "net")]
    if os.geteuid() == 0:
        assert inside[0] != grader[0] and inside[1] != grader[1]
    else:
        assert inside == grader


def test_garbage_on_the_reply_pipe_is_a_protocol_error(sandbox):
    body = ("import os\ndef f(x):\n    for fd in range(3, 64):\n        try:\n"
            "            os.write(fd, b'\\x7f\\xff\\xff\\xff')\n        except OSError:\n"
            "            pass\n    return x\n")
    error = run(sandbox, body)
    assert error.kind == "protocol"


def test_sessions_do_not_share_files(sandbox):
    run(sandbox, "def f(x):\n    open('note.txt', 'w').write('alice was here')\n    return x\n")
    reply = run(sandbox, "import os\ndef f(x):\n    return [float(os.path.exists('note.txt'))] * 2\n")
    assert reply["parts"] == [[0.0, 0.0]]


def test_a_failed_call_leaves_the_process_usable(sandbox):
    body = "def bad(x):\n    raise ValueError('no')\ndef f(x):\n    return x\n"
    with sandbox.session({"solution.py": body.encode()}) as session:
        session.load("solution")
        with pytest.raises(StudentCodeError, match="ValueError: no"):
            session.request({**CALL, "entry": "bad"})
        assert session.request({**CALL, "entry": "f"})["parts"] == [[1.0, 2.0]]
        workdir = session.workdir
    assert not os.path.exists(workdir)  # removed with the session


def test_output_cannot_be_swapped_for_a_link(sandbox):
    body = "import os\ndef f(x):\n    os.remove('.output')\n    os.symlink('/etc/shadow', '.output')\n    return x\n"
    with sandbox.session({"solution.py": body.encode()}) as session:
        session.load("solution")
        session.request({**CALL, "entry": "f"})
        assert session.output() == ""


def test_protections_name_the_active_layers():
    from tutor.sandbox import protections

    lines = protections()
    assert lines[0].startswith("runs as uid")
    assert any("Landlock" in line for line in lines)
    if os.geteuid() == 0:
        assert "own user" in lines[0] and "no network" in lines and "own IPC namespace" in lines
    assert any(line.startswith("seccomp (") for line in lines)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root switches users")
def test_a_refused_user_id_falls_back_to_nobody():
    with Sandbox(Limits(timeout=5), torch=False) as box:
        box.uid = 2**32 - 1  # the kernel refuses this id, as it does unmapped ids in containers
        with box.session({"solution.py": b""}) as session:
            assert session.info["uid"] == 65534
