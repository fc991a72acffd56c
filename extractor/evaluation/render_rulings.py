"""Table rulings drawn as thin filled polygons instead of stroked lines.

Several 决算/预算 generators draw every cell border as a filled quadrilateral a fraction of
a point thick, its ends mitred where borders meet, never as a line or a rectangle: PDF
parsers see curves, not rulings (the 部门决算 of 西安 health commission, the 部门预算 of
广州 信访局). `OutlinedTable` prints a reportlab table that way, so the synthetic layouts
exercise the same class.
"""
from __future__ import annotations

from reportlab.platypus import Table

# border thickness in points (0.75 in the generators seen)
THICKNESS = 0.75


class OutlinedTable(Table):
    """A reportlab `Table` whose cell borders are filled mitred polygons: the top and left
    border of every cell (a spanning cell's box as one), the right and bottom of the table."""

    def _drawLines(self) -> None:  # noqa: N802 (reportlab's hook)
        canv, w = self.canv, THICKNESS
        xs, ys = self._colpositions, self._rowpositions  # ys run from the top down
        canv.saveState()
        canv.setFillColorRGB(0, 0, 0)
        if not hasattr(self, "_spanRanges"):  # reportlab works the spans out only for tables with some
            self._calcSpanRanges()
        for (col, row), span in self._spanRanges.items():
            if span is None:
                continue  # covered by a spanning cell
            c0, r0, c1, r1 = span
            if (col, row) != (c0, r0):
                continue
            left, right, top, bottom = xs[c0], xs[c1 + 1], ys[r0], ys[r1 + 1]
            self._bar(canv, [(left, top), (right, top), (right - w, top - w), (left + w, top - w)])
            self._bar(canv, [(left, bottom), (left, top), (left + w, top - w), (left + w, bottom + w)])
        left, right, top, bottom = xs[0], xs[-1], ys[0], ys[-1]
        self._bar(canv, [(right, top), (right, bottom), (right - w, bottom + w), (right - w, top - w)])
        self._bar(canv, [(right, bottom), (left, bottom), (left + w, bottom + w), (right - w, bottom + w)])
        canv.restoreState()

    @staticmethod
    def _bar(canv, points: list[tuple[float, float]]) -> None:  # noqa: ANN001
        path = canv.beginPath()
        path.moveTo(*points[0])
        for x, y in points[1:]:
            path.lineTo(x, y)
        path.close()
        canv.drawPath(path, stroke=0, fill=1)
