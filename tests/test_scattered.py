"""Indicator values printed apart from their names (tables/scattered.py): value groups split one
way only, names paired by order, 一级指标 from the 二级指标's family."""
from __future__ import annotations

from dataclasses import dataclass

from extractor.tables.scattered import level_family, pair_levels, value_groups
from extractor.tables.selfeval import role_of

COLUMNS = ["target", "actual", "weight", "score", "reason"]


@dataclass(frozen=True)
class Cell:
    text: str

    @property
    def role(self):
        return role_of(self.text)


def _cells(text: str) -> list[Cell]:
    return [Cell(w) for w in text.split()]


def test_groups_with_and_without_a_reason_and_the_total_figures():
    values = _cells("≥95% 93.5% 10 9.84 受客观因素影响未完成 严格执行 达成预期指标 20 20 100 29.84")
    groups, tail = value_groups(values, COLUMNS, 2)
    assert groups == [{"target": 0, "actual": 1, "weight": 2, "score": 3, "reason": 4},
                      {"target": 5, "actual": 6, "weight": 7, "score": 8}]
    assert tail == [9, 10]


def test_groups_that_do_not_fit_the_row_count_are_no_split():
    values = _cells("=100% 100% 10 10 =100% 100% 20 20 100 98.62")
    assert value_groups(values, COLUMNS[:4], 3) is None
    assert value_groups(values, COLUMNS[:4], 2) == ([{"target": 0, "actual": 1, "weight": 2, "score": 3},
                                                      {"target": 4, "actual": 5, "weight": 6, "score": 7}], [8, 9])
    # a score above its weight, or a percent as a weight, is no group
    assert value_groups(_cells("=100% 100% 10 12"), COLUMNS[:4], 1) is None
    assert value_groups(_cells("=100% 90% 10% 9"), COLUMNS[:4], 1) is None


def test_names_pair_by_order_and_the_first_level_by_family():
    names = _cells("数量指标 与委托运营方结算完成率 产出指标 质量指标 合同结算条款完成率 效益指标 社会效益指标 合同完成率")
    assert pair_levels(names, 3) == [{"l1": 2, "l2": 0, "l3": 1}, {"l1": 2, "l2": 3, "l3": 4},
                                     {"l1": 5, "l2": 6, "l3": 7}]
    assert pair_levels(names, 4) is None  # three 三级指标 names for four value groups


def test_cost_as_a_second_level_under_output_when_the_count_says_so():
    names = _cells("产出指标 数量指标 培训人次 成本指标 项目总成本")
    assert pair_levels(names, 2) == [{"l1": 0, "l2": 1, "l3": 2}, {"l1": 0, "l2": 3, "l3": 4}]
    assert level_family("成本指标") == {"as_l1": "cost", "as_l2": "output"}
