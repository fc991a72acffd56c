"""The evaluation: exact scoring rules on hand-made predictions, then the accuracy floors
the project promises on the committed corpus and on generated documents."""
from __future__ import annotations

import copy
import json
from pathlib import Path

from click.testing import CliRunner

from extractor.cli import main
from extractor.evaluation.evaluate import Score, evaluate
from extractor.evaluation.synth import generate, make_document

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def perfect(gold: dict) -> dict:
    """What a flawless extractor would return for this gold."""
    return {
        "error": None,
        "meta": {"report_type": gold["report_type"], "report_year": gold["fiscal_year"]},
        "quantities": [{"kind": "amount", "text": a["text"], "value": None, "value_yuan": a["value_yuan"]}
                       for a in gold["amounts"]]
        + [{"kind": "rate", "text": r["text"], "value": r["value"], "value_yuan": None} for r in gold["rates"]]
        + [{"kind": "year", "text": "2023年", "value": "2023", "value_yuan": None}],
        "projects": copy.deepcopy(gold["projects"]),
        "indicators": copy.deepcopy(gold["indicators"]),
        "budget_lines": copy.deepcopy(gold["budget_lines"]),
        "flags": [{"code": f["code"], "severity": "error", "text": f["text"]} for f in gold["flags"]],
    }


def scored(gold: dict, pred: dict) -> dict:
    score = Score()
    score.add(dict(gold, doc="d"), pred)
    return score.record()


def test_a_perfect_prediction_scores_one():
    for kind in ("project-report", "dept-report", "project-table", "sichuan-table", "final-accounts"):
        gold = make_document(kind, "eval", 0.6)[1]
        out = scored(gold, perfect(gold))
        assert out["quantities"]["amount"]["f1"] == 1.0
        assert out["quantities"]["rate"]["f1"] == 1.0
        assert all(v["f1"] == 1.0 for v in out["projects"].values())
        assert all(v["f1"] == 1.0 for v in out["indicators"].values())
        assert all(v["f1"] == 1.0 for v in out["budget_lines"].values())
        assert out["planted_recall"] in (1.0, None)
        assert out["misses"] == []
        assert out["meta"]["report_type"] == {"right": 1, "wrong": 0}


def test_misses_are_counted_exactly():
    gold = make_document("project-table", "eval-2", 0.0)[1]
    pred = perfect(gold)
    amounts = [q for q in pred["quantities"] if q["kind"] == "amount"]
    pred["quantities"].remove(amounts[0])                         # one amount missed
    amounts[1]["value_yuan"] = str(int(amounts[1]["value_yuan"]) * 10000)  # one amount in the wrong unit
    pred["quantities"].append({"kind": "rate", "text": "7%", "value": "7", "value_yuan": None})  # spurious rate
    pred["projects"][0]["executed_yuan"] = "1"                    # one wrong field
    pred["projects"].append(dict(pred["projects"][0], name="不存在的项目"))  # an unmatched row
    pred["flags"].append({"code": "sum-mismatch", "severity": "error", "text": "1"})
    out = scored(gold, pred)
    n = len(gold["amounts"])
    assert out["quantities"]["amount"] == {"tp": n - 2, "fp": 1, "fn": 2, "precision": round((n - 2) / (n - 1), 4),
                                           "recall": round((n - 2) / n, 4),
                                           "f1": round(2 * (n - 2) / (2 * n - 1), 4)}
    assert out["quantities"]["rate"]["fp"] == 1 and out["quantities"]["rate"]["fn"] == 0
    assert out["projects"]["executed_yuan"]["tp"] == 0
    assert out["projects"]["executed_yuan"]["fp"] == 2 and out["projects"]["executed_yuan"]["fn"] == 1
    assert out["projects"]["name"] == {"tp": 1, "fp": 1, "fn": 0, "precision": 0.5, "recall": 1.0, "f1": 0.6667}
    assert out["flags"]["sum-mismatch"]["fp"] == 1
    assert out["false_error_flags_per_clean_doc"] == 1.0


def test_flags_match_by_code_and_overlapping_text():
    gold = {"doc": "d", "amounts": [], "rates": [], "projects": [], "indicators": [],
            "flags": [{"code": "sum-mismatch", "kind": "digit-transposed", "text": "139.91万元",
                       "related": ["464.65万元", "603.84万元"]},
                      {"code": "unit-suspect", "kind": "unit-swap", "text": "108690.55万元", "related": []}]}
    pred = {"error": None, "quantities": [], "projects": [], "indicators": [],
            "flags": [{"code": "sum-mismatch", "severity": "error", "text": "合计603.84万元"},  # on the total
                      {"code": "rate-mismatch", "severity": "error", "text": "108690.55万元"}]}  # wrong code
    out = scored(gold, pred)
    assert out["planted"]["digit-transposed"] == {"found": 1, "total": 1, "recall": 1.0}
    assert out["planted"]["unit-swap"] == {"found": 0, "total": 1, "recall": 0.0}
    assert out["flags"]["rate-mismatch"]["fp"] == 1
    assert out["planted_recall"] == 0.5


def test_a_gold_flag_takes_the_error_on_its_page_before_a_warning_elsewhere():
    """Short flag texts (`10`) recur on many pages of a long document: the gold's flag on p5
    is the error on p5, so the warning on p3 stays a warning and no error is false."""
    gold = {"doc": "d", "amounts": [], "rates": [], "projects": [], "indicators": [],
            "flags": [{"code": "score-mismatch", "text": "10", "page": 5}]}
    pred = {"error": None, "quantities": [], "projects": [], "indicators": [],
            "flags": [{"code": "score-mismatch", "severity": "warning", "text": "10", "page": 3},
                      {"code": "score-mismatch", "severity": "error", "text": "10", "page": 5}]}
    out = scored(gold, pred)
    assert out["flags"]["score-mismatch"] == {"tp": 1, "fp": 1, "fn": 0, "precision": 0.5, "recall": 1.0,
                                              "f1": 0.6667}
    assert out["false_error_flags_per_doc"] == 0.0


def test_unreadable_documents_are_listed_not_fatal(tmp_path):
    (tmp_path / "bad.pdf").write_bytes(b"not a pdf")
    (tmp_path / "bad.gold.json").write_text(json.dumps(
        {"doc": "bad.pdf", "amounts": [{"text": "1万元", "value_yuan": "10000"}], "rates": [], "projects": [],
         "indicators": [], "flags": []}), "utf-8")
    out = evaluate(tmp_path, jobs=1)
    assert out["documents"] == 1 and len(out["failed"]) == 1
    assert out["quantities"]["amount"]["fn"] == 1


def test_eval_command_json_and_usage(tmp_path):
    generate(3, tmp_path, seed=9, error_rate=0.2)
    result = CliRunner().invoke(main, ["eval", str(tmp_path), "--format", "json", "-j", "1"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["documents"] == 3 and "amount" in out["quantities"]
    table = CliRunner().invoke(main, ["eval", str(tmp_path), "-j", "1"])
    assert table.exit_code == 0 and "quantities" in table.output and "planted errors found" in table.output
    empty = tmp_path / "empty"
    empty.mkdir()
    assert CliRunner().invoke(main, ["eval", str(empty)]).exit_code == 2


# ---- the accuracy floors (issue 6): they hold once extraction and checks are complete ----

def test_corpus_floors():
    out = evaluate(CORPUS)
    assert out["documents"] >= 15 and not out["failed"]
    assert out["quantities"]["amount"]["f1"] >= 0.99, out["quantities"]["amount"]
    assert out["planted_recall"] >= 0.95, out["planted"]


def test_generated_floors(tmp_path):
    generate(60, tmp_path, seed=11, error_rate=0.1)
    out = evaluate(tmp_path)
    assert not out["failed"]
    assert out["quantities"]["amount"]["f1"] >= 0.99, out["quantities"]["amount"]
    assert out["planted_recall"] >= 0.95, out["planted"]
