"""Real documents as the false-alarm set: every error flag is a genuine error of the document,
and every genuine error is flagged. The genuine errors are the `flags` of the document's gold
file (`gold/real/`, each with the arithmetic a reader can redo in `why`); documents without a
gold file yet keep theirs in `tests/data/real_genuine_errors.json`. The flags are compared over
the whole document even when its gold covers some pages only (`"pages"`): an error flag outside
them is one nobody has reviewed yet, and fails until someone does. Real 决算/预算 tables: every line-table row gets its level, and
no block that no hierarchy can explain is left silent."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from extractor.tables.ledger import parts_of, read_label, read_ledgers
from extractor.text.normalize import normalize
from real_gold import error_flags, gold_flags, golds_by_document

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
_FIGURE = re.compile(r"-?[\d,]+\.\d+")
_DATA = json.loads((Path(__file__).parent / "data" / "real_genuine_errors.json").read_text("utf-8"))
GOLDS = golds_by_document()
# image-only scans: OCR reads them (their figures are not asserted here)
DOCS = sorted(p for p in REAL.glob("*") if p.suffix in (".pdf", ".txt") and not p.name.startswith("59_")) \
    if REAL.exists() else []

# documents on which jixiao's error flags differ from the genuine errors (docs/real-documents.md):
# a flag the reader found false, or a genuine error no check raises; strict: fixing the check flips the case
KNOWN_FALSE: dict[str, str] = {
    "50_xian-work-safety-2019-comprehensive-budget-4view-total.pdf":
        "9 genuine errors missed: the 2018 合计/小计 columns of 表13 (三公经费及会议费、培训费, p32) omit 会议费+培训费 "
        "(24.08 for 24.08 + 4.32 + 29.79) and 公务用车 (2.86 for 2.86 + 21.22); no check models that table's columns",
    "40_xian-health-commission-2022-final-accounts.pdf":
        "10 genuine errors missed: 执行率得分 on the 部门整体支出绩效自评表 (p30: 0.58 for 执行率 7.30%-98.07% on 7 rows, 10 "
        "for 83.16%), 9.98 for 10 × 99.98% (p70) and 9 for 10 × 95.73% (p124)",
}

pytestmark = pytest.mark.skipif(not REAL.exists(), reason="needs ../shared/real")


def genuine(name: str) -> Counter:
    """The genuine error flags of a document: its gold's, else the JSON's."""
    if name in GOLDS:
        return gold_flags(GOLDS[name])
    return Counter({(e["code"], e["text"]): e["count"] for e in _DATA["documents"].get(name, [])})


def _flag_case(path: Path):
    reason = KNOWN_FALSE.get(path.name)
    return pytest.param(path, marks=[pytest.mark.xfail(strict=True, reason=reason)] if reason else [])


@pytest.mark.parametrize("path", [_flag_case(p) for p in DOCS], ids=lambda p: p.name[:40])
def test_error_flags_are_exactly_the_genuine_errors(real_reports, path):
    r = real_reports[path]
    assert error_flags(r) == genuine(path.name), [f.message for f in r.flags if f.severity == "error"]


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


def _is_total_table(doc, ledger) -> bool:
    """A 收支总表 / 收入支出决算总表 / 财政拨款收入支出决算总表: its caption, above the table
    or in its first rows, names a 总表."""
    t = doc.tables[ledger.tables[0]]
    return "总表" in t.context[-60:].replace(" ", "") + "".join("".join(row) for row in t.cells[:2]).replace(" ", "")


@pytest.mark.parametrize("path", [p for p in DOCS if p.suffix == ".pdf"], ids=lambda p: p.name[:40])
def test_both_halves_of_every_total_table_keep_their_own_labels(real_reports, path):
    """Each half of a 总表 is a column group of its own, with figures, and every figure is
    labelled with the row of its own half (`本年支出合计`, never the 收入 label beside it)."""
    r = real_reports[path]
    doc = r.document
    for ledger in read_ledgers(doc, r.quantities, set(doc.meta.get("selfeval_tables", []))):
        if not _is_total_table(doc, ledger) or len(ledger.groups) < 2:
            continue  # (a one-view 总表 of a single column group has no halves to mix up)
        halves = [g for g in ledger.groups if any(row.values for row in g.rows)]
        assert len(halves) >= 2, (path.name, ledger.tables)
        for g in halves:
            wrong = [(row.name, q.label, q.text) for row in g.rows for q in row.values.values()
                     if read_label(q.label or "")[3] != row.name]
            assert wrong == [], (path.name, ledger.tables, wrong[:5])


@pytest.mark.parametrize("path", [p for p in DOCS if p.suffix == ".pdf"], ids=lambda p: p.name[:40])
def test_no_sum_adds_rows_of_two_levels(real_reports, path):
    """Every sum the ledger checks make (a parent and its direct children) adds rows of one
    level: no child is a row of another child's subtree (a 类 row is never added to its own 款
    rows; an orphan `3010201` whose 款 is not printed may stand beside `30101`), and the
    levels are the one right under the parent's."""
    r = real_reports[path]
    for ledger in read_ledgers(r.document, r.quantities, set(r.document.meta.get("selfeval_tables", []))):
        for group in ledger.groups:
            for block in group.blocks:
                for parent, kids in parts_of(block):
                    where = (path.name, ledger.tables, parent.name)
                    want = 1 if parent is block.total else (parent.level or 0) + 1  # (a total's level is its block's)
                    assert {k.level for k in kids} == {want}, where
                    coded = sorted({k.code for k in kids if k.code and k.kind != "total"})
                    nested = [(a, b) for a in coded for b in coded if a != b and b.startswith(a)]
                    assert nested == [], (where, nested)


def _side_by_side(table) -> bool:
    """A header row names 收入 in a cell left of one naming 支出: the 总表's two halves."""
    for row in table.cells[:5]:
        cells = [normalize(x).text.replace(" ", "").replace("\u3000", "") for x in row]
        income = [i for i, x in enumerate(cells) if "收入" in x and "支出" not in x]
        spent = [i for i, x in enumerate(cells) if "支出" in x and "收入" not in x]
        if income and spent and min(spent) > min(income):
            return True
    return False


@pytest.mark.parametrize("path", [p for p in DOCS if p.suffix == ".pdf"], ids=lambda p: p.name[:40])
def test_every_side_by_side_total_table_with_figures_gives_figures_in_both_halves(real_reports, path):
    """A side-by-side 总表 that prints figures is read as a ledger whose 收入 and 支出 halves
    both hold figures (49's 总表, whose unit stands in a cell of the grid, once gave none)."""
    r = real_reports[path]
    doc = r.document
    ledgers = read_ledgers(doc, r.quantities, set(doc.meta.get("selfeval_tables", [])))
    for t in doc.tables:
        title = (t.context[-60:] + "".join("".join(row) for row in t.cells[:2])).replace(" ", "")
        figures = any(_FIGURE.fullmatch(x.strip()) for row in t.cells[2:] for x in row)
        if "总表" not in title or not figures or not _side_by_side(t):
            continue
        ledger = next((lg for lg in ledgers if t.index in lg.tables), None)
        halves = [g for g in ledger.groups if any(row.values for row in g.rows)] if ledger else []
        assert len(halves) >= 2, (path.name, t.page, t.index)
