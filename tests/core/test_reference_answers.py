"""The checker against an outside reference set (tests/data/reference): no wrong answer
accepted, at least 97% agreement with verdicts decided exactly."""

import json
import pathlib

import pytest

from tutor.check import check_answer, check_derivative

CASES = json.loads((pathlib.Path(__file__).parents[1] / "data" / "reference" / "cases.json")
                   .read_text(encoding="utf-8"))


def judge(case: dict) -> bool:
    """The checker's verdict on one reference case."""
    if case["kind"] == "answer":
        return check_answer(case["answer"], case["expected"]).correct
    return check_derivative(case["answer"], case["function"], case["wrt"]).correct


@pytest.fixture(scope="module")
def verdicts():
    return [(case, judge(case)) for case in CASES]


def test_the_reference_set_is_large_and_mixed():
    assert len(CASES) >= 400
    assert 0.2 < sum(case["correct"] for case in CASES) / len(CASES) < 0.5
    assert {case["source"] for case in CASES} >= {"sympy-hyperbolic", "sympy-trig", "sympy-diff",
                                                  "emory", "issue-10"}


def test_no_wrong_answer_is_accepted(verdicts):
    accepted = [case for case, verdict in verdicts if verdict and not case["correct"]]
    assert accepted == []


def test_agreement_is_at_least_97_percent(verdicts):
    refused = [case for case, verdict in verdicts if not verdict and case["correct"]]
    agreement = 1 - len(refused) / len(verdicts)
    assert agreement >= 0.97, refused
