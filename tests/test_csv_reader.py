"""`.csv` copies of self-evaluation tables and 决算 sheets are tables, not plain text.

Each corpus XLSX is saved as CSV the way Excel does (merged ranges: the text in the
top-left cell, the rest empty; titles as one-cell rows) in the encodings and dialects
finance staff produce; the CSV must give exactly the XLSX's rows.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.model import ReadError, report_rows
from extractor.pipeline import extract_path
from extractor.readers import read, reader_for

from conftest import ROOT

XLSX = ["09-project-table-clean.xlsx", "11-sichuan-table-clean.xlsx", "16-final-accounts-clean.xlsx",
        "20-dept-table-errors.xlsx"]
VARIANTS = [("gb18030", ","), ("utf-8-sig", ","), ("utf-8", ";"), ("utf-16", "\t")]


def excel_csv(xlsx: Path, delimiter: str = ",", split_context: bool = False) -> str:
    """The CSV Excel saves from a one-sheet workbook: title rows, then the grid."""
    doc = read(str(xlsx))
    t = doc.tables[0]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for line in t.context.split("\n")[1:]:  # the first context line is the sheet name
        if split_context and "单位：" in line and "编制单位" in line:
            left, right = line.rsplit("单位：", 1)
            w.writerow([left.strip()] + [""] * (t.n_cols - 2) + ["单位：" + right])
        else:
            w.writerow([line] + [""] * (t.n_cols - 1))
    for r in range(t.n_rows):
        w.writerow(["" if (r, c) in t.merged else t.cells[r][c] for c in range(t.n_cols)])
    return buf.getvalue()


def _without_pages(rows):
    """A sheet is a page of an XLSX; a CSV has no pages. Everything else must be equal."""
    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k != "page"}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    return {table: strip(rs) for table, rs in rows.items()}


@pytest.mark.parametrize("name", XLSX)
@pytest.mark.parametrize("encoding,delimiter", VARIANTS)
def test_csv_copy_reads_as_the_workbook(tmp_path, name, encoding, delimiter):
    path = tmp_path / (Path(name).stem + ".csv")
    path.write_bytes(excel_csv(ROOT / "corpus" / name, delimiter).encode(encoding))
    assert reader_for(str(path)).NAME == "csv"
    want = report_rows(extract_path(str(ROOT / "corpus" / name)), "doc")
    got = report_rows(extract_path(str(path)), "doc")
    assert _without_pages(got) == _without_pages(want)
    assert sum(len(v) for v in got.values()) > 15


def test_csv_project_values(tmp_path):
    path = tmp_path / "自评表.csv"
    path.write_bytes(excel_csv(ROOT / "corpus" / "09-project-table-clean.xlsx").encode("gb18030"))
    report = extract_path(str(path))
    (project,) = report.projects
    assert project.name == "不动产登记信息化建设项目"
    assert project.executed_yuan == Decimal("3321100") and project.execution_rate == Decimal("99.10")
    assert len(report.indicators) == 6 and report.document.pages is None


def test_unit_declaration_in_its_own_cell_stays_a_caption(tmp_path):
    """`编制单位：…,,,,单位：万元`: two texts in a row above the table, still the caption."""
    path = tmp_path / "决算.csv"
    path.write_text(excel_csv(ROOT / "corpus" / "16-final-accounts-clean.xlsx", split_context=True), encoding="utf-8")
    caption = next(r for r in csv.reader(io.StringIO(path.read_text("utf-8"))) if r[0].startswith("编制单位"))
    assert [c for c in caption if c] == ["编制单位：甘州区疾病预防控制中心", "单位：万元"]
    doc = read(str(path))
    assert "单位：万元" in doc.tables[0].context
    want = report_rows(extract_path(str(ROOT / "corpus" / "16-final-accounts-clean.xlsx")), "doc")["budget_lines"]
    got = report_rows(extract_path(str(path)), "doc")["budget_lines"]
    assert [r["value_yuan"] for r in got] == [r["value_yuan"] for r in want] and len(got) == 19


def test_quoted_cells_and_sniffed_dialect(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('项目;金额（元）;备注\n"办公费";"1,234.56";"含;分号"\n差旅费;300;\n', encoding="utf-8")
    t = read(str(path)).tables[0]
    assert t.cells == [["项目", "金额（元）", "备注"], ["办公费", "1,234.56", "含;分号"], ["差旅费", "300", ""]]


def test_binary_csv_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ReadError, match="binary data, not CSV text"):
        read(str(path))
