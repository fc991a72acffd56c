"""`jixiao convert --engine dask`: the same run on dask.distributed, one machine or many.

Without a scheduler address a `LocalCluster` (one worker process per job, one thread each)
runs on this machine; with one, the run joins that cluster. The client plans exactly as the
local run does (`run.Run`: the same skip and duplicate rules), with the SHA-256 of the files
computed on the workers, which read the inputs from shared storage or through fsspec.

Each task is a batch of documents. A worker converts them one at a time through the same
bounded pool the local run uses (`batch.WorkerPool`, one child process per worker thread,
kept warm between tasks), so `--timeout` and `--memory` hold on every worker, and a
document that hangs or crashes costs only its child process: it becomes a `status=error`
row and the batch goes on. If a Dask worker itself dies, the scheduler reruns its tasks
elsewhere, at most `distributed.scheduler.allowed-failures` times (3 by default); a batch
that still fails is split into single documents, and a single document that keeps killing
workers becomes an error row.

Output: with SQLite the results travel back and the client writes them (SQLite has one
writer); with Parquet each worker writes its batch into the dataset (`parquet_store.py`)
and only the documents' metadata travels back.
"""
from __future__ import annotations

import math
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

from .batch import Outcome, WorkerPool
from .errors import RunError
from .run import InputFile, Run, changed_while_read, document_rows, sha256_file

_TARGET = "extractor.dataset.convert:read_document"
_WARM_UP = "extractor.dataset.convert:warm_up"
_HASH_CHUNK = 64  # files hashed per task
_MAX_BATCH = {"sqlite": 8, "parquet": 64}  # documents per task (Parquet: rows per file)
_BATCHES_PER_WORKER = 4  # at least this many tasks per worker, so the last ones finish evenly

# ---------------------------------------------------------------- on the workers

_local = threading.local()


def _pool(timeout: float | None, memory_mb: int | None, ocr: str, reader: str) -> WorkerPool:
    """This worker thread's pool of one child process, started once and kept warm (a new one
    only for another reader, memory limit or OCR mode: the child is started with them)."""
    key = (reader, memory_mb, ocr)
    if getattr(_local, "key", None) != key:
        if getattr(_local, "pool", None) is not None:
            _local.pool.close()
        warm_up = _WARM_UP if reader == _TARGET else None
        _local.pool = WorkerPool(1, reader, warm_up, timeout, memory_mb, options={"ocr": ocr})
        _local.key = key
    _local.pool.timeout = timeout  # the pool's parent side enforces it, per document
    return _local.pool


def _can_start_children() -> bool:
    import multiprocessing

    return not multiprocessing.current_process().daemon


def hash_files(paths: list[str]) -> list[str | OSError]:
    """SHA-256 of each file, or the OSError that stopped its reading (a task)."""
    digests: list[str | OSError] = []
    for path in paths:
        try:
            digests.append(sha256_file(path))
        except OSError as exc:  # rebuilt plainly: some filesystems' errors do not pickle
            digests.append(OSError(exc.errno, exc.strerror) if exc.strerror else OSError(str(exc)))
    return digests


@dataclass
class ParquetTarget:
    """Where and how a task writes its batch: the dataset, the batch's name, and per doc_id
    the paths holding its bytes (each gets a documents row)."""

    url: str
    batch: str
    version: str
    members: dict[str, list[InputFile]]
    roots: tuple[str, ...] = ()  # the inputs named: path rules read a path from there down


def convert_batch(tasks: list[tuple[str, str]], timeout: float | None, memory_mb: int | None, ocr: str,
                  target: ParquetTarget | None = None, reader: str = _TARGET) -> tuple[list[Outcome], list[str]]:
    """Convert a batch of (doc_id, path) documents (a task) with `reader` ("module:function").
    Without `target` the outcomes carry the fact rows back; with it the batch is written
    into the Parquet dataset and the outcomes go back without their facts."""
    outcomes = list(_pool(timeout, memory_mb, ocr, reader).run(tasks, keep_workers=True))
    if target is None:
        return outcomes, []
    from .parquet_store import ParquetDataset

    documents, facts = [], {}
    for outcome in outcomes:
        if changed_while_read(outcome):
            continue  # the client stores its error row and sends an intact copy again
        rows = document_rows(outcome, target.members[outcome.key], target.version, roots=target.roots)
        documents += [{**row, "doc_id": outcome.key} for row in rows]
        facts[outcome.key] = outcome.result.pop("facts") if outcome.error is None else {}
    written = ParquetDataset(target.url).write_batch(target.batch, documents, facts) if documents else []
    return outcomes, written


# ---------------------------------------------------------------- on the client

def start_client(scheduler: str | None, jobs: int | None) -> tuple[Any, Any]:
    """A client of the cluster at `scheduler`, or of a new LocalCluster of `jobs` workers."""
    import logging

    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise RunError("the dask engine needs dask and distributed: pip install 'jixiao[cluster]'") from exc
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="30s")
        else:
            # workers start the child processes that bound each document: they must not be daemonic
            with dask.config.set({"distributed.worker.daemon": False}):
                cluster = LocalCluster(n_workers=jobs or os.cpu_count() or 1, threads_per_worker=1,
                                       processes=True, dashboard_address=":0", silence_logs=logging.ERROR)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise RunError(f"cannot reach the Dask scheduler {scheduler or '(local)'}: {exc}") from exc
    if not all(client.run(_can_start_children).values()):
        client.close()
        if cluster is not None:
            cluster.close()
        raise RunError("Dask workers run as daemons and cannot start the per-document processes: start "
                       "them with DASK_DISTRIBUTED__WORKER__DAEMON=False in their environment")
    return client, cluster


class DaskRunner:
    """The runner of a Dask run: `run(tasks)` submits batches and yields each `Outcome`."""

    def __init__(self, run: DaskRun, timeout: float | None, memory_mb: int | None) -> None:
        self.run_of, self.timeout, self.memory_mb = run, timeout, memory_mb
        self.run_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        self.counter = 0

    def notes(self) -> list[str]:
        return []

    def _batches(self, tasks: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
        workers = max(1, self.run_of.workers)
        size = max(1, min(_MAX_BATCH[self.run_of.out_format],
                          math.ceil(len(tasks) / (_BATCHES_PER_WORKER * workers))))
        return [tasks[i:i + size] for i in range(0, len(tasks), size)]

    def _submit(self, client: Any, tasks: list[tuple[str, str]]) -> Any:
        batch = f"{self.run_id}-{self.counter:06d}"
        self.counter += 1
        return client.submit(convert_batch, tasks, self.timeout, self.memory_mb, self.run_of.ocr,
                             self.run_of.target(batch, tasks), pure=False, key=f"jixiao-{batch}")

    def run(self, tasks: list[tuple[str, str]]) -> Iterator[Outcome]:
        from distributed import KilledWorker, as_completed

        client = self.run_of.client
        tasks_of: dict[str, list[tuple[str, str]]] = {}
        futures = []
        for batch in self._batches(list(tasks)):
            future = self._submit(client, batch)
            tasks_of[future.key] = batch
            futures.append(future)
        running = as_completed(futures)
        for future in running:
            try:
                outcomes, written = future.result()
            except KilledWorker as exc:
                batch = tasks_of[future.key]
                if len(batch) > 1:  # find the document that kills workers: one task each
                    for task in batch:
                        single = self._submit(client, [task])
                        tasks_of[single.key] = [task]
                        running.add(single)
                    continue
                key, path = batch[0]
                yield Outcome(key=key, path=path, error=f"{path}: Dask worker died on every attempt ({exc})")
                continue
            except Exception as exc:  # noqa: BLE001 - a task that raised: the run cannot go on
                raise RunError(f"a Dask task failed: {type(exc).__name__}: {exc}") from exc
            finally:
                future.release()
            self.run_of.written.extend(written)
            yield from outcomes


@dataclass
class DaskRun(Run):
    """A `Run` whose hashing and conversions run on a Dask cluster (SQLite written here)."""

    scheduler: str | None = None
    jobs: int | None = None
    out_format: str = "sqlite"
    written: list[str] = field(default_factory=list)  # Parquet files the tasks reported
    _client: Any = None
    _cluster: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client, self._cluster = start_client(self.scheduler, self.jobs)
        return self._client

    def close(self) -> None:
        """Leave the cluster (and stop the LocalCluster this run started)."""
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def target(self, batch: str, tasks: list[tuple[str, str]]) -> ParquetTarget | None:
        """Where a task writes its batch: nowhere here (SQLite is written by this process)."""
        return None

    def _digests(self, files: list[InputFile]) -> dict[str, str | OSError]:
        paths = [f.read_path for f in files]
        if not paths:
            return {}
        chunks = [paths[i:i + _HASH_CHUNK] for i in range(0, len(paths), _HASH_CHUNK)]
        results = self.client.gather(self.client.map(hash_files, chunks, pure=False))
        return {p: d for chunk, digests in zip(chunks, results) for p, d in zip(chunk, digests)}

    def _runner(self, jobs: int, workers: int, timeout: float | None, memory_mb: int | None) -> DaskRunner:
        self.workers = len(self.client.scheduler_info(n_workers=-1)["workers"])
        return DaskRunner(self, timeout, memory_mb)


# ---------------------------------------------------------------- Parquet

@dataclass
class ParquetRun(DaskRun):
    """A Dask run into a Parquet dataset: the workers write, the client plans and counts."""

    dataset: Any = None  # parquet_store.ParquetDataset
    out_format: str = "parquet"
    by_path: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_doc: dict[str, dict[str, Any]] = field(default_factory=dict)
    client_rows: list[dict[str, Any]] = field(default_factory=list)  # rows decided here, not converted

    def load(self) -> list[dict[str, Any]]:
        """Read the stored documents rows (what `_known` and `_converted` answer from)."""
        known = self.dataset.documents()
        for row in sorted(known, key=lambda r: r["path"]):
            self.by_path[row["path"]] = row
            if row["doc_id"] and row["tool_version"] == self.version:
                self.by_doc.setdefault(row["doc_id"], row)
        return known

    def _known(self, path: str) -> dict[str, Any] | None:
        return self.by_path.get(path)

    def _converted(self, doc_id: str) -> dict[str, Any] | None:
        return self.by_doc.get(doc_id)

    def _store(self, doc_id: str | None, rows: list[dict[str, Any]], facts: dict | None) -> None:
        self.client_rows += [{**row, "doc_id": doc_id} for row in rows]

    def flush(self) -> None:
        """Write the rows decided here (links to bytes already converted, unreadable files)."""
        if self.client_rows:
            self.dataset.write_batch(f"client-{uuid.uuid4().hex[:12]}", self.client_rows, {})
            self.client_rows = []

    def target(self, batch: str, tasks: list[tuple[str, str]]) -> ParquetTarget:
        return ParquetTarget(self.dataset.url, batch, self.version, {key: self.queued[key] for key, _ in tasks},
                             tuple(self.roots))

    def _write(self, outcome: Any) -> tuple[str, str] | None:
        if changed_while_read(outcome):
            return super()._write(outcome)  # an error row from here, and an intact copy again
        members = self.queued[outcome.key]
        read = next((m for m in members if m.read_path == outcome.path), members[0])
        self._count(outcome, read, len(members))  # the worker wrote its rows
        return None


def convert_to_parquet(paths: list[str], out: str, scheduler: str | None, jobs: int | None = None,
                       quiet: bool = False, timeout: float | None = 120.0, memory_mb: int | None = 2048,
                       force: bool = False, retry_errors: bool = False, ocr: str = "auto",
                       version: str = "") -> dict[str, Any]:
    """Convert into the Parquet dataset `out` (a folder or an fsspec URL); return the summary."""
    from .parquet_store import ParquetDataset
    from .sources import is_url, walk_sources

    started = time.monotonic()
    exclude = set() if is_url(out) else {os.path.realpath(out)}
    walk = walk_sources(paths, exclude)
    try:
        dataset = ParquetDataset(out)
        dataset.finish_removal()
        dataset.remove_uncommitted()
    except (OSError, ValueError) as exc:
        raise RunError(f"{out}: cannot open the dataset: {exc}") from exc
    run = ParquetRun(None, version, force, retry_errors, ocr=ocr, scheduler=scheduler, jobs=jobs, dataset=dataset)
    try:
        known = run.load()
        run.plan(walk.files)
        # rows about to be replaced go first (a killed run then leaves them missing, so
        # they are converted again, never doubled), with the facts of redone documents
        stored = {r["path"] for r in known}
        replaced = ({m.path for members in run.queued.values() for m in members}
                    | {r["path"] for r in run.client_rows}) & stored
        dataset.remove(replaced, set(run.queued), known)
        run.flush()
        run.convert_queued(jobs or 1, timeout, memory_mb, quiet)
        run.flush()  # files that changed while they were read
        dataset.remove_uncommitted(keep=run.written)
    finally:
        run.close()
    return {
        "dataset": out, "inputs": len(walk.files), "ignored": walk.ignored,
        "converted": run.counts["converted"], "failed": run.counts["failed"],
        "skipped": run.counts["skipped"], "duplicates": run.counts["duplicates"], "pages": run.pages,
        "failed_by_reason": dict(run.reasons.most_common()), "failed_files": run.failures,
        "not_converted": {reason: names for reason, names in walk.skipped.items()},
        "cross_doc_mismatches": None, "workers": run.workers, "notes": run.notes,
        "flags_by_code": {}, "seconds": round(time.monotonic() - started, 3),
    }
