"""部门决算 disclosures checked as an auditor checks them (issue 11).

Generated disclosures (the nine tables and the 说明, `evaluation/disclosure.py`), clean and
with one planted error of each class: every class caught in ≥ 95% of its documents, at most
0.05 false error flags per clean document; exact flags (code, figure, arithmetic in the
message) on fixed documents; the 万元-figure-larger-than-its-budget warning in any report.
The real 决算 PDFs are asserted by test_real_false_alarms.py.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from extractor import extract
from extractor.evaluation.disclosure import ERROR_CLASSES, PROSE_CLASSES, make_disclosure, render_workbook
from extractor.evaluation.evaluate import overlaps
from extractor.evaluation.layouts_prose import letter_spaced
from extractor.evaluation.render import render
from extractor.model import Document
from extractor.pipeline import build_report

N = 200  # half clean, half with one planted error (the classes rotating)
CLASSES = list(ERROR_CLASSES)


def _plan(i: int) -> str | None:
    return None if i % 2 == 0 else CLASSES[(i // 2) % len(CLASSES)]


def _extract(tmp: Path, name: str, seed, error, fmt: str = "txt", layout: str | None = None):
    spec, gold = make_disclosure(seed, error, layout, fmt)
    path = tmp / f"{name}.{fmt}"
    if fmt == "xlsx":
        render_workbook(spec, path)
    else:
        render(spec, path)
    return extract(path), gold


def _caught(report, gold) -> bool:
    g = gold["flags"][0]
    texts = [g["text"], *g["related"]]
    return any(f.code == g["code"] and any(overlaps(f.text, t) for t in texts) for f in report.flags)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("disclosures")
    return [(_plan(i),) + _extract(tmp, f"d{i}", f"t:{i}", _plan(i)) for i in range(N)]


def test_every_class_is_caught(generated):
    found, total = Counter(), Counter()
    for error, report, gold in generated:
        if error is not None:
            total[error] += 1
            found[error] += _caught(report, gold)
    assert set(total) == set(CLASSES)
    rates = {c: found[c] / total[c] for c in CLASSES}
    assert {c: r for c, r in rates.items() if r < 0.95} == {}


def test_clean_disclosures_raise_no_false_error(generated):
    clean = [report for error, report, _gold in generated if error is None]
    errors = [f.message for r in clean for f in r.flags if f.severity == "error"]
    assert len(clean) == N // 2
    assert len(errors) / len(clean) <= 0.05, errors[:5]


def test_every_format_carries_the_checks(tmp_path):
    for fmt, error in (("docx", "prose-table"), ("xlsx", "cross-table"), ("pdf", "sangong-identity")):
        report, gold = _extract(tmp_path, fmt, "formats", error, fmt)
        assert _caught(report, gold), (fmt, [(f.code, f.text) for f in report.flags])
        clean, _ = _extract(tmp_path, fmt + "-clean", "formats", None, fmt)
        assert [f for f in clean.flags if f.severity == "error"] == [], fmt


# ---------------------------------------------------------------- fixed documents


@pytest.fixture(scope="module")
def fixed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fixed")
    out = {}
    for error in (None, "cross-table", "prose-table", "comparison-word", "missing-table", "stray-year"):
        out[error] = _extract(tmp, str(error), 7, error, "txt", "split")
    return out


def _flags(report):
    return [(f.code, f.severity, f.text) for f in report.flags]


def test_a_clean_disclosure_has_no_flag(fixed):
    report, gold = fixed[None]
    assert gold["flags"] == [] and _flags(report) == []


def test_cross_table_flag_names_both_tables_and_the_arithmetic(fixed):
    report, gold = fixed["cross-table"]
    assert gold["flags"][0]["text"] == "294.51"
    cross = [f for f in report.flags if f.code == "cross-table-mismatch"]
    assert [(f.severity, f.text, f.table, f.row, f.col) for f in cross] == [("error", "294.51", 5, 10, 2)]
    m = cross[0].message
    assert "“人员经费合计”行“决算数”列294.51" in m and "“公用经费合计”行“决算数”列109.75 = 404.26万元" in m
    assert "一般公共预算财政拨款支出决算表（表5）“合计”行“基本支出”列371.26" in m
    assert "差额33万元" in m and "误差±0.015万元" in m
    # the 说明 restates the true 人员经费, so it now disagrees with the table as well
    assert ("restatement-mismatch", "error", "261.51万元") in _flags(report)


def test_prose_restating_a_table_line_wrongly(fixed):
    report, _gold = fixed["prose-table"]
    assert _flags(report) == [("restatement-mismatch", "error", "381.37万元")]
    m = report.flags[0].message
    assert "“一般公共预算财政拨款基本支出”381.37万元" in m and "（表5）“合计”行“基本支出”列为371.26万元" in m
    assert "差额10.11万元" in m and "误差±0.01万元" in m


def test_contradictory_comparison_words(fixed):
    report, _gold = fixed["comparison-word"]
    assert _flags(report) == [("comparison-word", "error", "20.94%")]
    assert "“增加4.87万元，下降20.94%”" in report.flags[0].message


def test_a_missing_table_is_a_warning(fixed):
    report, _gold = fixed["missing-table"]
    assert _flags(report) == [("table-missing", "warning", "“三公”经费支出决算表")]


def test_a_stray_year_is_a_warning(fixed):
    report, gold = fixed["stray-year"]
    assert _flags(report) == [("year-mismatch", "warning", gold["flags"][0]["text"])]


# ---------------------------------------------------------------- item 5, any report


def _report(text: str):
    return build_report(Document(path="x.txt", reader="text", text=text))


def test_a_wan_figure_a_hundred_times_its_budget_is_unit_suspect():
    r = _report("该项目总预算56万元，其中人员劳务费20万元。本年度拨付专项经费28000万元，用于设备维护。")
    assert _flags(r) == [("unit-suspect", "warning", "28000万元")]
    assert r.flags[0].suggestion == {"text": "28000元", "value_yuan": Decimal("28000")}
    assert "总预算56万元的500倍" in r.flags[0].message


def test_the_budget_of_one_item_is_no_whole():
    """A department's figures a hundred times the budget of one of its items (`机关运行经费预算
    安排`): several different figures that far above say the words named no whole, so no
    figure is suspect; the one slip of a project report still is."""
    text = ("2022年本部门当年一般公共预算支出48054.42万元，主要用于医疗保障。2022年本部门预算收入较上年减少"
            "29940.47万元。本部门当年机关运行经费预算安排163.46万元，较上年增加46.26万元。")
    assert _flags(_report(text)) == []
    r = _report("该项目总预算56万元，其中人员劳务费20万元。本年度拨付专项经费28000万元，复核拨付专项经费28000万元。")
    assert _flags(r) == [("unit-suspect", "warning", "28000万元"), ("unit-suspect", "warning", "28000万元")]


def test_a_figure_of_the_budget_size_is_not_suspect():
    assert _flags(_report("该项目总预算56万元。部门全年支出1200万元，拨付资金1200万元。")) == []
    assert _flags(_report("本年度拨付专项经费2.8万元，项目总预算56万元。")) == []


def test_prose_classes_are_refused_without_prose():
    with pytest.raises(ValueError):
        make_disclosure(1, PROSE_CLASSES[0], fmt="xlsx")


@pytest.mark.parametrize("seed", [7, 8, 10])
@pytest.mark.parametrize("error", [None, "prose-table", "cross-table", "share", "change", "comparison-word"])
def test_spaced_prose_raises_the_same_flags(tmp_path, seed, error):
    """The prose checks read cue words, labels and scopes with spaces ignored: the same
    document with its sentences spaced out raises the same flags (a spaced `财 政拨款` once
    sent a grand total to the wrong table, a false error; spaced `增 加`, `与上年 相比` or a
    spaced label lost the restatement, change, share and comparison-word checks)."""
    spec, _gold = make_disclosure(seed, error, "split", "txt")
    plain, spaced = tmp_path / "plain.txt", tmp_path / "spaced.txt"
    render(spec, plain)
    spaced.write_text(letter_spaced(plain.read_text(encoding="utf-8")), encoding="utf-8")

    def flags(path: Path) -> list[tuple[str, str, str]]:
        return sorted((f.code, f.severity, f.text.replace(" ", "")) for f in extract(path).flags)

    assert flags(spaced) == flags(plain)
    if error is not None:
        assert flags(plain) != []
