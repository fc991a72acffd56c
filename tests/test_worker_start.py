"""How `convert`'s workers start: forked from a fork server where there is one, yet each
with the environment of the moment it was started (as a spawned worker has)."""
from __future__ import annotations

from extractor.dataset.batch import WorkerPool


def test_workers_see_the_environment_their_pool_started_with(monkeypatch) -> None:
    # `os:getenv` as the target: a worker answers with the value of the variable it is sent
    monkeypatch.delenv("JIXIAO_PROBE", raising=False)
    first = WorkerPool(1, "os:getenv", None, timeout=60, memory_mb=None)
    assert [o.result for o in first.run([("a", "JIXIAO_PROBE")])] == [None]
    monkeypatch.setenv("JIXIAO_PROBE", "2")  # as `--ocr-pages` and `-j` set theirs
    second = WorkerPool(1, "os:getenv", None, timeout=60, memory_mb=None)
    assert [o.result for o in second.run([("b", "JIXIAO_PROBE")])] == ["2"]
