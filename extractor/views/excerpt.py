"""Where a flag points in a document without page images: source lines or a table excerpt.

Both come back as plain data (segments of text marked or not); the page escapes them when
it writes HTML, so nothing a document contains can become markup.
"""
from __future__ import annotations

from typing import Any

from ..model import Document, Table

_CONTEXT = 90  # characters shown on each side of a span inside a long line
_ROWS = 2  # table rows shown above and below a flagged cell
_COLS = 6  # table columns shown on each side of a flagged cell


def _cut(line: str, lo: int, hi: int) -> tuple[int, int, bool, bool]:
    """The window of a long line around [lo, hi): start, end and whether it was cut."""
    a, b = max(0, lo - _CONTEXT), min(len(line), hi + _CONTEXT)
    return a, b, a > 0, b < len(line)


def span_lines(text: str, start: int, end: int, context: int = 1) -> list[dict[str, Any]]:
    """The lines holding text[start:end] plus `context` lines around, the span marked.

    Each line: {"n": line number (1-based), "parts": [[text, marked], ...]}.
    """
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    last = len(text) if last < 0 else last
    for _ in range(context):
        if first > 0:
            first = text.rfind("\n", 0, first - 1) + 1
        if last < len(text):
            nxt = text.find("\n", last + 1)
            last = len(text) if nxt < 0 else nxt
    lines = []
    n = text.count("\n", 0, first) + 1
    pos = first
    for line in text[first:last].split("\n"):
        lo, hi = max(start - pos, 0), min(end - pos, len(line))
        if lo < hi or (start == end and lo == hi and 0 <= lo <= len(line) and pos <= start <= pos + len(line)):
            a, b, cut_a, cut_b = _cut(line, lo, hi)
            parts = [[("…" if cut_a else "") + line[a:lo], False], [line[lo:hi], True],
                     [line[hi:b] + ("…" if cut_b else ""), False]]
        else:
            a, b, _, cut_b = _cut(line, 0, 0)
            parts = [[line[: 2 * _CONTEXT] + ("…" if len(line) > 2 * _CONTEXT else ""), False]]
        lines.append({"n": n, "parts": [p for p in parts if p[0]]})
        n += 1
        pos += len(line) + 1
    return lines


def table_excerpt(table: Table, row: int, col: int) -> dict[str, Any]:
    """Rows around a flagged cell (with the table's first row as a header), the cell marked."""
    c0, c1 = max(0, col - _COLS), min(table.n_cols, col + _COLS + 1)
    wanted = [0] + list(range(max(1, row - _ROWS), min(table.n_rows, row + _ROWS + 1)))
    rows = []
    for r in dict.fromkeys(wanted):
        rows.append({"r": r, "cells": [[table.cell(r, c), r == row and c == col] for c in range(c0, c1)]})
    return {"table": table.index, "first_col": c0, "rows": rows}


def table_of(document: Document, index: int | None) -> Table | None:
    """The document's table with this index, or None."""
    if index is None:
        return None
    for t in document.tables:
        if t.index == index:
            return t
    return None


def excerpt(document: Document, start: int | None, end: int | None, table: int | None,
            row: int | None, col: int | None) -> dict[str, Any] | None:
    """The best text excerpt for a location: source lines for a span, else a table excerpt."""
    if start is not None and end is not None and document.text:
        return {"lines": span_lines(document.text, start, end)}
    t = table_of(document, table)
    if t is not None and row is not None and col is not None and row < t.n_rows:
        return {"grid": table_excerpt(t, row, col)}
    return None
