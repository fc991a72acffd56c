"""Real documents as the false-alarm set: every error flag is a genuine error of the document,
and every genuine error is flagged. The genuine errors are the `flags` of the document's gold
file (`gold/real/`, each with the arithmetic a reader can redo in `why`); documents without a
gold file yet keep theirs in `tests/data/real_genuine_errors.json`. A gold with `"pages"`
answers for those pages only. Real 决算/预算 tables: every line-table row gets its level, and
no block that no hierarchy can explain is left silent."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from extractor.tables.ledger import read_ledgers
from real_gold import error_flags, gold_flags, golds_by_document

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
_DATA = json.loads((Path(__file__).parent / "data" / "real_genuine_errors.json").read_text("utf-8"))
GOLDS = golds_by_document()
UNREVIEWED = _DATA.get("unreviewed", {})
# image-only scans: OCR reads them (their figures are not asserted here)
DOCS = sorted(p for p in REAL.glob("*") if p.suffix in (".pdf", ".txt") and not p.name.startswith("59_")) \
    if REAL.exists() else []

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="needs ../shared/real")


def genuine(name: str) -> tuple[Counter, list[int] | None]:
    """The genuine error flags of a document, and the pages its gold answers for (None: all)."""
    if name in GOLDS:
        return gold_flags(GOLDS[name]), GOLDS[name].get("pages")
    return Counter({(e["code"], e["text"]): e["count"] for e in _DATA["documents"].get(name, [])}), None


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name[:40])
def test_error_flags_are_exactly_the_genuine_errors(real_reports, path):
    if path.name in UNREVIEWED and path.name not in GOLDS:
        pytest.skip(UNREVIEWED[path.name])
    r = real_reports[path]
    want, pages = genuine(path.name)
    got = error_flags(r, pages)
    assert got == want, [f.message for f in r.flags if f.severity == "error" and (pages is None or f.page in pages)]


@pytest.mark.parametrize("path", [p for p in DOCS if p.suffix == ".pdf"], ids=lambda p: p.name[:40])
def test_every_line_table_row_has_its_level(real_reports, path):
    r = real_reports[path]
    ledgers = read_ledgers(r.document, r.quantities, set(r.document.meta.get("selfeval_tables", [])))
    for ledger in ledgers:
        for group in ledger.groups:
            for block in group.blocks:
                if block.how == "unbalanced":
                    continue  # a warning names it (checks/ledger.py)
                assert all(m.level is not None for m in block.members if m.values), (ledger.tables, block.total.name)
