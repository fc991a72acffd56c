"""Budget lines: 预算/决算 收入/支出 by year and 功能分类, from prose and from tables.

Cue words and category names live in patterns/categories.json and patterns/fund_rows.json.
"""
from __future__ import annotations

import functools
import re
from typing import Any

from .. import patternbook
from ..model import BudgetLine, DocMeta, Document, Quantity
from ..tables.ledger import read_label
from ..text.normalize import normalize
from ..text.quantities import column_kind

@functools.lru_cache(maxsize=None)
def _budget_rules() -> dict[str, Any]:
    cats: list[tuple[str, str]] = []
    items: list[tuple[str, str]] = []
    stages: list[tuple[str, str]] = []
    skip: list[str] = []
    neutral: list[str] = []
    subset: list[str] = []
    for e in patternbook.entries("categories"):
        neutral += e.get("neutral", [])
        subset += e.get("subset_tables", [])
        if e["kind"] == "category":
            cats += [(n, e["code"]) for n in e["names"]]
        elif e["kind"] == "item":
            items += [(f, e["direction"]) for f in e["forms"]]
        elif e["kind"] == "stage":
            stages += [(c, e["stage"]) for c in e["cues"]]
        elif e["kind"] == "skip":
            skip += e["cues"]
    return {
        "cats": sorted(cats, key=lambda x: -len(x[0])),
        "cat_names": tuple(n for n, _code in cats),
        "items": sorted(items, key=lambda x: -len(x[0])),
        "stages": stages,
        "skip": skip,
        "neutral": neutral,
        "subset_tables": subset,
        "default_stage": next(e["stage"] for e in patternbook.entries("categories") if e.get("default")),
    }


def stage_in(text: str) -> str | None:
    """决算 → final, 预算 → budget (决算 checked first: 预算 also appears in 决算 headings and in
    fund names such as 一般公共预算, which are dropped first)."""
    for name in _budget_rules()["neutral"]:
        text = text.replace(name, "")
    for cue, stage in _budget_rules()["stages"]:
        if cue in text:
            return stage
    return None


def _category_match(norm: str) -> tuple[str, str] | None:
    """(name, code) of the category name or old alias (医疗卫生支出 → 210) that `norm` ends with."""
    rules = _budget_rules()
    if not norm.endswith(rules["cat_names"]):  # one test of every name before the one that ends it
        return None
    for name, code in rules["cats"]:
        if norm.endswith(name):
            return name, code
    return None


def category_code(text: str) -> str | None:
    """The 功能分类 类 code of a name ending in a category name or an old alias."""
    got = _category_match(normalize(text).text)
    return got[1] if got else None


@functools.lru_cache(maxsize=16384)  # a long document repeats its labels; callers never mutate the dict
def classify_budget_label(text: str) -> dict[str, Any]:
    """Runner of categories.json: direction, stage and category code a label names, or all None."""
    none = {"direction": None, "stage": None, "category_code": None}
    norm = normalize(text or "").text.strip(" 。；;，,:：")
    rules = _budget_rules()
    if not norm or any(c in norm for c in rules["skip"]) or re.search(r"[(（](?:款|项)[)）]$", norm):
        return none
    norm = re.sub(r"[(（]类[)）]$", "", norm)
    cat = _category_match(norm)
    if cat:
        return {"direction": "expenditure", "stage": stage_in(norm[: -len(cat[0])]), "category_code": cat[1]}
    for form, direction in rules["items"]:
        if norm.endswith(form):
            return {"direction": direction, "stage": stage_in(norm), "category_code": None}
    return none


_HEADING = re.compile(r"^\s*(?:[（(]\s*[0-9一二三四五六七八九十]+\s*[)）]|[0-9]+[.．、]|[一二三四五六七八九十]+、)")


def _stage_from_context(text: str, start: int) -> str | None:
    """Stage cue in the amount's own line, else in the nearest heading line above it."""
    line_start = text.rfind("\n", 0, start) + 1
    own = stage_in(normalize(text[line_start:start]).text)
    if own:
        return own
    if _HEADING.match(text[line_start:start]) and line_start > 0:
        # an item of a numbered list: the stage is named in the sentence that opens the list
        end = line_start
        prev = text.rfind("\n", 0, end - 1) + 1
        while prev > 0 and _HEADING.match(text[prev:end]) and not text[prev:end].rstrip().endswith(("：", ":")):
            end = prev
            prev = text.rfind("\n", 0, end - 1) + 1
        intro = text[prev:end].rstrip()
        if intro.endswith(("：", ":")):
            got = stage_in(normalize(intro).text)
            if got:
                return got
    pos = line_start
    for _ in range(12):
        if pos <= 0:
            break
        prev = text.rfind("\n", 0, pos - 1) + 1
        line = text[prev:pos].strip()
        pos = prev
        if len(line) <= 40 and _HEADING.match(line):
            got = stage_in(normalize(line).text)
            if got:
                return got
    return None


def _table_category(doc: Document, q: Quantity, amount_cells: set[tuple[int, int, int]]) -> str | None:
    """A 科目编码 cell in the quantity's row (`201`, `2010301`), else the category of its label."""
    t = doc.tables[q.table] if q.table is not None and q.table < len(doc.tables) else None
    if t is not None and q.row is not None:
        # code cells stand left of the row's figures; a figure of the half on the left (`225`)
        # is an amount, not a code
        for col, cell in enumerate(t.cells[q.row][:q.col if q.col is not None else None]):
            c = normalize(cell).text.strip()
            if re.fullmatch(r"2\d{2}(?:\d{2}){0,2}", c) and (q.table, q.row, col) not in amount_cells:
                return c
    return category_code(q.label or "")


_TABLE_TITLE = re.compile(r"表(?:[（(][^（()）]{1,20}[）)])?$")  # `收入支出决算总表（支出功能分类）`


def _caption(doc: Document, index: int) -> str | None:
    """The title line of a 决算/预算 table (`支出决算表`), or that of the table it continues."""
    tables = doc.tables
    t = tables[index]
    lines = [normalize(x).text.strip() for x in t.context.splitlines()]
    # (a title printed as the grid's first row, alone in it, is the caption too: 49's 预算表)
    lines += [normalize(row[0]).text.strip() for row in t.cells[:2]
              if row and row[0].strip() and not any(x.strip() for x in row[1:])]
    titled = [x for x in lines if _TABLE_TITLE.search(x) and len(x) <= 40]
    if titled:
        return titled[-1]
    prev = tables[index - 1] if index > 0 else None
    if prev is not None and prev.n_cols == t.n_cols and (not t.context.strip() or doc.turns_page(prev.page, t.page)):
        return _caption(doc, index - 1)  # a continuation (under a running page header at most)
    return None


_MONEY_TABLE = re.compile(r"(?:收支|收入|支出)\S{0,8}表")  # `财政拨款收支总表`: names no stage itself
_DOC_TITLE = re.compile(r"(?:19|20)\d{2}\s*年度?\S{0,12}(?:预算|决算)")


def _document_stage(doc: Document, meta: DocMeta) -> str | None:
    """The stage the document's title names (`…2026年度部门预算`, in the text or above a
    workbook's first table), for a table whose caption names none (`收支总表`)."""
    if meta.title:
        return stage_in(normalize(meta.title).text)
    above_first = doc.tables[0].context.splitlines() if doc.tables else []  # (a workbook's title row)
    for line in doc.text.splitlines()[:8] + above_first:
        norm = normalize(line).text.strip()
        if len(norm) <= 60 and _DOC_TITLE.search(norm):
            return stage_in(norm)
    return None


def _first_amount_of_row(doc: Document, q: Quantity) -> bool:
    """True for the amount right after its row label (the 合计/决算数 column of its side)."""
    t = doc.tables[q.table]
    if q.row is None or q.col is None or q.row >= len(t.cells):
        return False
    for c in range(q.col - 1, -1, -1):
        txt = t.cells[q.row][c].strip() if c < len(t.cells[q.row]) else ""
        if txt and re.fullmatch(r"\d{1,3}", txt) and _numbering_column(doc, q.table, c, q.row):
            continue  # a 行次 cell between the label and the figures
        if txt:
            return not re.fullmatch(r"[-\d.,%\s]+", txt) or bool(re.fullmatch(r"2\d{2}(?:\d{2}){0,2}", txt))
    return False


def _numbering_column(doc: Document, index: int, c: int, row: int) -> bool:
    """A column a header cell above `row` names 行次/栏次/序号 (its integers number rows); on a
    continuation page without a header, the header of the table it continues."""
    t = doc.tables[index]
    if any(c < len(t.cells[r]) and t.cells[r][c].strip() and column_kind(t.cells[r][c]) == "code"
           and not re.fullmatch(r"[-\d.,%\s]+", t.cells[r][c]) for r in range(min(row, 6))):
        return True
    if index > 0 and not t.context.strip() and doc.tables[index - 1].n_cols == t.n_cols:
        prev = doc.tables[index - 1]
        return _numbering_column(doc, index - 1, c, prev.n_rows)
    return False


def budget_lines(doc: Document, quantities: list[Quantity], meta: DocMeta) -> list[BudgetLine]:
    """预算/决算 收入/支出/结余 lines by year, from prose labels and 决算 table rows.

    Prose: an amount whose label names a budget item (patterns/categories.json); the stage
    comes from the label or the section heading above. Tables: the first amount of each row
    of a table whose caption names a 决算/预算 table.
    """
    out: list[BudgetLine] = []
    seen: dict[tuple, int] = {}
    rows_taken: set[tuple[int, int, str]] = set()
    amount_cells = {(q.table, q.row, q.col) for q in quantities if q.kind == "amount" and q.table is not None}
    from_table: list[bool] = []
    captions: dict[int, str | None] = {}  # per table: its figures ask for it one by one
    for q in quantities:
        if q.kind != "amount" or q.value_yuan is None or not q.label:
            continue
        cls = classify_budget_label(q.label)
        bare_total = cls["direction"] is None and q.table is not None and read_label(q.label)[0] == "total"
        if cls["direction"] is None and not bare_total:
            continue  # (a bare `合计` row takes its direction from the table's caption below)
        if q.table is not None and q.table < len(doc.tables):  # (a flattened table's cell has offsets too)
            if q.table not in captions:
                captions[q.table] = _caption(doc, q.table)
            caption = captions[q.table]
            if caption is None or any(w in caption for w in _budget_rules()["subset_tables"]):
                continue
            stage = stage_in(caption) or cls["stage"] or (
                _document_stage(doc, meta) if _MONEY_TABLE.search(caption) else None)
            key = (q.table, q.row or 0, q.label)
            if stage is None or key in rows_taken or not _first_amount_of_row(doc, q):
                continue
            rows_taken.add(key)
            code = _table_category(doc, q, amount_cells)
            if ("收入" in caption) != ("支出" in caption) and cls["direction"] != "balance":  # (结转和结余 stays)
                cls = dict(cls, direction="income" if "收入" in caption else "expenditure")
            elif bare_total:
                continue
        elif q.start is not None:
            stage = cls["stage"] or _stage_from_context(doc.text, q.start)
            code = cls["category_code"]
        else:
            continue
        if stage is None and (meta.report_type == "final-accounts" or q.start is not None):
            stage = _budget_rules()["default_stage"]
        if stage is None:
            continue
        year = q.year or meta.report_year
        item = normalize(q.label).text.strip()
        item = re.sub(r"^(?:[0-9]+[.．、]|[一二三四五六七八九十]+、|(?:19|20)\d{2}年度?)+", "", item) or item
        dedup = (year, stage, cls["direction"], item, q.value_yuan)
        line = BudgetLine(year=year, stage=stage, direction=cls["direction"], item=item, category_code=code,
                          value_yuan=q.value_yuan, text=q.text, page=q.page,
                          source="table" if q.table is not None else "text")
        if dedup in seen:
            at = seen[dedup]
            if q.table is not None and not from_table[at]:  # the table is the source
                out[at], from_table[at] = line, True
            continue
        seen[dedup] = len(out)
        out.append(line)
        from_table.append(q.table is not None)
    # a sentence restating a line of a 决算 table is not a second line (the table is the source)
    tabled = {(b.year, b.stage, b.direction, b.item) for b, t in zip(out, from_table) if t}
    return [b for b, t in zip(out, from_table) if t or (b.year, b.stage, b.direction, b.item) not in tabled]

