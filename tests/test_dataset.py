"""`jixiao convert`: the store, the bounded worker pool, exports, the cross-document check and
the acceptance run over real reports mixed with broken files (SIGKILL, rerun, third run)."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from extractor.dataset import store
from extractor.dataset.batch import WorkerPool, WorkerStartError
from extractor.dataset.convert import check_across_documents, convert, walk_inputs
from extractor.dataset.exports import EXPORTED, export, export_value, exported_columns, table_frame_rows

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
GANZHOU = REAL / "ganzhou-2023-zhengwu-self-eval.txt"


# ---------------------------------------------------------------- worker targets (run in workers)

def fake_read(path: str) -> dict:
    """A stand-in conversion whose behaviour the file name chooses: hang, hog memory, crash."""
    name = os.path.basename(path)
    if name.startswith("hang"):
        time.sleep(600)
    if name.startswith("hog"):
        blocks = [bytearray(64 << 20) for _ in range(64)]  # 4 GiB, far past the limit
        return {"n": len(blocks)}
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("raise"):
        raise ValueError("bad\nthing")
    return {"pid": os.getpid(), "name": name}


def _outcomes(tasks, **kw):
    pool = WorkerPool(target="test_dataset:fake_read", **kw)
    return {o.key: o for o in pool.run(tasks)}


def test_pool_bounds_each_document_and_goes_on():
    tasks = [("h", "/x/hang.pdf"), ("m", "/x/hog.pdf"), ("c", "/x/crash.pdf"), ("r", "/x/raise.pdf")]
    tasks += [(f"ok{i}", f"/x/fine{i}.txt") for i in range(6)]
    started = time.monotonic()
    out = _outcomes(tasks, jobs=2, timeout=3, memory_mb=512)  # a hog reaches 512 MiB in < 1 s, 1 GiB in ~2 s here
    assert time.monotonic() - started < 30
    assert set(out) == {k for k, _ in tasks}
    assert out["h"].error == "/x/hang.pdf: timed out after 3 s"
    assert out["m"].error == "/x/hog.pdf: memory limit exceeded (512 MiB)"
    assert out["c"].error == "/x/crash.pdf: worker died with SIGSEGV"
    assert out["r"].error == "/x/raise.pdf: internal error: ValueError: bad thing"
    for i in range(6):
        assert out[f"ok{i}"].error is None
        assert out[f"ok{i}"].result["name"] == f"fine{i}.txt"
    # workers are reused: far fewer worker processes than documents
    assert len({out[f"ok{i}"].result["pid"] for i in range(6)}) <= 4


def test_pool_gives_up_when_workers_cannot_start():
    pool = WorkerPool(jobs=1, target="test_dataset:no_such_function", timeout=5)
    with pytest.raises(WorkerStartError, match="die while starting"):
        list(pool.run([("a", "/x/a.txt")]))


# ---------------------------------------------------------------- the store

def _facts(value_yuan: Decimal, precision: Decimal | None = None) -> dict:
    q = {"doc": "a.txt", "kind": "amount", "text": "预算数33.39万元", "value": Decimal("33.39"),
         "unit": "万元", "unit_source": "inline", "value_yuan": value_yuan, "page": 1, "start": 0,
         "end": 10, "table": None, "row": None, "col": None, "label": "预算数", "year": 2023,
         "operator": None, "value_max": None, "value_yuan_max": None, "confidence": 1.0}
    line = {"year": 2023, "stage": "budget", "direction": "expenditure", "item": "一般公共服务支出",
            "category_code": "201", "value_yuan": value_yuan, "text": "一般公共服务支出33.39",
            "page": 1, "precision_yuan": precision}
    flag = {"doc": "a.txt", "code": "sum-mismatch", "severity": "error", "text": "33.39", "page": 1,
            "start": 5, "end": 10, "table": None, "row": None, "col": None, "message": "合计不符",
            "evidence": [{"text": "1.5", "page": 1, "start": 0, "end": 3}],
            "suggestion": {"text": "108690.55元", "value_yuan": Decimal("108690.55")},
            "confidence": 0.9, "message_en": "parts do not add up"}
    return store.encode_facts({"quantities": [q], "budget_lines": [line], "flags": [flag]})


def _doc(path: str, **kw) -> dict:
    return {"path": path, "status": "ok", "size": 1, "mtime_ns": 1, "tool_version": "t", **kw}


def test_store_keeps_decimals_as_numbers_and_exact_text(tmp_path):
    conn = store.open_store(str(tmp_path / "d.sqlite"))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for i, v in enumerate([Decimal("0.005"), Decimal("-187860.11"), Decimal("33.39").scaleb(4)]):
        store.write_document(conn, f"id{i}", [_doc(f"f{i}.txt")], _facts(v))
    got = conn.execute("SELECT value_yuan, typeof(value_yuan), value_yuan_text, typeof(value_yuan_text) "
                       "FROM quantities ORDER BY doc_id").fetchall()
    assert got == [(0.005, "real", "0.005", "text"), (-187860.11, "real", "-187860.11", "text"),
                   (333900.0, "real", "333900", "text")]
    ev, sug = conn.execute("SELECT evidence, suggestion FROM flags WHERE doc_id='id0'").fetchone()
    assert json.loads(ev) == [{"text": "1.5", "page": 1, "start": 0, "end": 3}]
    assert sug == '{"text": "108690.55元", "value_yuan": 108690.55}'


def test_store_rewrites_a_document_without_duplicates_and_drops_orphans(tmp_path):
    conn = store.open_store(str(tmp_path / "d.sqlite"))
    store.write_document(conn, "A", [_doc("x.txt"), _doc("copy.txt")], _facts(Decimal("1")))
    store.write_document(conn, "A", [_doc("x.txt")], _facts(Decimal("2")))
    assert conn.execute("SELECT COUNT(*) FROM quantities").fetchone()[0] == 1
    assert conn.execute("SELECT value_yuan, value_yuan_text FROM quantities").fetchone() == (2.0, "2")
    # x.txt now holds other bytes; copy.txt still points at A, so A's facts stay
    store.write_document(conn, "B", [_doc("x.txt")], _facts(Decimal("3")))
    assert conn.execute("SELECT doc_id, COUNT(*) FROM quantities GROUP BY doc_id").fetchall() == [("A", 1), ("B", 1)]
    # copy.txt changes too: nothing points at A any more, its facts go
    store.write_document(conn, "C", [_doc("copy.txt")], _facts(Decimal("4")))
    assert [r[0] for r in conn.execute("SELECT DISTINCT doc_id FROM quantities ORDER BY 1")] == ["B", "C"]
    assert conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 2


def test_cross_document_mismatch_within_written_precision(tmp_path):
    conn = store.open_store(str(tmp_path / "d.sqlite"))
    dept = {"department": "甘州区政务服务管理局"}
    store.write_document(conn, "D22", [_doc("2022.txt", **dept)], _facts(Decimal("123.46").scaleb(4), Decimal(100)))
    store.write_document(conn, "D23", [_doc("2023.txt", **dept)], _facts(Decimal("1234567.89"), Decimal("0.01")))
    assert check_across_documents(conn) == 0  # 123.46万元 is 1234567.89元 to the written cent of 万元
    store.write_document(conn, "D24", [_doc("2024.txt", **dept)], _facts(Decimal("1234700"), Decimal(1)))
    assert check_across_documents(conn) == 4  # 2024 disagrees with both, each way
    assert check_across_documents(conn) == 4  # recomputed, not added again
    rows = conn.execute(
        "SELECT doc_id, severity, evidence FROM flags WHERE code='cross-doc-mismatch' ORDER BY doc_id, evidence"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("D22", "warning"), ("D23", "warning"), ("D24", "warning"), ("D24", "warning")]
    ev = json.loads(rows[0][2], parse_float=Decimal)
    assert ev[0]["doc"] == "2024.txt" and ev[0]["value_yuan"] == Decimal("1234700")
    assert {json.loads(r[2])[0]["doc_id"] for r in rows[2:]} == {"D22", "D23"}
    # another department's figure is not compared
    store.write_document(conn, "E", [_doc("other.txt", department="别的局")], _facts(Decimal("9")))
    assert check_across_documents(conn) == 4


def test_walk_skips_hidden_files_outside_symlinks_and_the_dataset(tmp_path):
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    for p in ["a.txt", "sub/b.pdf", ".secret.txt", ".hidden/c.txt", "dataset.sqlite", "a.gold.json", "old.doc"]:
        (root / p).write_text("x")
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    (root / "link-out.txt").symlink_to(outside)
    (root / "link-in.txt").symlink_to(root / "a.txt")
    (root / "dirlink").symlink_to(tmp_path)
    (root / "sublink").symlink_to(root / "sub")
    (root / "dangling.pdf").symlink_to(tmp_path / "gone.pdf")
    os.mkfifo(root / "fifo.txt")
    walk = walk_inputs([str(root)], {os.path.realpath(root / "dataset.sqlite")})
    real = os.path.realpath(root)
    # stored resolved: the link inside the folder is its target, listed once
    assert [os.path.relpath(p, real) for p in walk.files] == ["a.txt", "old.doc", "sub/b.pdf"]
    assert walk.ignored == 1  # a.gold.json
    assert {reason: [os.path.relpath(p, real) for p in paths] for reason, paths in walk.skipped.items()} == {
        "hidden file or folder": [".hidden", ".secret.txt"],
        "not a document (by suffix)": ["a.gold.json"],
        "dangling link": ["dangling.pdf"],
        "link to a folder (not followed)": ["sublink"],
        "the dataset or the export folder itself": ["dataset.sqlite"],
        "not a regular file (device, pipe or socket)": ["fifo.txt"],
        "link leading outside the folder": ["dirlink", "link-out.txt"],
        "link to a file also listed under its real path": ["link-in.txt"],
    }
    # a file named explicitly is taken whatever its suffix
    assert walk_inputs([str(root / "a.gold.json")]).files == [os.path.join(real, "a.gold.json")]


# ---------------------------------------------------------------- exports

def _stored(conn, table, unit):
    if table == "budget_summary":
        return table_frame_rows(conn, table, unit)[1]
    cols = exported_columns(table)
    return [[unit if c == "amount_unit" else export_value(c, r[c], unit) for c in cols]
            for r in store.iter_rows(conn, table)]


def _same(a, b) -> bool:
    """Equal values across pandas' readers: NaN/''/None as missing, numbers compared as Decimal."""
    missing = lambda v: v is None or v == "" or (isinstance(v, float) and v != v)  # noqa: E731
    if missing(a) or missing(b):
        return missing(a) and missing(b)
    if isinstance(b, Decimal):
        return Decimal(str(a)) == b
    if isinstance(b, (int, float)) and not isinstance(a, str):
        return a == b
    return str(a) == str(b)


def _filled_store(tmp_path) -> sqlite3.Connection:
    conn = store.open_store(str(tmp_path / "d.sqlite"))
    values = [Decimal("0.005"), Decimal("-187860.11"), Decimal("33.39").scaleb(4), Decimal("12345678901234567.89")]
    for i, v in enumerate(values):
        store.write_document(conn, f"id{i}", [_doc(f"f{i}.txt", title="甘州区报告", report_year=2023)],
                             _facts(v, Decimal(1)))
    return conn


def assert_exports_equal_store(conn: sqlite3.Connection, out_dir: Path, fmt: str, unit: str) -> None:
    """Export every table, read each back with pandas, compare cell by cell with SQLite."""
    files = export(conn, str(out_dir), fmt, unit, headers="en", raw=True)
    for table in EXPORTED:
        header = exported_columns(table)
        if fmt == "csv":
            path = out_dir / f"{table}.csv"
            assert path.read_bytes().startswith(b"\xef\xbb\xbf")
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        elif fmt == "xlsx":
            frame = pd.read_excel(files[0], sheet_name=table, dtype=object)
        else:
            frame = pd.read_parquet(out_dir / f"{table}.parquet")
        assert list(frame.columns) == header
        expected = _stored(conn, table, unit)
        assert len(frame) == len(expected)
        for got_row, want_row in zip(frame.itertuples(index=False), expected):
            for col, got, want in zip(header, got_row, want_row):
                assert _same(got, want), (table, col, got, want)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
@pytest.mark.parametrize("unit", ["元", "万元"])
def test_exports_read_back_equal_to_sqlite(tmp_path, fmt, unit):
    conn = _filled_store(tmp_path)
    assert_exports_equal_store(conn, tmp_path / "out", fmt, unit)
    if fmt == "csv" and unit == "万元":
        q = pd.read_csv(tmp_path / "out" / "quantities.csv", dtype=str, encoding="utf-8-sig")
        assert list(q["value_yuan"]) == ["0.0000005", "-18.786011", "33.39", "1234567890123.456789"]
        assert set(q["amount_unit"]) == {"万元"}


def test_export_value_converts_to_wan_exactly():
    assert export_value("value_yuan", "1234500", "万元") == Decimal("123.45")
    assert export_value("value_yuan", "0", "万元") == Decimal("0")
    assert export_value("value_yuan", "1200000", "万元") == Decimal("120")
    assert export_value("value", "33.39", "万元") == Decimal("33.39")  # not an amount in 元
    assert export_value("value_yuan_max", Decimal("25000"), "万元") == Decimal("2.5")


# ---------------------------------------------------------------- acceptance: real + broken files

def _pdf(path: Path, text: str, encrypt: str | None = None) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), encrypt=encrypt)
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(text.splitlines()[:40]):
        c.drawString(40, 800 - 18 * i, line)
    c.showPage()
    c.save()


IMAGE_PDF_LINE = "一般公共服务支出年初预算数33.39万元，执行数32.10万元。"


def _image_pdf(path: Path) -> None:
    """A scanned page: a typed line rendered to a 150 dpi image, the image alone in a PDF."""
    from reportlab.pdfgen import canvas

    from extractor.evaluation.render import render_text_pdf, scan_images

    image = scan_images(render_text_pdf([IMAGE_PDF_LINE], path.with_suffix(".src")), dpi=150)[0]
    path.with_suffix(".src").unlink()
    image = image.crop((0, 0, image.width, image.height // 5))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.drawInlineImage(image, 0, 842 - 842 // 5, 595, 842 // 5)
    c.showPage()
    c.save()


def _docx_bomb(path: Path, inflated: int = 3 << 30) -> None:
    """A DOCX whose word/document.xml inflates to `inflated` bytes, written in well under a second.

    The deflate stream repeats one full-flushed block of 1 MiB of spaces inside an XML frame (a
    full flush resets the history, so every copy compresses to the same bytes); the zip
    headers are written by hand around it, with the true CRC and sizes.
    """
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
            b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>')
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    chunk = b" " * (1 << 20)
    n = (inflated - len(head) - len(tail)) // len(chunk)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    data = start + block * n + co.compress(tail) + co.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    bomb = (b"word/document.xml", 8, zlib.crc32(tail, crc), data, len(head) + n * len(chunk) + len(tail))
    types = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
             b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
    members = [(b"[Content_Types].xml", 0, zlib.crc32(types), types, len(types)), bomb]
    out, central = bytearray(), bytearray()
    for name, method, crc, payload, size in members:
        central += b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, 20, 0, method, 0, 0, crc, len(payload),
                                                size, len(name), 0, 0, 0, 0, 0, len(out)) + name
        out += b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", 20, 0, method, 0, 0, crc, len(payload), size, len(name), 0)
        out += name + payload
    eocd = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 2, 2, len(central), len(out), 0)
    path.write_bytes(bytes(out + central + eocd))


def _corpus(root: Path) -> dict[str, str]:
    """The acceptance folder; returns {relative path: what it is} for the broken ones."""
    real = root / "real"
    shutil.copytree(REAL, real, ignore=shutil.ignore_patterns("README.md"))
    text = GANZHOU.read_text("utf-8")
    (root / "texts").mkdir()
    (root / "texts" / "ganzhou-utf8.txt").write_text(text, "utf-8")
    (root / "texts" / "ganzhou-gbk.txt").write_bytes(text.encode("gbk"))
    shutil.copy(GANZHOU, root / "texts" / "copy-of-ganzhou.txt")
    broken = root / "broken"
    broken.mkdir()
    rnd = random.Random(7)
    (broken / "empty.pdf").write_bytes(b"")
    _pdf(broken / "whole.pdf", text)
    data = (broken / "whole.pdf").read_bytes()
    (broken / "whole.pdf").unlink()
    (broken / "truncated.pdf").write_bytes(data[: len(data) // 2])
    (broken / "random.pdf").write_bytes(bytes(rnd.getrandbits(8) for _ in range(8192)))
    _pdf(broken / "encrypted.pdf", text, encrypt="secret")
    _image_pdf(broken / "image-only.pdf")
    (broken / "text-named.docx").write_text("这不是一个Word文件。" * 20, "utf-8")
    _docx_bomb(broken / "bomb.docx")
    (broken / "junk.txt").write_bytes(bytes(rnd.getrandbits(8) for _ in range(8192)))
    return {os.path.realpath(p): p.name for p in broken.iterdir()}


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in store.TABLES}
    finally:
        conn.close()


def _run_cli(args: list[str], cwd: Path, **kw) -> subprocess.Popen:
    """`jixiao convert ARGS` OCR'ing one page per scan (the real scans have 30 pages: minutes)."""
    return subprocess.Popen([sys.executable, "-m", "extractor.cli", "convert", "--ocr-pages", "1", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    broken = _corpus(root / "in")
    return root, broken


def test_convert_real_and_broken_files(corpus):
    root, broken = corpus
    db = root / "clean.sqlite"
    proc = _run_cli(["in", "-o", str(db), "-j", "2"], root)  # the 120 s default: a 171-page PDF on a loaded machine
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    conn = sqlite3.connect(db)
    paths = [r[0] for r in conn.execute("SELECT path FROM documents ORDER BY path")]
    inputs = sorted(os.path.realpath(p) for p in (root / "in").rglob("*") if p.is_file())
    assert paths == inputs  # stored resolved, whatever path the run was given
    errors = dict(conn.execute("SELECT path, error FROM documents WHERE status = 'error'"))
    # the scan without a text layer is read by OCR inside the workers
    real = os.path.realpath(root / "in")
    image = conn.execute("SELECT doc_id, status, needs_ocr FROM documents WHERE path = ?",
                         (f"{real}/broken/image-only.pdf",))
    doc_id, *state = image.fetchone()
    assert state == ["ok", 0]
    assert conn.execute("SELECT text, value_yuan_text FROM quantities WHERE doc_id = ? AND kind = 'amount' "
                        "ORDER BY rowid", (doc_id,)).fetchall() == [("33.39万元", "333900"), ("32.10万元", "321000")]
    for rel in broken:
        if rel == f"{real}/broken/image-only.pdf":
            continue
        assert rel in errors, rel
        assert "\n" not in errors[rel] and errors[rel].startswith(rel + ": "), errors[rel]
    assert not any(p.startswith(f"{real}/real/") or p.startswith(f"{real}/texts/") for p in errors), errors
    # the GBK and the UTF-8 text give the same amounts, and the copy is the same document
    ids = dict(conn.execute("SELECT path, doc_id FROM documents"))
    assert ids[f"{real}/texts/copy-of-ganzhou.txt"] == ids[f"{real}/real/ganzhou-2023-zhengwu-self-eval.txt"]
    amounts = {
        name: conn.execute(
            "SELECT text, value_yuan FROM quantities WHERE doc_id = ? AND kind = 'amount' ORDER BY rowid",
            (ids[f"{real}/texts/{name}"],)).fetchall()
        for name in ("ganzhou-utf8.txt", "ganzhou-gbk.txt")
    }
    assert amounts["ganzhou-utf8.txt"] and amounts["ganzhou-utf8.txt"] == amounts["ganzhou-gbk.txt"]
    assert conn.execute("SELECT COUNT(*) FROM quantities WHERE typeof(value_yuan) NOT IN ('real', 'null')"
                        ).fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM quantities WHERE typeof(value_yuan) = 'real'").fetchone()[0] > 0
    assert conn.execute("SELECT COUNT(*) FROM quantities").fetchone()[0] > 0
    for fmt in ("csv", "xlsx", "parquet"):
        assert_exports_equal_store(conn, root / f"export-{fmt}", fmt, "万元")
    conn.close()


def test_sigkill_midway_then_rerun_matches_clean_run(corpus):
    root, _ = corpus
    clean = root / "clean.sqlite"
    if not clean.exists():
        pytest.skip("needs test_convert_real_and_broken_files first")
    db = root / "killed.sqlite"
    proc = _run_cli(["in", "-o", str(db), "-j", "2", "-q"], root, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.05)
        try:
            if db.exists() and _counts(db)["documents"] >= 3:
                break
        except sqlite3.Error:
            pass
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its workers, mid-way
    proc.communicate()
    killed_at = _counts(db)["documents"]
    proc = _run_cli(["in", "-o", str(db), "-j", "2", "-q"], root)
    assert proc.wait(timeout=300) == 0
    assert _counts(db) == _counts(clean), killed_at
    conn = sqlite3.connect(db)
    assert conn.execute(
        "SELECT COUNT(*) FROM (SELECT doc_id, kind, text, start, \"table\", row, col, COUNT(*) c "
        "FROM quantities GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING c > 1)").fetchone()[0] == \
        sqlite3.connect(clean).execute(
        "SELECT COUNT(*) FROM (SELECT doc_id, kind, text, start, \"table\", row, col, COUNT(*) c "
        "FROM quantities GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING c > 1)").fetchone()[0]
    conn.close()
    # a third run converts nothing, fast
    started = time.monotonic()
    proc = _run_cli(["in", "-o", str(db), "-j", "2"], root)
    _, err = proc.communicate(timeout=60)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0
    assert " 0 converted" in err and " 0 failed" in err, err
    assert elapsed < 2.0, elapsed
    assert _counts(db) == _counts(clean)


def test_convert_api_exports_and_duplicates_in_one_run(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GANZHOU, folder / "a.txt")
    shutil.copy(GANZHOU, folder / "b.txt")
    (folder / "empty.txt").write_bytes(b"")
    summary = convert([str(folder)], str(tmp_path / "d.sqlite"), jobs=1, quiet=True,
                      export_dir=str(tmp_path / "x"), export_as="parquet")
    assert (summary["converted"], summary["duplicates"], summary["failed"]) == (1, 1, 1)
    assert summary["failed_by_reason"] == {"empty file (0 bytes)": 1}
    assert summary["exported"] == [str(tmp_path / "x" / f"{t}.parquet") for t in EXPORTED]
    again = convert([str(folder)], str(tmp_path / "d.sqlite"), jobs=1, quiet=True)
    assert (again["converted"], again["skipped"], again["failed"]) == (0, 3, 0)
    os.utime(folder / "b.txt", ns=(1, 1))  # touched, same bytes: hashed, not converted
    again = convert([str(folder)], str(tmp_path / "d.sqlite"), jobs=1, quiet=True)
    assert (again["converted"], again["skipped"]) == (0, 3)
    again = convert([str(folder)], str(tmp_path / "d.sqlite"), jobs=1, quiet=True, retry_errors=True)
    assert (again["converted"], again["skipped"], again["failed"]) == (0, 2, 1)


def test_cross_doc_mismatch_between_two_reports_of_one_department(tmp_path):
    """The 2021 budget restated in a second report of 甘州区政务服务管理局 with one digit changed."""
    text = GANZHOU.read_text("utf-8")
    assert text.count("预算收入总额2761984.37元") == 1
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-2023.txt").write_text(text, "utf-8")
    (folder / "b-restated.txt").write_text(text.replace("预算收入总额2761984.37元", "预算收入总额2761994.37元"), "utf-8")
    summary = convert([str(folder)], str(tmp_path / "d.sqlite"), jobs=2, quiet=True)
    assert (summary["converted"], summary["cross_doc_mismatches"]) == (2, 2)
    conn = sqlite3.connect(tmp_path / "d.sqlite")
    rows = conn.execute(
        "SELECT doc, severity, text, evidence FROM flags WHERE code = 'cross-doc-mismatch' ORDER BY doc").fetchall()
    a, b = str(folder / "a-2023.txt"), str(folder / "b-restated.txt")
    assert [(r[0], r[1], r[2]) for r in rows] == [(a, "warning", "2761984.37元"), (b, "warning", "2761994.37元")]
    assert [json.loads(r[3])[0]["doc"] for r in rows] == [b, a]
    assert json.loads(rows[0][3], parse_float=Decimal)[0]["value_yuan"] == Decimal("2761994.37")
