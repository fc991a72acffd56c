"""A fast first answer: `jixiao extract` on a one-line text file against `import pdfplumber`.

Median of 5 runs of each, in this environment, one after the other (issue 16's target:
≤ 0.6 s and ≤ 1.8× the import). Usage: python bench/bench_startup.py
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _median(cmd: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.txt"
        one.write_text("本年支出合计100万元。\n", "utf-8")
        extract = _median([sys.executable, "-m", "extractor.cli", "extract", str(one)])
        plumber = _median([sys.executable, "-c", "import pdfplumber"])
    print(f"jixiao extract (one line): {extract:.3f} s; import pdfplumber: {plumber:.3f} s; "
          f"ratio {extract / plumber:.2f}")


if __name__ == "__main__":
    main()
