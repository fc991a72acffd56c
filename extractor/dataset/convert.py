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
import os
import sqlite3
import time
from typing import Any

from . import store
from .crossdoc import CROSS_DOC_CODE, check_across_documents
from .errors import RunError
from .run import WARM_UP, Run, sha256_file, tool_version
from .sources import is_url, walk_sources
from .walk import escape_text, walk_inputs

__all__ = ["convert", "RunError", "check_across_documents", "walk_inputs", "CROSS_DOC_CODE"]


# ---------------------------------------------------------------- in the worker processes

def warm_up() -> None:
    """Load once per worker what is costly (pipeline modules, pattern book, checks) by
    running the whole pipeline over a tiny report, so the first real document pays nothing."""
    from ..model import Block, Document
    from ..pipeline import build_report
    from ..text.normalize import t2s
    from ..text.quantities import warm_up as compile_patterns

    compile_patterns()  # jieba's dictionary is loaded lazily, on the first long label
    t2s()  # OpenCC's table, which a text in simplified script never loads: shared by the workers
    # (the OCR models are not loaded here: they take ~850 MB of address space, which only a
    # document that needs OCR should pay, inside its worker's limit)
    text = "某某局2023年部门绩效自评报告\n一般公共服务支出年初预算数33.39万元，执行数32.10万元，执行率96.14%。"
    build_report(Document(path="<warm-up>", reader="text", text=text,
                          blocks=[Block("paragraph", None, 0, len(text))]))


def _escaped(value: Any) -> Any:
    return escape_text(value) if isinstance(value, str) else value


def read_document(path: str, ocr: str = "auto", name: str | None = None) -> dict[str, Any]:
    """Extract one file into documents metadata and fact rows (what a worker sends back),
    with the SHA-256 of the file as it is *after* parsing: the parent stores the facts only
    if it equals the hash the file was queued under (the bytes did not change meanwhile).

    `path` is the real OS path (it may hold surrogate escapes); the rows carry its stored,
    escaped form, since SQLite only takes valid UTF-8. A URL (`s3://…`, through fsspec) is
    read from a local copy and keeps naming the document (`name`)."""
    from ..pipeline import extract_path as extract
    from ..model import ReadError, report_rows
    from .sources import local_copy
    from .store import encode_facts

    if is_url(path):
        with local_copy(path) as local:
            try:
                return read_document(local, ocr, name=path)
            except ReadError as exc:
                raise ReadError(str(exc).replace(local, path)) from None
    report = extract(path, ocr=ocr)
    doc, meta = report.document, report.meta
    facts = encode_facts(report_rows(report, name or escape_text(path)))
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
    engine: str = "local",
    scheduler: str | None = None,
    out_format: str = "sqlite",
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

    `engine="dask"` runs the documents on dask.distributed (`scheduler` an address, else a
    LocalCluster of `jobs` workers); `out_format="parquet"` (Dask only) makes `out` a Parquet
    dataset partitioned by fiscal year that the workers write (`dask_engine.py`). Inputs may
    be fsspec URLs (`s3://…`, with the filesystem's package installed). Dask starts a
    LocalCluster's workers with `spawn`: a script doing so needs an `if __name__ == "__main__":` guard.
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
    if engine not in ("local", "dask"):
        raise RunError(f"engine must be local or dask, not {engine}")
    if out_format not in ("sqlite", "parquet"):
        raise RunError(f"format must be sqlite or parquet, not {out_format}")
    if scheduler is not None and engine != "dask":
        raise RunError("a scheduler address needs the dask engine (--engine dask)")
    if out_format == "parquet":
        return _convert_to_parquet(paths, out, jobs, quiet, timeout, memory_mb, force, retry_errors, ocr,
                                   engine, scheduler, export_dir=export_dir, meta=meta, prune=prune,
                                   corrections=corrections)
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
    workers, cap_note = worker_cap(jobs, memory_mb)
    if engine == "local" and workers > 1:
        from .batch import start_fork_server

        start_fork_server(WARM_UP)  # warms up while the inputs are walked, hashed and planned
    walk = walk_sources(paths, exclude)
    roots = [r for r, _ in walk.roots]  # path rules read a path from its input root down
    try:
        conn = store.open_store(out)
    except (sqlite3.Error, store.SchemaError) as exc:
        raise RunError(f"{out}: cannot open the dataset: {exc}") from exc
    if engine == "dask":
        from .dask_engine import DaskRun

        run: Run = DaskRun(conn, tool_version(), force, retry_errors, manifest, ocr, scheduler=scheduler,
                           jobs=workers, roots=roots)
    else:
        run = Run(conn, tool_version(), force, retry_errors, manifest, ocr, roots=roots)
    try:
        resolve_legacy_paths(conn)
        if cap_note:
            run.notes.append(cap_note)
        run.plan(walk.files)
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
        run.close()
        conn.close()
    summary["seconds"] = round(time.monotonic() - started, 3)
    return summary


def _convert_to_parquet(paths: list[str], out: str, jobs: int | None, quiet: bool, timeout: float | None,
                        memory_mb: int | None, force: bool, retry_errors: bool, ocr: str, engine: str,
                        scheduler: str | None, **sqlite_only: Any) -> dict[str, Any]:
    """The Parquet dataset: written by the Dask workers; what needs SQLite is refused by name."""
    from .batch import worker_cap

    if engine != "dask":
        raise RunError("a Parquet dataset is written by Dask workers: add --engine dask")
    given = [name for name, value in sqlite_only.items() if value not in (None, False)]
    if given:
        flags = ", ".join("--" + ("export" if n == "export_dir" else n) for n in given)
        raise RunError(f"{flags}: SQLite datasets only (a Parquet dataset is read directly by pandas, "
                       f"DuckDB, Spark or Dask)")
    from .dask_engine import convert_to_parquet

    workers = None if scheduler else worker_cap(jobs, memory_mb)[0]
    return convert_to_parquet(paths, out, scheduler, jobs=workers, quiet=quiet, timeout=timeout,
                              memory_mb=memory_mb, force=force, retry_errors=retry_errors, ocr=ocr,
                              version=tool_version())


def resolve_legacy_paths(conn: sqlite3.Connection) -> int:
    """Rows an earlier version stored under a relative path get their resolved path (relative
    to the current folder, where a rerun is normally started), or are dropped when the
    resolved path has its own row: one row per document. Returns the rows changed."""
    relative = [p for (p,) in conn.execute("SELECT path FROM documents") if not os.path.isabs(p) and not is_url(p)]
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
