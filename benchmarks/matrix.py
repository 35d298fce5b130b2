"""Speed of a matrix verdict, measured side by side in one run (ratios, not absolute times).

Run: `.venv/bin/python benchmarks/matrix.py`. Targets from issue 13: a matrix verdict at
shapes up to 64x64 takes a median under 100 ms, and at most 10x one autograd call on the same
shapes. The baseline is the loss written by hand in PyTorch, forward and backward, on tensors
of the verdict's shapes (draws batched, as the checker does).
"""

from __future__ import annotations

import torch
from core import best_of  # benchmarks/ is on the path when this script runs

from tutor.feedback.matrix_mistakes import check_matrix_derivative as with_feedback
from tutor.matrix.check import DRAWS, check_matrix_derivative

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


def median_time(work, repeat: int = 15) -> float:
    """``best_of`` after one warm-up run (which builds caches and wakes torch up)."""
    work()
    return best_of(work, repeat)


def main() -> None:
    torch.manual_seed(0)
    torch.set_num_threads(1)  # small matrices: one thread is faster and steadier on a busy machine
    given = {"Y": "one-hot"}
    largest = SIZES[0]
    verdict = median_time(lambda: check_matrix_derivative(RIGHT, LOSS, "W", SHAPES, given,
                                                          sizes=SIZES))
    diagnosed = median_time(lambda: with_feedback(WRONG, LOSS, "W", SHAPES, given, sizes=SIZES),
                            repeat=5)
    one_call = median_time(lambda: autograd_call(largest))
    same_sizes = median_time(lambda: [autograd_call(sizes) for sizes in SIZES])
    assert check_matrix_derivative(RIGHT, LOSS, "W", SHAPES, given, sizes=SIZES).correct
    assert with_feedback(WRONG, LOSS, "W", SHAPES, given, sizes=SIZES).mistake

    sizes_text = "; ".join("x".join(str(v) for v in s.values()) for s in SIZES)
    print(f"matrix verdict, cross-entropy gradient dL/dW at (n x d x k) = {sizes_text}, "
          f"{DRAWS} draws each")
    print(f"{'measure':58} {'value':>12} {'target':>10}")
    rows = [
        ("median verdict (right answer)", f"{verdict * 1e3:.1f} ms", "< 100 ms"),
        ("verdict / one autograd call at 64x48x32", f"{verdict / one_call:.1f}x", "<= 10x"),
        ("verdict / autograd calls at the same 3 sizes", f"{verdict / same_sizes:.1f}x", ""),
        ("median verdict with mistake search (wrong answer)", f"{diagnosed * 1e3:.1f} ms", ""),
        ("one autograd call at 64x48x32 (baseline)", f"{one_call * 1e3:.2f} ms", ""),
    ]
    for name, value, target in rows:
        print(f"{name:58} {value:>12} {target:>10}")


if __name__ == "__main__":
    main()
