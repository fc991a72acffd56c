"""`load_dataset`: a dataset read back as typed pandas DataFrames.

Amounts, rates and scores come back as float64 (what pandas sorts, filters and sums), their
exact decimal text as strings beside them (`value_yuan_text`), integer columns as nullable
`Int64` (a missing page stays missing, not NaN in a float column), and the JSON columns of
`flags` as their JSON text.
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from . import store
from .summary import VIEWS

if TYPE_CHECKING:
    import pandas as pd


def _dtype(column: str) -> str:
    if column.endswith(store.TEXT_SUFFIX) and store.column_kind(column[: -len(store.TEXT_SUFFIX)]) == "decimal":
        return "string"
    return {"decimal": "float64", "real": "float64", "integer": "Int64"}.get(store.column_kind(column), "object")


def _connect(path: str) -> sqlite3.Connection:
    """Read-only when the dataset is current; an older one is migrated forward first."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    if conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION:
        return conn
    conn.close()
    conn = store.open_store(path)
    return conn


def load_dataset(path: str | os.PathLike) -> dict[str, "pd.DataFrame"]:
    """Every table of a `jixiao convert` dataset and the `budget_summary` view, typed.

    Keys: documents, quantities, projects, indicators, budget_lines, flags, budget_summary.
    """
    import pandas as pd

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such dataset")
    conn = _connect(path)
    try:
        frames = {}
        for table in store.TABLES + VIEWS:
            frame = pd.read_sql_query(f'SELECT * FROM "{table}"', conn)
            frames[table] = frame.astype({c: _dtype(c) for c in frame.columns})
        return frames
    finally:
        conn.close()
