"""XLSX reader (openpyxl): one table per sheet, cached formula values, merged ranges.

Loaded with read_only=False because only then does openpyxl report merged ranges, and
data_only=True so a formula cell shows the value Excel last computed (a file never saved
by Excel has no cached values: those cells read as "").
"""
from __future__ import annotations

from ..model import Document
from .errors import describe, read_error
from .limits import check_archive, zip_mismatch
from .sheets import Range, value_text, workbook_document

NAME = "xlsx"
LABEL = "XLSX"
SUFFIXES = (".xlsx", ".xlsm", ".xltx")
MAIN_PART = "xl/workbook.xml"


def matches(head: bytes, zip_names: frozenset[str] = frozenset()) -> bool:
    return MAIN_PART in zip_names


def mismatch(head: bytes, zip_names: frozenset[str] = frozenset()) -> str:
    return zip_mismatch(head, "an XLSX", MAIN_PART)


def read(path: str) -> Document:
    import openpyxl

    check_archive(path, LABEL)
    try:
        # a file object, not the path: openpyxl refuses names ending in .xls, and system
        # exports often carry an XLSX under that suffix
        with open(path, "rb") as fh:
            book = openpyxl.load_workbook(fh, read_only=False, data_only=True)
    except Exception as exc:
        raise read_error(path, f"corrupt XLSX ({describe(exc)})") from None
    sheets: list[tuple[str, list[list[str]], list[Range]]] = []
    for ws in book.worksheets:
        grid = [[value_text(cell.value, cell.number_format) for cell in row] for row in ws.iter_rows()]
        ranges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        sheets.append((ws.title, grid, ranges))
    book.close()
    return workbook_document(path, NAME, sheets)
