"""A fast first answer: `jixiao extract` on a one-line text file against `import pdfplumber`.

Median of 5 runs of each, in this environment, one after the other (issue 16's target:
≤ 0.6 s and ≤ 1.8× the import), in wall time and in CPU seconds of the child processes
(what the machine's load does not distort). The package's modules are byte-compiled
first, as an installed wheel's are (an editable install under PYTHONDONTWRITEBYTECODE
would compile every module on every run, which no user's installation does).
Usage: python bench/bench_startup.py
"""
from __future__ import annotations

import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _median(cmd: list[str], runs: int = 5) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (user + system of the command and its
    worker processes)."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    compileall.compile_dir(str(ROOT / "extractor"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.txt"
        one.write_text("本年支出合计100万元。\n", "utf-8")
        extract, extract_cpu = _median([sys.executable, "-m", "extractor.cli", "extract", str(one)])
        plumber, plumber_cpu = _median([sys.executable, "-c", "import pdfplumber"])
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"jixiao extract (one line): {extract:.3f} s wall, {extract_cpu:.3f} s CPU; "
          f"import pdfplumber: {plumber:.3f} s wall, {plumber_cpu:.3f} s CPU; "
          f"ratio {extract / plumber:.2f} wall, {extract_cpu / plumber_cpu:.2f} CPU")


if __name__ == "__main__":
    main()
