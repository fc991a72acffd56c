"""Template leftovers are warnings with the text as found, never errors."""
from extractor.model import Block, Document
from extractor.pipeline import build_report


def test_placeholders_and_doubled_punctuation_are_warned():
    text = "XX局2023年部门决算。截至XXXX年12月31日，本年支出合计100.00万元。。某某单位负责实施。"
    report = build_report(Document(path="<t>", reader="text", text=text, blocks=[Block("paragraph", None, 0, len(text))]))
    got = [(f.code, f.severity, f.text, f.start) for f in report.flags if f.code == "template-leftover"]
    assert got == [("template-leftover", "warning", "XX", 0),
                   ("template-leftover", "warning", "XXXX", 15),
                   ("template-leftover", "warning", "。。", 41),
                   ("template-leftover", "warning", "某某单位", 43)]


def test_a_sum_of_money_in_yuan_among_wan_figures_is_a_unit_warning():
    text = "项目总预算56万元，其中财政拨款50万元、其他资金6万元。已拨付专项经费2.8元，用于设备购置。"
    report = build_report(Document(path="<t>", reader="text", text=text, blocks=[Block("paragraph", None, 0, len(text))]))
    got = [(f.code, f.severity, f.text, f.suggestion["text"]) for f in report.flags]
    assert got == [("unit-suspect", "warning", "2.8元", "2.8万元")]
