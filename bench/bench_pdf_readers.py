"""ms/page of PDF text extraction on the real PDFs, in one run.

    python bench/bench_pdf_readers.py [PDF...]      (default: ../shared/real/*.pdf)

Rows:
  plumber-text   pdfplumber `page.extract_text()` alone: the floor for a pdfplumber reader
  pdfminer       `extractor.readers.pdf.read(path, use_pdfium=False)`: every page parsed by
                 pdfminer (the reader before the pdfium engine)
  reader         `extractor.readers.read`: pages pdfium can vouch for taken from pdfium
                 (extractor/readers/pdf_pdfium.py), the rest from pdfminer; `identical`
                 says whether its Document equals the pdfminer one; `pdfium` counts its pages
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pdfplumber

from extractor.readers import pdf as pdf_reader
from extractor.readers import pdf_pdfium, read

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
REPEAT = 3


def plumber_text(path: str) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def pdfminer_read(path: str):
    return pdf_reader.read(path, use_pdfium=False)


def pdfium_pages(path: str) -> int:
    """How many pages the reader takes from pdfium."""
    doc = pdf_pdfium.open_document(path)
    if doc is None:
        return 0
    with pdfplumber.open(path) as pdf:
        taken = sum(pdf_pdfium.load_objects(page, doc) for page in pdf.pages)
    doc.close()
    return taken


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
    print(f"{'file':48} {'pages':>5} {'pdfium':>6} {'plumber-text':>13} {'pdfminer':>9} {'reader':>9}  identical"
          f"  (ms/page, best of {REPEAT})")
    totals = [0.0, 0.0, 0.0, 0]
    for path in paths:
        t_text, pages = best_of(plumber_text, path)
        t_old, old = best_of(pdfminer_read, path)
        t_new, new = best_of(read, path)
        same = signature(old) == signature(new)
        ms = lambda t: f"{1000 * t / pages:9.1f}"  # noqa: E731
        print(f"{Path(path).name[:48]:48} {pages:5d} {pdfium_pages(path):6d} {ms(t_text):>13} {ms(t_old)} {ms(t_new)}  {same}")
        for i, t in enumerate((t_text, t_old, t_new)):
            totals[i] += t
        totals[3] += pages
    n = totals[3]
    print(f"{'all':48} {n:5d} {'':6} {1000 * totals[0] / n:13.1f} {1000 * totals[1] / n:9.1f} {1000 * totals[2] / n:9.1f}"
          f"  reader/plumber-text {totals[2] / totals[0]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(str(p) for p in REAL.glob("*.pdf")))
