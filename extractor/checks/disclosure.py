"""部门决算 disclosures checked as an auditor checks them: the nine standard tables found by
their captions, their lines and columns named by the forms' vocabulary
(`patterns/disclosure_terms.json`), and the identities the forms impose compared on the
intervals the written digits allow (interval.py: rounding is never an error).

- inside a table: the column identities (本年支出合计 = 基本支出 + 项目支出 + …, 本年收入合计 =
  the source columns, 三公 合计 = 出国 + 公务用车 + 接待, 公务用车 = 购置 + 运行) — the row sums
  by level are the ledger's (`tables/ledger.py`, checked by the arithmetic family);
- the 总表 balance: 收入总计 = 支出总计;
- across tables: the same figure wherever it recurs (总表 against 收入/支出决算表, 财政拨款总表
  against 一般公共预算财政拨款支出决算表, 基本支出 against 人员经费 + 公用经费, …);
- completeness: a disclosure showing most of the nine tables should show all nine (an
  empty one is kept with the note 本表无数据): a missing one is a warning.

Every flag names the cells it compares (page, table, row, column), the computed figure and
the tolerance the written precision allows.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

import regex

from .. import patternbook
from ..model import Evidence, Flag, Quantity, Report, Table
from ..tables.ledger import Group, Ledger
from ..text.quantities import is_numbering_row
from . import per_report, register
from .interval import Interval, can_equal, total
from .relations import amount_interval, finest_exponent, relations_of
from .units import yuan_text

NINE = ("summary", "income", "expenditure", "fiscal-summary", "general", "basic", "sangong", "fund", "state-capital")
TABLE_NAMES = {"summary": "收入支出决算总表", "income": "收入决算表", "expenditure": "支出决算表",
               "fiscal-summary": "财政拨款收入支出决算总表", "general": "一般公共预算财政拨款支出决算表",
               "basic": "一般公共预算财政拨款基本支出决算表", "sangong": "“三公”经费支出决算表",
               "fund": "政府性基金预算财政拨款收入支出决算表", "state-capital": "国有资本经营预算财政拨款支出决算表"}
MIN_TABLES = 5  # a document showing this many of the nine is a disclosure that should show all

# whole column = sum of part columns (the forms' column identities)
COLUMN_IDENTITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("expense-total", ("basic", "project", "upward", "business-expense", "affiliate-grant")),
    ("income-total", ("fiscal-income", "upper-income", "service-income", "business-income", "affiliate-income",
                      "other-income")),
    ("sum-col", ("basic", "project")),
    ("sum-col", ("general-col", "fund-col", "state-col")),
    ("sangong-total", ("abroad", "car-total", "hosting")),
    ("car-total", ("car-buy", "car-run")),
)

_SPACE = regex.compile(r"[\s\u3000]+")
_ZH_NAME = regex.compile(r"[（(](?:类|款|项)[）)]")


@functools.lru_cache(maxsize=1)
def _terms() -> dict[str, list[tuple[str, regex.Pattern]]]:
    out: dict[str, list[tuple[str, regex.Pattern]]] = {"table": [], "column": [], "line": []}
    for e in patternbook.entries("disclosure_terms"):
        out[e["kind"]].append((e["name"], regex.compile(e["pattern"])))
    return out


@functools.lru_cache(maxsize=8192)
def term(kind: str, text: str) -> str | None:
    """The first `kind` entry (table | column | line) matching `text` (spaces ignored)."""
    s = _SPACE.sub("", text)
    return next((name for name, rx in _terms()[kind] if rx.search(s)), None)


def term_match(kind: str, text: str) -> tuple[str, regex.Match] | None:
    """The first `kind` entry matching `text` and its match, spaces ignored as `term` ignores
    them (a label spaced out in the prose, `基本 支出`): the match is on the text without them."""
    s = _SPACE.sub("", text)
    return next(((name, m) for name, rx in _terms()[kind] for m in [rx.search(s)] if m), None)


def example_term(text: str) -> dict[str, str | None]:
    """Runner of patterns/disclosure_terms.json."""
    return {k: term(k, text) for k in ("table", "column", "line")}


def caption_of(t: Table) -> str | None:
    """The table of the nine a table's caption names (the caption line nearest the table)."""
    for line in reversed(t.context.splitlines()):
        key = term("table", line)
        if key:
            return key
    return None


# ---------------------------------------------------------------- the model


@dataclass
class Cell:
    """One figure of a named table, with the names an auditor would cite."""

    q: Quantity
    table: str  # key of the nine
    row: str
    col: str

    def where(self) -> str:
        page = f"第{self.q.page}页" if self.q.page else ""
        return f"{TABLE_NAMES[self.table]}（{page}{'，' if page else ''}表{(self.q.table or 0) + 1}）“{self.row}”行“{self.col}”列"

    def where_en(self) -> str:
        page = f"page {self.q.page}, " if self.q.page else ""
        return f"{TABLE_NAMES[self.table]} ({page}table {(self.q.table or 0) + 1}) row '{self.row}', column '{self.col}'"


@dataclass
class Line:
    """A row of a named table: its name, level (0 total, 1 类 …), key and figures by column key."""

    name: str
    level: int | None
    key: str | None
    cells: dict[str, Cell]  # column key -> cell ("" for a group's only amount column)
    side: int  # column group (0 left half, 1 right half of a 总表)
    code: str | None = None
    path: tuple[str, ...] = ()


@dataclass
class Named:
    key: str
    tables: list[int]
    lines: list[Line] = field(default_factory=list)
    records: list[dict[str, Cell]] = field(default_factory=list)  # 三公: one per data row / column


@dataclass
class Disclosure:
    tables: dict[str, Named]
    mentioned: set[str]  # the nine named anywhere (a table, or a caption over 本表无数据)
    first_page: int | None

    @property
    def is_disclosure(self) -> bool:
        return len(self.mentioned) >= MIN_TABLES

    def line(self, table: str, key: str, side: int | None = None) -> Line | None:
        t = self.tables.get(table)
        if t is None:
            return None
        return next((ln for ln in t.lines if ln.key == key and (side is None or ln.side == side)), None)

    def cell(self, table: str, key: str, col: str | None = None, side: int | None = None) -> Cell | None:
        ln = self.line(table, key, side)
        if ln is None:
            return None
        return _pick(ln, col)

    def top_lines(self, table: str, side: int | None = None) -> dict[str, Line]:
        """The 类 rows of a table by name."""
        t = self.tables.get(table)
        if t is None:
            return {}
        return {_plain(ln.name): ln for ln in t.lines if ln.level == 1 and ln.key is None
                and (side is None or ln.side == side)}


def _pick(ln: Line, col: str | None) -> Cell | None:
    if col is None:
        if "" in ln.cells:
            return ln.cells[""]
        firsts = [c for k, c in ln.cells.items() if k in ("sum-col", "expense-total", "income-total")]
        return firsts[0] if firsts else (next(iter(ln.cells.values())) if len(ln.cells) == 1 else None)
    return ln.cells.get(col)


def _plain(name: str) -> str:
    """A line name compared across tables and prose: width-folded, without spaces or (类)."""
    return _ZH_NAME.sub("", _SPACE.sub("", unicodedata.normalize("NFKC", name)))


def _header_parts(t: Table, col: int, first_data_row: int) -> list[str]:
    """The header words over a column, top down: a `栏次 | 1 | 2` numbering row names no
    column, and a cell merged over two header rows counts once."""
    parts: list[str] = []
    for r in range(first_data_row):
        s = _SPACE.sub("", t.cell(r, col))
        if s and not is_numbering_row(t, r) and (not parts or parts[-1] != s):
            parts.append(s)
    return parts


def _header_text(t: Table, col: int, first_data_row: int) -> str:
    return "".join(_header_parts(t, col, first_data_row))


def column_key(t: Table, col: int, first_data_row: int) -> str | None:
    """The column a header names: all its header rows read together (`公务用车购置及运行费` over
    `小计`), else its lowest header row alone (`合计` under a spanning `支出`)."""
    parts = _header_parts(t, col, first_data_row)
    if not parts:
        return None
    return term("column", "".join(parts)) or term("column", parts[-1])


def _group_columns(doc_tables: list[Table], ledger: Ledger, group: Group) -> list[tuple[str, str]]:
    """(column key, header text) of each amount column of a group."""
    t = doc_tables[ledger.tables[0]]
    first = min((r.row for r in group.rows if r.table == t.index), default=t.n_rows)
    out = []
    for i, c in enumerate(group.amount_cols):
        h = _header_text(t, c, first)
        key = column_key(t, c, first) or f"?{i}"  # an unknown column keeps a key of its own
        out.append((key, h or "金额"))
    if len(out) == 1 and (out[0][0].startswith("?") or out[0][0] == "sum-col"):
        return [("", out[0][1])]
    keys = [k for k, _h in out]
    return [(k if keys.count(k) == 1 else f"?{i}", h) for i, (k, h) in enumerate(out)]


def _lines_of(key: str, doc_tables: list[Table], ledger: Ledger) -> list[Line]:
    lines: list[Line] = []
    for side, group in enumerate(ledger.groups):
        cols = _group_columns(doc_tables, ledger, group)
        path: dict[int, str] = {}
        seen: set[str] = set()
        for row in group.rows:
            if not row.values:
                continue
            name = row.name
            if row.level:
                path[row.level] = _plain(name)
                for deeper in [k for k in path if k > row.level]:
                    del path[deeper]
            line_key = term("line", name) if row.kind == "total" or row.level in (None, 1) or not row.code else None
            if row.kind == "line" and row.code and line_key in (None, "total"):
                line_key = None
            if line_key == "total" and key in ("summary", "fiscal-summary") and "总计" in name:
                line_key = "grand"  # a 总表 half closes with its 总计
            if line_key in seen:
                line_key = None  # `一般公共预算财政拨款` again under 年初结转和结余: a sub-line
            if line_key:
                seen.add(line_key)
            cells = {ck: Cell(row.values[k], key, name, head) for k, (ck, head) in enumerate(cols) if k in row.values}
            level = 0 if row.kind == "total" else row.level
            lines.append(Line(name, level, line_key, cells, side, row.code,
                              tuple(path[k] for k in sorted(path) if row.level and k <= row.level)))
    return lines


def _records_of(key: str, t: Table, amounts: dict[tuple[int, int], Quantity]) -> list[dict[str, Cell]]:
    """A table of few figures (三公): each data row a record keyed by its columns' names, or —
    printed the other way round — each amount column a record keyed by its rows' names."""
    rows = sorted({r for r, _c in amounts})
    cols = sorted({c for _r, c in amounts})
    if not rows:
        return []
    first = rows[0]
    by_col = {c: column_key(t, c, first) for c in cols}
    by_col = {c: ("sangong-total" if k == "sum-col" else k) for c, k in by_col.items()}  # the 合计 of a 三公 table
    out: list[dict[str, Cell]] = []
    if sum(1 for v in by_col.values() if v) >= 3:
        for r in rows:
            label = next((t.cell(r, c).strip() for c in range(t.n_cols) if (r, c) not in amounts and t.cell(r, c).strip()), "")
            rec: dict = {}
            for c in range(t.n_cols):  # 预算数 and 决算数 side by side: a key seen again opens the next record
                k = by_col.get(c)
                if not k or (r, c) not in amounts:
                    continue
                if k in rec:
                    out.append(rec)
                    rec = {}
                if not rec:
                    rec["@label"] = label or (_header_parts(t, c, first) or [""])[0]
                rec[k] = Cell(amounts[(r, c)], key, rec["@label"] or f"第{r + 1}行", _header_text(t, c, first))
            if rec:
                out.append(rec)
        return out
    for c in cols:
        rec: dict[str, Cell] = {}
        for r in rows:
            label = " ".join(t.cell(r, k) for k in range(t.n_cols) if (r, k) not in amounts and t.cell(r, k).strip())
            k = term("line", label)
            if k and (r, c) in amounts:
                rec[k] = Cell(amounts[(r, c)], key, label.strip(), _header_text(t, c, first) or "金额")
        rec["@label"] = _header_text(t, c, first)  # type: ignore[assignment]
        out.append(rec)
    return out


def read_disclosure(report: Report) -> Disclosure:
    doc = report.document
    ledgers = relations_of(report).ledgers
    by_table = {ti: lg for lg in ledgers for ti in lg.tables}
    amounts: dict[int, dict[tuple[int, int], Quantity]] = {}
    for q in report.quantities:
        if q.table is not None and q.kind == "amount" and q.value_yuan is not None:
            amounts.setdefault(q.table, {})[(q.row, q.col)] = q
    tables: dict[str, Named] = {}
    mentioned: set[str] = set()
    first_page = None
    doc_tables = doc.tables
    for t in doc_tables:
        key = caption_of(t)
        if key is None:
            continue
        mentioned.add(key)
        first_page = first_page or t.page
        if key in tables:
            continue  # a second table under the same caption (预算 and 决算 versions): the first
        named = Named(key, [t.index])
        if key == "sangong":
            named.records = _records_of(key, t, amounts.get(t.index, {}))
        elif t.index in by_table:
            lg = by_table[t.index]
            named.tables = list(lg.tables)
            named.lines = _lines_of(key, doc_tables, lg)
        tables[key] = named
    for line in (doc.text or "").splitlines():
        if len(line) <= 60:
            key = term("table", line)
            if key:
                mentioned.add(key)
    return Disclosure(tables, mentioned, first_page)


@per_report
def disclosure_of(report: Report) -> Disclosure:
    """The disclosure model of a report, read once and shared by the checks."""
    return read_disclosure(report)


# ---------------------------------------------------------------- comparing


def _ivs(cells: list[Cell]) -> list[Interval]:
    qs = [c.q for c in cells]
    finest = finest_exponent(qs)
    return [amount_interval(q, finest=finest) for q in qs]


def _show(v: Decimal, c: Cell) -> str:
    return yuan_text(v, c.q.unit or "元")


def _tol_text(iv: Interval, c: Cell) -> str:
    return _show(iv.radius.normalize(), c)


def _unit(c: Cell) -> str:
    return "" if c.q.unit_source == "inline" or not c.q.unit else f"（{c.q.unit}）"


def sum_flag(whole: Cell, parts: list[Cell], what_zh: str, what_en: str) -> Flag | None:
    """`whole` = Σ `parts`, or the flag that says it is not (a 0 total over non-zero parts:
    `total-zero`)."""
    if sum((p.q.value_yuan for p in parts), Decimal(0)) == whole.q.value_yuan:
        return None  # exactly equal: no interval needed
    ivs = _ivs([whole, *parts])
    s = total(ivs[1:])
    if can_equal(s, ivs[0]):
        return None
    s_yuan = sum((p.q.value_yuan for p in parts), Decimal(0))
    items = " + ".join(f"{p.col if p.row == whole.row else p.row}{p.q.text}" for p in parts)
    where = whole.where()
    if whole.q.value_yuan == 0:
        return _flag("total-zero", whole, parts,
                     f"{where}合计写为0，而{what_zh}：{items} = {_show(s_yuan, whole)}{_unit(whole)}；应为{_show(s_yuan, whole)}。",
                     f"{whole.where_en()} is written as 0 while {what_en}: {items} = {_show(s_yuan, whole)}.",
                     {"text": yuan_text(s_yuan, whole.q.unit), "value_yuan": s_yuan})
    diff = s - ivs[0]
    return _flag("sum-mismatch", whole, parts,
                 f"{what_zh}不成立：{where}{whole.q.text}{_unit(whole)}，而{items} = {_show(s_yuan, whole)}，"
                 f"差额{_show(s_yuan - whole.q.value_yuan, whole)}，超出书写精度允许的误差±{_tol_text(diff, whole)}。",
                 f"{what_en} fails: {whole.where_en()} {whole.q.text}, computed {items} = {_show(s_yuan, whole)}, "
                 f"difference {_show(s_yuan - whole.q.value_yuan, whole)}, beyond the ±{_tol_text(diff, whole)} "
                 f"the written decimals allow.")


def _flag(code: str, at: Cell, others: Iterable[Cell], zh: str, en: str, suggestion: dict | None = None,
          severity: str = "error", confidence: float = 0.85) -> Flag:
    q = at.q
    return Flag(code=code, severity=severity, text=q.text, message=zh, message_en=en, page=q.page, start=q.start,
                end=q.end, table=q.table, row=q.row, col=q.col,
                evidence=[Evidence.of(o.q) for o in others if o.q is not q], suggestion=suggestion,
                confidence=confidence)


def _same(a: list[Cell], b: list[Cell]) -> Flag | None:
    """The figure (or sum of figures) `a` of one table and `b` of another must be equal; the
    flag sits on b's first cell."""
    if sum((c.q.value_yuan for c in a), Decimal(0)) == sum((c.q.value_yuan for c in b), Decimal(0)):
        return None
    ivs = _ivs(a + b)
    ia, ib = total(ivs[:len(a)]), total(ivs[len(a):])
    if can_equal(ia, ib):
        return None
    va = sum((c.q.value_yuan for c in a), Decimal(0))
    vb = sum((c.q.value_yuan for c in b), Decimal(0))
    at = b[0]

    def show(cells: list[Cell], v: Decimal) -> tuple[str, str]:
        if len(cells) == 1:
            c = cells[0]
            return f"{c.where()}{c.q.text}{_unit(c)}", f"{c.where_en()} {c.q.text}"
        items = " + ".join(f"{c.where()}{c.q.text}" for c in cells)
        items_en = " + ".join(f"{c.where_en()} {c.q.text}" for c in cells)
        return f"{items} = {_show(v, at)}", f"{items_en} = {_show(v, at)}"

    za, ea = show(a, va)
    zb, eb = show(b, vb)
    diff = ib - ia
    return _flag("cross-table-mismatch", at, a,
                 f"表间不一致：{zb}，与{za}不符，差额{_show(vb - va, at)}，超出两数书写精度允许的误差±{_tol_text(diff, at)}。",
                 f"tables disagree: {eb} differs from {ea} by {_show(vb - va, at)}, beyond the ±{_tol_text(diff, at)} "
                 f"the written decimals allow.")


# ---------------------------------------------------------------- checks


def _column_identities(d: Disclosure) -> list[Flag]:
    """Each identity on each row (or record) of each named table. An identity that fails on
    most rows of a table (on every record of a 三公 table of several) says the columns were
    not read as printed (a header shifted by a merged cell), not that the figures are wrong:
    no claim is made on it."""
    flags: list[Flag] = []
    for named in d.tables.values():
        records = [ln.cells for ln in named.lines] + [{k: v for k, v in r.items() if k != "@label"} for r in named.records]
        for whole_key, part_keys in COLUMN_IDENTITIES:
            found: list[Flag] = []
            tried = 0
            for cells in records:
                if not cells or "" in cells:
                    continue
                whole = cells.get(whole_key)
                parts = [cells[k] for k in part_keys if k in cells]
                if whole is None or len(parts) < 2:
                    continue
                others = [k for k in cells if k != whole_key and k not in part_keys]
                if whole_key == "sum-col" and others:
                    continue  # a 合计 column over columns this identity does not name
                if named.lines and any(k not in part_keys and k != whole_key and k not in ("sum-col",) for k in cells):
                    continue  # an amount column the identity does not know: no claim
                tried += 1
                f = sum_flag(whole, parts, f"{TABLE_NAMES[named.key]}列间关系（{whole.col} = " +
                             " + ".join(p.col for p in parts) + "）",
                             f"the column identity of the {TABLE_NAMES[named.key]} ({whole_key} = " +
                             " + ".join(part_keys) + ")")
                if f is not None:
                    found.append(f)
            if found and (len(found) * 2 <= tried or (named.records and len(found) < tried) or tried == 1):
                flags.extend(found)
    return flags


def _balances(d: Disclosure) -> list[Flag]:
    """收入总计 = 支出总计 on both 总表."""
    flags: list[Flag] = []
    for key in ("summary", "fiscal-summary"):
        named = d.tables.get(key)
        if named is None:
            continue
        grands = [ln for ln in named.lines if ln.key == "grand"]
        left = next((ln for ln in grands if ln.side == 0), None)
        right = next((ln for ln in grands if ln.side > 0), None)
        if left is None or right is None:
            continue
        a, b = _pick(left, None), _pick(right, None)
        if a is None or b is None:
            continue
        f = _same([a], [b])
        if f is not None:
            f.code = "sum-mismatch"
            f.message = f"总表收支不平衡：{f.message.removeprefix('表间不一致：')}（收入总计应等于支出总计）"
            f.message_en = f"the summary does not balance (收入总计 must equal 支出总计): {f.message_en.removeprefix('tables disagree: ')}"
            flags.append(f)
    return flags


def _cross(d: Disclosure) -> list[Flag]:
    flags: list[Flag] = []

    def cmp(a: list[Cell | None], b: list[Cell | None]) -> None:
        if not a or not b or any(c is None for c in a + b):
            return
        f = _same(a, b)  # type: ignore[arg-type]
        if f is not None:
            flags.append(f)

    c = d.cell
    # 总表 against 收入决算表 and 支出决算表
    inc_total = c("income", "total")
    if inc_total is not None:
        ln = d.line("income", "total")
        cmp([c("summary", "income-total")], [ln.cells.get("income-total")])
        fiscal = [x for x in (c("summary", "general-income"), c("summary", "fund-income"), c("summary", "state-income"))
                  if x is not None]
        cmp(fiscal, [ln.cells.get("fiscal-income")])
        for k in ("upper-income", "service-income", "business-income", "affiliate-income", "other-income"):
            cmp([c("summary", k)], [ln.cells.get(k)])
    exp_ln = d.line("expenditure", "total")
    if exp_ln is not None:
        cmp([c("summary", "expense-total")], [exp_ln.cells.get("expense-total")])
        exp_top = d.top_lines("expenditure")
        for name, ln in d.top_lines("summary", side=1).items():
            if name in exp_top:
                cmp([_pick(ln, None)], [exp_top[name].cells.get("expense-total")])
    # 财政拨款总表 against 总表 and 一般公共预算财政拨款支出决算表
    for k in ("general-income", "fund-income", "state-income"):
        cmp([c("summary", k)], [c("fiscal-summary", k, side=0)])
    gen_ln = d.line("general", "total")
    fis_total = d.line("fiscal-summary", "expense-total")
    if gen_ln is not None and fis_total is not None and "general-col" in fis_total.cells:
        cmp([fis_total.cells["general-col"]], [gen_ln.cells.get("sum-col") or gen_ln.cells.get("expense-total")])
        gen_top = d.top_lines("general")
        for name, ln in d.top_lines("fiscal-summary", side=1).items():
            if name in gen_top and "general-col" in ln.cells:
                cmp([ln.cells["general-col"]], [gen_top[name].cells.get("sum-col") or gen_top[name].cells.get("expense-total")])
    # 基本支出 against 人员经费 + 公用经费
    if gen_ln is not None:
        parts = [c("basic", "personnel"), c("basic", "public")]
        if all(p is not None for p in parts):
            cmp([gen_ln.cells.get("basic")], parts)
    # 政府性基金
    fund_ln = d.line("fund", "total")
    if fund_ln is not None:
        cmp([c("summary", "fund-income")], [fund_ln.cells.get("income-total")])
        if fis_total is not None and "fund-col" in fis_total.cells:
            cmp([fis_total.cells["fund-col"]], [fund_ln.cells.get("expense-total")])
    return flags


def _missing(d: Disclosure, report: Report) -> list[Flag]:
    if not d.is_disclosure:
        return []
    flags = []
    for key in NINE:
        if key in d.mentioned:
            continue
        name = TABLE_NAMES[key]
        flags.append(Flag(
            code="table-missing", severity="warning", text=name,
            message=(f"部门决算公开应包括九张表，本文有其中{len(d.mentioned)}张，未见《{name}》；"
                     f"没有数据的表也应公开空表并注明“本表无数据”。"),
            message_en=(f"a 部门决算 disclosure has nine standard tables; this one shows {len(d.mentioned)} of them but "
                        f"not '{name}' (a table without figures is still published, marked 本表无数据)."),
            page=d.first_page, confidence=0.7))
    return flags


@register("disclosure")
def check_disclosure(report: Report) -> list[Flag]:
    d = disclosure_of(report)
    if not d.tables:
        return []
    return _column_identities(d) + _balances(d) + _cross(d) + _missing(d, report)


__all__ = ["Disclosure", "NINE", "TABLE_NAMES", "check_disclosure", "disclosure_of", "example_term", "read_disclosure",
           "sum_flag", "term"]
