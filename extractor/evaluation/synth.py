"""Generate sample reports of every kind and format, each with its gold answers.

Accuracy can only be measured on documents whose every amount, rate, project row,
indicator row and error is known. The generator writes reports modelled on the published
layouts (domain.md §1, §5; shared/real/): project and department self-evaluation reports,
the standard and Sichuan 项目支出绩效自评表, the 部门整体支出绩效自评表 and a 部门决算
excerpt, in PDF, DOCX, XLSX and TXT (UTF-8 or GBK). Arithmetic is exact (Decimal); with
`error_rate` > 0 each relation (a sum, a rate, a change, a period) independently carries,
with that probability, one of the errors archived reports contain, and the gold lists the
flag a checker should raise for it. The gold format is documented in corpus/README.md.

Determinism: document i of seed s depends only on (s, i); the content is drawn from one
random stream and the error decisions from another, so the same document with and
without errors has the same clean figures.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Callable

from ..jsonout import decimal_text
from .render import DocSpec, Para, TableSpec, render

KINDS = ("project-report", "dept-report", "project-table", "sichuan-table", "dept-table", "final-accounts")
FORMATS_OF = {
    "project-report": ("pdf", "docx", "txt"),
    "dept-report": ("pdf", "docx", "txt"),
    "project-table": ("pdf", "docx", "xlsx", "txt"),
    "sichuan-table": ("pdf", "docx", "xlsx", "txt"),
    "dept-table": ("pdf", "docx", "xlsx", "txt"),
    "final-accounts": ("pdf", "docx", "xlsx", "txt"),
}
# planted error kind -> the flag code a checker should raise (prose / table context)
ERROR_CODES = {
    "unit-swap": "unit-suspect",
    "rate-fraction": "rate-mismatch",
    "digit-transposed": "sum-mismatch",
    "period-inverted": "period-inverted",
    "total-zero": "total-zero",
    "wrong-rate": "rate-mismatch",
    "wrong-exec-rate": "exec-rate-mismatch",
}
UNIT_SCALE = {"元": 0, "万元": 4, "亿元": 8}
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

_PLACES = ("甘州区", "青神县", "南县", "绥阳县", "零陵区", "梅县区", "西平县", "贵池区", "普陀区",
           "双江县", "大关县", "岳阳楼区", "涪城区", "腾冲市")
_BUREAUS = ("政务服务管理局", "发展和改革局", "交通运输局", "卫生健康局", "教育局", "农业农村局",
            "应急管理局", "市场监督管理局", "自然资源局", "疾病预防控制中心", "科学技术局", "司法局")
_PROJECTS = ("政务服务辅助人员工作经费", "乡村道路养护", "基建工程委托业务", "农村饮水安全巩固提升",
             "疾病预防控制专项", "科技创新平台建设", "应急物资储备", "高标准农田建设", "食品安全抽检",
             "义务教育薄弱环节改善", "不动产登记信息化建设", "公共法律服务体系建设", "城乡环境综合整治",
             "森林防火能力提升")
_USES = ("人员劳务费", "设备购置费", "工程建设费", "培训及会议费", "委托业务费", "维修维护费", "宣传印刷费")
_TASKS = ("政务服务辅助人员工作", "政务中心办公", "12345热线运行", "档案数字化", "网格化管理", "安全生产执法")
_CATEGORIES = (("201", "一般公共服务支出"), ("205", "教育支出"), ("208", "社会保障和就业支出"),
               ("210", "卫生健康支出"), ("213", "农林水支出"), ("221", "住房保障支出"))
_INCOME_ROWS = ("一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入",
                "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入")
_ORDINALS = "一二三四五六七八九十"


def d2(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole in percent, 2 places (0 when whole is 0, as the forms compute it)."""
    return d2(part / whole * HUNDRED) if whole else Decimal("0.00")


def to_yuan(value: Decimal, unit: str) -> Decimal:
    """Exact 元 of a written figure. Written apart from extractor.quantities on purpose: the
    gold must not be computed by the code it scores."""
    return value.scaleb(UNIT_SCALE[unit])


# ---- numbers that know how they are written -------------------------------------------

@dataclass
class Num:
    """One number of the document before it is written: prose amount (`unit` inline), table
    cell (`unit` from the table/column, not written), or rate. A planted error rewrites it."""

    value: Decimal
    unit: str  # 元 | 万元 | %
    inline: bool = True
    error: str | None = None
    code: str | None = None
    related: list["Num"] = field(default_factory=list)
    text: str | None = None
    prefix: str = ""  # operator written before the number (≥, ≤, =), not part of the quantity

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"


class Book:
    """Collects the gold while the document is written, and decides the planted errors."""

    def __init__(self, err_rng: random.Random, error_rate: float, prose: bool = True, blank_zeros: bool = True):
        self.prose = prose  # False for XLSX: workbooks hold the tables, not the explanation
        self.blank_zeros = blank_zeros  # a form may leave a 0 fund cell blank (False: every cell written)
        self.err_rng = err_rng
        self.error_rate = error_rate
        self.amounts: list[dict[str, Any]] = []
        self.rates: list[dict[str, Any]] = []
        self.projects: list[dict[str, Any]] = []
        self.indicators: list[dict[str, Any]] = []
        self.budget_lines: list[dict[str, Any]] = []
        self.planted: list[Num] = []
        self.periods: list[str] = []

    # -- errors --
    def plant(self, options: dict[str, list[Num]], members: list[Num], whole: Num | None = None) -> str | None:
        """With probability error_rate, plant one error kind on one candidate of a relation.

        `whole` marks a part-of relation that does not say it is exhaustive (`其中…`,
        `主要是…`): parts may add up to less than the whole there, so only unit swaps that
        make the parts exceed it are planted (callers plant no digit swaps there: a part grown
        by a swap reads just like a part in the wrong unit)."""
        # a zero shows no error when its unit, digits or scale change
        options = {k: [n for n in cands if n.value != 0] for k, cands in options.items()}
        if whole is not None:
            options["unit-swap"] = [n for n in options.get("unit-swap", [])
                                    if (n is whole and n.unit == "万元") or (n is not whole and n.unit == "元")]
        kinds = [k for k, cands in options.items() if cands]
        if not kinds or self.err_rng.random() >= self.error_rate:
            return None
        kind = self.err_rng.choice(kinds)
        num = self.err_rng.choice(options[kind])
        if kind == "unit-swap":
            num.unit = "元" if num.unit == "万元" else "万元"
        elif kind == "rate-fraction":
            num.value = num.value.scaleb(-2)
        elif kind == "digit-transposed":
            num.value = transpose_digit(num.value, self.err_rng)
        elif kind in ("wrong-rate", "wrong-exec-rate"):
            num.value = wrong_rate(num.value, self.err_rng)
        num.error = kind
        num.code = ERROR_CODES[kind]
        num.related = [m for m in members if m is not num]
        self.planted.append(num)
        return kind

    def period(self, rng: random.Random, year: int) -> str:
        """`2023年1月至12月`; may be planted inverted (`2023年1月至2022年12月`)."""
        short = rng.random() < 0.5
        if self.err_rng.random() < self.error_rate:
            text = f"{year}年1月至{year - 1}年12月"
            self.periods.append(text)
            return text
        return f"{year}年1月至12月" if short else f"{year}年1月至{year}年12月"

    # -- writing --
    def w(self, num: Num) -> str:
        """The text of `num`, recorded in the gold (amount or rate)."""
        digits = decimal_text(num.value)
        if num.is_rate:
            num.text = f"{digits}%"
            self.rates.append({"text": num.text, "value": decimal_text(num.value), "page": None})
            return num.prefix + num.text
        num.text = f"{digits}{num.unit}" if num.inline else digits
        self.amounts.append({"text": num.text, "value_yuan": decimal_text(to_yuan(num.value, num.unit)),
                             "page": None})
        return num.prefix + num.text

    def line(self, year: int, stage: str, direction: str, item: str, num: Num, code: str | None = None) -> None:
        """A budget line as the document states it (after any planted error)."""
        self.budget_lines.append({"year": year, "stage": stage, "direction": direction, "item": item,
                                  "category_code": code, "value_yuan": decimal_text(to_yuan(num.value, num.unit))})

    def flags(self) -> list[dict[str, Any]]:
        out = [{"code": n.code, "kind": n.error, "text": n.text,
                "related": [m.text for m in n.related if m.text]} for n in self.planted if n.text]
        out += [{"code": "period-inverted", "kind": "period-inverted", "text": t, "related": []}
                for t in self.periods]
        return out


def transpose_digit(value: Decimal, rng: random.Random) -> Decimal:
    """Swap two adjacent different digits (a typing slip), never creating a leading zero."""
    s = decimal_text(value)
    spots = [i for i in range(len(s) - 1)
             if s[i].isdigit() and s[i + 1].isdigit() and s[i] != s[i + 1] and not (i == 0 and s[1] == "0")]
    if not spots:  # e.g. 11.11: change the last digit instead
        last = len(s) - 1
        return Decimal(s[:last] + str((int(s[last]) + 3) % 10))
    i = rng.choice(spots)
    return Decimal(s[:i] + s[i + 1] + s[i] + s[i + 2:])


def wrong_rate(value: Decimal, rng: random.Random) -> Decimal:
    """A rate that misses the true one by far more than rounding (3–25 points)."""
    delta = Decimal(rng.randint(300, 2500)) / HUNDRED
    if value - delta > 0 and rng.random() < 0.5:
        return value - delta
    return value + delta


# ---- content helpers -------------------------------------------------------------------

def wan(rng: random.Random, lo: float, hi: float) -> Decimal:
    """An amount in 万元 with 2 places (sometimes a round figure, as reports write 8万元)."""
    v = Decimal(str(round(rng.uniform(lo, hi), 2)))
    return v.quantize(Decimal(1)) if rng.random() < 0.08 else v.quantize(CENT)


def fractions(rng: random.Random, n: int) -> list[float]:
    cuts = sorted(rng.uniform(0.1, 0.9) for _ in range(n - 1))
    return [b - a for a, b in zip([0.0] + cuts, cuts + [1.0])]


def split(rng: random.Random, total: Decimal, n: int, fracs: list[float] | None = None) -> list[Decimal]:
    """n positive parts (2 places) that add up exactly to total (in the given shares, if any)."""
    fracs = fracs or fractions(rng, n)
    parts = [d2(total * Decimal(str(round(f, 4)))) for f in fracs[:-1]]
    parts.append(total - sum(parts, Decimal(0)))
    if any(p <= 0 for p in parts):
        parts = [d2(total / n)] * (n - 1)
        parts.append(total - sum(parts, Decimal(0)))
    return parts


def grade_of(score: Decimal) -> str:
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


def dept_name(rng: random.Random) -> str:
    return rng.choice(_PLACES) + rng.choice(_BUREAUS)


def m(value: Decimal, unit: str = "万元", inline: bool = True) -> Num:
    return Num(value, unit, inline)


def r(value: Decimal) -> Num:
    return Num(value, "%")


def _y(v: Decimal | None) -> str | None:
    return None if v is None else decimal_text(v)


# ---- indicators ------------------------------------------------------------------------

@dataclass
class Ind:
    l1: str
    l2: str
    l3: str
    op: str | None
    target: Decimal | None
    unit: str | None
    actual: Decimal | None
    qual_target: str = ""
    qual_actual: str = ""
    weight: Decimal = Decimal(0)
    score: Decimal = Decimal(0)
    reason: str = ""


def make_indicators(rng: random.Random, budget: Decimal, executed: Decimal, weights: dict[str, int],
                    sichuan: bool = False) -> list[Ind]:
    """A plausible indicator set whose scores follow the pmkpi rules (domain.md §1.4)."""
    count_things = [("完成{}数量", "个"), ("培训人次", "人次"), ("办理服务事项", "件"), ("检查覆盖单位", "家")]
    pool: dict[str, list[Callable[[], Ind]]] = {
        "产出指标": [
            lambda: _quant(rng, "产出指标", "数量指标", *_count_name(rng, count_things), "≥"),
            lambda: _rate_ind(rng, "产出指标", "质量指标", rng.choice(["验收合格率", "抽检合格率", "资料归档完整率"]), "≥"),
            lambda: _qual("产出指标", "质量指标", "资金使用合规性", "严格执行相关制度规定", "达成预期指标"),
            lambda: _rate_ind(rng, "产出指标", "时效指标", "任务按时完成率", "=", fixed=Decimal(100)),
            lambda: _qual("产出指标", "时效指标", "提交报告及时性", "在项目计划完成时间内完成", "达成预期指标"),
            (lambda: _rate_ind(rng, "产出指标", "成本指标", "成本控制率", "≤", fixed=Decimal(100))) if sichuan else
            (lambda: Ind("产出指标", "成本指标", "项目总成本", "≤", budget, "万元", executed)),
        ],
        "效益指标": [
            lambda: _qual("效益指标", "社会效益指标", "群众办事便利度", "效果明显", "达成预期指标"),
            lambda: _rate_ind(rng, "效益指标", "社会效益指标", "政策知晓率", "≥"),
            lambda: _quant(rng, "效益指标", "经济效益指标", "带动就业人数", "人", "≥"),
            lambda: _qual("效益指标", "可持续影响指标", "长效管理机制", "持续发挥作用", "达成预期指标"),
        ],
        "满意度指标": [lambda: _rate_ind(rng, "满意度指标", "服务对象满意度指标", "服务对象满意度", "≥", lo=85, hi=95)],
    }
    out: list[Ind] = []
    for l1, total_w in weights.items():
        makers = pool[l1]
        k = min(len(makers), 1 if total_w <= 10 else rng.randint(2, min(4, len(makers))))
        chosen = [makers[i] for i in sorted(rng.sample(range(len(makers)), k))]
        ws = _split_int(rng, total_w, k)
        for make, wgt in zip(chosen, ws):
            ind = make()
            ind.weight = Decimal(wgt)
            ind.score = _score(ind)
            if ind.score < ind.weight:
                ind.reason = "受客观因素影响未完全达到年度目标，下一步将加强督促。"
            out.append(ind)
    return out


def _count_name(rng: random.Random, things: list[tuple[str, str]]) -> tuple[str, str]:
    name, unit = rng.choice(things)
    return name.format(rng.choice(["委托业务", "维修养护", "设备购置", "宣传活动"])), unit


def _split_int(rng: random.Random, total: int, k: int) -> list[int]:
    base = [total // k] * k
    base[-1] += total - sum(base)
    if k > 1 and base[0] > 2 and rng.random() < 0.5:
        base[0] -= 2
        base[1] += 2
    return base


def _quant(rng: random.Random, l1: str, l2: str, l3: str, unit: str, op: str) -> Ind:
    target = Decimal(rng.choice([5, 10, 20, 30, 50, 100, 120, 300]))
    actual = target + Decimal(rng.randint(0, 8)) if rng.random() < 0.85 else target - Decimal(rng.randint(1, 3))
    return Ind(l1, l2, l3, op, target, unit, actual)


def _rate_ind(rng: random.Random, l1: str, l2: str, l3: str, op: str, fixed: Decimal | None = None,
              lo: int = 90, hi: int = 98) -> Ind:
    target = fixed if fixed is not None else Decimal(rng.randint(lo, hi))
    if op == "≤":
        actual = target - Decimal(rng.randint(0, 500)) / HUNDRED
    elif op == "=":
        actual = target
    else:
        actual = min(Decimal(100), target + Decimal(rng.randint(0, 600)) / HUNDRED)
    return Ind(l1, l2, l3, op, target, "%", actual.quantize(CENT) if actual % 1 else actual)


def _qual(l1: str, l2: str, l3: str, target: str, actual: str) -> Ind:
    return Ind(l1, l2, l3, None, None, None, None, qual_target=target, qual_actual=actual)


def _score(ind: Ind) -> Decimal:
    """F5–F8 of domain.md: ≥ and = score actual/target when short, ≤ scores the overrun."""
    w = ind.weight
    if ind.op is None or ind.target is None or ind.actual is None:
        return w
    t, a = ind.target, ind.actual
    if ind.op == "≤" and t == 0:  # e.g. “三公”经费变动率 ≤0%
        return w if a <= 0 else Decimal(0)
    if ind.op == "≤":
        if a <= t:
            return w
        return d2(w * (1 - (a - t) / t)) if a < 2 * t else Decimal(0)
    if a >= t:
        return w
    return d2(w * a / t)


def indicator_gold(book: Book, project: str, ind: Ind, sichuan: bool) -> None:
    if ind.op is None:
        target_raw, actual_raw = ind.qual_target, ind.qual_actual
    elif sichuan:
        target_raw, actual_raw = decimal_text(ind.target), decimal_text(ind.actual)
    else:
        target_raw = f"{ind.op}{decimal_text(ind.target)}{ind.unit}"
        actual_raw = f"{decimal_text(ind.actual)}{ind.unit}"
    book.indicators.append({
        "project_name": project, "l1": ind.l1, "l2": ind.l2, "l3": ind.l3, "operator": ind.op,
        "target_raw": target_raw, "target_value": _y(ind.target), "target_unit": ind.unit,
        "actual_raw": actual_raw, "actual_value": _y(ind.actual), "weight": _y(ind.weight),
        "score": _y(ind.score), "deviation_reason": ind.reason or None,
    })


def indicator_cells(book: Book, ind: Ind) -> tuple[str, str]:
    """Target and actual cell texts of the standard form (operator, number and unit in one)."""
    if ind.op is None:
        return ind.qual_target, ind.qual_actual
    if ind.unit in ("%", "万元"):
        t = Num(ind.target, ind.unit, prefix=ind.op)
        a = Num(ind.actual, ind.unit)
        return book.w(t), book.w(a)
    return f"{ind.op}{decimal_text(ind.target)}{ind.unit}", f"{decimal_text(ind.actual)}{ind.unit}"


# ---- the fund block shared by the self-evaluation tables -------------------------------

@dataclass
class Funds:
    """Money rows of a self-evaluation table: initial, adjusted, executed per row; row 0 is the total."""

    labels: list[str]
    rows: list[list[Num]]  # [initial, adjusted, executed] per row, cells (unit from the header)
    rate: Num
    weight: Decimal
    score: Decimal
    sub_rates: list[Num | None] = field(default_factory=list)


def make_funds(book: Book, rng: random.Random, labels: list[str], initial: Decimal, adjusted: Decimal,
               executed: Decimal, used: int, sub_rates: bool = False) -> Funds:
    """Total row + fund-source rows (the first `used` sources carry money, the rest are 0/blank);
    plants at most one of: transposed part, wrong 执行率, total row of 0."""
    n = len(labels) - 1
    cols = []
    shares = fractions(rng, used)
    for total in (initial, adjusted, executed):
        parts = split(rng, total, used, shares) if used > 1 else [total]
        cols.append(parts + [Decimal("0.00")] * (n - used))
    rows = [[m(v, inline=False) for v in (initial, adjusted, executed)]]
    rows += [[m(cols[c][i], inline=False) for c in range(3)] for i in range(n)]
    rate_v = pct(executed, adjusted)
    rate = r(rate_v)
    weight = Decimal(10)
    score = d2(weight * min(rate_v, HUNDRED) / HUNDRED)
    f = Funds(labels, rows, rate, weight, score)
    if sub_rates:
        f.sub_rates = [r(pct(cols[2][i], cols[1][i])) for i in range(n)]
    parts = [cell for row in rows[1:used + 1] for cell in row] if used > 1 else []
    options = {"digit-transposed": parts, "wrong-exec-rate": [rate],
               "total-zero": [rows[0][1]]}
    kind = book.plant(options, [c for row in rows for c in row] + [rate])
    if kind == "total-zero":  # the whole total row reads 0 (池州 2022); one flag per money column
        rate.value = Decimal(0)
        f.score = Decimal(0)
        for c, cell in enumerate(rows[0]):
            cell.value = Decimal(0)
            cell.error, cell.code = "total-zero", ERROR_CODES["total-zero"]
            cell.related = [row[c] for row in rows[1:used + 1]]
            if cell not in book.planted:
                book.planted.append(cell)
    return f


def project_gold(book: Book, name: str, year: int, f: Funds | None = None, *, code: str | None = None,
                 sup: str | None = None, impl: str | None = None, initial: Num | None = None,
                 adjusted: Num | None = None, executed: Num | None = None, rate: Num | None = None,
                 total_score: Decimal | None = None, grade: str | None = None, source: str = "table") -> None:
    if f is not None:
        initial, adjusted, executed = f.rows[0]
        rate = f.rate

    book.projects.append({
        "name": name, "code": code, "fiscal_year": year, "supervising_dept": sup, "implementing_unit": impl,
        # the figures as the document states them: an error planted later changes them too
        "initial_budget_yuan": initial, "adjusted_budget_yuan": adjusted,
        "executed_yuan": executed, "execution_rate": rate,
        "exec_weight": None if f is None else decimal_text(f.weight),
        "exec_score": None if f is None else decimal_text(f.score),
        "total_score": _y(total_score), "grade": grade, "source": source,
    })


# ---- document kinds --------------------------------------------------------------------

def project_table(book: Book, rng: random.Random, year: int, dept: str, project: str, initial: Decimal,
                  adjusted: Decimal, executed: Decimal, letters: bool) -> TableSpec:
    """项目支出绩效自评表 (财预〔2020〕10号 annex 1 layout; `letters` = the A/B header variant)."""
    sup = ("市级主管部门" if letters else "主管部门")
    money_heads = (["年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"] if letters
                   else ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    appropriation = "其中：中央补助" if letters and rng.random() < 0.5 else "其中：本年财政拨款"
    labels = ["年度资金总额", appropriation, "上年结转资金", "其他资金"]
    f = make_funds(book, rng, labels, initial, adjusted, executed, used=rng.choice([1, 2, 2, 3]))
    rows: list[list[str]] = [["项目名称", project] + [""] * 7,
                             [sup, dept] + ["", ""] + ["实施单位", dept] + ["", "", ""],
                             ["项目资金（万元）", "", ""] + money_heads]
    merged = [(0, 1, 0, 8), (1, 1, 1, 3), (1, 5, 1, 8), (2, 1, 2, 2)]
    for i, (label, cells) in enumerate(zip(labels, f.rows)):
        texts = [book.w(c) if (i == 0 or c.value or not book.blank_zeros or rng.random() < 0.5) else ""
                 for c in cells]
        tail = ([decimal_text(f.weight), book.w(f.rate), decimal_text(f.score)] if i == 0 else ["—", "—", "—"])
        rows.append(["", label, ""] + texts + tail)
        merged.append((3 + i, 1, 3 + i, 2))
    merged.append((2, 0, 2 + len(labels), 0))
    g = len(rows)
    rows.append(["年度总体目标", "预期目标", "", "", "", "实际完成情况", "", "", ""])
    rows.append(["", f"按计划完成{project}各项任务，资金使用规范。", "", "", "",
                 "已按计划完成年度任务，资金按规定使用。", "", "", ""])
    merged += [(g, 0, g + 1, 0), (g, 1, g, 4), (g, 5, g, 8), (g + 1, 1, g + 1, 4), (g + 1, 5, g + 1, 8)]
    inds = make_indicators(rng, adjusted, executed, {"产出指标": 50, "效益指标": 30, "满意度指标": 10})
    h = len(rows)
    rows.append(["绩效指标", "一级指标", "二级指标", "三级指标",
                 "年度指标值（A）" if letters else "年度指标值", "实际完成值（B）" if letters else "实际完成值",
                 "分值", "得分", "偏差原因分析及改进措施"])
    start = {}
    for ind in inds:
        t, a = indicator_cells(book, ind)
        first = ind.l1 not in start
        start.setdefault(ind.l1, len(rows))
        rows.append(["", ind.l1 if first else "", ind.l2, ind.l3, t, a, decimal_text(ind.weight),
                     decimal_text(ind.score), ind.reason])
        indicator_gold(book, project, ind, sichuan=False)
    ends: dict[str, int] = {}
    for i, ind in enumerate(inds):
        ends[ind.l1] = h + 1 + i
    merged += [(s, 1, ends[l1], 1) for l1, s in start.items() if ends[l1] > s]
    merged.append((h, 0, len(rows) - 1, 0))
    total = f.score + sum((i.score for i in inds), Decimal(0))
    rows.append(["总分", "", "", "", "", "", "100", decimal_text(total), ""])
    merged.append((len(rows) - 1, 0, len(rows) - 1, 5))
    project_gold(book, project, year, f, sup=dept, impl=dept, total_score=total)
    return TableSpec(rows, merged, caption="")


def kind_project_table(book: Book, rng: random.Random, year: int) -> DocSpec:
    dept, project = dept_name(rng), rng.choice(_PROJECTS) + "项目"
    adjusted = wan(rng, 20, 900)
    initial = adjusted if rng.random() < 0.5 else d2(adjusted * Decimal(str(round(rng.uniform(0.8, 1.0), 2))))
    executed = d2(adjusted * Decimal(str(round(rng.uniform(0.82, 1.0), 3))))
    table = project_table(book, rng, year, dept, project, initial, adjusted, executed, letters=rng.random() < 0.4)
    return DocSpec(f"项目支出绩效自评表（{year}年度）", [table])


def kind_sichuan_table(book: Book, rng: random.Random, year: int) -> DocSpec:
    """部门预算项目支出绩效自评表 of Sichuan (报表编号 510000_0013zp): 指标性质/度量单位 columns."""
    dept = rng.choice(("青神县", "涪城区", "大英县", "仁寿县")) + rng.choice(_BUREAUS)
    project = rng.choice(("工资性支出", "社保缴费", "日常公用经费", "专项业务经费", "信息化运维"))
    code = f"510000{year % 100:02d}R{rng.randint(10**11, 10**12 - 1):012d}"
    adjusted = wan(rng, 30, 600)
    initial = d2(adjusted * Decimal(str(round(rng.uniform(0.85, 1.0), 2))))
    executed = d2(adjusted * Decimal(str(round(rng.uniform(0.85, 1.0), 3))))
    labels = ["总额", "其中:财政资金", "财政专户管理资金", "单位资金", "其他资金"]
    f = make_funds(book, rng, labels, initial, adjusted, executed, used=rng.choice([1, 1, 2]), sub_rates=True)
    rows: list[list[str]] = [["项目名称", f"{code}-{project}"] + [""] * 8,
                             ["主管部门", dept + "本级", "", "", "", "实施单位 (盖章)", dept, "", "", ""],
                             ["预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数",
                              "预算执行率", "权重", "得分", "原因", ""]]
    merged = [(0, 1, 0, 9), (1, 1, 1, 4), (1, 6, 1, 9), (2, 8, 2, 9)]
    for i, (label, cells) in enumerate(zip(labels, f.rows)):
        used_row = i == 0 or any(c.value for c in cells) or i < len(labels) - 1
        texts = [book.w(c) if used_row else "" for c in cells]
        if i == 0:
            tail = [book.w(f.rate), decimal_text(f.weight), decimal_text(f.score)]
        else:
            sub = f.sub_rates[i - 1]
            tail = [book.w(sub) if used_row and sub is not None else "", "/", "/"]
        rows.append(["", label] + texts + tail + ["", ""])
        merged.append((len(rows) - 1, 8, len(rows) - 1, 9))
    merged.append((2, 0, len(rows) - 1, 0))
    weights = {"产出指标": 60, "效益指标": 20, "满意度指标": 10}
    inds = make_indicators(rng, adjusted, executed, weights, sichuan=True)
    rows.append(["绩效指标(90分)"] + [""] * 9)
    merged.append((len(rows) - 1, 0, len(rows) - 1, 9))
    rows.append(["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分",
                 "未完成原因分析"])
    for ind in inds:
        if ind.op is None:
            cells = ["定性", ind.qual_target, "", ind.qual_actual]
        else:
            cells = [ind.op, decimal_text(ind.target), ind.unit or "", decimal_text(ind.actual)]
        rows.append([ind.l1, ind.l2, ind.l3] + cells + [decimal_text(ind.weight), decimal_text(ind.score), ind.reason])
        indicator_gold(book, project, ind, sichuan=True)
    total = f.score + sum((i.score for i in inds), Decimal(0))
    rows.append(["合计"] + [""] * 6 + ["100", decimal_text(total), ""])
    merged.append((len(rows) - 1, 0, len(rows) - 1, 6))
    rows.append(["评价结论", f"项目自评总分{decimal_text(total)}分，完成了年度目标。"] + [""] * 8)
    merged.append((len(rows) - 1, 1, len(rows) - 1, 9))
    project_gold(book, project, year, f, code=code, sup=dept + "本级", impl=dept, total_score=total)
    spec = TableSpec(rows, merged, caption="报表编号:510000_0013zp")
    return DocSpec(f"部门预算项目支出绩效自评表({year}年度)", [spec])


def kind_dept_table(book: Book, rng: random.Random, year: int) -> DocSpec:
    """部门整体支出绩效自评表: money rows 总额/基本支出/项目支出 and department indicators."""
    dept = dept_name(rng)
    adjusted = wan(rng, 200, 5000)
    initial = d2(adjusted * Decimal(str(round(rng.uniform(0.8, 1.0), 2))))
    executed = d2(adjusted * Decimal(str(round(rng.uniform(0.85, 1.0), 3))))
    labels = ["年度资金总额", "其中：基本支出", "项目支出"]
    f = make_funds(book, rng, labels, initial, adjusted, executed, used=2)
    rows: list[list[str]] = [["部门名称", dept] + [""] * 7,
                             ["部门预算执行情况（万元）", "", "", "年初预算数", "全年预算数", "全年执行数", "分值",
                              "执行率", "得分"]]
    merged = [(0, 1, 0, 8), (1, 1, 1, 2)]
    for i, (label, cells) in enumerate(zip(labels, f.rows)):
        tail = ([decimal_text(f.weight), book.w(f.rate), decimal_text(f.score)] if i == 0 else ["—", "—", "—"])
        rows.append(["", label, ""] + [book.w(c) for c in cells] + tail)
        merged.append((len(rows) - 1, 1, len(rows) - 1, 2))
    merged.append((1, 0, len(rows) - 1, 0))
    staff = rng.randint(20, 80)
    actual_staff = staff - rng.randint(0, 5)
    control = pct(Decimal(actual_staff), Decimal(staff))
    change = d2(Decimal(rng.randint(-1500, 0)) / HUNDRED)
    exec_rate = pct(executed, adjusted)
    specs = [
        Ind("产出指标", "数量指标", "在职人员控制率", "≤", Decimal(100), "%", control),
        Ind("产出指标", "数量指标", "“三公”经费变动率", "≤", Decimal(0), "%", change),
        Ind("产出指标", "质量指标", "预算完成率", "≥", Decimal(95), "%", min(exec_rate, HUNDRED)),
        Ind("产出指标", "时效指标", "政府采购执行率", "=", Decimal(100), "%", Decimal(100)),
        Ind("效益指标", "社会效益指标", "重点工作完成情况", None, None, None, None,
            qual_target="全面完成", qual_actual="达成年度指标"),
        Ind("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥", Decimal(90), "%",
            Decimal(rng.randint(9000, 9900)) / HUNDRED),
    ]
    ws = [Decimal(w) for w in (15, 10, 15, 10, 30, 10)]
    h = len(rows)
    rows.append(["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                 "偏差原因分析及改进措施"])
    for ind, w in zip(specs, ws):
        ind.weight = w
        ind.score = _score(ind)
        t, a = indicator_cells(book, ind)
        rows.append(["", ind.l1, ind.l2, ind.l3, t, a, decimal_text(w), decimal_text(ind.score), ind.reason])
        indicator_gold(book, dept, ind, sichuan=False)
    merged.append((h, 0, len(rows) - 1, 0))
    merged.append((h + 1, 1, h + 4, 1))
    total = f.score + sum((i.score for i in specs), Decimal(0))
    rows.append(["自评总分", "", "", "", "", "", "100", decimal_text(total), grade_of(total)])
    merged.append((len(rows) - 1, 0, len(rows) - 1, 5))
    project_gold(book, dept, year, f, total_score=total, grade=grade_of(total))
    return DocSpec(f"{dept}部门整体支出绩效自评表（{year}年度）", [TableSpec(rows, merged)])


def _parts_sentence(book: Book, intro: str, total: Num, items: list[tuple[str, Num]], listed: bool) -> list[str]:
    """`intro X万元，其中：a1万元，a2万元…。` (or a numbered `主要是` list): not exhaustive, so the
    only error planted is a unit swap that makes the parts exceed the total."""
    members = [total] + [n for _, n in items]
    book.plant({"unit-swap": members}, members, whole=total)
    head = f"{intro}{book.w(total)}"
    if listed:
        return [head + "，当年财政拨款主要是："] + [f"{i + 1}.{label}{book.w(n)}。" for i, (label, n) in enumerate(items)]
    return [head + "，其中：" + "，".join(f"{label}{book.w(n)}" for label, n in items) + "。"]


def _change_sentence(book: Book, cur: Num, prev_year: int, prev: Num, prev_inline: bool) -> str:
    """`比2022年预算增加X万元，增长Y%` with the earlier figure stated (inline or earlier in the text)."""
    delta = cur.value - prev.value  # both in 万元
    word, grow = ("增加", "增长") if delta >= 0 else ("减少", "下降")
    diff = m(abs(delta))
    rate = r(pct(abs(delta), prev.value))
    book.plant({"rate-fraction": [rate], "unit-swap": [diff]}, [cur, prev, diff, rate])
    where = f"比{prev_year}年的{book.w(prev)}" if prev_inline else f"比{prev_year}年"
    return f"{where}{word}{book.w(diff)}，{grow}{book.w(rate)}"


def kind_project_report(book: Book, rng: random.Random, year: int) -> DocSpec:
    """项目支出绩效自评报告: prose with the budget, its 其中 split, execution, change and score."""
    dept, project = dept_name(rng), rng.choice(_PROJECTS) + "项目"
    adjusted_v = wan(rng, 30, 800)
    initial_v = adjusted_v if rng.random() < 0.4 else d2(adjusted_v * Decimal(str(round(rng.uniform(0.8, 0.99), 2))))
    executed_v = d2(adjusted_v * Decimal(str(round(rng.uniform(0.82, 1.0), 3))))
    prev_v = d2(adjusted_v * Decimal(str(round(rng.uniform(0.7, 1.3), 3))))
    annex_book = Book(book.err_rng, book.error_rate) if rng.random() < 0.4 else None
    annex = None
    if annex_book is not None:  # annex 1, the form itself: the prose quotes its total score
        annex = project_table(annex_book, rng, year, dept, project, initial_v, adjusted_v, executed_v, letters=False)
    blocks: list[Para | TableSpec] = [
        Para("一、基本情况"), Para("（一）项目概况"),
        Para(f"{project}由{dept}负责实施，实施期间为{book.period(rng, year)}，主要用于保障相关业务工作正常开展。"),
    ]
    initial, adjusted = m(initial_v), m(adjusted_v)
    split_unit = "元" if rng.random() < 0.3 else "万元"
    parts = split(rng, adjusted_v, rng.choice([2, 3]))
    labels = ["财政拨款", "上年结转资金", "其他资金"]
    items = [(labels[i], m(d2(p.scaleb(4)) if split_unit == "元" else p, split_unit)) for i, p in enumerate(parts)]
    lines = _parts_sentence(book, f"该项目年初预算{book.w(initial)}，年中调整后全年预算", adjusted, items, listed=False)
    blocks += [Para(x) for x in lines]
    blocks.append(Para("（二）项目绩效目标"))
    blocks.append(Para(f"通过实施{project}，按期完成年度建设任务，服务对象满意度不低于{book.w(r(Decimal(90)))}。"))
    blocks.append(Para("二、绩效评价工作开展情况"))
    blocks.append(Para("按照财政部门要求，成立自评工作组，采取资料核查与现场查看相结合的方式开展自评。"))
    blocks.append(Para("三、绩效指标完成情况分析"))
    blocks.append(Para("（一）预算执行情况"))
    executed, adjusted2, rate = m(executed_v), m(adjusted_v), r(pct(executed_v, adjusted_v))
    book.plant({"wrong-rate": [rate], "rate-fraction": [rate], "unit-swap": [executed]}, [adjusted2, executed, rate])
    blocks.append(Para(f"截至{year}年12月31日，项目全年预算数{book.w(adjusted2)}，全年执行数{book.w(executed)}，"
                       f"预算执行率为{book.w(rate)}。"))
    uses = split(rng, executed_v, rng.choice([2, 3, 4]))
    use_items = [(u, m(v)) for u, v in zip(rng.sample(_USES, len(uses)), uses)]
    total_used = m(executed_v)
    members = [n for _, n in use_items] + [total_used]
    book.plant({"digit-transposed": [n for _, n in use_items], "unit-swap": members}, members)
    blocks.append(Para("资金主要用于：" + "，".join(f"{u}{book.w(n)}" for u, n in use_items) +
                       f"，合计{book.w(total_used)}。"))
    cur = m(adjusted_v)
    cur_text = book.w(cur)
    change = _change_sentence(book, cur, year - 1, m(prev_v), prev_inline=True)
    blocks.append(Para(f"{year}年项目预算{cur_text}，{change}，主要原因是业务量调整。"))
    blocks.append(Para("（二）产出和效益"))
    sat = r(Decimal(rng.randint(9000, 9900)) / HUNDRED)
    blocks.append(Para(f"项目完成全部年度任务，验收合格率{book.w(r(Decimal(100)))}，服务对象满意度达{book.w(sat)}。"))
    score = Decimal(rng.randint(8500, 9900)) / HUNDRED
    if annex_book is not None:
        score = Decimal(annex_book.projects[0]["total_score"])
    blocks.append(Para("四、综合评价情况及评价结论"))
    blocks.append(Para(f"经自评，该项目综合得分{decimal_text(score)}分，评价等级为“{grade_of(score)}”。"))
    blocks.append(Para("五、存在的问题及改进措施"))
    blocks.append(Para("部分支出进度偏慢，下一步将加强预算执行监控，提高资金使用效益。"))
    project_gold(book, project, year, initial=initial, adjusted=adjusted2, executed=executed, rate=rate,
                 total_score=score, grade=grade_of(score), source="text")
    if annex_book is not None and annex is not None:
        # one project, stated twice: the form's figures are the row; the prose adds the grade
        text_row = book.projects.pop()
        table_row = annex_book.projects[0]
        table_row["grade"] = text_row["grade"]
        book.projects.append(table_row)
        blocks.append(Para(f"附件：项目支出绩效自评表（{year}年度）"))
        blocks.append(annex)
        book.amounts += annex_book.amounts
        book.rates += annex_book.rates
        book.indicators += annex_book.indicators
        book.planted += annex_book.planted
    return DocSpec(f"{dept}{year}年度{project}支出绩效自评报告", blocks)


def kind_dept_report(book: Book, rng: random.Random, year: int) -> DocSpec:
    """部门整体支出绩效自评报告 in the 甘州 style: three years of budgets, categories, tasks."""
    dept = dept_name(rng)
    staff = rng.randint(8, 60)
    blocks: list[Para | TableSpec] = [
        Para("一、部门概况"), Para("（一）部门基本情况"),
        Para(f"{dept}主要负责本区域相关行政管理和公共服务工作，核定编制{staff}人，实有工作人员{staff - rng.randint(0, 3)}人。"),
        Para("（二）部门收支情况"),
    ]
    budgets: dict[int, Num] = {}
    v = wan(rng, 150, 2000)
    cats = rng.sample(_CATEGORIES, 4)
    cats.sort()
    for k, yy in enumerate((year - 2, year - 1, year)):
        blocks.append(Para(f"{k + 1}.{yy}年度收支情况"))
        income = m(v)
        text = f"{yy}年预算收入{book.w(income)}，全部为财政拨款预算收入。"
        if yy - 1 in budgets:
            text += _change_sentence(book, income, yy - 1, budgets[yy - 1], prev_inline=False) + "。"
        blocks.append(Para(text))
        book.line(yy, "budget", "income", "预算收入", income)
        budgets[yy] = income
        parts = split(rng, v, 4)
        items = [(f"{name}", m(p)) for (code, name), p in zip(cats, parts)]
        spending = m(v)
        lines = _parts_sentence(book, f"{yy}年支出预算", spending, items, listed=True)
        blocks += [Para(x) for x in lines]
        book.line(yy, "budget", "expenditure", "支出预算", spending)
        for (code, name), (_, part) in zip(cats, items):
            book.line(yy, "budget", "expenditure", name, part, code)
        inc_y = d2(to_yuan(v, "万元") * Decimal(str(round(rng.uniform(0.95, 1.2), 3))))
        exp_y = d2(inc_y * Decimal(str(round(rng.uniform(0.97, 1.03), 3))))
        final = [("income", "收入总额", m(inc_y, "元")), ("expenditure", "支出总额", m(exp_y, "元")),
                 ("balance", "收支结余", m(inc_y - exp_y, "元"))]
        blocks.append(Para(f"{yy}年{dept}" + "，".join(f"{item}{book.w(n)}" for _, item, n in final) + "。"))
        for direction, item, n in final:
            book.line(yy, "final", direction, item, n)
        v = d2(v * Decimal(str(round(rng.uniform(0.9, 1.35), 3))))
    blocks.append(Para("（三）部门工作任务"))
    for k, task in enumerate(rng.sample(_TASKS, 2)):
        name = f"{year}年{task}专项经费"
        blocks.append(Para(f"{k + 1}.{name}主要任务及完成情况。"))
        budget_y = d2(Decimal(str(round(rng.uniform(80000, 1500000), 2))))
        spent_y = d2(budget_y * Decimal(str(round(rng.uniform(0.85, 1.0), 3))))
        budget = m(budget_y.scaleb(-4).normalize(), "万元") if rng.random() < 0.5 else m(budget_y, "元")
        spent, rate = m(spent_y, "元"), r(pct(spent_y, budget_y))
        book.plant({"wrong-rate": [rate], "unit-swap": [budget, spent], "rate-fraction": [rate]}, [budget, spent, rate])
        blocks.append(Para(f"经财政局审核，为我单位拨付{book.period(rng, year)}{task}经费，全年预算{book.w(budget)}，"
                           f"实际支出{book.w(spent)}，执行率{book.w(rate)}，有效保障了各项工作开展。"))
        parts = split(rng, budget_y, 2)
        total, p1, p2 = m(budget_y.scaleb(-4).normalize(), "万元"), m(parts[0], "元"), m(parts[1], "元")
        book.plant({"unit-swap": [total, p1, p2]}, [total, p1, p2], whole=total)
        blocks.append(Para(f"按照相关文件，{task}经费{book.w(total)}，其中的{book.w(p1)}为人员工资及社保，"
                           f"{book.w(p2)}为日常运行费用。"))
        project_gold(book, name, year, adjusted=budget, executed=spent, rate=rate, source="text")
    score = Decimal(rng.randint(8500, 9900)) / HUNDRED
    blocks.append(Para("二、绩效自评结论"))
    blocks.append(Para(f"经自评，{year}年部门整体支出绩效自评得分{decimal_text(score)}分，等级为“{grade_of(score)}”。"))
    return DocSpec(f"{dept}{year}年部门整体支出绩效自评报告", blocks)


def _final_accounts_prose(book: Book, rng: random.Random, dept: str, year: int, grand_v: Decimal,
                          inc_total_v: Decimal, inc_names: list[str], inc_parts: list[Decimal],
                          exp_total_v: Decimal) -> list[Para | TableSpec]:
    """第二部分 部门决算情况说明: totals with the change, income shares, 完成年初预算的…%."""
    prev_v = d2(grand_v * Decimal(str(round(rng.uniform(0.75, 1.2), 3))))
    grand = m(grand_v)
    grand_text = book.w(grand)
    blocks: list[Para | TableSpec] = [Para("第一部分 部门概况"),
                                      Para(f"{dept}为一级预算单位，纳入{year}年度部门决算编制范围的单位共1家。"),
                                      Para(f"第二部分 {year}年度部门决算情况说明"),
                                      Para("一、收入支出决算总体情况说明")]
    change = _change_sentence(book, grand, year - 1, m(prev_v), prev_inline=True)
    blocks.append(Para(f"{year}年度收入、支出总计均为{grand_text}，{change}，主要原因是业务工作量增加。"))
    inc_total = m(inc_total_v)
    shares = [(name, m(p), r(pct(p, inc_total_v))) for name, p in zip(inc_names, inc_parts)]
    book.plant({"rate-fraction": [s for _, _, s in shares]}, [inc_total] + [x for _, a, s in shares for x in (a, s)])
    blocks.append(Para("二、收入决算情况说明"))
    blocks.append(Para(f"本年收入合计{book.w(inc_total)}，其中：" +
                       "；".join(f"{name}{book.w(a)}，占{book.w(s)}" for name, a, s in shares) + "。"))
    init_v = d2(exp_total_v * Decimal(str(round(rng.uniform(0.8, 1.0), 3))))
    init, final, done = m(init_v), m(exp_total_v), r(pct(exp_total_v, init_v))
    book.plant({"wrong-rate": [done], "unit-swap": [init, final]}, [init, final, done])
    blocks.append(Para("三、财政拨款支出决算情况说明"))
    blocks.append(Para(f"{year}年度支出年初预算为{book.w(init)}，支出决算为{book.w(final)}，完成年初预算的{book.w(done)}。"))
    return blocks


def kind_final_accounts(book: Book, rng: random.Random, year: int) -> DocSpec:
    """部门决算 excerpt: the 收入支出决算总表 (单位：万元) and its explanation."""
    dept = dept_name(rng)
    n_inc = rng.choice([1, 2, 3])
    inc_total_v = wan(rng, 300, 8000)
    inc_parts = split(rng, inc_total_v, n_inc)
    inc_names = ["一般公共预算财政拨款收入"] + rng.sample(["事业收入", "上级补助收入", "其他收入"], n_inc - 1)
    carry_v = wan(rng, 0, 200)
    grand_v = inc_total_v + carry_v
    cats = sorted(rng.sample(_CATEGORIES, rng.choice([3, 4])))
    end_carry_v = d2(grand_v * Decimal(str(round(rng.uniform(0.0, 0.08), 3))))
    exp_total_v = grand_v - end_carry_v
    exp_parts = split(rng, exp_total_v, len(cats))
    inc_rows = [(f"{_ORDINALS[i]}、{name}", m(inc_parts[inc_names.index(name)] if name in inc_names else Decimal("0.00"),
                                             inline=False)) for i, name in enumerate(_INCOME_ROWS)]
    inc_sum = m(inc_total_v, inline=False)
    inc_members = [n for _, n in inc_rows if n.value] + [inc_sum]
    book.plant({"digit-transposed": [n for _, n in inc_rows if n.value] if n_inc > 1 else [],
                "total-zero": [inc_sum] if n_inc > 1 else []}, inc_members)
    if inc_sum.error == "total-zero":
        inc_sum.value = Decimal(0)
        inc_sum.related = [n for _, n in inc_rows if n.value]
    exp_rows = [(f"{_ORDINALS[i]}、{name}", m(p, inline=False)) for i, ((code, name), p) in enumerate(zip(cats, exp_parts))]
    exp_sum = m(exp_total_v, inline=False)
    book.plant({"digit-transposed": [n for _, n in exp_rows]}, [n for _, n in exp_rows] + [exp_sum])
    # prose first (it comes before the tables in the published layout)
    blocks: list[Para | TableSpec] = []
    if book.prose:
        blocks = _final_accounts_prose(book, rng, dept, year, grand_v, inc_total_v, inc_names, inc_parts, exp_total_v)
    # the table
    rows: list[list[str]] = [["收入", "", "支出", ""], ["项目", "决算数", "项目", "决算数"]]
    merged = [(0, 0, 0, 1), (0, 2, 0, 3)]
    n = max(len(inc_rows), len(exp_rows))
    for i in range(n):
        row = ["", "", "", ""]
        if i < len(inc_rows):
            row[0], row[1] = inc_rows[i][0], book.w(inc_rows[i][1])
        if i < len(exp_rows):
            row[2], row[3] = exp_rows[i][0], book.w(exp_rows[i][1])
        rows.append(row)
    carry, end_carry, grand_l, grand_r = (m(carry_v, inline=False), m(end_carry_v, inline=False),
                                          m(grand_v, inline=False), m(grand_v, inline=False))
    use_balance, distributed = m(Decimal("0.00"), inline=False), m(Decimal("0.00"), inline=False)
    totals = [(("本年收入合计", inc_sum, "income"), ("本年支出合计", exp_sum, "expenditure")),
              (("使用非财政拨款结余", use_balance, "income"), ("结余分配", distributed, "expenditure")),
              (("年初结转和结余", carry, "balance"), ("年末结转和结余", end_carry, "balance")),
              (("收入总计", grand_l, "income"), ("支出总计", grand_r, "expenditure"))]
    for (left_label, left_num, _), (right_label, right_num, _) in totals:
        rows.append([left_label, book.w(left_num), right_label, book.w(right_num)])
    if book.prose:
        blocks.append(Para("第三部分 部门决算表"))
    blocks.append(TableSpec(rows, merged, caption=f"收入支出决算总表\n编制单位：{dept}    单位：万元"))
    for label, n in inc_rows:
        book.line(year, "final", "income", label.split("、", 1)[1], n)
    for ((code, _), (label, n)) in zip(cats, exp_rows):
        book.line(year, "final", "expenditure", label.split("、", 1)[1], n, code)
    for pair in totals:
        for label, n, direction in pair:
            book.line(year, "final", direction, label, n)
    return DocSpec(f"{dept}{year}年度部门决算", blocks)


_MAKERS: dict[str, Callable[[Book, random.Random, int], DocSpec]] = {
    "project-report": kind_project_report, "dept-report": kind_dept_report, "project-table": kind_project_table,
    "sichuan-table": kind_sichuan_table, "dept-table": kind_dept_table, "final-accounts": kind_final_accounts,
}
REPORT_TYPE = {"project-report": "project-self-eval", "dept-report": "dept-self-eval",
               "project-table": "self-eval-table", "sichuan-table": "self-eval-table",
               "dept-table": "self-eval-table", "final-accounts": "final-accounts"}


# ---- writing documents with their gold ------------------------------------------------

def make_document(kind: str, seed: int | str, error_rate: float = 0.0, fmt: str | None = None,
                  blank_zeros: bool = True) -> tuple[DocSpec, dict[str, Any]]:
    """One document description and its gold (without file name / pages) for (kind, seed);
    `fmt` "xlsx" leaves out the prose a workbook would not hold; `blank_zeros` False writes
    every fund cell (a 0 too)."""
    rng = random.Random(f"content:{seed}")
    book = Book(random.Random(f"errors:{seed}"), error_rate, prose=fmt != "xlsx", blank_zeros=blank_zeros)
    year = rng.randint(2019, 2024)
    spec = _MAKERS[kind](book, rng, year)
    gold = {"doc": None, "kind": kind, "report_type": REPORT_TYPE[kind], "fiscal_year": year,
            "title": spec.title, "amounts": book.amounts, "rates": book.rates,
            "projects": [_stated(p) for p in book.projects],
            "indicators": book.indicators, "budget_lines": book.budget_lines, "flags": book.flags()}
    return spec, gold


def _stated(project: dict[str, Any]) -> dict[str, Any]:
    """A project's gold row with its figures as finally written (after planted errors)."""
    out = dict(project)
    for key in ("initial_budget_yuan", "adjusted_budget_yuan", "executed_yuan"):
        n = out[key]
        out[key] = None if n is None else decimal_text(to_yuan(n.value, n.unit))
    rate = out["execution_rate"]
    out["execution_rate"] = None if rate is None else decimal_text(rate.value)
    return out


def write_document(spec: DocSpec, gold: dict[str, Any], path: Path, encoding: str = "utf-8") -> Path:
    """Render `spec` to `path` and write `NAME.gold.json` beside it (pages filled in for PDFs)."""
    render(spec, path, encoding=encoding)
    gold = dict(gold, doc=path.name, format=path.suffix.lstrip("."), encoding=encoding if path.suffix == ".txt" else None)
    if path.suffix == ".pdf":
        locate_pages(path, gold["amounts"], gold["rates"])
    gold_path = path.with_name(path.stem + ".gold.json")
    gold_path.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def locate_pages(pdf: Path, *lists: list[dict[str, Any]]) -> None:
    """Fill `page` for the gold items of a PDF: each list is in document order, so each text
    is looked for after the previous one (white space ignored), then anywhere."""
    import bisect

    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        pages = ["".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
    finally:
        doc.close()
    starts = [sum(len(p) for p in pages[:i]) for i in range(len(pages))]
    full = "".join(pages)
    for items in lists:
        cursor = 0
        for it in items:
            at = full.find(it["text"], cursor)
            at = at if at >= 0 else full.find(it["text"])
            it["page"] = bisect.bisect_right(starts, at) if at >= 0 else None
            cursor = at + len(it["text"]) if at >= 0 else cursor


def plan(i: int, seed: int) -> tuple[str, str, str]:
    """(kind, format, encoding) of document i: every kind in every format, GBK for some TXT."""
    kind = KINDS[i % len(KINDS)]
    fmts = FORMATS_OF[kind]
    fmt = fmts[(i // len(KINDS) + seed) % len(fmts)]
    encoding = "gbk" if fmt == "txt" and random.Random(f"enc:{seed}:{i}").random() < 0.3 else "utf-8"
    return kind, fmt, encoding


def generate(n: int, out_dir: str | Path, seed: int = 0, error_rate: float = 0.0) -> list[Path]:
    """Write n documents (and their gold files) into out_dir; returns the document paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        kind, fmt, encoding = plan(i, seed)
        spec, gold = make_document(kind, f"{seed}:{i}", error_rate, fmt)
        gold["seed"] = seed
        paths.append(write_document(spec, gold, out / f"synth-{seed}-{i:04d}-{kind}.{fmt}", encoding))
    return paths
