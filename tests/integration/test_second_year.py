"""The invented second year (workbook/examples/example-2024.xlsm) against the 2023 example:
every figure below is computed by hand from the changes second_year_2024.py makes.

- 编号 12: 25,000 MWh × 0.5306 (2023 national factor) = 13,265 t; activity effect
  (25,000 − 23,610.66) × 0.5568 = 773.584512 t, factor effect 25,000 × (0.5306 − 0.5568) =
  −655 t. Market-based: 5,000 MWh of green certificates at 0, 20,000 MWh × 0.6096 (2023
  residual) = 12,192 t.
- 编号 33: 90 % of 335,752.63172 t: activity effect −33,575.263172 t.
- 编号 N1: 500 t × 0.85 t CO2e/t (公司因子) = 425 t, added.
- Total: 415,532.111609 − 33,031.67866 = 382,500.432949 t; structural 425 t = 0.10 % of
  2023, under the 10 % threshold. Intensity: 382,500.432949 / 40,000 t = 9.5625 t CO2e/t.
"""

from __future__ import annotations

import importlib.util
import json
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from tests.support import ROOT

EXAMPLES = ROOT / "workbook" / "examples"
THIS, LAST = EXAMPLES / "example-2024.xlsm", EXAMPLES / "example-2023.xlsm"


@pytest.fixture(scope="module")
def data() -> dict:
    result = CliRunner().invoke(
        main, ["calc", str(THIS), "--previous", str(LAST), "--json", "-"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_totals_and_the_change(data: dict) -> None:
    assert data["errors"] == []
    assert data["total_tco2e"] == pytest.approx(382_500.432949, abs=1e-6)
    change = data["year_on_year"]
    assert change["by_category"]["2"]["activity_tco2e"] == pytest.approx(773.584512, abs=1e-6)
    assert change["by_category"]["2"]["factor_tco2e"] == pytest.approx(-655.0, abs=1e-6)
    assert change["by_category"]["4"]["activity_tco2e"] == pytest.approx(-33_575.263172, abs=1e-6)
    assert change["by_category"]["4"]["added_tco2e"] == pytest.approx(425.0)
    assert change["total"]["change_tco2e"] == pytest.approx(-33_031.67866, abs=1e-6)
    assert change["recalculate_base_year"] is False


def test_market_based_company_factor_and_intensity(data: dict) -> None:
    assert data["scope2"]["location_based_tco2e"] == pytest.approx(13_265.0)
    assert data["scope2"]["market_based_tco2e"] == pytest.approx(12_192.0)
    assert [f["key"] for f in data["company_factors"]] == ["company.needle_coke.supplier_a"]
    assert data["intensity"]["per_output"]["value"] == pytest.approx(9.5625108, rel=1e-7)


def test_the_script_rebuilds_the_committed_file(tmp_path) -> None:
    spec = importlib.util.spec_from_file_location("second", EXAMPLES / "second_year_2024.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = module.build(tmp_path / "example-2024.xlsm")
    result = CliRunner().invoke(main, ["calc", str(THIS), "--json", "-"])
    assert rebuilt.result.total == pytest.approx(json.loads(result.stdout)["total_tco2e"], abs=1e-6)
    assert "虚构" in str(rebuilt.data.info["company_profile"])


def _refused(*args: str, code: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 2 and f"[{code}]" in result.output, result.output
    assert "Traceback" not in result.output
    return result.output


def test_previous_must_be_an_earlier_year(tmp_path) -> None:
    """2023 compared with 2024 as its 'previous' year, or a year with itself, is refused at
    this workbook's 报告年度 cell, not a change of +8.64 % or of zero."""
    later = _refused(
        "report", str(LAST), "-o", str(tmp_path / "r.docx"), "--previous", str(THIS), code="E635"
    )
    assert "基本信息!B" in later and "2024" in later and "2023" in later
    _refused("calc", str(THIS), "--previous", str(THIS), code="E635")
    assert not (tmp_path / "r.docx").exists()
    # a year typed as text is that year: 2024 as "2024" is not earlier than 2024 either
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.calc import write_values
    from ghgxl.workbook.read import read_workbook

    text_year = tmp_path / "text-year.xlsm"
    row = read_workbook(THIS).info_rows["reporting_year"]
    write_values(THIS, text_year, {L.SHEET_INFO: {f"B{row}": "2024"}})
    _refused("calc", str(THIS), "--previous", str(text_year), code="E635")


def test_an_earlier_year_with_another_gwp_is_refused(tmp_path) -> None:
    """The 2023 example recomputed with AR5 against 2024 in AR6: the change would mix the
    GWP change in (category 1's CH4 and N2O move by themselves), so it is refused, naming both."""
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.calc import calc_file, write_values
    from ghgxl.workbook.read import read_workbook

    row = read_workbook(LAST).info_rows["gwp_set"]
    edited, ar5 = tmp_path / "edited.xlsm", tmp_path / "ar5.xlsm"
    write_values(LAST, edited, {L.SHEET_INFO: {f"B{row}": "AR5"}})
    calc_file(edited, ar5)
    output = _refused("calc", str(THIS), "--previous", str(ar5), code="E636")
    assert "AR5" in output and "AR6" in output and "ar5.xlsm" in output


def test_a_repeated_id_is_refused_before_comparing(tmp_path) -> None:
    """编号 1 given to the second 活动数据 row too: the comparison matches rows by 编号 and
    would drop one (2024 would seem 5.10 t lower); refused at that cell, in either year."""
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.read import read_workbook

    column = read_workbook(THIS).activity_columns["id"]
    shutil.copy(LAST, tmp_path / LAST.name)  # the base year 2024's 基本信息 names, beside it
    for source, name in ((THIS, "this.xlsm"), (LAST, "last.xlsm")):
        book = openpyxl.load_workbook(source, keep_vba=True)
        book[L.SHEET_ACTIVITY][f"{column}{L.FIRST_ROW + 1}"] = "1"
        book.save(tmp_path / name)
    this = str(tmp_path / "this.xlsm")
    output = _refused("calc", this, "--previous", str(LAST), "--json", "-", code="E637")
    assert f"{L.SHEET_ACTIVITY}!{column}{L.FIRST_ROW + 1}" in output and "this.xlsm" in output
    output = _refused("calc", str(THIS), "--previous", str(tmp_path / "last.xlsm"), code="E637")
    assert "上一年度清册 last.xlsm" in output


def test_a_renumbered_source_is_named_for_the_user_to_confirm(tmp_path) -> None:
    """编号 30 and 31 swapped in 2024: matched by 编号, the two would trade their change
    between activity and factor; the comparison names both, their 2023 and 2024 names."""
    from ghgxl.workbook import layout as L

    shutil.copy(LAST, tmp_path / LAST.name)
    book = openpyxl.load_workbook(THIS, keep_vba=True)
    sheet, column = book[L.SHEET_ACTIVITY], L.ACT_COL["id"]
    rows = {sheet[f"{column}{r}"].value: r for r in range(L.FIRST_ROW, L.FIRST_ROW + 45)}
    sheet[f"{column}{rows['30']}"], sheet[f"{column}{rows['31']}"] = "31", "30"
    book.save(tmp_path / "swapped.xlsm")
    result = CliRunner().invoke(
        main, ["calc", str(tmp_path / "swapped.xlsm"), "--previous", str(LAST), "--json", "-"]
    )
    renamed = json.loads(result.stdout)["year_on_year"]["renamed_sources"]
    assert {(r["id"], r["before"], r["after"]) for r in renamed} == {
        ("30", "原材料 煤系沥青焦", "原材料 石油生焦"),
        ("31", "原材料 石油生焦", "原材料 煤系沥青焦"),
    }


@pytest.mark.parametrize("typed", ["250,000", "25万", -5, 0])
def test_a_denominator_that_is_not_a_positive_number_is_named(tmp_path, typed) -> None:
    """营业收入 typed as text, with a unit, negative or zero: no 单位营业收入排放强度 (never a
    division by something that is not the company's figure), and check says so at the cell."""
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.read import read_workbook

    row = read_workbook(THIS).info_rows["revenue_10k_yuan"]
    shutil.copy(LAST, tmp_path / LAST.name)
    book = openpyxl.load_workbook(THIS, keep_vba=True)
    book[L.SHEET_INFO][f"B{row}"] = typed
    book.save(tmp_path / "typed.xlsm")
    data = json.loads(
        CliRunner().invoke(main, ["calc", str(tmp_path / "typed.xlsm"), "--json", "-"]).stdout
    )
    assert "per_revenue" not in data["intensity"] and "per_employee" in data["intensity"]
    result = CliRunner().invoke(main, ["check", str(tmp_path / "typed.xlsm")])
    assert (
        f"[W117] {L.SHEET_INFO}!B{row}" in result.output and "单位营业收入排放强度" in result.output
    )


def test_a_unit_that_does_not_convert_is_named_not_split(tmp_path) -> None:
    """编号 4 (货车 柴油) typed in t in 2024, in L in 2023: litres do not convert to tonnes
    without a density the comparison does not have, so the row's change cannot be split into
    activity and factor. It counts as activity, as it always did, and is now named in the
    JSON and in chapter 10, for the user to explain (or to recalculate as a method change)."""
    from ghgxl.report.years import year_on_year
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.calc import calculate_workbook
    from ghgxl.workbook.change import attach_years

    shutil.copy(LAST, tmp_path / LAST.name)  # the base-year workbook 基本信息 names
    book = openpyxl.load_workbook(THIS, keep_vba=True)
    sheet, row = book[L.SHEET_ACTIVITY], L.FIRST_ROW + 3
    assert sheet[f"{L.ACT_COL['id']}{row}"].value == "4"
    assert sheet[f"{L.ACT_COL['unit']}{row}"].value == "L"
    sheet[f"{L.ACT_COL['annual']}{row}"], sheet[f"{L.ACT_COL['unit']}{row}"] = 15.18, "t"
    book.save(tmp_path / "tonnes.xlsm")
    result = CliRunner().invoke(
        main, ["calc", str(tmp_path / "tonnes.xlsm"), "--previous", str(LAST), "--json", "-"]
    )
    change = json.loads(result.stdout)["year_on_year"]
    assert change["unconverted_units"] == [{"id": "4", "before": "L", "after": "t"}]
    stationary = change["by_category"]["1"]  # no other category-1 row changed since 2023
    assert stationary["factor_tco2e"] == 0.0
    assert stationary["activity_tco2e"] == pytest.approx(stationary["change_tco2e"], abs=1e-9)
    calc = calculate_workbook(tmp_path / "tonnes.xlsm")
    attach_years(calc, previous=LAST)
    assert "（编号 4：L → t）" in str(year_on_year(calc)["note"])
    plain = json.loads(
        CliRunner().invoke(main, ["calc", str(THIS), "--previous", str(LAST), "--json", "-"]).stdout
    )
    assert plain["year_on_year"]["unconverted_units"] == []


def test_a_source_in_error_this_year_is_said_not_only_counted_removed(tmp_path) -> None:
    """编号 4 with an unknown 因子键 in 2024: the row has no figure, so the comparison counts
    its 2023 emissions as removed; the JSON and chapter 10 say which source that is and why
    (the report is a draft listing the error), rather than presenting it as a source gone."""
    from ghgxl.report.years import year_on_year
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.calc import calculate_workbook
    from ghgxl.workbook.change import attach_years

    shutil.copy(LAST, tmp_path / LAST.name)
    book = openpyxl.load_workbook(THIS, keep_vba=True)
    sheet, row = book[L.SHEET_ACTIVITY], L.FIRST_ROW + 3
    assert sheet[f"{L.ACT_COL['id']}{row}"].value == "4"
    sheet[f"{L.ACT_COL['factor_key']}{row}"] = "fuel.diesel.no_such_key"
    book.save(tmp_path / "wrong.xlsm")
    calc = calculate_workbook(tmp_path / "wrong.xlsm")
    assert [e.code for e in calc.errors] == ["E301"]
    attach_years(calc, previous=LAST)
    year = year_on_year(calc)
    assert year is not None
    assert "编号 4 的排放源本年度计算有误，未计入本年度排放量，比较中暂按删除排放源计" in str(
        year["note"]
    )
    result = CliRunner().invoke(
        main, ["calc", str(tmp_path / "wrong.xlsm"), "--previous", str(LAST), "--json", "-"]
    )
    change = json.loads(result.stdout)["year_on_year"]
    assert change["removed_in_error"] == ["4"]
    assert change["by_category"]["1"]["removed_tco2e"] < 0  # 2023's 编号 4, as removed


def test_a_market_based_total_cites_its_residual_factor_and_explains_the_appendix(
    tmp_path,
) -> None:
    """2024 with 总排放量中范围二的计算方法 = 市场法: the total counts 5,000 MWh of certificates at
    0 and 20,000 MWh at the 2023 residual factor 0.6096 t/MWh = 12,192 t instead of the
    location-based 13,265 t: 382,500.432949 − 1,073 = 381,427.432949 t. The residual
    factor is cited in 附录一 like every factor of a printed figure, and 附录二, which adds up
    the rows location-based (382,500.43 t), says why its 合计 is not the total."""
    from ghgxl.report.context import build_context
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.calc import calculate_workbook

    shutil.copy(LAST, tmp_path / LAST.name)
    book = openpyxl.load_workbook(THIS, keep_vba=True)
    book[L.SHEET_INFO][L.info_cell("scope2_basis")] = L.SCOPE2_MARKET
    book.save(tmp_path / "market.xlsm")
    calc = calculate_workbook(tmp_path / "market.xlsm")
    assert calc.result.total == pytest.approx(381_427.432949, abs=1e-6)
    context = build_context(calc)
    residual = [f for f in context["factors"] if f["value"] == "0.6096"]
    assert len(residual) == 1 and "不包括市场化交易的非化石能源电量" in residual[0]["name"]
    assert (
        f"剩余电力排放因子 0.6096 tCO₂/MWh（附录一 {residual[0]['no']}）计"
        in (context["scope2_market"])
    )  # the sentence that uses it cites it
    assert context["appendix_basis"] == (
        "本表按各排放源自身的排放量计，外购电力按位置法；本报告的总排放量中范围二按市场法计，"
        "故本表“合计”（382,500.43 t CO₂e）与总排放量（381,427.43 t CO₂e）相差 1,073.00 t CO₂e"
        "（见第三章范围二的说明）。"
    )
    assert build_context(calculate_workbook(THIS))["appendix_basis"] == ""
