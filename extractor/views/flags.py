"""The flags a review page shows, gathered from documents or from a dataset, each with its place.

Two sources give the same items: report files (extracted here, in this process) and a
`jixiao convert` dataset (`.sqlite`), whose flag rows are shown with the documents read
again from their paths when those still hold the same bytes (SHA-256 = doc_id). A flag is
shown beside a crop of its PDF page (`pdfcrop.py`) or beside its source lines or table
cells (`excerpt.py`); a document that is gone still shows its flags, without the place.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Iterator

from ..jsonout import decimal_text
from ..dataset.convert import sha256_file
from ..model import Document, ReadError, flag_row

LOCATOR = ("page", "start", "end", "table", "row", "col")


@dataclass
class DocInfo:
    """What the page says about one document (and how to find its place again)."""

    path: str
    doc_id: str | None
    department: str | None = None
    year: int | None = None
    title: str | None = None
    document: Document | None = None  # None when the file is gone or changed
    missing: str | None = None  # why the source cannot be shown


@dataclass
class FlagItem:
    """One flag as the page lists it (plain JSON-ready values; decimals as exact text)."""

    doc: DocInfo
    row: dict[str, Any]
    image: str | None = None  # PNG data URI of the page crop
    located: bool = False  # the span was found on the page image
    excerpt: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """A stable id: same document bytes, code, place and text -> same id (for saved decisions)."""
        key = "|".join(str(x) for x in [self.doc.doc_id or self.doc.path, self.row.get("code")]
                       + [self.row.get(k) for k in LOCATOR] + [self.row.get("text")])
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]




def plain(value: Any) -> Any:
    """Decimals as exact text, recursively, so the page never sees a float."""
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


# ---------------------------------------------------------------- sources

_POOL_FROM = 4  # fewer documents are read in this process: starting workers would cost more


def read_all(paths: list[str], target: str, warm_up: str | None, jobs: int | None, quiet: bool,
             timeout: float | None = 120.0) -> Iterator[tuple[str, Any, str | None]]:
    """(path, target(path) or None, one-line error or None) for every path, with a progress bar.

    Many documents go through the dataset's worker pool (in parallel, each bounded in time
    and memory, so a hostile file cannot stall the page); a few are read here.
    """
    from tqdm import tqdm

    bar = tqdm(total=len(paths), unit="doc", desc="reading", disable=quiet or len(paths) < 2, file=sys.stderr,
               dynamic_ncols=True)
    try:
        jobs = jobs or os.cpu_count() or 1
        if len(paths) < _POOL_FROM or jobs == 1:
            module, attr = target.split(":")
            import importlib

            func = getattr(importlib.import_module(module), attr)
            for path in paths:
                try:
                    yield path, func(path), None
                except ReadError as exc:
                    yield path, None, str(exc).splitlines()[0]
                except Exception as exc:  # one bad document must not stop the page
                    yield path, None, f"{path}: internal error: {type(exc).__name__}: {exc}"
                bar.update(1)
            return
        from ..dataset.batch import WorkerPool

        pool = WorkerPool(min(jobs, len(paths)), target, warm_up, timeout)
        for outcome in pool.run((str(i), p) for i, p in enumerate(paths)):
            yield outcome.path, outcome.result, outcome.error
            bar.update(1)
    finally:
        bar.close()


def from_files(paths: Iterable[str], quiet: bool = False, jobs: int | None = None) -> tuple[list[FlagItem], list[str]]:
    """Extract each file and list its flags; returns the items and one line per unreadable file."""
    paths = list(paths)
    found: dict[str, Any] = {}
    failures: list[str] = []
    for path, report, error in read_all(paths, "extractor.pipeline:extract_path", "extractor.dataset.convert:warm_up",
                                        jobs, quiet):
        if error is not None:
            failures.append(error)
        else:
            found[path] = report
    items: list[FlagItem] = []
    for path in paths:  # in the order given, whatever order the workers finished in
        report = found.get(path)
        if report is None:
            continue
        meta = report.meta
        info = DocInfo(path, sha256_file(path), meta.department, meta.report_year, meta.title, report.document)
        items += [FlagItem(info, flag_row(f, path)) for f in report.flags]
    return items, failures


def _resolve(path: str, dataset: str) -> str | None:
    """A stored path as it can be opened now: as stored (relative to here), or beside the dataset."""
    for candidate in (path, os.path.join(os.path.dirname(os.path.abspath(dataset)), path)):
        if os.path.isfile(candidate):
            return candidate
    return None


def from_dataset(dataset: str, quiet: bool = False, jobs: int | None = None) -> list[FlagItem]:
    """Flags of a `jixiao convert` dataset, with each document read again when its file is unchanged."""
    from ..dataset import store

    conn = sqlite3.connect(f"file:{dataset}?mode=ro", uri=True)
    try:
        docs: dict[str, dict[str, Any]] = {}
        for row in store.iter_rows(conn, "documents"):
            if row["doc_id"] and row["doc_id"] not in docs:
                docs[row["doc_id"]] = row
        by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
        cols = store.table_columns("flags")
        for row in store.iter_rows(conn, "flags"):
            by_doc[row["doc_id"]].append({c: store.from_db(c, row[c]) for c in cols})
    finally:
        conn.close()
    infos: dict[str, DocInfo] = {}
    to_read: dict[str, DocInfo] = {}
    for doc_id, rows in by_doc.items():
        d = docs.get(doc_id, {})
        path = d.get("path") or rows[0].get("doc") or doc_id
        info = infos[doc_id] = DocInfo(path, doc_id, d.get("department"), d.get("report_year"), d.get("title"))
        found = _resolve(path, dataset)
        if found is None:
            info.missing = "file not found"
        elif sha256_file(found) != doc_id:
            info.missing = "file changed since the dataset was built"
        else:
            to_read[found] = info
    for path, document, error in read_all(list(to_read), "extractor.readers:read", None, jobs, quiet):
        if error is not None:
            to_read[path].missing = error
        else:
            to_read[path].document = document
    return [FlagItem(infos[doc_id], {k: v for k, v in r.items() if k != "doc_id"})
            for doc_id, rows in by_doc.items() for r in rows]


# ---------------------------------------------------------------- places

def _targets(item: FlagItem, page: int) -> list[Any]:
    """The flag's own span and the evidence on the same page, as highlight targets."""
    from .pdfcrop import Target, occurrence_on_page

    doc = item.doc.document
    assert doc is not None
    r = item.row
    targets = [Target(r.get("text") or "", occurrence_on_page(doc, page, r.get("text") or "", r.get("start"),
                                                            r.get("table"), r.get("row"), r.get("col")), True)]
    for ev in r.get("evidence") or []:
        if ev.get("page") == page and ev.get("text") and not ev.get("doc"):
            targets.append(Target(ev["text"], occurrence_on_page(doc, page, ev["text"], ev.get("start"),
                                                               ev.get("table"), ev.get("row"), ev.get("col")),
                                  False))
    return targets


def _by_document(items: list[FlagItem]) -> Iterator[tuple[DocInfo, list[FlagItem]]]:
    groups: dict[int, list[FlagItem]] = defaultdict(list)
    infos: dict[int, DocInfo] = {}
    for it in items:
        groups[id(it.doc)].append(it)
        infos[id(it.doc)] = it.doc
    for key, group in groups.items():
        yield infos[key], group


def attach_places(items: list[FlagItem], quiet: bool = False) -> None:
    """Give every flag its page crop (PDF pages) or its text excerpt; a progress bar per crop."""
    from tqdm import tqdm

    todo = sum(1 for it in items if it.doc.document is not None and it.doc.document.reader == "pdf"
               and it.row.get("page"))
    bar = tqdm(total=todo, unit="page", desc="rendering", disable=quiet or todo < 2, file=sys.stderr,
               dynamic_ncols=True)
    try:
        for info, group in _by_document(items):
            doc = info.document
            if doc is None:
                continue
            pdf = None
            if doc.reader == "pdf" and any(it.row.get("page") for it in group):
                import pypdfium2

                try:
                    pdf = pypdfium2.PdfDocument(doc.path)
                except Exception as exc:  # the file was read once; a failure now is shown, not raised
                    info.missing = f"cannot render pages: {exc}"
            from .pdfcrop import close_cache, render_crop

            pages: dict[int, Any] = {}
            try:
                for it in sorted(group, key=lambda it: it.row.get("page") or 0):
                    r = it.row
                    it.excerpt = _excerpt(doc, r)
                    page = r.get("page")
                    if pdf is not None and page and 1 <= page <= len(pdf):
                        it.image, it.located = render_crop(pdf, page, _targets(it, page), cache=pages)
                        bar.update(1)
            finally:
                close_cache(pages)
                if pdf is not None:
                    pdf.close()
    finally:
        bar.close()


def _excerpt(doc: Document, r: dict[str, Any]) -> dict[str, Any] | None:
    from .excerpt import excerpt

    return excerpt(doc, r.get("start"), r.get("end"), r.get("table"), r.get("row"), r.get("col"))


def gather(inputs: list[str], quiet: bool = False, jobs: int | None = None) -> tuple[list[FlagItem], list[str]]:
    """Items of every input (files, folders, `.sqlite` datasets) with their places attached."""
    from ..dataset.convert import walk_inputs

    items: list[FlagItem] = []
    failures: list[str] = []
    datasets = [p for p in inputs if os.path.isfile(p) and _is_sqlite(p)]
    others = [p for p in inputs if p not in datasets]
    for ds in datasets:
        items += from_dataset(ds, quiet, jobs)
    if others:
        files = walk_inputs(others).files
        got, failed = from_files(files, quiet, jobs)
        items += got
        failures += failed
    attach_places(items, quiet)
    return items, failures


def _is_sqlite(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(16) == b"SQLite format 3\x00"
