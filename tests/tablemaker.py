"""Write a grid of cell texts as a DOCX, XLSX or PDF table, for reader round-trip tests.

`merges` are (row0, col0, row1, col1) rectangles, inclusive; the text of a merged range is
the text at its top-left cell. PDFs use reportlab's Table with a GRID style and the built-in
CID font STSong-Light, so no font file is needed.
"""
from __future__ import annotations

from pathlib import Path

Merge = tuple[int, int, int, int]


def write_docx(path: Path, grid: list[list[str]], merges: list[Merge] = (), title: str = "") -> Path:
    import docx

    d = docx.Document()
    if title:
        d.add_paragraph(title)
    n_cols = max(len(r) for r in grid)
    table = d.add_table(rows=len(grid), cols=n_cols)
    table.style = "Table Grid"
    for r0, c0, r1, c1 in merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
               if (r, c) != (r0, c0)}
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if (r, c) not in covered and text:
                table.cell(r, c).text = text
    d.save(str(path))
    return path


def write_xlsx(path: Path, grid: list[list[str]], merges: list[Merge] = (), title: str = "") -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    offset = 0
    if title:
        ws.cell(row=1, column=1, value=title)
        offset = 1
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text:
                ws.cell(row=r + 1 + offset, column=c + 1, value=text)
    for r0, c0, r1, c1 in merges:
        ws.merge_cells(start_row=r0 + 1 + offset, start_column=c0 + 1, end_row=r1 + 1 + offset, end_column=c1 + 1)
    wb.save(str(path))
    return path


def write_pdf(path: Path, grid: list[list[str]], merges: list[Merge] = (), title: str = "") -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    n_cols = max(len(r) for r in grid)
    rows = [list(r) + [""] * (n_cols - len(r)) for r in grid]
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), "STSong-Light"),
        ("FONTSIZE", (0, 0), (-1, -1), 6),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    style += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in merges]
    width = landscape(A4)[0] - 60
    cell_style = ParagraphStyle("cell", fontName="STSong-Light", fontSize=7, leading=9, wordWrap="CJK")
    rows = [[Paragraph(text, cell_style) if text else "" for text in row] for row in rows]
    table = Table(rows, colWidths=[width / n_cols] * n_cols, style=TableStyle(style))
    story = []
    if title:
        story.append(Paragraph(title, ParagraphStyle("t", fontName="STSong-Light", fontSize=10)))
    story.append(table)
    SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=30, rightMargin=30).build(story)
    return path


WRITERS = {"docx": write_docx, "xlsx": write_xlsx, "pdf": write_pdf}
