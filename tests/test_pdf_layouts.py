"""PDF layouts that detach figures from their words, read back into whole sentences.

Figures drawn in another font, size and baseline from the Chinese words around them (as
common 决算 generators write them) must stay in their sentence, with their unit, label
and 占比; shading boxes behind the words of a sentence are not tables.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from extractor import extract
from extractor.readers import pdf, pdf_lines
from extractor.evaluation.render import DocSpec, FigureFont, Para, TableSpec, render
from extractor.evaluation.synth import KINDS, make_document

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _char(text: str, x0: float, top: float, size: float) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + size * 0.6, "top": top, "bottom": top + size,
            "doctop": 1000 + top, "size": size, "upright": True}


def test_level_gives_a_raised_figure_the_top_of_its_words() -> None:
    words = [_char("收", 10, 82.35, 10.5), _char("入", 20.5, 82.35, 10.5), _char("元", 60, 82.35, 10.5)]
    figure = [_char("1", 31, 78.98, 12.0), _char("2", 37.7, 78.98, 12.0)]
    next_line = [_char("下", 10, 98.35, 10.5)]
    chars = words + figure + next_line
    leveled = pdf_lines.level(chars, 3.0)
    assert [c["top"] for c in leveled] == [82.35] * 5 + [98.35]
    assert [c["doctop"] for c in leveled][3:5] == [1082.35, 1082.35]
    assert chars[3]["top"] == 78.98  # the caller's characters are left as they were
    plain = words + next_line
    assert pdf_lines.level(plain, 3.0) is plain  # nothing to level: pdfplumber's own lines


def _sentence_pdf(path: Path, figures: FigureFont | None) -> Path:
    spec = DocSpec("2023年度部门决算", [
        Para("本年收入合计1234.56万元，其中：财政拨款收入1200.00万元，占97.20%；其他收入34.56万元。"),
        Para("年末结转和结余18.30万元，比上年减少2.50万元，下降12.02%。"),
        TableSpec([["项目", "决算数", "占比"], ["财政拨款收入", "1200.00", "97.20%"], ["其他收入", "34.56", "2.80%"]],
                  caption="收入决算表\n单位：万元"),
    ])
    return render(spec, path, figures=figures)


def _facts(path: Path) -> list[tuple]:
    return [(q.kind, str(q.value), q.unit, q.label) for q in extract(path).quantities]


def test_figures_in_another_font_keep_their_unit_label_and_share(tmp_path: Path) -> None:
    """Chinese in STSong-Light, digits in Helvetica 15 % larger and raised 1.5 pt: every
    prose figure keeps its unit and label, as in the same PDF with one font."""
    path = _sentence_pdf(tmp_path / "figures.pdf", FigureFont())
    doc = pdf.read(str(path))
    assert "本年收入合计1234.56万元，其中：财政拨款收入1200.00万元，占97.20%；其他收入34.56万元。" in doc.text
    facts = _facts(path)
    assert facts == [
        ("year", "2023", "年", None),
        ("amount", "1234.56", "万元", "本年收入"),
        ("amount", "1200.00", "万元", "财政拨款收入"),
        ("rate", "97.20", "%", "财政拨款收入占比"),
        ("amount", "34.56", "万元", "其他收入"),
        ("amount", "18.30", "万元", "年末结转和结余"),
        ("amount", "2.50", "万元", "上年减少"),
        ("rate", "12.02", "%", "下降"),
        ("amount", "1200.00", "万元", "财政拨款收入"),
        ("rate", "97.20", "%", "财政拨款收入"),
        ("amount", "34.56", "万元", "其他收入"),
        ("rate", "2.80", "%", "其他收入"),
    ]
    assert facts == _facts(_sentence_pdf(tmp_path / "plain.pdf", None))
    assert pdf.read(str(path)).tables[0].cells[1] == ["财政拨款收入", "1200.00", "97.20%"]


@pytest.mark.parametrize("kind", KINDS)
def test_generated_documents_read_the_same_with_figures_in_another_font(kind: str, tmp_path: Path) -> None:
    spec, _ = make_document(kind, f"figures-{kind}", 0.0, "pdf")
    plain = _facts(render(spec, tmp_path / "plain.pdf"))
    assert plain and _facts(render(spec, tmp_path / "figures.pdf", figures=FigureFont())) == plain


def _real(name: str) -> Path:
    path = SHARED / "real" / name
    if not path.exists():
        pytest.skip(f"no {name}")
    return path


def test_real_pdf_with_figures_in_another_font_keeps_them_in_their_sentences() -> None:
    """A Fuzhou 部门预算 draws its figures in another font and baseline: read by font line
    they came out as `租用面积 平方米，年物业费每平米` + a line `5137.26 50.4`."""
    doc = pdf.read(str(_real("47_fuzhou-commerce-2026-budget-wrapped-numbers.pdf")))
    cells = [c for t in doc.tables for row in t.cells for c in row]
    assert "根据《物业服务合同》租用面积5137.26平方米，年物业费每平米50.4元。" in cells  # (its 元 wrapped: joined)
    assert "≤5137.26平方米" in cells and "=24小时/日" in cells


def test_shading_boxes_in_prose_are_not_tables() -> None:
    """A Changsha 部门预算 shades the figures and words of its 说明 in boxes; they are
    sentences, not one-row tables, so each figure keeps its unit."""
    doc = pdf.read(str(_real("43_changsha-xinfang-2026-budget-split-codes.pdf")))
    assert "事业单位经营服务收入 0.00 万元，上级补助收入 0.00 万元，" in doc.text
    assert "（二）支出预算：2026 年本单位支出预算 1935.36 万元，" in doc.text
    one_row = [t.cells[0] for t in doc.tables if len(t.cells) == 1]
    assert not any(c.endswith(".") and c[:-1].isdigit() for row in one_row for c in row)  # no `1935.` | `36`
    assert len(doc.tables) == 34 and len(one_row) == 13  # 10 boxed contents lines, 3 unpunctuated prose boxes
