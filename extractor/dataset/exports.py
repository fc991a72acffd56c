"""Exports of the dataset: CSV per table, one XLSX workbook, Parquet per table — exact and safe.

Every table of the dataset and the `budget_summary` view are exported. Column names are
the dataset's and never change with `--unit`: the amount columns (`*_yuan`, `*_yuan_max`)
hold the stored 元 divided exactly (Decimal, no rounding) into the unit asked for, and an
`amount_unit` column (and, in Chinese headers, the header: `金额（万元）`) says which unit that is.
The exact `_text` columns of the dataset are not exported: each export is exact already.
Accepted corrections (`corrections.py`) are laid over the stored figures: exports carry
the corrected value, the `corrections` table the original, the correction and who/when.

- CSV: UTF-8 with BOM (Excel on Chinese Windows opens it right); numbers as exact text.
  A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
  `'` (OWASP's CSV-injection advice: Excel would run it as a formula); numeric columns are
  never touched (`-187860.11` stays a number). `raw=True` writes every cell exactly as stored.
- XLSX: one sheet per table with a frozen header row, an autofilter, column widths fitted
  to the content, and headers in Chinese (from the data dictionary) or as column names.
  Decimals and integers are numbers when they have at most 15 significant digits (Excel's
  double holds them exactly), text otherwise; text beginning with `=` stays text; control
  characters, which XLSX cannot hold, are shown as their Unicode control pictures
  (BEL -> `␇`).
- Parquet: decimals as decimal128(38, s) with `s` the most decimals in the column, or as
  strings if a value needs more than 38 digits; the unit is also in the file's metadata.

Every file is written to a temporary file beside it and renamed into place, so a full disk
or a killed run never leaves a half-written export; a write that fails raises `ExportError`
with one line naming the file and the reason.
"""
from __future__ import annotations

import csv
import os
import sqlite3
import tempfile
from decimal import Decimal
from typing import Any, Callable, Iterator

from . import corrections, store
from .dictionary import header as zh_header
from .summary import VIEW_COLUMNS
from ..jsonout import decimal_text

_WAN = 4  # 1万元 = 10^4 元
UNIT_COLUMN = "amount_unit"
EXPORTED = store.TABLES + ("budget_summary",)
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """An export that could not be written (disk full, no permission); one line."""


def export_column(column: str, unit: str | None = None) -> str:
    """The exported name of a column: the dataset's, whatever the unit (kept for callers)."""
    return column


def export_value(column: str, value: Any, unit: str) -> Any:
    """A stored value in the exported unit: decimals as exact Decimal, others unchanged."""
    if value is None or store.column_kind(column) != "decimal":
        return value
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if unit == "万元" and store.is_amount_column(column):
        d = d.scaleb(-_WAN)
        d = d.normalize() if d != 0 else Decimal(0)
        d = Decimal(decimal_text(d))  # positional: 1.2E+2 -> 120
    return d


def exported_columns(table: str) -> list[str]:
    """Columns of an exported table: the logical ones, plus `amount_unit` where amounts are."""
    cols = [c for c in VIEW_COLUMNS if not c.endswith(store.TEXT_SUFFIX)] if table == "budget_summary" \
        else store.table_columns(table)
    if any(store.is_amount_column(c) and store.column_kind(c) == "decimal" for c in cols):
        cols.append(UNIT_COLUMN)
    return cols


def _view_rows(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    cur = conn.execute("SELECT * FROM budget_summary ORDER BY department, year, stage, direction, line")
    names = [d[0] for d in cur.description]
    for row in cur:
        r = dict(zip(names, row))
        r["value_yuan"] = None if r["value_yuan_text"] is None else Decimal(r["value_yuan_text"])
        for c in ("precision_yuan", "spread_yuan"):
            r[c] = None if r[c] is None else Decimal(repr(r[c]))
        yield r


def table_frame_rows(conn: sqlite3.Connection, table: str, unit: str) -> tuple[list[str], list[list[Any]]]:
    """Header (column names) and rows of a table as exported (Decimals for decimal columns),
    accepted corrections laid over the stored figures."""
    cols = exported_columns(table)
    source = _view_rows(conn) if table == "budget_summary" else corrections.overlay(conn, table, store.iter_rows(conn, table))
    rows = [[unit if c == UNIT_COLUMN else export_value(c, r[c], unit) for c in cols] for r in source]
    return cols, rows


def export(conn: sqlite3.Connection, out_dir: str, fmt: str = "csv", unit: str = "万元",
           headers: str | None = None, raw: bool = False) -> list[str]:
    """Write every table of the dataset into `out_dir`; return the files written.

    `headers` is `zh` (中文名（单位）, the XLSX default) or `en` (column names, the CSV
    default; Parquet always uses column names). `raw` turns off the CSV formula escaping.
    """
    if headers not in (None, "zh", "en"):
        raise ValueError(f"headers must be zh or en, not {headers}")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot create the export folder: {exc.strerror or exc}") from exc
    if fmt == "csv":
        return [_atomic(os.path.join(out_dir, f"{t}.csv"),
                        lambda f, t=t: _write_csv(conn, t, f, unit, headers or "en", raw)) for t in EXPORTED]
    if fmt == "xlsx":
        return [_atomic(os.path.join(out_dir, "dataset.xlsx"), lambda f: _write_xlsx(conn, f, unit, headers or "zh"))]
    if fmt == "parquet":
        return [_atomic(os.path.join(out_dir, f"{t}.parquet"), lambda f, t=t: _write_parquet(conn, t, f, unit))
                for t in EXPORTED]
    raise ValueError(f"export format must be csv, xlsx or parquet, not {fmt}")


def _atomic(path: str, write: Callable[[str], None]) -> str:
    """Write through a temporary file in the same folder, then rename it onto `path`."""
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=os.path.dirname(path) or ".")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise ExportError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        _remove(tmp)
        raise
    return path


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _headers(table: str, cols: list[str], headers: str, unit: str) -> list[str]:
    return [zh_header(table, c, unit) for c in cols] if headers == "zh" else cols


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def _numeric(column: str) -> bool:
    return store.column_kind(column) in ("decimal", "integer", "real")


def csv_cell(column: str, value: Any, raw: bool = False) -> str:
    """A CSV cell: exact text; a text cell Excel would read as a formula gets a leading `'`."""
    text = _text(value)
    if not raw and not _numeric(column) and text.startswith(FORMULA_LEAD):
        return "'" + text
    return text


def _write_csv(conn: sqlite3.Connection, table: str, path: str, unit: str, headers: str, raw: bool) -> None:
    cols, rows = table_frame_rows(conn, table, unit)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(_headers(table, cols, headers, unit))
        w.writerows([csv_cell(c, v, raw) for c, v in zip(cols, row)] for row in rows)


def _significant_digits(d: Decimal) -> int:
    return len(d.normalize().as_tuple().digits)


_CONTROL = {c: chr(0x2400 + c) for c in (*range(0, 9), 11, 12, *range(14, 32))}


def xlsx_text(value: str) -> str:
    """Text as an XLSX cell can hold it: control characters as their control pictures (BEL -> ␇)."""
    return value.translate(_CONTROL)


def _xlsx_cell(ws: Any, value: Any) -> Any:
    """Numbers Excel holds exactly stay numbers; longer ones (e.g. mtime_ns) become text;
    text that starts with `=` (`=100%` in a target) stays text, never a formula."""
    if isinstance(value, str):
        value = xlsx_text(value)
        if value.startswith("="):
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            return cell
        return value
    if isinstance(value, Decimal):
        return value if _significant_digits(value) <= 15 else decimal_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return str(value)
    return value


def _width(value: Any) -> int:
    """Display width in Excel character units: CJK characters count twice."""
    text = _text(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _write_xlsx(conn: sqlite3.Connection, path: str, unit: str, headers: str) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    for table in EXPORTED:
        cols, rows = table_frame_rows(conn, table, unit)
        names = _headers(table, cols, headers, unit)
        ws = wb.create_sheet(table)
        ws.freeze_panes = "A2"
        last = get_column_letter(len(cols))
        ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
        for i, name in enumerate(names):
            seen = max([_width(name) + 3] + [_width(r[i]) for r in rows[:500]])  # +3: the filter button
            ws.column_dimensions[get_column_letter(i + 1)].width = min(max(seen + 1, 6), 60)
        ws.append([xlsx_text(n) for n in names])
        for row in rows:
            ws.append([_xlsx_cell(ws, v) for v in row])
    try:
        wb.save(path)
    except BaseException:
        _discard_sheet_writers(wb)
        raise


def _discard_sheet_writers(wb: Any) -> None:
    """Close the streaming writers of a workbook whose save failed, now: left to the garbage
    collector they print tracebacks to stderr, after the one-line error."""
    for ws in wb.worksheets:
        for gen in (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None)):
            try:
                if gen is not None:
                    gen.close()
            except Exception:  # noqa: BLE001 - the save already failed; this is clean-up
                pass


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


def _write_parquet(conn: sqlite3.Connection, table: str, path: str, unit: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols, rows = table_frame_rows(conn, table, unit)
    arrays = [_arrow_column(c, [r[i] for r in rows]) for i, c in enumerate(cols)]
    data = pa.Table.from_arrays(arrays, names=cols).replace_schema_metadata({"amount_unit": unit})
    pq.write_table(data, path)
