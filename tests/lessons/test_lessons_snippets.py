"""The code worker: one snippet process per framework, started as soon as `tutor learn`
starts, told what the lesson's snippets need once it is read, stopped when the lesson needs
none, killed without waiting at the end of a run. (How fast it is: benchmarks/lessons.py.)"""

import os
import sys
import time

import pytest
from test_lessons_run import tutor

from tutor.lessons import snippet_process, snippets
from tutor.lessons.catalog import find_lesson
from tutor.lessons.progress import ProgressStore
from tutor.lessons.runner import Options, Runner
from tutor.lessons.schema import load_lesson
from tutor.lessons.snippets import CodeWorker
from tutor.lessons.steps.code import first_uses, frameworks_to_run, libraries_imported, warm_for
from tutor.lessons.ui import AutoPrompter
from tutor.render import make_console

SEES_TENSORFLOW = "import sys\nprint('tensorflow' in sys.modules, 'torch' in sys.modules)\n"


@pytest.fixture
def warmed(monkeypatch, capsys):
    """Each call of CodeWorker.warm: the frameworks asked for and what was printed before."""
    calls = []
    real = CodeWorker.warm

    def warm(self, *frameworks, **needs):
        calls.append((frameworks, capsys.readouterr().out))
        real(self, *frameworks, **needs)

    monkeypatch.setattr(CodeWorker, "warm", warm)
    return calls


def test_each_framework_runs_in_its_own_process(tf):
    worker = CodeWorker()
    try:
        worker.warm("torch", "tensorflow")
        torch_pid = worker.processes["torch"].popen.pid
        assert torch_pid != worker.processes["tensorflow"].popen.pid
        # a torch snippet never waits for (nor sees) TensorFlow's import, and the other way round
        assert worker.run(SEES_TENSORFLOW, "<t>", 30).stdout == "False True\n"
        assert worker.run(SEES_TENSORFLOW, "<tf>", 30, "tensorflow").stdout == "True False\n"
        assert worker.imported == {"torch": None, "tensorflow": None}
        assert worker.processes["torch"].popen.pid == torch_pid  # the same process serves on
    finally:
        worker.stop()


@pytest.mark.parametrize("started_early", [False, True])
def test_libraries_a_framework_s_snippets_import_are_imported_ahead(tf, started_early):
    lesson = load_lesson(find_lesson("mse-softmax"))  # its TensorFlow snippet uses torch too
    assert libraries_imported(lesson.steps, "tensorflow") == ["torch"]
    assert libraries_imported(lesson.steps, "torch") == []
    worker = CodeWorker()
    try:
        if started_early:  # before the lesson was read, as `tutor learn` and the menu start them
            worker.warm("torch", "tensorflow")
        warm_for(worker, lesson.steps)
        assert worker.run(SEES_TENSORFLOW, "<tf>", 30, "tensorflow").stdout == "True True\n"
        assert worker.run(SEES_TENSORFLOW, "<t>", 30).stdout == "False True\n"
    finally:
        worker.stop()


def test_a_failed_import_is_reported_with_the_snippet():
    worker = CodeWorker()
    try:
        result = worker.run("print('never')", "<x>", 30, "no_such_framework")
        assert result.crashed == ("importing no_such_framework failed: ModuleNotFoundError: "
                                  "No module named 'no_such_framework'")
        assert "no_such_framework" not in worker.processes  # the next snippet starts afresh
    finally:
        worker.stop()


def test_stop_without_waiting_still_kills_the_process_group():
    worker = CodeWorker()
    worker.warm("torch")
    # the snippet starts a grandchild that would outlive a worker killed on its own
    started = worker.run("import subprocess, sys\n"
                         "child = subprocess.Popen([sys.executable, '-c', 'import time; "
                         "time.sleep(600)'])\nprint(child.pid)\n", "<spawn>", 30)
    grandchild = int(started.stdout)
    process = worker.processes["torch"].popen
    worker.stop(wait=False)
    assert worker.processes == {}
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.returncode == -9
    assert not _running(grandchild)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"  # a zombie is dead, waiting for its parent
    except FileNotFoundError:
        return False


def test_frameworks_to_run_follow_the_steps_and_the_installation(monkeypatch):
    steps = load_lesson(find_lesson("polynomial")).steps
    assert frameworks_to_run(steps[:2]) == []  # no code step: nothing to warm
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # as if not installed
    assert frameworks_to_run(steps) == ["torch"]


def test_tutor_learn_warms_both_before_the_lesson_prints_anything(tf, warmed, monkeypatch):
    kills = []
    real_kill = snippets._Process.kill
    monkeypatch.setattr(snippets._Process, "kill",
                        lambda self, wait: (kills.append(wait), real_kill(self, wait)))
    assert tutor("learn", "polynomial", "--auto", "--step", "why-32") == 0
    (first, before), *_ = [call for call in warmed if call[0]]
    assert first == ("torch", "tensorflow")
    assert before == ""  # not even the lesson's title yet
    assert kills and not any(kills)  # the end of the run does not wait for the processes


def test_a_resumed_lesson_warms_its_worker_before_the_first_step(tf, warmed, tmp_path):
    lesson = load_lesson(find_lesson("polynomial"))
    console = make_console()
    options = Options(lang="en", prompter=AutoPrompter(console.print), out_dir=tmp_path)
    runner = Runner(lesson, ProgressStore.scratch(), console, options)
    runner.run(lesson.step_index("why-32"))  # no code step from here on
    runner.run(lesson.step_index("accumulation-trap"))
    assert [call[0] for call in warmed[:2]] == [(), ("torch", "tensorflow")]
    assert "accumulation-trap" not in warmed[1][1]  # warmed before the step was printed


def test_tutor_learn_starts_the_processes_before_it_reads_the_lesson(warmed, monkeypatch):
    from tutor.lessons import schema

    warm_calls_when_read = []
    real_load = schema.load_lesson
    monkeypatch.setattr(schema, "load_lesson", lambda path: (
        warm_calls_when_read.append([call[0] for call in warmed]), real_load(path))[1])
    assert tutor("learn", "polynomial", "--auto", "--step", "why-32") == 0
    (started_before,) = warm_calls_when_read
    assert started_before and started_before[0][0] == "torch"  # then tensorflow, if installed


def test_processes_a_lesson_does_not_need_are_stopped():
    worker = CodeWorker()
    worker.warm("torch")
    process = worker.processes["torch"].popen
    worker.keep(*frameworks_to_run(load_lesson(find_lesson("linear-layer-backprop")).steps))
    assert worker.processes == {}  # that lesson has no code step
    assert process.wait(timeout=20) == -9


def test_costly_first_calls_are_made_after_the_first_snippet_while_none_waits():
    worker = CodeWorker()
    try:
        steps = load_lesson(find_lesson("grad-bookkeeping")).steps  # its torch.optim.SGD
        worker.warm("torch", first_uses={"torch": first_uses(steps, "torch")})
        seen = "import sys\nprint('torch._dynamo' in sys.modules)\n"  # what an optimizer imports
        assert worker.run(seen, "<t>", 30).stdout == "False\n"  # the first code step: not yet
        assert worker.wait_first_uses(timeout=120)  # made while the learner reads on
        assert worker.processes["torch"].made == {"torch.optim"}
        assert worker.run(seen, "<t>", 30).stdout == "True\n"
    finally:
        worker.stop()


def test_the_snippet_process_tells_a_waiting_request_from_none():
    read, write = os.pipe()
    requests = snippet_process._Requests(read)
    try:
        assert not requests.waiting()
        os.write(write, b'{"code": "1"}\n{"first_uses": []}\n')
        assert requests.waiting()
        assert requests.next() == {"code": "1"}
        assert requests.waiting()  # the second line, already read into the buffer
        assert requests.next() == {"first_uses": []}
        assert not requests.waiting()
        os.close(write)
        assert requests.waiting() and requests.next() is None  # the end of the input
    finally:
        os.close(read)
