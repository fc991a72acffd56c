"""What the command-line subcommands share: one-line notices on stderr, display width, output
files, and the time and memory limits every command applies to one document (as `convert` does)."""
from __future__ import annotations

import importlib.util
import os
import sys
import unicodedata
from typing import IO, Callable, Iterator

import click

from ..model import ReadError, Report

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 2048


def limit_options(command: Callable) -> Callable:
    """`--timeout` and `--memory`, with `convert`'s defaults."""
    command = click.option("--memory", "memory_mb", type=click.IntRange(min=64), default=DEFAULT_MEMORY_MB,
                           show_default=True, help="MiB of address space the reading process may use.")(command)
    return click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
                        show_default=True, help="Seconds one file may take.")(command)


def limited_reports(paths: Iterator[str] | tuple[str, ...] | list[str], timeout: float, memory_mb: int,
                    ocr: str = "auto", target: str = "extractor.pipeline:extract_path",
                    options: dict | None = None) -> Iterator[tuple[str, Report | None, str | None]]:
    """(path, report, None) or (path, None, one-line error) per file, in order: each file is
    read in a worker process bounded in time and address space (convert's worker pool), so a
    hostile file ends in an error line instead of hanging the command or exhausting memory.
    A `target` that yields its result in parts gives (path, part, None) per part, and a
    document that fails after some parts its error line after them."""
    from ..dataset.batch import WorkerPool, WorkerStartError

    if memory_mb and importlib.util.find_spec("resource") is None:
        click.echo("jixiao: note: no memory limit on this system (no resource module); --memory ignored", err=True)
        memory_mb = 0
    pool = WorkerPool(1, target, None, timeout, memory_mb or None, options={"ocr": ocr, **(options or {})},
                      preload=True)
    parted: set[str] = set()
    try:
        for outcome in pool.run((str(i), p) for i, p in enumerate(paths)):
            if outcome.partial:
                parted.add(outcome.key)
            elif outcome.key in parted and outcome.error is None:
                continue  # the end of a document sent in parts
            yield outcome.path, outcome.result, outcome.error
    except WorkerStartError as exc:
        raise click.ClickException(f"cannot start the reading process ({exc})") from None


def report_line(message: str) -> None:
    """An error already worded as one line (`path: reason`)."""
    click.echo(f"jixiao: {message.splitlines()[0] if message else '?'}", err=True)


def notice_notes(path: str, report: Report) -> None:
    """What a reader skipped or simplified on purpose (a sparse sheet compacted, a deep
    nesting flattened, a path-heavy page without ruling analysis): one line each."""
    for line in _note_lines(path, report):
        click.echo(line, err=True)


def _note_lines(path: str, report: Report) -> list[str]:
    return [f"jixiao: {path}: note: {note}" for note in report.document.meta.get("notes", [])]


def note_lines(path: str, report: Report) -> list[str]:
    """The lines `notice_needs_ocr` and then `notice_notes` print (for a worker to send)."""
    ocr = needs_ocr_line(path, report)
    return ([ocr] if ocr is not None else []) + _note_lines(path, report)


def report_error(path: str, exc: BaseException) -> None:
    """One line on stderr naming the file and the reason; never a traceback."""
    msg = str(exc) if isinstance(exc, ReadError) else f"{path}: internal error: {type(exc).__name__}: {exc}"
    if not msg.startswith(path):
        msg = f"{path}: {msg}"
    click.echo(f"jixiao: {msg.splitlines()[0] if msg else path}", err=True)


def notice_needs_ocr(path: str, report: Report) -> None:
    """A scanned PDF is not an error, but the user must know nothing could be read from it."""
    line = needs_ocr_line(path, report)
    if line is not None:
        click.echo(line, err=True)


def needs_ocr_line(path: str, report: Report) -> str | None:
    doc = report.document
    if not doc.needs_ocr:
        return None
    pages = doc.meta.get("ocr_pages")
    where = f" (pages {', '.join(map(str, pages))})" if pages and len(pages) < (doc.pages or 0) else ""
    note = doc.meta.get("ocr_note")
    why = f" ({note})" if note else ""
    return f"jixiao: {path}: needs OCR{where}: no text layer, nothing read from it{why}"


def display_width(s: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def format_for(output: str | None, fmt: str | None, by_suffix: dict[str, str], default: str) -> str:
    """The output format: `--format` when given, else the one the output file's suffix names
    (`-o flags.csv` writes CSV), else `default`."""
    if fmt is not None:
        return fmt
    if output:
        name = output.lower()
        for suffix, found in sorted(by_suffix.items(), key=lambda kv: -len(kv[0])):
            if name.endswith(suffix):
                return found
    return default


def open_output(path: str, encoding: str = "utf-8") -> IO[str]:
    """Open `-o FILE` for writing, or end with one line and exit status 2 (bad usage): a
    missing folder or a read-only place is the user's to fix, not a traceback."""
    try:
        return open(path, "w", encoding=encoding, newline="")
    except OSError as exc:
        click.echo(f"jixiao: cannot write {path}: {exc.strerror or exc}", err=True)
        sys.exit(2)


def _set_ocr_pages(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """The page limit reaches the readers (and `convert`'s workers) through the environment."""
    if value is not None:
        from ..readers.ocr import PAGES_ENV

        os.environ[PAGES_ENV] = str(value)
    return value


def _set_page_jobs(ctx: click.Context, param: click.Parameter, value: int) -> int:
    """The page processes reach the reading process through the environment (as --ocr-pages)."""
    from ..readers.page_jobs import JOBS_ENV

    os.environ[JOBS_ENV] = str(value)
    return value


def page_jobs_option(fn):
    """`-j N`: the pages of a long PDF read by N processes (`readers.page_jobs`)."""
    from ..readers.page_jobs import MIN_PAGES

    return click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
                        callback=_set_page_jobs, expose_value=False,
                        help=f"Read the pages of a PDF of {MIN_PAGES} pages or more in N processes "
                             f"(same output).")(fn)


def ocr_option(fn):
    """`--ocr auto|never|force` and `--ocr-pages N`, shared by `extract`, `check` and `convert`."""
    fn = click.option("--ocr-pages", type=click.IntRange(min=0), default=None, callback=_set_ocr_pages,
                      expose_value=False, help="OCR at most this many pages of a document (default 200).")(fn)
    return click.option("--ocr", type=click.Choice(["auto", "never", "force"]), default="auto", show_default=True,
                        help="OCR pages without a text layer and images (auto), every PDF page (force), "
                             "or none.")(fn)
