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



def test_a_price_per_unit_in_yuan_among_wan_figures_is_no_unit_warning(tmp_path):
    """`每本刊物印刷成本 | ≤1.4元 | 1.4元` (42's 绩效目标 row): a cost per item is small in 元 by nature;
    the actual's label is the indicator's name, not the target cell beside it."""
    from extractor import extract
    from tablemaker import write_xlsx

    grid = [["三级指标", "年度指标值", "实际完成值"], ["项目总预算", "56万元", "56万元"],
            ["财政拨款", "50万元", "50万元"], ["每本刊物印刷成本", "≤1.4元", "1.4元"]]
    report = extract(str(write_xlsx(tmp_path / "t.xlsx", grid)))
    assert [(q.text, q.label) for q in report.quantities if "1.4" in q.text] == [
        ("≤1.4元", "每本刊物印刷成本"), ("1.4元", "每本刊物印刷成本")]
    assert [f.code for f in report.flags] == []
    grid[3][0] = "刊物印刷成本"  # a sum, not a price per unit: the warning stands
    report = extract(str(write_xlsx(tmp_path / "u.xlsx", grid)))
    assert [(f.code, f.text) for f in report.flags] == [("unit-suspect", "≤1.4元"), ("unit-suspect", "1.4元")]


def test_a_cell_of_a_figure_unit_or_operator_alone_labels_nothing(tmp_path):
    """`指标性质 | 指标值 | 计量单位 | 实际完成值`: the actual's label is the indicator, not `万元` or `≤`;
    a bracketed unit at a label's end is the figure's, not its name."""
    from extractor import extract
    from tablemaker import write_xlsx

    grid = [["三级指标", "指标性质", "指标值", "计量单位", "实际完成值"],
            ["项目总成本（万元）", "≤", "246.53万元", "万元", "231.49万元"]]
    report = extract(str(write_xlsx(tmp_path / "t.xlsx", grid)))
    assert [(q.text, q.label) for q in report.quantities] == [("246.53万元", "项目总成本"), ("231.49万元", "项目总成本")]
