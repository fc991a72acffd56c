"""A baseline of accepted flags for `jixiao check` (`--write-baseline FILE`, `--baseline FILE`).

An archive audited once has flags someone looked at and accepted; later runs should show
only new ones. A flag is identified by its document, code, flagged text and message —
not by its offsets, which move when a report is re-issued with a paragraph added — and
counted, so a second identical flag in the same document is still new (as PHPStan and
detekt baselines do). Document paths are stored relative to the baseline file's folder,
so `check reports/` and `check ./reports/` or another working directory match the same
entries.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Iterable

from ..model import Flag

FORMAT = "jixiao-check-baseline"
VERSION = 1

Key = tuple[str, str, str, str]


class BaselineError(Exception):
    """A baseline file that cannot be read (missing, not JSON, not a jixiao baseline)."""


def _doc_key(doc: str, base_dir: Path) -> str:
    real = os.path.realpath(doc)
    try:
        rel = os.path.relpath(real, base_dir)
    except ValueError:  # another drive on Windows
        rel = real
    return rel.replace(os.sep, "/")


def flag_key(doc: str, flag: Flag, base_dir: Path) -> Key:
    """What identifies an accepted flag (the Chinese message: independent of --lang)."""
    return (_doc_key(doc, base_dir), flag.code, flag.text, flag.message)


class Baseline:
    """Accepted flags with their counts; `accepts` consumes one occurrence per call."""

    def __init__(self, path: str | os.PathLike, counts: Counter | None = None) -> None:
        self.path = Path(path)
        self.base_dir = Path(os.path.realpath(self.path)).parent
        self.counts: Counter = counts if counts is not None else Counter()

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Baseline":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise BaselineError(f"{path}: not a baseline file (not JSON: {exc})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("flags"), list):
            raise BaselineError(f"{path}: not a jixiao check baseline (write one with --write-baseline)")
        counts: Counter = Counter()
        try:
            for e in data["flags"]:
                counts[(e["doc"], e["code"], e["text"], e["message"])] += int(e.get("count", 1))
        except (KeyError, TypeError, ValueError) as exc:
            raise BaselineError(f"{path}: malformed baseline entry ({exc})") from None
        return cls(path, counts)

    def accepts(self, doc: str, flag: Flag) -> bool:
        """True (and one occurrence used up) when the flag is in the baseline."""
        key = flag_key(doc, flag, self.base_dir)
        if self.counts[key] > 0:
            self.counts[key] -= 1
            return True
        return False

    def add(self, doc: str, flags: Iterable[Flag]) -> None:
        for f in flags:
            self.counts[flag_key(doc, f, self.base_dir)] += 1

    def save(self) -> int:
        """Write the baseline (sorted, one entry per key with its count); return flags written."""
        entries = [{"doc": d, "code": c, "text": t, "message": m, "count": n}
                   for (d, c, t, m), n in sorted(self.counts.items()) if n > 0]
        self.path.write_text(json.dumps({"format": FORMAT, "version": VERSION, "flags": entries},
                                        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return sum(e["count"] for e in entries)
