"""PDF tables without ruling lines, or with rulings drawn as thin filled outlines.

Both print the same grid as a ruled table: the reader must give the same cells (header rows
over several lines, 行次 columns, side-by-side halves, wrapped names), keep the caption and
unit lines as the table's context, and leave prose as paragraphs.
"""
from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from extractor import extract
from extractor.evaluation.layouts_borderless import make_borderless_document
from extractor.evaluation.render import DocSpec, Para, TableSpec, render
from extractor.evaluation.synth import write_document
from extractor.readers import pdf
from extractor.tables.ledger import read_ledgers

from test_pdf_engines import signature

LEDGER_SEED, TOTALS_SEED = "t:0", "t:1"  # even seeds print a 支出决算表, odd ones a 收支总表


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[tuple[str, str], tuple[Path, DocSpec]]:
    out = tmp_path_factory.mktemp("textgrid")
    docs = {}
    for seed in (LEDGER_SEED, TOTALS_SEED):
        for layout in ("ruled", "outlined", "bare", "barebracket"):
            spec, gold = make_borderless_document(seed, layout, "pdf")
            path = write_document(spec, gold, out / f"{seed.replace(':', '')}-{layout}.pdf")
            docs[(seed, layout)] = (path, spec)
    return docs


def _printed_rows(spec: DocSpec) -> list[list[str]]:
    """The rows of the document's table that print anything, as the generator wrote them."""
    table = next(b for b in spec.blocks if isinstance(b, TableSpec))
    return [[c.strip("\u3000") for c in row] for row in table.grid() if any(row)]


@pytest.mark.parametrize("seed", [LEDGER_SEED, TOTALS_SEED])
@pytest.mark.parametrize("layout", ["outlined", "bare", "barebracket"])
def test_a_table_without_ruled_lines_gives_the_cells_of_the_ruled_one(written, seed, layout):
    path, spec = written[(seed, layout)]
    doc = pdf.read(str(path))
    assert len(doc.tables) == 1
    cells = [[c.strip("\u3000") for c in row] for row in doc.tables[0].cells]
    assert [row for row in cells if any(row)] == _printed_rows(spec)
    assert doc.tables[0].context.splitlines()[-1].endswith("单位：万元")
    ruled = pdf.read(str(written[(seed, "ruled")][0]))
    assert doc.tables[0].context == ruled.tables[0].context


def test_outlined_rulings_are_curves_to_the_parser(written):
    with pdfplumber.open(written[(LEDGER_SEED, "outlined")][0]) as p:
        page = p.pages[0]
        assert (len(page.lines), len(page.rects)) == (0, 0)
        assert len(page.curves) > 40
    with pdfplumber.open(written[(LEDGER_SEED, "bare")][0]) as p:
        page = p.pages[0]
        assert (len(page.lines), len(page.rects), len(page.curves)) == (0, 0, 0)


def test_the_prose_above_a_borderless_table_stays_a_paragraph(written):
    path, spec = written[(LEDGER_SEED, "bare")]
    doc = pdf.read(str(path))
    paragraphs = [doc.text[b.start:b.end] for b in doc.blocks if b.kind == "paragraph"]
    sentence = next(b.text for b in spec.blocks if isinstance(b, Para) and "其中" in b.text)
    assert sentence in paragraphs


@pytest.mark.parametrize("layout", ["bare", "barebracket"])
def test_every_borderless_ledger_row_gets_its_level(written, layout):
    path, _ = written[(LEDGER_SEED, layout)]
    gold = make_borderless_document(LEDGER_SEED, layout, "pdf")[1]
    r = extract(path)
    ledgers = [lg for lg in read_ledgers(r.document, r.quantities) if lg.groups and lg.groups[0].blocks]
    block = ledgers[0].groups[0].blocks[0]
    assert [block.total.level] + [m.level for m in block.members] == gold["ledger_levels"]
    assert block.how == "code"


@pytest.mark.parametrize("layout", ["outlined", "bare"])
def test_pdfium_and_pdfminer_give_the_same_borderless_document(written, layout):
    for seed in (LEDGER_SEED, TOTALS_SEED):
        path = str(written[(seed, layout)][0])
        assert signature(pdf.read(path, ocr="never")) == signature(pdf.read(path, use_pdfium=False, ocr="never"))


def test_prose_and_lists_with_figures_are_not_tables(tmp_path):
    """Sentences with amounts, a list of items each with an amount, a contents page with
    page numbers: no table, every line a paragraph."""
    spec = DocSpec("某局2023年度部门决算说明", [
        Para("一、收入决算情况：本年收入合计1234.56万元，其中财政拨款收入1200.00万元，其他收入34.56万元。"),
        Para("二、支出决算情况：本年支出合计1200.10万元，其中基本支出800.10万元，项目支出400.00万元。"),
        Para("（一）基本支出800.10万元，主要用于人员经费和公用经费。"),
        Para("（二）项目支出400.00万元，主要用于信息化建设项目。"),
        Para("（三）“三公”经费支出12.30万元，比上年减少1.20万元。"),
        Para("第一部分 部门概况 3"),
        Para("第二部分 部门决算表 7"),
        Para("第三部分 部门决算情况说明 18"),
    ])
    path = render(spec, tmp_path / "prose.pdf")
    doc = pdf.read(str(path))
    assert doc.tables == []
    assert "本年收入合计1234.56万元" in doc.text


def test_a_borderless_grid_needs_three_rows_with_amounts(tmp_path):
    """Two aligned lines with amounts are not yet a table; three are."""
    def grid(n: int, rulings: str = "none") -> DocSpec:
        rows = [["项目", "预算数", "决算数"]] + [[f"项目{i}", f"{i}0.00", f"{i}1.50"] for i in range(1, n + 1)]
        return DocSpec("测试", [TableSpec(rows, caption="单位：万元", rulings=rulings)])

    two = pdf.read(str(render(grid(2), tmp_path / "two.pdf")))
    assert two.tables == []
    # its rows stay lines of their own: no figure glued to the next row's label
    assert two.text.endswith("项目 预算数 决算数\n项目1 10.00 11.50\n项目2 20.00 21.50")
    three = pdf.read(str(render(grid(3), tmp_path / "three.pdf")))
    assert three.tables[0].cells == [["项目", "预算数", "决算数"], ["项目1", "10.00", "11.50"],
                                     ["项目2", "20.00", "21.50"], ["项目3", "30.00", "31.50"]]
    ruled = pdf.read(str(render(grid(3, "grid"), tmp_path / "ruled.pdf")))
    assert three.tables[0].context == ruled.tables[0].context == "测试单位：万元"


def _line(cells: list[tuple[float, str]], top: float, size: float = 10.0) -> dict:
    """A pdfplumber text line whose cells start at the given x (one character per `size`)."""
    chars = [{"text": ch, "x0": x + i * size, "x1": x + (i + 1) * size, "top": top, "bottom": top + size,
              "size": size} for x, text in cells for i, ch in enumerate(text)]
    return {"text": " ".join(t for _, t in cells), "x0": chars[0]["x0"], "x1": chars[-1]["x1"], "top": top,
            "bottom": top + size, "chars": chars}


def test_a_caption_whose_parts_fit_the_columns_stays_context():
    """`编制部门：…` over the name column and `金额单位：万元` over the figures are the
    caption, not a header row; the header and rows below are the table."""
    from extractor.readers import pdf_textgrid

    lines = [_line([(40, "编制部门：某局"), (300, "金额单位：万元")], 100),
             _line([(40, "项目"), (300, "决算数")], 120)]
    lines += [_line([(40, name), (330, figure)], 140 + 20 * i)
              for i, (name, figure) in enumerate([("工资福利支出", "1,234.56"), ("商品和服务支出", "56.00"),
                                                  ("资本性支出", "0.00")])]
    tables, rest = pdf_textgrid.find(lines, 10.0)
    assert [cells for _, cells in tables] == [[["项目", "决算数"], ["工资福利支出", "1,234.56"],
                                               ["商品和服务支出", "56.00"], ["资本性支出", "0.00"]]]
    assert rest == lines[:1]


def test_a_page_of_scattered_figures_is_no_table_and_stays_fast():
    """300 lines of 200 figures each, every one apart: more columns than any table has."""
    import time

    from extractor.readers import pdf_textgrid

    lines = [_line([(10 + 60 * k, "1.00") for k in range(200)], 20 + 12 * i) for i in range(300)]
    started = time.process_time()
    tables, rest = pdf_textgrid.find(lines, 10.0)
    assert (tables, len(rest)) == ([], 300)
    assert time.process_time() - started < 5.0
