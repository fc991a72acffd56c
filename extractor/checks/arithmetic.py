"""Arithmetic checks: the relations a report states between its figures must hold.

Parts and their whole (`sum-mismatch`), a stated change against its two figures and a
remainder against budget and spending (`diff-mismatch`), a rate against its numerator and
denominator (`rate-mismatch`). Every comparison runs on the intervals the written digits
allow (interval.py), so rounding in the last digit never fails a relation. A failure is
first given to the unit diagnosis (checks/units.py); only when no single unit correction
explains it is the relation itself flagged. Messages carry the arithmetic, Arelle style:
the stated figure, the computed one, the tolerance the written decimals allow, the items.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

from .interval import Interval, can_be_at_most, can_equal, ratio, total
from ..jsonout import decimal_text
from ..text.quantities import MONEY_FACTORS, to_yuan
from ..model import Evidence, Flag, Quantity, Report
from .relations import Change, PartOf, Ratio, Remaining, amount_interval, finest_exponent, relations_of
from . import register
from .units import Fix, Scale, check_same_figure, check_scale, diagnose, merge_same, scale_of, unit_flag, yuan_text

_HUNDRED = Interval.exact(100)
_NEAR = Decimal("0.01")  # a `主要是` list within 1% of its whole was meant to be complete


def _ivs(qs: list[Quantity]) -> dict[int, Interval]:
    """The intervals of the figures of one relation (read together: see amount_interval)."""
    finest = finest_exponent(qs)
    return {id(q): amount_interval(q, finest=finest) for q in qs}


def _name(q: Quantity) -> str:
    """A figure as the reader sees it, with its unit when the unit came from a header."""
    return q.text if q.unit_source in (None, "inline") or not q.unit else f"{q.text}（{q.unit}）"


def _show(v: Decimal, q: Quantity) -> str:
    """A value in 元 shown in the unit the figure `q` was written in."""
    return yuan_text(v, q.unit or "元")


def _tol(iv: Interval, q: Quantity) -> str:
    return _show(iv.radius.normalize(), q)


def _flag(code: str, q: Quantity, others: list[Quantity], zh: str, en: str, confidence: float,
          suggestion: dict | None = None, severity: str = "error") -> Flag:
    return Flag(code=code, severity=severity, text=q.text, message=zh, message_en=en, page=q.page,
                start=q.start, end=q.end, table=q.table, row=q.row, col=q.col,
                evidence=[Evidence.of(o) for o in others if o is not q], suggestion=suggestion,
                confidence=confidence)


# trying each single correction on each figure re-adds the relation: n² beyond this size
MAX_DIAGNOSED = 200


def _diagnosed(qs: list[Quantity], holds: Callable[[dict[int, Interval]], bool], base: dict[int, Interval],
               scale: Scale) -> Fix | None:
    if len(qs) > MAX_DIAGNOSED:
        return None
    fixes = diagnose(qs, holds, base, scale)
    return fixes[0] if len(fixes) == 1 else None


# ------------------------------------------------------------------ parts and wholes


def _part_holds(r: PartOf) -> Callable[[dict[int, Interval]], bool]:
    def holds(iv: dict[int, Interval]) -> bool:
        starts = range(len(r.parts) - 1) if r.flexible_start else range(1)
        for k in starts:
            s = total(iv[id(q)] for q in r.parts[k:])
            ok = can_equal(s, iv[id(r.whole)]) if r.exhaustive == "yes" else can_be_at_most(s, iv[id(r.whole)])
            if ok:
                return True
        return False

    return holds


def _transpositions(q: Quantity) -> list[tuple[str, Decimal]]:
    """The figure with two adjacent different digits swapped (`95.84` → `59.84`, `9.584`…)."""
    text = decimal_text(q.value)
    out = []
    for i in range(len(text) - 1):
        a, b = text[i], text[i + 1]
        if a.isdigit() and b.isdigit() and a != b:
            new = text[:i] + b + a + text[i + 2:]
            if not _leading_zero(new):
                out.append((new, Decimal(new)))
    return out


def _leading_zero(s: str) -> bool:
    s = s.lstrip("-")
    return len(s) > 1 and s[0] == "0" and s[1] != "."


def _transposed_fix(r: PartOf, iv: dict[int, Interval]) -> list[tuple[Quantity, str, Decimal]]:
    """Every part (or the whole) whose two swapped digits would make the list add up exactly."""
    if len(r.parts) >= MAX_DIAGNOSED:
        return []
    exact = _part_holds(PartOf(r.whole, r.parts, "yes", r.cue, r.confidence, r.flexible_start))
    found = []
    for q in [r.whole, *r.parts]:
        if q.unit not in MONEY_FACTORS:
            continue
        for text, v in _transpositions(q):
            trial = dict(iv)
            trial[id(q)] = _shifted(iv[id(q)], to_yuan(v, q.unit) - q.value_yuan)
            if exact(trial):
                found.append((q, f"{text}{q.unit}", to_yuan(v, q.unit)))
    return found


def _shifted(i: Interval, d: Decimal) -> Interval:
    return Interval(i.lo + d, i.hi + d)


def _check_part_of(r: PartOf, scale: Scale) -> list[Flag]:
    qs = [r.whole, *r.parts]
    iv = _ivs(qs)
    holds = _part_holds(r)
    w = r.whole
    s_iv = total(iv[id(q)] for q in r.parts)
    s_yuan = sum((q.value_yuan for q in r.parts), Decimal(0))
    items = " + ".join(_name(q) for q in r.parts)
    diff = s_iv - iv[id(w)]
    if holds(iv):
        if r.exhaustive != "yes" and len(r.parts) >= 2 and not can_equal(s_iv, iv[id(w)]):
            # a list not said to be complete that one unit correction makes add up exactly:
            # the coincidence is too unlikely for the list to have been partial
            exact = PartOf(w, r.parts, "yes", r.cue, r.confidence, r.flexible_start)
            fix = _diagnosed(qs, _part_holds(exact), iv, scale)
            if fix is not None:
                return [unit_flag(fix, qs, f"“{r.cue}”所列分项{items} = {_show(s_yuan, w)}，与总额{_name(w)}不符",
                                  f"the parts after '{r.cue}' {items} = {_show(s_yuan, w)} do not make the whole {_name(w)}",
                                  r.confidence * 0.85)]
            swaps = _transposed_fix(r, iv)
            if swaps:
                return [_transposition_flag(r, swaps, items, s_yuan, r.confidence * 0.85)]
        if (r.exhaustive == "near" or len(r.parts) >= 2) and not can_equal(s_iv, iv[id(w)]) and abs(s_yuan - w.value_yuan) <= _NEAR * abs(w.value_yuan):
            return [_flag(
                "sum-mismatch", w, r.parts,
                f"所列分项之和与总额不符：总额{_name(w)}，分项{items} = {_show(s_yuan, w)}，差额{_show(s_yuan - w.value_yuan, w)}，"
                f"书写精度允许误差±{_tol(diff, w)}（“{r.cue}”所列分项可能并非全部）。",
                f"the listed parts do not add up to the whole: stated {_name(w)}, computed {items} = {_show(s_yuan, w)}, "
                f"difference {_show(s_yuan - w.value_yuan, w)}, tolerance from the written decimals ±{_tol(diff, w)} "
                f"(the list after '{r.cue}' may be incomplete).",
                r.confidence * 0.7, severity="warning")]
        return []
    if w.value_yuan == 0 and r.exhaustive == "yes" and any(q.value_yuan for q in r.parts):
        # a total row left at 0 over parts that are not (domain.md E1): the fix is their sum
        return [_flag(
            "total-zero", w, r.parts,
            f"合计写为0，而分项{items} = {_show(s_yuan, w)}；合计应为{_show(s_yuan, w)}。",
            f"the total is written as 0 while its parts {items} = {_show(s_yuan, w)}; the total should be {_show(s_yuan, w)}.",
            r.confidence, suggestion={"text": yuan_text(s_yuan, w.unit), "value_yuan": s_yuan})]
    fix = _diagnosed(qs, holds, iv, scale)
    if fix is not None:
        if r.exhaustive == "yes":
            zh = f"合计{_name(w)}，分项{items} = {_show(s_yuan, w)}"
            en = f"total {_name(w)}, parts {items} = {_show(s_yuan, w)}"
        else:
            zh = (f"分项{items} = {_show(s_yuan, w)}，超过其总额{_name(w)}" if len(r.parts) > 1
                  else f"分项{items}超过其总额{_name(w)}")
            en = (f"the parts {items} = {_show(s_yuan, w)} exceed their whole {_name(w)}" if len(r.parts) > 1
                  else f"the part {items} exceeds its whole {_name(w)}")
        return [unit_flag(fix, qs, zh, en, r.confidence * 0.95)]
    swaps = _transposed_fix(r, iv)
    if swaps:
        return [_transposition_flag(r, swaps, items, s_yuan, r.confidence)]
    if r.exhaustive == "yes":
        zh = (f"分项之和与合计不符：合计{_name(w)}，分项{items} = {_show(s_yuan, w)}，"
              f"差额{_show(s_yuan - w.value_yuan, w)}，超出书写精度允许的误差±{_tol(diff, w)}。")
        en = (f"parts do not add up: stated total {_name(w)}, computed {items} = {_show(s_yuan, w)}, "
              f"difference {_show(s_yuan - w.value_yuan, w)}, beyond the ±{_tol(diff, w)} the written decimals allow.")
    else:
        zh = (f"分项超过总额：总额{_name(w)}，“{r.cue}”所列分项{items} = {_show(s_yuan, w)}，"
              f"超出{_show(s_yuan - w.value_yuan, w)}（书写精度允许误差±{_tol(diff, w)}）。")
        en = (f"parts exceed their whole: whole {_name(w)}, parts after '{r.cue}' {items} = {_show(s_yuan, w)}, "
              f"{_show(s_yuan - w.value_yuan, w)} over (tolerance ±{_tol(diff, w)}).")
    return [_flag("sum-mismatch", w, r.parts, zh, en, r.confidence)]


def _transposition_flag(r: PartOf, swaps: list[tuple[Quantity, str, Decimal]], items: str, s_yuan: Decimal,
                        confidence: float) -> Flag:
    """Parts that add up once two digits of one figure are swapped: flag that figure, or the
    whole with every candidate when more than one swap would do."""
    w = r.whole
    head = f"分项之和与总额不符：总额{_name(w)}，分项{items} = {_show(s_yuan, w)}"
    head_en = f"the parts do not add up to the whole: whole {_name(w)}, parts {items} = {_show(s_yuan, w)}"
    if len(swaps) == 1:
        q, text, vy = swaps[0]
        return _flag(
            "sum-mismatch", q, [w, *r.parts],
            f"{head}；{_name(q)}疑为{text}之误（两位数字颠倒），改后各数相加一致。",
            f"{head_en}; {_name(q)} looks like {text} with two digits swapped, which makes them add up.",
            confidence, suggestion={"text": text, "value_yuan": vy})
    cands = "、".join(f"{_name(q)}→{text}" for q, text, _ in swaps)
    return _flag("sum-mismatch", w, r.parts, f"{head}，差额{_show(s_yuan - w.value_yuan, w)}；可能是某一数字两位颠倒：{cands}。",
                 f"{head_en}, difference {_show(s_yuan - w.value_yuan, w)}; one figure may have two digits swapped: "
                 f"{cands.replace('、', ', ')}.", confidence * 0.9)


def check_sums(report: Report) -> list[Flag]:
    scale = scale_of(report)
    flags: list[Flag] = []
    relations = relations_of(report).part_of
    # a total left at 0 is flagged once, as itself; the totals it takes part in are not
    # flagged again for it
    zero_totals = {id(r.whole) for r in relations
                   if r.whole.value_yuan == 0 and r.exhaustive == "yes" and any(q.value_yuan for q in r.parts)}
    for r in relations:
        if id(r.whole) not in zero_totals and any(id(q) in zero_totals for q in r.parts):
            continue
        flags.extend(_check_part_of(r, scale))
    return flags


# ------------------------------------------------------------------ differences


def _check_difference(minuend: Quantity, subtrahend: Quantity, stated: Quantity, sign: int, confidence: float,
                      scale: Scale, what_zh: str, what_en: str) -> list[Flag]:
    qs = [minuend, subtrahend, stated]
    iv = _ivs(qs)

    def holds(ivs: dict[int, Interval]) -> bool:
        d = ivs[id(minuend)] - ivs[id(subtrahend)]
        st = ivs[id(stated)] if sign > 0 else -ivs[id(stated)]
        return can_equal(d, st)

    if holds(iv):
        return []
    computed = minuend.value_yuan - subtrahend.value_yuan
    diff_iv = (iv[id(minuend)] - iv[id(subtrahend)]) - iv[id(stated)]
    arith = f"{minuend.text} − {subtrahend.text} = {_show(computed, stated)}"
    fix = _diagnosed(qs, holds, iv, scale)
    if fix is not None:
        return [unit_flag(fix, qs, f"{what_zh}{stated.text}，而{arith}", f"stated {what_en} {stated.text}, but {arith}",
                          confidence * 0.95)]
    sugg_v = computed if sign > 0 else -computed
    return [_flag(
        "diff-mismatch", stated, [minuend, subtrahend],
        f"所述{what_zh}与两数之差不符：{what_zh}{stated.text}，{arith}，"
        f"书写精度允许误差±{_tol(diff_iv, stated)}。",
        f"stated {what_en} disagrees with the two figures: {what_en} {stated.text}, {arith}, "
        f"tolerance from the written decimals ±{_tol(diff_iv, stated)}.",
        confidence, suggestion={"text": _show(sugg_v, stated), "value_yuan": sugg_v})]


# ------------------------------------------------------------------ rates


def _percent_text(v: Decimal) -> tuple[str, Decimal]:
    q = v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{decimal_text(q)}%", q


def _check_rate(rate: Quantity, num_qs: list[Quantity], compute: Callable[[dict[int, Interval]], Interval | None],
                formula: str, formula_en: str, confidence: float, scale: Scale,
                extra_note: Callable[[], str] = lambda: "") -> list[Flag]:
    qs = [rate, *num_qs]
    iv = _ivs(qs)
    # a stated rate is the result of a division its author rounded *or truncated*
    # (9746.50 ÷ 10210.34 = 95.457% written 95.45%): allow a whole unit in its last place
    r_iv = iv[id(rate)]
    iv[id(rate)] = Interval(r_iv.lo - r_iv.radius, r_iv.hi + r_iv.radius)

    def holds(ivs: dict[int, Interval]) -> bool:
        c = compute(ivs)
        r = ivs[id(rate)]
        return c is not None and can_equal(-r if r.hi < 0 else r, c)

    c = compute(iv)
    if c is None or holds(iv):
        return []
    text, value = _percent_text(c.mid)
    fixes = diagnose(qs, holds, iv, scale)
    fix = fixes[0] if len(fixes) == 1 else None
    if fix is not None and fix.q is not rate:
        return [unit_flag(fix, qs, f"{rate.text}应为{formula}，而按所写单位计算为{text}",
                          f"{rate.text} should be {formula_en}, which computes to {text} with the units as written",
                          confidence * 0.95)]
    tol = c.radius.normalize()
    why = ""
    why_en = ""
    if fix is not None and fix.q is rate and fix.value > rate.value:
        why, why_en = f"；{decimal_text(rate.value)}是小数形式的比率，不是百分数", f"; {decimal_text(rate.value)} is the fraction, not the percent"
    note = extra_note()
    return [_flag(
        "rate-mismatch", rate, num_qs,
        f"比率与所列数字不符：所写{rate.text}，按{formula}计算为{text}（计算精度±{decimal_text(tol.quantize(Decimal('0.0001')))}个百分点）{why}{note}。",
        f"rate disagrees with the stated figures: stated {rate.text}, {formula_en} computes to {text} "
        f"(±{decimal_text(tol.quantize(Decimal('0.0001')))} points from the written decimals){why_en}.",
        confidence, suggestion={"text": text, "value": value})]


def _check_change(c: Change, scale: Scale) -> list[Flag]:
    flags: list[Flag] = []
    if c.delta is not None and c.earlier is not None:
        verb = "增加额" if c.sign > 0 else "减少额"
        flags += _check_difference(c.current, c.earlier, c.delta, c.sign, c.confidence * 0.85, scale,
                                   verb, "increase" if c.sign > 0 else "decrease")
    if c.rate is not None and c.rate.unit == "%":
        if c.delta is not None:
            delta, cur = c.delta, c.current

            def compute(iv: dict[int, Interval]) -> Interval | None:
                base = iv[id(cur)] - (iv[id(delta)] if c.sign > 0 else -iv[id(delta)])
                r = ratio(iv[id(delta)], base)
                return r * _HUNDRED if r is not None else None

            base_yuan = cur.value_yuan - c.sign * delta.value_yuan
            flags += _check_rate(c.rate, [delta, cur], compute,
                                 f"{delta.text} ÷ ({cur.text} {'−' if c.sign > 0 else '+'} {delta.text} = {_show(base_yuan, cur)})",
                                 f"{delta.text} / ({cur.text} {'-' if c.sign > 0 else '+'} {delta.text} = {_show(base_yuan, cur)})",
                                 c.confidence, scale)
        elif c.earlier is not None:
            cur, ear = c.current, c.earlier

            def compute(iv: dict[int, Interval]) -> Interval | None:
                r = ratio(iv[id(cur)] - iv[id(ear)], iv[id(ear)])
                return Interval(min(abs(r.lo), abs(r.hi)), max(abs(r.lo), abs(r.hi))) * _HUNDRED if r is not None and (r.lo >= 0 or r.hi <= 0) else None

            flags += _check_rate(c.rate, [cur, ear], compute, f"({cur.text} − {ear.text}) ÷ {ear.text}",
                                 f"({cur.text} - {ear.text}) / {ear.text}", c.confidence * 0.85, scale)
    return flags


def _check_ratio(r: Ratio, scale: Scale) -> list[Flag]:
    num, den = r.numerator, r.denominator

    def compute(iv: dict[int, Interval]) -> Interval | None:
        x = ratio(iv[id(num)], iv[id(den)])
        return x * _HUNDRED if x is not None else None

    def note() -> str:
        # 金华 2021: the difference of the two amounts typed as the percentage
        d = (num.value_yuan - den.value_yuan) / Decimal(10**4 if num.unit == "万元" else 1)
        if can_equal(Interval.written(r.rate.value), Interval.exact(d)):
            return f"；所写百分数恰为两数之差（{decimal_text(d.normalize())}）"
        return ""

    return _check_rate(r.rate, [num, den], compute, f"{num.text} ÷ {den.text}", f"{num.text} / {den.text}",
                       r.confidence, scale, note)


def check_changes_and_rates(report: Report) -> list[Flag]:
    scale = scale_of(report)
    rel = relations_of(report)
    flags: list[Flag] = []
    for c in rel.changes:
        flags += _check_change(c, scale)
    for r in rel.remaining:
        flags += _check_remaining(r, scale)
    for r in rel.ratios:
        flags += _check_ratio(r, scale)
    return flags


def _check_remaining(r: Remaining, scale: Scale) -> list[Flag]:
    return _check_difference(r.budget, r.spent, r.remaining, 1, r.confidence, scale, "剩余额", "remainder")


@register("relations")
def check_relations(report: Report) -> list[Flag]:
    """Every relation check, a figure that breaks several relations being flagged once."""
    return merge_same(check_sums(report) + check_changes_and_rates(report) + check_same_figure(report)
                      + check_scale(report))
