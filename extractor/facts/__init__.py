"""Facts of the whole document: its meta, budget lines, and projects written in prose."""
from __future__ import annotations

from .budget_lines import budget_lines, category_code, classify_budget_label, stage_in
from .meta import document_meta
from .projects import projects_from_prose, prose_project_list

__all__ = ["budget_lines", "category_code", "classify_budget_label", "document_meta", "projects_from_prose",
           "prose_project_list", "stage_in"]
