"""The dataset: whole archives converted into one SQLite store, incrementally and in parallel.

`convert.py` runs a conversion (walk, skip rule, cross-document check), `batch.py` is the
bounded worker pool, `store.py` the SQLite schema and writes, `exports.py` CSV/XLSX/Parquet.
"""
from __future__ import annotations

from .convert import RunError, convert

__all__ = ["RunError", "convert"]
