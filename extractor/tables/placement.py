"""Figures of a form's total fund row placed by the form's own arithmetic.

PDF text layers of generated forms emit text objects in drawing order, not reading order: a
row's figures may come out without one of them, which sits beside another label of the form
(the executed figure `9,034` printed among the 实施单位 words, the 分值 and 执行率 after the
年度总体目标). The form's arithmetic tells where such figures belong:

- 执行率 = 全年执行数 / 全年预算数 (or 年初预算数 without a 全年 column), to the rate's written
  precision;
- 得分 = 分值 × min(执行率, 100%), to the score's written precision (分值 ≤ 100, 得分 ≤ 分值).

The row's own figures keep their printed order; each other column may take one figure found
elsewhere in the form. Every candidate placement that satisfies every relation it can be
checked on (and places the executed figure) is weighed by how many columns it fills; the one
filling most wins, and only when every such placement gives each column the same figure (no
figure rather than a wrong one).
"""
from __future__ import annotations

from decimal import Decimal
from itertools import combinations, permutations
from typing import Protocol, Sequence, TypeVar

from .selfeval import cell_number

_MONEY = ("initial_budget", "adjusted_budget", "executed")
_MAX_WEIGHT = Decimal(100)
_MAX_STRAYS = 6  # figures found elsewhere in one form that are tried (the search stays small)


class _Cell(Protocol):
    text: str


C = TypeVar("C", bound=_Cell)


def _decimals(text: str) -> int:
    body = text.strip().rstrip("%").strip()
    return len(body.split(".")[1]) if "." in body else 0


def _half_unit(text: str) -> Decimal:
    """Half a unit of the last written digit: the interval a written figure stands for."""
    return Decimal(5) / (Decimal(10) ** (_decimals(text) + 1))


def rate_reproduced(rate: str, executed: Decimal, budget: Decimal) -> bool:
    """Does executed / budget round to the written percent `rate` at its written precision?"""
    r = cell_number(rate)
    if r is None or budget <= 0 or executed < 0:
        return False
    return abs(executed / budget * 100 - r) <= _half_unit(rate)


def score_reproduced(score: str, weight: Decimal, rate: str) -> bool:
    """Is the written 得分 the 分值 × min(执行率, 100%), within both figures' written precision?"""
    s, r = cell_number(score), cell_number(rate)
    if s is None or r is None:
        return False
    slack = _half_unit(score) + weight * _half_unit(rate) / 100
    return abs(weight * min(r, Decimal(100)) / 100 - s) <= slack


def _holds(placed: dict[str, C], rate: C) -> bool:
    """Every relation that the placed figures allow to be checked holds, and the executed
    figure is placed (it is what places the row: without it nothing is decided)."""
    num = {h: cell_number(c.text) for h, c in placed.items()}
    if any(v is None for v in num.values()):
        return False
    budget = num.get("adjusted_budget", num.get("initial_budget"))
    done = num.get("executed")
    if budget is None or done is None or not rate_reproduced(rate.text, done, budget):
        return False
    weight, score = num.get("weight"), num.get("score")
    if weight is not None and (weight <= 0 or weight > _MAX_WEIGHT):
        return False
    if score is not None and weight is not None:
        return score <= weight and score_reproduced(placed["score"].text, weight, rate.text)
    return True


def place_by_arithmetic(row: Sequence[C], header: Sequence[str], elsewhere: Sequence[C],
                        rate: C | None) -> dict[str, C] | None:
    """Columns for a total row's printed figures `row` (in their order) plus figures found
    `elsewhere` in the form, decided by the form's arithmetic with its written 执行率 `rate`
    (a percent of `row` when `rate` is None); None unless exactly one placement fills most.
    """
    row = list(row)
    if rate is None:
        percents = [c for c in row if c.text.strip().endswith("%")]
        if len(percents) != 1:
            return None
        rate = percents[0]
        row.remove(rate)
    cols = [h for h in header if h in _MONEY + ("weight", "score")]
    if "rate" not in header or "executed" not in cols or any(cell_number(c.text) is None for c in row):
        return None
    strays = [c for c in elsewhere if cell_number(c.text) is not None and not c.text.strip().endswith("%")]
    if len(strays) > _MAX_STRAYS or len(row) > len(cols):
        return None
    best: list[dict[str, C]] = []
    for at in combinations(range(len(cols)), len(row)):
        placed = {cols[k]: c for k, c in zip(at, row)}
        free = [h for h in cols if h not in placed]
        for n in range(min(len(free), len(strays)), -1, -1):
            for where in combinations(free, n):
                for who in permutations(strays, n):
                    got = dict(placed, **dict(zip(where, who)))
                    if not _holds(got, rate):
                        continue
                    if not best or len(got) > len(best[0]):
                        best = [got]
                    elif len(got) == len(best[0]):
                        best.append(got)
    # placements that give every column the same figure are one answer (`10 | 10` as 分值 and 得分)
    if len({tuple((h, cell_number(c.text)) for h, c in sorted(b.items())) for b in best}) != 1:
        return None
    return dict(best[0], rate=rate)


__all__ = ["place_by_arithmetic", "rate_reproduced", "score_reproduced"]
