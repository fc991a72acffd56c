"""The plain data every stage shares: Document (from readers), Quantity, Flag, facts, Report.

Readers produce a `Document`; everything after them sees only this model, never the file
format. Amounts are `Decimal` and keep the precision they were written with.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported only by report_frames, not by the batch workers
    import pandas as pd


class ReadError(Exception):
    """A file that cannot be read as a report; the message is one line naming the reason."""


def _compact(cls: type) -> type:
    """Pickle a slotted record as its class and its field values in order (the default
    pickles a name → value dict per object): the many small records of a large document
    cross from the reading worker to the parent in about half the bytes and time."""
    names = tuple(f.name for f in fields(cls))

    def __reduce__(self: Any) -> tuple:
        return cls, tuple([getattr(self, n) for n in names])

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


@dataclass
class Table:
    """A table as a grid of cell texts.

    `cells[r][c]` is the text of the cell at row r, column c. A merged cell keeps its text
    at its top-left position; the positions it covers hold "" and are listed in `merged`
    (covered position -> top-left position), so header matching can look through them.
    `context` holds the few lines of text right above the table (a caption such as
    `收入支出决算总表` or `单位：万元`). `index` is the table's 0-based position among the
    document's tables.
    """

    index: int
    cells: list[list[str]]
    page: int | None = None
    context: str = ""
    merged: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    # for tables recognised inside the flat text (web pages that flattened a table):
    # (row, col) -> (start, end) of the cell's text in Document.text
    spans: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        # asked for every row of every loop over a table: counted once per number of rows
        key = len(self.cells)
        if self.__dict__.get("_n_cols_key") != key:
            self.__dict__["_n_cols"] = max((len(r) for r in self.cells), default=0)
            self.__dict__["_n_cols_key"] = key
        return self.__dict__["_n_cols"]

    def cell(self, r: int, c: int) -> str:
        """The text at (r, c), looking through merges to the top-left cell."""
        if self.merged:  # (asked of every cell by several readers: no lookup in an empty map)
            r, c = self.merged.get((r, c), (r, c))
        try:
            return self.cells[r][c]
        except IndexError:
            return ""


@_compact
@dataclass(slots=True)
class Block:
    """One paragraph (a span of `Document.text`) or one table, in reading order."""

    kind: str  # "paragraph" | "table"
    page: int | None = None
    start: int | None = None
    end: int | None = None
    table: Table | None = None


@dataclass
class Document:
    """What a reader makes of one file.

    `text` is the flat text of all paragraphs (tables are not in it; their cells live in
    `Table.cells`). `page_starts[i]` is the offset in `text` where page i+1 begins; it is
    empty for formats without pages.
    """

    path: str
    reader: str
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    pages: int | None = None
    page_starts: list[int] = field(default_factory=list)
    needs_ocr: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        # asked for every quantity and cell a check looks up (thousands of times on a long
        # 决算): made again only when the blocks list is replaced or grows (readers and the
        # flattened-table finder only append); the list itself is held, so its id is not reused
        made = self.__dict__.get("_tables_of")
        if made is None or made[0] is not self.blocks or made[1] != len(self.blocks):
            tables = [b.table for b in self.blocks if b.kind == "table" and b.table is not None]
            self.__dict__["_tables_of"] = made = (self.blocks, len(self.blocks), tables)
        return made[2]

    def turns_page(self, before: int | None, after: int | None) -> bool:
        """Page `after` is the page turned to from `before`: the next one, or the next one
        with anything on it (a blank page, printed between a table and its continuation by
        a layout that ran out of room, holds no block)."""
        if before is None or after is None or after <= before:
            return False
        if after == before + 1:
            return True
        used = {b.page for b in self.blocks}
        return not any(p in used for p in range(before + 1, after))

    def page_at(self, offset: int) -> int | None:
        """1-based page holding the character at `offset`, or None without pages."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)


@_compact
@dataclass(slots=True)
class Quantity:
    """One number found in a document, with its unit, kind and provenance.

    `value` is the number as written (Decimal, exponent = written precision). For amounts
    `value_yuan` is the exact value in 元 (Decimal.scaleb keeps the written precision).
    Either (start, end) point into `Document.text`, or (table, row, col) name a cell.
    """

    kind: str  # amount | rate | count | year | period | date
    text: str
    value: Decimal
    unit: str | None = None
    unit_source: str | None = None  # inline | table-header | column-header | caption | document
    value_yuan: Decimal | None = None
    page: int | None = None
    start: int | None = None
    end: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    label: str | None = None
    year: int | None = None
    operator: str | None = None
    value_max: Decimal | None = None
    value_yuan_max: Decimal | None = None
    confidence: float = 1.0
    # not in the output contract: extra facts later stages use
    extra: dict[str, Any] = field(default_factory=dict)

    CONTRACT_FIELDS = (
        "kind", "text", "value", "unit", "unit_source", "value_yuan", "page", "start", "end",
        "table", "row", "col", "label", "year", "operator", "value_max", "value_yuan_max",
        "confidence",
    )

    def record(self) -> dict[str, Any]:
        """The fields of the extract contract, in contract order."""
        return {f: getattr(self, f) for f in self.CONTRACT_FIELDS}


@_compact
@dataclass(slots=True)
class Evidence:
    text: str
    page: int | None = None
    start: int | None = None
    end: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "page": self.page, "start": self.start, "end": self.end}
        if self.table is not None:
            out.update(table=self.table, row=self.row, col=self.col)
        return out

    @classmethod
    def of(cls, q: Quantity) -> "Evidence":
        return cls(q.text, q.page, q.start, q.end, q.table, q.row, q.col)


@_compact
@dataclass(slots=True)
class Flag:
    """A claim that something in the document is wrong, with the evidence and the fix."""

    code: str
    severity: str  # error | warning | info
    text: str
    message: str  # Chinese
    message_en: str
    page: int | None = None
    start: int | None = None
    end: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    evidence: list[Evidence] = field(default_factory=list)
    suggestion: dict[str, Any] | None = None
    confidence: float = 1.0

    def record(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "text": self.text,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "table": self.table,
            "row": self.row,
            "col": self.col,
            "message": self.message_en if lang == "en" else self.message,
            "evidence": [e.record() for e in self.evidence],
            "suggestion": self.suggestion,
            "confidence": self.confidence,
        }


@dataclass
class Project:
    """One row of the `projects` table (design §3)."""

    name: str
    code: str | None = None
    fiscal_year: int | None = None
    supervising_dept: str | None = None
    implementing_unit: str | None = None
    initial_budget_yuan: Decimal | None = None
    adjusted_budget_yuan: Decimal | None = None
    executed_yuan: Decimal | None = None
    execution_rate: Decimal | None = None  # percent, as written
    exec_weight: Decimal | None = None
    exec_score: Decimal | None = None
    total_score: Decimal | None = None
    grade: str | None = None
    page: int | None = None
    source: str = "table"  # table | text
    extra: dict[str, Any] = field(default_factory=dict)

    COLUMNS = (
        "name", "code", "fiscal_year", "supervising_dept", "implementing_unit",
        "initial_budget_yuan", "adjusted_budget_yuan", "executed_yuan", "execution_rate",
        "exec_weight", "exec_score", "total_score", "grade", "page", "source",
    )

    def record(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in self.COLUMNS}


@dataclass
class Indicator:
    """One row of the `indicators` table (design §3)."""

    project_name: str | None
    l1: str | None = None
    l2: str | None = None
    l3: str | None = None
    operator: str | None = None
    target_raw: str | None = None
    target_value: Decimal | None = None
    target_unit: str | None = None
    actual_raw: str | None = None
    actual_value: Decimal | None = None
    weight: Decimal | None = None
    score: Decimal | None = None
    deviation_reason: str | None = None
    page: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    COLUMNS = (
        "project_name", "l1", "l2", "l3", "operator", "target_raw", "target_value",
        "target_unit", "actual_raw", "actual_value", "weight", "score", "deviation_reason", "page",
    )

    def record(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in self.COLUMNS}


@dataclass
class BudgetLine:
    """One row of the `budget_lines` table (design §3)."""

    year: int | None
    stage: str  # budget | final
    direction: str  # income | expenditure | balance
    item: str
    category_code: str | None = None
    value_yuan: Decimal | None = None
    text: str | None = None
    page: int | None = None
    source: str | None = None  # table | text: where the document states the line

    COLUMNS = ("year", "stage", "direction", "item", "category_code", "value_yuan", "text", "page")

    def record(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in self.COLUMNS}


@dataclass
class DocMeta:
    """Document-level facts for the `documents` table."""

    title: str | None = None
    department: str | None = None
    report_year: int | None = None
    report_type: str = "other"  # project-self-eval | dept-self-eval | self-eval-table | final-accounts | other


@dataclass
class Report:
    """Everything extracted from one document, in pipeline order."""

    document: Document
    meta: DocMeta = field(default_factory=DocMeta)
    quantities: list[Quantity] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    budget_lines: list[BudgetLine] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.document.path

    @property
    def tables(self) -> dict[str, "Any"]:
        """The facts as pandas DataFrames, keyed by the store's table names."""
        return report_frames(self)


# ---------------------------------------------------------------- the facts as table rows
# One place decides what a row of `quantities`, `projects`, `indicators`, `budget_lines` and
# `flags` holds, so `Report.tables` (DataFrames) and the SQLite store (`jixiao convert`)
# cannot drift apart. Values stay Python objects here (Decimal, list, dict); the store turns
# them into exact text.


TABLES = ("quantities", "projects", "indicators", "budget_lines", "flags")

QUANTITY_COLUMNS = ("doc",) + Quantity.CONTRACT_FIELDS
PROJECT_COLUMNS = Project.COLUMNS
INDICATOR_COLUMNS = Indicator.COLUMNS
# precision_yuan is an added column: the place value (in 元) of the last digit written, so a
# figure can be compared with another "within written precision" after it was stored.
# source (table | text) is added too: a dataset picks a table's figure over a sentence's.
BUDGET_LINE_COLUMNS = BudgetLine.COLUMNS + ("precision_yuan", "source")
FLAG_COLUMNS = (
    "doc", "code", "severity", "text", "page", "start", "end", "table", "row", "col",
    "message", "evidence", "suggestion", "confidence", "message_en",
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "quantities": QUANTITY_COLUMNS,
    "projects": PROJECT_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "budget_lines": BUDGET_LINE_COLUMNS,
    "flags": FLAG_COLUMNS,
}


def written_precision(value: Decimal | None) -> Decimal | None:
    """The place value of the last written digit (`Decimal('1.2345E+6')` -> 100)."""
    if value is None or not value.is_finite():
        return None
    return Decimal(1).scaleb(value.as_tuple().exponent)


def flag_row(flag: Flag, doc: str) -> dict[str, Any]:
    """One `flags` row: the check contract record plus the English message."""
    rec = flag.record("zh")
    rec["doc"] = doc
    rec["message_en"] = flag.message_en
    return {c: rec.get(c) for c in FLAG_COLUMNS}


def _budget_line_row(line: BudgetLine) -> dict[str, Any]:
    rec = line.record()
    rec["precision_yuan"] = written_precision(line.value_yuan)
    rec["source"] = line.source
    return rec


def report_rows(report: Report, doc: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every fact of the report as plain rows per table (no doc_id; the store adds it)."""
    doc = report.path if doc is None else doc
    return {
        "quantities": [{"doc": doc, **q.record()} for q in report.quantities],
        "projects": [p.record() for p in report.projects],
        "indicators": [i.record() for i in report.indicators],
        "budget_lines": [_budget_line_row(b) for b in report.budget_lines],
        "flags": [flag_row(f, doc) for f in report.flags],
    }


def report_frames(report: Report) -> dict[str, "pd.DataFrame"]:
    """The facts as DataFrames keyed by table name; Decimals stay exact (object columns)."""
    import pandas as pd

    rows = report_rows(report)
    return {name: pd.DataFrame(rows[name], columns=list(COLUMNS[name])) for name in TABLES}
