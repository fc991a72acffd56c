"""Pages of one large PDF read by several processes (`extract -j N`, `check -j N`).

A PDF reader's work is page by page (`pdf._page_items` looks at one page only), so the
pages can be cut into contiguous runs, each read by its own process, and the runs put back
in order: the Document is the one a single process makes. The extra processes are forked
from the reading process itself (POSIX), which already holds the imported pipeline: they
start in a millisecond, inherit its memory limit, die with it (a timed-out reader takes its
helpers along) and send their pages back through a pipe. Where there is no fork (Windows),
or the process runs threads (a fork copies only the calling one), or the document is short,
the pages are read in this process.
"""
from __future__ import annotations

import os
import pickle
import sys
import threading
from typing import Any, Callable, Sequence, TypeVar

# set by `extract -j N` / `check -j N` (and inherited by the reading process)
JOBS_ENV = "JIXIAO_PAGE_JOBS"
# fewer pages than this are read by one process: forking and re-opening the document
# (pdfminer lists every page again) would cost more than the pages
MIN_PAGES = 32

T = TypeVar("T")
R = TypeVar("R")


def page_jobs(n_pages: int, jobs: int | None = None) -> int:
    """How many processes should read a document of `n_pages` pages: `jobs` (default: the
    environment's JOBS_ENV, else 1), at most one per MIN_PAGES // 2 pages, 1 where forking
    is not possible or not safe."""
    if jobs is None:
        try:
            jobs = int(os.environ.get(JOBS_ENV, "1"))
        except ValueError:
            jobs = 1
    if jobs <= 1 or n_pages < MIN_PAGES or not can_fork():
        return 1
    return max(1, min(jobs, n_pages // (MIN_PAGES // 2)))


def can_fork() -> bool:
    """This process may fork helpers: the platform has fork and no other thread runs."""
    return hasattr(os, "fork") and threading.active_count() == 1


def runs(n: int, parts: int) -> list[tuple[int, int]]:
    """`parts` contiguous (start, stop) runs of range(n), as even as can be."""
    return [(n * k // parts, n * (k + 1) // parts) for k in range(parts)]


def map_forked(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """`[fn(item) for item in items]`, the first item in this process and each other in a
    process forked for it, at the same time. An exception in a helper is raised here
    (re-raised as RuntimeError with its text when it cannot be pickled)."""
    helpers: list[tuple[int, int]] = []
    try:
        for item in items[1:]:
            helpers.append(_fork(fn, item))
        results = [fn(items[0])]
        for pid, fd in helpers:
            results.append(_collect(pid, fd))
        helpers.clear()
        return results
    finally:
        for pid, fd in helpers:  # this process failed first: stop the helpers still running
            _kill(pid, fd)


def _fork(fn: Callable[[T], R], item: T) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid:
        os.close(write_fd)
        return pid, read_fd
    # the helper: compute, send, leave without running the parent's exit handlers
    code = 0
    try:
        os.close(read_fd)
        die_with_parent()
        if os.getppid() != parent:  # the reader died before the line above took effect
            raise SystemExit(1)
        try:
            message = pickle.dumps(("ok", fn(item)), pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            try:
                message = pickle.dumps(("error", exc), pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - an exception that cannot be pickled
                message = pickle.dumps(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(write_fd, "wb") as out:
            out.write(message)
    except BaseException:  # noqa: BLE001
        code = 1
    finally:
        os._exit(code)


def _collect(pid: int, fd: int) -> Any:
    with os.fdopen(fd, "rb") as source:
        data = source.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise RuntimeError(f"page reader died ({_ended(status)})")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise value
    return value


def _kill(pid: int, fd: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else "unknown"


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (a page helper when its reader is
    killed at its time limit, a worker when the run is SIGKILLed)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
