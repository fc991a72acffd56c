"""On every 说明 page of the real PDFs (the prose that explains the tables) every money-like
figure keeps its unit: a figure written as money (patterns/prose_figures.json) that no
quantity covers is a figure that lost its unit. Years, dates, counts, rates, ordinals, codes
and page numbers are not money-like or are covered by their own quantity."""
from __future__ import annotations

from pathlib import Path

import pytest


from extractor.text.quantities import find_quantities, unitless_figures
from extractor.model import Block, Document

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
# image-only scans are read by OCR, whose prose is not pinned here
PDFS = sorted(p for p in REAL.glob("*.pdf") if not p.name.startswith("59_")) if REAL.exists() else []

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="needs ../shared/real")


def explanation_pages(text: str, page_starts: list[int]) -> list[tuple[int, int, int]]:
    """(page, start, end) of the pages whose prose explains: `说明` and whole sentences."""
    bounds = list(page_starts) + [len(text)]
    out = []
    for i in range(len(bounds) - 1):
        page = text[bounds[i]:bounds[i + 1]]
        if "说明" in page and "。" in page:
            out.append((i + 1, bounds[i], bounds[i + 1]))
    return out


def _report(real_reports, path: Path):
    return real_reports[path]


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name[:40])
def test_every_prose_figure_of_an_explanation_page_keeps_its_unit(real_reports, path):
    r = _report(real_reports, path)
    text = r.document.text
    pages = explanation_pages(text, r.document.page_starts)
    lost = [(page, text[a:b]) for a, b in unitless_figures(text, r.quantities)
            for page, s, e in pages if s <= a < e]
    assert lost == []


def test_the_count_sees_a_figure_that_lost_its_unit():
    page = "（一）收入预算情况说明\n2026年收入预算5,754.76万元，其中一般公共预算拨款5,247.87，占91.2%。"
    doc = Document(path="p", reader="text", text=page, blocks=[Block("paragraph", None, 0, len(page))])
    qs = find_quantities(doc, 2026)
    assert [page[a:b] for a, b in unitless_figures(page, qs)] == ["5,247.87"]
    assert explanation_pages(page, [0]) == [(1, 0, len(page))]
