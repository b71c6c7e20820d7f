"""ghgxl as a user on Windows gets it: a wheel, installed with pip (not the editable install
the tests run from, which finds every module in the checkout whatever pyproject.toml lists).

The wheel is built from the tracked files alone, installed into a folder of its own, and run
from there on the bundled example: every module and data file the commands need must be in
it (a package missing from ``[tool.setuptools] packages`` left the ``ghgxl`` command out).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support import ROOT

#: What a checkout holds besides its files, where git cannot list them (an export).
NOT_SOURCE = {".git", ".venv", "venv", "build", "dist", "__pycache__", ".pytest_cache",
              ".ruff_cache", ".hypothesis"}  # fmt: skip


def _tracked(folder: Path) -> list[str]:
    """The repository's tracked files (what a clone holds), as paths relative to ``folder``;
    without git (an exported tree), every file but the virtualenv, caches and builds."""
    if shutil.which("git") is not None:
        done = subprocess.run(["git", "ls-files", "-z"], cwd=folder, capture_output=True, text=True)
        if done.returncode == 0 and done.stdout:
            return [p for p in done.stdout.split("\0") if p and (folder / p).is_file()]
    return [
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file()
        and not NOT_SOURCE & set(path.relative_to(folder).parts)
        and not any(part.endswith(".egg-info") for part in path.parts)
    ]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in _tracked(ROOT):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    dist = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = dist.glob("ghgxl-*.whl")
    return built


def test_the_wheel_holds_every_module_and_the_data(wheel: Path) -> None:
    modules = {p for p in _tracked(ROOT) if p.startswith("ghgxl/") and p.endswith(".py")}
    with zipfile.ZipFile(wheel) as members:
        names = set(members.namelist())
    assert modules - names == set()  # ghgxl/cli/… among them
    for shipped in (
        "ghgxl/factor_data/VERSION",
        "ghgxl/factor_data/citations.csv",
        "ghgxl/workbook_files/ghgxl-template.xlsm",
        "ghgxl/workbook_files/examples/example-2023.xlsm",
        "ghgxl/templates_files/report-template.docx",
    ):
        assert shipped in names, shipped


def test_the_installed_command_computes_and_reports_the_example(wheel, tmp_path) -> None:
    """Installed apart from the checkout, run from an unrelated folder: the seed's total and
    grade (415,532.11 t CO2e, 2.3408 第四级), and a report written from the packaged
    template."""
    target = tmp_path / "installed"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
         "--target", str(target), str(wheel)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONIOENCODING": "utf-8"}
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(ROOT / "workbook" / "examples" / "example-2023.xlsm", work / "book.xlsm")
    where = subprocess.run(
        [sys.executable, "-c", "import ghgxl.cli, sys; print(ghgxl.cli.__file__)"],
        cwd=work, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(target), where.stdout + where.stderr
    script = target / "bin" / "ghgxl"  # the console script pip writes for the entry point
    assert script.exists()
    run = [sys.executable, str(script)]
    calc = subprocess.run(
        [*run, "calc", "book.xlsm"], cwd=work, env=env, capture_output=True, text=True
    )
    assert calc.returncode == 0, calc.stdout + calc.stderr
    assert "415,532.11" in calc.stdout and "2.3408" in calc.stdout
    report = subprocess.run(
        [*run, "report", "book.xlsm", "-o", "book.docx"],
        cwd=work, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert report.returncode == 0, report.stdout + report.stderr
    assert (work / "book.docx").stat().st_size > 50_000
