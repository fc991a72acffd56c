"""Department, year and region of a document from outside it: a `--meta` manifest and path rules.

Many published reports never name their department (a bare 项目支出绩效自评表) or year, yet
archives are filed as `部门/年份/文件` or named `…2022年度…`. Two sources fill what the
document leaves open:

- a manifest (`--meta manifest.csv`, columns `path, department, year, region`, or 路径, 部门,
  年度, 地区): what the user states wins over the document; a path may be a folder, which
  covers every file below it (a deeper entry overrides the fields it gives); relative paths are read from the
  manifest's folder; UTF-8 or GB18030 (what Excel on Chinese Windows saves);
- path rules (`patterns/path_meta.json`): only where the document and the manifest are silent.

The `documents` row says where each value came from (`department_source`,
`report_year_source`: document, manifest or path).
"""
from __future__ import annotations

import csv
import functools
import io
import os
import re
from typing import Any

from .. import patternbook
from ..text.normalize import normalize
from ..text.titles import department_of, title_rules


class ManifestError(Exception):
    """A manifest that cannot be read; one line."""


@functools.lru_cache(maxsize=1)
def _year_rules() -> list[tuple[str, re.Pattern[str], bool]]:
    return [(e["component"], re.compile(e["regex"]), bool(e.get("unique")))
            for e in patternbook.entries("path_meta") if e["field"] == "year"]


def _components(path: str) -> list[tuple[str, str]]:
    """(kind, name) from the file name (without suffix) up through the folders, NFKC-normalized."""
    parts = [p for p in re.split(r"[\\/]+", path) if p not in ("", ".", "..")]
    if not parts:
        return []
    out = [("file", os.path.splitext(parts[-1])[0])]
    out += [("folder", p) for p in reversed(parts[:-1])]
    return [(k, normalize(n).text.strip()) for k, n in out]


def _year(kind: str, name: str) -> int | None:
    for component, rule, unique in _year_rules():
        if component not in ("any", kind):
            continue
        found = {m.group(1) for m in rule.finditer(name)}
        if found and (len(found) == 1 or not unique):
            return int(sorted(found)[0]) if len(found) == 1 else int(rule.search(name).group(1))
    return None


def _department(name: str) -> str | None:
    if title_rules()["org"].fullmatch(name):
        return name
    return department_of(name)


def within_input(path: str, roots: list[str] | tuple[str, ...] = ()) -> str:
    """`path` from the input it was found under (the deepest of `roots`, each a file or folder
    the user named) down: the input's own name and what lies below it. Folders above the input
    (`/home/2019/archive/…`) say nothing about the documents and must not fill their year."""
    best = ""
    for root in roots:
        root = root.rstrip("/\\") or root
        if (path == root or path.startswith(root + os.sep) or path.startswith(root + "/")) and len(root) > len(best):
            best = root
    if not best:
        return path
    return path[len(os.path.dirname(best)):].lstrip("/\\")


def meta_from_path(path: str, roots: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """Runner of path_meta.json: {department, year} the folder and file names state (None if
    silent), read from the input root named in `roots` down (see `within_input`)."""
    department = year = None
    for kind, name in _components(within_input(path, roots)):
        year = year if year is not None else _year(kind, name)
        department = department or _department(name)
    return {"department": department, "year": year}


_FIELDS = {"path": "path", "路径": "path", "文件": "path", "department": "department", "部门": "department",
           "单位": "department", "year": "year", "年度": "year", "年份": "year", "region": "region", "地区": "region"}


class Manifest:
    """path -> {department, year, region} from a CSV the user keeps beside the archive."""

    def __init__(self, entries: dict[str, dict[str, Any]]):
        self.entries = entries  # real path -> the values it gives

    @classmethod
    def load(cls, path: str) -> "Manifest":
        try:
            data = open(path, "rb").read()
        except OSError as exc:
            raise ManifestError(f"{path}: cannot read the manifest: {exc.strerror or exc}") from exc
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            raise ManifestError(f"{path}: the manifest is empty")
        names = [_FIELDS.get(h.strip().lower()) for h in rows[0]]
        if "path" not in names:
            raise ManifestError(f"{path}: the manifest needs a `path` (路径) column; it has {', '.join(rows[0])}")
        base = os.path.dirname(os.path.abspath(path))
        entries: dict[str, dict[str, Any]] = {}
        for n, row in enumerate(rows[1:], start=2):
            values = {f: cell.strip() for f, cell in zip(names, row) if f and cell.strip()}
            if "path" not in values:
                continue
            if "year" in values:
                try:
                    values["year"] = int(normalize(values["year"]).text.rstrip("年度"))
                except ValueError:
                    raise ManifestError(f"{path}:{n}: year must be a number such as 2022, not {values['year']}")
            target = os.path.realpath(os.path.join(base, values.pop("path")))
            entries[target] = values
        return cls(entries)

    def lookup(self, path: str) -> dict[str, Any]:
        """The values for a file: its folders' entries from the top down, each deeper one (and
        finally the file's own) overriding the fields it gives."""
        real = os.path.realpath(path)
        hits = [t for t in self.entries if real == t or real.startswith(t.rstrip(os.sep) + os.sep)]
        out: dict[str, Any] = {}
        for target in sorted(hits, key=len):
            out.update(self.entries[target])
        return out


def label(path: str, department: str | None, year: int | None, manifest: Manifest | None,
          roots: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """documents columns department, report_year, region and their sources for one path
    (path rules read it from the input root in `roots` down)."""
    given = manifest.lookup(path) if manifest else {}
    derived = meta_from_path(path, roots) if department is None or year is None else {}
    out: dict[str, Any] = {"region": given.get("region")}
    for column, key, own in (("department", "department", department), ("report_year", "year", year)):
        if given.get(key) is not None:
            out[column], source = given[key], "manifest"
        elif own is not None:
            out[column], source = own, "document"
        elif derived.get(key) is not None:
            out[column], source = derived[key], "path"
        else:
            out[column], source = None, None
        out[column + "_source"] = source
    return out
