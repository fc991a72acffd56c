"""The same content in every layout gives the same facts (metamorphic test of the layouts issue).

Every registered layout family (`extractor.evaluation.layouts.FAMILIES`) writes each
generated document in all its layouts and the four formats: the 支出决算表 in its code
layouts (joined codes, 类|款|项 columns, bracketed codes, names only), the 收支总表 with its
views stacked, side by side, or side by side with 行次 columns; the 支出决算表 on one page or
continued on the next (header printed again, caption marked 续, or neither); the 基本支出表 by 经济分类
as grids (the unit in a cell of the grid's first rows, a 序号 column, figures wrapping in narrow PDF
cells, zero parts left blank, the unit declaration wrapped over two lines, a 部门预算 cover dated only
in its opening); a self-evaluation table's money-valued targets with the unit inline, in a 计量单位
column, in the row's label or as a bare 万. Every layout must give the amounts (value, unit, label: a figure of a half keeps the label of its own half;
a unit moved between cells leaves the label as it was) and budget
lines of the family's reference layout, exactly the gold's, and no error flag; every ledger
row the level it was generated at. A planted slip is caught as an error where the layout
tells the levels, and as a warning where nothing does.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from extractor import extract
from extractor.evaluation.layouts import (FAMILIES, LEDGER_LAYOUTS, family, generate_layouts, layout_index,
                                         make_ledger_document)
from extractor.evaluation.render import render
from extractor.tables.ledger import read_ledgers

SEEDS = 8  # two documents per format


@pytest.fixture(scope="module")
def every(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Document stem -> layout -> file, for every layout of every family."""
    out = tmp_path_factory.mktemp("layouts")
    paths = generate_layouts(SEEDS, out, seed=11, layouts=tuple(layout_index()))
    docs: dict[str, dict[str, Path]] = {}
    for p in paths:
        doc, layout = p.stem.rsplit("-", 1)
        docs.setdefault(doc, {})[layout] = p
    return docs


@pytest.fixture(scope="module")
def facts(every) -> dict[Path, tuple[list, list, list]]:
    return {path: _facts(path) for by in every.values() for path in by.values()}


def _value(v: Decimal | None) -> str:
    """An amount by its value: `251.890000` and `251.89` 万元 are the same fact."""
    return "None" if v is None else format(v.normalize(), "f")


def _facts(path: Path) -> tuple[list, list, list]:
    r = extract(path)
    amounts = sorted((_value(q.value_yuan), q.unit or "", q.label or "") for q in r.quantities if q.kind == "amount")
    lines = sorted((b.year, b.stage, b.direction, b.item, b.category_code, _value(b.value_yuan)) for b in r.budget_lines)
    errors = [(f.code, f.message) for f in r.flags if f.severity == "error"]
    return amounts, lines, errors


def _gold(path: Path) -> dict:
    return json.loads(path.with_name(path.stem + ".gold.json").read_text("utf-8"))


@pytest.mark.parametrize("name", list(FAMILIES))
def test_every_layout_gives_the_facts_of_the_reference_layout(every, facts, name):
    fam = family(name)
    docs = {doc: by for doc, by in every.items() if doc.startswith(f"{name}-")}
    assert len(docs) == SEEDS
    for doc, by_layout in docs.items():
        assert set(by_layout) == set(fam.layouts)
        ref = by_layout[fam.reference]
        ref_amounts, ref_lines, ref_errors = facts[ref]
        gold = _gold(ref)
        assert ref_errors == []
        assert sorted(Decimal(a["value_yuan"]) for a in gold["amounts"]) == sorted(
            Decimal(v) for v, _u, _l in ref_amounts), doc
        assert sorted((b["year"], b["stage"], b["direction"], b["item"], b["category_code"], Decimal(b["value_yuan"]))
                      for b in gold["budget_lines"]) == sorted(
            (y, s, d, i, c, Decimal(v)) for y, s, d, i, c, v in ref_lines), doc
        for layout, path in by_layout.items():
            amounts, lines, errors = facts[path]
            assert amounts == ref_amounts, (doc, layout)
            assert lines == ref_lines, (doc, layout)
            assert errors == [], (doc, layout)


def test_every_row_gets_the_level_it_was_generated_at(every):
    for doc, by_layout in every.items():
        if not doc.startswith(("ledger-", "pages-", "grids-")):
            continue
        for layout, path in by_layout.items():
            gold = json.loads(path.with_name(path.stem + ".gold.json").read_text("utf-8"))
            r = extract(path)
            ledgers = [lg for lg in read_ledgers(r.document, r.quantities) if lg.groups and lg.groups[0].blocks]
            assert len(ledgers) == 1, (path.name, len(ledgers))
            block = ledgers[0].groups[0].blocks[0]
            assert [block.total.level] + [m.level for m in block.members] == gold["ledger_levels"], (path.name, block.how)
            assert block.how == ("sums" if layout == "names" else "code")


def _swap_two_digits(text: str) -> str:
    digits = text.replace(".", "")
    i = next(i for i in range(len(digits) - 1) if digits[i] != digits[i + 1])
    new = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
    return f"{new[:-2]}.{new[-2:]}"


@pytest.mark.parametrize("layout", LEDGER_LAYOUTS)
def test_a_slip_in_a_line_is_caught_where_the_levels_are_known(tmp_path, layout):
    spec, gold = make_ledger_document("slip:3", layout, "xlsx")
    table = next(b for b in spec.blocks if hasattr(b, "rows"))
    row = table.rows[1 + gold["ledger_levels"].index(3)]  # the first 项 row (row 0 is the header)
    col = len(row) - 3  # its 本年支出合计
    before = row[col]
    row[col] = _swap_two_digits(before)
    assert row[col] != before
    r = extract(render(spec, tmp_path / f"slip-{layout}.xlsx"))
    # the slipped 本年支出合计 also breaks its row's 本年支出合计 = 基本支出 + 项目支出, in every
    # layout: an error on the cell itself (merged into the sum's flag where that sits on it)
    assert any(f.severity == "error" and f.text == row[col] for f in r.flags if f.code == "sum-mismatch")
    sums = [f for f in r.flags if f.code == "sum-mismatch" and "列间关系" not in f.message]
    assert [f.severity for f in sums] == (["warning"] if layout == "names" else ["error"]), \
        [f.message for f in sums]
    assert row[col] in [e.text for e in sums[0].evidence] or sums[0].text == row[col]


def test_the_registry_resolves_families_and_layouts():
    from extractor.evaluation.layouts import FAMILIES, family, layout_index, resolve_layouts

    index = layout_index()
    assert all(family(name).reference in family(name).layouts for name in FAMILIES)
    assert resolve_layouts("all") == tuple(index)
    assert resolve_layouts("ledger") == LEDGER_LAYOUTS
    assert resolve_layouts("split, joined,split") == ("split", "joined")
    with pytest.raises(ValueError, match="unknown layout 'nope'"):
        resolve_layouts("joined,nope")
