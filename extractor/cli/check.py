"""`jixiao check INPUT...`: the flags of report files and folders, the way linters report.

Output: `--format text|jsonl|csv|sarif` (from `-o`'s suffix when not given); positions are
`file:line:col` (PDFs: `file:pPAGE:line:col`, the line within the page); a closing line
`N errors, M warnings in K files`. `--select/--ignore` keep or drop codes; `--baseline FILE`
hides flags accepted earlier, `--write-baseline FILE` accepts the current ones.

Exit status (design §3): 0 when no flag has severity `error`, 1 when at least one has,
2 on bad usage or when a file could not be checked — unreadable, or a scan with no text
layer (OCR-only) — the other files are still checked; each such file gets one line on
stderr, never a traceback.
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from typing import Iterable

import click

from ..model import Flag, ReadError
from .common import (format_for, limit_options, limited_reports, notice_needs_ocr, notice_notes, ocr_option,
                     open_output, page_jobs_option, report_error, report_line)
from .flag_formats import CONTRACT, CsvWriter, SarifLog, flag_record, source_excerpt, write_jsonl, write_text

__all__ = ["check_command", "CONTRACT", "flag_record", "source_excerpt", "write_text", "summary_line"]

FORMATS = ("text", "jsonl", "csv", "sarif")
_BY_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".sarif": "sarif", ".sarif.json": "sarif",
              ".txt": "text"}


def _codes(values: tuple[str, ...], option: str) -> set[str]:
    """Codes given as `--select a,b --select c`; unknown codes are a usage error."""
    from ..checks.codes import CODES, unknown_codes

    codes = [c.strip() for v in values for c in v.split(",") if c.strip()]
    bad = unknown_codes(codes)
    if bad:
        raise click.BadParameter(f"unknown code {', '.join(bad)} (known: {', '.join(CODES)})", param_hint=option)
    return set(codes)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(severities: Counter, files: int, unreadable: int, needs_ocr: int, baselined: int) -> str:
    """`N errors, M warnings in K files`, plus what could not be checked or was accepted."""
    line = f"{_plural(severities['error'], 'error')}, {_plural(severities['warning'], 'warning')}"
    if severities["info"]:
        line += f", {severities['info']} info"
    line += f" in {_plural(files, 'file')}"
    notes = []
    if unreadable:
        notes.append(f"{unreadable} unreadable")
    if needs_ocr:
        notes.append(f"{needs_ocr} need{'s' if needs_ocr == 1 else ''} OCR")
    if baselined:
        notes.append(f"{_plural(baselined, 'flag')} accepted in the baseline")
    return line + (f" ({', '.join(notes)})" if notes else "")


def _inputs(inputs: Iterable[str]) -> tuple[list[str], list[str]]:
    """Files to check (folders walked as `convert` walks them) and inputs that do not exist."""
    from ..dataset.convert import walk_inputs

    files: dict[str, None] = {}
    missing: list[str] = []
    for inp in inputs:
        if not os.path.exists(inp):
            missing.append(inp)
            continue
        if os.path.isfile(inp):
            files[inp] = None  # a file named is reported as named
            continue
        root = os.path.realpath(inp)
        files.update(dict.fromkeys(os.path.join(inp, os.path.relpath(f, root)) for f in walk_inputs([inp]).files))
    return list(files), missing


@click.command("check")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="text (default), jsonl, csv or sarif (SARIF 2.1.0); default from -o's suffix")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="language of the messages")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write here instead of stdout")
@click.option("--select", multiple=True, metavar="CODES", help="only these flag codes (comma-separated, repeatable)")
@click.option("--ignore", multiple=True, metavar="CODES", help="leave out these flag codes")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="hide the flags accepted in this baseline file")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False),
              help="accept every current flag: write them into this baseline file")
@ocr_option
@page_jobs_option
@limit_options
def check_command(inputs: tuple[str, ...], fmt: str | None, lang: str, output: str | None,
                  select: tuple[str, ...], ignore: tuple[str, ...], baseline_path: str | None,
                  write_baseline: str | None, ocr: str, timeout: float, memory_mb: int) -> None:
    """Flag unit errors, sums, changes and rates that do not hold, inverted periods, ... in
    report files and folders."""
    from .._version import __version__
    from .baseline import Baseline, BaselineError

    fmt = format_for(output, fmt, _BY_SUFFIX, "text")
    selected, ignored = _codes(select, "--select"), _codes(ignore, "--ignore")
    try:
        baseline = Baseline.load(baseline_path) if baseline_path else None
    except BaselineError as exc:
        click.echo(f"jixiao: {exc}", err=True)
        sys.exit(2)
    accepting = Baseline(write_baseline) if write_baseline else None

    def keep(f: Flag) -> bool:
        return (not selected or f.code in selected) and f.code not in ignored

    files, missing = _inputs(inputs)
    out = open_output(output, "utf-8-sig" if fmt == "csv" else "utf-8") if output else sys.stdout
    csv_writer = CsvWriter(out) if fmt == "csv" else None
    sarif = SarifLog(__version__, lang) if fmt == "sarif" else None
    severities: Counter = Counter()
    unreadable = unread_scans = baselined = 0
    try:
        for path in missing:
            report_error(path, ReadError(f"{path}: no such file or directory"))
            if sarif:
                sarif.notify(path, f"{path}: no such file or directory")
            unreadable += 1
        for path, report, error in limited_reports(files, timeout, memory_mb, ocr):
            if error is not None:  # every bad file is reported and skipped
                report_line(error)
                if sarif:
                    sarif.notify(path, error if error.startswith(path) else f"{path}: {error}")
                unreadable += 1
                continue
            notice_notes(path, report)
            if report.document.needs_ocr and not report.document.text.strip():
                notice_needs_ocr(path, report)
                if sarif:
                    sarif.notify(path, f"{path}: needs OCR: no text layer, nothing read from it")
                unread_scans += 1
            elif report.document.needs_ocr:
                notice_needs_ocr(path, report)  # some pages scanned: a notice, the rest is checked
            flags = [f for f in report.flags if keep(f)]
            shown = flags
            if accepting is not None:  # every current flag is accepted: none is shown
                accepting.add(path, flags)
                shown = []
            elif baseline is not None:
                shown = [f for f in flags if not baseline.accepts(path, f)]
            baselined += len(flags) - len(shown)
            flags = shown
            severities.update(f.severity for f in flags)
            if fmt == "jsonl":
                write_jsonl(out, path, report.document, flags, lang)
            elif csv_writer is not None:
                csv_writer.write(path, report.document, flags, lang)
            elif sarif is not None:
                sarif.add(path, report.document, flags)
            else:
                write_text(out, path, report.document, flags, lang)
        if sarif is not None:
            sarif.dump(out)
        summary = summary_line(severities, len(files) + len(missing), unreadable, unread_scans, baselined)
        if fmt == "text":
            out.write(summary + "\n")
            if output:
                click.echo(summary, err=True)
        else:
            click.echo(summary, err=True)
    finally:
        if output:
            out.close()
    if accepting is not None:
        try:
            n = accepting.save()
        except OSError as exc:
            click.echo(f"jixiao: cannot write {write_baseline}: {exc.strerror or exc}", err=True)
            sys.exit(2)
        click.echo(f"jixiao: {_plural(n, 'flag')} accepted into {write_baseline}", err=True)
    sys.exit(2 if unreadable or unread_scans else (1 if severities["error"] else 0))
