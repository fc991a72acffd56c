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
from extractor.evaluation.synth import KINDS, make_document, write_document

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
    monkeypatch.setattr(pdf_pdfium, "_check_fonts", lambda *args: {})
    assert _pages_taken(path) == [True, True]
    assert signature(pdf.read(path)) == signature(old)
    assert len(old.tables) == 2 and old.tables[0].merged == {(2, 2): (2, 1)}


def _refusals(path: str) -> list[str | None]:
    import pdfplumber

    from extractor.readers import pdf_pdfium

    fast = pdf_pdfium.open_document(path)
    with pdfplumber.open(path) as plumber:
        reasons = [pdf_pdfium.refusal(page, fast) for page in plumber.pages]
    fast.close()
    return reasons


def test_real_pdf_pages_take_the_pdfium_path() -> None:
    """The fast path is used wherever pdfium's view can be made pdfminer's: on the real
    PDFs only pages with one glyph drawn as several characters or rotated text still go
    to pdfminer (3 of 639 pages); folded space runs moved by word spacing or kerning and
    blank glyphs drawn stroked no longer do."""
    real = sorted((SHARED / "real").glob("*.pdf"))
    if not real:
        pytest.skip("no shared/real PDFs")
    reasons = [r for path in real for r in _refusals(str(path))]
    refused = [r for r in reasons if r]
    assert set(refused) <= {
        "glyph of several characters", "rotated or mirrored text",
    }
    assert len(refused) * 200 <= len(reasons)


def test_corpus_pdfs_with_standard_and_unembedded_fonts_take_the_pdfium_path() -> None:
    """reportlab's corpus PDFs use Helvetica (a standard font: pdfminer's own metrics) and
    STSong-Light (a CID font that is never embedded): measured alike by both engines."""
    for path in sorted((ROOT / "corpus").glob("*.pdf")):
        assert _refusals(str(path)) == [None] * len(_refusals(str(path))), path.name


def test_folded_space_runs_are_restored(tmp_path: Path) -> None:
    """pdfium keeps only the first of a run of spaces in its text page; the run is put
    back, one space advance apart, inside a line (also with character spacing) and at
    the end of a text object."""
    import pdfplumber
    from reportlab.pdfgen import canvas

    from extractor.readers import pdf_pdfium

    path = str(tmp_path / "spaces.pdf")
    c = canvas.Canvas(path)
    c.setFont("Helvetica", 12)
    c.drawString(72, 700, "Contents      12.50")
    c.drawString(72, 680, "trailing run    ")
    c.drawString(300, 680, "after")
    c.drawString(72, 660, "spaced   out", charSpace=0.5)
    c.save()
    fast = pdf_pdfium.open_document(path)
    with pdfplumber.open(path) as taken, pdfplumber.open(path) as reference:
        assert pdf_pdfium.refusal(taken.pages[0], fast) is None
        ours = [(c["text"], c["x0"], c["top"]) for c in taken.pages[0].chars]
        theirs = [(c["text"], c["x0"], c["top"]) for c in reference.pages[0].chars]
    fast.close()
    assert [t for t, *_ in ours] == [t for t, *_ in theirs]
    assert max(max(abs(a - b), abs(c - d)) for (_, a, c), (_, b, d) in zip(ours, theirs)) < 0.001
    assert [t for t, *_ in ours].count(" ") == 6 + 1 + 4 + 3
    assert signature(pdf.read(path)) == signature(pdf.read(path, use_pdfium=False))


def _word_spaced_pdf(path: Path, word_space: float) -> str:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    text = c.beginText(72, 700)
    text.setFont("Helvetica", 12)
    text.setWordSpace(word_space)
    text.textLine("Total           1234.50 yuan")
    c.drawText(text)
    c.save()
    return str(path)


def _chars_both(path: str) -> tuple[str | None, list[tuple[str, float]], list[tuple[str, float]]]:
    import pdfplumber

    from extractor.readers import pdf_pdfium

    fast = pdf_pdfium.open_document(path)
    with pdfplumber.open(path) as taken, pdfplumber.open(path) as reference:
        refused = pdf_pdfium.refusal(taken.pages[0], fast)
        ours = [(c["text"], c["x0"]) for c in taken.pages[0].chars]
        theirs = [(c["text"], c["x0"]) for c in reference.pages[0].chars]
    fast.close()
    return refused, ours, theirs


def test_space_runs_moved_by_word_spacing_fill_their_gap(tmp_path: Path) -> None:
    """A run of spaces widened by word spacing (Tw, which pdfium does not report) comes
    back from pdfium's text page as its first space; it is put back filling the gap up to
    the next word, with pdfminer's count and positions while the run's added spacing is
    under half a space (11 spaces, 0.1 pt each, of 3.336 pt), and the page is not refused."""
    refused, ours, theirs = _chars_both(_word_spaced_pdf(tmp_path / "tw.pdf", 0.1))
    assert refused is None
    assert [t for t, _ in ours] == [t for t, _ in theirs] and [t for t, _ in ours].count(" ") == 12
    assert max(abs(a - b) for (_, a), (_, b) in zip(ours, theirs)) < 0.001


def test_a_miscounted_space_run_leaves_the_document_unchanged(tmp_path: Path) -> None:
    """With wider word spacing (0.4 pt × 11 spaces, more than half a space) the count of a
    run cannot be known from pdfium and comes out one too many; the reader measures visible
    characters only and a run of blanks splits words however long it is, so the Document
    is pdfminer's all the same."""
    path = _word_spaced_pdf(tmp_path / "tw.pdf", 0.4)
    refused, ours, theirs = _chars_both(path)
    assert refused is None
    assert [t for t, _ in ours].count(" ") == 13 and [t for t, _ in theirs].count(" ") == 12
    assert [t for t, _ in ours if t != " "] == [t for t, _ in theirs if t != " "]
    assert signature(pdf.read(path)) == signature(pdf.read(path, use_pdfium=False))


def test_glyphs_drawn_back_over_the_previous_one_stay_on_the_pdfium_path(tmp_path: Path) -> None:
    """A glyph whose origin is not right of the previous one's (negative character spacing
    or kerning: a zero-advance tab before a full stop in a real 部门预算) is a glyph of its
    own in both engines, told from the pieces of one ligature by its own box."""
    from reportlab.pdfgen import canvas

    path = tmp_path / "back.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("Helvetica", 12)
    c.drawString(72, 700, "AB 2024", charSpace=-8.004)  # B drawn at A's origin (A is 8.004 pt wide)
    c.drawString(72, 680, "total 1234.50")
    c.save()
    refused, ours, theirs = _chars_both(str(path))
    assert refused is None
    assert ours[:2] == [("A", 72.0), ("B", 72.0)] and [t for t, _ in ours] == [t for t, _ in theirs]
    assert max(abs(a - b) for (_, a), (_, b) in zip(ours, theirs)) < 0.001
    assert signature(pdf.read(str(path))) == signature(pdf.read(str(path), use_pdfium=False))


def _float32(x: float) -> float:
    import struct

    return struct.unpack("f", struct.pack("f", x))[0]


def _paragraphs(lines: list[tuple[str, float, float]], rounding) -> str:
    from extractor.readers.builder import DocumentBuilder

    items = [("line", {"text": t, "x0": rounding(x0), "x1": rounding(x1), "char_w": 10.0, "lead_w": 0.0})
             for t, x0, x1 in lines]
    builder = DocumentBuilder("x.pdf", "pdf")
    pdf._assemble(builder, [items])
    return builder.build(pages=1).text


def test_layout_ties_do_not_depend_on_the_engines_precision() -> None:
    """pdfium reports positions in single precision: a centred title ending exactly two
    character widths before the text column's right edge (72.65..522.65, as in a real
    Hangzhou 部门预算) must be a short line with either engine's coordinates, and a line
    starting exactly 1.5 widths in an indented one."""
    lines = [("表5：2026年市级部门一般公共预算支出预算表", 92.65000153, 502.65000153),
             ("部门名称：杭州市气象局 单位：万元", 72.65000153, 522.65000153)]
    lines += [("正文一行写满到右边", 72.65000153, 522.65000153)] * 8
    lines += [("首行缩进的新段落", 87.65000153, 522.65000153), ("续行", 72.65000153, 522.65000153)]
    exact = _paragraphs(lines, float)
    assert _paragraphs(lines, _float32) == exact
    assert exact.split("\n")[:2] == ["表5：2026年市级部门一般公共预算支出预算表", "部门名称：杭州市气象局 单位：万元" + "正文一行写满到右边" * 8]
    assert exact.split("\n")[2] == "首行缩进的新段落续行"


def test_a_folio_between_two_pages_of_one_sentence_is_left_out() -> None:
    """A 公文's page number (`— 17 —`, GB/T 9704) is its page's last line: the sentence running
    on over the break is joined without it (60: `资金` / `— 17 —` / `1,600万元仍未拨付` was read
    as the range 17—1,600万元); a folio-like line inside a page stays."""
    from extractor.readers.builder import DocumentBuilder

    def line(text: str, x1: float = 522.0) -> tuple[str, dict]:
        return ("line", {"text": text, "x0": 72.0, "x1": x1, "char_w": 10.0, "lead_w": 0.0})

    full = "正文一行写满到右边正文一行写满到右边"
    page1 = [line(full)] * 6 + [line("截至现场评价时，弥补破产改制企业资金"), line("— 17 —", 310.0)]
    page2 = [line("1,600万元仍未拨付到企业。", 300.0), line("— 3 —", 310.0), line(full)] + [line(full)] * 5
    builder = DocumentBuilder("x.pdf", "pdf")
    pdf._assemble(builder, [page1, page2])
    text = builder.build(pages=2).text
    assert "弥补破产改制企业资金1,600万元仍未拨付到企业。" in text and "— 17 —" not in text
    assert "— 3 —" in text
