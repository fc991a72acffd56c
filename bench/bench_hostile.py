"""Hostile and huge inputs through `jixiao extract`: seconds, peak memory, exit status.

    python bench/bench_hostile.py [--only SUBSTRING] [--timeout 60] [--wall 1800] [--prose 1,10,100]

Each input of issue 17's table is generated (tests/hostile_corpus.py), then `jixiao extract`
runs on it in a fresh process; the peak resident memory is the largest of that process and
its reading worker (wait4 of the command; the worker is its child), `seconds` is wall clock
and `cpu` the user + system time of both (what a loaded machine does not inflate). Prose
texts are also measured per MB to show the cost is linear. `--timeout` is passed to
`extract` (a long text is read in sections and the limit applies to each); `--wall` is when
the bench itself gives up on a run.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import hostile_corpus  # noqa: E402


def run_extract(path: Path, wall: float, extra: list[str] | None = None) -> tuple[float, float, float, int, str, int]:
    """(seconds, cpu seconds, peak MiB, exit status, last stderr line, records) of `jixiao extract path`."""
    cmd = [sys.executable, "-m", "extractor.cli", "extract", str(path), *(extra or [])]
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        deadline = started + wall
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        records = sum(1 for _ in out)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    # the command's own usage covers the worker it waited for (RUSAGE_CHILDREN of the command)
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, proc.returncode, (lines[-1] if lines else ""), records


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--timeout", type=float, default=60, help="extract's --timeout")
    ap.add_argument("--wall", type=float, default=1800, help="seconds before the bench kills a run")
    ap.add_argument("--prose", default="0.1,1,10", help="sizes in MB of the prose texts")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = dict(hostile_corpus.ISSUE_TABLE)
        cases.pop("text 10 MB prose")
        for mb in (float(x) for x in args.prose.split(",") if x):
            cases[f"text {mb:g} MB prose"] = (hostile_corpus.prose_text, {"megabytes": mb})
        print(f"{'input':32} {'size':>9} {'seconds':>8} {'cpu':>6} {'cpu/MB':>6} {'MiB':>6} {'exit':>4} "
              f"{'records':>7}  stderr")
        for name, (make, kwargs) in cases.items():
            if args.only.lower() not in name.lower():
                continue
            path = make(folder, **kwargs)
            size = path.stat().st_size
            seconds, cpu, mib, code, err, records = run_extract(path, args.wall, ["--timeout", str(args.timeout)])
            per_mb = cpu / (size / 1024 / 1024)
            print(f"{name:32} {size:>9} {seconds:8.2f} {cpu:6.2f} {per_mb:6.2f} {mib:6.0f} {code:>4} {records:>7}  "
                  f"{err[:100]}", flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
