"""The JSON Schemas shipped with the package hold for real output: every `extract` and `check`
record of the bundled corpus and of the real text documents, through the commands themselves;
`check --format sarif` against the official SARIF 2.1.0 schema (vendored in tests/data)."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator, Draft202012Validator

from extractor.checks.codes import CODES
from extractor.cli import main

from conftest import REAL, ROOT

CORPUS = sorted(p for p in (ROOT / "corpus").iterdir() if p.suffix in (".pdf", ".docx", ".xlsx", ".txt"))
REAL_TEXTS = sorted(REAL.glob("*.txt")) if REAL.is_dir() else []
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def schema(name: str) -> Draft202012Validator:
    """A schema as installed with the package (extractor.schemas), not read from the source tree."""
    data = json.loads(resources.files("extractor.schemas").joinpath(name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(data)
    return Draft202012Validator(data)


@lru_cache(maxsize=None)
def records(command: str, paths: tuple[Path, ...]) -> list[dict]:
    res = CliRunner().invoke(main, [command, "--format", "jsonl", *map(str, paths)])
    assert res.exit_code in (0, 1), res.stderr
    return [json.loads(line) for line in res.stdout.splitlines()]


def invalid(validator: Draft202012Validator, recs: list[dict]) -> list[str]:
    return [f"{r.get('doc')}: {e.json_path}: {e.message}" for r in recs for e in validator.iter_errors(r)]


def test_corpus_extract_records_match_the_schema():
    recs = records("extract", tuple(CORPUS))
    assert len({r["doc"] for r in recs}) == len(CORPUS) == 20 and {r["kind"] for r in recs} == {"amount", "rate", "count", "year", "period", "date"}
    assert invalid(schema("extract-record.schema.json"), recs) == []


def test_corpus_check_records_match_the_schema():
    recs = records("check", tuple(CORPUS))
    assert len(recs) >= 34  # the planted flags at least
    assert invalid(schema("check-record.schema.json"), recs) == []


@pytest.mark.skipif(not REAL_TEXTS, reason="../shared/real is not beside the repo")
def test_real_text_documents_match_the_schemas():
    extract, check = records("extract", tuple(REAL_TEXTS)), records("check", tuple(REAL_TEXTS))
    assert len({r["doc"] for r in extract}) == len(REAL_TEXTS)
    assert invalid(schema("extract-record.schema.json"), extract) == []
    assert invalid(schema("check-record.schema.json"), check) == []
    # the seed report's unit error, as the contract example shows it
    seed = next(r for r in check if r["code"] == "unit-suspect" and r["doc"].endswith("ganzhou-2023-zhengwu-self-eval.txt"))
    assert (seed["line"], seed["column"], seed["suggestion"]) == (47, 39, {"text": "108690.55元", "value_yuan": 108690.55})


def test_schemas_reject_what_breaks_the_contract():
    """The schemas are not vacuous: a record missing a field, with a wrong kind, a non-year
    carrying 元, an unknown code or a 0 line is refused."""
    ex = schema("extract-record.schema.json")
    good = records("extract", (CORPUS[0],))[0]
    assert not list(ex.iter_errors(good))
    for broken in ({**good, "kind": "money"}, {k: v for k, v in good.items() if k != "unit_source"},
                   {**good, "kind": "count", "unit": "个", "value_yuan": 1}, {**good, "confidence": 1.5},
                   {**good, "start": None, "end": None, "table": None}, {**good, "extra": 1}):
        assert list(ex.iter_errors(broken)), broken
    ck = schema("check-record.schema.json")
    flag = records("check", tuple(CORPUS))[0]
    assert not list(ck.iter_errors(flag))
    for broken in ({**flag, "code": "sum-mismatc"}, {**flag, "severity": "fatal"}, {**flag, "line": 0, "column": 1},
                   {k: v for k, v in flag.items() if k != "column"}, {**flag, "evidence": [{"text": "1"}]}):
        assert list(ck.iter_errors(broken)), broken


def test_check_schema_lists_every_code():
    codes = schema("check-record.schema.json").schema["properties"]["code"]["enum"]
    assert codes == list(CODES)


def _sarif_validator() -> Draft7Validator:
    data = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert data["$id"].endswith("sarif-schema-2.1.0.json") and "2.1.0" in data["title"]
    return Draft7Validator(data)


def test_sarif_output_validates_against_the_sarif_2_1_0_schema(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf")
    out = tmp_path / "flags.sarif"
    res = CliRunner().invoke(main, ["check", "-o", str(out), *map(str, CORPUS), str(bad)])
    assert res.exit_code == 2  # the broken file
    log = json.loads(out.read_text("utf-8"))
    assert [f"{e.json_path}: {e.message}" for e in _sarif_validator().iter_errors(log)] == []
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "jixiao" and log["version"] == "2.1.0"
    assert len(run["results"]) == len(records("check", tuple(CORPUS)))
    note = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is False and len(note) == 1 and "broken.pdf" in note[0]["message"]["text"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    # a text document: region in file lines/columns; a PDF: page and line within it as properties
    txt = next(r for r in run["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".txt")
               and "region" in r["locations"][0]["physicalLocation"])
    region = txt["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1 and region["snippet"]["text"]
    pdf = [r for r in run["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".pdf")]
    assert pdf and all("region" not in r["locations"][0]["physicalLocation"] and r["properties"]["page"] >= 1 for r in pdf)


def test_sarif_schema_is_not_vacuous():
    v = _sarif_validator()
    assert list(v.iter_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}))  # driver.name required
    assert list(v.iter_errors({"version": "2.0.0", "runs": []}))
    assert not list(v.iter_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}))
