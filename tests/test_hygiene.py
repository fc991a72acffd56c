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
