"""The one benchmark command: jixiao against the libraries a user would otherwise script.

    python bench/run.py [--n 200] [--docs 60] [--repeat 2] [--no-convert]

Prints the machine and the versions, then, on the same inputs in one run:
  (a) `jixiao extract` (extractor.extract: read, quantities, facts, checks) against
      pdfplumber's `extract_text` alone, on the corpus PDFs and ../shared/real/*.pdf:
      ms per page and the ratio (goal: extract ≤ 0.7 × extract_text);
  (b) quantity extraction (the pipeline's flattened tables + quantities stages) against
      JioNLP `extract_money`, on the same TXT documents with gold amounts: characters per
      second and F1 on the gold amounts (goal: higher F1, at least half the speed);
  (c) `jixiao convert -j 1` against `-j 2` on N generated documents (bench/bench_convert.py).
Not part of the test suite. JioNLP is installed for this bench only (`pip install jionlp`);
without it (b) prints n/a for JioNLP.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import io
import os
import platform
import shutil
import sys
import tempfile
import time
from decimal import Decimal, InvalidOperation
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_convert  # noqa: E402  (the other helpers' benches: reused, not copied)
from bench_pdf_readers import plumber_text  # noqa: E402

from extractor import extract  # noqa: E402
from extractor.evaluation.evaluate import PRF, match_amounts  # noqa: E402
from extractor.readers import read  # noqa: E402
from extractor.evaluation.synth import KINDS, make_document, write_document  # noqa: E402


def machine() -> None:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    mem = next((ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")),
               "?") if Path("/proc/meminfo").exists() else "?"
    print(f"machine: {platform.platform()}; {cpu}; {os.cpu_count()} cores; "
          f"{int(mem) / 1024 / 1024:.1f} GiB" if mem != "?" else f"machine: {platform.platform()}; {cpu}")
    versions = []
    for dist in ("jixiao", "pdfplumber", "pdfminer.six", "pypdfium2", "python-docx", "openpyxl", "reportlab", "jionlp"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} n/a")
    print(f"python {platform.python_version()}; " + ", ".join(versions))


def best_of(repeat: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


# ---- (a) ---------------------------------------------------------------------------------

def bench_pdf(pdfs: list[Path], repeat: int) -> float | None:
    print(f"\n(a) jixiao extract vs pdfplumber extract_text, {len(pdfs)} PDFs, best of {repeat}")
    extract(pdfs[0])  # warm-up: imports and pattern files, once per process
    pages_total = t_plumb_total = t_ext_total = 0.0
    for path in pdfs:
        pages = plumber_text(str(path))
        t_plumb = best_of(repeat, lambda: plumber_text(str(path)))
        t_ext = best_of(repeat, lambda: extract(path))
        pages_total += pages
        t_plumb_total += t_plumb
        t_ext_total += t_ext
        print(f"  {path.name[:60]:<60} {pages:3d} p  extract_text {1000 * t_plumb / pages:7.1f} ms/p  "
              f"jixiao extract {1000 * t_ext / pages:7.1f} ms/p  ratio {t_ext / t_plumb:5.2f}")
    ratio = t_ext_total / t_plumb_total
    print(f"  all: {int(pages_total)} pages  extract_text {1000 * t_plumb_total / pages_total:.1f} ms/page  "
          f"jixiao extract {1000 * t_ext_total / pages_total:.1f} ms/page  ratio {ratio:.2f} (goal ≤ 0.70)")
    return ratio


# ---- (b) ---------------------------------------------------------------------------------

def bench_docs(work: Path, n: int) -> list[tuple[Path, dict]]:
    """TXT documents with gold: the corpus TXT files and n generated ones (every kind)."""
    import json

    docs = []
    for gold_path in sorted((ROOT / "corpus").glob("*.gold.json")):
        gold = json.loads(gold_path.read_text("utf-8"))
        if gold["doc"].endswith(".txt"):
            docs.append((gold_path.parent / gold["doc"], gold))
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        spec, gold = make_document(kind, f"bench-{i}", 0.1, "txt")
        path = write_document(spec, gold, work / f"bench-{i:03d}-{kind}.txt", "gbk" if i % 5 == 0 else "utf-8")
        docs.append((path, json.loads(path.with_name(path.stem + ".gold.json").read_text("utf-8"))))
    return docs


def our_amounts(doc: Any) -> list[dict]:
    """The pipeline's quantity stages on a Document (they add flattened tables to it)."""
    from extractor import facts
    from extractor.tables import flattened
    from extractor.text import quantities
    from extractor.jsonout import decimal_text

    flattened.add_flattened_tables(doc)
    meta = facts.document_meta(doc)
    found = quantities.find_quantities(doc, report_year=meta.report_year)
    return [{"text": q.text, "value_yuan": decimal_text(q.value_yuan)} for q in found
            if q.kind == "amount" and q.value_yuan is not None]


def jio_money(jio: Any, text: str) -> list[dict]:
    out = []
    for hit in jio.ner.extract_money(text):
        detail = hit.get("detail", {})
        value = detail.get("num")
        if isinstance(value, list):
            value = value[0]
        if detail.get("case") != "元":
            value = None
        try:
            value = str(Decimal(str(value))) if value is not None else None
        except InvalidOperation:
            value = None
        out.append({"text": hit["text"], "value_yuan": value})
    return out


def bench_quantities(docs: list[tuple[Path, dict]], repeat: int) -> tuple[float | None, float | None, float | None, float | None]:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import jionlp as jio
    except ImportError:
        jio = None
    print(f"\n(b) quantity extraction vs JioNLP extract_money, {len(docs)} TXT documents with gold amounts")
    chars = 0
    t_ours = t_jio = 0.0
    prf_ours, prf_jio = PRF(), PRF()
    # the same score on amounts written with their unit (prose), where JioNLP is meant to work
    unit_ours, unit_jio = PRF(), PRF()

    def tally(prf: PRF, gold_amounts: list[dict], pred: list[dict]) -> None:
        spurious, missed = match_amounts(gold_amounts, pred)
        prf.add(tp=len(pred) - len(spurious), fp=len(spurious), fn=len(missed))

    def with_unit(items: list[dict]) -> list[dict]:
        return [a for a in items if a["text"].endswith("元")]

    for path, gold in docs:
        raw = path.read_bytes().decode(gold.get("encoding") or "utf-8")
        chars += len(raw)
        doc = read(str(path))  # reading is not timed (JioNLP gets the text for free too)
        # the stages change the Document, so each run gets a copy; the copying is taken off
        t_copy = best_of(repeat, lambda: copy.deepcopy(doc))
        t_ours += max(0.0, best_of(repeat, lambda: our_amounts(copy.deepcopy(doc))) - t_copy)
        pred = our_amounts(copy.deepcopy(doc))
        tally(prf_ours, gold["amounts"], pred)
        tally(unit_ours, with_unit(gold["amounts"]), with_unit(pred))
        if jio is not None:
            t_jio += best_of(repeat, lambda: jio_money(jio, raw))
            pred = jio_money(jio, raw)
            tally(prf_jio, gold["amounts"], pred)
            tally(unit_jio, with_unit(gold["amounts"]), with_unit(pred))
    r_ours = prf_ours.record()
    print(f"  jixiao quantities: {chars / t_ours:10.0f} chars/s  amounts P {r_ours['precision']} R {r_ours['recall']} "
          f"F1 {r_ours['f1']}  ({chars} chars)")
    if jio is None:
        print("  JioNLP extract_money: n/a (jionlp is not installed: pip install jionlp)")
        return r_ours["f1"], None, chars / t_ours, None
    r_jio = prf_jio.record()
    print(f"  JioNLP extract_money: {chars / t_jio:8.0f} chars/s  amounts P {r_jio['precision']} R {r_jio['recall']} "
          f"F1 {r_jio['f1']}")
    print(f"  amounts written with their unit only: jixiao F1 {unit_ours.record()['f1']}, "
          f"JioNLP F1 {unit_jio.record()['f1']} (table cells whose unit is in a header are the rest)")
    print(f"  speed jixiao/JioNLP {t_jio / t_ours:.2f} (goal ≥ 0.5); F1 {r_ours['f1']} vs {r_jio['f1']} (goal: higher)")
    return r_ours["f1"], r_jio["f1"], chars / t_ours, chars / t_jio


# ---- (c) ---------------------------------------------------------------------------------

def bench_convert_jobs(work: Path, n: int) -> float | None:
    corpus = work / "convert"
    corpus.mkdir()
    made_by = bench_convert.generate(n, corpus, 1)
    print(f"\n(c) jixiao convert -j 1 vs -j 2 on {n} documents from {made_by}")
    times = {}
    for jobs in (1, 2):
        # (wall s, peak RSS KiB, summary line[, CPU s]) — the helper's tuple, read by position
        result = bench_convert.run(corpus, work / f"j{jobs}.sqlite", jobs)
        elapsed, peak_kib, summary = result[:3]
        cpu = f"  CPU {result[3]:.1f} s" if len(result) > 3 else ""
        times[jobs] = elapsed
        print(f"  -j {jobs}: {elapsed:7.2f} s  {n / elapsed:6.1f} docs/s{cpu}  peak RSS {peak_kib / 1024:.0f} MiB  | {summary}")
    speedup = times[1] / times[2]
    print(f"  speed-up -j 2 vs -j 1: {speedup:.2f}x")
    return speedup


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="documents for (c)")
    ap.add_argument("--docs", type=int, default=60, help="generated TXT documents for (b), besides the corpus ones")
    ap.add_argument("--repeat", type=int, default=2, help="timed runs per input in (a) and (b); the fastest counts")
    ap.add_argument("--no-convert", action="store_true", help="skip (c)")
    args = ap.parse_args()
    started = time.perf_counter()
    machine()
    pdfs = sorted((ROOT / "corpus").glob("*.pdf")) + sorted(REAL.glob("*.pdf"))
    work = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    try:
        ratio = bench_pdf(pdfs, args.repeat)
        f1_ours, f1_jio, cps_ours, cps_jio = bench_quantities(bench_docs(work, args.docs), args.repeat)
        speedup = None if args.no_convert else bench_convert_jobs(work, args.n)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\nsummary")
    print(f"  (a) extract / extract_text time: {ratio:.2f} (goal ≤ 0.70: {'met' if ratio <= 0.7 else 'not met'})")
    if f1_jio is None:
        print(f"  (b) amounts F1 {f1_ours} vs JioNLP n/a")
    else:
        ok = (f1_ours or 0) > (f1_jio or 0) and cps_ours >= 0.5 * cps_jio
        print(f"  (b) amounts F1 {f1_ours} vs JioNLP {f1_jio}; speed {cps_ours / cps_jio:.2f}× JioNLP "
              f"(goal: higher F1 at ≥ 0.5×: {'met' if ok else 'not met'})")
    if speedup is not None:
        print(f"  (c) convert -j 2 speed-up over -j 1: {speedup:.2f}×")
    print(f"  bench time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
