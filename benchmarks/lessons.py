"""Lesson speed, as ratios measured side by side in one run.

1. The Himmelblau lesson's descent: 30,000 float32 steps from (0, 0), lr 0.001, with every
   step's autograd gradient checked against the symbolic gradient, against the source's own
   unchecked loop. Target: at most 1.2x.
2. `tutor list` start-up against `python -c "import torch"`. Target: under 0.3 s.

Run: .venv/bin/python benchmarks/lessons.py   (best of several rounds, interleaved)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS, LR, ROUNDS = 30_000, 0.001, 5


def unchecked_loop() -> float:
    """The source's PyTorch loop, as written there (printing every 2000 steps into a list)."""
    import torch

    def himmelblau(x):
        return (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2

    lines = []
    started = time.perf_counter()
    x = torch.tensor([0.0, 0.0], requires_grad=True)
    for step in range(STEPS):
        pred = himmelblau(x)
        grads = torch.autograd.grad(pred, [x])
        x.data.sub_(LR * grads[0])
        if step % 2000 == 0:
            lines.append(f"step {step}: x = {x.tolist()}, pred = {pred.item()}")
    return time.perf_counter() - started


def checked_descent() -> float:
    """The lesson's descent: every step's gradient checked against the symbolic one."""
    from tutor.lessons.descend import descend
    from tutor.parsing import parse

    function = parse("(x^2 + y - 11)^2 + (x + y^2 - 7)^2")
    started = time.perf_counter()
    run = descend(function, ["x", "y"], [[0.0, 0.0]], method="manual", lr=LR, steps=STEPS,
                  every=2000)
    seconds = time.perf_counter() - started
    assert run.check.checked == STEPS and run.check.failed == 0
    return seconds


def command_seconds(*argv: str, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    checked_descent()  # warm up: imports, lowering, torch's first calls
    unchecked_loop()
    base, checked = [], []
    for _ in range(ROUNDS):
        base.append(unchecked_loop())
        checked.append(checked_descent())
    print(f"Himmelblau descent, {STEPS:,} steps (best of {ROUNDS}):")
    print(f"  source's unchecked loop       {min(base):6.2f} s")
    print(f"  lesson, every step checked    {min(checked):6.2f} s")
    print(f"  ratio                         {min(checked) / min(base):6.2f}x   (target <= 1.2x)")

    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TUTOR_HOME": home, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
        listing = min(command_seconds("-m", "tutor", "list", env=env) for _ in range(ROUNDS))
        torch_import = min(command_seconds("-c", "import torch", env=env) for _ in range(ROUNDS))
    print(f"`tutor list` start-up (best of {ROUNDS}):")
    print(f"  tutor list                    {listing:6.2f} s   (target < 0.3 s)")
    print(f"  python -c 'import torch'      {torch_import:6.2f} s")
    print(f"  ratio                         {listing / torch_import:6.2f}x")


if __name__ == "__main__":
    main()
