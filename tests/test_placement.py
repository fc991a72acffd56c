"""The form's arithmetic places a total row's figures that a PDF dump printed elsewhere
(tables/placement.py): only the one placement every relation agrees with, else none."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

from extractor.tables.placement import place_by_arithmetic, rate_reproduced, score_reproduced

HEADER = ["initial_budget", "adjusted_budget", "executed", "weight", "rate", "score"]


@dataclass(frozen=True)
class Cell:
    text: str
    at: int = 0


def _texts(placed):
    return None if placed is None else {h: c.text for h, c in placed.items()}


def test_executed_weight_and_score_found_by_the_rate():
    row = [Cell("20000.00"), Cell("20000.00"), Cell("4.52")]
    got = place_by_arithmetic(row, HEADER, [Cell("9,034"), Cell("10")], Cell("45.17%"))
    assert _texts(got) == {"initial_budget": "20000.00", "adjusted_budget": "20000.00", "executed": "9,034",
                           "weight": "10", "rate": "45.17%", "score": "4.52"}


def test_a_figure_that_does_not_reproduce_the_rate_is_not_placed():
    row = [Cell("20000.00"), Cell("20000.00"), Cell("4.52")]
    assert place_by_arithmetic(row, HEADER, [Cell("9,040"), Cell("10")], Cell("45.17%")) is None


def test_two_figures_that_reproduce_the_rate_leave_it_undecided():
    row = [Cell("200.00"), Cell("200.00")]
    # 90.34 and 90.35 both give 45.17% of 200 at the written precision: no placement
    assert place_by_arithmetic(row, HEADER, [Cell("90.34", 1), Cell("90.35", 2)], Cell("45.17%")) is None


def test_the_rate_from_the_row_itself_and_no_executed_figure_anywhere():
    assert place_by_arithmetic([Cell("100"), Cell("100"), Cell("90%")], HEADER, [], None) is None


def test_precision_of_the_written_figures():
    assert rate_reproduced("86.18%", D("215457.6"), D("250000"))
    assert not rate_reproduced("86.19%", D("215457.6"), D("250000"))  # 86.183%: real/23's genuine slip
    assert score_reproduced("8.62", D("10"), "86.19%") and not score_reproduced("8.7", D("10"), "86.19%")
    assert score_reproduced("10", D("10"), "104.5%")  # the score is capped at the weight


def test_placements_that_differ_only_in_which_equal_figure_goes_where_are_one():
    row = [Cell("50.00"), Cell("50.00"), Cell("10", 1)]
    got = place_by_arithmetic(row, HEADER, [Cell("50.00", 2), Cell("10", 3)], Cell("100%"))
    assert {h: c.text for h, c in got.items()} == {"initial_budget": "50.00", "adjusted_budget": "50.00",
                                                   "executed": "50.00", "weight": "10", "rate": "100%", "score": "10"}
