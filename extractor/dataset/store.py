"""The SQLite dataset that `jixiao convert` writes (design §3): schema, typed values, transactions.

Why this shape:
- `documents` has one row per input *path*; the facts tables are keyed by `doc_id` (the
  SHA-256 of the bytes), so the same bytes under two names are stored once.
- Every document is written in ONE transaction: delete its old facts, insert the new ones,
  then its `documents` rows. A run killed at any instant leaves either the whole document
  or none of it, and a restarted run redoes exactly the missing ones.
- Numbers are numbers: every decimal column (amounts in 元, rates, scores, precisions) is
  REAL, so `ORDER BY value_yuan`, `value_yuan > 1e8` and `SUM()` work in any SQLite client;
  beside it `<column>_text` keeps the exact decimal text (`2608500`, `0.005`). A double holds
  15 significant digits exactly, i.e. every amount below 10^13 元 to the cent; the text
  column is what exact readers (`iter_rows`, exports, the cross-document check) use.
- The schema is versioned (`PRAGMA user_version`); an older dataset is migrated forward
  when it is opened (`migrate`), so conversion work is never lost to a schema change.
"""
from __future__ import annotations

import json
import sqlite3
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Iterator

from ..model import COLUMNS as FACT_COLUMNS
from ..model import TABLES as FACT_TABLES
from ..model import written_precision
from ..jsonout import decimal_text, dumps

# 0: the first datasets (decimals as TEXT, no precision_yuan); 1: REAL + `_text` columns,
# budget_lines.source, documents.region and the sources of department and year.
SCHEMA_VERSION = 1

DOCUMENT_COLUMNS = (
    "doc_id", "path", "status", "error", "reader", "pages", "text_chars", "needs_ocr",
    "title", "department", "report_year", "report_type", "converted_at", "tool_version",
    # added columns: what the incremental fast path compares before hashing a file again
    "size", "mtime_ns",
    # added: where department and year came from (document | manifest | path), and the
    # region a `--meta` manifest names
    "region", "department_source", "report_year_source",
)
# the table (after doc_id): the flag's place, the decision, the figure before and after, who and when
CORRECTION_COLUMNS = (
    "flag_id", "doc", "code", "page", "start", "end", "table", "row", "col", "text", "decision",
    "original_value", "original_unit", "original_value_yuan",
    "corrected_text", "corrected_value", "corrected_unit", "corrected_value_yuan",
    "reviewer", "decided_at", "applied_at",
)
CORRECTION_DECIMALS = frozenset({"original_value", "original_value_yuan", "corrected_value", "corrected_value_yuan"})
# reviewed corrections live in a table of their own (never rewriting the facts): corrections.py
TABLES = ("documents",) + FACT_TABLES + ("corrections",)
COLUMNS: dict[str, tuple[str, ...]] = {"documents": DOCUMENT_COLUMNS, **FACT_COLUMNS,
                                       "corrections": CORRECTION_COLUMNS}

DECIMAL_COLUMNS = frozenset({
    "value", "value_yuan", "value_max", "value_yuan_max", "initial_budget_yuan",
    "adjusted_budget_yuan", "executed_yuan", "execution_rate", "exec_weight", "exec_score",
    "total_score", "target_value", "actual_value", "weight", "score", "precision_yuan",
    "spread_yuan",  # budget_summary
}) | CORRECTION_DECIMALS
INTEGER_COLUMNS = frozenset({
    "page", "start", "end", "table", "row", "col", "year", "fiscal_year", "pages",
    "text_chars", "needs_ocr", "report_year", "size", "mtime_ns",
    "statements",  # budget_summary
})
REAL_COLUMNS = frozenset({"confidence"})
JSON_COLUMNS = frozenset({"evidence", "suggestion"})
TEXT_SUFFIX = "_text"


def column_kind(column: str) -> str:
    """`decimal`, `integer`, `real`, `json` or `text`: how a logical column is stored and exported."""
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


_SQL_TYPE = {"decimal": "REAL", "integer": "INTEGER", "real": "REAL", "json": "TEXT", "text": "TEXT"}


def table_columns(table: str) -> list[str]:
    """Logical column names of a table in order (doc_id first for the facts tables)."""
    return list(COLUMNS[table]) if table == "documents" else ["doc_id"] + list(COLUMNS[table])


def stored_columns(table: str) -> list[str]:
    """The SQLite columns of a table: the logical ones, each decimal followed by its `_text`."""
    out: list[str] = []
    for c in table_columns(table):
        out.append(c)
        if column_kind(c) == "decimal":
            out.append(c + TEXT_SUFFIX)
    return out


def sql_type(column: str) -> str:
    """The SQLite type a stored column is declared with (the Parquet dataset follows it)."""
    if column.endswith(TEXT_SUFFIX) and column_kind(column[: -len(TEXT_SUFFIX)]) == "decimal":
        return "TEXT"
    return _SQL_TYPE[column_kind(column)]


def _create_sql(table: str, name: str | None = None) -> str:
    defs = []
    for c in stored_columns(table):
        d = f"{_q(c)} {sql_type(c)}"
        if table == "documents" and c == "path":
            d += " PRIMARY KEY"
        defs.append(d)
    return f"CREATE TABLE IF NOT EXISTS {_q(name or table)} ({', '.join(defs)})"


class SchemaError(Exception):
    """A dataset this version cannot open (written by a newer jixiao)."""


def open_store(path: str) -> sqlite3.Connection:
    """Open (creating or migrating if needed) the dataset; WAL so readers never block the writer."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=60)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode cannot corrupt or half-apply a transaction when the process dies;
    # only an OS crash may lose the last commits, which a rerun then redoes.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise SchemaError(f"dataset schema version {version} is newer than this jixiao's "
                              f"({SCHEMA_VERSION}); upgrade jixiao to open it")
        from .summary import create_views, drop_views

        if version < SCHEMA_VERSION:
            drop_views(conn)
            migrate(conn)
        for table in TABLES:
            conn.execute(_create_sql(table))
        conn.execute("CREATE INDEX IF NOT EXISTS documents_doc_id ON documents(doc_id)")
        for table in FACT_TABLES:
            conn.execute(f"CREATE INDEX IF NOT EXISTS {table}_doc_id ON {_q(table)}(doc_id)")
        create_views(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        conn.close()
        raise
    return conn


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if SQLite has not already (it does on a full disk, and a
    second ROLLBACK would hide the real error behind "no transaction is active")."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


# ---------------------------------------------------------------- migration

def _existing_columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    return {r[1]: (r[2] or "").upper() for r in conn.execute(f"PRAGMA table_info({_q(table)})")}


def _exact_text(value: Any) -> str | None:
    """Old stored value (exact text, or a number some tool wrote) as canonical decimal text."""
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return None
    return decimal_text(d) if d.is_finite() else None


def _precision_of(text: Any) -> str | None:
    exact = _exact_text(text)
    return None if exact is None else decimal_text(written_precision(Decimal(exact)))


def migrate(conn: sqlite3.Connection) -> None:
    """Bring every table of an older dataset to the current schema, inside the caller's transaction.

    Each table whose columns or types differ is rebuilt: columns that exist are copied;
    a decimal column that was TEXT gives both its number (REAL) and its `_text`; columns
    that did not exist are NULL, except `precision_yuan`, computed from the written value.
    """
    conn.create_function("jixiao_exact", 1, _exact_text, deterministic=True)
    conn.create_function("jixiao_precision", 1, _precision_of, deterministic=True)
    for table in TABLES:
        old = _existing_columns(conn, table)
        if not old:
            continue  # created fresh below
        wanted = stored_columns(table)
        if list(old) == wanted and all(old[c] == sql_type(c) for c in wanted):
            continue
        select = []
        for c in wanted:
            base = c[: -len(TEXT_SUFFIX)] if c.endswith(TEXT_SUFFIX) else c
            base = base if column_kind(base) == "decimal" else c
            if c in old and not (column_kind(c) == "decimal" and old[c] != "REAL"):
                select.append(_q(c))
            elif column_kind(c) == "decimal" and c in old:  # TEXT decimal -> number
                select.append(f"CAST(jixiao_exact({_q(c)}) AS REAL)")
            elif base != c and base in old and c not in old:  # the exact text of a decimal column
                select.append(f"jixiao_exact({_q(base)})")
            elif c == "precision_yuan" and "value_yuan" in old:
                select.append('CAST(jixiao_precision("value_yuan") AS REAL)')
            elif c == "precision_yuan" + TEXT_SUFFIX and "value_yuan" in old:
                select.append('jixiao_precision("value_yuan")')
            else:
                select.append("NULL")
        tmp = f"{table}__migrating"
        conn.execute(f"DROP TABLE IF EXISTS {_q(tmp)}")
        conn.execute(_create_sql(table, tmp))
        conn.execute(f"INSERT INTO {_q(tmp)} ({', '.join(map(_q, wanted))}) "
                     f"SELECT {', '.join(select)} FROM {_q(table)} ORDER BY rowid")
        conn.execute(f"DROP TABLE {_q(table)}")
        conn.execute(f"ALTER TABLE {_q(tmp)} RENAME TO {_q(table)}")


# ---------------------------------------------------------------- values in and out

def to_db(column: str, value: Any) -> Any:
    """A Python value as stored in its logical column: Decimal -> number (its exact text goes to
    `_text`, see `encode_rows`), JSON columns -> JSON text, bool -> 0/1."""
    if value is None:
        return None
    kind = column_kind(column)
    if kind == "decimal":
        return float(_decimal(value))
    if kind == "json":
        return dumps(value)
    if kind == "integer":
        return int(value)
    if kind == "real":
        return float(value)
    return str(value)


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def from_db(column: str, value: Any) -> Any:
    """A stored value back as Python: decimal text -> Decimal, JSON text -> objects."""
    if value is None:
        return None
    kind = column_kind(column)
    if kind == "decimal":
        return Decimal(value) if isinstance(value, str) else Decimal(repr(value))
    if kind == "json":
        return json.loads(value, parse_float=Decimal)
    return value


def encode_rows(table: str, rows: Iterable[dict[str, Any]]) -> list[tuple]:
    """Rows of Python values as stored tuples in `stored_columns` order (without the leading doc_id).

    Batch workers call this so the parent only inserts ready tuples.
    """
    out = []
    for row in rows:
        values: list[Any] = []
        for c in COLUMNS[table]:
            v = row.get(c)
            values.append(to_db(c, v))
            if column_kind(c) == "decimal":
                values.append(None if v is None else decimal_text(_decimal(v)))
        out.append(tuple(values))
    return out


def encode_facts(facts: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple]]:
    """`encode_rows` for every facts table."""
    return {table: encode_rows(table, facts.get(table, [])) for table in FACT_TABLES}


def _insert_sql(table: str) -> str:
    cols = stored_columns(table)
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
        rollback(conn)
        raise


def iter_rows(conn: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """Rows of a table as dicts of its logical columns: decimals exact (Decimal, read from the
    `_text` column), JSON columns as their JSON text, the rest as stored."""
    cols = table_columns(table)
    read = [c + TEXT_SUFFIX if column_kind(c) == "decimal" else c for c in cols]
    order = "path" if table == "documents" else "doc_id, rowid"
    for row in conn.execute(f"SELECT {', '.join(map(_q, read))} FROM {_q(table)} ORDER BY {order}"):
        yield {c: (Decimal(v) if v is not None and column_kind(c) == "decimal" else v) for c, v in zip(cols, row)}

