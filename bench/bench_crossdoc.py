"""Benchmark the incremental cross-document check (`extractor/dataset/crossdoc.py`).

    python bench/bench_crossdoc.py [--n 5000] [--add 100] [--departments 5] [--seed 1]

Budget lines come from `extractor.evaluation.synth` (the gold of generated 部门决算 documents),
spread over a few departments and ten years: every document of one department and year
restates the same figures (as real archives do: a budget, its final accounts, next year's
report), and 2 % of the documents restate one figure differently. The documents are
written straight into a dataset (conversion is not what is measured), then timed:
the first check over all of them, a rerun with nothing changed, then `--add` more documents
twice, each beside the same documents alone in a fresh dataset: documents of a year not yet
held (how an archive grows), and documents of the years held (a backfill, whose new flags
grow with the documents already there: one per disagreeing pair).
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from extractor.dataset import store
from extractor.dataset.crossdoc import check_across_documents
from extractor.evaluation.synth import make_document

DEPARTMENTS = ["甘州区政务服务管理局", "南县政协办公室", "青神县发展和改革局", "绵阳市科学技术局", "西平县交通运输局",
               "永州市零陵区疾病预防控制中心", "绥阳县太白镇人民政府"]


def canonical_lines(department: str, year: int, seed: int) -> list[dict]:
    """The budget lines of one department and year, from a generated final-accounts document."""
    _, gold = make_document("final-accounts", f"{seed}:{department}:{year}", 0.0, "txt")
    return [{**line, "year": year, "value_yuan": Decimal(line["value_yuan"]), "precision_yuan": Decimal("0.01"),
             "text": f"{line['item']}{line['value_yuan']}元", "page": 1} for line in gold["budget_lines"]]


def write_documents(conn: sqlite3.Connection, first: int, n: int, departments: int, seed: int,
                    cache: dict, year: int | None = None) -> None:
    """Documents `first`… of the departments in turn, over the years 2015–2024 (or all of `year`)."""
    rnd = random.Random(f"{seed}:{first}")
    for i in range(first, first + n):
        dept = DEPARTMENTS[i % departments]
        doc_year = 2015 + (i // departments) % 10 if year is None else year
        lines = cache.setdefault((dept, doc_year), canonical_lines(dept, doc_year, seed))
        lines = [dict(line) for line in lines]
        if rnd.random() < 0.02:  # one figure restated differently
            k = rnd.randrange(len(lines))
            lines[k]["value_yuan"] += Decimal(rnd.randint(1, 9999))
        facts = store.encode_facts({"budget_lines": lines})
        store.write_document(conn, f"doc{i:06d}", [{"path": f"/archive/{dept}/{doc_year}/doc{i:06d}.txt",
                                                    "status": "ok", "size": 1, "mtime_ns": 1, "tool_version": "bench",
                                                    "department": dept}], facts)


def timed(fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--add", type=int, default=100)
    ap.add_argument("--departments", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-crossdoc-"))
    cache: dict = {}
    conn = store.open_store(str(work / "big.sqlite"))
    seconds, _ = timed(write_documents, conn, 0, args.n, args.departments, args.seed, cache)
    lines = conn.execute("SELECT COUNT(*) FROM budget_lines").fetchone()[0]
    print(f"{args.n} documents of {args.departments} departments, {lines} budget lines (written in {seconds:.1f} s)")
    seconds, flags = timed(check_across_documents, conn)
    print(f"first check, all {args.n} documents: {seconds:8.3f} s  ({flags} flags)")
    seconds, flags = timed(check_across_documents, conn)
    print(f"rerun, nothing changed:        {seconds:8.3f} s  ({flags} flags)")
    # how an archive grows: next year's documents, which restate figures of their own year
    # only; then a backfill: documents of years already held, each compared with the ~N/50
    # documents of its department and year (a pair that disagrees is a flag on each side)
    for what, year, first in (("of a new year (2025)", 2025, args.n), ("of the years held", None, args.n + args.add)):
        before = flags
        write_documents(conn, first, args.add, args.departments, args.seed, cache, year)
        seconds, flags = timed(check_across_documents, conn)
        alone = store.open_store(str(work / f"alone-{first}.sqlite"))
        write_documents(alone, first, args.add, args.departments, args.seed, cache, year)
        alone_seconds, alone_flags = timed(check_across_documents, alone)
        print(f"{args.add} documents {what} added: {seconds:8.3f} s  ({flags - before} new flags); "
              f"the same {args.add} alone: {alone_seconds:8.3f} s  ({alone_flags} flags)")

if __name__ == "__main__":
    main()
