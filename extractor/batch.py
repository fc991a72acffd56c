"""A pool of worker processes that converts documents with a time and a memory limit each.

Why not `concurrent.futures.ProcessPoolExecutor`: it cannot stop one running task, so a
document that hangs could only be ended by killing the whole pool (and every other task in
flight with it). Here each worker has its own pipe and runs one document at a time; the
parent knows which document each worker holds, kills exactly the worker that overran its
time limit, records that one document as an error and starts a fresh worker. A worker that
dies (out of memory inside C code, a segfault) is handled the same way. Workers are started
once with `spawn` (no inherited threads, locks or SQLite handles), load the costly parts of
the pipeline (jieba's dictionary, the pattern book) once, then take document after document.
Only the parent writes results.
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator

# how often in a row a worker may die before it is ready before the run gives up
_MAX_START_FAILURES = 3


class WorkerStartError(RuntimeError):
    """Worker processes keep dying before they are ready: the run cannot proceed."""


@dataclass
class Outcome:
    """What became of one document: `result` (from the target) or a one-line `error`."""

    key: str
    path: str
    result: Any = None
    error: str | None = None
    seconds: float = 0.0


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def error_message(path: str, exc: BaseException) -> str:
    """The one-line reason stored for a failed document."""
    from .model import ReadError

    if isinstance(exc, ReadError):
        return _one_line(str(exc)) or f"{path}: unreadable"
    return _one_line(f"{path}: internal error: {type(exc).__name__}: {exc}")


def _resolve(target: str) -> Callable[[str], Any]:
    module, attr = target.split(":")
    return getattr(importlib.import_module(module), attr)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the parent dies (e.g. the run is SIGKILLed)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _limit_memory(memory_mb: int | None) -> None:
    """Cap the worker's address space; a no-op where the platform has no `resource`
    module (Windows): the time limit still holds there."""
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:
        return

    limit = memory_mb * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _worker_main(conn: Connection, target: str, warm_up: str | None, memory_mb: int | None) -> None:
    """Worker loop: warm up once, then convert the paths the parent sends until told to stop."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # one process per core already; no thread fan-out
    fn = _resolve(target)
    if warm_up:
        try:
            _resolve(warm_up)()
        except Exception:  # noqa: BLE001 - a broken pipeline shows up per document instead
            pass
    _limit_memory(memory_mb)
    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        key, path = task
        started = time.monotonic()
        recycle = False
        try:
            message: tuple = ("done", key, fn(path), None)
        except MemoryError:
            message = ("done", key, None, f"{path}: memory limit exceeded ({memory_mb} MiB)")
            recycle = True  # the heap may be fragmented or half-freed: start afresh
        except Exception as exc:  # noqa: BLE001 - every failure is one document's error row
            message = ("done", key, None, error_message(path, exc))
        seconds = time.monotonic() - started
        try:
            conn.send(message + (seconds, recycle))
        except MemoryError:
            recycle = True
            conn.send(("done", key, None, f"{path}: memory limit exceeded ({memory_mb} MiB)", seconds, recycle))
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            conn.send(("done", key, None, error_message(path, exc), seconds, recycle))
        if recycle:
            return


def _death_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (killed: out of memory?)" if -exitcode == signal.SIGKILL else ""
        return f"worker died with {name}{hint}"
    return f"worker died with exit code {exitcode}"


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    ready: bool = False
    task: tuple[str, str] | None = None
    started: float = 0.0


class WorkerPool:
    """Runs `target(path)` in `jobs` worker processes, each document bounded in time and memory.

    `run(tasks)` yields an `Outcome` per (key, path) task as they finish, in finishing order.
    """

    def __init__(
        self,
        jobs: int,
        target: str,
        warm_up: str | None = None,
        timeout: float | None = 120.0,
        memory_mb: int | None = 2048,
    ) -> None:
        self.jobs = max(1, jobs)
        self.target = target
        self.warm_up = warm_up
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._ctx = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self._start_failures = 0  # workers in a row that died before they were ready

    def _start(self) -> _Worker:
        if self._start_failures >= _MAX_START_FAILURES:
            raise WorkerStartError(f"worker processes die while starting ({self._start_failures} times in a row)")
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=_worker_main, args=(child, self.target, self.warm_up, self.memory_mb), daemon=True
        )
        proc.start()
        child.close()  # so the parent sees EOF when the worker dies
        worker = _Worker(proc, parent)
        self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker, kill: bool) -> int | None:
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.conn.close()
        self._workers.remove(worker)
        return worker.process.exitcode

    def close(self) -> None:
        """Stop every worker: ask politely, then kill what is still running."""
        for w in list(self._workers):
            try:
                if w.task is None:
                    w.conn.send(None)
            except OSError:
                pass
        for w in list(self._workers):
            self._retire(w, kill=w.task is not None)

    def run(self, tasks: Iterable[tuple[str, str]]) -> Iterator[Outcome]:
        pending = list(tasks)
        pending.reverse()  # pop() from the end keeps the given order
        try:
            while pending or any(w.task for w in self._workers):
                # (re)fill the pool, but never start a worker that would have nothing to do
                while len(self._workers) < self.jobs and len(pending) > sum(w.task is None for w in self._workers):
                    self._start()
                for w in list(self._workers):
                    if w.ready and w.task is None and pending:
                        w.task = pending.pop()
                        w.started = time.monotonic()
                        try:
                            w.conn.send(w.task)
                        except OSError:  # died before it got the task: not the task's fault
                            pending.append(w.task)
                            w.task = None
                            self._retire(w, kill=True)
                yield from self._collect()
        finally:
            self.close()

    def _collect(self) -> Iterator[Outcome]:
        now = time.monotonic()
        deadlines = [w.started + self.timeout for w in self._workers if w.task and self.timeout]
        wait_for = max(0.0, min(deadlines) - now) if deadlines else None
        ready = wait([w.conn for w in self._workers], timeout=wait_for)
        for w in list(self._workers):
            if w.conn not in ready:
                continue
            try:
                message = w.conn.recv()
            except (EOFError, OSError):
                yield from self._replace_dead(w)
                continue
            if message[0] == "ready":
                w.ready = True
                self._start_failures = 0
                continue
            _, key, result, error, seconds, recycle = message
            path = w.task[1] if w.task else ""
            w.task = None
            if recycle:
                self._retire(w, kill=False)
            yield Outcome(key=key, path=path, result=result, error=error, seconds=seconds)
        now = time.monotonic()
        for w in list(self._workers):
            if w.task and self.timeout and now - w.started >= self.timeout:
                key, path = w.task
                self._retire(w, kill=True)
                yield Outcome(key=key, path=path, error=f"{path}: timed out after {self.timeout:g} s",
                              seconds=now - w.started)

    def _replace_dead(self, w: _Worker) -> Iterator[Outcome]:
        task, was_ready, started = w.task, w.ready, w.started
        exitcode = self._retire(w, kill=True)
        if not was_ready:
            self._start_failures += 1  # _start gives up after _MAX_START_FAILURES of these
        if task is not None:
            key, path = task
            yield Outcome(key=key, path=path, error=f"{path}: {_death_reason(exitcode)}",
                          seconds=time.monotonic() - started)

