"""XLS reader (xlrd) for BIFF workbooks, the format of most older 决算公开表 exports.

The OLE2 signature `D0 CF 11 E0` is shared with legacy Word (.doc/.wps) and WPS
spreadsheets: the compound document's stream names tell them apart, and what is not a
BIFF workbook goes to `legacy_office` (LibreOffice) rather than to xlrd. formatting_info=True is what makes xlrd report merged
cells and number formats.
"""
from __future__ import annotations

import os
from typing import Any

from ..model import Document
from .errors import describe, read_error
from .sheets import Range, SparseSheet, value_text, workbook_document

NAME = "xls"
LABEL = "XLS"
SUFFIXES = (".xls", ".xlt")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_STREAMS = {"Workbook", "Book"}
_WORD_STREAMS = {"WordDocument"}


def matches(head: bytes, zip_names: frozenset[str] = frozenset()) -> bool:
    return head.startswith(OLE2_SIGNATURE)


def mismatch(head: bytes, zip_names: frozenset[str] = frozenset()) -> str:
    return "not an XLS file (no OLE2 signature)"


def _stream_names(data: bytes) -> set[str]:
    from xlrd import compdoc

    with open(os.devnull, "w") as devnull:
        return {d.name for d in compdoc.CompDoc(data, logfile=devnull).dirlist}


def read(path: str) -> Document:
    import xlrd

    with open(path, "rb") as fh:
        data = fh.read()
    try:
        names = _stream_names(data)
    except Exception as exc:
        raise read_error(path, f"corrupt OLE2 file ({describe(exc)})") from None
    if not names & _WORKBOOK_STREAMS:
        from . import legacy_office

        if names & _WORD_STREAMS:
            return legacy_office.read(path, target="docx")
        if os.path.splitext(path)[1].lower() in legacy_office.SUFFIXES:
            return legacy_office.read(path)
        raise read_error(path, "OLE2 file that is not an XLS workbook (not supported)")
    try:
        with open(os.devnull, "w") as devnull:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=devnull)
    except Exception as exc:
        if "encrypt" in str(exc).lower():
            raise read_error(path, "encrypted XLS (password required)") from None
        raise read_error(path, f"corrupt XLS ({describe(exc)})") from None
    sheets: list[tuple[str, SparseSheet, list[Range]]] = []
    for sh in book.sheets():
        grid = {(r, c): t for r in range(sh.nrows) for c in range(sh.row_len(r)) if (t := _cell_text(book, sh, r, c))}
        ranges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sh.merged_cells]
        sheets.append((sh.name, grid, ranges))
    return workbook_document(path, NAME, sheets)


def _cell_text(book: Any, sheet: Any, r: int, c: int) -> str:
    import xlrd

    cell = sheet.cell(r, c)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return cell.value.strip()
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return value_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        except Exception:
            return value_text(cell.value)
    fmt = None
    xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
    if xf is not None and xf.format_key in book.format_map:
        fmt = book.format_map[xf.format_key].format_str
    return value_text(cell.value, fmt)
