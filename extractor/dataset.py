"""`jixiao convert`: whole archives into one SQLite dataset, incrementally and resumably.

The run: walk the inputs → decide per path (unchanged? same bytes as a document already
converted? new bytes?) → convert the new bytes in a bounded worker pool (`batch.py`) →
write each document in its own transaction (`store.py`) → compare figures across
documents → optionally export (`exports.py`). Everything is keyed by the SHA-256 of the
file bytes, so renaming or copying a file never converts it twice.
"""
from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from . import store
from .jsonout import decimal_text

CROSS_DOC_CODE = "cross-doc-mismatch"


class RunError(Exception):
    """The run itself cannot proceed (a missing input, an unwritable dataset)."""


def tool_version() -> str:
    from . import __version__

    return __version__


# ---------------------------------------------------------------- in the worker processes

def warm_up() -> None:
    """Load once per worker what is costly (pipeline modules, pattern book, jieba, checks) by
    running the whole pipeline over a tiny report, so the first real document pays nothing."""
    from .model import Block, Document
    from .pipeline import build_report
    from .quantities import warm_up as load_patterns_and_dictionary

    load_patterns_and_dictionary()  # jieba's dictionary is loaded lazily, on the first long label
    from .readers import ocr

    ocr.warm_up()  # the recognizer's models, before the worker's memory limit is set
    text = "某某局2023年部门绩效自评报告\n一般公共服务支出年初预算数33.39万元，执行数32.10万元，执行率96.14%。"
    build_report(Document(path="<warm-up>", reader="text", text=text,
                          blocks=[Block("paragraph", None, 0, len(text))]))


def read_document(path: str, ocr: str = "auto") -> dict[str, Any]:
    """Extract one file into documents metadata and fact rows (what a worker sends back)."""
    from . import extract
    from .frames import report_rows
    from .store import encode_facts

    report = extract(path, ocr=ocr)
    doc, meta = report.document, report.meta
    return {
        "meta": {
            "reader": doc.reader, "pages": doc.pages, "text_chars": len(doc.text),
            "needs_ocr": doc.needs_ocr, "title": meta.title, "department": meta.department,
            "report_year": meta.report_year, "report_type": meta.report_type,
        },
        "facts": encode_facts(report_rows(report, path)),
    }


# ---------------------------------------------------------------- inputs

def document_suffixes() -> frozenset[str]:
    """Suffixes a folder walk takes: every reader's, plus formats the readers name as not
    supported (so such a file shows up as an error row instead of vanishing)."""
    import importlib

    from . import readers

    found = set(readers.UNSUPPORTED_SUFFIXES)
    for name in readers.READER_MODULES:
        found.update(importlib.import_module(f"{readers.__name__}.{name}").SUFFIXES)
    return frozenset(found)


def walk_inputs(inputs: list[str], exclude: set[str] = frozenset(),
                suffixes: frozenset[str] | None = None) -> tuple[list[str], int]:
    """Files named, and document files under the folders named, in a stable order.

    Returns the files and how many other files the folders held. A file named explicitly
    is always taken; in folders only `suffixes` (default: `document_suffixes()`) are, so
    gold answers, scans' thumbnails or notes beside the reports stay out. Hidden files
    and folders are skipped; symlinks are followed only to files inside the folder being
    walked; paths in `exclude` (real paths: the dataset itself) are left out.
    """
    suffixes = document_suffixes() if suffixes is None else suffixes
    found: dict[str, None] = {}
    ignored = 0
    for inp in inputs:
        if os.path.isfile(inp):
            if os.path.realpath(inp) not in exclude:
                found.setdefault(inp)
            continue
        if not os.path.isdir(inp):
            raise RunError(f"{inp}: no such file or directory")
        root = os.path.realpath(inp)
        for dirpath, dirnames, filenames in os.walk(inp, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = os.path.join(dirpath, name)
                real = os.path.realpath(path)
                if os.path.islink(path) and not real.startswith(root + os.sep):
                    continue
                if not os.path.isfile(real) or real in exclude:
                    continue
                if os.path.splitext(name)[1].lower() in suffixes:
                    found.setdefault(path)
                else:
                    ignored += 1
    return list(found), ignored


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _reason(path: str, message: str) -> str:
    """The reason of an error message without its leading path (for the summary)."""
    reason = message[len(path) + 2:] if message.startswith(path + ": ") else message
    if reason.startswith("internal error: "):
        return reason.split(":", 2)[0] + ":" + reason.split(":", 2)[1]
    return reason


@dataclass
class _File:
    path: str
    size: int
    mtime_ns: int

    def row(self, **values: Any) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "mtime_ns": self.mtime_ns, **values}


# ---------------------------------------------------------------- the run

def convert(
    paths: list[str],
    out: str,
    jobs: int | None = None,
    export_dir: str | None = None,
    export_as: str = "csv",
    unit: str = "万元",
    quiet: bool = False,
    timeout: float | None = 120.0,
    memory_mb: int | None = 2048,
    force: bool = False,
    retry_errors: bool = False,
    ocr: str = "auto",
) -> dict[str, Any]:
    """Convert files and folders into the SQLite dataset `out`; return the run summary.

    Unchanged files (same path, size and mtime; else same SHA-256) are skipped unless
    `force` (everything again) or `retry_errors` (documents stored as errors again). Each
    new document runs in a worker with `timeout` seconds and `memory_mb` MiB; one that
    fails is stored as `status=error` with its one-line reason; `ocr` (auto | never | force)
    is passed to the readers, so scans are OCR'd inside the workers. Workers are started with
    `spawn`, so a script calling this must do so under `if __name__ == "__main__":`.
    """
    started = time.monotonic()
    if unit not in ("元", "万元"):
        raise RunError(f"unit must be 元 or 万元, not {unit}")
    if export_dir is not None and export_as not in ("csv", "xlsx", "parquet"):
        raise RunError(f"export format must be csv, xlsx or parquet, not {export_as}")
    out_real = os.path.realpath(out)
    exclude = {out_real + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    files, ignored = walk_inputs(paths, exclude)
    if export_dir is not None:
        export_real = os.path.realpath(export_dir) + os.sep
        files = [f for f in files if not os.path.realpath(f).startswith(export_real)]
    try:
        conn = store.open_store(out)
    except sqlite3.Error as exc:
        raise RunError(f"{out}: cannot open the dataset: {exc}") from exc
    try:
        run = _Run(conn, tool_version(), force, retry_errors, ocr)
        for path in files:
            run.plan(path)
        run.convert_queued(jobs, timeout, memory_mb, quiet)
        cross = check_across_documents(conn)
        summary = {
            "dataset": out, "inputs": len(files), "ignored": ignored,
            "converted": run.counts["converted"], "failed": run.counts["failed"],
            "skipped": run.counts["skipped"], "duplicates": run.counts["duplicates"], "pages": run.pages,
            "failed_by_reason": dict(run.reasons.most_common()), "cross_doc_mismatches": cross,
            "flags_by_code": dict(conn.execute(
                "SELECT code, COUNT(*) FROM flags GROUP BY code ORDER BY COUNT(*) DESC, code"
            ).fetchall()),
        }
        if export_dir is not None:
            from .exports import export

            summary["exported"] = export(conn, export_dir, export_as, unit)
    finally:
        conn.close()
    summary["seconds"] = round(time.monotonic() - started, 3)
    return summary


@dataclass
class _Run:
    """One convert run: what to skip, link or convert, and the counts for the summary."""

    conn: sqlite3.Connection
    version: str
    force: bool
    retry_errors: bool
    ocr: str = "auto"
    counts: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    queued: dict[str, list[_File]] = field(default_factory=lambda: defaultdict(list))
    pages: int = 0

    def _failed(self, path: str, message: str) -> None:
        self.counts["failed"] += 1
        self.reasons[_reason(path, message)] += 1

    def plan(self, path: str) -> None:
        """Skip an unchanged path, link a path to bytes already converted, or queue it."""
        try:
            st = os.stat(path)
            f = _File(path, st.st_size, st.st_mtime_ns)
            known = store.file_state(self.conn, path)
            redo = self.force or (self.retry_errors and known is not None and known["status"] == "error")
            if (not redo and known and known["size"] == f.size and known["mtime_ns"] == f.mtime_ns
                    and known["tool_version"] == self.version):
                self.counts["skipped"] += 1
                return
            doc_id = sha256_file(path)
        except OSError as exc:
            message = f"{path}: cannot read: {exc.strerror or exc}"
            row = _File(path, 0, 0).row(status="error", error=message, converted_at=_now(),
                                        tool_version=self.version)
            store.write_document(self.conn, None, [row], None)
            self._failed(path, message)
            return
        done = None if redo else store.converted_doc(self.conn, doc_id, self.version)
        if done is None or (self.retry_errors and done["status"] == "error"):
            self.queued[doc_id].append(f)
            return
        # the same bytes were converted before: record this path, convert nothing
        values = {c: done[c] for c in store.DOCUMENT_COLUMNS if c not in ("path", "size", "mtime_ns", "doc_id")}
        if values.get("error"):
            values["error"] = _renamed(values["error"], done["path"], path)
        store.write_document(self.conn, doc_id, [f.row(**values)], None)
        self.counts["skipped" if known and known["doc_id"] == doc_id else "duplicates"] += 1

    def convert_queued(self, jobs: int | None, timeout: float | None, memory_mb: int | None, quiet: bool) -> None:
        """Convert one path per queued SHA-256 in the pool; write each result as it comes."""
        from tqdm import tqdm

        from .batch import WorkerPool, WorkerStartError

        tasks = sorted(self.queued.items(), key=lambda kv: -kv[1][0].size)  # biggest first: even finish
        if not tasks:
            return
        jobs = jobs or os.cpu_count() or 1
        pool = WorkerPool(min(jobs, len(tasks)), "extractor.dataset:read_document",
                          "extractor.dataset:warm_up", timeout, memory_mb, options={"ocr": self.ocr})
        started = time.monotonic()
        bar = tqdm(total=len(tasks), unit="doc", disable=quiet, file=sys.stderr, dynamic_ncols=True)
        try:
            for outcome in pool.run((doc_id, members[0].path) for doc_id, members in tasks):
                self._write(outcome)
                bar.update(1)
                elapsed = max(time.monotonic() - started, 1e-9)
                bar.set_postfix_str(f"{self.pages / elapsed:.1f} pages/s, {self.counts['failed']} errors",
                                    refresh=False)
        except WorkerStartError as exc:
            raise RunError(str(exc)) from exc
        finally:
            bar.close()

    def _write(self, outcome: Any) -> None:
        """Store one document's outcome for every path that holds its bytes."""
        members = self.queued[outcome.key]
        now = _now()
        if outcome.error is None:
            meta = outcome.result["meta"]
            rows = [m.row(status="ok", error=None, converted_at=now, tool_version=self.version, **meta)
                    for m in members]
            store.write_document(self.conn, outcome.key, rows, outcome.result["facts"])
            self.counts["converted"] += 1
            self.pages += meta["pages"] or 0
        else:
            rows = [m.row(status="error", error=_renamed(outcome.error, outcome.path, m.path),
                          converted_at=now, tool_version=self.version) for m in members]
            store.write_document(self.conn, outcome.key, rows, {})
            self._failed(outcome.path, outcome.error)
        self.counts["duplicates"] += len(members) - 1


def _renamed(message: str, old: str, new: str) -> str:
    return new + message[len(old):] if message.startswith(old + ": ") else message


# ---------------------------------------------------------------- across documents

def check_across_documents(conn: sqlite3.Connection) -> int:
    """Flag a department's figure stated differently in two documents; return flags written.

    Lines match on (department, year, stage, direction, item). Two figures agree when they
    differ by no more than half the sum of their written precisions (123.46万元 agrees with
    1234567.89元). Recomputed over the whole dataset in one transaction on every run.
    """
    lines = conn.execute(
        """SELECT d.department, b.year, b.stage, b.direction, b.item, b.doc_id, d.path,
                  b.value_yuan, b.precision_yuan, b.text, b.page
           FROM budget_lines b
           JOIN (SELECT doc_id, MIN(department) AS department, MIN(path) AS path FROM documents
                 WHERE status = 'ok' AND department IS NOT NULL AND department != ''
                 GROUP BY doc_id) d ON d.doc_id = b.doc_id
           WHERE b.value_yuan IS NOT NULL AND b.year IS NOT NULL
           ORDER BY d.path, b.rowid"""
    ).fetchall()
    by_key: dict[tuple, list[tuple]] = defaultdict(list)
    for line in lines:
        by_key[line[:5]].append(line)
    flags: list[dict[str, Any]] = []
    for key, group in by_key.items():
        for a, b in itertools.permutations(group, 2):
            if a[5] != b[5] and not _agree(a, b):
                flags.append(_mismatch_flag(key, a, b))
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM flags WHERE code = ?", (CROSS_DOC_CODE,))
        for flag in flags:
            store.insert_rows(conn, "flags", [flag], flag.pop("_doc_id"))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(flags)


def _tolerance(a: tuple, b: tuple) -> Decimal:
    """Half the sum of the two written precisions: the gap two roundings of one figure allow."""
    pa = Decimal(a[8]) if a[8] is not None else Decimal(0)
    pb = Decimal(b[8]) if b[8] is not None else Decimal(0)
    return (pa + pb) / 2


def _agree(a: tuple, b: tuple) -> bool:
    return abs(Decimal(a[7]) - Decimal(b[7])) <= _tolerance(a, b)


_STAGE_ZH = {"budget": "预算", "final": "决算"}
_DIRECTION_ZH = {"income": "收入", "expenditure": "支出", "balance": "结转结余"}


def _mismatch_flag(key: tuple, a: tuple, b: tuple) -> dict[str, Any]:
    """The flag on document a: its figure, the other document's, the gap and the tolerance."""
    department, year, stage, direction, item = key
    va, vb = Decimal(a[7]), Decimal(b[7])
    gap, tolerance = decimal_text(abs(va - vb)), decimal_text(_tolerance(a, b))
    subject = f"{department}{year}年{_STAGE_ZH.get(stage, stage)}{_DIRECTION_ZH.get(direction, direction)}“{item}”"
    return {
        "_doc_id": a[5], "doc": a[6], "code": CROSS_DOC_CODE, "severity": "warning",
        "text": a[9] or decimal_text(va), "page": a[10],
        "message": (f"{subject}：本文件为{decimal_text(va)}元，{b[6]}为{decimal_text(vb)}元，"
                    f"相差{gap}元，超出书写精度允许的{tolerance}元"),
        "message_en": (f"{department} {year} {stage} {direction} '{item}': {decimal_text(va)} yuan here, "
                       f"{decimal_text(vb)} yuan in {b[6]}; they differ by {gap} yuan, more than the "
                       f"{tolerance} yuan their written precision allows"),
        "evidence": [{"text": b[9] or decimal_text(vb), "page": b[10], "start": None, "end": None,
                      "doc": b[6], "doc_id": b[5], "value_yuan": vb}],
        "suggestion": None, "confidence": 1.0,
    }
