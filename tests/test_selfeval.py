"""Self-evaluation tables: reading forms from DOCX/XLSX/PDF files and Table grids, and the
table checks (exec-rate-mismatch, score-mismatch, sum-mismatch, total-zero)."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from extractor.model import Block, DocMeta, Document, Report, Table
from extractor.pipeline import build_report
from extractor.tables.selfeval import read_selfeval
from tablemaker import WRITERS

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"

# ---------------------------------------------------------------- the forms

# 财预〔2020〕10号 layout, with merged cells (title, name, fund-block label, l1 down three rows)
CANONICAL = [
    ["项目支出绩效自评表（2022年度）", "", "", "", "", "", "", "", ""],
    ["项目名称", "委托业务项目", "", "", "", "", "", "", ""],
    ["主管部门", "219-池州市贵池区棠溪镇人民政府", "", "", "实施单位", "219001-池州市贵池区棠溪镇人民政府", "", "", ""],
    ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分", ""],
    ["", "年度资金总额", "90", "90", "89.974", "10", "99.97%", "10", ""],
    ["", "其中：本年财政拨款", "80", "80", "79.974", "—", "—", "—", ""],
    ["", "上年结转资金", "10", "10", "10", "—", "—", "—", ""],
    ["", "其他资金", "", "", "", "—", "—", "—", ""],
    ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
    ["", "产出指标(50分)", "数量指标", "基建工程委托业务项目数量", "≥50个", "50个", "20", "20", ""],
    ["", "", "质量指标", "委托业务报告合格率", "≥100%", "100%", "15", "15", ""],
    ["", "", "成本指标", "项目总成本", "≤90万元", "89.974万元", "15", "15", ""],
    ["", "效益指标(30分)", "社会效益指标", "对维护基建市场公平的影响程度", "效果明显", "达成预期指标", "30", "28", "宣传不足，下年加强"],
    ["", "满意度指标(10分)", "服务对象满意度指标", "委托单位满意度", "≥90%", "95%", "10", "10", ""],
    ["总分", "", "", "", "", "", "100", "98", ""],
]
CANONICAL_MERGES = [(0, 0, 0, 8), (1, 1, 1, 8), (2, 1, 2, 3), (2, 5, 2, 8), (3, 0, 3, 1), (4, 0, 7, 0),
                    (9, 1, 11, 1), (14, 0, 14, 5)]

# Sichuan 510000_0013zp: 指标性质 and 度量单位 columns, 权重, four fund rows
SICHUAN = [
    ["部门预算项目支出绩效自评表(2023年度)", "", "", "", "", "", "", "", "", "", ""],
    ["项目名称", "51000021R000000019951-工资性支出", "", "", "", "", "", "", "", "", ""],
    ["主管部门", "青神县发展和改革局本级", "", "", "", "", "实施单位（盖章）", "青神县发展和改革局", "", "", ""],
    ["预算执行情况(10分)", "年度预算数(万元)", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分", "原因", "", ""],
    ["", "总额", "238.93", "251.89", "251.89", "100.00%", "10", "10", "", "", ""],
    ["", "其中：财政资金", "238.93", "251.89", "251.89", "100.00%", "/", "/", "", "", ""],
    ["", "财政专户管理资金", "0.00", "0.00", "0.00", "0.00%", "/", "/", "", "", ""],
    ["", "单位资金", "0.00", "0.00", "0.00", "0.00%", "/", "/", "", "", ""],
    ["", "其他资金", "", "", "", "", "/", "/", "", "", ""],
    ["绩效指标(90分)", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分", "未完成原因分析"],
    ["", "产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", "%", "100", "60", "60", ""],
    ["", "效益指标", "社会效益指标", "足额保障率(参保率)", "≥", "95", "%", "98", "20", "20", ""],
    ["", "", "", "投诉率", "≤", "5", "%", "2", "10", "10", ""],
    ["合计", "", "", "", "", "", "", "", "100", "100", ""],
]
SICHUAN_MERGES = [(0, 0, 0, 10), (1, 1, 1, 10), (2, 1, 2, 5), (2, 7, 2, 10), (3, 0, 8, 0), (11, 1, 12, 1),
                  (11, 2, 12, 2)]

CANONICAL_PROJECT = {
    "name": "委托业务项目", "code": None, "fiscal_year": 2022, "supervising_dept": "池州市贵池区棠溪镇人民政府",
    "implementing_unit": "池州市贵池区棠溪镇人民政府", "initial_budget_yuan": D("900000"),
    "adjusted_budget_yuan": D("900000"), "executed_yuan": D("899740"), "execution_rate": D("99.97"),
    "exec_weight": D("10"), "exec_score": D("10"), "total_score": D("98"), "grade": "优", "source": "table",
}
CANONICAL_INDICATORS = [
    ("产出指标", "数量指标", "基建工程委托业务项目数量", "≥", "≥50个", D("50"), "个", "50个", D("50"), D("20"), D("20"), None),
    ("产出指标", "质量指标", "委托业务报告合格率", "≥", "≥100%", D("100"), "%", "100%", D("100"), D("15"), D("15"), None),
    ("产出指标", "成本指标", "项目总成本", "≤", "≤90万元", D("90"), "万元", "89.974万元", D("89.974"), D("15"), D("15"), None),
    ("效益指标", "社会效益指标", "对维护基建市场公平的影响程度", None, "效果明显", None, None, "达成预期指标", None,
     D("30"), D("28"), "宣传不足，下年加强"),
    ("满意度指标", "服务对象满意度指标", "委托单位满意度", "≥", "≥90%", D("90"), "%", "95%", D("95"), D("10"), D("10"), None),
]
SICHUAN_PROJECT = {
    "name": "工资性支出", "code": "51000021R000000019951", "fiscal_year": 2023, "supervising_dept": "青神县发展和改革局本级",
    "implementing_unit": "青神县发展和改革局", "initial_budget_yuan": D("2389300"), "adjusted_budget_yuan": D("2518900"),
    "executed_yuan": D("2518900"), "execution_rate": D("100.00"), "exec_weight": D("10"), "exec_score": D("10"),
    "total_score": D("100"), "grade": "优", "source": "table",
}
SICHUAN_INDICATORS = [
    ("产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", D("100"), "%", "100", D("100"), D("60"), D("60"), None),
    ("效益指标", "社会效益指标", "足额保障率(参保率)", "≥", "95", D("95"), "%", "98", D("98"), D("20"), D("20"), None),
    ("效益指标", "社会效益指标", "投诉率", "≤", "5", D("5"), "%", "2", D("2"), D("10"), D("10"), None),
]
IND_FIELDS = ("l1", "l2", "l3", "operator", "target_raw", "target_value", "target_unit", "actual_raw",
              "actual_value", "weight", "score", "deviation_reason")


def _check_project(p, expected: dict) -> None:
    got = {k: getattr(p, k) for k in expected}
    assert got == expected
    for k in ("initial_budget_yuan", "adjusted_budget_yuan", "executed_yuan"):
        assert isinstance(getattr(p, k), D)


def _check_indicators(inds, expected, project_name: str) -> None:
    assert [tuple(getattr(i, f) for f in IND_FIELDS) for i in inds] == expected
    assert all(i.project_name == project_name for i in inds)


def _doc_of(grid, merges=(), context: str = "") -> Document:
    merged = {(r, c): (r0, c0) for r0, c0, r1, c1 in merges
              for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0)}
    t = Table(index=0, cells=[list(r) for r in grid], merged=merged, page=1, context=context)
    return Document(path="grid", reader="test", blocks=[Block(kind="table", page=1, table=t)])


# ---------------------------------------------------------------- file round trips


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
@pytest.mark.parametrize("form", ["canonical", "sichuan"])
def test_file_round_trip(tmp_path, fmt, form):
    from extractor.readers import read

    grid, merges, project, indicators = {
        "canonical": (CANONICAL, CANONICAL_MERGES, CANONICAL_PROJECT, CANONICAL_INDICATORS),
        "sichuan": (SICHUAN, SICHUAN_MERGES, SICHUAN_PROJECT, SICHUAN_INDICATORS),
    }[form]
    path = WRITERS[fmt](tmp_path / f"form.{fmt}", grid, merges, title="绩效自评表")
    report = build_report(read(str(path)))
    assert len(report.projects) == 1
    _check_project(report.projects[0], project)
    _check_indicators(report.indicators, indicators, project["name"])
    assert [f for f in report.flags if f.code in ("exec-rate-mismatch", "score-mismatch", "total-zero")] == []


def test_grid_codes_and_fund_rows():
    doc = _doc_of(CANONICAL, CANONICAL_MERGES)
    projects, _ = read_selfeval(doc, [], DocMeta())
    p = projects[0]
    assert p.extra["supervising_dept_code"] == "219"
    assert p.extra["implementing_unit_code"] == "219001"
    rows = p.extra["fund_rows"]
    assert [r["source"] for r in rows] == ["total", "appropriation", "carryover", "other"]
    assert rows[1]["values"]["executed"]["yuan"] == D("799740")
    assert (rows[1]["values"]["executed"]["row"], rows[1]["values"]["executed"]["col"]) == (5, 4)


def test_a_b_letter_headers_and_yuan_unit():
    grid = [
        ["项目名称", "场馆运营结算", "", "", "", "", ""],
        ["项目资金（元）", "年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"],
        ["年度资金总额", "250000.00", "250000.00", "215,457.6", "10", "86.18%", "8.62"],
        ["其中：当年财政拨款", "250000.00", "250000.00", "215457.6", "—", "—", "—"],
    ]
    projects, _ = read_selfeval(_doc_of(grid), [], DocMeta(report_year=2022))
    p = projects[0]
    assert (p.adjusted_budget_yuan, p.executed_yuan, p.execution_rate, p.exec_score, p.fiscal_year) == (
        D("250000.00"), D("215457.6"), D("86.18"), D("8.62"), 2022)


def test_an_indicator_takes_the_money_unit_its_label_declares():
    """40 p132: `预计运营收入（亿元） | 21.59 | 23.43` is a target in 亿元 (as its amounts are); a
    label's declaration does not give a unit to a qualitative target."""
    grid = [r[:] for r in CANONICAL[:9]] + [
        ["", "效益指标", "经济效益指标", "预计运营收入（亿元）", "21.59", "23.43", "30", "30", ""],
        ["", "", "社会效益指标", "资金使用（万元）", "效果明显", "达成预期指标", "10", "10", ""]]
    _, inds = read_selfeval(_doc_of(grid, CANONICAL_MERGES[:6]), [], DocMeta())
    assert [(i.l3, i.operator, i.target_raw, i.target_value, i.target_unit, i.actual_value) for i in inds] == [
        ("预计运营收入(亿元)", None, "21.59", D("21.59"), "亿元", D("23.43")),
        ("资金使用(万元)", None, "效果明显", None, None, None)]


def test_continuation_table_attaches_indicators():
    first = [r for r in CANONICAL[:8]]
    rest = [CANONICAL[8]] + CANONICAL[9:]
    t0 = Table(index=0, cells=first, page=1)
    t1 = Table(index=1, cells=rest, page=2)
    doc = Document(path="x", reader="test", blocks=[Block("table", 1, table=t0), Block("table", 2, table=t1)])
    projects, inds = read_selfeval(doc, [], DocMeta())
    assert len(projects) == 1 and len(inds) == 5
    assert {i.project_name for i in inds} == {"委托业务项目"}
    assert inds[0].page == 2


def test_plain_table_is_not_a_form():
    grid = [["科目编码", "科目名称", "本年支出合计"], ["201", "一般公共服务支出", "237.25"]]
    assert read_selfeval(_doc_of(grid), [], DocMeta()) == ([], [])


# ---------------------------------------------------------------- checks


def _check(name: str):
    """A check function of extractor.checks.selfeval, imported only after the registry has loaded
    every family (importing one family first would leave the registry holding that family alone)."""
    build_report(Document(path="empty", reader="test"))
    from extractor.checks import selfeval

    return getattr(selfeval, name)


def exec_rate_mismatch(r):
    return _check("exec_rate_mismatch")(r)


def score_mismatch(r):
    return _check("score_mismatch")(r)


def fund_sum_mismatch(r):
    return _check("fund_sum_mismatch")(r)


def total_zero(r):
    return _check("total_zero")(r)


def _report(grid, merges=(), reader="test") -> Report:
    doc = _doc_of(grid, merges)
    doc.reader = reader
    return build_report(doc)


def _mutate(grid, r, c, text):
    g = [list(row) for row in grid]
    g[r][c] = text
    return g


@pytest.mark.parametrize("grid,merges", [(CANONICAL, CANONICAL_MERGES), (SICHUAN, SICHUAN_MERGES)])
def test_clean_forms_do_not_flag(grid, merges):
    r = _report(grid, merges)
    for check in (exec_rate_mismatch, score_mismatch, fund_sum_mismatch, total_zero):
        assert check(r) == []


def test_exec_rate_mismatch_real_putuo():
    """real/23: 215457.6 ÷ 250000.00 = 86.183%, written 86.19% (a PDF dump, so a warning)."""
    text = (REAL / "23_shanghai-putuo-sports-center-2022-project-selfeval-table-yuan.txt").read_text("utf-8")
    r = build_report(Document(path="23.txt", reader="text", text=text))
    flags = [f for f in r.flags if f.code == "exec-rate-mismatch"]
    assert len(flags) == 1
    f = flags[0]
    assert (f.text, f.severity, text[f.start:f.end]) == ("86.19%", "warning", "86.19%")
    assert f.suggestion == {"text": "86.18%", "value": D("86.18")}
    assert [e.text for e in f.evidence] == ["215,457.6", "250000.00"]
    assert "86.18%" in f.message and "215,457.6" in f.message_en


def test_exec_rate_precision_interval():
    """100% written without decimals stands for [99.5, 100.5]: 99.6% computed is no error."""
    g = _mutate(CANONICAL, 4, 6, "100%")
    g = _mutate(g, 4, 4, "89.64")
    g = _mutate(g, 5, 4, "79.64")
    assert exec_rate_mismatch(_report(g, CANONICAL_MERGES)) == []
    g = _mutate(g, 4, 4, "89.5")
    g = _mutate(g, 5, 4, "79.5")
    flags = exec_rate_mismatch(_report(g, CANONICAL_MERGES))
    assert [(f.code, f.severity, f.text, f.row, f.col) for f in flags] == [("exec-rate-mismatch", "error", "100%", 4, 6)]
    assert flags[0].suggestion == {"text": "99.44%", "value": D("99.44")}


def test_score_mismatch_real_yinchuan_values():
    """real/10 (OCR): 64.8 budget, 64.8 executed, 执行率 100%, 分值 10, yet 得分 9."""
    grid = [
        ["项目名称", "初中公用经费", "", "", "", ""],
        ["项目资金（万元）", "年初预算数", "调整预算数（A）", "全年执行数（B）", "执行率（B/A）", "分值", "得分"],
        ["年度资金总额", "64.8", "64.8", "64.8", "100%", "10", "9"],
    ]
    r = _report(grid, reader="ocr")
    flags = score_mismatch(r)
    assert [(f.code, f.severity, f.text, f.row, f.col) for f in flags] == [("score-mismatch", "warning", "9", 2, 6)]
    assert flags[0].suggestion == {"text": "10.00", "value": D("10.00")}
    assert [e.text for e in flags[0].evidence] == ["10", "64.8", "64.8"]


def test_score_mismatch_indicator_rules():
    # ≥: actual 40 of target 50 → 20 × 0.8 = 16, written 20
    g = _mutate(CANONICAL, 9, 5, "40个")
    flags = score_mismatch(_report(g, CANONICAL_MERGES))
    assert [(f.text, f.row, f.col, f.suggestion["value"]) for f in flags] == [("20", 9, 7, D("16.00"))]
    # ≤: cost 99 over a ≤90 target → 15 × (1 − 9/90) = 13.5, written 15
    g = _mutate(CANONICAL, 11, 5, "99万元")
    flags = score_mismatch(_report(g, CANONICAL_MERGES))
    assert [(f.text, f.suggestion["value"]) for f in flags] == [("15", D("13.50"))]
    # ≤ met: actual 80 under a ≤90 target keeps full marks (the reverse rule, not ≥)
    assert score_mismatch(_report(_mutate(CANONICAL, 11, 5, "80万元"), CANONICAL_MERGES)) == []


def test_score_mismatch_total():
    g = _mutate(CANONICAL, 14, 7, "96")
    flags = score_mismatch(_report(g, CANONICAL_MERGES))
    assert [(f.text, f.row, f.col, f.suggestion["value"]) for f in flags] == [("96", 14, 7, D("98"))]
    assert len(flags[0].evidence) == 6


def test_sum_mismatch_fund_rows():
    g = _mutate(CANONICAL, 6, 4, "9")  # 79.974 + 9 ≠ 89.974
    flags = fund_sum_mismatch(_report(g, CANONICAL_MERGES))
    assert [(f.code, f.text, f.row, f.col, f.suggestion["value"]) for f in flags] == [
        ("sum-mismatch", "89.974", 4, 4, D("88.974"))]
    assert [e.text for e in flags[0].evidence] == ["79.974", "9"]


def test_sum_with_a_blank_part_cell_is_not_checked():
    """`其他资金 1428 | (blank) | 1426.8`: the blank 全年预算数 cell is unknown, not 0, so that
    column's sum cannot be checked; the columns whose parts are all written still are."""
    g = _mutate(_mutate(CANONICAL, 6, 3, ""), 4, 2, "91")  # 上年结转 blank in 全年预算数; 年初 total off
    flags = fund_sum_mismatch(_report(g, CANONICAL_MERGES))
    assert [(f.text, f.row, f.col) for f in flags] == [("91", 4, 2)]


def test_sum_real_clean_tables():
    """real/29 (基本支出 + 项目支出) and real/08 (财政资金 + 专户 + 单位资金) add up."""
    for name in ("29_suiyang-taibai-town-2021-dept-selfeval-table.txt", "08_qingshen-fgj-2023-project-selfeval-table.txt"):
        text = (REAL / name).read_text("utf-8")
        r = build_report(Document(path=name, reader="text", text=text))
        assert r.projects and r.projects[0].extra["fund_rows"]
        assert fund_sum_mismatch(r) == [] and total_zero(r) == []


def test_total_zero_real_chizhou():
    text = (REAL / "02_chizhou-tangxi-2022-project-selfeval-table.txt").read_text("utf-8")
    r = build_report(Document(path="02.txt", reader="text", text=text))
    flags = [f for f in r.flags if f.code == "total-zero"]
    assert [(f.text, f.row, f.col, f.suggestion["value"]) for f in flags] == [
        ("0", 5, 1, D("90")), ("0", 5, 2, D("89.974")), ("0", 5, 3, D("89.974"))]
    assert flags[2].suggestion == {"text": "89.974", "value": D("89.974"), "value_yuan": D("899740")}
    for f in flags:
        assert text[f.start:f.end] == "0" and f.severity == "error"
    assert [e.text for e in flags[0].evidence] == ["90"]
    assert fund_sum_mismatch(r) == []
