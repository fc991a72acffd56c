"""The review and report pages in a real browser: Debian's Chromium driven by Playwright.

No browser is downloaded: the tests use the system Chromium (`apt-get install chromium`,
done by .ci/run), found at /usr/lib/chromium/chromium, on PATH, or in $JIXIAO_CHROMIUM.
Each page is checked for console errors and for any request beyond the page itself.
Conditions waited for are written as functions: an expression string would be run through
eval, which the review page's Content-Security-Policy forbids.
"""
from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.dataset.convert import convert
from extractor.views.report import build_report
from extractor.views.review import build_review

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DOCS = ROOT / "docs"
HOSTILE_SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_IMG = '"><img src=x onerror="window.__pwned=2">'
HOSTILE = ("测试县<b>审计局</b>2023年部门整体支出绩效自评报告\n一、基本情况\n"
           f"{HOSTILE_IMG}{HOSTILE_SCRIPT}2023年部门预算支出总额100.00万元，其中基本支出60.00万元，项目支出50.00万元。\n")


def _chromium() -> str | None:
    for candidate in (os.environ.get("JIXIAO_CHROMIUM"), "/usr/lib/chromium/chromium", shutil.which("chromium")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        yield b
        b.close()


class Opened:
    """A page opened at 1366×768 with its console errors and requests recorded."""

    def __init__(self, browser, path: Path):
        self.url = path.resolve().as_uri()
        self.context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        started = time.monotonic()
        self.page.goto(self.url, wait_until="load")
        self.seconds = time.monotonic() - started

    def outside(self) -> list[str]:
        """Requests for anything but the page itself and its inline data."""
        return [u for u in self.requests if u != self.url and not u.startswith(("data:", "blob:"))]

    def close(self) -> None:
        self.context.close()


def _documents(folder: Path) -> None:
    folder.mkdir()
    for p in sorted(CORPUS.iterdir()):
        if p.suffix in (".pdf", ".docx", ".xlsx", ".txt"):
            shutil.copy(p, folder / p.name)
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")


@pytest.fixture(scope="module")
def corpus_pages(tmp_path_factory):
    """The bundled corpus plus a document with markup in it: converted, reviewed twice, reported."""
    root = tmp_path_factory.mktemp("pages")
    docs = root / "docs"
    _documents(docs)
    ds = root / "corpus.sqlite"
    convert([str(docs)], str(ds), jobs=2, quiet=True)
    pages = {"files": root / "review-files.html", "dataset": root / "review-dataset.html", "report": root / "report.html"}
    cli = subprocess.run([sys.executable, "-m", "extractor.cli", "review", "docs", "-o", pages["files"].name],
                         cwd=root, capture_output=True, text=True, timeout=600)  # paths as typed: docs/…
    assert cli.returncode == 0, cli.stderr
    assert f"{CORPUS_FLAGS} flags of 12 documents ({CORPUS_PDF_FLAGS} page crops" in cli.stderr
    summaries = {
        "files": build_review([str(docs)], str(root / "review-absolute.html"), quiet=True),
        "dataset": build_review([str(ds)], str(pages["dataset"]), quiet=True),
        "report": build_report(str(ds), str(pages["report"])),
    }
    return {"root": root, "docs": docs, "dataset": ds, "pages": pages, "summaries": summaries}


# 34 planted flags of the corpus, one sum-mismatch in the hostile document, and the 说明 of
# 17-final-accounts restating the 上级补助收入 its planted table slip changed; 8 of them on PDF pages
CORPUS_FLAGS = 36
CORPUS_PDF_FLAGS = 8


def _check_listing(opened: Opened, flags: int, images: int) -> None:
    page = opened.page
    assert opened.errors == []
    assert opened.outside() == []
    cards = page.locator("article.flag")
    assert cards.count() == flags
    assert page.locator("#total").inner_text() == str(flags)
    for i in range(flags):
        place = cards.nth(i).locator(".place")
        assert place.locator("img, pre.src, table.grid").count() >= 1, cards.nth(i).inner_text()
    shown = page.locator(".place img")
    assert shown.count() == images
    for i in range(images):  # lazily loaded: each image gets its source once scrolled to
        img = shown.nth(i)
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    assert opened.outside() == []


@pytest.mark.parametrize("source", ["files", "dataset"])
def test_review_lists_every_flag_with_its_place(browser, corpus_pages, source):
    assert corpus_pages["summaries"][source]["flags"] == CORPUS_FLAGS
    assert corpus_pages["summaries"][source]["images"] == CORPUS_PDF_FLAGS
    opened = Opened(browser, corpus_pages["pages"][source])
    try:
        _check_listing(opened, CORPUS_FLAGS, CORPUS_PDF_FLAGS)
        # PDF flags are found on their page: no "place not found" note
        assert opened.page.locator(".place .note").count() == 0
    finally:
        opened.close()


def _select(page, name: str, value: str) -> None:
    page.select_option(f"#filter-{name}", value)


def test_filters_change_the_count(browser, corpus_pages):
    opened = Opened(browser, corpus_pages["pages"]["files"])
    page = opened.page
    try:
        assert page.locator("#shown").inner_text() == str(CORPUS_FLAGS)
        assert page.locator('#filter-code option[value="total-zero"]').inner_text() == "total-zero (9)"
        _select(page, "code", "total-zero")
        assert page.locator("#shown").inner_text() == "9"
        assert page.locator("article.flag:not(.hidden)").count() == 9
        # counts of the other filters follow the chosen code
        assert page.locator('#filter-department option[value="零陵区自然资源局"]').inner_text() == "零陵区自然资源局 (3)"
        _select(page, "department", "零陵区自然资源局")
        assert page.locator("#shown").inner_text() == "3"
        _select(page, "code", "")
        _select(page, "department", "")
        _select(page, "year", "2024")
        assert page.locator("#shown").inner_text() == page.locator('#filter-year option[value="2024"]').get_attribute(
            "data-count")
        assert page.locator("#shown").inner_text() != str(CORPUS_FLAGS)
        assert opened.errors == [] and opened.outside() == []
    finally:
        opened.close()


def _card(page, code: str, text: str):
    cards = page.locator("article.flag").filter(has=page.locator(".code", has_text=code)).filter(
        has=page.locator(".stated", has_text=text))
    assert cards.count() >= 1
    return cards.first


def _exported(root: Path, out: str) -> dict[tuple, dict[str, str]]:
    with open(root / out / "quantities.csv", encoding="utf-8-sig", newline="") as f:
        return {(r["doc"].rsplit("/", 1)[-1], r["text"], r["table"], r["row"], r["col"]): r for r in csv.DictReader(f)}


def test_decisions_download_and_convert_applies_them(browser, corpus_pages):
    root = corpus_pages["root"]
    opened = Opened(browser, corpus_pages["pages"]["dataset"])
    page = opened.page
    try:
        page.fill("#reviewer", "王审核")
        page.locator("#reviewer").dispatch_event("change")
        _card(page, "unit-suspect", "629.09元").locator("button.accept").click()
        _card(page, "sum-mismatch", "257.18万元").locator("button.reject").click()
        doc = page.locator("section.doc").filter(has=page.locator("h2", has_text="08-project-table-errors.docx"))
        zero = doc.locator("article.flag").filter(has=page.locator(".where", has_text="表1 行4 列4")).filter(
            has=page.locator(".code", has_text="total-zero"))
        assert zero.count() == 1
        zero.locator("input.edit").fill("404.09")
        zero.locator("button.save-edit").click()
        assert page.locator("#decided").inner_text() == "3"
        files = {}
        for kind in ("csv", "json"):
            with page.expect_download() as info:
                page.click(f"#download-{kind}")
            files[kind] = root / f"corrections.{kind}"
            info.value.save_as(files[kind])
        page.reload(wait_until="load")  # decisions are kept in the page
        assert page.locator("#decided").inner_text() == "3"
        _select(page, "decision", "accept")
        assert page.locator("#shown").inner_text() == "1"
        assert opened.errors == [] and opened.outside() == []
    finally:
        opened.close()
    with open(files["csv"], encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted((r["code"], r["decision"], r["corrected"], r["reviewer"]) for r in rows) == [
        ("sum-mismatch", "reject", "", "王审核"), ("total-zero", "edit", "404.09", "王审核"),
        ("unit-suspect", "accept", "629.09万元", "王审核")]
    for kind, path in files.items():
        out = f"out-{kind}"
        proc = subprocess.run([sys.executable, "-m", "extractor.cli", "convert", str(corpus_pages["docs"]), "-o",
                               str(corpus_pages["dataset"]), "--corrections", str(path), "--export", out, "-j", "1"],
                              cwd=root, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert "corrections: 2 figures corrected, 1 decisions recorded without a figure, 0 for documents" in proc.stderr
        q = _exported(root, out)
        unit = q[("03-project-report-errors-gbk.txt", "629.09元", "", "", "")]
        assert (unit["value"], unit["unit"], unit["value_yuan"]) == ("629.09", "万元", "629.09")
        cell = q[("08-project-table-errors.docx", "0", "0", "3", "3")]
        assert (cell["value"], cell["unit"], cell["value_yuan"]) == ("404.09", "万元", "404.09")
    conn = sqlite3.connect(corpus_pages["dataset"])
    assert conn.execute("SELECT COUNT(*) FROM corrections").fetchone() == (3,)
    conn.close()


def test_markup_in_a_document_stays_text(browser, corpus_pages):
    opened = Opened(browser, corpus_pages["pages"]["files"])
    page = opened.page
    try:
        assert page.evaluate("typeof window.__pwned") == "undefined"
        card = _card(page, "sum-mismatch", "100.00万元")
        assert HOSTILE_SCRIPT in card.locator("pre.src").inner_text()
        assert HOSTILE_IMG in card.locator("pre.src").inner_text()
        assert page.locator('img[src="x"]').count() == 0
        assert page.locator("b", has_text="审计局").count() == 0
        assert "测试县<b>审计局</b>" in page.locator("section.doc h2", has_text="hostile.txt").inner_text()
        assert page.locator("script").count() == 3  # the page's two data blocks and its one script
        assert opened.errors == [] and opened.outside() == []
    finally:
        opened.close()


def _check_report(opened: Opened, charts: int) -> None:
    page = opened.page
    page.wait_for_function(f"() => document.querySelectorAll('.chart svg').length === {charts}")
    assert page.locator(".chart").count() == charts
    assert opened.errors == [] and opened.outside() == []


def test_report_draws_every_chart_offline(browser, corpus_pages):
    summary = corpus_pages["summaries"]["report"]
    assert (summary["documents"], summary["flags"], summary["charts"]) == (21, CORPUS_FLAGS, 4)
    assert summary["bytes"] < 5 * 2**20
    opened = Opened(browser, corpus_pages["pages"]["report"])
    try:
        _check_report(opened, 4)
        page = opened.page
        select = page.locator("#chart-lines select")
        options = select.locator("option").all_inner_texts()
        assert len(options) >= 2
        before = page.locator("#chart-lines svg").inner_html()
        select.select_option(next(o for o in options if o != select.input_value()))
        page.wait_for_function("html => document.querySelector('#chart-lines svg').innerHTML !== html", arg=before)
        assert opened.errors == []
    finally:
        opened.close()


def test_screenshots_of_both_pages(browser, corpus_pages, tmp_path):
    """Screenshots of both pages at 1366×768; with JIXIAO_SCREENSHOTS=1 they replace
    docs/review.png and docs/report.png (linked from the README), so a test run leaves the
    checkout as it found it."""
    import os

    from PIL import Image

    out = DOCS if os.environ.get("JIXIAO_SCREENSHOTS") == "1" else tmp_path
    out.mkdir(exist_ok=True)
    for name, key in (("review.png", "files"), ("report.png", "report")):
        opened = Opened(browser, corpus_pages["pages"][key])
        try:
            if key == "report":
                _check_report(opened, 4)
            else:
                # the first flag on a PDF page, just below the sticky header
                opened.page.evaluate("""() => {
                    const card = document.querySelector('.place img').closest('section.doc');
                    window.scrollTo(0, card.offsetTop - document.querySelector('header').offsetHeight - 8);
                }""")
                opened.page.wait_for_function("() => [...document.images].filter(i => i.src).length >= 2 && "
                                              "[...document.images].filter(i => i.src).every(i => i.complete)")
            opened.page.screenshot(path=str(out / name))
        finally:
            opened.close()
        assert Image.open(out / name).size == (1366, 768)


# ---------------------------------------------------------------- the real PDFs

@pytest.fixture(scope="module")
def real_pages(real_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    pdfs = sorted(real_dir.glob("*.pdf"))
    ds = root / "real.sqlite"
    convert([str(p) for p in pdfs], str(ds), jobs=2, quiet=True)
    review, report = root / "review.html", root / "report.html"
    return {"dataset": ds, "review": review, "report": report, "pdfs": len(pdfs),
            "summary": build_review([str(ds)], str(review), quiet=True), "report_summary": build_report(str(ds), str(report))}


def test_real_pdfs_review_and_report(browser, real_pages):
    conn = sqlite3.connect(real_pages["dataset"])
    flags = conn.execute("SELECT COUNT(*) FROM flags").fetchone()[0]
    paged = conn.execute("SELECT COUNT(*) FROM flags WHERE page IS NOT NULL").fetchone()[0]
    conn.close()
    summary = real_pages["summary"]
    assert summary["flags"] == flags and summary["images"] == paged
    assert real_pages["report_summary"]["documents"] == real_pages["pdfs"]
    opened = Opened(browser, real_pages["review"])
    try:
        _check_listing(opened, flags, paged)
    finally:
        opened.close()
    opened = Opened(browser, real_pages["report"])
    try:
        _check_report(opened, real_pages["report_summary"]["charts"])
    finally:
        opened.close()


# ---------------------------------------------------------------- 200 documents

def test_200_documents_open_fast_and_report_stays_small(browser, tmp_path_factory):
    from extractor.evaluation.synth import generate

    root = tmp_path_factory.mktemp("synth")
    generate(200, root / "docs", seed=14, error_rate=0.1)
    ds = root / "synth.sqlite"
    convert([str(root / "docs")], str(ds), jobs=2, quiet=True)
    review = build_review([str(ds)], str(root / "review.html"), quiet=True)
    report = build_report(str(ds), str(root / "report.html"))
    opened = Opened(browser, root / "review.html")
    try:
        assert opened.errors == [] and opened.outside() == []
        assert opened.page.locator("article.flag").count() == review["flags"]
        assert opened.seconds < 3, opened.seconds
        # lazily loaded: only the images near the first screen have a source
        loaded = opened.page.evaluate("[...document.querySelectorAll('.place img')].filter(i => i.src).length")
        assert loaded < review["images"]
    finally:
        opened.close()
    assert report["bytes"] < 5 * 2**20
    print(f"\n200 documents: {review['flags']} flags, {review['images']} crops, review {review['bytes']} bytes opened in "
          f"{opened.seconds:.2f} s; report {report['bytes']} bytes")
