"""One convert run, whatever converts it and wherever it is stored: the skip rule, the
duplicate rule, the counts.

`Run` decides per path (unchanged? same bytes as a document already converted? new
bytes?), queues one path per new SHA-256, stores each outcome and counts what happened.
Where it reads and writes, how it hashes and what converts are its overridable steps:
`convert.py` runs it on the local worker pool into SQLite, `dask_engine.py` on a Dask
cluster into SQLite or a Parquet dataset.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import store
from .._version import __version__
from .errors import RunError
from .pathmeta import label
from .sources import is_url, open_input, stat as stat_file
from .walk import Walk, escape_text, stored_path


# what a worker runs for each document, and once before its first
READ_DOCUMENT, WARM_UP = "extractor.dataset.convert:read_document", "extractor.dataset.convert:warm_up"


def tool_version() -> str:
    return __version__


def sha256_file(path: str) -> str:
    """SHA-256 of a file's bytes (a local path, or a URL read through fsspec)."""
    h = hashlib.sha256()
    with open_input(path) as f:
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


def stored_name(read_path: str) -> str:
    """How a path is stored: a URL as it is, a local path resolved and escaped (`stored_path`)."""
    return read_path if is_url(read_path) else stored_path(read_path)


@dataclass
class InputFile:
    """One input path as the run planned it (sent to Dask workers with its batch)."""

    path: str  # as stored: resolved, undecodable bytes escaped
    read_path: str  # as the OS names it
    size: int | None
    mtime_ns: int | None

    def row(self, **values: Any) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "mtime_ns": self.mtime_ns, **values}


def changed_while_read(outcome: Any) -> bool:
    """Did the file read hash differently after parsing than when it was queued?"""
    return outcome.error is None and outcome.result["sha256"] != outcome.key


def document_rows(outcome: Any, members: list[InputFile], version: str, manifest: Any = None,
                  roots: list[str] | tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The documents rows of one converted document: one per path holding its bytes (an error
    message names each path; department and year labelled by `pathmeta.label`)."""
    read = next((m for m in members if m.read_path == outcome.path), members[0])
    now = _now()
    if outcome.error is None:
        meta = outcome.result["meta"]
        return [m.row(status="ok", error=None, converted_at=now, tool_version=version,
                      **{**meta, **label(m.path, meta["department"], meta["report_year"], manifest, roots)})
                for m in members]
    error = escape_text(outcome.error)
    return [m.row(status="error", error=_renamed(error, read.path, m.path), converted_at=now, tool_version=version)
            for m in members]


@dataclass
class Run:
    """One convert run: what to skip, link or convert, and the counts for the summary.

    Where it reads and writes is in `_known`, `_converted` and `_store`, how it hashes in
    `_digests`, what converts in `_runner` and how an outcome is stored in `_write`: the
    Dask engine (`dask_engine.py`) overrides those and keeps the rules here.
    """

    conn: Any  # the SQLite connection (None for a Parquet dataset)
    version: str
    force: bool
    retry_errors: bool
    manifest: Any = None  # pathmeta.Manifest or None
    ocr: str = "auto"  # passed to the readers in the workers (auto | never | force)
    counts: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)
    queued: dict[str, list[InputFile]] = field(default_factory=lambda: defaultdict(list))
    pages: int = 0
    workers: int = 0
    notes: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) of this run
    roots: list[str] = field(default_factory=list)  # the inputs named (stored form): path rules start there

    # ------------------------------------------------------------ the steps an engine overrides
    def close(self) -> None:
        """Release what the run started (the Dask engine's cluster)."""

    def _known(self, path: str) -> dict[str, Any] | None:
        """The stored documents row of a path, or None."""
        return store.file_state(self.conn, path)

    def _converted(self, doc_id: str) -> dict[str, Any] | None:
        """A stored row of these bytes converted by this tool version, or None."""
        return store.converted_doc(self.conn, doc_id, self.version)

    def _store(self, doc_id: str | None, rows: list[dict[str, Any]], facts: dict | None) -> None:
        """Replace what is stored for `doc_id` and the paths of `rows` (`store.write_document`)."""
        store.write_document(self.conn, doc_id, rows, facts)

    def _digests(self, files: list[InputFile]) -> dict[str, str | OSError]:
        """SHA-256 of each file by its read path (or the OSError that stopped reading it)."""
        digests: dict[str, str | OSError] = {}
        for f in files:
            try:
                digests[f.read_path] = sha256_file(f.read_path)
            except OSError as exc:
                digests[f.read_path] = exc
        return digests

    def _runner(self, jobs: int, workers: int, timeout: float | None, memory_mb: int | None) -> Any:
        """What converts: an object whose `run(tasks)` yields an `Outcome` per (doc_id, read
        path) as it finishes; here the local pool, or this process when `jobs` is 1."""
        from .batch import InProcessRunner, WorkerPool, memory_limit_note

        target, warm = READ_DOCUMENT, WARM_UP
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
        if changed_while_read(outcome):
            message = (f"{read.path}: changed while it was read (its SHA-256 is no longer the one taken "
                       f"before reading); run again to convert it as it is now")
            # no doc_id and no size/mtime: the next run looks at this file afresh
            row = InputFile(read.path, read.read_path, None, None).row(status="error", error=message,
                                                                   converted_at=_now(), tool_version=self.version)
            self._store(None, [row], None)
            self._failed(read.path, message)
            members.remove(read)
            return (outcome.key, members[0].read_path) if members else None
        facts = outcome.result["facts"] if outcome.error is None else {}
        self._store(outcome.key, document_rows(outcome, members, self.version, self.manifest, self.roots), facts)
        self._count(outcome, read, len(members))
        return None

    # ------------------------------------------------------------ the rules
    def _count(self, outcome: Any, read: InputFile, members: int) -> None:
        if outcome.error is None:
            self.counts["converted"] += 1
            self.pages += outcome.result["meta"]["pages"] or 0
        else:
            self._failed(read.path, escape_text(outcome.error))
        self.counts["duplicates"] += members - 1

    def _failed(self, path: str, message: str) -> None:
        self.counts["failed"] += 1
        self.reasons[_reason(path, message)] += 1
        self.failures.append((path, _reason(path, message)))

    def _unreadable(self, f: InputFile, exc: OSError) -> None:
        message = f"{f.path}: cannot read: {exc.strerror or exc}"
        row = InputFile(f.path, f.read_path, None, None).row(status="error", error=message, converted_at=_now(),
                                                         tool_version=self.version)
        self._store(None, [row], None)
        self._failed(f.path, message)

    def plan(self, read_paths: list[str]) -> None:
        """Skip unchanged paths, link paths to bytes already converted, queue the rest."""
        candidates: list[tuple[InputFile, dict[str, Any] | None]] = []
        for read_path in read_paths:
            f = InputFile(stored_name(read_path), read_path, None, None)
            try:
                f.size, f.mtime_ns = stat_file(read_path)
                known = self._known(f.path)
            except OSError as exc:
                self._unreadable(f, exc)
                continue
            redo = self.force or (known is not None and (
                known["status"] == "missing" or (self.retry_errors and known["status"] == "error")))
            if (not redo and known and known["size"] == f.size and f.mtime_ns is not None
                    and known["mtime_ns"] == f.mtime_ns and known["tool_version"] == self.version):
                self.counts["skipped"] += 1
                continue
            candidates.append((f, known))
        digests = self._digests([f for f, _ in candidates])
        for f, known in candidates:
            doc_id = digests[f.read_path]
            if isinstance(doc_id, OSError):
                self._unreadable(f, doc_id)
                continue
            self._link_or_queue(f, known, doc_id)

    def _link_or_queue(self, f: InputFile, known: dict[str, Any] | None, doc_id: str) -> None:
        done = None if self.force else self._converted(doc_id)
        if done is not None and done["status"] == "missing":
            done = None  # its only row is of a file gone: convert these bytes afresh
        if done is None or (self.retry_errors and done["status"] == "error"):
            self.queued[doc_id].append(f)
            return
        # the same bytes were converted before: record this path, convert nothing
        values = {c: done[c] for c in store.DOCUMENT_COLUMNS if c not in ("path", "size", "mtime_ns", "doc_id")}
        values.update(label(f.path, *(done[c] if done[c + "_source"] in (None, "document") else None
                                      for c in ("department", "report_year")), self.manifest, self.roots))
        if values.get("error"):
            values["error"] = _renamed(values["error"], done["path"], f.path)
        self._store(doc_id, [f.row(**values)], None)
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

    def mark_gone(self, walk: Walk, prune: bool) -> list[str]:
        """Rows under the inputs walked whose file was not met: `status='missing'`, or deleted
        (with their facts, once no row holds those bytes) when `prune`. Rows under a folder
        that could not be listed are left as they are. Returns the paths."""
        met = {stored_name(p) for p in walk.files}
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
