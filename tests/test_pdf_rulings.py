"""`pdf_rulings.find_tables` must find exactly pdfplumber's tables (`page.find_tables()`).

It replaces pdfplumber's table finder for speed, computing every coordinate by the same
operations; it is held to pdfplumber's cells on made pages of rulings (grids with missing,
jittered, doubled and overlapping edges, rects, curves, several tables) and on every page
with rulings of real PDFs.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils import curve_to_edges, line_to_edge, rect_to_edges

from extractor.readers import pdf_rulings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
HEIGHT = 842.0


class _Page:
    """What pdfplumber's table finder reads of a page: its lines, rects and curves, and
    their edges made by pdfplumber's own functions."""

    def __init__(self, lines: list[dict], rects: list[dict], curves: list[dict]) -> None:
        self.lines, self.rects, self.curves = lines, rects, curves
        self.edges = ([line_to_edge(ln) for ln in lines] + [e for r in rects for e in rect_to_edges(r)]
                      + [e for c in curves for e in curve_to_edges(c)])
        self.bbox = (0, 0, 595.0, HEIGHT)


def _box(kind: str, x0: float, y0: float, x1: float, y1: float) -> dict:
    """An object as the pdfium path makes it (pdf coordinates y0 < y1, top-down top/bottom)."""
    top = HEIGHT - y1
    return {"object_type": kind, "x0": x0, "x1": x1, "y0": y0, "y1": y1, "top": top, "bottom": HEIGHT - y0,
            "doctop": top, "width": x1 - x0, "height": y1 - y0}


def _line(x0: float, y0: float, x1: float, y1: float) -> dict:
    item = _box("line", min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    item["pts"] = [(x0, HEIGHT - y0), (x1, HEIGHT - y1)]
    return item


def _random_page(rnd: random.Random) -> _Page:
    """Tables of rulings on positions in quarter points (so that gaps and overlaps of exactly
    the tolerances occur), drawn in pieces, with missing, jittered, slanted and short edges,
    rects and curves."""
    lines: list[dict] = []
    rects: list[dict] = []
    curves: list[dict] = []

    def q(value: float) -> float:
        return round(value * 4) / 4

    def jitter() -> float:
        return rnd.choice([0.0, 0.0, 0.0, 0.25, -0.5, 1.5, 2.75, 3.0, -3.0, 3.25, q(rnd.uniform(-4, 4))])

    for _ in range(rnd.randint(1, 3)):  # tables
        left, bottom = q(rnd.uniform(20, 300)), q(rnd.uniform(20, 500))
        xs = [left]
        for _ in range(rnd.randint(1, 6)):
            xs.append(xs[-1] + rnd.choice([2.5, 3.0, 3.25, 40.0, 61.25, q(rnd.uniform(1, 90))]))
        ys = [bottom]
        for _ in range(rnd.randint(1, 8)):
            ys.append(ys[-1] + rnd.choice([2.75, 3.0, 3.25, 18.0, 21.75, q(rnd.uniform(1, 40))]))
        for y in ys:  # horizontal rulings, in pieces, some missing (merged cells)
            for a, b in zip(xs, xs[1:]):
                roll = rnd.random()
                if roll < 0.6:
                    lines.append(_line(a + jitter(), y + jitter(), b + jitter(), y))
                elif roll < 0.7:  # two pieces with a gap near the join tolerance
                    cut = q((a + b) / 2)
                    lines.append(_line(a, y, cut, y))
                    lines.append(_line(cut + rnd.choice([2.75, 3.0, 3.25]), y, b, y))
                elif roll < 0.8:
                    curves.append(dict(_line(a, y, b, y), object_type="curve", pts=[(a, HEIGHT - y), (b, HEIGHT - y)]))
        for x in xs:
            for a, b in zip(ys, ys[1:]):
                roll = rnd.random()
                if roll < 0.6:
                    lines.append(_line(x + jitter(), a + jitter(), x, b + jitter()))
                elif roll < 0.7:
                    cut = q((a + b) / 2)
                    lines.append(_line(x, a, x, cut))
                    lines.append(_line(x, cut + rnd.choice([2.75, 3.0, 3.25]), x, b))
                elif roll < 0.75:
                    lines.append(_line(x, a, x + rnd.choice([-1.0, 0.5]), b))  # slanted: pdfplumber calls it vertical
        for a, b in zip(xs, xs[1:]):  # some cells drawn as rects (shading, frames)
            for c, d in zip(ys, ys[1:]):
                if rnd.random() < 0.15:
                    rects.append(_box("rect", a + jitter(), c, b, d + jitter()))
    rnd.shuffle(lines)
    return _Page(lines, rects, curves)


def _pdfplumber_cells(page: object) -> list[list[tuple]]:
    return [list(t.cells) for t in TableFinder(page, TableSettings()).tables]


def _our_cells(page: object) -> list[list[tuple]]:
    return [list(t.cells) for t in pdf_rulings.find_tables(page)]


def test_tables_are_pdfplumbers_on_made_pages() -> None:
    rnd = random.Random(16)
    found = 0
    for _ in range(400):
        page = _random_page(rnd)
        expected = _pdfplumber_cells(page)
        assert _our_cells(page) == expected
        found += len(expected)
    assert found > 200


@pytest.mark.parametrize("name", [
    "real/43_changsha-xinfang-2026-budget-split-codes.pdf",
    "real/50_xian-work-safety-2019-comprehensive-budget-4view-total.pdf",
    "real/51_xian-medical-security-2022-comprehensive-budget-yuan-4view-total.pdf",
    "corpus/15-final-accounts-errors.pdf",
])
def test_tables_are_pdfplumbers_on_real_pages(name: str) -> None:
    import pdfplumber

    from extractor.readers import pdf_pdfium

    folder, file = name.split("/")
    path = (SHARED / "real" if folder == "real" else ROOT / "corpus") / file
    if not path.exists():
        pytest.skip("real documents not available")
    fast = pdf_pdfium.open_document(str(path))
    tables = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            pdf_pdfium.load_objects(page, fast)
            if page.lines or page.rects or page.curves:
                expected = [list(t.cells) for t in page.find_tables()]
                assert _our_cells(page) == expected, page.page_number
                tables += len(expected)
            page.close()
    fast.close()
    assert tables >= 1
