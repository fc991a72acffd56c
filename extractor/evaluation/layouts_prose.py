"""Prose reports in the scripts real archives print them in: a layout family of the layouts test.

Mirror sites republish budget reports converted to traditional characters, and some print a
character's pinyin after it (`預(yù)算`, `1516.64萬(wàn)元`, even inside a unit). A report is
generated once (a project or department self-evaluation report of synth.py) and written as
- `simplified`: as generated (the reference);
- `traditional`: converted by OpenCC's phrase-aware s2t (so `干部` becomes `幹部`, not `乾部`);
- `mirror`: traditional, with the pinyin annotation after about half the occurrences of the
  characters mirror sites were seen to annotate (`_SEEN`);
- `named`: a project report whose title names no project (`某局2023年度专项资金绩效自评报告`):
  its prose names it, as `项目名称：X`, `本单位2023年项目为一个：X` or a top-level heading
  `一、X` (a department report is printed as in `simplified`: it has no one project to name);
- `evaluated`: the project report as the evaluation another body made of it (`2022年度某局` over
  `X绩效评价结果`, report type other): the project is named on the title's own line, and the
  unit on the line above is its implementing unit (the one fact a self-report does not state);
- `spaced`: the simplified report with its sentences spaced out as a PDF with wide character
  spacing or justified lines gives them to a reader (`卫生 健 康 支 出 80.52 万 元`, seen in
  real 预算 and evaluation PDFs): a space at every third boundary between two Chinese
  characters of a line that ends a sentence, inside words and units too;
- `folios`: the simplified report with a 公文's page number at the foot of every PDF page
  (`— 2 —`, GB/T 9704), a sentence running on over the break (other formats: as simplified);
- `headers`: the folios layout with the report's title printed as a running header at the top
  of every PDF page (`XX局2023年度项目支出绩效自评报告`, as published 预算/决算 PDFs print it), on
  a 公文's page (GB/T 9704), every paragraph with a figure past its first line starting on a
  page's last line: its sentence runs on over the break (other formats: as simplified).
Every layout must give the facts of the simplified one (tests/test_layouts*.py): amounts with
the same value, unit and label, the same projects and budget lines, and no error flag.
"""
from __future__ import annotations

import functools
import itertools
import random
from typing import Any

import regex

from .render import DocSpec, Para, TableSpec, printed_as
from .synth import make_document

PROSE_LAYOUTS = ("simplified", "traditional", "mirror", "named", "evaluated", "spaced", "folios", "headers")
_NAMINGS = ("explicit", "single", "heading")
PROSE_FORMATS = ("txt", "docx", "pdf")
_KINDS = ("project-report", "dept-report")

# the characters mirror sites annotate, with the reading they print (seen in real reposts of
# 决算 说明 and 自评表 pages: 甘肃, 新疆, 安徽 documents)
_SEEN = {
    "來": "lái", "內": "nèi", "動": "dòng", "務": "wù", "區": "qū", "協": "xié", "問": "wèn", "嚴": "yán",
    "執": "zhí", "學": "xué", "實": "shí", "導": "dǎo", "強": "qiáng", "數": "shù", "時": "shí", "業": "yè",
    "構": "gòu", "標": "biāo", "機": "jī", "準": "zhǔn", "災": "zāi", "無": "wú", "現": "xiàn", "發": "fā",
    "稱": "chēng", "級": "jí", "結": "jié", "統": "tǒng", "經": "jīng", "績": "jī", "萬": "wàn", "號": "hào",
    "補": "bǔ", "規": "guī", "訓": "xùn", "設": "shè", "評": "píng", "說": "shuō", "調": "diào", "負": "fù",
    "財": "cái", "責": "zé", "質": "zhì", "轉": "zhuǎn", "農": "nóng", "進": "jìn", "達": "dá", "醫": "yī",
    "門": "mén", "關": "guān", "項": "xiàng", "預": "yù", "類": "lèi",
}


@functools.lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def traditional(text: str) -> str:
    """`text` in traditional characters (phrase-aware)."""
    return _s2t().convert(text) if text else text


def annotate(text: str, rng: random.Random) -> str:
    """Traditional `text` with a mirror site's pinyin after about half of the seen characters."""
    return "".join(f"{ch}({_SEEN[ch]})" if ch in _SEEN and rng.random() < 0.5 else ch for ch in text)


_HAN_BOUNDARY = regex.compile(r"(?<=\p{Han})(?=\p{Han})")


def letter_spaced(text: str) -> str:
    """`text` with a space at every third boundary between two Chinese characters of each
    line that ends a sentence (`。`), the lines of headings and tables left as they are."""
    def spaced(line: str) -> str:
        if not line.rstrip().endswith("。"):
            return line
        count = itertools.count(1)
        return _HAN_BOUNDARY.sub(lambda _m: " " if next(count) % 3 == 0 else "", line)
    return "\n".join(spaced(line) for line in text.split("\n"))


def _writer(layout: str, seed: int | str):
    if layout == "simplified":
        return lambda s: s
    if layout == "spaced":
        return letter_spaced
    if layout in ("folios", "headers"):
        return lambda s: s
    if layout == "traditional":
        return traditional
    rng = random.Random(f"mirror:{seed}")
    return lambda s: annotate(traditional(s), rng)


def make_prose_document(seed: int | str, layout: str, fmt: str | None = None) -> tuple[DocSpec, dict[str, Any]]:
    """A generated self-evaluation report written in `layout`, with its gold: the amounts' and
    rates' `text` as the layout prints them, every other fact as the simplified report states it
    (what jixiao reads once the script is normalised)."""
    if layout not in PROSE_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r} (use one of {PROSE_LAYOUTS})")
    kind = _KINDS[random.Random(f"prose-kind:{seed}").randrange(len(_KINDS))]
    spec, gold = make_document(kind, f"prose:{seed}", 0.0, fmt)
    if layout == "named":
        spec = _named_in_prose(spec, gold, seed)
        layout_gold = dict(gold, kind=f"prose-{kind}", layout=layout, title=spec.title)
        return spec, layout_gold
    if layout == "evaluated":
        return _evaluated(spec, dict(gold, kind=f"prose-{kind}", layout=layout))
    write = _writer(layout, seed)
    # the amounts are written in document order: each is rewritten in the same stream as its
    # paragraph, so the gold text is the substring the document holds
    blocks: list[Para | TableSpec] = []
    texts = []
    for b in spec.blocks:
        if isinstance(b, Para):
            blocks.append(Para(write(b.text)))
            texts.append(blocks[-1].text)
        else:
            rows = [[write(c) for c in row] for row in b.rows]
            blocks.append(TableSpec(rows, list(b.merged), write(b.caption)))
            texts += [c for row in rows for c in row] + [blocks[-1].caption]
    out = DocSpec(write(spec.title), blocks, folios=layout in ("folios", "headers"))
    if layout == "headers":
        out.running_head, out.official_page = out.title.replace("\n", ""), True
        out.blocks = _breaking(out.blocks)
    gold = dict(gold, kind=f"prose-{kind}", layout=layout, title=out.title,
                amounts=_located(gold["amounts"], texts, layout), rates=_located(gold["rates"], texts, layout))
    return out, gold


# a 公文 line holds 28 characters: a paragraph with a figure past them runs on over a page break
_LINE_CHARS = 28
_FIGURE = regex.compile(r"\d")


def _breaking(blocks: list) -> list:
    """The blocks with every paragraph that has a figure after its first line starting on a
    page's last line: its sentence runs on over the page break, the running header between
    its words (`…全年执行` / header / `数570.56万元`)."""
    return [Para(b.text, runs_over=True) if isinstance(b, Para) and _FIGURE.search(b.text, _LINE_CHARS) else b
            for b in blocks]


def _named_in_prose(spec: DocSpec, gold: dict[str, Any], seed: int | str) -> DocSpec:
    """The report with a title that names no project and its one project named in the prose."""
    if gold.get("report_type") != "project-self-eval" or len(gold["projects"]) != 1:
        return spec
    project, year = gold["projects"][0]["name"], gold["fiscal_year"]
    if project not in spec.title:
        return spec
    dept = _dept(spec, year)
    how = _NAMINGS[random.Random(f"prose-naming:{seed}").randrange(len(_NAMINGS))]
    blocks = list(spec.blocks)
    if how == "heading":  # the fund's own heading opens the report
        blocks[0] = Para(f"一、{project}")
    else:
        named = f"项目名称：{project}" if how == "explicit" else f"本单位{year}年项目为一个：{project}"
        blocks.insert(2, Para(named))
    return DocSpec(f"{dept}{year}年度专项资金绩效自评报告", blocks)


def _dept(spec: DocSpec, year: int) -> str:
    """The department a generated report's title names before its year (`某局2023年度…`)."""
    return spec.title[:spec.title.index(f"{year}年度")]


def _evaluated(spec: DocSpec, gold: dict[str, Any]) -> tuple[DocSpec, dict[str, Any]]:
    """The project report retitled as another body's evaluation of it: `{year}年度{dept}` over
    `{project}绩效评价结果`; the gold's project gains the unit as its implementing unit."""
    if gold.get("report_type") != "project-self-eval" or len(gold["projects"]) != 1:
        return spec, gold
    project, year = gold["projects"][0]["name"], gold["fiscal_year"]
    if project not in spec.title or f"{year}年度" not in spec.title:
        return spec, gold
    dept = _dept(spec, year)
    out = DocSpec(f"{year}年度{dept}", [Para(f"{project}绩效评价结果"), *spec.blocks])
    projects = [dict(gold["projects"][0], implementing_unit=dept)]
    return out, dict(gold, title=f"{out.title}{project}绩效评价结果", report_type="other", projects=projects)


def _located(items: list[dict[str, Any]], texts: list[str], layout: str) -> list[dict[str, Any]]:
    """Gold items with `text` as this layout printed it, found in document order."""
    return items if layout == "simplified" else printed_as(items, "\n".join(texts), layout)


def __getattr__(name: str):
    """`PROSE`: the family for the layouts registry (built when first asked for)."""
    if name == "PROSE":
        from .layouts import LayoutFamily

        return LayoutFamily("prose", PROSE_LAYOUTS, make_prose_document, reference="simplified",
                            formats=PROSE_FORMATS)
    raise AttributeError(name)


__all__ = ["PROSE_FORMATS", "PROSE_LAYOUTS", "annotate", "letter_spaced", "make_prose_document", "traditional"]
