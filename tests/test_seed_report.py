"""The reference document: every amount, rate and year of the 甘州区 2023 report comes out right,
from the text file and from the same report written as DOCX and as PDF."""
from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.model import Block, Document
from extractor.text.quantities import find_quantities

# (text as written, exact value in 元, year) of all 58 money amounts, in document order
SEED_AMOUNTS = [
    ("2761984.37元", "2761984.37", 2021), ("2769784.37元", "2769784.37", 2021),
    ("2754184.37元", "2754184.37", 2021), ("2942044.48元", "2942044.48", 2021),
    ("-187860.11元", "-187860.11", 2021),
    ("260.85万元", "2608500", 2022), ("1.14万元", "11400", 2022), ("260.85万元", "2608500", 2022),
    ("1.14万元", "11400", 2022), ("237.25万元", "2372500", 2022), ("11.26万元", "112600", 2022),
    ("4.33万元", "43300", 2022), ("8万元", "80000", 2022), ("3245338.61元", "3245338.61", 2022),
    ("3245338.61元", "3245338.61", 2022),
    ("348.63万元", "3486300", 2023), ("87.78万元", "877800", 2023), ("348.63万元", "3486300", 2023),
    ("87.78万元", "877800", 2023), ("312.89万元", "3128900", 2023), ("16.23万元", "162300", 2023),
    ("8.09万元", "80900", 2023), ("11.42万元", "114200", 2023),
    ("2500元", "2500", 2023), ("866013.51元", "866013.51", 2023), ("33.39238万元", "333923.8", 2023),
    ("108690.55万元", "1086905500", 2023), ("22.428483万元", "224284.83", 2023),
    ("6万元", "60000", 2023), ("1万元", "10000", 2023), ("0.33万元", "3300", 2023),
    ("6.67万元", "66700", 2023), ("2.5万元", "25000", 2023), ("2.5万元", "25000", 2023),
    ("5.4万元", "54000", 2023), ("1584元", "1584", 2023), ("2550元", "2550", 2023),
    ("2035元", "2035", 2023), ("1350元", "1350", 2023), ("3490.8元", "3490.8", 2023),
    ("11009.8元", "11009.8", 2023), ("6.5万元", "65000", 2023), ("6万元", "60000", 2023),
    ("0.5万元", "5000", 2023), ("5万元", "50000", 2023), ("21万元", "210000", 2023),
    ("16.21万元", "162100", 2023), ("7.15万元", "71500", 2023), ("6.3万元", "63000", 2023),
    ("2.76万元", "27600", 2023), ("4.79万元", "47900", 2023), ("86.601351万元", "866013.51", 2023),
    ("33.39238万元", "333923.8", 2023), ("7万元", "70000", 2023), ("2.5万元", "25000", 2023),
    ("6万元", "60000", 2023), ("5万元", "50000", 2023), ("16.2115万元", "162115", 2023),
]
SEED_RATES = ["0.004%", "0.004%", "33.65%", "33.65%", "100%", "99.56%", "100%"]


def _doc(text: str) -> Document:
    return Document(path="seed", reader="text", text=text, blocks=[Block("paragraph", None, 0, len(text))])


def test_all_58_amounts_exact(seed_text):
    qs = find_quantities(_doc(seed_text), report_year=2023)
    got = [(q.text, q.value_yuan, q.year) for q in qs if q.kind == "amount"]
    assert len(got) == 58
    assert got == [(t, Decimal(v), y) for t, v, y in SEED_AMOUNTS]
    for q in qs:
        assert seed_text[q.start:q.end] == q.text


def test_seven_percentages(seed_text):
    qs = find_quantities(_doc(seed_text), report_year=2023)
    assert [q.text for q in qs if q.kind == "rate"] == SEED_RATES


def test_budget_labels_and_years(seed_text):
    qs = find_quantities(_doc(seed_text), report_year=2023)
    by_text = {}
    for q in qs:
        if q.kind == "amount":
            by_text.setdefault(q.text, q)
    assert (by_text["2761984.37元"].label, by_text["2761984.37元"].year) == ("预算收入总额", 2021)
    assert (by_text["260.85万元"].label, by_text["260.85万元"].year) == ("预算收入", 2022)
    assert (by_text["348.63万元"].label, by_text["348.63万元"].year) == ("预算收入", 2023)
    assert by_text["237.25万元"].label == "一般公共服务支出"
    assert by_text["5.4万元"].label == "热线场地改造费用"
    assert by_text["-187860.11元"].label == "收支结余"


def test_negative_balance_keeps_sign(seed_text):
    qs = find_quantities(_doc(seed_text), report_year=2023)
    neg = [q for q in qs if q.kind == "amount" and q.value < 0]
    assert [(q.text, q.value_yuan) for q in neg] == [("-187860.11元", Decimal("-187860.11"))]


def test_period_and_duplicate_unit(seed_text):
    qs = find_quantities(_doc(seed_text), report_year=2023)
    periods = [q for q in qs if q.kind == "period"]
    assert [(q.text, q.extra["start"], q.extra["end"]) for q in periods] == [
        ("2023年1月至2022年12月", "2023-01", "2022-12")
    ]
    dups = [q.text for q in qs if "duplicate_unit" in q.extra]
    assert dups == ["260.85万元", "348.63万元"]


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def test_docx_gives_the_same_amounts(seed_text, tmp_path):
    docx = pytest.importorskip("docx")
    from extractor import extract

    d = docx.Document()
    for para in _paragraphs(seed_text):
        d.add_paragraph(para)
    path = tmp_path / "seed.docx"
    d.save(path)
    report = extract(path)
    got = [(q.text.strip(), q.value_yuan) for q in report.quantities if q.kind == "amount"]
    assert got == [(t, Decimal(v)) for t, v, _ in SEED_AMOUNTS]


def test_pdf_gives_the_same_amounts_with_pages(seed_text, tmp_path):
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from extractor import extract

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=10.5, leading=15, wordWrap="CJK")
    path = tmp_path / "seed.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Paragraph(p.replace("<", "&lt;"), style) for p in _paragraphs(seed_text)]
    )
    report = extract(path)
    amounts = [q for q in report.quantities if q.kind == "amount"]
    got = [(q.text.replace("\n", "").replace(" ", ""), q.value_yuan) for q in amounts]
    assert got == [(t, Decimal(v)) for t, v, _ in SEED_AMOUNTS]
    pages = [q.page for q in amounts]
    assert pages[0] == 1 and pages[-1] > 1 and pages == sorted(pages)
