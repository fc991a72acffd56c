"""Self-evaluation tables flattened in the newer real ways (issue 10): pipe rows that skip
merged cells, 行次/列次 numbering, glued cells, forms without a money block; and the real
excerpts scored against their gold files (gold/real, written by reading each document)."""
from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from extractor.evaluation.evaluate import PROJECT_FIELDS, Score, predict
from extractor.model import Document
from extractor.pipeline import build_report
from extractor.tables.glued import cut_figures, cut_labels, glued_figures, is_glued, name_figure_lists

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real"
GOLD = ROOT / "gold" / "real"
_MONEY3 = ["adjusted_budget", "executed", "rate"]
_FORM6 = ["initial_budget", "adjusted_budget", "executed", "weight", "rate", "score"]


def _cut(run: str, roles: list[str], exact: bool = False) -> list[tuple[str, str]] | None:
    got = cut_figures(run, roles, exact)
    return None if got is None else [(r, run[a:b]) for r, a, b in got]


@pytest.mark.parametrize("run, roles, expect", [
    ("390390100%", _MONEY3, [("adjusted_budget", "390"), ("executed", "390"), ("rate", "100%")]),
    ("1484631.00%", _MONEY3, [("adjusted_budget", "148"), ("executed", "46"), ("rate", "31.00%")]),
    ("10200%", _MONEY3, [("adjusted_budget", "102"), ("executed", "0"), ("rate", "0%")]),
    ("4646100%", _MONEY3, [("adjusted_budget", "46"), ("executed", "46"), ("rate", "100%")]),
    ("2456.182456.182456.1810100%10", _FORM6,
     [("initial_budget", "2456.18"), ("adjusted_budget", "2456.18"), ("executed", "2456.18"), ("weight", "10"),
      ("rate", "100%"), ("score", "10")]),
    ("854.57881.00788.501089.50%8.95", _FORM6,
     [("initial_budget", "854.57"), ("adjusted_budget", "881.00"), ("executed", "788.50"), ("weight", "10"),
      ("rate", "89.50%"), ("score", "8.95")]),
])
def test_glued_figures_are_cut_where_the_rate_and_precision_decide(run, roles, expect):
    assert glued_figures(run)
    assert _cut(run, roles) == expect


def test_a_glued_row_without_rate_is_cut_by_its_placeholders_and_precision():
    assert _cut("293.63302.71270.93", _FORM6[:3], exact=True) == [
        ("initial_budget", "293.63"), ("adjusted_budget", "302.71"), ("executed", "270.93")]


def test_an_undecided_cut_gives_nothing():
    # 168.48 | 208 | 184.50 or 168.48 | 20 | 8184.50 …: no rate, mixed precision — no guess
    assert _cut("168.48208184.50", _FORM6[:3], exact=True) is None
    assert not glued_figures("95.5%") and not glued_figures("2456.18")


def test_glued_labels_are_cut_at_form_words():
    text = "資金投入情況(萬元)全年預算數(A)全年執行數(B)年度資金總額:390390100%其中:中央財政資金390390100%地方資金"
    assert is_glued(text)
    assert [text[a:b] for a, b in cut_labels(text)] == [
        "資金投入情況(萬元)", "全年預算數(A)", "全年執行數(B)", "年度資金總額:", "390390100%", "其中:", "中央財政資金",
        "390390100%", "地方資金"]
    # a note naming columns is not a glued table; a figure with its unit stays whole
    assert not is_glued("1.预算执行率=预算执行数/调整后预算数,预算执行率未达到90%的需说明原因")
    assert [text[a:b] for text in ["办公所需成本415万元15万元4"] for a, b in cut_labels(text)] == [
        "办公所需成本415万元15万元", "4"]


def test_a_glued_allocation_list_gives_one_amount_per_name():
    text = ("附件1 2025年某县补助资金分配表乡镇补助经费(万元)备注龙涓镇5长卿镇1.5龙门镇2蓬莱镇0.5全县合计9注:根据村数安排,"
            "附件2 绩效目标表")
    r = _report(text)
    got = [(q.text, q.value_yuan, q.label) for q in r.quantities if q.kind == "amount"]
    assert [(t, v) for t, v, _ in got] == [("5", D(50000)), ("1.5", D(15000)), ("2", D(20000)), ("0.5", D(5000)),
                                           ("9", D(90000))]
    assert [lab for _t, _v, lab in got][1:] == ["长卿镇", "龙门镇", "蓬莱镇", "全县合计"]
    assert name_figure_lists("2025年3月17日附件12025年安溪县") == []


def _report(text: str):
    return build_report(Document(path="x.txt", reader="text", text=text))


def test_pipe_rows_that_skip_merged_cells_and_pad_with_bars():
    text = ("项目名称 | 某某项目 | ||||||||\n主管部门 | 某某局 | 项目实施单位 | 某某站 | ||||||\n"
            "预算执行情况(万元) (20分) | 预算数(A) | 执行数(B) | 执行率(B/A) | 得分 (20分*执行率) | |||||\n"
            "年度财政资金总额 | 278.4449 | 30.00 | 10.77% | 2.16 | |||||\n"
            "年度绩效目标 (80分) | 一级指标 | 二级指标 | 三级指标 | 年初目标值(A) | 实际完成值(B) | 得分 | |||\n"
            "产出指标 | 数量指标 | 一、示范区建立 | ≧20000亩 | 20000亩 | 15.0 | ||||\n"
            "1、水稻侧深施肥 | ≧500亩 | 500亩 | 5.0 | ||||||\n"
            "质量指标 | 配方肥到位率 | ≧80% | 85.6% | 10.0 | |||||\n"
            "效益指标 | 社会效益效益指标 | 受益农户数 | 5000户 | 5000户 | 5.0 | ||||\n")
    r = _report(text)
    (p,) = r.projects
    assert (p.name, p.implementing_unit, p.adjusted_budget_yuan, p.executed_yuan, p.execution_rate, p.exec_weight,
            p.exec_score) == ("某某项目", "某某站", D("2784449"), D("300000"), D("10.77"), D(20), D("2.16"))
    assert [(i.l1, i.l2, i.l3, i.target_value, i.actual_raw, i.score) for i in r.indicators] == [
        ("产出指标", "数量指标", "一、示范区建立", D(20000), "20000亩", D("15.0")),
        ("产出指标", "数量指标", "1、水稻侧深施肥", D(500), "500亩", D("5.0")),
        ("产出指标", "质量指标", "配方肥到位率", D(80), "85.6%", D("10.0")),
        ("效益指标", "社会效益效益指标", "受益农户数", D(5000), "5000户", D("5.0"))]
    assert all(i.operator == "≥" for i in r.indicators[:3])


def test_row_and_column_numbers_are_not_figures():
    text = ("某某资金绩效评价表\n资金投入情况\n(万元)\n\n行次 全年预算数\n(A)\n统筹整合资金数\n(B)\n扣除统筹整合资金后预算金额\n(C)\n"
            "全年到位资金\n(D)\n预算到位\n(D/C×100%)\n全年执行资金\n(E)\n预算执行\n(E/C×100%)\n"
            "列次 0 1 2 3 4 5 6 7\n年度资金总额(万元): 1 52.800000\n52.800000 52.800000 100.00% 30.800000 58.33%\n"
            "其中:中央财政资金(万元) 2 52.800000\n52.800000 52.800000 100.00% 30.800000 58.33%\n地方财政资金(万元) 3\n\n")
    r = _report(text)
    amounts = [(q.text, q.value_yuan) for q in r.quantities if q.kind == "amount"]
    assert amounts == [("52.800000", D("528000"))] * 3 + [("30.800000", D("308000"))] + \
        [("52.800000", D("528000"))] * 3 + [("30.800000", D("308000"))]
    (p,) = r.projects
    assert (p.name, p.adjusted_budget_yuan, p.executed_yuan, p.execution_rate) == (
        "某某资金", D("528000"), D("308000"), D("58.33"))


def test_a_declaration_without_money_columns_still_gives_its_project_and_indicators():
    text = ("绩效目标申报表\n\n项目名称\n\n某县高标准农田建设项目\n\n主管部门\n\n某县农业农村局\n\n实施单位\n\n某中心\n\n"
            "绩效指标\n\n一级指标\n\n二级指标\n\n三级指标\n\n指标值\n\n产出指标\n\n数量指标\n\n道路硬化里程\n\n≥100公里\n\n"
            "效益指标\n\n经济效益\n\n指标\n\n年增粮食\n\n3500公斤\n")
    r = _report(text)
    (p,) = r.projects
    assert (p.name, p.supervising_dept, p.implementing_unit) == ("某县高标准农田建设项目", "某县农业农村局", "某中心")
    assert [(i.l1, i.l2.replace("\n", ""), i.l3, i.target_raw) for i in r.indicators] == [
        ("产出指标", "数量指标", "道路硬化里程", "≥100公里"), ("效益指标", "经济效益指标", "年增粮食", "3500公斤")]


# ---------------------------------------------------------------- the real excerpts

_AMOUNT_F1 = {  # measured; the floor a change must keep (goal ≥ 0.98; see docs/layouts.md and docs/real-documents.md)
    "02": 1.0, "08": 1.0, "21": 1.0, "29": 1.0, "66": 1.0, "68": 1.0, "72": 1.0, "73": 1.0, "74": 1.0,
    "78": 1.0, "23": 1.0, "71": 0.8, "77": 1.0, "10": 0.45,
}
_PROJECT_ACC = {"02": 1.0, "08": 1.0, "21": 1.0, "29": 1.0, "66": 1.0, "68": 1.0, "72": 1.0, "73": 1.0, "74": 1.0,
                "77": 1.0, "78": 1.0, "23": 1.0}


@pytest.fixture(scope="module")
def scored() -> dict[str, tuple[float, float | None]]:
    out = {}
    for g in sorted(GOLD.glob("[0-9][0-9]_*.gold.json")):
        key = g.name[:2]
        if key not in _AMOUNT_F1:
            continue
        gold = json.loads(g.read_text("utf-8"))
        score = Score()
        score.add(gold, predict(str(g.parent / gold["doc"])))
        rec = score.record()
        stated = sum(1 for p in gold["projects"] for f in PROJECT_FIELDS if p.get(f) is not None)
        right = sum(score.projects[f].tp for f in PROJECT_FIELDS)
        out[key] = (rec["quantities"].get("amount", {}).get("f1") or 0.0, right / stated if stated else None)
    return out


def test_every_real_excerpt_keeps_its_scores(scored):
    assert set(scored) == set(_AMOUNT_F1)
    for key, (f1, acc) in scored.items():
        assert f1 >= _AMOUNT_F1[key], (key, f1)
        if key in _PROJECT_ACC:
            assert acc is not None and acc >= _PROJECT_ACC[key], (key, acc)
