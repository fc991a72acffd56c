"""`jixiao extract FILE... [--format jsonl|csv|table] [-o OUT]`: one record per quantity."""
from __future__ import annotations

import csv
import io
import sys
from typing import Any, Iterator

import click

from ..jsonout import decimal_text, dumps
from .common import (display_width, format_for, limit_options, limited_reports, note_lines, notice_needs_ocr,
                     notice_notes, ocr_option, open_output, page_jobs_option, report_line)
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
    yield from _records(path, report)


def _records(path: str, report: Report) -> Iterator[dict]:
    for q in report.quantities:
        rec = {"doc": path}
        rec.update(q.record())
        yield rec


def output_parts(path: str, ocr: str = "auto", fmt: str = "jsonl") -> Iterator[tuple[str, Any]]:
    """The reading worker's side of `extract`: the file's report part by part (a long text in
    sections, `pipeline.extract_parts`), each turned here into what the command writes —
    ("notes", lines) first, then ("text", JSON lines) or ("rows", records) — so that no
    report crosses the pipe and neither process holds a long text's records all at once."""
    from ..pipeline import extract_parts

    for n, report in enumerate(extract_parts(path, ocr=ocr)):
        if n == 0:
            yield "notes", note_lines(path, report)
        if fmt == "jsonl":
            yield "text", "".join([dumps(rec) + "\n" for rec in _records(path, report)])
        else:
            yield "rows", list(_records(path, report))


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
        parts = limited_reports(files, timeout, memory_mb, ocr, target="extractor.cli.extract:output_parts",
                                options={"fmt": fmt})
        for _path, part, error in parts:
            if error is not None:  # every bad file is reported and skipped
                report_line(error)
                failed = True
                continue
            kind, content = part
            if kind == "notes":
                for line in content:
                    click.echo(line, err=True)
            elif kind == "text":
                out.write(content)
            elif fmt == "csv":
                writer.writerows({k: _cell(v) for k, v in rec.items()} for rec in content)
            else:
                rows_for_table.extend(content)
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
