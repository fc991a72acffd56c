"""The PDF reader's pdfium pages must give the very Document pdfminer gives.

`extractor.readers.pdf_pdfium` feeds pdfium's objects to pdfplumber's own table and line
code; any page it cannot vouch for is parsed by pdfminer. Both engines run here on the real
PDFs, the corpus PDFs and generated PDFs of every kind, and the Documents are compared
field by field (text, page starts, blocks, table cells, merges, context).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from extractor.model import Document
from extractor.readers import pdf
from extractor.synth import KINDS, make_document, write_document

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
FIXED = sorted((SHARED / "real").glob("*.pdf")) + sorted((ROOT / "corpus").glob("*.pdf"))


def signature(doc: Document) -> tuple:
    return (doc.text, doc.page_starts, doc.pages, doc.needs_ocr, doc.meta, [
        (b.kind, b.page, b.start, b.end,
         b.table and (b.table.cells, b.table.context, b.table.merged, b.table.page))
        for b in doc.blocks
    ])


@pytest.mark.parametrize("path", FIXED, ids=lambda p: p.name[:40])
def test_pdfium_pages_match_pdfminer_on_real_and_corpus_pdfs(path: Path) -> None:
    assert signature(pdf.read(str(path), ocr="never")) == signature(pdf.read(str(path), use_pdfium=False, ocr="never"))


@pytest.mark.parametrize("kind", [k for k in KINDS])
def test_pdfium_pages_match_pdfminer_on_generated_pdfs(kind: str, tmp_path: Path) -> None:
    spec, gold = make_document(kind, f"engines-{kind}", 0.2, "pdf")
    path = write_document(spec, gold, tmp_path / f"{kind}.pdf")
    assert signature(pdf.read(str(path), ocr="never")) == signature(pdf.read(str(path), use_pdfium=False, ocr="never"))


def _embedded_font_pdf(path: Path) -> Path:
    """Two pages in an embedded TrueType font (reportlab's Vera): wrapped paragraphs, a ruled
    table with merged cells and numbers wrapped in narrow cells, a box around text, a lone
    space object and a page with a caption right above a table."""
    import reportlab
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(TTFont("Vera", str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")))
    body = ParagraphStyle("body", fontName="Vera", fontSize=10, leading=13, firstLineIndent=20)
    cell = ParagraphStyle("cell", fontName="Vera", fontSize=7, leading=9)
    prose = ("The project budget was 1062.85 thousand yuan and the spending rate reached 98.5 percent; "
             "the remaining 16.15 thousand yuan were returned. ") * 4
    rows = [["Item", "Budget (10k yuan)", "Spent", "Rate"], ["Total", "1614937.31", "1588021.40", "98.33%"],
            ["Staff", Paragraph("1614937.31 1588021.40", cell), "", "97%"], ["Other", "12.00", "11.50", ""]]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONTNAME", (0, 0), (-1, -1), "Vera"),
                       ("FONTSIZE", (0, 0), (-1, -1), 8), ("SPAN", (1, 2), (2, 2))])

    def lone_space(canvas, _doc) -> None:
        canvas.setFont("Vera", 9)
        canvas.drawString(300, 40, " ")
        canvas.rect(60, 770, 120, 20)
        canvas.drawString(65, 776, "boxed 2024")

    story = [Paragraph(prose, body), Paragraph("Unit: 10k yuan", body),
             Table(rows, colWidths=[80, 60, 90, 60], style=grid), Spacer(1, 20), Paragraph(prose, body),
             PageBreak(), Paragraph("Table 2 caption", body), Table(rows, style=grid)]
    SimpleDocTemplate(str(path)).build(story, onFirstPage=lone_space, onLaterPages=lone_space)
    return path


def _pages_taken(path: str) -> list[bool]:
    import pdfplumber

    from extractor.readers import pdf_pdfium

    fast = pdf_pdfium.open_document(path)
    with pdfplumber.open(path) as plumber:
        taken = [pdf_pdfium.load_objects(page, fast) for page in plumber.pages]
    fast.close()
    return taken


def test_fractional_font_metrics_are_left_to_pdfminer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """reportlab writes a TrueType subset's widths and descent as fractions, which pdfium
    rounds (a character moves by ~0.003 pt), so its pages go to pdfminer. Forced through
    pdfium anyway, tables, merges and wrapped numbers still come out identical."""
    from extractor.readers import pdf_pdfium

    path = str(_embedded_font_pdf(tmp_path / "vera.pdf"))
    assert _pages_taken(path) == [False, False]
    old = pdf.read(path, use_pdfium=False)
    monkeypatch.setattr(pdf_pdfium, "_fonts_pdfium_reads_exactly", lambda resources: True)
    assert _pages_taken(path) == [True, True]
    assert signature(pdf.read(path)) == signature(old)
    assert len(old.tables) == 2 and old.tables[0].merged == {(2, 2): (2, 1)}


def test_real_pdf_pages_mostly_take_the_pdfium_path() -> None:
    """The fast path is actually used where it can be: on the Word-exported real PDFs at
    least two thirds of the pages (on the rest pdfium folds runs of spaces or substitutes a
    font)."""
    real = sorted((SHARED / "real").glob("*.pdf"))
    if not real:
        pytest.skip("no shared/real PDFs")
    taken = [t for path in real for t in _pages_taken(str(path))]
    taken, total = sum(taken), len(taken)
    assert taken * 3 >= total * 2
