"""Document meta, budget lines and project lists from prose, on the seed report and the real PDFs."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from extractor import facts
from extractor.model import DocMeta, Document, Project
from extractor.pipeline import build_report

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
SEED = REAL / "ganzhou-2023-zhengwu-self-eval.txt"


@pytest.fixture(scope="module")
def seed():
    return build_report(Document(path=str(SEED), reader="text", text=SEED.read_text("utf-8")))


def test_seed_meta(seed):
    assert seed.meta == DocMeta(title="甘州区政务服务管理局2023年部门绩效自评工作总结", department="甘州区政务服务管理局",
                                report_year=2023, report_type="dept-self-eval")


@pytest.mark.parametrize("name,expected", [
    ("08_qingshen-fgj-2023-project-selfeval-table.txt",
     ("部门预算项目支出绩效自评表(2023年度)", "青神县发展和改革局", 2023, "self-eval-table")),
    ("02_chizhou-tangxi-2022-project-selfeval-table.txt",
     ("项目支出绩效自评表 (2022年度)", "池州市贵池区棠溪镇人民政府", 2022, "self-eval-table")),
    ("29_suiyang-taibai-town-2021-dept-selfeval-table.txt",
     ("部门整体支出绩效自评表", "绥阳县太白镇人民政府", None, "self-eval-table")),
    ("09_yunnan-yjglt-2022-central-disaster-fund-selfeval.txt",
     ("云南省2022年度中央自然灾害资金绩效自评报告", None, 2022, "project-self-eval")),
])
def test_meta_of_real_texts(name, expected):
    m = facts.document_meta(Document(path=name, reader="text", text=(REAL / name).read_text("utf-8")))
    assert (m.title, m.department, m.report_year, m.report_type) == expected


def test_meta_of_wrapped_pdf_title():
    text = "上海市普陀区规划和自然\n资源局\n2024 年度部门决算\n目 录\n"
    m = facts.document_meta(Document(path="x.pdf", reader="pdf", text=text))
    assert (m.title, m.department, m.report_year, m.report_type) == (
        "上海市普陀区规划和自然资源局2024 年度部门决算", "上海市普陀区规划和自然资源局", 2024, "final-accounts")


def test_seed_budget_lines(seed):
    lines = {(b.year, b.stage, b.direction, b.item): (b.category_code, b.value_yuan) for b in seed.budget_lines}
    assert {b.year for b in seed.budget_lines} == {2021, 2022, 2023}
    assert lines[(2021, "budget", "income", "预算收入总额")] == (None, D("2761984.37"))
    assert lines[(2021, "budget", "expenditure", "预算支出总额")] == (None, D("2769784.37"))
    assert lines[(2021, "final", "income", "收入总额")] == (None, D("2754184.37"))
    assert lines[(2021, "final", "expenditure", "支出总额")] == (None, D("2942044.48"))
    assert lines[(2021, "final", "balance", "收支结余")] == (None, D("-187860.11"))
    assert lines[(2022, "budget", "income", "预算收入")] == (None, D("2608500"))
    assert lines[(2022, "final", "income", "收入总额")] == (None, D("3245338.61"))
    assert lines[(2023, "budget", "expenditure", "支出预算")] == (None, D("3486300"))
    cats = {(b.year, b.category_code): b.value_yuan for b in seed.budget_lines if b.category_code}
    assert cats == {
        (2022, "201"): D("2372500"), (2022, "208"): D("112600"), (2022, "210"): D("43300"), (2022, "221"): D("80000"),
        (2023, "201"): D("3128900"), (2023, "208"): D("162300"), (2023, "210"): D("80900"), (2023, "221"): D("114200"),
    }
    for b in seed.budget_lines:
        assert b.text in SEED.read_text("utf-8")
    # a change (比2021年预算增加1.14万元) is not a budget line
    assert all(b.value_yuan != D("11400") for b in seed.budget_lines)


def test_seed_projects_from_prose(seed):
    text = [p for p in seed.projects if p.source == "text"]
    assert [(p.name, p.adjusted_budget_yuan, p.fiscal_year) for p in text] == [
        ("2023年政务服务辅助人员工作专项经费", D("866013.51"), 2023),
        ("政务中心办公专项经费（包含保洁及临聘人员工资和政务大厅运行经费）", D("333923.8"), 2023),
        ("“12345”政务服务热线专项经费", D("70000"), 2023),
        ("2023年政务大厅电力电路维护专项经费", D("25000"), 2023),
        ("甘州区推行“接诉即办”改革工作经费", D("60000"), 2023),
        ("2023年人民日报电子阅报栏服务费用", D("50000"), 2023),
        ("“一件事一次办”试点改革工作经费", D("162115"), 2023),
    ]
    full = SEED.read_text("utf-8")
    assert [full[p.extra["start"]:p.extra["end"]] for p in text] == [
        "86.601351万元", "33.39238万元", "7万元", "2.5万元", "6万元", "5万元", "16.2115万元"]


def test_prose_projects_skip_table_projects(seed):
    doc = seed.document
    already = [Project(name="“12345”政务服务热线专项经费")]
    got = facts.projects_from_prose(doc, seed.quantities, seed.meta, already)
    assert len(got) == 6 and all("12345" not in p.name for p in got)


def test_final_accounts_pdf_tables():
    from extractor.readers import read

    r = build_report(read(str(REAL / "32_shanghai-putuo-shgzb-2024-final-accounts-with-selfeval-summary.pdf")))
    assert (r.meta.department, r.meta.report_year, r.meta.report_type) == ("中共上海市普陀区委社会工作部", 2024, "final-accounts")
    lines = {(b.direction, b.item, b.category_code): b.value_yuan for b in r.budget_lines if b.page == 5}
    assert lines == {
        ("income", "一般公共预算财政拨款收入", None): D("3078200"),
        ("expenditure", "一般公共服务支出", "201"): D("2648700"),
        ("expenditure", "社会保障和就业支出", "208"): D("108200"),
        ("expenditure", "卫生健康支出", "210"): D("27100"),
        ("expenditure", "住房保障支出", "221"): D("294200"),
        ("income", "本年收入合计", None): D("3078200"),
        ("expenditure", "本年支出合计", None): D("3078200"),
    }
    assert all(b.stage == "final" and b.year == 2024 for b in r.budget_lines)


def test_projects_under_numbered_headings():
    text = ("绥阳县科学技术局2024年部门整体支出绩效自评报告\n（三）部门工作任务\n"
            "1.2024年12345热线运行专项经费主要任务及完成情况。\n"
            "经财政局审核，全年预算78.043808万元，实际支出722685.66元，执行率92.60%，有效保障了各项工作开展。\n"
            "2.2024年网格化管理专项经费主要任务及完成情况。\n"
            "全年预算809510.55元，实际支出747987.75元，执行率72.35%。\n"
            "二、绩效自评工作开展情况\n")
    r = build_report(Document(path="x.txt", reader="text", text=text))
    assert [(p.name, p.adjusted_budget_yuan, p.executed_yuan, p.execution_rate, p.fiscal_year, p.source)
            for p in r.projects] == [
        ("2024年12345热线运行专项经费", D("780438.08"), D("722685.66"), D("92.60"), 2024, "text"),
        ("2024年网格化管理专项经费", D("809510.55"), D("747987.75"), D("72.35"), 2024, "text"),
    ]
    fig = r.projects[0].extra["figures"]["executed"]
    assert text[fig["start"]:fig["end"]] == "722685.66元"


def test_project_report_title_names_its_project():
    text = ("双江县交通运输局2021年度科技创新平台建设项目支出绩效自评报告\n"
            "该项目年初预算163.65万元，年中调整后全年预算192.53万元。\n"
            "项目全年预算数192.53万元，全年执行数178.48万元，预算执行率为99.27%。\n"
            "经自评，该项目综合得分85.84分，评价等级为“良”。\n")
    r = build_report(Document(path="x.txt", reader="text", text=text))
    (p,) = r.projects
    assert (p.name, p.initial_budget_yuan, p.adjusted_budget_yuan, p.executed_yuan, p.execution_rate,
            p.total_score, p.grade, p.fiscal_year) == (
        "科技创新平台建设项目", D("1636500"), D("1925300"), D("1784800"), D("99.27"), D("85.84"), "良", 2021)


@pytest.mark.parametrize("text,year", [
    # a web page's title names no year: the opening's first year (its publication date is a date)
    ("您现在的位置: 首页 > 通知公告\n部门整体支出绩效评价报告\n【发布时间:2022-04-15 14:54】\n"
     "一、基本情况\n2021年部门决算收支完成情况。\n收入:792.22万元。", 2021),
    # a cover printing the year, the department and the report's name on three lines
    ("2026 年度\n福州市商务局\n部门预算\n目录\n第一部分 部门概况", 2026),
    # an evaluation's cover: the project's name dates it, its report date is a date
    ("评价项目名称：2020 年度长沙市人民政府国有资产监督管理委\n员会国企改革稳定专项资金绩效评价\n"
     "评价项目金额： 13,237 万元\n报告日期：2021 年 8 月 22 日", 2020),
    ("报告日期：2021 年 8 月 22 日\n长沙市财政局制\n2020 年度长沙市人民政府\n国企改革稳定专项资金绩效评价报告", 2020),
    # a year first met after the figures began dates its section, not the document
    ("第一段，支出5万元。\n二、2021年度执行情况\n支出6万元。", None),
    # a filing date only: no fiscal year
    ("部门整体支出绩效自评表\n单位(盖章):某镇人民政府 | 填报日期:2022年2月3日", None),
])
def test_the_fiscal_year_of_an_opening_without_a_dated_title(text, year):
    assert facts.document_meta(Document(path="x.txt", reader="text", text=text)).report_year == year


def test_a_workbooks_opening_is_its_first_tables_context():
    """A workbook's text names its sheets; the cover rows above its first table are its opening,
    where a 部门预算 states its year (the compilation date before it is a date)."""
    from extractor.model import Block, Table

    context = "Sheet1\n某局部门预算\n编制日期：2023年12月22日\n目录\n某局2024年度主要职责是统筹各项工作。"
    t = Table(index=0, cells=[["科目编码", "科目名称", "合计"], ["301", "工资福利支出", "279.99"]], page=1, context=context)
    doc = Document(path="x.xlsx", reader="xlsx", text="Sheet1", blocks=[Block(kind="table", page=1, table=t)])
    meta = facts.document_meta(doc)
    assert (meta.title, meta.report_type, meta.report_year) == ("某局部门预算", "other", 2024)
