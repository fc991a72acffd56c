"""The dataset as partitioned Parquet, written by many workers at once (`--format parquet`).

Layout (Hive partitions, which pandas, DuckDB, Spark and Dask read directly):

    OUT/documents/doc_year=2023/part-<batch>.parquet
    OUT/quantities/doc_year=2023/part-<batch>.parquet   (projects, indicators, budget_lines, flags alike)
    OUT/quantities/doc_year=0/…                          (documents that state no fiscal year)

- Columns and their types come from the SQLite store (`store.stored_columns`, `store.sql_type`):
  TEXT → string, INTEGER → int64, REAL → float64; a decimal is a float64 column followed by
  its exact text in `<name>_text`, as in SQLite. A file holds exactly the SQLite columns. The partition key `doc_year` is the fiscal year of the row's
  document (`documents.report_year`); readers that discover partitions add it as a column.
  It has a name of its own (a key named like a stored column breaks readers' schema
  merge) and 0 for "no year" (pandas cannot read a Hive null partition beside others).
  `read_table` gives exactly the SQLite columns; `iter_rows` the logical rows, as
  `store.iter_rows` gives them from SQLite (decimals exact).
- A worker writes one file per table and partition per batch of documents, facts first and
  the documents file last: a batch is committed once its documents file exists. Each file
  is written under a hidden name and then renamed (readers skip names starting with `.`).
  A run first removes the files of batches that never committed; files written by a
  failed attempt of a batch that was retried elsewhere are removed when the run ends.
- Rows are replaced (`--force`, a changed file, a path now pointing at other bytes) by
  rewriting the files that hold them. What is about to be removed is journalled first
  (`_removing.json`), so a run killed halfway finishes the removal when it starts again.
"""
from __future__ import annotations

import json
import posixpath
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any, Iterable, Iterator

from . import store

PARTITION = "doc_year"
NO_YEAR = 0
_JOURNAL = "_removing.json"
_ARROW_TYPES = {"TEXT": "string", "INTEGER": "int64", "REAL": "float64"}


def arrow_schema(table: str):
    """The Parquet schema of a table: the SQLite columns, typed as SQLite declares them."""
    import pyarrow as pa

    return pa.schema([(c, getattr(pa, _ARROW_TYPES[store.sql_type(c)])()) for c in store.stored_columns(table)])


def _batch_of(name: str) -> str:
    """`part-<batch>.parquet` → `<batch>`."""
    return posixpath.basename(name)[len("part-"):-len(".parquet")]


class ParquetDataset:
    """One Parquet dataset at a local path or any fsspec URL (`s3://bucket/dataset`)."""

    def __init__(self, url: str) -> None:
        from fsspec.core import url_to_fs

        self.url = url
        self.fs, self.root = url_to_fs(url)
        self.root = self.root.rstrip("/")

    # ------------------------------------------------------------ files
    def _dir(self, table: str, year: Any) -> str:
        return posixpath.join(self.root, table, f"{PARTITION}={NO_YEAR if year is None else int(year)}")

    def files(self) -> dict[str, list[str]]:
        """The committed-or-not part files of every table (hidden names left out)."""
        found: dict[str, list[str]] = {t: [] for t in store.TABLES}
        if not self.fs.exists(self.root):
            return found
        for name in sorted(self.fs.find(self.root, detail=False)):
            parts = name[len(self.root):].strip("/").split("/")
            base = parts[-1]
            if parts[0] in found and base.startswith("part-") and base.endswith(".parquet"):
                found[parts[0]].append(name)
        return found

    def _write_file(self, table: str, year: Any, batch: str, rows: list[tuple]) -> str:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = arrow_schema(table)
        columns = list(zip(*rows)) if rows else [[] for _ in schema]
        data = pa.Table.from_arrays([pa.array(list(col), type=f.type) for col, f in zip(columns, schema)],
                                    schema=schema)
        folder = self._dir(table, year)
        self.fs.makedirs(folder, exist_ok=True)
        final = posixpath.join(folder, f"part-{batch}.parquet")
        hidden = posixpath.join(folder, f".part-{batch}.{uuid.uuid4().hex}.tmp")
        with self.fs.open(hidden, "wb") as f:
            pq.write_table(data, f)
        self.fs.mv(hidden, final)
        return final

    # ------------------------------------------------------------ writing
    def write_batch(self, batch: str, documents: list[dict[str, Any]],
                    facts: dict[str, dict[str, list[tuple]]]) -> list[str]:
        """Write a batch: `documents` rows (Python values, one per path) and per doc_id the
        encoded fact rows (`store.encode_facts`); return the files written, documents last."""
        year_of = {d["doc_id"]: d.get("report_year") for d in documents}
        written = []
        for table in store.FACT_TABLES:
            by_year: dict[Any, list[tuple]] = defaultdict(list)
            for doc_id, tables in facts.items():
                by_year[year_of.get(doc_id)].extend((doc_id,) + row for row in tables.get(table, []))
            for year, rows in by_year.items():
                if rows:
                    written.append(self._write_file(table, year, batch, rows))
        by_year = defaultdict(list)
        for row in documents:
            by_year[row.get("report_year")].extend(store.encode_rows("documents", [row]))
        for year, rows in by_year.items():
            written.append(self._write_file("documents", year, batch, rows))
        return written

    def remove_uncommitted(self, keep: Iterable[str] = ()) -> int:
        """Delete part files of batches without a documents file, and hidden leftovers; with
        `keep`, also files of the batches named in it that are not in it (retried attempts)."""
        files = self.files()
        committed = {_batch_of(f) for f in files["documents"]}
        keep = set(keep)
        batches = {_batch_of(f) for f in keep}
        doomed = [f for t, names in files.items() for f in names
                  if (t != "documents" and _batch_of(f) not in committed)
                  or (_batch_of(f) in batches and f not in keep)]
        if self.fs.exists(self.root):
            doomed += [n for n in self.fs.find(self.root, detail=False)
                       if posixpath.basename(n).startswith(".part-")]
        for name in doomed:
            self.fs.rm(name)
        return len(doomed)

    # ------------------------------------------------------------ reading
    def _read(self, name: str, columns: list[str] | None = None):
        import pyarrow.parquet as pq

        with self.fs.open(name, "rb") as f:
            return pq.read_table(f, columns=columns)

    def documents(self) -> list[dict[str, Any]]:
        """Every documents row as stored values, with the file it lives in under `_file`."""
        rows = []
        for name in self.files()["documents"]:
            rows += [{**row, "_file": name} for row in self._read(name).to_pylist()]
        return rows

    def read_table(self, table: str):
        """A table as a pandas DataFrame with exactly the SQLite columns, in their order."""
        import pandas as pd
        import pyarrow as pa

        parts = []
        for name in self.files()[table]:
            parts.append(self._read(name).select(store.stored_columns(table)))
        if not parts:
            return arrow_schema(table).empty_table().to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
        return pa.concat_tables(parts).to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)

    def iter_rows(self, table: str) -> Iterator[dict[str, Any]]:
        """Rows of a table as dicts of its logical columns, as `store.iter_rows` reads SQLite:
        decimals exact (Decimal, from the `_text` column), the rest as stored."""
        columns = store.table_columns(table)
        for name in self.files()[table]:
            for row in self._read(name).to_pylist():
                yield {c: _logical(c, row) for c in columns}

    # ------------------------------------------------------------ replacing rows
    def remove(self, paths: set[str], doc_ids: set[str], known: list[dict[str, Any]]) -> None:
        """Remove the documents rows of `paths`, then the facts of `doc_ids` that no remaining
        documents row points at. `known` is `documents()` as read at the start of the run."""
        if not paths and not doc_ids:
            return
        journal = posixpath.join(self.root, _JOURNAL)
        self.fs.makedirs(self.root, exist_ok=True)
        with self.fs.open(journal, "w") as f:
            json.dump({"paths": sorted(paths), "doc_ids": sorted(doc_ids)}, f)
        self._remove(paths, doc_ids, known)
        self.fs.rm(journal)

    def finish_removal(self) -> None:
        """Complete a removal a killed run left journalled."""
        journal = posixpath.join(self.root, _JOURNAL)
        if self.fs.exists(journal):
            with self.fs.open(journal, "r") as f:
                todo = json.load(f)
            self._remove(set(todo["paths"]), set(todo["doc_ids"]), self.documents())
            self.fs.rm(journal)

    def _remove(self, paths: set[str], doc_ids: set[str], known: list[dict[str, Any]]) -> None:
        import pyarrow.compute as pc

        hit = defaultdict(list)
        for row in known:
            if row["path"] in paths:
                hit[row["_file"]].append(row)
        remaining = {r["doc_id"] for r in known if r["path"] not in paths}
        gone = {d for d in doc_ids | {r["doc_id"] for rows in hit.values() for r in rows}
                if d and d not in remaining}
        batches = {_batch_of(r["_file"]) for r in known if r["doc_id"] in gone}
        files = self.files()
        for table in store.FACT_TABLES:
            for name in files[table]:
                if _batch_of(name) in batches:
                    self._rewrite(table, name, pc.invert(pc.is_in(self._read(name)["doc_id"], value_set=_strings(gone))))
        for name in hit:
            self._rewrite("documents", name, pc.invert(pc.is_in(self._read(name)["path"], value_set=_strings(paths))))

    def _rewrite(self, table: str, name: str, keep_mask) -> None:
        """Rewrite one part file with only the rows of `keep_mask` (deleting it if none)."""
        import pyarrow.parquet as pq

        data = self._read(name).filter(keep_mask)
        if data.num_rows == 0:
            self.fs.rm(name)
            return
        hidden = posixpath.join(posixpath.dirname(name), f".{posixpath.basename(name)}.{uuid.uuid4().hex}.tmp")
        with self.fs.open(hidden, "wb") as f:
            pq.write_table(data, f)
        self.fs.mv(hidden, name)


def _logical(column: str, row: dict[str, Any]) -> Any:
    """A logical column's value from a stored row: a decimal from its exact text."""
    if store.column_kind(column) != "decimal":
        return row[column]
    text = row[column + store.TEXT_SUFFIX]
    return None if text is None else Decimal(text)


def _strings(values: set[str]):
    import pyarrow as pa

    return pa.array(sorted(values), type=pa.string())
