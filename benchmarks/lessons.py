"""Lesson speed (issue 12), measured in one run.

1. Every lesson played with `tutor learn N --auto` (nobody reads, so nothing hides the code
   worker's start): the seconds from each step's header to the next line after it ends, the
   slowest step, the first code step, and the exit after the last line. Targets: no step of
   lesson 1 over 2.5 s, no lesson's first code step over 2.5 s, the exit within 0.3 s.
2. Every code step of every lesson on a warm worker (its processes imported and ready, the
   expected values computed ahead, and after the first code step the costly first calls
   made, as a lesson run does while the learner reads): the time a learner waits for each
   step's answer (its snippets run and their output checked), the slowest per lesson, and
   the SymPy work done ahead. Target: each answer within 1 s.
3. The Himmelblau descents (manual, SGD, Adam: 30,000 float32 steps from (0, 0), lr 0.001),
   every step's autograd gradient checked against the symbolic one, against the source's own
   loops for the same work: its PyTorch loop, and its TensorFlow loop written as TensorFlow
   users would, with tf.function (run in a separate process). Target: at most 1.5x each.
4. `tutor list` start-up against `python -c "import torch"`. Target: under 0.3 s.

Run: .venv/bin/python benchmarks/lessons.py [LESSON ...]   (descents: best of ROUNDS, interleaved;
with lessons named, sections 1 and 2 only, for those lessons)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS, LR, ROUNDS = 30_000, 0.001, 3
METHODS = ("manual", "sgd", "adam")
STEP_TARGET, WARM_TARGET, DESCENT_TARGET, EXIT_TARGET = 2.5, 1.0, 1.5, 0.3
_HEADER = re.compile(r"(\d+)/(\d+)  (\S+) ─")

# The source's TensorFlow loops, with the update compiled by tf.function; prints the seconds
# of each method (best of the rounds) as JSON.
_TENSORFLOW_LOOPS = """
import json, sys, time
import tensorflow as tf

steps, lr, rounds = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])

def himmelblau(x):
    return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2

def seconds(method):
    x = tf.Variable([0.0, 0.0])
    optimizer = {"sgd": tf.optimizers.SGD, "adam": tf.optimizers.Adam}.get(method)
    optimizer = optimizer(lr) if optimizer else None

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            pred = himmelblau(x)
        grads = tape.gradient(pred, [x])
        if optimizer is None:
            x.assign_sub(lr * grads[0])
        else:
            optimizer.apply_gradients(zip(grads, [x]))
        return pred

    lines = []
    started = time.perf_counter()
    for step in range(steps):
        pred = train_step()
        if step % 2000 == 0:
            lines.append("step {}: x = {}, pred = {}".format(step, x.numpy(), pred.numpy()))
    return time.perf_counter() - started

seconds("manual")  # warm up: the import's first calls
print(json.dumps({m: min(seconds(m) for _ in range(rounds)) for m in sys.argv[4:]}))
"""


def torch_loop(method: str) -> float:
    """The source's PyTorch loop, as written there (its printing every 2000 steps kept in a
    list); SGD and Adam as in its optimizer loop ("replace SGD with Adam", it suggests)."""
    import torch

    def himmelblau(x):
        return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2

    lines = []
    started = time.perf_counter()
    x = torch.tensor([0.0, 0.0], requires_grad=True)
    optimizer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}.get(method)
    optimizer = optimizer([x], lr=LR) if optimizer else None
    for step in range(STEPS):
        pred = himmelblau(x)
        if optimizer is None:
            grads = torch.autograd.grad(pred, [x])
            x.data.sub_(LR * grads[0])
        else:
            optimizer.zero_grad()
            pred.backward()
            optimizer.step()
        if step % 2000 == 0:
            lines.append(f"step {step}: x = {x.tolist()}, pred = {pred.item()}")
    return time.perf_counter() - started


def lesson_descent(method: str) -> float:
    """The lesson's descent: every step's gradient checked against the symbolic one."""
    from tutor.lessons.descend import descend
    from tutor.parsing import parse

    function = parse("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    started = time.perf_counter()
    run = descend(function, ["x", "y"], [[0.0, 0.0]], method=method, lr=LR, steps=STEPS,
                  every=2000)
    seconds = time.perf_counter() - started
    assert run.check.checked == STEPS and run.check.failed == 0
    return seconds


def tensorflow_loops() -> dict[str, float]:
    from tutor.lowering import TENSORFLOW_QUIET

    done = subprocess.run(
        [sys.executable, "-c", _TENSORFLOW_LOOPS, str(STEPS), str(LR), str(ROUNDS), *METHODS],
        env={**os.environ, **TENSORFLOW_QUIET}, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def played_steps(lesson: str, env: dict) -> tuple[list[tuple[str, float]], float]:
    """Each step of ``tutor learn lesson --auto`` with its seconds; the exit after the last line."""
    process = subprocess.Popen([sys.executable, "-m", "tutor", "learn", lesson, "--auto"],
                               cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    headers, last = [], time.perf_counter()
    for line in process.stdout:
        last = time.perf_counter()
        header = _HEADER.match(line)
        if header:
            headers.append((header.group(3), last))
    process.wait()
    ends = [at for _, at in headers[1:]] + [last]
    steps = [(name, end - at) for (name, at), end in zip(headers, ends, strict=True)]
    return steps, time.perf_counter() - last


def warm_code_steps(lesson_id: str) -> tuple[list[tuple[str, float]], float]:
    """A lesson's code steps on a warm worker: each step's answer (every snippet run and its
    output checked against values computed ahead), and the seconds SymPy took ahead."""
    from tutor.lessons.catalog import find_lesson
    from tutor.lessons.mathctx import LessonMath
    from tutor.lessons.schema import load_lesson
    from tutor.lessons.snippets import CodeWorker
    from tutor.lessons.steps.code import (
        Code,
        ahead_key,
        check_output,
        expected_ahead,
        frameworks_to_run,
        warm_for,
    )

    lesson = load_lesson(find_lesson(lesson_id))
    frameworks = frameworks_to_run(lesson.steps)
    worker = CodeWorker()  # as `tutor learn` warms it for this lesson
    warm_for(worker, lesson.steps)
    answers = []
    try:
        for framework in frameworks:
            worker.processes[framework].wait_ready()
        math = LessonMath(lesson)
        started = time.perf_counter()
        known = {key: work() for key, work in expected_ahead(math, lesson.steps).items()}
        ahead = time.perf_counter() - started
        for step in lesson.steps:
            if not isinstance(step, Code):
                continue
            worker.wait_first_uses()  # made while a learner reads (after the first code step)
            started = time.perf_counter()
            for framework in frameworks:
                if step.source(framework) is not None:
                    where = f"{lesson_id}:{step.id} ({framework})"
                    run = worker.run(step.source(framework), where, step.timeout, framework)
                    checks = check_output(math, step, run, framework,
                                          lambda e, step=step: known[ahead_key(step, e)])
                    assert all(check.ok for check in checks), (where, run, checks)
            answers.append((step.id, time.perf_counter() - started))
    finally:
        worker.stop(wait=False)
    return answers, ahead


def code_step_ids(lesson_id: str) -> set[str]:
    from tutor.lessons.catalog import find_lesson
    from tutor.lessons.schema import load_lesson

    return {step.id for step in load_lesson(find_lesson(lesson_id)).steps if step.kind == "code"}


def verdict(seconds: float, target: float) -> str:
    return "ok" if seconds <= target else "OVER"


def load() -> str:
    return "{:.1f}, {:.1f}, {:.1f} (1, 5, 15 min)".format(*os.getloadavg())


def command_seconds(*argv: str, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    from tutor.lessons.catalog import catalog

    named = sys.argv[1:]
    lessons = named or [info.id for info in catalog()]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TUTOR_HOME": home, "PYTHONPATH": str(ROOT), "NO_COLOR": "1",
               "COLUMNS": "100"}
        print(f"Every lesson in --auto, seconds per step (load average {load()}); targets: "
              f"every step of lesson 1 and each lesson's first code step <= {STEP_TARGET} s, "
              f"exit <= {EXIT_TARGET} s after the last line")
        print("   # lesson                   slowest step                first code step"
              "               exit")
        for number, lesson in enumerate(lessons, 1):
            steps, exit_delay = played_steps(lesson, env)
            name, slowest = max(steps, key=lambda step: step[1])
            code_ids = code_step_ids(lesson)
            code = [(step, seconds) for step, seconds in steps if step in code_ids]
            first = (f"{code[0][1]:5.2f} {code[0][0]:19s} {verdict(code[0][1], STEP_TARGET):4s}"
                     if code else f"{'(none)':30s}")
            lesson_one = number == 1 and not named
            print(f"  {number:2d} {lesson:24s} {slowest:5.2f} {name:19s} "
                  f"{verdict(slowest, STEP_TARGET) if lesson_one else '':4s} {first} "
                  f"{exit_delay:4.2f} {verdict(exit_delay, EXIT_TARGET)}")
            print("     " + "  ".join(f"{step} {seconds:.2f}" for step, seconds in steps))
        if not named:
            listing = min(command_seconds("-m", "tutor", "list", env=env) for _ in range(ROUNDS))
            torch_import = min(command_seconds("-c", "import torch", env=env)
                               for _ in range(ROUNDS))

    print(f"Code steps on a warm worker, seconds a learner waits for each answer (snippets run, "
          f"output checked; load average {load()}); target <= {WARM_TARGET} s each:")
    print("   # lesson                   slowest answer                 SymPy ahead  code steps")
    for number, lesson in enumerate(lessons, 1):
        answers, ahead = warm_code_steps(lesson)
        if not answers:
            print(f"  {number:2d} {lesson:24s} (no code steps)")
            continue
        name, slowest = max(answers, key=lambda answer: answer[1])
        print(f"  {number:2d} {lesson:24s} {slowest:5.2f} {name:20s} "
              f"{verdict(slowest, WARM_TARGET):4s} {ahead:6.2f} s     "
              + "  ".join(f"{step} {seconds:.2f}" for step, seconds in answers))
    if named:
        return

    tensorflow = tensorflow_loops()
    lesson_descent("manual")  # warm up: imports, lowering, torch's first calls
    base = {method: [] for method in METHODS}
    checked = {method: [] for method in METHODS}
    for _ in range(ROUNDS):
        for method in METHODS:
            base[method].append(torch_loop(method))
            checked[method].append(lesson_descent(method))
    print(f"Himmelblau descents, {STEPS:,} steps, every step checked, against the source's "
          f"loops (best of {ROUNDS}; target <= {DESCENT_TARGET}x):")
    print("  method   lesson    PyTorch loop  ratio   TensorFlow loop (tf.function)  ratio")
    for method in METHODS:
        lesson, source = min(checked[method]), min(base[method])
        print(f"  {method:7s} {lesson:6.2f} s  {source:9.2f} s  {lesson / source:5.2f}x  "
              f"{tensorflow[method]:12.2f} s{lesson / tensorflow[method]:20.2f}x")

    print(f"`tutor list` start-up (best of {ROUNDS}): {listing:.2f} s (target < 0.3 s); "
          f"python -c 'import torch': {torch_import:.2f} s")


if __name__ == "__main__":
    main()
