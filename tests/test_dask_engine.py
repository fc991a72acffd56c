"""`jixiao convert --engine dask`: the same rows as the local pool, in SQLite and in Parquet;
a Dask worker killed mid-run; a rerun that skips everything; limits that hold on workers;
inputs through fsspec. One LocalCluster of 2 worker processes serves the module (joined
with `scheduler=`); the rerun test starts its own, as a user's run without a scheduler does."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import threading
import time
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

from extractor.dataset import store  # noqa: E402
from extractor.dataset.convert import CROSS_DOC_CODE, convert  # noqa: E402
from extractor.dataset.parquet_store import PARTITION, ParquetDataset  # noqa: E402
from extractor.evaluation.synth import generate  # noqa: E402

VOLATILE = {"converted_at"}  # the time of the run


def _normal(rows) -> list[tuple]:
    """Rows as sorted tuples of (column, value), the run's time left out."""
    return sorted((tuple((c, v) for c, v in row.items() if c not in VOLATILE) for row in rows), key=repr)


def sqlite_tables(db: Path, cross_doc: bool = True) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        tables = {t: list(store.iter_rows(conn, t)) for t in store.TABLES}
    finally:
        conn.close()
    if not cross_doc:  # the cross-document check runs on SQLite only
        tables["flags"] = [r for r in tables["flags"] if r["code"] != CROSS_DOC_CODE]
    return {t: _normal(rows) for t, rows in tables.items()}


def parquet_tables(out: Path) -> dict[str, list[tuple]]:
    ds = ParquetDataset(str(out))
    return {t: _normal(ds.iter_rows(t)) for t in store.TABLES}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """8 generated documents (PDF, DOCX, XLSX, TXT), a copy of one, and two broken files."""
    root = tmp_path_factory.mktemp("dask") / "in"
    docs = [p for seed, n in ((1, 3), (2, 3), (0, 2)) for p in generate(n, root, seed=seed, error_rate=0.3)]
    shutil.copy(docs[0], root / ("copy-of-first" + docs[0].suffix))
    (root / "empty.pdf").write_bytes(b"")
    (root / "not-a-docx.docx").write_text("这不是一个Word文件。" * 20, "utf-8")
    return root


@pytest.fixture(scope="module")
def reference(folder) -> dict[str, list[tuple]]:
    """The local `-j 2` run of the folder."""
    db = folder.parent / "local.sqlite"
    summary = convert([str(folder)], str(db), jobs=2, quiet=True)
    assert (summary["converted"], summary["duplicates"], summary["failed"]) == (8, 1, 2)
    return sqlite_tables(db)


@pytest.fixture(scope="module")
def cluster():
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.worker.daemon": False}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
            with Client(c) as client:
                yield c, client


def test_dask_sqlite_holds_the_rows_of_the_local_run(folder, reference, cluster):
    db = folder.parent / "dask.sqlite"
    summary = convert([str(folder)], str(db), engine="dask", scheduler=cluster[0].scheduler_address, quiet=True)
    assert (summary["converted"], summary["duplicates"], summary["failed"], summary["workers"]) == (8, 1, 2, 2)
    assert sqlite_tables(db) == reference
    assert sum(len(rows) for rows in reference.values()) > 100  # the comparison is of real rows


def test_parquet_holds_the_rows_of_the_local_run_and_a_rerun_skips_everything_quickly(
        folder, reference, cluster, tmp_path):
    """The first two runs as a user makes them: no scheduler, so the first starts a
    LocalCluster of 2 workers; the rerun finds nothing to do and starts none."""
    out = tmp_path / "dataset"
    started = time.monotonic()
    first = convert([str(folder)], str(out), engine="dask", jobs=2, out_format="parquet", quiet=True)
    first_seconds = time.monotonic() - started
    assert (first["converted"], first["duplicates"], first["failed"], first["workers"]) == (8, 1, 2, 2)
    tables = parquet_tables(out)
    assert tables == sqlite_tables(folder.parent / "local.sqlite", cross_doc=False)
    assert len(tables["documents"]) == 11

    # what any reader sees: the SQLite columns (+ the partition key), one folder per fiscal year
    years = sorted(p.name for p in (out / "documents").iterdir())
    assert years[0] == f"{PARTITION}=0" and len(years) >= 3  # 0: the two broken files state no year
    conn = sqlite3.connect(folder.parent / "local.sqlite")
    try:
        for table in ("documents",) + store.FACT_TABLES:
            frame = pd.read_parquet(out / table)
            sqlite_columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            assert list(frame.columns) == sqlite_columns + [PARTITION]
    finally:
        conn.close()
    docs = pd.read_parquet(out / "documents")
    assert docs["path"].is_unique and len(docs) == 11
    assert (docs[PARTITION].astype(int) == docs["report_year"].fillna(0).astype(int)).all()

    files = sorted(p for p in out.rglob("*") if p.is_file())
    started = time.monotonic()
    again = convert([str(folder)], str(out), engine="dask", jobs=2, out_format="parquet", quiet=True)
    again_seconds = time.monotonic() - started
    assert (again["converted"], again["skipped"], again["failed"]) == (0, 11, 0)
    assert sorted(p for p in out.rglob("*") if p.is_file()) == files  # nothing written again
    assert again_seconds < 0.1 * first_seconds, (again_seconds, first_seconds)

    # a file whose bytes changed is converted again and replaces its rows, nothing doubled
    address = cluster[0].scheduler_address
    changed = next(p for p in sorted(folder.iterdir()) if p.suffix == ".txt")
    text = changed.read_text("utf-8")
    work = tmp_path / "in"
    shutil.copytree(folder, work)
    third = convert([str(work)], str(out), engine="dask", scheduler=address, out_format="parquet", quiet=True)
    assert (third["converted"], third["duplicates"], third["failed"]) == (0, 11, 0)  # same bytes, new paths
    (work / changed.name).write_text(text.replace("。", "。\n", 1), "utf-8")
    fourth = convert([str(work)], str(out), engine="dask", scheduler=address, out_format="parquet", quiet=True)
    assert (fourth["converted"], fourth["skipped"]) == (1, 10)
    ds = ParquetDataset(str(out))
    docs = ds.read_table("documents")
    assert len(docs) == 22 and docs["path"].is_unique
    quantities = ds.read_table("quantities")
    assert set(quantities["doc_id"]) == set(docs.loc[docs["status"] == "ok", "doc_id"])
    assert not quantities.duplicated().any()


def test_a_worker_killed_mid_run_and_every_document_has_one_row(folder, reference, cluster, tmp_path):
    c, client = cluster
    out = tmp_path / "dataset"
    result: dict = {}

    def run() -> None:
        result["summary"] = convert([str(folder)], str(out), engine="dask", scheduler=c.scheduler_address,
                                    out_format="parquet", quiet=True)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 60
    busy: list[str] = []
    while not busy and time.monotonic() < deadline:  # a worker holding a conversion task
        busy = [w for w, keys in client.processing().items() if any(str(k).startswith("jixiao-") for k in keys)]
        time.sleep(0.02)
    assert thread.is_alive() and busy
    pids = client.run(os.getpid)
    victim = pids[busy[0]]
    os.kill(victim, signal.SIGKILL)  # its nanny starts a new worker; the scheduler reruns its task
    thread.join(120)
    assert not thread.is_alive()
    summary = result["summary"]
    assert (summary["converted"], summary["duplicates"], summary["failed"]) == (8, 1, 2)
    assert victim not in client.run(os.getpid).values()
    tables = parquet_tables(out)
    assert tables == sqlite_tables(folder.parent / "local.sqlite", cross_doc=False)
    paths = [dict(r)["path"] for r in tables["documents"]]
    assert len(paths) == len(set(paths)) == 11


def test_timeout_holds_on_workers(folder, cluster, tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(sorted(folder.glob("synth*.pdf"))[0], one)
    db = tmp_path / "t.sqlite"
    summary = convert([str(one)], str(db), engine="dask", scheduler=cluster[0].scheduler_address,
                      timeout=0.001, quiet=True)
    assert (summary["converted"], summary["failed"]) == (0, 1)
    assert summary["failed_by_reason"] == {"timed out after 0.001 s": 1}


def test_inputs_through_fsspec_urls(folder, reference, cluster, tmp_path):
    """`file://` stands for any fsspec protocol: listed, hashed and read through fsspec."""
    sub = tmp_path / "sub"
    sub.mkdir()
    names = [sorted(folder.glob(f"synth*{suffix}"))[0].name for suffix in (".pdf", ".txt")] + ["empty.pdf"]
    for name in names:
        shutil.copy2(folder / name, sub / name)
    (sub / "notes.md").write_text("不是报告", "utf-8")
    db = tmp_path / "remote.sqlite"
    summary = convert([f"file://{sub}"], str(db), engine="dask", scheduler=cluster[0].scheduler_address,
                      quiet=True)
    assert (summary["inputs"], summary["ignored"], summary["converted"], summary["failed"]) == (3, 1, 2, 1)
    remote = sqlite_tables(db)
    assert sorted(dict(r)["path"] for r in remote["documents"]) == sorted(f"file://{sub}/{n}" for n in names)

    def comparable(rows):  # paths without file://; the URL's modification time is fsspec's
        return sorted((tuple((c, v.replace(f"file://{sub}", str(folder)) if isinstance(v, str) else v)
                             for c, v in row if c != "mtime_ns") for row in rows), key=repr)

    paths = {str(folder / n) for n in names}
    expected_docs = [r for r in reference["documents"] if dict(r)["path"] in paths]
    doc_ids = {dict(r)["doc_id"] for r in expected_docs}
    for table, rows in remote.items():
        expected = expected_docs if table == "documents" else [r for r in reference[table] if dict(r)["doc_id"] in doc_ids]
        assert comparable(rows) == comparable(expected), table
    assert len(remote["quantities"]) > 10
    again = convert([f"file://{sub}"], str(db), engine="dask", scheduler=cluster[0].scheduler_address, quiet=True)
    assert (again["converted"], again["skipped"], again["missing"]) == (0, 3, [])
    assert sqlite_tables(db)["documents"] == remote["documents"]  # URLs are not relative paths to resolve


def test_cli_joins_a_scheduler_and_refuses_what_needs_another_engine(folder, cluster, tmp_path):
    from click.testing import CliRunner

    from extractor.cli import main

    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(sorted(folder.glob("synth*.txt"))[0], one)
    out = tmp_path / "dataset"
    runner = CliRunner()
    result = runner.invoke(main, ["convert", str(one), "-o", str(out), "--format", "parquet", "--engine", "dask",
                                  "--scheduler", cluster[0].scheduler_address, "-q"])
    assert result.exit_code == 0, result.output
    assert len(ParquetDataset(str(out)).read_table("documents")) == 1
    result = runner.invoke(main, ["convert", str(one), "-o", str(tmp_path / "x"), "--format", "parquet", "-q"])
    assert result.exit_code == 1 and "add --engine dask" in result.output
    result = runner.invoke(main, ["convert", str(one), "-o", str(tmp_path / "y.sqlite"), "--scheduler",
                                  "tcp://127.0.0.1:1", "-q"])
    assert result.exit_code == 2 and "--scheduler needs --engine dask" in result.output


def fake_read(path: str, ocr: str = "auto") -> dict:
    """A stand-in reader whose behaviour the file name chooses (run in a worker's child)."""
    name = os.path.basename(path)
    if name.startswith("hog"):
        return {"n": len([bytearray(64 << 20) for _ in range(64)])}  # 4 GiB, far past the limit
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return {"name": name}


def test_memory_limit_and_crashes_hold_on_workers(cluster):
    """A task on a Dask worker: each document in the worker's bounded child process, so a
    memory hog or a crash becomes that document's error and the batch goes on."""
    from extractor.dataset.dask_engine import convert_batch

    tasks = [("m", "/x/hog.pdf"), ("c", "/x/crash.pdf"), ("ok", "/x/fine.txt")]
    future = cluster[1].submit(convert_batch, tasks, 30, 512, "auto", None, reader="test_dask_engine:fake_read",
                               pure=False)
    outcomes, written = future.result(timeout=120)
    out = {o.key: o for o in outcomes}
    assert out["m"].error == "/x/hog.pdf: memory limit exceeded (512 MiB)"
    assert out["c"].error == "/x/crash.pdf: worker died with SIGSEGV"
    assert (out["ok"].error, out["ok"].result, written) == (None, {"name": "fine.txt"}, [])


def _doc_row(doc_id: str, path: str, year: int | None) -> dict:
    return {"doc_id": doc_id, "path": path, "status": "ok", "report_year": year, "tool_version": "t",
            "size": 1, "mtime_ns": 1}


def _quantity(text: str) -> tuple:
    row = {"doc": "d", "kind": "amount", "text": text, "value": Decimal("1.10"), "value_yuan": Decimal("11000")}
    return tuple(store.encode_rows("quantities", [row])[0])


def test_parquet_batches_commit_with_their_documents_file_and_removals_finish(tmp_path):
    ds = ParquetDataset(str(tmp_path / "out"))
    files = ds.write_batch("b1", [_doc_row("A", "a.txt", 2023), _doc_row("B", "b.txt", None)],
                           {"A": {"quantities": [_quantity("1.10万元")]}, "B": {"quantities": [_quantity("2万元")]}})
    assert [Path(f).relative_to(tmp_path / "out").as_posix() for f in files] == [
        "quantities/doc_year=2023/part-b1.parquet", "quantities/doc_year=0/part-b1.parquet",
        "documents/doc_year=2023/part-b1.parquet", "documents/doc_year=0/part-b1.parquet"]
    q = ds.read_table("quantities")
    assert list(q.columns) == store.stored_columns("quantities")
    assert sorted(q["doc_id"]) == ["A", "B"] and list(q["value_text"]) == ["1.10", "1.10"]  # exact text
    assert [r["value"] for r in ds.iter_rows("quantities")] == [Decimal("1.10"), Decimal("1.10")]
    # a batch killed before its documents file: its facts are removed by the next run
    ds._write_file("quantities", 2023, "b2", [("C",) + _quantity("3万元")])
    (tmp_path / "out" / "quantities" / "doc_year=2023" / ".part-b3.x.tmp").write_bytes(b"half")
    assert ds.remove_uncommitted() == 2
    assert sorted(ds.read_table("quantities")["doc_id"]) == ["A", "B"]
    # a removal journalled and then killed is finished by the next run
    (tmp_path / "out" / "_removing.json").write_text('{"paths": ["a.txt"], "doc_ids": []}')
    ds.finish_removal()
    assert list(ds.read_table("documents")["path"]) == ["b.txt"]
    assert list(ds.read_table("quantities")["doc_id"]) == ["B"]
    assert not (tmp_path / "out" / "_removing.json").exists()
    assert not (tmp_path / "out" / "documents" / "doc_year=2023" / "part-b1.parquet").exists()
