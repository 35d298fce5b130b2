"""Where a variable's values lie (a probability in (0, 1), a label in {0, 1}), so that the
checker samples, and shows counterexamples, only where the variables mean something.

A domain is written as an interval, each end open or closed and possibly infinite, or as a
finite set of numbers:

>>> parse_domain("(0, 1)")
Domain(low=0.0, high=1.0, low_open=True, high_open=True, values=())
>>> str(parse_domain("{0, 1}")), str(parse_domain("[0, inf)"))
('{0, 1}', '[0, inf)')
>>> 0.5 in parse_domain("(0, 1)"), 1.0 in parse_domain("(0, 1)"), 1.0 in parse_domain("{0, 1}")
(True, False, True)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from tutor.errors import ParseError

#: ``Domain`` objects, or their text, by variable name (a mapping or ``(name, domain)`` pairs).
DomainsLike = Mapping[str, "Domain | str"] | Iterable[tuple[str, "Domain | str"]]

_INTERVAL = re.compile(r"^\s*([(\[])\s*([^,]+?)\s*,\s*([^,]+?)\s*([)\]])\s*$")
_SET = re.compile(r"^\s*\{(.*)\}\s*$")
_INFINITY = {"inf": math.inf, "+inf": math.inf, "∞": math.inf, "+∞": math.inf,
             "-inf": -math.inf, "−inf": -math.inf, "-∞": -math.inf, "−∞": -math.inf}
_SHARE_AT_ENDS = 0.15  # of the points drawn near (or, if closed, at) each finite end


@dataclass(frozen=True)
class Domain:
    """An interval from ``low`` to ``high`` (ends open or closed), or the finite set ``values``."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = True
    high_open: bool = True
    values: tuple[float, ...] = ()

    def __contains__(self, value: float) -> bool:
        if self.values:
            return value in self.values
        above = value > self.low or (value == self.low and not self.low_open)
        below = value < self.high or (value == self.high and not self.high_open)
        return above and below

    def __str__(self) -> str:
        if self.values:
            return "{" + ", ".join(f"{v:g}" for v in self.values) + "}"
        return (f"{'(' if self.low_open else '['}{self.low:g}, {self.high:g}"
                f"{')' if self.high_open else ']'}")

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` points of the domain: the set's members, or (for an interval) mostly spread
        over it, some close to each finite end and, when that end is closed, on it."""
        if self.values:
            return rng.choice(np.array(self.values, dtype=float), n)
        low, high = self.low, self.high
        if math.isinf(low) and math.isinf(high):
            inside = rng.choice([-1.0, 1.0], n) * 10.0 ** rng.uniform(-3.0, 3.0, n)
        elif math.isinf(high):
            inside = low + 10.0 ** rng.uniform(-3.0, 3.0, n)
        elif math.isinf(low):
            inside = high - 10.0 ** rng.uniform(-3.0, 3.0, n)
        else:
            inside = low + (high - low) * rng.uniform(1e-3, 1 - 1e-3, n)
        where = rng.random(n)
        for end, inward, closed, chosen in (
                (low, 1.0, not self.low_open, where < _SHARE_AT_ENDS),
                (high, -1.0, not self.high_open, where > 1 - _SHARE_AT_ENDS)):
            if math.isinf(end):
                continue
            width = min(high - low, 1.0)
            near = end + inward * width * 10.0 ** rng.uniform(-3.0, -1.0, n)
            at_end = closed & (rng.random(n) < 0.3)
            inside = np.where(chosen, np.where(at_end, end, near), inside)
        return inside


def _number(text: str, whole: str) -> float:
    from tutor.parsing import parse_number

    text = text.strip()
    if text in _INFINITY:
        return _INFINITY[text]
    try:
        return float(parse_number(text))
    except (ParseError, TypeError, ValueError):
        raise ParseError(f"domain {whole!r}: {text!r} is not a number") from None


def parse_domain(text: str) -> Domain:
    """A domain from its text: ``(0, 1)``, ``[0, 1)``, ``(-inf, 0]``, ``{0, 1}``; ParseError
    naming what is wrong otherwise."""
    found = _SET.match(text)
    if found:
        members = [part for part in found.group(1).split(",") if part.strip()]
        if not members:
            raise ParseError(f"domain {text!r}: a set needs at least one number")
        values = tuple(sorted({_number(part, text) for part in members}))
        if not all(math.isfinite(v) for v in values):
            raise ParseError(f"domain {text!r}: a set holds finite numbers only")
        return Domain(values[0], values[-1], False, False, values)
    found = _INTERVAL.match(text)
    if not found:
        raise ParseError(f"domain {text!r}: expected an interval such as (0, 1) or [0, inf), "
                         "or a set such as {0, 1}")
    opening, low_text, high_text, closing = found.groups()
    low, high = _number(low_text, text), _number(high_text, text)
    domain = Domain(low, high, opening == "(" or math.isinf(low),
                    closing == ")" or math.isinf(high))
    if not domain.low < domain.high:
        raise ParseError(f"domain {text!r}: the lower end must be below the upper end")
    return domain


def read_domains(domains: DomainsLike | None) -> dict[str, Domain]:
    """Domains by name, their text parsed (ParseError for a bad one, naming its variable)."""
    if not domains:
        return {}
    pairs = domains.items() if isinstance(domains, Mapping) else domains
    result = {}
    for name, domain in pairs:
        if isinstance(domain, str):
            try:
                domain = parse_domain(domain)
            except ParseError as error:
                raise ParseError(f"{name}: {error}") from None
        result[name] = domain
    return result


def within_domains(points: Mapping[str, np.ndarray], domains: Mapping[str, Domain],
                   seed: int = 0) -> dict[str, np.ndarray]:
    """``points`` with each column whose variable has a domain drawn again inside it (seeded;
    the other columns are kept).

    >>> points = within_domains({"p": np.array([-2.0, 5.0]), "x": np.array([-2.0, 5.0])},
    ...                         {"p": parse_domain("(0, 1)")})
    >>> bool(((points["p"] > 0) & (points["p"] < 1)).all()), points["x"].tolist()
    (True, [-2.0, 5.0])
    """
    rng = np.random.default_rng(seed)
    return {name: domains[name].sample(len(column), rng) if name in domains else column
            for name, column in points.items()}
