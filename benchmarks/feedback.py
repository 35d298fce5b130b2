"""How well and how fast are mistakes recognised? Run: python benchmarks/feedback.py

Over the labelled set tests/data/mistakes.yaml, in one run:
- detection: labelled wrong answers that get the right code from check_derivative (default
  budget), wrong codes, right answers tagged;
- time per answer: check_derivative with the mistake search on, against a naive checker that
  parses the answer and asks SymPy whether simplify(answer - derivative) == 0, on the same
  answers; and the mistake search alone (diagnose), with the per-function cache cold and warm.
"""

from __future__ import annotations

import pathlib
import statistics
import sys
import time

import sympy
import yaml
from sympy.core.cache import clear_cache

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from tutor._limits import within_time  # noqa: E402
from tutor.feedback import (
    check_derivative,  # noqa: E402
    mistakes,  # noqa: E402
)
from tutor.parsing import parse, symbol  # noqa: E402

DATA = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "mistakes.yaml"
NAIVE_LIMIT = 10.0  # seconds; a slower simplify is counted as this long


def load() -> list[tuple[str, str, str, list[str], str | None]]:
    """(function, wrt, answer, variable names, label) per answer; label None when right."""
    rows = []
    for entry in yaml.safe_load(DATA.read_text()):
        names = sorted({s.name for s in parse(entry["function"]).free_symbols} | {entry["wrt"]})
        answers = [(a, None) for a in entry["correct"]] + list(entry["wrong"].items())
        rows += [(entry["function"], entry["wrt"], a, names, label) for a, label in answers]
    return rows


def naive_check(answer: str, function: str, wrt: str, names: list[str]) -> bool:
    expected = sympy.diff(parse(function, names), symbol(wrt))
    given = parse(answer, names)
    return within_time(lambda: sympy.simplify(given - expected) == 0, NAIVE_LIMIT, False)


def timed(work, *args, **kwargs) -> tuple[float, object]:
    """Seconds and result of ``work(*args, **kwargs)``, with SymPy's cache emptied first so that neither
    checker profits from work the other did on the same answer."""
    clear_cache()
    start = time.perf_counter()
    result = work(*args, **kwargs)
    return time.perf_counter() - start, result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(name: str, seconds: list[float]) -> tuple[float, float]:
    median, p95 = statistics.median(seconds) * 1e3, percentile(seconds, 0.95) * 1e3
    print(f"{name:<44} median {median:8.2f} ms   p95 {p95:9.2f} ms   max {max(seconds) * 1e3:9.1f} ms")
    return median, p95


def main() -> None:
    rows = load()
    # Warm up imports and code generation on something outside the set.
    check_derivative("x", "x^2 + sin(x) + exp(x)", "x")
    mistakes.diagnose(parse("tanh(x) x"), [symbol("x")], parse("x"))

    checker, checker_wrong, naive, search_cold, search_warm = [], [], [], [], []
    right = wrong_code = tagged = missed = unknown_tagged = search_found = 0
    labelled = sum(1 for *_, label in rows if label not in (None, "unknown"))
    for function, wrt, answer, names, label in rows:
        seconds, verdict = timed(check_derivative, answer, function, wrt, variables=names)
        checker.append(seconds)
        naive.append(timed(naive_check, answer, function, wrt, names)[0])
        if label is None:
            tagged += verdict.mistake is not None or not verdict.correct
        elif label == "unknown":
            unknown_tagged += verdict.mistake is not None
        elif verdict.mistake == label:
            right += 1
        elif verdict.mistake is None:
            missed += 1
        else:
            wrong_code += 1
        if label is not None:
            checker_wrong.append(seconds)
            f, x, given = parse(function, names), symbol(wrt), parse(answer, names)
            mistakes._SEARCHES.clear()
            search_cold.append(timed(mistakes.diagnose, f, [x], given)[0])
            search_warm.append(timed(mistakes.diagnose, f, [x], given)[0])
            found = mistakes.diagnose(f, [x], given, budget=2.0)
            search_found += found is not None and found.code == label

    correct = sum(1 for *_, label in rows if label is None)
    print(f"labelled set: {len(rows)} answers over {len({r[:2] for r in rows})} questions: "
          f"{labelled} labelled wrong, {len(rows) - labelled - correct} wrong without a known "
          f"mistake, {correct} right")
    print(f"detection: right code {right}/{labelled} = {right / labelled:.1%}, none {missed}, "
          f"wrong code {wrong_code}; right answers tagged or rejected {tagged}; unexplained "
          f"answers tagged {unknown_tagged}")
    print(f"(diagnose alone with a 2 s budget instead of 0.05 s: right code {search_found}/"
          f"{labelled})")
    print()
    median, p95 = report("check_derivative, mistake search on", checker)
    report("  the same, wrong answers only", checker_wrong)
    naive_median, naive_p95 = report("naive simplify(a - b) == 0", naive)
    report("diagnose alone, function seen first time", search_cold)
    report("diagnose alone, function seen before", search_warm)
    print()
    print(f"ratio naive / checker: median {naive_median / median:.2f}x, p95 {naive_p95 / p95:.2f}x; "
          f"target median < 20 ms: {'met' if median < 20 else 'NOT met'} ({median:.2f} ms)")


if __name__ == "__main__":
    main()
