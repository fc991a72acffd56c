"""Whole 部门决算 disclosures: the nine standard tables, consistent with each other, and the
说明 that restates their figures — clean, or with one planted error of a class an auditor
looks for (issue 11), each with its gold flag.

The content is drawn first as exact figures (every identity of the forms holds: rows by
level, columns, the 总表 identities, 三公, the same figure in every table that repeats it);
then at most one planted error rewrites what is *printed* (a cell, a prose figure, a word, a
table left out), so the gold says exactly which printed figures disagree. The 功能分类
tables come in the code layouts of `layouts.py` (joined / split / bracket / names).
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import regex

from .layouts import LEDGER_LAYOUTS, _cells, _lines
from .layouts import synth_command as synth_command_of_layouts
from .render import DocSpec, Para, TableSpec
from .synth import CENT, HUNDRED, d2, dept_name, transpose_digit, wan, write_document

ZERO = Decimal("0.00")

# class of planted error -> the flag code that catches it
ERROR_CLASSES: dict[str, str] = {
    "row-sum": "sum-mismatch",
    "column-identity": "sum-mismatch",
    "summary-identity": "sum-mismatch",
    "sangong-identity": "sum-mismatch",
    "cross-table": "cross-table-mismatch",
    "prose-table": "restatement-mismatch",
    "share": "rate-mismatch",
    "change": "rate-mismatch",
    "comparison-word": "comparison-word",
    "missing-table": "table-missing",
    "placeholder": "template-leftover",
    "stray-year": "year-mismatch",
    "doubled-punctuation": "template-leftover",
    "total-zero": "total-zero",
    "unit": "unit-suspect",
}
FORMATS = ("txt", "docx", "xlsx", "pdf")

# the nine tables, in the order the forms number them
T_SUMMARY, T_INCOME, T_EXPEND, T_FISCAL, T_GP, T_BASIC, T_SANGONG, T_FUND, T_STATE = (
    "收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表",
    "一般公共预算财政拨款基本支出决算表", "一般公共预算财政拨款“三公”经费支出决算表",
    "政府性基金预算财政拨款收入支出决算表", "国有资本经营预算财政拨款支出决算表")
NINE = (T_SUMMARY, T_INCOME, T_EXPEND, T_FISCAL, T_GP, T_BASIC, T_SANGONG, T_FUND, T_STATE)
_ORD = "一二三四五六七八九十"
_FUND_TREE = ("212", "城乡社区支出", "08", "国有土地使用权出让收入安排的支出", "04", "农村基础设施建设支出")
_PERSONNEL = (("301", "工资福利支出", (("01", "基本工资"), ("02", "津贴补贴"), ("03", "奖金"),
                                      ("08", "机关事业单位基本养老保险缴费"))),
              ("303", "对个人和家庭的补助", (("02", "退休费"), ("05", "生活补助"))))
_PUBLIC = (("302", "商品和服务支出", (("01", "办公费"), ("11", "差旅费"), ("17", "公务接待费"),
                                     ("31", "公务用车运行维护费"))),
           ("310", "资本性支出", (("02", "办公设备购置"),)))


@dataclass
class Fig:
    """One printed figure: its true value and what is printed (a planted error rewrites `shown`)."""

    value: Decimal
    shown: Decimal | None = None
    unit: str = "万元"  # the unit printed after a prose figure
    text: str | None = None  # the printed text, once written

    def __post_init__(self) -> None:
        if self.shown is None:
            self.shown = self.value


@dataclass
class Line:
    level: int
    code: str
    name: str
    cols: list[Fig]


@dataclass
class Planted:
    kind: str
    code: str
    at: Fig | None = None  # the printed figure the error sits on
    related: list[Fig] = field(default_factory=list)
    text: str | None = None  # for errors that are words, not figures


def _tree_sum(lines: list[Line], width: int) -> None:
    """Parents become the sums of their children (bottom up), in every column."""
    for lv in (2, 1):
        for i, ln in enumerate(lines):
            if ln.level != lv:
                continue
            kids = []
            for nxt in lines[i + 1:]:
                if nxt.level <= lv:
                    break
                if nxt.level == lv + 1:
                    kids.append(nxt)
            for k in range(width):
                v = sum((c.cols[k].value for c in kids), ZERO)
                ln.cols[k] = Fig(v)


def _col_total(lines: list[Line], k: int) -> Decimal:
    return sum((ln.cols[k].value for ln in lines if ln.level == 1), ZERO)


class Disclosure:
    """The figures of one department's 决算, then its printed form."""

    def __init__(self, seed: int | str, layout: str | None = None, error: str | None = None, prose: bool = True):
        rng = self.rng = random.Random(f"disclosure:{seed}")
        self.err_rng = random.Random(f"disclosure-error:{seed}")
        self.layout = layout or rng.choice(LEDGER_LAYOUTS)
        self.prose = prose
        self.year = rng.randint(2019, 2025)
        self.dept = dept_name(rng)
        self.planted: list[Planted] = []
        self.error = error
        self.dropped: str | None = None
        self.words: dict[str, str] = {}  # the rate word a comparison-word error prints instead
        self.kept: dict[str, Fig] = {}
        self.figs: dict[Any, list[Fig]] = {}
        self.p: dict[str, Fig] = {}
        self.change_figs: list[tuple[str, Fig, Fig, str]] = []
        self._content()

    def keep(self, key: str, value: Decimal, unit: str = "万元") -> Fig:
        """The figure printed under `key`, made once: printing again prints what was planted."""
        if key not in self.kept:
            self.kept[key] = Fig(value, unit=unit)
        return self.kept[key]

    # ------------------------------------------------------------ content
    def _content(self) -> None:
        rng = self.rng
        base = _lines(rng)
        has_fund = rng.random() < 0.4
        if has_fund:
            lei, lname, kuan, kname, xiang, xname = _FUND_TREE
            fund_v = wan(rng, 20, 600)
            block = [(1, lei, lname, (ZERO, fund_v)), (2, lei + kuan, kname, (ZERO, fund_v)),
                     (3, lei + kuan + xiang, xname, (ZERO, fund_v))]
            at = next((i for i, r in enumerate(base) if r[0] == 1 and r[1] > lei), len(base))
            base = base[:at] + block + base[at:]
        # all funds (支出决算表): 本年支出合计 | 基本支出 | 项目支出 ; the part of each 项 paid by
        # other money than appropriations
        self.exp: list[Line] = []
        self.gp: list[Line] = []  # 一般公共预算财政拨款: 合计 | 基本 | 项目
        self.fund: list[Line] = []  # 政府性基金: 本年收入 | 本年支出
        self.inc: list[Line] = []  # 收入决算表: 本年收入合计 | 财政拨款收入 | 事业收入 | 其他收入
        self.fis_by_lei: dict[str, tuple[Decimal, Decimal]] = {}
        for level, code, name, (b, p) in base:
            is_fund = code.startswith(_FUND_TREE[0])
            if level < 3:
                self.exp.append(Line(level, code, name, [Fig(ZERO)] * 3))
                self.inc.append(Line(level, code, name, [Fig(ZERO)] * 4))
                (self.fund if is_fund else self.gp).append(Line(level, code, name, [Fig(ZERO)] * (2 if is_fund else 3)))
                continue
            self.exp.append(Line(3, code, name, [Fig(b + p), Fig(b), Fig(p)]))
            other_b = d2(b * Decimal(rng.choice(["0", "0", "0.1", "0.25"]))) if not is_fund else ZERO
            other_p = d2(p * Decimal(rng.choice(["0", "0", "0.2"]))) if not is_fund else ZERO
            fb, fp = b - other_b, p - other_p
            surplus = wan(rng, 0, 30) if rng.random() < 0.4 else ZERO
            fiscal_in = fb + fp + surplus
            other_in = other_b + other_p
            shiye = d2(other_in * Decimal(rng.choice(["1", "0.6"])))
            self.inc.append(Line(3, code, name, [Fig(fiscal_in + other_in), Fig(fiscal_in), Fig(shiye),
                                                 Fig(other_in - shiye)]))
            if is_fund:
                self.fund.append(Line(3, code, name, [Fig(fiscal_in), Fig(fp)]))
            else:
                self.gp.append(Line(3, code, name, [Fig(fb + fp), Fig(fb), Fig(fp)]))
        for lines, w in ((self.exp, 3), (self.gp, 3), (self.fund, 2), (self.inc, 4)):
            _tree_sum(lines, w)
        gp_in = sum((ln.cols[1].value for ln in self.inc if ln.level == 3 and not ln.code.startswith(_FUND_TREE[0])), ZERO)
        self.F = gp_in
        self.G = _col_total(self.fund, 0)
        self.S = _col_total(self.inc, 2)
        self.O = _col_total(self.inc, 3)
        self.I = self.F + self.G + self.S + self.O
        self.E = _col_total(self.exp, 0)
        self.B = _col_total(self.exp, 1)
        self.P = _col_total(self.exp, 2)
        self.C0 = wan(rng, 0, 300)
        self.U = ZERO
        self.TI = self.I + self.U + self.C0
        self.C1 = self.TI - self.E
        # 财政拨款
        self.GPE, self.BF, self.PF = (_col_total(self.gp, k) for k in range(3))
        self.GE = _col_total(self.fund, 1)
        self.FE = self.GPE + self.GE
        self.FC0 = d2(self.C0 * Decimal(rng.choice(["0.5", "0.8", "1"])))
        self.FT = self.F + self.G + self.FC0
        self.FC1 = self.FT - self.FE
        # 基本支出 by economic class: 人员经费 + 公用经费 = BF
        self.PE = d2(self.BF * Decimal(str(rng.uniform(0.7, 0.9))))
        self.PU = self.BF - self.PE
        self.econ: dict[str, list[Line]] = {}
        for key, total, tree in (("personnel", self.PE, _PERSONNEL), ("public", self.PU, _PUBLIC)):
            lines: list[Line] = []
            shares = _split(rng, total, len(tree))
            for (code, name, items), share in zip(tree, shares):
                lines.append(Line(1, code, name, [Fig(share)]))
                for (sub, sname), v in zip(items, _split(rng, share, len(items))):
                    lines.append(Line(2, code + sub, sname, [Fig(v)]))
            self.econ[key] = lines
        # 三公: 出国 + (购置 + 运行) + 接待
        self.abroad = wan(rng, 0, 20) if rng.random() < 0.4 else ZERO
        self.car_buy = wan(rng, 5, 30) if rng.random() < 0.3 else ZERO
        self.car_run = wan(rng, 1, 25)
        self.hosting = wan(rng, 0.5, 10)
        self.sangong = self.abroad + self.car_buy + self.car_run + self.hosting
        self.sangong_budget = d2(self.sangong * Decimal(str(rng.uniform(1.0, 1.3))))
        # last year's figures the 说明 compares with
        self.running = d2(self.PU * Decimal(str(rng.uniform(0.6, 1.0)))) or wan(rng, 5, 200)
        # last year's figures (never 0: a change is stated as a percentage of them)
        self.prev = {k: max(d2(v * Decimal(str(rng.uniform(0.8, 1.2)))), Decimal("1.00")) for k, v in
                     (("total", self.TI), ("gp", self.GPE), ("sangong", self.sangong), ("running", self.running))}
        self.procure = wan(rng, 20, 400)
        self.procure_parts = _split(rng, self.procure, 3)


def _split(rng: random.Random, total: Decimal, n: int) -> list[Decimal]:
    if n == 1:
        return [total]
    cuts = sorted(d2(total * Decimal(str(rng.uniform(0.1, 0.9)))) for _ in range(n - 1))
    out, last = [], ZERO
    for c in cuts:
        out.append(c - last)
        last = c
    out.append(total - last)
    return out


# ---------------------------------------------------------------- printing


def _cents(v: Decimal) -> str:
    return format(v.quantize(CENT), "f")


def _num(f: Fig) -> str:
    f.text = _cents(f.shown)
    return f.text


def _prose_num(f: Fig) -> str:
    f.text = f"{_cents(f.shown)}{f.unit}"
    return f.text


def _pct(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.01"))


def _caption(name: str, year: int, dept: str) -> str:
    return f"{name}\n编制单位：{dept}    {year}年度    单位：万元"


def _line_grid(d: Disclosure, lines: list[Line], heads: list[str], total_name: str = "合计") -> list[list[str]]:
    label = {"joined": ["科目编码", "科目名称"], "split": ["类", "款", "项", "科目名称"],
             "bracket": ["科目名称"], "names": ["科目名称"]}[d.layout]
    grid = [label + heads]
    width = len(heads)
    totals = d.figs.setdefault((id(lines), "total"), [Fig(_col_total(lines, k)) for k in range(width)])
    grid.append([""] * (len(label) - 1) + [total_name] + [_num(f) for f in totals])
    for ln in lines:
        grid.append(_cells(d.layout, ln.level, ln.code, ln.name) + [_num(f) for f in ln.cols])
    return grid


def _side_by_side(left: list[tuple[str, Fig | None]], right: list[tuple[str, list[Fig]]],
                  heads: tuple[list[str], list[str]]) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    n_right = max(len(figs) for _n, figs in right)
    rows = [["收入", ""] + ["支出"] + [""] * n_right, heads[0] + heads[1]]
    # the 收入 | 支出 heads span their halves; a plain-text copy keeps one cell per column
    merged = [(0, 0, 0, 1), (0, 2, 0, 2 + n_right)] if n_right == 1 else []
    for i in range(max(len(left), len(right))):
        row = [""] * (3 + n_right)
        if i < len(left):
            row[0] = left[i][0]
            row[1] = _num(left[i][1]) if left[i][1] is not None else ""
        if i < len(right):
            row[2] = right[i][0]
            for k, f in enumerate(right[i][1]):
                row[3 + k] = _num(f)
        rows.append(row)
    return rows, merged


def _tables(d: Disclosure) -> dict[str, list[Para | TableSpec]]:
    y, dept = d.year, d.dept
    out: dict[str, list[Para | TableSpec]] = {}
    # 1 收入支出决算总表
    d.f_summary = {k: d.keep("summary_" + k, v) for k, v in (("F", d.F), ("G", d.G), ("S", d.S), ("O", d.O), ("I", d.I), ("U", d.U),
                                         ("C0", d.C0), ("TI", d.TI), ("E", d.E), ("D", ZERO), ("C1", d.C1),
                                         ("TE", d.TI))}
    fs = d.f_summary
    left = [("一、一般公共预算财政拨款收入", fs["F"]), ("二、政府性基金预算财政拨款收入", fs["G"]),
            ("三、国有资本经营预算财政拨款收入", Fig(ZERO)), ("四、上级补助收入", Fig(ZERO)),
            ("五、事业收入", fs["S"]), ("六、经营收入", Fig(ZERO)), ("七、附属单位上缴收入", Fig(ZERO)),
            ("八、其他收入", fs["O"])]
    d.f_summary_lei = {}
    right: list[tuple[str, list[Fig]]] = []
    for i, ln in enumerate([x for x in d.exp if x.level == 1]):
        f = d.keep("summary_lei_" + ln.code, ln.cols[0].value)
        d.f_summary_lei[ln.code] = f
        right.append((f"{_ORD[i]}、{ln.name}", [f]))
    n = max(len(left), len(right))
    left += [("", None)] * (n - len(left))
    right += [("", [])] * (n - len(right))
    left += [("本年收入合计", fs["I"]), ("使用非财政拨款结余", fs["U"]), ("年初结转和结余", fs["C0"]), ("收入总计", fs["TI"])]
    right += [("本年支出合计", [fs["E"]]), ("结余分配", [fs["D"]]), ("年末结转和结余", [fs["C1"]]), ("支出总计", [fs["TE"]])]
    rows, merged = _side_by_side(left, right, (["项目", "决算数"], ["项目", "决算数"]))
    out[T_SUMMARY] = [TableSpec(rows, merged, caption=_caption(T_SUMMARY, y, dept))]
    # 2 收入决算表, 3 支出决算表
    out[T_INCOME] = [TableSpec(_line_grid(d, d.inc, ["本年收入合计", "财政拨款收入", "事业收入", "其他收入"]),
                               caption=_caption(T_INCOME, y, dept))]
    out[T_EXPEND] = [TableSpec(_line_grid(d, d.exp, ["本年支出合计", "基本支出", "项目支出"]),
                               caption=_caption(T_EXPEND, y, dept))]
    # 4 财政拨款收入支出决算总表
    d.f_fiscal = {k: d.keep("fiscal_" + k, v) for k, v in (("F", d.F), ("G", d.G), ("IN", d.F + d.G), ("C0", d.FC0), ("T", d.FT),
                                        ("FE", d.FE), ("GPE", d.GPE), ("GE", d.GE), ("C1", d.FC1), ("C1gp", d.FC1),
                                        ("TE", d.FT))}
    ff = d.f_fiscal
    d.f_fiscal_lei = {}
    fleft = [("一、一般公共预算财政拨款", ff["F"]), ("二、政府性基金预算财政拨款", ff["G"]),
             ("三、国有资本经营预算财政拨款", Fig(ZERO))]
    fright: list[tuple[str, list[Fig]]] = []
    fund_lei = {ln.code: ln.cols[1].value for ln in d.fund if ln.level == 1}
    gp_lei = {ln.code: ln.cols[0].value for ln in d.gp if ln.level == 1}
    for i, code in enumerate(sorted(set(fund_lei) | set(gp_lei))):
        name = next(ln.name for ln in d.exp if ln.code == code)
        figs = [d.keep(f"fiscal_lei_{code}_{k}", v) for k, v in enumerate(
            (gp_lei.get(code, ZERO) + fund_lei.get(code, ZERO), gp_lei.get(code, ZERO), fund_lei.get(code, ZERO)))]
        d.f_fiscal_lei[code] = figs
        fright.append((f"{_ORD[i]}、{name}", figs))
    n = max(len(fleft), len(fright))
    fleft += [("", None)] * (n - len(fleft))
    fright += [("", [])] * (n - len(fright))
    fleft += [("本年收入合计", ff["IN"]), ("年初财政拨款结转和结余", ff["C0"]), ("收入总计", ff["T"])]
    fright += [("本年支出合计", [ff["FE"], ff["GPE"], ff["GE"]]), ("年末财政拨款结转和结余", [ff["C1"]]),
               ("支出总计", [ff["TE"]])]
    rows, merged = _side_by_side(fleft, fright, (["项目", "决算数"], ["项目", "合计", "一般公共预算财政拨款",
                                                                  "政府性基金预算财政拨款"]))
    out[T_FISCAL] = [TableSpec(rows, merged, caption=_caption(T_FISCAL, y, dept))]
    # 5 一般公共预算财政拨款支出决算表
    out[T_GP] = [TableSpec(_line_grid(d, d.gp, ["合计", "基本支出", "项目支出"]), caption=_caption(T_GP, y, dept))]
    # 6 基本支出 (人员经费 | 公用经费 side by side)
    pers, pub = d.econ["personnel"], d.econ["public"]
    d.f_pe, d.f_pu = d.keep("pe", d.PE), d.keep("pu", d.PU)
    rows = [["人员经费", "", "", "公用经费", "", ""], ["科目编码", "科目名称", "决算数", "科目编码", "科目名称", "决算数"]]
    for i in range(max(len(pers), len(pub))):
        row = [""] * 6
        for off, lines in ((0, pers), (3, pub)):
            if i < len(lines):
                row[off:off + 3] = [lines[i].code, lines[i].name, _num(lines[i].cols[0])]
        rows.append(row)
    rows.append(["", "人员经费合计", _num(d.f_pe), "", "公用经费合计", _num(d.f_pu)])
    out[T_BASIC] = [TableSpec(rows, [(0, 0, 0, 2), (0, 3, 0, 5)], caption=_caption(T_BASIC, y, dept))]
    # 7 三公
    d.f_sg = {}
    rows = [["项目", "合计", "因公出国（境）费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行费", "公务接待费"]]
    for label, scale in (("预算数", d.sangong_budget / d.sangong), ("决算数", Decimal(1))):
        vals = [d2(v * scale) for v in (d.abroad, d.car_buy, d.car_run, d.hosting)]
        abroad, buy, run, host = vals
        figs = [d.keep(f"sg_{label}_{k}", v) for k, v in
                enumerate((abroad + buy + run + host, abroad, buy + run, buy, run, host))]
        d.f_sg[label] = figs
        rows.append([label] + [_num(f) for f in figs])
    out[T_SANGONG] = [TableSpec(rows, caption=_caption(T_SANGONG, y, dept))]
    # 8 政府性基金, 9 国有资本经营
    if d.fund:
        out[T_FUND] = [TableSpec(_line_grid(d, d.fund, ["本年收入", "本年支出"]), caption=_caption(T_FUND, y, dept))]
    else:
        out[T_FUND] = _empty(T_FUND, y, dept, "政府性基金预算财政拨款")
    out[T_STATE] = _empty(T_STATE, y, dept, "国有资本经营预算财政拨款")
    return out


def _empty(name: str, year: int, dept: str, money: str) -> list[Para | TableSpec]:
    return [TableSpec([["科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出"], ["", "合计", "", "", ""]],
                      caption=_caption(name, year, dept)),
            Para(f"注：本单位{year}年度没有使用{money}安排的支出，故本表无数据。")]


def _change(d: Disclosure, cur: Decimal, prev: Decimal, key: str) -> tuple[str, Fig, Fig]:
    """`与上年相比增加x万元，增长y%` (the words from the sign)."""
    delta = cur - prev
    up = delta >= 0
    rate = _pct(abs(delta) * HUNDRED / prev)
    fd, fr = d.keep("delta_" + key, abs(delta)), d.keep("rate_" + key, rate, "%")
    verb, rate_verb = ("增加", "增长") if up else ("减少", "下降")
    d.change_figs.append((key, fd, fr, rate_verb))
    return f"与上年相比{verb}{_prose_num(fd)}，{d.words.get(key, rate_verb)}{_prose_num(fr)}", fd, fr


def _prose(d: Disclosure) -> list[Para]:
    y, dept = d.year, d.dept
    d.change_figs = []
    P = d.p

    def fig(key: str, v: Decimal, unit: str = "万元") -> str:
        if key not in P:
            P[key] = Fig(v, unit=unit)
        return _prose_num(P[key])

    out = [Para(f"{dept}{y}年度部门决算"), Para("第一部分 部门概况"),
           Para(f"{dept}为一级预算单位，纳入{y}年度部门决算编制范围的单位共1家。"),
           Para(f"第二部分 {y}年度部门决算情况说明"), Para("一、收入支出决算总体情况说明")]
    s = f"{y}年度收入、支出总计均为{fig('TI', d.TI)}，"
    out.append(Para(s + _change(d, d.TI, d.prev["total"], "total")[0] + "，主要原因是业务量变化。"))
    out.append(Para("二、收入决算情况说明"))
    parts = [("一般公共预算财政拨款收入", "F", d.F), ("政府性基金预算财政拨款收入", "G", d.G), ("事业收入", "S", d.S),
             ("其他收入", "O", d.O)]
    items = []
    for name, key, v in parts:
        if v:
            items.append(f"{name}{fig(key, v)}，占{fig('share_' + key, _pct(v * HUNDRED / d.I), '%')}")
    out.append(Para(f"{y}年度本年收入合计{fig('I', d.I)}，其中：" + "；".join(items) + "。"))
    out.append(Para("三、支出决算情况说明"))
    items = [f"{name}{fig(key, v)}，占{fig('share_' + key, _pct(v * HUNDRED / d.E), '%')}"
             for name, key, v in (("基本支出", "B", d.B), ("项目支出", "P", d.P)) if v]
    out.append(Para(f"{y}年度本年支出合计{fig('E', d.E)}，其中：" + "；".join(items) + "。"))
    out.append(Para("四、财政拨款收入支出决算总体情况说明"))
    out.append(Para(f"{y}年度财政拨款收入总计{fig('FT', d.FT)}，支出总计{fig('FT2', d.FT)}。"))
    out.append(Para("五、一般公共预算财政拨款支出决算情况说明"))
    out.append(Para(f"{y}年度一般公共预算财政拨款支出{fig('GPE', d.GPE)}，占本年支出合计的"
                    f"{fig('share_GPE', _pct(d.GPE * HUNDRED / d.E), '%')}。" + _change(d, d.GPE, d.prev["gp"], "gp")[0]
                    + "。"))
    leis = [ln for ln in d.gp if ln.level == 1]
    out.append(Para("一般公共预算财政拨款支出决算结构情况：" + "；".join(
        f"{ln.name}（类）{fig('lei_' + ln.code, ln.cols[0].value)}" for ln in leis) + "。"))
    path: dict[int, str] = {}
    k = 0
    for ln in d.gp:
        path[ln.level] = ln.name
        if ln.level == 3 and ln.cols[0].value:
            k += 1
            out.append(Para(f"{k}.{path[1]}（类）{path[2]}（款）{ln.name}（项）支出决算为"
                            f"{fig('xiang_' + ln.code, ln.cols[0].value)}。"))
    out.append(Para("六、一般公共预算财政拨款基本支出决算情况说明"))
    out.append(Para(f"{y}年度一般公共预算财政拨款基本支出{fig('BF', d.BF)}，其中：人员经费{fig('PE', d.PE)}，"
                    f"主要包括基本工资、津贴补贴、奖金、退休费等；公用经费{fig('PU', d.PU)}，主要包括办公费、差旅费、"
                    f"公务接待费、公务用车运行维护费等。"))
    out.append(Para("七、一般公共预算财政拨款“三公”经费支出决算情况说明"))
    out.append(Para(f"{y}年度“三公”经费支出决算{fig('SG', d.sangong)}，" + _change(d, d.sangong, d.prev["sangong"], "sangong")[0]
                    + f"。其中：因公出国（境）费{fig('SG_abroad', d.abroad)}；公务用车购置及运行费"
                    f"{fig('SG_car', d.car_buy + d.car_run)}（其中：公务用车购置费{fig('SG_buy', d.car_buy)}，"
                    f"公务用车运行费{fig('SG_run', d.car_run)}）；公务接待费{fig('SG_host', d.hosting)}。"))
    out.append(Para("八、机关运行经费支出情况说明"))
    out.append(Para(f"{y}年度本部门机关运行经费支出{fig('RUN', d.running)}，"
                    + _change(d, d.running, d.prev["running"], "running")[0] + "。"))
    out.append(Para("九、政府采购支出情况说明"))
    a, b, c = d.procure_parts
    out.append(Para(f"{y}年度政府采购支出总额{fig('PROC', d.procure)}，其中：政府采购货物支出{fig('PROC_a', a)}、"
                    f"政府采购工程支出{fig('PROC_b', b)}、政府采购服务支出{fig('PROC_c', c)}。"))
    out.append(Para(f"第三部分 {y}年度部门决算表"))
    return out


# ---------------------------------------------------------------- planting


def _bump(rng: random.Random, f: Fig) -> Decimal:
    """A printed figure that differs from the true one beyond any rounding."""
    if f.value >= 10 and rng.random() < 0.5:
        t = transpose_digit(f.value, rng)
        if t != f.value:
            return t
    return f.value + Decimal(rng.choice([1, 2, 5, 10, 20])) + Decimal(rng.randint(1, 99)) / HUNDRED


def _plant_figures(d: Disclosure) -> Planted | None:
    """Errors on printed figures (tables and prose); run after the figures exist but before
    printing (the printers read `shown`)."""
    rng, kind = d.err_rng, d.error
    code = ERROR_CLASSES[kind]
    if kind == "row-sum":  # a 项 row's 基本 or 项目 figure and its 合计 grown alike: its 款 no longer adds up
        ln, k = _nonzero_item(rng, d.exp)
        delta = _bump(rng, ln.cols[k]) - ln.cols[k].value
        ln.cols[k].shown += delta
        ln.cols[0].shown += delta
        parent = _parent(d.exp, ln)
        # where the layout shows no level, the block is flagged at its 合计
        tot = d.figs[(id(d.exp), "total")]
        return Planted(kind, code, ln.cols[k], [ln.cols[0], parent.cols[0], parent.cols[k], tot[0], tot[k]])
    if kind == "column-identity":
        ln, k = _nonzero_item(rng, d.exp)
        ln.cols[k].shown = _bump(rng, ln.cols[k])
        return Planted(kind, code, ln.cols[k], [ln.cols[0]])
    if kind == "summary-identity":
        f = d.f_summary["C0"] if d.C0 >= 10 else d.f_summary["C1"]
        f.shown = _bump(rng, f)
        return Planted(kind, code, f, [d.f_summary["TI"], d.f_summary["TE"]])
    if kind == "sangong-identity":
        figs = d.f_sg["决算数"]
        f = figs[4]
        f.shown = _bump(rng, f)
        return Planted(kind, code, f, [figs[2], figs[0]])
    if kind == "cross-table":
        if rng.random() < 0.5 and any(x.level == 3 and x.cols[0].value for x in d.gp):
            # 一般公共预算财政拨款支出决算表 consistent in itself, not with the 财政拨款 总表
            ln, k = _nonzero_item(rng, d.gp)
            delta = Decimal(rng.randint(1, 50))
            chain = [ln, _parent(d.gp, ln), _parent(d.gp, _parent(d.gp, ln))]
            tot = d.figs[(id(d.gp), "total")]
            for figs in [x.cols for x in chain] + [tot]:
                figs[0].shown += delta
                figs[k].shown += delta
            return Planted(kind, code, tot[0], [chain[2].cols[0], d.f_fiscal["GPE"]])
        lines = d.econ["personnel"]
        ln = rng.choice([x for x in lines if x.level == 2])
        delta = Decimal(rng.randint(1, 50))
        parent = next(x for x in lines if x.level == 1 and ln.code.startswith(x.code))
        for x in (ln, parent):
            x.cols[0].shown += delta
        d.f_pe.shown += delta
        return Planted(kind, code, d.f_pe, [d.figs[(id(d.gp), "total")][1]])
    if kind == "total-zero":
        if rng.random() < 0.5:
            figs = d.f_sg["决算数"]
            figs[0].shown = ZERO
            return Planted(kind, code, figs[0], figs[1:3] + figs[5:])
        ln = rng.choice([x for x in d.exp if x.level == 1 and x.cols[0].value])
        ln.cols[0].shown = ZERO
        return Planted(kind, code, ln.cols[0], [])
    return None


def _nonzero_item(rng: random.Random, lines: list[Line]) -> tuple[Line, int]:
    """A 项 row and one of its non-zero 基本/项目 columns."""
    ln = rng.choice([x for x in lines if x.level == 3 and (x.cols[1].value or x.cols[2].value)])
    return ln, rng.choice([k for k in (1, 2) if ln.cols[k].value])


def _parent(lines: list[Line], ln: Line) -> Line:
    i = lines.index(ln)
    return next(x for x in reversed(lines[:i]) if x.level == ln.level - 1)


def make_disclosure(seed: int | str, error: str | None = None, layout: str | None = None,
                    fmt: str | None = None) -> tuple[DocSpec, dict[str, Any]]:
    """One disclosure (the nine tables and, unless `fmt` is xlsx, the 说明) with its gold;
    `error` one of ERROR_CLASSES (None: clean)."""
    if error is not None and error not in ERROR_CLASSES:
        raise ValueError(f"unknown error class {error!r} (use one of {', '.join(ERROR_CLASSES)})")
    d = Disclosure(seed, layout, error, prose=fmt != "xlsx")
    if error in PROSE_CLASSES and not d.prose:
        raise ValueError(f"error class {error!r} needs the 说明 (not in {fmt})")
    rng = d.err_rng
    # print once to create every figure, plant, then print again (the figures are kept by
    # key, so the second printing prints what the planted error rewrote)
    _tables(d)
    if d.prose:
        _prose(d)
    planted = _plant_figures(d) if error else None
    if error == "comparison-word":
        key, fd, fr, verb = rng.choice(d.change_figs)
        d.words[key] = "下降" if verb == "增长" else "增长"
        planted = Planted(error, ERROR_CLASSES[error], fr, [fd])
    elif error in ("prose-table", "share", "change", "unit"):
        planted = _plant_prose_figure(d, error)
    tables = _tables(d)
    prose = _prose(d) if d.prose else []
    order = list(NINE)
    if error == "missing-table":
        d.dropped = rng.choice([T_INCOME, T_EXPEND, T_GP, T_BASIC, T_SANGONG])
        order.remove(d.dropped)
        planted = Planted(error, ERROR_CLASSES[error], text=d.dropped)
    blocks: list[Para | TableSpec] = list(prose)
    for name in order:
        blocks += tables[name]
    if error in ("placeholder", "stray-year", "doubled-punctuation"):
        planted = _plant_words(d, blocks, error)
    spec = DocSpec(f"{d.dept}{d.year}年度部门决算", blocks)
    gold_flags = []
    if planted is not None:
        gold_flags.append({"code": planted.code, "kind": planted.kind,
                           "text": planted.text or (planted.at.text if planted.at else None),
                           "related": [f.text for f in planted.related if f.text]})
    amounts, rates = _printed(blocks)
    gold = {"doc": None, "kind": "final-accounts-disclosure", "layout": d.layout, "report_type": "final-accounts",
            "fiscal_year": d.year, "title": spec.title, "error_class": error, "amounts": amounts, "rates": rates,
            "flags": gold_flags, "tables": [n for n in order]}
    return spec, gold


_PRINTED = regex.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(万元|元|%)")
_CELL = regex.compile(r"\d+\.\d{2}")


def _printed(blocks: list[Para | TableSpec]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The gold amounts and rates: every figure as printed (table cells in 万元), in order."""
    amounts: list[dict[str, Any]] = []
    rates: list[dict[str, Any]] = []
    for b in blocks:
        if isinstance(b, Para):
            for m in _PRINTED.finditer(b.text):
                v, unit = Decimal(m.group(1)), m.group(2)
                if unit == "%":
                    rates.append({"text": m.group(0), "value": m.group(1), "page": None})
                else:
                    amounts.append({"text": m.group(0), "value_yuan": str(v.scaleb(4 if unit == "万元" else 0)),
                                    "page": None})
            continue
        for row in b.rows:
            for cell in row:
                if _CELL.fullmatch(cell):
                    amounts.append({"text": cell, "value_yuan": str(Decimal(cell).scaleb(4)), "page": None})
    return amounts, rates


def _plant_prose_figure(d: Disclosure, kind: str) -> Planted:
    rng, code, P = d.err_rng, ERROR_CLASSES[kind], d.p
    if kind == "prose-table":
        keys = [k for k in P if k[:2] not in ("sh", "PR", "RU", "FT", "TI") and P[k].value >= 1 and k not in "GOS"]
        key = rng.choice(keys)
        P[key].shown = _bump(rng, P[key])
        return Planted(kind, code, P[key])
    if kind == "share":
        f = P[rng.choice([k for k in P if k.startswith("share_")])]
        f.shown = f.value + Decimal(rng.choice([-1, 1])) * (Decimal(rng.randint(2, 900)) / HUNDRED)
        if f.shown <= 0:
            f.shown = f.value + Decimal("3.17")
        return Planted(kind, code, f)
    if kind == "change":
        _key, fd, fr, _v = rng.choice(d.change_figs)
        fr.shown = fr.value + Decimal(rng.randint(150, 900)) / HUNDRED
        return Planted(kind, code, fr, [fd])
    # unit: a 政府采购 part written in 元 (the others in 万元)
    key = rng.choice(["PROC_a", "PROC_b", "PROC_c"])
    P[key].unit = "元"
    return Planted(kind, code, P[key], [P["PROC"]])


def _plant_words(d: Disclosure, blocks: list[Para | TableSpec], kind: str) -> Planted:
    """Template leftovers and a stray year, written into the 说明."""
    rng, code = d.err_rng, ERROR_CLASSES[kind]
    paras = [b for b in blocks if isinstance(b, Para)]
    if kind == "placeholder":
        choice = rng.choice(["dept", "year", "cross"])
        if choice == "dept":
            b = paras[2]
            b.text = b.text.replace(d.dept, "XX局", 1)
            return Planted(kind, code, text="XX")
        if choice == "year":
            b = next(x for x in paras if x.text.startswith("第二部分"))
            b.text = b.text.replace(f"{d.year}年度", "XXXX年度", 1)
            return Planted(kind, code, text="XXXX")
        b = paras[2]
        b.text = b.text.replace(d.dept, "××局", 1)
        return Planted(kind, code, text="××")
    if kind == "stray-year":
        wrong = d.year + rng.choice([-3, -2, 1, 2])
        cands = [x for x in paras if x.text.startswith(("第二部分", "第三部分"))]
        b = rng.choice(cands)
        b.text = b.text.replace(f"{d.year}年度", f"{wrong}年度", 1)
        return Planted(kind, code, text=f"{wrong}年度")
    # doubled punctuation
    cands = [x for x in paras if "。" in x.text[:-1] or "，" in x.text]
    b = rng.choice(cands)
    mark = "，" if "，" in b.text else "。"
    at = rng.choice([i for i, ch in enumerate(b.text) if ch == mark])
    b.text = b.text[:at] + mark + b.text[at:]
    return Planted(kind, code, text=mark * 2)


def render_workbook(spec: DocSpec, path: Path) -> None:
    """A disclosure workbook as finance systems export it: one sheet per table, its caption
    lines above it (a note such as 本表无数据 below)."""
    from openpyxl import Workbook

    from .render import _caption_lines, _set_xlsx_value

    wb = Workbook()
    wb.remove(wb.active)
    ws = None
    r = 1
    for b in spec.blocks:
        if isinstance(b, Para):
            if ws is not None:
                ws.cell(row=r, column=1, value=b.text)
                r += 1
            continue
        lines = _caption_lines(b)
        first = not wb.sheetnames
        ws = wb.create_sheet(title=lines[0][:31] if lines else f"表{len(wb.sheetnames) + 1}")
        r = 1
        if first:  # the workbook's title over its first sheet
            ws.cell(row=r, column=1, value=spec.title)
            r += 1
        for ln in lines:
            ws.cell(row=r, column=1, value=ln)
            r += 1
        for i, row in enumerate(b.grid()):
            for c, text in enumerate(row):
                _set_xlsx_value(ws.cell(row=r + i, column=c + 1), text)
        for r0, c0, r1, c1 in b.merged:
            ws.merge_cells(start_row=r + r0, start_column=c0 + 1, end_row=r + r1, end_column=c1 + 1)
        r += len(b.rows) + 1
    wb.save(str(path))


def write_disclosure(seed: int | str, path: str | Path, error: str | None = None, layout: str | None = None) -> Path:
    """Render one disclosure to `path` (format from its suffix) with NAME.gold.json beside it."""
    path = Path(path)
    spec, gold = make_disclosure(seed, error, layout, path.suffix.lstrip("."))
    if path.suffix == ".xlsx":
        render_workbook(spec, path)
        gold = dict(gold, doc=path.name, format="xlsx", encoding=None)
        path.with_name(path.stem + ".gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n",
                                                            encoding="utf-8")
        return path
    return write_document(spec, gold, path)


def generate_disclosures(n: int, out_dir: str | Path, seed: int = 0, error_rate: float = 0.5,
                         formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """n disclosures, formats and layouts rotating; with probability `error_rate` one planted
    error, the classes rotating (classes that need the 说明 are not planted in workbooks)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    classes = list(ERROR_CLASSES)
    pick = random.Random(f"disclosures:{seed}")
    paths = []
    for i in range(n):
        fmt = formats[i % len(formats)]
        error = None
        if pick.random() < error_rate:
            error = classes[i % len(classes)]
            if fmt == "xlsx" and error in PROSE_CLASSES:
                error = "row-sum"
        layout = LEDGER_LAYOUTS[(i // len(formats)) % len(LEDGER_LAYOUTS)]
        paths.append(write_disclosure(f"{seed}:{i}", out / f"disclosure-{seed}-{i:04d}.{fmt}", error, layout))
    return paths


def _synth(kind: str | None = None, **options: Any) -> None:
    if kind != "disclosure":
        synth_command_of_layouts.callback(**options)
        return
    paths = generate_disclosures(options["count"], options["out_dir"], seed=options["seed"],
                                 error_rate=options["error_rate"])
    planted = sum(len(json.loads(p.with_name(p.stem + ".gold.json").read_text("utf-8"))["flags"]) for p in paths)
    click.echo(f"wrote {len(paths)} disclosures with {planted} planted errors to {options['out_dir']}")


# `jixiao synth` is the layouts' command with one more option, so both keep their own options
synth_command = click.Command(
    "synth", callback=_synth, help=synth_command_of_layouts.help,
    params=[*synth_command_of_layouts.params,
            click.Option(["--kind", "kind"], type=click.Choice(["disclosure"]), default=None,
                         help="write N whole 部门决算 disclosures instead (nine tables and the 说明; one planted error "
                              "in a document with probability --errors, the error classes rotating)")])


PROSE_CLASSES = ("prose-table", "share", "change", "comparison-word", "placeholder", "stray-year",
                 "doubled-punctuation", "unit")

__all__ = ["ERROR_CLASSES", "NINE", "PROSE_CLASSES", "generate_disclosures", "make_disclosure", "render_workbook",
           "synth_command", "write_disclosure"]
