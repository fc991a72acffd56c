"""Exports of the dataset: CSV per table, one XLSX workbook, Parquet per table — all exact.

Accepted corrections (`corrections.py`) are laid over the stored figures: exports carry
the corrected value, the `corrections` table the original, the correction and who/when.

The store keeps amounts in 元; an export shows them in the unit asked for. In 万元 the
amount columns are renamed `*_yuan` -> `*_wan` (`value_yuan` -> `value_wan`,
`value_yuan_max` -> `value_wan_max`) so a column name always says its unit, and the values
are the stored 元 divided by 10000 exactly (Decimal, no rounding).

- CSV: UTF-8 with BOM (Excel on Chinese Windows opens it right); decimals as exact text.
- XLSX: decimals and integers as numbers when they have at most 15 significant digits
  (Excel's double holds them exactly and shows the same digits), as text otherwise (e.g.
  `mtime_ns`), so nothing is rounded.
- Parquet: decimals as decimal128(38, s) with `s` the most decimals in the column (values
  equal to the stored ones), or as strings if a value needs more than 38 digits.
"""
from __future__ import annotations

import csv
import os
import sqlite3
from decimal import Decimal
from typing import Any

from . import corrections, store
from ..jsonout import decimal_text

_WAN = 4  # 1万元 = 10^4 元


def export_column(column: str, unit: str) -> str:
    """The exported name of a stored column in `unit` (`value_yuan` -> `value_wan` in 万元)."""
    if unit == "万元" and store.is_amount_column(column):
        return column.replace("_yuan", "_wan")
    return column


def export_value(column: str, value: Any, unit: str) -> Any:
    """A stored value in the exported unit: decimals as exact Decimal, others unchanged."""
    if value is None or store.column_kind(column) != "decimal":
        return value
    d = Decimal(value)
    if unit == "万元" and store.is_amount_column(column):
        d = d.scaleb(-_WAN)
        d = d.normalize() if d != 0 else Decimal(0)
        d = Decimal(decimal_text(d))  # positional: 1.2E+2 -> 120
    return d


def table_frame_rows(conn: sqlite3.Connection, table: str, unit: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a table as exported (Decimals for decimal columns), corrections applied."""
    cols = store.table_columns(table)
    stored = corrections.overlay(conn, table, store.iter_rows(conn, table))
    rows = [[export_value(c, r[c], unit) for c in cols] for r in stored]
    return [export_column(c, unit) for c in cols], rows


def export(conn: sqlite3.Connection, out_dir: str, fmt: str = "csv", unit: str = "万元") -> list[str]:
    """Write every table of the dataset into `out_dir`; return the files written."""
    os.makedirs(out_dir, exist_ok=True)
    writer = {"csv": _write_csv, "xlsx": _write_xlsx, "parquet": _write_parquet}[fmt]
    return writer(conn, out_dir, unit)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def _write_csv(conn: sqlite3.Connection, out_dir: str, unit: str) -> list[str]:
    written = []
    for table in store.TABLES:
        header, rows = table_frame_rows(conn, table, unit)
        path = os.path.join(out_dir, f"{table}.csv")
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows([_text(v) for v in row] for row in rows)
        written.append(path)
    return written


def _significant_digits(d: Decimal) -> int:
    return len(d.normalize().as_tuple().digits)


def _xlsx_cell(ws: Any, value: Any) -> Any:
    """Numbers Excel holds exactly stay numbers; longer ones (e.g. mtime_ns) become text;
    text that starts with `=` (`=100%` in a target) stays text, never a formula."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    if isinstance(value, Decimal):
        return value if _significant_digits(value) <= 15 else decimal_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return str(value)
    return value


def _write_xlsx(conn: sqlite3.Connection, out_dir: str, unit: str) -> list[str]:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for table in store.TABLES:
        header, rows = table_frame_rows(conn, table, unit)
        ws = wb.create_sheet(table)
        ws.append(header)
        for row in rows:
            ws.append([_xlsx_cell(ws, v) for v in row])
    path = os.path.join(out_dir, "dataset.xlsx")
    wb.save(path)
    return [path]


def _arrow_column(column: str, values: list[Any]):
    import pyarrow as pa

    kind = store.column_kind(column)
    if kind == "decimal":
        present = [v for v in values if v is not None]
        scale = max((max(0, -v.as_tuple().exponent) for v in present), default=0)
        whole = max((len(v.as_tuple().digits) + v.as_tuple().exponent for v in present), default=1)
        if max(whole, 1) + scale <= 38:
            return pa.array(values, type=pa.decimal128(38, scale))
        return pa.array([None if v is None else decimal_text(v) for v in values], type=pa.string())
    if kind == "integer":
        return pa.array(values, type=pa.int64())
    if kind == "real":
        return pa.array(values, type=pa.float64())
    return pa.array(values, type=pa.string())


def _write_parquet(conn: sqlite3.Connection, out_dir: str, unit: str) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    written = []
    for table in store.TABLES:
        header, rows = table_frame_rows(conn, table, unit)
        stored = store.table_columns(table)
        arrays = [_arrow_column(c, [r[i] for r in rows]) for i, c in enumerate(stored)]
        path = os.path.join(out_dir, f"{table}.parquet")
        pq.write_table(pa.Table.from_arrays(arrays, names=header), path)
        written.append(path)
    return written
