"""`pdf_lines.cell_text` must return pdfplumber's `extract_text(level(chars))`, and
`pdf_lines.text_lines` pdfplumber's `extract_text_lines` of the same characters, exactly.

They replace pdfplumber's word and line code for table cells and page text (for speed), so they are held to
pdfplumber's output on characters made to hit every rule of that code (blanks, gaps at the
tolerance, steps back, tops chained within the tolerance, raised figures, ligatures) and
on every cell of real PDFs.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from pdfplumber.utils import chars_to_textmap, extract_text

from extractor.readers import pdf_lines

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _reference(chars: list[dict]) -> str:
    return extract_text(pdf_lines.level(chars, pdf_lines.Y_TOLERANCE))


def _char(text: str, x0: float, top: float, size: float, upright: bool = True) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + size * (0.5 if text.isascii() else 1.0), "top": top,
            "bottom": top + size, "doctop": 1000.0 + top, "size": size, "upright": upright}


def _random_cell(rnd: random.Random) -> list[dict]:
    """A few lines of characters, with jittered tops, raised figures, blanks, ligatures,
    gaps near the tolerance and characters out of x order."""
    chars = []
    top = rnd.choice([10.0, 10.5, 33.25])
    for _ in range(rnd.randint(1, 4)):
        x = rnd.choice([0.0, 2.0, 7.5])
        size = rnd.choice([6.0, 9.0, 10.5, 12.0])
        for _ in range(rnd.randint(1, 12)):
            text = rnd.choice("收入合计12.345,万元 ﬁﬂ")
            rise = rnd.choice([0.0, 0.0, 0.0, -1.5, 2.0, 3.0, 3.01, rnd.uniform(-4, 4)])
            chars.append(_char(text, x, top + rise, size))
            x = chars[-1]["x1"] + rnd.choice([0.0, 0.0, 0.5, 2.99, 3.0, 3.01, 5.0, -1.0, rnd.uniform(-3, 8)])
        top += rnd.choice([size * 1.2, 2.9, 3.0, 3.1, size])
    if rnd.random() < 0.3:
        rnd.shuffle(chars)
    return chars


def test_cell_text_is_pdfplumbers_text_on_made_cells() -> None:
    rnd = random.Random(16)
    for _ in range(3000):
        chars = _random_cell(rnd)
        assert pdf_lines.cell_text(chars) == _reference(chars), chars


def _reference_lines(chars: list[dict]) -> list[dict]:
    textmap = chars_to_textmap(chars, layout_bbox=(0, 0, 600, 800), layout_width=600, layout_height=800)
    return textmap.extract_text_lines(return_chars=True)


def _same_lines(got: list[dict] | None, chars: list[dict]) -> bool:
    """The same dicts, each line holding the very same character objects in the same order."""
    ref = _reference_lines(chars)
    return got == ref and [[id(c) for c in ln["chars"]] for ln in got] == [[id(c) for c in ln["chars"]] for ln in ref]


def test_text_lines_are_pdfplumbers_lines_on_made_text() -> None:
    rnd = random.Random(61)
    for _ in range(3000):
        chars = pdf_lines.level(_random_cell(rnd), pdf_lines.Y_TOLERANCE)
        assert _same_lines(pdf_lines.text_lines(chars), chars), chars


def test_text_lines_of_exact_cases() -> None:
    # a character line (tops 16, 13, 10 chained) whose words' tops (16 and 10) fall in two
    # clusters, the lower one second: the text map behind pdfplumber's lines keeps the words
    # in the order made (a line per run), its `extract_text` regroups them by cluster
    small = [_char("甲", 0.0, 16.0, 2.0), _char("乙", 10.0, 13.0, 2.0), _char("丙", 12.0, 10.0, 2.0)]
    lines = pdf_lines.text_lines(small)
    assert [ln["text"] for ln in lines] == ["甲", "乙丙"] and _same_lines(lines, small)
    assert pdf_lines.cell_text(small) == _reference(small) == "乙丙\n甲"
    # a ligature's character is listed once per letter; the box is the line's characters'
    lig = [_char("ﬁ", 0.0, 10.0, 10.0), _char("x", 5.0, 11.0, 10.0)]
    lines = pdf_lines.text_lines(lig)
    assert lines[0]["text"] == "fix" and [c["text"] for c in lines[0]["chars"]] == ["ﬁ", "ﬁ", "x"]
    assert (lines[0]["x0"], lines[0]["top"], lines[0]["x1"], lines[0]["bottom"]) == (0.0, 10.0, 10.0, 21.0)
    assert _same_lines(lines, lig)
    assert pdf_lines.text_lines([]) == [] == _reference_lines([])
    # rotated characters, and a character of several letters with a blank, go to pdfplumber
    assert pdf_lines.text_lines([_char("收", 0.0, 10.0, 10.0, upright=False)]) is None
    assert pdf_lines.text_lines([_char("a b", 0.0, 10.0, 10.0)]) is None


def test_cell_text_of_exact_cases() -> None:
    # a gap of exactly the tolerance joins, a hair more splits; a blank always splits
    a, b = _char("1", 0.0, 10.0, 10.0), _char("2", 8.0, 10.0, 10.0)
    assert pdf_lines.cell_text([a, b]) == _reference([a, b]) == "12"
    b = _char("2", 8.01, 10.0, 10.0)
    assert pdf_lines.cell_text([a, b]) == _reference([a, b]) == "1 2"
    # a figure raised 2 pt beside its words stays on their line; the ligature is spelled out
    words = [_char(t, 10.0 * k, 20.0, 10.0) for k, t in enumerate("合计")]
    figure = [_char(t, 20.0 + 5.0 * k, 18.0, 10.0) for k, t in enumerate("12ﬁ")]
    assert pdf_lines.cell_text(words + figure) == _reference(words + figure) == "合计12fi"
    assert pdf_lines.cell_text([]) == "" and pdf_lines.cell_text([_char(" ", 0.0, 0.0, 9.0)]) == ""
    # rotated characters go to pdfplumber itself
    rotated = [_char("收", 0.0, 10.0, 10.0, upright=False), _char("入", 0.0, 20.0, 10.0, upright=False)]
    assert pdf_lines.cell_text(rotated) == _reference(rotated)


@pytest.mark.parametrize("name", ["42_national-public-complaints-admin-2024-final-accounts-with-selfeval-tables.pdf",
                                  "50_xian-work-safety-2019-comprehensive-budget-4view-total.pdf"])
def test_cell_text_is_pdfplumbers_text_on_real_cells(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.readers import pdf

    path = SHARED / "real" / name
    if not path.exists():
        pytest.skip("real documents not available")
    cells: list[str] = []
    fast = pdf_lines.cell_text

    def checked(chars: list[dict]) -> str:
        text = fast(chars)
        assert text == _reference(chars), chars
        cells.append(text)
        return text

    pages: list[int] = []
    fast_lines = pdf_lines.text_lines

    def checked_lines(chars: list[dict]) -> list[dict] | None:
        lines = fast_lines(chars)
        assert _same_lines(lines, chars)
        pages.append(len(lines))
        return lines

    monkeypatch.setattr(pdf_lines, "cell_text", checked)
    monkeypatch.setattr(pdf_lines, "text_lines", checked_lines)
    pdf.read(str(path), ocr="never")
    assert len(cells) > 1000 and sum("\n" in c for c in cells) > 10
    assert len(pages) > 20 and sum(pages) > 100
