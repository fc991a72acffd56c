"""The one version of jixiao: the installed distribution's metadata (pyproject.toml).

Below the package's face, so the dataset layer can key its skip rule on it without
importing `extractor/__init__`.
"""
from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("jixiao")
except metadata.PackageNotFoundError:  # a source tree used without installing
    __version__ = "0.0.0+source"
