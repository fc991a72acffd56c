"""Money-valued indicator targets printed the ways real self-evaluation and target tables print
their unit: a layout family of the layouts test (the classes of 40 and 43).

One 项目支出绩效自评表 is generated (synth.py's head, money block and indicators, every fund
cell written) with two money-valued indicators among the others: a cost (`项目总成本 ≤ the
budget 万元`) and a revenue in 亿元 (`带动产业收入 ≥ 21.59亿元`). It is printed as
- `unitinline`: every target and actual with its unit in the cell (`≤396.00万元 | 378.27万元`,
  the reference);
- `unitcolumn`: the units in a 计量单位 column of their own and the operators in a 指标性质
  column after it, targets and actuals bare (`35.78 | 34.10 | 万元 | ≤`, 43's 绩效目标表);
- `unitlabel`: the money rows' labels declaring their unit and their figures bare, no operator
  (`带动产业收入（亿元） | 21.59 | 23.43`, 40 p132–133); the other rows as `unitinline`;
- `wanrow`: the cost's actual with a bare 万 (`≤396.00万元 | 378.27万`, 40 p74), its money
  word (成本) standing only in the row's label cells, not in the target beside it.
Every layout must give the amounts (value, unit and label), projects' figures and budget lines
of `unitinline` and no error flag (tests/test_layouts.py); `jixiao eval` scores each on its own.
A figure's label is the nearest text cell left of it that names something: a cell of a figure,
a unit or an operator alone (`≥21.59亿元`, `万元`, `≤`) is none, and a label's bracketed unit
(`带动产业收入（亿元）`) is left out, so the unit's place does not move the label.
"""
from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from ..jsonout import decimal_text
from .layouts import start_document
from .render import DocSpec, TableSpec
from .synth import (HUNDRED, Book, Ind, Num, _PROJECTS, _score, _stated, d2, indicator_gold, make_funds,
                    make_indicators, project_gold, to_yuan, wan)

TARGET_LAYOUTS = ("unitinline", "unitcolumn", "unitlabel", "wanrow")
_MONEY_UNITS = ("万元", "亿元")
_HEAD = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值"]
_TAIL = ["分值", "得分", "偏差原因分析及改进措施"]


def _money_indicators(rng: random.Random, budget: Decimal, executed: Decimal) -> tuple[Ind, Ind]:
    """The cost (≤ the budget, in 万元) and a revenue in 亿元 of the project."""
    cost = Ind("产出指标", "成本指标", "项目总成本", "≤", budget, "万元", executed)
    target = Decimal(rng.randint(50, 3000)) / HUNDRED
    actual = d2(target * Decimal(str(round(rng.uniform(0.8, 1.3), 3))))
    return cost, Ind("效益指标", "经济效益指标", "带动产业收入", "≥", target, "亿元", actual)


def _indicators(rng: random.Random, budget: Decimal, executed: Decimal) -> list[Ind]:
    """synth's indicators (the cost as a rate, 成本控制率) with the two money ones among them."""
    inds = make_indicators(rng, budget, executed, {"产出指标": 30, "效益指标": 20, "满意度指标": 10}, sichuan=True)
    cost, revenue = _money_indicators(rng, budget, executed)
    for ind, weight in ((cost, 20), (revenue, 10)):
        ind.weight = Decimal(weight)
        ind.score = _score(ind)
        if ind.score < ind.weight:
            ind.reason = "受市场因素影响未完全达到年度目标，下一步将加强运营管理。"
        group = [i for i, x in enumerate(inds) if x.l2 == ind.l2] or [i for i, x in enumerate(inds) if x.l1 == ind.l1]
        inds.insert(group[-1] + 1, ind)  # after its 二级指标's rows, else after its 一级指标's
    return inds


def _written(book: Book, value: Decimal, unit: str | None, op: str | None, inline: bool) -> str:
    """A target or actual cell: amounts and rates recorded in the gold as printed."""
    if unit in _MONEY_UNITS or (unit == "%" and inline):
        return book.w(Num(value, unit, inline=inline, prefix=(op or "") if inline else ""))
    if not inline:
        return decimal_text(value)
    return f"{op or ''}{decimal_text(value)}{unit or ''}"


def _bare_wan(book: Book, value: Decimal) -> str:
    """`378.27万`: an amount of 万元 printed with a bare 万."""
    text = f"{decimal_text(value)}万"
    book.amounts.append({"text": text, "value_yuan": decimal_text(to_yuan(value, "万元")), "page": None})
    return text


def _row(book: Book, layout: str, ind: Ind, project: str) -> list[str]:
    """The indicator's cells after 一级/二级指标 (三级指标 … 偏差原因), its gold recorded."""
    money = ind.unit in _MONEY_UNITS
    l3 = ind.l3
    column = layout == "unitcolumn"
    indicator_gold(book, project, ind, sichuan=column)
    gold = book.indicators[-1]
    if ind.op is None:
        target, actual = ind.qual_target, ind.qual_actual
    elif layout == "unitlabel" and money:
        l3 = f"{ind.l3}（{ind.unit}）"
        target = _written(book, ind.target, ind.unit, None, inline=False)
        actual = _written(book, ind.actual, ind.unit, None, inline=False)
        gold.update(l3=l3, operator=None, target_raw=target, actual_raw=actual)
    else:
        target = _written(book, ind.target, ind.unit, ind.op, inline=not column)
        if layout == "wanrow" and ind.unit == "万元":
            actual = _bare_wan(book, ind.actual)
            gold.update(actual_raw=actual)
        else:
            actual = _written(book, ind.actual, ind.unit, None, inline=not column)
    cells = [l3, target, actual]
    if column:
        cells += [ind.unit or "", ind.op or "定性"]
    return cells + [decimal_text(ind.weight), decimal_text(ind.score), ind.reason]


def make_targets_document(seed: int | str, layout: str, fmt: str | None = None) -> tuple[DocSpec, dict[str, Any]]:
    """A 项目支出绩效自评表 with money-valued indicators, their units printed as `layout` says."""
    rng, book, year, dept = start_document("targets", seed, layout, TARGET_LAYOUTS, (2019, 2024), fmt != "xlsx")
    project = rng.choice(_PROJECTS) + "项目"
    adjusted = wan(rng, 50, 900)
    initial = adjusted if rng.random() < 0.5 else d2(adjusted * Decimal(str(round(rng.uniform(0.8, 1.0), 2))))
    executed = d2(adjusted * Decimal(str(round(rng.uniform(0.82, 1.0), 3))))
    heads = _HEAD + (["计量单位", "指标性质"] if layout == "unitcolumn" else []) + _TAIL
    width = 1 + len(heads)
    pad = [""] * (width - 9)
    labels = ["年度资金总额", "其中：本年财政拨款", "上年结转资金", "其他资金"]
    f = make_funds(book, rng, labels, initial, adjusted, executed, used=rng.choice([1, 2, 3]))
    rows: list[list[str]] = [["项目名称", project] + [""] * (width - 2),
                             ["主管部门", dept, "", "", "实施单位", dept] + [""] * (width - 6),
                             ["项目资金（万元）", "", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
                              "得分"] + pad]
    last = width - 1
    wide = [(8, last)] if last > 8 else []  # the 得分 cell spans the columns the indicators add
    merged = [(0, 1, 0, last), (1, 1, 1, 3), (1, 5, 1, last), (2, 1, 2, 2)] + [(2, a, 2, b) for a, b in wide]
    for i, (label, cells) in enumerate(zip(labels, f.rows)):
        tail = [decimal_text(f.weight), book.w(f.rate), decimal_text(f.score)] if i == 0 else ["—", "—", "—"]
        rows.append(["", label, ""] + [book.w(c) for c in cells] + tail + pad)
        merged += [(3 + i, 1, 3 + i, 2)] + [(3 + i, a, 3 + i, b) for a, b in wide]
    merged.append((2, 0, 2 + len(labels), 0))
    g = len(rows)
    rows.append(["年度总体目标", "预期目标", "", "", "", "实际完成情况"] + [""] * (width - 6))
    rows.append(["", f"按计划完成{project}各项任务，资金使用规范。", "", "", "",
                 "已按计划完成年度任务，资金按规定使用。"] + [""] * (width - 6))
    merged += [(g, 0, g + 1, 0), (g, 1, g, 4), (g, 5, g, last), (g + 1, 1, g + 1, 4), (g + 1, 5, g + 1, last)]
    inds = _indicators(rng, adjusted, executed)
    h = len(rows)
    rows.append(["绩效指标"] + heads)
    start: dict[str, int] = {}
    for ind in inds:
        first = ind.l1 not in start
        start.setdefault(ind.l1, len(rows))
        rows.append(["", ind.l1 if first else "", ind.l2] + _row(book, layout, ind, project))
    ends = {ind.l1: h + 1 + i for i, ind in enumerate(inds)}
    merged += [(s, 1, ends[l1], 1) for l1, s in start.items() if ends[l1] > s]
    merged.append((h, 0, len(rows) - 1, 0))
    total = f.score + sum((i.score for i in inds), Decimal(0))
    rows.append(["总分"] + [""] * (width - 4) + ["100", decimal_text(total), ""])
    merged.append((len(rows) - 1, 0, len(rows) - 1, width - 4))
    project_gold(book, project, year, f, sup=dept, impl=dept, total_score=total)
    spec = DocSpec(f"项目支出绩效自评表（{year}年度）", [TableSpec(rows, merged)])
    gold = {"doc": None, "kind": "indicator-targets", "layout": layout, "report_type": "self-eval-table",
            "fiscal_year": year, "title": spec.title, "amounts": book.amounts, "rates": book.rates,
            "projects": [_stated(p) for p in book.projects], "indicators": book.indicators,
            "budget_lines": book.budget_lines, "flags": book.flags()}
    return spec, gold


def __getattr__(name: str):
    """`TARGETS`: the family for the layouts registry (built when first asked for)."""
    if name == "TARGETS":
        from .layouts import LayoutFamily

        return LayoutFamily("targets", TARGET_LAYOUTS, make_targets_document, reference="unitinline")
    raise AttributeError(name)


__all__ = ["TARGET_LAYOUTS", "make_targets_document"]
