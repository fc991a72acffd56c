"""The dataset as analysts use it: numbers stored as numbers (with their exact text), the
`budget_summary` view and the README's pandas example on the bundled corpus, `load_dataset`,
the schema version and the migration of an older dataset, department and year from a
manifest and from paths, and exports that are safe to open (CSV injection, XLSX control
characters, atomic writes, one-line write errors)."""
from __future__ import annotations

import csv
import errno
import os
import re
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from extractor import load_dataset
from extractor.dataset import dictionary, exports, store
from extractor.dataset.convert import RunError, convert
from extractor.dataset.pathmeta import Manifest, meta_from_path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def _doc(path: str, **kw) -> dict:
    return {"path": path, "status": "ok", "size": 1, "mtime_ns": 1, "tool_version": "t", **kw}


def _quantity(value_yuan: Decimal, text: str = "x", label: str | None = None) -> dict:
    return {"doc": "a.txt", "kind": "amount", "text": text, "value": value_yuan, "unit": "元",
            "unit_source": "inline", "value_yuan": value_yuan, "page": 1, "start": 0, "end": 1,
            "label": label, "confidence": 1.0}


def _line(year, stage, direction, item, value, source, code=None) -> dict:
    value = Decimal(value)
    return {"year": year, "stage": stage, "direction": direction, "item": item, "category_code": code,
            "value_yuan": value, "text": f"{item}{value}", "page": 1,
            "precision_yuan": Decimal(1).scaleb(value.as_tuple().exponent), "source": source}


# ---------------------------------------------------------------- numbers are numbers

def test_plain_sqlite_orders_filters_and_sums_numbers(tmp_path):
    db = tmp_path / "d.sqlite"
    conn = store.open_store(str(db))
    values = ["9", "10", "123456789.12", "0.005", "-187860.11", "260850000"]
    store.write_document(conn, "A", [_doc("a.txt")], store.encode_facts(
        {"quantities": [_quantity(Decimal(v)) for v in values]}))
    conn.close()
    plain = sqlite3.connect(db)  # what Datasette, sqlite-utils and the sqlite3 shell see
    assert [r[0] for r in plain.execute("SELECT value_yuan_text FROM quantities ORDER BY value_yuan")] == [
        "-187860.11", "0.005", "9", "10", "123456789.12", "260850000"]
    assert [r[0] for r in plain.execute("SELECT value_yuan_text FROM quantities WHERE value_yuan > 1e8 "
                                        "ORDER BY value_yuan DESC")] == ["260850000", "123456789.12"]
    total = plain.execute("SELECT SUM(value_yuan) FROM quantities").fetchone()[0]
    assert round(Decimal(repr(total)), 3) == sum(Decimal(v) for v in values) == Decimal("384118948.015")
    assert plain.execute("SELECT DISTINCT typeof(value_yuan), typeof(value_yuan_text) FROM quantities").fetchall() \
        == [("real", "text")]
    assert plain.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION == 1


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory):
    """The bundled corpus converted once, as the README's first command does."""
    root = tmp_path_factory.mktemp("typed")
    summary = convert([str(CORPUS)], str(root / "dataset.sqlite"), jobs=2, quiet=True)
    assert summary["converted"] == 20 and summary["failed"] == 0
    return root / "dataset.sqlite"


def test_every_stored_number_equals_its_exact_text(corpus_db):
    """REAL is exact here: every decimal of the corpus reads back (shortest repr) as its text."""
    conn = sqlite3.connect(corpus_db)
    checked = 0
    for table in store.TABLES:
        for column in store.table_columns(table):
            if store.column_kind(column) != "decimal":
                continue
            for number, text in conn.execute(f'SELECT "{column}", "{column}_text" FROM "{table}" '
                                             f'WHERE "{column}_text" IS NOT NULL'):
                assert isinstance(number, float) and Decimal(repr(number)) == Decimal(text), (table, column, text)
                checked += 1
    assert checked > 1500
    assert conn.execute("SELECT COUNT(*) FROM quantities WHERE value_yuan > 1e8").fetchone()[0] == 2


def test_load_dataset_is_typed(corpus_db):
    frames = load_dataset(corpus_db)
    assert list(frames) == list(store.TABLES) + ["budget_summary"]
    q = frames["quantities"]
    assert q["value_yuan"].dtype == "float64" and q["value"].dtype == "float64"
    assert q["value_yuan_text"].dtype == "string" and str(q["page"].dtype) == "Int64"
    assert str(frames["documents"]["report_year"].dtype) == "Int64"
    assert frames["projects"]["execution_rate"].dtype == "float64"
    assert frames["indicators"]["score"].dtype == "float64"
    assert len(q) == sqlite3.connect(corpus_db).execute("SELECT COUNT(*) FROM quantities").fetchone()[0]
    amounts = q[q.kind == "amount"].sort_values("value_yuan")
    assert amounts["value_yuan"].is_monotonic_increasing
    with pytest.raises(FileNotFoundError):
        load_dataset(corpus_db.parent / "missing.sqlite")


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    m = re.search(r"<!-- readme-pandas-example:[^>]*-->\n```python\n(.*?)```", text, re.S)
    assert m, "the README's pandas example is marked for this test"
    return m.group(1)


def test_readme_pandas_example_builds_the_department_year_table(corpus_db, monkeypatch, capsys):
    monkeypatch.chdir(corpus_db.parent)
    scope: dict = {}
    exec(compile(_readme_example(), "README.md", "exec"), scope)  # exactly as written there
    table = scope["table"]
    assert list(table.columns) == [2018, 2019, 2020, 2021, 2022, 2023, 2024]
    assert list(table.index) == ["普陀区市场监督管理局", "梅县区司法局", "绥阳县科学技术局"]
    assert all(dtype == "float64" for dtype in table.dtypes)
    suiyang = table.loc["绥阳县科学技术局"].dropna()
    # sorted numerically (as text, "10736905.32" would come first)
    assert list(suiyang.sort_values().index) == [2022, 2023, 2024]
    assert list(suiyang.sort_values()) == [8500823.12, 8589591.41, 10736905.32]
    # summed correctly: equal to the exact sum of the written figures
    assert round(Decimal(repr(float(suiyang.sum()))), 2) == Decimal("27827319.85")
    assert round(Decimal(repr(float(table.loc["普陀区市场监督管理局"].sum()))), 2) == Decimal("19484769.48")
    # the whole table against the exact sum of the written texts (2304393.79 + 2536318.50 + … )
    exact = sum(Decimal(t) for (t,) in sqlite3.connect(corpus_db).execute(
        "SELECT b.value_yuan_text FROM budget_lines b WHERE b.stage = 'final' AND b.item = '支出总额'"))
    assert exact == Decimal("56036505.78") == round(Decimal(repr(float(table.sum().sum()))), 2)
    printed = capsys.readouterr().out
    assert "1073.69" in printed and "673.28" in printed


# ---------------------------------------------------------------- budget_summary

def test_budget_summary_chooses_one_canonical_figure_per_line(tmp_path):
    conn = store.open_store(str(tmp_path / "d.sqlite"))
    x = {"department": "甘州区卫生健康局"}
    # the 2022 决算 table (the report of that year), a 2023 report's sentence restating it,
    # and a 2024 report's table restating it
    store.write_document(conn, "R22", [_doc("r22.pdf", report_year=2022, **x)], store.encode_facts({"budget_lines": [
        _line(2022, "final", "expenditure", "本年支出合计", "1234567.89", "table"),
        _line(2022, "final", "expenditure", "医疗卫生与计划生育支出", "500000.00", "table", "210"),
    ]}))
    store.write_document(conn, "R23", [_doc("r23.docx", report_year=2023, **x)], store.encode_facts({"budget_lines": [
        _line(2022, "final", "expenditure", "本年支出合计", "1234600", "text"),
        _line(2023, "budget", "income", "预算收入", "2523700", "text"),
        _line(2023, "budget", "income", "收入预算", "2523700", "text"),
    ]}))
    store.write_document(conn, "R24", [_doc("r24.xlsx", report_year=2024, **x)], store.encode_facts({"budget_lines": [
        _line(2022, "final", "expenditure", "本年支出合计", "1234567.80", "table"),
        _line(2022, "final", "expenditure", "卫生健康支出", "500000.00", "table", "210"),
    ]}))
    # two documents whose department nobody states stay apart
    for i in (1, 2):
        store.write_document(conn, f"N{i}", [_doc(f"n{i}.txt", report_year=2022)], store.encode_facts(
            {"budget_lines": [_line(2022, "final", "expenditure", "本年支出合计", f"{i}00", "table")]}))
    rows = conn.execute("SELECT department, year, stage, line, value_yuan_text, source, statements, spread_yuan, "
                        "item, path FROM budget_summary ORDER BY department, year, line, path").fetchall()
    assert rows == [
        (None, 2022, "final", "本年支出合计", "100", "table", 1, 0.0, "本年支出合计", "n1.txt"),
        (None, 2022, "final", "本年支出合计", "200", "table", 1, 0.0, "本年支出合计", "n2.txt"),
        # a table over the sentence, the report of 2022 over the 2024 restatement
        ("甘州区卫生健康局", 2022, "final", "卫生健康支出", "500000.00", "table", 2, 0.0, "医疗卫生与计划生育支出", "r22.pdf"),
        ("甘州区卫生健康局", 2022, "final", "本年支出合计", "1234567.89", "table", 3, 32.2, "本年支出合计", "r22.pdf"),
        # 预算收入 and 收入预算 are one line, named by what it totals
        ("甘州区卫生健康局", 2023, "budget", "收入总额", "2523700", "text", 2, 0.0, "预算收入", "r23.docx"),
    ]
    # without the year's own report, the finer precision wins between two tables
    conn.execute("DELETE FROM documents WHERE doc_id = 'R22'")
    assert conn.execute("SELECT value_yuan_text, path FROM budget_summary WHERE line = '本年支出合计' "
                        "AND department IS NOT NULL").fetchall() == [("1234567.80", "r24.xlsx")]


# ---------------------------------------------------------------- schema version and migration

_OLD_DECIMALS = {"value", "value_yuan", "value_max", "value_yuan_max", "initial_budget_yuan",
                 "adjusted_budget_yuan", "executed_yuan", "execution_rate", "exec_weight", "exec_score",
                 "total_score", "target_value", "actual_value", "weight", "score"}


def _old_dataset(path: Path) -> None:
    """A dataset as the previous version wrote it: decimals as TEXT, no precision_yuan, no
    budget_lines.source, no region or sources in documents, user_version 0."""
    new = {"precision_yuan", "source", "region", "department_source", "report_year_source"}
    conn = sqlite3.connect(path)
    for table in store.TABLES:
        cols = [c for c in store.table_columns(table) if not (c in new and (table == "budget_lines" or table == "documents"))]
        defs = ", ".join(f'"{c}" {"TEXT" if c in _OLD_DECIMALS else "INTEGER" if store.column_kind(c) == "integer" else "REAL" if c == "confidence" else "TEXT"}'
                         + (" PRIMARY KEY" if table == "documents" and c == "path" else "") for c in cols)
        conn.execute(f'CREATE TABLE "{table}" ({defs})')
    conn.execute("INSERT INTO documents (doc_id, path, status, department, report_year, tool_version, size, mtime_ns) "
                 "VALUES ('A', 'old.txt', 'ok', '甘州区政务服务管理局', 2021, '0.0.9', 10, 10)")
    conn.executemany("INSERT INTO quantities (doc_id, kind, text, value, unit, value_yuan) VALUES ('A', 'amount', ?, ?, ?, ?)",
                     [("260.85万元", "260.85", "万元", "2608500"), ("0.005元", "0.005", "元", "0.005"),
                      ("12345678.90元", "12345678.90", "元", "12345678.90")])
    conn.execute("INSERT INTO budget_lines (doc_id, year, stage, direction, item, value_yuan, text) "
                 "VALUES ('A', 2021, 'budget', 'income', '预算收入总额', '2761984.37', '预算收入总额2761984.37元')")
    conn.execute("INSERT INTO projects (doc_id, name, execution_rate, total_score) VALUES ('A', '项目', '96.14', '92.5')")
    conn.commit()
    conn.close()


def test_an_older_dataset_is_migrated_forward_on_open(tmp_path):
    db = tmp_path / "old.sqlite"
    _old_dataset(db)
    conn = store.open_store(str(db))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT value_yuan, typeof(value_yuan), value_yuan_text, value, value_text FROM quantities "
                        "ORDER BY value_yuan").fetchall() == [
        (0.005, "real", "0.005", 0.005, "0.005"), (2608500.0, "real", "2608500", 260.85, "260.85"),
        (12345678.9, "real", "12345678.90", 12345678.9, "12345678.90")]
    assert conn.execute("SELECT value_yuan, value_yuan_text, precision_yuan, precision_yuan_text, source "
                        "FROM budget_lines").fetchall() == [(2761984.37, "2761984.37", 0.01, "0.01", None)]
    assert conn.execute("SELECT execution_rate, execution_rate_text FROM projects").fetchone() == (96.14, "96.14")
    assert conn.execute("SELECT path, department, department_source, region FROM documents").fetchall() == [
        ("old.txt", "甘州区政务服务管理局", None, None)]
    assert conn.execute("SELECT line, value_yuan_text FROM budget_summary").fetchall() == [("收入总额", "2761984.37")]
    # and it takes new documents
    store.write_document(conn, "B", [_doc("new.txt")], store.encode_facts({"quantities": [_quantity(Decimal("1.5"))]}))
    assert conn.execute("SELECT COUNT(*) FROM quantities").fetchone()[0] == 4
    conn.close()
    again = store.open_store(str(db))  # a second open changes nothing
    count, total = again.execute("SELECT COUNT(*), SUM(value_yuan) FROM quantities").fetchone()
    assert (count, round(Decimal(repr(total)), 3)) == (4, Decimal("14954180.405"))


def test_a_newer_dataset_is_refused_with_its_reason(tmp_path):
    db = tmp_path / "new.sqlite"
    sqlite3.connect(db).execute("PRAGMA user_version = 99")
    with pytest.raises(store.SchemaError, match="schema version 99 is newer"):
        store.open_store(str(db))
    with pytest.raises(RunError, match="cannot open the dataset: dataset schema version 99"):
        convert([str(CORPUS / "03-project-report-errors-gbk.txt")], str(db), jobs=1, quiet=True)


def test_rollback_after_sqlite_already_rolled_back():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("ROLLBACK")  # what SQLite does itself on a full disk
    store.rollback(conn)  # no "cannot rollback - no transaction is active" hiding the real error


# ---------------------------------------------------------------- department and year from outside

def test_path_rules():
    assert meta_from_path("甘州区政务服务管理局/2021/自评报告.pdf") == {"department": "甘州区政务服务管理局", "year": 2021}
    assert meta_from_path("archive/部门决算/普陀区2022年度卫生健康局决算.pdf")["year"] == 2022
    assert meta_from_path("in/scan_20230115.pdf") == {"department": None, "year": None}


def test_manifest_and_path_fill_department_and_year(tmp_path):
    archive = tmp_path / "archive"
    (archive / "梅县区财政局" / "2021").mkdir(parents=True)
    (archive / "others").mkdir()
    shutil.copy(CORPUS / "07-project-table-clean.pdf", archive / "梅县区财政局" / "2021" / "a.pdf")  # says 2020, no department
    shutil.copy(CORPUS / "10-sichuan-table-errors.pdf", archive / "others" / "b.pdf")  # says 2019, no department
    shutil.copy(CORPUS / "03-project-report-errors-gbk.txt", archive / "others" / "c.txt")  # says both
    db = tmp_path / "d.sqlite"
    convert([str(archive)], str(db), jobs=1, quiet=True)
    got = lambda: {Path(r[0]).name: r[1:] for r in sqlite3.connect(db).execute(  # noqa: E731
        "SELECT path, department, department_source, report_year, report_year_source, region FROM documents")}
    assert got() == {
        "a.pdf": ("梅县区财政局", "path", 2020, "document", None),
        "b.pdf": (None, None, 2019, "document", None),
        "c.txt": ("腾冲市政务服务管理局", "document", 2021, "document", None),
    }
    manifest = tmp_path / "manifest.csv"  # saved by Excel on Chinese Windows: GBK, Chinese headers
    manifest.write_bytes("路径,部门,年度,地区\narchive/others,四川省财政厅,,四川省\narchive/others/c.txt,,2022年,\n"
                         .encode("gbk"))
    summary = convert([str(archive)], str(db), jobs=1, quiet=True, meta=str(manifest))
    assert summary["converted"] == 0 and summary["skipped"] == 3  # applied to rows converted before
    assert got() == {
        "a.pdf": ("梅县区财政局", "path", 2020, "document", None),
        "b.pdf": ("四川省财政厅", "manifest", 2019, "document", "四川省"),
        "c.txt": ("四川省财政厅", "manifest", 2022, "manifest", "四川省"),  # the file's own entry over its folder's
    }
    bad = tmp_path / "bad.csv"
    bad.write_text("file_name,dept\nx,y\n", "utf-8")
    with pytest.raises(RunError, match="needs a `path`"):
        convert([str(archive)], str(db), jobs=1, quiet=True, meta=str(bad))
    assert Manifest.load(str(manifest)).lookup(str(archive / "others" / "c.txt")) == {
        "department": "四川省财政厅", "region": "四川省", "year": 2022}


# ---------------------------------------------------------------- exports

def _hostile_store(tmp_path) -> sqlite3.Connection:
    conn = store.open_store(str(tmp_path / "d.sqlite"))
    store.write_document(conn, "A", [_doc("a.txt", title="报告\x07标题=HYPERLINK(\"http://x\")", report_year=2023,
                                          department="=cmd|' /C calc'!A0")], store.encode_facts({
        "quantities": [_quantity(Decimal("-187860.11"), "-187860.11元", "@SUM(A1)"),
                       _quantity(Decimal("2608500"), "+260.85万元", "\t预算"),
                       _quantity(Decimal("12345678901234567.89"), "\r说明", "－全角不是公式")],
        "budget_lines": [_line(2023, "final", "expenditure", "本年支出合计", "2608500", "table")],
    }))
    return conn


def test_csv_escapes_formula_cells_and_keeps_numbers(tmp_path):
    conn = _hostile_store(tmp_path)
    exports.export(conn, str(tmp_path / "safe"), "csv", "万元")
    exports.export(conn, str(tmp_path / "raw"), "csv", "万元", raw=True)
    read = lambda d, t: list(csv.DictReader(open(tmp_path / d / f"{t}.csv", encoding="utf-8-sig", newline="")))  # noqa: E731
    q = read("safe", "quantities")
    assert [r["text"] for r in q] == ["'-187860.11元", "'+260.85万元", "'\r说明"]
    assert [r["label"] for r in q] == ["'@SUM(A1)", "'\t预算", "－全角不是公式"]
    assert [r["value_yuan"] for r in q] == ["-18.786011", "260.85", "1234567890123.456789"]  # numbers untouched
    assert [r["amount_unit"] for r in q] == ["万元"] * 3
    assert read("safe", "documents")[0]["department"] == "'=cmd|' /C calc'!A0"
    raw = read("raw", "quantities")
    assert [r["text"] for r in raw] == ["-187860.11元", "+260.85万元", "\r说明"]
    assert read("raw", "documents")[0]["department"] == "=cmd|' /C calc'!A0"
    # one column name per concept whatever the unit
    exports.export(conn, str(tmp_path / "yuan"), "csv", "元")
    assert list(read("yuan", "quantities")[0]) == list(q[0])
    assert [r["value_yuan"] for r in read("yuan", "quantities")] == ["-187860.11", "2608500", "12345678901234567.89"]
    assert read("safe", "budget_summary")[0]["value_yuan"] == "260.85"
    zh = list(csv.reader(open(exports.export(conn, str(tmp_path / "zh"), "csv", "万元", headers="zh")[1],
                              encoding="utf-8-sig")))[0]
    assert zh[:8] == ["文档编号", "文件", "类别", "原文", "数值", "单位", "单位来源", "金额（万元）"]


def test_xlsx_opens_with_control_characters_frozen_headers_and_filters(tmp_path):
    from openpyxl import load_workbook

    conn = _hostile_store(tmp_path)
    path = exports.export(conn, str(tmp_path / "x"), "xlsx", "万元")[0]
    wb = load_workbook(path)
    assert wb.sheetnames == list(exports.EXPORTED)
    docs, q = wb["documents"], wb["quantities"]
    assert docs.freeze_panes == "A2" and q.freeze_panes == "A2"
    assert q.auto_filter.ref == f"A1:{q.cell(1, q.max_column).column_letter}4"
    assert [c.value for c in q[1]][:8] == ["文档编号", "文件", "类别", "原文", "数值", "单位", "单位来源", "金额（万元）"]
    titles = {c.value: i for i, c in enumerate(docs[1])}
    assert docs.cell(2, titles["标题"] + 1).value == '报告␇标题=HYPERLINK("http://x")'
    dept = docs.cell(2, titles["部门"] + 1)
    assert dept.value == "=cmd|' /C calc'!A0" and dept.data_type == "s"  # text, never a formula
    assert q.cell(2, 8).value == -18.786011 and q.cell(4, 8).value == "1234567890123.456789"
    assert 10 <= q.column_dimensions["D"].width <= 60
    en = load_workbook(exports.export(conn, str(tmp_path / "en"), "xlsx", "元", headers="en")[0])
    assert [c.value for c in en["quantities"][1]][:8] == ["doc_id", "doc", "kind", "text", "value", "unit",
                                                          "unit_source", "value_yuan"]


@pytest.mark.parametrize("failure", [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied")])
def test_export_write_errors_are_one_line_and_leave_the_old_export_whole(tmp_path, monkeypatch, failure):
    from openpyxl import Workbook

    conn = _hostile_store(tmp_path)
    out = tmp_path / "x"
    path = exports.export(conn, str(out), "xlsx", "万元")[0]
    before = Path(path).read_bytes()

    def fail(self, filename):
        Path(filename).write_bytes(b"PK half a workbook")
        raise OSError(failure[0], failure[1])

    monkeypatch.setattr(Workbook, "save", fail)
    with pytest.raises(exports.ExportError) as info:
        exports.export(conn, str(out), "xlsx", "万元")
    assert str(info.value) == f"{path}: cannot write: {failure[1]}"
    assert Path(path).read_bytes() == before
    assert sorted(os.listdir(out)) == ["dataset.xlsx"]  # no temporary file left behind


def test_convert_reports_an_export_failure_as_one_line(tmp_path, monkeypatch):
    from openpyxl import Workbook

    def fail(self, filename):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "save", fail)
    with pytest.raises(RunError) as info:
        convert([str(CORPUS / "03-project-report-errors-gbk.txt")], str(tmp_path / "d.sqlite"), jobs=1, quiet=True,
                export_dir=str(tmp_path / "x"), export_as="xlsx")
    assert str(info.value) == f"{tmp_path / 'x' / 'dataset.xlsx'}: cannot write: No space left on device"


# ---------------------------------------------------------------- the data dictionary

def test_data_dictionary_is_generated_from_the_code():
    """Every stored column is described (markdown() raises on one that is not), and the
    committed docs/data-dictionary.md is exactly what the code generates."""
    text = dictionary.markdown()
    for table in store.TABLES:
        for column in store.stored_columns(table):
            assert f"| `{column}` |" in text
    assert (ROOT / "docs" / "data-dictionary.md").read_text("utf-8") == text, \
        "regenerate: python -m extractor.dataset.dictionary > docs/data-dictionary.md"
    assert dictionary.header("quantities", "value_yuan", "万元") == "金额（万元）"
    assert dictionary.header("budget_lines", "value_yuan_text", "元") == "金额（精确文本）（元）"


def test_cli_convert_takes_meta_headers_and_raw(tmp_path):
    from click.testing import CliRunner

    from extractor.cli.convert import convert_command

    folder = tmp_path / "普陀区卫生健康局" / "2024"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("=1+1\n2024年预算收入211.01万元。\n", "utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,region\n普陀区卫生健康局,上海市普陀区\n", "utf-8")
    db, out = tmp_path / "d.sqlite", tmp_path / "out"
    result = CliRunner().invoke(convert_command, [str(tmp_path / "普陀区卫生健康局"), "-o", str(db), "-j", "1", "-q",
                                                  "--meta", str(manifest), "--export", str(out), "--as", "csv",
                                                  "--headers", "zh", "--unit", "元"])
    assert result.exit_code == 0, result.output
    assert sqlite3.connect(db).execute("SELECT department, department_source, report_year, region FROM documents"
                                       ).fetchone() == ("普陀区卫生健康局", "path", 2024, "上海市普陀区")
    rows = list(csv.reader(open(out / "budget_summary.csv", encoding="utf-8-sig")))
    assert rows[0][:8] == ["地区", "部门", "年度", "阶段", "收支", "科目", "科目编码", "金额（元）"]
    assert rows[1][:8] == ["上海市普陀区", "普陀区卫生健康局", "2024", "budget", "income", "收入总额", "", "2110100"]
