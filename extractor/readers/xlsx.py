"""XLSX reader (openpyxl): one table per sheet, cached formula values, merged ranges.

Loaded with read_only=True and data_only=True (a formula cell shows the value Excel last
computed; a file never saved by Excel has no cached values: those cells read as ""). The
read-only mode streams the cells that exist, whatever `<dimension>` the sheet declares: a
2 KB sheet with one cell at XFD1048576 costs its few cells, not 17 billion positions. It
does not report merged ranges, so `<mergeCell>` elements are read from the sheet XML here
(the full mode would also create an object for every position a merge covers).
"""
from __future__ import annotations

from ..model import Document
from .errors import describe, read_error
from .limits import check_archive, zip_mismatch
from .sheets import Range, SparseSheet, value_text, workbook_document

NAME = "xlsx"
LABEL = "XLSX"
SUFFIXES = (".xlsx", ".xlsm", ".xltx")
MAIN_PART = "xl/workbook.xml"
_MERGE_CELL = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"


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
            book = openpyxl.load_workbook(fh, read_only=True, data_only=True)
            try:
                sheets = [(ws.title, *_sheet_cells(ws)) for ws in book.worksheets]
            finally:
                book.close()
    except Exception as exc:
        raise read_error(path, f"corrupt XLSX ({describe(exc)})") from None
    return workbook_document(path, NAME, sheets)


def _sheet_cells(ws) -> tuple[SparseSheet, list[Range]]:
    """The sheet's non-empty cells by position, and its merged ranges."""
    from openpyxl.utils.cell import range_boundaries

    ws.reset_dimensions()  # rows as long as their own last cell, not the declared width
    cells: SparseSheet = {}
    for row in ws.iter_rows():
        for cell in row:
            if getattr(cell, "value", None) is not None:
                text = value_text(cell.value, cell.number_format)
                if text:
                    cells[(cell.row - 1, cell.column - 1)] = text
    ranges: list[Range] = []
    if getattr(ws, "_worksheet_path", None):
        from xml.etree.ElementTree import iterparse  # what openpyxl parses sheets with

        with ws._get_source() as src:
            for _, element in iterparse(src):
                if element.tag == _MERGE_CELL and element.get("ref"):
                    c0, r0, c1, r1 = range_boundaries(element.get("ref"))
                    ranges.append((r0 - 1, c0 - 1, r1 - 1, c1 - 1))
                element.clear()
    return cells, ranges
