"""Long texts in sections, streamed out of the reading worker in parts (issue 17: a 100 MB
prose text within the default time and memory limits).

A document is built in sections only past `pipeline.SECTION_CHARS`; these tests force small
sections to show that the parts together are the whole document's records and flags, and
that every ordinary document is one part equal to `extract_path`'s report.
"""
from __future__ import annotations

import glob
import time
from pathlib import Path

import pytest

import hostile_corpus as corpus
from extractor.cli.extract import output_parts
from extractor.dataset.batch import WorkerPool
from extractor.jsonout import dumps
from extractor.pipeline import _sections, extract_parts, extract_path
from extractor.readers import read

REAL_TEXTS = sorted(glob.glob(str(Path(__file__).resolve().parents[1] / "../shared/real/*.txt")))


def _records(reports):
    return [q.record() for r in reports for q in r.quantities], [f.record() for r in reports for f in r.flags]


@pytest.fixture(scope="module")
def prose(tmp_path_factory):
    """A prose text of numbered project paragraphs (a year of reports in one file), whole."""
    path = corpus.prose_text(tmp_path_factory.mktemp("sections"), megabytes=0.15)
    return path, extract_path(path)


def test_sections_together_are_the_whole_document(prose):
    path, whole = prose
    parts = list(extract_parts(path, section_chars=12_000))
    assert len(parts) == 6
    quantities, flags = _records(parts)
    assert (quantities, flags) == _records([whole])
    assert len(quantities) == 3275 and len(flags) == 655
    # offsets are the whole text's: the last figure is where the whole document has it
    assert parts[-1].quantities[-1].start == whole.quantities[-1].start == 67_054
    assert {p.meta.report_year for p in parts} == {whole.meta.report_year}


def test_sections_end_before_a_heading_within_reach(tmp_path):
    """A section runs on to end before the next numbered heading rather than in a run of
    paragraphs under it (the heading's year then dates the figures after it, as unsectioned)."""
    body = "".join(f"第{i}段，支出{i}万元。\n" for i in range(40))
    text = body + "二、2021年度执行情况\n" + body + "三、2022年度执行情况\n" + body[:200]
    path = tmp_path / "headed.txt"
    path.write_text(text, encoding="utf-8")
    sections = [base for _section, base in _sections(read(str(path)), len(body) - 30)]
    assert sections == [0, text.index("二、"), text.index("三、")]
    parts = list(extract_parts(path, section_chars=len(body) - 30))
    assert _records(parts) == _records([extract_path(path)])
    assert [{q.year for q in p.quantities} for p in parts] == [{None}, {2021}, {2022}]


@pytest.mark.parametrize("path", REAL_TEXTS[:12], ids=lambda p: Path(p).name[:12])
def test_ordinary_documents_are_one_part(path):
    """Below the section size the one part is exactly `extract_path`'s report."""
    parts = list(extract_parts(path))
    assert len(parts) == 1
    assert _records(parts) == _records([extract_path(path)])


def test_worker_side_output_is_the_records_printed(prose):
    path, whole = prose
    got = list(output_parts(str(path), fmt="jsonl"))
    assert got[0] == ("notes", [])
    assert "".join(text for kind, text in got[1:]) == "".join(
        dumps({"doc": str(path), **q.record()}) + "\n" for q in whole.quantities)


def slow_parts(path: str, pause: float = 0.0, first_pause: float = 0.0):
    """A target that yields three parts, `pause` seconds apart (for the pool tests)."""
    time.sleep(first_pause)
    for n in range(3):
        time.sleep(pause)
        yield n


@pytest.mark.parametrize("pause, first_pause, expected", [
    (0.6, 0.0, [(True, 0, None), (True, 1, None), (True, 2, None), (False, None, None)]),
    (0.0, 3.0, [(False, None, "timed out after 1.5 s")]),
])
def test_parts_stream_through_the_pool_with_a_time_limit_per_part(pause, first_pause, expected):
    """Three parts 0.6 s apart take longer than the 1.5 s limit and still arrive (each part
    restarts the clock); a target silent for longer than the limit is stopped."""
    pool = WorkerPool(1, "test_hostile_sections:slow_parts", None, 1.5, None,
                      options={"pause": pause, "first_pause": first_pause})
    got = [(o.partial, o.result, o.error and o.error.split(": ", 1)[1]) for o in pool.run([("k", "p")])]
    assert got == expected
