"""`jixiao check` as linters work: positions, folders, summary, code selection, baselines, CSV."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from extractor.cli import main
from extractor.cli.flag_formats import CSV_FIELDS

from conftest import ROOT, SEED

CLEAN = "某局2023年部门绩效自评报告\n支出预算100万元，分别为人员经费60万元、公用经费40万元。\n"
ONE_ERROR = CLEAN.replace("40万元", "40元")


def run(*args):
    return CliRunner().invoke(main, ["check", *map(str, args)])


def _two_page_pdf(path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    pages = [["某局2023年部门绩效自评报告", "一、部门概况", "本局内设机构3个。"],
             ["二、预算执行情况", "全年执行率为95%。", "支出预算100万元，分别为人员经费60万元、公用经费40元。"]]
    for lines in pages:
        c.setFont("STSong-Light", 12)
        for i, line in enumerate(lines):
            c.drawString(72, 760 - 20 * i, line)
        c.showPage()
    c.save()


def test_pdf_position_is_page_then_line_within_the_page(tmp_path):
    pdf = tmp_path / "two.pdf"
    _two_page_pdf(pdf)
    res = run(pdf)
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert lines[0].startswith(f"{pdf}:p2:3:27: unit-suspect [error] 金额“40元”")
    assert lines[1] == "    3 | 支出预算100万元，分别为人员经费60万元、公用经费40元。"
    assert lines[-1] == "1 error, 0 warnings in 1 file"
    rec = json.loads(run("--format", "jsonl", pdf).stdout)
    assert (rec["page"], rec["line"], rec["column"], rec["start"]) == (2, 3, 27, 79)  # page 2 starts at 33; its line 3 at 53


def test_text_position_is_file_line_col(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text("\n\n" + ONE_ERROR, encoding="utf-8")
    res = run(f)
    assert res.stdout.splitlines()[0].startswith(f"{f}:4:27: unit-suspect [error]")


def test_table_cells_are_counted_from_one_in_text_output():
    """JSONL keeps the contract's 0-based table/row/col; text shows every one of them + 1."""
    path = ROOT / "corpus" / "08-project-table-errors.docx"
    recs = [json.loads(line) for line in run("--format", "jsonl", path).stdout.splitlines()]
    cells = [r for r in recs if "table" in r]
    assert len(cells) >= 3
    text = run(path).stdout
    for r in cells:
        assert f"{path}:table{r['table'] + 1}:row{r['row'] + 1}:col{r['col'] + 1}: {r['code']} " in text
        assert f"    table {r['table'] + 1}, row {r['row'] + 1}, col {r['col'] + 1}: {r['text']}" in text


def test_folders_are_walked_like_convert(tmp_path):
    (tmp_path / "2023" / "部门").mkdir(parents=True)
    (tmp_path / "2023" / "部门" / "bad.txt").write_text(ONE_ERROR, encoding="utf-8")
    (tmp_path / "2023" / "clean.txt").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "2023" / "notes.md").write_text(ONE_ERROR, encoding="utf-8")  # not a document suffix
    (tmp_path / ".hidden.txt").write_text(ONE_ERROR, encoding="utf-8")
    res = run("--format", "jsonl", tmp_path)
    assert res.exit_code == 1
    assert [json.loads(line)["doc"] for line in res.stdout.splitlines()] == [str(tmp_path / "2023" / "部门" / "bad.txt")]
    assert res.stderr.strip() == "1 error, 0 warnings in 2 files"


def test_select_and_ignore_codes(tmp_path):
    seed = tmp_path / "seed.txt"
    shutil.copy(SEED, seed)
    assert run(seed).stdout.splitlines()[-1] == "6 errors, 2 warnings in 1 file"
    res = run("--select", "duplicate-unit", seed)
    assert res.exit_code == 0 and res.stdout.splitlines()[-1] == "0 errors, 2 warnings in 1 file"
    res = run("--select", "duplicate-unit,unit-suspect", "--select", "period-inverted", "--ignore", "unit-suspect", seed)
    assert res.exit_code == 1 and res.stdout.splitlines()[-1] == "1 error, 2 warnings in 1 file"
    res = run("--ignore", "diff-mismatch,rate-mismatch,period-inverted,unit-suspect", seed)
    assert res.exit_code == 0 and res.stdout.splitlines()[-1] == "0 errors, 2 warnings in 1 file"
    res = run("--select", "sum-mismach", seed)
    assert res.exit_code == 2 and "unknown code sum-mismach" in res.stderr


def test_baseline_hides_accepted_flags_and_shows_new_ones(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    reports.mkdir()
    seed = reports / "seed.txt"
    shutil.copy(SEED, seed)
    baseline = tmp_path / "accepted.json"
    res = run("--write-baseline", baseline, reports)
    assert res.exit_code == 0
    assert res.stdout == "0 errors, 0 warnings in 1 file (8 flags accepted in the baseline)\n"
    assert res.stderr.strip() == f"jixiao: 8 flags accepted into {baseline}"
    data = json.loads(baseline.read_text("utf-8"))
    assert {e["doc"] for e in data["flags"]} == {"reports/seed.txt"} and sum(e["count"] for e in data["flags"]) == 8
    # the same documents named from another working directory, by a relative path: all accepted
    monkeypatch.chdir(reports)
    res = run("--baseline", "../accepted.json", "--format", "jsonl", "seed.txt")
    assert (res.exit_code, res.stdout) == (0, "")
    assert res.stderr.strip() == "0 errors, 0 warnings in 1 file (8 flags accepted in the baseline)"
    monkeypatch.chdir(tmp_path)
    # a re-issued report with one more wrong sentence: only the new flag is shown
    seed.write_text(SEED.read_text("utf-8") + "\n" + ONE_ERROR.splitlines()[1] + "\n", encoding="utf-8")
    res = run("--baseline", baseline, "--format", "jsonl", seed)
    assert res.exit_code == 1
    assert [(r["code"], r["text"]) for r in map(json.loads, res.stdout.splitlines())] == [("unit-suspect", "40元")]
    # a file that is no baseline: one line, exit 2
    bogus = tmp_path / "bogus.json"
    bogus.write_text("[1, 2]", encoding="utf-8")
    res = run("--baseline", bogus, seed)
    assert res.exit_code == 2 and res.stderr.strip() == f"jixiao: {bogus}: not a jixiao check baseline (write one with --write-baseline)"


def test_csv_from_the_output_suffix(tmp_path):
    seed = tmp_path / "seed.txt"
    shutil.copy(SEED, seed)
    out = tmp_path / "flags.csv"
    res = run("-o", out, seed)
    assert res.exit_code == 1 and res.stdout == ""
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_FIELDS and len(rows) == 8
    unit = next(r for r in rows if r["code"] == "unit-suspect")
    assert (unit["line"], unit["column"], unit["start"], unit["end"]) == ("47", "39", "2277", "2288")
    assert unit["suggestion"] == '{"text": "108690.55元", "value_yuan": 108690.55}'
    assert json.loads(unit["evidence"]) == [{"text": "33.39238万元", "page": None, "start": 2263, "end": 2273}]


def test_unwritable_output_is_one_line_and_exit_two(tmp_path):
    seed = tmp_path / "seed.txt"
    seed.write_text(CLEAN, encoding="utf-8")
    for command in ("check", "extract"):
        res = CliRunner().invoke(main, [command, "-o", str(tmp_path / "nodir" / "x.jsonl"), str(seed)])
        assert res.exit_code == 2
        assert res.stderr == f"jixiao: cannot write {tmp_path / 'nodir' / 'x.jsonl'}: No such file or directory\n"
        assert res.exception is None or isinstance(res.exception, SystemExit)
