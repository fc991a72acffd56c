"""reader → quantities → facts → checks: the one direction data flows in."""
from __future__ import annotations

from pathlib import Path

from .model import Document, Report


def build_report(doc: Document) -> Report:
    """Run every format-blind stage on a document that a reader produced."""
    from . import facts
    from .tables import flattened, selfeval
    from .text import quantities
    from .checks import run_checks
    from .readers import ocr

    flattened.add_flattened_tables(doc)
    report = Report(document=doc)
    report.meta = facts.document_meta(doc)
    report.quantities = quantities.find_quantities(doc, report_year=report.meta.report_year)
    ocr.apply_confidence(doc, report.quantities)
    report.projects, report.indicators = selfeval.read_selfeval(doc, report.quantities, report.meta)
    report.projects += facts.projects_from_prose(doc, report.quantities, report.meta, report.projects)
    report.budget_lines = facts.budget_lines(doc, report.quantities, report.meta)
    report.flags = ocr.soften_flags(run_checks(report), report.quantities)
    return report


def extract_path(path: str | Path, ocr: str = "auto") -> Report:
    """Read one file (any supported format) and build its report. Raises ReadError.
    `ocr`: auto | never | force (see `readers.read`)."""
    from .readers import read
    from .text.normalize import forget_long_texts

    try:
        return build_report(read(str(path), ocr=ocr))
    finally:
        forget_long_texts()
