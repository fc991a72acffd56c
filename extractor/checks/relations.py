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

from .. import patternbook
from . import per_report
from .interval import Interval, can_equal, total
from ..model import Document, Quantity, Report
from ..tables.ledger import Ledger, parts_of, read_ledgers
from ..text.normalize import normalize, spaced_words, unspaced

_SENTENCE_END = "。；;！？!?\n"
_CLAUSE_BOUND = "，,。；;：:\n、（）()"
_SENTENCE_END_RX = regex.compile("[" + regex.escape(_SENTENCE_END) + "]")
_LAST_CLAUSE_BOUND = regex.compile("(?r)[" + regex.escape(_CLAUSE_BOUND) + "]")  # searched backwards
_LIST_ITEM = regex.compile(r"\s*(?:\d{1,2}[.、．]|[（(]\d{1,2}[）)])")
_HEADING = regex.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)])")
# a list in prose longer than this is no list a report writes (and trying every start of it
# costs n²): it is not read as parts of a total
MAX_LISTED_PARTS = 200
_LIST_COLON = regex.compile(r"[：:]\s*\n")
_YEAR = regex.compile(r"(\d{4})年")
_SUBJECT = regex.compile(r"\p{Han}{2,}")
# `三、` after running text, not at a line start (where the line itself is the heading)
# (after `；` or `：` it is the next item of a list: `包括：一、办公费5万元；二、…`)
_INLINE_HEADING = regex.compile(r"(?<=[^\n一二三四五六七八九十、；;：:，,])(?:[一二三四五六七八九十]{1,3})、(?=\p{Han})")
_LIST_END = regex.compile(r"[。！？!?\n]")
_PREV_YEAR = regex.compile(r"上年|上一年|去年|上年度")
# a sentence opening with only the year compared with (`与上年相比增加…`): it goes on with the
# figure of the sentence before, it names no subject of its own
_ONLY_REFERENCE = regex.compile(r"\s*[与同和跟较]?(?:上年度?|上一年度?|去年|\d{4}年度?)(?:同期)?相?$")


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
    ledgers: list[Ledger] = field(default_factory=list)


# ------------------------------------------------------------------ cue book


class _Cues:
    def __init__(self) -> None:
        by = {e["name"]: e for e in patternbook.entries("relations")}
        self.part_of = {c["form"]: c["exhaustive"] for c in by["part_of"]["cues"]}
        self.part_rx = _alt(self.part_of)
        self.total_rx = _alt([c["form"] for c in by["total"]["cues"]])
        # words a cue's characters also write (`共` in 公共项目): there the cue is no cue
        self.total_not_in = {c["form"]: tuple(c.get("not_in", ())) for c in by["total"]["cues"]}
        ch = by["change"]
        self.verbs = {v["form"]: v["sign"] for v in ch["verbs"]}
        self.change_rx = regex.compile(
            rf"(?P<cmp>{spaced_words(ch['comparators'])})(?P<ref>[^，。；,;\n]{{0,16}}?)(?P<verb>{spaced_words(self.verbs)})了?"
        )
        self.verb_rx = _alt(self.verbs)
        self.difference_rx = _alt(ch["differences"])
        self.remaining_rx = _alt([c["form"] for c in by["remaining"]["cues"]])
        self.remaining_items = by["remaining"]["items"]
        roles = by["roles"]
        self.spent, self.spent_weak, self.budget = roles["spent"], roles["spent_weak"], roles["budget"]
        self.share_rx = regex.compile(roles["share"])
        self.income, self.expense, self.part_stop = roles["income"], roles["expense"], roles["part_stop"]
        self.rates = {c["form"]: c for c in by["rate"]["cues"]}


def _alt(forms) -> regex.Pattern:
    """The cue words as one pattern, blanks allowed between their characters (prose a PDF
    spaced out); `unspaced` names the cue a match is."""
    return regex.compile(spaced_words(forms))


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
        # sentences end at 。；！？ and line ends, and where a section heading stands inline
        # (`…本级59.75万元,项目绩效目标…三、预算支出组织实施情况…`: a page flattened to one line)
        self.stops = [m.start() for m in _SENTENCE_END_RX.finditer(text)]
        bounds = set(self.stops)
        bounds |= {m.start() - 1 for m in _INLINE_HEADING.finditer(text) if m.start() > 0}
        # the last search of each list-end pattern: (searched from, match start)
        self._next_match: dict[Any, tuple[int, int]] = {}
        self.sentence_bounds = sorted(bounds)
        # the lead-ins are read on the normalised text: a traditional or pinyin-annotated
        # report (`預(yù)算數(shù)`) reads as its simplified form, and annotations are no clause bounds
        nt = normalize(text)
        norm = nt.text
        self.lead: dict[int, str] = {}
        prev_end = 0
        for q in self.all:
            start = nt.index(q.start)
            bound = _LAST_CLAUSE_BOUND.search(norm, prev_end, start) if start > prev_end else None
            lo = bound.end() if bound else prev_end
            self.lead[id(q)] = norm[lo:start]
            prev_end = nt.index(q.end)

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
        """End of a list of parts: items may be separated by `；`, the list ends at `。`, a line
        end or an inline section heading."""
        return min(self._next(_LIST_END, pos), self._next(_INLINE_HEADING, pos))

    def last_stop_before(self, pos: int) -> int:
        """Index of the last sentence-ending character before pos (−1 if none)."""
        i = bisect.bisect_left(self.stops, pos)
        return self.stops[i - 1] if i > 0 else -1

    def _next(self, pattern: Any, pos: int) -> int:
        """Start of the first match of `pattern` at or after pos (the text's length if none).
        A search from an earlier position whose match starts at or after pos found it
        already: queries come in text order, so the text is searched once, not once per
        query (a long report without headings would be scanned to its end each time)."""
        searched, found = self._next_match.get(pattern, (len(self.text) + 1, 0))
        if not searched <= pos <= found:
            m = pattern.search(self.text, pos)
            searched, found = pos, m.start() if m else len(self.text)
            self._next_match[pattern] = (searched, found)
        return found

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
    """A change (`增加1.14万元`) or a difference (`决算数大于预算数55.93万元`)."""
    lead = p.lead_of(q)
    c = cues()
    return bool(lead) and bool(c.verb_rx.search(lead[-4:]) or c.difference_rx.search(lead))


# ------------------------------------------------------------------ finders


def _part_of_cued(p: _Prose) -> list[PartOf]:
    c = cues()
    out: list[PartOf] = []
    for m in c.part_rx.finditer(p.text):
        cue, cs, ce = unspaced(m.group(0)), m.start(), m.end()
        exhaustive = c.part_of[cue]
        list_form = bool(_LIST_COLON.match(p.text[ce:ce + 3]))
        whole = _whole_before(p, cs, list_form)
        if whole is None:
            continue
        if list_form:
            parts = _list_items(p, ce, whole)
        else:
            if "（" in p.text[whole.end:cs] or "(" in p.text[whole.end:cs]:
                end = _closing_paren(p.text, ce, p.list_end(ce))
            else:
                end = p.list_end(ce)
            parts = []
            for k in range(p.after(ce), len(p.all)):  # (no copy of the rest of the list per cue)
                q = p.all[k]
                if q.start >= end:
                    break
                if q.kind == "count" or (q.kind == "rate" and c.share_rx.match(p.lead_of(q))):
                    continue
                if _paren_depth(p.text, ce, q.start) > 0:
                    continue  # `公务用车购置及运行费5万元（其中，购置费0万元…）`: a breakdown of the item before
                if q.kind != "amount" or _has(p.lead_of(q), c.part_stop) or _is_delta(p, q):
                    break
                if parts and c.part_rx.search(p.text[q.end:q.end + 4]):
                    break  # `…385万元，包括…`: the whole of a list of its own, and a new item
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


_PARENS = regex.compile(r"[（()）]")


def _paren_depth(text: str, start: int, end: int) -> int:
    """How many parentheses opened in text[start:end] are still open at end (only the
    parentheses are visited: nothing else moves the depth)."""
    depth = 0
    for m in _PARENS.finditer(text, start, end):
        if m.group() in "（(":
            depth += 1
        elif depth:
            depth -= 1
    return depth


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


def _list_items(p: _Prose, pos: int, whole: Quantity) -> list[Quantity]:
    """One amount of each numbered item following pos, at the outline level of the first
    item (lines of a deeper level, `（1）` under `1．`, and wrapped lines belong to the item
    above); a heading or a blank line ends the list. Of an item's amounts the one named like
    the whole is taken (`支出决算` among `年初预算…，支出决算…`), else the first."""
    starts: list[int] = []
    line_start = p.text.find("\n", pos) + 1
    marker_kind: str | None = None
    end = len(p.text)
    while 0 < line_start < len(p.text):
        line_end = p.text.find("\n", line_start)
        line_end = line_end if line_end >= 0 else len(p.text)
        line = p.text[line_start:line_end]
        m = _LIST_ITEM.match(line)
        kind = None if m is None else ("paren" if "(" in m.group(0) or "（" in m.group(0) else "dot")
        if m is None and (marker_kind is None or _HEADING.match(line) or not line.strip()):
            end = line_start
            break
        marker_kind = marker_kind or kind
        if kind == marker_kind:
            starts.append(line_start)
        line_start = line_end + 1
    items: list[Quantity] = []
    for k, st in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else end
        amounts = [q for q in p.all[p.after(st):p.after(stop)] if q.kind == "amount"]
        if not amounts or amounts[0].start >= p.line_at(st)[1]:
            break  # an item without a figure on its first line: the list is not one of amounts
        named = [q for q in amounts if whole.label and q.label == whole.label]
        items.append(named[0] if named else amounts[0])
    return items


def _part_of_totals(p: _Prose, taken: set[int]) -> list[PartOf]:
    """`…1584元，…2550元，总计追加费用4134元`: a total after the parts it sums."""
    c = cues()
    out: list[PartOf] = []
    for m in c.total_rx.finditer(p.text):
        cue = unspaced(m.group(0))
        if any(p.text.startswith(w, m.start() - w.index(cue)) for w in c.total_not_in[cue] if m.start() >= w.index(cue)):
            continue
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
        out.append(PartOf(t, parts, "yes", cue, 0.85, flexible_start=flexible))
    return out


def _signature(text: str) -> tuple[str | None, str | None]:
    c = cues()
    text = unspaced(text)  # a label read from spaced-out prose keeps its spaces
    stage = "budget" if "预算" in text else ("final" if ("决算" in text or "实际" in text) else None)
    inc, exp = _has(text, c.income), _has(text, c.expense)
    direction = "income" if inc and not exp else ("expense" if exp and not inc else None)
    return stage, direction


_RATE_AFTER_DELTA = regex.compile(r"^[，,]?(?:增长|下降|增幅|降幅|上升|减少|增加|增|减)(?:了|为)?$")


def _changes(p: _Prose) -> list[Change]:
    c = cues()
    out: list[Change] = []
    # (year, stage, direction) -> the amounts that are not changes themselves, in text
    # order: the earlier figure of a change is looked up, not searched for (linear prose)
    earlier_by_key: dict[tuple, list[Quantity]] | None = None
    for m in c.change_rx.finditer(p.text):
        j = p.after(m.end())
        if j >= len(p.all) or p.all[j].start - m.end() > 2 or p.all[j].kind not in ("amount", "rate"):
            continue
        first = p.all[j]
        delta = first if first.kind == "amount" else None
        rate = first if first.kind == "rate" else None
        if rate is None and j + 1 < len(p.all):
            nxt = p.all[j + 1]
            between = unspaced(p.text[first.end:nxt.start])
            if nxt.kind == "rate" and nxt.unit == "%" and len(between) <= 6 and _RATE_AFTER_DELTA.search(between):
                rate = nxt
        # the figure that changed: the nearest amount before the comparison, in this or the
        # previous sentence, that is not itself a change
        current = None
        lo = p.previous_sentence_start(m.start())
        for k in range(p.before(m.start()), -1, -1):
            q = p.all[k]
            if q.start < lo or m.start() - q.end > 150:
                break
            if q.kind == "amount" and not _is_delta(p, q):
                current = q
                break
        if current is None:
            continue
        own = p.last_stop_before(m.start()) + 1
        opening = unspaced(p.text[own:m.start()])
        if current.start < own and _SUBJECT.search(opening) and not _ONLY_REFERENCE.match(opening):
            # `2026年预算比2025年预算增加50.32万元`: the sentence names what changed but states
            # no figure for it; the nearest figure before belongs to another subject
            continue
        ref = m.group("ref")
        ym = _YEAR.search(ref)
        ref_year = int(ym.group(1)) if ym else None
        if ref_year is None and _PREV_YEAR.search(ref) and current.year is not None:
            ref_year = current.year - 1
        ch = Change(current, delta, rate, c.verbs[unspaced(m.group("verb"))], m.group(0), ref_year)
        if ref_year is not None:
            stage, direction = _signature((current.label or "") + p.lead_of(current))
            ref_stage, _ = _signature(ref)
            stage = ref_stage or stage
            cands = []
            if direction is not None:
                if earlier_by_key is None:
                    earlier_by_key = {}
                    for q in p.all:
                        if q.kind == "amount" and not _is_delta(p, q):
                            key = (q.year,) + _signature((q.label or "") + p.lead_of(q))
                            earlier_by_key.setdefault(key, []).append(q)
                cands = [q for q in earlier_by_key.get((ref_year, stage, direction), []) if q is not current]
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


def _remaining(p: _Prose, part_of: list[PartOf]) -> list[Remaining]:
    c = cues()
    out: list[Remaining] = []
    parts = {id(q) for r in part_of for q in r.parts}  # `13,237万元（包括…4,020万元）`: not the budget
    for r in p.all:
        lead = p.lead_of(r)
        m = c.remaining_rx.search(lead) if r.kind == "amount" else None
        if not m or "结转" in lead or any(w in lead for w in c.remaining_items):
            continue
        floor = _window_floor(p, r.start)
        if "收支" in lead:
            spent = _nearest_before(p, r.start, floor, lambda q: _has(p.lead_of(q), c.expense) and q.year == r.year)
            budget = _nearest_before(p, r.start, floor, lambda q: _has(p.lead_of(q), c.income) and q.year == r.year)
        else:
            spent = _nearest_before(p, r.start, floor, lambda q: is_spent(p.lead_of(q)))
            budget = None
            if spent is not None:
                budget = _nearest_before(p, spent.start, floor,
                                         lambda q: is_budget(p.lead_of(q)) and id(q) not in parts)
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

        # a budget followed by its breakdown (`预算数1018.55万元，其中…上年结转资金120.55万元`):
        # the rate is of the whole, never of one of its parts
        den = _nearest_before(p, r.start, floor,
                              lambda q: plain(q) and is_budget(p.lead_of(q)) and id(q) not in whole_of)
        num = _nearest_before(p, r.start, floor, lambda q: q is not den and plain(q) and is_spent(p.lead_of(q)))
        if num is not None and den is not None:
            out.append(Ratio(r, num, den, cue))
    return out


_NOT_DIGIT = regex.compile(r"[^0-9]")  # (`format(d, "f")` writes ASCII only)


def _significant_digits(q: Quantity) -> str:
    return _NOT_DIGIT.sub("", format(q.value, "f")).strip("0")


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
            if a.unit == b.unit:
                continue  # `1620960.00元` and `-1620.96元`: the same digits by chance, no unit to fix
            big, small = max(abs(a.value_yuan), abs(b.value_yuan)), min(abs(a.value_yuan), abs(b.value_yuan))
            if big / small in _UNIT_RATIOS:
                out.append(SameFigure(a, b))
    return out


_UNIT_RATIOS = {Decimal(10**3), Decimal(10**4), Decimal(10**8)}


def _unread_cell(doc: Document, group: Any, block: Any, k: int) -> bool:
    """A row of the block whose cell in amount column k holds digits that did not become a
    figure (`出 2,022.39`: text shifted across a ruling)."""
    col = group.amount_cols[k]
    for row in [block.total, *block.members]:
        if k in row.values or row.table >= len(doc.tables):
            continue
        if any(ch.isdigit() for ch in doc.tables[row.table].cell(row.row, col)):
            return True
    return False


def _table_totals(doc: Document, ledgers: list[Ledger]) -> list[PartOf]:
    """Every total of a line table with the rows one level below it, column by column
    (`tables/ledger.py` found the levels); parents with their direct children likewise."""
    out: list[PartOf] = []
    for ledger in ledgers:
        for group in ledger.groups:
            for block in group.blocks:
                unread = {k for k in range(len(group.amount_cols)) if _unread_cell(doc, group, block, k)}
                for parent, kids in parts_of(block):
                    for col in range(len(group.amount_cols)):
                        if col in unread:
                            continue  # a figure of the block could not be read: no claim on its sums
                        whole = parent.values.get(col)
                        parts = [k.values[col] for k in kids if col in k.values]
                        if whole is not None and parts:
                            out.append(PartOf(whole, parts, "yes", parent.name, 0.8))
    return out


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
    rel.ledgers = read_ledgers(doc, quantities, set(doc.meta.get("selfeval_tables", [])))
    rel.part_of += _table_totals(doc, rel.ledgers)
    rel.changes = _changes(p)
    rel.remaining = _remaining(p, rel.part_of)
    rel.ratios = _ratios(p, rel.part_of)
    rel.same = _same_figures(quantities)
    return rel




@per_report
def relations_of(report: Report) -> Relations:
    """The relations of a report, computed once and shared by the check families."""
    return find_relations(report.document, report.quantities)


def describe(text: str) -> list[dict]:
    """Pattern-book runner: the relations found in a text, by the texts of their figures."""
    from ..text.quantities import find_quantities

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
