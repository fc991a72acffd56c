"""Regenerate the committed sample corpus (run once from the repo root: python corpus/make_corpus.py).

Each entry names the kind, format, TXT encoding, the seed and the error rate of one
document; the files and their gold are written by extractor.evaluation.synth so the gold is exact.
Re-running rewrites identical documents (PDF/DOCX/XLSX metadata timestamps aside).
"""
from __future__ import annotations

from pathlib import Path

from extractor.evaluation.synth import make_document, write_document

ENTRIES = [  # name, kind, format, encoding, seed, error rate
    ("01-project-report-clean", "project-report", "pdf", "utf-8", "corpus-1", 0.0),
    ("02-project-report-errors", "project-report", "docx", "utf-8", "corpus-2", 0.5),
    ("03-project-report-errors-gbk", "project-report", "txt", "gbk", "corpus-3", 0.5),
    ("04-dept-report-errors", "dept-report", "pdf", "utf-8", "corpus-4", 0.3),
    ("05-dept-report-clean", "dept-report", "docx", "utf-8", "corpus-5", 0.0),
    ("06-dept-report-errors", "dept-report", "txt", "utf-8", "corpus-6", 0.3),
    ("07-project-table-clean", "project-table", "pdf", "utf-8", "corpus-7", 0.0),
    ("08-project-table-errors", "project-table", "docx", "utf-8", "corpus-project-table-0", 1.0),
    ("09-project-table-clean", "project-table", "xlsx", "utf-8", "corpus-9", 0.0),
    ("10-sichuan-table-errors", "sichuan-table", "pdf", "utf-8", "corpus-sichuan-table-0", 1.0),
    ("11-sichuan-table-clean", "sichuan-table", "xlsx", "utf-8", "corpus-11", 0.0),
    ("12-sichuan-table-clean", "sichuan-table", "txt", "utf-8", "corpus-12", 0.0),
    ("13-dept-table-errors", "dept-table", "docx", "utf-8", "corpus-dept-table-1", 1.0),
    ("14-dept-table-clean", "dept-table", "pdf", "utf-8", "corpus-14", 0.0),
    ("15-final-accounts-errors", "final-accounts", "pdf", "utf-8", "corpus-15", 0.6),
    ("16-final-accounts-clean", "final-accounts", "xlsx", "utf-8", "corpus-16", 0.0),
    ("17-final-accounts-errors", "final-accounts", "docx", "utf-8", "corpus-17", 1.0),
    ("18-project-table-errors-gbk", "project-table", "txt", "gbk", "corpus-18", 1.0),
    ("19-final-accounts-clean", "final-accounts", "txt", "utf-8", "corpus-19", 0.0),
    ("20-dept-table-errors", "dept-table", "xlsx", "utf-8", "corpus-20", 1.0),
]


def main(out: Path = Path(__file__).resolve().parent) -> None:
    for name, kind, fmt, encoding, seed, rate in ENTRIES:
        spec, gold = make_document(kind, seed, rate, fmt)
        write_document(spec, gold, out / f"{name}.{fmt}", encoding)


if __name__ == "__main__":
    main()
