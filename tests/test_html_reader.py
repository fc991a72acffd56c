"""HTML reader: 决算 pages and self-evaluation forms as web pages, Excel HTML exports saved
as `.xls`, charset declarations, forgiving parsing, and bad input as one ReadError line.

Every fixture is written to tmp_path by the test itself.
"""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

import extractor
from extractor.model import ReadError
from extractor.readers import html as html_reader, limits, read

# 收入支出决算总表 body rows: `年初结转和结余` and its amount span two rows, the header row
# `收入`/`支出` spans two columns each, and the 结余分配 amount cell holds only &nbsp;
FINAL_ROWS = """
<tr><th colspan=2>收入</th><th colspan="2">支出</th></tr>
<tr><th>项目</th><th>决算数</th><th>项目</th><th>决算数</th></tr>
<tr><td>一、一般公共预算财政拨款收入</td><td>9,746.50</td><td>一、一般公共服务支出</td><td>1,105.13</td></tr>
<tr><td>二、政府性基金预算财政拨款收入</td><td>0.00</td><td>二、社会保障和就业支出</td><td>8,641.37</td></tr>
<tr><td>本年收入合计</td><td>9,746.50</td><td>本年支出合计</td><td>9,746.50</td></tr>
<tr><td rowspan=2>年初结转和<br>结余</td><td rowspan=2>112.88</td><td>结余分配</td><td>&nbsp;</td></tr>
<tr><td>年末结转和结余</td><td>112.88</td></tr>
<tr><td>总计</td><td>9,859.38</td><td>总计</td><td>9,859.38</td></tr>
"""
FINAL_CELLS = [
    ["收入", "", "支出", ""],
    ["项目", "决算数", "项目", "决算数"],
    ["一、一般公共预算财政拨款收入", "9,746.50", "一、一般公共服务支出", "1,105.13"],
    ["二、政府性基金预算财政拨款收入", "0.00", "二、社会保障和就业支出", "8,641.37"],
    ["本年收入合计", "9,746.50", "本年支出合计", "9,746.50"],
    ["年初结转和结余", "112.88", "结余分配", ""],
    ["", "", "年末结转和结余", "112.88"],
    ["总计", "9,859.38", "总计", "9,859.38"],
]
FINAL_MERGED = {(0, 1): (0, 0), (0, 3): (0, 2), (6, 0): (5, 0), (6, 1): (5, 1)}
# (row, col) -> value_yuan of every amount cell: 万元 from the table header, exact Decimals
FINAL_AMOUNTS = {
    (2, 1): D("97465000"), (2, 3): D("11051300"), (3, 1): D("0"), (3, 3): D("86413700"),
    (4, 1): D("97465000"), (4, 3): D("97465000"), (5, 1): D("1128800"), (6, 3): D("1128800"),
    (7, 1): D("98593800"), (7, 3): D("98593800"),
}

FINAL_PAGE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>上海市某局2024年度部门决算</title>
<style type="text/css">td { border: 1px solid #000; }</style>
<script type="text/javascript">document.write("<p>不是正文</p>");</script>
</head>
<body>
<div class="crumb">首页 &gt; 信息公开 &gt; 部门决算</div>
<h3>一、收入支出决算总表</h3>
<p style="text-align:right">单位：万元</p>
<table border="1" cellspacing="0">
<tbody>%s</tbody>
</table>
<p>注：本表反映部门本年度的总收支和年末结转结余情况。</p>
</body>
</html>
""" % FINAL_ROWS

EXCEL_EXPORT = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:x="urn:schemas-microsoft-com:office:excel"
xmlns="http://www.w3.org/TR/REC-html40">

<head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<meta name=ProgId content=Excel.Sheet>
<meta name=Generator content="Microsoft Excel 15">
<style>
<!--table
\t{mso-displayed-decimal-separator:"\\.";
\tmso-displayed-thousand-separator:"\\,";}
.xl65
\t{mso-number-format:"\\#\\,\\#\\#0\\.00";}
-->
</style>
<!--[if gte mso 9]><xml>
 <x:ExcelWorkbook>
  <x:ExcelWorksheets>
   <x:ExcelWorksheet>
    <x:Name>公开01表</x:Name>
   </x:ExcelWorksheet>
  </x:ExcelWorksheets>
 </x:ExcelWorkbook>
</xml><![endif]-->
</head>

<body link=blue vlink=purple>

<table border=0 cellpadding=0 cellspacing=0 width=416 style='border-collapse:collapse;table-layout:fixed'>
 <col width=200 style='width:150pt'>
 <col width=72 span=3 style='width:54pt'>
 <tr height=27 style='height:20.25pt'>
  <td colspan=4 height=27 class=xl66 width=416 style='height:20.25pt;width:312pt'>收入支出决算总表</td>
 </tr>
 <tr height=19 style='height:14.25pt'>
  <td height=19 colspan=3 style='height:14.25pt;mso-ignore:colspan'></td>
  <td class=xl67>单位：万元</td>
 </tr>
%s
 <![if supportMisalignedColumns]>
 <tr height=0 style='display:none'>
  <td width=200 style='width:150pt'></td>
  <td width=72 style='width:54pt'></td>
  <td width=72 style='width:54pt'></td>
  <td width=72 style='width:54pt'></td>
 </tr>
 <![endif]>
</table>

</body>

</html>
""" % FINAL_ROWS.replace("<td>9,", "<td class=xl65 x:num>9,")


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _amounts(report) -> dict[tuple[int, int], D]:
    return {(q.row, q.col): q.value_yuan for q in report.quantities if q.kind == "amount" and q.table == 0}


# ---------------------------------------------------------------- 决算 tables


def test_gbk_page_table_cells_merges_context(tmp_path):
    doc = read(str(_write(tmp_path / "final.html", FINAL_PAGE, "gbk")))
    assert doc.reader == "html" and doc.pages is None and doc.page_starts == []
    assert doc.meta == {"encoding": "gb18030", "title": "上海市某局2024年度部门决算"}
    assert doc.text == "\n".join([
        "首页 > 信息公开 > 部门决算", "一、收入支出决算总表", "单位：万元",
        "注：本表反映部门本年度的总收支和年末结转结余情况。",
    ])
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph", "paragraph", "table", "paragraph"]
    (table,) = doc.tables
    assert table.page is None and table.index == 0
    assert table.cells == FINAL_CELLS
    assert table.merged == FINAL_MERGED
    assert table.context == "首页 > 信息公开 > 部门决算\n一、收入支出决算总表\n单位：万元"
    assert table.cell(6, 0) == "年初结转和结余"


def test_excel_html_export_saved_as_xls(tmp_path):
    path = _write(tmp_path / "公开01表.xls", EXCEL_EXPORT, "gbk")
    doc = read(str(path))
    assert doc.reader == "html" and doc.meta["encoding"] == "gb18030"
    assert doc.text == ""  # everything is in the table; the sheet name lives in a comment
    (table,) = doc.tables
    assert table.cells == FINAL_CELLS
    assert table.merged == FINAL_MERGED  # the mso-ignore:colspan padding is no merge
    assert table.context == "收入支出决算总表\n单位：万元"

    report = extractor.extract(path)
    amounts = [q for q in report.quantities if q.kind == "amount" and q.table == 0]
    assert {q.unit_source for q in amounts} == {"table-header"} and {q.unit for q in amounts} == {"万元"}
    assert _amounts(report) == FINAL_AMOUNTS
    assert all(str(q.value_yuan) == str(q.value.scaleb(4)) for q in amounts)  # written precision kept


def test_page_and_export_extract_the_same_amounts(tmp_path):
    page = extractor.extract(_write(tmp_path / "final.htm", FINAL_PAGE, "gbk"))
    assert _amounts(page) == FINAL_AMOUNTS
    assert {q.unit_source for q in page.quantities if q.kind == "amount" and q.table == 0} == {"table-header"}


# ---------------------------------------------------------------- a self-evaluation form

# 财预〔2020〕10号 layout as a web page exported from Word: cells wrap their text in
# <p class=MsoNormal><span>, header words break with <br>, labels span rows and columns
SELFEVAL_PAGE = """<html>
<head><meta charset="utf-8"><title>项目支出绩效自评表</title></head>
<body>
<p class=MsoNormal align=center><b><span>项目支出绩效自评表</span></b></p>
<p class=MsoNormal align=center><span>（2023年度）</span></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0>
 <tr><td><p class=MsoNormal><span>项目名称</span></p></td>
     <td colspan=8><p class=MsoNormal><span>社区养老服务补助项目</span></p></td></tr>
 <tr><td><p class=MsoNormal>主管部门</p></td><td colspan=3><p class=MsoNormal>某区民政局</p></td>
     <td><p class=MsoNormal>实施单位</p></td><td colspan=4><p class=MsoNormal>某区养老服务中心</p></td></tr>
 <tr><td colspan=2><p class=MsoNormal>项目资金<br>（万元）</p></td>
     <td><p>年初<br>预算数</p></td><td><p>全年<br>预算数</p></td><td><p>全年<br>执行数</p></td>
     <td>分值</td><td>执行率</td><td>得分</td><td></td></tr>
 <tr><td rowspan=4></td><td>年度资金总额</td><td>120.00</td><td>150.50</td><td>135.45</td>
     <td>10</td><td>90.00%</td><td>9</td><td></td></tr>
 <tr><td>其中：本年财政拨款</td><td>100.00</td><td>130.50</td><td>115.45</td><td>—</td><td>—</td><td>—</td><td></td></tr>
 <tr><td>上年结转资金</td><td>20.00</td><td>20.00</td><td>20.00</td><td>—</td><td>—</td><td>—</td><td></td></tr>
 <tr><td>其他资金</td><td>0.00</td><td>0.00</td><td>0.00</td><td>—</td><td>—</td><td>—</td><td></td></tr>
 <tr><td rowspan=5>绩效指标</td><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>年度指标值</td>
     <td>实际完成值</td><td>分值</td><td>得分</td><td>偏差原因分析及改进措施</td></tr>
 <tr><td rowspan=2>产出指标(50分)</td><td>数量指标</td><td>服务老人人次</td><td>&ge;5000人次</td>
     <td>5200人次</td><td>25</td><td>25</td><td></td></tr>
 <tr><td>质量指标</td><td>服务合格率</td><td>&ge;95%</td><td>98%</td><td>25</td><td>25</td><td></td></tr>
 <tr><td>效益指标(30分)</td><td>社会效益指标</td><td>老年人生活质量提升</td><td>明显提升</td>
     <td>达成预期指标</td><td>30</td><td>28</td><td>部分社区覆盖不足，下年扩大</td></tr>
 <tr><td>满意度指标(10分)</td><td>服务对象满意度指标</td><td>老年人满意度</td><td>&ge;90%</td>
     <td>93%</td><td>10</td><td>10</td><td></td></tr>
 <tr><td colspan=6>总分</td><td>100</td><td>97</td><td></td></tr>
</table>
</body></html>
"""


def test_selfeval_form_page_gives_project(tmp_path):
    path = _write(tmp_path / "selfeval.html", SELFEVAL_PAGE)
    doc = read(str(path))
    assert doc.text == "项目支出绩效自评表\n（2023年度）"
    (table,) = doc.tables
    assert table.context == "项目支出绩效自评表\n（2023年度）"
    assert table.cells[2][:5] == ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数"]
    assert table.cells[3][:5] == ["", "年度资金总额", "120.00", "150.50", "135.45"]
    assert table.merged[(2, 1)] == (2, 0) and table.merged[(6, 0)] == (3, 0) and table.merged[(8, 0)] == (7, 0)
    assert table.cells[8][4] == "≥5000人次"

    report = extractor.extract(path)
    (project,) = report.projects
    got = {k: getattr(project, k) for k in (
        "name", "fiscal_year", "supervising_dept", "implementing_unit", "initial_budget_yuan",
        "adjusted_budget_yuan", "executed_yuan", "execution_rate", "exec_weight", "exec_score",
        "total_score", "grade", "source")}
    assert got == {
        "name": "社区养老服务补助项目", "fiscal_year": 2023, "supervising_dept": "某区民政局",
        "implementing_unit": "某区养老服务中心", "initial_budget_yuan": D("1200000"),
        "adjusted_budget_yuan": D("1505000"), "executed_yuan": D("1354500"), "execution_rate": D("90.00"),
        "exec_weight": D("10"), "exec_score": D("9"), "total_score": D("97"), "grade": "优", "source": "table",
    }
    assert [(i.l3, i.operator, i.target_value, i.actual_value, i.score) for i in report.indicators] == [
        ("服务老人人次", "≥", D("5000"), D("5200"), D("25")),
        ("服务合格率", "≥", D("95"), D("98"), D("25")),
        ("老年人生活质量提升", None, None, None, D("28")),
        ("老年人满意度", "≥", D("90"), D("93"), D("10")),
    ]
    assert [f.code for f in report.flags if f.code in ("exec-rate-mismatch", "score-mismatch", "sum-mismatch")] == []


# ---------------------------------------------------------------- text, markup, malformed pages


def test_paragraphs_breaks_entities_and_hidden_content(tmp_path):
    page = """<html><head><title>t</title>
<style>p { font-size: 12pt } .x:before { content: "隐藏" }</style>
<script>var s = "<p>脚本</p>"; if (a < b && c > d) {}</script></head>
<body><!-- 注释不是正文 -->
<div>一、基本情况</div><p>本年收入合计9746.50万元，
其中：财政拨款收入9746.50万元。<br>占比&nbsp;100.00&#37;&#xff1b;&lt;说明&gt; &amp; 附注</p>
<ul><li>项目一</li><li>项目 <b>二</b></li></ul>
<noscript>请启用脚本</noscript>
<h4>Total&nbsp;budget</h4>
</body></html>"""
    doc = read(str(_write(tmp_path / "p.html", page)))
    assert doc.text == "\n".join([
        "一、基本情况",
        "本年收入合计9746.50万元，其中：财政拨款收入9746.50万元。",
        "占比 100.00%；<说明> & 附注",
        "项目一",
        "项目 二",
        "Total budget",
    ])
    assert [b.kind for b in doc.blocks] == ["paragraph"] * 6 and doc.tables == []
    assert doc.text[doc.blocks[1].start:doc.blocks[1].end].startswith("本年收入合计")


def test_malformed_html_is_read_like_a_browser(tmp_path):
    page = """<HTML><BODY>
<P>表一 单位：万元
<TABLE border=1>
<TR><TD>项目<TD>金额</TD></TD></td>
<TR><TD>基本支出<TD><font><b>100.00</TD>
</div></span><tr><td colspan=abc>项目支出<td rowspan=9>50.00
<tr><td>合计
</TABLE>
<p>第一段<p>第二段</P></P>
<div>未闭合的结尾<span>文字"""
    doc = read(str(_write(tmp_path / "bad.htm", page)))
    (table,) = doc.tables
    assert table.cells == [["项目", "金额"], ["基本支出", "100.00"], ["项目支出", "50.00"], ["合计", ""]]
    assert table.merged == {(3, 1): (2, 1)}  # rowspan=9 stops at the last row
    assert table.context == "表一 单位：万元"
    assert doc.text == "表一 单位：万元\n第一段\n第二段\n未闭合的结尾文字"
    # a table opened between cells is moved in front of its table; a late <head> is ignored
    page = ("<head><title>T</title>正文<head><p>续</p><table><tr><table><tr><td>a</td><td>b</td></tr>"
            "<tr><td>c</td><td>d</td></tr></table><td>x</td><td>y</td></tr><tr><td>1</td><td>2</td></table>")
    doc = read(str(_write(tmp_path / "late.htm", page)))
    assert doc.text == "正文\n续" and doc.meta["title"] == "T"
    assert [t.cells for t in doc.tables] == [[["a", "b"], ["c", "d"]], [["x", "y"], ["1", "2"]]]


def test_nested_and_layout_tables(tmp_path):
    page = """<html><body>
<table width="100%"><tr><td>网站首页</td><td>政务公开</td></tr>
<tr><td colspan=2>
  <p>部门决算说明</p><p>单位：元</p>
  <table border=1>
   <tr><th>项目</th><th>金额</th><th>备注</th></tr>
   <tr><td>办公费</td><td>1,200.50</td><td><table><tr><td>甲</td><td>乙</td></tr></table></td></tr>
  </table>
  <p>以上为决算数。</p>
</td></tr></table></body></html>"""
    doc = read(str(_write(tmp_path / "layout.html", page)))
    (table,) = doc.tables  # the page frame is layout, the inner grid is the table
    assert table.cells == [["项目", "金额", "备注"], ["办公费", "1,200.50", "甲 乙"]]
    assert table.context == "政务公开\n部门决算说明\n单位：元"
    assert doc.text == "网站首页\n政务公开\n部门决算说明\n单位：元\n以上为决算数。"


def test_caption_goes_to_context_and_text(tmp_path):
    page = "<table><caption>支出决算表</caption><tr><td>项目</td><td>合计</td></tr><tr><td>a</td><td>1</td></tr></table>"
    doc = read(str(_write(tmp_path / "cap.html", page)))
    assert doc.text == "支出决算表"
    assert doc.tables[0].context == "支出决算表"
    assert doc.tables[0].cells == [["项目", "合计"], ["a", "1"]]


# ---------------------------------------------------------------- encodings and signatures


def test_meta_charset_beats_byte_statistics(tmp_path):
    # a page that is mostly CSS: its few GBK bytes would pass for broken UTF-8 without <meta>
    page = ('<html><head><meta charset="GBK"><style>' + "p{margin:0}\n" * 3000
            + "</style></head><body><p>单位：万元</p></body></html>")
    doc = read(str(_write(tmp_path / "css.html", page, "gbk")))
    assert doc.text == "单位：万元" and doc.meta["encoding"] == "gb18030"


@pytest.mark.parametrize("declared,encoding,expect", [
    ("utf-8", "gbk", "gb18030"),  # declared UTF-8, saved as GBK: the bytes decide
    ("gb2312", "utf-8", "utf-8"),  # re-saved as UTF-8 without fixing the <meta>
    ("gb2312", "utf-8-sig", "utf-8-sig"),
    ("utf-8", "utf-16", "utf-16"),  # the BOM wins over the declaration
    ("no-such-charset", "gb18030", "gb18030"),
])
def test_charset_declaration_that_lies(tmp_path, declared, encoding, expect):
    page = f'<meta http-equiv="Content-Type" content="text/html; charset={declared}"><p>全年预算数为150.50万元</p>'
    doc = read(str(_write(tmp_path / "x.html", page, encoding)))
    assert doc.text == "全年预算数为150.50万元" and doc.meta["encoding"] == expect


def test_bytes_not_suffix_decide(tmp_path):
    table = "<table><tr><td>项目</td><td>金额</td></tr><tr><td>合计</td><td>1</td></tr></table>"
    for name in ("export.xls", "export.xlsx", "report.doc", "page", "page.txt"):
        assert read(str(_write(tmp_path / name, "\ufeff \r\n" + table))).reader == "html", name
    saved = "<!-- saved from url=(0040)http://www.example.gov.cn/zfxxgk/ -->\n<!DOCTYPE html><p>正文</p>"
    assert read(str(_write(tmp_path / "saved.htm", saved))).text == "正文"
    xhtml = '<?xml version="1.0" encoding="gb2312"?>\n<html><body>正文</body></html>'
    assert read(str(_write(tmp_path / "x.xhtml", xhtml, "gbk"))).text == "正文"
    plain = _write(tmp_path / "notes.html", "单位：万元\n合计 <b>1</b>\n")
    doc = read(str(plain))  # not HTML at the start: the text reader takes it
    assert doc.reader == "text" and doc.text == "单位：万元\n合计 <b>1</b>\n"
    with pytest.raises(ReadError, match=r"report\.pdf: not a PDF file \(no %PDF signature\)"):
        read(str(_write(tmp_path / "report.pdf", "<html><body>404 Not Found</body></html>")))
    with pytest.raises(ReadError, match=r"form\.docx: not a DOCX file \(no zip signature\)"):
        read(str(_write(tmp_path / "form.docx", "<html><body>表</body></html>")))


def test_bad_html_inputs_raise_one_line_read_error(tmp_path, monkeypatch):
    junk = tmp_path / "junk.html"
    junk.write_bytes(b"<html><body>" + bytes(range(256)) * 20)
    empty = _write(tmp_path / "empty.html", "<html><head><script>load()</script></head><body>\n</body></html>")
    controls = tmp_path / "ctl.xls"
    controls.write_bytes(b"<table><tr><td>" + bytes(range(1, 9)) * 300 + "正文".encode())
    cases = [
        (junk, "binary data, not HTML"),
        (empty, "HTML page without any text"),
        (controls, "binary data, not HTML (control characters)"),
        (_write(tmp_path / "junk2.html", "\x00\x01\x02 not html"), "binary data, not text"),
    ]
    for path, reason in cases:
        with pytest.raises(ReadError) as info:
            read(str(path))
        message = str(info.value)
        assert message.startswith(f"{path}: ") and reason in message and "\n" not in message, message
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    with pytest.raises(ReadError, match=r"big\.html: file of \d+ bytes is larger than the 100 byte limit"):
        read(str(_write(tmp_path / "big.html", "<p>" + "预算" * 100 + "</p>")))


def test_huge_spans_are_bounded(tmp_path, monkeypatch):
    page = "<table>" + "<tr><td colspan=99999 rowspan=99999>x</td><td>1</td></tr>" * 3 + "</table>"
    doc = read(str(_write(tmp_path / "span.html", page)))
    (table,) = doc.tables
    # colspan capped at 1000, rowspan at the rows there are: each row starts right of the
    # block above it, as in a browser
    assert table.n_rows == 3 and table.n_cols == 3001
    assert table.cells[2][2000:2002] == ["x", ""] and table.cells[2][3000] == "1"
    monkeypatch.setattr(html_reader, "MAX_TABLE_CELLS", 1000)
    with pytest.raises(ReadError, match=r"span\.html: HTML table larger than the 1000 cell limit"):
        read(str(tmp_path / "span.html"))
    deep = "<div>" * 5000 + "深层文字" + "</div>" * 5000
    assert read(str(_write(tmp_path / "deep.html", "<html>" + deep))).text == "深层文字"


def test_page_title_beats_breadcrumbs(tmp_path):
    """A CMS page opens with breadcrumbs (`首页 > … > 部门决算`); its <title> names the report."""
    from extractor import extract

    page = ("<html><head><title>甘州区政务服务管理局2023年度部门决算</title></head><body>"
            "<div>首页 &gt; 信息公开 &gt; 部门决算</div><p>本年收入合计348.63万元。</p></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    meta = extract(path).meta
    assert (meta.title, meta.report_year, meta.report_type) == ("甘州区政务服务管理局2023年度部门决算", 2023, "final-accounts")
