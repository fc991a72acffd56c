"""Recognise self-evaluation tables that web pages, OCR and PDF text dumps flattened into text.

Three flattenings are seen (real/08, real/29, real/02 and real/23):
- one cell per line, each line ending with ` |` (empty cells kept as a bare `|`);
- a row per line with cells split by `|` (a row may wrap onto the next line);
- cells run together on one line, separated by spaces (empty cells vanish; a PDF dump may
  even print a column of values before the column of their row labels).

The text becomes a stream of cell tokens with their exact offsets. A table is built only
where a run of header synonyms (patterns/table_headers.json) opens a money block or an
indicator block; the rows after it are rebuilt with the header's arity and the cell kinds
(numbers, percents, placeholders, indicator vocabulary). The result is a canonical grid —
label rows, the money block, the indicator block, the total row — whose cells carry
`Table.spans` into `Document.text`, so everything read from them keeps its text offsets.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..model import Block, Document, Table
from ..text.normalize import normalize
from .glued import cut_figures, cut_labels, glued_figures, is_glued, name_figure_lists
from .placement import place_by_arithmetic
from .scattered import pair_levels, value_groups
from .selfeval import FUND_COLUMN_ROLES, INDICATOR_ROLES, cell_number, clean_label, role_of, vocabulary

_PLACEHOLDERS = {"—", "-", "/", "——", "－", "–", "\\", "无", "0"}
_LABEL_ROLES = ("project_name", "dept_name", "supervising_dept", "implementing_unit", "self_score")
_TITLE_CUES = ("自评表", "评价表", "评分表")
_ROW_NUMBER = re.compile(r"\d{1,3}")
_BAR = re.compile(r"\|")
_NON_SPACE = re.compile(r"\S+")
_YEAR_NOTE = re.compile(r"[(（]\s*\d{4}\s*年度?\s*[)）]")
_RATE_ROLES = ("rate", "arrival_rate")
# an indicator block printed apart (values and names in two runs): its name cells, and what ends it
_NAME_ROLES = ("l1_name", "l2_name", "indicator_block")
_BLOCK_ENDS = ("self_score", "fund:total", "project_name", "dept_name", "l1", "l2", "l3")
# a money block printed without its column header: the standard forms' columns for the number
# of figures its rows hold (项目支出绩效自评表; a 绩效目标申报表 states the year's funds only)
_STANDARD_COLUMNS = {6: ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
                     3: ("年初预算数", "全年预算数", "全年执行数"), 1: ("年初预算数",)}
# columns a row leaves empty first when its cells vanished (a form's optional money columns)
_OPTIONAL_COLUMNS = ("pooled", "net_budget", "arrived", "initial_budget")


_UNREAD = object()  # a token's role not yet asked for


@dataclass
class Tok:
    text: str
    start: int
    end: int
    style: str  # "cell" (one per line), "pipe" (split by |), "space" (run together)
    line: int = 0
    _role: object = field(default=_UNREAD, repr=False, compare=False)

    @property
    def role(self) -> str | None:
        """`role_of(text)`, read once (a plain attribute: `functools.cached_property` takes a
        lock on every first read, a tenth of tokenizing a form)."""
        if self._role is _UNREAD:
            self._role = role_of(self.text)
        return self._role  # type: ignore[return-value]


# ---------------------------------------------------------------- tokens


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _merge_brackets(toks: list[Tok], text: str) -> list[Tok]:
    """`项目资金 (万元)` and `(2022 年度)` split by spaces: a bracket group joins the token before it."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.style == "space" and t.text[0] in "(（" and out and out[-1].style == "space":
            j = i
            while j < len(toks) - 1 and not re.search(r"[)）]", toks[j].text) and j - i < 3:
                j += 1
            prev = out.pop()
            out.append(Tok(text[prev.start:toks[j].end], prev.start, toks[j].end, "space", prev.line))
            i = j + 1
            continue
        out.append(t)
        i += 1
    return out


def _join_split_words(toks: list[Tok], text: str) -> list[Tok]:
    """A form word broken over two lines (`经济效益` / `指标`): two word-less tokens whose
    concatenation is a form word become one."""
    out: list[Tok] = []
    for t in toks:
        prev = out[-1] if out else None
        if (prev is not None and prev.style == t.style == "space" and prev.line != t.line and prev.role is None
                and t.role is None and role_of(prev.text + t.text) is not None):
            out[-1] = Tok(text[prev.start:t.end], prev.start, t.end, "space", prev.line)
            continue
        out.append(t)
    return out


_SPACED_PARTS = 6  # a form word letter-spaced or broken by a dump into at most this many pieces


@functools.lru_cache(maxsize=1)
def _word_prefixes() -> frozenset[str]:
    """Every beginning of a form word (as `clean_label` reduces it)."""
    return frozenset(w[:n] for w in vocabulary() for n in range(1, len(w) + 1))


@functools.lru_cache(maxsize=1)
def _first_characters() -> frozenset[str]:
    return frozenset(w[0] for w in vocabulary())


def _join_spaced_words(toks: list[Tok], text: str) -> list[Tok]:
    """A form word a dump printed in pieces on one line (`绩 效 指 标`, `年度 指标值`, `偏差原因分析及
    改进措施`): the longest run of pieces, all but the last without a meaning of their own, whose
    concatenation is a form word (with the last piece's meaning, if it has one) becomes one token."""
    out: list[Tok] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        joined = None
        if (t.style == "space" and t.text[:1] in _first_characters() and t.role is None
                and clean_label(t.text) in _word_prefixes() and not _value_like(t)):
            # how far the pieces can still make a form word (a cheap test before the exact one)
            n, key = 1, clean_label(t.text)
            while n < _SPACED_PARTS and i + n < len(toks) and toks[i + n].style == "space" \
                    and toks[i + n].line == t.line and key + clean_label(toks[i + n].text) in _word_prefixes():
                key += clean_label(toks[i + n].text)
                n += 1
            for k in range(n, 1, -1):
                parts = toks[i:i + k]
                if any(x.role is not None or _value_like(x) for x in parts[:-1]):
                    continue
                role = role_of("".join(x.text for x in parts))
                if role is not None and parts[-1].role in (None, role):
                    joined = Tok(text[t.start:parts[-1].end], t.start, parts[-1].end, "space", t.line)
                    i += k
                    break
        if joined is None:
            joined = t
            i += 1
        out.append(joined)
    return out


def _unglue(toks: list[Tok]) -> list[Tok]:
    """A cell holding a whole glued table (`…全年预算数(A)全年执行数(B)年度资金总额:390390100%`)
    becomes one token per form word, figure run and other text (tables/glued.py)."""
    out: list[Tok] = []
    for t in toks:
        if t.style == "cell" or not is_glued(t.text):
            out.append(t)
            continue
        out += [Tok(t.text[a:b], t.start + a, t.start + b, "space", t.line) for a, b in cut_labels(t.text)]
    return out


def tokenize(text: str) -> list[Tok]:
    """Cell tokens of the whole text, each with its exact span."""
    toks: list[Tok] = []
    pos = 0
    for n, line in enumerate(text.splitlines(keepends=True)):
        body = line.rstrip("\r\n")
        bars = [m.start() for m in _BAR.finditer(body)]
        if len(bars) == 1 and not body[bars[0] + 1:].strip():
            s, e = _strip_span(text, pos, pos + bars[0])
            toks.append(Tok(text[s:e], s, e, "cell", n))
        elif bars:
            # empty cells between filled ones are kept (they hold a column); padding at the ends is not
            edges = [-1] + bars + [len(body)]
            cells = [_strip_span(text, pos + a + 1, pos + b) for a, b in zip(edges, edges[1:])]
            filled = [k for k, (s, e) in enumerate(cells) if e > s]
            if filled:
                for s, e in cells[filled[0]:filled[-1] + 1]:
                    toks.append(Tok(text[s:e], s, e, "pipe", n))
        else:
            toks += [Tok(m.group(0), pos + m.start(), pos + m.end(), "space", n) for m in _NON_SPACE.finditer(body)]
        pos += len(line)
    return _unglue(_join_spaced_words(_join_split_words(_merge_brackets(toks, text), text), text))


# ---------------------------------------------------------------- cell kinds


def _value_like(t: Tok) -> bool:
    s = normalize(t.text).text.strip()
    return s == "" or s in _PLACEHOLDERS or cell_number(s) is not None


def _is_fund_label(t: Tok) -> bool:
    r = t.role
    return r is not None and r.startswith("fund:")


def _is_title(t: Tok) -> bool:
    n = normalize(t.text).text
    return any(c in n for c in _TITLE_CUES) and len(n) <= 60


# ---------------------------------------------------------------- grid assembly


class _Grid:
    """Rows of (token or None) that become Table.cells and Table.spans."""

    def __init__(self) -> None:
        self.rows: list[list[Tok | None]] = []

    def add(self, cells: list[Tok | None]) -> int:
        self.rows.append(cells)
        return len(self.rows) - 1

    def table(self, index: int, doc: Document, context: str) -> Table:
        width = max(len(r) for r in self.rows)
        cells = [[(c.text if c else "") for c in r] + [""] * (width - len(r)) for r in self.rows]
        spans = {(i, j): (c.start, c.end) for i, r in enumerate(self.rows) for j, c in enumerate(r) if c and c.end > c.start}
        first = min(s for s, _e in spans.values()) if spans else 0
        return Table(index=index, cells=cells, page=doc.page_at(first), context=context, spans=spans)


def _header_run(toks: list[Tok], i: int, roles: tuple[str, ...], least: int, skip_roles: tuple[str, ...] = ()) -> list[int]:
    """Indices of a run of header tokens starting at i (other words in between are not allowed)."""
    run: list[int] = []
    j = i
    while j < len(toks):
        r = toks[j].role
        if r in roles and (not run or toks[j].role not in {toks[k].role for k in run} or r in ("weight", "score")):
            run.append(j)
            j += 1
            continue
        if r in skip_roles and run:
            j += 1
            continue
        if run and i > 0 and _is_fund_label(toks[i - 1]) and _interleaved_value(toks, j, roles):
            j += 1  # `年度资金总额 全年预算数(A) 300 全年执行数(B)`: the row's figure read after its column name
            continue
        break
    return run if len(run) >= least else []


def _interleaved_value(toks: list[Tok], j: int, roles: tuple[str, ...]) -> bool:
    """A lone figure between two column names of a header whose row label stands before it."""
    return (cell_number(toks[j].text) is not None and j + 1 < len(toks) and toks[j + 1].role in roles
            and toks[j - 1].role in roles)


def _split_figures(tok: Tok, header: list[str], exact: bool = False) -> list[Tok]:
    """A row's value token holding the row's figures glued (`390390100%`), cut by the header's
    columns where the form decides the cut; else the token as it is."""
    text = tok.text.strip()
    if not glued_figures(text):
        return [tok]
    cut = cut_figures(text, header, exact)
    if cut is None:
        return [tok]
    lead = tok.text.index(text)
    by_role = {role: Tok(text[a:b], tok.start + lead + a, tok.start + lead + b, tok.style, tok.line)
               for role, a, b in cut}
    last = max(header.index(r) for r in by_role)
    empty = Tok("", tok.end, tok.end, tok.style, tok.line)  # a column the cut skipped (原因)
    return [by_role.get(h, empty) for h in header[:last + 1]]


def _is_percent(t: Tok) -> bool:
    return t.text.strip().endswith("%")


def _assign_by_rates(values: list[Tok], header: list[str]) -> dict[str, Tok] | None:
    """Values to columns segment by segment between the rate columns, when the row's percents
    match the header's rate columns one for one; inside a segment that lost cells, optional
    columns (统筹整合资金…) are the ones left empty first, then the last ones."""
    rate_cols = [k for k, h in enumerate(header) if h in _RATE_ROLES]
    pct = [k for k, v in enumerate(values) if _is_percent(v)]
    if not rate_cols or len(pct) != len(rate_cols):
        return None
    out: dict[str, Tok] = {}
    h_edges = [-1] + rate_cols + [len(header)]
    v_edges = [-1] + pct + [len(values)]
    for n in range(len(h_edges) - 1):
        cols = [h for h in header[h_edges[n] + 1:h_edges[n + 1]] if h != "exec_reason"]
        vals = values[v_edges[n] + 1:v_edges[n + 1]]
        if len(vals) > len(cols):
            return None
        while len(cols) > len(vals):
            drop = next((c for c in _OPTIONAL_COLUMNS if c in cols), cols[-1])
            cols.remove(drop)
        out.update(zip(cols, vals))
        if n < len(rate_cols):
            out[header[rate_cols[n]]] = values[pct[n]]
    return out


def _assign(values: list[Tok], header: list[str], positional: bool) -> dict[str, Tok]:
    """Values of one money row to header columns: by position, or by kind when cells vanished."""
    if positional or len(values) >= len(header):
        return {header[k]: v for k, v in enumerate(values[: len(header)])}
    by_rates = _assign_by_rates(values, header)
    if by_rates is not None:
        return by_rates
    out: dict[str, Tok] = {}
    rest = [h for h in header if h not in ("rate", "exec_reason")]
    percents = [v for v in values if v.text.strip().endswith("%")]
    others = [v for v in values if v not in percents]
    if percents and "rate" in header:
        out["rate"] = percents[0]
    for h, v in zip(rest, others):
        out[h] = v
    return out


class _FormParser:
    """Builds the grid of one form from the token stream, starting at a header run."""

    def __init__(self, toks: list[Tok], source: str = "") -> None:
        self.toks = toks
        self.source = source
        self.grid = _Grid()
        self.used: set[int] = set()
        self.lo, self.hi = 0, len(toks)
        self.uncertain = False

    # -- label rows -------------------------------------------------------
    def labels(self, lo: int, hi: int) -> None:
        pending: list[int] = []
        for i in range(lo, hi):
            t = self.toks[i]
            if i in self.used:
                continue
            if _is_title(t) and not pending:
                # `(2023年度)` printed in the row under the title belongs to it
                nxt = self.toks[i + 1] if i + 1 < hi else None
                year = nxt if nxt is not None and _YEAR_NOTE.fullmatch(normalize(nxt.text).text.strip()) else None
                self.grid.add([t, year] if year else [t])
                self.used.update({i, i + 1} if year else {i})
                continue
            role = t.role
            if role in _LABEL_ROLES:
                nxt = self.toks[i + 1] if i + 1 < len(self.toks) else None
                if role == "self_score":
                    value = nxt if nxt is not None and cell_number(nxt.text) is not None else None
                    if value is not None:
                        self.used.add(i + 1)
                elif nxt is not None and nxt.role is None and nxt.text.strip() and not _value_like(nxt):
                    value = nxt
                    self.used.add(i + 1)
                elif pending:
                    value = self._joined(pending)
                else:
                    value = None
                if value is not None:
                    self.grid.add([t, value])
                self.used.add(i)
                pending = []
            elif role is None and t.text.strip() and not _value_like(t):
                pending.append(i)
            else:
                pending = []

    def _joined(self, idx: list[int]) -> Tok:
        """Free tokens before a label that had no value after it (a PDF dump printed the value first)."""
        a, b = self.toks[idx[0]], self.toks[idx[-1]]
        for i in idx:
            self.used.add(i)
        text = " ".join(self.toks[i].text for i in idx)
        return Tok(text, a.start, b.end, a.style, a.line)

    # -- money block ------------------------------------------------------
    def money(self, hdr: list[int], limit: int) -> int:
        """Rows after the money header; returns the index after the block."""
        header = [self.toks[i].role for i in hdr]
        lead = self.toks[hdr[0] - 1] if hdr[0] > 0 and self.toks[hdr[0] - 1].role == "fund_block" else None
        if lead is None:
            lead = next((t for t in self.toks[self.lo:self.hi] if t.role == "fund_block"), None)
        self.grid.add([lead] + [self.toks[i] for i in hdr])
        self.used.update(hdr)
        i = hdr[-1] + 1
        runs: list[list[Tok]] = []
        empty_rows: list[tuple[int, Tok]] = []
        rows: list[tuple[Tok, dict[str, Tok]]] = []
        misses = 0
        # a 行次 column before the money columns: each row's first value is its row number
        numbered = hdr[0] > 0 and self.toks[hdr[0] - 1].role == "row_number"
        before = self._label_before_header(hdr, header, limit)
        if before is not None:
            label, assigned, i = before
            rows.append((label, assigned))
        first = None if before is not None else self._figures_first(i, len(header), limit)
        if first is not None:
            pairs, end = first
            for vals, label in pairs:
                assigned = _assign(vals, header, any(v.style == "cell" for v in vals))
                self.grid.add([label] + [assigned.get(h) for h in header])
            return end
        while i < limit and misses <= 3:
            t = self.toks[i]
            if t.role == "column_number":  # `列次 0 1 2 …`: column numbers, not figures
                i = self._skip_numbering(i + 1, limit)
                continue
            if _is_fund_label(t):
                start = i + 1
                if numbered and start < limit and _ROW_NUMBER.fullmatch(self.toks[start].text.strip()):
                    start += 1
                vals, i = self._values(start, len(header), limit)
                if vals and len(header) > 1 and all(v.text.strip() in _PLACEHOLDERS for v in vals[1:]):
                    # a glued row: its figures in one run, then a placeholder per empty cell
                    cells = header[:len(header) - (len(vals) - 1)]
                    vals = _split_figures(vals[0], cells, exact=len(vals) > 1) + vals[1:]
                row = (t, _assign(vals, header, any(v.style == "cell" for v in vals)))
                rows.append(row)
                if not vals:
                    empty_rows.append((len(rows) - 1, t))
                misses = 0
                continue
            if _value_like(t) and t.text.strip() and not rows:
                vals, i = self._values(i, 10 ** 6, limit)
                runs.append(vals)
                continue
            if t.role in ("indicator_block", "l1", "l2", "l3"):
                break
            if t.role in _LABEL_ROLES and not runs:
                break
            misses += 1 if t.role is None else 0
            i += 1
        if not rows and not runs:
            stop = hdr[0]
            while stop - 1 >= self.lo and (self.toks[stop - 1] is lead or not self.toks[stop - 1].text.strip()):
                stop -= 1  # the block's heading cell and empty cells before the column names
            rows = self._rows_before(stop, header)
        self._place_displaced(runs, rows, header)
        for label, assigned in rows:
            self.grid.add([label] + [assigned.get(h) for h in header])
        return i

    def money_headerless(self, at: int, limit: int) -> int:
        """A money block printed without its column header: each fund row's figures are read in
        the standard form's column order for their count (`_STANDARD_COLUMNS`), kept only when
        the total row's 执行率 is its 执行数 ÷ 全年预算数; the header cells are written into the grid
        without a span (they are the form's, not the document's)."""
        lead = self.toks[at]
        rows: list[tuple[Tok, list[Tok]]] = []
        i = at + 1
        while i < limit:
            t = self.toks[i]
            if _is_fund_label(t):
                vals, i = self._values(i + 1, 6, limit)
                rows.append((t, [v for v in vals if v.text.strip()]))
                continue
            if t.role is None and normalize(t.text).text.strip(" :：") == "其中":
                i += 1
                continue
            break
        width = max((len(v) for _t, v in rows), default=0)
        columns = _STANDARD_COLUMNS.get(width)
        if not rows or columns is None:
            return at
        header = [role_of(w) for w in columns]
        assigned = [(t, {h: v for h, v in zip(header, vals)}) for t, vals in rows]
        total = next((a for t, a in assigned if t.role == "fund:total"), {})
        if "rate" in header and not _consistent(total):
            return at
        self.grid.add([lead] + [Tok(w, lead.end, lead.end, lead.style, lead.line) for w in columns])
        self.used.update(range(at, i))
        for t, a in assigned:
            self.grid.add([t] + [a.get(h) for h in header])
        return i

    def _label_before_header(self, hdr: list[int], header: list[str],
                             limit: int) -> tuple[Tok, dict[str, Tok], int] | None:
        """A fund row whose label OCR read before the column header (the label's merged cell
        stands left of the header row): its figures follow the header, glued or not
        (`年度资金总额 年初预算数 … 执行率(B/A) 64.864.864.8100%`), or each follows its column's
        name (`全年预算数(A) 300 全年执行数(B)`). Returns the label, its cells and the index after them."""
        k = hdr[0] - 1
        if k < self.lo or k in self.used or not _is_fund_label(self.toks[k]):
            return None
        label = self.toks[k]
        between = {header[n]: self.toks[a + 1] for n, (a, b) in enumerate(zip(hdr, hdr[1:])) if b == a + 2}
        end = hdr[-1] + 1
        if between:
            self.used.update({k} | {t_i for t_i in range(hdr[0], end) if t_i not in hdr})
            return label, between, end
        vals, j = self._values(end, len(header), limit)
        if len(vals) == 1:
            vals = _split_figures(vals[0], header)
        if not vals or all(cell_number(v.text) is None for v in vals):
            return None
        self.used.add(k)
        return label, _assign(vals, header, False), j

    def _rows_before(self, stop: int, header: list[str]) -> list[tuple[Tok, dict[str, Tok]]]:
        """Fund rows printed above their column header (a dump that wrote the header block after
        its values): label-and-figures rows running without a break up to the header."""
        k = stop - 1
        while k >= self.lo and k not in self.used and (_is_fund_label(self.toks[k]) or _value_like(self.toks[k])):
            k -= 1
        i = k + 1
        rows: list[tuple[Tok, dict[str, Tok]]] = []
        while i < stop and _is_fund_label(self.toks[i]):
            vals, j = self._values(i + 1, len(header), stop)
            if not vals:
                return []
            rows.append((self.toks[i], _assign(vals, header, any(v.style == "cell" for v in vals))))
            self.used.update(range(i, j))
            i = j
        return rows if rows and i == stop else []

    def _figures_first(self, i: int, k: int, limit: int) -> tuple[list[tuple[list[Tok], Tok]], int] | None:
        """Rows printed with their figures before their label (`251.89 | … | 年度资金总额`, a
        dump's reading order): the block alternates figure runs and fund labels, starting with
        figures and ending with a label. None when it does not (labels first, or mixed)."""
        pairs: list[tuple[list[Tok], Tok]] = []
        taken: set[int] = set()
        while i < limit:
            vals, j = self._values(i, k, limit)
            if not vals or not any(cell_number(v.text) is not None for v in vals):
                break
            if j >= limit or not _is_fund_label(self.toks[j]):
                return None
            pairs.append((vals, self.toks[j]))
            taken.update(range(i, j + 1))
            i = j + 1
        if len(pairs) < 2 or not self._parts_within_total(pairs):
            return None  # not this layout: the tokens are left to the usual reading
        self.used.update(taken)
        return pairs, i

    @staticmethod
    def _parts_within_total(pairs: list[tuple[list[Tok], Tok]]) -> bool:
        """Read figures-first, no part row's money exceeds the total row's in its column (a
        dump that printed only the total's figures first, its sub-rows labels-first, fails)."""
        total = next((v for v, t in pairs if t.role == "fund:total"), None)
        if total is None:
            return False
        for vals, t in pairs:
            if t.role == "fund:total":
                continue
            for a, b in zip(total[:3], vals[:3]):
                x, y = cell_number(a.text), cell_number(b.text)
                if x is not None and y is not None and y > x:
                    return False
        return True

    def _skip_numbering(self, i: int, limit: int) -> int:
        while i < limit and _ROW_NUMBER.fullmatch(self.toks[i].text.strip()):
            self.used.add(i)
            i += 1
        return i

    def _values(self, i: int, k: int, limit: int) -> tuple[list[Tok], int]:
        vals: list[Tok] = []
        while i < limit and len(vals) < k:
            t = self.toks[i]
            if t.role is not None:
                break
            if t.style != "cell" and not _value_like(t) and not glued_figures(t.text):
                break
            vals.append(t)
            i += 1
        return vals, i

    def _place_displaced(self, runs: list[list[Tok]], rows: list[tuple[Tok, dict[str, Tok]]], header: list[str]) -> None:
        """Values printed before their labels (a PDF text dump) go to the labelled rows that got none.

        A run longer than one row is cut so that every later row takes the money columns and
        one placeholder, as the sub-rows (其中…) of the form have no weight or score. A lone
        percent left in the money block is the total row's 执行率. The placement is kept only if
        it agrees with that 执行率 to half a point; otherwise the rows stay empty rather than wrong.
        """
        if not runs:
            return
        empty = [k for k, (_lab, a) in enumerate(rows) if not a]
        empty.sort(key=lambda k: 0 if rows[k][0].role == "fund:total" else 1)
        n_money = sum(1 for h in header if h in ("initial_budget", "adjusted_budget", "executed"))
        chunks: list[list[Tok]] = []
        for run in runs:
            while len(run) > len(header) or (len(run) > n_money + 1 and len(chunks) + 1 < len(empty)):
                cut = len(run) - (n_money + 1)
                chunks.append(run[:cut])
                run = run[cut:]
            chunks.append(run)
        placed = {k: _assign(chunk, header, False) for k, chunk in zip(empty, chunks)}
        taken = {id(v) for run in runs for v in run} | {id(v) for _lab, a in rows for v in a.values()}
        strays = self._strays(taken)
        stray = [t for t in strays if _is_percent(t)]
        for k, assigned in placed.items():
            total = rows[k][0].role == "fund:total"
            if total and "rate" in header and "rate" not in assigned and len(stray) == 1:
                assigned["rate"] = stray[0]
            if total and (not _consistent(assigned) or "executed" not in assigned):
                # figures of the row printed elsewhere in the form: placed where the arithmetic says
                assigned = place_by_arithmetic(chunks[empty.index(k)], header,
                                               [t for t in strays if not _is_percent(t)],
                                               stray[0] if len(stray) == 1 else None) or assigned
            if not _consistent(assigned):
                assigned = {h: v for h, v in assigned.items() if h == "rate"}
            rows[k] = (rows[k][0], assigned)
        self.uncertain = True

    def _strays(self, taken: set[int]) -> list[Tok]:
        """Unused figures (percents included) between the money header and the indicator block,
        outside the money rows (`taken`: ids of the rows' tokens)."""
        out = []
        for k in range(self.lo, self.hi):
            t = self.toks[k]
            if t.role in ("l1", "l2", "l3", "indicator_block"):
                break
            if (k not in self.used and id(t) not in taken and t.style == "space"
                    and re.fullmatch(r"[\d,]*\d(?:\.\d+)?%?", t.text)):
                out.append(t)
        return out

    # -- indicator block --------------------------------------------------
    def indicators(self, hdr: list[int], limit: int) -> int:
        header = [self.toks[i].role for i in hdr]
        lead = self.toks[hdr[0] - 1] if hdr[0] > 0 and self.toks[hdr[0] - 1].role == "indicator_block" else None
        self.grid.add([lead] + [self.toks[i] for i in hdr])
        self.used.update(hdr)
        positional = any(self.toks[i].style in ("cell", "pipe") for i in hdr)
        rest = [h for h in header if h not in ("l1", "l2")]
        i = hdr[-1] + 1
        while i < limit:
            t = self.toks[i]
            if t.role in ("self_score", "fund:total"):
                nums, i = self._values(i + 1, 3, limit)
                row: dict[str, Tok | None] = {}
                numbers = [v for v in nums if cell_number(v.text) is not None]
                for h, v in zip([h for h in ("weight", "score") if h in header], numbers):
                    row[h] = v
                self.grid.add([t] + [row.get(h) for h in header])
                return i
            if t.role in ("project_name", "dept_name") or _is_title(t):
                return i
            cells: dict[str, Tok | None] = {}
            nxt = self.toks[i + 1] if i + 1 < limit else None
            surplus = self._leading_levels(i, len(rest), limit)
            if surplus == 2 and "l1" in header and "l2" in header and nxt is not None:
                # a `|` row holding every column: its first two cells are the levels, named or not
                cells["l1"], cells["l2"] = t, nxt
                i += 2
                t = self.toks[i] if i < limit else t
            elif t.role == "l1_name" and "l1" in header and nxt is not None and nxt.role in ("l1_name", "l2_name"):
                cells["l1"] = t
                i += 1
                t = nxt
            if i < limit and "l2" not in cells and "l2" in header and (
                    t.role in ("l2_name", "l1_name") or (surplus == 1 and t.role is None)):
                cells["l2"] = t
                i += 1
            if i >= limit:
                break
            at = i
            got, i = self._indicator_rest(i, rest, positional, limit)
            if got is None:
                if not cells and i == at:
                    i += 1  # a stray cell (a 偏差原因 text): the row names that follow it are read
                continue
            cells.update(got)
            self.grid.add([None] + [cells.get(h) for h in header])
        return i

    def indicators_apart(self, hdr: list[int], displaced: list[int], limit: int) -> int | None:
        """An indicator block whose value groups a dump printed apart from the row names
        (tables/scattered.py): the values right after the header and the names after them, or
        the names first and the values after them (some names printed among the header words,
        `displaced`), then 总分. None (nothing read) unless exactly one way of telling names from
        values pairs them one for one."""
        toks = self.toks
        header = [toks[i].role for i in hdr]
        columns = [h for h in header if h not in ("l1", "l2", "l3")]
        end = hdr[-1] + 1
        while end < limit and toks[end].role not in _BLOCK_ENDS and not _is_title(toks[end]):
            end += 1
        region = list(range(hdr[-1] + 1, end))
        if not region or "l3" not in header:
            return None
        named_at = [n for n, k in enumerate(region) if toks[k].role in _NAME_ROLES]
        digit_at = [n for n, k in enumerate(region) if re.search(r"\d", toks[k].text)]
        if not digit_at:
            return None
        splits: list[tuple[list[int], list[int]]] = []
        # values first: up to the first name; words after the last figure may be names printed early
        first = named_at[0] if named_at else len(region)
        cut = first
        while cut > 0 and cut - 1 > digit_at[0] and not re.search(r"\d", toks[region[cut - 1]].text) \
                and not _value_like(toks[region[cut - 1]]):
            cut -= 1
        splits += [(region[:v], region[v:]) for v in range(cut, first + 1)]
        # names first: the values start after the last name and no later than the first figure
        if named_at and named_at[-1] < digit_at[0]:
            splits += [(region[v:], region[:v]) for v in range(named_at[-1] + 1, digit_at[0] + 1)]
        plans = []
        for values, names in splits:
            if not values or any(toks[k].role is not None for k in values):
                continue
            named = self._name_cells(sorted(displaced + names))
            got = value_groups([toks[k] for k in values], columns, len([c for c in named if c.role is None]))
            levels = pair_levels(named, len(got[0])) if got else None
            if got and levels:
                plans.append((values, got, named, levels))
        if len(plans) != 1:
            return None
        values, (groups, tail), named, levels = plans[0]
        self.grid.add([None] + [toks[i] for i in hdr])
        self.used.update(hdr + displaced + region)
        for g, lv in zip(groups, levels):
            cells: dict[str, Tok | None] = {h: toks[values[k]] for h, k in g.items()}
            cells.update({h: named[k] for h, k in lv.items() if k is not None})
            self.grid.add([None] + [cells.get(h) for h in header])
        if end < limit and toks[end].role in ("self_score", "fund:total"):
            figures = dict(zip(("weight", "score")[2 - len(tail):], (toks[values[k]] for k in tail)))
            self.grid.add([toks[end]] + [figures.get(h) for h in header])
            self.used.add(end)
            return end + 1
        return end

    def _name_cells(self, idx: list[int]) -> list[Tok]:
        """The name cells of an apart block in printed order, the form's block heading dropped,
        a one-character piece (`率`, a wrapped cell's last line printed elsewhere) joined to the
        三级指标 piece before it."""
        out: list[Tok] = []
        for k in idx:
            t = self.toks[k]
            if t.role == "indicator_block":
                continue
            prev = next((x for x in reversed(out) if x.role is None), None)
            if t.role is None and len(t.text.strip()) == 1 and prev is not None:
                out[out.index(prev)] = self._joined_piece(prev, t)
                continue
            out.append(t)
        return out

    def _joined_piece(self, a: Tok, b: Tok) -> Tok:
        """Two pieces of one cell: spanning both when only white space lies between them,
        else their text without a span (no one stretch of the document holds it)."""
        gap = self.source[a.end:b.start] if 0 <= a.end <= b.start else "x"
        if not gap.strip():
            return Tok(self.source[a.start:b.end], a.start, b.end, a.style, a.line)
        return Tok(a.text + b.text.strip(), a.start, a.start, a.style, a.line)

    def _leading_levels(self, i: int, n_rest: int, limit: int) -> int:
        """How many cells a `|` row holds before its 三级指标: the cells on its line beyond the
        l3… columns (a row repeats the merged 一级/二级 cells only where they start)."""
        t = self.toks[i]
        if t.style != "pipe":
            return 0
        k = i
        while k < limit and self.toks[k].style == "pipe" and self.toks[k].line == t.line:
            k += 1
        return max(0, min(2, k - i - n_rest))

    def _indicator_rest(self, i: int, rest: list[str], positional: bool, limit: int):
        """l3 and the columns after it; None when the tokens do not make an indicator row."""
        toks = self.toks
        if toks[i].role in ("l1_name", "l2_name", "self_score", "fund:total"):
            return None, i
        out: dict[str, Tok | None] = {}
        if positional:
            # one cell per line: the next len(rest) cells; `|` rows: the cells left on this line
            take = [k for k in range(i, min(i + len(rest), limit))
                    if toks[k].style != "pipe" or toks[k].line == toks[i].line]
            if len(take) < len(rest) and toks[i].style != "pipe":
                return None, limit
            for h, k in zip(rest, take):
                out[h] = toks[k]
            return out, (take[-1] + 1 if take else i + 1)
        j = i
        for h in rest:
            if h == "reason":
                if self._reason_at(j, limit):
                    out[h] = toks[j]
                    j += 1
                break
            if j >= limit:
                return None, limit
            t = toks[j]
            if h in ("weight", "score") and cell_number(t.text) is None:
                return None, j
            if h not in ("weight", "score") and t.role in ("l1_name", "l2_name", "self_score"):
                return None, j
            out[h] = t
            j += 1
        return out, j


    def _reason_at(self, j: int, limit: int) -> bool:
        """Whether the free-text token at j is the 偏差原因 of the row before it rather than the
        三级指标 of the next row: read as an l3, its weight and score would not be numbers,
        read as a reason, the next row's would (or a row or total label follows it)."""
        toks = self.toks
        if j >= limit or toks[j].role is not None or _value_like(toks[j]):
            return False

        def number(k: int) -> bool:
            return k < limit and cell_number(toks[k].text) is not None

        if number(j + 3) and number(j + 4):
            return False
        nxt = toks[j + 1] if j + 1 < limit else None
        return nxt is None or nxt.role in ("l1_name", "l2_name", "self_score", "fund:total") or (
            number(j + 4) and number(j + 5))


def _consistent(assigned: dict[str, Tok]) -> bool:
    """A displaced row's 执行率 (if any) agrees with its executed / budget within half a point."""
    rate = assigned.get("rate")
    done = assigned.get("executed")
    budget = assigned.get("adjusted_budget") or assigned.get("initial_budget")
    if done is None or budget is None:
        return True
    d, b = cell_number(done.text), cell_number(budget.text)
    if d is None or b is None or b == 0:
        return True
    if rate is None:
        return d <= b * 2
    r = cell_number(rate.text)
    return r is not None and abs(d / b * 100 - r) <= Decimal("0.5")


def _form_starts(toks: list[Tok]) -> list[int]:
    """Token indices where a money header or an indicator header run begins."""
    starts = []
    i = 0
    while i < len(toks):
        # (a run starts only at a token of its roles: no call for every other token)
        run = _header_run(toks, i, FUND_COLUMN_ROLES, 3) if toks[i].role in FUND_COLUMN_ROLES else []
        if run and {toks[k].role for k in run} & {"initial_budget", "adjusted_budget", "executed"}:
            starts.append(i)
            i = run[-1] + 1
            continue
        i += 1
    if not starts:
        # a money block without its column header: `资金情况(万元)` then fund rows, after a 项目名称
        starts = [k for k in range(len(toks)) if _headerless_money(toks, k)
                  and any(t.role in ("project_name", "dept_name") for t in toks[max(0, k - 60):k])][:1]
    if not starts:
        # a form without a money block (a 绩效目标申报表): its indicator header, after a 项目名称
        starts = [k for k in range(len(toks)) if _indicator_run(toks, k)
                  and any(t.role in ("project_name", "dept_name") for t in toks[max(0, k - 60):k])][:1]
    return starts


def _headerless_money(toks: list[Tok], k: int) -> bool:
    """A money block heading (`资金情况(万元)`) followed by the total fund row and its figure,
    with no column header between."""
    return (toks[k].role == "fund_block" and k + 2 < len(toks) and toks[k + 1].role == "fund:total"
            and cell_number(toks[k + 2].text) is not None)


def _spread_indicator_header(toks: list[Tok], k: int, hi: int) -> tuple[list[int], list[int]] | None:
    """An indicator header with row names printed among its words (`一级指标 二级指标 数量指标
    三级指标 与委托运营方结算完成 年度指标值 …`, a dump's drawing order): the header's indices and
    the names' (at most two in a row); None unless it has the 三级指标 and a 指标值 or 完成值
    column, its words were run together with spaces (a dump) and a value or a name follows it
    (the block is read apart only if its values and names then pair, see indicators_apart)."""
    if toks[k].role not in ("l1", "l2", "l3"):
        return None
    hdr: list[int] = []
    names: list[int] = []
    skipped: list[int] = []
    j = k
    while j < hi and len(skipped) <= 2:
        t = toks[j]
        if t.role in INDICATOR_ROLES and t.role not in {toks[x].role for x in hdr}:
            hdr.append(j)
            names += skipped
            skipped = []
        elif t.role in ("l1_name", "l2_name") or (t.role is None and not _value_like(t) and not re.search(r"\d", t.text)):
            skipped.append(j)
        else:
            break
        j += 1
    roles = {toks[x].role for x in hdr}
    after = hdr[-1] + 1 if hdr else hi
    if len(hdr) < 4 or "l3" not in roles or not roles & {"target", "actual"} or after >= hi:
        return None
    if toks[after].role not in _NAME_ROLES + (None,) or any(toks[x].style != "space" for x in hdr):
        return None  # only a dump that ran cells together prints a block apart
    return hdr, names


def _indicator_run(toks: list[Tok], k: int) -> list[int]:
    run = _header_run(toks, k, INDICATOR_ROLES, 3, skip_roles=())
    return run if run and {"l3", "target", "actual"} & {toks[x].role for x in run} and len(run) >= 4 else []


def _form_bounds(toks: list[Tok], money_at: int, prev_end: int) -> int:
    """Start of a form: its title or first label token before the money header."""
    lo = money_at
    for k in range(money_at - 1, max(prev_end, money_at - 40) - 1, -1):
        if _is_title(toks[k]) or toks[k].role in ("project_name", "dept_name"):
            lo = k
            if _is_title(toks[k]):
                break
    return lo


def _build_form(toks: list[Tok], lo: int, money_at: int, hi: int, source: str = "") -> tuple["_FormParser", int] | None:
    p = _FormParser(toks, source)
    p.lo, p.hi = lo, hi
    money_hdr = _header_run(toks, money_at, FUND_COLUMN_ROLES, 3)
    p.labels(lo, money_at)
    if not money_hdr and _headerless_money(toks, money_at):
        end = p.money_headerless(money_at, hi)
        k = end
        while k < hi and not _indicator_run(toks, k):
            k += 1
        if k < hi:
            p.labels(end, k)
            end = p.indicators(_indicator_run(toks, k), hi)
        else:
            p.labels(end, hi)
        return (p, end) if end > money_at + 2 else None
    if not money_hdr:
        end = p.indicators(_indicator_run(toks, money_at), hi)
        named = any(r and r[0] is not None and r[0].role in ("project_name", "dept_name") for r in p.grid.rows)
        return (p, end) if named else None
    end = p.money(money_hdr, hi)
    after_money = money_hdr[-1] + 1
    k = end
    while k < hi:
        spread = _spread_indicator_header(toks, k, hi)
        if spread is not None:
            rows, used = len(p.grid.rows), set(p.used)
            p.labels(after_money, k)
            read = p.indicators_apart(*spread, hi)
            if read is not None:
                end = read
                break
            del p.grid.rows[rows:]  # not this layout: read the block the usual way
            p.used = used
        run = _indicator_run(toks, k)
        if run:
            p.labels(after_money, k)
            end = p.indicators(run, hi)
            break
        if toks[k].role in ("project_name", "dept_name") and k > end + 3:
            break
        k += 1
    else:
        p.labels(after_money, hi)
    if not any(r and r[0] is not None and r[0].role and r[0].role.startswith("fund:") for r in p.grid.rows):
        return None
    return p, end


def _pipe_blocks(text: str) -> list[tuple[list[list[tuple[int, int]]], int]]:
    """Runs of ≥2 consecutive `a | b | c` lines: per row the spans of every cell (empty ones too,
    they hold a column), with the offset where the run starts."""
    blocks: list[tuple[list[list[tuple[int, int]]], int]] = []
    rows: list[list[tuple[int, int]]] = []
    first = 0
    pos = 0
    for line in text.splitlines(keepends=True) + [""]:
        body = line.rstrip("\r\n")
        bars = [m.start() for m in _BAR.finditer(body)]
        # `名称 |` (one bar, nothing after) is a row with a blank last cell inside a run only
        is_row = bool(bars) and (bool(rows) or not (len(bars) == 1 and not body[bars[0] + 1:].strip()))
        if is_row:
            if not rows:
                first = pos
            edges = [-1] + bars + [len(body)]
            rows.append([_strip_span(text, pos + a + 1, pos + b) for a, b in zip(edges, edges[1:])])
        else:
            if len(rows) >= 2:
                blocks.append((rows, first))
            rows = []
        pos += len(line)
    return blocks


_LEDGER_CAPTION = re.compile(r"(?:决算|预算|收支)\S{0,12}表")  # the caption line of a 决算/预算 table


# the lines above a `|` table that are its caption and unit line (`…决算表` / `单位：万元`)
PIPE_CONTEXT_LINES = 2
# a line this short is the tail of the line above, wrapped (`单位：万` / `元`, `（万` / `元）`)
WRAP_TAIL_CHARS = 2


def _lines_above(text: str, count: int) -> list[str]:
    """The last `count` lines of `text` (stripped; a blank line counts), a wrapped line's
    tail held with its head as one line, so that a wrapped unit declaration does not push
    the caption above it out."""
    lines = [x.strip() for x in text.splitlines()]
    out: list[str] = []
    k = len(lines) - 1
    while k >= 0 and len(out) < count:
        line = lines[k]
        if 0 < len(line) <= WRAP_TAIL_CHARS and k > 0 and lines[k - 1]:
            k -= 1
            line = lines[k] + "\n" + line
        out.insert(0, line)
        k -= 1
    return out


def _add_pipe_tables(doc: Document, taken: list[tuple[int, int]], index: int) -> int:
    """Other `|` tables (决算 tables): kept when a header synonym names them, cells as written."""
    for rows, first in _pipe_blocks(doc.text):
        if any(a <= first < b for a, b in taken):
            continue
        head = [doc.text[s:e] for row in rows[:3] for s, e in row]
        above = _lines_above(doc.text[:first], PIPE_CONTEXT_LINES)
        if not any(role_of(h) in ("fa_header", "initial_budget", "adjusted_budget", "executed") for h in head) \
                and not any(_LEDGER_CAPTION.search(normalize(x).text) for x in above):
            continue
        width = max(len(r) for r in rows)
        cells = [[doc.text[s:e] for s, e in row] + [""] * (width - len(row)) for row in rows]
        spans = {(r, c): sp for r, row in enumerate(rows) for c, sp in enumerate(row) if sp[1] > sp[0]}
        table = Table(index=index, cells=cells, page=doc.page_at(first), context="\n".join(x for x in above if x),
                      spans=spans)
        doc.blocks.append(Block(kind="table", page=table.page, table=table))
        index += 1
    return index


def _add_glued_lists(doc: Document, taken: list[tuple[int, int]], index: int) -> int:
    """Two-column lists a page ran together (tables/glued.py): a grid of name | figure rows under
    their header, so the figures get the header's unit and the names as labels."""
    for head, pairs in name_figure_lists(doc.text):
        if any(a <= head[0] < b for a, b in taken):
            continue
        spans = {(0, 0): head}
        spans.update({(r + 1, c): sp for r, pair in enumerate(pairs) for c, sp in enumerate(pair)})
        cells = [[doc.text[head[0]:head[1]], ""]] + [[doc.text[a:b] for a, b in pair] for pair in pairs]
        table = Table(index=index, cells=cells, page=doc.page_at(head[0]), context=doc.text[max(0, head[0] - 80):head[0]],
                      spans=spans)
        doc.blocks.append(Block(kind="table", page=table.page, table=table))
        taken.append((head[0], pairs[-1][1][1]))
        index += 1
    return index


def add_flattened_tables(doc: Document) -> None:
    """Append the tables recognised in `doc.text`: self-evaluation forms in any of the three
    flattenings, then other `|` tables whose header names them (conservative: headers first)."""
    if not doc.text:
        return
    toks = tokenize(doc.text)
    starts = _form_starts(toks)
    index = len(doc.tables)
    taken: list[tuple[int, int]] = []
    prev_end = 0
    for n, money_at in enumerate(starts):
        hi = starts[n + 1] if n + 1 < len(starts) else len(toks)
        lo = _form_bounds(toks, money_at, prev_end)
        if n + 1 < len(starts):
            hi = _form_bounds(toks, starts[n + 1], money_at)
        built = _build_form(toks, lo, money_at, hi, doc.text)
        if built is None:
            continue
        parser, end = built
        prev_end = end
        first = toks[lo].start
        context = doc.text[max(0, first - 80):first]
        table = parser.grid.table(index, doc, context)
        if parser.uncertain:
            doc.meta.setdefault("uncertain_tables", []).append(index)
        doc.blocks.append(Block(kind="table", page=table.page, table=table))
        index += 1
        spans = list(table.spans.values())
        taken.append((min(s for s, _e in spans), max(e for _s, e in spans) + 1))
    if "|" in doc.text:  # exact: a `|` table is made of lines with bars
        index = _add_pipe_tables(doc, taken, index)
    _add_glued_lists(doc, taken, index)
