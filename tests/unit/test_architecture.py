"""The import directions docs/architecture.md states, checked on every import in ghgxl/
(function-level imports too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "ghgxl"
EDGES = {"ghgxl.cli", "ghgxl.udfs", "ghgxl.excel", "ghgxl.xlconfig", "ghgxl.docs"}
FACTS = {
    "ghgxl.errors",
    "ghgxl.units",
    "ghgxl.gwp",
    "ghgxl.factors",
    "ghgxl.citations",
    "ghgxl.files",
    "ghgxl.jsontext",
}
ENGINE = {
    "ghgxl.inventory",
    "ghgxl.emission",
    "ghgxl.api",
    "ghgxl.uncertainty",
    "ghgxl.export",
    "ghgxl.quality",
}
#: What the engine never imports: it runs the same under Excel, on a server and in tests.
NOT_IN_ENGINE = ("xlwings", "openpyxl", "docx", "docxtpl", "matplotlib")
#: Build time only: the template generates its VBA declarations from the cell functions.
ALLOWED = {("ghgxl.workbook.template", "ghgxl.udfs")}


def layer(module: str) -> str:
    if module in EDGES or module.startswith("ghgxl.cli."):
        return "edges"
    if module.startswith(("ghgxl.workbook", "ghgxl.report")):
        return "workbook and report"
    if module in ENGINE or module.startswith("ghgxl.methods"):
        return "engine"
    if module in FACTS or module == "ghgxl":
        return "facts"
    raise AssertionError(f"{module} is in no layer of docs/architecture.md")


RANK = {"facts": 0, "engine": 1, "workbook and report": 2, "edges": 3}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(path: Path) -> set[str]:
    """Every module an import in ``path`` names (``from ghgxl.workbook import layout``
    names ghgxl.workbook.layout when that is a module)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


MODULES = modules()


def ghgxl_imports(path: Path) -> set[str]:
    return {name for name in imports(path) if name in MODULES}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_inwards(module: str) -> None:
    own = layer(module)
    for target in ghgxl_imports(MODULES[module]):
        if (module, target) in ALLOWED or target == "ghgxl":
            continue
        assert RANK[layer(target)] <= RANK[own], f"{module} ({own}) imports {target}"
        if own == "workbook and report" and module.startswith("ghgxl.workbook"):
            assert not target.startswith("ghgxl.report"), f"{module} imports {target}"
        if own == "facts":
            assert layer(target) == "facts", f"{module} imports {target}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) in ("engine", "facts")))
def test_the_engine_imports_no_office_library(module: str) -> None:
    used = {name.split(".")[0] for name in imports(MODULES[module])}
    assert not used & set(NOT_IN_ENGINE), f"{module} imports {used & set(NOT_IN_ENGINE)}"


def test_only_udfs_imports_xlwings() -> None:
    users = {m for m, p in MODULES.items() if "xlwings" in {n.split(".")[0] for n in imports(p)}}
    assert users == {"ghgxl.udfs"}


def test_the_rules_catch_a_wrong_import(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text("from ghgxl.workbook import calc\nimport xlwings\n", encoding="utf-8")
    assert "ghgxl.workbook.calc" in ghgxl_imports(wrong)
    assert RANK[layer("ghgxl.workbook.calc")] > RANK[layer("ghgxl.inventory")]
    assert "xlwings" in {n.split(".")[0] for n in imports(wrong)}
