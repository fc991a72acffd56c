"""What the command-line subcommands share: one-line notices on stderr, display width, output files."""
from __future__ import annotations

import os
import sys
import unicodedata
from typing import IO

import click

from ..model import ReadError, Report


def report_error(path: str, exc: BaseException) -> None:
    """One line on stderr naming the file and the reason; never a traceback."""
    msg = str(exc) if isinstance(exc, ReadError) else f"{path}: internal error: {type(exc).__name__}: {exc}"
    if not msg.startswith(path):
        msg = f"{path}: {msg}"
    click.echo(f"jixiao: {msg.splitlines()[0] if msg else path}", err=True)


def notice_needs_ocr(path: str, report: Report) -> None:
    """A scanned PDF is not an error, but the user must know nothing could be read from it."""
    doc = report.document
    if doc.needs_ocr:
        pages = doc.meta.get("ocr_pages")
        where = f" (pages {', '.join(map(str, pages))})" if pages and len(pages) < (doc.pages or 0) else ""
        note = doc.meta.get("ocr_note")
        why = f" ({note})" if note else ""
        click.echo(f"jixiao: {path}: needs OCR{where}: no text layer, nothing read from it{why}", err=True)


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


def ocr_option(fn):
    """`--ocr auto|never|force` and `--ocr-pages N`, shared by `extract`, `check` and `convert`."""
    fn = click.option("--ocr-pages", type=click.IntRange(min=0), default=None, callback=_set_ocr_pages,
                      expose_value=False, help="OCR at most this many pages of a document (default 200).")(fn)
    return click.option("--ocr", type=click.Choice(["auto", "never", "force"]), default="auto", show_default=True,
                        help="OCR pages without a text layer and images (auto), every PDF page (force), "
                             "or none.")(fn)
