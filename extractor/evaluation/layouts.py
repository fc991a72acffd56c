"""Layouts as a test dimension: the same 决算 content printed the ways real archives print it.

A real document is an example of a class of layouts; this module renders generated content
in each class, so one test can demand the same facts from every layout of the same document
(`tests/test_layouts.py`) and `jixiao eval` can score each layout on its own.

The 支出决算表 (by 功能分类) comes in four code layouts seen in published disclosures:
- `joined`: one 科目编码 column (`2010101`);
- `split`: 类 | 款 | 项 columns, the 类 row printing `201`, the 款 row only its `01`;
- `bracket`: the code in brackets glued to the name (`[2010101]行政运行`), levels indented;
- `names`: no code at all, levels shown by indentation only.
"""
from __future__ import annotations

import importlib
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import click

from .render import DocSpec, PageBreak, Para, TableSpec
from .synth import Book, d2, dept_name, generate, m, split, wan, write_document

LEDGER_LAYOUTS = ("joined", "split", "bracket", "names")
LEDGER_FORMATS = ("pdf", "docx", "xlsx", "txt")

Maker = Callable[[Any, str, Any], tuple[DocSpec, dict[str, Any]]]  # (seed, layout, fmt or None)


@dataclass(frozen=True)
class LayoutFamily:
    """Content generated once and printed in each of `layouts`: every layout of one document
    must give the facts of `reference` (the metamorphic test), and `jixiao eval` scores each
    layout on its own. `make(seed, layout, fmt)` returns the document and its gold (with a
    `"layout"` key); layout names are unique over all families and carry no `-`."""

    name: str
    layouts: tuple[str, ...]
    make: Maker
    reference: str
    formats: tuple[str, ...] = LEDGER_FORMATS


def start_document(family: str, seed: int | str, layout: str, layouts: tuple[str, ...], years: tuple[int, int],
                   prose: bool) -> tuple[random.Random, Book, int, str]:
    """The opening every table maker shares: the layout checked, the content's random stream
    (`family:seed`), a planted-error-free book, the year and the department."""
    if layout not in layouts:
        raise ValueError(f"unknown layout {layout!r} (use one of {layouts})")
    rng = random.Random(f"{family}:{seed}")
    book = Book(random.Random(f"errors:{seed}"), 0.0, prose=prose)
    return rng, book, rng.randint(*years), dept_name(rng)


def table_gold(kind: str, layout: str, report_type: str, year: int, spec: DocSpec, book: Book,
               levels: list[int] | None = None) -> dict[str, Any]:
    """The gold of a generated table document: what `book` wrote, no projects or indicators;
    `levels` the level of every grid row under the header (0 for the total), where known."""
    gold = {"doc": None, "kind": kind, "layout": layout, "report_type": report_type,
            "fiscal_year": year, "title": spec.title, "amounts": book.amounts, "rates": book.rates,
            "projects": [], "indicators": [], "budget_lines": book.budget_lines, "flags": book.flags()}
    if levels is not None:
        gold["ledger_levels"] = levels
    return gold


# a slice of the 政府收支分类 功能分类: 类 -> 款 -> 项 (names as the classification prints them)
_TREE: tuple[tuple[str, str, tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]], ...] = (
    ("201", "一般公共服务支出", (
        ("01", "人大事务", (("01", "行政运行"), ("02", "一般行政管理事务"))),
        ("03", "政府办公厅（室）及相关机构事务", (("01", "行政运行"), ("50", "事业运行"))),
    )),
    ("208", "社会保障和就业支出", (
        ("05", "行政事业单位养老支出", (("01", "行政单位离退休"), ("05", "机关事业单位基本养老保险缴费支出"),
                               ("06", "机关事业单位职业年金缴费支出"))),
    )),
    ("210", "卫生健康支出", (
        ("11", "行政事业单位医疗", (("01", "行政单位医疗"), ("02", "事业单位医疗"))),
    )),
    ("213", "农林水支出", (
        ("01", "农业农村", (("01", "行政运行"), ("04", "事业运行"))),
    )),
    ("221", "住房保障支出", (
        ("02", "住房改革支出", (("01", "住房公积金"), ("03", "购房补贴"))),
    )),
)
_COLUMNS = ("本年支出合计", "基本支出", "项目支出")
_ORDINALS = "一二三四五六七八九十"
_INDENT = "\u3000"


def _lines(rng: random.Random) -> list[tuple[int, str, str, tuple[Decimal, Decimal]]]:
    """(level, code, name, (基本支出, 项目支出)) of each row under 合计, parents summing children."""
    classes = sorted(rng.sample(_TREE, rng.choice([2, 3, 4])))
    rows: list[tuple[int, str, str, tuple[Decimal, Decimal]]] = []
    for lei, lname, kuans in classes:
        at_lei = len(rows)
        rows.append((1, lei, lname, (Decimal(0), Decimal(0))))
        lei_sum = [Decimal(0), Decimal(0)]
        for kuan, kname, xiangs in rng.sample(kuans, rng.choice(range(1, len(kuans) + 1))):
            at_kuan = len(rows)
            rows.append((2, lei + kuan, kname, (Decimal(0), Decimal(0))))
            kuan_sum = [Decimal(0), Decimal(0)]
            for xiang, xname in xiangs[:rng.choice(range(1, len(xiangs) + 1))]:
                basic = wan(rng, 5, 900) if rng.random() < 0.8 else Decimal("0.00")
                project = wan(rng, 1, 400) if rng.random() < 0.5 or basic == 0 else Decimal("0.00")
                rows.append((3, lei + kuan + xiang, xname, (basic, project)))
                kuan_sum = [kuan_sum[0] + basic, kuan_sum[1] + project]
            rows[at_kuan] = (2, lei + kuan, kname, (kuan_sum[0], kuan_sum[1]))
            lei_sum = [lei_sum[0] + kuan_sum[0], lei_sum[1] + kuan_sum[1]]
        rows[at_lei] = (1, lei, lname, (lei_sum[0], lei_sum[1]))
    return rows


def _cells(layout: str, level: int, code: str, name: str) -> list[str]:
    if layout == "joined":
        return [code, name]
    if layout == "split":
        lei, kuan, xiang = code[:3], code[3:5], code[5:7]
        return {1: [lei, "", "", name], 2: ["", kuan, "", name], 3: [lei, kuan, xiang, name]}[level]
    if layout == "bracket":
        return [_INDENT * (level - 1) + f"[{code}]{name}"]
    return [_INDENT * (level - 1) + name]


def _header(layout: str) -> list[list[str]]:
    label = {"joined": ["科目编码", "科目名称"], "split": ["类", "款", "项", "科目名称"],
             "bracket": ["科目名称"], "names": ["科目名称"]}[layout]
    return [label + list(_COLUMNS)]


def make_ledger_document(seed: int | str, layout: str, fmt: str | None = None) -> tuple[DocSpec, dict[str, Any]]:
    """A 支出决算表 (by 功能分类, 类/款/项) and its 说明, in one code layout, with gold; `fmt`
    "xlsx" leaves out the prose a workbook would not hold."""
    rng, book, year, dept = start_document("ledger", seed, layout, LEDGER_LAYOUTS, (2019, 2024), fmt != "xlsx")
    rows = _lines(rng)
    top = [r for r in rows if r[0] == 1]
    basic_total = sum((r[3][0] for r in top), Decimal(0))
    project_total = sum((r[3][1] for r in top), Decimal(0))
    grand = basic_total + project_total
    total = m(grand)
    blocks: list[Para | TableSpec] = []
    if book.prose:
        blocks += [Para(f"{dept}{year}年度部门决算"), Para("一、支出决算情况说明"),
                   Para(f"{year}年度本年支出合计{book.w(total)}，其中：基本支出{book.w(m(basic_total))}，"
                        f"项目支出{book.w(m(project_total))}。")]
    grid = _header(layout)
    label_width = len(grid[0]) - len(_COLUMNS)
    nums = [m(grand, inline=False), m(basic_total, inline=False), m(project_total, inline=False)]
    grid.append(([""] * (label_width - 1)) + ["合计"] + [book.w(n) for n in nums])
    book.line(year, "final", "expenditure", "合计", nums[0])
    for level, code, name, (basic, project) in rows:
        row_nums = [m(d2(basic + project), inline=False), m(basic, inline=False), m(project, inline=False)]
        grid.append(_cells(layout, level, code, name) + [book.w(n) for n in row_nums])
        if level == 1:
            book.line(year, "final", "expenditure", name, row_nums[0], code)
    blocks.append(TableSpec(grid, caption=f"支出决算表\n编制单位：{dept}    单位：万元"))
    spec = DocSpec(f"{dept}{year}年度部门决算", blocks)
    return spec, table_gold("final-accounts-lines", layout, "final-accounts", year, spec, book,
                            [0] + [level for level, *_ in rows])


# ---------------------------------------------------------------- tables continued over a page break

PAGES_LAYOUTS = ("onepage", "contheader", "contcaption", "contbare", "contblank")


def make_pages_document(seed: int | str, layout: str, fmt: str | None = None) -> tuple[DocSpec, dict[str, Any]]:
    """The 支出决算表 of `make_ledger_document` (joined codes) on one page (`onepage`), or
    broken over two pages: the header printed again on the next page (`contheader`), with the
    caption too, marked 续 (`contcaption`), or the rows simply going on (`contbare`), also
    after a blank page (`contblank`: a layout that ran out of room for a wide table)."""
    if layout not in PAGES_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r} (use one of {PAGES_LAYOUTS})")
    spec, gold = make_ledger_document(f"pages:{seed}", "joined", fmt)
    gold["layout"] = layout
    if layout == "onepage":
        return spec, gold
    at = next(i for i, b in enumerate(spec.blocks) if isinstance(b, TableSpec))
    table = spec.blocks[at]
    cut = 2 + (len(table.rows) - 2) // 2  # header, 合计, then half of the lines
    first = TableSpec(table.rows[:cut], caption=table.caption)
    rest = table.rows[cut:]
    if layout == "contheader":
        second = TableSpec(table.rows[:1] + rest)
    elif layout == "contcaption":
        title = table.caption.split("\n")[0]
        second = TableSpec(table.rows[:1] + rest, caption=f"{title}（续）\n单位：万元")
    else:
        second = TableSpec(rest)
    blank = [Para(""), PageBreak()] if layout == "contblank" else []
    spec.blocks[at:at + 1] = [first, PageBreak(), *blank, second]
    return spec, gold


PAGES = LayoutFamily("pages", PAGES_LAYOUTS, make_pages_document, reference="onepage", formats=("pdf",))


# ---------------------------------------------------------------- side-by-side 总表

TOTALS_LAYOUTS = ("stacked", "sidebyside", "rowno", "sideunit")

_INCOME = ("一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入",
           "上级补助收入", "事业收入", "其他收入")
_FUNCTIONS = tuple((lei, name) for lei, name, _ in _TREE) + (("205", "教育支出"), ("212", "城乡社区支出"))
_ECON_DEPT = ("工资福利支出", "商品和服务支出", "对个人和家庭的补助", "资本性支出")
_ECON_GOV = ("机关工资福利支出", "机关商品和服务支出", "机关资本性支出（一）", "对事业单位经常性补助", "对个人和家庭的补助")
_AMOUNT_HEADS = {"final": (("决算数",), ("合计", "一般公共预算财政拨款", "政府性基金预算财政拨款")),
                 "budget": (("预算数",), ("本年预算", "编制预算", "上年结转"))}


@dataclass
class _View:
    """One half of a 总表: its label header, its rows (label, 类 code, amounts per column) and
    its three bottom rows (本年…合计, 结转, 总计)."""

    head: str
    direction: str
    rows: list[tuple[str, str | None, list[Decimal]]]
    bottom: list[tuple[str, str, list[Decimal]]]  # (label, direction, amounts)


def _columns(rng: random.Random, total: list[Decimal], n: int) -> list[list[Decimal]]:
    """n rows whose columns add up to `total` (column 0 the sum of the others when there are
    several), some cells zero."""
    if len(total) == 1:
        return [[v] for v in _parts(rng, total[0], n)]
    cols = [_parts(rng, t, n) for t in total[1:]]
    return [[sum((c[i] for c in cols), Decimal(0))] + [c[i] for c in cols] for i in range(n)]


def _parts(rng: random.Random, total: Decimal, n: int) -> list[Decimal]:
    """n parts of total (2 places), about a third of them zero when total allows."""
    live = [i for i in range(n) if i == 0 or rng.random() < 0.65] if total else []
    out = [Decimal("0.00")] * n
    if live:
        cut = split(rng, total, len(live))
        for i, v in zip(live, cut):
            out[i] = v
    return out


def _totals_content(rng: random.Random) -> tuple[str, int, list[_View], str]:
    """(stage, amount columns per half, views, zero style) of one 总表."""
    stage = rng.choice(["final", "budget"])
    k = rng.choice([1, 3])
    n_views = rng.choice([2, 3, 4])

    def vec(lo: float, hi: float) -> list[Decimal]:
        if k == 1:
            return [wan(rng, lo, hi)]
        a, b = wan(rng, lo, hi), (wan(rng, lo / 10, hi / 10) if rng.random() < 0.6 else Decimal("0.00"))
        return [a + b, a, b]

    income, carry, left = vec(300, 6000), vec(0, 150), vec(0, 100)
    left = [min(x, y) for x, y in zip(left, income)]
    if k == 3:
        left[0] = left[1] + left[2]
    spent = [a + b - c for a, b, c in zip(income, carry, left)]
    grand = [a + b for a, b in zip(income, carry)]
    tail_in, tail_out = "年初结转和结余", "年末结转和结余"
    names = ["一般公共预算财政拨款收入"] + rng.sample(_INCOME[1:], rng.choice([1, 2, 3]))
    names = [n for n in _INCOME if n in names]
    views = [_View("收入项目", "income",
                   [(f"{_ORDINALS[i]}、{name}", None, v) for i, (name, v) in
                    enumerate(zip(names, _columns(rng, income, len(names))))],
                   [("本年收入合计", "income", income), (tail_in, "balance", carry), ("收入总计", "income", grand)])]
    funcs = sorted(rng.sample(_FUNCTIONS, rng.choice([3, 4, 5])))
    econ = [("支出功能分类科目", [(name, lei) for lei, name in funcs]),
            ("部门预算支出经济分类科目", [(n, None) for n in _ECON_DEPT]),
            ("政府预算支出经济分类科目", [(n, None) for n in _ECON_GOV])][:n_views - 1]
    numbered = rng.random() < 0.5  # 支出 lines printed `一、一般公共服务支出` in some documents
    for head, labels in econ:
        views.append(_View(head, "expenditure",
                           [((f"{_ORDINALS[i]}、" if numbered else "") + name, code, v)
                            for i, ((name, code), v) in enumerate(zip(labels, _columns(rng, spent, len(labels))))],
                           [("本年支出合计", "expenditure", spent), (tail_out, "balance", left),
                            ("支出总计", "expenditure", grand)]))
    return stage, k, views, rng.choice(["blank", "zero"])



def make_totals_document(seed: int | str, layout: str, fmt: str | None = None, zeros: str | None = None
                         ) -> tuple[DocSpec, dict[str, Any]]:
    """A 收支总表 (收入 | 支出功能分类 | 部门/政府预算经济分类, one or three amount columns per
    half, zeros printed `0.00` or left blank) in one layout: `stacked` (each view a table
    of its own), `sidebyside` (the views as halves of one table), `rowno` (halves with a
    行次 column each and a 栏次 row numbering the amount columns), `sideunit` (side by side, the
    caption and the `编制单位：… | 单位：万元` line printed as the grid's first rows, the unit in
    the last cell of its row: 49 p6)."""
    rng, book, year, dept = start_document("totals", seed, layout, TOTALS_LAYOUTS, (2019, 2026), False)
    stage, k, views, drawn = _totals_content(rng)
    zeros = zeros or drawn
    heads = _AMOUNT_HEADS[stage][0 if k == 1 else 1]
    caption = "收入支出决算总表" if stage == "final" else "部门收支预算总表"
    title = f"{dept}{year}年度部门{'决算' if stage == 'final' else '预算'}"

    def cells(values: list[Decimal]) -> list[str]:
        return ["" if (v == 0 and zeros == "blank") else book.w(m(v, inline=False)) for v in values]

    def half(view: _View, i: int, number: int | None) -> list[str]:
        """Row i of a view (its lines, then blank rows, then the bottom rows)."""
        lines, pad = view.rows, height - len(view.rows) - len(view.bottom)
        if i < len(lines):
            label, values = lines[i][0], lines[i][2]
        elif i < len(lines) + pad:
            return [""] * (1 + (number is not None) + k)
        else:
            label, _d, values = view.bottom[i - len(lines) - pad]
        return [label] + ([str(number)] if number is not None else []) + cells(values)

    blocks: list[Para | TableSpec] = []
    if layout == "stacked":
        for j, view in enumerate(views):
            height = len(view.rows) + len(view.bottom)
            grid = [[view.head] + list(heads)] + [half(view, i, None) for i in range(height)]
            blocks.append(TableSpec(grid, caption=(f"{caption}\n编制单位：{dept}    单位：万元" if j == 0 else
                                                   f"{caption}（{view.head}）\n单位：万元")))
    else:
        numbered = layout == "rowno"
        width = 1 + numbered + k
        height = max(len(v.rows) for v in views) + len(views[0].bottom) + 1
        grid = [sum(([("收入" if v.direction == "income" else "支出")] + [""] * (width - 1) for v in views), []),
                sum(([v.head] + (["行次"] if numbered else []) + list(heads) for v in views), [])]
        merged = [(0, j * width, 0, j * width + width - 1) for j in range(len(views))]
        if numbered:  # a 栏次 row numbering the amount columns across the halves
            grid.append(sum((["栏次", ""] + [str(j * k + x + 1) for x in range(k)] for j in range(len(views))), []))
        for i in range(height):
            grid.append(sum((half(v, i, j * height + i + 1 if numbered else None) for j, v in enumerate(views)), []))
        if layout == "sideunit":  # the caption lines as rows of the grid itself
            n = len(grid[0])
            grid[:0] = [[caption] + [""] * (n - 1), [f"编制单位：{dept}"] + [""] * (n - 2) + ["单位：万元"]]
            merged = [(0, 0, 0, n - 1), (1, 0, 1, n - 2)] + [(r0 + 2, c0, r1 + 2, c1) for r0, c0, r1, c1 in merged]
            blocks.append(TableSpec(grid, merged))
        else:
            blocks.append(TableSpec(grid, merged, caption=f"{caption}\n编制单位：{dept}    单位：万元"))
    for view in views:
        for label, code, values in view.rows:
            if view.head != "收入项目" and code is None:
                continue  # 经济分类 rows are not 功能分类 budget lines
            if values[0] or zeros == "zero":
                book.line(year, stage, view.direction, label.split("、", 1)[-1], m(values[0], inline=False), code)
        if view is views[0] or view is views[1]:
            for label, direction, values in view.bottom:
                if values[0] or zeros == "zero":
                    book.line(year, stage, direction, label, m(values[0], inline=False))
    spec = DocSpec(title, blocks)
    return spec, table_gold("totals", layout, "final-accounts" if stage == "final" else "other", year, spec, book)


TOTALS = LayoutFamily("totals", TOTALS_LAYOUTS, make_totals_document, reference="stacked")


# ---------------------------------------------------------------- a 总表 continued on the next page

TOTALPAGES_LAYOUTS = ("totalone", "totalcont")


def make_totalpages_document(seed: int | str, layout: str, fmt: str | None = None
                             ) -> tuple[DocSpec, dict[str, Any]]:
    """A side-by-side 收支总表 (`make_totals_document`, zeros left blank) on one page
    (`totalone`), or broken where its left half runs out (`totalcont`): the next page starts
    under the running page header with lines whose figures may be blank, and no header."""
    if layout not in TOTALPAGES_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r} (use one of {TOTALPAGES_LAYOUTS})")
    spec, gold = make_totals_document(f"pages:{seed}", "sidebyside", fmt, zeros="blank")
    gold["layout"] = layout
    if layout == "totalone":
        return spec, gold
    at = next(i for i, b in enumerate(spec.blocks) if isinstance(b, TableSpec))
    table = spec.blocks[at]
    half = len(table.rows[1]) // sum(1 for x in table.rows[0] if x)  # the width of one view
    cut = next((r for r in range(3, len(table.rows)) if not any(table.rows[r][:half])), len(table.rows) // 2 + 1)
    spec.blocks[at:at + 1] = [TableSpec(table.rows[:cut], table.merged, caption=table.caption), PageBreak(),
                              Para(spec.title + "公开"), TableSpec(table.rows[cut:])]
    return spec, gold


TOTALPAGES = LayoutFamily("totalpages", TOTALPAGES_LAYOUTS, make_totalpages_document, reference="totalone",
                          formats=("pdf",))


# ---------------------------------------------------------------- the registry of layout families

LEDGER = LayoutFamily("ledger", LEDGER_LAYOUTS, make_ledger_document, reference="joined")

# family name -> "module:attribute" of its LayoutFamily, imported when first used, so a family
# kept in a module of its own registers here with one line (and nothing imports in a circle)
FAMILIES: dict[str, str] = {
    "ledger": f"{__name__}:LEDGER",
    "totals": f"{__name__}:TOTALS",
    "pages": f"{__name__}:PAGES",
    "totalpages": f"{__name__}:TOTALPAGES",
    "grids": "extractor.evaluation.layouts_grids:GRIDS",
    "selfeval": "extractor.evaluation.layouts_selfeval:SELFEVAL",
    "prose": "extractor.evaluation.layouts_prose:PROSE",
    "borderless": "extractor.evaluation.layouts_borderless:BORDERLESS",
    "targets": "extractor.evaluation.layouts_targets:TARGETS",
}


def family(name: str) -> LayoutFamily:
    """The registered family `name`."""
    module, attr = FAMILIES[name].split(":")
    return getattr(importlib.import_module(module), attr)


def layout_index() -> dict[str, LayoutFamily]:
    """Every registered layout name -> its family."""
    out: dict[str, LayoutFamily] = {}
    for name in FAMILIES:
        fam = family(name)
        for layout in fam.layouts:
            if layout in out or "-" in layout:
                raise ValueError(f"layout name {layout!r} of family {name!r} is taken or has a '-'")
            out[layout] = fam
    return out


def resolve_layouts(spec: str) -> tuple[str, ...]:
    """`all`, or a comma list of family and layout names -> layout names (a family gives all its layouts)."""
    index = layout_index()
    if spec.strip() == "all":
        return tuple(index)
    chosen: list[str] = []
    for word in (x.strip() for x in spec.split(",") if x.strip()):
        if word in FAMILIES:
            chosen += [x for x in family(word).layouts if x not in chosen]
        elif word in index:
            chosen += [word] if word not in chosen else []
        else:
            raise ValueError(f"unknown layout {word!r}; use all, a family ({', '.join(FAMILIES)}) "
                             f"or a layout ({', '.join(index)})")
    return tuple(chosen)


def generate_layouts(n: int, out_dir: str | Path, seed: int = 0, layouts: tuple[str, ...] = LEDGER_LAYOUTS
                     ) -> list[Path]:
    """n documents per family of the chosen layouts, each written in every chosen layout of
    its family (formats rotating), with gold beside each: `FAMILY-SEED-I-LAYOUT.FMT`."""
    index = layout_index()
    unknown = [x for x in layouts if x not in index]
    if unknown:
        raise ValueError(f"unknown layout(s) {', '.join(unknown)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fam_name in FAMILIES:
        fam = family(fam_name)
        mine = [x for x in fam.layouts if x in layouts]
        for i in range(n if mine else 0):
            fmt = fam.formats[(i + seed) % len(fam.formats)]
            for layout in mine:
                spec, gold = fam.make(f"{seed}:{i}", layout, fmt)
                gold["seed"] = seed
                paths.append(write_document(spec, gold, out / f"{fam.name}-{seed}-{i:04d}-{layout}.{fmt}"))
    return paths


@click.command("synth")
@click.option("-n", "count", type=click.IntRange(min=1), default=20, show_default=True, help="number of documents")
@click.option("-o", "out_dir", type=click.Path(file_okay=False), required=True, help="output folder")
@click.option("--errors", "error_rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="probability that a relation carries a planted error")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--layouts", "layouts", default=None, metavar="all|NAME,...",
              help="also write N documents of each layout family in every layout (all, or family or layout "
                   f"names: {', '.join(FAMILIES)}, …)")
def synth_command(count: int, out_dir: str, error_rate: float, seed: int, layouts: str | None) -> None:
    """Write N sample reports of every kind and format with NAME.gold.json beside each."""
    chosen: tuple[str, ...] = ()
    if layouts:
        try:
            chosen = resolve_layouts(layouts)
        except ValueError as e:
            raise click.BadParameter(str(e)) from e
    try:
        paths = generate(count, out_dir, seed=seed, error_rate=error_rate)
        if chosen:
            paths += generate_layouts(count, out_dir, seed=seed, layouts=chosen)
    except ImportError as e:  # reportlab writes the PDFs; it is an optional dependency
        raise click.ClickException(f"cannot write sample documents: {e} (pip install reportlab)") from e
    planted = sum(len(json.loads(p.with_name(p.stem + ".gold.json").read_text("utf-8"))["flags"]) for p in paths)
    click.echo(f"wrote {len(paths)} documents with {planted} planted errors to {out_dir}")


__all__ = ["FAMILIES", "LEDGER", "LEDGER_LAYOUTS", "LayoutFamily", "family", "generate_layouts", "layout_index",
           "make_ledger_document", "resolve_layouts", "synth_command"]
