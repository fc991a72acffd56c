"""Per-document scores of the real self-evaluation excerpts against their gold files.

`python bench/bench_real_selfeval.py [gold/real]`: for each gold file, amounts P/R/F1 and the
share of the project fields the gold states that come out right (a field counts right when the
predicted project paired by name holds the same value).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from extractor.evaluation.evaluate import PROJECT_FIELDS, Score, gold_files, predict


def per_document(directory: str | Path) -> list[dict]:
    rows = []
    for g in gold_files(directory):
        gold = json.loads(g.read_text("utf-8"))
        score = Score()
        score.add(gold, predict(str(g.parent / gold["doc"])))
        rec = score.record()
        amounts = rec["quantities"].get("amount", {})
        stated = sum(1 for p in gold["projects"] for f in PROJECT_FIELDS if p.get(f) is not None)
        right = sum(score.projects[f].tp for f in PROJECT_FIELDS)
        rows.append({"doc": Path(gold["doc"]).name[:40], "amounts": len(gold["amounts"]),
                     "P": amounts.get("precision"), "R": amounts.get("recall"), "F1": amounts.get("f1"),
                     "project_fields": f"{right}/{stated}", "project_acc": round(right / stated, 3) if stated else None,
                     "misses": [m for m in rec["misses"] if m["kind"] in ("amount", "project")]})
    return rows


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "-v"]
    rows = per_document(args[0] if args else "gold/real")
    print(f"{'document':<42} {'gold':>4} {'P':>6} {'R':>6} {'F1':>6} {'project fields':>15}")
    for r in rows:
        f = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
        print(f"{r['doc']:<42} {r['amounts']:>4} {f(r['P']):>6} {f(r['R']):>6} {f(r['F1']):>6} "
              f"{r['project_fields']:>8} {f(r['project_acc']):>6}")
        if "-v" in sys.argv:
            for m in r["misses"]:
                print(f"      {m['kind']} {m['type']}: {m['text']} {m['value'] if m['value'] is not None else ''}")


if __name__ == "__main__":
    main()
