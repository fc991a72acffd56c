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

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from .render import DocSpec, Para, TableSpec
from .synth import Book, d2, dept_name, generate, m, wan, write_document

LEDGER_LAYOUTS = ("joined", "split", "bracket", "names")
LEDGER_FORMATS = ("pdf", "docx", "xlsx", "txt")

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
    if layout not in LEDGER_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r} (use one of {LEDGER_LAYOUTS})")
    rng = random.Random(f"ledger:{seed}")
    book = Book(random.Random(f"errors:{seed}"), 0.0, prose=fmt != "xlsx")
    year = rng.randint(2019, 2024)
    dept = dept_name(rng)
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
    gold = {"doc": None, "kind": "final-accounts-lines", "layout": layout, "report_type": "final-accounts",
            "fiscal_year": year, "title": spec.title, "amounts": book.amounts, "rates": book.rates,
            "projects": [], "indicators": [], "budget_lines": book.budget_lines, "flags": book.flags(),
            "ledger_levels": [0] + [level for level, *_ in rows]}
    return spec, gold


def generate_layouts(n: int, out_dir: str | Path, seed: int = 0, layouts: tuple[str, ...] = LEDGER_LAYOUTS
                     ) -> list[Path]:
    """n documents, each written in every layout (formats rotating), with gold beside each."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        fmt = LEDGER_FORMATS[(i + seed) % len(LEDGER_FORMATS)]
        for layout in layouts:
            spec, gold = make_ledger_document(f"{seed}:{i}", layout, fmt)
            gold["seed"] = seed
            paths.append(write_document(spec, gold, out / f"ledger-{seed}-{i:04d}-{layout}.{fmt}"))
    return paths


@click.command("synth")
@click.option("-n", "count", type=click.IntRange(min=1), default=20, show_default=True, help="number of documents")
@click.option("-o", "out_dir", type=click.Path(file_okay=False), required=True, help="output folder")
@click.option("--errors", "error_rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="probability that a relation carries a planted error")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--layouts", "layouts", default=None, metavar="all|NAME,...",
              help=f"also write N 决算 line tables in each code layout ({', '.join(LEDGER_LAYOUTS)})")
def synth_command(count: int, out_dir: str, error_rate: float, seed: int, layouts: str | None) -> None:
    """Write N sample reports of every kind and format with NAME.gold.json beside each."""
    chosen: tuple[str, ...] = ()
    if layouts:
        chosen = LEDGER_LAYOUTS if layouts == "all" else tuple(x.strip() for x in layouts.split(",") if x.strip())
        unknown = [x for x in chosen if x not in LEDGER_LAYOUTS]
        if unknown:
            raise click.BadParameter(f"unknown layout(s) {', '.join(unknown)}; use all or {', '.join(LEDGER_LAYOUTS)}")
    try:
        paths = generate(count, out_dir, seed=seed, error_rate=error_rate)
        if chosen:
            paths += generate_layouts(count, out_dir, seed=seed, layouts=chosen)
    except ImportError as e:  # reportlab writes the PDFs; it is an optional dependency
        raise click.ClickException(f"cannot write sample documents: {e} (pip install reportlab)") from e
    planted = sum(len(json.loads(p.with_name(p.stem + ".gold.json").read_text("utf-8"))["flags"]) for p in paths)
    click.echo(f"wrote {len(paths)} documents with {planted} planted errors to {out_dir}")


__all__ = ["LEDGER_LAYOUTS", "generate_layouts", "make_ledger_document", "synth_command"]
