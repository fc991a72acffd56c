"""pdfplumber's table finder for ruled tables (`page.find_tables()` with its default
settings), giving the same tables in about linear time.

pdfplumber snaps and joins the page's ruling edges, finds where they cross and takes, for
every crossing, the smallest rectangle of crossings joined by common edges. Its code
copies each edge dict at every step, pairs every vertical edge with every horizontal one,
and for each crossing scans all later crossings and rebuilds sets of edge boxes at every
test: on a page of a 决算 with a few hundred rulings that is most of the reader's table
time. The steps here are pdfplumber's, on plain tuples, with each crossing's edges kept as
sets of edge numbers and the crossings of a row or column found by index; every float is
computed by the same operations in the same order, so the cells are equal, not close.
`tests/test_pdf_rulings.py` holds the two to the same tables. The last steps (cells into
tables, `Table` objects) are pdfplumber's own.
"""
from __future__ import annotations

import bisect
from typing import Any

from .pdf_lines import clusters

# pdfplumber's `TableSettings` defaults (lines strategy)
SNAP_TOLERANCE = 3
JOIN_TOLERANCE = 3
EDGE_MIN_LENGTH = 3
EDGE_MIN_LENGTH_PREFILTER = 1
INTERSECTION_TOLERANCE = 3
# the edges crossing a vertical edge are looked up by top within its span widened by this
# much more than the tolerance, then tested exactly as pdfplumber tests them
_LOOKUP_SLACK = 1e-6

# an edge: (x0, top, x1, bottom, width, height)
_Edge = tuple[float, float, float, float, float, float]
_Point = tuple[float, float]
_Bbox = tuple[float, float, float, float]


def find_tables(page: Any) -> list[Any]:
    """What `page.find_tables()` returns (pdfplumber `Table` objects), for the default settings."""
    from pdfplumber.table import Table, cells_to_tables

    vertical, horizontal = _page_edges(page)
    vertical, horizontal = _merged(vertical, horizontal)
    cells = _cells(_intersections(vertical, horizontal))
    return [Table(page, group) for group in cells_to_tables(cells)]


def _page_edges(page: Any) -> tuple[list[_Edge], list[_Edge]]:
    """The vertical and horizontal edges of `page.edges` (lines, then the four sides of each
    rect, then each segment of each curve) at least EDGE_MIN_LENGTH_PREFILTER long, in
    that order, as pdfplumber's `line_to_edge`, `rect_to_edges` and `curve_to_edges` make them."""
    vertical: list[_Edge] = []
    horizontal: list[_Edge] = []

    def add(edge: _Edge, orientation: str | None) -> None:
        if orientation == "v" and edge[5] >= EDGE_MIN_LENGTH_PREFILTER:
            vertical.append(edge)
        elif orientation == "h" and edge[4] >= EDGE_MIN_LENGTH_PREFILTER:
            horizontal.append(edge)

    for line in page.lines:
        edge = (line["x0"], line["top"], line["x1"], line["bottom"], line["width"], line["height"])
        add(edge, "h" if line["top"] == line["bottom"] else "v")
    for rect in page.rects:
        x0, top, x1, bottom, width, height = (rect["x0"], rect["top"], rect["x1"], rect["bottom"],
                                              rect["width"], rect["height"])
        add((x0, top, x1, top, width, 0), "h")
        add((x0, top + height, x1, bottom, width, 0), "h")
        add((x0, top, x0, bottom, 0, height), "v")
        add((x1, top, x1, bottom, 0, height), "v")
    for curve in page.curves:
        points = curve["pts"]
        for (ax, ay), (bx, by) in zip(points, points[1:]):
            edge = (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), abs(ax - bx), abs(ay - by))
            add(edge, "v" if ax == bx else ("h" if ay == by else None))
    return vertical, horizontal


def _merged(vertical: list[_Edge], horizontal: list[_Edge]) -> tuple[list[_Edge], list[_Edge]]:
    """pdfplumber's `merge_edges` then `filter_edges(min_length=EDGE_MIN_LENGTH)`: edges
    snapped to their cluster's mean position, then joined along each line."""
    vertical = _joined(_snapped(vertical, 0), 0)
    horizontal = _joined(_snapped(horizontal, 1), 1)
    return ([e for e in vertical if e[5] >= EDGE_MIN_LENGTH],
            [e for e in horizontal if e[4] >= EDGE_MIN_LENGTH])


def _clusters(edges: list[_Edge], key: int) -> list[list[_Edge]]:
    """pdfplumber's `cluster_objects`: edges whose `key` values chain within SNAP_TOLERANCE,
    clusters in order of value, edges in their given order inside a cluster."""
    index = clusters((e[key] for e in edges), SNAP_TOLERANCE) if edges else {}
    out: list[list[_Edge]] = [[] for _ in range(max(index.values()) + 1)] if edges else []
    for e in edges:
        out[index[e[key]]].append(e)
    return out


def _snapped(edges: list[_Edge], key: int) -> list[_Edge]:
    """pdfplumber's `snap_objects` on x0 (vertical edges, key 0) or top (horizontal, key 1)."""
    out: list[_Edge] = []
    for cluster in _clusters(edges, key):
        mean = sum(e[key] for e in cluster) / len(cluster)
        for x0, top, x1, bottom, width, height in cluster:
            if key == 0:
                shift = mean - x0
                out.append((x0 + shift, top, x1 + shift, bottom, width, height))
            else:
                shift = mean - top
                out.append((x0, top + shift, x1, bottom + shift, width, height))
    return out


def _joined(edges: list[_Edge], key: int) -> list[_Edge]:
    """pdfplumber's `join_edge_group` on each line of edges (same x0, or same top), lines
    in order of position: edges that touch or overlap within the tolerance become one."""
    lines: dict[float, list[_Edge]] = {}
    for e in edges:
        lines.setdefault(e[key], []).append(e)
    out: list[_Edge] = []
    for position in sorted(lines):
        if key == 0:  # vertical: along top .. bottom
            group = sorted(lines[position], key=lambda e: e[1])
            joined = [group[0]]
            for e in group[1:]:
                x0, top, x1, bottom, width, height = joined[-1]
                if e[1] <= bottom + JOIN_TOLERANCE:
                    if e[3] > bottom:
                        joined[-1] = (x0, top, x1, e[3], width, height + (e[3] - bottom))
                else:
                    joined.append(e)
        else:  # horizontal: along x0 .. x1
            group = sorted(lines[position], key=lambda e: e[0])
            joined = [group[0]]
            for e in group[1:]:
                x0, top, x1, bottom, width, height = joined[-1]
                if e[0] <= x1 + JOIN_TOLERANCE:
                    if e[2] > x1:
                        joined[-1] = (x0, top, e[2], bottom, e[2] - x0, height)
                else:
                    joined.append(e)
        out.extend(joined)
    return out


def _intersections(vertical: list[_Edge], horizontal: list[_Edge]) -> dict[_Point, tuple[set[int], set[int]]]:
    """pdfplumber's `edges_to_intersections`: each crossing point with the edges through
    it, as sets of edge numbers (edges with the same box share a number, as pdfplumber
    compares edges by their boxes)."""
    ids: dict[_Bbox, int] = {}
    tol = INTERSECTION_TOLERANCE
    by_top = sorted(horizontal, key=lambda e: e[1])
    tops = [e[1] for e in by_top]
    points: dict[_Point, tuple[set[int], set[int]]] = {}
    for v in vertical:
        vx, vtop, _, vbottom = v[:4]
        v_id = ids.setdefault(v[:4], len(ids))
        lo = bisect.bisect_left(tops, vtop - tol - _LOOKUP_SLACK)
        hi = bisect.bisect_right(tops, vbottom + tol + _LOOKUP_SLACK)
        for h in by_top[lo:hi]:
            htop = h[1]
            if vtop <= htop + tol and vbottom >= htop - tol and vx >= h[0] - tol and vx <= h[2] + tol:
                v_ids, h_ids = points.setdefault((vx, htop), (set(), set()))
                v_ids.add(v_id)
                h_ids.add(ids.setdefault(h[:4], len(ids)))
    return points


def _cells(points: dict[_Point, tuple[set[int], set[int]]]) -> list[_Bbox]:
    """pdfplumber's `intersections_to_cells`: for each crossing in order, the smallest cell
    it opens (the first crossing below and the first to the right joined to it by an edge
    whose corner crossing is joined to both), in the same order of tries. A crossing below
    shares x with it and can only be joined by a vertical edge, one to the right by a
    horizontal edge (pdfplumber's `edge_connects` tests both; the other never holds)."""
    order = sorted(points)
    below_of: dict[float, list[_Point]] = {}
    right_of: dict[float, list[_Point]] = {}
    for point in order:  # by x, then y: a column's crossings top down, a row's left to right
        below_of.setdefault(point[0], []).append(point)
        right_of.setdefault(point[1], []).append(point)
    column_at = {p: k for column in below_of.values() for k, p in enumerate(column)}
    row_at = {p: k for row in right_of.values() for k, p in enumerate(row)}
    cells: list[_Bbox] = []
    for point in order:
        vertical, horizontal = points[point]
        right = right_of[point[1]][row_at[point] + 1:]
        joined: dict[_Point, bool] = {}  # crossings to the right: joined to `point`?
        for below_pt in below_of[point[0]][column_at[point] + 1:]:
            below_vertical, below_horizontal = points[below_pt]
            if vertical.isdisjoint(below_vertical):
                continue
            for right_pt in right:
                right_vertical = points[right_pt][0]
                ok = joined.get(right_pt)
                if ok is None:
                    ok = joined[right_pt] = not horizontal.isdisjoint(points[right_pt][1])
                if not ok:
                    continue
                corner = (right_pt[0], below_pt[1])
                found = points.get(corner)
                if (found is not None and not found[0].isdisjoint(right_vertical)
                        and not found[1].isdisjoint(below_horizontal)):
                    cells.append((point[0], point[1], corner[0], corner[1]))
                    break
            else:
                continue
            break
    return cells
