"""HTML reader (lxml's HTML parser, libxml2): web pages of 部门决算 and "XLS" exports that are HTML.

Government sites publish 决算 and self-evaluation tables as HTML pages, and finance systems
save HTML tables with a `.xls` suffix (Excel opens them). The bytes decide: a file whose
start is HTML markup is read here whatever its suffix says. Decoding trusts a BOM, then a
`<meta charset>` (a page that is mostly CSS with a few Chinese words would fool byte
statistics), then the text reader's detection.

Parsing is libxml2's HTML parser (linear in the input: the standard library's parser
rescans the rest of the page for every `<` that is not a tag, minutes for a 2 MB page),
whose events build a small tree forgivingly, as browsers do: unclosed cells and rows close
when the next one starts, a stray `</td>` or `</div>` is ignored, the head closes where the
body starts, an unclosed comment hides the rest of the page. Rendering then follows the other readers: paragraphs at block boundaries,
`rowspan`/`colspan` expanded with the text at the top-left (covered positions "" and
listed in `Table.merged`), title rows inside the table and the lines above it in
`Table.context` (the spreadsheet readers' `sheet_table` does that part, so an Excel HTML
export reads like the same sheet as XLS). A table that holds a real grid table in one of
its cells, or has a single column, is page layout (old sites wrap the whole page in
tables): its cells are read as paragraphs and the inner tables as tables. A small nested
table (one row or one column) is flattened into its cell's text, as DOCX does.
"""
from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field

from ..model import Document
from . import limits
from .builder import DocumentBuilder
from .errors import read_error
from .sheets import Range, sheet_table
from .text import bom_encoding, decode, is_binary
from .wrapping import is_cjk, join_cell_lines

NAME = "html"
LABEL = "HTML"
SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
# suffixes of binary formats that finance systems and Office use for HTML saves; a file so
# named whose bytes are HTML is read as HTML instead of being refused as a misnamed file
DISGUISE_SUFFIXES = (".xls", ".xlsx", ".xlt", ".doc")
CONTEXT_LINES = 3
PRESCAN_BYTES = 64 * 1024  # where a charset declaration is looked for
# a declared GBK page that decodes as strict UTF-8 with this many non-ASCII bytes was
# re-saved as UTF-8 without fixing its <meta>; fewer could be GBK by chance (`联通`)
MIN_UTF8_EVIDENCE = 12
MAX_COLSPAN = 1000  # the HTML standard's limits
MAX_ROWSPAN = 65534
MAX_DEPTH = 200  # deeper elements are read as part of their parent (no recursion blow-up)
MAX_TABLE_CELLS = 2_000_000  # a grid larger than this is a malicious span, not a report

_SIGNATURE = re.compile(r"<(?:!doctype\s+html|html|table|meta|head|body)(?![\w:-])", re.I)
_PREAMBLE = re.compile(r"(?:\s+|<\?[^>]*>|<!--.*?-->)*", re.S)
_EXCEL_NS = "urn:schemas-microsoft-com:office:excel"
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_GB_CODECS = {"gb2312", "gbk", "gb18030", "hz", "euc_cn", "cp936"}
_WS = re.compile(r"\s+")
_WS_RUN = re.compile(r"(\s+)")
_ASCII = bytes(range(0x80))
_LEADING_INT = re.compile(r"\s*(\d+)")  # browsers read colspan="2;" or "3px" as the number
_END_BR = re.compile(r"</br\s*>", re.I)  # browsers read </br> as <br>; libxml2 drops it

_VOID = {"area", "base", "basefont", "br", "col", "embed", "frame", "hr", "img", "input", "keygen",
         "link", "meta", "param", "source", "track", "wbr"}
_HIDDEN = {"script", "style", "head", "title", "template", "noscript", "select", "textarea", "iframe",
           "object", "svg", "math", "xml"}
_HEAD_CONTENT = {"meta", "link", "title", "style", "script", "base", "noscript", "template", "xml"}
_TRANSPARENT = {"html", "body", "thead", "tbody", "tfoot", "colgroup"}
_BLOCKS = {"address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog",
           "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
           "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li", "main", "menu", "nav",
           "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul"}
_CELLS = {"td", "th"}
_TABLE_SCOPE = {"table", "td", "th", "caption"}  # a stray end tag does not close across these


def matches(head: bytes, zip_names: frozenset[str] = frozenset()) -> bool:
    return looks_like_html(head)


def mismatch(head: bytes, zip_names: frozenset[str] = frozenset()) -> str:
    return "not an HTML file (no HTML markup at the start)"


def looks_like_html(head: bytes) -> bool:
    """True when `head` starts (after a BOM, blanks, an XML declaration or comments) with
    HTML markup, or is an Excel HTML export."""
    encoding = bom_encoding(head)
    start = head.decode(encoding, errors="ignore") if encoding else head.decode("latin-1")
    start = start.lstrip("\ufeff")
    if _SIGNATURE.match(start, _PREAMBLE.match(start).end()):
        return True
    lowered = start.lower()
    return _EXCEL_NS in lowered and "<html" in lowered


def decode_html(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOM, then a declared utf-8/GB charset, then text detection."""
    if bom_encoding(data) is None:
        declared = _declared_codec(data[:PRESCAN_BYTES])
        if declared == "utf-8" or (declared == "gb18030" and not _really_utf8(data)):
            try:
                return data.decode(declared), declared
            except UnicodeDecodeError:
                pass  # the declaration lies; the bytes decide
    return decode(data)


def _declared_codec(head: bytes) -> str | None:
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if m is None:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if name in _GB_CODECS:
        return "gb18030"  # the superset: GBK pages use its extra characters all the time
    return "utf-8" if name == "utf-8" else None


def _really_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return len(data.translate(None, _ASCII)) >= MIN_UTF8_EVIDENCE


def read(path: str) -> Document:
    size = os.path.getsize(path)
    if size > limits.MAX_FILE_BYTES:
        raise read_error(path, f"file of {size} bytes is larger than the {limits.MAX_FILE_BYTES} byte limit")
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        text, encoding = decode_html(data)
    except ValueError as exc:
        raise read_error(path, str(exc).replace("not text", "not HTML")) from None
    if is_binary(text):
        raise read_error(path, "binary data, not HTML (control characters)")
    tree = parse_tree(text)
    builder = DocumentBuilder(path, NAME)
    _Renderer(builder, path).render(tree.root)
    if not builder.blocks:
        raise read_error(path, "HTML page without any text (its content may be loaded by scripts)")
    meta = {"encoding": encoding}
    if tree.title.strip():
        meta["title"] = _WS.sub(" ", tree.title).strip()
    return builder.build(meta=meta)


# ---------------------------------------------------------------- parsing into a tree


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["_Node | str"] = field(default_factory=list)


def parse_tree(text: str) -> "_TreeBuilder":
    """The page's tree, from libxml2's parse events (entities decoded, comments dropped)."""
    from lxml import etree

    tree = _TreeBuilder()
    parser = etree.HTMLParser(target=tree, recover=True, no_network=True, remove_comments=True,
                              remove_pis=True, huge_tree=True)
    parser.feed(_END_BR.sub("<br>", text))
    parser.close()
    return tree


class _TreeBuilder:
    """A forgiving tree: implied `<tr>`, cells and rows closed by the next one, stray end
    tags ignored, deep nesting flattened at MAX_DEPTH. A target of lxml's parser."""

    def __init__(self) -> None:
        self.root = _Node("#root")
        self.stack: list[_Node] = [self.root]
        self.title = ""
        self._title: list[str] = []
        self._text_parents: list[_Node] = []  # nodes whose text runs are still lists of pieces
        self._in_head = False
        self._in_body = False  # a <head> after body content is ignored, as browsers do

    def _open(self, tag: str) -> int | None:
        """Index in the stack of the innermost open `tag` not behind a table boundary."""
        for i in range(len(self.stack) - 1, 0, -1):
            t = self.stack[i].tag
            if t == tag:
                return i
            if t in _TABLE_SCOPE:
                return None
        return None

    def _table(self) -> int | None:
        return next((i for i in range(len(self.stack) - 1, 0, -1) if self.stack[i].tag == "table"), None)

    def _close_head(self) -> None:
        if self._in_head:
            self._in_head = False
            i = next((i for i, n in enumerate(self.stack) if n.tag == "head"), None)
            if i is not None:
                del self.stack[i:]

    def _append(self, node: _Node) -> None:
        self.stack[-1].children.append(node)

    def _push(self, node: _Node) -> None:
        self._append(node)
        if len(self.stack) < MAX_DEPTH:
            self.stack.append(node)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.handle_starttag(tag.lower(), list(attrib.items()))

    def end(self, tag: str) -> None:
        self.handle_endtag(tag.lower())

    def data(self, data: str) -> None:
        self.handle_data(data)

    def close(self) -> None:
        for node in self._text_parents:
            node.children = ["".join(c) if isinstance(c, list) else c for c in node.children]
        self._text_parents.clear()
        self.title = "".join(self._title)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HEAD_CONTENT:
            self._close_head()
            self._in_body = self._in_body or tag not in ("html", "head")
        if tag in _TRANSPARENT or (tag == "head" and self._in_body):
            return
        node = _Node(tag, {k: v or "" for k, v in attrs})
        if tag in _VOID:
            self._append(node)
            return
        table = self._table()
        if tag in _CELLS and table is not None:
            row = next((i for i in range(len(self.stack) - 1, table, -1) if self.stack[i].tag == "tr"), None)
            if row is None:
                del self.stack[table + 1:]
                self._push(_Node("tr"))
            else:
                del self.stack[row + 1:]
        elif tag in ("tr", "caption") and table is not None:
            del self.stack[table + 1:]
        elif tag in ("p", "li"):
            same = self._open(tag)
            if same is not None:
                del self.stack[same:]
        elif tag == "head":
            self._in_head = True
        self._push(node)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":  # browsers read </br> as <br>
            self._append(_Node("br"))
            return
        if tag in _VOID or tag in _TRANSPARENT:
            return
        if tag == "table":
            i = self._table()
        elif tag in ("tr", "td", "th"):
            table = self._table()
            i = next((i for i in range(len(self.stack) - 1, table or 0, -1) if self.stack[i].tag == tag), None)
        elif tag == "head":
            self._close_head()
            return
        else:
            i = self._open(tag)
        if i is not None:
            del self.stack[i:]
        elif tag == "p":  # `</p>` with no open <p> is an empty paragraph in browsers
            self._append(_Node("p"))

    def handle_data(self, data: str) -> None:
        top = self.stack[-1]
        if top.tag == "title":
            self._title.append(data)
        if data.strip() and top.tag not in _HEAD_CONTENT:
            self._close_head()
            self._in_body = True
            top = self.stack[-1]
        if top.children and isinstance(top.children[-1], list):
            top.children[-1].append(data)  # joined in close(): += would copy the run each time
        else:
            top.children.append([data])
            self._text_parents.append(top)


# ---------------------------------------------------------------- rendering


class _Lines:
    """Lines of text from inline pieces, with HTML whitespace collapsing: a run of blanks
    is one space, except that a source line break between two CJK characters is dropped
    (CSS segment-break rule: Word and CMS exports wrap Chinese text anywhere)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._cur: list[str] = []
        self._gap = ""  # pending whitespace: "", " ", or "\n" when it held a line break

    def add(self, text: str) -> None:
        for i, part in enumerate(_WS_RUN.split(text)):
            if i % 2:
                self._gap = "\n" if "\n" in self._gap + part else " "
            elif part:
                if self._cur and self._gap and not (
                    self._gap == "\n" and is_cjk(self._cur[-1][-1]) and is_cjk(part[0])
                ):
                    self._cur.append(" ")
                self._cur.append(part)
                self._gap = ""

    def add_lines(self, lines: list[str]) -> None:
        self.brk()
        self.lines.extend(line for line in lines if line)

    def brk(self) -> None:
        if self._cur:
            self.lines.append("".join(self._cur))
        self._cur = []
        self._gap = ""


@dataclass
class _TableParts:
    rows: list[list[_Node]]
    captions: list[_Node]
    stray: list[_Node | str]  # content browsers move out in front of the table


def _table_parts(table: _Node) -> _TableParts:
    parts = _TableParts([], [], [])

    def walk(node: _Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    parts.stray.append(child)
            elif child.tag == "tr":  # the tree builder puts cells right under their row
                parts.rows.append([c for c in child.children if isinstance(c, _Node) and c.tag in _CELLS])
                parts.stray.extend(c for c in child.children if isinstance(c, _Node) and c.tag not in _CELLS)
            elif child.tag == "caption":
                parts.captions.append(child)
            else:
                parts.stray.append(child)

    walk(table)
    return parts


def _span(node: _Node, name: str, limit: int) -> int:
    m = _LEADING_INT.match(node.attrs.get(name, ""))
    return min(int(m.group(1)), limit) if m else 1


def _width(row: list[_Node]) -> int:
    return sum(max(_span(c, "colspan", MAX_COLSPAN), 1) for c in row)


def _is_grid(table: _Node) -> bool:
    """A real table (at least 2 rows and 2 columns), not a list dressed as a table."""
    rows = _table_parts(table).rows
    return len(rows) >= 2 and max((_width(r) for r in rows), default=0) >= 2


def _holds_grid(node: _Node) -> bool:
    for child in node.children:
        if isinstance(child, _Node) and child.tag not in _HIDDEN:
            if (child.tag == "table" and _is_grid(child)) or _holds_grid(child):
                return True
    return False


class _Renderer:
    """Walks the tree once: paragraphs and data tables to the builder, in document order."""

    def __init__(self, builder: DocumentBuilder, path: str) -> None:
        self.builder = builder
        self.path = path
        self.flow = _Lines()
        self.recent: list[str] = []  # paragraphs since the last table, for its context

    def render(self, root: _Node) -> None:
        self.walk(root, self.flow, in_cell=False)
        self.flush()

    def flush(self) -> None:
        self.flow.brk()
        for line in self.flow.lines:
            self.builder.add_paragraph(line)
            self.recent.append(line)
        self.flow.lines.clear()

    def walk(self, node: _Node, out: _Lines, in_cell: bool) -> None:
        for child in node.children:
            if isinstance(child, str):
                out.add(child)
            elif child.tag == "br":
                out.brk()
            elif child.tag == "table":
                self.table(child, out, in_cell)
            elif child.tag not in _HIDDEN:
                block = child.tag in _BLOCKS
                if block:
                    out.brk()
                self.walk(child, out, in_cell)
                if block:
                    out.brk()

    def cell_text(self, cell: _Node) -> str:
        lines = _Lines()
        self.walk(cell, lines, in_cell=True)
        lines.brk()
        return join_cell_lines("\n".join(lines.lines))

    def table(self, node: _Node, out: _Lines, in_cell: bool) -> None:
        parts = _table_parts(node)
        out.brk()
        for item in parts.stray:
            self.walk(_Node("div", children=[item]), out, in_cell)
        for caption in parts.captions:
            self.walk(caption, out, in_cell)
            out.brk()
        if in_cell:  # a small table inside a data cell: one line per row
            out.add_lines([" ".join(t for t in (self.cell_text(c) for c in row) if t) for row in parts.rows])
            return
        width = max((_width(r) for r in parts.rows), default=0)
        if width <= 1 or any(_holds_grid(c) for row in parts.rows for c in row):
            for row in parts.rows:  # page layout: cells are just regions of the page
                for c in row:
                    out.brk()
                    self.walk(c, out, in_cell)
            out.brk()
            return
        grid, ranges = self.grid(parts.rows)
        self.flush()
        table = sheet_table(grid, ranges, "\n".join(self.recent[-CONTEXT_LINES:]))
        if table is None:
            return
        cells, merged, context = table
        merged = {k: v for k, v in merged.items() if not cells[k[0]][k[1]]}
        self.builder.add_table(cells, context=context.strip("\n"), merged=merged)
        self.recent.clear()

    def grid(self, rows: list[list[_Node]]) -> tuple[list[list[str]], list[Range]]:
        """Cell texts on the grid the spans make, and the merged ranges (real merges only:
        Excel writes `mso-ignore:colspan` where text merely overflows into empty cells)."""
        taken: set[tuple[int, int]] = set()
        placed: dict[tuple[int, int], str] = {}
        ranges: list[Range] = []
        n_cols = 0
        for r, row in enumerate(rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                rowspan = _span(cell, "rowspan", MAX_ROWSPAN)
                rowspan = len(rows) - r if rowspan == 0 else min(rowspan, len(rows) - r)
                colspan = max(_span(cell, "colspan", MAX_COLSPAN), 1)
                n_cols = max(n_cols, c + colspan)
                if len(taken) + rowspan * colspan > MAX_TABLE_CELLS or len(rows) * n_cols > MAX_TABLE_CELLS:
                    raise read_error(self.path, f"HTML table larger than the {MAX_TABLE_CELLS} cell limit")
                placed[(r, c)] = self.cell_text(cell)
                taken.update((rr, cc) for rr in range(r, r + rowspan) for cc in range(c, c + colspan))
                style = "".join(cell.attrs.get("style", "").split()).lower()
                if (rowspan > 1 or colspan > 1) and "mso-ignore:colspan" not in style:
                    ranges.append((r, c, r + rowspan - 1, c + colspan - 1))
                c += colspan
        grid = [[placed.get((r, c), "") for c in range(n_cols)] for r in range(len(rows))]
        return grid, ranges
