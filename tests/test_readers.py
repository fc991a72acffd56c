"""Readers: every format to the same Document shape, and every bad input to one ReadError line.

Fixtures are generated in tmp_path (reportlab PDFs with the built-in STSong-Light font,
python-docx, openpyxl, xlwt); the two real 部门决算 PDFs are read from ../shared/real.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from extractor.model import ReadError
from extractor.readers import limits, read
from extractor.readers.sheets import number_text

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
PDF31 = REAL / "31_shanghai-putuo-ghzy-2024-final-accounts-with-selfeval-summary.pdf"
PDF32 = REAL / "32_shanghai-putuo-shgzb-2024-final-accounts-with-selfeval-summary.pdf"

P1 = (
    "上海市某局2024年度收入支出总计9859.38万元。与2023年度相比，收入支出总计增加1062.85万元，"
    "增长12.08%。主要原因：项目支出增加，较上一年度增加1133.95万元，主要由于事务中心办公大楼装修等。"
)
P2 = "本年收入合计9746.50万元，其中：财政拨款收入9746.50万元，占100.00%。"


def _cid_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _report_pdf(path: Path) -> Path:
    """Two pages: wrapped Chinese paragraphs, then a captioned ruled table with merges and
    cells narrow enough that `社会保障和就业支出` and `2761984.37` wrap inside them."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    font = _cid_font()
    body = ParagraphStyle("b", fontName=font, fontSize=12, leading=18, wordWrap="CJK", firstLineIndent=24)
    plain = ParagraphStyle("p", fontName=font, fontSize=12, leading=18, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=font, fontSize=10, leading=12, wordWrap="CJK")
    table = Table(
        [
            ["收入", "", "支出", ""],
            ["项目", "决算数", "项目", "决算数"],
            ["一般公共预算财政拨款收入", "9746.50", Paragraph("社会保障和就业支出", cell), Paragraph("2761984.37", cell)],
            ["合计", "9746.50", "合计", "754.75"],
        ],
        colWidths=[150, 60, 50, 40],
    )
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("SPAN", (0, 0), (1, 0)),
        ("SPAN", (2, 0), (3, 0)),
    ]))
    SimpleDocTemplate(str(path), pagesize=A4).build([
        Paragraph("一、收入支出决算总体情况", plain),
        Paragraph(P1, body),
        Paragraph(P2, body),
        PageBreak(),
        Paragraph("收入支出决算总表", plain),
        Paragraph("单位：万元", plain),
        table,
        Paragraph("注：本表反映部门本年度的总收支。", plain),
    ])
    return path


def test_pdf_paragraphs_tables_and_pages(tmp_path):
    doc = read(str(_report_pdf(tmp_path / "report.pdf")))
    assert doc.reader == "pdf" and doc.pages == 2 and not doc.needs_ocr
    assert doc.text == "\n".join([
        "一、收入支出决算总体情况", P1, P2, "收入支出决算总表", "单位：万元", "注：本表反映部门本年度的总收支。",
    ])
    assert doc.page_starts == [0, doc.text.index("收入支出决算总表")]
    assert [(b.kind, b.page) for b in doc.blocks] == [
        ("paragraph", 1), ("paragraph", 1), ("paragraph", 1),
        ("paragraph", 2), ("paragraph", 2), ("table", 2), ("paragraph", 2),
    ]
    para = doc.blocks[1]
    assert doc.text[para.start:para.end] == P1
    (table,) = doc.tables
    assert table.index == 0 and table.page == 2
    assert table.context == "收入支出决算总表\n单位：万元"
    assert table.cells == [
        ["收入", "", "支出", ""],
        ["项目", "决算数", "项目", "决算数"],
        ["一般公共预算财政拨款收入", "9746.50", "社会保障和就业支出", "2761984.37"],
        ["合计", "9746.50", "合计", "754.75"],
    ]
    assert table.merged == {(0, 1): (0, 0), (0, 3): (0, 2)}
    assert table.cell(0, 1) == "收入"
    # cell text is not repeated in the paragraph text
    assert "9746.50" not in doc.text.replace(P2, "")


def test_image_only_pdf_needs_ocr(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.rect(100, 100, 200, 300, fill=1)
    c.circle(300, 600, 40)
    c.showPage()
    c.rect(50, 50, 100, 100)
    c.save()
    doc = read(str(path), ocr="never")
    assert doc.needs_ocr is True
    assert doc.text == "" and doc.blocks == []
    assert doc.pages == 2 and doc.page_starts == [0, 0]
    assert doc.meta["reason"] == "needs OCR" and doc.meta["ocr_pages"] == [1, 2]
    # OCR'd (the default), the pages are read and hold no text
    doc = read(str(path))
    assert doc.needs_ocr is False and doc.text == "" and doc.meta["ocr_read_pages"] == [1, 2]


def test_scanned_page_in_text_pdf(tmp_path):
    from PIL import Image
    from reportlab.pdfgen import canvas

    font = _cid_font()
    path = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(path))
    c.setFont(font, 12)
    c.drawString(72, 700, "项目支出绩效自评报告。")
    c.showPage()
    c.drawInlineImage(Image.new("L", (60, 80), 200), 0, 0, 595, 842)
    c.setFont(font, 10)
    c.drawString(280, 20, "附表第2页")  # (a line that is only `第2页` is the page's number: left out)
    c.save()
    doc = read(str(path), ocr="never")
    assert doc.text == "项目支出绩效自评报告。"
    assert doc.needs_ocr is True and doc.meta["ocr_pages"] == [2]
    doc = read(str(path))
    assert doc.text == "项目支出绩效自评报告。\n附表第2页"
    assert doc.needs_ocr is False and doc.meta["ocr_read_pages"] == [2] and doc.page_starts == [0, 12]


def test_docx_body_order_merges_nested(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("2024年度项目支出绩效自评表")
    d.add_paragraph("")
    d.add_paragraph("单位：万元")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "项目名称"
    t.cell(0, 2).text = "全年执行数"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "资金"
    t.cell(1, 1).text = "100.5"
    t.cell(2, 1).text = "2.25"
    nested = t.cell(1, 2).add_table(rows=2, cols=2)
    nested.cell(0, 0).text = "年初"
    nested.cell(0, 1).text = "80"
    nested.cell(1, 0).text = "调整"
    nested.cell(1, 1).text = "20.5"
    d.add_paragraph("自评结论：完成。")
    path = tmp_path / "selfeval.docx"
    d.save(str(path))

    doc = read(str(path))
    assert doc.reader == "docx" and doc.pages is None and doc.page_starts == []
    assert doc.text == "2024年度项目支出绩效自评表\n单位：万元\n自评结论：完成。"
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph", "table", "paragraph"]
    (table,) = doc.tables
    assert table.cells == [
        ["项目名称", "", "全年执行数"],
        ["资金", "100.5", "年初 80\n调整 20.5"],
        ["", "2.25", ""],
    ]
    assert table.merged == {(0, 1): (0, 0), (2, 0): (1, 0)}
    assert table.context == "2024年度项目支出绩效自评表\n单位：万元"
    assert table.page is None


def _workbook_rows():
    return [
        ["项目", "决算数", "项目", "决算数"],
        ["一、一般公共预算财政拨款收入", 2761984.37, "一、一般公共服务支出", 100.0],
        ["合计", 9746.5, "合计", 3],
    ]


def test_xlsx_sheet_as_table(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "公开01表"
    ws["A1"] = "收入支出决算总表"
    ws.merge_cells("A1:D1")
    ws["A2"] = "部门：某局"
    ws["D2"] = "单位：万元"
    ws.append(["收入", None, "支出", None])
    ws.merge_cells("A3:B3")
    ws.merge_cells("C3:D3")
    for row in _workbook_rows():
        ws.append(row)
    ws["B6"].number_format = "0.00"
    ws["D5"].number_format = "0.00%"
    wb.create_sheet("说明")
    path = tmp_path / "final.xlsx"
    wb.save(str(path))

    doc = read(str(path))
    assert doc.reader == "xlsx" and doc.pages == 2
    assert doc.text == "公开01表\n说明" and doc.page_starts == [0, 6]
    (table,) = doc.tables
    assert table.page == 1
    assert table.context == "公开01表\n收入支出决算总表\n部门：某局 单位：万元"
    assert table.cells == [
        ["收入", "", "支出", ""],
        ["项目", "决算数", "项目", "决算数"],
        ["一、一般公共预算财政拨款收入", "2761984.37", "一、一般公共服务支出", "10000.00%"],
        ["合计", "9746.50", "合计", "3"],
    ]
    assert table.merged == {(0, 1): (0, 0), (0, 3): (0, 2)}


def test_xls_sheet_as_table(tmp_path):
    xlwt = pytest.importorskip("xlwt", reason="xlwt writes the BIFF fixture")
    book = xlwt.Workbook()
    sheet = book.add_sheet("表1")
    sheet.write_merge(0, 0, 0, 3, "收入支出决算总表")
    sheet.write(1, 3, "单位：万元")
    sheet.write_merge(2, 2, 0, 1, "收入")
    sheet.write_merge(2, 2, 2, 3, "支出")
    two = xlwt.easyxf(num_format_str="0.00")
    for r, row in enumerate(_workbook_rows(), 3):
        for c, v in enumerate(row):
            sheet.write(r, c, v, two if (r, c) == (5, 1) else xlwt.Style.default_style)
    path = tmp_path / "final.xls"
    book.save(str(path))

    doc = read(str(path))
    assert doc.reader == "xls" and doc.pages == 1 and doc.text == "表1"
    (table,) = doc.tables
    assert table.context == "表1\n收入支出决算总表\n单位：万元"
    assert table.cells == [
        ["收入", "", "支出", ""],
        ["项目", "决算数", "项目", "决算数"],
        ["一、一般公共预算财政拨款收入", "2761984.37", "一、一般公共服务支出", "100"],
        ["合计", "9746.50", "合计", "3"],
    ]
    assert table.merged == {(0, 1): (0, 0), (0, 3): (0, 2)}


@pytest.mark.parametrize("value,fmt,expect", [
    (2761984.37, None, "2761984.37"),
    (1614937.31, "General", "1614937.31"),
    (100.0, None, "100"),
    (0.1 + 0.2, None, "0.30000000000000004"),
    (1e-05, None, "0.00001"),
    (9746.5, "#,##0.00_ ", "9746.50"),
    (0.9545, "0.00%", "95.45%"),
    (-0.0, None, "0"),
    (-187860.11, "0.00", "-187860.11"),
])
def test_spreadsheet_numbers_without_float_noise(value, fmt, expect):
    assert number_text(value, fmt) == expect


REPORT_TEXT = "项目支出绩效自评报告\r\n\r\n  一、基本情况\r\n年初预算数为33.39万元，执行率100%。\r\n"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_text_encodings_give_identical_text(tmp_path, encoding):
    utf8 = tmp_path / "a.txt"
    utf8.write_bytes(REPORT_TEXT.encode("utf-8"))
    other = tmp_path / "b.txt"
    other.write_bytes(REPORT_TEXT.encode(encoding))
    a, b = read(str(utf8)), read(str(other))
    assert a.text == b.text == "项目支出绩效自评报告\n\n  一、基本情况\n年初预算数为33.39万元，执行率100%。\n"
    assert [(x.start, x.end) for x in b.blocks] == [(0, 10), (14, 20), (21, 43)]
    assert b.text[b.blocks[1].start:b.blocks[1].end] == "一、基本情况"
    assert b.reader == "text" and b.pages is None


def test_utf8_cut_mid_character_stays_utf8(tmp_path):
    data = ("年初预算数为33.39万元。" * 200).encode("utf-8")
    path = tmp_path / "cut.txt"
    path.write_bytes(data[:-1])
    doc = read(str(path))
    assert doc.meta["encoding"] == "utf-8"
    assert doc.text == ("年初预算数为33.39万元。" * 200)[:-1] + "\ufffd"


def _ole_doc(tmp_path: Path) -> Path:
    """An OLE2 compound file whose stream is named WordDocument, as a legacy .doc has."""
    xlwt = pytest.importorskip("xlwt", reason="xlwt writes the OLE2 container")
    book = xlwt.Workbook()
    book.add_sheet("s").write(0, 0, "x")
    xls = tmp_path / "w.xls"
    book.save(str(xls))
    data = bytearray(xls.read_bytes())
    old = "Workbook".encode("utf-16-le") + b"\0\0"
    at = data.index(old)
    entry = "WordDocument".encode("utf-16-le") + b"\0\0"
    data[at:at + 64] = entry.ljust(64, b"\0")
    data[at + 64:at + 66] = len(entry).to_bytes(2, "little")
    path = tmp_path / "old.doc"
    path.write_bytes(bytes(data))
    return path


def _bad_inputs(tmp_path: Path) -> list[tuple[Path, str]]:
    from reportlab.pdfgen import canvas

    font = _cid_font()
    cases: list[tuple[Path, str]] = []
    cases.append((tmp_path / "missing.pdf", "no such file"))
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    cases.append((empty, "empty file (0 bytes)"))
    enc = tmp_path / "secret.pdf"
    c = canvas.Canvas(str(enc), encrypt="s3cret")
    c.setFont(font, 12)
    c.drawString(72, 700, "绩效自评")
    c.save()
    cases.append((enc, "encrypted PDF (password required)"))
    good = _report_pdf(tmp_path / "whole.pdf").read_bytes()
    trunc = tmp_path / "truncated.pdf"
    trunc.write_bytes(good[: len(good) // 2])
    cases.append((trunc, "corrupt"))
    fake_docx = tmp_path / "notes.docx"
    fake_docx.write_text("这其实是文本", encoding="utf-8")
    cases.append((fake_docx, "not a DOCX file (no zip signature)"))
    other_zip = tmp_path / "pack.docx"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("readme.txt", "x")
    cases.append((other_zip, "not a DOCX file (zip without word/document.xml)"))
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<w:document>" + b" " * (3 * 1024 * 1024) + b"</w:document>")
    cases.append((bomb, "DOCX inflates past the size limit"))
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
        z.writestr("word/document.xml", "<w:document><unclosed")
    cases.append((broken, "corrupt DOCX"))
    archive = tmp_path / "reports.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.pdf", "%PDF-1.4")
    cases.append((archive, "zip archive that is neither DOCX nor XLSX (not supported)"))
    fake_xlsx = tmp_path / "table.xlsx"
    fake_xlsx.write_bytes(b"\x01\x02 not a workbook")
    cases.append((fake_xlsx, "not an XLSX file (no zip signature)"))
    fake_pdf = tmp_path / "report.pdf"
    fake_pdf.write_text("<html>404</html>", encoding="utf-8")
    cases.append((fake_pdf, "not a PDF file (no %PDF signature)"))
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 20)
    cases.append((junk, "binary data, not text"))
    controls = tmp_path / "controls.txt"
    controls.write_bytes(bytes(range(1, 9)) * 300 + "正文".encode("utf-8"))
    cases.append((controls, "binary data, not text"))
    high = tmp_path / "high.txt"
    high.write_bytes(bytes(range(0x80, 0x100)) * 40)
    cases.append((high, "binary data, not text"))
    from extractor.readers import legacy_office

    cases.append((_ole_doc(tmp_path), "LibreOffice could not convert this .doc to DOCX" if legacy_office.soffice()
                  else "needs LibreOffice to convert it"))
    return cases


def test_bad_inputs_raise_one_line_read_error(tmp_path):
    for path, reason in _bad_inputs(tmp_path):
        with pytest.raises(ReadError) as info:
            read(str(path))
        message = str(info.value)
        assert message.startswith(f"{path}: "), message
        assert reason in message, message
        assert "\n" not in message


def test_size_limits(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_text("预算" * 1000, encoding="utf-8")
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ReadError, match=r"big\.txt: file of 6000 bytes is larger than the 1000 byte limit"):
        read(str(big))
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 200 * 1024 * 1024)
    import openpyxl

    book = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x" * 5000
    wb.save(str(book))
    monkeypatch.setattr(limits, "MAX_INFLATED_BYTES", 4000)
    with pytest.raises(ReadError, match=r"book\.xlsx: XLSX inflates past the size limit"):
        read(str(book))


def test_signature_beats_suffix(tmp_path):
    pdf = _report_pdf(tmp_path / "r.pdf")
    renamed = tmp_path / "report.txt"
    renamed.write_bytes(pdf.read_bytes())
    assert read(str(renamed)).reader == "pdf"
    import openpyxl

    xlsx_as_xls = tmp_path / "export.xls"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "合计"
    wb.active["B1"] = 1
    wb.save(str(xlsx_as_xls))
    assert read(str(xlsx_as_xls)).reader == "xlsx"
    text_no_suffix = tmp_path / "README"
    text_no_suffix.write_text("绩效自评\n", encoding="utf-8")
    assert read(str(text_no_suffix)).text == "绩效自评\n"


@pytest.fixture(scope="module")
def real31():
    if not PDF31.exists():
        pytest.skip("shared/real PDFs not present")
    return read(str(PDF31))


def test_real_pdf_final_accounts_table(real31):
    doc = real31
    assert doc.pages == 30 and len(doc.page_starts) == 30 and not doc.needs_ocr
    total = next(t for t in doc.tables if t.page == 7)
    assert total.context == "上海市规划和自然资源局 2024 年度部门决算表\n收入支出决算总表\n单位：万元"
    assert total.cells[0] == ["收入", "", "支出", ""]
    assert total.cells[1] == ["项目", "决算数", "项目", "决算数"]
    assert total.cells[2] == ["一、一般公共预算财政拨款收入", "9746.50", "一、一般公共服务支出", ""]
    rows = {r[2]: r[3] for r in total.cells}
    assert rows["八、社会保障和就业支出"] == "754.75"
    assert rows["十一、城乡社区支出"] == "3845.25"
    assert total.cells[-1] == ["总计", "9859.38", "总计", "9859.38"]
    assert total.merged == {(0, 1): (0, 0), (0, 3): (0, 2)}
    detail = next(t for t in doc.tables if t.page == 14)
    assert ["208", "社会保障和就业支出", "754.75", "754.75", "0.00"] in detail.cells
    assert ["2080505", "机关事业单位基本养老保险缴费支出", "446.11", "446.11", "0.00"] in detail.cells
    # table cells stay out of the paragraph text; soft wraps inside sentences are joined
    assert "资源勘探工业信息等支出" not in doc.text
    assert "收入支出总计增加 1062.85万元，增长 12.08%。" in doc.text
    assert doc.page_at(doc.text.rindex("第四部分 名词解释")) == 29


def test_real_pdf_second_department():
    if not PDF32.exists():
        pytest.skip("shared/real PDFs not present")
    doc = read(str(PDF32))
    assert doc.pages == 24 and len(doc.tables) == 13
    total = next(t for t in doc.tables if t.page == 5)
    assert "收入支出决算总表" in total.context and "单位：万元" in total.context
    assert total.cells[1] == ["项目", "决算数", "项目", "决算数"]
    assert total.cells[2][:2] == ["一、一般公共预算财政拨款收入", "307.82"]
