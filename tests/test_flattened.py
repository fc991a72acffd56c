"""Self-evaluation tables flattened into text (web pages, PDF text dumps): four real layouts,
exact cell spans, and no table where there is none."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from extractor.tables.flattened import add_flattened_tables, tokenize
from extractor.model import Block, Document, Table
from extractor.pipeline import build_report

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
P_FIELDS = ("name", "code", "fiscal_year", "supervising_dept", "implementing_unit", "initial_budget_yuan",
            "adjusted_budget_yuan", "executed_yuan", "execution_rate", "exec_weight", "exec_score")
I_FIELDS = ("l1", "l2", "l3", "operator", "target_raw", "target_value", "target_unit", "actual_raw", "actual_value",
            "weight", "score")


def _report(name: str):
    text = (REAL / name).read_text("utf-8")
    return text, build_report(Document(path=name, reader="text", text=text))


def _spans_exact(text: str, tables: list[Table]) -> int:
    n = 0
    for t in tables:
        for (r, c), (s, e) in t.spans.items():
            assert text[s:e] == t.cells[r][c]
            n += 1
    return n


def test_run_together_with_spaces_chizhou():
    """real/02: docx→text, every cell on one line separated by spaces, empty cells gone."""
    text, r = _report("02_chizhou-tangxi-2022-project-selfeval-table.txt")
    assert _spans_exact(text, r.document.tables) > 60
    (p,) = r.projects
    assert tuple(getattr(p, f) for f in P_FIELDS) == (
        "委托业务项目", None, 2022, "池州市贵池区棠溪镇人民政府", "池州市贵池区棠溪镇人民政府",
        D("0"), D("0"), D("0"), D("0"), D("10"), D("0"))
    assert p.extra["supervising_dept_code"] == "219" and p.extra["implementing_unit_code"] == "219001"
    approp = p.extra["fund_rows"][1]
    assert (approp["source"], approp["values"]["initial_budget"]["yuan"], approp["values"]["executed"]["yuan"]) == (
        "appropriation", D("900000"), D("899740"))
    got = [tuple(getattr(i, f) for f in I_FIELDS) for i in r.indicators]
    assert len(got) == 9
    assert got[0] == ("产出指标", "数量指标", "基建工程委托业务项目数量", "≥", "≥50个", D("50"), "个", "50", D("50"), D("8"), D("8"))
    assert got[1] == ("产出指标", "质量指标", "委托业务报告合格率", "≥", "≥100百分比", D("100"), "%", "100", D("100"), D("8"), D("8"))
    assert got[4] == ("产出指标", "成本指标", "项目总成本", "≤", "≤90万元", D("90"), "万元", "90", D("90"), D("8"), D("8"))
    assert got[6][:3] == ("效益指标", "社会效益指标", "对维护基建市场公平的影响程度")
    assert (got[6][3], got[6][5], got[6][7]) == (None, None, "达成预期指标")


def test_one_cell_per_line_qingshen():
    """real/08: Sichuan 510000_0013zp, one cell per line ending in ` |`, empty cells kept."""
    text, r = _report("08_qingshen-fgj-2023-project-selfeval-table.txt")
    _spans_exact(text, r.document.tables)
    (p,) = r.projects
    assert tuple(getattr(p, f) for f in P_FIELDS) == (
        "工资性支出", "51000021R000000019951", 2023, "青神县发展和改革局本级", "青神县发展和改革局",
        D("2389300"), D("2518900"), D("2518900"), D("100.00"), D("10"), None)
    assert [r_["source"] for r_ in p.extra["fund_rows"]] == ["total", "appropriation", "special_account", "unit_funds", "other"]
    got = [tuple(getattr(i, f) for f in I_FIELDS) for i in r.indicators]
    assert got == [
        ("产出指标", "数量指标", "发放(缴纳)覆盖率", "=", "100", D("100"), "%", None, None, D("60"), None),
        ("效益指标", "社会效益指标", "足额保障率(参保率)", "=", "100", D("100"), "%", None, None, D("30"), None),
    ]
    name_cell = p.extra["name_cell"]
    assert text[name_cell["start"]:name_cell["end"]] == "51000021R000000019951-工资性支出"


def test_pdf_text_dump_putuo():
    """real/23: a PDF text dump printing values before their row labels; amounts in 元."""
    text, r = _report("23_shanghai-putuo-sports-center-2022-project-selfeval-table-yuan.txt")
    _spans_exact(text, r.document.tables)
    first, second = r.projects
    assert tuple(getattr(first, f) for f in P_FIELDS) == (
        "普陀体育中心与委托运营方结算费用", None, 2022, "上海市普陀区体育局", "上海市普陀区体育事业管理中心",
        D("250000.00"), D("250000.00"), D("215457.6"), D("86.19"), D("10"), D("8.62"))
    assert first.extra["unit"] == "元"
    # the second form prints `20000.00 20000.00 4.52` as its total row, the executed 9,034 beside 实施单位 and
    # `10 45.17%` after 年度总体目标: 9034 ÷ 20000 = 45.17% and 10 × 45.17% = 4.52 place them, and nothing else does
    assert tuple(getattr(second, f) for f in P_FIELDS) == (
        "援滇对口支援及结对帮扶经费", None, 2022, "上海市普陀区体育局", "上海市普陀区体育事业管理中心",
        D("20000.00"), D("20000.00"), D("9034"), D("45.17"), D("10"), D("4.52"))
    executed = second.extra["fund_rows"][-1]["values"]["executed"]
    assert text[executed["start"]:executed["end"]] == "9,034"
    assert text[executed["start"] - 5:executed["start"] - 1] == "实施单位"
    # form 1's indicator values are printed as a block before their names (`=100% 100% 10 10 … 100 98.62`, then
    # `率 产出指标 质量指标 …`): one value group per 三级指标, paired by order; 一级 from each 二级's family
    assert [(i.l1, i.l2, i.l3.replace(" ", ""), i.target_raw, i.actual_raw, i.weight, i.score) for i in r.indicators] == [
        ("产出指标", "数量指标", "与委托运营方结算完成率", "=100%", "100%", D("10"), D("10")),
        ("产出指标", "质量指标", "合同结算条款完成率", "=100%", "100%", D("20"), D("20")),
        ("产出指标", "时效指标", "费用结算及时性", "及时", "及时", D("20"), D("20")),
        ("效益指标", "社会效益指标", "与委托运营方合同完成率", "=100%", "100%", D("30"), D("30")),
        ("满意度指标", "服务对象满意度指标", "场馆开放满意度", ">=90%", "100%", D("10"), D("10"))]
    assert (first.total_score, second.total_score) == (D("98.62"), None)  # form 2's values are cut off
    assert r.document.meta["uncertain_tables"] == [0, 1]


def test_pipe_rows_suiyang():
    """real/29: 部门整体支出绩效自评表 with `|` between cells and a row wrapped onto two lines."""
    text, r = _report("29_suiyang-taibai-town-2021-dept-selfeval-table.txt")
    _spans_exact(text, r.document.tables)
    (p,) = r.projects
    assert tuple(getattr(p, f) for f in P_FIELDS) == (
        "绥阳县太白镇人民政府", None, None, None, None, D("11725500"), None, D("12687200"), None, D("10"), D("10"))
    rows = {x["source"]: x["values"] for x in p.extra["fund_rows"]}
    assert (rows["basic"]["initial_budget"]["value"], rows["basic"]["executed"]["value"]) == (D("985.19"), D("914.97"))
    assert (rows["project"]["initial_budget"]["value"], rows["project"]["executed"]["value"]) == (D("187.36"), D("353.75"))


@pytest.mark.parametrize("name", [
    "ganzhou-2023-zhengwu-self-eval.txt", "05_nanxian-zhengxie-2021-dept-perf-report.txt",
    "09_yunnan-yjglt-2022-central-disaster-fund-selfeval.txt", "16_guangdong-kejiting-2020-selfeval-summary.txt",
    "26_xiping-jiaotong-2022-rural-revitalization-fund-selfeval.txt",
])
def test_prose_gives_no_table(name):
    doc = Document(path=name, reader="text", text=(REAL / name).read_text("utf-8"))
    add_flattened_tables(doc)
    assert doc.tables == []


def test_index_continues_after_reader_tables():
    text = (REAL / "08_qingshen-fgj-2023-project-selfeval-table.txt").read_text("utf-8")
    existing = Table(index=0, cells=[["a", "b"]])
    doc = Document(path="x", reader="html", text=text, blocks=[Block(kind="table", table=existing)])
    add_flattened_tables(doc)
    assert [t.index for t in doc.tables] == [0, 1]


def test_tokenize_styles():
    text = "项目名称 |\n|\n甲 | 乙 |  丙\n项目资金 (万元) 年初预算数\n"
    toks = tokenize(text)
    assert [(t.text, t.style) for t in toks] == [
        ("项目名称", "cell"), ("", "cell"), ("甲", "pipe"), ("乙", "pipe"), ("丙", "pipe"),
        ("项目资金 (万元)", "space"), ("年初预算数", "space")]
    for t in toks:
        assert text[t.start:t.end] == t.text


FINAL_ACCOUNTS = """南县市场监督管理局2023年度部门决算
第三部分 部门决算表
收入支出决算总表
编制单位：南县市场监督管理局    单位：万元
收入 | 支出
项目 | 决算数 | 项目 | 决算数
一、一般公共预算财政拨款收入 | 7236.90 | 一、一般公共服务支出 | 3940.08
二、政府性基金预算财政拨款收入 | 0.00 | 二、农林水支出 | 1238.37
四、上级补助收入 | 0.00 |  | 
本年收入合计 | 7236.90 | 本年支出合计 | 7187.30
年初结转和结余 | 188 | 年末结转和结余 | 237.60
收入总计 | 7424.90 | 支出总计 | 7424.90
"""


def test_pipe_final_accounts_table():
    """A 决算 table flattened with `|`: one table, empty cells keep their column, lines read by item."""
    r = build_report(Document(path="fa.txt", reader="text", text=FINAL_ACCOUNTS))
    (t,) = r.document.tables
    assert _spans_exact(FINAL_ACCOUNTS, [t]) == 28
    assert t.cells[4] == ["四、上级补助收入", "0.00", "", ""]
    assert t.context == "收入支出决算总表\n编制单位：南县市场监督管理局    单位：万元"
    lines = {(b.direction, b.item): (b.category_code, b.value_yuan) for b in r.budget_lines}
    assert lines == {
        ("income", "一般公共预算财政拨款收入"): (None, D("72369000")),
        ("income", "政府性基金预算财政拨款收入"): (None, D("0")),
        ("income", "上级补助收入"): (None, D("0")),
        ("expenditure", "一般公共服务支出"): ("201", D("39400800")),
        ("expenditure", "农林水支出"): ("213", D("12383700")),
        ("income", "本年收入合计"): (None, D("72369000")),
        ("expenditure", "本年支出合计"): (None, D("71873000")),
        ("balance", "年初结转和结余"): (None, D("1880000")),
        ("balance", "年末结转和结余"): (None, D("2376000")),
        ("income", "收入总计"): (None, D("74249000")),
        ("expenditure", "支出总计"): (None, D("74249000")),
    }
    assert all((b.stage, b.year) == ("final", 2023) for b in r.budget_lines)


def test_pipe_table_without_header_words_is_left_alone():
    text = "说明\n甲 | 乙\n丙 | 丁\n"
    doc = Document(path="x", reader="text", text=text)
    add_flattened_tables(doc)
    assert doc.tables == []


def test_pipe_table_whose_unit_line_wraps_keeps_its_caption():
    """`单位：万` / `元` above a `|` table: the wrapped tail is held with its head, so the caption
    above stays in the table's context (the table is recognised by it, the unit is 万元)."""
    text = ("说明\n某局部门预算基本支出表\n单位：万\n元\n"
            "科目名称 | 人员经费 | 公用经费\n合计 | 12.50 | 3.25\n")
    r = build_report(Document(path="w.txt", reader="text", text=text))
    (t,) = r.document.tables
    assert t.context == "某局部门预算基本支出表\n单位：万\n元"
    assert [(b.item, b.direction, b.stage, b.value_yuan) for b in r.budget_lines] == [
        ("合计", "expenditure", "budget", D("125000"))]
