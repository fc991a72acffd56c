"""No quadratic prose code: `extractor.extract` on the seed report and on the same report
repeated 4, 16 and 64 times in one file (issue 16's target: 64× the length in ≤ 70× the
seed's time).

    python bench/bench_prose_scale.py [--seed PATH] [--repeat 3]

CPU seconds of this process, best of `--repeat` for every length (a single run of the seed's
16 ms swings the ratio by half), so the machine's load (printed) barely moves the ratios.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "real" / "ganzhou-2023-zhengwu-self-eval.txt"
sys.path.insert(0, str(ROOT))

from extractor import extract  # noqa: E402


def cpu_seconds(path: Path, repeat: int) -> tuple[float, int]:
    best, found = float("inf"), 0
    for _ in range(repeat):
        started = time.process_time()
        report = extract(path)
        best = min(best, time.process_time() - started)
        found = len(report.quantities)
    return best, found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=Path, default=SEED)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    text = args.seed.read_text("utf-8")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; seed {args.seed.name}, {len(text)} characters")
    extract(args.seed)  # warm up: patterns, jieba
    base, base_found = cpu_seconds(args.seed, args.repeat)
    print(f"{'times':>5} {'characters':>10} {'CPU s':>8} {'quantities':>10} {'time ratio':>10}")
    print(f"{1:5d} {len(text):10d} {base:8.3f} {base_found:10d} {1.0:10.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        for times in (4, 16, 64):
            path = Path(tmp) / f"seed-x{times}.txt"
            path.write_text("\n".join([text] * times), "utf-8")
            seconds, found = cpu_seconds(path, args.repeat)
            print(f"{times:5d} {len(text) * times:10d} {seconds:8.3f} {found:10d} {seconds / base:10.1f}", flush=True)


if __name__ == "__main__":
    main()
