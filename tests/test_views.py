"""The pieces of the review and report pages that need no browser: excerpts, page crops,
safe inlining, and corrections stored and exported."""
from __future__ import annotations

import base64
import csv
import io
import json
import math
import shutil
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from extractor.dataset.convert import convert
from extractor.dataset.corrections import CorrectionsError, load
from extractor.model import Block, Document, Table
from extractor.views import page
from extractor.views.excerpt import span_lines, table_excerpt
from extractor.views.flags import from_dataset
from extractor.views.pdfcrop import SCALE, Target, occurrence_on_page, render_crop

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def test_span_lines_mark_the_span_with_a_line_around():
    text = "第一行\n预算100万元，执行90万元\n第三行\n第四行"
    s = text.index("100万元")
    assert span_lines(text, s, s + 5) == [
        {"n": 1, "parts": [["第一行", False]]},
        {"n": 2, "parts": [["预算", False], ["100万元", True], ["，执行90万元", False]]},
        {"n": 3, "parts": [["第三行", False]]},
    ]


def test_span_lines_cut_long_lines_around_the_span():
    text = "甲" * 200 + "5.00万元" + "乙" * 200
    lines = span_lines(text, 200, 206)
    assert lines == [{"n": 1, "parts": [["…" + "甲" * 90, False], ["5.00万元", True], ["乙" * 90 + "…", False]]}]


def test_table_excerpt_keeps_the_header_row_and_marks_the_cell():
    t = Table(0, [["项目", "金额"], ["a", "1"], ["b", "2"], ["c", "3"], ["d", "4"], ["e", "5"]])
    got = table_excerpt(t, 4, 1)
    assert got["first_col"] == 0
    assert [r["r"] for r in got["rows"]] == [0, 2, 3, 4, 5]
    assert got["rows"][3] == {"r": 4, "cells": [["d", False], ["4", True]]}


def test_occurrence_counts_paragraphs_then_cells_in_reading_order():
    text = "A 5.00 B 5.00"
    table = Table(0, [["5.00", "x"], ["5.00", "5.00"]], page=1)
    doc = Document("x.pdf", "pdf", text=text, pages=1, page_starts=[0],
                   blocks=[Block("paragraph", 1, 0, len(text)), Block("table", 1, table=table)])
    assert occurrence_on_page(doc, 1, "5.00", text.rindex("5.00"), None, None, None) == 1
    assert occurrence_on_page(doc, 1, "5.00", None, 0, 1, 1) == 4
    assert occurrence_on_page(doc, 1, "5.00", None, 0, 0, 0) == 2


def _png(uri: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


def test_page_crop_finds_a_table_cell_and_crops_around_it():
    import pypdfium2

    from extractor.readers import read

    path = str(CORPUS / "15-final-accounts-errors.pdf")
    doc = read(path)
    table = next(t for t in doc.tables if t.index == 0)
    assert table.cells[2][3] == "419.03"
    pdf = pypdfium2.PdfDocument(path)
    try:
        width_pt, height_pt = pdf[0].get_size()
        uri, found = render_crop(pdf, 1, [Target("419.03", occurrence_on_page(doc, 1, "419.03", None, 0, 2, 3), True)])
        assert found
        image = _png(uri)
        assert image.width == math.ceil(width_pt * SCALE)
        assert image.height < height_pt * SCALE / 2  # a band around the cell, not the page
        _, missing = render_crop(pdf, 1, [Target("不在此页的文字", 0, True)])
        assert not missing
    finally:
        pdf.close()


def test_json_in_a_script_cannot_close_it():
    text = page.json_for_script({"t": "</script><script>alert(1)</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"t": "</script><script>alert(1)</script><!-- & \u2028"}
    assert "</script" not in page.script_text('var s = "</script>";')


def test_a_corrections_file_with_a_bad_decision_is_refused(tmp_path):
    bad = tmp_path / "c.csv"
    bad.write_text("doc,decision\nx.txt,maybe\n", encoding="utf-8")
    with pytest.raises(CorrectionsError, match="record 1: decision must be one of accept, edit, reject, not 'maybe'"):
        load(str(bad))
    edit = tmp_path / "e.json"
    edit.write_text(json.dumps([{"doc": "x.txt", "decision": "edit"}]), encoding="utf-8")
    with pytest.raises(CorrectionsError, match="an edit without a corrected value"):
        load(str(edit))


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_corrections_are_stored_apart_and_exports_carry_them(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("03-project-report-errors-gbk.txt", "08-project-table-errors.docx"):
        shutil.copy(CORPUS / name, docs / name)
    ds = str(tmp_path / "d.sqlite")
    convert([str(docs)], ds, jobs=1, quiet=True)
    items = {(i.row["code"], i.row["text"], i.row["col"]): i for i in from_dataset(ds, quiet=True)}
    unit = items[("unit-suspect", "629.09元", None)]
    zero = items[("total-zero", "0", 3)]
    swap = items[("sum-mismatch", "257.18万元", None)]
    assert unit.doc.document is not None  # the file was read again for its excerpt

    def record(item, decision, corrected):
        r = item.row
        return {"flag_id": item.id, "doc": item.doc.path, "doc_id": item.doc.doc_id, "code": r["code"],
                **{k: r[k] for k in ("page", "start", "end", "table", "row", "col", "text")},
                "decision": decision, "corrected": corrected, "reviewer": "李审计", "decided_at": "2026-12-01T08:00:00Z"}

    fields = ["flag_id", "doc", "doc_id", "code", "page", "start", "end", "table", "row", "col", "text", "decision",
              "corrected", "reviewer", "decided_at"]
    file = tmp_path / "corrections.csv"
    with open(file, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerow(record(unit, "accept", "629.09万元"))
        w.writerow(record(zero, "edit", "404.09"))
        w.writerow(record(swap, "reject", ""))
    for _ in range(2):  # applying the same file twice gives the same rows
        summary = convert([str(docs)], ds, jobs=1, quiet=True, corrections=str(file), export_dir=str(tmp_path / "out"))
    assert summary["corrections"] == {"applied": 2, "recorded": 1, "unmatched": 0}
    q = {(r["text"], r["table"], r["row"], r["col"]): r for r in _csv(tmp_path / "out" / "quantities.csv")}
    assert (q[("629.09元", "", "", "")]["value"], q[("629.09元", "", "", "")]["unit"],
            q[("629.09元", "", "", "")]["value_yuan"]) == ("629.09", "万元", "629.09")
    cell = q[("0", "0", "3", "3")]
    assert (cell["value"], cell["unit"], cell["value_yuan"]) == ("404.09", "万元", "404.09")
    c = sorted(_csv(tmp_path / "out" / "corrections.csv"), key=lambda r: r["code"])
    assert [(r["code"], r["decision"], r["original_value_yuan"], r["corrected_value_yuan"], r["reviewer"])
            for r in c] == [("sum-mismatch", "reject", "257.18", "", "李审计"),
                            ("total-zero", "edit", "0", "404.09", "李审计"),
                            ("unit-suspect", "accept", "0.062909", "629.09", "李审计")]
    conn = sqlite3.connect(ds)
    # the facts keep what the document says
    assert conn.execute("SELECT value_yuan_text FROM quantities WHERE text = '629.09元'").fetchone() == ("629.09",)
    conn.close()


def test_report_of_a_dataset_made_before_corrections_existed(tmp_path):
    from click.testing import CliRunner

    from extractor.cli import main
    from extractor.views.report import collect

    shutil.copy(CORPUS / "06-dept-report-errors.txt", tmp_path / "a.txt")
    ds = str(tmp_path / "d.sqlite")
    convert([str(tmp_path / "a.txt")], ds, jobs=1, quiet=True)
    conn = sqlite3.connect(ds)
    conn.execute("DROP TABLE corrections")
    conn.commit()
    conn.close()
    data = collect(ds)
    assert data["corrections"] == {}
    assert [(f["code"], f["year"], f["n"]) for f in data["flags"]] == [
        ("period-inverted", "2024", 1), ("rate-mismatch", "2024", 2), ("unit-suspect", "2024", 3)]
    # the planted 858.96元 (for 858.96万元) shows as a dip in the 2023 budget line
    assert [(r["year"], r["stage"], r["series"], r["wan"]) for r in data["lines"]] == [
        ("2022", "预算", "支出总额", 769.68), ("2022", "决算", "支出总额", 850.082312),
        ("2023", "预算", "支出总额", 0.085896), ("2023", "决算", "支出总额", 858.959141),
        ("2024", "预算", "支出总额", 911.36), ("2024", "决算", "支出总额", 1073.690532)]
    not_a_dataset = tmp_path / "x.sqlite"
    not_a_dataset.write_text("not sqlite", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(not_a_dataset), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "not a jixiao dataset" in result.output
