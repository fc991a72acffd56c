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
from collections import defaultdict
from decimal import Decimal
from typing import Any, Iterable

from . import store
from ..jsonout import decimal_text

CROSS_DOC_CODE = "cross-doc-mismatch"
_EVIDENCE_DOC = "json_extract(evidence, '$[0].doc_id')"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cross_doc_state (doc_id TEXT PRIMARY KEY, department TEXT, stamp INTEGER)",
    # the lines of one key, found without scanning budget_lines
    "CREATE INDEX IF NOT EXISTS budget_lines_key ON budget_lines(item, year, stage, direction)",
    # the flags that name a document as the other side, found without scanning flags
    f"CREATE INDEX IF NOT EXISTS flags_cross_doc_other ON flags({_EVIDENCE_DOC}) WHERE code = '{CROSS_DOC_CODE}'",
)

_LINE_COLUMNS = "b.doc_id, b.year, b.stage, b.direction, b.item, b.value_yuan, b.precision_yuan, b.text, b.page"


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


def _lines_of(conn: sqlite3.Connection, doc_ids: list[str]) -> list[tuple]:
    out: list[tuple] = []
    for chunk in _chunks(doc_ids):
        out += conn.execute(
            f"""SELECT {_LINE_COLUMNS} FROM budget_lines b
                WHERE b.doc_id IN ({', '.join('?' * len(chunk))})
                  AND b.value_yuan IS NOT NULL AND b.year IS NOT NULL ORDER BY b.rowid""", chunk).fetchall()
    return out


def _lines_with_keys(conn: sqlite3.Connection, keys: set[tuple]) -> list[tuple]:
    """Every stored line whose (item, year, stage, direction) is one of `keys`."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS cross_doc_keys (item TEXT, year INTEGER, stage TEXT, direction TEXT)")
    conn.execute("DELETE FROM cross_doc_keys")
    conn.executemany("INSERT INTO cross_doc_keys VALUES (?, ?, ?, ?)", sorted(keys, key=repr))
    lines = conn.execute(
        f"""SELECT {_LINE_COLUMNS} FROM cross_doc_keys k
            JOIN budget_lines b ON b.item = k.item AND b.year = k.year AND b.stage = k.stage
                               AND b.direction = k.direction
            WHERE b.value_yuan IS NOT NULL ORDER BY b.rowid""").fetchall()
    conn.execute("DELETE FROM cross_doc_keys")
    return lines


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
    current = _documents(conn)
    checked = {d: (dept, stamp) for d, dept, stamp in conn.execute("SELECT doc_id, department, stamp FROM cross_doc_state")}
    fresh = sorted(d for d, (dept, stamp, _) in current.items() if checked.get(d) != (dept, stamp))
    stale = sorted(d for d in checked if d not in current or checked[d] != current[d][:2])
    if not fresh and not stale:
        return _count(conn)
    touched = sorted(set(fresh) | set(stale))
    flags = _mismatches(conn, current, fresh)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for chunk in _chunks(touched):
            marks = ", ".join("?" * len(chunk))
            conn.execute(f"DELETE FROM flags WHERE code = ? AND doc_id IN ({marks})", [CROSS_DOC_CODE, *chunk])
            conn.execute(f"DELETE FROM flags WHERE code = ? AND {_EVIDENCE_DOC} IN ({marks})", [CROSS_DOC_CODE, *chunk])
            conn.execute(f"DELETE FROM cross_doc_state WHERE doc_id IN ({marks})", chunk)
        for flag in flags:
            store.insert_rows(conn, "flags", [flag], flag.pop("_doc_id"))
        conn.executemany("INSERT INTO cross_doc_state VALUES (?, ?, ?)",
                         [(d, current[d][0], current[d][1]) for d in fresh])
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return _count(conn)


def _count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COUNT(*) FROM flags WHERE code = ?", (CROSS_DOC_CODE,)).fetchone()[0]


def _mismatches(conn: sqlite3.Connection, current: dict[str, tuple[str, int, str]], fresh: list[str]) -> list[dict]:
    """Flags between each fresh document and every other document of its department.

    Each key's lines are grouped by figure (value, precision): a fresh line is compared once
    per distinct figure, and only disagreeing pairs produce work beyond that."""
    if not fresh:
        return []
    fresh_set = set(fresh)
    new_lines = _lines_of(conn, fresh)
    keys = {(ln[4], ln[1], ln[2], ln[3]) for ln in new_lines}
    index: dict[tuple, dict[tuple, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for ln in _lines_with_keys(conn, keys):
        if ln[0] in current:
            index[(current[ln[0]][0], ln[1], ln[2], ln[3], ln[4])][(_dec(ln[5]), ln[6])].append(ln)
    flags: list[dict[str, Any]] = []
    for a in new_lines:
        key = (current[a[0]][0], a[1], a[2], a[3], a[4])
        va = _dec(a[5])
        for (vb, pb), others in index[key].items():
            if abs(va - vb) <= _tolerance(a[6], pb):
                continue
            for b in others:
                if b[0] == a[0]:
                    continue
                flags.append(_mismatch_flag(key, a, b, current))
                if b[0] not in fresh_set:  # a fresh b gets its own flag when its lines are walked
                    flags.append(_mismatch_flag(key, b, a, current))
    return flags


def _dec(value: Any) -> Decimal:
    """A stored figure as Decimal (stored as exact text; `str` also reads a numeric column)."""
    return Decimal(str(value)) if value is not None else Decimal(0)


def _tolerance(pa: Any, pb: Any) -> Decimal:
    """Half the sum of the two written precisions: the gap two roundings of one figure allow."""
    return (_dec(pa) + _dec(pb)) / 2


_STAGE_ZH = {"budget": "预算", "final": "决算"}
_DIRECTION_ZH = {"income": "收入", "expenditure": "支出", "balance": "结转结余"}


def _mismatch_flag(key: tuple, a: tuple, b: tuple, current: dict[str, tuple[str, int, str]]) -> dict[str, Any]:
    """The flag on document a: its figure, the other document's, the gap and the tolerance."""
    department, year, stage, direction, item = key
    va, vb = _dec(a[5]), _dec(b[5])
    path_a, path_b = current[a[0]][2], current[b[0]][2]
    gap, tolerance = decimal_text(abs(va - vb)), decimal_text(_tolerance(a[6], b[6]))
    subject = f"{department}{year}年{_STAGE_ZH.get(stage, stage)}{_DIRECTION_ZH.get(direction, direction)}“{item}”"
    return {
        "_doc_id": a[0], "doc": path_a, "code": CROSS_DOC_CODE, "severity": "warning",
        "text": a[7] or decimal_text(va), "page": a[8],
        "message": (f"{subject}：本文件为{decimal_text(va)}元，{path_b}为{decimal_text(vb)}元，"
                    f"相差{gap}元，超出书写精度允许的{tolerance}元"),
        "message_en": (f"{department} {year} {stage} {direction} '{item}': {decimal_text(va)} yuan here, "
                       f"{decimal_text(vb)} yuan in {path_b}; they differ by {gap} yuan, more than the "
                       f"{tolerance} yuan their written precision allows"),
        "evidence": [{"text": b[7] or decimal_text(vb), "page": b[8], "start": None, "end": None,
                      "doc": path_b, "doc_id": b[0], "value_yuan": vb}],
        "suggestion": None, "confidence": 1.0,
    }
