"""`jixiao convert`: the command-line face of `extractor.dataset.convert`.

Exit status is 0 whenever the run went through, however many documents failed (they are
`status=error` rows); 1 only when the run itself could not proceed (the dataset cannot be
opened or written); 2 for bad usage (a missing input).
"""
from __future__ import annotations

import sqlite3
import sys
from typing import Any

import click

from .cli_common import ocr_option


def format_summary(summary: dict[str, Any]) -> str:
    """The end-of-run summary as a few readable lines."""
    lines = [
        f"{summary['inputs']} files: {summary['converted']} converted, {summary['skipped']} unchanged, "
        f"{summary['duplicates']} duplicates, {summary['failed']} failed "
        f"({summary['pages']} pages in {summary['seconds']:.1f} s) -> {summary['dataset']}",
    ]
    if summary["ignored"]:
        lines.append(f"{summary['ignored']} files in the folders are not documents (by suffix) and were left out")
    if summary["failed_by_reason"]:
        lines.append("failed by reason:")
        lines += [f"  {n:5d}  {reason}" for reason, n in summary["failed_by_reason"].items()]
    if summary["flags_by_code"]:
        lines.append("flags in the dataset by code:")
        lines += [f"  {n:5d}  {code}" for code, n in summary["flags_by_code"].items()]
    for path in summary.get("exported", []):
        lines.append(f"exported {path}")
    return "\n".join(lines)


@click.command("convert")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", default="dataset.sqlite", show_default=True, type=click.Path(dir_okay=False),
              help="SQLite dataset to create or extend.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of cores).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              help="Seconds one document may take before it is stored as an error.")
@click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=2048, show_default=True,
              help="MiB of address space one worker may use.")
@click.option("--export", "export_dir", type=click.Path(file_okay=False), default=None,
              help="Also export every table into this folder.")
@click.option("--as", "export_as", type=click.Choice(["csv", "xlsx", "parquet"]), default="csv", show_default=True,
              help="Export format: CSV per table, one XLSX workbook, or Parquet per table.")
@click.option("--unit", type=click.Choice(["元", "万元"]), default="万元", show_default=True,
              help="Unit of the amount columns in exports (the dataset keeps 元).")
@click.option("--force", is_flag=True, help="Convert every file again, changed or not.")
@click.option("--retry-errors", is_flag=True, help="Convert again the files stored as errors (e.g. after a timeout).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@ocr_option
def convert_command(inputs, out, jobs, timeout, memory_mb, export_dir, export_as, unit, force, retry_errors,
                    quiet, ocr) -> None:
    """Convert report files and folders into one SQLite dataset (incremental, resumable)."""
    from .dataset import RunError, convert

    try:
        summary = convert(list(inputs), out, jobs=jobs, export_dir=export_dir, export_as=export_as,
                          unit=unit, quiet=quiet, timeout=timeout, memory_mb=memory_mb, force=force,
                          retry_errors=retry_errors, ocr=ocr)
    except (RunError, sqlite3.Error, OSError) as exc:
        click.echo(f"jixiao convert: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("jixiao convert: interrupted; run the same command again to resume", err=True)
        sys.exit(130)
    if not quiet:
        click.echo(format_summary(summary), err=True)
