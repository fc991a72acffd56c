"""`jixiao extract FILE... [--format jsonl|csv|table] [-o OUT]`: one record per quantity."""
from __future__ import annotations

import csv
import io
import sys
from typing import Iterator

import click

from .jsonout import decimal_text, dumps
from .cli_common import display_width, limit_options, limited_reports, notice_needs_ocr, notice_notes, report_line
from .model import Quantity, Report

FIELDS = ("doc",) + Quantity.CONTRACT_FIELDS


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
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "table"]), default="jsonl", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="write here instead of stdout")
@limit_options
def extract_command(files: tuple[str, ...], fmt: str, output: str | None, timeout: float, memory_mb: int) -> None:
    """Every amount, rate, count, year, date and period of FILE..., with provenance."""
    out = open(output, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") if output else sys.stdout
    failed = False
    writer = None
    rows_for_table: list[dict] = []
    try:
        if fmt == "csv":
            writer = csv.DictWriter(out, fieldnames=FIELDS)
            writer.writeheader()
        for path, report, error in limited_reports(files, timeout, memory_mb):
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
