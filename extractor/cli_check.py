"""`jixiao check FILE... [--format text|jsonl] [--lang en] [-o OUT]`: the flags, like a linter.

Exit status (design §3): 0 when no flag has severity `error`, 1 when at least one has,
2 on bad usage or when a file cannot be read (the other files are still checked; each bad
file gets one line on stderr, never a traceback).
"""
from __future__ import annotations

import sys
from typing import Iterable, TextIO

import click

from .cli_common import display_width, limit_options, limited_reports, notice_needs_ocr, notice_notes, report_line
from .jsonout import dumps
from .model import Document, Flag

CONTRACT = ("doc", "code", "severity", "text", "page", "start", "end", "message", "evidence", "suggestion",
            "confidence")
_CONTEXT = 30  # characters of source shown on each side of a flagged span


def flag_record(doc: str, flag: Flag, lang: str = "zh") -> dict:
    """The check-contract record of a flag (table/row/col added for table cells)."""
    rec = flag.record(lang)
    out = {"doc": doc}
    out.update({k: rec[k] for k in CONTRACT[1:]})
    if flag.table is not None:
        out.update(table=flag.table, row=flag.row, col=flag.col)
    return out


def source_excerpt(document: Document, flag: Flag) -> list[str]:
    """The source line around the flag with the span marked by carets underneath."""
    text = document.text or ""
    if flag.start is not None and flag.end is not None and text:
        ls = text.rfind("\n", 0, flag.start) + 1
        le = text.find("\n", flag.end)
        le = len(text) if le < 0 else le
        lo, hi = max(ls, flag.start - _CONTEXT), min(le, flag.end + _CONTEXT)
        pre = ("…" if lo > ls else "") + text[lo:flag.start]
        span = text[flag.start:flag.end]
        post = text[flag.end:hi] + ("…" if hi < le else "")
        line_no = text.count("\n", 0, flag.start) + 1
        prefix = f"    {line_no} | "
        return [prefix + pre + span + post, " " * (len(prefix) + display_width(pre)) + "^" * max(1, display_width(span))]
    if flag.table is not None:
        prefix = f"    table {flag.table}, row {flag.row}, col {flag.col}: "
        return [prefix + flag.text, " " * display_width(prefix) + "^" * max(1, display_width(flag.text))]
    return []


def write_text(out: TextIO, path: str, document: Document, flags: Iterable[Flag], lang: str) -> None:
    for f in flags:
        where = f.page if f.page is not None else "-"
        msg = f.message_en if lang == "en" else f.message
        out.write(f"{path}:{where}: {f.code} [{f.severity}] {msg}\n")
        for line in source_excerpt(document, f):
            out.write(line + "\n")


@click.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="language of the messages")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="write here instead of stdout")
@limit_options
def check_command(files: tuple[str, ...], fmt: str, lang: str, output: str | None, timeout: float,
                  memory_mb: int) -> None:
    """Flag unit errors, sums, changes and rates that do not hold, inverted periods, ... in FILE..."""
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    failed = errors = False
    try:
        for path, report, error in limited_reports(files, timeout, memory_mb):
            if error is not None:  # every bad file is reported and skipped
                report_line(error)
                failed = True
                continue
            notice_needs_ocr(path, report)
            notice_notes(path, report)
            errors = errors or any(f.severity == "error" for f in report.flags)
            if fmt == "jsonl":
                for f in report.flags:
                    out.write(dumps(flag_record(path, f, lang)) + "\n")
            else:
                write_text(out, path, report.document, report.flags, lang)
    finally:
        if output:
            out.close()
    sys.exit(2 if failed else (1 if errors else 0))
