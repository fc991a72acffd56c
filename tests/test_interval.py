"""Precision-aware arithmetic: written figures are intervals; only disjoint intervals disagree."""
from decimal import Decimal as D

import pytest
from hypothesis import given, strategies as st

from extractor.checks.interval import Interval, can_be_at_most, can_equal, ratio, total


def test_written_value_is_half_ulp_interval():
    assert Interval.written(D("260.85")) == Interval(D("260.845"), D("260.855"))
    assert Interval.written(D("8")) == Interval(D("7.5"), D("8.5"))
    assert Interval.written(D("2.6085E+6")) == Interval(D("2608450"), D("2608550"))
    assert Interval.written(D("8"), exponent=-2) == Interval(D("7.995"), D("8.005"))


def test_rounding_in_last_digit_is_not_a_mismatch():
    parts = [Interval.written(D(x)) for x in ("237.25", "11.26", "4.33")] + [Interval.written(D("8"), -2)]
    assert total(parts) == Interval(D("260.82"), D("260.86"))
    assert can_equal(total(parts), Interval.written(D("260.85")))


def test_real_difference_is_a_mismatch():
    assert not can_equal(Interval.written(D("260.85")) - Interval.written(D("276.198437")), Interval.written(D("1.14")))


def test_ratio_and_scale():
    r = ratio(Interval.written(D("1.14")), Interval.written(D("259.71"))) * Interval.exact(100)
    assert r.lo > D("0.437") and r.hi < D("0.441")
    assert not can_equal(r, Interval.written(D("0.004")))
    assert can_equal(r, Interval.written(D("0.4")))
    assert Interval.written(D("1.5")).scale(10**4) == Interval(D("14500"), D("15500"))
    assert ratio(Interval.exact(1), Interval.written(D("0"))) is None


def test_order_and_negation():
    assert can_be_at_most(Interval.written(D("10.87")), Interval.written(D("10.86")))
    assert not can_be_at_most(Interval.written(D("10.88")), Interval.written(D("10.86")))
    assert -Interval(D("1"), D("2")) == Interval(D("-2"), D("-1"))
    with pytest.raises(ValueError):
        Interval(D("2"), D("1"))


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False),
       st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
def test_sum_of_written_values_contains_true_sum(a, b):
    s = Interval.written(a) + Interval.written(b)
    assert s.contains(a + b)
    assert can_equal(s, Interval.written(a + b))
