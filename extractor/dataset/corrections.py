"""Reviewed corrections (`jixiao convert … --corrections FILE`): stored beside the facts, applied on export.

A corrections file is what the review page downloads (CSV or JSON, one record per decided
flag). Accepted and edited records become rows of the `corrections` table with the original
figure, the corrected one and who decided when, each in its own column; rejected records
are kept too (a flag a person dismissed). The facts tables are never rewritten: exports
(and the report page) lay the corrected figure over the stored one, so a document that
is converted again keeps its corrections, and removing a correction restores the original.

A correction names its flag's place (doc_id or path; start/end or table/row/col; the text
as written) and the figure as it should read. The figure is read with the package's own
quantity parser; a bare number keeps the unit of the figure it corrects (`404.09` in a
table in 万元 is 404.09万元).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Iterator

from . import store
from ..jsonout import decimal_text

COLUMNS = store.CORRECTION_COLUMNS
DECISIONS = ("accept", "edit", "reject")
MAX_BYTES = 50 * 2**20  # a corrections file is a few KB per thousand flags
_LOCATOR = ("page", "start", "end", "table", "row", "col")


class CorrectionsError(ValueError):
    """A corrections file that cannot be read (one line naming the reason)."""


# ---------------------------------------------------------------- reading a file

def _int(value: Any, field: str, where: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CorrectionsError(f"{where}: {field} is not a whole number: {value!r}") from None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _records(path: str) -> list[dict[str, Any]]:
    if os.path.getsize(path) > MAX_BYTES:
        raise CorrectionsError(f"{path}: larger than {MAX_BYTES // 2**20} MB")
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CorrectionsError(f"{path}: not UTF-8 text") from None
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CorrectionsError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        records = data.get("corrections") if isinstance(data, dict) else data
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise CorrectionsError(f"{path}: JSON must be a list of records or {{\"corrections\": [...]}}")
        return records
    rows = list(csv.DictReader(io.StringIO(text)))
    if rows and "decision" not in rows[0]:
        raise CorrectionsError(f"{path}: CSV without a decision column")
    return rows


def load(path: str) -> list[dict[str, Any]]:
    """The records of a corrections file (CSV or JSON), checked and normalised."""
    out = []
    for i, rec in enumerate(_records(path), start=1):
        where = f"{path}: record {i}"
        decision = (_text(rec.get("decision")) or "").strip().lower()
        if decision not in DECISIONS:
            raise CorrectionsError(f"{where}: decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
        r = {k: _int(rec.get(k), k, where) for k in _LOCATOR}
        r.update({k: _text(rec.get(k)) for k in ("flag_id", "doc", "doc_id", "code", "text", "corrected",
                                                 "reviewer", "decided_at")})
        r["decision"] = decision
        if not r["doc"] and not r["doc_id"]:
            raise CorrectionsError(f"{where}: names no document (doc or doc_id)")
        if decision == "edit" and not r["corrected"]:
            raise CorrectionsError(f"{where}: an edit without a corrected value")
        if not r["flag_id"]:
            key = "|".join(str(r[k]) for k in ("doc_id", "doc", "code", *_LOCATOR, "text"))
            r["flag_id"] = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        out.append(r)
    return out


# ---------------------------------------------------------------- applying

def _doc_id(conn: sqlite3.Connection, rec: dict[str, Any]) -> str | None:
    """The dataset's doc_id of a record: its own if the dataset has it, else by path."""
    if rec["doc_id"] and conn.execute("SELECT 1 FROM documents WHERE doc_id = ? LIMIT 1", (rec["doc_id"],)).fetchone():
        return rec["doc_id"]
    if rec["doc"]:
        row = conn.execute("SELECT doc_id FROM documents WHERE path = ? AND doc_id IS NOT NULL", (rec["doc"],)).fetchone()
        if row:
            return row[0]
    return None


def _quantity(conn: sqlite3.Connection, doc_id: str, rec: dict[str, Any]) -> dict[str, Any] | None:
    """The stored quantity the flag is about: same place and, when given, same text."""
    if rec["start"] is not None and rec["end"] is not None:
        where, args = '"start" = ? AND "end" = ?', [rec["start"], rec["end"]]
    elif rec["table"] is not None and rec["row"] is not None and rec["col"] is not None:
        where, args = '"table" = ? AND "row" = ? AND "col" = ?', [rec["table"], rec["row"], rec["col"]]
    else:
        return None
    if rec["text"]:
        where, args = where + " AND text = ?", args + [rec["text"]]
    cur = conn.execute(f"SELECT kind, value_text, unit, value_yuan_text FROM quantities WHERE doc_id = ? AND {where} "
                       "ORDER BY rowid LIMIT 1", [doc_id] + args)  # the exact text, not the REAL
    row = cur.fetchone()
    return None if row is None else dict(zip(("kind", "value", "unit", "value_yuan"), row))


def corrected_figure(text: str, original: dict[str, Any] | None) -> tuple[Decimal | None, str | None, Decimal | None]:
    """(value, unit, value in 元) of a corrected text, a bare number taking the original's unit."""
    from ..text.quantities import MONEY_FACTORS, parse_quantities_in, to_yuan

    found = parse_quantities_in(text)
    kind = original["kind"] if original else None
    q = next((q for q in found if q.kind == kind), found[0] if found else None)
    if q is not None and q.unit:
        return q.value, q.unit, q.value_yuan
    try:
        value = q.value if q is not None else Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None, None, None
    unit = original["unit"] if original else None
    return value, unit, (to_yuan(value, unit) if unit in MONEY_FACTORS else None)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def apply(conn: sqlite3.Connection, records: list[dict[str, Any]]) -> dict[str, int]:
    """Store the records in the `corrections` table in one transaction; return counts.

    `applied`: accepted or edited with a corrected figure found; `recorded`: decisions
    stored without a figure to change (rejections, a flag about no single figure);
    `unmatched`: records naming a document the dataset does not hold (not stored).
    """
    counts = {"applied": 0, "recorded": 0, "unmatched": 0}
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    conn.execute("BEGIN IMMEDIATE")
    try:
        for rec in records:
            doc_id = _doc_id(conn, rec)
            if doc_id is None:
                counts["unmatched"] += 1
                continue
            original = _quantity(conn, doc_id, rec)
            value = unit = yuan = None
            if rec["decision"] in ("accept", "edit") and rec["corrected"]:
                value, unit, yuan = corrected_figure(rec["corrected"], original)
            row = {
                "doc_id": doc_id, **{k: rec[k] for k in ("flag_id", "doc", "code", *_LOCATOR, "text", "decision",
                                                         "reviewer", "decided_at")},
                "original_value": original["value"] if original else None,
                "original_unit": original["unit"] if original else None,
                "original_value_yuan": original["value_yuan"] if original else None,
                "corrected_text": rec["corrected"], "corrected_value": _dec(value), "corrected_unit": unit,
                "corrected_value_yuan": _dec(yuan), "applied_at": now,
            }
            conn.execute("DELETE FROM corrections WHERE doc_id = ? AND flag_id = ?", (doc_id, rec["flag_id"]))
            store.insert_rows(conn, "corrections", [row], doc_id)  # typed: REAL beside the exact text
            counts["applied" if original is not None and value is not None else "recorded"] += 1
        conn.execute("COMMIT")
    except BaseException:
        store.rollback(conn)
        raise
    return counts


# ---------------------------------------------------------------- reading with corrections

def present(conn: sqlite3.Connection) -> bool:
    """Whether the dataset has a corrections table (datasets made before it have none)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'corrections'").fetchone() is not None


def _active(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    if not present(conn):
        return []
    cur = conn.execute("SELECT doc_id, page, start, \"end\", \"table\", \"row\", col, text, original_value_yuan, "
                       "corrected_value, corrected_unit, corrected_value_yuan FROM corrections "
                       "WHERE decision IN ('accept', 'edit') AND corrected_value IS NOT NULL ORDER BY rowid")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur]


def overlay(conn: sqlite3.Connection, table: str, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Stored rows with accepted corrections laid over them (quantities and budget_lines).

    A quantity is corrected at its place (start/end or table/row/col) and text; a budget
    line (which keeps no place finer than its page) only when it is the one line of its
    document with that page, text and original amount. Rows are dicts of stored values.
    """
    active = _active(conn) if table in ("quantities", "budget_lines") else []
    if not active:
        yield from rows
        return
    spans, cells, lines = {}, {}, {}
    for c in active:
        if c["start"] is not None:
            spans[(c["doc_id"], c["start"], c["end"], c["text"])] = c
        elif c["table"] is not None:
            cells[(c["doc_id"], c["table"], c["row"], c["col"], c["text"])] = c
        if c["original_value_yuan"] is not None and c["corrected_value_yuan"] is not None and table == "budget_lines":
            same = conn.execute("SELECT value_yuan FROM budget_lines WHERE doc_id = ? AND page IS ? AND text = ?",
                                (c["doc_id"], c["page"], c["text"])).fetchall()
            if sum(1 for (v,) in same if v is not None and Decimal(v) == Decimal(c["original_value_yuan"])) == 1:
                lines[(c["doc_id"], c["page"], c["text"], Decimal(c["original_value_yuan"]))] = c
    for row in rows:
        if table == "quantities":
            c = spans.get((row["doc_id"], row["start"], row["end"], row["text"])) or \
                cells.get((row["doc_id"], row["table"], row["row"], row["col"], row["text"]))
            if c is not None:
                row = {**row, "value": c["corrected_value"], "unit": c["corrected_unit"] or row["unit"],
                       "value_yuan": c["corrected_value_yuan"]}
        else:
            amount = Decimal(row["value_yuan"]) if row["value_yuan"] is not None else None
            c = lines.get((row["doc_id"], row["page"], row["text"], amount))
            if c is not None:
                row = {**row, "value_yuan": c["corrected_value_yuan"]}
        yield row
