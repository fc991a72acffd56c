"""Benchmark `jixiao convert`: N generated documents, `-j 1` against `-j 2`, and peak memory.

    python bench/bench_convert.py [--n 200] [--seed 1] [--jobs 1 2] [--kind mixed|disclosure]

Documents come from `extractor.evaluation.synth.generate(n, out_dir, seed=..., error_rate=...)` when it
exists, else from the simple text-report generator below. Each run is a fresh `jixiao
convert` process into a fresh dataset; printed per setting: wall time (best of --repeat),
CPU seconds of the whole process tree (wait4) and the cores that kept busy, the peak
resident memory of the largest process (wait4), and, sampled every 0.1 s with psutil, the
peak RSS of each worker (with the memory unique to it: forked workers share the pages of
the warmed-up pipeline) and of the fork server. The load average before and after is
printed: on a machine whose cores are taken by other work, a second worker cannot run in
parallel, and the CPU seconds are the figure to compare.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

DEPARTMENTS = ["甘州区政务服务管理局", "南县政协办公室", "青神县发展和改革局", "绥阳县太白镇人民政府",
               "绵阳市科学技术局", "西平县交通运输局", "永州市零陵区疾病预防控制中心"]
ITEMS = [("201", "一般公共服务支出"), ("205", "教育支出"), ("208", "社会保障和就业支出"),
         ("210", "卫生健康支出"), ("213", "农林水支出"), ("221", "住房保障支出")]
PROJECTS = ["政务服务中心运行经费", "信息化建设项目", "乡村振兴衔接资金", "公共卫生服务补助", "农村公路养护"]


def _amount(rnd: random.Random) -> str:
    return f"{rnd.randint(1, 99999)}.{rnd.randint(0, 99):02d}"


def text_report(rnd: random.Random) -> str:
    """A plausible 部门绩效自评 text of a few pages: budget lines, projects, an indicator table."""
    dept, year = rnd.choice(DEPARTMENTS), rnd.randint(2018, 2024)
    lines = [f"{dept}{year}年度部门整体支出绩效自评报告", "", "一、部门基本情况",
             f"{dept}是主管部门，内设机构{rnd.randint(3, 12)}个，编制人数{rnd.randint(10, 90)}人。",
             "二、部门整体支出情况", "单位：万元"]
    for code, item in rnd.sample(ITEMS, 4):
        budget, final = _amount(rnd), _amount(rnd)
        lines.append(f"{year}年{item}（{code}）年初预算数{budget}万元，决算数{final}万元。")
    for name in rnd.sample(PROJECTS, 3):
        b = rnd.randint(10, 900)
        e = round(b * rnd.uniform(0.6, 1.0), 2)
        lines += [f"项目名称：{name}", f"年初预算数：{b}万元，全年执行数：{e}万元，执行率{e / b * 100:.2f}%。",
                  "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分"]
        for k in range(rnd.randint(4, 8)):
            target = rnd.randint(80, 100)
            lines.append(f"产出指标\t数量指标\t指标{k + 1}\t≥{target}%\t{rnd.randint(70, 100)}%\t10\t{rnd.randint(6, 10)}")
    lines += ["三、绩效目标完成情况", f"全年共办理事项{rnd.randint(1000, 90000)}件，较上年增长{rnd.randint(1, 30)}个百分点。"]
    lines += [f"其中第{i + 1}季度支出{_amount(rnd)}元。" for i in range(4)]
    lines += ["四、存在问题及改进措施", "预算编制不够精细，部分项目执行进度偏慢。" * 3]
    return "\n".join(lines * 2) + "\n"


def generate(n: int, out_dir: Path, seed: int, kind: str = "mixed") -> str:
    """Write the documents; return which generator made them. `kind` "disclosure": whole
    部门决算 disclosures (nine tables and the 说明, PDF/DOCX/XLSX/TXT rotating), the documents
    an archive of final accounts is made of; "mixed": the generated reports of every kind,
    most of one page (a conversion of ~15 ms each, so fixed costs weigh more)."""
    if kind == "disclosure":
        from extractor.evaluation.disclosure import generate_disclosures

        generate_disclosures(n, out_dir, seed=seed, error_rate=0.1)
        return "extractor.evaluation.disclosure.generate_disclosures"
    try:
        from extractor.evaluation.synth import generate as synth_generate
    except ImportError:
        synth_generate = None
    if synth_generate is not None:
        synth_generate(n, str(out_dir), seed=seed, error_rate=0.1)  # convert leaves *.gold.json out
        return "extractor.evaluation.synth.generate"
    rnd = random.Random(seed)
    for i in range(n):
        (out_dir / f"report-{i:04d}.txt").write_text(text_report(rnd), "utf-8")
    return "bench text generator"


def _sample(pid: int, peaks: dict[int, list], stop: threading.Event) -> None:
    """For each process under `pid`, until `stop`, every 0.1 s: its role, its parent, its
    peak RSS and peak unique memory (MiB), and its CPU seconds at the last look."""
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        try:
            children = root.children(recursive=True)
        except psutil.Error:
            return
        for child in children:
            try:
                with child.oneshot():
                    command = " ".join(child.cmdline())
                    info = child.memory_full_info()
                    cpu = child.cpu_times()
                    parent = child.ppid()
            except psutil.Error:
                continue
            # a worker forked from the fork server has the server's command line
            role = ("tracker" if "resource_tracker" in command
                    else "server" if "forkserver" in command and parent == pid else "worker")
            seen = peaks.setdefault(child.pid, [role, parent, 0.0, 0.0, 0.0])
            seen[2] = max(seen[2], info.rss / 2**20)
            seen[3] = max(seen[3], info.uss / 2**20)
            seen[4] = cpu.user + cpu.system
        stop.wait(0.1)


def run(corpus: Path, db: Path, jobs: int) -> tuple[float, int, str, float, dict]:
    """Wall seconds, peak RSS (KiB) of the largest process, the summary line, the CPU
    seconds of the whole process tree of one run, and the sampled peaks per child process."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", "convert", str(corpus), "-o", str(db),
                             "-j", str(jobs)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, list] = {}
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(proc.pid, peaks, stop), daemon=True)
    sampler.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    stop.set()
    sampler.join()
    elapsed = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"convert -j {jobs} failed ({proc.returncode}):\n{err}")
    summary = next((ln for ln in err.splitlines() if " converted, " in ln), "")
    # wait4 counts the parent and the children it waited for (spawned workers); a fork
    # server and the workers forked from it are not waited for by the parent: their CPU
    # seconds are taken from the last look at each (so up to 0.1 s of each may be missed)
    unwaited = sum(p[4] for p in peaks.values() if p[1] != proc.pid or p[0] == "server")
    return elapsed, usage.ru_maxrss, summary.split("\r")[-1], usage.ru_utime + usage.ru_stime + unwaited, peaks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kind", choices=("mixed", "disclosure"), default="mixed",
                    help="generated reports of every kind, or whole 部门决算 disclosures")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=3, help="runs per setting; the fastest counts (shared CPUs are noisy)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-convert-"))
    try:
        corpus = work / "corpus"
        corpus.mkdir()
        made_by = generate(args.n, corpus, args.seed, args.kind)
        size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file() and not p.name.endswith(".gold.json"))
        print(f"{args.n} documents ({size / 1e6:.1f} MB) from {made_by}; {os.cpu_count()} cores; "
              f"load average {os.getloadavg()[0]:.2f} before")
        times = {}
        # interleaved (j1, j2, j1, j2, ...) so passing load from other processes hits both alike
        runs: dict[int, list] = {jobs: [] for jobs in args.jobs}
        for k in range(args.repeat):
            for jobs in args.jobs:
                runs[jobs].append(run(corpus, work / f"j{jobs}-{k}.sqlite", jobs))
        for jobs in args.jobs:
            best = min(runs[jobs], key=lambda r: r[0])
            elapsed = best[0]
            peak_kib = max(r[1] for r in runs[jobs])
            times[jobs] = elapsed
            # CPU seconds per wall second: how many cores the run kept busy (other load on a
            # shared machine lowers the wall-clock speed-up but shows up here too)
            print(f"-j {jobs}: {elapsed:7.2f} s  {args.n / elapsed:6.1f} docs/s  cpu {best[3]:6.2f} s "
                  f"({best[3] / elapsed:4.2f} cores busy)  peak RSS {peak_kib / 1024:5.0f} MiB (largest waited process)  "
                  f"[runs: {', '.join(f'{r[0]:.2f}' for r in runs[jobs])} s]  | {runs[jobs][0][2]}")
            children = [p for r in runs[jobs] for p in r[4].values()]
            for role in ("worker", "server"):
                mine = [p for p in children if p[0] == role]
                if mine:
                    print(f"      {role}s: peak RSS {max(p[2] for p in mine):5.0f} MiB each at most, "
                          f"unique to one {max(p[3] for p in mine):5.0f} MiB at most ({len(mine)} over {args.repeat} runs)")
        if 1 in times:
            for jobs, t in times.items():
                if jobs != 1:
                    cpu = {j: min(runs[j], key=lambda r: r[0])[3] for j in (1, jobs)}
                    print(f"speed-up -j {jobs} vs -j 1: {times[1] / t:.2f}x wall; CPU seconds {cpu[jobs]:.2f} "
                          f"against {cpu[1]:.2f} ({cpu[jobs] / cpu[1]:.2f}x the work)")
        print(f"load average {os.getloadavg()[0]:.2f} after")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
