"""A self-evaluation form whose indicator rows a page break carries into a table with no
header of its own (the next PDF page, as many columns wide) keeps every indicator and its
总分: the rows are read with the columns of the form's indicator header."""
from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.evaluation.evaluate import predict
from extractor.evaluation.render import PageBreak, TableSpec
from extractor.evaluation.synth import make_document, write_document


def _broken(seed: int, before_last: int) -> tuple:
    """The Sichuan form of `seed` broken over two pages `before_last` indicator rows before its 合计 row."""
    spec, gold = make_document("sichuan-table", seed, fmt="pdf")
    table = spec.blocks[0]
    total_row = next(r for r, row in enumerate(table.rows) if row[0] == "合计")
    cut = total_row - before_last
    first = TableSpec(table.rows[:cut], [m for m in table.merged if m[2] < cut], caption=table.caption)
    second = TableSpec(table.rows[cut:], [(r0 - cut, c0, r1 - cut, c1) for r0, c0, r1, c1 in table.merged if r0 >= cut])
    spec.blocks[0:1] = [first, PageBreak(), second]
    return spec, gold


@pytest.mark.parametrize("seed, before_last", [(3, 1), (4, 2), (5, 4)])
def test_indicators_carried_to_the_next_page_are_read(tmp_path, seed, before_last):
    spec, gold = _broken(seed, before_last)
    path = write_document(spec, gold, tmp_path / f"broken-{seed}.pdf")
    pred = predict(str(path))
    got = [(i["l1"], i["l3"], i["actual_raw"], str(i["weight"]), str(i["score"])) for i in pred["indicators"]]
    want = [(i["l1"], i["l3"], i["actual_raw"], str(i["weight"]), str(i["score"])) for i in gold["indicators"]]
    assert [w[1] for w in got] == [w[1] for w in want]
    assert [(a, b, Decimal(c), Decimal(d)) for _, a, b, c, d in got] == [
        (a, b, Decimal(c), Decimal(d)) for _, a, b, c, d in want]
    assert [w[0] for w in got] == [w[0] for w in want]
    (project,) = pred["projects"]
    assert Decimal(str(project["total_score"])) == Decimal(gold["projects"][0]["total_score"])
