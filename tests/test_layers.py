"""The package's layers (ARCHITECTURE.md): every import inside `extractor/` points down.

Each module belongs to one layer; a module may import its own layer and the layers its row
allows. The walk reads every `import` / `from … import` with `ast` (lazy imports inside
functions included), so a shortcut taken anywhere fails here, and a planted bad import
shows that it would.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "extractor"

# layer -> the layers it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "patterns": {"model"},
    "readers": {"model", "patterns"},
    "text": {"model", "patterns"},
    "tables": {"model", "patterns", "text"},
    "facts": {"model", "patterns", "text", "tables"},
    "checks": {"model", "patterns", "text", "tables", "facts"},
    "pipeline": {"model", "patterns", "readers", "text", "tables", "facts", "checks"},
    "dataset": {"model", "patterns", "readers", "text", "tables", "facts", "checks", "pipeline"},
    "evaluation": {"model", "patterns", "readers", "text", "tables", "facts", "checks", "pipeline"},
    "views": {"model", "patterns", "readers", "text", "tables", "facts", "checks", "pipeline", "dataset",
              "evaluation"},
    "cli": {"model", "patterns", "readers", "text", "tables", "facts", "checks", "pipeline", "dataset",
            "evaluation", "views"},
    "face": {"model", "patterns", "readers", "text", "tables", "facts", "checks", "pipeline", "dataset",
             "evaluation", "views", "cli"},
}

# top-level modules of the package and their layer; subpackages are layers of their own name
MODULE_LAYERS = {
    "model": "model", "jsonout": "model", "_version": "model",
    "patternbook": "patterns", "patterns": "patterns",
    "pipeline": "pipeline",
    "__init__": "face", "": "face",
}
SUBPACKAGES = {"readers", "text", "tables", "facts", "checks", "dataset", "evaluation", "views", "cli"}


def layer_of(module: str) -> str:
    """The layer of a module named relative to the package (`text.quantities`, `model`, '')."""
    head = module.split(".")[0]
    if head in SUBPACKAGES:
        return head
    if head in MODULE_LAYERS:
        return MODULE_LAYERS[head]
    raise KeyError(f"extractor.{module} belongs to no layer: add it to ARCHITECTURE.md and this test")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """(line, imported module relative to the package) for every import of the package."""
    tree = ast.parse(source if source is not None else path.read_text("utf-8"))
    name = _module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == "extractor" or node.module.startswith("extractor.")):
                target = node.module[len("extractor"):].lstrip(".")
            else:
                continue
            if node.module is None or not node.level or target == ".".join(base):
                # `from . import a, b`: each name may itself be a module
                for alias in node.names:
                    sub = f"{target}.{alias.name}" if target else alias.name
                    found.append((node.lineno, sub if _is_module(sub) else target))
            else:
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "extractor" or alias.name.startswith("extractor."):
                    found.append((node.lineno, alias.name[len("extractor"):].lstrip(".")))
    return found


def _is_module(name: str) -> bool:
    p = PACKAGE.joinpath(*name.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def violations(path: Path, source: str | None = None) -> list[str]:
    """Imports of `path` that point up or sideways against ALLOWED."""
    own = layer_of(_module_name(path))
    bad = []
    for line, target in imports_of(path, source):
        other = layer_of(target)
        if other != own and other not in ALLOWED[own]:
            bad.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {own} imports {other} (extractor.{target})")
    return bad


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "patterns" not in p.relative_to(PACKAGE).parts[:1])


def test_every_import_points_down_the_layers() -> None:
    bad = [v for p in _modules() for v in violations(p)]
    assert bad == []


def test_checks_are_format_blind() -> None:
    for p in (PACKAGE / "checks").glob("*.py"):
        assert not any(layer_of(t) in {"readers", "pipeline"} for _l, t in imports_of(p)), p


@pytest.mark.parametrize("module, planted", [
    ("text/quantities.py", "from ..tables import selfeval\n"),
    ("checks/units.py", "from ..pipeline import build_report\n"),
    ("model.py", "from .text.normalize import normalize\n"),
    ("readers/pdf.py", "def f():\n    from ..checks import run_checks\n"),
    ("dataset/store.py", "import extractor.cli\n"),
])
def test_a_planted_bad_import_is_caught(module: str, planted: str) -> None:
    path = PACKAGE / module
    assert violations(path) == []
    assert len(violations(path, path.read_text("utf-8") + "\n" + planted)) == 1


def test_no_import_circles_between_modules() -> None:
    """Module-level and lazy imports alike: the module graph has no cycle."""
    graph: dict[str, set[str]] = {}
    for p in _modules():
        name = _module_name(p)
        graph[name] = {t for _l, t in imports_of(p) if t != name and _is_module(t)}
    # a package's __init__ importing its own submodules is how Python packages work; the
    # reverse edge (a submodule importing its package's face) is what makes a circle
    def edges(n: str) -> set[str]:
        return {t for t in graph.get(n, ()) if not (n and t.startswith(n + ".")) and not (n == "" and t)}

    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(n: str, stack: list[str]) -> bool:
        state[n] = 1
        for t in sorted(edges(n)):
            if state.get(t) == 1:
                cycle.extend(stack[stack.index(t):] + [t] if t in stack else [n, t])
                return True
            if state.get(t) is None and visit(t, stack + [t]):
                return True
        state[n] = 2
        return False

    for n in sorted(graph):
        if state.get(n) is None and visit(n, [n]):
            break
    assert cycle == []
