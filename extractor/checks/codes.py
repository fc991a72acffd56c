"""Every flag code jixiao emits, with what it means (design §3: codes are extended, never renamed).

One table for everything that names codes: `check --select/--ignore` refuses a code not
listed here, SARIF output describes its rules from it, and the check-record JSON Schema
enumerates it (a test keeps the three equal).
"""
from __future__ import annotations

# code -> (Chinese, English) one-line description
CODES: dict[str, tuple[str, str]] = {
    "unit-suspect": ("金额的单位与周围数字矛盾；建议给出使其一致的单位",
                     "an amount whose written unit contradicts the numbers around it"),
    "sum-mismatch": ("分项（其中、合计、小计、表格行）之和与所述总数不符，超出舍入误差",
                     "parts do not add up to the stated total beyond rounding"),
    "diff-mismatch": ("所述增减额与两个数值之差不符",
                      "a stated increase or decrease disagrees with the two stated values"),
    "rate-mismatch": ("所述比率或占比与数值不符（含把小数写成百分数）",
                      "a stated rate or share disagrees with the stated numbers"),
    "exec-rate-mismatch": ("自评表中执行率 ≠ 全年执行数 / 全年预算数",
                           "执行率 differs from 全年执行数 / 全年预算数 in a self-evaluation table"),
    "score-mismatch": ("得分违反评分规则（执行率得分、指标得分、总分）",
                       "a score breaks the form's scoring rule"),
    "total-zero": ("合计行为0而分项不为0", "a total row is 0 while its parts are not"),
    "period-inverted": ("期间的结束早于开始", "a period ends before it starts"),
    "year-mismatch": ("年份与报告年度不符", "a year inconsistent with the report's fiscal year"),
    "duplicate-unit": ("同一数字的单位写了两次", "a unit written twice around one number"),
    "stale-category": ("功能分类名称在报告年度前已停用（沿用旧模板）",
                       "a 功能分类 name the classification dropped before the report's year"),
    "template-leftover": ("模板遗留：未替换的占位符（XX局、XXXX年、某某单位）或重复标点",
                          "a template leftover: an unfilled placeholder or doubled punctuation"),
    "cross-doc-mismatch": ("同一部门、年度、科目的数字在两份文件中不一致（convert 时比较）",
                           "two documents state one figure of a department and year differently"),
    "cross-table-mismatch": ("同一数字在两张表中不一致（如总表的本年支出合计与支出决算表的合计），超出舍入误差",
                             "one figure differs between two tables of a disclosure beyond rounding"),
    "restatement-mismatch": ("说明中复述的数字与表中对应行不符，超出舍入误差",
                             "a figure the explanation restates differs from its table line beyond rounding"),
    "comparison-word": ("增减用词与数字的方向矛盾（如“增加…万元，下降…%”）",
                        "a comparison word contradicts the direction of the change"),
    "table-missing": ("部门决算公开的九张标准表缺少一张（无数据的表应注明“本表无数据”）",
                      "one of the nine standard tables of a 部门决算 disclosure is missing"),
}


def unknown_codes(codes: list[str]) -> list[str]:
    """The codes in `codes` that jixiao never emits (a typo in --select would select nothing)."""
    return [c for c in codes if c not in CODES]
