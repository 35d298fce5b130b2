"""Variable domains: their text, sampling inside them, and the checker respecting them."""

import math

import numpy as np
import pytest

from tutor.check import check_answer, check_derivative
from tutor.domains import Domain, parse_domain, read_domains, within_domains
from tutor.errors import ParseError

BCE = "-(y*log(p) + (1 - y)*log(1 - p))"


@pytest.mark.parametrize("text, inside, outside", [
    ("(0, 1)", [0.5, 1e-9, 0.999], [0.0, 1.0, -0.1, 2.0]),
    ("[0, 1]", [0.0, 1.0, 0.5], [-1e-9, 1.0000001]),
    ("[0, inf)", [0.0, 1e9], [-1e-9]),
    ("(-inf, -1]", [-1.0, -1e9], [-0.5]),
    ("{0, 1}", [0.0, 1.0], [0.5, 2.0]),
    ("{-1, 0.5, 2}", [-1.0, 0.5, 2.0], [0.0]),
])
def test_a_domain_holds_what_its_text_says(text, inside, outside):
    domain = parse_domain(text)
    assert all(v in domain for v in inside) and not any(v in domain for v in outside)
    assert parse_domain(str(domain)) == domain


@pytest.mark.parametrize("text, message", [
    ("0, 1", "expected an interval such as (0, 1)"),
    ("(1, 0)", "the lower end must be below the upper end"),
    ("(0, one)", "'one' is not a number"),
    ("{}", "a set needs at least one number"),
    ("{0, inf}", "a set holds finite numbers only"),
])
def test_a_bad_domain_is_named(text, message):
    with pytest.raises(ParseError, match="domain") as caught:
        parse_domain(text)
    assert message in str(caught.value)


@pytest.mark.parametrize("text", ["(0, 1)", "[0, 1]", "(0, inf)", "(-inf, 0]", "(-inf, inf)",
                                  "{0, 1}", "[-2, 3)"])
def test_samples_stay_inside_and_are_seeded(text):
    domain = parse_domain(text)
    points = domain.sample(5000, np.random.default_rng(3))
    assert all(v in domain for v in points)
    assert np.array_equal(points, domain.sample(5000, np.random.default_rng(3)))
    if not domain.values and math.isfinite(domain.low) and math.isfinite(domain.high):
        width = domain.high - domain.low  # spread over the interval, not bunched at one end
        assert points.min() < domain.low + 0.01 * width and points.max() > domain.high - 0.01 * width
    if not domain.low_open and math.isfinite(domain.low):
        assert (points == domain.low).any()  # a closed end is sampled too


def test_only_the_columns_with_a_domain_change():
    points = {"p": np.linspace(-5, 5, 50), "x": np.linspace(-5, 5, 50)}
    moved = within_domains(points, {"p": Domain(0.0, 1.0)}, seed=1)
    assert ((moved["p"] > 0) & (moved["p"] < 1)).all()
    assert moved["x"] is points["x"]


def test_read_domains_names_the_variable_of_a_bad_one():
    assert read_domains({"p": "(0, 1)"}) == {"p": Domain(0.0, 1.0)}
    assert read_domains([("y", Domain(values=(0.0, 1.0)))])["y"].values == (0.0, 1.0)
    with pytest.raises(ParseError, match="^p: domain"):
        read_domains({"p": "0 < p < 1"})


def test_the_counterexample_respects_the_domains():
    domains = {"p": "(0, 1)", "y": "{0, 1}"}
    verdict = check_derivative("-1/p", BCE, "p", domains=domains)
    assert not verdict.correct
    point = verdict.counterexample["point"]
    assert 0 < point["p"] < 1 and point["y"] in (0, 1)
    assert check_derivative("(p - y)/(p*(1 - p))", BCE, "p", domains=domains).correct
    # Without domains the counterexample is no probability: the reason for the option.
    free = check_derivative("-1/p", BCE, "p").counterexample["point"]
    assert not (0 < free["p"] < 1 and free["y"] in (0, 1))


def test_an_answer_equal_only_inside_the_domain():
    assert check_answer("abs(p)", "p", domains={"p": "(0, 1)"}).correct
    assert not check_answer("abs(p)", "p").correct
    assert check_answer("y^2", "y", domains={"y": "{0, 1}"}).correct
    assert not check_answer("y^2", "y", domains={"y": "[0, 1]"}).correct
