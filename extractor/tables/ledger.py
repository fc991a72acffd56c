"""决算/预算 line tables read on any grid: which rows are totals, which are lines, and the
level of each line, so a total is only ever compared with the rows one level below it.

A grid is split into column groups (a side-by-side 总表 prints 收入 items with their amounts
in its left half and 支出 items in its right half: each half is a group). Within a group the
total rows (合计/总计/小计) cut the rows into blocks; a block's levels come, in this order,
from the 功能分类/经济分类 codes (joined `2010601`, split over 类 | 款 | 项 columns, in
brackets or glued to the name), from outline prefixes (一、 （一） 1、), from indentation,
and failing all of these from the sums themselves: the hierarchy under which every parent is
the sum of its children and the total the sum of the top rows. A block no hierarchy can make
add up is `unbalanced`: its total is wrong somewhere, but which rows to add is unknown.

Row words are data (`patterns/ledger_rows.json`); this module only applies them.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import regex

from .. import patternbook
from ..model import Document, Quantity, Table
from ..text.normalize import normalize
from ..text.quantities import column_kind, is_line_row, is_numbering_row

MAX_DEPTH = 3  # 类 / 款 / 项
SEARCH_BUDGET = 20_000  # steps of the level search per block; past it the block stays unknown


@dataclass
class LedgerRow:
    """One row of a column group: `level` 1 (类) … 3 (项), 0 for a total, None if unknown."""

    table: int
    row: int
    name: str
    kind: str  # total | sub | line
    code: str | None = None
    level: int | None = None
    values: dict[int, Quantity] = field(default_factory=dict)  # k-th amount column of the group -> figure
    rank: int | None = None  # outline prefix rank (一、 1; （一） 2; 1、 3; （1） 4)
    indent: int = 0  # leading spaces of the label
    ordinal: str | None = None  # the outline prefix as written (`一、`), when the label has one


@dataclass
class Block:
    """A total row and the rows it sums; `how` says where the levels came from."""

    total: LedgerRow
    members: list[LedgerRow]
    how: str  # code | prefix | indent | sums | flat | unbalanced
    parents: list[int | None] = field(default_factory=list)  # index into members; -1 the total


@dataclass
class Group:
    label_cols: tuple[int, ...]
    amount_cols: tuple[int, ...]
    rows: list[LedgerRow]
    blocks: list[Block]


@dataclass
class Ledger:
    tables: list[int]
    groups: list[Group]


# ---------------------------------------------------------------- row words


@functools.lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    by_name = {e["name"]: e for e in patternbook.entries("ledger_rows")}
    return {
        "total": regex.compile(by_name["total"]["pattern"]),
        "sub": regex.compile(by_name["sub"]["pattern"]),
        "code": regex.compile(by_name["code-in-label"]["pattern"]),
        "ranks": [(e["rank"], regex.compile(e["pattern"])) for e in by_name["outline-prefix"]["ranks"]],
    }


_SPACE = regex.compile(r"[\s\u3000]+")


@functools.lru_cache(maxsize=8192)
def read_label(text: str) -> tuple[str, str | None, int | None, str]:
    """(kind, code, outline rank, name) of a row label."""
    r = _rules()
    s = normalize(text).text.strip()
    m = r["code"].match(s)
    if m:
        return "line", m.group(1), None, _SPACE.sub("", s[m.end():])
    compact = _SPACE.sub("", s)
    if r["total"].match(compact):
        rank_free = compact
        for _rank, pat in r["ranks"]:
            rank_free = pat.sub("", rank_free, count=1)
        return "total", None, None, rank_free
    sub = r["sub"].match(compact)
    if sub:
        return "sub", None, None, compact[sub.end():]
    for rank, pat in r["ranks"]:
        pm = pat.match(compact)
        if pm:
            return "line", None, rank, compact[pm.end():]
    return "line", None, None, compact


def outline_rank(text: str) -> int | None:
    """The outline rank of a label's prefix (一、 1; （一） 2; 1、 3; （1） 4), or None."""
    return outline_prefix(text)[0]


def outline_prefix(text: str) -> tuple[int | None, str | None]:
    """(rank, prefix as written) of a label's outline prefix (`一、` → (1, `一、`))."""
    compact = _SPACE.sub("", normalize(text).text)
    for rank, pat in _rules()["ranks"]:
        m = pat.match(compact)
        if m:
            return rank, m.group(0)
    return None, None


def example_row(text: str) -> dict[str, Any]:
    """Runner of patterns/ledger_rows.json."""
    kind, code, rank, name = read_label(text)
    return {"kind": kind, "code": code, "rank": rank, "name": name}


# ---------------------------------------------------------------- column groups

_CODE = regex.compile(r"\d{3}(?:\d{2}){0,2}")
_PART_CODE = regex.compile(r"\d{2,3}")
_NUMBERING_HEADER = ("行次", "栏次")


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \u3000\t"))


def _header_texts(chain: list[Table], header_rows: dict[int, set[int]]) -> dict[int, str]:
    """Each column's header words (a `栏次 | 1 | 2` numbering row names no column)."""
    t = chain[0]
    rows = [r for r in sorted(header_rows[t.index]) if not is_numbering_row(t, r)]
    return {c: "".join(_SPACE.sub("", t.cell(r, c)) for r in rows) for c in range(t.n_cols)}


def _groups_of(chain: list[Table], amounts: dict[tuple[int, int, int], Quantity],
               header_rows: dict[int, set[int]]) -> list[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]]:
    """(code columns, label columns, amount columns) of each side-by-side half."""
    t0 = chain[0]
    n = t0.n_cols
    headers = _header_texts(chain, header_rows)
    in_chain = {t.index for t in chain}
    amount_cols = {c for (ti, _r, c) in amounts if ti in in_chain}
    text_cols: set[int] = set()
    code_cols: set[int] = set()
    for t in chain:
        for r in range(t.n_rows):
            if r in header_rows[t.index]:
                continue
            for c in range(min(n, t.n_cols)):
                s = _SPACE.sub("", normalize(t.cell(r, c)).text)
                if not s or c in amount_cols:
                    continue
                if s.isdigit() or s in ("*", "**"):
                    code_cols.add(c)
                else:
                    text_cols.add(c)
    for c, h in headers.items():
        if column_kind(h) == "code" and c not in amount_cols:
            code_cols.add(c)
    groups: list[tuple[list[int], list[int], list[int]]] = []
    current: tuple[list[int], list[int], list[int]] | None = None
    for c in range(n):
        if c in amount_cols:
            if current is not None:
                current[2].append(c)
            continue
        if c in text_cols or c in code_cols:
            if current is None or current[2]:
                current = ([], [], [])
                groups.append(current)
            (current[1] if c in text_cols and c not in code_cols else current[0]).append(c)
    return [(tuple(a), tuple(b), tuple(cc)) for a, b, cc in groups if cc and (a or b)]


def _split_code(cells: list[str], carry: list[str]) -> tuple[str | None, int | None]:
    """The code of a row whose code is split over 类 | 款 | 项 columns: the level is the last
    column filled; a 款 row printing only `40` takes its 类 from the rows above (`carry`,
    updated here)."""
    filled = [(i, s) for i, s in enumerate(cells) if s]
    joined = [s for _i, s in filled if _CODE.fullmatch(s) and len(s) > 3]
    if joined:  # a joined code (the first, when a second scheme's code stands beside it)
        return joined[0], (len(joined[0]) - 1) // 2
    if len(cells) > 1:  # a spreadsheet stores the 款/项 part `01` as the number 1
        filled = [(i, s.zfill(2) if i and s.isdigit() and len(s) == 1 else s) for i, s in filled]
    if not filled or not all(_PART_CODE.fullmatch(s) for _i, s in filled):
        return None, None
    if len(cells) == 1:  # one column holding `208`, then `05` for its 款
        part = filled[0][1]
        if len(part) == 3:
            carry[:] = [part]
            return part, 1
        if carry:
            carry[:] = [carry[0], part]
            return carry[0] + part, 2
        return None, None
    last = filled[-1][0]
    parts = (carry + [""] * len(cells))[:len(cells)]
    for i, s in filled:
        parts[i] = s
    parts = parts[:last + 1]
    carry[:] = parts
    return ("".join(parts) if all(parts) else None), min(last + 1, MAX_DEPTH)


def _counts_rows(chain: list[Table], header_rows: dict[int, set[int]], c: int) -> bool:
    """Column c numbers the rows 1, 2, 3 … without a gap over the whole table (a 序号 column):
    a count, not codes (an outline 序号 starts again from 1 under each heading)."""
    seen = [_SPACE.sub("", normalize(t.cell(r, c)).text) for t in chain for r in range(t.n_rows)
            if r not in header_rows[t.index] and t.cell(r, c).strip()]
    return len(seen) >= 3 and seen == [str(i) for i in range(1, len(seen) + 1)]


def _rows_of(chain: list[Table], header_rows: dict[int, set[int]], code_cols: tuple[int, ...], label_cols: tuple[int, ...],
             amount_cols: tuple[int, ...], amounts: dict[tuple[int, int, int], Quantity]) -> list[LedgerRow]:
    rows: list[LedgerRow] = []
    headers = _header_texts(chain, header_rows)
    real_code_cols = tuple(c for c in code_cols if not any(w in headers.get(c, "") for w in _NUMBERING_HEADER)
                           and not _counts_rows(chain, header_rows, c))
    carry: list[str] = []
    for t in chain:
        for r in range(t.n_rows):
            if r in header_rows[t.index] or is_numbering_row(t, r):
                continue
            values = {k: amounts[(t.index, r, c)] for k, c in enumerate(amount_cols) if (t.index, r, c) in amounts}
            raw = " ".join(t.cell(r, c) for c in label_cols if t.cell(r, c).strip())
            if not raw.strip():  # `合计` written across the code and name cells stands in the code column
                raw = next((t.cell(r, c) for c in code_cols if read_label(t.cell(r, c))[0] == "total"), "")
            kind, code, rank, name = read_label(raw) if raw.strip() else ("line", None, None, "")
            if kind == "total":
                rank = outline_rank(raw)
            level = None
            if real_code_cols:
                cells = [_SPACE.sub("", normalize(t.cell(r, c)).text) for c in real_code_cols]
                split, lvl = _split_code(cells, carry)
                if split is not None:
                    code, level = split, lvl
                elif rank is None and kind != "total":
                    # a 序号 column numbering the rows as an outline (一 / 1 / （1）)
                    rank = next((outline_rank(x if x[-1] in ")）" else x + "、") for x in cells
                                 if 0 < len(x) <= 4), None)
            if code is not None and level is None and _CODE.fullmatch(code):
                level = (len(code) - 1) // 2
            if not values and not name:
                continue
            rows.append(LedgerRow(t.index, r, name, kind, code, level, values, rank, _indent(raw),
                                  outline_prefix(raw)[1]))
    return rows


# ---------------------------------------------------------------- blocks and levels


def _vector(row: LedgerRow, width: int | tuple[int, ...]) -> tuple[Decimal, ...]:
    ks = range(width) if isinstance(width, int) else width
    return tuple(row.values[k].value_yuan if k in row.values and row.values[k].value_yuan is not None
                 else Decimal(0) for k in ks)


def _half_ulp(q: Quantity) -> Decimal:
    v = q.value_yuan if q.value_yuan is not None else q.value
    return Decimal(1).scaleb(v.as_tuple().exponent) / 2


def _blocks(rows: list[LedgerRow]) -> list[tuple[LedgerRow, list[LedgerRow]]]:
    """Each total row with the rows it sums: the rows after a total that opens the group, or
    the rows since the previous total; a 总计 after a 合计 also counts that 合计; a 合计 right
    after 小计s sums the 小计s."""
    out: list[tuple[LedgerRow, list[LedgerRow]]] = []
    lines = [i for i, r in enumerate(rows) if r.kind != "total"]
    totals = [i for i, r in enumerate(rows) if r.kind == "total"]
    subtotals: list[int] = []
    taken: set[int] = set()
    for k, ti in enumerate(totals):
        prev = totals[k - 1] if k else -1
        nxt = totals[k + 1] if k + 1 < len(totals) else len(rows)
        # the rows between two totals, found by position (a scan of all rows per total is
        # quadratic in a table of thousands of 小计)
        above = [i for i in lines[bisect.bisect_right(lines, prev):bisect.bisect_left(lines, ti)] if i not in taken]
        below = lines[bisect.bisect_right(lines, ti):bisect.bisect_left(lines, nxt)]
        name = rows[ti].name
        if not above and k == 0 and below:
            # a total opening its group (`合计` under the header, `一、本年支出合计`) sums the
            # rows below it, up to the next row of its own outline rank (`二、年末结转`; its
            # lines may be numbered again from `一、` under it)
            if rows[ti].rank is not None and rows[below[0]].ordinal == rows[ti].ordinal:
                below = _summing_run(rows[ti], [rows[i] for i in below], below)
            elif rows[ti].rank is not None:
                stop = next((i for i in below if rows[i].rank == rows[ti].rank), None)
                below = [i for i in below if stop is None or i < stop]
            members = below
            taken |= set(below)
        elif "小计" not in name and subtotals and not above:
            members = list(subtotals)
        else:
            members = above
            if prev >= 0 and "小计" not in rows[prev].name and "总计" not in rows[prev].name and (
                    "总计" in name or (rows[prev].name.startswith("本年") and not name.startswith("本年"))):
                members = [prev] + members  # 收入总计 = 本年收入合计 + 结转结余 rows
            taken |= set(above)
        if "小计" in name:
            subtotals.append(ti)  # (`members` above took a copy)
        else:
            subtotals = []
        members = [i for i in members if rows[i].kind != "sub"]
        if members:
            out.append((rows[ti], [rows[i] for i in members]))
    return out


def _summing_run(total: LedgerRow, below: list[LedgerRow], idx: list[int]) -> list[int]:
    """The rows under an opening total whose lines are numbered again from its own ordinal
    (`一、本年支出` over `一、一般公共服务支出 … 四、住房保障支出`, then `二、结转下年支出`): the
    prefix cannot tell where its lines end, so they end where they first add up to it."""
    ks = tuple(sorted(total.values))
    if not ks:
        return idx
    need = _vector(total, ks)
    acc = [Decimal(0)] * len(ks)
    tol = sum((_half_ulp(q) for q in total.values.values()), Decimal(0))
    for j, row in enumerate(below):
        acc = [a + b for a, b in zip(acc, _vector(row, ks))]
        tol += max((_half_ulp(q) for q in row.values.values()), default=Decimal(0))
        if row.values and all(abs(a - b) <= tol for a, b in zip(acc, need)):
            return idx[:j + 1]
    return idx


def _levels_from(members: list[LedgerRow], attr: str) -> list[int | None] | None:
    """Levels from outline ranks or indentation: the distinct values present, in order,
    become levels 1, 2, 3. Totals carried in as members are level 1."""
    vals = [getattr(m, attr) if m.kind != "total" else None for m in members]
    present = sorted({v for v in vals if v is not None})
    if attr == "indent" and len(present) < 2:
        return None
    if not present:
        return None
    rank_level = {v: i + 1 for i, v in enumerate(present)}
    return [1 if m.kind == "total" else (rank_level[v] if v is not None else None) for m, v in zip(members, vals)]


def column_balances(block: Block, k: int) -> bool:
    """Whether the k-th amount column of a block adds up under some hierarchy on its own."""
    return _infer(block.total, block.members, (k,)) is not None


def _infer(total: LedgerRow, members: list[LedgerRow], width: int | tuple[int, ...]) -> list[int] | None:
    """Levels under which every parent is the sum of its children and the total the sum of
    the top rows (the first hierarchy found, members that are totals kept at the top), or
    None when none exists within the search budget."""
    vecs = [_vector(m, width) for m in members]
    n = len(members)
    ks = range(width) if isinstance(width, int) else width
    tol_unit = [sum((_half_ulp(m.values[k]) for m in members + [total] if k in m.values), Decimal(0)) for k in ks]
    pinned = [m.kind == "total" for m in members]
    # the most the rows from i on can add back to what is still needed: the sum of their
    # negative figures (a decrease column, `-91800`), so a row larger than the rest needed
    # does not end the search while negative rows may follow it
    negative_after = [tuple(Decimal(0) for _ in ks)] * (n + 1)
    for i in range(n - 1, -1, -1):
        negative_after[i] = tuple(a + min(b, Decimal(0)) for a, b in zip(negative_after[i + 1], vecs[i]))
    steps = [0]
    memo: dict[tuple[int, int, tuple[Decimal, ...]], dict[int, tuple[str, int]]] = {}

    def close(need: tuple[Decimal, ...]) -> bool:
        return all(abs(x) <= t for x, t in zip(need, tol_unit))

    def sibs(i: int, depth: int, need: tuple[Decimal, ...]) -> dict[int, tuple[str, int]]:
        key = (i, depth, need)
        if key in memo:
            return memo[key]
        steps[0] += 1
        got: dict[int, tuple[str, int]] = {}
        memo[key] = got
        if steps[0] > SEARCH_BUDGET:
            return got
        if close(need):
            got[i] = ("end", i)
        if i >= n or (pinned[i] and depth > 1):
            return got
        v = vecs[i]
        rest = tuple(a - b for a, b in zip(need, v))
        if all(x >= g - t for x, t, g in zip(rest, tol_unit, negative_after[i + 1])):
            for j in sibs(i + 1, depth, rest):
                got.setdefault(j, ("leaf", i + 1))
            if depth < MAX_DEPTH and not pinned[i] and any(v):
                for k in sibs(i + 1, depth + 1, v):
                    if k > i + 1:
                        for j in sibs(k, depth, rest):
                            got.setdefault(j, ("parent", k))
        return got

    start = _vector(total, width)
    if n not in sibs(0, 1, start):
        return None
    levels = [0] * n

    def build(i: int, depth: int, need: tuple[Decimal, ...], j: int) -> None:
        while i < j:
            how, k = memo[(i, depth, need)][j]
            if how == "end":
                return
            levels[i] = depth
            rest = tuple(a - b for a, b in zip(need, vecs[i]))
            if how == "parent":
                build(i + 1, depth + 1, vecs[i], k)
                i, need = k, rest
            else:
                i, need = i + 1, rest

    build(0, 1, start, n)
    return levels


def _code_parents(members: list[LedgerRow]) -> list[int | None] | None:
    """Parents from the codes themselves: a row's parent is the nearest row above whose code
    is a prefix of its own (`3010201` under `301` when `30102` is not printed); a row with
    figures but no code among coded rows (a unit's subtotal line) heads the rows after it;
    -1 is the block's total. None when too few rows carry a code."""
    if sum(1 for m in members if m.code) < max(2, len(members) // 2):
        return None
    parents: list[int | None] = []
    head, stack = -1, []
    for i, m in enumerate(members):
        if m.kind == "total" or (m.code is None and m.values):
            parents.append(-1)
            head, stack = (-1 if m.kind == "total" else i), []
            continue
        if m.code is None:
            parents.append(None)  # a label wrapped onto a line of its own
            continue
        while stack and not (m.code.startswith(members[stack[-1]].code or "")
                             and len(m.code) > len(members[stack[-1]].code or "")):
            stack.pop()
        parents.append(stack[-1] if stack else head)
        stack.append(i)
    return parents


def _level_parents(levels: list[int]) -> list[int | None]:
    """Parents from levels: the nearest row above one level up (-1, the total, for level 1)."""
    parents: list[int | None] = []
    last_at: dict[int, int] = {}
    for i, lv in enumerate(levels):
        parents.append(-1 if lv <= 1 else last_at.get(lv - 1))
        last_at[lv] = i
        for deeper in [k for k in last_at if k > lv]:
            del last_at[deeper]
    return parents


def _depths(parents: list[int | None]) -> list[int | None]:
    out: list[int | None] = []
    for p in parents:
        out.append(None if p is None else 1 if p < 0 else (out[p] or 0) + 1)
    return out


def _settle(total: LedgerRow, members: list[LedgerRow], width: int) -> Block:
    total.level = 0
    parents = _code_parents(members)
    how = "code"
    if parents is None:
        for attr, name in (("rank", "prefix"), ("indent", "indent")):
            levels = _levels_from(members, attr)
            if levels is not None and all(lv is not None for lv in levels):
                parents, how = _level_parents(levels), name
                break
    if parents is None:
        inferred = _infer(total, members, width)
        if inferred is not None:
            parents, how = _level_parents(inferred), "sums"
        elif len(members) <= 2 or not any(any(_vector(m, width)) for m in members):
            parents, how = [-1] * len(members), "flat"
        else:
            return Block(total, members, "unbalanced")
    for m, d in zip(members, _depths(parents)):
        m.level = d
    return Block(total, members, how, parents)


# ---------------------------------------------------------------- whole tables


def table_chains(doc: Document) -> list[list[Table]]:
    """Tables continued over a page break: a table whose first row is already data (a
    category code or a number) and that has as many columns continues the one before."""
    chains: list[list[Table]] = []
    for t in doc.tables:
        top = _first_filled_row(t)
        first = _SPACE.sub("", t.cell(top, 0)) if t.n_rows else ""
        data_first = bool(_CODE_START.match(first)) or any(
            _PLAIN_NUMBER.fullmatch(t.cell(top, c).strip()) for c in range(1, t.n_cols))
        prev = chains[-1][-1] if chains else None
        next_page = prev is not None and doc.turns_page(prev.page, t.page)
        follows = prev is not None and prev.n_cols == t.n_cols and prev.index == t.index - 1 and (
            data_first or (next_page and (_same_header(prev, t) or _line_first(t)
                                          or is_line_row(prev, t, _first_filled_row(t)))))
        if follows:
            chains[-1].append(t)
        else:
            chains.append([t])
    return chains


def _same_header(a: Table, b: Table) -> bool:
    """A table whose first row repeats the previous table's (a header printed again on the
    continuation page)."""
    if b.context.strip() and "续" not in b.context and _SPACE.sub("", b.context) != _SPACE.sub("", a.context):
        return False  # a caption of its own: a new table with the same columns
    return bool(a.n_rows and b.n_rows) and any(a.cell(0, c).strip() for c in range(a.n_cols)) and all(
        _SPACE.sub("", a.cell(0, c)) == _SPACE.sub("", b.cell(0, c)) for c in range(a.n_cols))


def _line_first(t: Table) -> bool:
    """The first row is a line whose figures are blank (`（十九）自然资源海洋气象等支出 |`): one
    label with an outline prefix and nothing else, so no header of its own."""
    top = _first_filled_row(t)
    filled = [t.cell(top, c) for c in range(t.n_cols) if t.cell(top, c).strip()] if t.n_rows else []
    return len(filled) == 1 and read_label(filled[0])[2] is not None


def _first_filled_row(t: Table) -> int:
    """The first row with any text (an empty grid row at the top of a page says nothing)."""
    return next((r for r in range(t.n_rows) if any(t.cell(r, c).strip() for c in range(t.n_cols))), 0)


_CODE_START = regex.compile(r"\d{3,}")
_PLAIN_NUMBER = regex.compile(r"-?[\d,]+(?:\.\d+)?")


def _header_rows(t: Table, amounts: dict[tuple[int, int, int], Quantity]) -> set[int]:
    rows_with_amounts = sorted({r for (ti, r, _c) in amounts if ti == t.index})
    first = rows_with_amounts[0] if rows_with_amounts else t.n_rows
    out = set()
    for r in range(first):
        cells = [t.cell(r, c) for c in range(t.n_cols) if t.cell(r, c).strip()]
        if cells and read_label(cells[0])[0] == "total":  # a 合计 row whose figures are blank
            break
        out.add(r)
    return out


def read_ledgers(doc: Document, quantities: list[Quantity], skip: set[int] = frozenset()) -> list[Ledger]:
    """The line structure of every table (chains over page breaks read as one), except the
    tables in `skip` (self-evaluation forms, read by their own reader)."""
    amounts: dict[tuple[int, int, int], Quantity] = {}
    for q in quantities:
        if q.table is not None and q.row is not None and q.kind == "amount" and q.value_yuan is not None:
            amounts[(q.table, q.row, q.col)] = q
    out: list[Ledger] = []
    for chain in table_chains(doc):
        if any(t.index in skip for t in chain):
            continue
        header_rows = {t.index: _header_rows(t, amounts) for t in chain}
        headers = _header_texts(chain, header_rows)
        laid: list[tuple[tuple[int, ...], tuple[int, ...], list[LedgerRow]]] = []
        for code_cols, label_cols, amount_cols in _groups_of(chain, amounts, header_rows):
            rows = _rows_of(chain, header_rows, code_cols, label_cols, amount_cols, amounts)
            if laid and _continues(laid[-1], label_cols, amount_cols, headers):
                # a list printed in newspaper columns: its rows go on in the next half
                kept = [r for r in laid[-1][2] if r.kind != "total"]  # its total row spans into this half
                label_cols, amount_cols, rows = laid[-1][0], laid[-1][1], kept + rows
                laid.pop()
            laid.append((label_cols, amount_cols, rows))
        groups: list[Group] = []
        for label_cols, amount_cols, rows in laid:
            blocks = [_settle(total, members, len(amount_cols)) for total, members in _blocks(rows)]
            groups.append(Group(label_cols, amount_cols, rows, blocks))
        if groups:
            out.append(Ledger([t.index for t in chain], groups))
    return out


def _continues(prev: tuple[tuple[int, ...], tuple[int, ...], list[LedgerRow]], label_cols: tuple[int, ...],
               amount_cols: tuple[int, ...], headers: dict[int, str]) -> bool:
    """The next half continues the previous one's list: the previous has no total of its
    own, the two have as many amount columns, and the same header over their labels."""
    p_labels, p_amounts, p_rows = prev
    if any(r.kind == "total" and r.values for r in p_rows) or len(p_amounts) != len(amount_cols):
        return False
    return bool(p_labels and label_cols) and headers.get(p_labels[0]) == headers.get(label_cols[0])


def parts_of(block: Block) -> list[tuple[LedgerRow, list[LedgerRow]]]:
    """(parent, direct children) pairs of a block whose levels are known: the total with the
    top rows, and every row with the rows right under it."""
    if block.how == "unbalanced":
        return []
    kids: dict[int, list[LedgerRow]] = {}
    for m, p in zip(block.members, block.parents):
        if p is not None:
            kids.setdefault(p, []).append(m)
    return [(block.total if p < 0 else block.members[p], ks) for p, ks in sorted(kids.items())]
