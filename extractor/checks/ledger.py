"""Line tables whose levels nothing tells (no codes, outline prefixes or indentation) and
whose rows no hierarchy can make add up: the total is wrong somewhere, but which rows it
should be compared with is unknown, so the flag is a warning that names the block.

Blocks whose levels are known are checked as sums by the arithmetic family (through
`relations.PartOf`), where a failing total is an error with every cell as evidence.
"""
from __future__ import annotations

from ..jsonout import decimal_text
from ..model import Evidence, Flag, Report
from . import register
from ..tables.ledger import column_balances
from .relations import relations_of


@register("sum-mismatch")
def unbalanced_blocks(report: Report) -> list[Flag]:
    flags: list[Flag] = []
    for ledger in relations_of(report).ledgers:
        for group in ledger.groups:
            for block in group.blocks:
                if block.how != "unbalanced":
                    continue
                for k in range(len(group.amount_cols)):
                    whole = block.total.values.get(k)
                    parts = [m.values[k] for m in block.members if k in m.values]
                    if whole is None or not parts or column_balances(block, k):
                        continue
                    listed = "、".join(f"{m.name}{m.values[k].text}" for m in block.members if k in m.values)
                    flags.append(Flag(
                        code="sum-mismatch", severity="warning", text=whole.text,
                        message=(f"“{block.total.name}”{whole.text}：表中各行没有标明层级（无科目编码、序号或缩进），"
                                 f"且无论按何种类/款/项层级都不能相加得到该合计（{listed}）；请核对合计或各行金额。"),
                        message_en=(f"'{block.total.name}' {whole.text}: the rows carry no level (no codes, outline "
                                    f"numbers or indentation) and no 类/款/项 hierarchy of them adds up to this total "
                                    f"(rows: {len(parts)}, total {decimal_text(whole.value)}); check the total or the rows."),
                        page=whole.page, start=whole.start, end=whole.end, table=whole.table, row=whole.row,
                        col=whole.col,
                        evidence=[Evidence(q.text, q.page, q.start, q.end, q.table, q.row, q.col) for q in parts],
                        confidence=0.6))
    return flags
