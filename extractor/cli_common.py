"""What the command-line subcommands share: one-line notices on stderr, display width, and
the time and memory limits every command applies to one document (as `convert` does)."""
from __future__ import annotations

import importlib.util
import unicodedata
from typing import Callable, Iterator

import click

from .model import ReadError, Report

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 2048


def limit_options(command: Callable) -> Callable:
    """`--timeout` and `--memory`, with `convert`'s defaults."""
    command = click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=DEFAULT_MEMORY_MB,
                           show_default=True, help="MiB of address space the reading process may use.")(command)
    return click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
                        show_default=True, help="Seconds one file may take.")(command)


def limited_reports(paths: tuple[str, ...], timeout: float, memory_mb: int) -> Iterator[tuple[str, Report | None, str | None]]:
    """(path, report, None) or (path, None, one-line error) per file, in order: each file is
    read in a worker process bounded in time and address space (convert's worker pool), so a
    hostile file ends in an error line instead of hanging the command or exhausting memory."""
    from .batch import WorkerPool, WorkerStartError

    if memory_mb and importlib.util.find_spec("resource") is None:
        click.echo("jixiao: note: no memory limit on this system (no resource module); --memory ignored", err=True)
        memory_mb = 0
    pool = WorkerPool(1, "extractor.pipeline:extract_path", None, timeout, memory_mb or None)
    try:
        for outcome in pool.run((str(i), p) for i, p in enumerate(paths)):
            yield outcome.path, outcome.result, outcome.error
    except WorkerStartError as exc:
        raise click.ClickException(f"cannot start the reading process ({exc})") from None


def report_line(message: str) -> None:
    """An error already worded as one line (`path: reason`)."""
    click.echo(f"jixiao: {message.splitlines()[0] if message else '?'}", err=True)


def notice_notes(path: str, report: Report) -> None:
    """What a reader skipped or simplified on purpose (a sparse sheet compacted, a deep
    nesting flattened, a path-heavy page without ruling analysis): one line each."""
    for note in report.document.meta.get("notes", []):
        click.echo(f"jixiao: {path}: note: {note}", err=True)


def notice_needs_ocr(path: str, report: Report) -> None:
    """A scanned PDF is not an error, but the user must know nothing could be read from it."""
    doc = report.document
    if doc.needs_ocr:
        pages = doc.meta.get("ocr_pages")
        where = f" (pages {', '.join(map(str, pages))})" if pages and len(pages) < (doc.pages or 0) else ""
        click.echo(f"jixiao: {path}: needs OCR{where}: no text layer, nothing read from it", err=True)


def display_width(s: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)
