"""What XLSX and XLS share: cell values as the text a reader sees, and sheet → Table.

Spreadsheet numbers are binary floats; `2761984.37` must come back as written, not as
`2761984.3700000001`, and `100` not as `100.0`, because the written precision decides the
rounding tolerance of every check later. Decimal places the cell format shows (`0.00`) are
padded on, never rounded off. Title rows above the header (`收入支出决算总表`,
`单位：万元`) go to `Table.context` with the sheet name, as a caption does in a PDF.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Callable

from ..model import Document
from .builder import DocumentBuilder

_FORMAT_DECIMALS = re.compile(r"0\.(0+)")
_QUOTED = re.compile(r'"[^"]*"|\\.')


def _format_decimals(fmt: str) -> tuple[int, bool]:
    """(decimal places shown, is a percent format) of an Excel number format."""
    plain = _QUOTED.sub("", fmt.split(";")[0])
    m = _FORMAT_DECIMALS.search(plain)
    return (len(m.group(1)) if m else 0), "%" in plain


def number_text(value: float | int, fmt: str | None = None) -> str:
    """The shortest exact text of a spreadsheet number, with the format's decimals and %."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    places, percent = _format_decimals(fmt or "")
    if percent:
        d = d.scaleb(2)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    if places:
        have = len(text.split(".")[1]) if "." in text else 0
        if have < places:
            text += ("" if have else ".") + "0" * (places - have)
    return text + ("%" if percent else "")


def value_text(value: object, fmt: str | None = None) -> str:
    """Any cell value as displayed text ("" for empty)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return number_text(value, fmt)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


Range = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)
SparseSheet = dict[tuple[int, int], str]  # (row, col) -> text of every non-empty cell
# a used area larger than this many positions, and this many times larger than its filled
# cells, is a sparse sheet (a stray cell at XFD1048576): its empty rows and columns go
MAX_SPARSE_AREA = 200_000
SPARSE_RATIO = 10


def dense_grid(cells: SparseSheet, ranges: list[Range]) -> tuple[list[list[str]], list[Range], str | None]:
    """The grid of the sheet's used area (the box around its cells), merged ranges moved
    and clipped into it, and a note when a sparse sheet had its empty rows and columns
    dropped (a run of them becomes one, so blocks stay apart)."""
    if not cells:
        return [], [], None
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    area = (rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1)
    note = None
    if area > MAX_SPARSE_AREA and area > SPARSE_RATIO * len(cells):
        row_at, n_rows = _compact(rows)
        col_at, n_cols = _compact(cols)
        note = (f"sparse sheet: {rows[-1] - rows[0] + 1} × {cols[-1] - cols[0] + 1} positions hold "
                f"{len(cells)} cells; empty rows and columns dropped")
    else:
        row_at = {r: r - rows[0] for r in range(rows[0], rows[-1] + 1)}
        col_at = {c: c - cols[0] for c in range(cols[0], cols[-1] + 1)}
        n_rows, n_cols = len(row_at), len(col_at)
    grid = [[""] * n_cols for _ in range(n_rows)]
    for (r, c), text in cells.items():
        grid[row_at[r]][col_at[c]] = text
    return grid, _clip_ranges(ranges, row_at, col_at), note


def _compact(used: list[int]) -> tuple[dict[int, int], int]:
    """New index of each used row (or column): gaps of any length become one empty line."""
    at: dict[int, int] = {}
    n = 0
    for i, u in enumerate(used):
        if i and u - used[i - 1] > 1:
            n += 1
        at[u] = n
        n += 1
    return at, n


def _clip_ranges(ranges: list[Range], row_at: dict[int, int], col_at: dict[int, int]) -> list[Range]:
    """Merged ranges in the new grid, clipped to the used area; a range covering none of it
    is dropped. Only the used rows and columns a range spans are looked up."""
    rows, cols = sorted(row_at), sorted(col_at)
    out: list[Range] = []
    for a, b, x, y in ranges:
        r_in = _inside(rows, a, x)
        c_in = _inside(cols, b, y)
        if r_in and c_in:
            out.append((row_at[r_in[0]], col_at[c_in[0]], row_at[r_in[1]], col_at[c_in[1]]))
    return out


def _inside(keys: list[int], lo: int, hi: int) -> tuple[int, int] | None:
    """The first and last of the sorted `keys` within [lo, hi], if any."""
    import bisect

    i = bisect.bisect_left(keys, lo)
    j = bisect.bisect_right(keys, hi) - 1
    return (keys[i], keys[j]) if i <= j else None


def sheet_table(
    grid: list[list[str]], ranges: list[Range], title: str, is_title_row: Callable[[list[str]], bool] | None = None
) -> tuple[list[list[str]], dict[tuple[int, int], tuple[int, int]], str] | None:
    """(cells, merged, context) of one sheet, or None when it holds no cell text.

    Rows above the header that are titles go to the context: by default rows with few texts
    none of which tops a merged range; `is_title_row(texts)` decides instead where merges
    are unknown (CSV)."""
    filled = [(r, c) for r, row in enumerate(grid) for c, v in enumerate(row) if v]
    if not filled:
        return None
    r_lo = min(r for r, _ in filled)
    r_hi = max(r for r, _ in filled)
    c_lo = min(c for _, c in filled)
    c_hi = max(c for _, c in filled)
    n_cols = c_hi - c_lo + 1
    cells = [[(row[c] if c < len(row) else "") for c in range(c_lo, c_hi + 1)] for row in grid[r_lo : r_hi + 1]]
    spans = [(a - r_lo, b - c_lo, x - r_lo, y - c_lo) for a, b, x, y in ranges]
    # top-left of a merge narrower than the sheet: a header cell such as 收入 over two columns
    merged_tl = {(a, b) for a, b, x, y in spans if y - b < n_cols - 1}
    skip = 0
    while n_cols >= 2 and skip < len(cells) - 1:
        texts = [(c, v) for c, v in enumerate(cells[skip]) if v]
        if is_title_row is not None:
            small = is_title_row([v for _, v in texts])
        else:
            small = len(texts) <= 1 or (len(texts) <= n_cols // 2 and not any((skip, c) in merged_tl for c, _ in texts))
        if not small:
            break
        skip += 1
    context = "\n".join([title] + [" ".join(v for v in row if v) for row in cells[:skip]])
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for a, b, x, y in spans:
        if a < skip:
            continue
        for r in range(max(a, 0), min(x, len(cells) - 1) + 1):  # clipped to the used area
            for c in range(max(b, 0), min(y, n_cols - 1) + 1):
                if (r, c) != (a, b):
                    merged[(r - skip, c)] = (a - skip, b)
    return cells[skip:], merged, context


def workbook_document(path: str, reader: str, sheets: list[tuple[str, SparseSheet, list[Range]]]) -> Document:
    """One page per sheet: its name as a paragraph, its cells as one table."""
    builder = DocumentBuilder(path, reader)
    notes: list[str] = []
    for page, (title, sparse, ranges) in enumerate(sheets, 1):
        builder.add_paragraph(title, page=page)
        grid, ranges, note = dense_grid(sparse, ranges)
        if note:
            notes.append(f"{title}: {note}")
        table = sheet_table(grid, ranges, title)
        if table is not None:
            cells, merged, context = table
            builder.add_table(cells, page=page, context=context, merged=merged)
    meta: dict = {"sheets": [s[0] for s in sheets]}
    if notes:
        meta["notes"] = notes
    return builder.build(pages=len(sheets), meta=meta)
