"""Speed of a matrix verdict, measured side by side in one run (ratios, not absolute times).

Run: `.venv/bin/python benchmarks/matrix.py`. Targets from issue 13: a matrix verdict at
shapes up to 64x64 takes a median under 100 ms, and at most 10x one autograd call on the same
shapes. The baseline is the loss written by hand in PyTorch, forward and backward, on tensors
of the verdict's shapes (draws batched, as the checker does). The measures run in turn, round
after round, so the ratios are read from one stretch of machine time. A lesson, `tutor watch`
and the grader prepare a question once and check each answer against it (the "prepared" row).
"""

from __future__ import annotations

import statistics
import time

import torch

from tutor.feedback.matrix_mistakes import check_matrix_derivative as with_feedback
from tutor.matrix.check import DRAWS, check_matrix_derivative, check_prepared, prepare

SHAPES = {"X": "n×d", "W": "d×k", "Y": "n×k"}
LOSS = "-sum(Y ⊙ log_softmax(X W)) / n"
RIGHT = "X.T @ (softmax(X W) - Y) / n"
WRONG = "X.T @ (softmax(X W) - Y)"  # the 1/n missing: the mistake search runs
SIZES = [{"n": 64, "d": 48, "k": 32}, {"n": 48, "d": 64, "k": 16}, {"n": 32, "d": 16, "k": 64}]


def autograd_call(sizes: dict[str, int]) -> None:
    """The same loss by hand: one forward and backward pass on batched float64 tensors."""
    n, d, k = sizes["n"], sizes["d"], sizes["k"]
    X = torch.randn(DRAWS, n, d, dtype=torch.float64)
    W = torch.randn(DRAWS, d, k, dtype=torch.float64, requires_grad=True)
    Y = torch.nn.functional.one_hot(torch.randint(0, k, (DRAWS, n)), k).double()
    loss = -(Y * torch.log_softmax(X @ W, dim=2)).sum((1, 2)) / n
    torch.autograd.grad(loss.sum(), W)


def interleaved_medians(works: dict[str, object], repeat: int = 21) -> dict[str, float]:
    """Median wall time of each work, the works run in turn ``repeat`` times after one warm-up
    round: a burst of load from another process falls on all of them alike, so the ratios
    hold steady on a busy machine where separate timing loops do not."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for round_ in range(repeat + 1):
        for name, work in works.items():
            start = time.perf_counter()
            work()
            if round_:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)  # small matrices: one thread is faster and steadier on a busy machine
    given = {"Y": "one-hot"}
    largest = SIZES[0]
    problem = prepare(LOSS, "W", SHAPES, given, sizes=SIZES)
    medians = interleaved_medians({
        "verdict": lambda: check_matrix_derivative(RIGHT, LOSS, "W", SHAPES, given, sizes=SIZES),
        "prepared": lambda: check_prepared([problem], RIGHT),
        "diagnosed": lambda: with_feedback(WRONG, LOSS, "W", SHAPES, given, sizes=SIZES),
        "one_call": lambda: autograd_call(largest),
        "same_sizes": lambda: [autograd_call(sizes) for sizes in SIZES],
    })
    verdict, one_call = medians["verdict"], medians["one_call"]
    assert check_matrix_derivative(RIGHT, LOSS, "W", SHAPES, given, sizes=SIZES).correct
    assert with_feedback(WRONG, LOSS, "W", SHAPES, given, sizes=SIZES).mistake

    sizes_text = "; ".join("x".join(str(v) for v in s.values()) for s in SIZES)
    print(f"matrix verdict, cross-entropy gradient dL/dW at (n x d x k) = {sizes_text}, "
          f"{DRAWS} draws each")
    print(f"{'measure':58} {'value':>12} {'target':>10}")
    rows = [
        ("median verdict (right answer)", f"{verdict * 1e3:.1f} ms", "< 100 ms"),
        ("verdict / one autograd call at 64x48x32", f"{verdict / one_call:.1f}x", "<= 10x"),
        ("verdict / autograd calls at the same 3 sizes",
         f"{verdict / medians['same_sizes']:.1f}x", ""),
        ("verdict on a prepared question / one autograd call",
         f"{medians['prepared'] / one_call:.1f}x", ""),
        ("median verdict with mistake search (wrong answer)",
         f"{medians['diagnosed'] * 1e3:.1f} ms", ""),
        ("one autograd call at 64x48x32 (baseline)", f"{one_call * 1e3:.2f} ms", ""),
    ]
    for name, value, target in rows:
        print(f"{name:58} {value:>12} {target:>10}")


if __name__ == "__main__":
    main()
