"""Speed of the core, measured side by side in one run (ratios, not absolute times).

Run: `make bench` or `.venv/bin/python benchmarks/core.py`. Prints one table; the README
shows the last one. Targets from issue 2 are printed beside each figure.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import time

import numpy as np
import sympy
import torch

from tutor import gradcheck, numeric
from tutor.gradcheck import check_gradient
from tutor.lowering import TENSORFLOW, numeric_function
from tutor.parsing import parse

HIMMELBLAU = "(x^2+y-11)^2 + (x+y^2-7)^2"


def best_of(work, repeat: int = 5) -> float:
    """The median wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def himmelblau_torch(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def per_point_check_costs(n: int = 10_000) -> list[tuple[str, float, str, float, str]]:
    points = np.random.default_rng(0).uniform(-4, 4, (n, 2))
    def run():
        return check_gradient(HIMMELBLAU, "x,y", fn=himmelblau_torch, points=points)

    def first_call():  # parse, derive and generate code again, as a new expression would
        numeric._numeric.cache_clear()
        run()

    ours = best_of(run) / n
    cold = best_of(first_call) / n

    def gradcheck_each(k: int = 100):
        for px, py in points[:k]:
            xt = torch.tensor([px], dtype=torch.float64, requires_grad=True)
            yt = torch.tensor([py], dtype=torch.float64, requires_grad=True)
            torch.autograd.gradcheck(himmelblau_torch, (xt, yt))

    def autograd_loop(k: int = 1000):
        for px, py in points[:k]:
            xt = torch.tensor(px, dtype=torch.float64, requires_grad=True)
            yt = torch.tensor(py, dtype=torch.float64, requires_grad=True)
            torch.autograd.grad(himmelblau_torch(xt, yt), (xt, yt))

    gradcheck = best_of(gradcheck_each, 3) / 100
    loop = best_of(autograd_loop, 3) / 1000
    return [
        ("check_gradient, Himmelblau, 10,000 points, per point", ours,
         "gradcheck per point", gradcheck, ">= 1000x"),
        ("check_gradient, Himmelblau, 10,000 points, per point", ours,
         "per-point autograd loop", loop, ">= 100x"),
        ("the same, first call (code generation included)", cold,
         "gradcheck per point", gradcheck, ">= report"),
    ]


def million_point_cost(n: int = 1_000_000) -> tuple[str, float, str, float, str]:
    """check_gradient at 10^6 seeded points (drawing, evaluating, differentiating, comparing)
    against one forward evaluation of the function in torch on the same points (issue 10).

    Both sides are the fastest of 7 runs, taken in turn: on a shared machine a 0.1 s run is
    preempted far more often than a 10 ms one, which the median would count against it."""
    check_gradient(HIMMELBLAU, "x,y", points=n)  # derive and generate the code once
    drawn = numeric.sample_points(["x", "y"], n)
    x, y = torch.from_numpy(drawn["x"]), torch.from_numpy(drawn["y"])
    forward, ours = math.inf, math.inf
    for _ in range(7):
        forward = min(forward, best_of(lambda: himmelblau_torch(x, y), 1))
        ours = min(ours, best_of(lambda: check_gradient(HIMMELBLAU, "x,y", points=n), 1))
    return ("check_gradient, Himmelblau, 10^6 points, float64", ours,
            "one torch forward evaluation", forward, "<= 8x")


def tensorflow_costs(n: int = 10_000) -> list[tuple[str, float, str, float, str]]:
    """The TensorFlow path beside the torch path (issue 6); measured last, as it imports TF."""
    tf = TENSORFLOW.library()
    points = np.random.default_rng(0).uniform(-4, 4, (n, 2))

    def check(backend):  # himmelblau_torch uses operators only: it runs on TF tensors too
        return best_of(lambda: check_gradient(HIMMELBLAU, "x,y", fn=himmelblau_torch, points=points,
                                              backend=backend)) / n

    def tape_loop(k: int = 300):
        for px, py in points[:k]:
            xt, yt = tf.constant(px, tf.float64), tf.constant(py, tf.float64)
            with tf.GradientTape() as tape:
                tape.watch([xt, yt])
                out = himmelblau_torch(xt, yt)
            tape.gradient(out, [xt, yt])

    ours, torch_path = check("tensorflow"), check("torch")
    loop = best_of(tape_loop, 3) / 300
    name = "TF check_gradient, Himmelblau, 10,000 points, per point"
    return [(name, ours, "per-point GradientTape loop", loop, ">= 100x"),
            (name, ours, "check_gradient (torch), per point", torch_path, "report: TF / torch")]


def logistic_map(n: int = 9):
    x = sympy.Symbol("x", real=True)
    expr = x
    for _ in range(n - 1):
        expr = 4 * expr * (1 - expr)
    return x, expr


def logistic_map_cost(points: int = 1_000_000):
    x, expr = logistic_map()
    values = np.random.default_rng(0).uniform(0, 1, points)

    def autograd():
        xt = torch.tensor(values, requires_grad=True)
        out = xt
        for _ in range(8):
            out = 4 * out * (1 - out)
        torch.autograd.grad(out.sum(), xt)

    def symbolic():  # derive, lower with CSE, evaluate: everything our side of a check does
        numeric_function(sympy.diff(expr, x), ["x"])(values)

    auto, ours = best_of(autograd, 3), best_of(symbolic, 3)
    return ("symbolic side, logistic map n=9, 10^6 points", ours, "autograd's gradient", auto,
            "<= 4x slower")


def tanh_chain(depth: int) -> sympy.Expr:
    text = "x"
    for k in range(1, depth + 1):
        text = f"tanh(w{k}*{text} + b{k})"
    return parse(text)


def chain_growth():
    def full_check(depth):
        numeric._numeric.cache_clear()  # so that no cache hides the derive + lower work
        gradcheck._lowered.cache_clear()
        check_gradient(tanh_chain(depth), "x", points=1000)

    t20 = best_of(lambda: full_check(20), 3)
    t40 = best_of(lambda: full_check(40), 3)
    return ("derive+lower+check, tanh chain d=40", t40, "the same at d=20", t20, "<= 2.5x")


def help_start_up():
    def run(args):
        return best_of(lambda: subprocess.run(args, capture_output=True, check=True), 5)

    ours = run([sys.executable, "-m", "tutor", "--help"])
    torch_import = run([sys.executable, "-c", "import torch"])
    return ("tutor --help wall time", ours, "python -c 'import torch'", torch_import, "<= 0.25x")


def main() -> None:
    # One thread for torch, as for NumPy: on a shared 2-core machine torch's second thread
    # mostly measures contention (autograd's logistic-map gradient: ~0.1 s on one thread,
    # 0.15-0.5 s on two under load).
    torch.set_num_threads(1)
    print("torch threads: 1 (NumPy's evaluation is single-threaded too)")
    rows = [*per_point_check_costs(), million_point_cost(), logistic_map_cost(), chain_growth(), help_start_up()]
    if TENSORFLOW.installed():
        rows += tensorflow_costs()
    else:
        print('(TensorFlow rows left out: pip install "tutor[tensorflow]")')
    print(f"{'measured':58} {'time':>10}  {'baseline':30} {'time':>10}  {'ratio':>8}  target")
    for name, ours, base_name, base, target in rows:
        ratio = base / ours if target.startswith(">=") else ours / base
        print(f"{name:58} {_fmt(ours):>10}  {base_name:30} {_fmt(base):>10}  {_ratio(ratio):>8}x  {target}")


def _ratio(ratio: float) -> str:
    return f"{ratio:.0f}" if ratio >= 10 else f"{ratio:.2f}"


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


if __name__ == "__main__":
    main()
