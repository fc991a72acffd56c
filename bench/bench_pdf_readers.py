"""ms/page of PDF text extraction on the real PDFs, in one run.

    python bench/bench_pdf_readers.py [PDF...]      (default: ../shared/real/*.pdf)

Rows:
  plumber-text   pdfplumber `page.extract_text()` alone: the floor for a pdfplumber reader
  reader         `extractor.readers.read` (pdfplumber: tables, text outside them, unwrapping)
  hybrid         the reader with pages free of vector graphics taken from pypdfium2 instead
                 of pdfplumber (lines rebuilt with pdfplumber's tolerances), and whether its
                 Document is identical to the reader's; the reader adopts it only if it is.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2
import pypdfium2.raw as pdfium_c

from extractor.readers import pdf as pdf_reader
from extractor.readers import read

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
REPEAT = 3
# pdfplumber's default tolerances, which the pdfium line builder reproduces
X_TOLERANCE = 3
Y_TOLERANCE = 3


def plumber_text(path: str) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def pdfium_page_items(page: Any) -> pdf_reader.PageItems | None:
    """Lines of a page without path objects from pdfium's characters (generated spaces
    dropped, clustered by top, a space where the gap exceeds X_TOLERANCE); None for a page
    with vector graphics, which pdfplumber then reads for its tables."""
    if next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH]), None) is not None:
        return None
    textpage = page.get_textpage()
    height = page.get_height()
    chars = []
    for i in range(textpage.count_chars()):
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, i):
            continue
        ch = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
        if ch in "\r\n\x00":
            continue
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        chars.append((height - top, left, right, top - bottom, ch))
    if not chars:
        return [], next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]), None) is not None
    char_w = statistics.median(c[3] for c in chars[:400])
    chars.sort(key=lambda c: c[0])
    clusters: list[list[tuple]] = []
    for c in chars:
        if clusters and abs(c[0] - clusters[-1][0][0]) <= Y_TOLERANCE:
            clusters[-1].append(c)
        else:
            clusters.append([c])
    items = []
    for cluster in clusters:
        cluster.sort(key=lambda c: c[1])
        text, prev_x1 = "", None
        for _, x0, x1, _, ch in cluster:
            if prev_x1 is not None and x0 > prev_x1 + X_TOLERANCE and not text.endswith(" ") and ch != " ":
                text += " "
            text += ch
            prev_x1 = x1
        visible = [c for c in cluster if not c[4].isspace()]
        if text.strip() and visible:
            items.append(("line", {"text": text.strip(), "x0": visible[0][1], "x1": max(c[2] for c in visible),
                                   "top": min(c[0] for c in cluster), "char_w": char_w}))
    return items, False


def hybrid(path: str):
    doc = pypdfium2.PdfDocument(path)
    try:
        with pdfplumber.open(path) as pdf:
            return pdf_reader.read_pages(path, pdf, lambda n: pdfium_page_items(doc[n - 1]))
    finally:
        doc.close()


def signature(doc) -> tuple:
    return (doc.text, doc.page_starts, doc.pages, doc.needs_ocr, doc.meta, [
        (b.kind, b.page, b.start, b.end,
         b.table and (b.table.cells, b.table.context, b.table.merged, b.table.page))
        for b in doc.blocks
    ])


def best_of(fn, path: str) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        result = fn(path)
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(paths: list[str]) -> None:
    print(f"{'file':48} {'pages':>5} {'plumber-text':>13} {'reader':>9} {'hybrid':>9}  identical  (ms/page, best of {REPEAT})")
    for path in paths:
        t_text, pages = best_of(plumber_text, path)
        t_read, doc = best_of(read, path)
        t_hyb, hdoc = best_of(hybrid, path)
        same = signature(doc) == signature(hdoc)
        ms = lambda t: f"{1000 * t / pages:9.1f}"  # noqa: E731
        print(f"{Path(path).name[:48]:48} {pages:5d} {ms(t_text):>13} {ms(t_read)} {ms(t_hyb)}  {same}"
              f"   (reader {t_read:.2f} s total)")


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(str(p) for p in REAL.glob("*.pdf")))
