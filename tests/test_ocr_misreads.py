"""OCR'd self-evaluation excerpts (issue 10): form words misread by one look-alike character,
a fund row's label read before its column header, weights glued before a target. Small
texts built like the real OCR dumps (../shared/real/10_*, 71_*), with exact values."""
from __future__ import annotations

from decimal import Decimal as D

from extractor.model import Document
from extractor.pipeline import build_report
from extractor.tables.glued import cut_labels
from extractor.tables.selfeval import role_of


def _report(text: str):
    return build_report(Document(path="ocr.txt", reader="text", text=text))


def test_a_form_word_with_one_misread_character_is_that_word():
    assert role_of("年初预匏数") == "initial_budget"
    assert role_of("调整预算将,A、") == "adjusted_budget"
    assert role_of("实施第位") == "implementing_unit"
    assert role_of("项Fl资金(万兀)") == "fund_block"
    # two misreadings, a short word or a word the correction does not make stay unread
    assert role_of("年初预匏将") is None
    assert role_of("第位") is None
    assert role_of("实施第二位") is None


def test_a_glued_label_ends_where_the_next_misread_label_begins():
    text = "主管部门银川市教育局实施第位自评得分98"
    pieces = [text[a:b] for a, b in cut_labels(text)]
    assert pieces[:3] == ["主管部门", "银川市教育局", "实施第位"]


_OCR_FORM = ("项目名称初中公用经费主管部门银川市教育局实施第位银川市第六中学项Fl资金(万兀)年度资金总额"
             "年初预匏数调整预算将,A、全年执行数(B)执行率(B/A)64.864.864.8100%年度总体目标保障学校正常运行")


def test_an_ocr_form_gives_its_money_block_and_labels():
    r = _report(_OCR_FORM)
    assert len(r.projects) == 1
    p = r.projects[0]
    assert (p.name, p.supervising_dept) == ("初中公用经费", "银川市教育局")
    assert (p.initial_budget_yuan, p.adjusted_budget_yuan, p.executed_yuan, p.execution_rate) == (
        D("648000"), D("648000"), D("648000"), D("100"))
    amounts = sorted(q.value_yuan for q in r.quantities if q.kind == "amount")
    assert amounts == [D("648000")] * 3


def test_a_figure_read_after_its_column_name_belongs_to_the_row_before_the_header():
    text = ("项目名称马铃薯繁育项目资金情况(万元)年度资金总额全年预算数(A)300全年执行数(B)执行率(B/A)"
            "其中中央补助自治区补助")
    r = _report(text)
    assert [p.adjusted_budget_yuan for p in r.projects] == [D("3000000")]
    assert [(q.text, q.value_yuan) for q in r.quantities if q.kind == "amount"] == [("300", D("3000000"))]


def test_a_weight_glued_before_a_money_target_is_cut_when_the_row_decides():
    r = _report("成本指标(10分)办公所需成本415万元15万元4维修所需成本335万元35万元3")
    got = [(q.text, q.value_yuan, q.start, q.confidence) for q in r.quantities if q.kind == "amount"]
    assert got == [("15万元", D("150000"), 16, 0.8), ("15万元", D("150000"), 20, 1.0),
                   ("35万元", D("350000"), 32, 0.8), ("35万元", D("350000"), 36, 1.0)]
    assert next(q.label for q in r.quantities if q.kind == "amount") == "办公所需成本"


def test_no_cut_when_the_score_would_exceed_the_weight_or_is_missing():
    r = _report("办公所需成本415万元15万元9。另有成本415万元15万元")
    got = [(q.text, q.confidence) for q in r.quantities if q.kind == "amount"]
    assert got == [("415万元", 0.3), ("15万元", 1.0), ("415万元", 0.3), ("15万元", 1.0)]


def test_a_weight_glued_before_a_rate_target_is_cut_across_one_ocr_separator():
    r = _report("推广面积占总面积比例880%^80%8农药量较上年减少82%2%8满意")
    assert [q.text for q in r.quantities if q.kind == "rate"] == ["80%", "80%", "2%", "2%"]


def _pieces(text: str) -> list[str]:
    return [text[a:b] for a, b in cut_labels(text)]


def test_a_score_after_its_label_ends_where_words_follow():
    assert _pieces("实施第位自评得分98财政审核评分银川市第六中学") == [
        "实施第位", "自评得分", "98", "财政审核评分银川市第六中学"]
    # a unit after the figure keeps it whole, and a figure over 100 is no score
    assert _pieces("实施第位自评得分98分财政") == ["实施第位", "自评得分", "98分财政"]
    assert _pieces("实施第位自评得分120财政") == ["实施第位", "自评得分", "120财政"]


def test_a_rate_joined_to_another_figure_by_an_ocr_symbol_is_not_read():
    r = _report("合格率8采购的原原种合格率290$290%8认知度8250%5=50%8满意度90%")
    assert [q.text for q in r.quantities if q.kind == "rate"] == ["90%"]
