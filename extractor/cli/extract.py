"""`jixiao extract FILE... [--format jsonl|csv|table] [-o OUT]`: one record per quantity."""
from __future__ import annotations

import csv
import io
import sys
from typing import Iterator

import click

from ..jsonout import decimal_text, dumps
from .common import (display_width, format_for, limit_options, limited_reports, notice_needs_ocr, notice_notes,
                     ocr_option, open_output, page_jobs_option, report_line)
from ..model import Quantity, Report

FIELDS = ("doc",) + Quantity.CONTRACT_FIELDS
FORMATS = ("jsonl", "csv", "table")
_BY_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".txt": "table"}


def _cell(v) -> str:
    from decimal import Decimal

    if v is None:
        return ""
    if isinstance(v, Decimal):
        return decimal_text(v)
    return str(v)


def quantity_rows(path: str, report: Report) -> Iterator[dict]:
    """Contract records of every quantity of one file's report."""
    notice_needs_ocr(path, report)
    notice_notes(path, report)
    for q in report.quantities:
        rec = {"doc": path}
        rec.update(q.record())
        yield rec


@click.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="jsonl (default), csv or table; default from -o's suffix (.csv, .jsonl, .txt)")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write here instead of stdout")
@ocr_option
@page_jobs_option
@limit_options
def extract_command(files: tuple[str, ...], fmt: str | None, output: str | None, ocr: str,
                    timeout: float, memory_mb: int) -> None:
    """Every amount, rate, count, year, date and period of FILE..., with provenance."""
    fmt = format_for(output, fmt, _BY_SUFFIX, "jsonl")
    out = open_output(output, "utf-8-sig" if fmt == "csv" else "utf-8") if output else sys.stdout
    failed = False
    writer = None
    rows_for_table: list[dict] = []
    try:
        if fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=FIELDS)
            writer.writeheader()
        for path, report, error in limited_reports(files, timeout, memory_mb, ocr):
            if error is not None:  # every bad file is reported and skipped
                report_line(error)
                failed = True
                continue
            for rec in quantity_rows(path, report):
                if fmt == "jsonl":
                    out.write(dumps(rec) + "\n")
                elif fmt == "csv":
                    writer.writerow({k: _cell(v) for k, v in rec.items()})
                else:
                    rows_for_table.append(rec)
        if fmt == "table":
            out.write(_table(rows_for_table))
    finally:
        if output:
            out.close()
    sys.exit(2 if failed else 0)


def _table(rows: list[dict]) -> str:
    cols = ("doc", "page", "kind", "text", "value", "unit", "unit_source", "value_yuan", "label", "year")
    buf = io.StringIO()
    data = [[_cell(r.get(c)) for c in cols] for r in rows]
    widths = [max([len(c)] + [display_width(row[i]) for row in data]) for i, c in enumerate(cols)]
    buf.write("  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip() + "\n")
    for row in data:
        buf.write("  ".join(v + " " * (w - display_width(v)) for v, w in zip(row, widths)).rstrip() + "\n")
    return buf.getvalue()
