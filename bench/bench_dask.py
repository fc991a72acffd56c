"""Benchmark the Dask engine against the local pool on the same generated documents.

    pip install '.[cluster]' && python bench/bench_dask.py [--n 200] [--seed 1] [--repeat 1] [--real DIR]

Rows:
- `local -j N`: `jixiao convert DIR -j N` into SQLite, a fresh process (spawn + warm-up included).
- `dask N workers, cold`: `jixiao convert DIR --engine dask -j N`, a fresh process that starts
  its LocalCluster (what one run on one machine costs).
- `dask N workers, warm (sqlite|parquet)`: the run joining an already running cluster whose
  workers converted a few documents before (what each run costs on a standing cluster,
  where the scheduler and workers are started once).
Overhead of the Dask path = its seconds / the local pool's seconds - 1, at the same workers.
On a shared machine wall time follows the other load; the CPU seconds of the run's whole
process tree (client, scheduler, workers and their child processes) do not, so both are shown.
(`local -j 1` converts in its own process; the Dask engine always uses a child process per
worker, so its 1-worker row also pays that process's start and warm-up.)

Last, a projection for `--project-docs` documents on `--project-cores` cores from the CPU
seconds per document of the warm Parquet run at 2 workers (the cluster's steady state:
workers write their own batches, nothing funnels through one writer), assuming the cores
are as fast as these and the inputs are read as fast as here (shared storage that keeps up).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cli(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `jixiao convert` process and every process it waited for."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", "convert", *args, "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"convert {' '.join(args)} failed:\n{err}")
    return time.monotonic() - started, usage.ru_utime + usage.ru_stime


def _tree_cpu() -> float:
    """CPU seconds of this Dask worker, its live child processes and those it has reaped (run
    on each worker)."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:4])  # user, system, and the same of reaped children (a timed-out document)
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.NoSuchProcess:
            pass
    return total


def _cluster_cpu(client) -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)  # the client and the LocalCluster's scheduler
    return own.ru_utime + own.ru_stime + sum(client.run(_tree_cpu).values())


def warm(corpus: Path, work: Path, workers: int, warm_up: Path, repeat: int,
         formats: tuple[str, ...] = ("sqlite", "parquet")) -> dict[str, tuple[float, float, dict]]:
    """(wall, CPU seconds, summary) per output format on a standing LocalCluster of `workers`
    workers (the fastest of `repeat` runs)."""
    import dask
    from distributed import Client, LocalCluster

    from extractor.dataset.convert import convert

    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    try:
        convert([str(warm_up)], str(work / f"warm-{workers}.sqlite"), engine="dask",
                scheduler=cluster.scheduler_address, quiet=True)
        best = {}
        for fmt in formats:
            suffix = ".sqlite" if fmt == "sqlite" else ""
            runs = []
            for k in range(repeat):
                out = work / f"dask{workers}-{fmt}-{k}{suffix}"
                cpu = _cluster_cpu(client)
                started = time.monotonic()
                summary = convert([str(corpus)], str(out), engine="dask", scheduler=cluster.scheduler_address,
                                  out_format=fmt, quiet=True)
                runs.append((time.monotonic() - started, _cluster_cpu(client) - cpu, summary))
            best[fmt] = min(runs, key=lambda r: r[0])
        return best
    finally:
        client.close()
        cluster.close()


def project(what: str, per_doc: float, args: argparse.Namespace) -> None:
    """Print how long `--project-docs` documents take on `--project-cores` busy cores."""
    hours = args.project_docs * per_doc / args.project_cores / 3600
    print(f"projection from {what}: {per_doc:.3f} CPU s per document -> {args.project_docs:,} documents on "
          f"{args.project_cores} cores in {hours:.1f} h ({args.project_cores / per_doc:.0f} docs/s), if the "
          f"cores are busy all the time and storage keeps up")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs per setting; the fastest counts")
    ap.add_argument("--project-docs", type=int, default=10_000_000)
    ap.add_argument("--project-cores", type=int, default=64)
    ap.add_argument("--real", default=None, help="a folder of real reports to project from as well")
    args = ap.parse_args()
    from extractor.evaluation.synth import generate

    work = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    try:
        corpus, warm_up = work / "corpus", work / "warm-up"
        generate(args.n, corpus, seed=args.seed, error_rate=0.1)
        generate(4, warm_up, seed=args.seed + 1000)
        print(f"{args.n} generated documents; {os.cpu_count()} cores; load average "
              f"{os.getloadavg()[0]:.1f} at the start")
        seconds: dict[str, tuple[float, float]] = {}
        for k in range(args.repeat):
            for jobs in (1, 2):
                for name, extra in ((f"local -j {jobs}", []),
                                    (f"dask {jobs} workers, cold", ["--engine", "dask"])):
                    t = cli([str(corpus), "-o", str(work / f"{k}-{jobs}-{len(extra)}.sqlite"), "-j", str(jobs), *extra])
                    seconds[name] = min(seconds.get(name, t), t)
        for workers in (1, 2):
            for fmt, (t, cpu, _) in warm(corpus, work, workers, warm_up, args.repeat).items():
                seconds[f"dask {workers} workers, warm ({fmt})"] = (t, cpu)
        for name, (t, cpu) in seconds.items():
            line = f"{name:34s} {t:7.2f} s  {args.n / t:6.1f} docs/s  cpu {cpu:6.2f} s"
            jobs = 1 if name.startswith(("local -j 1", "dask 1")) else 2
            if name.startswith("dask"):
                local_t, local_cpu = seconds[f"local -j {jobs}"]
                line += f"   overhead vs local -j {jobs}: wall {t / local_t - 1:+.0%}, cpu {cpu / local_cpu - 1:+.0%}"
            print(line)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
        _, cpu = seconds["dask 2 workers, warm (parquet)"]
        project("generated documents", cpu / args.n, args)
        if args.real:
            t, cpu, summary = warm(Path(args.real), work, 2, warm_up, 1, ("parquet",))["parquet"]
            docs = summary["converted"] + summary["failed"]
            print(f"{args.real}: {docs} documents, {summary['pages']} pages, dask 2 workers warm (parquet) "
                  f"{t:.2f} s, cpu {cpu:.2f} s ({cpu / max(summary['pages'], 1):.3f} CPU s per page); "
                  f"failed by reason: {summary['failed_by_reason']}")
            project("these real documents", cpu / docs, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
