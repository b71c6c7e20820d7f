"""Workbooks of more than the template's 200 rows: ``ghgxl workbook new --rows N`` gives
what building the template with N rows gives; every row is computed and counted; and a row
below the ranges the workbook's own formulas count is an E514, left out of the totals as
Excel leaves it out of 汇总 — so the cached totals never contradict the formulas."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.errors import GhgError
from ghgxl.workbook import fill, template, xlsx
from ghgxl.workbook import formulas as F
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calc_file
from ghgxl.workbook.extent import Extent, read_extent
from ghgxl.workbook.resize import MAX_ROWS, resized
from tests.support import freeze_udf_cells, libreoffice_recalculate, soffice

TEMPLATE = template.template_path().read_bytes()
ROW = dict(category=2, annual=100, unit="MWh", factor_key="grid.cn.national.2021")  # 55.68 t
T_PER_ROW = 100 * 0.5568  # 100 MWh × 0.5568 t CO2/MWh (docs/worked-examples.md)


def _rows(count: int) -> list[dict]:
    return [
        dict(ROW, id=f"E{i}", dq_activity=3, dq_factor=1, dq_calibration=3) for i in range(count)
    ]


def _calc(path: Path) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["calc", str(path), "--json", "-"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def _referee(out: Path, folder: Path) -> openpyxl.Workbook:
    """The written workbook with its native formulas recalculated by LibreOffice."""
    referee = folder / "referee.xlsm"
    referee.write_bytes(freeze_udf_cells(out.read_bytes()))
    return openpyxl.load_workbook(libreoffice_recalculate(referee, folder), data_only=True)


def test_resized_is_the_template_built_with_that_many_rows(tmp_path: Path) -> None:
    built = tmp_path / "built.xlsm"
    template.build_template(built, rows=250)
    assert resized(TEMPLATE, 250) == built.read_bytes()
    assert resized(TEMPLATE, L.TEMPLATE_ROWS) == TEMPLATE


@pytest.mark.parametrize("rows", [0, L.TEMPLATE_ROWS - 1, MAX_ROWS + 1])
def test_rows_out_of_range(rows: int, tmp_path: Path) -> None:
    with pytest.raises(GhgError) as caught:
        resized(TEMPLATE, rows)
    assert caught.value.code == "E611"
    result = CliRunner().invoke(
        main, ["workbook", "new", str(tmp_path / "x.xlsm"), "--rows", str(rows)]
    )
    assert result.exit_code == 2 and "[E611]" in result.output


def test_the_largest_workbook_passes_ghgxls_own_size_checks() -> None:
    """MAX_ROWS rows of the template's rows (with a cached value in every formula cell)
    stay under guard's limits per sheet and in all."""
    from ghgxl.workbook import guard, sheetsize
    from ghgxl.workbook.resize import _ROW

    members = xlsx.read_members(TEMPLATE)
    parts = xlsx.sheet_parts(members)

    def row_bytes(sheet: str) -> int:
        row = next(m for m in _ROW.finditer(members[parts[sheet]]) if m.group(1) == b"204")
        return len(row.group(0)) + 24 * row.group(0).count(b"<f>")  # + a cached value each

    activity, quality = row_bytes(L.SHEET_ACTIVITY), row_bytes(L.SHEET_QUALITY)
    assert MAX_ROWS * activity < guard.MAX_MEMBER_UNPACKED
    assert (
        MAX_ROWS * (activity + quality) + sum(map(len, members.values())) < guard.MAX_TOTAL_UNPACKED
    )
    assert (L.last_row(MAX_ROWS)) * len(L.ACTIVITY_COLUMNS) < sheetsize.MAX_SHEET_CELLS


def test_new_workbook_with_more_rows(tmp_path: Path) -> None:
    out = tmp_path / "大清册.xlsm"
    result = CliRunner().invoke(main, ["workbook", "new", str(out), "--rows", "300"])
    assert result.exit_code == 0, result.output
    last = L.last_row(300)  # 304
    assert read_extent(out) == Extent((L.FIRST_ROW, last), None, last, last + 2)
    book = openpyxl.load_workbook(out)
    activity, quality, summary = book["活动数据"], book["数据质量"], book["汇总"]
    assert activity[f"{L.ACT_COL['total']}{last}"].value == F.activity_formulas(last)["total"]
    assert activity[f"{L.ACT_COL['total']}{last + 1}"].value is None
    assert quality[f"J{last}"].value == F.quality_formulas(last)[-1]
    assert quality[f"J{last + 2}"].value == F.quality_total_formulas(last)[f"J{last + 2}"]
    assert f"SUM(J5:J{last})" in quality[f"J{last + 2}"].value
    assert summary[L.SUMMARY_TOTAL].value == "=SUM(B5:B10)"
    assert f"$AK${last}" in summary["B5"].value
    ranges = {str(v.sqref) for v in activity.data_validations.dataValidation}
    assert f"{L.ACT_COL['unit']}5:{L.ACT_COL['unit']}{last}" in ranges
    assert activity.auto_filter.ref == f"A4:{L.ACT_COL['remark']}{last}"


def test_every_row_of_a_larger_workbook_counts(tmp_path: Path) -> None:
    path, out = tmp_path / "book.xlsm", tmp_path / "out.xlsm"
    path.write_bytes(fill.fill(resized(TEMPLATE, 300), {"company": "测试"}, _rows(250)))
    code, data = _calc(path)
    assert code == 0 and not data["errors"]
    assert data["total_tco2e"] == pytest.approx(250 * T_PER_ROW)
    calc_file(path, out)
    ours = openpyxl.load_workbook(out, data_only=True)
    assert ours["汇总"][L.SUMMARY_TOTAL].value == pytest.approx(250 * T_PER_ROW)
    assert ours["数据质量"]["J306"].value == pytest.approx((3 + 1 + 3) / 3)
    if soffice():  # the workbook's own formulas give the same
        recalculated = _referee(out, tmp_path)
        assert recalculated["汇总"][L.SUMMARY_TOTAL].value == pytest.approx(250 * T_PER_ROW)
        assert recalculated["数据质量"]["J306"].value == pytest.approx((3 + 1 + 3) / 3)


def _summary_ending_in(package: bytes, last: int) -> bytes:
    """A user's workbook whose 活动数据 was filled down further than its 汇总 formulas."""
    from ghgxl.workbook.resize import _formulas_set

    members = xlsx.read_members(package)
    part = xlsx.sheet_parts(members)[L.SHEET_SUMMARY]
    members[part] = _formulas_set(members[part], F.summary_formulas(last))
    return xlsx.write_package(members)


def test_rows_below_the_summary_ranges_are_e514_and_left_out(tmp_path: Path) -> None:
    path, out = tmp_path / "book.xlsm", tmp_path / "out.xlsm"
    filled = fill.fill(resized(TEMPLATE, 300), {"company": "测试"}, _rows(250))  # rows 5–254
    path.write_bytes(_summary_ending_in(filled, L.LAST_ROW))  # 汇总 counts rows 5–204
    code, data = _calc(path)
    beyond = [e for e in data["errors"] if e["code"] == "E514"]
    assert code == 1 and len(beyond) == 50
    assert beyond[0]["cell"] == "活动数据!A205" and "5–204" in beyond[0]["message_zh"]
    assert data["total_tco2e"] == pytest.approx(200 * T_PER_ROW)  # as the workbook counts
    calc_file(path, out)
    ours = openpyxl.load_workbook(out, data_only=True)
    assert ours["汇总"][L.SUMMARY_TOTAL].value == pytest.approx(200 * T_PER_ROW)
    assert ours["活动数据"][f"{L.ACT_COL['total']}254"].value == pytest.approx(T_PER_ROW)
    check = CliRunner().invoke(main, ["check", str(path), "--json"])
    found = {(f["code"], f["cell"]) for f in json.loads(check.stdout)["findings"]}
    assert ("E514", "活动数据!A254") in found and check.exit_code == 1
    if soffice():  # what Excel computes from the same formulas: the cached total agrees
        recalculated = _referee(out, tmp_path)
        assert recalculated["汇总"][L.SUMMARY_TOTAL].value == pytest.approx(200 * T_PER_ROW)


def test_rows_below_the_quality_range_are_counted_w106(tmp_path: Path) -> None:
    """数据质量's total sums only rows 5–204 (not extended): the rows below still count in
    the totals, and check says their data quality is not in the weighted score."""
    from ghgxl.workbook.resize import _formulas_set

    path, out = tmp_path / "book.xlsm", tmp_path / "out.xlsm"
    members = xlsx.read_members(fill.fill(resized(TEMPLATE, 300), {"company": "测试"}, _rows(250)))
    part = xlsx.sheet_parts(members)[L.SHEET_QUALITY]
    members[part] = _formulas_set(members[part], {"J306": "=SUM(J5:J204)"})
    path.write_bytes(xlsx.write_package(members))
    code, data = _calc(path)
    assert code == 0 and data["total_tco2e"] == pytest.approx(250 * T_PER_ROW)
    check = CliRunner().invoke(main, ["check", str(path), "--json"])
    found = [f for f in json.loads(check.stdout)["findings"] if f["code"] == "W106"]
    assert len(found) == 50 and found[0]["cell"] == "活动数据!A205"
    calc_file(path, out)
    share = T_PER_ROW / (250 * T_PER_ROW)  # each row's share of the total
    expected = 200 * share * (3 + 1 + 3) / 3  # the weighted score of rows 5–204 only
    ours = openpyxl.load_workbook(out, data_only=True)["数据质量"]
    assert ours["J306"].value == pytest.approx(expected)
    if soffice():
        assert _referee(out, tmp_path)["数据质量"]["J306"].value == pytest.approx(expected)


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is installed by .ci/run")
def test_a_workbook_saved_by_libreoffice_keeps_its_totals_in_place(tmp_path: Path) -> None:
    """LibreOffice saves every formula as ``<f aca="false">``: the 汇总 ranges, the formula
    rows and 数据质量's total are still found, and the total goes into its own cell."""
    path, out, again = tmp_path / "book.xlsm", tmp_path / "out.xlsm", tmp_path / "again.xlsx"
    path.write_bytes(fill.fill(resized(TEMPLATE, 300), {"company": "测试"}, _rows(250)))
    calc_file(path, out)
    saved = libreoffice_recalculate(out, tmp_path)
    members = xlsx.read_members(saved.read_bytes())
    assert b'aca="false"' in members[xlsx.sheet_parts(members)[L.SHEET_QUALITY]]
    extent = read_extent(saved, L.ACT_COL["total"])
    assert (extent.summary_rows, extent.quality_last, extent.quality_total_row) == (
        (5, 304),
        304,
        306,
    )
    assert extent.formula_rows is not None and set(range(5, 305)) <= extent.formula_rows
    calc_file(saved, again)
    quality = openpyxl.load_workbook(again, data_only=True)["数据质量"]
    assert quality["J306"].value == pytest.approx((3 + 1 + 3) / 3)
    assert quality["J206"].value == pytest.approx((3 + 1 + 3) / 3 / 250)  # row 206's own
    assert _calc(again)[1]["total_tco2e"] == pytest.approx(250 * T_PER_ROW)


def test_a_formula_of_the_users_own_in_the_summary_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(fill.fill(resized(TEMPLATE, 300), {"company": "测试"}, _rows(250)))
    book = openpyxl.load_workbook(path)
    book["汇总"]["H2"] = "=SUM(活动数据!AK5:AK10)"  # a subtotal the user keeps
    book["汇总"]["H3"] = "=SUM(旧活动数据!AK5:AK7)"  # another sheet, whose name ends alike
    book.save(path)
    assert read_extent(path).summary_rows == (5, 304)
    code, data = _calc(path)
    assert code == 0 and data["total_tco2e"] == pytest.approx(250 * T_PER_ROW)


def test_a_row_without_its_formulas_is_e515_and_left_out(tmp_path: Path) -> None:
    """Rows inserted in Excel come without formulas: Excel's 汇总 does not count them."""
    import re

    path, out = tmp_path / "book.xlsm", tmp_path / "out.xlsm"
    members = xlsx.read_members(fill.fill(TEMPLATE, {"company": "测试"}, _rows(30)))
    part = xlsx.sheet_parts(members)[L.SHEET_ACTIVITY]
    members[part] = re.sub(rb'(<c r="[A-Z]+20"[^>]*>)<f>[^<]*</f><v></v>', rb"\1", members[part])
    path.write_bytes(xlsx.write_package(members))
    code, data = _calc(path)
    assert code == 1 and [(e["code"], e["cell"]) for e in data["errors"]] == [
        ("E515", f"活动数据!{L.ACT_COL['total']}20")
    ]
    assert data["total_tco2e"] == pytest.approx(29 * T_PER_ROW)
    calc_file(path, out)
    ours = openpyxl.load_workbook(out, data_only=True)
    assert ours["汇总"][L.SUMMARY_TOTAL].value == pytest.approx(29 * T_PER_ROW)
    if soffice():
        recalculated = _referee(out, tmp_path)
        assert recalculated["汇总"][L.SUMMARY_TOTAL].value == pytest.approx(29 * T_PER_ROW)
