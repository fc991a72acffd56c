"""`jixiao report DATASET -o report.html`: a converted dataset as charts and tables on one offline page."""
from __future__ import annotations

import sqlite3
import sys

import click


@click.command("report")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--out", default="report.html", show_default=True, type=click.Path(dir_okay=False),
              help="HTML page to write.")
@click.option("-q", "--quiet", is_flag=True, help="No summary.")
def report_command(dataset: str, out: str, quiet: bool) -> None:
    """Write the pictures of a dataset made by `jixiao convert` (.sqlite)."""
    from ..views.report import build_report

    try:
        summary = build_report(dataset, out)
    except sqlite3.Error as exc:
        click.echo(f"jixiao report: {dataset}: not a jixiao dataset ({exc})", err=True)
        sys.exit(2)
    if not quiet:
        click.echo(f"{summary['documents']} documents, {summary['flags']} flags, {summary['charts']} charts "
                   f"({summary['bytes'] / 1e6:.1f} MB) -> {out}", err=True)
