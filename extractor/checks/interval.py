"""Precision-aware arithmetic: a written number stands for the interval its last digit allows.

`260.85万元` was rounded to the hundredth, so the true figure lies in [260.845, 260.855].
Relations between figures (a total and its parts, a change and its two values, a rate and
its numerator and denominator) are checked on such intervals: a relation fails only when
the intervals cannot meet, so rounding in the last written digit is never an error.
All bounds are exact Decimals (no floats), computed in a context wide enough for any
figure a report holds.
"""
from __future__ import annotations

import decimal
import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

_CTX = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Interval:
    """A closed interval [lo, hi] of exact Decimals."""

    lo: Decimal
    hi: Decimal

    def __post_init__(self) -> None:
        if self.lo > self.hi:
            raise ValueError(f"empty interval [{self.lo}, {self.hi}]")

    # ------------------------------------------------------------ construction
    @classmethod
    def exact(cls, v: Decimal | int) -> "Interval":
        d = Decimal(v)
        return cls(d, d)

    @classmethod
    def written(cls, v: Decimal, exponent: int | None = None) -> "Interval":
        """The interval a written value stands for: v ± ½·10^exponent.

        `exponent` defaults to the written one (`Decimal('260.85')` → −2); a caller that knows
        the figure is stated more precisely than written (an integer `8万元` among figures
        given to the cent) passes a smaller exponent.
        """
        exp = v.as_tuple().exponent if exponent is None else exponent
        if not isinstance(exp, int):
            raise ValueError(f"not a finite number: {v}")
        half = _half(exp)
        return cls(_CTX.subtract(v, half), _CTX.add(v, half))

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other: "Interval") -> "Interval":
        return Interval(_CTX.add(self.lo, other.lo), _CTX.add(self.hi, other.hi))

    def __sub__(self, other: "Interval") -> "Interval":
        return Interval(_CTX.subtract(self.lo, other.hi), _CTX.subtract(self.hi, other.lo))

    def __neg__(self) -> "Interval":
        return Interval(-self.hi, -self.lo)

    def __mul__(self, other: "Interval") -> "Interval":
        ps = [_CTX.multiply(a, b) for a in (self.lo, self.hi) for b in (other.lo, other.hi)]
        return Interval(min(ps), max(ps))

    def scale(self, factor: Decimal | int) -> "Interval":
        """The interval times an exact factor (a unit conversion such as ×10⁴)."""
        return self * Interval.exact(Decimal(factor))

    def __truediv__(self, other: "Interval") -> "Interval":
        """Quotient; the divisor must not contain 0 (a rate over a zero base is undefined)."""
        if other.contains(Decimal(0)):
            raise ZeroDivisionError(f"divisor interval [{other.lo}, {other.hi}] contains 0")
        qs = [_CTX.divide(a, b) for a in (self.lo, self.hi) for b in (other.lo, other.hi)]
        return Interval(min(qs), max(qs))

    # ------------------------------------------------------------ comparison
    def contains(self, v: Decimal) -> bool:
        return self.lo <= v <= self.hi

    @property
    def mid(self) -> Decimal:
        return _CTX.divide(_CTX.add(self.lo, self.hi), Decimal(2))

    @property
    def radius(self) -> Decimal:
        """Half the width: the tolerance this interval allows around its midpoint."""
        return _CTX.divide(_CTX.subtract(self.hi, self.lo), Decimal(2))

    def __repr__(self) -> str:
        return f"[{self.lo}, {self.hi}]"


def can_equal(a: Interval, b: Interval) -> bool:
    """Could the two figures be the same number (do the intervals meet)?"""
    return a.lo <= b.hi and b.lo <= a.hi


def can_be_at_most(a: Interval, b: Interval) -> bool:
    """Could a ≤ b hold for some values the two intervals allow?"""
    return a.lo <= b.hi


@functools.lru_cache(maxsize=256)  # one per written exponent: a handful in any document
def _half(exp: int) -> Decimal:
    """½·10^exp, the half-width of a figure whose last digit has place value 10^exp."""
    return _CTX.scaleb(Decimal(5), exp - 1)


def total(intervals: Iterable[Interval]) -> Interval:
    """The sum of intervals (the empty sum is exactly 0), added in order as `+` would, bound
    by bound, without an interval for every partial sum."""
    lo = hi = Decimal(0)
    for i in intervals:
        lo, hi = _CTX.add(lo, i.lo), _CTX.add(hi, i.hi)
    return Interval(lo, hi)


def ratio(num: Interval, den: Interval) -> Interval | None:
    """num / den, or None when the denominator may be 0."""
    try:
        return num / den
    except ZeroDivisionError:
        return None
