"""How `jixiao check` writes flags: text (like a linter), JSONL (the contract), CSV, SARIF 2.1.0.

Positions people read are 1-based: `file:line:col` for formats without pages,
`file:pPAGE:line:col` (line within the page) for PDFs, `table/row/col` counted from 1 in
text and SARIF. The JSONL and CSV records keep the contract's fields unchanged (0-based
`table/row/col`, as in `extract` and the SQLite `flags` table) and add `line`/`column`
(1-based) where the flag has a span in the text.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, TextIO
from urllib.parse import quote

from ..checks.codes import CODES
from ..jsonout import decimal_text, dumps
from ..model import Document, Flag
from .common import display_width

CONTRACT = ("doc", "code", "severity", "text", "page", "start", "end", "message", "evidence", "suggestion",
            "confidence")
CSV_FIELDS = CONTRACT + ("line", "column", "table", "row", "col")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_CONTEXT = 30  # characters of source shown on each side of a flagged span


@dataclass(frozen=True)
class Location:
    """Where a flag is, 1-based: line/column within its page (or the whole text), table cell."""

    page: int | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None  # the column after the span's last character (SARIF's endColumn)
    table: int | None = None
    row: int | None = None
    col: int | None = None

    def text(self) -> str:
        """`p3:12:5`, `12:5`, `p2:table1:row4:col3`, `p3` or '' (the part after `file:`)."""
        parts = [f"p{self.page}"] if self.page is not None else []
        if self.line is not None:
            parts += [str(self.line), str(self.column)]
        elif self.table is not None:
            parts += [f"table{self.table}", f"row{self.row}", f"col{self.col}"]
        return ":".join(parts)


def _line_col(text: str, base: int, offset: int) -> tuple[int, int]:
    """1-based line (counted from `base`) and character column of `offset` in `text`."""
    line_start = max(text.rfind("\n", 0, offset) + 1, base)
    return text.count("\n", base, offset) + 1, offset - line_start + 1


def locate(document: Document | None, flag: Flag) -> Location:
    """The 1-based location of a flag in its document."""
    page = flag.page
    line = column = end_line = end_column = None
    text = document.text if document is not None else ""
    if flag.start is not None and flag.end is not None and text and flag.end <= len(text):
        base = 0
        if document.page_starts:
            page = document.page_at(flag.start)
            base = document.page_starts[page - 1]
        line, column = _line_col(text, base, flag.start)
        end_line, end_column = _line_col(text, base, flag.end)
    one = (lambda v: None if v is None else v + 1)
    return Location(page, line, column, end_line, end_column, one(flag.table), one(flag.row), one(flag.col))


# ---------------------------------------------------------------- records (JSONL, CSV)

def flag_record(doc: str, flag: Flag, lang: str = "zh", document: Document | None = None) -> dict[str, Any]:
    """The check-contract record of a flag: the contract's fields in order, then `line`/`column`
    (1-based) for a span in the text and `table/row/col` (0-based, as the contract) for a cell."""
    rec = flag.record(lang)
    out: dict[str, Any] = {"doc": doc}
    out.update({k: rec[k] for k in CONTRACT[1:]})
    loc = locate(document, flag)
    if loc.line is not None:
        out.update(line=loc.line, column=loc.column)
    if flag.table is not None:
        out.update(table=flag.table, row=flag.row, col=flag.col)
    return out


def write_jsonl(out: TextIO, doc: str, document: Document, flags: Iterable[Flag], lang: str) -> None:
    for f in flags:
        out.write(dumps(flag_record(doc, f, lang, document)) + "\n")


class CsvWriter:
    """One CSV row per flag: the JSONL record flattened (evidence and suggestion as JSON text)."""

    def __init__(self, out: TextIO) -> None:
        self.writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        self.writer.writeheader()

    def write(self, doc: str, document: Document, flags: Iterable[Flag], lang: str) -> None:
        for f in flags:
            rec = flag_record(doc, f, lang, document)
            self.writer.writerow({k: _csv_cell(rec.get(k)) for k in CSV_FIELDS})


def _csv_cell(v: Any) -> str:
    if v is None or v == []:
        return ""
    if isinstance(v, Decimal):
        return decimal_text(v)
    if isinstance(v, (dict, list)):
        return dumps(v)
    return str(v)


# ---------------------------------------------------------------- text

def source_excerpt(document: Document, flag: Flag) -> list[str]:
    """The source line around the flag with the span marked by carets underneath."""
    text = document.text or ""
    loc = locate(document, flag)
    if loc.line is not None:
        ls = text.rfind("\n", 0, flag.start) + 1
        le = text.find("\n", flag.end)
        le = len(text) if le < 0 else le
        lo, hi = max(ls, flag.start - _CONTEXT), min(le, flag.end + _CONTEXT)
        pre = ("…" if lo > ls else "") + text[lo:flag.start]
        span = text[flag.start:flag.end]
        post = text[flag.end:hi] + ("…" if hi < le else "")
        prefix = f"    {loc.line} | "
        return [prefix + pre + span + post, " " * (len(prefix) + display_width(pre)) + "^" * max(1, display_width(span))]
    if loc.table is not None:
        prefix = f"    table {loc.table}, row {loc.row}, col {loc.col}: "
        return [prefix + flag.text, " " * display_width(prefix) + "^" * max(1, display_width(flag.text))]
    return []


def write_text(out: TextIO, path: str, document: Document, flags: Iterable[Flag], lang: str) -> None:
    """`file:LOCATION: code [severity] message`, then the source line with the span marked."""
    for f in flags:
        where = locate(document, f).text()
        msg = f.message_en if lang == "en" else f.message
        out.write(f"{path}{':' + where if where else ''}: {f.code} [{f.severity}] {msg}\n")
        for line in source_excerpt(document, f):
            out.write(line + "\n")


# ---------------------------------------------------------------- SARIF 2.1.0

def artifact_uri(path: str) -> str:
    """A URI reference for a path: relative paths stay relative (forward slashes), absolute
    ones become file: URIs; non-ASCII characters are percent-encoded as RFC 3986 asks."""
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(path.replace(os.sep, "/"), safe="/-._~")


class SarifLog:
    """Collects results and tool notifications; `dump` writes one SARIF 2.1.0 log."""

    def __init__(self, version: str, lang: str) -> None:
        self.lang = lang
        self.version = version
        self.rule_index = {code: i for i, code in enumerate(CODES)}
        self.results: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []

    def add(self, path: str, document: Document, flags: Iterable[Flag]) -> None:
        for f in flags:
            self.results.append(self._result(path, document, f))

    def notify(self, path: str, message: str, level: str = "error") -> None:
        """A file that could not be checked (unreadable, needs OCR)."""
        self.notifications.append({
            "level": level, "message": {"text": message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(path)}}}],
        })

    def _result(self, path: str, document: Document, f: Flag) -> dict[str, Any]:
        loc = locate(document, f)
        physical: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(path)}}
        props: dict[str, Any] = {"severity": f.severity, "confidence": f.confidence}
        if loc.line is not None and document.reader == "text":
            # a plain-text file: its decoded text is the document's, lines and columns point into the file
            physical["region"] = {"startLine": loc.line, "startColumn": loc.column, "endLine": loc.end_line,
                                  "endColumn": loc.end_column, "snippet": {"text": f.text}}
        elif loc.line is not None:  # a line of the extracted text (of its page): no place in the file's bytes
            props.update(page=loc.page, line=loc.line, column=loc.column)
        elif loc.page is not None:
            props["page"] = loc.page
        if loc.table is not None:
            props.update(table=loc.table, row=loc.row, col=loc.col)
        if f.suggestion is not None:
            props["suggestion"] = f.suggestion
        if f.evidence:
            props["evidence"] = [e.record() for e in f.evidence]
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": _SARIF_LEVEL.get(f.severity, "warning"),
            "message": {"text": f.message_en if self.lang == "en" else f.message},
            "locations": [{"physicalLocation": physical}],
            "properties": props,
        }
        if f.code in self.rule_index:
            result["ruleIndex"] = self.rule_index[f.code]
        return result

    def log(self) -> dict[str, Any]:
        pick = 1 if self.lang == "en" else 0
        rules = [{"id": code, "shortDescription": {"text": texts[pick]},
                  "fullDescription": {"text": texts[1 - pick]}} for code, texts in CODES.items()]
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "jixiao", "version": self.version, "rules": rules}},
                "invocations": [{"executionSuccessful": not any(n["level"] == "error" for n in self.notifications),
                                 "toolExecutionNotifications": self.notifications}],
                "columnKind": "unicodeCodePoints",
                "results": self.results,
            }],
        }

    def dump(self, out: TextIO) -> None:
        out.write(dumps(self.log(), indent=2) + "\n")
