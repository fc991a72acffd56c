"""Running headers and footers of PDF pages are left out of the text flow; a table's caption and
its unit line repeated at the top of the pages it runs over stay (readers/running_heads.py)."""
from __future__ import annotations

from pathlib import Path

from extractor.evaluation.render import DocSpec, Para, render
from extractor.readers import pdf
from extractor.readers.builder import DocumentBuilder
from extractor.readers.running_heads import furniture_key, running_heads

FULL = "正文一行写满到右边正文一行写满到右边"


def body(k: int) -> str:
    """A full line of prose, different on every page (a prose line never repeats)."""
    return "正文" + "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"[k] + "一行写满到右边正文一行写满到右边"
HEADER = "无锡市统计局2026年度部门预算公开"


def line(text: str, top: float, x1: float = 522.0) -> tuple[str, dict]:
    return ("line", {"text": text, "x0": 72.0, "x1": x1, "top": top, "char_w": 10.0, "lead_w": 0.0})


TABLE = ("table", ([["项目", "金额"], ["合计", "1,600.00"]], {}))


def _text(pages: list[list[tuple[str, object]]]) -> str:
    builder = DocumentBuilder("x.pdf", "pdf")
    pdf._assemble(builder, pages)
    return builder.build(pages=len(pages)).text


def _prose_page(first: str, last: str, header: str = HEADER) -> list[tuple[str, object]]:
    return [line(header, 10.0, 250.0), line(first, 80.0)] + [line(FULL, 100.0 + 20 * i) for i in range(6)] + [
        line(last, 300.0)]


def test_a_header_between_two_pages_of_one_sentence_is_left_out_and_kept_as_the_title() -> None:
    pages = [
        [line(HEADER, 10.0, 250.0), line("第一部分 部门概况", 80.0, 300.0)] + [line(FULL, 100.0 + 20 * i) for i in range(6)]
        + [line("截至年底，弥补破产改制企业资金", 300.0)],
        _prose_page("1,600万元仍未拨付到企业。", "（六）依法审批各部门的统计调查项目，指导和推进各部"),
        _prose_page("门、各地区统计基础建设。", "（七）承办市政府交办的其他事项。"),
        [line(HEADER, 10.0, 250.0), line("公开01表", 40.0, 150.0), line("单位：万元", 60.0, 150.0), TABLE],
    ]
    text = _text(pages)
    assert text.startswith(HEADER + "\n第一部分 部门概况\n")
    assert text.count(HEADER) == 1
    assert "弥补破产改制企业资金1,600万元仍未拨付到企业。" in text
    assert "指导和推进各部门、各地区统计基础建设。" in text
    assert text.endswith("承办市政府交办的其他事项。\n公开01表\n单位：万元")  # the caption above the table stays


def test_a_caption_and_unit_line_repeated_above_a_continued_table_are_kept() -> None:
    """`单位：万元` and the caption open every page, at the same height, but only ever above a
    table: the table reader's lines, not furniture."""
    table_page = [line("表1 收支总表", 10.0, 250.0), line("单位：万元", 30.0, 150.0), TABLE,
                  line("单位：万元", 700.0, 150.0)]
    pages = [table_page] * 4 + [[line("注：本表金额单位转换时存在尾数误差", 10.0, 400.0)] + [line(body(i), 40.0 + 20 * i) for i in range(3)]]
    assert running_heads(pages) == {}
    assert _text(pages).count("表1 收支总表") == 4
    assert _text(pages).count("单位：万元") == 8


def test_a_footer_with_the_page_number_is_furniture_at_one_height_on_most_pages() -> None:
    def page(n: int, foot_top: float = 800.0) -> list[tuple[str, object]]:
        return [line(body(n), 40.0)] + [line(FULL, 60.0 + 20 * i) for i in range(3)] + [
            line(f"XX县财政局2023年度部门决算  第{n}页", foot_top, 300.0)]

    assert furniture_key("XX县财政局2023年度部门决算  第12页") == "XX县财政局#年度部门决算第#页"
    # pages 1..5, the footer at one height: left out of every page (page 1's would end its last sentence)
    assert running_heads([page(n) for n in range(1, 6)]) == {i: {4} for i in range(5)}
    # on 2 of 5 pages at that height only (the others lower): too few copies, kept everywhere
    assert running_heads([page(1), page(2), page(3, 760.0), page(4, 760.0), page(5, 720.0)]) == {}
    # 3 of 6 pages (below 60% of the pages with text): kept
    assert running_heads([page(n) for n in range(1, 4)] + [[line(body(n), 40.0)] for n in range(4, 7)]) == {}


def test_a_header_of_two_lines_and_a_footer_over_the_folio_go_line_by_line() -> None:
    """A title over the department's name at every page's top, and a footer printed above the
    page's folio: each line is the page's edge once the one outside it is gone."""
    def page(n: int, first: str, last: str) -> list[tuple[str, object]]:
        return [line("2026年度部门预算", 10.0, 200.0), line("无锡市统计局", 24.0, 150.0), line(first, 80.0, 300.0),
                line(body(n), 100.0), line(last, 300.0), line("内部资料 注意保存", 780.0, 200.0),
                line(f"— {n} —", 800.0, 300.0)]

    pages = [page(1, "一、主要职能", "截至年底，弥补破产改制企业资金"), page(2, "1,600万元仍未拨付到企业。", body(9)),
             page(3, "二、机构设置", "（七）承办市政府交办的其他事项。")]
    assert _text(pages).split("\n") == [
        "2026年度部门预算", "无锡市统计局", "一、主要职能", body(1) + "截至年底，弥补破产改制企业资金1,600万元仍未拨付到企业。",
        body(2) + body(9), "二、机构设置", body(3), "（七）承办市政府交办的其他事项。"]


def test_a_bare_page_number_repeated_at_every_foot_is_left_out_of_the_first_page_too() -> None:
    pages = [[line(body(n), 40.0), line(f"截至年底，弥补{what}企业资金", 60.0), line(str(n), 800.0, 300.0)]
             for n, what in zip(range(1, 4), ("改制", "破产", "困难"))]
    pages[1][0] = line("1,600万元仍未拨付到企业。", 40.0, 300.0)
    assert running_heads(pages) == {0: {2}, 1: {2}, 2: {2}}
    assert "弥补改制企业资金1,600万元仍未拨付到企业。" in _text(pages)


def test_a_pdf_with_a_running_header_reads_its_sentences_whole(tmp_path: Path) -> None:
    """The `headers` layout's page: the title at the top of every page, a paragraph starting on a
    page's last line (its sentence runs on over the break); a 公文's folio at the foot."""
    title = "某县财政局2023年度项目支出绩效自评报告"
    sentences = [f"截至2023年12月31日，{what}全年预算数624.25万元，全年执行数570.56万元，预算执行率为91.40%，"
                 "资金主要用于维修维护费和工程建设费。" for what in ("项目", "本项目", "该项目")]
    spec = DocSpec(title, [Para("一、基本情况"), Para(sentences[0], runs_over=True), Para("二、绩效目标"),
                           Para(sentences[1], runs_over=True), Para("三、结论"), Para(sentences[2], runs_over=True)],
                   folios=True, running_head=title, official_page=True)
    doc = pdf.read(str(render(spec, tmp_path / "headers.pdf")))
    assert doc.pages == 4
    assert doc.text.split("\n") == [title, title, "一、基本情况", sentences[0], "二、绩效目标", sentences[1],
                                     "三、结论", sentences[2]]  # the header kept on page 1 only, over the title


def test_the_real_running_header_of_48_is_out_of_its_prose(real_dir, real_reports) -> None:
    """48 prints `无锡市统计局2026年度部门预算公开` at the top of pages 2-36: it cut a word of the
    prose (`各部` / header / `门`) and gave a year on every page; its cover's title stays."""
    report = real_reports[real_dir / "48_wuxi-statistics-2026-budget-blank-cells.pdf"]
    text = report.document.text
    assert HEADER not in text
    assert "指导和推进各部门、各地区统计基础建设。" in text
    assert report.meta.title == "2026 年度无锡市统计局部门预算公开"
    assert [q.page for q in report.quantities if q.kind == "year" and q.text == "2026年度"] == []
