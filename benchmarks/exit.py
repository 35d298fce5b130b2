"""How long `tutor` takes to exit after its last line, side by side with a bare Python.

`tutor learn polynomial --auto` (torch, SymPy and the code worker loaded) and `tutor list`,
each measured from the last line on stdout to the end of the process, against
`python -c "print()"` measured the same way. Target (issue 12): within 0.3 s.

Run: .venv/bin/python benchmarks/exit.py   (median of several rounds, interleaved)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 3
TARGET = 0.3


def exit_delay(command: list[str], home: str) -> float:
    """Seconds from the last line ``command`` prints to its exit."""
    env = {**os.environ, "TUTOR_HOME": home, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, env=env, cwd=str(ROOT))
    last = time.perf_counter()
    for _ in process.stdout:
        last = time.perf_counter()
    process.wait()
    return time.perf_counter() - last


def main() -> None:
    tutor = [sys.executable, "-m", "tutor"]
    commands = {"python -c print()": [sys.executable, "-c", "print()"],
                "tutor list": [*tutor, "list"],
                "tutor learn polynomial --auto": [*tutor, "learn", "polynomial", "--auto"]}
    delays: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as home:
        for _ in range(ROUNDS):
            for name, command in commands.items():
                delays[name].append(exit_delay(command, home))
    baseline = statistics.median(delays["python -c print()"])
    print(f"{'command':32} {'exit after last line':>21} {'vs bare python':>15}  target")
    for name, values in delays.items():
        median = statistics.median(values)
        verdict = "" if name.startswith("python") else (
            f"<= {TARGET} s: {'ok' if median <= TARGET else 'MISSED'}")
        print(f"{name:32} {median:>19.3f} s {median / baseline:>14.1f}x  {verdict}")


if __name__ == "__main__":
    main()
