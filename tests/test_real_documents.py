"""Real published documents of ../shared/real: the 决算 PDFs' tables and the web excerpts."""
from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.text.quantities import find_quantities
from extractor.readers import read

GHZY = "31_shanghai-putuo-ghzy-2024-final-accounts-with-selfeval-summary.pdf"
SHGZB = "32_shanghai-putuo-shgzb-2024-final-accounts-with-selfeval-summary.pdf"


@pytest.fixture(scope="module")
def ghzy(real_dir):
    doc = read(str(real_dir / GHZY))
    return doc, find_quantities(doc, report_year=2024)


@pytest.fixture(scope="module")
def shgzb(real_dir):
    doc = read(str(real_dir / SHGZB))
    return doc, find_quantities(doc, report_year=2024)


def _cell(qs, page, label, column_part):
    hits = [q for q in qs if q.page == page and q.table is not None and q.label == label
            and column_part in (q.extra.get("column") or "")]
    assert hits, (page, label, column_part)
    return hits[0]


# 收入支出决算总表 (page 7 of 规划和自然资源局): every figure, in 万元 from the header 单位：万元
GHZY_TOTALS = [
    ("一般公共预算财政拨款收入", "收入决算数", "9746.50"),
    ("社会保障和就业支出", "支出决算数", "754.75"),
    ("卫生健康支出", "支出决算数", "236.63"),
    ("城乡社区支出", "支出决算数", "3845.25"),
    ("自然资源海洋气象等支出", "支出决算数", "4461.67"),
    ("住房保障支出", "支出决算数", "461.08"),
    ("本年收入合计", "收入决算数", "9746.50"),
    ("本年支出合计", "支出决算数", "9759.38"),
    ("年初结转和结余", "收入决算数", "112.88"),
    ("年末结转和结余", "支出决算数", "100.00"),
    ("总计", "收入决算数", "9859.38"),
    ("总计", "支出决算数", "9859.38"),
]


@pytest.mark.parametrize("label,column,wan", GHZY_TOTALS)
def test_ghzy_income_expenditure_summary(ghzy, label, column, wan):
    _, qs = ghzy
    q = _cell(qs, 7, label, column)
    assert (q.kind, q.unit, q.unit_source) == ("amount", "万元", "table-header")
    assert q.value == Decimal(wan)
    assert q.value_yuan == Decimal(wan) * 10000


def test_ghzy_summary_has_exactly_these_figures(ghzy):
    _, qs = ghzy
    page7 = [q for q in qs if q.page == 7 and q.table is not None]
    assert sorted(str(q.value) for q in page7) == sorted(w for _, _, w in GHZY_TOTALS)


def test_continued_table_keeps_unit_and_codes(ghzy):
    """收入决算表 runs onto page 9 without its header: the unit and columns carry over."""
    _, qs = ghzy
    q = _cell(qs, 9, "城乡社区支出", "本年收入合计")
    assert (q.value_yuan, q.unit_source, q.extra["category_code"]) == (Decimal("38323600"), "table-header", "212")


def test_three_public_expenses_table(ghzy):
    _, qs = ghzy
    q = _cell(qs, 17, "财政拨款“三公”经费公务接待费决算数", "公务接待费决算数")
    assert q.value_yuan == Decimal("3900")


def test_shgzb_summary(shgzb):
    _, qs = shgzb
    assert _cell(qs, 5, "一般公共预算财政拨款收入", "收入决算数").value_yuan == Decimal("3078200")
    assert _cell(qs, 5, "一般公共服务支出", "支出决算数").value_yuan == Decimal("2648700")
    assert _cell(qs, 5, "社会保障和就业支出", "支出决算数").value_yuan == Decimal("108200")
    assert _cell(qs, 5, "卫生健康支出", "支出决算数").value_yuan == Decimal("27100")


def test_pdf_prose_amounts_join_wrapped_lines(shgzb):
    doc, qs = shgzb
    prose = [q for q in qs if q.kind == "amount" and q.table is None and q.page == 17]
    assert [str(q.value) for q in prose][:4] == ["307.82", "307.82", "307.82", "307.82"]
    for q in prose:
        assert doc.text[q.start:q.end] == q.text


# amounts stated in the prose of web excerpts (exact 元, in order of appearance)
EXCERPTS = {
    "05_nanxian-zhengxie-2021-dept-perf-report.txt": [
        "7922200", "1892500", "7922200", "2092800", "7991200", "4348900", "774000", "2868300",
        "363000", "10000", "50000", "105000", "50000"],
    "09_yunnan-yjglt-2022-central-disaster-fund-selfeval.txt": [
        "104410000", "83530000", "20880000", "104410000", "92653534.42", "71773734.42", "20879800"],
    "15_mianyang-kejiju-2021-project-selfeval.txt": [
        "24555000", "875000", "23500000", "875000", "50000", "180000", "25000", "160000", "180000", "90000"],
    "16_guangdong-kejiting-2020-selfeval-summary.txt": ["2827969000", "5936978800"],
    "24_meixian-czj-review-project-selfeval-20xx.txt": [
        "4543700", "1098500", "111800", "3543000000", "3266000000", "277000000", "2379000000",
        "2181000000", "198000000", "1163000000", "1085000000", "78000000"],
    "26_xiping-jiaotong-2022-rural-revitalization-fund-selfeval.txt": [
        "21790000", "21790000", "21790000", "21136300"],
}


@pytest.mark.parametrize("name", sorted(EXCERPTS))
def test_excerpt_amounts(real_dir, name):
    doc = read(str(real_dir / name))
    got = [q.value_yuan for q in find_quantities(doc) if q.kind == "amount" and q.table is None]
    assert got == [Decimal(v) for v in EXCERPTS[name]]


def test_excerpt_rates_with_operators(real_dir):
    doc = read(str(real_dir / "09_yunnan-yjglt-2022-central-disaster-fund-selfeval.txt"))
    rates = [(q.text, q.value, q.operator) for q in find_quantities(doc) if q.kind == "rate"]
    assert rates == [("100%", Decimal("100"), None), ("88.74%", Decimal("88.74"), None),
                     ("0.0046‰", Decimal("0.0046"), None), ("≥80%", Decimal("80"), "≥")]


def test_ocr_operator_is_uncertain(real_dir):
    doc = read(str(real_dir / "21_yongzhou-lingling-cdc-2021-dept-selfeval-table-ocr.txt"))
    rates = [(q.text, q.value, q.operator, q.confidence) for q in find_quantities(doc)
             if q.kind == "rate" and q.table is None]
    assert ("290%", Decimal("90"), "≥", 0.5) in rates
    assert ("280%", Decimal("80"), "≥", 0.5) in rates


# tables that web pages flattened into text: bare cells take the unit their header declares
FLATTENED = {
    # 四川 form, one cell per line; `年度预算数(万元)` declares 万元
    "08_qingshen-fgj-2023-project-selfeval-table.txt": [
        "2389300", "2518900", "2518900", "2389300", "2518900", "2518900", "0", "0", "0", "0", "0", "0"],
    # `|` rows; `部门(单位)总体 资金(万元)` declares 万元 in the text the table came from
    "29_suiyang-taibai-town-2021-dept-selfeval-table.txt": [
        "11725500", "12687200", "9851900", "9149700", "1873600", "3537500"],
}


@pytest.mark.parametrize("name", sorted(FLATTENED))
def test_flattened_table_amounts_take_the_declared_unit(real_dir, name):
    from extractor import extract

    report = extract(real_dir / name)
    cells = [q for q in report.quantities if q.kind == "amount" and q.table is not None]
    assert [q.value_yuan for q in cells] == [Decimal(v) for v in FLATTENED[name]]
    assert {q.unit_source for q in cells} == {"table-header"}
    for q in cells:  # a flattened cell points both at its cell and at its text
        assert report.document.text[q.start:q.end] == q.text


def test_yuan_form_keeps_yuan(real_dir):
    """普陀 sports centre: `项目资金 (元)` — the figures are 元, not 万元."""
    from extractor import extract

    report = extract(real_dir / "23_shanghai-putuo-sports-center-2022-project-selfeval-table-yuan.txt")
    first = report.projects[0]
    assert (first.adjusted_budget_yuan, first.executed_yuan, first.execution_rate) == (
        Decimal("250000.00"), Decimal("215457.6"), Decimal("86.19"))
    amounts = {q.text: q for q in report.quantities if q.kind == "amount" and q.table is not None}
    assert amounts["215,457.6"].value_yuan == Decimal("215457.6")
    assert amounts["215,457.6"].unit == "元"
