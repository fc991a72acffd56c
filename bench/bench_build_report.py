"""Per-document cost of `build_report` (everything of `jixiao extract` after reading), by stage.

    python bench/bench_build_report.py [--repeat N] [--cold] [--no-generated] [FILE...]
        (default: every document of corpus/, all formats, and one generated PDF of every kind)

Every document is read once (`extractor.readers.read`, no OCR); its Document is pickled,
and each timed run builds the report of a fresh unpickled copy (the stages add tables to
the Document they are given; the unpickling is not timed). CPU time of this process, best
of N rounds (a round runs every document once, so the machine's load weighs on all alike;
a short document gets more rounds, until 0.2 s went to it, at most 50), in ms per document,
for each stage of `pipeline.build_report` as it ends (its `clock`): flattened tables,
meta, quantities (with OCR confidence), self-evaluation forms, projects from prose, budget
lines, checks; then the total.

By default the caches keyed by texts stay as the previous run of the same document left
them (issue 16 times `jixiao extract` of a file after warm-up). `--cold` clears, before
each run, every bounded cache of the package (`functools.lru_cache` with a maxsize above
one: what is keyed by texts and labels) and the normalised long texts, as for a document
none of whose texts were seen before; loaded patterns stay loaded, and so do the caches of
single characters (`PER_CHARACTER`: a process soon holds every character it meets).
"""
from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extractor.pipeline import build_report  # noqa: E402
from extractor.readers import read  # noqa: E402
from textcaches import bounded_caches, forget  # noqa: E402

STAGES = ("flattened", "meta", "quantities", "selfeval", "prose projects", "budget lines", "checks")
CORPUS_SUFFIXES = {".pdf", ".docx", ".xlsx", ".xls", ".txt", ".csv", ".html"}
MIN_SECONDS = 0.2
MAX_RUNS = 50


def corpus_paths() -> list[str]:
    return sorted(str(p) for p in (ROOT / "corpus").iterdir()
                  if p.suffix in CORPUS_SUFFIXES and not p.name.endswith(".gold.json") and p.name != "README.md")


def timed_run(frozen: bytes, caches: list | None) -> tuple[float, dict[str, float]]:
    """CPU seconds of one `build_report` on a fresh copy, and of each stage."""
    doc = pickle.loads(frozen)
    if caches is not None:
        forget(caches)
    stages: dict[str, float] = {}
    last = [0.0]

    def clock(stage: str) -> None:
        now = time.process_time()
        stages[stage] = now - last[0]
        last[0] = now

    last[0] = start = time.process_time()
    build_report(doc, clock=clock)
    return time.process_time() - start, stages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--cold", action="store_true", help="clear the text-keyed caches before every run")
    parser.add_argument("--no-generated", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths = args.paths or corpus_paths()
        if not args.paths and not args.no_generated:
            from bench_pdf_readers import generated

            paths += generated(Path(tmp))
        run(paths, args.repeat, args.cold)


def run(paths: list[str], repeat: int, cold: bool) -> None:
    from extractor.text.quantities import warm_up

    warm_up()
    frozen = {}
    for path in paths:
        doc = read(path, ocr="never")
        frozen[path] = pickle.dumps(doc)
        build_report(pickle.loads(frozen[path]))  # warm-up: patterns, and this document's texts
    caches = bounded_caches() if cold else None
    best: dict[str, tuple[float, dict[str, float]]] = {path: (float("inf"), {}) for path in paths}
    spent = dict.fromkeys(paths, 0.0)
    rounds = 0
    while True:
        pending = [p for p in paths if rounds < repeat or (spent[p] < MIN_SECONDS and rounds < MAX_RUNS)]
        if not pending:
            break
        for path in pending:
            took, stages = timed_run(frozen[path], caches)
            spent[path] += took
            if took < best[path][0]:
                best[path] = (took, stages)
        rounds += 1
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"ms per document, CPU, best of at least {repeat} runs; {'cold' if cold else 'warm'} caches")
    short = {"flattened": "flat", "meta": "meta", "quantities": "quant", "selfeval": "selfev",
             "prose projects": "projs", "budget lines": "budget", "checks": "checks"}
    print(f"{'document':40} {'chars':>6} " + " ".join(f"{short[s]:>6}" for s in STAGES) + f" {'total':>7}")
    sums = dict.fromkeys(STAGES, 0.0)
    total = 0.0
    for path in paths:
        took, stages = best[path]
        chars = len(pickle.loads(frozen[path]).text)
        print(f"{Path(path).name[:40]:40} {chars:6d} " + " ".join(f"{1000 * stages[s]:6.2f}" for s in STAGES)
              + f" {1000 * took:7.2f}")
        for s in STAGES:
            sums[s] += stages[s]
        total += took
    print(f"{'all':40} {'':6} " + " ".join(f"{1000 * sums[s]:6.1f}" for s in STAGES) + f" {1000 * total:7.1f}")


if __name__ == "__main__":
    main()
