"""`ghgxl check` finds each problem at its cell; `ghgxl calc` never touches its input and
keeps everything it does not compute byte for byte."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import column_index_from_string, get_column_letter
from python_calamine import CalamineWorkbook

from ghgxl.cli import main
from ghgxl.workbook import fill, template, xlsx
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import CLEARED_SHEETS, calc_file

ROOT = Path(__file__).parents[2]
TEMPLATE = (ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes()
A = L.ACT_COL
GOOD = dict(
    category=2,
    annual=1000,
    unit="kWh",
    factor_key="grid.cn.national.2023",
    dq_activity=6,
    dq_factor=2,
    dq_calibration=6,
)


def _run(*args: str):
    result = CliRunner(env={"COLUMNS": "250"}).invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def problems(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workbook with each problem `ghgxl check` looks for, each in a known cell."""
    rows = [
        dict(
            GOOD, id="OK1", factor_key="grid.cn.national.2022"
        ),  # row 5: grid year ≠ 2023 → W101 at X5
        dict(GOOD, id="MISS", annual=None, m1=None),  # row 6: no amount → E101 at T6
        dict(GOOD, id="TXT", annual="一千"),  # row 7: text in a number cell → E102 at T7
        dict(GOOD, id="NEG", annual=-5),  # row 8: negative → E103 at T8
        dict(GOOD, id="UNIT", unit="kwhh"),  # row 9: unknown unit → E201 at V9
        dict(GOOD, id="KEY", factor_key="grid.cn.mars.2023"),  # row 10: unknown key → E301 at X10
        dict(
            GOOD, id="FIT", category=1, unit="kWh", factor_key="fuel.diesel.offroad"
        ),  # row 11: kWh vs a fuel per TJ → W104 at V11
        dict(GOOD, id="OK1", annual=5),  # row 12: duplicated id → E507 at A12
        dict(
            GOOD, id="MON", annual=None, m1=100, m2="二百"
        ),  # row 13: text in a month → E108 at I13
        dict(
            GOOD, id="EXP", factor_key=None, factor=0.5, factor_unit="tCO2e/t", unit="t"
        ),  # row 14: no source → W103 at AB14
        dict(GOOD, id="CAT", category=7),  # row 15: category 7 → E502 at D15
    ]
    sources = [dict(id="X1", source="应急发电机", category=1, included="排除")]  # → E509 at K5
    info = {"company": "检查测试公司", "reporting_year": 2023}
    package = fill.fill(TEMPLATE, info, rows, sources)
    # a formula that names another GWP set than the workbook's → W102 at the CO2 cell of row 5
    members = xlsx.read_members(package)
    part = xlsx.sheet_parts(members)[L.SHEET_ACTIVITY]
    members[part] = members[part].replace(
        b"$AA5,ghg_gwp,&quot;CO2,", b"$AA5,&quot;AR5&quot;,&quot;CO2,", 1
    )
    members[part] = members[part].replace(b'$AA5,ghg_gwp,"CO2,', b'$AA5,"AR5","CO2,', 1)
    assert b"AR5" in members[part]
    path = tmp_path_factory.mktemp("check") / "problems.xlsm"
    path.write_bytes(xlsx.write_package(members))
    return path


EXPECTED = {
    ("W101", f"活动数据!{A['factor_key']}5"),
    ("E101", f"活动数据!{A['annual']}6"),
    ("E102", f"活动数据!{A['annual']}7"),
    ("E103", f"活动数据!{A['annual']}8"),
    ("E201", f"活动数据!{A['unit']}9"),
    ("E301", f"活动数据!{A['factor_key']}10"),
    ("W104", f"活动数据!{A['unit']}11"),
    ("E507", f"活动数据!{A['id']}12"),
    ("E108", f"活动数据!{A['m2']}13"),
    ("W103", f"活动数据!{A['factor_source']}14"),
    ("E502", f"活动数据!{A['category']}15"),
    ("E509", f"排放源识别!{L.SOURCE_COL['exclusion_reason']}5"),
    ("W102", f"活动数据!{A['g_CO2']}5"),
}


def test_check_finds_each_problem_at_its_cell(problems: Path) -> None:
    result = _run("check", str(problems), "--json")
    assert result.exit_code == 1
    found = {(f["code"], f["cell"]) for f in json.loads(result.stdout)["findings"]}
    assert found >= EXPECTED, sorted(EXPECTED - found)
    grid_years = [f for f in found if f[0] == "W101"]
    assert len(grid_years) == 1  # only the 2022 key is another year than 2023


def test_check_flags_stale_and_edited_results(problems: Path, tmp_path: Path) -> None:
    computed = tmp_path / "computed.xlsm"
    _run("calc", str(problems), "-o", str(computed))
    stale = ("E605",)
    clean = {
        f["code"] for f in json.loads(_run("check", str(computed), "--json").stdout)["findings"]
    }
    assert not clean & set(stale)
    # edit the 汇总 total by hand: check names that cell
    members = xlsx.read_members(computed)
    part = xlsx.sheet_parts(members)[L.SHEET_SUMMARY]
    members[part], _ = xlsx.patch_sheet_xml(members[part], {"B11": 12345.0})
    edited = tmp_path / "edited.xlsm"
    edited.write_bytes(xlsx.write_package(members))
    findings = json.loads(_run("check", str(edited), "--json").stdout)["findings"]
    assert ("E605", "汇总!B11") in {(f["code"], f["cell"]) for f in findings}


def test_check_exit_codes(tmp_path: Path) -> None:
    clean = tmp_path / "clean.xlsm"
    clean.write_bytes(
        fill.fill(
            TEMPLATE,
            {"company": "好公司", "reporting_year": 2023, "base_year": 2023},
            [dict(GOOD, id="E1", factor_source="x")],
        )
    )
    assert _run("check", str(clean)).exit_code == 0
    warned = tmp_path / "warned.xlsm"  # warnings only (a 2022 grid factor in 2023): still 0
    warned.write_bytes(
        fill.fill(
            TEMPLATE,
            {"company": "好公司", "reporting_year": 2023, "base_year": 2023},
            [dict(GOOD, id="E1", factor_key="grid.cn.national.2022")],
        )
    )
    result = _run("check", str(warned))
    assert result.exit_code == 0 and "W101" in result.output
    broken = tmp_path / "broken.xlsm"
    broken.write_bytes(b"not a zip file")
    result = _run("check", str(broken))
    assert result.exit_code == 2 and "E601" in result.output


def test_calc_keeps_its_input_and_everything_it_does_not_compute(
    problems: Path, tmp_path: Path
) -> None:
    before = problems.read_bytes()
    out = tmp_path / "out.xlsm"
    _run("calc", str(problems), "-o", str(out))
    assert problems.read_bytes() == before  # IN untouched
    original, written = zipfile.ZipFile(problems), zipfile.ZipFile(out)
    assert original.namelist() == written.namelist()
    computed_parts = {
        xlsx.sheet_parts(xlsx.read_members(before))[s]
        for s in (*CLEARED_SHEETS, L.SHEET_SUMMARY, L.SHEET_SITES)
    }
    for name in original.namelist():
        if name not in computed_parts:
            assert original.read(name) == written.read(name), (
                name
            )  # VBA, styles, buttons, other sheets
    assert b"GHG_EMISSION_GROUPS(" in written.read(
        xlsx.sheet_parts(xlsx.read_members(out))[L.SHEET_ACTIVITY]
    )


def test_calc_in_place_writes_a_backup_first(tmp_path: Path) -> None:
    book = tmp_path / "清册.xlsm"
    book.write_bytes(fill.fill(TEMPLATE, {"company": "好公司"}, [dict(GOOD, id="E1")]))
    before = book.read_bytes()
    result = _run("calc", str(book), "--in-place")
    assert result.exit_code == 0
    backups = list(tmp_path.glob("清册.backup-*.xlsm"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert book.read_bytes() != before
    assert _run("calc", str(book), "--in-place", "-o", str(tmp_path / "x.xlsm")).exit_code == 2


def test_many_findings_of_one_kind_are_counted_not_all_printed(tmp_path: Path) -> None:
    rows = [dict(GOOD, id=f"E{i}", factor_key="grid.cn.national.2022") for i in range(25)]
    book = tmp_path / "many.xlsm"
    book.write_bytes(fill.fill(TEMPLATE, {"company": "好公司", "reporting_year": 2023}, rows))
    result = _run("check", str(book))
    assert result.output.count("[W101] 活动数据!X") == 20  # SHOWN_PER_CODE
    assert "[W101] 另有 5 处同类问题" in result.output
    findings = json.loads(_run("check", str(book), "--json").stdout)["findings"]
    grid = [f["cell"] for f in findings if f["code"] == "W101"]
    assert grid == [f"活动数据!X{r}" for r in range(5, 30)]


def _share_formulas():
    """bench/run.py's converter: formulas stored as Excel saves a filled-down column."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.share_formulas


def test_calc_on_formulas_stored_as_excel_saves_them(tmp_path: Path) -> None:
    """Excel stores a filled-down column once (``<f t="shared" ref=.. si=..>`` in the first
    cell, ``<f t="shared" si=../>`` below): calc writes the same numbers into such cells."""
    rows = [dict(GOOD, id=f"E{i}", annual=100 * (i + 1)) for i in range(6)]
    plain = tmp_path / "plain.xlsm"
    plain.write_bytes(fill.fill(TEMPLATE, {"company": "好公司", "reporting_year": 2023}, rows))
    members = xlsx.read_members(plain)
    part = xlsx.sheet_parts(members)[L.SHEET_ACTIVITY]
    members[part] = _share_formulas()(members[part])
    # the scope, amount and total columns (the gas columns are array formulas: never shared)
    assert members[part].count(b'<f t="shared" si="') > 3 * 190
    shared = tmp_path / "shared.xlsm"
    shared.write_bytes(xlsx.write_package(members))
    for book in (plain, shared):
        _run("calc", str(book), "-o", str(tmp_path / f"out-{book.name}"))
    read = [
        CalamineWorkbook.from_path(str(tmp_path / f"out-{b.name}"))
        .get_sheet_by_name(L.SHEET_ACTIVITY)
        .to_python(skip_empty_area=False)
        for b in (plain, shared)
    ]
    assert read[0] == read[1]
    total = A["total"]
    # row 5: 100 kWh × 0.5306 tCO2/MWh (grid.cn.national.2023) = 0.1 MWh × 0.5306 = 0.05306 t
    assert read[1][4][column_index_from_string(total) - 1] == pytest.approx(0.05306)
    written = xlsx.read_members(tmp_path / "out-shared.xlsm")[part]
    assert written.count(b'<f t="shared" si="') == members[part].count(b'<f t="shared" si="')


def test_calc_reports_its_progress(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsm"
    book.write_bytes(fill.fill(TEMPLATE, {"company": "好公司"}, [dict(GOOD, id="E1")]))
    seen: list[tuple[str, float]] = []
    calc_file(book, tmp_path / "out.xlsm", progress=lambda s, f: seen.append((s, f)))
    assert seen[:2] == [("read", 0.0), ("read", 1.0)]
    writes = [f for s, f in seen if s == "write"]
    assert len(writes) > 5 and writes == sorted(writes) and writes[-1] == 1.0


def test_a_row_without_an_amount_shows_blanks_and_one_e101(tmp_path: Path) -> None:
    rows = [dict(GOOD, id="E1"), dict(GOOD, id="E2", annual=None), dict(GOOD, id="E3")]
    book = tmp_path / "book.xlsm"
    book.write_bytes(fill.fill(TEMPLATE, {"company": "好公司", "reporting_year": 2023}, rows))
    out = tmp_path / "out.xlsm"
    report = json.loads(_run("calc", str(book), "-o", str(out), "--json", "-").stdout)
    assert [(e["code"], e["cell"]) for e in report["errors"]] == [("E101", "活动数据!T6")]
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(L.SHEET_ACTIVITY)
    grid = sheet.to_python(skip_empty_area=False)
    for key in ("amount", "g_CO2", "total"):  # what the sheet's =IF($U6="","",…) shows
        assert grid[5][column_index_from_string(A[key]) - 1] == "", key
    assert grid[4][column_index_from_string(A["total"]) - 1] == pytest.approx(0.5306)


def test_calc_finds_its_columns_after_an_empty_column_a_was_inserted(tmp_path: Path) -> None:
    """calamine starts a row at its first filled column; cells must still land in theirs."""
    book = tmp_path / "book.xlsm"
    book.write_bytes(fill.fill(TEMPLATE, {"company": "好公司"}, [dict(GOOD, id="E1")]))
    shifted = openpyxl.load_workbook(book, keep_vba=True)
    for sheet in shifted.worksheets:
        if sheet.title in (L.SHEET_ACTIVITY, L.SHEET_INFO):
            sheet.insert_cols(1)
    shifted.save(book)
    out = tmp_path / "out.xlsm"
    report = json.loads(_run("calc", str(book), "-o", str(out), "--json", "-").stdout)
    assert report["errors"] == [] and report["total_tco2e"] == pytest.approx(0.5306)
    grid = (
        CalamineWorkbook.from_path(str(out))
        .get_sheet_by_name(L.SHEET_ACTIVITY)
        .to_python(skip_empty_area=False)
    )
    moved = get_column_letter(column_index_from_string(A["total"]) + 1)
    assert grid[4][column_index_from_string(moved) - 1] == pytest.approx(0.5306)
    assert grid[4][column_index_from_string(A["total"]) - 1] != pytest.approx(0.5306)


def test_a_date_in_a_month_counts_as_excel_counts_it_and_check_says_so(tmp_path: Path) -> None:
    """1/2 typed in a month cell is the date 2024-01-02 to Excel, whose SUM counts its serial
    number 45,293: calc counts the same (it dropped it, so the workbook it wrote disagreed
    with Excel's), and check names it (E109) — a date is never an amount."""
    import datetime as dt

    book = tmp_path / "in.xlsm"
    book.write_bytes(fill.fill(TEMPLATE, {"company": "好公司"}, [dict(GOOD, id="D1", m1=100)]))
    workbook = openpyxl.load_workbook(book, keep_vba=True)
    workbook[L.SHEET_ACTIVITY][f"{A['m2']}{L.FIRST_ROW}"] = dt.date(2024, 1, 2)
    # 12 in a cell formatted as a date reads as 1900-01-12; Excel counts the 29 February
    # 1900 that never was, so its serials before March 1900 are one day short: still 12
    workbook[L.SHEET_ACTIVITY][f"{A['m3']}{L.FIRST_ROW}"] = dt.date(1900, 1, 12)
    workbook.save(book)
    out = tmp_path / "out.xlsm"
    calc_file(book, out)
    cached = openpyxl.load_workbook(out, data_only=True)[L.SHEET_ACTIVITY]
    assert cached[f"{A['amount']}{L.FIRST_ROW}"].value == 100 + 45_293 + 12  # −1899-12-30
    findings = json.loads(_run("check", str(book), "--json").stdout)["findings"]
    assert ("E109", f"活动数据!{A['m2']}{L.FIRST_ROW}") in {
        (f["code"], f["cell"]) for f in findings
    }
    e109 = next(f for f in findings if f["code"] == "E109")
    assert "按序列号 45,293 计入" in e109["message_zh"]


def test_the_scope_cell_mirrors_its_formula_for_a_cell_of_spaces() -> None:
    """=IF(D="","",IF(D=1,1,IF(D=2,2,3))): D holding a space is not "" to Excel, so 3."""
    from ghgxl.workbook.calc import excel_scope

    assert [excel_scope(v) for v in (None, "", float("nan"), " ", 1.0, 2, "2", 5)] == [
        "", "", "", 3, 1, 2, 3, 3,
    ]  # fmt: skip


def test_an_unknown_gwp_set_in_the_workbook_is_named_at_its_cell(tmp_path: Path) -> None:
    book = tmp_path / "in.xlsm"
    book.write_bytes(fill.fill(TEMPLATE, {"gwp_set": "IPCC AR5"}, [dict(GOOD, id="G1")]))
    result = _run("calc", str(book))
    assert result.exit_code == 2 and f"[E402] 基本信息!{L.info_cell('gwp_set')}" in result.output


def test_a_key_typed_full_width_is_read_once_for_every_check_and_table(tmp_path: Path) -> None:
    """ｇｒｉｄ．…２０２２ in a 2023 inventory: read as grid.cn.national.2022 by the engine,
    so by check too (W101, another year's grid factor), and an explicit factor typed as text
    "1,000" is 1,000 in the report's factor table as in the engine."""
    from ghgxl.report.context import report_factors
    from ghgxl.workbook.calc import calculate_workbook

    wide = "ｇｒｉｄ．ｃｎ．ｎａｔｉｏｎａｌ．２０２２"
    own = dict(category=1, annual=2, unit="t", factor="1,000", factor_unit="kgCO2/t",
               factor_source="手算")  # fmt: skip
    book = tmp_path / "in.xlsm"
    info = {"company": "好公司", "reporting_year": 2023, "base_year": 2023}
    book.write_bytes(fill.fill(TEMPLATE, info, [dict(GOOD, id="W", factor_key=wide), own]))
    findings = json.loads(_run("check", str(book), "--json").stdout)["findings"]
    assert ("W101", f"活动数据!{A['factor_key']}{L.FIRST_ROW}") in {
        (f["code"], f["cell"]) for f in findings
    }
    calc = calculate_workbook(book)
    assert calc.result.total == pytest.approx(1000 * 0.5366 / 1000 + 2, rel=1e-12)
    assert report_factors(calc).row_factor == ["0.5366", "1000"]


def test_an_unscored_row_is_pointed_at_its_empty_score_not_its_date(tmp_path: Path) -> None:
    """活动数据等级 holding a date (a score to AVERAGE, its serial, and E109) and 排放系数等级
    empty: W108 points at the empty cell, the one the row's score lacks."""
    import datetime as dt

    scored = dict(GOOD, id="S", dq_activity=3, dq_factor=1, dq_calibration=3)
    book = tmp_path / "in.xlsm"
    unscored = {k: v for k, v in GOOD.items() if k != "dq_factor"} | {"id": "U"}
    book.write_bytes(fill.fill(TEMPLATE, {}, [unscored, scored]))
    workbook = openpyxl.load_workbook(book, keep_vba=True)
    workbook[L.SHEET_ACTIVITY][f"{A['dq_activity']}{L.FIRST_ROW}"] = dt.date(1900, 1, 2)
    workbook.save(book)
    findings = json.loads(_run("check", str(book), "--json").stdout)["findings"]
    codes = {(f["code"], f["cell"]) for f in findings}
    assert ("W108", f"活动数据!{A['dq_factor']}{L.FIRST_ROW}") in codes
    assert ("E109", f"活动数据!{A['dq_activity']}{L.FIRST_ROW}") in codes
