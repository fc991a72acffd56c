"""决算/预算 tables read as grids whose figures must come out (issue 10): a unit declared in a
caption row of the grid, a 收支总表 half whose lines are numbered again under `一、本年支出`,
and a table whose own sums fail (a sum error, never a unit slip of a bare cell)."""
from __future__ import annotations

from decimal import Decimal as D

from extractor.model import Block, Document, Table
from extractor.readers.wrapping import Line, is_hard_break
from extractor.pipeline import build_report
from extractor.tables.ledger import read_ledgers

HEAD = "某局2026年部门预算\n"


def report_of(tables: list[Table]):
    blocks = [Block("paragraph", start=0, end=len(HEAD))] + [Block("table", table=t) for t in tables]
    return build_report(Document(path="t.pdf", reader="pdf", text=HEAD, blocks=blocks))


def amounts(r) -> list[tuple[int, int, str, str, D]]:
    return sorted((q.row, q.col, q.text, q.unit, q.value_yuan) for q in r.quantities if q.kind == "amount")


# the title and `预算单位：… | 单位：万元` rows printed inside the grid, above the column header (49 p6, p11)
BASIC = [
    ["本年一般公共预算基本支出表(预算表6)", "", "", "", ""],
    ["预算单位：某局", "", "", "", "单位：万元"],
    ["科目编码", "支出经济分类科目名称", "合计", "人员经费", "公用经费"],
    ["合计", "", "120.50", "100.00", "20.50"],
    ["301", "工资福利支出", "100.00", "100.00", "0.00"],
    ["30101", "基本工资", "60.00", "60.00", "0.00"],
    ["30102", "津贴补贴", "40.00", "40.00", "0.00"],
    ["302", "商品和服务支出", "20.50", "0.00", "20.50"],
    ["30201", "办公费", "20.50", "0.00", "20.50"],
]


def test_a_unit_cell_in_a_caption_row_of_the_grid_declares_the_whole_table():
    r = report_of([Table(index=0, cells=[row[:] for row in BASIC], page=1)])
    got = amounts(r)
    assert len(got) == 18  # every figure of the three value columns, not only those under the unit cell
    assert {u for *_, u, _v in got} == {"万元"}
    assert (3, 2, "120.50", "万元", D("1205000.00")) in got
    assert (8, 3, "0.00", "万元", D("0.00")) in got
    assert {(q.col, q.extra["column"], q.unit_source) for q in r.quantities if q.row == 4} == {
        (2, "合计", "table-header"), (3, "人员经费", "table-header"), (4, "公用经费", "table-header")}
    assert [f for f in r.flags if f.severity == "error"] == []


def test_a_unit_in_a_column_header_still_declares_its_column_only():
    cells = [["项目", "金额（元）", "数量"], ["办公设备", "3500", "2"], ["车辆", "180000", "1"]]
    got = amounts(report_of([Table(index=0, cells=cells, page=1)]))
    assert got == [(1, 1, "3500", "元", D("3500")), (2, 1, "180000", "元", D("180000"))]


def test_a_table_whose_rows_do_not_add_up_is_a_sum_error_not_a_unit_slip_of_a_bare_cell():
    cells = [row[:] for row in BASIC]
    cells[6][2] = cells[6][3] = "49.75"  # 60.00 + 49.75 ≠ 100.00; as 49.75元 it would "add up"
    r = report_of([Table(index=0, cells=cells, page=1)])
    errors = sorted((f.code, f.row, f.col, f.text) for f in r.flags if f.severity == "error")
    assert ("unit-suspect" not in {c for c, *_ in errors})
    assert errors == [("sum-mismatch", 4, 2, "100.00"), ("sum-mismatch", 4, 3, "100.00")]


# 财政拨款收支总表 (49 p9): `一、本年支出` heads 支出 lines numbered again from 一、, then `二、结转下年支出`
TOTALS = [
    ["财政拨款收支总表(预算表4)", "", "", "", ""],
    ["预算单位：某局", "", "", "单位：万元", ""],
    ["收入项目", "本年预算", "", "支出项目", "本年预算"],
    ["一、本年收入", "1682.76", "", "一、本年支出", "1682.76"],
    ["一般公共预算拨款", "1682.76", "", "一、一般公共服务支出", "1378.41"],
    ["政府性基金预算拨款", "0.00", "", "二、社会保障和就业支出", "178.42"],
    ["", "", "", "三、卫生健康支出", "32.65"],
    ["", "", "", "四、住房保障支出", "93.27"],
    ["二、上年结转", "10.00", "", "二、结转下年支出", "10.00"],
    ["收入总计", "1692.76", "", "支出总计", "1692.76"],
]


def test_lines_numbered_again_under_this_years_total_end_where_they_add_up():
    cells = [row[:] for row in TOTALS]
    r = report_of([Table(index=0, cells=cells, page=1)])
    assert [f for f in r.flags if f.severity == "error"] == []
    (ledger,) = read_ledgers(r.document, r.quantities)
    right = ledger.groups[1]
    (year, whole) = right.blocks
    assert (year.total.name, [m.name for m in year.members]) == (
        "本年支出", ["一般公共服务支出", "社会保障和就业支出", "卫生健康支出", "住房保障支出"])
    assert (whole.total.name, [m.name for m in whole.members]) == ("支出总计", ["本年支出", "结转下年支出"])
    cells[6][4] = "33.65"  # a slip in a line under 一、本年支出 is still an error
    r = report_of([Table(index=0, cells=cells, page=1)])
    assert any(f.code == "sum-mismatch" and f.severity == "error" for f in r.flags)


def test_a_money_unit_opening_a_line_continues_the_figure_that_ended_the_line_before():
    # 49 p18: the PDF ends the line short after `211`; its `万元` is never a paragraph of its own
    assert not is_hard_break(Line("系统机关运行经费预算总计211", short=True), Line("万元， 占基本支出经费的17.46%"))
    assert is_hard_break(Line("预算总计211", short=True), Line("年度目标"))
    assert is_hard_break(Line("完成率98", short=True), Line("百分比"))


def test_a_unit_line_without_the_word_unit_declares_the_table_below_it():
    # 54 p32: `341-湖州市财政局 … 万元` over a 项目支出绩效表 (no `单位：`)
    cells = [["单位名称", "项目名称", "金额", "项目总体绩效目标"],
             ["某中心", "财政票据综合管理", "10.00", "做好推广、宣传、专项检查以及各项试点工作"]]
    t = Table(index=0, cells=cells, page=1, context="2026年市级部门项目支出绩效表\n341-湖州市财政局        万元")
    assert amounts(report_of([t])) == [(1, 2, "10.00", "万元", D("100000.00"))]
    t.context = "2026年市级部门项目支出绩效表\n支出合计 1,266.75 万元"  # a figure's unit declares nothing
    assert amounts(report_of([t])) == []


# a table of units with a decrease column (51 p45): the department's line, then its own
# office, a unit whose figure fell (`-91800`) and a unit with none; no codes, no outline
UNITS = [
    ["预算单位：某局", "", "单位：元"],
    ["单位名称", "本年预算", "比上年增减"],
    ["合计", "75500", "4600"],
    ["某市医疗保障局", "75500", "4600"],
    ["某市医疗保障局本级", "167300", "25000"],
    ["某市医疗保障经办服务中心", "-91800", "-20400"],
    ["某市医疗保险基金管理中心", "0", "0"],
]


def test_a_row_larger_than_what_is_left_does_not_end_the_search_while_decreases_follow():
    """167300 is more than the 75500 its unit's line leaves once reached, but the -91800
    after it brings the sum back: the rows add up (unit line = the three units below)."""
    r = report_of([Table(index=0, cells=[row[:] for row in UNITS], page=1)])
    assert [(f.code, f.text) for f in r.flags] == []
    (ledger,) = read_ledgers(r.document, r.quantities)
    (block,) = ledger.groups[0].blocks
    assert block.how == "sums" and [m.level for m in block.members][:3] == [1, 2, 2]  # (the 0 fits anywhere)
    cells = [row[:] for row in UNITS]
    cells[5][1] = "-91700"  # a slip still shows
    r = report_of([Table(index=0, cells=cells, page=1)])
    assert [(f.code, f.text) for f in r.flags] == [("sum-mismatch", "75500")]


def test_a_target_takes_the_money_unit_of_its_rows_unit_column():
    """A 绩效目标表 prints a target's unit in a column of its own (43): `总成本 | 35.78 | 万元`
    is an amount of 357,800 元; a target of another unit stays the indicator's (no rate)."""
    cells = [["一级指标", "三级指标", "指标值", "计量单位", "分值"],
             ["成本指标", "总成本", "35.78", "万元", "20"],
             ["质量指标", "受理率", "95", "%", "10"],
             ["数量指标", "接访人次", "3000", "人次", "10"]]
    r = report_of([Table(index=0, cells=cells, page=1)])
    got = [(q.kind, q.row, q.col, q.text, q.unit, q.value_yuan, q.unit_source) for q in r.quantities if q.table == 0]
    assert got == [("amount", 1, 2, "35.78", "万元", D("357800"), "table-header")]


def test_a_cost_indicators_bare_wan_and_a_unit_declared_in_the_rows_label():
    """40's forms: `成本指标 | 采购成本 | ≤396万元 | 378.27万` (the money word two cells to the
    left, the nearest label being the target) and `预计运营收入（亿元） | 21.59` (the unit in the
    row's label, the figure under 指标值)."""
    cells = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值"],
             ["产出指标", "成本指标", "采购成本", "≤396万元", "378.27万", "10"],
             ["效益指标", "经济效益指标", "预计运营收入（亿元）", "21.59", "无", "4"],
             ["产出指标", "数量指标", "接待人次", "≥12万", "12万", "10"]]
    r = report_of([Table(index=0, cells=cells, page=1)])
    got = sorted((q.row, q.col, q.text, q.unit, q.value_yuan) for q in r.quantities if q.table == 0 and q.kind == "amount")
    assert got == [(1, 3, "≤396万元", "万元", D("3960000")), (1, 4, "378.27万", "万元", D("3782700")),
                   (2, 3, "21.59", "亿元", D("2159000000"))]
