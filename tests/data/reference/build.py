"""Build cases.json, the outside reference set, from sources.json.

Each transcribed pair (function, derivative as its source states it) gives several answers:
the source's derivative, SymPy's, and wrong ones (negated, off by 1, doubled, off by 1e-9,
off by a factor 1 + 1e-7). Each answer list entry gives itself and its negation. The right
verdict of every case is decided without the checker: SymPy's simplify proving the difference
zero, else exact evaluation at 50 digits on a grid of rational points (magnitudes 1e-3 to
1e3, both signs, whole and half numbers) where the expected expression is real.

Run: .venv/bin/python tests/data/reference/build.py
"""

from __future__ import annotations

import itertools
import json
import pathlib

import sympy

from tutor._limits import within_time
from tutor.parsing import parse

HERE = pathlib.Path(__file__).parent
GRID = [sympy.Rational(v) for v in ("-1000", "-37/3", "-5/2", "-2", "-1", "-1/2", "-1/3",
                                    "-1/1000", "1/1000", "1/3", "1/2", "1", "3/2", "2", "5/2",
                                    "7/2", "9/2", "37/3", "21/2", "101", "1000")]
SMALL_GRID = [sympy.Rational(v) for v in ("-2", "-1/2", "1/2", "3/2", "2", "7")]


def _real(value: sympy.Expr) -> sympy.Expr | None:
    if not value.is_number or value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return None
    real, imaginary = value.as_real_imag()
    return real if imaginary == 0 or abs(imaginary) < 1e-40 * (abs(real) + 1e-300) else None


def decide(expected: sympy.Expr, given: sympy.Expr) -> tuple[bool, str]:
    """(equal as real functions on expected's domain, how it was decided)."""
    difference = expected - given
    if within_time(lambda: sympy.simplify(difference) == 0, 20, False):
        return True, "simplify"
    symbols = sorted(expected.free_symbols | given.free_symbols, key=lambda s: s.name)
    grid = GRID if len(symbols) < 2 else SMALL_GRID
    compared = 0
    for values in itertools.product(grid, repeat=len(symbols)):
        at = dict(zip(symbols, values, strict=True))
        want = _real(expected.evalf(50, subs=at))
        if want is None:
            continue
        got = _real(given.evalf(50, subs=at))
        if got is None:
            return False, "mpmath50 (answer undefined where expected is real)"
        gap = difference.evalf(50, subs=at)
        if gap != 0 and getattr(gap, "_prec", 200) >= 100:
            return False, "mpmath50"
        compared += 1
    if not compared:
        raise ValueError(f"no real point for {expected}")
    return True, f"mpmath50 at {compared} points"


def _variants(derivative: str, sympy_form: sympy.Expr) -> list[tuple[str, str]]:
    text = f"({derivative})"
    return [(derivative, "as the source states it"),
            (str(sympy_form), "as SymPy prints it"),
            (f"-{text}", "negated"), (f"{text} + 1", "off by 1"), (f"2{text}", "doubled"),
            (f"{text} + 1e-9", "off by 1e-9"), (f"{text}*1.0000001", "off by a factor 1+1e-7")]


def build() -> list[dict]:
    data = json.loads((HERE / "sources.json").read_text(encoding="utf-8"))
    cases = []
    for function, derivative, wrt, source, *variables in data["pairs"]:
        names = variables[0].split(",") if variables else None
        expected = sympy.diff(parse(function, names), sympy.Symbol(wrt, real=True))
        for answer, how in _variants(derivative, expected):
            correct, decided_by = decide(expected, parse(answer, names or None))
            cases.append({"kind": "derivative", "function": function, "wrt": wrt,
                          "answer": answer, "variant": how, "correct": correct,
                          "decided_by": decided_by, "source": source})
    for answer, expected_text, source in data["answers"]:
        expected = parse(expected_text)
        for given, how in ((answer, "as listed"), (f"-({answer})", "negated")):
            correct, decided_by = decide(expected, parse(given))
            cases.append({"kind": "answer", "expected": expected_text, "answer": given,
                          "variant": how, "correct": correct, "decided_by": decided_by,
                          "source": source})
    return cases


if __name__ == "__main__":
    built = build()
    (HERE / "cases.json").write_text(json.dumps(built, indent=1, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    print(f"{len(built)} cases, {sum(c['correct'] for c in built)} right answers")
