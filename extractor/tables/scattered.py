"""Indicator blocks whose values a PDF dump printed apart from their names.

A PDF's text layer emits text objects in drawing order, not reading order. A generated
项目支出绩效自评表 then comes out with the indicator block's values first, one group per row
(`=100% 100% 10 10 =100% 100% 20 20 及时 及时 20 20 … 100 98.62`: 指标值, 完成值, 分值, 得分
[, 偏差原因] per row, then the 总分 row's figures), and the row names after them (or before):
the 一级指标 once per merged cell, a 二级指标 and a 三级指标 per row. Nothing ties a value group
to its names but their order, so they pair by order, and only when the counts agree (one value
group per 三级指标 name, one 二级指标 per row) and the values split into groups one way only.
The 一级指标 of each row comes from its 二级指标's family (patterns/indicator_levels.json) when
a merged cell printed fewer 一级 names than rows.
"""
from __future__ import annotations

import functools
from typing import Protocol, Sequence

from .. import patternbook
from .selfeval import cell_number, clean_label

_MAX_WEIGHT = 100
_MAX_PARSES = 2  # enough to tell one split from several


class _Cell(Protocol):
    text: str
    role: str | None


@functools.lru_cache(maxsize=1)
def _families() -> tuple[dict[str, str], dict[str, str]]:
    as_l1: dict[str, str] = {}
    as_l2: dict[str, str] = {}
    for e in patternbook.entries("indicator_levels"):
        for w in e["l1"]:
            as_l1[clean_label(w)] = e["name"]
        for w in e["l2"]:
            as_l2[clean_label(w)] = e["name"]
    return as_l1, as_l2


def level_family(text: str) -> dict[str, str | None]:
    """Runner of indicator_levels.json: the family a name heads as 一级指标 and the family it
    belongs to as 二级指标 (`数量指标` → output as l2; `成本指标` is both)."""
    as_l1, as_l2 = _families()
    key = clean_label(text)
    return {"as_l1": as_l1.get(key), "as_l2": as_l2.get(key)}


def _plain_number(text: str) -> bool:
    """A 分值/得分 cell: a bare number, no percent, at most 100."""
    v = cell_number(text)
    return v is not None and "%" not in text and 0 <= v <= _MAX_WEIGHT


def _free_text(c: _Cell) -> bool:
    return c.role is None and bool(c.text.strip()) and cell_number(c.text) is None


def value_groups(values: Sequence[_Cell], columns: Sequence[str], rows: int
                 ) -> tuple[list[dict[str, int]], list[int]] | None:
    """Split `values` (indices into it) into `rows` groups over `columns` (指标值, 完成值, 分值,
    得分 …; a 偏差原因 column may be left out of a group, as a dump drops empty cells) and a
    tail of at most two figures (the 总分 row's 分值 and 得分); None unless exactly one split
    consumes every value."""
    core = [h for h in columns if h != "reason"]
    has_reason = "reason" in columns
    found: list[tuple[list[dict[str, int]], list[int]]] = []

    def fits(at: int) -> dict[str, int] | None:
        if at + len(core) > len(values):
            return None
        got = {h: at + k for k, h in enumerate(core)}
        if any(values[k].role is not None or not values[k].text.strip() for k in got.values()):
            return None
        for h in ("weight", "score"):
            if h in got and not _plain_number(values[got[h]].text):
                return None
        if "weight" in got and "score" in got and cell_number(values[got["score"]].text) > cell_number(
                values[got["weight"]].text):
            return None
        return got

    def walk(at: int, acc: list[dict[str, int]]) -> None:
        if len(found) >= _MAX_PARSES:
            return
        if len(acc) == rows:
            tail = list(range(at, len(values)))
            if len(tail) <= 2 and all(_plain_number(values[k].text) for k in tail):
                found.append((list(acc), tail))
            return
        got = fits(at)
        if got is None:
            return
        nxt = at + len(core)
        walk(nxt, acc + [got])
        if has_reason and nxt < len(values) and _free_text(values[nxt]):
            walk(nxt + 1, acc + [dict(got, reason=nxt)])

    walk(0, [])
    return found[0] if len(found) == 1 else None


def pair_levels(names: Sequence[_Cell], rows: int) -> list[dict[str, int | None]] | None:
    """Per row the indices (into `names`) of its 一级, 二级 and 三级指标, by order: `names` are the
    block's name cells in printed order (roles l1_name, l2_name; free text for 三级指标). None
    unless there is one 三级指标 per row. 二级 names pair by order when there is one per row; 一级
    names too, else each row takes the one 一级 name of its 二级指标's family (one 一级 name: every
    row's)."""
    l3 = [k for k, c in enumerate(names) if c.role is None]
    if len(l3) != rows:
        return None
    strict = [k for k, c in enumerate(names) if c.role == "l2_name"]
    either = [k for k, c in enumerate(names) if c.role == "l1_name" and level_family(c.text)["as_l2"]]
    l2: list[int | None]
    if len(strict) == rows:
        l2 = list(strict)
    elif len(strict) + len(either) == rows:
        l2 = sorted(strict + either)
    else:
        l2 = [None] * rows
    l1 = [k for k, c in enumerate(names) if c.role == "l1_name" and k not in l2]
    out: list[dict[str, int | None]] = []
    for i in range(rows):
        if len(l1) == rows:
            first: int | None = l1[i]
        elif len(l1) == 1:
            first = l1[0]
        else:
            family = level_family(names[l2[i]].text)["as_l2"] if l2[i] is not None else None
            same = [k for k in l1 if family and level_family(names[k].text)["as_l1"] == family]
            first = same[0] if len(same) == 1 else None
        out.append({"l1": first, "l2": l2[i], "l3": l3[i]})
    return out


__all__ = ["level_family", "pair_levels", "value_groups"]
