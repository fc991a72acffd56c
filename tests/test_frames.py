"""Report.tables: the facts as DataFrames in the dataset's columns, values exact."""
from __future__ import annotations

from decimal import Decimal

from extractor.model import COLUMNS, TABLES, report_rows, written_precision
from extractor.model import (BudgetLine, DocMeta, Document, Evidence, Flag, Indicator, Project,
                             Quantity, Report)


def _report() -> Report:
    doc = Document(path="r.txt", reader="text", text="预算数33.39万元，执行率98.5%")
    q = Quantity(kind="amount", text="33.39万元", value=Decimal("33.39"), unit="万元", unit_source="inline",
                 value_yuan=Decimal("33.39").scaleb(4), page=None, start=3, end=10, label="预算数", year=2023)
    rate = Quantity(kind="rate", text="98.5%", value=Decimal("98.5"), unit="%", start=14, end=19)
    project = Project(name="政务服务项目", fiscal_year=2023, initial_budget_yuan=Decimal("333900"),
                      execution_rate=Decimal("98.5"), total_score=Decimal("95"), grade="优")
    indicator = Indicator(project_name="政务服务项目", l1="产出指标", l2="数量指标", l3="办件量", operator="≥",
                          target_raw="≥90%", target_value=Decimal("90"), target_unit="%", weight=Decimal("10"))
    line = BudgetLine(year=2023, stage="budget", direction="expenditure", item="一般公共服务支出",
                      category_code="201", value_yuan=Decimal("33.39").scaleb(4), text="33.39", page=2)
    flag = Flag(code="exec-rate-mismatch", severity="error", text="98.5%", message="执行率不符",
                message_en="execution rate disagrees", start=14, end=19, evidence=[Evidence.of(q)],
                suggestion={"text": "100%", "value": Decimal("100")})
    return Report(document=doc, meta=DocMeta(title="t", report_year=2023), quantities=[q, rate],
                  projects=[project], indicators=[indicator], budget_lines=[line], flags=[flag])


def test_report_tables_have_store_columns_and_exact_values():
    frames = _report().tables
    assert list(frames) == list(TABLES)
    for name in TABLES:
        assert list(frames[name].columns) == list(COLUMNS[name])
    q = frames["quantities"]
    assert list(q["doc"]) == ["r.txt", "r.txt"]
    assert q.loc[0, "value_yuan"] == Decimal("333900") and isinstance(q.loc[0, "value_yuan"], Decimal)
    assert q.loc[1, "value_yuan"] is None
    assert frames["projects"].loc[0, "initial_budget_yuan"] == Decimal("333900")
    assert frames["indicators"].loc[0, "target_value"] == Decimal("90")
    b = frames["budget_lines"]
    assert b.loc[0, "value_yuan"] == Decimal("333900") and b.loc[0, "precision_yuan"] == Decimal("100")
    f = frames["flags"]
    assert f.loc[0, "code"] == "exec-rate-mismatch" and f.loc[0, "message_en"] == "execution rate disagrees"
    assert f.loc[0, "evidence"] == [{"text": "33.39万元", "page": None, "start": 3, "end": 10}]


def test_report_rows_on_an_empty_report_give_empty_tables():
    rows = report_rows(Report(document=Document(path="e.txt", reader="text")))
    assert rows == {name: [] for name in TABLES}
    frames = Report(document=Document(path="e.txt", reader="text")).tables
    assert all(len(frames[n]) == 0 and list(frames[n].columns) == list(COLUMNS[n]) for n in TABLES)


def test_written_precision_is_the_place_of_the_last_digit():
    assert written_precision(Decimal("33.39").scaleb(4)) == Decimal("100")
    assert written_precision(Decimal("0.005")) == Decimal("0.001")
    assert written_precision(Decimal("1234567")) == Decimal("1")
    assert written_precision(None) is None
