"""The one shape of reader failure: `ReadError("<path>: <reason>")`, always a single line."""
from __future__ import annotations

from ..model import ReadError


def read_error(path: str, reason: str) -> ReadError:
    """A ReadError whose message is `<path>: <reason>` on one line."""
    return ReadError(f"{path}: {' '.join(reason.split())}")


def describe(exc: BaseException, limit: int = 160) -> str:
    """A library exception as a short one-line reason (type and first words of its message)."""
    msg = " ".join(str(exc).split())
    if len(msg) > limit:
        msg = msg[: limit - 1] + "…"
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__
