"""`jixiao convert`: the command-line face of `extractor.dataset.convert`.

Exit status is 0 whenever the run went through, however many documents failed (they are
`status=error` rows); 1 only when the run itself could not proceed (the dataset cannot be
opened or written); 2 for bad usage (a missing input).
"""
from __future__ import annotations

import os
import sqlite3
import sys
from typing import Any

import click

from .common import ocr_option

MAX_FAILED_LISTED = 10  # failed files named in the summary; the rest are in `documents`


# paths listed per skip reason in the summary (the rest are counted)
_LISTED = 5


def format_summary(summary: dict[str, Any]) -> str:
    """The end-of-run summary as a few readable lines."""
    lines = [
        f"{summary['inputs']} files: {summary['converted']} converted, {summary['skipped']} unchanged, "
        f"{summary['duplicates']} duplicates, {summary['failed']} failed "
        f"({summary['pages']} pages in {summary['seconds']:.1f} s) -> {summary['dataset']}",
    ]
    lines += [f"note: {note}" for note in summary.get("notes", [])]
    if summary["ignored"]:
        lines.append(f"{summary['ignored']} files in the folders are not documents (by suffix) and were left out")
    failures = summary.get("failed_files", [])
    if failures:
        lines.append("failed files:")
        lines += [f"  {path}: {reason}" for path, reason in failures[:MAX_FAILED_LISTED]]
        if len(failures) > MAX_FAILED_LISTED:
            lines.append(f"  ... and {len(failures) - MAX_FAILED_LISTED} more: "
                         f"SELECT path, error FROM documents WHERE status = 'error'")
    others = {r: p for r, p in summary.get("not_converted", {}).items() if r != "not a document (by suffix)"}
    if others:
        lines.append("not converted:")
        for reason, paths in others.items():
            more = f" (and {len(paths) - _LISTED} more)" if len(paths) > _LISTED else ""
            lines.append(f"  {len(paths):5d}  {reason}: {', '.join(paths[:_LISTED])}{more}")
    for key, what in (("missing", "no longer found, marked status=missing (--prune deletes them)"),
                      ("pruned", "no longer found, deleted (--prune)")):
        if summary.get(key):
            paths = summary[key]
            more = f" (and {len(paths) - _LISTED} more)" if len(paths) > _LISTED else ""
            lines.append(f"{len(paths)} files {what}: {', '.join(paths[:_LISTED])}{more}")
    if summary["failed_by_reason"]:
        lines.append("failed by reason:")
        lines += [f"  {n:5d}  {reason}" for reason, n in summary["failed_by_reason"].items()]
    if summary["flags_by_code"]:
        lines.append("flags in the dataset by code:")
        lines += [f"  {n:5d}  {code}" for code, n in summary["flags_by_code"].items()]
    if "corrections" in summary:
        c = summary["corrections"]
        lines.append(f"corrections: {c['applied']} figures corrected, {c['recorded']} decisions recorded without "
                     f"a figure, {c['unmatched']} for documents not in the dataset")
    for path in summary.get("exported", []):
        lines.append(f"exported {path}")
    return "\n".join(lines)


def _memory_floor(ctx: click.Context, param: click.Parameter, value: int) -> int:
    from ..dataset.batch import MIN_MEMORY_MB
    from ..dataset.convert import memory_floor_reason

    if value < MIN_MEMORY_MB:
        raise click.BadParameter(memory_floor_reason(value))
    return value


@click.command("convert")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", default="dataset.sqlite", show_default=True,
              help="SQLite dataset to create or extend (with --format parquet: a folder or URL).")
@click.option("--format", "out_format", type=click.Choice(["sqlite", "parquet"]), default="sqlite",
              show_default=True, help="Dataset format: one SQLite file, or Parquet partitioned by fiscal year "
                                      "(written by the workers; needs --engine dask).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Worker processes on this machine, or a Dask cluster (pip install 'jixiao[cluster]').")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler to join (tcp://host:8786); without it --engine dask starts a local "
                   "cluster of -j workers.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (default and cap: the usable cores, fewer if memory is short); "
                   "1 converts in this process.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              help="Seconds one document may take before it is stored as an error.")
@click.option("--memory", "memory_mb", type=int, default=2048, show_default=True, callback=_memory_floor,
              help="MiB of address space one worker may use (at least 256; POSIX only).")
@click.option("--export", "export_dir", type=click.Path(file_okay=False), default=None,
              help="Also export every table into this folder.")
@click.option("--as", "export_as", type=click.Choice(["csv", "xlsx", "parquet"]), default="csv", show_default=True,
              help="Export format: CSV per table, one XLSX workbook, or Parquet per table.")
@click.option("--unit", type=click.Choice(["元", "万元"]), default="万元", show_default=True,
              help="Unit of the amount columns in exports (the dataset keeps 元); named in amount_unit.")
@click.option("--headers", type=click.Choice(["zh", "en"]), default=None,
              help="Export headers: zh (中文名（单位）, default for xlsx) or en (column names, default for csv).")
@click.option("--raw", is_flag=True,
              help="CSV cells exactly as stored: no leading ' on text starting with = + - @ (unsafe in Excel).")
@click.option("--meta", "meta", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Manifest CSV (path, department, year, region) for documents that do not say.")
@click.option("--force", is_flag=True, help="Convert every file again, changed or not.")
@click.option("--retry-errors", is_flag=True, help="Convert again the files stored as errors (e.g. after a timeout).")
@click.option("--prune", is_flag=True,
              help="Delete the rows of files gone from the folders walked (default: mark them status=missing).")
@click.option("--corrections", "corrections", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Reviewed corrections (CSV or JSON from `jixiao review`) to store; exports carry them.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@ocr_option
def convert_command(inputs, out, out_format, engine, scheduler, jobs, timeout, memory_mb, export_dir, export_as,
                    unit, headers, raw, meta, force, retry_errors, prune, corrections, quiet, ocr) -> None:
    """Convert report files and folders into one dataset (incremental, resumable)."""
    from ..dataset.convert import RunError, convert
    from ..dataset.corrections import CorrectionsError
    from ..dataset.sources import is_url

    for inp in inputs:  # URLs are checked when they are listed (through fsspec)
        if not is_url(inp) and not os.path.exists(inp):
            raise click.BadParameter(f"Path '{inp}' does not exist.", param_hint="'INPUTS...'")
    if out_format == "sqlite" and os.path.isdir(out):
        raise click.BadParameter(f"File '{out}' is a directory.", param_hint="'-o' / '--out'")
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    ctx = click.get_current_context()
    if export_dir is None:
        for name, flag in (("export_as", "--as"), ("unit", "--unit")):
            if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT:
                raise click.UsageError(f"{flag} applies to exports: add --export DIR")

    try:
        summary = convert(list(inputs), out, jobs=jobs, export_dir=export_dir, export_as=export_as,
                          unit=unit, quiet=quiet, timeout=timeout, memory_mb=memory_mb, force=force,
                          retry_errors=retry_errors, meta=meta, headers=headers, raw=raw, prune=prune,
                          corrections=corrections, ocr=ocr, engine=engine, scheduler=scheduler,
                          out_format=out_format)
    except CorrectionsError as exc:
        click.echo(f"jixiao convert: {exc}", err=True)
        sys.exit(2)
    except (RunError, sqlite3.Error, OSError) as exc:
        click.echo(f"jixiao convert: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("jixiao convert: interrupted; run the same command again to resume", err=True)
        sys.exit(130)
    if not quiet:
        click.echo(format_summary(summary), err=True)
