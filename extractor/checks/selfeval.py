"""Checks on self-evaluation tables: the form's own arithmetic (domain §5.3 F1, F3–F7, F12).

Every comparison is made on the interval a written figure stands for (interval.py): a rate
written `100%` means [99.5, 100.5], an amount `89.974` means ±0.0005. Scores get the audit
practice's extra ±0.1 on top of their written precision. A flag carries the stated value,
the recomputed value, the tolerance, every other figure involved (evidence) and the fix.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .interval import Interval, can_equal, ratio, total
from ..model import Evidence, Flag, Indicator, Project, Report
from . import register

SCORE_SLACK = Decimal("0.1")
PART_FAMILIES = (
    ("appropriation", "carryover", "special_account", "unit_funds", "other"),
    ("basic", "project"),
)
_HUNDRED = Decimal(100)
MONEY_COLUMNS = ("initial_budget", "adjusted_budget", "executed")
# how the messages name a money column (the form's own header varies by province)
COLUMN_NAMES = {"initial_budget": ("年初预算数", "initial budget"), "adjusted_budget": ("全年预算数", "full-year budget"),
                "executed": ("全年执行数", "executed")}


def _written(v: Decimal) -> Interval:
    return Interval.written(v)


def _amount(v: Decimal) -> Interval:
    """An amount cell: forms print 90 for 90.00, so precision is taken to at least two decimals."""
    exp = v.as_tuple().exponent
    return Interval.written(v, min(exp, -2) if isinstance(exp, int) else -2)


def _fmt(v: Decimal, like: Decimal | None = None, places: int | None = None) -> str:
    """v rounded to the decimals of `like` (or `places`), for messages and suggestions."""
    if places is None:
        exp = like.as_tuple().exponent if like is not None else -2
        places = max(0, -exp) if isinstance(exp, int) else 2
    q = Decimal(1).scaleb(-places)
    return str(v.quantize(q, rounding=ROUND_HALF_UP))


def _severity(report: Report, table: int | None) -> tuple[str, float]:
    """OCR'd sources and tables rebuilt from a scrambled text dump make the reading uncertain:
    warn instead of asserting an error."""
    if report.document.needs_ocr or "ocr" in report.document.reader:
        return "warning", 0.6
    if table is not None and table in report.document.meta.get("uncertain_tables", []):
        return "warning", 0.7
    return "error", 0.95


def _ev(cell: dict[str, Any], report: Report) -> Evidence:
    start, end = cell.get("start"), cell.get("end")
    page = report.document.page_at(start) if start is not None else None
    t = report.document.tables[cell["table"]] if cell["table"] < len(report.document.tables) else None
    return Evidence(cell["text"], page or (t.page if t else None), start, end, cell["table"], cell["row"], cell["col"])


def _flag(report: Report, code: str, cell: dict[str, Any], message: str, message_en: str,
          evidence: list[dict[str, Any]], suggestion: dict[str, Any] | None, severity: str | None = None,
          confidence: float | None = None) -> Flag:
    e = _ev(cell, report)
    sev, conf = _severity(report, e.table)
    return Flag(code=code, severity=severity or sev, text=cell["text"], message=message, message_en=message_en,
                page=e.page, start=e.start, end=e.end, table=e.table, row=e.row, col=e.col,
                evidence=[_ev(c, report) for c in evidence], suggestion=suggestion,
                confidence=confidence if confidence is not None else conf)


def _fund_rows(p: Project) -> list[dict[str, Any]]:
    return p.extra.get("fund_rows") or []


def _budget_cell(values: dict[str, Any]) -> dict[str, Any] | None:
    """The denominator of 执行率: 全年(调整后)预算数, else the 年初预算数 a form labels (A)."""
    return values.get("adjusted_budget") or values.get("initial_budget")


def _rate_interval(cell: dict[str, Any]) -> Interval:
    """A written rate as a percent interval; `0.95` without % in a rate column is a fraction."""
    v = cell["value"]
    iv = _written(v)
    # finance systems often cut a rate instead of rounding it (99.9994% printed as 99.99%):
    # a rate stands for anything it rounds to or truncates to, never an error by itself
    iv = Interval(iv.lo, max(iv.hi, v + (iv.hi - iv.lo)) if v >= 0 else iv.hi)
    if not cell.get("percent_sign") and v <= Decimal("1.5") and v != 0:
        iv = iv.scale(100)
    return iv


# ---------------------------------------------------------------- 执行率


@register("exec-rate-mismatch")
def exec_rate_mismatch(report: Report) -> list[Flag]:
    """执行率 ≠ 全年执行数 / 全年预算数 beyond what the written digits allow (F1)."""
    flags: list[Flag] = []
    for p in report.projects:
        for row in _fund_rows(p):
            vals = row["values"]
            rate, done, budget = vals.get("rate"), vals.get("executed"), _budget_cell(vals)
            if rate is None or done is None or budget is None:
                continue
            computed = ratio(_amount(done["value"]), _amount(budget["value"]))
            if computed is None:
                continue
            computed = computed.scale(100)
            stated = _rate_interval(rate)
            if can_equal(stated, computed):
                continue
            exact = done["value"] / budget["value"] * _HUNDRED
            places = max(2, -rate["value"].as_tuple().exponent)
            fix = _fmt(exact, places=places)
            tol = stated.radius
            flags.append(_flag(
                report, "exec-rate-mismatch", rate,
                f"{row['label']}执行率写为{rate['text']}，按全年执行数{done['text']}÷预算数{budget['text']}"
                f"计算应为{fix}%（按书写精度允许±{_fmt(tol, places=places + 1)}个百分点）",
                f"{row['label']}: execution rate stated {rate['text']}, but executed {done['text']} / budget "
                f"{budget['text']} = {fix}% (tolerance ±{_fmt(tol, places=places + 1)} points from the written precision)",
                [done, budget], {"text": f"{fix}%", "value": Decimal(fix)},
                # the form defines 执行率 on the total row only; generators fill the fund-source
                # rows below it with template values (`0.0%`, `--`): there, only a warning
                severity=None if row["source"] == "total" else "warning",
            ))
    return flags


# ---------------------------------------------------------------- scores


def _score_tolerance(score: Decimal) -> Decimal:
    return _written(score).radius + SCORE_SLACK


def _indicator_expected(ind: Indicator) -> Decimal | None:
    """The score F5–F7 give for a numeric indicator, or None where no rule applies."""
    op, t, a, w = ind.operator, ind.target_value, ind.actual_value, ind.weight
    if op is None or t is None or a is None or w is None:
        return None
    if op in ("≥", ">") or (op == "=" and t != 0):
        if t <= 0:
            return None
        return w if a >= t else w * a / t
    if op in ("≤", "<"):
        if t <= 0:
            return None
        if a <= t:
            return w
        if a < 2 * t:
            return w * (1 - (a - t) / t)
        return Decimal(0)
    if op == "=":
        return w if a <= 0 else Decimal(0)
    return None


def _project_indicators(report: Report, p: Project) -> list[Indicator]:
    return [i for i in report.indicators if i.project_name == p.name]


def _cell(ind: Indicator, role: str) -> dict[str, Any] | None:
    return (ind.extra.get("cells") or {}).get(role)


@register("score-mismatch")
def score_mismatch(report: Report) -> list[Flag]:
    """执行率得分 = 分值 × min(rate, 1) (F3); ≥/≤/= indicator rules (F5–F7); 总分 = Σ scores (F12)."""
    flags: list[Flag] = []
    for p in report.projects:
        flags += _exec_score_flags(report, p)
        inds = _project_indicators(report, p)
        for ind in inds:
            flags += _indicator_flags(report, ind)
        flags += _total_flags(report, p, inds)
    return flags


def _exec_score_flags(report: Report, p: Project) -> list[Flag]:
    row = next((r for r in _fund_rows(p) if r["source"] == "total"), None)
    if row is None:
        return []
    vals = row["values"]
    score, weight, done, budget = vals.get("score"), vals.get("weight"), vals.get("executed"), _budget_cell(vals)
    if score is None or weight is None or done is None or budget is None or budget["value"] == 0:
        return []
    rate = min(done["value"] / budget["value"], Decimal(1))
    expected = weight["value"] * rate
    tol = _score_tolerance(score["value"])
    if abs(score["value"] - expected) <= tol:
        return []
    fix = _fmt(expected, places=2)
    return [_flag(
        report, "score-mismatch", score,
        f"执行率得分写为{score['text']}，按分值{weight['text']}×min(执行数{done['text']}÷预算数{budget['text']}, 1)"
        f"计算应为{fix}（允许±{_fmt(tol, places=3)}）",
        f"execution score stated {score['text']}, but weight {weight['text']} × min(executed {done['text']} / "
        f"budget {budget['text']}, 1) = {fix} (tolerance ±{_fmt(tol, places=3)})",
        [weight, done, budget], {"text": fix, "value": Decimal(fix)},
    )]


def _indicator_flags(report: Report, ind: Indicator) -> list[Flag]:
    expected = _indicator_expected(ind)
    score_cell = _cell(ind, "score")
    if expected is None or ind.score is None or score_cell is None:
        return []
    tol = _score_tolerance(ind.score)
    if abs(ind.score - expected) <= tol:
        return []
    fix = _fmt(expected, places=2)
    evidence = [c for c in (_cell(ind, "target"), _cell(ind, "actual"), _cell(ind, "weight")) if c]
    return [_flag(
        report, "score-mismatch", score_cell,
        f"指标“{ind.l3}”得分写为{score_cell['text']}，指标值{ind.target_raw}（{ind.operator}）、实际完成值{ind.actual_raw}、"
        f"分值{ind.weight}按评分规则应得{fix}（允许±{_fmt(tol, places=3)}）",
        f"indicator '{ind.l3}': score stated {score_cell['text']}, but target {ind.target_raw} ({ind.operator}), "
        f"actual {ind.actual_raw}, weight {ind.weight} give {fix} under the form's rule (tolerance ±{_fmt(tol, places=3)})",
        evidence, {"text": fix, "value": Decimal(fix)},
        # indicator scoring rules vary by province (steps, 酌情扣分): the pmkpi rule gives the
        # expected score, but a departure is a question for the reviewer, not an arithmetic error
        severity="warning",
    )]


def _total_flags(report: Report, p: Project, inds: list[Indicator]) -> list[Flag]:
    cell = p.extra.get("total_cell")
    if cell is None or p.total_score is None or p.exec_score is None or not inds:
        return []
    if any(i.score is None or i.weight is None for i in inds) or p.exec_weight is None:
        return []
    # only a complete form: the weights read must make up the form's total weight (100)
    if p.exec_weight + sum(i.weight for i in inds) != p.extra.get("total_weight", Decimal(100)):
        return []
    parts = [p.exec_score] + [i.score for i in inds]
    exact = sum(parts, Decimal(0))
    # scores are assigned, not measured: the sum is exact; only the coarsest written digit
    # (and the audit slack) may separate it from the stated total
    tol = max(_written(v).radius for v in parts + [p.total_score]) + SCORE_SLACK
    if abs(p.total_score - exact) <= tol:
        return []
    evidence = [c for c in [_total_exec_cell(p)] + [_cell(i, "score") for i in inds] if c]
    return [_flag(
        report, "score-mismatch", cell,
        f"总分写为{cell['text']}，执行率得分{p.exec_score}与{len(inds)}项指标得分之和为{exact}（允许±{tol.normalize()}）",
        f"total score stated {cell['text']}, but the execution score {p.exec_score} plus {len(inds)} indicator "
        f"scores sum to {exact} (tolerance ±{tol.normalize()})",
        evidence, {"text": str(exact), "value": exact},
    )]


def _total_exec_cell(p: Project) -> dict[str, Any] | None:
    row = next((r for r in _fund_rows(p) if r["source"] == "total"), None)
    return row["values"].get("score") if row else None


# ---------------------------------------------------------------- fund rows


def _fund_columns(report: Report):
    """(total cell, part cells, the suggested total, "a + b") per project, money column and fund family."""
    for p in report.projects:
        rows = _fund_rows(p)
        tot = next((r for r in rows if r["source"] == "total"), None)
        if tot is None:
            continue
        for role in MONEY_COLUMNS:
            if role not in tot["values"]:
                continue
            for family in PART_FAMILIES:
                members = [r for r in rows if r["source"] in family]
                # a part filled in other columns but blank in this one: its sum cannot be checked
                blank = any(role not in r["values"] and any(k in r["values"] for k in MONEY_COLUMNS) for r in members)
                parts = [r["values"][role] for r in members if role in r["values"]]
                if parts:
                    exact = sum((c["value"] for c in parts), Decimal(0))
                    fix = {"text": f"{exact}", "value": exact,
                           "value_yuan": sum((c["yuan"] for c in parts), Decimal(0))}
                    yield tot["values"][role], parts, fix, " + ".join(c["text"] for c in parts), role, blank


@register("sum-mismatch")
def fund_sum_mismatch(report: Report) -> list[Flag]:
    """年度资金总额 = 财政拨款 + 上年结转 + 其他 (…) per column (F4); a zero total is `total-zero`'s."""
    flags: list[Flag] = []
    for tot, parts, fix, terms, role, blank in _fund_columns(report):
        if blank:
            continue
        zh, en = COLUMN_NAMES[role]
        exact = fix["value"]
        computed = total(_amount(c["value"]) for c in parts)
        if tot["value"] == 0 or can_equal(_amount(tot["value"]), computed):
            continue
        tol = (_amount(tot["value"]).radius + computed.radius).normalize()
        flags.append(_flag(
            report, "sum-mismatch", tot,
            f"{zh}：资金总额写为{tot['text']}，其中各项之和 {terms} = {exact}（允许±{tol}）",
            f"{en}: fund total stated {tot['text']}, but its parts {terms} sum to {exact} (tolerance ±{tol})",
            parts, fix,
        ))
    return flags


@register("total-zero")
def total_zero(report: Report) -> list[Flag]:
    """A total row written as 0 while its parts are not: the total was left unfilled or mis-linked."""
    flags: list[Flag] = []
    for tot, parts, fix, terms, role, _blank in _fund_columns(report):
        zh, en = COLUMN_NAMES[role]
        exact = fix["value"]
        if tot["value"] != 0 or all(c["value"] == 0 for c in parts):
            continue
        flags.append(_flag(
            report, "total-zero", tot,
            f"{zh}：资金总额写为{tot['text']}，而其中各项 {terms} = {exact}",
            f"{en}: fund total stated {tot['text']} while its parts {terms} sum to {exact}",
            parts, fix,
        ))
    return flags
