"""Generators of hostile and huge inputs: each writes one file built to stress a reader.

Shared by `tests/test_hostile_inputs.py` (small sizes that still prove the cost is linear)
and `bench/bench_hostile.py` (the issue's sizes, timed and measured). Every generator takes
a directory and a size knob and returns the path it wrote; nothing here is random.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

PROSE_PARAGRAPH = (
    "{i}. 2023年度专项经费项目{i}主要任务及完成情况。全年预算安排{a}.50万元，实际支出{b}.25万元，"
    "预算执行率为85.60%。项目按计划完成了年初设定的绩效目标，群众满意度达到95%以上。\n"
)


def _rewrite_zip(path: Path, edits: dict[str, "callable"]) -> None:
    """Rewrite members of a zip through `edits[name](bytes) -> bytes`."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename in edits:
                data = edits[info.filename](data)
            out.writestr(info.filename, data)


def _small_sheet(path: Path, far_cell: str | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位：万元"])
    ws.append(["项目", "预算数", "执行数"])
    ws.append(["办公经费", 12.5, 11.2])
    ws.append(["合计", 12.5, 11.2])
    if far_cell:
        ws[far_cell] = 1
    wb.save(path)
    return path


def sparse_xlsx(folder: Path, far_cell: str = "XFD1048576") -> Path:
    """A 2 KB workbook whose one extra cell sits at the sheet's last row and column."""
    return _small_sheet(folder / f"sparse-{far_cell}.xlsx", far_cell)


def huge_merge_xlsx(folder: Path, ref: str = "A6:XFD1048576") -> Path:
    """A small table and one merged range covering the rest of the sheet (written into the
    XML directly: openpyxl itself would create every covered cell)."""
    path = _small_sheet(folder / "huge-merge.xlsx")
    merge = f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'.encode()
    _rewrite_zip(path, {"xl/worksheets/sheet1.xml": lambda d: d.replace(b"</sheetData>", b"</sheetData>" + merge, 1)})
    return path


def nested_tables_docx(folder: Path, depth: int = 20) -> Path:
    """Tables nested `depth` deep, each level a 2 × 2 table with an amount in it."""
    import docx

    document = docx.Document()
    document.add_paragraph("嵌套表格")
    table = document.add_table(rows=2, cols=2)
    for level in range(depth):
        table.cell(0, 0).text = f"层{level}"
        table.cell(1, 1).text = f"{level + 1}.00万元"
        if level < depth - 1:
            table = table.cell(1, 0).add_table(rows=2, cols=2)
    path = folder / f"nested-{depth}.docx"
    document.save(path)
    return path


def vmerge_chain_docx(folder: Path, rows: int = 5000) -> Path:
    """A table whose first column is one vertically merged cell running down `rows` rows."""
    import docx

    document = docx.Document()
    document.add_paragraph("纵向合并")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "项目"
    table.cell(0, 1).text = "金额"
    table.cell(1, 0).text = "办公经费"
    table.cell(1, 1).text = "1.00"
    path = folder / f"vmerge-{rows}.docx"
    document.save(path)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def chain(xml: bytes) -> bytes:
        first = ('<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>合并</w:t></w:r></w:p></w:tc>'
                 '<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>')
        more = ('<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>'
                '<w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc></w:tr>')
        body = (first + more * (rows - 1)).encode()
        assert w.encode() in xml
        return xml.replace(b"</w:tbl>", body + b"</w:tbl>", 1)

    _rewrite_zip(path, {"word/document.xml": chain})
    return path


def many_paragraphs_docx(folder: Path, paragraphs: int = 100_000) -> Path:
    """`paragraphs` short paragraphs (written as XML: python-docx takes minutes to add them)."""
    import docx

    document = docx.Document()
    document.add_paragraph("段落")
    path = folder / f"paragraphs-{paragraphs}.docx"
    document.save(path)
    body = "".join(f"<w:p><w:r><w:t>第{i}段，支出{i % 97}万元。</w:t></w:r></w:p>" for i in range(paragraphs)).encode()
    _rewrite_zip(path, {"word/document.xml": lambda d: d.replace(b"<w:sectPr", body + b"<w:sectPr", 1)})
    return path


def html_of_angles(folder: Path, megabytes: float = 2.0) -> Path:
    """An HTML page whose text is full of `<` that are not tags (`a<b`, `<1`, `<<`), with no
    `>` after them: a parser that looks for the end of each would-be tag rescans the page."""
    unit = "比较 x <1，y<2 且 a<b与c<d，预算5万元；\n"
    n = int(megabytes * 1024 * 1024 / len(unit.encode()))
    path = folder / f"angles-{megabytes:g}mb.html"
    path.write_text("<html><body><p>开头100万元</p><p>" + unit * n, encoding="utf-8")
    return path


def html_unclosed_comment(folder: Path, megabytes: float = 10.0) -> Path:
    """A page whose comment opens near the top and never closes, followed by `megabytes` of text."""
    unit = "<p>预算5万元，执行率90%</p>\n"
    n = int(megabytes * 1024 * 1024 / len(unit.encode()))
    path = folder / f"comment-{megabytes:g}mb.html"
    path.write_text("<html><body><p>开头100万元</p><!-- 未闭合\n" + unit * n + "</body></html>", encoding="utf-8")
    return path


def prose_text(folder: Path, megabytes: float = 1.0) -> Path:
    """A plain-text report of about `megabytes` MB: numbered project paragraphs."""
    parts: list[str] = []
    size = 0
    i = 0
    while size < megabytes * 1024 * 1024:
        line = PROSE_PARAGRAPH.format(i=i, a=10 + i % 900, b=8 + i % 700)
        parts.append(line)
        size += len(line.encode())
        i += 1
    path = folder / f"prose-{megabytes:g}mb.txt"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def digit_line(folder: Path, megabytes: float = 8.0) -> Path:
    """One line of `megabytes` MB: digits with thousands separators, and a unit at the end."""
    n = int(megabytes * 1024 * 1024 / 4)
    path = folder / f"digits-{megabytes:g}mb.txt"
    path.write_text("合计1" + ",234" * n + "万元\n", encoding="utf-8")
    return path


def path_heavy_pdf(folder: Path, operators: int = 2_000_000) -> Path:
    """A one-page PDF whose content stream draws `operators` tiny line segments, then text."""
    segs = []
    for i in range(operators // 3):
        x = 50 + (i * 7) % 500
        y = 50 + (i * 13) % 700
        segs.append(f"{x} {y} m {x + 1} {y} l S")
    drawing = "\n".join(segs)
    text = "BT /F1 12 Tf 72 760 Td (Total 100) Tj ET"
    content = (drawing + "\n" + text).encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    path = folder / f"paths-{operators}.pdf"
    path.write_bytes(out.getvalue())
    return path


# the issue's table, at the issue's sizes: name -> (generator, kwargs)
ISSUE_TABLE = {
    "sparse XLSX (XFD1048576)": (sparse_xlsx, {"far_cell": "XFD1048576"}),
    "sparse XLSX (row 1048576)": (sparse_xlsx, {"far_cell": "A1048576"}),
    "huge merged range XLSX": (huge_merge_xlsx, {}),
    "DOCX 20 nested tables": (nested_tables_docx, {"depth": 20}),
    "DOCX vMerge chain 5000 rows": (vmerge_chain_docx, {"rows": 5000}),
    "DOCX 100,000 paragraphs": (many_paragraphs_docx, {"paragraphs": 100_000}),
    "HTML 2 MB of '<'": (html_of_angles, {"megabytes": 2}),
    "HTML 10 MB unclosed comment": (html_unclosed_comment, {"megabytes": 10}),
    "text 10 MB prose": (prose_text, {"megabytes": 10}),
    "PDF 2M path operators": (path_heavy_pdf, {"operators": 2_000_000}),
    "8 MB line of digits": (digit_line, {"megabytes": 8}),
}
