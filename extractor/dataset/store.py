"""The SQLite dataset that `jixiao convert` writes (design §3): schema, exact values, transactions.

Why this shape:
- `documents` has one row per input *path*; the facts tables are keyed by `doc_id` (the
  SHA-256 of the bytes), so the same bytes under two names are stored once.
- Every document is written in ONE transaction: delete its old facts, insert the new ones,
  then its `documents` rows. A run killed at any instant leaves either the whole document
  or none of it, and a restarted run redoes exactly the missing ones.
- Decimal values are stored as exact TEXT (declared TEXT so SQLite never coerces them to
  REAL); amounts are in 元.
"""
from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Any, Iterable, Iterator

from . import corrections
from ..model import COLUMNS as FACT_COLUMNS
from ..model import TABLES as FACT_TABLES
from ..jsonout import decimal_text, dumps

DOCUMENT_COLUMNS = (
    "doc_id", "path", "status", "error", "reader", "pages", "text_chars", "needs_ocr",
    "title", "department", "report_year", "report_type", "converted_at", "tool_version",
    # added columns: what the incremental fast path compares before hashing a file again
    "size", "mtime_ns",
)
# reviewed corrections live in a table of their own (never rewriting the facts): corrections.py
TABLES = ("documents",) + FACT_TABLES + ("corrections",)
COLUMNS: dict[str, tuple[str, ...]] = {"documents": DOCUMENT_COLUMNS, **FACT_COLUMNS,
                                       "corrections": corrections.COLUMNS}

DECIMAL_COLUMNS = frozenset({
    "value", "value_yuan", "value_max", "value_yuan_max", "initial_budget_yuan",
    "adjusted_budget_yuan", "executed_yuan", "execution_rate", "exec_weight", "exec_score",
    "total_score", "target_value", "actual_value", "weight", "score", "precision_yuan",
}) | corrections.DECIMAL_COLUMNS
INTEGER_COLUMNS = frozenset({
    "page", "start", "end", "table", "row", "col", "year", "fiscal_year", "pages",
    "text_chars", "needs_ocr", "report_year", "size", "mtime_ns",
})
REAL_COLUMNS = frozenset({"confidence"})
JSON_COLUMNS = frozenset({"evidence", "suggestion"})


def column_kind(column: str) -> str:
    """`decimal`, `integer`, `real`, `json` or `text`: how a column is stored and exported."""
    if column in DECIMAL_COLUMNS:
        return "decimal"
    if column in INTEGER_COLUMNS:
        return "integer"
    if column in REAL_COLUMNS:
        return "real"
    if column in JSON_COLUMNS:
        return "json"
    return "text"


def is_amount_column(column: str) -> bool:
    """Columns holding 元 amounts (what `--unit` rescales): `*_yuan` and `*_yuan_max`."""
    return column.endswith("_yuan") or column.endswith("_yuan_max")


def _q(name: str) -> str:
    return '"' + name + '"'


_SQL_TYPE = {"decimal": "TEXT", "integer": "INTEGER", "real": "REAL", "json": "TEXT", "text": "TEXT"}


def table_columns(table: str) -> list[str]:
    """Column names of a stored table in order (doc_id first for the facts tables)."""
    return list(COLUMNS[table]) if table == "documents" else ["doc_id"] + list(COLUMNS[table])


def _create_sql(table: str) -> str:
    cols = table_columns(table)
    defs = []
    for c in cols:
        d = f"{_q(c)} {_SQL_TYPE[column_kind(c)]}"
        if table == "documents" and c == "path":
            d += " PRIMARY KEY"
        defs.append(d)
    return f"CREATE TABLE IF NOT EXISTS {_q(table)} ({', '.join(defs)})"


def open_store(path: str) -> sqlite3.Connection:
    """Open (creating if needed) the dataset; WAL so readers never block the writer."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=60)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode cannot corrupt or half-apply a transaction when the process dies;
    # only an OS crash may lose the last commits, which a rerun then redoes.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("BEGIN")
    for table in TABLES:
        conn.execute(_create_sql(table))
    conn.execute("CREATE INDEX IF NOT EXISTS documents_doc_id ON documents(doc_id)")
    for table in FACT_TABLES:
        conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_doc_id ON {_q(table)}(doc_id)")
    conn.execute("COMMIT")
    return conn


def to_db(column: str, value: Any) -> Any:
    """A Python value as stored: Decimal -> exact text, JSON columns -> JSON text, bool -> 0/1."""
    if value is None:
        return None
    kind = column_kind(column)
    if kind == "decimal":
        return decimal_text(value if isinstance(value, Decimal) else Decimal(str(value)))
    if kind == "json":
        return dumps(value)
    if kind == "integer":
        return int(value)
    if kind == "real":
        return float(value)
    return str(value)


def from_db(column: str, value: Any) -> Any:
    """A stored value back as Python: decimal text -> Decimal, JSON text -> objects."""
    if value is None:
        return None
    kind = column_kind(column)
    if kind == "decimal":
        return Decimal(value)
    if kind == "json":
        return json.loads(value, parse_float=Decimal)
    return value


def encode_rows(table: str, rows: Iterable[dict[str, Any]]) -> list[tuple]:
    """Rows of Python values as stored tuples in column order (without the leading doc_id).

    Batch workers call this so the parent only inserts ready tuples.
    """
    cols = COLUMNS[table]
    return [tuple(to_db(c, row.get(c)) for c in cols) for row in rows]


def encode_facts(facts: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple]]:
    """`encode_rows` for every facts table."""
    return {table: encode_rows(table, facts.get(table, [])) for table in FACT_TABLES}


def _insert_sql(table: str) -> str:
    cols = table_columns(table)
    verb = "INSERT OR REPLACE" if table == "documents" else "INSERT"
    return f"{verb} INTO {_q(table)} ({', '.join(map(_q, cols))}) VALUES ({', '.join('?' * len(cols))})"


def insert_rows(conn: sqlite3.Connection, table: str, rows: Iterable[dict[str, Any]], doc_id: str | None = None) -> None:
    """Insert rows of Python values inside the caller's transaction, `doc_id` on each."""
    encoded = encode_rows(table, rows)
    if table != "documents":
        encoded = [(doc_id,) + r for r in encoded]
    conn.executemany(_insert_sql(table), encoded)


def file_state(conn: sqlite3.Connection, path: str) -> dict[str, Any] | None:
    """The stored documents row of `path`, or None."""
    cur = conn.execute("SELECT * FROM documents WHERE path = ?", (path,))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))


def converted_doc(conn: sqlite3.Connection, doc_id: str, tool_version: str) -> dict[str, Any] | None:
    """A documents row whose bytes were already converted by this tool version, or None."""
    cur = conn.execute(
        "SELECT * FROM documents WHERE doc_id = ? AND tool_version = ? ORDER BY path LIMIT 1",
        (doc_id, tool_version),
    )
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))


def _drop_orphans(conn: sqlite3.Connection, doc_ids: Iterable[str | None]) -> None:
    """Delete facts of doc_ids no documents row points at any more (a file that changed)."""
    for old in set(d for d in doc_ids if d):
        if conn.execute("SELECT 1 FROM documents WHERE doc_id = ? LIMIT 1", (old,)).fetchone() is None:
            for table in FACT_TABLES:
                conn.execute(f"DELETE FROM {_q(table)} WHERE doc_id = ?", (old,))


def write_document(
    conn: sqlite3.Connection,
    doc_id: str | None,
    documents: list[dict[str, Any]],
    facts: dict[str, list[tuple]] | None,
) -> None:
    """Replace everything stored for `doc_id` and its paths in one transaction.

    `documents` holds one documents row per path carrying these bytes; `facts` the
    encoded rows per fact table (`encode_facts`; {} to clear them, None to leave them).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        previous = [
            r[0] for r in conn.execute(
                f"SELECT doc_id FROM documents WHERE path IN ({', '.join('?' * len(documents))})",
                [d["path"] for d in documents],
            )
        ]
        if facts is not None and doc_id is not None:
            for table in FACT_TABLES:
                conn.execute(f"DELETE FROM {_q(table)} WHERE doc_id = ?", (doc_id,))
                conn.executemany(_insert_sql(table), [(doc_id,) + r for r in facts.get(table, [])])
        insert_rows(conn, "documents", [{**d, "doc_id": doc_id} for d in documents])
        _drop_orphans(conn, [p for p in previous if p != doc_id])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def iter_rows(conn: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """Stored rows of a table as dicts of stored values (exact text for decimals)."""
    cols = table_columns(table)
    order = "path" if table == "documents" else "doc_id, rowid"
    for row in conn.execute(f"SELECT {', '.join(map(_q, cols))} FROM {_q(table)} ORDER BY {order}"):
        yield dict(zip(cols, row))

