"""Find the relations a report states between its own figures, so checks can recompute them.

A relation is read from cue words (patterns/relations.json) around the quantities that
quantities.py found: a whole and its parts (`其中`, `分别为`, a numbered list after `主要是：`,
a list closed by `总计`, table rows under a `合计` row), a change against an earlier figure
(`比2022年预算增加87.78万元，增长33.65%`), a remainder (`剩余` = budget − spent), a rate with
its numerator and denominator (`执行率`), and the same figure written twice in different
units. Finding is separated from checking: the finders only say which numbers belong
together; checks/arithmetic.py and checks/units.py do the arithmetic.

Every finder scans the quantities once in text order and looks only a short window back or
ahead, so the cost is linear in the document.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import regex

from . import patternbook
from .interval import Interval, can_equal, total
from .model import Document, Quantity, Report, Table

_SENTENCE_END = "。；;！？!?\n"
_CLAUSE_BOUND = "，,。；;：:\n、（）()"
_LIST_ITEM = regex.compile(r"\s*(?:\d{1,2}[.、．]|[（(]\d{1,2}[）)])")
_HEADING = regex.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])")
# a list in prose longer than this is no list a report writes (and trying every start of it
# costs n²): it is not read as parts of a total
MAX_LISTED_PARTS = 200
_SPACES = regex.compile(r"\s+")
_LIST_COLON = regex.compile(r"[：:]\s*\n")
_CODE_START = regex.compile(r"\d{3,}")
_PLAIN_NUMBER = regex.compile(r"-?[\d,]+(?:\.\d+)?")
_TOTAL_ROW = regex.compile(r"^(?:合计|总计|小计|[^\d]{0,8}(?:合计|总计))$")
_YEAR = regex.compile(r"(\d{4})年")
_LIST_END = regex.compile(r"[。！？!?\n]")
_PREV_YEAR = regex.compile(r"上年|上一年|去年|上年度")


@dataclass
class PartOf:
    """`whole` is made of `parts`: exhaustive "yes" (must add up), "near", or "no" (≤ whole).

    `flexible_start`: the parts are the figures listed before a `总计`, and the list may
    start later than the first of them (the check may drop leading parts).
    """

    whole: Quantity
    parts: list[Quantity]
    exhaustive: str
    cue: str
    confidence: float
    flexible_start: bool = False


@dataclass
class Change:
    """`current` changed by `delta` (amount) and/or `rate` (%) against `earlier` (same label, ref year)."""

    current: Quantity
    delta: Quantity | None
    rate: Quantity | None
    sign: int
    cue: str
    ref_year: int | None
    earlier: Quantity | None = None
    confidence: float = 0.9


@dataclass
class Remaining:
    budget: Quantity
    spent: Quantity
    remaining: Quantity
    cue: str
    confidence: float = 0.8


@dataclass
class Ratio:
    """`rate` (a percent) = numerator / denominator."""

    rate: Quantity
    numerator: Quantity
    denominator: Quantity
    cue: str
    confidence: float = 0.8


@dataclass
class SameFigure:
    """Two amounts written with the same digits whose values differ by a unit factor."""

    first: Quantity
    second: Quantity


@dataclass
class Relations:
    part_of: list[PartOf] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    remaining: list[Remaining] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    same: list[SameFigure] = field(default_factory=list)


# ------------------------------------------------------------------ cue book


class _Cues:
    def __init__(self) -> None:
        by = {e["name"]: e for e in patternbook.entries("relations")}
        self.part_of = {c["form"]: c["exhaustive"] for c in by["part_of"]["cues"]}
        self.part_rx = _alt(self.part_of)
        self.total_rx = _alt([c["form"] for c in by["total"]["cues"]])
        ch = by["change"]
        self.verbs = {v["form"]: v["sign"] for v in ch["verbs"]}
        self.change_rx = regex.compile(
            rf"(?P<cmp>{_alt_src(ch['comparators'])})(?P<ref>[^，。；,;\n]{{0,16}}?)(?P<verb>{_alt_src(self.verbs)})了?"
        )
        self.verb_rx = _alt(self.verbs)
        self.remaining_rx = _alt([c["form"] for c in by["remaining"]["cues"]])
        roles = by["roles"]
        self.spent, self.spent_weak, self.budget = roles["spent"], roles["spent_weak"], roles["budget"]
        self.share_rx = regex.compile(roles["share"])
        self.income, self.expense, self.part_stop = roles["income"], roles["expense"], roles["part_stop"]
        self.rates = {c["form"]: c for c in by["rate"]["cues"]}


def _alt_src(forms) -> str:
    return "|".join(regex.escape(f) for f in sorted(forms, key=len, reverse=True))


def _alt(forms) -> regex.Pattern:
    return regex.compile(_alt_src(forms))


@functools.lru_cache(maxsize=1)
def cues() -> _Cues:
    return _Cues()


def _has(text: str, forms: list[str]) -> bool:
    return any(f in text for f in forms)


def is_spent(lead: str) -> bool:
    """`实际支出`, `执行数`, `支出决算`: money spent; a bare `支出` only when no budget word is near."""
    c = cues()
    return _has(lead, c.spent) or (_has(lead, c.spent_weak) and not _has(lead, c.budget))


def is_budget(lead: str) -> bool:
    """`年初预算`, `争取项目资金`, `支出年初预算为`: money planned, not money spent."""
    c = cues()
    return _has(lead, c.budget) and not _has(lead, c.spent)


# ------------------------------------------------------------------ prose index


class _Prose:
    """Prose quantities in text order with the clause right before each (its lead-in)."""

    def __init__(self, text: str, quantities: list[Quantity]) -> None:
        self.text = text
        self.all = sorted(
            (q for q in quantities if q.table is None and q.start is not None and q.kind in ("amount", "rate", "count")),
            key=lambda q: q.start,
        )
        self.starts = [q.start for q in self.all]
        self.ends = [q.end for q in self.all]
        self.sentence_bounds = [i for i, ch in enumerate(text) if ch in _SENTENCE_END]
        self.lead: dict[int, str] = {}
        prev_end = 0
        for q in self.all:
            lo = prev_end
            for i in range(q.start - 1, prev_end - 1, -1):
                if text[i] in _CLAUSE_BOUND:
                    lo = i + 1
                    break
            self.lead[id(q)] = text[lo:q.start]
            prev_end = q.end

    def lead_of(self, q: Quantity) -> str:
        return self.lead.get(id(q), "")

    def sentence_start(self, pos: int) -> int:
        i = bisect.bisect_left(self.sentence_bounds, pos)
        return self.sentence_bounds[i - 1] + 1 if i > 0 else 0

    def sentence_end(self, pos: int) -> int:
        i = bisect.bisect_left(self.sentence_bounds, pos)
        return self.sentence_bounds[i] if i < len(self.sentence_bounds) else len(self.text)

    def previous_sentence_start(self, pos: int) -> int:
        """Start of the last non-empty sentence before the one holding pos."""
        k = self.sentence_start(pos) - 1
        while k > 0:
            s = self.sentence_start(k)
            if self.text[s:k].strip():
                return s
            k = s - 1
        return 0

    def list_end(self, pos: int) -> int:
        """End of a list of parts: items may be separated by `；`, the list ends at `。` or a line end."""
        m = _LIST_END.search(self.text, pos)
        return m.start() if m else len(self.text)

    def before(self, pos: int) -> int:
        """Index of the last quantity ending at or before pos (−1 if none)."""
        return bisect.bisect_right(self.ends, pos) - 1

    def after(self, pos: int) -> int:
        return bisect.bisect_left(self.starts, pos)

    def line_at(self, pos: int) -> tuple[int, int]:
        s = self.text.rfind("\n", 0, pos) + 1
        e = self.text.find("\n", pos)
        return s, (e if e >= 0 else len(self.text))


def _is_delta(p: _Prose, q: Quantity) -> bool:
    lead = p.lead_of(q)
    return bool(cues().verb_rx.search(lead[-4:])) if lead else False


# ------------------------------------------------------------------ finders


def _part_of_cued(p: _Prose) -> list[PartOf]:
    c = cues()
    out: list[PartOf] = []
    for m in c.part_rx.finditer(p.text):
        cue, cs, ce = m.group(0), m.start(), m.end()
        exhaustive = c.part_of[cue]
        list_form = bool(_LIST_COLON.match(p.text[ce:ce + 3]))
        whole = _whole_before(p, cs, list_form)
        if whole is None:
            continue
        if list_form:
            parts = _list_items(p, ce)
        else:
            if "（" in p.text[whole.end:cs] or "(" in p.text[whole.end:cs]:
                end = _closing_paren(p.text, ce, p.list_end(ce))
            else:
                end = p.list_end(ce)
            parts = []
            for q in p.all[p.after(ce):]:
                if q.start >= end:
                    break
                if q.kind == "count" or (q.kind == "rate" and c.share_rx.match(p.lead_of(q))):
                    continue
                if q.kind != "amount" or _has(p.lead_of(q), c.part_stop) or _is_delta(p, q):
                    break
                parts.append(q)
        if parts and not list_form and exhaustive != "no":
            # `…9万元,科` : the list goes on with items we could not read (or the excerpt
            # is cut), so its parts need not add up to the whole
            tail = p.text[parts[-1].end:p.sentence_end(parts[-1].end)].strip()
            if len(tail) > 1 and tail[0] in "，,、；;":
                exhaustive = "no"
        if parts:
            conf = {"yes": 0.9, "near": 0.7, "no": 0.8}[exhaustive] * (0.8 if list_form else 1.0)
            out.append(PartOf(whole, parts, exhaustive, cue, conf))
    return out


def _closing_paren(text: str, pos: int, limit: int) -> int:
    """Position of the parenthesis that closes the one open at pos (or `limit`)."""
    depth = 1
    for i in range(pos, min(len(text), max(limit, pos + 400))):
        ch = text[i]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth == 0:
                return i
    return limit


def _whole_before(p: _Prose, pos: int, list_form: bool) -> Quantity | None:
    i = p.before(pos)
    if i < 0:
        return None
    q = p.all[i]
    gap = p.text[q.end:pos]
    if not list_form:
        if q.kind != "amount" or len(gap) > 12 or any(ch in _SENTENCE_END for ch in gap):
            return None
        return q
    # a list introduced on its own line: the whole is the last amount before it that is
    # not a change (`增加1.14万元`) nor a rate, in the same section
    floor = _window_floor(p, pos)
    while i >= 0:
        q = p.all[i]
        if q.start < floor:
            return None
        if q.kind == "amount" and not _is_delta(p, q):
            return q
        i -= 1
    return None


def _list_items(p: _Prose, pos: int) -> list[Quantity]:
    """The first amount of each numbered line following pos."""
    items: list[Quantity] = []
    line_start = p.text.find("\n", pos) + 1
    while 0 < line_start < len(p.text):
        line_end = p.text.find("\n", line_start)
        line_end = line_end if line_end >= 0 else len(p.text)
        if not _LIST_ITEM.match(p.text, line_start):
            break
        j = p.after(line_start)
        if j >= len(p.all) or p.all[j].start >= line_end or p.all[j].kind != "amount":
            break
        items.append(p.all[j])
        line_start = line_end + 1
    return items


def _part_of_totals(p: _Prose, taken: set[int]) -> list[PartOf]:
    """`…1584元，…2550元，总计追加费用4134元`: a total after the parts it sums."""
    c = cues()
    out: list[PartOf] = []
    for m in c.total_rx.finditer(p.text):
        j = p.after(m.end())
        if j >= len(p.all):
            continue
        t = p.all[j]
        gap = p.text[m.end():t.start]
        if t.kind != "amount" or len(gap) > 8 or any(ch in _CLAUSE_BOUND for ch in gap) or id(t) in taken:
            continue
        s0 = p.sentence_start(m.start())
        parts: list[Quantity] = []
        for q in reversed(p.all[:p.before(m.start()) + 1]):
            if q.kind == "count" and q.start >= s0:
                continue
            if q.start < s0 or q.kind != "amount" or _has(p.lead_of(q), c.part_stop) or _is_delta(p, q):
                break
            parts.append(q)
        parts.reverse()
        if len(parts) < 2 or len(parts) > MAX_LISTED_PARTS:
            continue
        flexible = True
        whole_iv = amount_interval(t, parts)
        for k in range(len(parts) - 1):
            sub = parts[k:]
            finest = finest_exponent([t] + sub)
            if can_equal(whole_iv, total(amount_interval(q, finest=finest) for q in sub)):
                parts, flexible = sub, False
                break
        out.append(PartOf(t, parts, "yes", m.group(0), 0.85, flexible_start=flexible))
    return out


def _signature(text: str) -> tuple[str | None, str | None]:
    c = cues()
    stage = "budget" if "预算" in text else ("final" if ("决算" in text or "实际" in text) else None)
    inc, exp = _has(text, c.income), _has(text, c.expense)
    direction = "income" if inc and not exp else ("expense" if exp and not inc else None)
    return stage, direction


def _changes(p: _Prose) -> list[Change]:
    c = cues()
    out: list[Change] = []
    amounts = [q for q in p.all if q.kind == "amount"]
    for m in c.change_rx.finditer(p.text):
        j = p.after(m.end())
        if j >= len(p.all) or p.all[j].start - m.end() > 2 or p.all[j].kind not in ("amount", "rate"):
            continue
        first = p.all[j]
        delta = first if first.kind == "amount" else None
        rate = first if first.kind == "rate" else None
        if rate is None and j + 1 < len(p.all):
            nxt = p.all[j + 1]
            between = p.text[first.end:nxt.start]
            if nxt.kind == "rate" and nxt.unit == "%" and len(between) <= 6 and regex.search(
                    r"^[，,]?(?:增长|下降|增幅|降幅|上升|减少|增加|增|减)(?:了|为)?$", between):
                rate = nxt
        # the figure that changed: the nearest amount before the comparison, in this or the
        # previous sentence, that is not itself a change
        current = None
        lo = p.previous_sentence_start(m.start())
        for q in reversed(p.all[:p.before(m.start()) + 1]):
            if q.start < lo or m.start() - q.end > 150:
                break
            if q.kind == "amount" and not _is_delta(p, q):
                current = q
                break
        if current is None:
            continue
        ref = m.group("ref")
        ym = _YEAR.search(ref)
        ref_year = int(ym.group(1)) if ym else None
        if ref_year is None and _PREV_YEAR.search(ref) and current.year is not None:
            ref_year = current.year - 1
        ch = Change(current, delta, rate, c.verbs[m.group("verb")], m.group(0), ref_year)
        if ref_year is not None:
            stage, direction = _signature((current.label or "") + p.lead_of(current))
            ref_stage, _ = _signature(ref)
            stage = ref_stage or stage
            cands = []
            if direction is not None:
                for q in amounts:
                    if q is current or q.year != ref_year or _is_delta(p, q):
                        continue
                    s2, d2 = _signature((q.label or "") + p.lead_of(q))
                    if d2 == direction and s2 == stage:
                        cands.append(q)
            if len(cands) == 1:
                ch.earlier = cands[0]
        out.append(ch)
    return out


def _nearest_before(p: _Prose, pos: int, floor: int, want) -> Quantity | None:
    for i in range(p.before(pos), -1, -1):  # by index: a slice would copy the list each time
        q = p.all[i]
        if q.start < floor:
            return None
        if q.kind == "amount" and want(q):
            return q
    return None


def _window_floor(p: _Prose, pos: int, span: int = 300) -> int:
    """Look back at most `span` chars and never across a heading line."""
    floor = max(0, pos - span)
    ls = p.line_at(pos)[0]
    while ls > floor:
        prev = p.text.rfind("\n", 0, ls - 1) + 1
        if _HEADING.match(p.text, prev, ls):
            return ls
        ls = prev
    return floor


def _remaining(p: _Prose) -> list[Remaining]:
    c = cues()
    out: list[Remaining] = []
    for r in p.all:
        lead = p.lead_of(r)
        m = c.remaining_rx.search(lead) if r.kind == "amount" else None
        if not m or "结转" in lead:
            continue
        floor = _window_floor(p, r.start)
        if "收支" in lead:
            spent = _nearest_before(p, r.start, floor, lambda q: _has(p.lead_of(q), c.expense) and q.year == r.year)
            budget = _nearest_before(p, r.start, floor, lambda q: _has(p.lead_of(q), c.income) and q.year == r.year)
        else:
            spent = _nearest_before(p, r.start, floor, lambda q: is_spent(p.lead_of(q)))
            budget = None
            if spent is not None:
                budget = _nearest_before(p, spent.start, floor, lambda q: is_budget(p.lead_of(q)))
        if spent is not None and budget is not None:
            out.append(Remaining(budget, spent, r, m.group(0)))
    return out


def _ratios(p: _Prose, part_of: list[PartOf]) -> list[Ratio]:
    c = cues()
    out: list[Ratio] = []
    whole_of = {id(q): r.whole for r in part_of for q in r.parts}
    for r in p.all:
        if r.kind != "rate" or r.unit != "%":
            continue
        lead = p.lead_of(r)
        if c.share_rx.match(lead):
            # `其他收入1106.91万元，占24.17%`: the share of a part in its whole
            i = p.before(r.start)
            part = p.all[i] if i >= 0 else None
            if part is not None and id(part) in whole_of and r.start - part.end <= 4:
                out.append(Ratio(r, part, whole_of[id(part)], "占"))
            continue
        cue = next((f for f in sorted(c.rates, key=len, reverse=True) if f in lead), None)
        if cue is None:
            continue
        floor = max(_window_floor(p, r.start, 200), p.previous_sentence_start(r.start))
        def plain(q: Quantity) -> bool:
            return not c.remaining_rx.search(p.lead_of(q))

        den = _nearest_before(p, r.start, floor, lambda q: plain(q) and is_budget(p.lead_of(q)))
        num = _nearest_before(p, r.start, floor, lambda q: q is not den and plain(q) and is_spent(p.lead_of(q)))
        if num is not None and den is not None:
            out.append(Ratio(r, num, den, cue))
    return out


def _significant_digits(q: Quantity) -> str:
    digits = "".join(ch for ch in format(q.value, "f") if ch.isdigit()).strip("0")
    return digits


def _same_figures(quantities: list[Quantity]) -> list[SameFigure]:
    groups: dict[str, list[Quantity]] = {}
    for q in quantities:
        if q.kind == "amount" and q.value_yuan is not None and q.value_yuan != 0:
            d = _significant_digits(q)
            if len(d) >= 6:
                groups.setdefault(d, []).append(q)
    out: list[SameFigure] = []
    for qs in groups.values():
        for a, b in zip(qs, qs[1:]):
            big, small = max(abs(a.value_yuan), abs(b.value_yuan)), min(abs(a.value_yuan), abs(b.value_yuan))
            if big / small in _UNIT_RATIOS:
                out.append(SameFigure(a, b))
    return out


_UNIT_RATIOS = {Decimal(10**3), Decimal(10**4), Decimal(10**8)}


def _table_chains(doc: Document) -> list[list[Table]]:
    """Tables continued over a page break: a table whose first row is already data (a
    category code or a number) and that has as many columns continues the one before."""
    chains: list[list[Table]] = []
    for t in doc.tables:
        first = _SPACES.sub("", t.cell(0, 0)) if t.n_rows else ""
        data_first = bool(_CODE_START.match(first)) or any(
            _PLAIN_NUMBER.fullmatch(t.cell(0, c).strip()) for c in range(1, t.n_cols))
        if chains and data_first and chains[-1][-1].n_cols == t.n_cols and chains[-1][-1].index == t.index - 1:
            chains[-1].append(t)
        else:
            chains.append([t])
    return chains


def _table_totals(quantities: list[Quantity], doc: Document) -> list[PartOf]:
    """Rows under (or above) a `合计` row of a table add up to it, column by column.

    Only the top level of a coded hierarchy (类 201, not 款 20139) counts, `其中` rows never;
    a table continued on the next page is read as one.
    """
    out: list[PartOf] = []
    by_cell: dict[tuple[int, int, int], Quantity] = {}
    for q in quantities:
        if q.table is not None and q.kind == "amount" and q.row is not None:
            by_cell[(q.table, q.row, q.col)] = q
    if not by_cell:
        return out
    for chain in _table_chains(doc):
        columns: dict[int, dict[int, tuple[Quantity, str]]] = {}
        offset = 0
        for t in chain:
            for r in range(t.n_rows):
                for c in range(t.n_cols):
                    q = by_cell.get((t.index, r, c))
                    if q is not None:
                        columns.setdefault(c, {})[offset + r] = (q, _row_text(t, r, c))
            offset += t.n_rows
        for col in sorted(columns):
            out += _column_totals(columns[col])
    return out


def _column_totals(column: dict[int, tuple[Quantity, str]]) -> list[PartOf]:
    """The total rows of one column with their parts, in one pass over the rows (a hostile
    table of thousands of 小计 rows stays linear)."""
    out: list[PartOf] = []
    labels = {r: lab for r, (_, lab) in column.items()}
    rows = sorted(column)
    pos = {r: i for i, r in enumerate(rows)}
    totals = [r for r in rows if _TOTAL_ROW.match(labels[r])]
    subtotals: list[int] = []  # 小计 rows since the last other total
    for k, tr in enumerate(totals):
        prev = totals[k - 1] if k else -1
        nxt = totals[k + 1] if k + 1 < len(totals) else None
        i = pos[tr]
        below = rows[i + 1:pos[nxt] if nxt is not None else len(rows)]
        above = rows[pos[prev] + 1:i] if prev >= 0 else rows[:i]
        if "小计" not in labels[tr] and subtotals:
            members = subtotals  # 合计 = Σ 小计
        elif above:
            # 收入总计 = 本年收入合计 + the rows after it (结余, 结转)
            members = ([prev] if prev >= 0 and "总计" in labels[tr] and "合计" in labels[prev] else []) + above
        else:
            members = below
        if "小计" in labels[tr]:
            subtotals.append(tr)
        else:
            subtotals = []
        members = [r for r in members if not labels[r].startswith("其中")]
        codes = {r: _CODE_START.match(labels[r]) for r in members}
        if any(codes.values()):
            shortest = min(len(m.group(0)) for m in codes.values() if m)
            members = [r for r in members if codes[r] and len(codes[r].group(0)) == shortest]
        if len(members) >= 2:
            out.append(PartOf(column[tr][0], [column[r][0] for r in members], "yes", labels[tr], 0.8))
    return out


_NUMBER_CELL = regex.compile(r"-?[\d,]+(?:\.\d+)?%?")
# a 功能分类/经济分类 code (类 3, 款 5, 项 7 digits) stands in the first column; elsewhere
# an integer such as 7090 is an amount
_CODE_CELL = regex.compile(r"\d{3}(?:\d{2}){0,2}")


def _row_text(t: Table, r: int, c: int | None = None) -> str:
    """The label of row r for the figure in column c: the text cells just left of it
    (code and name), so side-by-side panels (`人员经费合计 … 公用经费合计`) keep apart."""
    c = t.n_cols if c is None else c
    texts: list[str] = []
    for k in range(c - 1, -1, -1):
        s = _SPACES.sub("", t.cell(r, k))
        if s and _NUMBER_CELL.fullmatch(s) and not (k == 0 and _CODE_CELL.fullmatch(s)):
            if texts:
                break
            continue
        if s:
            texts.append(s)
        elif texts:
            break
    texts.reverse()
    return "".join(texts) if c < t.n_cols else "".join(texts[:2])


# ------------------------------------------------------------------ public


def finest_exponent(quantities: list[Quantity]) -> int | None:
    """The finest written precision (exponent in 元) among the amounts written with decimals."""
    finer = [s.value_yuan.as_tuple().exponent for s in quantities
             if s.kind == "amount" and s.value_yuan is not None and s.value.as_tuple().exponent < 0]
    return min(finer) if finer else None


def amount_interval(q: Quantity, siblings: list[Quantity] = (), finest: int | None = None) -> Interval:
    """The interval (in 元 for amounts, in the written unit otherwise) a quantity stands for.

    An amount written as an integer (`8万元`) among figures given to the cent is read as
    exact to the cent: budget texts write round sums without decimals, and reading `8` as
    [7.5, 8.5] 万元 would hide real errors in the other figures. Pass `finest` (from
    `finest_exponent`) when reading many figures of one relation: it is computed once.
    """
    value = q.value_yuan if q.kind == "amount" and q.value_yuan is not None else q.value
    exp = value.as_tuple().exponent
    if q.kind == "amount" and q.value == q.value.to_integral_value() and q.value.as_tuple().exponent >= 0:
        f = finest if finest is not None else finest_exponent(list(siblings))
        if f is not None:
            exp = min(exp, f)
    return Interval.written(value, exp)


def find_relations(doc: Document, quantities: list[Quantity]) -> Relations:
    p = _Prose(doc.text or "", quantities)
    rel = Relations()
    rel.part_of = _part_of_cued(p)
    taken = {id(r.whole) for r in rel.part_of}
    rel.part_of += _part_of_totals(p, taken)
    rel.part_of += _table_totals(quantities, doc)
    rel.changes = _changes(p)
    rel.remaining = _remaining(p)
    rel.ratios = _ratios(p, rel.part_of)
    rel.same = _same_figures(quantities)
    return rel


_cache: list[Any] = [None, None]


def relations_of(report: Report) -> Relations:
    """The relations of a report, computed once and shared by the check families."""
    if _cache[0] is not report:
        _cache[0], _cache[1] = report, find_relations(report.document, report.quantities)
    return _cache[1]


def describe(text: str) -> list[dict]:
    """Pattern-book runner: the relations found in a text, by the texts of their figures."""
    from .quantities import find_quantities

    doc = Document(path="<example>", reader="text", text=text)
    rel = find_relations(doc, find_quantities(doc))
    out: list[dict] = []
    for r in rel.part_of:
        out.append({"kind": "part-of", "whole": r.whole.text, "parts": [q.text for q in r.parts], "exhaustive": r.exhaustive})
    for c in rel.changes:
        out.append({"kind": "change", "current": c.current.text, "delta": c.delta.text if c.delta else None,
                    "rate": c.rate.text if c.rate else None, "sign": c.sign, "ref_year": c.ref_year})
    for r in rel.remaining:
        out.append({"kind": "remaining", "budget": r.budget.text, "spent": r.spent.text, "remaining": r.remaining.text})
    for r in rel.ratios:
        out.append({"kind": "rate", "rate": r.rate.text, "numerator": r.numerator.text, "denominator": r.denominator.text})
    return out
