"""A Report's facts as table rows, in the columns of the dataset (design §3).

One place decides what a row of `quantities`, `projects`, `indicators`, `budget_lines` and
`flags` holds, so `Report.tables` (DataFrames) and the SQLite store (`jixiao convert`)
cannot drift apart. Values stay Python objects here (Decimal, list, dict); the store turns
them into exact text.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .model import BudgetLine, Flag, Indicator, Project, Quantity, Report

if TYPE_CHECKING:  # pandas is imported only by report_frames, not by the batch workers
    import pandas as pd

TABLES = ("quantities", "projects", "indicators", "budget_lines", "flags")

QUANTITY_COLUMNS = ("doc",) + Quantity.CONTRACT_FIELDS
PROJECT_COLUMNS = Project.COLUMNS
INDICATOR_COLUMNS = Indicator.COLUMNS
# precision_yuan is an added column: the place value (in 元) of the last digit written, so a
# figure can be compared with another "within written precision" after it was stored as text.
BUDGET_LINE_COLUMNS = BudgetLine.COLUMNS + ("precision_yuan",)
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
