"""How soon `tutor watch` prints a verdict after a save, measured in one run.

Run: `.venv/bin/python benchmarks/watch.py`. Target from issue 13: `tutor watch` re-checks
within 1 s of a save. The real command runs in a child process watching a workspace; each
round saves the heaviest exercise file (a two-layer network's whole backward pass, four
gradients), alternately right and wrong, and times the save until the verdict is printed.
The baseline is one whole check of the reference solution in this process, autograd's side
included, as `check_matrix_derivative` does it on every call (the watcher prepares that side
once per exercise, and runs the learner's function in the confined worker).
"""

from __future__ import annotations

import inspect
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core import best_of  # benchmarks/ is on the path when this script runs

from tutor.lessons.exercises import EXERCISES
from tutor.matrix import check_matrix_derivative

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = EXERCISES["two_layer_backward"]
ROUNDS = 10


def _line(process, text: str) -> str:
    while True:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"tutor watch ended before printing {text!r}")
        if text in line:
            return line


def main() -> None:
    right = EXERCISE.reference()
    wrong = right.replace("* (Z1 > 0)", "")  # the ReLU mask left out
    in_process = best_of(lambda: check_matrix_derivative(
        EXERCISE.solution, EXERCISE.loss, list(EXERCISE.wrt), EXERCISE.shapes,
        EXERCISE.given), 5)
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TUTOR_HOME": home, "NO_COLOR": "1", "PYTHONPATH": str(ROOT),
               "COLUMNS": "300"}
        process = subprocess.Popen([sys.executable, "-m", "tutor", "watch", EXERCISE.name],
                                   cwd=str(ROOT), env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        try:
            _line(process, "watching")
            path = Path(home) / "exercises" / EXERCISE.file_name
            latencies = []
            for round_number in range(ROUNDS):
                source = right if round_number % 2 else wrong
                time.sleep(0.3)  # a learner saves now and then, not in a burst
                started = time.perf_counter()
                path.write_text(source)
                _line(process, "passed" if source == right else "not yet")
                latencies.append(time.perf_counter() - started)
        finally:
            process.kill()
            process.wait()
    assert "* (Z1 > 0)" in inspect.getsource(EXERCISE.solution)
    median, worst = statistics.median(latencies), max(latencies)
    print(f"tutor watch on {EXERCISE.file_name}: {ROUNDS} saves, alternately right and wrong")
    print(f"{'measure':52} {'value':>10} {'target':>8}")
    for name, value, target in [
        ("median save-to-verdict", f"{median * 1e3:.0f} ms", "< 1 s"),
        ("worst save-to-verdict", f"{worst * 1e3:.0f} ms", "< 1 s"),
        ("in-process check of the reference (baseline)", f"{in_process * 1e3:.0f} ms", ""),
        ("median save-to-verdict / baseline", f"{median / in_process:.1f}x", ""),
    ]:
        print(f"{name:52} {value:>10} {target:>8}")


if __name__ == "__main__":
    main()
