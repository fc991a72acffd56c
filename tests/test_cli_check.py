"""`jixiao check`: linter-like text, contract JSONL, exit status 0/1/2."""
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from extractor.cli import main
from extractor.cli.check import CONTRACT

SEED = Path(__file__).resolve().parents[2] / "shared" / "real" / "ganzhou-2023-zhengwu-self-eval.txt"
CLEAN = "某局2023年部门绩效自评报告\n支出预算100万元，分别为人员经费60万元、公用经费40万元。\n"


def run(*args):
    return CliRunner().invoke(main, ["check", *args])


def test_text_output_marks_the_span(tmp_path):
    seed = tmp_path / "seed.txt"
    shutil.copy(SEED, seed)
    res = run(str(seed))
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    i = next(k for k, line in enumerate(lines) if ": unit-suspect [error]" in line)
    # file:line:col, 1-based, the column counted in characters (flag start offset 2277)
    assert lines[i].startswith(f"{seed}:47:39: unit-suspect [error] 金额“108690.55万元”")
    src, marks = lines[i + 1], lines[i + 2]
    assert src.startswith("    47 | ") and "108690.55万元" in src
    # carets sit under the span (CJK characters are two columns wide)
    pre = src[: src.index("108690.55万元")]
    width = sum(2 if "\u4e00" <= ch <= "\u9fff" or ch in "，。：“”（）" else 1 for ch in pre)
    assert marks == " " * width + "^" * len("108690.55") + "^^^^"


def test_jsonl_contract_and_english(tmp_path):
    seed = tmp_path / "seed.txt"
    shutil.copy(SEED, seed)
    out = tmp_path / "flags.jsonl"
    res = run("--format", "jsonl", "--lang", "en", "-o", str(out), str(seed))
    assert res.exit_code == 1
    recs = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert all(tuple(r)[: len(CONTRACT)] == CONTRACT for r in recs)
    unit = next(r for r in recs if r["code"] == "unit-suspect")
    assert unit["suggestion"] == {"text": "108690.55元", "value_yuan": 108690.55}
    assert unit["evidence"] == [{"text": "33.39238万元", "page": None, "start": 2263, "end": 2273}]
    assert (unit["start"], unit["end"]) == (2277, 2288)
    assert unit["message"].startswith("the unit of 108690.55万元")
    assert '"value_yuan": 108690.55}' in out.read_text("utf-8")  # exact decimal, not a float repr


def test_clean_file_exits_zero(tmp_path):
    f = tmp_path / "clean.txt"
    f.write_text(CLEAN, encoding="utf-8")
    res = run(str(f))
    assert res.exit_code == 0 and res.stdout == "0 errors, 0 warnings in 1 file\n"


def test_unreadable_input_is_one_line_and_exit_two(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text(CLEAN.replace("40万元", "40元"), encoding="utf-8")
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"not a pdf at all")
    res = run("--format", "jsonl", str(tmp_path / "missing.txt"), str(bad), str(clean))
    assert res.exit_code == 2
    err = res.stderr.strip().splitlines()
    assert len(err) == 3 and "missing.txt" in err[0] and "broken.pdf" in err[1]
    assert err[2] == "1 error, 0 warnings in 3 files (2 unreadable)"
    assert "Traceback" not in res.stderr
    # the readable file is still checked
    assert [json.loads(line)["code"] for line in res.stdout.splitlines()] == ["unit-suspect"]


def test_bad_usage_exits_two():
    assert run().exit_code == 2
    assert run("--format", "xml", "x.txt").exit_code == 2


def test_scanned_pdf_is_announced_and_check_fails(tmp_path, monkeypatch):
    """A PDF with no text layer left unread (`--ocr never`, or past `--ocr-pages`): `extract`
    gives nothing (exit 0); `check` could check nothing and says so with exit status 2, as for
    an unreadable file."""
    from click.testing import CliRunner
    from reportlab.pdfgen import canvas

    from extractor.cli import main

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.rect(50, 50, 400, 600, fill=1)
    c.showPage()
    c.save()
    notice = f"jixiao: {path}: needs OCR: no text layer, nothing read from it"
    result = CliRunner().invoke(main, ["extract", "--ocr", "never", str(path)])
    assert (result.exit_code, result.stdout, result.stderr.strip()) == (0, "", notice)
    result = CliRunner().invoke(main, ["check", "--ocr", "never", str(path)])
    assert result.exit_code == 2
    assert result.stdout == "0 errors, 0 warnings in 1 file (1 needs OCR)\n"
    assert result.stderr.strip() == notice
    monkeypatch.setenv("JIXIAO_OCR_PAGES", "200")  # the option sets it: monkeypatch removes it after the test
    result = CliRunner().invoke(main, ["extract", "--ocr-pages", "0", str(path)])
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.strip() == notice + " (OCR stops after 0 pages)"
