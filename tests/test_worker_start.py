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


def crash_hog_or_name(path: str) -> dict:
    """A pool target: dies, exhausts its memory limit or answers, by the file's name."""
    import os

    name = path.rsplit("/", 1)[-1]
    if name.startswith("crash"):
        os._exit(9)
    if name.startswith("hog"):
        return {"n": len([bytearray(64 << 20) for _ in range(64)])}
    return {"name": name}


def test_tasks_sent_ahead_are_never_lost_or_blamed() -> None:
    """A busy worker is sent its next task ahead; when it dies or is recycled with one
    waiting in its pipe, that task goes to another worker and is not blamed."""
    names = ["a0", "a1", "crash2", "a3", "a4", "hog5", "a6", "a7", "crash8", "a9", "a10", "a11"]
    pool = WorkerPool(2, "test_worker_start:crash_hog_or_name", None, timeout=60, memory_mb=512)
    out: dict[str, list] = {}
    for o in pool.run([(n, f"/x/{n}") for n in names]):
        out.setdefault(o.key, []).append(o)
    assert sorted(out) == sorted(names) and all(len(v) == 1 for v in out.values())
    for n, (o,) in out.items():
        if n.startswith("crash"):
            assert o.error.startswith(f"/x/{n}: worker died with exit code 9"), o.error
        elif n.startswith("hog"):
            assert o.error == f"/x/{n}: memory limit exceeded (512 MiB)"
        else:
            assert o.error is None and o.result == {"name": n}


def test_a_task_sent_ahead_to_a_worker_that_died_goes_back_and_its_running_task_stays_its_own() -> None:
    """The worker died running its task before this process noticed: sending it the next task
    fails. That task goes back to be sent again, and the worker stays in the pool with its
    running task, so that reading its end blames that task (dropping the worker here lost
    the running task's outcome)."""
    from extractor.dataset.batch import _Worker

    class Dead:
        def send(self, message):  # noqa: ANN001
            raise BrokenPipeError(32, "Broken pipe")

    pool = WorkerPool(2, "os:getenv", None, timeout=60, memory_mb=None)
    worker = _Worker(process=None, conn=Dead(), ready=True, task=("k1", "/x/crash"))
    pool._workers = [worker, _Worker(process=None, conn=Dead(), ready=False)]
    pool._pending = [("k4", "/x/d"), ("k3", "/x/c"), ("k2", "/x/b")]
    pool._dispatch()
    assert pool._workers[0] is worker and worker.task == ("k1", "/x/crash") and worker.queued == []
    assert sorted(pool._pending) == [("k2", "/x/b"), ("k3", "/x/c"), ("k4", "/x/d")]
