"""The generator: deterministic, exact arithmetic on clean documents, every error kind planted
and every gold text present in the written document."""
from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from click.testing import CliRunner

from extractor.cli import main
from extractor.evaluation.evaluate import norm
from extractor.evaluation.render import DocSpec, Para, TableSpec, render
from extractor.evaluation.synth import ERROR_CODES, KINDS, generate, make_document, pct, transpose_digit

SEEDS = range(8)


def table_of(spec: DocSpec) -> TableSpec:
    return next(b for b in spec.blocks if isinstance(b, TableSpec))


def money(cell: str) -> Decimal:
    return Decimal(cell) if cell else Decimal(0)


def test_same_seed_same_documents(tmp_path):
    a = generate(12, tmp_path / "a", seed=5, error_rate=0.3)
    b = generate(12, tmp_path / "b", seed=5, error_rate=0.3)
    for pa, pb in zip(a, b):
        ga = pa.with_name(pa.stem + ".gold.json").read_text("utf-8")
        gb = pb.with_name(pb.stem + ".gold.json").read_text("utf-8")
        assert ga == gb
        if pa.suffix == ".txt":
            assert pa.read_bytes() == pb.read_bytes()
    assert make_document("dept-report", 7, 0.2) == make_document("dept-report", 7, 0.2)
    assert make_document("dept-report", 7, 0.0) != make_document("dept-report", 8, 0.0)


def test_errors_never_change_the_clean_figures():
    for kind in KINDS:
        clean = make_document(kind, "same", 0.0)[1]
        faulty = make_document(kind, "same", 1.0)[1]
        assert faulty["flags"]
        assert len(clean["amounts"]) == len(faulty["amounts"])
        changed = [c for c, f in zip(clean["amounts"], faulty["amounts"]) if c != f]
        planted = {f["text"] for f in faulty["flags"]}
        # a changed amount is a planted one, or a whole total row set to 0
        assert all(f["text"] in planted or f["value_yuan"] == "0"
                   for c, f in zip(clean["amounts"], faulty["amounts"]) if c != f), changed


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_tables_add_up(seed):
    for kind in ("project-table", "dept-table", "sichuan-table"):
        spec, gold = make_document(kind, seed, 0.0)
        rows = table_of(spec).rows
        labels = [r[1] for r in rows]
        top = next(i for i, lab in enumerate(labels) if lab in ("年度资金总额", "总额"))
        n_parts = 3 if kind != "dept-table" else 2
        if kind == "sichuan-table":
            n_parts = 4
        first_money = 3 if kind != "sichuan-table" else 2
        for c in range(first_money, first_money + 3):
            parts = sum((money(rows[top + k][c]) for k in range(1, n_parts + 1)), Decimal(0))
            assert parts == Decimal(rows[top][c]), (kind, seed, c)
        adjusted, executed = Decimal(rows[top][first_money + 1]), Decimal(rows[top][first_money + 2])
        p = gold["projects"][0]
        assert Decimal(p["execution_rate"]) == pct(executed, adjusted)
        assert Decimal(p["exec_score"]) == (Decimal(10) * min(pct(executed, adjusted), Decimal(100)) / 100).quantize(Decimal("0.01"))
        scores = sum((Decimal(i["score"]) for i in gold["indicators"]), Decimal(0))
        assert Decimal(p["total_score"]) == Decimal(p["exec_score"]) + scores
        weights = sum((Decimal(i["weight"]) for i in gold["indicators"]), Decimal(0))
        assert weights + Decimal(p["exec_weight"]) == 100


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_final_accounts_balance(seed):
    spec, _ = make_document("final-accounts", seed, 0.0)
    rows = table_of(spec).rows
    by = {r[0]: r[1] for r in rows} | {r[2]: r[3] for r in rows}
    income = sum((money(r[1]) for r in rows if re.match("^[一二三四五六七八]、", r[0])), Decimal(0))
    spend = sum((money(r[3]) for r in rows if re.match("^[一二三四五六七八]、", r[2])), Decimal(0))
    assert income == Decimal(by["本年收入合计"])
    assert spend == Decimal(by["本年支出合计"])
    grand = Decimal(by["本年收入合计"]) + Decimal(by["使用非财政拨款结余"]) + Decimal(by["年初结转和结余"])
    assert grand == Decimal(by["收入总计"]) == Decimal(by["支出总计"])
    assert Decimal(by["支出总计"]) == Decimal(by["本年支出合计"]) + Decimal(by["结余分配"]) + Decimal(by["年末结转和结余"])


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_prose_adds_up(seed):
    spec, _ = make_document("dept-report", seed, 0.0)
    text = "\n".join(b.text for b in spec.blocks if isinstance(b, Para))
    splits = re.findall(r"(\d{4})年支出预算([\d.]+)万元，当年财政拨款主要是：\n((?:\d\.\S+?万元。\n?)+)", text)
    assert len(splits) == 3
    for year, total, items in splits:
        parts = [Decimal(x) for x in re.findall(r"支出([\d.]+)万元", items)]
        assert len(parts) == 4 and sum(parts) == Decimal(total), year
    budgets = {int(y): Decimal(v) for y, v in re.findall(r"(\d{4})年预算收入([\d.]+)万元", text)}
    changes = re.findall(r"(\d{4})年预算收入[\d.]+万元，全部为财政拨款预算收入。比\d{4}年(增加|减少)([\d.]+)万元，(?:增长|下降)([\d.]+)%", text)
    assert len(changes) == 2
    for y, word, diff, rate in changes:
        y = int(y)
        change = budgets[y] - budgets[y - 1]
        assert abs(change) == Decimal(diff) and (change >= 0) == (word == "增加")
        assert Decimal(rate) == pct(abs(change), budgets[y - 1])
    tasks = re.findall(r"全年预算([\d.]+)(万元|元)，实际支出([\d.]+)元，执行率([\d.]+)%", text)
    assert len(tasks) == 2
    for budget, unit, spent, rate in tasks:
        b = Decimal(budget).scaleb(4 if unit == "万元" else 0)
        assert Decimal(rate) == pct(Decimal(spent), b)


def test_every_error_kind_is_planted_and_recorded():
    seen: dict[str, str] = {}
    for seed in range(30):
        for kind in KINDS:
            _, gold = make_document(kind, seed, 0.5)
            for f in gold["flags"]:
                assert f["code"] == ERROR_CODES[f["kind"]]
                assert f["text"]
                seen[f["kind"]] = f["code"]
    assert set(seen) == set(ERROR_CODES)


def test_planted_errors_look_like_the_real_ones():
    # a rate written as its fraction, a digit swap, an inverted period
    assert transpose_digit(Decimal("237.25"), __import__("random").Random(1)) in {
        Decimal("327.25"), Decimal("273.25"), Decimal("237.52")}
    flags = [f for seed in range(20) for f in make_document("dept-report", seed, 0.6)[1]["flags"]]
    fractions = [f["text"] for f in flags if f["kind"] == "rate-fraction"]
    assert fractions and all(re.fullmatch(r"0\.\d+%", t) for t in fractions)
    periods = [f["text"] for f in flags if f["kind"] == "period-inverted"]
    assert periods and all(re.fullmatch(r"(\d{4})年1月至(\d{4})年12月", t) for t in periods)
    assert all(int(t[:4]) == int(t[8:12]) + 1 for t in periods)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_gold_texts_are_in_the_written_text(tmp_path, kind, encoding):
    spec, gold = make_document(kind, f"t-{encoding}", 0.4)
    path = render(spec, tmp_path / "doc.txt", encoding=encoding)
    text = norm(path.read_bytes().decode(encoding))
    for item in gold["amounts"] + gold["rates"] + gold["flags"]:
        assert norm(item["text"]) in text, item
    for p in gold["projects"]:
        assert norm(p["name"]) in text


def test_every_format_is_written_with_pages_for_pdf(tmp_path):
    paths = generate(24, tmp_path, seed=2, error_rate=0.1)
    assert {p.suffix for p in paths} == {".pdf", ".docx", ".xlsx", ".txt"}
    kinds = {p.stem.split("-", 3)[3] for p in paths}
    assert kinds == set(KINDS)
    for p in paths:
        gold = json.loads(p.with_name(p.stem + ".gold.json").read_text("utf-8"))
        assert gold["doc"] == p.name
        pages = {a["page"] for a in gold["amounts"]}
        assert pages == ({None} if p.suffix != ".pdf" else pages - {None}) and (p.suffix != ".pdf" or pages)


def test_synth_command(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["synth", "-n", "7", "-o", str(out), "--errors", "0.2", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.gold.json"))) == 7
    assert len([p for p in out.iterdir() if not p.name.endswith(".gold.json")]) == 7
    assert "wrote 7 documents" in result.output
