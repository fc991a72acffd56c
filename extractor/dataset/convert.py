"""`jixiao convert`: whole archives into one SQLite dataset, incrementally and resumably.

The run: walk the inputs (`walk.py`: every path a row or a named skip) → decide per path
(unchanged? same bytes as a document already converted? new bytes?) → convert the new
bytes in a bounded worker pool, or in this process for `jobs=1` (`batch.py`) → write each
document in its own transaction (`store.py`) → mark rows of files gone → compare figures
across documents, incrementally (`crossdoc.py`) → optionally export (`exports.py`).
Everything is keyed by the SHA-256 of the file bytes, so renaming or copying a file never
converts it twice; the worker hashes the file again after parsing it, so facts are only
stored under the hash of the bytes they were read from.
"""
from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import store
from .._version import __version__
from .crossdoc import CROSS_DOC_CODE, check_across_documents
from .errors import RunError
from .walk import Walk, escape_text, stored_path, walk_inputs

__all__ = ["convert", "RunError", "check_across_documents", "walk_inputs", "CROSS_DOC_CODE"]


def tool_version() -> str:
    return __version__


# ---------------------------------------------------------------- in the worker processes

def warm_up() -> None:
    """Load once per worker what is costly (pipeline modules, pattern book, jieba, checks) by
    running the whole pipeline over a tiny report, so the first real document pays nothing."""
    from ..model import Block, Document
    from ..pipeline import build_report
    from ..text.quantities import warm_up as load_patterns_and_dictionary

    load_patterns_and_dictionary()  # jieba's dictionary is loaded lazily, on the first long label
    # (the OCR models are not loaded here: they take ~850 MB of address space, which only a
    # document that needs OCR should pay, inside its worker's limit)
    text = "某某局2023年部门绩效自评报告\n一般公共服务支出年初预算数33.39万元，执行数32.10万元，执行率96.14%。"
    build_report(Document(path="<warm-up>", reader="text", text=text,
                          blocks=[Block("paragraph", None, 0, len(text))]))


def _escaped(value: Any) -> Any:
    return escape_text(value) if isinstance(value, str) else value


def read_document(path: str, ocr: str = "auto") -> dict[str, Any]:
    """Extract one file into documents metadata and fact rows (what a worker sends back),
    with the SHA-256 of the file as it is *after* parsing: the parent stores the facts only
    if it equals the hash the file was queued under (the bytes did not change meanwhile).

    `path` is the real OS path (it may hold surrogate escapes); the rows carry its stored,
    escaped form, since SQLite only takes valid UTF-8."""
    from ..pipeline import extract_path as extract
    from ..model import report_rows
    from .store import encode_facts

    report = extract(path, ocr=ocr)
    doc, meta = report.document, report.meta
    facts = encode_facts(report_rows(report, escape_text(path)))
    return {
        "meta": {k: _escaped(v) for k, v in {
            "reader": doc.reader, "pages": doc.pages, "text_chars": len(doc.text),
            "needs_ocr": doc.needs_ocr, "title": meta.title, "department": meta.department,
            "report_year": meta.report_year, "report_type": meta.report_type,
        }.items()},
        "facts": {t: [tuple(map(_escaped, row)) for row in rows] for t, rows in facts.items()},
        "sha256": _sha256_now(path),
    }


def _sha256_now(path: str) -> str | None:
    try:
        return sha256_file(path)
    except OSError:
        return None  # gone or unreadable since: not the bytes that were queued


# ---------------------------------------------------------------- inputs

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
    path: str  # as stored: resolved, undecodable bytes escaped
    read_path: str  # as the OS names it
    size: int | None
    mtime_ns: int | None

    def row(self, **values: Any) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "mtime_ns": self.mtime_ns, **values}


_DISK_FULL = ("database or disk is full", "disk i/o error")


def _run_failure(out: str, exc: BaseException) -> RunError:
    """The one-line reason a run stopped while writing (disk full above all)."""
    text = str(exc)
    if (isinstance(exc, sqlite3.OperationalError) and any(m in text.lower() for m in _DISK_FULL)) or \
            (isinstance(exc, OSError) and exc.errno == errno.ENOSPC):
        return RunError(f"{out}: disk full: the dataset could not be written ({text}); "
                        f"free some space and run the same command again to resume")
    return RunError(f"{out}: cannot write the dataset: {text}")


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
    meta: str | None = None,
    headers: str | None = None,
    raw: bool = False,
    prune: bool = False,
    corrections: str | None = None,
    ocr: str = "auto",
) -> dict[str, Any]:
    """Convert files and folders into the SQLite dataset `out`; return the run summary.

    Unchanged files (same path, size and mtime; else same SHA-256) are skipped unless
    `force` (everything again) or `retry_errors` (documents stored as errors again). Each
    new document runs with `timeout` seconds and `memory_mb` MiB: in worker processes, or
    in this process when `jobs=1`. `jobs` is capped by the cores and the memory available.
    Rows of files no longer found under the folders walked get `status='missing'`, or are
    deleted with `prune`. Works from a plain script (no `__main__` guard needed).
    `meta` is a manifest CSV (path → department, year, region; `pathmeta.py`); `headers`
    (zh/en) and `raw` (no CSV formula escaping) shape the export (`exports.py`).
    `corrections` names a reviewed corrections file (`jixiao review`) to store after the
    run; exports then carry the corrected figures. A bad file stops the run before it starts
    (`CorrectionsError`).
    """
    from .batch import MIN_MEMORY_MB, worker_cap

    started = time.monotonic()
    if unit not in ("元", "万元"):
        raise RunError(f"unit must be 元 or 万元, not {unit}")
    if export_dir is not None and export_as not in ("csv", "xlsx", "parquet"):
        raise RunError(f"export format must be csv, xlsx or parquet, not {export_as}")
    if memory_mb and memory_mb < MIN_MEMORY_MB:
        raise RunError(memory_floor_reason(memory_mb))
    if jobs is not None and jobs < 1:
        raise RunError(f"jobs must be at least 1, not {jobs}")
    if headers not in (None, "zh", "en"):
        raise RunError(f"headers must be zh or en, not {headers}")
    from .pathmeta import Manifest, ManifestError

    try:
        manifest = Manifest.load(meta) if meta is not None else None
    except ManifestError as exc:
        raise RunError(str(exc)) from exc
    out_real = os.path.realpath(out)
    exclude = {out_real + suffix for suffix in ("", "-wal", "-shm", "-journal")}
    reviewed = None
    if corrections is not None:
        from .corrections import load

        reviewed = load(corrections)
    if export_dir is not None:
        exclude.add(os.path.realpath(export_dir))
    walk = walk_inputs(paths, exclude)
    workers, cap_note = worker_cap(jobs, memory_mb)
    try:
        conn = store.open_store(out)
    except (sqlite3.Error, store.SchemaError) as exc:
        raise RunError(f"{out}: cannot open the dataset: {exc}") from exc
    try:
        run = _Run(conn, tool_version(), force, retry_errors, manifest, ocr, roots=[r for r, _ in walk.roots])
        resolve_legacy_paths(conn)
        if cap_note:
            run.notes.append(cap_note)
        for path in walk.files:
            run.plan(path)
        run.convert_queued(workers, timeout, memory_mb, quiet)
        gone = run.mark_gone(walk, prune)
        run.apply_manifest()
        cross = check_across_documents(conn)
        summary = {
            "dataset": out, "inputs": len(walk.files), "ignored": walk.ignored,
            "converted": run.counts["converted"], "failed": run.counts["failed"],
            "skipped": run.counts["skipped"], "duplicates": run.counts["duplicates"], "pages": run.pages,
            "failed_by_reason": dict(run.reasons.most_common()), "failed_files": run.failures,
            "not_converted": {reason: paths for reason, paths in walk.skipped.items()},
            "missing" if not prune else "pruned": gone,
            "cross_doc_mismatches": cross, "workers": run.workers, "notes": run.notes,
            "flags_by_code": dict(conn.execute(
                "SELECT code, COUNT(*) FROM flags GROUP BY code ORDER BY COUNT(*) DESC, code"
            ).fetchall()),
        }
        if reviewed is not None:
            from .corrections import apply

            summary["corrections"] = apply(conn, reviewed)
        if export_dir is not None:
            from .exports import ExportError, export

            try:
                summary["exported"] = export(conn, export_dir, export_as, unit, headers, raw)
            except ExportError as exc:
                raise RunError(str(exc)) from exc
    except (sqlite3.OperationalError, OSError) as exc:
        raise _run_failure(out, exc) from exc
    finally:
        conn.close()
    summary["seconds"] = round(time.monotonic() - started, 3)
    return summary


def resolve_legacy_paths(conn: sqlite3.Connection) -> int:
    """Rows an earlier version stored under a relative path get their resolved path (relative
    to the current folder, where a rerun is normally started), or are dropped when the
    resolved path has its own row: one row per document. Returns the rows changed."""
    relative = [p for (p,) in conn.execute("SELECT path FROM documents") if not os.path.isabs(p)]
    if not relative:
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        dropped = []
        for p in relative:
            resolved = escape_text(os.path.realpath(p))
            if conn.execute("SELECT 1 FROM documents WHERE path = ?", (resolved,)).fetchone():
                dropped += [d for (d,) in conn.execute("SELECT doc_id FROM documents WHERE path = ?", (p,))]
                conn.execute("DELETE FROM documents WHERE path = ?", (p,))
            else:
                conn.execute("UPDATE documents SET path = ? WHERE path = ?", (resolved, p))
        store._drop_orphans(conn, dropped)
        conn.execute("COMMIT")
    except BaseException:
        store.rollback(conn)
        raise
    return len(relative)


def memory_floor_reason(memory_mb: int) -> str:
    from .batch import MIN_MEMORY_MB

    return (f"--memory {memory_mb} MiB is below the {MIN_MEMORY_MB} MiB the readers need: a worker with the "
            f"pipeline loaded already takes about 110 MiB of address space and reading a report with PDF "
            f"tables reaches about 175 MiB, so every document would fail")


@dataclass
class _Run:
    """One convert run: what to skip, link or convert, and the counts for the summary."""

    conn: sqlite3.Connection
    version: str
    force: bool
    retry_errors: bool
    manifest: Any = None  # pathmeta.Manifest or None
    ocr: str = "auto"  # passed to the readers in the workers (auto | never | force)
    counts: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    queued: dict[str, list[_File]] = field(default_factory=lambda: defaultdict(list))
    pages: int = 0
    workers: int = 0
    notes: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) of this run
    roots: list[str] = field(default_factory=list)  # the inputs named (stored form): path rules start there

    def _failed(self, path: str, message: str) -> None:
        self.counts["failed"] += 1
        self.reasons[_reason(path, message)] += 1
        self.failures.append((path, _reason(path, message)))

    def plan(self, read_path: str) -> None:
        """Skip an unchanged path, link a path to bytes already converted, or queue it."""
        path = stored_path(read_path)
        try:
            st = os.stat(read_path)
            f = _File(path, read_path, st.st_size, st.st_mtime_ns)
            known = store.file_state(self.conn, path)
            redo = self.force or (known is not None and (
                known["status"] == "missing" or (self.retry_errors and known["status"] == "error")))
            if (not redo and known and known["size"] == f.size and known["mtime_ns"] == f.mtime_ns
                    and known["tool_version"] == self.version):
                self.counts["skipped"] += 1
                return
            doc_id = sha256_file(read_path)
        except OSError as exc:
            message = f"{path}: cannot read: {exc.strerror or exc}"
            row = _File(path, read_path, None, None).row(status="error", error=message, converted_at=_now(),
                                                         tool_version=self.version)
            store.write_document(self.conn, None, [row], None)
            self._failed(path, message)
            return
        done = None if self.force else store.converted_doc(self.conn, doc_id, self.version)
        if done is not None and done["status"] == "missing":
            done = None  # its only row is of a file gone: convert these bytes afresh
        if done is None or (self.retry_errors and done["status"] == "error"):
            self.queued[doc_id].append(f)
            return
        # the same bytes were converted before: record this path, convert nothing
        values = {c: done[c] for c in store.DOCUMENT_COLUMNS if c not in ("path", "size", "mtime_ns", "doc_id")}
        values.update(self._label(path, *(done[c] if done[c + "_source"] in (None, "document") else None
                                          for c in ("department", "report_year"))))
        if values.get("error"):
            values["error"] = _renamed(values["error"], done["path"], path)
        store.write_document(self.conn, doc_id, [f.row(**values)], None)
        self.counts["skipped" if known and known["doc_id"] == doc_id else "duplicates"] += 1

    def convert_queued(self, jobs: int, timeout: float | None, memory_mb: int | None, quiet: bool) -> None:
        """Convert one path per queued SHA-256; write each result as it comes. A path whose
        bytes changed while it was read is stored as an error, and its intact copies (same
        queued hash) are tried next."""
        from tqdm import tqdm

        from .batch import WorkerStartError

        tasks = sorted(self.queued.items(), key=lambda kv: -(kv[1][0].size or 0))  # biggest first: even finish
        if not tasks:
            return
        # in this process only when one job was asked for (or is all the cap allows); else a
        # pool, even for one document, so a hostile file cannot take the run down with it
        self.workers = 0 if jobs == 1 else min(jobs, len(tasks))
        runner = self._runner(jobs, self.workers, timeout, memory_mb)
        self.notes += [n for n in getattr(runner, "notes", lambda: [])() if n not in self.notes]
        started = time.monotonic()
        # no bar where stderr is a log file or a pipe: its \r redraws would fill the log
        bar = tqdm(total=len(tasks), unit="doc", disable=quiet or not sys.stderr.isatty(), file=sys.stderr,
                   dynamic_ncols=True)
        try:
            batch = [(doc_id, members[0].read_path) for doc_id, members in tasks]
            while batch:
                retry = []
                for outcome in runner.run(batch):
                    again = self._write(outcome)
                    if again is not None:
                        retry.append(again)
                        continue
                    bar.update(1)
                    elapsed = max(time.monotonic() - started, 1e-9)
                    bar.set_postfix_str(f"{self.pages / elapsed:.1f} pages/s, {self.counts['failed']} errors",
                                        refresh=False)
                batch = retry
        except WorkerStartError as exc:  # a pool that cannot start is the run's failure, not a document's
            raise RunError(str(exc)) from exc
        finally:
            bar.close()

    def _runner(self, jobs: int, workers: int, timeout: float | None, memory_mb: int | None) -> Any:
        from .batch import InProcessRunner, WorkerPool, memory_limit_note

        target, warm = "extractor.dataset.convert:read_document", "extractor.dataset.convert:warm_up"
        if jobs == 1:
            return InProcessRunner(target, warm, timeout, memory_mb, options={"ocr": self.ocr})
        note = memory_limit_note(memory_mb)
        if note and note not in self.notes:
            self.notes.append(note)
        return WorkerPool(workers, target, warm, timeout, memory_mb, options={"ocr": self.ocr})

    def _write(self, outcome: Any) -> tuple[str, str] | None:
        """Store one document's outcome for every path that holds its bytes; return the task
        to run again (an intact copy) when the path read changed under the reader."""
        members = self.queued[outcome.key]
        read = next((m for m in members if m.read_path == outcome.path), members[0])
        now = _now()
        if outcome.error is None and outcome.result["sha256"] != outcome.key:
            message = (f"{read.path}: changed while it was read (its SHA-256 is no longer the one taken "
                       f"before reading); run again to convert it as it is now")
            # no doc_id and no size/mtime: the next run looks at this file afresh
            row = _File(read.path, read.read_path, None, None).row(status="error", error=message,
                                                                   converted_at=now, tool_version=self.version)
            store.write_document(self.conn, None, [row], None)
            self._failed(read.path, message)
            members.remove(read)
            return (outcome.key, members[0].read_path) if members else None
        if outcome.error is None:
            meta = outcome.result["meta"]
            rows = [m.row(status="ok", error=None, converted_at=now, tool_version=self.version,
                          **{**meta, **self._label(m.path, meta["department"], meta["report_year"])})
                    for m in members]
            store.write_document(self.conn, outcome.key, rows, outcome.result["facts"])
            self.counts["converted"] += 1
            self.pages += meta["pages"] or 0
        else:
            error = escape_text(outcome.error)
            rows = [m.row(status="error", error=_renamed(error, read.path, m.path),
                          converted_at=now, tool_version=self.version) for m in members]
            store.write_document(self.conn, outcome.key, rows, {})
            self._failed(read.path, error)
        self.counts["duplicates"] += len(members) - 1
        return None

    def mark_gone(self, walk: Walk, prune: bool) -> list[str]:
        """Rows under the inputs walked whose file was not met: `status='missing'`, or deleted
        (with their facts, once no row holds those bytes) when `prune`. Rows under a folder
        that could not be listed are left as they are. Returns the paths."""
        met = {stored_path(p) for p in walk.files}
        unlisted = tuple(f + os.sep for f in walk.skipped_folders())
        gone: list[tuple[str, str | None]] = []
        for root, is_folder in walk.roots:
            if is_folder:
                prefix = root.rstrip(os.sep) + os.sep
                rows = self.conn.execute(
                    "SELECT path, doc_id, status FROM documents WHERE path >= ? AND path < ?",
                    (prefix, prefix[:-1] + chr(ord(os.sep) + 1))).fetchall()
            else:
                rows = self.conn.execute("SELECT path, doc_id, status FROM documents WHERE path = ?", (root,)).fetchall()
            gone += [(p, d) for p, d, status in rows
                     if p not in met and not p.startswith(unlisted) and (prune or status != "missing")]
        if not gone:
            return []
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            if prune:
                self.conn.executemany("DELETE FROM documents WHERE path = ?", [(p,) for p, _ in gone])
                store._drop_orphans(self.conn, [d for _, d in gone])
            else:
                now = _now()
                self.conn.executemany(
                    "UPDATE documents SET status = 'missing', error = ?, converted_at = ? WHERE path = ?",
                    [(f"{p}: no longer found (file gone or moved)", now, p) for p, _ in gone])
            self.conn.execute("COMMIT")
        except BaseException:
            store.rollback(self.conn)
            raise
        return sorted(p for p, _ in gone)


    def _label(self, path: str, department: str | None, year: int | None) -> dict[str, Any]:
        from .pathmeta import label

        return label(path, department, year, self.manifest, self.roots)

    def apply_manifest(self) -> None:
        """Give the manifest's values to every row it names, also rows converted by earlier runs."""
        if self.manifest is None:
            return
        rows = self.conn.execute("SELECT path, department, report_year, region FROM documents").fetchall()
        updates = []
        for path, department, year, region in rows:
            given = self.manifest.lookup(path)
            new = (given.get("department", department), given.get("year", year), given.get("region", region))
            if given and new != (department, year, region):
                updates.append(new + tuple("manifest" if k in given else None for k in ("department", "year")) + (path,))
        if updates:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self.conn.executemany(
                    "UPDATE documents SET department = ?, report_year = ?, region = ?, "
                    "department_source = COALESCE(?, department_source), "
                    "report_year_source = COALESCE(?, report_year_source) WHERE path = ?", updates)
                self.conn.execute("COMMIT")
            except BaseException:
                store.rollback(self.conn)
                raise


def _renamed(message: str, old: str, new: str) -> str:
    return new + message[len(old):] if message.startswith(old + ": ") else message
