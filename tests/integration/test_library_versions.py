"""Library versions: a workbook computes with the version it records, every released
version stays loadable, ``factors diff`` and ``factors upgrade`` show what moving costs.

Two made-up versions live in a temporary releases folder (GHGXL_FACTOR_RELEASES), made
from the current files: 2025.9 with the 2021 national grid factor 0.6 instead of 0.5568,
one factor removed and one added; 2025.7 without the grid factor the example uses.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ghgxl import udfs
from ghgxl.cli import main
from ghgxl.errors import GhgError
from ghgxl.factors import (
    RELEASES_ENV,
    FactorLibrary,
    LibraryChoice,
    current_version,
    diff_libraries,
    freeze_release,
    library_files,
    read_library_file,
    release_files,
    released_versions,
)
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calculate_workbook, write_values
from ghgxl.workbook.read import read_workbook

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"
GRID = "grid.cn.national.2021"
ADDED = "test.added.factor,CO2e,1.5,kgCO2e/t,测试新增因子,test factor,,,TEST,1 source,\n"


def _release(folder: Path, version: str, edit) -> None:
    files = {name: read_library_file(name) for name in library_files()}
    files = edit(files)
    files["VERSION"] = version + "\n"
    with zipfile.ZipFile(folder / f"{version}.zip", "w") as package:
        for name, text in files.items():
            package.writestr(name, text.encode("utf-8"))


def _old(files: dict[str, str]) -> dict[str, str]:
    lines = files["grid_cn.csv"].splitlines(keepends=True)
    grid = [i for i, line in enumerate(lines) if line.startswith(f"{GRID},CO2,0.5568,")]
    assert len(grid) == 1
    lines[grid[0]] = lines[grid[0]].replace(",0.5568,", ",0.6,", 1)
    lines = [line for line in lines if not line.startswith("grid.cn.national.2023,")]
    files["grid_cn.csv"] = "".join(lines)
    files["misc.csv"] += ADDED
    return files


def _without_grid(files: dict[str, str]) -> dict[str, str]:
    lines = files["grid_cn.csv"].splitlines(keepends=True)
    files["grid_cn.csv"] = "".join(line for line in lines if not line.startswith(f"{GRID},"))
    return files


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("releases")
    _release(folder, "2025.9", _old)
    _release(folder, "2025.7", _without_grid)
    return folder


@pytest.fixture(autouse=True)
def _releases_env(releases: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RELEASES_ENV, str(releases))


def with_version(source: Path, version: str, out: Path) -> Path:
    """A copy of ``source`` whose 基本信息 records ``version``."""
    row = read_workbook(source).info_rows["factor_library"]
    write_values(source, out, {L.SHEET_INFO: {f"B{row}": version}})
    return out


def run(*args: str):
    result = CliRunner(env={"COLUMNS": "250"}).invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def test_the_current_release_is_frozen_as_shipped(tmp_path: Path) -> None:
    """factors/releases/<VERSION>.zip holds exactly the current files: a factor file edited
    without a new version (and ``ghgxl factors freeze``) fails here."""
    made = freeze_release(tmp_path)
    shipped = ROOT / "factors" / "releases" / made.name
    assert shipped.read_bytes() == made.read_bytes()
    with zipfile.ZipFile(io.BytesIO(made.read_bytes())) as package:
        assert package.read("VERSION").decode().strip() == current_version()


def test_every_release_loads() -> None:
    versions = released_versions()
    assert versions[:2] == ["2025.7", "2025.9"] and current_version() in versions
    for version in versions:
        library = FactorLibrary.release(version)
        assert library.version == version and len(library.rows()) > 150
    assert release_files("2025.9")["VERSION"].strip() == "2025.9"
    with pytest.raises(GhgError) as info:
        FactorLibrary.release("1999.1")
    assert info.value.code == "E310" and "2025.9" in info.value.text()


def test_a_workbook_computes_with_the_version_it_records(tmp_path: Path) -> None:
    current = calculate_workbook(EXAMPLE)
    assert current.library.version == current_version()
    grid_t = float(current.result.rows["tco2e"][current.rows["factor_key"] == GRID].sum())
    old_book = with_version(EXAMPLE, "2025.9", tmp_path / "old.xlsm")
    old = calculate_workbook(old_book)
    assert old.library.version == "2025.9"
    # the grid row scales with its factor: 13,146.42 t × 0.6 / 0.5568; nothing else moves
    expected = current.result.total + grid_t * (0.6 / 0.5568 - 1)
    assert old.result.total == pytest.approx(expected, rel=1e-12)
    assert old.result.total - current.result.total == pytest.approx(1020.0, abs=0.5)
    # told otherwise, it computes with the version asked for
    asked = calculate_workbook(old_book, library=LibraryChoice(current_version()))
    assert asked.result.total == pytest.approx(current.result.total, rel=1e-15)
    # the command line: the recorded version unless --library
    assert "2025.9" in run("calc", str(old_book)).output
    latest = run("calc", str(old_book), "--library", current_version())
    assert f"因子库 / factor library {current_version()}" in latest.output
    unknown = with_version(EXAMPLE, "2099.1", tmp_path / "future.xlsm")
    result = run("calc", str(unknown))
    assert result.exit_code == 2 and "E310" in result.output and "2099.1" in result.output


def test_diff_lists_added_removed_and_changed() -> None:
    changes = diff_libraries(FactorLibrary.release("2025.9"), FactorLibrary.default())
    by_kind: dict[str, list] = {}
    for c in changes:
        by_kind.setdefault(c.kind, []).append((c.key, c.gas))
    changed = [c for c in changes if c.kind == "changed"]
    assert [(c.key, c.old.value, c.new.value) for c in changed] == [(GRID, 0.6, 0.5568)]
    assert changed[0].relative == pytest.approx((0.5568 - 0.6) / 0.6)  # −7.2 %
    assert ("grid.cn.national.2023", "CO2") in by_kind["added"]
    assert ("test.added.factor", "CO2e") in by_kind["removed"]
    output = run("factors", "diff", "2025.9").output
    assert GRID in output and "-7.20%" in output and "改变 changed 1" in output


def test_upgrade_shows_the_effect_then_writes_the_new_version(tmp_path: Path) -> None:
    old_book = with_version(EXAMPLE, "2025.9", tmp_path / "old.xlsm")
    original = old_book.read_bytes()
    preview = run("factors", "upgrade", str(old_book))
    assert preview.exit_code == 0
    assert "2025.9 → " + current_version() in preview.output and "1 行改变" in preview.output
    assert "-7.20%" in preview.output and "未写入" in preview.output
    assert old_book.read_bytes() == original  # a preview writes nothing
    out = tmp_path / "new.xlsm"
    assert run("factors", "upgrade", str(old_book), "-o", str(out)).exit_code == 0
    assert old_book.read_bytes() == original
    upgraded = calculate_workbook(out)
    assert upgraded.data.info["factor_library"] == current_version()
    assert upgraded.result.total == pytest.approx(calculate_workbook(EXAMPLE).result.total)


def test_check_says_a_newer_library_exists(tmp_path: Path) -> None:
    old_book = with_version(EXAMPLE, "2025.9", tmp_path / "old.xlsm")
    result = run("check", str(old_book))
    assert "W114" in result.output
    assert f"清册按因子库 2025.9 计算；已有较新的 {current_version()}" in result.output
    assert "1 个因子数值改变" in result.output
    assert "W114" not in run("check", str(EXAMPLE)).output


def test_upgrade_refuses_a_version_without_a_factor_in_use(tmp_path: Path) -> None:
    out = tmp_path / "down.xlsm"
    result = run("factors", "upgrade", str(EXAMPLE), "--to", "2025.7", "-o", str(out))
    assert result.exit_code == 2 and "E615" in result.output and "2025.7" in result.output
    assert not out.exists()


def test_excel_rows_compute_with_the_recorded_version_too() -> None:
    """Each 活动数据 row passes ghg_library (基本信息 因子库版本) to its cell function: a
    2025.9 workbook shows 1,000 kWh × 0.6 t/MWh in Excel as in ghgxl calc, not the newest
    library's 0.5568; a version this ghgxl lacks is E310 in the cell, never another number."""
    row = (1000, "kWh", GRID, None, None, None, "AR6", "CO2")
    assert udfs.GHG_EMISSION_GROUPS(*row, None, "2025.9") == [[pytest.approx(0.6)]]
    assert udfs.GHG_EMISSION_GROUPS(*row, None, "2025.9+company") == [[pytest.approx(0.6)]]
    assert udfs.GHG_EMISSION_GROUPS(*row, None, None) == [[pytest.approx(0.5568)]]
    assert udfs.GHG_EMISSION_GROUPS(*row, None, "") == [[pytest.approx(0.5568)]]
    missing = udfs.GHG_EMISSION_GROUPS(*row, None, "1999.1")
    assert isinstance(missing, str) and missing.startswith("#GHG! E310")


def test_a_factor_added_since_the_recorded_version_says_upgrade(tmp_path: Path) -> None:
    """A workbook pinned to 2025.7 (no 2021 national grid factor) whose row names that factor:
    E312 at the row's factor cell, naming both versions and ``factors upgrade``, in the
    terminal and in the Excel cell; a key no version has stays E301."""
    book = with_version(EXAMPLE, "2025.7", tmp_path / "pinned.xlsm")
    result = run("calc", str(book))
    line = next(x for x in result.output.splitlines() if "E312" in x)
    assert f"{L.SHEET_ACTIVITY}!{L.ACT_COL['factor_key']}" in line
    assert GRID in line and "2025.7" in line and current_version() in line
    assert "ghgxl factors upgrade" in line
    row = (1000, "kWh", GRID, None, None, None, "AR6", "CO2")
    assert udfs.GHG_EMISSION_GROUPS(*row, None, "2025.7").startswith("#GHG! E312")
    with pytest.raises(GhgError) as info:
        FactorLibrary.release("2025.7").rows_of("no.such.factor")
    assert info.value.code == "E301"
    with pytest.raises(GhgError) as info:  # the newest version has no newer one to point at
        FactorLibrary.default().rows_of("no.such.factor")
    assert info.value.code == "E301"


def test_a_version_missing_in_another_workbook_names_that_workbook(tmp_path: Path) -> None:
    """E310 raised by the earlier year's, the base year's or a site's workbook says which
    file it is: the command is about another one."""
    future = with_version(EXAMPLE, "2099.1", tmp_path / "future-2022.xlsm")
    for args in (
        ["calc", str(EXAMPLE), "--previous", str(future)],
        ["report", str(EXAMPLE), "--base-year", str(future), "-o", str(tmp_path / "r.docx")],
        ["consolidate", str(EXAMPLE), str(future), "-o", str(tmp_path / "group.xlsm")],
    ):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert "[E310] future-2022.xlsm 基本信息!B" in result.output, result.output
    assert not (tmp_path / "group.xlsm").exists() and not (tmp_path / "r.docx").exists()
