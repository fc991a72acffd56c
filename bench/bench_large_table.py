"""Scaling of the pipeline on one large 决算 table (finance-system exports reach tens of
thousands of rows): prints seconds per 1,000 rows for growing tables, which stays flat when
every stage is linear. Not part of the tests.

    python bench/bench_large_table.py [--rows 5000 10000 20000]
"""
from __future__ import annotations

import argparse
import random
import time

from extractor.model import Block, Document, Table
from extractor.pipeline import build_report


def table_document(rows: int, seed: int = 1) -> Document:
    rng = random.Random(seed)
    cells = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
    for i in range(rows):
        a, b = rng.randint(100, 99999) / 100, rng.randint(100, 99999) / 100
        cells.append([str(2010000 + i % 9999), f"科目{i}", f"{a + b:.2f}", f"{a:.2f}", f"{b:.2f}"])
    title = "某局2023年度部门决算"
    table = Table(index=0, cells=cells, page=1, context="支出决算表\n单位：万元")
    return Document(path=f"<{rows} rows>", reader="xlsx", text=title, pages=1, page_starts=[0],
                    blocks=[Block("paragraph", 1, 0, len(title)), Block("table", 1, table=table)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[5000, 10000, 20000])
    args = ap.parse_args()
    build_report(table_document(50))  # load patterns and jieba once
    for n in args.rows:
        doc = table_document(n)
        t = time.perf_counter()
        report = build_report(doc)
        dt = time.perf_counter() - t
        print(f"{n:>7} rows  {len(report.quantities):>7} quantities  {dt:6.2f} s  {1000 * dt / n:6.3f} s per 1,000 rows")


if __name__ == "__main__":
    main()
