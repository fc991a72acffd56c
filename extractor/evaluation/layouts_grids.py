"""部门预算 line tables printed as the grids real archives print them: a layout family of the
layouts test (issue 10, seen on 48 and 49).

One 基本支出表 by 经济分类 (类 `301`, 款 `30101`; 合计 | 人员经费 | 公用经费, the 人员经费 rows
printing 0 as 公用经费 and back, those zeros printed `0.00` or left blank per document) is
printed as
- `gridplain`: the caption and `单位：万元` above the table (the reference);
- `gridunit`: the title and the `预算单位：… | 单位：万元` line printed as rows of the grid itself,
  the unit in the last cell of the second row, and `合计` in the code column (49 p6, p11);
- `gridseq`: a 序号 column numbering the rows before the code (1, 2, 3 …);
- `gridnarrow`: in PDF the figure columns narrower than their figures, so each figure wraps in
  its cell (`1682.7` over `6`, 49 p10); other formats print it as `gridplain`;
- `gridwrapunit`: the caption's unit declaration wrapped by a line break (`单位：万` / `元`, 50's
  政府采购预算表), in every format (a text file's `|` table takes the wrapped tail with its head:
  the caption above stays its context);
- `gridcover`: the document opens as a 部门预算's cover and contents do: a title naming no year
  (`某局部门预算`, report type other), a compilation date of the year before
  (`编制日期：2025年12月28日`, a date, not the fiscal year), a contents line naming 部门决算
  (`二、机构设置及部门决算单位构成`, not the title), the fiscal year stated first in the
  overview's opening sentence, before any figure (47's cover, 49's contents, 60's report date).
Every layout must give the amounts (value, unit, label) and the levels of `gridplain`, and no
error flag.
"""
from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from .layouts import LayoutFamily, start_document, table_gold
from .render import DocSpec, Para, TableSpec
from .synth import m, wan

GRID_LAYOUTS = ("gridplain", "gridunit", "gridseq", "gridnarrow", "gridwrapunit", "gridcover")

# 经济分类: 类 -> 款, and which 基本支出 column a 类 falls in (人员经费 0, 公用经费 1)
_ECON: tuple[tuple[str, str, int, tuple[tuple[str, str], ...]], ...] = (
    ("301", "工资福利支出", 0, (("01", "基本工资"), ("02", "津贴补贴"), ("03", "奖金"),
                            ("08", "机关事业单位基本养老保险缴费"), ("10", "职工基本医疗保险缴费"),
                            ("13", "住房公积金"), ("99", "其他工资福利支出"))),
    ("302", "商品和服务支出", 1, (("01", "办公费"), ("05", "水费"), ("06", "电费"), ("07", "邮电费"),
                             ("11", "差旅费"), ("16", "培训费"), ("17", "公务接待费"), ("28", "工会经费"),
                             ("31", "公务用车运行维护费"), ("99", "其他商品和服务支出"))),
    ("303", "对个人和家庭的补助", 0, (("02", "退休费"), ("05", "生活补助"), ("07", "医疗费补助"))),
    ("310", "资本性支出", 1, (("02", "办公设备购置"), ("07", "信息网络及软件购置更新"))),
)
_COLUMNS = ("合计", "人员经费", "公用经费")


def _rows(rng: random.Random) -> list[tuple[int, str, str, tuple[Decimal, Decimal]]]:
    """(level, code, name, (人员经费, 公用经费)) of each row under 合计, 类 rows summing their 款."""
    out: list[tuple[int, str, str, tuple[Decimal, Decimal]]] = []
    for lei, name, col, kuans in sorted(rng.sample(_ECON[:2], 2) + rng.sample(_ECON[2:], rng.choice([0, 1, 2]))):
        picked = sorted(rng.sample(kuans, rng.randint(1, min(5, len(kuans)))))
        parts = [wan(rng, 0.5, 400) for _ in picked]
        split = lambda v: (v, Decimal("0.00")) if col == 0 else (Decimal("0.00"), v)  # noqa: E731
        out.append((1, lei, name, split(sum(parts, Decimal("0.00")))))
        out += [(2, lei + code, kname, split(v)) for (code, kname), v in zip(picked, parts)]
    return out


def _cover(rng: random.Random, dept: str, year: int) -> list[Para]:
    """A 部门预算's cover and contents whose only year is stated in the overview's opening: the
    compilation date before it is a date of the year before, and a contents line names 部门决算."""
    return [Para(f"编制日期：{year - 1}年12月{rng.randint(10, 31)}日"), Para("目录"), Para("第一部分 部门概况"),
            Para("一、部门职责"), Para("二、机构设置及部门决算单位构成"), Para("第二部分 部门预算表"),
            Para("第一部分 部门概况"), Para("一、部门职责"),
            Para(f"{dept}{year}年度主要职责是统筹本系统各项业务工作，落实上级部署的重点任务。"),
            Para("第二部分 部门预算表")]


def make_grids_document(seed: int | str, layout: str, fmt: str | None = None) -> tuple[DocSpec, dict[str, Any]]:
    """A 基本支出表 by 经济分类 in one grid layout, with its gold."""
    rng, book, year, dept = start_document("grids", seed, layout, GRID_LAYOUTS, (2020, 2026), fmt != "xlsx")
    rows = _rows(rng)
    blank = rng.random() < 0.5  # a part cell whose figure is 0 printed empty
    personnel = sum((r[3][0] for r in rows if r[0] == 1), Decimal("0.00"))
    public = sum((r[3][1] for r in rows if r[0] == 1), Decimal("0.00"))

    def figures(values: tuple[Decimal, Decimal]) -> list[str]:
        whole = values[0] + values[1]
        return [book.w(m(whole, inline=False))] + [
            "" if (v == 0 and blank) else book.w(m(v, inline=False)) for v in values]

    caption = f"一般公共预算基本支出表\n预算单位：{dept}    单位：万元"
    head = ["科目编码", "科目名称", *_COLUMNS]
    book.line(year, "budget", "expenditure", "合计", m(personnel + public, inline=False))
    body = [["合计", "", *figures((personnel, public))]] + [[code, name, *figures(v)] for _lv, code, name, v in rows]
    merged: list[tuple[int, int, int, int]] = []
    narrow = False
    if layout == "gridunit":
        width = len(head)
        grid = [["一般公共预算基本支出表"] + [""] * (width - 1),
                [f"预算单位：{dept}"] + [""] * (width - 2) + ["单位：万元"], head] + body
        merged = [(0, 0, 0, width - 1), (1, 0, 1, width - 2)]
        caption = ""
    elif layout == "gridseq":
        grid = [["序号"] + head] + [[str(i + 1)] + row for i, row in enumerate(body)]
    else:
        grid = [head] + body
        narrow = layout == "gridnarrow" and fmt == "pdf"
    if layout == "gridwrapunit":
        caption = caption.replace("单位：万元", "单位：万\n元")
    title = f"{dept}{year}年部门预算"
    blocks: list[Para | TableSpec] = []
    if layout == "gridcover":
        title = f"{dept}部门预算"
        blocks += _cover(random.Random(f"gridcover:{seed}"), dept, year)
    elif book.prose:
        blocks.append(Para(title))
    blocks.append(TableSpec(grid, merged, caption=caption, narrow=narrow))
    spec = DocSpec(title, blocks)
    return spec, table_gold("budget-lines-grid", layout, "other", year, spec, book, [0] + [level for level, *_ in rows])


GRIDS = LayoutFamily("grids", GRID_LAYOUTS, make_grids_document, reference="gridplain")

__all__ = ["GRIDS", "GRID_LAYOUTS", "make_grids_document"]
