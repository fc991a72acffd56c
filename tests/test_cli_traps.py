"""Small traps of the commands, each fixed: output paths, formats, usage, failed files, logs."""
from __future__ import annotations

import csv
import io
import json
import shutil

from click.testing import CliRunner

from extractor.cli import main
from extractor.cli.convert import MAX_FAILED_LISTED, format_summary
from extractor.cli.extract import FIELDS

from conftest import ROOT

CLEAN = "某局2023年部门绩效自评报告\n支出预算100万元，分别为人员经费60万元、公用经费40万元。\n"


def invoke(*args):
    return CliRunner().invoke(main, [*map(str, args)])


def test_extract_output_suffix_chooses_the_format(tmp_path):
    doc = tmp_path / "r.txt"
    doc.write_text(CLEAN, encoding="utf-8")
    res = invoke("extract", "-o", tmp_path / "q.csv", doc)
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "q.csv").read_text("utf-8-sig"))))
    assert tuple(rows[0]) == FIELDS and [r["text"] for r in rows if r["kind"] == "amount"] == ["100万元", "60万元", "40万元"]
    assert invoke("extract", "-o", tmp_path / "q.jsonl", doc).exit_code == 0
    assert json.loads((tmp_path / "q.jsonl").read_text("utf-8").splitlines()[1])["value_yuan"] == 1000000
    # --format wins over the suffix
    assert invoke("extract", "--format", "jsonl", "-o", tmp_path / "x.csv", doc).exit_code == 0
    assert (tmp_path / "x.csv").read_text("utf-8").startswith('{"doc": ')


def test_convert_as_without_export_is_a_usage_error(tmp_path):
    doc = tmp_path / "r.txt"
    doc.write_text(CLEAN, encoding="utf-8")
    for option in (["--as", "xlsx"], ["--unit", "元"]):
        res = invoke("convert", doc, "-o", tmp_path / "d.sqlite", *option)
        assert res.exit_code == 2
        assert f"Error: {option[0]} applies to exports: add --export DIR" in res.stderr
        assert not (tmp_path / "d.sqlite").exists()


def test_failed_files_are_named_capped():
    failures = [(f"in/{i:02d}.pdf", "not a PDF file (no %PDF signature)") for i in range(MAX_FAILED_LISTED + 3)]
    summary = {"inputs": 14, "converted": 1, "skipped": 0, "duplicates": 0, "failed": 13, "pages": 1, "seconds": 1.0,
               "dataset": "d.sqlite", "ignored": 0, "failed_files": failures,
               "failed_by_reason": {"not a PDF file (no %PDF signature)": 13}, "flags_by_code": {}}
    lines = format_summary(summary).splitlines()
    i = lines.index("failed files:")
    assert lines[i + 1] == "  in/00.pdf: not a PDF file (no %PDF signature)"
    assert lines[i + MAX_FAILED_LISTED] == "  in/09.pdf: not a PDF file (no %PDF signature)"
    assert lines[i + MAX_FAILED_LISTED + 1] == (
        "  ... and 3 more: SELECT path, error FROM documents WHERE status = 'error'")


def test_first_run_names_failed_files_and_writes_no_progress_bar_into_logs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "corpus" / "06-dept-report-errors.txt", folder / "good.txt")
    (folder / "broken.pdf").write_bytes(b"not a pdf at all")
    (folder / "empty.docx").write_bytes(b"")
    res = invoke("convert", folder, "-o", tmp_path / "d.sqlite", "-j", "1")
    assert res.exit_code == 0
    lines = res.stderr.splitlines()
    assert lines[0].startswith("3 files: 1 converted, 0 unchanged, 0 duplicates, 2 failed")
    i = lines.index("failed files:")
    assert sorted(lines[i + 1:i + 3]) == [f"  {folder / 'broken.pdf'}: not a PDF file (no %PDF signature)",
                                          f"  {folder / 'empty.docx'}: empty file (0 bytes)"]
    # stderr is not a terminal here: no tqdm bar, no carriage-return redraws
    assert "\r" not in res.stderr and "doc/s" not in res.stderr and "it/s" not in res.stderr
