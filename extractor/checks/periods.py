"""Period and year checks: a period must not end before it starts, and the years a report
states must fit the fiscal year it reports on.

Quantities of kind `period` carry `extra["start"]`/`extra["end"]` as ISO text (`2023-01`,
`2022-12-31`), written by quantities.py. The year check is deliberately conservative:
reports compare with prior years all the time (2021 figures in a 2023 report are normal),
so only budget or spending figures dated two or more years *after* the report year, and
periods lying entirely after it, are flagged — as warnings.
"""
from __future__ import annotations

from ..model import Flag, Quantity, Report
from . import register


def _parts(iso: str) -> list[int]:
    return [int(x) for x in iso.split("-")]


def _cn(parts: list[int]) -> str:
    return "".join(f"{v}{u}" for v, u in zip(parts, ("年", "月", "日")))


@register("period-inverted")
def check_periods(report: Report) -> list[Flag]:
    flags: list[Flag] = []
    for q in report.quantities:
        if q.kind != "period" or not q.extra.get("start") or not q.extra.get("end"):
            continue
        s, e = _parts(q.extra["start"]), _parts(q.extra["end"])
        n = min(len(s), len(e))
        if e[:n] >= s[:n]:
            continue
        suggestion = None
        fixed = [s[0], *e[1:]]
        if fixed[:n] >= s[:n]:
            suggestion = {"text": f"{_cn(s)}至{_cn(fixed)}", "start": q.extra["start"],
                          "end": "-".join(f"{v:02d}" if i else f"{v:04d}" for i, v in enumerate(fixed))}
        flags.append(Flag(
            code="period-inverted", severity="error", text=q.text,
            message=f"期间倒置：“{q.text}”的终点（{_cn(e)}）早于起点（{_cn(s)}）。",
            message_en=f"inverted period: {q.text} ends ({q.extra['end']}) before it starts ({q.extra['start']}).",
            page=q.page, start=q.start, end=q.end, table=q.table, row=q.row, col=q.col,
            suggestion=suggestion, confidence=0.95 if report.meta.report_year in (s[0], e[0]) else 0.8,
        ))
    return flags


def _is_money_figure(q: Quantity) -> bool:
    return q.kind == "amount" and bool(q.label) and any(w in q.label for w in ("预算", "决算", "执行", "支出", "收入"))


@register("year-mismatch")
def check_years(report: Report) -> list[Flag]:
    ry = report.meta.report_year
    if ry is None:
        return []
    flags: list[Flag] = []
    for q in report.quantities:
        if q.kind == "period" and q.extra.get("start") and q.extra.get("end"):
            years = (_parts(q.extra["start"])[0], _parts(q.extra["end"])[0])
            if min(years) >= ry + 2:
                flags.append(_year_flag(q, ry, f"期间“{q.text}”整体晚于报告年度{ry}年两年以上",
                                        f"the period {q.text} lies two or more years after the report year {ry}"))
        elif _is_money_figure(q) and q.year is not None and q.year >= ry + 2:
            flags.append(_year_flag(q, ry, f"{q.year}年的{q.label}出现在{ry}年度报告中",
                                    f"a {q.year} figure ({q.label}) in a report on {ry}"))
    return flags


def _year_flag(q: Quantity, ry: int, zh: str, en: str) -> Flag:
    return Flag(code="year-mismatch", severity="warning", text=q.text, message=f"年份与报告年度不符：{zh}。",
                message_en=f"year inconsistent with the report's fiscal year: {en}.", page=q.page, start=q.start,
                end=q.end, table=q.table, row=q.row, col=q.col, evidence=[], suggestion=None, confidence=0.5)


__all__ = ["check_periods", "check_years"]
