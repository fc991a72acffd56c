"""Self-evaluation tables flattened into text the ways web pages, mirrors and dumps do it: a
layout family of the layouts test.

One 项目支出绩效自评表 is generated (synth.py's project table, every fund cell written) and
printed as text in each layout seen in real reposts (../shared/real, issue 10):
- `pipe`: a row per line, cells split by ` | `, merged cells printed once (the reference);
- `pipepad`: the same with every empty trailing cell kept (`| ||||||||`), a 二级指标 printed
  only where it starts, and checkbox rows (`1、部门预算项目 £ 2、… R`) in the head;
- `cellbar`: one cell per line ending in ` |`, an empty cell a bare `|`;
- `percell`: one cell per line with a blank line between cells, empty cells simply missing;
- `numbered`: a 行次 column and a `列次 1 2 3 …` row numbering the money block, amounts written
  with six decimals (`251.890000`);
- `glued`: the head and the money block run together with no separator at all
  (`项目名称…主管部门…年度资金总额251.89251.89238.001094.49%9.45…`, money with two decimals
  as the glued real pages print it), the indicators in `|` rows;
- `tradpipe`: the `pipe` text in traditional script with a mirror site's pinyin (`預(yù)算`);
- `barewan`: `pipe` with the money block's unit written in each cell as a bare 万 (`251.89万`)
  and not in its header (`项目资金`);
- `figuresfirst`: `pipe` with each row of the money block printed with its figures before its
  label (`251.89 | 251.89 | 238.00 | 10 | 94.49% | 9.45 | 年度资金总额`), as PDF dumps print it;
- `noheader`: `pipe` with the money block's column header left out (only `项目资金（万元）` heads
  the fund rows), as declarations and dumps print it: the figures are in the standard columns;
- `headerlast`: `pipe` with the money block's column header printed after its fund rows (a dump
  that wrote a header block's labels after its values);
- `ocrnoise`: `glued` as an OCR engine reads it: form words with one look-alike character
  (`年初预匏数`, `实施第位`, `项Fl资金（万兀）`, patterns/ocr_misreads.json), column notes whose
  brackets came out as other punctuation (`全年预算数,A、`), and on half the documents the total
  row's label read before the column names (`项目资金（万元）年度资金总额年初预算数…得分854.57…`).
- `scattered`: a PDF text layer dumped in drawing order, cells run together with spaces (real/23):
  the total row's figures without its executed figure, 分值 and 执行率, its label after its
  sub-rows; the implementing unit before its label and the executed figure beside it; 分值 and
  执行率 after 年度总体目标; the first row's 二级/三级指标 among the indicator header words (the
  三级指标's last character wrapped away, header words split `年度 指标值`); every row's 指标值,
  完成值, 分值, 得分 [, 偏差原因] and the 总分 figures as a block before the names (`绩 效 指 标`
  letter-spaced among them), or after them (every other seed). The form's arithmetic and the
  names' order place them back.
Every layout must give the projects, indicators and amounts (value, unit, label) of `pipe`
(tests/test_layouts_selfeval.py); `jixiao eval` scores each layout on its own.
"""
from __future__ import annotations

import random
import re
from typing import Any, Callable

from .render import DocSpec, Para, TableSpec, _covered, printed_as
from .synth import make_document

SELFEVAL_LAYOUTS = ("pipe", "pipepad", "cellbar", "percell", "numbered", "glued", "tradpipe", "barewan",
                    "figuresfirst", "noheader", "headerlast", "ocrnoise", "scattered")
SELFEVAL_FORMATS = ("txt",)
_PAD = 9  # the width a padded row is filled to (`|` per missing cell)
_CHECKBOXES = (["项目类别", "1、部门预算项目 £ 2、区直专项 £ 3、上级转移支付项目 R"],
               ["项目属性", "1、持续性项目 R 2、新增性项目 £"])
_MONEY = re.compile(r"\d+\.\d{2}")


def _rows(t: TableSpec) -> list[list[str]]:
    """The table's rows as a flattening prints them: a merged cell once, at its top-left."""
    covered = _covered(t)
    return [[c for ci, c in enumerate(row) if (r, ci) not in covered] for r, row in enumerate(t.grid())]


def _money_rows(rows: list[list[str]]) -> range:
    """Rows of the money block: from its header (年初预算数 …) to the row before 年度总体目标."""
    head = next(i for i, r in enumerate(rows) if any("年初预算数" in c for c in r))
    end = next(i for i, r in enumerate(rows) if r and r[0] == "年度总体目标")
    return range(head, end)


def _pipe(rows: list[list[str]]) -> list[str]:
    return [" | ".join(r) for r in rows]


def _pipepad(rows: list[list[str]]) -> list[str]:
    out: list[list[str]] = []
    last_l2 = None
    ind_head = next(i for i, r in enumerate(rows) if "三级指标" in r)
    for i, r in enumerate(rows):
        r = list(r)
        if i > ind_head and len(r) >= 7 and r[-7] == last_l2:
            del r[-7]  # the 二级指标 cell merged down: printed only in its first row
        elif i > ind_head and len(r) >= 7:
            last_l2 = r[-7]
        out.append(r)
        if i == 1:
            out += [list(x) for x in _CHECKBOXES]
    return [" | ".join(r) + " | " + "|" * max(0, _PAD - len(r)) for r in out]


def _cellbar(rows: list[list[str]]) -> list[str]:
    return [f"{c} |" if c else "|" for r in rows for c in r]


def _percell(rows: list[list[str]]) -> list[str]:
    out: list[str] = []
    for c in (c for r in rows for c in r if c.strip()):
        out += [c, ""]
    return out


def _six(c: str) -> str:
    return c + "0000" if _MONEY.fullmatch(c) else c


def _numbered(rows: list[list[str]]) -> list[str]:
    money = _money_rows(rows)
    out: list[list[str]] = []
    for i, r in enumerate(rows):
        if i == money.start:
            at = next(k for k, c in enumerate(r) if "年初预算数" in c)
            out.append(r[:at] + ["行次"] + r[at:])
            out.append(["列次"] + [str(k) for k in range(1, len(r) - at + 1)])
        elif i in money:
            out.append(r[:1] + [str(i - money.start)] + [_six(c) for c in r[1:4]] + r[4:])
        else:
            out.append(r)
    return _pipe(out)


def _glued(rows: list[list[str]], money: range | None = None) -> list[str]:
    """Glued where a reader can cut: every money figure of the block with two decimals (a
    `208` between `168.48` and `184.50` would leave the cut undecided without a rate)."""
    money = money or _money_rows(rows)
    rows = [r[:1] + [_two(c) for c in r[1:4]] + r[4:] if i in money and i > money.start else r
            for i, r in enumerate(rows)]
    return ["".join(c for r in rows[:money.stop] for c in r)] + _pipe(rows[money.stop:])


def _barewan(rows: list[list[str]]) -> list[str]:
    money = _money_rows(rows)
    out = []
    for i, r in enumerate(rows):
        if i == money.start:
            r = [c.replace("（万元）", "").replace("(万元)", "") for c in r]
        elif i in money:
            r = r[:1] + [c + "万" if re.fullmatch(r"\d+(?:\.\d+)?", c) else c for c in r[1:4]] + r[4:]
        out.append(r)
    return _pipe(out)


def _figuresfirst(rows: list[list[str]]) -> list[str]:
    money = _money_rows(rows)
    return _pipe([r[1:] + r[:1] if i in money and i > money.start else r for i, r in enumerate(rows)])


def _noheader(rows: list[list[str]]) -> list[str]:
    money = _money_rows(rows)
    return _pipe([r[:1] if i == money.start else r for i, r in enumerate(rows)])


def _headerlast(rows: list[list[str]]) -> list[str]:
    money = _money_rows(rows)
    order = [i for i in range(len(rows)) if i != money.start]
    order.insert(order.index(money.stop - 1) + 1, money.start)
    return _pipe([rows[i] for i in order])


# form words of the head and the money block as OCR misreads them (one look-alike each; the
# pairs are patterns/ocr_misreads.json's), and column notes whose brackets OCR read as punctuation
_MISREAD = {"项目名称": ("项Fl名称", "顼目名称", "项曰名称"), "实施单位": ("实施第位",),
            "项目资金（万元）": ("项Fl资金（万兀）", "项目资金（万兀）", "顼目资金（万元）"),
            "年初预算数": ("年初预匏数", "年初预算将"), "全年预算数": ("全年预匏数", "全年预算将"),
            "全年执行数": ("全年执行将",)}
_NOTE_MISREAD = {"（A）": ",A、", "（B）": ",B、"}


def _misread(cell: str, rng: random.Random) -> str:
    for word, reads in _MISREAD.items():
        if word in cell and rng.random() < 0.7:
            cell = cell.replace(word, rng.choice(reads))
    for note, read in _NOTE_MISREAD.items():
        if cell.endswith(note) and rng.random() < 0.5:
            cell = cell[: -len(note)] + read
    return cell


def _ocrnoise(rows: list[list[str]], seed: int | str) -> list[str]:
    """`glued` with the head's and money block's form words misread by OCR, and on half the
    documents the total row's label read before the column names (its merged cell stands left
    of the header row)."""
    rng = random.Random(f"selfeval-ocrnoise:{seed}")
    money = _money_rows(rows)
    rows = [list(r) for r in rows]
    if rng.random() < 0.5:
        total = rows[money.start + 1]
        rows[money.start].insert(1, total[0])
        total[0] = ""  # the row keeps its columns: its figures are cut as before
    return _glued([[_misread(c, rng) for c in r] if i < money.stop else r for i, r in enumerate(rows)], money)


def _scattered(rows: list[list[str]], seed: int | str) -> list[str]:
    """The form as a PDF text layer emits it in drawing order (see the module docstring)."""
    money = _money_rows(rows)
    head, (total, *subs) = rows[money.start], [rows[i] for i in money if i > money.start]
    label, initial, adjusted, executed, weight, rate, score = total
    (sup, dept, impl_label, impl), goals, done = rows[1], rows[money.stop], rows[money.stop + 1]
    ind = next(i for i, r in enumerate(rows) if "三级指标" in r)
    names: list[tuple[str, str, str]] = []
    values: list[str] = []
    for r in rows[ind + 1:-1]:
        l1, r = (r[0], r[1:]) if len(r) == 8 else ("", r)  # a merged 一级指标 cell: printed once
        l2, l3, target, actual, w, s, reason = r
        names.append((l1, l2, l3))
        values += [target, actual, w, s] + ([reason] if reason else [])
    values += [c for c in rows[-1][1:] if c]
    words = [_spread(c) for c in rows[ind][4:]]
    (first_l1, first_l2, first_l3), *rest = names
    body = [first_l3[-1], first_l1, "绩 效 指 标"] + [c for row in rest for c in row if c]
    block = [" ".join(values), " ".join(body)]
    if random.Random(f"selfeval-scattered:{seed}").random() < 0.5:
        block.reverse()  # the names first, then the values
    return [" ".join(rows[0] + [sup, dept]),
            " ".join(head[2:]),
            " ".join([initial, adjusted, score] + [c for sub in subs for c in sub] + [label, head[0]]),
            " ".join([impl, impl_label, executed]),
            " ".join([goals[1], done[0], goals[0], weight, rate, goals[2], done[1]]),
            " ".join(rows[ind][1:3] + [first_l2, rows[ind][3], first_l3[:-1]] + words)] + block + [rows[-1][0]]


def _spread(word: str) -> str:
    """A header word as a dump breaks it (`年度 指标值`, `实际 完成值`)."""
    for lead in ("年度", "实际"):
        if word.startswith(lead) and len(word) > len(lead) + 2:
            return lead + " " + word[len(lead):]
    return word


def _two(c: str) -> str:
    return c + ".00" if re.fullmatch(r"\d+", c) else c


def _tradpipe(rows: list[list[str]], seed: int | str) -> list[str]:
    from .layouts_prose import annotate, traditional

    rng = random.Random(f"selfeval-tradpipe:{seed}")
    return [annotate(traditional(line), rng) for line in _pipe(rows)]


_WRITERS: dict[str, Callable[[list[list[str]]], list[str]]] = {
    "pipe": _pipe, "pipepad": _pipepad, "cellbar": _cellbar, "percell": _percell, "numbered": _numbered, "glued": _glued,
    "barewan": _barewan, "figuresfirst": _figuresfirst, "noheader": _noheader, "headerlast": _headerlast,
}

# the layouts that draw on the document's seed too (which words to misread, which order to print)
_SEEDED: dict[str, Callable[[list[list[str]], int | str], list[str]]] = {
    "tradpipe": _tradpipe, "ocrnoise": _ocrnoise, "scattered": _scattered}


def make_selfeval_document(seed: int | str, layout: str, fmt: str | None = None) -> tuple[DocSpec, dict[str, Any]]:
    """A generated 项目支出绩效自评表 flattened into text in `layout`, with its gold (amount
    and rate texts as the layout prints them)."""
    if layout not in SELFEVAL_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r} (use one of {SELFEVAL_LAYOUTS})")
    spec, gold = make_document("project-table", f"selfeval:{seed}", 0.0, "txt", blank_zeros=False)
    table = next(b for b in spec.blocks if isinstance(b, TableSpec))
    rows = _rows(table)
    lines = _SEEDED[layout](rows, seed) if layout in _SEEDED else _WRITERS[layout](rows)
    text = "\n".join(lines)
    out = DocSpec(spec.title, [Para(x) for x in lines])
    gold = dict(gold, kind="selfeval-flattened", layout=layout,
                amounts=_located(gold["amounts"], text, layout), rates=_located(gold["rates"], text, layout))
    return out, gold


def _located(items: list[dict[str, Any]], text: str, layout: str) -> list[dict[str, Any]]:
    """Gold items with `text` as this layout prints it (six decimals, traditional script)."""
    if layout == "barewan":
        return [dict(a, text=a["text"] + "万") if re.fullmatch(r"\d+(?:\.\d+)?", a["text"]) else a for a in items]
    if layout not in ("numbered", "tradpipe"):
        return items

    def six_decimals(want: str, printed: str, end: int) -> int:
        return end + 4 if layout == "numbered" and _MONEY.fullmatch(want) and printed.startswith("0000", end) else end

    return printed_as(items, text, layout, six_decimals)


def __getattr__(name: str):
    """`SELFEVAL`: the family for the layouts registry (built when first asked for)."""
    if name == "SELFEVAL":
        from .layouts import LayoutFamily

        return LayoutFamily("selfeval", SELFEVAL_LAYOUTS, make_selfeval_document, reference="pipe",
                            formats=SELFEVAL_FORMATS)
    raise AttributeError(name)


__all__ = ["SELFEVAL_FORMATS", "SELFEVAL_LAYOUTS", "make_selfeval_document"]
