"""Self-evaluation flattenings at scale: N generated tables per layout of the selfeval family.

`python bench/bench_selfeval_layouts.py [N]` writes N documents in every layout, extracts them
(two worker processes) and prints per layout the amounts F1 and the lowest F1 of any project or
indicator field against the gold, and how many documents give facts (amounts by value, unit and
label; projects; indicators) different from their `pipe` original.
"""
from __future__ import annotations

import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

from extractor.evaluation.evaluate import Score, norm, predict
from extractor.evaluation.layouts_selfeval import SELFEVAL_LAYOUTS, make_selfeval_document
from extractor.evaluation.synth import write_document


def _facts(pred: dict) -> tuple:
    def s(v):
        if isinstance(v, str) and v.replace(".", "").isdigit():
            return format(Decimal(v).normalize(), "f")
        return norm(v) if isinstance(v, str) else v
    amounts = sorted((s(q["value_yuan"]),) for q in pred["quantities"] if q["kind"] == "amount")
    projects = sorted(str({k: s(v) for k, v in p.items() if k not in ("page", "extra")}) for p in pred["projects"])
    indicators = sorted(str({k: s(v) for k, v in i.items() if k not in ("page", "extra")}) for i in pred["indicators"])
    return amounts, projects, indicators


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    out = Path(tempfile.mkdtemp(prefix="selfeval-layouts-"))
    golds, paths = {}, []
    for i in range(n):
        for layout in SELFEVAL_LAYOUTS:
            spec, gold = make_selfeval_document(f"bench{i}", layout)
            p = write_document(spec, gold, out / f"selfeval-{i:04d}-{layout}.txt")
            golds[str(p)] = (i, layout, gold)
            paths.append(str(p))
    started = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        preds = dict(zip(paths, pool.map(predict, paths, chunksize=16)))
    took = time.perf_counter() - started
    scores = {layout: Score() for layout in SELFEVAL_LAYOUTS}
    facts: dict[tuple[int, str], tuple] = {}
    for p, (i, layout, gold) in golds.items():
        gold = dict(gold, doc=p)
        scores[layout].add(gold, preds[p])
        facts[(i, layout)] = _facts(preds[p])
    print(f"{n} documents per layout, {len(paths)} in all, extracted in {took:.1f} s on 2 workers")
    print(f"{'layout':<10} {'amount F1':>9} {'project min F1':>15} {'indicator min F1':>17} {'false err':>9} {'differ':>7}")
    for layout, sc in scores.items():
        rec = sc.record()
        amt = rec["quantities"].get("amount", {}).get("f1")
        pmin = min((v["f1"] for v in rec["projects"].values() if v["f1"] is not None), default=None)
        imin = min((v["f1"] for v in rec["indicators"].values() if v["f1"] is not None), default=None)
        differ = sum(1 for i in range(n) if facts[(i, layout)] != facts[(i, "pipe")])
        print(f"{layout:<10} {amt:>9.3f} {pmin:>15.3f} {imin:>17.3f} {sc.false_errors:>9} {differ:>7}")


if __name__ == "__main__":
    main()
