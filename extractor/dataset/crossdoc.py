"""The cross-document check, incremental: a department's figure for one year, stage,
direction and item that two documents state differently beyond their written precision.

Why incremental: recomputing every pair on every run costs the whole dataset each time (and
pairs grow with the square of a department's documents). Here only documents that are new
or changed since the last check are compared, each against an index of
(department, year, stage, direction, item) → distinct figures → documents, so a run with
nothing new costs one scan of `documents`, and adding 100 documents costs about what 100
cost alone. What was checked is kept in the table `cross_doc_state` (doc_id → department
and a stamp of its `documents` rows): a document whose rows were rewritten, whose department
changed, or that is no longer `ok` is checked again or has its flags withdrawn — also after
a run killed before the check, since the state is only advanced with the flags.
"""
from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any, Iterable

from . import store
from ..jsonout import decimal_text

CROSS_DOC_CODE = "cross-doc-mismatch"
_EVIDENCE_DOC = "json_extract(evidence, '$[0].doc_id')"

_KEY = "department, year, stage, direction, item"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cross_doc_state (doc_id TEXT PRIMARY KEY, department TEXT, stamp INTEGER)",
    # the index: every checked line under its key, so a key's distinct figures are read from
    # an index in SQLite instead of loading every line of the key
    f"""CREATE TABLE IF NOT EXISTS cross_doc_lines ({_KEY}, value_yuan TEXT, precision_yuan TEXT,
                                                     doc_id TEXT, text TEXT, page INTEGER)""",
    f"CREATE INDEX IF NOT EXISTS cross_doc_lines_key ON cross_doc_lines({_KEY}, value_yuan, precision_yuan)",
    "CREATE INDEX IF NOT EXISTS cross_doc_lines_doc ON cross_doc_lines(doc_id)",
    # the flags that name a document as the other side, found without scanning flags
    f"CREATE INDEX IF NOT EXISTS flags_cross_doc_other ON flags({_EVIDENCE_DOC}) WHERE code = '{CROSS_DOC_CODE}'",
)



def _documents(conn: sqlite3.Connection) -> dict[str, tuple[str, int, str]]:
    """doc_id → (department, stamp, path) of every document stored `ok` with a department.

    The stamp is the largest rowid of its `documents` rows: a row rewritten (reconverted,
    relinked) gets a new rowid, so a changed stamp means "check again"."""
    return {
        doc_id: (department, stamp, path)
        for doc_id, department, stamp, path in conn.execute(
            """SELECT doc_id, MIN(department), MAX(rowid), MIN(path) FROM documents
               WHERE status = 'ok' AND doc_id IS NOT NULL AND department IS NOT NULL AND department != ''
               GROUP BY doc_id""")
    }


def _chunks(items: list[str], n: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def check_across_documents(conn: sqlite3.Connection, recheck_all: bool = False) -> int:
    """Compare the documents new or changed since the last check; return the number of
    cross-document flags in the dataset.

    Lines match on (department, year, stage, direction, item). Two figures agree when they
    differ by no more than half the sum of their written precisions (123.46万元 agrees with
    1234567.89元). A mismatch gives a flag on each of the two documents, naming the other.
    """
    for sql in _SCHEMA:
        conn.execute(sql)
    if recheck_all:
        conn.execute("DELETE FROM cross_doc_state")
        conn.execute("DELETE FROM cross_doc_lines")
    current = _documents(conn)
    checked = {d: (dept, stamp) for d, dept, stamp in conn.execute("SELECT doc_id, department, stamp FROM cross_doc_state")}
    fresh = sorted(d for d, (dept, stamp, _) in current.items() if checked.get(d) != (dept, stamp))
    stale = sorted(d for d in checked if d not in current or checked[d] != current[d][:2])
    if not fresh and not stale:
        return _count(conn)
    touched = sorted(set(fresh) | set(stale))
    conn.execute("BEGIN IMMEDIATE")
    try:
        for chunk in _chunks(touched):
            marks = ", ".join("?" * len(chunk))
            conn.execute(f"DELETE FROM flags WHERE code = ? AND doc_id IN ({marks})", [CROSS_DOC_CODE, *chunk])
            conn.execute(f"DELETE FROM flags WHERE code = ? AND {_EVIDENCE_DOC} IN ({marks})", [CROSS_DOC_CODE, *chunk])
            conn.execute(f"DELETE FROM cross_doc_state WHERE doc_id IN ({marks})", chunk)
            conn.execute(f"DELETE FROM cross_doc_lines WHERE doc_id IN ({marks})", chunk)
        flags = _mismatches(conn, current, fresh)
        by_doc: dict[str, list[dict]] = {}
        for flag in flags:
            by_doc.setdefault(flag.pop("_doc_id"), []).append(flag)
        for doc_id, rows in by_doc.items():
            store.insert_rows(conn, "flags", rows, doc_id)
        conn.executemany("INSERT INTO cross_doc_state VALUES (?, ?, ?)",
                         [(d, current[d][0], current[d][1]) for d in fresh])
        conn.execute("COMMIT")
    except BaseException:
        store.rollback(conn)
        raise
    return _count(conn)


def _count(conn: sqlite3.Connection) -> int:
    # the code written into the query (not bound): SQLite then counts the partial index of
    # these flags instead of scanning every flag of the dataset
    return conn.execute(f"SELECT COUNT(*) FROM flags WHERE code = '{CROSS_DOC_CODE}'").fetchone()[0]


def _index_fresh(conn: sqlite3.Connection, current: dict[str, tuple[str, int, str]], fresh: list[str]) -> list[tuple]:
    """Put the lines of the fresh documents into the index; return them as index rows."""
    rows: list[tuple] = []
    for chunk in _chunks(fresh):
        for doc_id, year, stage, direction, item, value, precision, text, page in conn.execute(
                f"""SELECT doc_id, year, stage, direction, item, value_yuan_text, precision_yuan_text, text, page
                    FROM budget_lines WHERE doc_id IN ({', '.join('?' * len(chunk))})
                      AND value_yuan_text IS NOT NULL AND year IS NOT NULL ORDER BY rowid""", chunk):
            rows.append((current[doc_id][0], year, stage, direction, item, _text(value), _text(precision),
                         doc_id, text, page))
    conn.executemany("INSERT INTO cross_doc_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return rows


def _mismatches(conn: sqlite3.Connection, current: dict[str, tuple[str, int, str]], fresh: list[str]) -> list[dict]:
    """Flags between each fresh document and every other document of its department, read
    from the index (inside the caller's transaction): each fresh line is compared once per
    distinct figure of its key, and documents are fetched only for figures that disagree."""
    if not fresh:
        return []
    fresh_set = set(fresh)
    where = " AND ".join(f"{c} = ?" for c in _KEY.split(", "))
    figures: dict[tuple, list[tuple]] = {}
    holders: dict[tuple, list[tuple]] = {}
    flags: list[dict[str, Any]] = []
    for a in _index_fresh(conn, current, fresh):
        key = a[:5]
        if key not in figures:
            figures[key] = conn.execute(
                f"SELECT DISTINCT value_yuan, precision_yuan FROM cross_doc_lines WHERE {where}", key).fetchall()
        va = _dec(a[5])
        for vb, pb in figures[key]:
            if abs(va - _dec(vb)) <= _tolerance(a[6], pb):
                continue
            figure = key + (vb, pb)
            if figure not in holders:
                holders[figure] = conn.execute(
                    f"""SELECT {_KEY}, value_yuan, precision_yuan, doc_id, text, page FROM cross_doc_lines
                        WHERE {where} AND value_yuan IS ? AND precision_yuan IS ?""", figure).fetchall()
            for b in holders[figure]:
                if b[7] == a[7]:
                    continue
                flags.append(_mismatch_flag(a, b, current))
                if b[7] not in fresh_set:  # a fresh b gets its own flag when its lines are walked
                    flags.append(_mismatch_flag(b, a, current))
    return flags


def _text(value: Any) -> str | None:
    """A figure as exact text for the index (stored as text; `str` also reads a numeric column)."""
    return None if value is None else str(value)


def _dec(value: Any) -> Decimal:
    """A stored figure as Decimal (stored as exact text; `str` also reads a numeric column)."""
    return Decimal(str(value)) if value is not None else Decimal(0)


def _tolerance(pa: Any, pb: Any) -> Decimal:
    """Half the sum of the two written precisions: the gap two roundings of one figure allow."""
    return (_dec(pa) + _dec(pb)) / 2


_STAGE_ZH = {"budget": "预算", "final": "决算"}
_DIRECTION_ZH = {"income": "收入", "expenditure": "支出", "balance": "结转结余"}


def _mismatch_flag(a: tuple, b: tuple, current: dict[str, tuple[str, int, str]]) -> dict[str, Any]:
    """The flag on document a (an index row): its figure, the other's, the gap and the tolerance."""
    department, year, stage, direction, item = a[:5]
    va, vb = _dec(a[5]), _dec(b[5])
    path_a, path_b = current[a[7]][2], current[b[7]][2]
    gap, tolerance = decimal_text(abs(va - vb)), decimal_text(_tolerance(a[6], b[6]))
    subject = f"{department}{year}年{_STAGE_ZH.get(stage, stage)}{_DIRECTION_ZH.get(direction, direction)}“{item}”"
    return {
        "_doc_id": a[7], "doc": path_a, "code": CROSS_DOC_CODE, "severity": "warning",
        "text": a[8] or decimal_text(va), "page": a[9],
        "message": (f"{subject}：本文件为{decimal_text(va)}元，{path_b}为{decimal_text(vb)}元，"
                    f"相差{gap}元，超出书写精度允许的{tolerance}元"),
        "message_en": (f"{department} {year} {stage} {direction} '{item}': {decimal_text(va)} yuan here, "
                       f"{decimal_text(vb)} yuan in {path_b}; they differ by {gap} yuan, more than the "
                       f"{tolerance} yuan their written precision allows"),
        "evidence": [{"text": b[8] or decimal_text(vb), "page": b[9], "start": None, "end": None,
                      "doc": path_b, "doc_id": b[7], "value_yuan": vb}],
        "suggestion": None, "confidence": 1.0,
    }
