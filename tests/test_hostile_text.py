"""Hostile text must cost a pass over it, not a pass per character: each of these used to be
(or could become) quadratic in a pattern scan. The alarm is a generous guard against an
algorithmic blow-up (minutes), not a speed benchmark (bench/ measures speed)."""
from __future__ import annotations

import signal

import pytest

from extractor.model import Block, Document
from extractor.pipeline import build_report

HOSTILE = {
    "digit run": "1" * 50000,
    "dotted digits": "1.1" * 20000,
    "chinese numerals": "一二三四五六七八九十百千万" * 4000,
    "thousands separators": "1,234" * 10000,
    "compound multipliers": "1万2千" * 10000,
    "operators": "≥" * 30000 + "5%",
    "dashes": "1-" * 30000,
    "table bars": "1 | " * 20000,
    "endless list": "分别为" + "、".join(["1.01万元"] * 5000) + "，合计5050万元",
    "thousands of sections": "\n".join(f"{i}.2023年项目{i}专项经费主要任务及完成情况。\n全年预算5万元，实际支出4万元。"
                                        for i in range(3000)),
    "thousands of listed projects": "本次评价项目共3000个，分别为" + "；".join(f"项目{i}经费5万元" for i in range(3000)) + "。",
}
WITH_AMOUNTS = {"endless list", "thousands of sections", "thousands of listed projects"}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_is_read_in_one_pass(name):
    text = HOSTILE[name]

    def too_slow(*_):
        raise TimeoutError(f"{name}: the pipeline is super-linear on this input")

    old = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(20)
    try:
        report = build_report(Document(path=name, reader="text", text=text,
                                       blocks=[Block("paragraph", None, 0, len(text))]))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    if name not in WITH_AMOUNTS:
        assert all(q.kind != "amount" for q in report.quantities)


def test_table_of_many_subtotals_is_read_in_one_pass():
    """Thousands of 小计 rows: each total takes the rows since the one before, found by position."""
    from extractor.model import Table

    rows = [["项目", "金额"]]
    for i in range(8000):
        rows += [[f"科目{i}", "1.00"], ["小计", "1.00"]]
    table = Table(index=0, cells=rows, page=1, context="单位：万元")
    doc = Document(path="subtotals", reader="xlsx", text="", blocks=[Block("table", 1, table=table)],
                   pages=1, page_starts=[0])

    def too_slow(*_):
        raise TimeoutError("table totals are super-linear")

    old = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(20)
    try:
        report = build_report(doc)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert report.flags == []
