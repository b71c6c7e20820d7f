"""Which scope-2 figure the totals count: 基本信息's 总排放量中范围二的计算方法 (位置法 by
default, 市场法 on choice; GHG Protocol Scope 2 Guidance asks a company to say which one its
totals use).

Hand calculation (the bundled example, as in test_market_based): green certificates for
5,000 MWh and green power for 3,000 MWh on 编号 12 (23,610.66 MWh). Location-based
23,610.66 × 0.5568 = 13,146.415 t; market-based 15,610.66 × 0.5942 = 9,275.854 t. With
市场法 the totals count the market-based figure: 415,532.11 − 13,146.415 + 9,275.854 =
411,661.55 t, of which CO2 less by 3,870.561 t; every row keeps its own (location-based)
figure, and so do the data-quality weights (2.3408, 第四级, unchanged).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.errors import GhgError
from ghgxl.report.render import render_docx
from ghgxl.workbook import fill, xlsx
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calc_file, calculate_workbook, dq_scheme
from ghgxl.workbook.change import compare
from tests.integration.test_market_based import EXAMPLE, GEC, LOCATION_T, MARKET_T, PPA
from tests.integration.test_report import docx_text

MARKET = {"scope2_basis": L.SCOPE2_MARKET}
TOTAL_LOCATION = 415_532.11  # the seed's total
TOTAL_MARKET = 411_661.55  # by hand, module docstring


def book(tmp_path: Path, *instruments: dict, info: dict | None = None, name: str = "b") -> Path:
    path = tmp_path / f"{name}.xlsm"
    path.write_bytes(fill.fill(EXAMPLE.read_bytes(), info=info, market=instruments))
    return path


def test_the_template_offers_both_bases_and_says_location_by_default() -> None:
    field = L.INFO_FIELD["scope2_basis"]
    assert field.default == L.SCOPE2_LOCATION
    assert field.choices == (L.SCOPE2_LOCATION, L.SCOPE2_MARKET)
    calc = calculate_workbook(EXAMPLE)
    assert calc.scope2.basis == L.SCOPE2_LOCATION and calc.result.located is None


def test_market_based_totals_by_hand(tmp_path: Path) -> None:
    located = calculate_workbook(book(tmp_path, GEC, PPA, name="loc"))
    calc = calculate_workbook(book(tmp_path, GEC, PPA, info=MARKET))
    assert calc.errors == [] and calc.scope2.basis == L.SCOPE2_MARKET
    assert round(calc.result.total, 2) == TOTAL_MARKET
    assert calc.result.total == pytest.approx(
        located.result.total - LOCATION_T + MARKET_T, rel=1e-12
    )
    assert calc.result.by_category()[2] == pytest.approx(MARKET_T, rel=1e-12)
    assert calc.result.by_scope()[2] == pytest.approx(MARKET_T, rel=1e-12)
    difference = located.result.by_gas()["CO2"] - calc.result.by_gas()["CO2"]
    assert difference == pytest.approx(LOCATION_T - MARKET_T, rel=1e-9)
    assert round(difference, 3) == 3_870.561
    # each row keeps its own figure; the data-quality weights are those figures
    row12 = calc.rows.index[calc.rows["id"].astype(str) == "12"][0]
    assert calc.result.row_figures.at[row12, "tco2e"] == pytest.approx(LOCATION_T, rel=1e-12)
    assert calc.result.rows.at[row12, "tco2e"] == pytest.approx(MARKET_T, rel=1e-12)
    quality = calc.result.data_quality(dq_scheme(calc.data))
    assert quality == located.result.data_quality(dq_scheme(located.data))
    assert round(quality["score"], 4) == 2.3408


def test_the_json_says_which_figure_the_totals_use(tmp_path: Path) -> None:
    path = book(tmp_path, GEC, PPA, info=MARKET)
    report = json.loads(CliRunner().invoke(main, ["calc", str(path), "--json", "-"]).stdout)
    assert report["scope2"]["totals_use"] == "market_based"
    assert report["total_tco2e"] == pytest.approx(TOTAL_MARKET, abs=0.005)
    assert report["by_scope"]["2"] == pytest.approx(MARKET_T, abs=1e-6)
    row12 = next(r for r in report["rows"] if r["id"] == "12")
    assert row12["tco2e"] == pytest.approx(LOCATION_T, abs=1e-6)  # as 活动数据 shows it
    located = json.loads(
        CliRunner().invoke(main, ["calc", str(book(tmp_path, GEC)), "--json", "-"]).stdout
    )
    assert located["scope2"]["totals_use"] == "location_based"


def test_the_summary_sheet_counts_the_chosen_figure(tmp_path: Path) -> None:
    """汇总 as calc writes it and as its saved formulas compute (evaluated as Excel does):
    类别2, the total and CO2 take the adjustment (B39); B38 keeps the location-based total;
    the rows, 数据质量 and 各厂区汇总 keep each row's location-based figure."""
    from tests.excel_eval import Recalculation

    out = tmp_path / "out.xlsm"
    calc_file(book(tmp_path, GEC, PPA, info=MARKET), out)
    cells, s2 = L.summary_cells(), L.SCOPE2_CELLS
    wb = openpyxl.load_workbook(out, data_only=True)
    summary = wb[L.SHEET_SUMMARY]
    assert summary[cells["category:2"]].value == pytest.approx(MARKET_T, rel=1e-12)
    assert round(summary[L.SUMMARY_TOTAL].value, 2) == TOTAL_MARKET
    assert round(summary[s2["total_location"]].value, 2) == TOTAL_LOCATION
    assert summary[s2["adjustment"]].value == pytest.approx(MARKET_T - LOCATION_T, rel=1e-12)
    assert summary[s2["total_market"]].value == pytest.approx(
        summary[L.SUMMARY_TOTAL].value, rel=1e-12
    )
    assert summary[L.SUMMARY_CHECK].value == "一致"
    assert summary[cells["gas_total"]].value == pytest.approx(
        summary[L.SUMMARY_TOTAL].value, rel=1e-12
    )
    activity = wb[L.SHEET_ACTIVITY]
    row12 = next(r for r in range(L.FIRST_ROW, 60) if str(activity[f"A{r}"].value) == "12")
    assert activity[f"{L.ACT_COL['total']}{row12}"].value == pytest.approx(LOCATION_T, rel=1e-12)
    quality = wb[L.SHEET_QUALITY]
    assert quality[f"J{L.QUALITY_TOTAL_ROW}"].value == pytest.approx(2.3408, abs=5e-5)
    excel = Recalculation(out, L.SHEET_SUMMARY)
    refs = [cells[k] for k in cells if not k.startswith("errors")] + list(s2.values())
    for ref in refs:
        expected = summary[ref].value
        got = excel.cell(L.SHEET_SUMMARY, ref)
        if isinstance(expected, float):
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-9), ref
        else:
            assert got == expected, ref
    assert excel.calls["GHG_SCOPE2_MARKET"] == 1


def test_a_wrong_instrument_shows_value_errors_not_a_total_of_neither(tmp_path: Path) -> None:
    """市场法 with more MWh certified than used (E622): 类别2, the total, CO2 and every share
    are #VALUE! (cached as an error, t="e"), as Excel computes them; the location-based total
    and category 1 stay figures; the report says its totals are location-based for now."""
    path = book(tmp_path, dict(GEC, mwh=30_000), info=MARKET)
    out = tmp_path / "out.xlsm"
    calc, _, _ = calc_file(path, out)
    assert [e.code for e in calc.errors] == ["E622"]
    assert calc.result.located is None  # the totals stay location-based while it stands
    cells, s2 = L.summary_cells(), L.SCOPE2_CELLS
    summary = openpyxl.load_workbook(out, data_only=True)[L.SHEET_SUMMARY]
    for ref in (cells["category:2"], L.SUMMARY_TOTAL, cells["gas:CO2"], cells["share:1"]):
        assert summary[ref].value == "#VALUE!", ref
    assert round(summary[s2["total_location"]].value, 2) == TOTAL_LOCATION
    assert summary[cells["category:1"]].value == pytest.approx(131.74, abs=0.005)
    members = xlsx.read_members(out)
    sheet = members[xlsx.sheet_parts(members)[L.SHEET_SUMMARY]]
    assert re.search(rb'<c r="B11"[^>]* t="e"[^>]*><f>[^<]*</f><v>#VALUE!</v>', sheet)
    text = docx_text(io.BytesIO(render_docx(calc, images=tmp_path)))
    assert "市场法范围二无法计算：本报告的总排放量暂按位置法计（415,532.11 t CO₂e）" in text


def test_the_report_states_the_market_basis(tmp_path: Path) -> None:
    calc = calculate_workbook(book(tmp_path, GEC, PPA, info=MARKET))
    text = docx_text(io.BytesIO(render_docx(calc, images=tmp_path)))
    assert "各类别、各气体合计中范围二按市场法计（411,661.55 t CO₂e" in text
    assert "范围二按位置法计，总排放量为 415,532.11 t CO₂e" in text
    assert "本报告总排放量采用位置法" not in text


def test_without_instruments_the_market_basis_counts_the_residual_factor(tmp_path: Path) -> None:
    """No 绿电绿证 line: all 23,610.66 MWh at 0.5942 = 14,029.45 t; the total 416,415.15 t."""
    calc = calculate_workbook(book(tmp_path, info=MARKET))
    assert calc.result.by_category()[2] == pytest.approx(23_610.66 * 0.5942, rel=1e-12)
    assert round(calc.result.total, 2) == 416_415.15
    text = docx_text(io.BytesIO(render_docx(calc, images=tmp_path)))
    # the residual factor cited by its number in 附录一
    assert re.search(
        r"全部 23,610\.660 MWh 按剩余电力排放因子 0\.5942 tCO₂/MWh（附录一 F\d+）计", text
    )


def test_a_summary_without_the_basis_formulas_is_e641(tmp_path: Path) -> None:
    """A workbook of template 2026.4 (B39 not there) with 市场法 typed: its 汇总 adds up
    location-based, so calc says so at the 基本信息 cell and counts location-based."""
    members = xlsx.read_members(book(tmp_path, GEC, info=MARKET))
    part = xlsx.sheet_parts(members)[L.SHEET_SUMMARY]
    members[part] = re.sub(rb'<c r="B39"[^>]*>.*?</c>', b"", members[part], flags=re.DOTALL)
    old = tmp_path / "old.xlsm"
    old.write_bytes(xlsx.write_package(members))
    calc = calculate_workbook(old)
    assert [e.code for e in calc.errors] == ["E641"]
    assert calc.errors[0].cell == f"{L.SHEET_INFO}!{L.info_cell('scope2_basis')}"
    assert round(calc.result.total, 2) == TOTAL_LOCATION
    assert "workbook migrate" in calc.errors[0].hint_en


def test_years_are_compared_on_this_years_basis(tmp_path: Path) -> None:
    """This year 市场法, last year's workbook 位置法 (the same inputs): last year is put on
    the market basis too, so nothing changed."""
    this = calculate_workbook(book(tmp_path, GEC, PPA, info=MARKET, name="this"))
    last = calculate_workbook(book(tmp_path, GEC, PPA, name="last"))
    change = compare(this, last)
    assert change.total.before == pytest.approx(change.total.after, rel=1e-12)
    assert round(change.total.after, 2) == TOTAL_MARKET
    back = compare(last, this)  # and the other way round: both location-based
    assert round(back.total.before, 2) == round(back.total.after, 2) == TOTAL_LOCATION
    this.previous = last  # the report says last year's figure is not its workbook's own
    text = docx_text(io.BytesIO(render_docx(this, images=tmp_path)))
    assert (
        f"按本年度总排放量的范围二计算方法（市场法）计为 {TOTAL_MARKET:,.2f} t CO₂e，"
        f"其清册自身的总排放量为 {TOTAL_LOCATION:,.2f} t CO₂e。"
    ) in text


def test_a_compared_year_without_a_market_figure_is_e642(tmp_path: Path) -> None:
    this = calculate_workbook(book(tmp_path, GEC, info=MARKET, name="this"))
    last = calculate_workbook(book(tmp_path, dict(GEC, mwh=30_000), name="last"))
    with pytest.raises(GhgError) as caught:
        compare(this, last)
    assert caught.value.code == "E642" and "last.xlsm" in caught.value.message_zh


def test_sites_of_different_bases_are_not_added_up(tmp_path: Path) -> None:
    first = book(tmp_path, info={"sites": "甲厂"}, name="a")
    second = book(tmp_path, info={"sites": "乙厂", **MARKET}, name="b")
    result = CliRunner().invoke(
        main, ["consolidate", str(first), str(second), "-o", str(tmp_path / "g.xlsm")]
    )
    assert result.exit_code != 0
    assert "E616" in result.output and "总排放量中范围二的计算方法" in result.output


def test_a_group_on_the_market_basis_lists_its_sites_location_based(tmp_path: Path) -> None:
    """Two sites of the example, 市场法 with certificates each (two certificate numbers):
    the group counts 2 × 411,661.55; 各厂区汇总 lists each site location-based (as its
    SUMIFS of the rows add) with the whole location-based too, so nothing is 未分配."""
    first = book(tmp_path, GEC, PPA, info={"sites": "甲厂", **MARKET}, name="a")
    other = [dict(GEC, certificate="GEC-2"), dict(PPA, certificate="PPA-2")]
    second = book(tmp_path, *other, info={"sites": "乙厂", **MARKET}, name="b")
    group = tmp_path / "g.xlsm"
    result = CliRunner().invoke(main, ["consolidate", str(first), str(second), "-o", str(group)])
    assert result.exit_code == 0, result.output
    calc = calculate_workbook(group)
    assert calc.scope2.basis == L.SCOPE2_MARKET and calc.errors == []
    assert calc.result.total == pytest.approx(
        2 * (TOTAL_LOCATION - LOCATION_T + MARKET_T), abs=0.01
    )
    sites = openpyxl.load_workbook(group, data_only=True)[L.SHEET_SITES]
    c = L.SITE_COL
    assert sites[f"{c['total']}{L.SITES_ALL_ROW}"].value == pytest.approx(
        2 * TOTAL_LOCATION, abs=0.01
    )
    assert sites[f"{c['total']}{L.SITES_UNASSIGNED_ROW}"].value == 0
    assert sites[f"{c['gas:CO2']}{L.SITES_UNASSIGNED_ROW}"].value == 0


def test_a_wrong_instrument_this_year_compares_both_years_location_based(tmp_path: Path) -> None:
    """市场法 chosen but E622 stands: this year's totals are location-based, so last year is
    compared location-based too — no change where the inputs are the same."""
    this = calculate_workbook(book(tmp_path, dict(GEC, mwh=30_000), info=MARKET, name="this"))
    last = calculate_workbook(book(tmp_path, GEC, PPA, name="last"))
    change = compare(this, last)
    assert round(change.total.before, 2) == round(change.total.after, 2) == TOTAL_LOCATION
    report = json.loads(
        CliRunner().invoke(main, ["calc", str(this.data.path), "--json", "-"]).stdout
    )
    assert report["scope2"]["totals_use"] == "location_based"
    assert report["scope2"]["basis_chosen"] == "market_based"


def test_migrate_moves_e641_to_the_chosen_basis(tmp_path: Path) -> None:
    """The E641 hint works: migrate takes the workbook to the current template, the rows'
    own figures unchanged (no E629), and the totals then count 市场法 as 基本信息 chose."""
    from ghgxl.workbook import migrate

    members = xlsx.read_members(book(tmp_path, GEC, PPA, info=MARKET))
    part = xlsx.sheet_parts(members)[L.SHEET_SUMMARY]
    members[part] = re.sub(rb'<c r="B39"[^>]*>.*?</c>', b"", members[part], flags=re.DOTALL)
    old = tmp_path / "old.xlsm"
    old.write_bytes(xlsx.write_package(members))
    after = migrate.write(migrate.plan(old), tmp_path / "new.xlsm", force=True)
    assert after.errors == [] and round(after.result.total, 2) == TOTAL_MARKET
    assert round(after.result.located_total, 2) == TOTAL_LOCATION


def test_the_reports_tables_add_up_on_the_market_basis(tmp_path: Path) -> None:
    """The data-quality table weighs each row's own figure (its weighted column sums to the
    stated 2.3408), and the sites table's total line is its lines' sum (location-based)."""
    from ghgxl.report import sources

    calc = calculate_workbook(book(tmp_path, GEC, PPA, info=MARKET))
    lines = sources.dq_rows(calc, dq_scheme(calc.data))
    weighted = sum(float(line["weighted"]) for line in lines)
    assert weighted == pytest.approx(2.3408, abs=5e-4)  # each line rounded to 4 places
    row12 = next(line for line in lines if line["id"] == "12")
    assert row12["tco2e"] == "13,146.42"
    from ghgxl.report.context import build_context

    assert build_context(calc)["sources_total"] == "415,532.11"  # 排放源排名 and 附录二 合计
    ranked = {line["name"]: line["value"] for line in sources.top_sources(calc)}
    assert ranked["外购电力"] == "13,146.42"  # each source its own figure, as in the appendix
    table = sources.sites(calc)
    assert table["site_total"]["scope2"] == table["site_rows"][0]["scope2"] == "13,146.42"
    assert table["site_total"]["total"] == table["site_rows"][0]["total"] == "415,532.11"
    assert "按市场法计，为 411,661.55 t CO₂e" in table["site_note"]
    text = docx_text(io.BytesIO(render_docx(calc, images=tmp_path)))
    assert table["site_note"] in text


def test_the_verifiers_pack_ties_its_rows_to_the_reported_total(tmp_path: Path) -> None:
    """audit.xlsx recomputes the rows (location-based); the manifest gives the total the
    report counts, the basis and the location-based total the rows add up to."""
    from ghgxl.workbook.audit import sampling_plan, write_pack

    calc = calculate_workbook(book(tmp_path, GEC, PPA, info=MARKET))
    data = write_pack(calc, tmp_path / "pack")
    assert data["totals_use"] == "market_based"
    assert round(data["total_tco2e"], 2) == TOTAL_MARKET
    assert round(data["total_location_based_tco2e"], 2) == TOTAL_LOCATION
    picks = {str(p.row.get("id")): p.tco2e for p in sampling_plan(calc)}
    assert picks["12"] == pytest.approx(LOCATION_T, rel=1e-12)


def test_check_warns_of_a_basis_that_is_neither_word(tmp_path: Path) -> None:
    from ghgxl.workbook.check import check_workbook

    calc, findings = check_workbook(book(tmp_path, info={"scope2_basis": "市场法 "}))
    found = [f for f in findings if f.code == "W119"]
    assert [f.cell for f in found] == [f"{L.SHEET_INFO}!{L.info_cell('scope2_basis')}"]
    assert calc.scope2.basis == L.SCOPE2_LOCATION  # as Excel's ="市场法" test counts it
    _, clean = check_workbook(book(tmp_path, info=MARKET, name="ok"))
    assert not [f for f in clean if f.code == "W119"]
