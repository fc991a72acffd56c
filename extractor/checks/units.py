"""Unit checks and the unit diagnosis every relation check uses.

When a relation fails, the usual cause in archived reports is one figure written in the
wrong unit (万元 for 元, a fraction written as a percent). `diagnose` tries each single
correction users actually make on each figure of the relation — ×10⁴ (元↔万元, 万元↔亿元),
×10⁸ (元↔亿元), ×10³ (千元), ×100 (percent) — and keeps those that make the relation hold
and leave the figure plausible against the document's own scale. Exactly one survivor is
a diagnosis; none or several leave the relation flagged as it is.

Checks: figures written twice with the same digits in different units (`866013.51元` /
`86.601351万元` must agree) and amounts implausible against the document's scale (both run
with the relation checks of arithmetic.py, so that a figure is flagged once), and a unit
typed twice (`预算万元260.85万元`, registered here).
"""
from __future__ import annotations

import functools
import math

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Sequence

import regex

from .. import patternbook
from .interval import Interval
from ..jsonout import decimal_text
from ..model import Evidence, Flag, Quantity, Report
from ..text.quantities import MONEY_FACTORS, to_yuan
from .relations import relations_of
from . import per_report, register

# the unit swaps users make: (written unit, intended unit)
_SWAPS = [(a, b) for a in ("元", "千元", "万元", "亿元") for b in ("元", "千元", "万元", "亿元")
          if a != b and MONEY_FACTORS[a] // MONEY_FACTORS[b] in (10**3, 10**4, 10**8)
          or a != b and MONEY_FACTORS[b] // MONEY_FACTORS[a] in (10**3, 10**4, 10**8)]


@dataclass
class Fix:
    """A single correction: `q` was meant as `text` (value `value`, in `unit`)."""

    q: Quantity
    unit: str
    value: Decimal  # the corrected value in its unit (amounts: 元 value is value_yuan)
    value_yuan: Decimal | None
    interval: Interval

    @property
    def text(self) -> str:
        return f"{decimal_text(self.value)}{self.unit}"

    def suggestion(self) -> dict:
        if self.value_yuan is not None:
            return {"text": self.text, "value_yuan": self.value_yuan}
        return {"text": self.text, "value": self.value}


class Scale:
    """The document's own scale: its largest amounts and the typical size of its amounts."""

    def __init__(self, quantities: Sequence[Quantity]) -> None:
        vals = sorted((abs(q.value_yuan), id(q)) for q in quantities
                      if q.kind == "amount" and q.value_yuan is not None)
        self._top = vals[-4:]
        mags = sorted(_magnitude(v) for v, _ in vals if v != 0)
        self._typical = mags[len(mags) // 2] if len(mags) >= 5 else None

    def largest_other(self, exclude: set[int]) -> Decimal | None:
        for v, i in reversed(self._top):
            if i not in exclude:
                return v
        return None

    def plausible(self, value_yuan: Decimal, exclude: set[int], original: Decimal | None = None) -> bool:
        """At least 1元, not ten times larger than every other amount of the document, and —
        for a correction of `original` — closer to the document's typical amount than before."""
        if value_yuan != 0 and abs(value_yuan) < 1:
            return False
        top = self.largest_other(exclude)
        if top is not None and abs(value_yuan) > 10 * top:
            return False
        if original is not None and self._typical is not None and value_yuan != 0 and original != 0:
            return abs(_magnitude(value_yuan) - self._typical) < abs(_magnitude(original) - self._typical)
        return True


    def atypical(self, value_yuan: Decimal) -> float:
        """How many powers of ten `value_yuan` lies from the document's typical amount."""
        if self._typical is None or value_yuan == 0:
            return 0.0
        return abs(_magnitude(value_yuan) - self._typical)


@per_report
def scale_of(report: Report) -> Scale:
    """The document's scale, worked out once for the families that judge sizes by it."""
    return Scale(report.quantities)


def _magnitude(v: Decimal) -> float:
    return math.log10(abs(float(v)))


def corrections(q: Quantity) -> list[Fix]:
    """The single unit corrections worth trying on a figure."""
    out: list[Fix] = []
    if q.value == 0:  # no unit makes 0 another number
        return out
    if q.unit_source in ("table-header", "column-header"):
        return out  # a bare cell has no unit of its own to mistype: its table or column declares it
    if q.kind == "amount" and q.unit in MONEY_FACTORS and q.value_yuan is not None:
        for a, b in _SWAPS:
            if a == q.unit:
                vy = to_yuan(q.value, b)
                out.append(Fix(q, b, q.value, vy, Interval.written(vy)))
    elif q.kind == "rate" and q.unit == "%":
        for exp in (2, -2):
            v = q.value.scaleb(exp)
            out.append(Fix(q, "%", v, None, Interval.written(v)))
    return out


def diagnose(qs: Sequence[Quantity], holds: Callable[[dict[int, Interval]], bool],
             base: dict[int, Interval], scale: Scale) -> list[Fix]:
    """Every single correction (one figure, one unit change) that makes `holds` true.

    `base` maps id(q) to the interval the check reads for q; a fix replaces one entry.
    Amount fixes whose corrected value is implausible for the document are dropped.
    """
    found: list[Fix] = []
    ids = {id(q) for q in qs}
    for q in qs:
        for fix in corrections(q):
            if fix.value_yuan is not None and not scale.plausible(fix.value_yuan, ids):
                continue
            trial = dict(base)
            trial[id(q)] = _like(base[id(q)], fix)
            if holds(trial):
                found.append(fix)
    if len(found) > 1:  # several explanations: keep those that bring a figure back to the document's scale
        found = [f for f in found if f.value_yuan is None or scale.plausible(f.value_yuan, ids, f.q.value_yuan)]
    return found


def _like(base: Interval, fix: Fix) -> Interval:
    """The corrected interval, keeping the precision the check gave the original."""
    half = base.radius
    if fix.value_yuan is not None:
        factor = Decimal(MONEY_FACTORS[fix.unit]) / Decimal(MONEY_FACTORS[fix.q.unit])
        half = half * factor
        mid = fix.value_yuan
    else:
        mid = fix.value
        half = fix.interval.radius
    return Interval(mid - half, mid + half)


def unit_flag(fix: Fix, others: Sequence[Quantity], why_zh: str, why_en: str, confidence: float,
              severity: str = "error") -> Flag:
    q = fix.q
    return Flag(
        code="unit-suspect", severity=severity, text=q.text,
        message=f"金额“{q.text}”的单位与相关数字矛盾：{why_zh}；改为“{fix.text}”后各数一致。",
        message_en=f"the unit of {q.text} contradicts the figures around it: {why_en}; as {fix.text} they agree.",
        page=q.page, start=q.start, end=q.end, table=q.table, row=q.row, col=q.col,
        evidence=[Evidence.of(o) for o in others if o is not q],
        suggestion=fix.suggestion(), confidence=confidence,
    )


def yuan_text(v: Decimal, unit: str) -> str:
    """An exact 元 value shown in `unit` (trailing zeros dropped)."""
    x = v / Decimal(MONEY_FACTORS.get(unit, 1)) if unit in MONEY_FACTORS else v
    return f"{decimal_text(x.normalize()) if x != 0 else '0'}{unit}"


# ------------------------------------------------------------------ registered checks


def check_same_figure(report: Report) -> list[Flag]:
    """The same digits in two units must be the same amount (`866013.51元` = `86.601351万元`)."""
    scale = scale_of(report)
    flags: list[Flag] = []
    for pair in relations_of(report).same:
        a, b = pair.first, pair.second
        ids = {id(a), id(b)}
        bad = [q for q in (a, b) if not scale.plausible(q.value_yuan, ids)]
        if len(bad) != 1:
            # neither (or both) out of scale: the one farther from the typical amount is wrong
            bad = [max((b, a), key=lambda q: scale.atypical(q.value_yuan))]
        wrong, right = bad[0], (b if bad[0] is a else a)
        fix = Fix(wrong, right.unit, wrong.value, right.value_yuan, Interval.written(right.value_yuan))
        flags.append(unit_flag(
            fix, [right],
            f"同一数字在“{right.text}”处以{right.unit}书写，两处相差{_ratio_text(wrong, right)}倍",
            f"the same digits are written as {right.text}, {_ratio_text(wrong, right)} times apart",
            0.8 if len(bad) == 1 else 0.5, "error" if len(bad) == 1 else "warning"))
    return flags


def _ratio_text(a: Quantity, b: Quantity) -> str:
    r = max(abs(a.value_yuan), abs(b.value_yuan)) / min(abs(a.value_yuan), abs(b.value_yuan))
    return decimal_text(r.normalize())


def check_scale(report: Report) -> list[Flag]:
    """An amount a thousand times larger than every other one, which a unit change makes ordinary.

    Amounts already taking part in a relation are left to the relation checks.
    """
    scale = scale_of(report)
    rel = relations_of(report)
    involved = {id(q) for r in rel.part_of for q in [r.whole, *r.parts]}
    involved |= {id(q) for c in rel.changes for q in (c.current, c.delta, c.earlier) if q is not None}
    involved |= {id(q) for r in rel.remaining for q in (r.budget, r.spent, r.remaining)}
    involved |= {id(q) for r in rel.ratios for q in (r.numerator, r.denominator)}
    involved |= {id(q) for s in rel.same for q in (s.first, s.second)}
    flags: list[Flag] = []
    flags += _implausibly_small(report, scale, involved)
    flags += _larger_than_whole(report, involved)
    for q in report.quantities:
        if q.kind != "amount" or q.value_yuan is None or id(q) in involved:
            continue
        top = scale.largest_other({id(q)})
        if top is None or top == 0 or abs(q.value_yuan) <= 1000 * top:
            continue
        fixes = [f for f in corrections(q) if f.value_yuan is not None
                 and abs(f.value_yuan) < abs(q.value_yuan) and abs(f.value_yuan) <= top]
        if len(fixes) >= 1:
            fix = max(fixes, key=lambda f: abs(f.value_yuan))
            flags.append(unit_flag(
                fix, [],
                f"它是本文其他最大金额（{yuan_text(top, '万元')}）的一千倍以上",
                f"it is over a thousand times the largest other amount of the document ({yuan_text(top, '万元')})",
                0.5, "warning"))
    return flags


@register("duplicate-unit")
def check_duplicate_unit(report: Report) -> list[Flag]:
    """`支出预算万元348.63万元`: the unit typed before the number as well as after it."""
    text = report.document.text or ""
    flags: list[Flag] = []
    for q in report.quantities:
        span = q.extra.get("duplicate_unit") if q.extra else None
        if not span or q.start is None:
            continue
        s, e = span
        flags.append(Flag(
            code="duplicate-unit", severity="warning", text=text[s:q.end],
            message=f"单位重复：“{text[s:e]}”写在数字前，数字后又有单位（“{q.text}”）；按{q.unit}读取。",
            message_en=f"unit written twice: {text[s:e]} before the number and again in {q.text}; read as {q.unit}.",
            page=q.page, start=s, end=q.end, evidence=[],
            suggestion={"text": q.text, "value_yuan": q.value_yuan} if q.value_yuan is not None else {"text": q.text},
            confidence=0.9,
        ))
    return flags


def merge_same(flags: list[Flag]) -> list[Flag]:
    """One flag per (code, place): a figure that breaks two relations is flagged once, with the
    evidence of both and the higher confidence."""
    out: dict[tuple, Flag] = {}
    for f in flags:
        key = (f.code, f.start, f.end, f.table, f.row, f.col)
        kept = out.get(key)
        if kept is None:
            out[key] = f
            continue
        seen = {(e.text, e.start, e.end, e.table, e.row, e.col) for e in kept.evidence}
        kept.evidence += [e for e in f.evidence if (e.text, e.start, e.end, e.table, e.row, e.col) not in seen
                          and (e.start, e.end, e.table, e.row, e.col) != key[1:]]
        kept.confidence = max(kept.confidence, f.confidence)
    return list(out.values())


__all__ = ["merge_same", "check_same_figure", "check_scale", "Fix", "Scale", "scale_of", "corrections", "diagnose", "unit_flag", "yuan_text"]


@functools.lru_cache(maxsize=1)
def _money_words() -> regex.Pattern:
    """The money words of patterns/units.json (`资金`, `拨付`, `预算`…): what names a sum of money."""
    cues = next(e for e in patternbook.entries("units") if e.get("bare"))["cues"]
    return regex.compile("|".join(regex.escape(c) for c in cues))


def _implausibly_small(report: Report, scale: Scale, involved: set[int]) -> list[Flag]:
    """`拨付专项经费2.8元` in a report whose other figures are in 万元: a sum of money named as
    such, written in 元, smaller than a ten-thousandth of the document's largest amount, where
    most amounts are written in 万元. No relation ties it to another figure, so: a warning."""
    amounts = [q for q in report.quantities if q.kind == "amount" and q.value_yuan is not None
               and q.unit_source == "inline"]
    in_wan = sum(1 for q in amounts if q.unit == "万元")
    if len(amounts) < 3 or in_wan * 3 < len(amounts) * 2:
        return []
    out: list[Flag] = []
    for q in amounts:
        if q.unit != "元" or id(q) in involved or q.value <= 0 or q.extra.get("per"):
            continue  # `人均标准90元/月`: a rate per person or month, not a sum
        top = scale.largest_other({id(q)})
        named = (q.label or "") + (report.document.text[max(0, (q.start or 0) - 12):q.start or 0])
        if top is None or q.value_yuan * 10000 > top or not _money_words().search(named) or _unit_price().search(named):
            continue  # `每本刊物印刷成本 1.4元`: a price per unit is small in 元 by nature
        fix = next((f for f in corrections(q) if f.unit == "万元"), None)
        if fix is not None and fix.value_yuan is not None and fix.value_yuan <= top:
            out.append(unit_flag(
                fix, [],
                f"以元计只有{q.text}，不到本文其他最大金额（{yuan_text(top, '万元')}）的万分之一，而本文金额多以万元书写",
                f"in 元 it is less than a ten-thousandth of the largest other amount ({yuan_text(top, '万元')}), "
                f"while the document writes its amounts in 万元", 0.5, "warning"))
    return out


@functools.lru_cache(maxsize=1)
def _unit_price() -> regex.Pattern:
    return regex.compile(patternbook.entries("unit_prices")[0]["pattern"])


def example_unit_price(text: str) -> str | None:
    """Runner of patterns/unit_prices.json."""
    return "unit-price" if _unit_price().search(text) else None


@functools.lru_cache(maxsize=1)
def _whole_words() -> regex.Pattern:
    return regex.compile(patternbook.entries("budget_wholes")[0]["pattern"])


def example_whole(text: str) -> str | None:
    """Runner of patterns/budget_wholes.json."""
    return "whole-budget" if _whole_words().search(text) else None


_LEAD = 16  # characters before a figure that name it


def _lead(text: str, q: Quantity) -> str:
    start = q.start or 0
    lead = text[max(0, start - _LEAD):start]
    cut = max(lead.rfind(ch) for ch in "，。；;\n")
    return lead[cut + 1:]


def _larger_than_whole(report: Report, involved: set[int]) -> list[Flag]:
    """`拨付专项经费28000万元` in a report whose 项目总预算 is 56万元: a sum of money in 万元 at
    least a hundred times the budget it belongs to, which in 元 fits inside it. Nothing ties
    it to another figure, so: a warning, with 元 as the fix."""
    text = report.document.text or ""
    prose = [q for q in report.quantities if q.kind == "amount" and q.value_yuan is not None
             and q.start is not None and q.unit_source == "inline"]
    wholes = [q for q in prose if q.value_yuan > 0 and _whole_words().search(_lead(text, q))]
    if not wholes:
        return []
    whole = max(wholes, key=lambda q: q.value_yuan)
    # one slip of the unit makes one figure (maybe restated) a hundred times the whole; when
    # several different figures are, the words named the budget of one item (`机关运行经费
    # 预算安排163.46万元` in a department's 预算 of 48054.42万元), not the whole
    if len({q.value_yuan for q in prose if q.unit == "万元" and q.value_yuan >= 100 * whole.value_yuan}) > 1:
        return []
    out: list[Flag] = []
    for q in prose:
        if q.unit != "万元" or id(q) in involved or q is whole or q.value_yuan < 100 * whole.value_yuan:
            continue
        if not _money_words().search(_lead(text, q)) or _whole_words().search(_lead(text, q)):
            continue
        fix = next((f for f in corrections(q) if f.unit == "元"), None)
        if fix is not None and fix.value_yuan is not None and fix.value_yuan <= whole.value_yuan:
            out.append(unit_flag(
                fix, [whole],
                f"以万元计是它所属的{_lead(text, whole).strip() or '总预算'}{whole.text}的"
                f"{decimal_text((q.value_yuan / whole.value_yuan).quantize(Decimal(1)))}倍",
                f"in 万元 it is {decimal_text((q.value_yuan / whole.value_yuan).quantize(Decimal(1)))} times the whole "
                f"budget it belongs to ({whole.text})", 0.5, "warning"))
    return out
