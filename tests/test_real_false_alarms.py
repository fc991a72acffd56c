"""Real documents as the false-alarm set: every error flag is a genuine error of the document
(`tests/data/real_genuine_errors.json`, each with what a reader finds), and every genuine
error is flagged. Real 决算/预算 tables: every line-table row gets its level, and no block
that no hierarchy can explain is left silent."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from extractor import extract
from extractor.tables.ledger import read_ledgers

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
_DATA = json.loads((Path(__file__).parent / "data" / "real_genuine_errors.json").read_text("utf-8"))
GENUINE, UNREVIEWED = _DATA["documents"], _DATA["unreviewed"]
# image-only scans: OCR reads them (their figures are not asserted here)
DOCS = sorted(p for p in REAL.glob("*") if p.suffix in (".pdf", ".txt") and not p.name.startswith("59_")) \
    if REAL.exists() else []

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="needs ../shared/real")


@pytest.fixture(scope="module")
def reports(real_reports) -> dict[str, object]:
    return real_reports


def _report(reports, path: Path):
    if path.name not in reports:
        reports[path.name] = extract(path)
    return reports[path.name]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name[:40])
def test_error_flags_are_exactly_the_genuine_errors(reports, path):
    if path.name in UNREVIEWED:
        pytest.skip(UNREVIEWED[path.name])
    r = _report(reports, path)
    got = Counter((f.code, f.text.strip()) for f in r.flags if f.severity == "error")
    want = Counter({(e["code"], e["text"]): e["count"] for e in GENUINE.get(path.name, [])})
    assert got == want, [f.message for f in r.flags if f.severity == "error"]


@pytest.mark.parametrize("path", [p for p in DOCS if p.suffix == ".pdf"], ids=lambda p: p.name[:40])
def test_every_line_table_row_has_its_level(reports, path):
    r = _report(reports, path)
    ledgers = read_ledgers(r.document, r.quantities, set(r.document.meta.get("selfeval_tables", [])))
    for ledger in ledgers:
        for group in ledger.groups:
            for block in group.blocks:
                if block.how == "unbalanced":
                    continue  # a warning names it (checks/ledger.py)
                assert all(m.level is not None for m in block.members if m.values), (ledger.tables, block.total.name)
