"""jixiao: Chinese budget-performance self-evaluation reports (绩效自评) into clean, checked data.

Python API:
    extract(path) -> Report      every quantity, project, indicator, budget line and flag
    check(path) -> list[Flag]    only the flags
    convert(paths, out) -> dict  batch into a SQLite dataset (see `jixiao convert`)
    load_dataset(path) -> dict   the dataset's tables and `budget_summary` as typed DataFrames
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from .model import Document, Flag, Quantity, ReadError, Report

__all__ = ["extract", "check", "convert", "load_dataset", "__version__", "Report", "Document", "Quantity", "Flag", "ReadError"]


def extract(path: str | Path, ocr: str = "auto") -> Report:
    """Read a report file and extract everything from it. Raises ReadError on bad input.
    `ocr`: "auto" OCRs pages without a text layer and images, "force" every page, "never" none."""
    from .pipeline import extract_path

    return extract_path(path, ocr=ocr)


def check(path: str | Path, ocr: str = "auto") -> list[Flag]:
    """The flags of one report file."""
    return extract(path, ocr=ocr).flags


def convert(paths: Iterable[str | Path], out: str | Path = "dataset.sqlite", **options) -> dict:
    """Convert files and folders into the SQLite dataset at `out`; returns the run summary."""
    from .dataset.convert import convert as _convert

    return _convert([str(p) for p in paths], str(out), **options)


def load_dataset(path: str | Path) -> dict:
    """A dataset written by `convert`, as {table name: DataFrame} with numeric dtypes
    (amounts float64 with their exact text in `*_text`, integers nullable Int64)."""
    from .dataset.load import load_dataset as _load

    return _load(path)


def __getattr__(name: str) -> Any:
    """`__version__` reads the installed distribution's metadata (importlib.metadata, ~30 ms):
    only when asked for, not on every command's start."""
    if name == "__version__":
        from ._version import __version__

        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
