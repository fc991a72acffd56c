"""`jixiao convert` over folders nobody looked into, on any platform: nothing lost (every path
a row or a named skip), facts only under the hash of the bytes read, names that are not
UTF-8, resolved paths, bounded options, no `resource` module, in-process `jobs=1`, plain
scripts, a full disk, and the incremental cross-document check."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import extractor.pipeline
from extractor.cli import main as cli_main
from extractor.dataset import batch, store
from extractor.dataset.convert import RunError, convert
from extractor.dataset.crossdoc import check_across_documents

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
GANZHOU = REAL / "ganzhou-2023-zhengwu-self-eval.txt"
pytestmark = pytest.mark.skipif(not GANZHOU.exists(), reason="needs ../shared/real")


def _quantity_count(path: Path) -> int:
    return len(extractor.pipeline.extract_path(path).quantities)


def _db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


# ---------------------------------------------------------------- nothing lost

def test_gbk_named_file_is_stored_escaped_and_converted(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    name = "中文报告.txt".encode("gbk")  # what a Windows zip unpacks to on Linux
    raw = os.path.join(os.fsencode(folder), name)
    shutil.copy(GANZHOU, os.fsdecode(raw))
    summary = convert([str(folder)], str(tmp_path / "d.sqlite"), jobs=1, quiet=True)
    assert (summary["converted"], summary["failed"]) == (1, 0)
    # C4 B1 happens to be valid UTF-8 (ı) and stays a character; the other bytes are escaped
    stored = os.path.realpath(folder) + "/" + r"\xd6\xd0\xce" + "ı" + r"\xa8\xb8\xe6.txt"
    conn = _db(tmp_path / "d.sqlite")
    assert conn.execute("SELECT path, status FROM documents").fetchall() == [(stored, "ok")]
    assert conn.execute("SELECT DISTINCT doc FROM quantities").fetchall() == [(stored,)]
    assert conn.execute("SELECT COUNT(*) FROM quantities").fetchone()[0] == _quantity_count(GANZHOU)
    # lossless: the escaped name gives back the bytes
    unescaped = re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m[1], 16)]), stored.rsplit("/", 1)[1].encode())
    assert unescaped == name
    again = convert([str(folder)], str(tmp_path / "d.sqlite"), jobs=1, quiet=True)
    assert (again["converted"], again["skipped"]) == (0, 1)


def test_file_truncated_while_read_is_an_error_and_its_intact_copies_keep_right_facts(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    data = GANZHOU.read_bytes()
    full_sha = hashlib.sha256(data).hexdigest()
    (folder / "a.txt").write_bytes(data)
    (folder / "c.txt").write_bytes(data)  # an intact copy queued under the same hash
    real_extract = extractor.pipeline.extract_path

    def truncating(path, **options):
        if os.path.basename(path) == "a.txt":
            Path(path).write_bytes(data[: len(data) // 3])  # another process truncates it mid-run
        return real_extract(path, **options)

    monkeypatch.setattr(extractor.pipeline, "extract_path", truncating)
    db = tmp_path / "d.sqlite"
    summary = convert([str(folder)], str(db), jobs=1, quiet=True)
    a, c = os.path.realpath(folder / "a.txt"), os.path.realpath(folder / "c.txt")
    assert (summary["converted"], summary["failed"], summary["duplicates"]) == (1, 1, 0)
    conn = _db(db)
    rows = dict((p, (d, s, e)) for p, d, s, e in conn.execute("SELECT path, doc_id, status, error FROM documents"))
    assert rows[a] == (None, "error", f"{a}: changed while it was read (its SHA-256 is no longer the one "
                                      f"taken before reading); run again to convert it as it is now")
    assert rows[c] == (full_sha, "ok", None)
    assert conn.execute("SELECT COUNT(*) FROM quantities WHERE doc_id = ?", (full_sha,)).fetchone()[0] == \
        _quantity_count(GANZHOU)
    monkeypatch.setattr(extractor.pipeline, "extract_path", real_extract)
    # later: an intact copy added, and the truncated file seen again as it now is
    (folder / "b.txt").write_bytes(data)
    summary = convert([str(folder)], str(db), jobs=1, quiet=True)
    assert (summary["converted"], summary["duplicates"], summary["skipped"]) == (1, 1, 1)
    rows = dict((p, (d, s)) for p, d, s in conn.execute("SELECT path, doc_id, status FROM documents"))
    short_sha = hashlib.sha256(data[: len(data) // 3]).hexdigest()
    assert rows == {a: (short_sha, "ok"), os.path.realpath(folder / "b.txt"): (full_sha, "ok"), c: (full_sha, "ok")}
    assert conn.execute("SELECT COUNT(*) FROM quantities WHERE doc_id = ?", (full_sha,)).fetchone()[0] == \
        _quantity_count(GANZHOU)
    assert conn.execute("SELECT COUNT(*) FROM quantities WHERE doc_id = ?", (short_sha,)).fetchone()[0] == \
        _quantity_count(folder / "a.txt")


def _long_folder(base: Path) -> str:
    """A folder whose path passes PATH_MAX (4096 bytes), made component by component."""
    fd = os.open(base, os.O_RDONLY)
    path = str(base)
    try:
        while len(path.encode()) <= 4200:
            name = "d" * 200
            os.mkdir(name, dir_fd=fd)
            new = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
            path += "/" + name
        with os.fdopen(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "wb") as f:
            f.write(GANZHOU.read_bytes())
    finally:
        os.close(fd)
    return path


def test_every_path_met_is_a_row_or_a_named_skip(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(GANZHOU, folder / "locked" / "x.txt")
    shutil.copy(GANZHOU, folder / "ok.txt")
    (folder / "dangling.pdf").symlink_to(tmp_path / "deleted.pdf")
    deep = _long_folder(folder)
    real = os.path.realpath(folder)
    locked = os.path.join(real, "locked")
    scandir = os.scandir

    def refusing(path="."):  # what a folder without read permission does (tests run as root)
        if os.fspath(path) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    summary = convert([str(folder)], str(tmp_path / "d.sqlite"), jobs=1, quiet=True)
    assert (summary["inputs"], summary["converted"]) == (1, 1)
    # the first folder past PATH_MAX is named (its content cannot be listed by any path)
    too_long = next(p for p in (deep[: i] for i in range(len(deep), 0, -1)) if len(p.encode()) <= 4096)
    first_over = deep[: deep.index("/", len(too_long) + 1)] if "/" in deep[len(too_long) + 1:] else deep
    assert summary["not_converted"] == {
        "dangling link": [os.path.join(real, "dangling.pdf")],
        "unreadable folder": [locked],
        "path too long": [first_over],
    }
    out = CliRunner().invoke(cli_main, ["convert", str(folder), "-o", str(tmp_path / "d.sqlite"), "-j", "1"])
    assert out.exit_code == 0, out.output
    assert f"      1  dangling link: {os.path.join(real, 'dangling.pdf')}" in out.output
    assert f"      1  unreadable folder: {locked}" in out.output


def test_rows_of_files_gone_are_marked_missing_or_pruned(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GANZHOU, folder / "a.txt")
    (folder / "b.txt").write_text(GANZHOU.read_text("utf-8").replace("2761984.37", "2761994.37"), "utf-8")
    db = tmp_path / "d.sqlite"
    convert([str(folder)], str(db), jobs=1, quiet=True)
    b = os.path.realpath(folder / "b.txt")
    b_id = _db(db).execute("SELECT doc_id FROM documents WHERE path = ?", (b,)).fetchone()[0]
    (folder / "b.txt").unlink()
    summary = convert([str(folder)], str(db), jobs=1, quiet=True)
    assert summary["missing"] == [b]
    conn = _db(db)
    assert conn.execute("SELECT status, error FROM documents WHERE path = ?", (b,)).fetchone() == \
        ("missing", f"{b}: no longer found (file gone or moved)")
    assert summary["cross_doc_mismatches"] == 0  # the gone document's figures no longer count
    assert convert([str(folder)], str(db), jobs=1, quiet=True)["missing"] == []  # marked once
    summary = convert([str(folder)], str(db), jobs=1, quiet=True, prune=True)
    assert summary["pruned"] == [b]
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1
    assert conn.execute("SELECT COUNT(*) FROM quantities WHERE doc_id = ?", (b_id,)).fetchone()[0] == 0


# ---------------------------------------------------------------- one row per document

def test_relative_and_absolute_runs_give_one_row_per_document(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GANZHOU, folder / "a.txt")
    (folder / "b.txt").write_text("某局2023年预算支出100万元。", "utf-8")
    db = tmp_path / "d.sqlite"
    monkeypatch.chdir(tmp_path)
    first = convert(["in"], str(db), jobs=1, quiet=True)
    second = convert([str(folder.resolve())], str(db), jobs=1, quiet=True)
    third = convert(["./in/../in/"], str(db), jobs=1, quiet=True)
    assert (first["converted"], second["skipped"], third["skipped"]) == (2, 2, 2)
    paths = [p for (p,) in _db(db).execute("SELECT path FROM documents ORDER BY path")]
    assert paths == [os.path.realpath(folder / "a.txt"), os.path.realpath(folder / "b.txt")]


def test_rows_stored_relative_by_an_earlier_version_are_resolved(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GANZHOU, folder / "a.txt")
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "d.sqlite"
    conn = store.open_store(str(db))
    st = os.stat(folder / "a.txt")
    from extractor.dataset.convert import tool_version
    store.write_document(conn, "X", [{"path": "in/a.txt", "status": "ok", "size": st.st_size,
                                      "mtime_ns": st.st_mtime_ns, "tool_version": tool_version()}], {})
    summary = convert([str(folder)], str(db), jobs=1, quiet=True)
    assert (summary["converted"], summary["skipped"]) == (0, 1)  # the old row, resolved, is this file
    assert conn.execute("SELECT path, doc_id FROM documents").fetchall() == [(os.path.realpath(folder / "a.txt"), "X")]


# ---------------------------------------------------------------- bounds

def test_jobs_are_capped_by_cores_and_memory(monkeypatch):
    monkeypatch.setattr(batch, "usable_cores", lambda: 8)
    monkeypatch.setattr(batch, "available_memory_mb", lambda: 1024)
    assert batch.worker_cap(1000, 2048) == (
        4, "-j 1000 capped at 4 workers (8 usable cores, memory for 4 at 256 MiB each (1024 MiB available))")
    assert batch.worker_cap(3, 2048) == (3, None)
    assert batch.worker_cap(None, 2048) == (4, None)
    monkeypatch.setattr(batch, "available_memory_mb", lambda: None)
    assert batch.worker_cap(1000, 2048) == (8, "-j 1000 capped at 8 workers (8 usable cores)")


def test_jobs_1000_starts_no_more_workers_than_cores(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"r{i}.txt").write_text(f"某局2023年预算支出{100 + i}万元。", "utf-8")
    summary = convert([str(folder)], str(tmp_path / "d.sqlite"), jobs=1000, quiet=True)
    cap = batch.worker_cap(None, 2048)[0]
    assert summary["converted"] == 4 and summary["workers"] == (0 if cap == 1 else min(cap, 4))  # 0: in-process
    assert summary["notes"][0].startswith(f"-j 1000 capped at {cap} workers ({batch.usable_cores()} usable cores")


def test_memory_below_the_readers_floor_is_refused_with_the_reason(tmp_path):
    shutil.copy(GANZHOU, tmp_path / "a.txt")
    out = CliRunner().invoke(cli_main, ["convert", str(tmp_path / "a.txt"), "-o", str(tmp_path / "d.sqlite"),
                                        "--memory", "64"])
    assert out.exit_code == 2
    assert ("--memory 64 MiB is below the 256 MiB the readers need: a worker with the pipeline loaded already "
            "takes about 110 MiB of address space") in " ".join(out.output.split())
    with pytest.raises(RunError, match="below the 256 MiB"):
        convert([str(tmp_path / "a.txt")], str(tmp_path / "d.sqlite"), memory_mb=64)
    # at the floor every document converts
    summary = convert([str(tmp_path / "a.txt")], str(tmp_path / "d.sqlite"), jobs=2, memory_mb=256, quiet=True)
    assert (summary["converted"], summary["failed"]) == (1, 0)


# ---------------------------------------------------------------- portable and scriptable

def test_convert_without_the_resource_module(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "resource", None)  # `import resource` raises ImportError, as on Windows
    shutil.copy(GANZHOU, tmp_path / "a.txt")
    summary = convert([str(tmp_path / "a.txt")], str(tmp_path / "d.sqlite"), jobs=1, quiet=True)
    assert (summary["converted"], summary["failed"]) == (1, 0)
    assert summary["notes"] == ["the 2048 MiB memory limit per document is not available on this platform "
                                "(Python has no resource.RLIMIT_AS); only the time limit applies"]
    assert batch._limit_memory(512) is None


def test_jobs_1_runs_in_this_process(tmp_path, monkeypatch):
    pids = []
    real_extract = extractor.pipeline.extract_path
    monkeypatch.setattr(extractor.pipeline, "extract_path", lambda p, **kw: pids.append(os.getpid()) or real_extract(p, **kw))
    monkeypatch.setattr(batch.WorkerPool, "__init__", lambda *a, **k: pytest.fail("a worker pool was started"))
    shutil.copy(GANZHOU, tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text("某局2023年预算支出100万元。", "utf-8")
    summary = convert([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], str(tmp_path / "d.sqlite"),
                      jobs=1, quiet=True)
    assert summary["converted"] == 2 and pids == [os.getpid(), os.getpid()]


def slow_or_hungry(path: str) -> dict:
    """An in-process target: hangs or hogs memory by the file's name."""
    name = os.path.basename(path)
    if name.startswith("hang"):
        time.sleep(30)
    if name.startswith("hog"):
        return {"n": len([bytearray(64 << 20) for _ in range(64)])}
    return {"name": name}


def test_in_process_runner_bounds_time_and_memory():
    runner = batch.InProcessRunner("test_convert_robust:slow_or_hungry", None, timeout=1, memory_mb=256)
    started = time.monotonic()
    out = {o.key: o for o in runner.run([("h", "/x/hang.txt"), ("m", "/x/hog.txt"), ("f", "/x/fine.txt")])}
    assert time.monotonic() - started < 10
    assert out["h"].error == "/x/hang.txt: timed out after 1 s"
    assert out["m"].error == "/x/hog.txt: memory limit exceeded (256 MiB)"
    assert out["f"].result == {"name": "fine.txt"} and out["f"].error is None
    big = bytearray(300 << 20)  # the limit is lifted after each document
    assert len(big) == 300 << 20


@pytest.mark.parametrize("jobs", [1, 2])
def test_convert_from_a_plain_script_without_a_main_guard(tmp_path, jobs):
    shutil.copy(GANZHOU, tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text("某局2023年预算支出100万元。", "utf-8")
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(f"""
        import json, extractor
        summary = extractor.convert([{str(tmp_path / 'a.txt')!r}, {str(tmp_path / 'b.txt')!r}],
                                    {str(tmp_path / 'd.sqlite')!r}, jobs={jobs}, quiet=True)
        print(json.dumps([summary["converted"], summary["failed"], summary["workers"]]))
    """), "utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [2, 0, 0 if jobs == 1 else min(jobs, batch.worker_cap(None, 2048)[0])]
    assert "Traceback" not in proc.stderr


def test_disk_full_is_one_line(tmp_path, monkeypatch):
    open_store = store.open_store

    def tiny(path):  # SQLite answers exactly as on a full disk once the file would pass 10 pages
        conn = open_store(path)
        conn.execute("PRAGMA max_page_count = 10")
        return conn

    monkeypatch.setattr(store, "open_store", tiny)
    shutil.copy(GANZHOU, tmp_path / "a.txt")
    db = tmp_path / "d.sqlite"
    with pytest.raises(RunError) as info:
        convert([str(tmp_path / "a.txt")], str(db), jobs=1, quiet=True)
    assert str(info.value) == (f"{db}: disk full: the dataset could not be written (database or disk is full); "
                               f"free some space and run the same command again to resume")
    out = CliRunner().invoke(cli_main, ["convert", str(tmp_path / "a.txt"), "-o", str(db), "-j", "1", "-q"])
    assert out.exit_code == 1
    assert out.output == f"jixiao convert: {info.value}\n"
    monkeypatch.setattr(store, "open_store", open_store)
    summary = convert([str(tmp_path / "a.txt")], str(db), jobs=1, quiet=True)  # space again: it resumes
    assert (summary["converted"], summary["failed"]) == (1, 0)


# ---------------------------------------------------------------- the cross-document check, incremental

def _line_facts(value: str, precision: str) -> dict:
    line = {"year": 2023, "stage": "budget", "direction": "expenditure", "item": "一般公共服务支出",
            "category_code": "201", "value_yuan": Decimal(value), "text": f"一般公共服务支出{value}元",
            "page": 1, "precision_yuan": Decimal(precision)}
    return store.encode_facts({"budget_lines": [line]})


def _put(conn, doc_id: str, value: str, precision: str = "0.01", dept: str = "甲局") -> None:
    store.write_document(conn, doc_id, [{"path": f"/d/{doc_id}.txt", "status": "ok", "size": 1, "mtime_ns": 1,
                                         "tool_version": "t", "department": dept}], _line_facts(value, precision))


def _writes(conn) -> list[str]:
    seen: list[str] = []
    conn.set_trace_callback(seen.append)
    return seen


def test_cross_doc_check_compares_only_what_changed(tmp_path):
    conn = store.open_store(str(tmp_path / "d.sqlite"))
    _put(conn, "A", "100.00")
    _put(conn, "B", "100.00")
    _put(conn, "C", "100.50")
    assert check_across_documents(conn) == 4  # C against A and B, both ways
    seen = _writes(conn)
    assert check_across_documents(conn) == 4
    assert [s for s in seen if s.split()[0] in ("INSERT", "DELETE", "UPDATE", "BEGIN")] == []  # nothing new: no work
    conn.set_trace_callback(None)
    _put(conn, "D", "100.004", "0.001")  # agrees with A and B to the cent, not with C
    assert check_across_documents(conn) == 6
    others = sorted(json.loads(e)[0]["doc_id"] for (e,) in conn.execute(
        "SELECT evidence FROM flags WHERE code = 'cross-doc-mismatch' AND doc_id = 'C'"))
    assert others == ["A", "B", "D"]
    _put(conn, "C", "100.00")  # C corrected (same doc_id rewritten): every flag naming it goes
    assert check_across_documents(conn) == 0
    _put(conn, "E", "99.00", dept="乙局")  # another department is not compared
    assert check_across_documents(conn) == 0
    _put(conn, "F", "98.00")
    assert check_across_documents(conn) == 8
    conn.execute("UPDATE documents SET status = 'missing' WHERE doc_id = 'F'")  # F's file is gone
    assert check_across_documents(conn) == 0
    assert check_across_documents(conn, recheck_all=True) == 0
