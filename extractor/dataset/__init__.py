"""The dataset: whole archives converted into one SQLite store, incrementally and in parallel.

`convert.py` runs a conversion (walk, skip rule, cross-document check), `batch.py` is the
bounded worker pool, `store.py` the SQLite schema and writes, `exports.py` CSV/XLSX/Parquet.
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["RunError", "convert"]


def __getattr__(name: str) -> Any:
    """`convert` and `RunError` load on first use: the commands that only need the worker
    pool (`extract`, `check`) do not pay for the conversion run's imports."""
    if name in __all__:
        module = importlib.import_module(f"{__name__}.convert")  # binds the submodule as `convert`
        globals().update(RunError=module.RunError, convert=module.convert)  # the function wins, as before
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
