"""How trustworthy and how fast are verdicts? Run: python benchmarks/checker.py

Over the outside reference set tests/data/reference/cases.json (each verdict decided exactly:
SymPy simplify or 50-digit evaluation), in one run:
- agreement with the exact verdicts, wrong answers accepted (must be 0), right answers refused;
- latency per verdict, warm (each case judged once before timing): median, p95, max, for
  check_answer and check_derivative; and, as a baseline on the same answers, a naive checker
  that asks SymPy whether simplify(expected - answer) == 0 (capped at 1 s).
"""

from __future__ import annotations

import json
import pathlib
import statistics
import sys
import time

import sympy

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from tutor._limits import within_time  # noqa: E402
from tutor.check import check_answer, check_derivative  # noqa: E402
from tutor.parsing import parse  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "reference" / "cases.json"
NAIVE_LIMIT = 1.0


def judge(case: dict) -> bool:
    if case["kind"] == "answer":
        return check_answer(case["answer"], case["expected"]).correct
    return check_derivative(case["answer"], case["function"], case["wrt"]).correct


def naive(case: dict) -> bool:
    if case["kind"] == "answer":
        expected, given = parse(case["expected"]), parse(case["answer"])
    else:
        function = parse(case["function"])
        wrt = sympy.Symbol(case["wrt"], real=True)
        expected, given = sympy.diff(function, wrt), parse(case["answer"])
    return within_time(lambda: sympy.simplify(expected - given) == 0, NAIVE_LIMIT, False)


def timed(work, case: dict) -> tuple[bool, float]:
    start = time.perf_counter()
    verdict = work(case)
    return verdict, time.perf_counter() - start


def summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (f"median {statistics.median(ordered) * 1e3:7.1f} ms   p95 {p95 * 1e3:7.1f} ms   "
            f"max {ordered[-1] * 1e3:7.1f} ms")


def main() -> None:
    cases = json.loads(DATA.read_text(encoding="utf-8"))
    for case in cases:  # warm: lowering caches, SymPy caches
        judge(case)
    results = [(case, *timed(judge, case)) for case in cases]
    wrong_accepted = [c for c, verdict, _ in results if verdict and not c["correct"]]
    right_refused = [c for c, verdict, _ in results if not verdict and c["correct"]]
    agreement = 1 - (len(wrong_accepted) + len(right_refused)) / len(results)
    print(f"reference set: {len(cases)} cases ({sum(c['correct'] for c in cases)} right answers)")
    print(f"agreement {agreement:.1%}   wrong answers accepted {len(wrong_accepted)}   "
          f"right answers refused {len(right_refused)}")
    for case in right_refused + wrong_accepted:
        print("   disagrees:", json.dumps(case, ensure_ascii=False))
    for kind in ("answer", "derivative"):
        seconds = [s for c, _, s in results if c["kind"] == kind]
        print(f"check_{kind:<10} ({len(seconds):3} cases)  {summary(seconds)}")
    naive_results = [(case, *timed(naive, case)) for case in cases]
    naive_agree = sum(v == c["correct"] for c, v, _ in naive_results) / len(cases)
    ours = [s for _, _, s in results]
    theirs = [s for _, _, s in naive_results]
    print(f"naive simplify       (all {len(cases)} cases)  {summary(theirs)}   "
          f"agreement {naive_agree:.1%}")
    print(f"checker / naive median time: {statistics.median(ours) / statistics.median(theirs):.2f}x")


if __name__ == "__main__":
    main()
