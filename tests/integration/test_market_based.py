"""Market-based scope 2 beside the location-based total (GHG Protocol Scope 2 Guidance),
from the 绿电绿证 sheet of the bundled example.

Hand calculation: the example's purchased electricity (活动数据 编号 12) is 23,610,660 kWh =
23,610.66 MWh at the 2021 national factor 0.5568 t CO2/MWh = 13,146.415 t (location-based,
the seed's figure). Green certificates for 5,000 MWh and a green-power contract for
3,000 MWh cover 8,000 MWh at 0; the other 15,610.66 MWh count at the 2021 national factor
excluding market-traded non-fossil power, 0.5942: 15,610.66 × 0.5942 = 9,275.854172 t.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.methods import electricity
from ghgxl.report.render import render_docx
from ghgxl.workbook import fill
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calculate_workbook
from ghgxl.workbook.check import check_workbook
from tests.integration.test_report import docx_text
from tests.support import ROOT, TEMPLATE

EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"
GEC = dict(row_id=12, kind="绿证", mwh=5000, vintage=2023, certificate="GEC-2023-0001")
PPA = dict(row_id=12, kind="绿电交易", mwh=3000, vintage=2023, certificate="PPA-2023-01")
LOCATION_T = 23_610.66 * 0.5568
MARKET_T = (23_610.66 - 8_000) * 0.5942


def with_instruments(tmp_path: Path, *instruments: dict) -> Path:
    path = tmp_path / "market.xlsm"
    path.write_bytes(fill.fill(EXAMPLE.read_bytes(), market=instruments))
    return path


def test_the_method_by_hand() -> None:
    assert electricity.market_based(1250, [(500, 0.0)], 0.5942) == pytest.approx(445.65)
    assert electricity.market_based(1250, [], 0.5942) == pytest.approx(1250 * 0.5942)
    with pytest.raises(ValueError):
        electricity.market_based(100, [(101, 0.0)], 0.5942)


def test_certificates_covering_part_of_the_consumption(tmp_path: Path) -> None:
    book = with_instruments(tmp_path, GEC, PPA)
    calc = calculate_workbook(book)
    assert calc.errors == []
    assert calc.scope2.location_t == pytest.approx(LOCATION_T, rel=1e-12)
    assert calc.scope2.market_t == pytest.approx(MARKET_T, rel=1e-12)
    assert round(calc.scope2.market_t, 2) == 9_275.85
    assert calc.result.total == pytest.approx(415_532.11, abs=0.005)  # totals: location-based
    report = json.loads(CliRunner().invoke(main, ["calc", str(book), "--json", "-"]).stdout)
    assert report["scope2"]["market_based_tco2e"] == pytest.approx(MARKET_T, abs=1e-6)
    total_market = report["total_tco2e"] - LOCATION_T + MARKET_T  # 汇总's 总计（范围二按市场法）
    assert report["scope2"]["total_market_based_tco2e"] == pytest.approx(total_market, rel=1e-12)
    assert report["scope2"]["covered_mwh"] == {"绿证": 5000, "绿电交易": 3000}
    assert report["scope2"]["residual_factors"] == {"grid.cn.national_excl_market.2021": 0.5942}
    text = docx_text(io.BytesIO(render_docx(calc, images=tmp_path)))
    assert (
        "按市场法为 9,275.85 t CO₂e" in text and "总排放量采用位置法（415,532.11 t CO₂e）" in text
    )
    assert "范围二按市场法计，总排放量为 411,661.55 t CO₂e" in text  # 汇总 B37, by hand below


def test_without_instruments_everything_counts_at_the_residual_factor() -> None:
    calc = calculate_workbook(EXAMPLE)
    assert calc.scope2.market_t == pytest.approx(23_610.66 * 0.5942, rel=1e-12)
    assert calc.scope2.instruments == 0


@pytest.mark.parametrize(
    ("instrument", "code", "column"),
    [
        (dict(GEC, row_id=4), "E621", "row_id"),  # 编号 4 is diesel, not electricity
        (dict(GEC, mwh=30_000), "E622", "mwh"),  # more than the 23,610.66 MWh used
        (dict(PPA, certificate=GEC["certificate"]), "E623", "certificate"),  # claimed twice
        (dict(PPA, certificate="gec－2023－0001 "), "E623", "certificate"),  # typed otherwise
        (dict(PPA, vintage=2022), "E624", "vintage"),  # another year's power
        (dict(GEC, kind="供应商特定因子"), "E621", "factor"),  # a supplier factor needs its value
        (dict(GEC, kind="绿色电力"), "E621", "kind"),  # not a kind of the list
        (dict(GEC, mwh="五千"), "E621", "mwh"),  # not a number
        (dict(GEC, mwh=-5000), "E621", "mwh"),  # negative
        (dict(GEC, kind="供应商特定因子", factor=-0.3), "E621", "factor"),
        (dict(GEC, vintage="二〇二三"), "E621", "vintage"),
        (dict(GEC, vintage=2023.9), "E621", "vintage"),  # not a year (was read as 2023)
        (dict(GEC, certificate=None), "E621", "certificate"),
    ],
    ids=[
        "not-electricity",
        "too-much",
        "twice",
        "twice-typed-otherwise",
        "vintage",
        "supplier-without-factor",
        "unknown-kind",
        "text-mwh",
        "negative-mwh",
        "negative-factor",
        "text-vintage",
        "fractional-vintage",
        "no-certificate",
    ],
)
def test_quality_criteria_are_errors_at_the_cell(
    tmp_path: Path, instrument: dict, code: str, column: str
) -> None:
    instruments = (GEC, instrument) if code == "E623" else (instrument,)
    calc, findings = check_workbook(with_instruments(tmp_path, *instruments))
    line = L.FIRST_ROW + len(instruments) - 1
    assert (code, f"{L.SHEET_MARKET}!{L.MARKET_COL[column]}{line}") in {
        (e.code, e.cell) for e in findings
    }
    assert calc.scope2.market_t is None  # never a number while an instrument is wrong


def test_numbers_that_only_differ_past_a_digit_are_shown_apart_and_separators_are_kept(
    tmp_path: Path,
) -> None:
    """E622 shows both quantities as typed: 23,610.7 certified is more than the 23,610.66
    used (not "23610.7 MWh 超过 23610.7 MWh"). GEC-1-12 and GEC-11-2 are two certificates,
    whatever the dashes, while GEC-1-12 typed "GEC 1－12" is the same one; a bad MWh says
    what it is on this sheet, not what an 活动数据 amount should be."""
    _, findings = check_workbook(with_instruments(tmp_path, dict(GEC, mwh=23_610.7)))
    e622 = next(e for e in findings if e.code == "E622")
    assert "23,610.7 MWh 超过其用电量 23,610.66 MWh" in e622.message_zh
    first, second = dict(GEC, certificate="GEC-1-12"), dict(PPA, certificate="GEC-11-2")
    calc = calculate_workbook(with_instruments(tmp_path, first, second))
    assert calc.errors == [] and calc.scope2.market_t == pytest.approx(MARKET_T, rel=1e-12)
    _, findings = check_workbook(
        with_instruments(tmp_path, first, dict(PPA, certificate="GEC 1－12"))
    )
    assert [e.code for e in findings if e.code.startswith("E6")] == ["E623"]
    # equal but for the separators (GEC-11-2 too, GEC112): counted, and said (W121); a
    # minus sign (U+2212) is a dash like the others
    for typed, code in (("GEC-11-2", "W121"), ("GEC112", "W121"), ("GEC-1−12", "E623")):
        two = with_instruments(tmp_path, first, dict(PPA, certificate=typed))
        said = [(e.code, e.cell) for e in check_workbook(two)[1] if e.code in ("W121", "E623")]
        assert said == [(code, f"{L.SHEET_MARKET}!{L.MARKET_COL['certificate']}6")], typed
    _, findings = check_workbook(with_instruments(tmp_path, dict(GEC, mwh=-5000)))
    negative = next(e for e in findings if e.code == "E621")
    assert "电量 (MWh)" in negative.message_zh and "活动数据应为" not in negative.message_zh
    assert negative.message_zh.endswith("现为 -5000") and "MWh" in negative.message_en


def test_a_wrong_instrument_is_said_under_the_location_based_totals_too(tmp_path: Path) -> None:
    """Totals location-based, an instrument wrong (E622): the report still says that scope 2
    is reported both ways and why the market-based figure is missing, not nothing."""
    calc = calculate_workbook(with_instruments(tmp_path, dict(GEC, mwh=30_000)))
    text = docx_text(io.BytesIO(render_docx(calc, images=tmp_path)))
    assert (
        f"绿电绿证表有错误（{L.SHEET_MARKET}!{L.MARKET_COL['mwh']}{L.FIRST_ROW}），市场法范围二无法计算"
        f"，改正后须重新生成；范围二按位置法为 {LOCATION_T:,.2f} t CO₂e，本报告总排放量采用位置法"
        "（415,532.11 t CO₂e）。"
    ) in text


def test_a_supplier_specific_factor_counts_at_its_value(tmp_path: Path) -> None:
    supplier = dict(GEC, kind="供应商特定因子", factor=0.3, certificate="SUP-2023")
    calc = calculate_workbook(with_instruments(tmp_path, supplier))
    assert calc.scope2.market_t == pytest.approx(5000 * 0.3 + (23_610.66 - 5000) * 0.5942)


def test_the_template_offers_the_instrument_kinds() -> None:
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(TEMPLATE), keep_vba=True)[L.SHEET_MARKET]
    rules = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"' + ",".join(L.INSTRUMENT_KINDS) + '"' in rules
    assert [c.value for c in sheet[L.HEADER_ROW]] == [c.header for c in L.MARKET_COLUMNS]


def test_two_rows_of_one_id_are_one_consumption(tmp_path: Path) -> None:
    """A second purchased-electricity row under 编号 12 (10,000 MWh, same 2021 factor) is
    not lost: 33,610.66 MWh, of which the certificates cover 5,000 MWh; by hand
    5,000 × 0 + 28,610.66 × 0.5942 = 17,000.454172 t."""
    grid = dict(category=2, unit="kWh", factor_key="grid.cn.national.2021", source="外购电力")
    rows = [dict(grid, id=12, annual=23_610_660), dict(grid, id=12, annual=10_000_000)]
    book = tmp_path / "two.xlsm"
    info = {"reporting_year": 2023}
    book.write_bytes(fill.fill(TEMPLATE, info=info, activity=rows, market=(GEC,)))
    calc = calculate_workbook(book)
    assert calc.scope2.market_t == pytest.approx(28_610.66 * 0.5942, rel=1e-12)


def test_e621_speaks_english_in_its_english_half(tmp_path: Path) -> None:
    _, findings = check_workbook(with_instruments(tmp_path, dict(GEC, row_id=4)))
    english = next(e for e in findings if e.code == "E621").message_en
    assert "is not a purchased-electricity row" in english and "不是" not in english


def _grid_book(path: Path, keys: dict[str, str], *instruments: dict) -> Path:
    """A 2023 workbook of one 1,000 MWh purchased-electricity row per ``keys`` (编号 → grid
    factor key) and the ``instruments``."""
    grid = dict(category=2, unit="MWh", source="外购电力", annual=1000)
    rows = [dict(grid, id=row_id, factor_key=key) for row_id, key in keys.items()]
    path.write_bytes(fill.fill(TEMPLATE, {"reporting_year": 2023}, rows, market=instruments))
    return path


def test_a_provincial_row_says_its_residual_is_the_national_one(tmp_path: Path) -> None:
    """A 江苏 row (provincial factor, location-based) counts its uncovered power at the
    national residual factor 0.5942 in the market-based figure, since MEE publishes no
    provincial residual: with instruments declared, W118 says so at that row; a national
    row does not. By hand: 1,000 MWh, 400 of them certified: 600 × 0.5942 = 356.52 t."""
    keys = {"P": "grid.cn.prov.jiangsu.2021", "N": "grid.cn.national.2021"}
    calc = calculate_workbook(
        _grid_book(tmp_path / "prov.xlsm", keys, dict(GEC, row_id="P", mwh=400))
    )
    assert calc.scope2.market_t == pytest.approx(600 * 0.5942 + 1000 * 0.5942, rel=1e-12)
    warned = [w for w in calc.result.warnings if w.code == "W118"]
    assert [w.cell for w in warned] == ["活动数据!A5"]
    assert "grid.cn.prov.jiangsu.2021" in warned[0].message_zh and "0.5942" in warned[0].text()
    without = calculate_workbook(_grid_book(tmp_path / "none.xlsm", keys))
    assert not [w for w in without.result.warnings if w.code == "W118"]
    text = docx_text(io.BytesIO(render_docx(calc, images=tmp_path)))
    assert "生态环境部未发布省级或区域的剩余电力排放因子" in text


def test_a_grid_factor_picked_from_the_dropdown_counts_as_its_key() -> None:
    """汇总's GHG_SCOPE2_MARKET gets 因子键 as the cell holds it: a dropdown choice
    「名称（单位）｜key」 is its key, as for calc, not a row that is not purchased power
    (which gave the location-based figure, or E621 for a certificate on it)."""
    from ghgxl.factors import FactorLibrary
    from ghgxl.workbook.market import market_from_cells

    library = FactorLibrary.default()
    line = [12, "绿证", 5000, None, 2023, "GEC-2023-0001", None]
    for key in ("grid.cn.national.2021", library.choice("grid.cn.national.2021")):
        columns = [[12], [2], [23_610_660], ["kWh"], [key], [LOCATION_T]]
        assert market_from_cells(columns, [], 2023, library) == pytest.approx(23_610.66 * 0.5942)
        covered = market_from_cells(columns, [line], 2023, library)
        assert covered == pytest.approx((23_610.66 - 5000) * 0.5942)


def test_a_grid_key_typed_full_width_is_the_key_for_calc_as_for_the_cell_functions(
    tmp_path: Path,
) -> None:
    """「ｇｒｉｄ．ｃｎ．…」 typed in an IME's full-width mode: GHG_EMISSION reads it as the
    key (NFKC); calc did not (E301), nor did the market-based figure."""
    import openpyxl

    book = with_instruments(tmp_path, GEC)
    workbook = openpyxl.load_workbook(book, keep_vba=True)
    cell = f"{L.ACT_COL['factor_key']}{L.FIRST_ROW + 11}"  # 编号 12, the electricity
    workbook[L.SHEET_ACTIVITY][cell] = "ｇｒｉｄ．ｃｎ．ｎａｔｉｏｎａｌ．２０２１"
    workbook.save(book)
    calc = calculate_workbook(book)
    assert calc.errors == [] and calc.result.total == pytest.approx(415_532.1116086, rel=1e-12)
    assert calc.scope2.market_t == pytest.approx((23_610.66 - 5000) * 0.5942, rel=1e-12)


def test_the_summary_sheet_reports_scope_2_both_ways(tmp_path: Path) -> None:
    """汇总 shows scope 2 location-based (类别2), market-based (GHG_SCOPE2_MARKET) and the
    total with scope 2 market-based: calc writes what the cells compute, and the formulas as
    saved, evaluated as Excel does (one Python call), give the same. By hand (module
    docstring): 13,146.415 t and 9,275.854 t; the total 415,532.11 − 13,146.415 + 9,275.854."""
    import openpyxl

    from ghgxl.workbook.calc import calc_file
    from tests.excel_eval import Recalculation

    out = tmp_path / "out.xlsm"
    calc_file(with_instruments(tmp_path, GEC, PPA), out)
    s2 = L.SCOPE2_CELLS
    cached = openpyxl.load_workbook(out, data_only=True)[L.SHEET_SUMMARY]
    assert cached[s2["scope2_location"]].value == pytest.approx(LOCATION_T, rel=1e-12)
    assert cached[s2["scope2_market"]].value == pytest.approx(MARKET_T, rel=1e-12)
    total = cached[L.SUMMARY_TOTAL].value - LOCATION_T + MARKET_T
    assert cached[s2["total_market"]].value == pytest.approx(total, rel=1e-12)
    assert round(total, 2) == round(415_532.11 - 13_146.415 + 9_275.854172, 2) == 411_661.55
    excel = Recalculation(out, L.SHEET_SUMMARY)
    for ref in s2.values():
        assert excel.cell(L.SHEET_SUMMARY, ref) == pytest.approx(cached[ref].value, rel=1e-12)
    assert excel.calls["GHG_SCOPE2_MARKET"] == 1
    formula = openpyxl.load_workbook(out)[L.SHEET_SUMMARY][s2["scope2_market"]].value
    assert (
        f"$A${L.LAST_ROW}" in formula and f"{L.SHEET_MARKET}!$A$5:$G${L.MARKET_LAST_ROW}" in formula
    )


def test_a_wrong_instrument_shows_its_error_in_the_summary_not_a_number(tmp_path: Path) -> None:
    """More MWh certified than row 12 used (E622): the market-based cell and the total with
    it show the error, in calc's cached values and in Excel's recalculation alike."""
    import openpyxl

    from ghgxl.workbook.calc import calc_file
    from tests.excel_eval import Recalculation

    out = tmp_path / "out.xlsm"
    calc_file(with_instruments(tmp_path, dict(GEC, mwh=30_000)), out)
    s2 = L.SCOPE2_CELLS
    cached = openpyxl.load_workbook(out, data_only=True)[L.SHEET_SUMMARY]
    shown = cached[s2["scope2_market"]].value
    assert shown.startswith("#GHG! E622") and cached[s2["total_market"]].value == shown
    excel = Recalculation(out, L.SHEET_SUMMARY)
    assert excel.cell(L.SHEET_SUMMARY, s2["scope2_market"]) == shown
    assert excel.cell(L.SHEET_SUMMARY, s2["total_market"]) == shown


def test_a_grid_row_below_the_summary_ranges_counts_in_neither_scope_2_figure(
    tmp_path: Path,
) -> None:
    """A purchased-electricity row below the rows 汇总 sums (row 205 of a sheet filled
    further than its formulas, E514) is left out by Excel: out of the location-based and the
    market-based figure alike. By hand, row 12 only: 1,000 × 0.5568 and 600 × 0.5942."""
    from ghgxl.workbook.resize import resized
    from tests.integration.test_sizes import _summary_ending_in

    grid = dict(category=2, unit="MWh", source="外购电力", annual=1000)
    rows = [dict(grid, id=12, factor_key="grid.cn.national.2021"), *([{}] * 199)]
    rows.append(dict(grid, id="X", factor_key="grid.cn.national.2021"))  # row 205
    package = fill.fill(
        resized(TEMPLATE, 300), {"reporting_year": 2023}, rows, market=(dict(GEC, mwh=400),)
    )
    book = tmp_path / "below.xlsm"
    book.write_bytes(_summary_ending_in(package, L.LAST_ROW))
    calc = calculate_workbook(book)
    assert [e.cell for e in calc.errors if e.code == "E514"] == ["活动数据!A205"]
    assert calc.scope2.location_t == pytest.approx(1000 * 0.5568, rel=1e-12)
    assert calc.scope2.market_t == pytest.approx(600 * 0.5942, rel=1e-12)


def test_an_instrument_below_the_table_is_an_error_not_counted(tmp_path: Path) -> None:
    """汇总's market-based cell reads 绿电绿证 rows 5–204: a line below is E621 there, and
    the market-based figure is not computed until it is moved into the table."""
    from ghgxl.workbook import xlsx

    members = xlsx.read_members(with_instruments(tmp_path, GEC))
    part = xlsx.sheet_parts(members)[L.SHEET_MARKET]
    n = L.MARKET_LAST_ROW + 1  # typed in Excel below the table's bordered rows
    line = (
        f'<row r="{n}"><c r="A{n}"><v>12</v></c><c r="B{n}" t="inlineStr"><is><t>绿证</t></is></c>'
        f'<c r="C{n}"><v>1</v></c><c r="E{n}"><v>2023</v></c>'
        f'<c r="F{n}" t="inlineStr"><is><t>GEC-X</t></is></c></row>'
    )
    members[part] = members[part].replace(b"</sheetData>", line.encode() + b"</sheetData>")
    book = tmp_path / "below.xlsm"
    book.write_bytes(xlsx.write_package(members))
    calc = calculate_workbook(book)
    below = [e for e in calc.errors if e.code == "E621"]
    assert [e.cell for e in below] == [f"{L.SHEET_MARKET}!A{L.MARKET_LAST_ROW + 1}"]
    assert "汇总的市场法单元格不读取" in below[0].message_zh and calc.scope2.market_t is None


def test_w118_only_where_a_regional_row_has_power_left_uncovered(tmp_path: Path) -> None:
    """The national residual and fossil factors are national: no W118; nor for a regional
    row its instruments cover in full (nothing counts at the residual factor)."""
    keys = {
        "R": "grid.cn.national_excl_market.2021",
        "F": "grid.cn.fossil.2021",
        "E": "grid.cn.east.2021",
    }
    calc = calculate_workbook(
        _grid_book(tmp_path / "keys.xlsm", keys, dict(GEC, row_id="E", mwh=1000))
    )
    assert calc.errors == [] and not [w for w in calc.result.warnings if w.code == "W118"]


def test_a_workbook_of_an_older_template_keeps_what_its_summary_cells_hold(
    tmp_path: Path,
) -> None:
    """Before template 2026.4, 汇总 B35–B37 were the user's: calc writes nothing there."""
    import re

    import openpyxl

    from ghgxl.workbook import xlsx
    from ghgxl.workbook.calc import calc_file

    members = xlsx.read_members(with_instruments(tmp_path, GEC))
    part = xlsx.sheet_parts(members)[L.SHEET_SUMMARY]
    members[part] = re.sub(
        rb'<c r="B36"[^>]*>.*?</c>',
        '<c r="B36" t="inlineStr"><is><t>我的备注</t></is></c>'.encode(),
        members[part],
        flags=re.DOTALL,
    )
    old = tmp_path / "old.xlsm"
    old.write_bytes(xlsx.write_package(members))
    out = tmp_path / "out.xlsm"
    calc, _, _ = calc_file(old, out)
    assert calc.data.extent.scope2_cells is False
    assert openpyxl.load_workbook(out)[L.SHEET_SUMMARY]["B36"].value == "我的备注"
