"""The 说明 of a 部门决算 against its tables: each figure the prose restates (收入支出总计,
本年收入合计 and its sources, 本年支出合计, 基本/项目支出, 人员/公用经费, 一般公共预算财政拨款支出
and its 类/款/项 lines, the 三公 items) must equal its table line; a change's comparison words
(增加/减少, 增长/下降) must agree with each other; a year in a heading or sentence must be the
report's year or the year it is compared with.

A prose figure is named by the label right before it (`patterns/disclosure_terms.json`,
`line` entries), scoped by its sentence: `基本支出` in a sentence about 财政拨款 is the
一般公共预算财政拨款 line, elsewhere the 支出决算表's. Figures of another year or of a budget
(`上年`, `年初预算`) are not restatements of the 决算 tables and are left alone. Shares and
changes are checked by the arithmetic family (relations.py finds them).
"""
from __future__ import annotations

import bisect
from decimal import Decimal

import regex

from ..model import Evidence, Flag, Quantity, Report
from ..text.normalize import spaced_words, unspaced
from . import register
from .disclosure import Cell, Disclosure, _pick, _plain, disclosure_of, term_match
from .arithmetic import _check_rate
from .interval import Interval, can_equal, ratio
from .relations import amount_interval
from .units import corrections, scale_of, unit_flag, yuan_text

_CLAUSE_START = regex.compile(r"[，,。；;：:\n]")
_OUTLINE = regex.compile(r"^\s*(?:\d{1,2}[.、．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)")
_SENTENCE_START = "。！？!?\n"  # a list after `；` stays in its sentence's scope
# what may stand between a label and its figure
_FILLER = regex.compile(r"^(?:的|均|合计|共计|总计|总额|支出|决算数?|金额|实际|完成|为|是|达到?|共|计|\s)*$")
_OTHER_FIGURE = regex.compile(r"上年|上一年|去年|同期|预算(?!财政拨款)|年初|调整|比|较|增加|减少|增长|下降")
_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!\d{1,2}月)")
# a name may hold a parenthesis of its own (`政府办公厅（室）及相关机构事务（款）`)
_NAME = r"(?:[^\s，。；：（(]|[（(](?![类款项][）)])[^（()）]{1,6}[）)])+?"
_PATH = regex.compile(rf"(?P<lei>{_NAME})[（(]类[）)](?:(?P<kuan>{_NAME})[（(]款[）)](?:(?P<xiang>{_NAME})[（(]项[）)])?)?"
                      r"[^，。；\d]{0,8}$")
_FISCAL_SCOPE = regex.compile(r"财政拨款|一般公共预算")
# a sentence about one fund's 财政拨款 restates that fund's own table (表7, 表8), not the 总表
_FUND_SCOPE = regex.compile(r"政府性基金|国有资本经营")

# prose line -> (table, line key, column key or None); `scoped` ones are read in the
# 一般公共预算财政拨款 tables when their sentence is about 财政拨款
_WHERE: dict[str, tuple[str, str, str | None]] = {
    "grand": ("summary", "grand", None),
    "fiscal-grand": ("fiscal-summary", "grand", None),
    "income-total": ("summary", "income-total", None),
    "expense-total": ("summary", "expense-total", None),
    "general-income": ("summary", "general-income", None),
    "fund-income": ("summary", "fund-income", None),
    "state-income": ("summary", "state-income", None),
    "upper-income": ("summary", "upper-income", None),
    "service-income": ("summary", "service-income", None),
    "business-income": ("summary", "business-income", None),
    "affiliate-income": ("summary", "affiliate-income", None),
    "other-income": ("summary", "other-income", None),
    "carry-in": ("summary", "carry-in", None),
    "carry-out": ("summary", "carry-out", None),
    "general-expense": ("general", "total", "sum-col"),
    "fiscal-expense": ("fiscal-summary", "expense-total", None),
    "fiscal-basic": ("general", "total", "basic"),
    "general-basic": ("general", "total", "basic"),
    "basic": ("expenditure", "total", "basic"),
    "project": ("expenditure", "total", "project"),
    "personnel": ("basic", "personnel", None),
    "public": ("basic", "public", None),
}
_SCOPED = {"basic": ("general", "total", "basic"), "project": ("general", "total", "project")}
_SANGONG = ("sangong-total", "abroad", "car-total", "car-buy", "car-run", "hosting")


def _clause_lead(text: str, q: Quantity) -> str:
    start = q.start or 0
    lo = max(0, start - 80)
    chunk = text[lo:start]
    cut = max((m.end() for m in _CLAUSE_START.finditer(chunk)), default=0)
    return chunk[cut:]


def _sentence_before(text: str, pos: int) -> str:
    """The sentence up to `pos`, without spaces (its scope words may be spaced out)."""
    lo = max(text.rfind(ch, 0, pos) for ch in _SENTENCE_START) + 1
    return unspaced(text[lo:pos])


_HEADING = regex.compile(r"(?m)^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十]部分)[^\n]{0,40}$")
_headings: list = [None, []]


def _fiscal_scope(text: str, pos: int) -> bool:
    """Is the figure at `pos` about 财政拨款: its sentence says so, or the heading it stands
    under does (`（三）财政拨款支出决算具体情况` over a list of 项 lines)."""
    if _FISCAL_SCOPE.search(_sentence_before(text, pos)):
        return True
    if _headings[0] is not text:
        _headings[0], _headings[1] = text, [(m.start(), bool(_FISCAL_SCOPE.search(unspaced(m.group(0)))))
                                          for m in _HEADING.finditer(text)]
    heads = _headings[1]
    i = bisect.bisect_right(heads, (pos, True)) - 1
    return i >= 0 and heads[i][1]


def _sangong_record(d: Disclosure) -> dict[str, Cell] | None:
    """The 决算 record of the 三公 table (the only one, or the one labelled 决算)."""
    named = d.tables.get("sangong")
    if named is None or not named.records:
        return None
    recs = [r for r in named.records if "决算" in str(r.get("@label", ""))]
    if len(recs) == 1:
        return recs[0]
    only = named.records[0] if len(named.records) == 1 else None
    return only if only is not None and "预算" not in str(only.get("@label", "")) else None


def _same_name(prose: str, table: str) -> bool:
    """`一般公共服务（类）` names the row `一般公共服务支出`: the prose drops the 类's last word."""
    return prose == table or (len(prose) >= 2 and table == prose + "支出")


def _path_line(d: Disclosure, table: str, lei: str, kuan: str | None, xiang: str | None) -> Cell | None:
    """The row of `table` a `…（类）…（款）…（项）` path names (one row, or none)."""
    named = d.tables.get(table)
    if named is None:
        return None
    want = [_plain(_OUTLINE.sub("", x)) for x in (lei, kuan, xiang) if x]
    hits = [ln for ln in named.lines if ln.level == len(want) and len(ln.path) == len(want)
            and all(_same_name(w, p) for w, p in zip(want, ln.path))]
    if len(hits) != 1:
        return None
    return hits[0].cells.get("sum-col") or hits[0].cells.get("expense-total")


def table_cell_for(d: Disclosure, report: Report, q: Quantity) -> tuple[Cell, str] | None:
    """The table cell a prose figure restates, with the label that names it."""
    text = report.document.text or ""
    lead = unspaced(_clause_lead(text, q))  # a label may be spaced out (`一般公共预算 财政拨款 基本支出`)
    if not lead or _OTHER_FIGURE.search(lead):
        return None
    for m in _YEAR.finditer(lead):
        if report.meta.report_year is not None and int(m.group(1)) != report.meta.report_year:
            return None
    path = _PATH.search(lead)
    if path:
        # the 财政拨款 section restates the 一般公共预算财政拨款支出决算表, the rest the 支出决算表
        table = "general" if _fiscal_scope(text, q.start or 0) else "expenditure"
        cell = _path_line(d, table, path.group("lei"), path.group("kuan"), path.group("xiang"))
        return (cell, path.group(0).rstrip("为是")) if cell is not None else None
    hit = _label(lead)
    if hit is None:
        return None
    key, label = hit
    if key in _SANGONG:
        rec = _sangong_record(d)
        cell = rec.get(key) if rec else None
        return (cell, label) if isinstance(cell, Cell) else None
    where = _WHERE.get(key)
    if where is None:
        return None
    if key in _SCOPED and _fiscal_scope(text, q.start or 0):
        where = _SCOPED[key]
    table, line, col = where
    if key in ("carry-in", "carry-out"):
        sentence = _sentence_before(text, q.start or 0)
        if _FUND_SCOPE.search(sentence):
            return None
        if _FISCAL_SCOPE.search(sentence):
            table = "fiscal-summary"
    if key in ("grand", "fiscal-grand"):
        if key == "grand" and _FISCAL_SCOPE.search(_sentence_before(text, q.start or 0)):
            table = "fiscal-summary"
        named = d.tables.get(table)
        spending = "支" in label and "收" not in label
        lines = [ln for ln in (named.lines if named else []) if ln.key == "grand" and (ln.side > 0) == spending]
        cell = _pick(lines[0], None) if len(lines) == 1 else None
    else:
        cell = d.cell(table, line, col)
        if cell is None and col == "sum-col":
            cell = d.cell(table, line, "expense-total")
    return (cell, label) if cell is not None else None


def _label(lead: str) -> tuple[str, str] | None:
    """The line a clause's lead names: the label ending where only filler words remain."""
    for cut in range(len(lead), 0, -1):
        if not _FILLER.match(lead[cut:]):
            continue
        got = term_match("line", lead[:cut])
        if got is not None:
            name, m = got
            return name, m.group(0)
        if cut < len(lead) - 8:
            break
    return None


@register("restatement-mismatch")
def check_restatements(report: Report) -> list[Flag]:
    d = disclosure_of(report)
    if not d.tables:
        return []
    flags: list[Flag] = []
    for q in report.quantities:
        if q.kind != "amount" or q.table is not None or q.start is None or q.value_yuan is None or q.unit_source != "inline":
            continue
        found = table_cell_for(d, report, q)
        if found is None:
            continue
        cell, label = found
        flag = _compare(q, cell, label)
        if flag is not None:
            flags.append(flag)
    return flags


def _compare(q: Quantity, cell: Cell, label: str) -> Flag | None:
    if q.value_yuan == cell.q.value_yuan:
        return None
    pi = amount_interval(q)
    ti = amount_interval(cell.q)
    if can_equal(pi, ti):
        return None
    fixes = [f for f in corrections(q) if f.value_yuan is not None and can_equal(f.interval, ti)]
    if fixes:
        f = fixes[0]
        return unit_flag(f, [cell.q], f"说明中“{label}”{q.text}，而{cell.where()}为{cell.q.text}{cell.q.unit or ''}",
                         f"the explanation states {label} as {q.text} while {cell.where_en()} is {cell.q.text} {cell.q.unit or ''}",
                         0.8)
    diff = pi - ti
    d_yuan = q.value_yuan - cell.q.value_yuan
    unit = q.unit or "元"
    return Flag(
        code="restatement-mismatch", severity="error", text=q.text,
        message=(f"说明与表不符：说明中“{label}”{q.text}，而{cell.where()}为{cell.q.text}"
                 f"{'' if cell.q.unit_source == 'inline' else cell.q.unit or ''}，差额{yuan_text(d_yuan, unit)}，"
                 f"超出两数书写精度允许的误差±{yuan_text(diff.radius.normalize(), unit)}。"),
        message_en=(f"the explanation disagrees with its table: it states {label} as {q.text}, while {cell.where_en()} "
                    f"is {cell.q.text} {cell.q.unit or ''}; difference {yuan_text(d_yuan, unit)}, beyond the "
                    f"±{yuan_text(diff.radius.normalize(), unit)} the written decimals allow."),
        page=q.page, start=q.start, end=q.end, evidence=[Evidence.of(cell.q)], confidence=0.85)


# ---------------------------------------------------------------- shares of a named line

_SHARE = regex.compile(r"占(?P<whole>[^，。；;,%％\d]{2,20}?)的?(?:比重|比例)?(?:为)?\s*(?P<rate>\d+(?:\.\d+)?)\s*[%％]")
_HUNDRED = Decimal(100)


@register("rate-mismatch")
def check_named_shares(report: Report) -> list[Flag]:
    """`一般公共预算财政拨款支出3938.30万元，占本年支出合计的94.68%`: the share of a line whose
    total the sentence names but does not state, against that line of the tables."""
    d = disclosure_of(report)
    if not d.tables:
        return []
    text = report.document.text or ""
    prose = sorted((q for q in report.quantities if q.table is None and q.start is not None), key=lambda q: q.start)
    starts = [q.start for q in prose]
    scale = scale_of(report)
    flags: list[Flag] = []
    for m in _SHARE.finditer(text):
        hit = _label(m.group("whole"))
        if hit is None or hit[0] not in _WHERE:
            continue
        table, line, col = _WHERE[hit[0]]
        if hit[0] in _SCOPED and (_FISCAL_SCOPE.search(m.group("whole")) or _fiscal_scope(text, m.start())):
            table, line, col = _SCOPED[hit[0]]  # `占一般公共预算项目支出总额的…`: the appropriation's line
        whole = d.cell(table, line, col)
        i = bisect.bisect_left(starts, m.start()) - 1
        rate = next((q for q in prose[i + 1:i + 4] if q.kind == "rate" and q.start >= m.start("rate")), None)
        part = prose[i] if i >= 0 else None
        if whole is None or rate is None or part is None or part.kind != "amount" or part.value_yuan is None \
                or m.start() - (part.end or 0) > 3 or whole.q.value_yuan in (None, 0):
            continue
        if _label(_clause_lead(text, part)) is None:
            continue  # `共涉及资金5105.75万元，占…的100%`: a part no table states (a budget, a coverage)
        w = whole.q

        def compute(iv: dict[int, Interval], part: Quantity = part, w: Quantity = w) -> Interval | None:
            r = ratio(iv[id(part)], iv[id(w)])
            return r * Interval.exact(_HUNDRED) if r is not None else None

        flags += _check_rate(rate, [part, w], compute, f"{part.text} ÷ {whole.where()}{w.text}（{hit[1]}）",
                             f"{part.text} / {whole.where_en()} {w.text} ({hit[1]})", 0.85, scale)
    return flags


# ---------------------------------------------------------------- words


_CHANGE_WORDS = regex.compile(
    rf"(?P<v1>{spaced_words(('增加', '减少', '持平'))})(?P<a>[^，。；,;]{{0,20}}?(?:{spaced_words(('万元', '亿元'))}|元))\s*[，,]?\s*"
    rf"(?P<v2>{spaced_words(('增长', '下降', '上升', '降低', '增幅', '降幅'))})(?:了|为)?(?P<r>\s*[\d.]+\s*[%％])")
_UP = {"增加", "增长", "上升", "增幅"}


@register("comparison-word")
def check_comparison_words(report: Report) -> list[Flag]:
    """`增加5万元，下降3%`: the two words of one change contradict each other."""
    text = report.document.text or ""
    flags: list[Flag] = []
    for m in _CHANGE_WORDS.finditer(text):
        v1, v2 = unspaced(m.group("v1")), unspaced(m.group("v2"))
        if v1 == "持平" or (v1 in _UP) == (v2 in _UP):
            continue
        s, e = m.span("r")
        rate = m.group("r").strip()
        flags.append(Flag(
            code="comparison-word", severity="error", text=rate,
            message=f"增减用词自相矛盾：“{m.group(0)}”先说“{v1}”，后说“{v2}”；同一变化只能是增加或减少。",
            message_en=f"contradictory comparison words in '{m.group(0)}': '{v1}' then '{v2}' for one change.",
            page=report.document.page_at(s), start=s + (len(m.group('r')) - len(m.group('r').lstrip())), end=e,
            evidence=[], confidence=0.9))
    return flags


_DISCLOSURE_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(度)?(?!\d{1,2}月|\d)")
_YEAR_SUBJECT = regex.compile(r"^(?:度)?(?:部门|单位)?(?:决算|收入|支出|财政拨款|一般公共预算|政府性基金|国有资本|“三公”|三公|机关运行|政府采购|本年)")


@register("year-mismatch")
def check_stray_years(report: Report) -> list[Flag]:
    """A 决算 disclosure speaks of its year and the year before: `2021年度收入、支出总计` in a
    2023 disclosure is a leftover of an earlier year's text (a warning)."""
    d = disclosure_of(report)
    ry = report.meta.report_year
    if ry is None or not d.is_disclosure:
        return []
    text = report.document.text or ""
    flags: list[Flag] = []
    for m in _DISCLOSURE_YEAR.finditer(text):
        y = int(m.group(1))
        if y in (ry, ry - 1) or not (m.group(2) or _YEAR_SUBJECT.match(text[m.end():m.end() + 8])):
            continue
        s, e = m.span()
        flags.append(Flag(
            code="year-mismatch", severity="warning", text=m.group(0),
            message=f"年份与报告年度不符：本文是{ry}年度部门决算，此处写作“{m.group(0)}”（既非{ry}年，也非对比的{ry - 1}年）。",
            message_en=f"year inconsistent with the report's fiscal year: this is the {ry} 部门决算, but '{m.group(0)}' "
                       f"is neither {ry} nor the year compared with ({ry - 1}).",
            page=report.document.page_at(s), start=s, end=e, confidence=0.6))
    return flags


__all__ = ["check_comparison_words", "check_restatements", "check_stray_years", "table_cell_for"]
