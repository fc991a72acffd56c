"""The disclosure checks' share of `extract` time (issue 11: the check stays a small part of the run).

    python bench/bench_checks.py [--n 40] [--real ../shared/real] [--repeat 3]

For each document: the whole `extract` (read, quantities, facts, every check), then, on
the report it made, the checks alone — every family (`run_checks`, its shared ledger and
relation reading redone) and the disclosure families of issue 11 (the nine tables read as
a disclosure, identities, cross-table, restatements, shares, words, years). Documents: the
real 决算 PDFs in `--real` (31_, 32_, 40_, 42_) and `--n` generated disclosures (TXT and
DOCX, half of them with a planted error). Prints each share; the best of `--repeat` runs is
kept for every timing (a shared machine's noise only ever adds).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from extractor import extract
from extractor.checks import relations, run_checks
from extractor.checks import disclosure as disclosure_checks
from extractor.checks import restatement
from extractor.evaluation.disclosure import ERROR_CLASSES, make_disclosure
from extractor.evaluation.render import render

REAL_DECISIONS = ("31_", "32_", "40_", "42_")
MINE = (disclosure_checks.check_disclosure, restatement.check_restatements, restatement.check_named_shares,
        restatement.check_comparison_words, restatement.check_stray_years)


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _fresh() -> None:
    """Forget the shared readings so a timing includes them."""
    relations.relations_of.forget()
    disclosure_checks.disclosure_of.forget()


def measure(path: Path, repeat: int) -> tuple[float, float, float]:
    report = extract(path)
    t_extract = _best(lambda: extract(path), repeat)

    def all_checks() -> None:
        _fresh()
        run_checks(report)

    def mine() -> None:  # the ledgers stay read: the sums check reads them for every table anyway
        disclosure_checks.disclosure_of.forget()
        for fn in MINE:
            fn(report)

    relations.relations_of(report)
    t_all = _best(all_checks, repeat)
    relations.relations_of(report)
    t_mine = _best(mine, repeat)
    return t_extract, t_all, t_mine


def _row(name: str, t: tuple[float, float, float]) -> str:
    e, a, m = t
    return f"{name[:48]:<48} {e * 1000:9.1f} {a * 1000:9.1f} {100 * a / e:6.1f}% {m * 1000:9.1f} {100 * m / e:6.1f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=40, help="generated disclosures")
    ap.add_argument("--real", default=str(Path(__file__).resolve().parent.parent.parent / "shared" / "real"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    head = f"{'document':<48} {'extract':>9} {'checks':>9} {'share':>7} {'issue11':>9} {'share':>7}  (ms)"
    totals: dict[str, list[float]] = {}
    print(head)
    real = Path(args.real)
    for p in sorted(real.glob("*.pdf")) if real.exists() else []:
        if p.name.startswith(REAL_DECISIONS):
            t = measure(p, args.repeat)
            totals.setdefault("real 决算 PDFs", []).append(t)
            print(_row(p.name, t))
    classes = [None, *ERROR_CLASSES]
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.n):
            fmt = ("txt", "docx")[i % 2]
            spec, _gold = make_disclosure(f"bench:{i}", classes[i % len(classes)] if i % 2 else None, fmt=fmt)
            path = Path(tmp) / f"d{i}.{fmt}"
            render(spec, path)
            totals.setdefault(f"generated ({fmt})", []).append(measure(path, args.repeat))
    print()
    for name, ts in totals.items():
        e, a, m = (sum(t[k] for t in ts) for k in range(3))
        print(_row(f"{name}: {len(ts)} documents", (e, a, m)))


if __name__ == "__main__":
    main()
