"""OCR and legacy Office: scans and photos of reports give back their amounts and table fields,
with the recognizer's confidence carried; .doc/.wps go through LibreOffice.

Fixtures are made here: reportlab PDFs rendered to page images by pdfium (with skew, noise
and JPEG artefacts), and a .doc written by LibreOffice from a DOCX.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from extractor import extract
from extractor.model import Block, Document, ReadError
from extractor.readers import legacy_office, ocr, read

try:
    ocr.engine_name()
    HAVE_OCR = True
except ocr.OcrUnavailable:
    HAVE_OCR = False
needs_ocr = pytest.mark.skipif(not HAVE_OCR, reason="no OCR engine installed")
needs_lo = pytest.mark.skipif(legacy_office.soffice() is None, reason="LibreOffice not installed")
# a scan as it comes from an office scanner: 200 dpi, a slight skew, specks, JPEG artefacts
SCAN = dict(dpi=200, skew=0.6, noise=0.002, jpeg=70)


def _f1(got: Counter, want: Counter) -> float:
    tp = sum((got & want).values())
    return 2 * tp / (2 * tp + sum((got - want).values()) + sum((want - got).values())) if tp else 0.0


def _tiff(images: list, path: Path) -> Path:
    images[0].save(path, save_all=True, append_images=images[1:], compression="tiff_deflate")
    return path


# ---------------------------------------------------------------- the round trip

@needs_ocr
def test_seed_report_scan_gives_back_its_amounts_and_units(seed_text, tmp_path):
    from extractor.evaluation.render import render_text_pdf, scan_images
    from test_seed_report import SEED_AMOUNTS

    pdf = render_text_pdf([p for p in seed_text.split("\n") if p.strip()], tmp_path / "seed.pdf")
    images = scan_images(pdf, **SCAN)
    report = extract(_tiff(images, tmp_path / "seed.tif"))
    assert report.document.reader == "image" and report.document.pages == 5 and not report.document.needs_ocr
    amounts = [q for q in report.quantities if q.kind == "amount"]
    want = Counter((t, Decimal(v)) for t, v, _ in SEED_AMOUNTS)
    assert _f1(Counter((q.text.replace(" ", ""), q.value_yuan) for q in amounts), want) >= 0.97
    # every figure read as a written number carries the unit written after it
    unit = {Decimal(t.rstrip("万元")): "万元" if t.endswith("万元") else "元" for t, _, _ in SEED_AMOUNTS}
    assert [(q.value, q.unit) for q in amounts if q.value in unit] == [(q.value, unit[q.value]) for q in amounts
                                                                      if q.value in unit]
    # every OCR'd figure carries the recognizer's confidence
    assert all(q.extra.get("ocr") and 0 < q.confidence < 1 for q in amounts)
    assert [q.page for q in amounts] == sorted(q.page for q in amounts) and amounts[-1].page > 1


@needs_ocr
def test_scanned_selfeval_and_final_accounts_tables(tmp_path):
    from extractor.evaluation.evaluate import Score, predict
    from extractor.evaluation.render import scan_images
    from extractor.evaluation.synth import make_document, write_document

    score = Score()
    for kind in ("project-table", "final-accounts"):
        spec, gold = make_document(kind, f"ocr-{kind}")
        pdf = write_document(spec, gold, tmp_path / f"{kind}.pdf")
        gold = json.loads((tmp_path / f"{kind}.gold.json").read_text("utf-8"))
        images = scan_images(pdf, **SCAN)
        path = tmp_path / f"{kind}.jpg"
        images[0].save(path, quality=80)
        score.add(gold, predict(str(path)))
    rec = score.record()
    assert rec["quantities"]["amount"]["f1"] >= 0.95, score.misses
    fields = Counter()
    for prf in rec["projects"].values():
        fields.update(tp=prf["tp"], fp=prf["fp"], fn=prf["fn"])
    assert fields["tp"] >= 8 and 2 * fields["tp"] / (2 * fields["tp"] + fields["fp"] + fields["fn"]) >= 0.90


@needs_ocr
def test_scanned_pages_of_a_pdf_are_read_and_ocr_never_leaves_them(tmp_path, monkeypatch):
    from reportlab.pdfgen import canvas

    from extractor.evaluation.render import _FONT, _register_font, scan_images

    _register_font()
    text = tmp_path / "t.pdf"  # a strip of a page: OCR time grows with the page's area
    c = canvas.Canvas(str(text), pagesize=(595, 100))
    c.setFont(_FONT, 10.5)
    c.drawString(72, 50, "一般公共服务支出年初预算数33.39万元，执行数32.10万元。")
    c.save()
    image = scan_images(text, dpi=200)[0]
    scan = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(scan), pagesize=(595, 100))
    for _ in range(2):
        c.drawInlineImage(image, 0, 0, 595, 100)
        c.showPage()
    c.save()
    report = extract(scan)
    assert [(q.text, q.value_yuan, q.page) for q in report.quantities if q.kind == "amount"] == [
        ("33.39万元", Decimal("333900"), 1), ("32.10万元", Decimal("321000"), 1),
        ("33.39万元", Decimal("333900"), 2), ("32.10万元", Decimal("321000"), 2)]
    assert report.document.meta["ocr_read_pages"] == [1, 2] and not report.document.needs_ocr
    never = read(str(scan), ocr="never")
    assert never.needs_ocr and never.text == "" and never.meta["ocr_pages"] == [1, 2]
    # the page limit: pages past it stay unread and are reported as needing OCR
    monkeypatch.setenv(ocr.PAGES_ENV, "1")
    cut = read(str(scan))
    assert cut.needs_ocr and cut.meta["ocr_read_pages"] == [1] and cut.meta["ocr_pages"] == [2]
    assert cut.meta["ocr_note"] == "OCR stops after 1 pages"
    # force OCRs pages that have a text layer too
    forced = read(str(text), ocr="force")
    assert forced.meta["ocr_read_pages"] == [1] and "33.39万元" in forced.text


# ---------------------------------------------------------------- layout from geometry

def _ruled_table(skew: float = 0.0):
    """A 4×3 ruled table with the top row merged across all columns, and no text."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (1200, 900), 255)
    d = ImageDraw.Draw(img)
    xs, ys = [100, 400, 700, 1100], [100, 200, 300, 400, 500]
    for y in ys:
        d.line([(xs[0], y), (xs[-1], y)], fill=0, width=3)
    for x in xs:
        d.line([(x, ys[0] if x in (xs[0], xs[-1]) else ys[1]), (x, ys[-1])], fill=0, width=3)
    if skew:
        img = img.rotate(skew, resample=Image.BICUBIC, fillcolor=255)
    return img


def test_grid_from_ruling_lines_with_merged_cell():
    (grid,) = ocr.find_grids(_ruled_table())
    assert [round(x) for x in grid.xs] == [100, 400, 700, 1101]
    assert [round(y) for y in grid.ys] == [100, 200, 300, 400, 501]
    assert {p: o for p, o in grid.owner.items() if p != o} == {(0, 1): (0, 0), (0, 2): (0, 0)}
    assert grid.position(900, 250) == (1, 2) and grid.position(900, 150) == (0, 0)
    assert grid.position(50, 250) is None


def test_skewed_scan_is_levelled_before_the_grid_is_found():
    (grid,) = ocr.find_grids(ocr.deskew(_ruled_table(skew=1.2)))
    assert (len(grid.ys), len(grid.xs)) == (5, 4)
    assert {p: o for p, o in grid.owner.items() if p != o} == {(0, 1): (0, 0), (0, 2): (0, 0)}


def test_boxes_become_lines_and_cells():
    img = _ruled_table()
    boxes = [ocr.Box("单位：万元", 100, 40, 260, 70, 0.99),
             ocr.Box("项目名称", 120, 130, 300, 165, 0.98),
             ocr.Box("年初预算数", 120, 230, 300, 265, 0.97), ocr.Box("560.89", 420, 230, 520, 265, 0.91),
             ocr.Box("98.94", 720, 230, 800, 265, 0.95),
             ocr.Box("说明：", 100, 560, 180, 590, 0.99), ocr.Box("已完成", 400, 562, 500, 590, 0.9)]
    page = ocr.page_items(img, boxes)
    assert [k for k, _ in page.items] == ["line", "table", "line"]
    assert page.items[0][1]["text"] == "单位：万元" and page.items[2][1]["text"] == "说明： 已完成"
    cells, merged = page.items[1][1]
    assert cells == [["项目名称", "", ""], ["年初预算数", "560.89", "98.94"], ["", "", ""], ["", "", ""]]
    assert merged == {(0, 1): (0, 0), (0, 2): (0, 0)}
    assert page.cells == [{(0, 0): 0.98, (1, 0): 0.97, (1, 1): 0.91, (1, 2): 0.95}]
    assert page.spans == [("单位：万元", [(0, 5, 0.99)]), ("说明： 已完成", [(0, 3, 0.99), (4, 7, 0.9)])]


# ---------------------------------------------------------------- confidence

def test_low_confidence_figures_make_flags_warnings_that_say_so():
    from extractor.pipeline import build_report

    text = "某局2023年部门绩效自评报告\n支出预算100.5万元，分别为人员经费60.2万元、公用经费30.3万元。"
    doc = Document(path="scan", reader="image", text=text, pages=1, page_starts=[0],
                   blocks=[Block("paragraph", 1, 0, 15), Block("paragraph", 1, 16, len(text))])
    clean = build_report(doc)
    (flag,) = [f for f in clean.flags if f.code == "sum-mismatch"]
    assert flag.severity == "error"
    at = text.index("60.2万元")
    doc.meta["ocr_spans"] = [(0, at, 0.99), (at, at + 6, 0.62), (at + 6, len(text), 0.98)]
    report = build_report(doc)
    confidences = {q.text: q.confidence for q in report.quantities if q.kind == "amount"}
    assert confidences == {"100.5万元": 0.99, "60.2万元": 0.62, "30.3万元": 0.98}
    (flag,) = [f for f in report.flags if f.code == "sum-mismatch"]
    assert flag.severity == "warning" and flag.confidence == 0.62
    assert flag.message.endswith("（所依据的数字为OCR识别，置信度0.62，可能是识别错误）")
    assert flag.message_en.endswith(" (an OCR'd figure with confidence 0.62: possibly a misreading)")


def test_known_misreadings_are_corrected_and_lower_the_confidence(monkeypatch):
    from PIL import Image

    raw = [ocr.Box("执行数560,89万兀", 10, 10, 300, 40, 0.97), ocr.Box("2O23年", 10, 60, 120, 90, 0.99)]
    monkeypatch.setattr(ocr, "engine_name", lambda engine=None: "rapidocr")
    monkeypatch.setattr(ocr, "_recognize_rapid", lambda image: [ocr.Box(**vars(b)) for b in raw])
    boxes = ocr.recognize(Image.new("L", (400, 100), 255))
    assert [(b.text, b.confidence) for b in boxes] == [("执行数560.89万元", 0.582), ("2023年", 0.792)]


# ---------------------------------------------------------------- images and errors

def test_image_without_engine_or_with_ocr_never(tmp_path, monkeypatch):
    from PIL import Image

    path = tmp_path / "page.png"
    Image.new("L", (200, 100), 255).save(path)
    doc = read(str(path), ocr="never")
    assert doc.reader == "image" and doc.needs_ocr and doc.meta["ocr_pages"] == [1] and doc.text == ""

    def unavailable(engine=None):
        raise ocr.OcrUnavailable(ocr.INSTALL_HINT)

    monkeypatch.setattr(ocr, "engine_name", unavailable)
    with pytest.raises(ReadError) as info:
        read(str(path))
    assert str(info.value) == f"{path}: image needs OCR: {ocr.INSTALL_HINT}"
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 64)
    with pytest.raises(ReadError, match=r"broken\.jpg: cannot read image"):
        read(str(bad))


def test_doc_without_libreoffice_names_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "old.rtf"
    path.write_text(r"{\rtf1\ansi 2023}", encoding="ascii")
    monkeypatch.setattr(legacy_office, "soffice", lambda: None)
    with pytest.raises(ReadError) as info:
        read(str(path))
    assert str(info.value) == (f"{path}: .rtf file needs LibreOffice to convert it "
                               "(apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")


@needs_lo
def test_doc_and_wps_give_the_amounts_of_their_docx(seed_text, tmp_path):
    import docx

    d = docx.Document()
    for para in [p for p in seed_text.split("\n") if p.strip()]:
        d.add_paragraph(para)
    table = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "项目", (0, 1): "金额（万元）", (1, 0): "办公设备购置", (1, 1): "16.21"}.items():
        table.cell(r, c).text = text
    source = tmp_path / "seed.docx"
    d.save(source)
    # through ODT: LibreOffice 7.4 writes python-docx's tables into a .doc as plain paragraphs
    for fmt, src in (("odt", source), ("doc", tmp_path / "seed.odt")):
        subprocess.run([legacy_office.soffice(), "--headless", "--norestore",
                        f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--convert-to", fmt,
                        "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=120)
    doc_path = tmp_path / "seed.doc"
    wps_path = tmp_path / "seed.wps"
    shutil.copyfile(doc_path, wps_path)  # WPS text files are OLE2 compound files like .doc

    def amounts(report) -> list[tuple[str, Decimal]]:
        return [(q.text, q.value_yuan) for q in report.quantities if q.kind == "amount"]

    want = amounts(extract(source))
    assert len(want) == 59 and want[-1] == ("16.21", Decimal("162100"))
    for path, reader in ((doc_path, "doc"), (wps_path, "wps")):
        report = extract(path)
        doc = report.document
        assert (doc.path, doc.reader, doc.meta["converted_by"]) == (str(path), reader, "libreoffice")
        assert amounts(report) == want
