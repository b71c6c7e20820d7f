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
from ghgxl.workbook import fill, sheets, template, xlsx
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


@pytest.mark.parametrize("rows", [L.TEMPLATE_ROWS - 1, MAX_ROWS + 1])
def test_rows_out_of_range(rows: int) -> None:
    with pytest.raises(GhgError) as caught:
        resized(TEMPLATE, rows)
    assert caught.value.code == "E611"


def test_new_workbook_with_more_rows(tmp_path: Path) -> None:
    out = tmp_path / "大清册.xlsm"
    result = CliRunner().invoke(main, ["workbook", "new", str(out), "--rows", "300"])
    assert result.exit_code == 0, result.output
    last = L.last_row(300)  # 304
    assert read_extent(out) == Extent(last, last, last + 2)
    book = openpyxl.load_workbook(out)
    activity, quality, summary = book["活动数据"], book["数据质量"], book["汇总"]
    assert activity[f"{L.ACT_COL['total']}{last}"].value == sheets.activity_formulas(last)["total"]
    assert activity[f"{L.ACT_COL['total']}{last + 1}"].value is None
    assert quality[f"J{last}"].value == sheets.quality_formulas(last)[-1]
    assert quality[f"J{last + 2}"].value == f"=SUM(J5:J{last})"
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
    members[part] = _formulas_set(members[part], sheets.summary_formulas(last))
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
