"""Exclusions against their limits and the significance of indirect emissions, found by
`ghgxl check` at their cells, and in the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.workbook import fill, template
from ghgxl.workbook import layout as L

ROOT = Path(__file__).parents[2]
TEMPLATE = (ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes()
ROWS = [
    dict(id="E1", category=2, annual=100, unit="MWh", factor_key="grid.cn.national.2021")
]  # 55.68 t


def _check(path: Path) -> set[tuple[str, str]]:
    result = CliRunner().invoke(main, ["check", str(path), "--json"], catch_exceptions=False)
    return {(f["code"], f["cell"]) for f in json.loads(result.stdout)["findings"]}


@pytest.fixture
def workbook(tmp_path: Path):
    def make(
        sources: list[dict], significance: dict | None = None, info: dict | None = None
    ) -> Path:
        path = tmp_path / "book.xlsm"
        base = {"company": "测试", "reporting_year": 2021}
        path.write_bytes(fill.fill(TEMPLATE, {**base, **(info or {})}, ROWS, sources, significance))
        return path

    return make


def test_exclusions_within_limits(workbook) -> None:
    # 0.3 t of 55.68 + 0.3 t: 0.54 % < 1 % and < 5 %
    path = workbook(
        [
            dict(
                id="X1",
                source="发电机",
                category=1,
                included="排除",
                exclusion_reason="用量小",
                estimate_tco2e=0.3,
            )
        ]
    )
    assert not {c for c, _ in _check(path)} & {"E512", "E513"}
    data = json.loads(CliRunner().invoke(main, ["calc", str(path), "--json", "-"]).stdout)
    assert data["exclusions"]["total_pct"] == pytest.approx(0.3 / 55.98 * 100, rel=1e-4)
    assert data["exclusions"]["within_limits"] is True


def test_exclusions_over_the_limits_are_found_at_their_cells(workbook) -> None:
    estimate = L.SOURCE_COL["estimate_tco2e"]
    sources = [
        dict(
            id="X1",
            source="发电机",
            category=1,
            included="排除",
            exclusion_reason="用量小",
            estimate_tco2e=1.0,
        ),  # 1.7 %
        dict(
            id="X2",
            source="清洁剂",
            category=1,
            included="排除",
            exclusion_reason="难以取得",
            estimate_tco2e=2.0,
        ),  # 3.4 %
        dict(
            id="X3",
            source="冷媒",
            category=1,
            included="排除",
            exclusion_reason="量小",
            estimate_tco2e=0.2,
        ),
    ]
    found = _check(workbook(sources))
    assert ("E512", f"排放源识别!{estimate}5") in found
    assert ("E512", f"排放源识别!{estimate}6") in found
    assert ("E512", f"排放源识别!{estimate}7") not in found  # 0.34 % < 1 %
    assert ("E513", f"排放源识别!{estimate}{L.HEADER_ROW}") in found  # 5.4 % ≥ 5 %
    # the thresholds are settings of 基本信息
    relaxed = _check(workbook(sources, info={"exclusion_single_pct": 4, "exclusion_total_pct": 6}))
    assert not {c for c, _ in relaxed} & {"E512", "E513"}


def test_significance(workbook) -> None:
    scores = dict(
        magnitude=3, influence=2, risk=2, sector=2, outsourcing=2, engagement=2
    )  # 13 ≥ 12
    significance = {
        "3.1": {**scores, "included": "纳入", "reason": "原料运输"},
        "3.3": {**scores, "included": "不纳入", "reason": "数据难取得"},  # significant but left out
        "5.1": {"magnitude": 1, "included": "不纳入"},  # left out without a reason
    }
    path = workbook([], significance)
    reason = L.SIG_COL["reason"]
    found = _check(path)
    assert ("W105", f"重大性评估!{reason}7") in found  # 3.3 is the third row
    assert ("E511", f"重大性评估!{reason}15") in found  # 5.1 is the eleventh row
    data = json.loads(CliRunner().invoke(main, ["calc", str(path), "--json", "-"]).stdout)
    first = data["significance"]["subcategories"][0]
    assert (first["code"], first["score"], first["judgement"]) == ("3.1", 13.0, "重大")
    assert data["significance"]["threshold"] == 12


def test_taiwan_scheme_in_workbook_json_and_sheet(tmp_path: Path) -> None:
    import openpyxl

    from ghgxl.workbook.calc import calc_file

    rows = [
        dict(ROWS[0], dq_activity=1, dq_factor=3, dq_calibration=2),  # X = 6
        dict(
            id="F1",
            category=1,
            annual=5000,
            unit="L",
            factor_key="fuel.diesel.offroad",
            dq_activity=2,
            dq_factor=3,
            dq_calibration=3,
        ),  # X = 18
    ]
    path = tmp_path / "tw.xlsm"
    path.write_bytes(
        fill.fill(TEMPLATE, {"company": "测试", "dq_scheme": "台湾环境部盘查表评分法"}, rows)
    )
    data = json.loads(CliRunner().invoke(main, ["calc", str(path), "--json", "-"]).stdout)
    grid, diesel = (
        100 * 0.5568,
        14.474919,
    )  # t CO2e: 100 MWh; 5,000 L forklift diesel (docs/worked-examples.md)
    expected = (6 * grid + 18 * diesel) / (grid + diesel)
    assert data["data_quality"]["scheme"] == "taiwan"
    assert data["data_quality"]["score"] == pytest.approx(expected, abs=1e-4)
    assert data["data_quality"]["grade"] == "一级"  # 8.5 < 10
    out = tmp_path / "tw-out.xlsm"
    calc_file(path, out)
    sheet = openpyxl.load_workbook(out, data_only=True)["数据质量"]
    assert sheet["F5"].value == 6 and sheet["F6"].value == 18
    assert sheet["J206"].value == pytest.approx(expected, abs=1e-6)
    from tests.support import freeze_udf_cells, libreoffice_recalculate, soffice

    if soffice():  # the sheet's own formulas, recalculated by LibreOffice, agree
        referee = tmp_path / "referee.xlsm"
        referee.write_bytes(freeze_udf_cells(out.read_bytes()))
        recalculated = openpyxl.load_workbook(
            libreoffice_recalculate(referee, tmp_path), data_only=True
        )["数据质量"]
        for cell in ("F5", "F6", "G5", "G6", "J206", "J207"):
            assert (
                recalculated[cell].value == pytest.approx(sheet[cell].value)
                if isinstance(sheet[cell].value, float)
                else recalculated[cell].value == sheet[cell].value
            )


def test_taiwan_grade_of_the_weighted_total(tmp_path: Path) -> None:
    """The grade below 数据质量's weighted total follows the workbook's scheme, as its
    formula does: a score of 18 is 二级 in Taiwan's scheme (10–19), 一级 in the seed's (≥5)."""
    import openpyxl

    from ghgxl.workbook.calc import calc_file

    row = dict(
        id="F1", category=1, annual=5000, unit="L", factor_key="fuel.diesel.offroad",
        dq_activity=2, dq_factor=3, dq_calibration=3,
    )  # fmt: skip  # 2 × 3 × 3 = 18
    path, out = tmp_path / "tw.xlsm", tmp_path / "tw-out.xlsm"
    path.write_bytes(fill.fill(TEMPLATE, {"dq_scheme": "台湾环境部盘查表评分法"}, [row]))
    calc_file(path, out)
    sheet = openpyxl.load_workbook(out, data_only=True)["数据质量"]
    assert sheet["J206"].value == pytest.approx(18.0)
    assert sheet["J207"].value == "第二级"
    from tests.support import freeze_udf_cells, libreoffice_recalculate, soffice

    if soffice():
        referee = tmp_path / "referee.xlsm"
        referee.write_bytes(freeze_udf_cells(out.read_bytes()))
        recalculated = openpyxl.load_workbook(
            libreoffice_recalculate(referee, tmp_path), data_only=True
        )["数据质量"]
        assert recalculated["J207"].value == "第二级"
