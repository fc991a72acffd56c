"""The `budget_summary` view: one canonical figure per department × year × stage × line.

`budget_lines` keeps every statement of every document: a 决算 table row, the sentence of a
later report restating it, the same total under three names. The view is what an analyst
pivots: lines named by what they total (`patterns/budget_totals.json`: 收入总计, 本年收入合计,
本年支出合计, 财政拨款收入支出总计…; an old 功能分类 name under its current one), and of all the
statements of one line the canonical one, chosen in this order:

1. a table row over a sentence (the table is the formal statement; prose retells it,
   often rounded to 万元);
2. the report of that year over a later report restating it;
3. the finer written precision (`1234567.89元` over `123.46万元`);
4. the later report (a restated figure is the revised one), then the path (a stable order).

`statements` counts the statements of the line and `spread_yuan` is the gap between the
largest and smallest of them (0 when every document agrees), so a disagreement stays visible.
Lines of a document whose department or year is unknown are kept apart per document.
"""
from __future__ import annotations

import functools
import sqlite3

from .. import patternbook


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, tuple[str, str | None]]:
    """item as stored -> (line name, what it totals) for every total form and category alias."""
    out: dict[str, tuple[str, str | None]] = {}
    for e in patternbook.entries("categories"):
        if e["kind"] == "category" and len(e["code"]) == 3:
            for name in e["names"]:
                out[name] = (e["names"][0], f"支出功能分类第{e['code']}类")
    for e in patternbook.entries("budget_totals"):
        for form in e["forms"]:
            out[form] = (e["name"], e["totals"])
    return out


def line_name(item: str) -> str | None:
    """Runner of budget_totals.json: the view's line name of a stored item, or None if it is its own."""
    got = _names().get(item)
    return got[0] if got else None


_WINDOW = """PARTITION BY region, department, year, stage, direction, line, COALESCE(category_code, ''),
                 CASE WHEN department IS NULL OR year IS NULL THEN doc_id END"""

_VIEW = f"""
CREATE VIEW budget_summary AS
WITH docs AS (
    SELECT doc_id, MIN(region) AS region, MIN(department) AS department,
           MIN(report_year) AS report_year, MIN(path) AS path
    FROM documents WHERE status = 'ok' GROUP BY doc_id
), stated AS (
    SELECT d.region, d.department, COALESCE(b.year, d.report_year) AS year, b.stage, b.direction,
           COALESCE(n.line, b.item) AS line, b.category_code, b.item, b.value_yuan, b.value_yuan_text,
           b.precision_yuan, b.source, b.text, b.page, b.doc_id, d.path, d.report_year, b.rowid AS line_rowid
    FROM budget_lines b
    JOIN docs d ON d.doc_id = b.doc_id
    LEFT JOIN budget_line_names n ON n.item = b.item
    WHERE b.value_yuan IS NOT NULL
), ranked AS (
    SELECT *,
           ROW_NUMBER() OVER (
               {_WINDOW}
               ORDER BY source = 'table' DESC, report_year = year DESC,
                        precision_yuan IS NULL, precision_yuan, report_year DESC, path, line_rowid
           ) AS pick,
           COUNT(*) OVER ({_WINDOW}) AS statements,
           ROUND(MAX(value_yuan) OVER ({_WINDOW}) - MIN(value_yuan) OVER ({_WINDOW}), 6) AS spread_yuan
    FROM stated
)
SELECT region, department, year, stage, direction, line, category_code, value_yuan, value_yuan_text,
       precision_yuan, source, statements, spread_yuan, item, text, page, doc_id, path
FROM ranked WHERE pick = 1
"""

VIEW_COLUMNS = (
    "region", "department", "year", "stage", "direction", "line", "category_code", "value_yuan",
    "value_yuan_text", "precision_yuan", "source", "statements", "spread_yuan", "item", "text", "page",
    "doc_id", "path",
)
VIEWS = ("budget_summary",)
NAME_TABLE = "budget_line_names"


def drop_views(conn: sqlite3.Connection) -> None:
    """Drop the views (before a migration rebuilds the tables they read)."""
    for view in VIEWS:
        conn.execute(f"DROP VIEW IF EXISTS {view}")


def create_views(conn: sqlite3.Connection) -> None:
    """(Re)create the line-name table from the patterns and the view, in the caller's transaction,
    so a dataset opened by a newer jixiao names its lines the newer way without reconverting."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {NAME_TABLE} (item TEXT PRIMARY KEY, line TEXT, totals TEXT)")
    want = sorted((item, line, totals) for item, (line, totals) in _names().items())
    have = sorted(conn.execute(f"SELECT item, line, totals FROM {NAME_TABLE}").fetchall())
    if have != want:
        conn.execute(f"DELETE FROM {NAME_TABLE}")
        conn.executemany(f"INSERT INTO {NAME_TABLE} VALUES (?, ?, ?)", want)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'budget_summary'").fetchone()
    if sql is None or sql[0].strip() != _VIEW.strip():
        drop_views(conn)
        conn.execute(_VIEW.strip())
