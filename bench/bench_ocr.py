"""Benchmark OCR: accuracy on money figures and seconds per page for each recognizer, and
`jixiao convert` pages/s on image-only PDFs.

    python bench/bench_ocr.py [--engines rapidocr tesseract] [--docs 8] [--jobs 2]

Documents whose answers are known are rendered to page images (pdfium) in two conditions:
`clean` (200 dpi) and `scan` (150 dpi, 0.7° skew, 0.3% salt-and-pepper noise, JPEG quality
60), then OCR'd and read by the whole pipeline:
  - the seed report (../shared/real/ganzhou-2023-zhengwu-self-eval.txt, 5 pages, 58 amounts):
    amount F1 against tests/test_seed_report.py's list, and how many found values carry the
    right unit;
  - generated 自评表 and 决算 tables (extractor.synth, with gold): amount F1 and project
    field F1 (micro-averaged over every field the gold states);
  - CPU seconds per page (OCR and pipeline, render excluded) per engine: on a machine
    shared with other jobs wall-clock time says more about the neighbours than the code.
Then `--docs` image-only PDFs (the scan condition) go through `jixiao convert -j JOBS`:
pages/s with OCR inside the workers. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "real" / "ganzhou-2023-zhengwu-self-eval.txt"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from extractor.evaluation.evaluate import Score  # noqa: E402
from extractor.evaluation.render import render_text_pdf, scan_images  # noqa: E402
from extractor.evaluation.synth import make_document, write_document  # noqa: E402

CONDITIONS = {"clean": dict(dpi=200), "scan": dict(dpi=150, skew=0.7, noise=0.003, jpeg=60)}
TABLE_KINDS = ("project-table", "sichuan-table", "dept-table", "final-accounts")


def _tiff(images: list, path: Path) -> Path:
    images[0].save(path, save_all=True, append_images=images[1:], compression="tiff_deflate")
    return path


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def seed_score(report) -> dict:
    from test_seed_report import SEED_AMOUNTS

    want = Counter((t, Decimal(v)) for t, v, _ in SEED_AMOUNTS)
    amounts = [q for q in report.quantities if q.kind == "amount"]
    got = Counter((q.text.replace(" ", ""), q.value_yuan) for q in amounts)
    tp = sum((got & want).values())
    unit_of = {Decimal(t.rstrip("万元")): ("万元" if t.endswith("万元") else "元") for t, _, _ in SEED_AMOUNTS}
    right_unit = sum(1 for q in amounts if q.value in unit_of and q.unit == unit_of[q.value])
    return {"amount_f1": round(_f1(tp, sum((got - want).values()), sum((want - got).values())), 4),
            "units_right": f"{right_unit}/{sum(1 for q in amounts if q.value in unit_of)}",
            "missed": sorted(t for t, _ in (want - got).elements()),
            "spurious": sorted(t for t, _ in (got - want).elements())}


def table_score(work: Path, condition: dict, engine: str) -> tuple[dict, float, int]:
    from extractor.evaluation.evaluate import predict

    score = Score()
    seconds = pages = 0
    for i, kind in enumerate(TABLE_KINDS):
        spec, gold = make_document(kind, f"bench-ocr-{i}")
        pdf = write_document(spec, gold, work / f"{kind}.pdf")
        gold = json.loads(pdf.with_name(pdf.stem + ".gold.json").read_text("utf-8"))
        images = scan_images(pdf, **condition)
        path = _tiff(images, work / f"{kind}.tif")
        started = time.process_time()
        score.add(gold, predict(str(path)))
        seconds += time.process_time() - started
        pages += len(images)
    rec = score.record()
    fields = Counter()
    for prf in rec["projects"].values():
        fields.update(tp=prf["tp"], fp=prf["fp"], fn=prf["fn"])
    return ({"amount_f1": rec["quantities"]["amount"]["f1"], "project_fields_f1": round(_f1(**fields), 4),
             "misses": score.misses[:10]}, seconds, pages)


def accuracy(engine: str, work: Path) -> None:
    from extractor import extract

    os.environ["JIXIAO_OCR_ENGINE"] = engine
    paragraphs = [ln for ln in SEED.read_text("utf-8").split("\n") if ln.strip()]
    seed_pdf = render_text_pdf(paragraphs, work / "seed.pdf")
    for name, condition in CONDITIONS.items():
        images = scan_images(seed_pdf, **condition)
        path = _tiff(images, work / f"seed-{name}.tif")
        started, cpu = time.perf_counter(), time.process_time()
        report = extract(path)
        seed_wall, seed_seconds = time.perf_counter() - started, time.process_time() - cpu
        tables, t_seconds, t_pages = table_score(work, condition, engine)
        per_page = (seed_seconds + t_seconds) / (len(images) + t_pages)
        print(f"{engine:10s} {name:6s} seed: {json.dumps(seed_score(report), ensure_ascii=False)}")
        print(f"{engine:10s} {name:6s} tables: {json.dumps(tables, ensure_ascii=False)}")
        print(f"{engine:10s} {name:6s} {per_page:.2f} CPU s per page (OCR and pipeline, {len(images) + t_pages} pages;"
              f" seed report {seed_wall / len(images):.2f} s/page wall clock)")
    os.environ.pop("JIXIAO_OCR_ENGINE", None)


def convert_speed(n: int, jobs: int, work: Path) -> None:
    folder = work / "scans"
    folder.mkdir()
    pages = 0
    for i in range(n):
        kind = TABLE_KINDS[i % len(TABLE_KINDS)]
        spec, gold = make_document(kind, f"bench-convert-{i}")
        pdf = write_document(spec, gold, work / f"c{i}.pdf")
        images = scan_images(pdf, **CONDITIONS["scan"], seed=i)
        images[0].save(folder / f"scan-{i:03d}.pdf", save_all=True, append_images=images[1:], resolution=150)
        pages += len(images)
    started = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "extractor.cli", "convert", str(folder), "-o",
                           str(work / "scans.sqlite"), "-j", str(jobs), "-q"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
    print(f"convert -j {jobs}: {n} image-only PDFs, {pages} pages in {seconds:.1f} s = {pages / seconds:.2f} pages/s"
          f" ({cpu_s / pages:.2f} CPU s per page in the workers; exit {proc.returncode})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--engines", nargs="+", default=["rapidocr", "tesseract"])
    ap.add_argument("--docs", type=int, default=8)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-convert", action="store_true")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}, load: {os.getloadavg()[0]:.2f}")
    work = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    try:
        for engine in args.engines:
            accuracy(engine, work)
        if not args.no_convert:
            convert_speed(args.docs, args.jobs, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
