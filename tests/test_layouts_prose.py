"""Prose reports in traditional script and with a mirror site's pinyin give the facts of the
simplified original (the prose family of the layouts test; see layouts_prose.py)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractor import extract
from extractor.evaluation.layouts_prose import PROSE_FORMATS, PROSE_LAYOUTS, make_prose_document
from extractor.evaluation.synth import write_document

SEEDS = 2  # per format


# what a layout states beyond the reference or places elsewhere: an evaluation by another body
# names the unit evaluated; the headers layout's 公文 pages put a project on another page
_ADDS = {"evaluated": ("implementing_unit",), "headers": ("page",)}


def _facts(path: Path, without: tuple[str, ...] = ()) -> tuple[list, list, list, list]:
    r = extract(path)
    amounts = sorted((str(q.value_yuan), q.unit, q.label or "") for q in r.quantities if q.kind == "amount")
    projects = sorted(str({k: v for k, v in p.record().items() if k not in without}) for p in r.projects)
    lines = sorted((b.year, b.stage, b.direction, b.item, b.category_code, str(b.value_yuan)) for b in r.budget_lines)
    errors = [f.message for f in r.flags if f.severity == "error"]
    return amounts, projects, lines, errors


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[tuple[int, str], dict[str, tuple[Path, dict]]]:
    out = tmp_path_factory.mktemp("prose-layouts")
    docs: dict[tuple[int, str], dict[str, tuple[Path, dict]]] = {}
    for fmt in PROSE_FORMATS:
        for seed in range(SEEDS):
            for layout in PROSE_LAYOUTS:
                spec, gold = make_prose_document(f"t{seed}", layout, fmt)
                path = write_document(spec, gold, out / f"prose-{seed}-{layout}.{fmt}")
                docs.setdefault((seed, fmt), {})[layout] = (path, gold)
    return docs


def test_every_script_gives_the_facts_of_the_simplified_report(written):
    for (seed, fmt), by_layout in written.items():
        ref_path, ref_gold = by_layout["simplified"]
        ref = _facts(ref_path)
        assert ref[3] == [], (seed, fmt)
        assert sorted(Decimal(a["value_yuan"]) for a in ref_gold["amounts"]) == sorted(Decimal(v) for v, _, _ in ref[0])
        for layout in PROSE_LAYOUTS[1:]:
            path, gold = by_layout[layout]
            without = _ADDS.get(layout, ())
            assert _facts(path, without) == (_facts(ref_path, without) if without else ref), (seed, fmt, layout)
            assert [a["value_yuan"] for a in gold["amounts"]] == [a["value_yuan"] for a in ref_gold["amounts"]]


def test_the_mirror_layout_is_traditional_and_annotated(written):
    path, gold = written[(0, "txt")]["mirror"]
    text = path.read_text("utf-8")
    assert "萬" in text and "万" not in text
    assert "(wàn)" in text or "(yù)" in text
    for a in gold["amounts"]:  # the gold texts are the document's own substrings
        assert a["text"] in text


@pytest.mark.parametrize("seed", ["t1", "t3", "t4"])  # 项目名称：X / 项目为一个：X / heading 一、X
def test_a_project_named_only_in_prose_is_the_project_of_the_titled_report(seed, tmp_path):
    ref_spec, ref_gold = make_prose_document(seed, "simplified", "txt")
    spec, gold = make_prose_document(seed, "named", "txt")
    name = ref_gold["projects"][0]["name"]
    assert ref_gold["report_type"] == "project-self-eval" and name in ref_spec.title and name not in spec.title
    ref = extract(write_document(ref_spec, ref_gold, tmp_path / "ref.txt"))
    got = extract(write_document(spec, gold, tmp_path / "named.txt"))
    assert [p.record() for p in got.projects] == [p.record() for p in ref.projects]
    assert [p.name for p in got.projects] == [name]
    assert got.projects[0].executed_yuan == Decimal(ref_gold["projects"][0]["executed_yuan"])


@pytest.mark.parametrize("seed", ["t1", "t3"])
def test_an_evaluation_by_another_body_names_its_fund_and_unit_on_the_title_lines(seed, tmp_path):
    """`2022年度某局` over `X项目绩效评价结果` (report type other): X is the project, 某局 its
    implementing unit, and every figure the self-report's."""
    ref_spec, ref_gold = make_prose_document(seed, "simplified", "txt")
    spec, gold = make_prose_document(seed, "evaluated", "txt")
    name = ref_gold["projects"][0]["name"]
    unit = spec.title.split("年度", 1)[1]
    assert gold["report_type"] == "other" and name not in spec.title
    got = extract(write_document(spec, gold, tmp_path / "evaluated.txt"))
    ref = extract(write_document(ref_spec, ref_gold, tmp_path / "ref.txt"))
    assert [(p.name, p.implementing_unit) for p in got.projects] == [(name, unit)]
    assert got.projects[0].executed_yuan == ref.projects[0].executed_yuan == Decimal(ref_gold["projects"][0]["executed_yuan"])
    assert got.projects[0].adjusted_budget_yuan == ref.projects[0].adjusted_budget_yuan
