"""A pool of worker processes that converts documents with a time and a memory limit each.

Why not `concurrent.futures.ProcessPoolExecutor`: it cannot stop one running task, so a
document that hangs could only be ended by killing the whole pool (and every other task in
flight with it). Here each worker has its own pipe and runs one document at a time; the
parent knows which document each worker holds, kills exactly the worker that overran its
time limit, records that one document as an error and starts a fresh worker. A worker that
dies (out of memory inside C code, a segfault) is handled the same way. Workers are forked
from a fork server (`preload`: a fresh interpreter that loaded the costly parts of the
pipeline, jieba's dictionary and the pattern book, once), so they inherit no threads, locks
or SQLite handles of the parent and start warm; where there is no fork server (Windows)
they are spawned and warm up each. Then they take document after document. Only the parent
writes results.

Why not pebble (measured on 2 cores, 2 workers): it serves per-task timeouts and crash
recovery equally well (the same hang/crash/raise mix took 5.7 s against 6.0 s here; 2,000
trivial tasks 1.0 s against 1.3 s, i.e. 0.1 ms per task against ~100 ms per document), but
a document that ran out of its memory limit came back as a *timeout* after the full time
limit, a worker is not recycled after a MemoryError, and workers that die while starting
are restarted without end rather than failing the run; wrapping those back in would leave
as much code as this module, so it stays.

Portability: the memory limit is `RLIMIT_AS` from `resource`, which only POSIX has; where it
is missing (Windows) workers run without it and `memory_limit_note()` says so. Workers are
started without re-importing the caller's `__main__` (targets are named by import path), so
a plain script calling `convert()` without an `if __name__ == "__main__":` guard works.
`InProcessRunner` runs documents in the calling process (`jobs=1`), with the same limits
where the platform has them (SIGALRM for time, a temporary `RLIMIT_AS` for memory).
"""
from __future__ import annotations

import contextlib
import functools
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import types
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator

from ..readers.page_jobs import die_with_parent

# how often in a row a worker may die before it is ready before the run gives up
_MAX_START_FAILURES = 3

# The least `--memory` (MiB of address space per worker) that lets the readers work, measured
# on Linux x86-64: a warmed-up worker takes 106 MiB, and reading the 41 real documents of
# shared/real (PDF tables included) peaks at 173 MiB; 256 leaves room for a larger report.
MIN_MEMORY_MB = 256
# resident memory one busy worker is counted for when capping `-j` by the memory available
# (the same measurement: 157 MiB peak RSS, rounded up)
WORKER_RESIDENT_MB = 256


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
    # one of several results of the document (a target that yields its result in parts):
    # the parts come in order, then one final Outcome with result None (or the error)
    partial: bool = False


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def error_message(path: str, exc: BaseException) -> str:
    """The one-line reason stored for a failed document."""
    from ..model import ReadError

    if isinstance(exc, ReadError):
        return _one_line(str(exc)) or f"{path}: unreadable"
    return _one_line(f"{path}: internal error: {type(exc).__name__}: {exc}")


def _resolve(target: str) -> Callable[[str], Any]:
    module, attr = target.split(":")
    return getattr(importlib.import_module(module), attr)


def _resource() -> types.ModuleType | None:
    """The `resource` module if this platform can limit address space, else None (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    return resource if hasattr(resource, "RLIMIT_AS") else None


def memory_limit_note(memory_mb: int | None) -> str | None:
    """Why a requested memory limit cannot be applied here, or None if it can."""
    if memory_mb and _resource() is None:
        return (f"the {memory_mb} MiB memory limit per document is not available on this platform "
                f"(Python has no resource.RLIMIT_AS); only the time limit applies")
    return None


def _limit_memory(memory_mb: int | None, above_current: bool = False) -> tuple[int, int] | None:
    """Cap the address space at `memory_mb` MiB (more than now if `above_current`); returns
    the previous (soft, hard) limits to restore, or None if nothing was set."""
    resource = _resource()
    if not memory_mb or resource is None:
        return None
    limit = memory_mb * 1024 * 1024
    if above_current:
        limit += _address_space()
    previous = soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return previous


def _address_space() -> int:
    """Bytes of address space this process uses now (VmSize): on Linux the first field of
    /proc/self/statm (pages), which psutil reads too, without importing psutil (a fifth of a
    one-line `extract`'s start); elsewhere psutil."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        import psutil

        return psutil.Process().memory_info().vms


def available_memory_mb() -> int | None:
    """MiB of memory available to new processes (free + reclaimable cache), or None if unknown."""
    try:
        import psutil

        return psutil.virtual_memory().available // (1024 * 1024)
    except (ImportError, OSError):
        return None


def usable_cores() -> int:
    """Cores this process may run on (its affinity where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def worker_cap(jobs: int | None, memory_mb: int | None) -> tuple[int, str | None]:
    """How many workers to start for `jobs` requested, and why fewer if so.

    Never more than the usable cores (the work is CPU-bound: more workers only add memory),
    nor more than the available memory holds at `WORKER_RESIDENT_MB` each.
    """
    cores = usable_cores()
    free = available_memory_mb()
    by_memory = max(1, free // WORKER_RESIDENT_MB) if free is not None else None
    cap = min(cores, by_memory) if by_memory is not None else cores
    if jobs is None:
        return cap, None
    if jobs <= cap:
        return jobs, None
    memory = f", memory for {by_memory} at {WORKER_RESIDENT_MB} MiB each ({free} MiB available)" if by_memory else ""
    return cap, f"-j {jobs} capped at {cap} workers ({cores} usable cores{memory})"


def _context(preload: bool, target: str, warm_up: str | None, memory_mb: int | None) -> Any:
    """How workers start. `preload` (the one-worker commands): forked from this process
    after it imported the target, while this process is small against the memory limit (a
    large parent, such as a notebook or a test runner, would leave the child no room under
    RLIMIT_AS). Otherwise (`convert`, whose parent holds SQLite handles and threads a fork
    must not copy): forked from a fork server, a fresh interpreter that imported and warmed
    up the pipeline once (`preload`), where the platform has one; else spawned."""
    methods = multiprocessing.get_all_start_methods()
    if preload and "fork" in methods and (
            not memory_mb or _resource() is None or _address_space() < memory_mb * 1024 * 1024 // 4):
        _resolve(target)
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return _fork_server(warm_up)
    return multiprocessing.get_context("spawn")


def _fork_server(warm_up: str | None) -> Any:
    """The fork server's context, set to run `warm_up` when the server starts."""
    from .preload import WARM_UP_ENV

    # the server inherits this environment when it starts (with the first worker); a
    # server already running keeps the warm-up it was started with
    os.environ[WARM_UP_ENV] = warm_up or ""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([f"{__package__}.preload"])
    return context


def start_fork_server(warm_up: str | None) -> None:
    """Start the fork server (and its warm-up) now, where the platform has one, so that it
    warms up while this process still walks and hashes the inputs: a `WorkerPool` made later
    then finds its workers ready sooner."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        _fork_server(warm_up)
        forkserver.ensure_running()


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Start processes without the caller's `__main__`: `spawn` would import the caller's
    script again in every worker, and a script without a `__main__` guard would start the
    run again there. Workers need nothing from it (their targets are import paths)."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _worker_main(conn: Connection, target: str, warm_up: str | None, memory_mb: int | None,
                 options: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> None:
    """Worker loop: warm up once, then convert the paths the parent sends until told to stop
    (`target(path, **options)`). `environ`: the parent's environment when it started the
    worker (a worker forked from a fork server would otherwise see the server's, taken when
    the server started: `--ocr-pages` and `-j` reach the readers through it)."""
    if environ is not None:
        os.environ.clear()
        os.environ.update(environ)
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # one process per core already; no thread fan-out
    fn = functools.partial(_resolve(target), **(options or {}))
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
            result = fn(path)
            if isinstance(result, types.GeneratorType):
                # parts go out as they are made: the worker never holds them all, and each
                # is proof of progress (the parent's time limit restarts at every part)
                for part in result:
                    conn.send(("part", key, part))
                    del part
                result = None
            message: tuple = ("done", key, result, None)
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


# NTSTATUS codes a Windows process ends with when it crashes (Windows has no signals)
_WINDOWS_CRASHES = {
    0xC0000017: "out of memory",  # STATUS_NO_MEMORY
    0xC00000FD: "stack overflow",  # STATUS_STACK_OVERFLOW
    0xC0000005: "access violation",  # STATUS_ACCESS_VIOLATION
    0xC0000409: "stack buffer overrun",  # STATUS_STACK_BUFFER_OVERRUN
}


def _death_reason(exitcode: int | None) -> str:
    """Why a worker ended, in words for the error row: a signal on POSIX (SIGKILL there is
    usually the kernel's out-of-memory killer), an NTSTATUS crash code on Windows (where a
    killed process gets an exit code, and multiprocessing reports `terminate()` as -SIGTERM)."""
    if exitcode is None:
        return "worker died (exit status unknown)"
    if -256 < exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        kill = getattr(signal, "SIGKILL", None)
        hint = " (killed: out of memory?)" if kill is not None and -exitcode == kill else ""
        return f"worker died with {name}{hint}"
    crash = _WINDOWS_CRASHES.get(exitcode & 0xFFFFFFFF)
    if crash:
        return f"worker died with exit code 0x{exitcode & 0xFFFFFFFF:08X} ({crash})"
    return f"worker died with exit code {exitcode}"


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    ready: bool = False
    task: tuple[str, str] | None = None  # the task it is running
    started: float = 0.0
    queued: list[tuple[str, str]] = field(default_factory=list)  # sent, waiting in its pipe


class WorkerPool:
    """Runs `target(path, **options)` in `jobs` worker processes, each document bounded in time
    and memory.

    `run(tasks)` yields an `Outcome` per (key, path) task as they finish, in finishing order.
    A target that returns a generator streams its result: each part it yields comes as a
    `partial` Outcome as soon as it is made, then a final Outcome (result None, or the error
    it ended with); the time limit then applies to each part (a long text read in sections
    may take longer in all, but no section longer than the limit).
    """

    def __init__(
        self,
        jobs: int,
        target: str,
        warm_up: str | None = None,
        timeout: float | None = 120.0,
        memory_mb: int | None = 2048,
        options: dict[str, Any] | None = None,
        preload: bool = False,
    ) -> None:
        """`preload`: import the target in this process and fork workers from it where the
        platform can (POSIX), so a worker is ready without starting Python and importing the
        pipeline again: for the one-worker commands (`extract`, `check`), whose parent holds no
        threads or SQLite handles a forked child could inherit."""
        self.jobs = max(1, jobs)
        self.options = options or {}
        self.target = target
        self.warm_up = warm_up
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._ctx = _context(preload, target, warm_up, memory_mb)
        self._workers: list[_Worker] = []
        self._pending: list[tuple[str, str]] = []  # the tasks of the current `run` not yet sent
        self._start_failures = 0  # workers in a row that died before they were ready

    def _start(self) -> _Worker:
        if self._start_failures >= _MAX_START_FAILURES:
            raise WorkerStartError(f"worker processes die while starting ({self._start_failures} times in a row)")
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(
            target=_worker_main, args=(child, self.target, self.warm_up, self.memory_mb, self.options, dict(os.environ)),
            daemon=True
        )
        with _main_module_hidden():
            proc.start()
        child.close()  # so the parent sees EOF when the worker dies
        worker = _Worker(proc, parent)
        self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker, kill: bool) -> int | None:
        # tasks it was sent but had not begun go back to be sent again (to the front)
        if worker.queued:
            self._pending.extend(reversed(worker.queued))
            worker.queued.clear()
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

    def run(self, tasks: Iterable[tuple[str, str]], keep_workers: bool = False) -> Iterator[Outcome]:
        """Yield an `Outcome` per task. With `keep_workers` the warmed-up workers stay for the
        next call (a Dask task converts its documents through a pool kept per worker thread)."""
        # the tasks not yet sent, the next at the end (a retired worker's queued tasks go back here)
        self._pending = pending = list(tasks)
        pending.reverse()  # pop() from the end keeps the given order
        try:
            while pending or any(w.task for w in self._workers):
                # (re)fill the pool, but never start a worker that would have nothing to do
                while len(self._workers) < self.jobs and len(pending) > sum(w.task is None for w in self._workers):
                    self._start()
                self._dispatch()
                outcomes = list(self._collect())
                # a worker that just finished gets its next document before the caller
                # stores this one's result: storing then overlaps converting
                self._dispatch()
                yield from outcomes
        finally:
            if not keep_workers or pending or any(w.task for w in self._workers):
                self.close()

    def _dispatch(self) -> None:
        """Send the next task (from the end of `_pending`) to every ready, idle worker, and one
        more to a busy one while more tasks wait than there are workers: it waits in the
        worker's pipe, so the worker goes on without waiting for this process to read its
        result and answer (on short documents that wait idled a core)."""
        pending = self._pending
        for w in list(self._workers):
            if not w.ready:
                continue
            if w.task is None and pending:
                w.task = pending.pop()
                w.started = time.monotonic()
                sent = w.task
            elif w.task is not None and not w.queued and len(pending) > len(self._workers):
                w.queued.append(pending.pop())
                sent = w.queued[-1]
            else:
                continue
            try:
                w.conn.send(sent)
            except OSError:  # died before it got the task: not the task's fault
                pending.append(sent)
                if sent is w.task:
                    w.task = None
                    self._retire(w, kill=True)
                else:  # it died running its task: `_collect` meets its end and blames that one
                    w.queued.remove(sent)

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
            if message[0] == "part":
                w.started = time.monotonic()  # the time limit applies to each part
                yield Outcome(key=message[1], path=w.task[1] if w.task else "", result=message[2], partial=True)
                continue
            _, key, result, error, seconds, recycle = message
            path = w.task[1] if w.task else ""
            if recycle:  # it ends here: what it was sent besides goes back (`_retire`)
                w.task = None
                self._retire(w, kill=False)
            else:
                w.task = w.queued.pop(0) if w.queued else None  # the worker goes on with the next
                w.started = time.monotonic()
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



class _DocumentTimeout(BaseException):
    """Raised by SIGALRM inside an in-process document (BaseException: readers catch Exception)."""


class InProcessRunner:
    """Runs `target(path)` in this process, one document after another (`jobs=1`): no worker
    processes, so it works wherever Python does and debuggers see the document's code.

    Limits where the platform has them: the time limit by SIGALRM (POSIX, main thread only),
    the memory limit as `memory_mb` MiB of address space above what the process holds when
    the document starts (`RLIMIT_AS`, restored after it). `notes()` says which are missing.
    A crash inside C code (a segfault) ends the run; a rerun resumes after the documents stored.
    """

    def __init__(self, target: str, warm_up: str | None = None, timeout: float | None = 120.0,
                 memory_mb: int | None = 2048,
                 options: dict[str, Any] | None = None) -> None:
        self.target = target
        self.options = options or {}
        self.warm_up = warm_up
        self.timeout = timeout
        self.memory_mb = memory_mb

    def _can_alarm(self) -> bool:
        return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def notes(self) -> list[str]:
        notes = []
        if self.timeout and not self._can_alarm():
            notes.append(f"the {self.timeout:g} s time limit per document is not available here "
                         f"(no SIGALRM in this platform or thread); documents run unbounded in time")
        note = memory_limit_note(self.memory_mb)
        if note:
            notes.append(note)
        return notes

    def run(self, tasks: Iterable[tuple[str, str]]) -> Iterator[Outcome]:
        fn = functools.partial(_resolve(self.target), **self.options)
        if self.warm_up:
            _resolve(self.warm_up)()
        for key, path in tasks:
            yield self._one(fn, key, path)

    def _one(self, fn: Callable[[str], Any], key: str, path: str) -> Outcome:
        started = time.monotonic()
        alarm = bool(self.timeout) and self._can_alarm()
        previous_handler = None
        running = [True]  # an alarm landing after the document ended must not raise
        if alarm:
            def expire(signum: int, frame: Any) -> None:
                if running[0]:
                    raise _DocumentTimeout()

            previous_handler = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
        previous_limit = _limit_memory(self.memory_mb, above_current=True)
        try:
            return Outcome(key=key, path=path, result=fn(path), seconds=time.monotonic() - started)
        except _DocumentTimeout:
            error = f"{path}: timed out after {self.timeout:g} s"
        except MemoryError:
            error = f"{path}: memory limit exceeded ({self.memory_mb} MiB)"
        except Exception as exc:  # noqa: BLE001 - every failure is one document's error row
            error = error_message(path, exc)
        finally:
            running[0] = False
            if previous_limit is not None:
                _resource().setrlimit(_resource().RLIMIT_AS, previous_limit)
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous_handler)
        return Outcome(key=key, path=path, error=error, seconds=time.monotonic() - started)
