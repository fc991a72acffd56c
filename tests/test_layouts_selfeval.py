"""Self-evaluation tables flattened into text in every real way give the facts of the plain
`|` rows (the selfeval family of the layouts test; see layouts_selfeval.py)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractor import extract
from extractor.evaluation.evaluate import norm
from extractor.evaluation.layouts_selfeval import SELFEVAL_LAYOUTS, make_selfeval_document
from extractor.evaluation.synth import write_document

SEEDS = 4

_PROJECT_FIELDS = ("name", "code", "fiscal_year", "supervising_dept", "implementing_unit", "initial_budget_yuan",
                   "adjusted_budget_yuan", "executed_yuan", "execution_rate", "exec_weight", "exec_score",
                   "total_score", "grade")
_INDICATOR_FIELDS = ("l1", "l2", "l3", "operator", "target_raw", "target_value", "target_unit", "actual_raw",
                     "actual_value", "weight", "score", "deviation_reason")


def _s(v: object) -> str:
    """A value as `jixiao eval` compares it: a Decimal by its value (`251.890000` = `251.89`),
    text after NFKC without white space."""
    return format(v.normalize(), "f") if isinstance(v, Decimal) else norm(v)


def _facts(path: Path) -> tuple[list, list, list, list]:
    r = extract(path)
    amounts = sorted((_s(q.value_yuan), q.unit, q.label or "") for q in r.quantities if q.kind == "amount")
    projects = [tuple(_s(p.record()[f]) for f in _PROJECT_FIELDS) for p in r.projects]
    indicators = [tuple(_s(i.record()[f]) for f in _INDICATOR_FIELDS) for i in r.indicators]
    errors = [f.message for f in r.flags if f.severity == "error"]
    return amounts, projects, indicators, errors


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[int, dict[str, tuple[Path, dict]]]:
    out = tmp_path_factory.mktemp("selfeval-layouts")
    docs: dict[int, dict[str, tuple[Path, dict]]] = {}
    for seed in range(SEEDS):
        for layout in SELFEVAL_LAYOUTS:
            spec, gold = make_selfeval_document(f"t{seed}", layout)
            docs.setdefault(seed, {})[layout] = (write_document(spec, gold, out / f"selfeval-{seed}-{layout}.txt"), gold)
    return docs


def test_the_reference_layout_gives_its_gold(written):
    for seed, by_layout in written.items():
        path, gold = by_layout["pipe"]
        amounts, projects, indicators, errors = _facts(path)
        assert errors == [], seed
        assert sorted(Decimal(a["value_yuan"]) for a in gold["amounts"]) == sorted(Decimal(v) for v, _, _ in amounts)
        assert len(projects) == 1 and len(indicators) == len(gold["indicators"])
        assert Decimal(projects[0][6]) == Decimal(gold["projects"][0]["adjusted_budget_yuan"])


@pytest.mark.parametrize("layout", SELFEVAL_LAYOUTS[1:])
def test_every_flattening_gives_the_facts_of_the_pipe_rows(written, layout):
    for seed, by_layout in written.items():
        ref = _facts(by_layout["pipe"][0])
        got = _facts(by_layout[layout][0])
        assert got[1] == ref[1], (seed, layout, "projects")
        assert got[2] == ref[2], (seed, layout, "indicators")
        assert got[0] == ref[0], (seed, layout, "amounts")
        assert got[3] == [], (seed, layout)


def test_the_gold_texts_are_the_documents_own(written):
    for by_layout in written.values():
        for layout in ("numbered", "tradpipe", "glued", "barewan"):
            path, gold = by_layout[layout]
            text = path.read_text("utf-8")
            assert all(a["text"] in text for a in gold["amounts"]), layout
    path, gold = written[0]["numbered"]
    assert any(a["text"].endswith(".000000") or len(a["text"].split(".")[-1]) == 6 for a in gold["amounts"])
