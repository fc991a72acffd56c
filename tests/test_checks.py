"""Checks on prose and tables: relations found, arithmetic on written precision, unit diagnosis."""
from decimal import Decimal as D
from pathlib import Path

import pytest

from extractor import extract
from extractor.model import Block, Document, Table
from extractor.pipeline import build_report

SEED = Path(__file__).resolve().parents[2] / "shared" / "real" / "ganzhou-2023-zhengwu-self-eval.txt"


def report_of(text: str, tables: list[Table] = ()):
    blocks = [Block("paragraph", start=0, end=len(text))] + [Block("table", table=t) for t in tables]
    return build_report(Document(path="t.txt", reader="text", text=text, blocks=blocks))


def flags_of(text: str, tables: list[Table] = ()):
    return report_of(text, tables).flags


def only(flags, code):
    got = [f for f in flags if f.code == code]
    assert len(got) == 1, [(f.code, f.text) for f in flags]
    return got[0]


HEAD = "某局2023年部门绩效自评报告\n"


# ---------------------------------------------------------------- the seed report


@pytest.fixture(scope="module")
def seed():
    return extract(SEED)


def test_seed_unit_suspect_on_office_budget_part(seed):
    f = only(seed.flags, "unit-suspect")
    assert (f.text, f.severity) == ("108690.55万元", "error")
    assert seed.document.text[f.start:f.end] == "108690.55万元"
    assert f.suggestion == {"text": "108690.55元", "value_yuan": D("108690.55")}
    assert [e.text for e in f.evidence] == ["33.39238万元"]


def test_seed_rate_written_as_fraction(seed):
    rates = [f for f in seed.flags if f.code == "rate-mismatch"]
    assert [f.text for f in rates] == ["0.004%", "0.004%"]
    for f in rates:
        assert f.severity == "error"
        assert f.suggestion == {"text": "0.44%", "value": D("0.44")}
        assert {e.text for e in f.evidence} == {"1.14万元", "260.85万元"}
        assert "0.004是小数形式的比率" in f.message and "0.44%" in f.message_en


def test_seed_period_inverted(seed):
    f = only(seed.flags, "period-inverted")
    assert f.text == "2023年1月至2022年12月" and f.severity == "error"
    assert f.suggestion["text"] == "2023年1月至2023年12月"


def test_seed_categories_are_rounding_not_error(seed):
    texts = {f.text for f in seed.flags} | {e.text for f in seed.flags for e in f.evidence}
    for t in ("237.25万元", "11.26万元", "4.33万元", "8万元", "312.89万元", "11009.8元", "4.79万元", "-187860.11元"):
        assert t not in texts


def test_seed_other_errors_are_the_stated_increase_against_2021(seed):
    """2022 budget 260.85万 against 2021's 276.198437万 (income) / 276.978437万 (spending) is a
    decrease, not the stated increase of 1.14万: the only other errors."""
    errors = [f for f in seed.flags if f.severity == "error"]
    other = [f for f in errors if f.code not in ("unit-suspect", "rate-mismatch", "period-inverted")]
    assert [(f.code, f.text) for f in other] == [("diff-mismatch", "1.14万元")] * 2
    assert [f.suggestion["value_yuan"] for f in other] == [D("-153484.37"), D("-161284.37")]
    assert [e.text for e in other[0].evidence] == ["260.85万元", "2761984.37元"]


def test_seed_duplicate_units_are_warnings(seed):
    dups = [f for f in seed.flags if f.code == "duplicate-unit"]
    assert [(f.text, f.severity) for f in dups] == [("万元260.85万元", "warning"), ("万元348.63万元", "warning")]


# ---------------------------------------------------------------- relations in prose


def test_exhaustive_list_unit_swap_is_diagnosed():
    f = only(flags_of(HEAD + "支出预算100万元，分别为人员经费60万元、公用经费40元。\n"), "unit-suspect")
    assert f.text == "40元"
    assert f.suggestion == {"text": "40万元", "value_yuan": D("400000")}


def test_partial_list_with_transposed_digits():
    """`主要是` lists need not be complete, but one swapped pair of digits that makes them add up
    exactly is no coincidence."""
    text = HEAD + "支出预算3150.67万元，当年财政拨款主要是：\n1.一般公共服务支出1825.50万元。\n2.教育支出305.61万元。\n3.农林水支出48.12万元。\n4.住房保障支出935.44万元。\n"
    f = only(flags_of(text), "sum-mismatch")
    assert (f.text, f.severity, f.suggestion) == ("48.12万元", "error", {"text": "84.12万元", "value_yuan": D("841200")})
    assert flags_of(text.replace("48.12", "84.12")) == []
    # 101.72 → 110.72 and 345.14 → 354.14 both add the missing 9万元: the whole is flagged with both
    text = HEAD + "支出预算811.14万元，当年财政拨款主要是：\n1.一般公共服务支出345.14万元。\n2.社会保障和就业支出286.09万元。\n3.卫生健康支出69.19万元。\n4.住房保障支出101.72万元。\n"
    f = only(flags_of(text), "sum-mismatch")
    assert f.text == "811.14万元" and f.suggestion is None
    assert "345.14万元→354.14万元、101.72万元→110.72万元" in f.message


def test_exhaustive_list_that_does_not_add_up():
    f = only(flags_of(HEAD + "支出预算100.5万元，分别为人员经费60.2万元、公用经费30.3万元。\n"), "sum-mismatch")
    assert f.text == "100.5万元" and f.severity == "error"
    assert "60.2万元 + 30.3万元 = 90.5万元" in f.message and "差额-10万元" in f.message


def test_list_before_total_may_start_late():
    assert flags_of(HEAD + "改造费用5.4万元，后因工作实际，粉刷费1584元，一体机2550元，总计追加费用4134元。\n") == []
    f = only(flags_of(HEAD + "改造费用5.4万元，后因工作实际，粉刷费1584元，一体机2505元，总计追加费用4134元。\n"), "sum-mismatch")
    assert f.text == "2505元"  # two digits swapped: the one reading that adds up
    assert f.suggestion == {"text": "2550元", "value_yuan": D("2550")}
    f = only(flags_of(HEAD + "改造费用5.4万元，后因工作实际，粉刷费1584元，一体机2500元，总计追加费用4134元。\n"), "sum-mismatch")
    assert f.text == "4134元" and f.suggestion is None


def test_change_against_earlier_figure_and_its_rate():
    flags = flags_of(HEAD + "2022年预算收入200万元。\n2023年预算收入250万元，比2022年预算增加40万元，增长25%。\n")
    d = only(flags, "diff-mismatch")
    assert d.text == "40万元" and d.suggestion == {"text": "50万元", "value_yuan": D("500000")}
    r = only(flags, "rate-mismatch")
    assert r.text == "25%" and r.suggestion == {"text": "19.05%", "value": D("19.05")}


def test_consistent_change_passes():
    assert flags_of(HEAD + "2022年预算收入260.85万元。\n2023年预算收入348.63万元，比2022年预算增加87.78万元，增长33.65%。\n") == []


def test_remaining_is_budget_minus_spent():
    text = HEAD + "争取项目资金21万元，全年资金执行数16.21万元，项目剩余指标数4.97万元。\n"
    f = only(flags_of(text), "diff-mismatch")
    assert f.text == "4.97万元" and f.suggestion == {"text": "4.79万元", "value_yuan": D("47900")}
    assert flags_of(text.replace("4.97", "4.79")) == []


def test_completion_rate_typed_as_difference():
    f = only(flags_of(HEAD + "财政拨款支出决算500.12万元，年初预算数472.9万元，完成年初预算的27.22%。\n"), "rate-mismatch")
    assert f.suggestion == {"text": "105.76%", "value": D("105.76")}
    assert "恰为两数之差" in f.message


def test_execution_rate_with_amount_in_wrong_unit():
    text = HEAD + "部门预算收入320万元，其中基本支出230万元。项目预算资金50万元，实际支出450000万元，执行率90%。公用经费12.5万元。\n"
    f = only(flags_of(text), "unit-suspect")
    assert f.text == "450000万元" and f.suggestion == {"text": "450000元", "value_yuan": D("450000")}


def test_same_figure_in_two_units():
    text = HEAD + "拨付工作经费866013.51元。\n评价项目为辅助人员经费86.601351万元；办公经费33.39万元。\n"
    assert flags_of(text) == []
    f = only(flags_of(text.replace("86.601351万元", "866013.51万元")), "unit-suspect")
    assert f.text == "866013.51万元" and f.suggestion == {"text": "866013.51元", "value_yuan": D("866013.51")}


def test_the_same_digits_in_one_unit_are_no_unit_slip():
    """收入1620960.00元, 支出1622580.96元, 结余-1620.96元: the balance has the income's digits by
    chance (a thousandth of it); both are 元, so no unit can be fixed and none is suggested."""
    text = HEAD + "2022年收入总额1620960.00元，支出总额1622580.96元，收支结余-1620.96元。\n"
    assert [f for f in flags_of(text) if f.code == "unit-suspect"] == []


def test_year_mismatch_is_a_conservative_warning():
    f = only(flags_of(HEAD + "2026年预算收入120万元。\n"), "year-mismatch")
    assert f.severity == "warning"
    assert flags_of(HEAD + "2021年预算收入120万元。\n") == []


# ---------------------------------------------------------------- tables


def test_table_rows_under_total_row():
    t = Table(index=0, cells=[["项目", "金额"], ["合计", "100"], ["人员经费", "60"], ["公用经费", "30"]], context="单位：万元")
    f = only(flags_of(HEAD, [t]), "sum-mismatch")
    assert (f.table, f.row, f.col, f.text) == (0, 1, 1, "100")
    assert "60（万元） + 30（万元） = 90万元" in f.message
    t.cells[3][1] = "40"
    assert flags_of(HEAD, [t]) == []


def test_checks_run_in_their_fixed_order_whatever_was_imported_first(seed):
    """Flags merged across families keep the first family's: the order must not depend on
    which check module some caller imported first."""
    import subprocess
    import sys

    code = ("import extractor.checks.restatement, extractor.checks.disclosure\n"
            "from extractor import extract\n"
            "from extractor.checks import _REGISTRY, _family_rank\n"
            f"r = extract({str(Path(__file__).resolve().parents[2] / 'shared' / 'real' / 'ganzhou-2023-zhengwu-self-eval.txt')!r})\n"
            "print(sorted(_REGISTRY, key=_family_rank)[0][1].__module__)\n"
            "print([(f.code, f.text, f.message) for f in r.flags])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "extractor.checks.units"
    assert out[1] == str([(f.code, f.text, f.message) for f in seed.flags])
