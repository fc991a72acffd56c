"""A sentence about one fund's 财政拨款 does not restate the department's 收支总表.

`2022年度政府性基金预算财政拨款……年末结转和结余0万元` is the 政府性基金 table's line (表7), not
the 收入支出决算总表's 年末结转和结余 (seen in 西安 health commission's 2022 决算, where the
总表 reads 399,035.80万元 and the 说明 of 表7 says 0万元).
"""
from __future__ import annotations

from extractor import extract
from extractor.evaluation.disclosure import make_disclosure
from extractor.evaluation.render import Para, render


def _report(tmp_path, sentence: str | None):
    spec, gold = make_disclosure(7, None, "split", "txt")
    if sentence:
        spec.blocks.append(Para(sentence.format(year=gold["fiscal_year"])))
    return extract(render(spec, tmp_path / "d.txt"))


def test_a_fund_sentence_is_not_compared_with_the_summary_table(tmp_path):
    report = _report(tmp_path, "{year}年度政府性基金预算财政拨款收入决算0万元，支出决算0万元，年末结转和结余0万元。")
    assert [(f.code, f.text) for f in report.flags if f.severity == "error"] == []


def test_a_department_sentence_still_is(tmp_path):
    report = _report(tmp_path, "{year}年度部门收支情况：年末结转和结余0万元。")
    assert [(f.code, f.text) for f in report.flags if f.severity == "error"] == [("restatement-mismatch", "0万元")]
