"""Per-document cost of reading PDFs, in one run, against pdfplumber and pypdfium2.

    python bench/bench_pdf_readers.py [--repeat N] [--no-generated] [--pdfminer] [--cold] [PDF...]
        (default: ../shared/real/*.pdf, corpus/*.pdf and one generated PDF of every kind)

For every PDF, best of N rounds (CPU time of this process; each round runs each of the
four once, so the machine's load weighs on all alike; a short PDF gets rounds until 0.5 s
went to its reference, at most 20), in ms per page:
  plumber     pdfplumber `page.extract_text()` on every page: the reference
  pdfium      pypdfium2's text alone (`get_textpage().get_text_range()`): the floor
  read        `extractor.readers.read` (the part of `jixiao extract` that reads the PDF)
  extract     `extractor.extract` (the whole of `jixiao extract`: read, quantities,
              facts, checks)
both without OCR (`ocr="never"`); with `--cold` jixiao's caches keyed by texts are cleared
before each of its runs (a best of N on one file would otherwise reuse what the earlier
rounds normalised, which a new file does not): a scanned page has no text for pdfplumber either, and
OCR is timed by bench_ocr.py; a PDF whose pages are all scans is listed but left out of
the totals and the worst ratios (the target is on text PDFs). CPU seconds of this
process are what is timed, so the load of the machine (printed) barely moves the ratios.
  pdfminer    (with --pdfminer) the reader with every page parsed by pdfminer
and the pages that fell back to pdfminer with the condition that sent each
(`pdf_pdfium.refusal`), the ratios read/plumber, extract/plumber and read/pdfium, and
whether the reader's Document equals the pdfminer-only one (with --pdfminer). The last
lines give the totals, the worst document's ratios, and how often pdfium read a system font
in place of a non-embedded one in this process (`pdf_fonts`: once per substitute, not per
document; the pypdfium2 column shares that process-wide cache).
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real"
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402
import pypdfium2  # noqa: E402

from extractor import extract  # noqa: E402
from extractor.readers import pdf as pdf_reader  # noqa: E402
from extractor.readers import pdf_fonts, pdf_pdfium  # noqa: E402


def plumber_text(path: str) -> int:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
        return len(pdf.pages)


def pdfium_text(path: str) -> int:
    doc = pypdfium2.PdfDocument(path)
    try:
        for page in doc:
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
        return len(doc)
    finally:
        doc.close()


def fallbacks(path: str) -> collections.Counter:
    """The conditions that sent pages to pdfminer, with their page counts."""
    doc = pdf_pdfium.open_document(path)
    with pdfplumber.open(path) as pdf:
        if doc is None:
            return collections.Counter({"pdfium cannot open the file": len(pdf.pages)})
        reasons = collections.Counter(r for r in (pdf_pdfium.refusal(page, doc) for page in pdf.pages) if r)
    doc.close()
    return reasons


def read(path: str):
    return pdf_reader.read(path, ocr="never")


def extract_no_ocr(path: str):
    return extract(path, ocr="never")


def signature(doc) -> tuple:
    return (doc.text, doc.page_starts, doc.pages, doc.needs_ocr, doc.meta, [
        (b.kind, b.page, b.start, b.end,
         b.table and (b.table.cells, b.table.context, b.table.merged, b.table.page))
        for b in doc.blocks
    ])


# a short document is run until this many CPU seconds were spent on its reference (at most
# MAX_RUNS rounds): its best time is then not one run's noise on a shared machine
MIN_SECONDS = 0.5
MAX_RUNS = 20


def best_of(fns: dict[str, Callable[[str], Any]], path: str, repeat: int,
            before: Callable[[str], None] | None = None) -> dict[str, tuple[float, Any]]:
    """The least CPU time (and last result) of each of `fns` on `path`, run in rounds (one run
    of each per round, so that the load of the machine weighs on all alike): `repeat` rounds,
    more for a short document. `before(name)` runs, untimed, before each run."""
    best: dict[str, tuple[float, Any]] = {}
    spent, rounds = 0.0, 0
    while rounds < repeat or (spent < MIN_SECONDS and rounds < MAX_RUNS):
        for name, fn in fns.items():
            if before is not None:
                before(name)
            t0 = time.process_time()
            result = fn(path)
            took = time.process_time() - t0
            if name == next(iter(fns)):
                spent += took
            best[name] = (min(best.get(name, (float("inf"), None))[0], took), result)
        rounds += 1
    return best


def generated(folder: Path) -> list[str]:
    from extractor.evaluation.synth import KINDS, make_document, write_document

    paths = []
    for kind in KINDS:
        spec, gold = make_document(kind, f"bench-{kind}", 0.0, "pdf")
        paths.append(str(write_document(spec, gold, folder / f"generated-{kind}.pdf")))
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-generated", action="store_true")
    parser.add_argument("--pdfminer", action="store_true", help="also time the pdfminer-only reader and compare")
    parser.add_argument("--cold", action="store_true",
                        help="clear jixiao's text-keyed caches before every read and extract (a file the process has not seen)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = args.paths or (sorted(str(p) for p in REAL.glob("*.pdf")) + sorted(str(p) for p in (ROOT / "corpus").glob("*.pdf"))
                               + ([] if args.no_generated else generated(Path(tmp))))
        run(paths, args.repeat, args.pdfminer, args.cold)


def _forget_texts() -> Callable[[str], None]:
    """What `--cold` runs before jixiao's runs: every bounded cache keyed by texts cleared
    (`textcaches.bounded_caches`), the patterns and per-character caches kept."""
    from textcaches import bounded_caches, forget

    caches = bounded_caches()

    def clear(name: str) -> None:
        if name in ("read", "extract"):
            forget(caches)
    return clear


def run(paths: list[str], repeat: int, with_pdfminer: bool, cold: bool = False) -> None:
    from extractor.text.quantities import warm_up

    warm_up()  # once per process, not per document: patterns and jieba's dictionary
    extract(paths[0])
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    before = _forget_texts() if cold else None
    print(f"ms/page, CPU, best of {repeat}, {'cold' if cold else 'warm'} text caches; "
          f"ratios to pdfplumber extract_text (plumber) and pypdfium2 text (pdfium)")
    head = f"{'file':44} {'pages':>5} {'fallback':>8} {'plumber':>8} {'pdfium':>7} {'read':>7} {'extract':>8}"
    head += f" {'read/pl':>7} {'extr/pl':>7} {'read/pdfium':>11}"
    print(head + ("  pdfminer identical" if with_pdfminer else "") + "  fallback conditions")
    totals = collections.Counter()
    worst: dict[str, tuple[float, str]] = {}
    for path in paths:
        timed = best_of({"plumber": plumber_text, "pdfium": pdfium_text, "read": read, "extract": extract_no_ocr},
                        path, repeat, before)
        (t_plumber, pages), (t_pdfium, _), (t_read, doc), (t_extract, _) = (
            timed["plumber"], timed["pdfium"], timed["read"], timed["extract"])
        reasons = fallbacks(path)
        name = Path(path).name[:44]
        ms = lambda t: 1000 * t / pages  # noqa: E731
        ratios = {"read/plumber": t_read / t_plumber, "extract/plumber": t_extract / t_plumber, "read/pdfium": t_read / t_pdfium}
        line = (f"{name:44} {pages:5d} {sum(reasons.values()):8d} {ms(t_plumber):8.1f} {ms(t_pdfium):7.1f} {ms(t_read):7.1f}"
                f" {ms(t_extract):8.1f} {ratios['read/plumber']:7.3f} {ratios['extract/plumber']:7.3f} {ratios['read/pdfium']:11.1f}")
        if with_pdfminer:
            t_miner, old = best_of({"pdfminer": lambda p: pdf_reader.read(p, use_pdfium=False)}, path, 1)["pdfminer"]
            line += f" {ms(t_miner):8.1f} {str(signature(old) == signature(doc)):>9}"
            totals["pdfminer"] += t_miner
        scans = len(doc.meta.get("ocr_pages", []))
        note = f"  scanned pages (not timed: no OCR): {scans}" if scans else ""
        print(line + "  " + "; ".join(f"{r}: {n}" for r, n in reasons.most_common()) + note, flush=True)
        if scans == pages:
            continue  # a scanned PDF: nothing for the text engines to do
        for key, value in ratios.items():
            if value > worst.get(key, (0.0, ""))[0]:
                worst[key] = (value, name)
        totals.update({"pages": pages, "fallback": sum(reasons.values()), "plumber": t_plumber, "pdfium": t_pdfium,
                       "read": t_read, "extract": t_extract})
    n = totals["pages"]
    print(f"{'all':44} {n:5d} {totals['fallback']:8d} {1000 * totals['plumber'] / n:8.1f} {1000 * totals['pdfium'] / n:7.1f}"
          f" {1000 * totals['read'] / n:7.1f} {1000 * totals['extract'] / n:8.1f} {totals['read'] / totals['plumber']:7.3f}"
          f" {totals['extract'] / totals['plumber']:7.3f} {totals['read'] / totals['pdfium']:11.1f}")
    for key, (value, name) in worst.items():
        print(f"worst {key}: {value:.3f} ({name})")
    print(f"system fonts read by pdfium for non-embedded fonts: {pdf_fonts.substitute_reads()}"
          f" (pages kept to hold them: {pdf_fonts.kept_pages()})")


if __name__ == "__main__":
    main()
