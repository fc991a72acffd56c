"""Pages of a long PDF read by forked processes (`extract -j N`) give the very Document one
process gives; failures of a helper reach the reader."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from extractor.readers import page_jobs, pdf

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="page helpers are forked (POSIX)")


def signature(doc) -> tuple:
    return (doc.text, doc.page_starts, doc.pages, doc.needs_ocr, doc.meta, [
        (b.kind, b.page, b.start, b.end,
         b.table and (b.table.cells, b.table.context, b.table.merged, b.table.page))
        for b in doc.blocks
    ])


@fork_only
@pytest.mark.parametrize("path, jobs", [
    (SHARED / "real" / "45_guangzhou-xinfang-2026-budget-bracket-codes.pdf", 3),
    (ROOT / "corpus" / "10-sichuan-table-errors.pdf", 2),
])
def test_pages_read_in_forked_runs_give_the_same_document(path: Path, jobs: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if not path.exists():
        pytest.skip("real documents not available")
    if not page_jobs.can_fork():
        pytest.skip("other threads run in this process: no fork")
    serial = pdf.read(str(path), ocr="never")
    monkeypatch.setattr(page_jobs, "MIN_PAGES", 2)
    forks = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(page_jobs.os, "fork", counted)
    parallel = pdf.read(str(path), ocr="never", jobs=jobs)
    assert len(forks) == jobs - 1
    assert signature(parallel) == signature(serial)


def test_how_many_page_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page_jobs, "can_fork", lambda: True)
    assert page_jobs.page_jobs(31, 4) == 1  # a short document: one process
    assert page_jobs.page_jobs(40, 4) == 2  # at least 16 pages a process
    assert page_jobs.page_jobs(171, 4) == 4
    assert page_jobs.page_jobs(171, 1) == 1
    monkeypatch.setenv(page_jobs.JOBS_ENV, "3")  # what `extract -j 3` sets
    assert page_jobs.page_jobs(171) == 3
    monkeypatch.setattr(page_jobs, "can_fork", lambda: False)
    assert page_jobs.page_jobs(171, 4) == 1
    assert page_jobs.runs(10, 3) == [(0, 3), (3, 6), (6, 10)]


def _fails_on_two(n: int) -> int:
    if n == 2:
        raise ValueError("page 2 is broken")
    return n * 10


def _dies_on_two(n: int) -> int:
    if n == 2:
        os._exit(3)
    return n


@fork_only
def test_helper_results_and_failures_reach_the_reader() -> None:
    assert page_jobs.map_forked(lambda n: n * 10, [1, 3, 5]) == [10, 30, 50]
    with pytest.raises(ValueError, match="page 2 is broken"):
        page_jobs.map_forked(_fails_on_two, [1, 2])
    with pytest.raises(RuntimeError, match="page reader died"):
        page_jobs.map_forked(_dies_on_two, [1, 2])
