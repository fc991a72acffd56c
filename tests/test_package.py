"""The name users install is the name they import: `import jixiao`, `python -m jixiao`."""
from __future__ import annotations

import subprocess
import sys
from importlib import metadata, resources

import pytest

import extractor
import jixiao

from conftest import ROOT


def test_import_jixiao_is_the_extractor_api():
    assert jixiao.__version__ == extractor.__version__ == metadata.version("jixiao")
    assert jixiao.extract is extractor.extract and jixiao.check is extractor.check and jixiao.convert is extractor.convert
    assert set(jixiao.__all__) == set(extractor.__all__)
    report = jixiao.extract(ROOT / "corpus" / "06-dept-report-errors.txt")
    assert isinstance(report, jixiao.Report) and len(report.flags) > 0
    with pytest.raises(AttributeError, match="module 'jixiao' has no attribute 'no_such_name'"):
        jixiao.no_such_name  # noqa: B018


def test_names_added_to_extractor_later_reach_jixiao(monkeypatch):
    assert jixiao.load_dataset is extractor.load_dataset
    monkeypatch.setattr(extractor, "future_api", lambda path: {"path": path}, raising=False)
    assert jixiao.future_api("d.sqlite") == {"path": "d.sqlite"}
    assert "future_api" in dir(jixiao)


def test_python_m_jixiao_version():
    out = subprocess.run([sys.executable, "-m", "jixiao", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout == f"jixiao, version {metadata.version('jixiao')}\n"
    out = subprocess.run([sys.executable, "-m", "jixiao", "check", "--help"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("Usage: jixiao check [OPTIONS] INPUTS...")


def test_the_wheel_ships_jixiao_and_the_schemas():
    """What `pip install .` installs (pyproject), and the schemas as package data."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    assert {"jixiao", "extractor", "extractor.schemas"} <= set(tool["packages"])
    assert tool["package-dir"]["extractor.schemas"] == "schemas"
    names = {p.name for p in resources.files("extractor.schemas").iterdir()}
    assert {"extract-record.schema.json", "check-record.schema.json"} <= names
