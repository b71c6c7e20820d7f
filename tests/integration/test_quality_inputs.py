"""Data quality and uncertainty from what users type: a score on a grade's bound, scores
outside their scheme, the Taiwan scheme's activity scores, uncertainties typed as "10%",
and rows that share a factor but not its ±%. Each figure is computed by hand below."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.workbook import fill, template
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calculate_workbook

ROOT = Path(__file__).parents[2]
TEMPLATE = (ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes()
A = L.ACT_COL
TAIWAN = {"dq_scheme": L.DQ_SCHEMES[1]}
#: 1 t of a typed factor, 1 t CO2/t: each row's emissions are its amount in t
ROW = dict(category=1, unit="t", factor=1, factor_unit="tCO2/t", factor_source="供应商声明 2023")


def _book(tmp_path: Path, rows: list[dict], info: dict | None = None) -> Path:
    book = tmp_path / "book.xlsm"
    book.write_bytes(fill.fill(TEMPLATE, {"company": "好公司", **(info or {})}, rows))
    return book


def _json(*args: str) -> dict:
    result = CliRunner().invoke(main, [*args, "--json", "-"], catch_exceptions=False)
    return json.loads(result.stdout)


def _findings(book: Path) -> set[tuple[str, str]]:
    result = CliRunner().invoke(main, ["check", str(book), "--json"], catch_exceptions=False)
    return {(f["code"], f["cell"]) for f in json.loads(result.stdout)["findings"]}


def test_a_score_on_a_grades_bound_takes_that_grade(tmp_path) -> None:
    """100 t and 600 t, both scored 3/3/3: 3 × 100/700 + 3 × 600/700 = 3 by hand, so 三级
    (3 ≤ A < 4). Summed in floating point the shares give 2.9999999999999996, which a plain
    ``>=`` graded 四级 while the sheet (Excel compares at 15 digits) shows 三级."""
    scored = dict(dq_activity=3, dq_factor=3, dq_calibration=3)
    book = _book(
        tmp_path, [dict(ROW, id="A", annual=100, **scored), dict(ROW, id="B", annual=600, **scored)]
    )
    quality = _json("calc", str(book))["data_quality"]
    assert 3 * (100 / 700) + 3 * (600 / 700) < 3  # the floating-point sum the sheet also makes
    assert quality["score"] == pytest.approx(3.0, abs=1e-12)
    assert quality["grade"] == "三级"


@pytest.mark.parametrize(
    ("info", "key", "value", "allowed"),
    [
        ({}, "dq_factor", 0, "1、2、3、4、5、6"),
        ({}, "dq_activity", 2.5, "1、3、6"),
        ({}, "dq_calibration", 7, "1、3、6"),
        (TAIWAN, "dq_factor", 6, "1、2、3"),
    ],
)
def test_a_score_outside_its_scheme_is_named_at_its_cell(tmp_path, info, key, value, allowed):
    """The sheet's AVERAGE (PRODUCT, Taiwan) counts any number, so a pasted 0, 2.5 or 7, or
    the 6/3/1 scheme's 6 under the Taiwan scheme (whose rubric gives 1–3), would move the
    weighted score off its scale: E110 at the cell, and the report a draft."""
    scores = {"dq_activity": 3, "dq_factor": 3, "dq_calibration": 3}
    if info:
        scores = {"dq_activity": 2, "dq_factor": 2, "dq_calibration": 2}
    book = _book(tmp_path, [dict(ROW, id="A", annual=100, **(scores | {key: value}))], info)
    result = CliRunner().invoke(main, ["check", str(book)], catch_exceptions=False)
    assert f"[E110] 活动数据!{A[key]}{L.FIRST_ROW}" in result.output
    assert f"（{allowed}）" in result.output
    assert ("E110", f"活动数据!{A[key]}{L.FIRST_ROW}") in _findings(book)


def test_the_schemes_own_scores_pass(tmp_path) -> None:
    rows = [
        dict(ROW, id="A", annual=1, dq_activity=6, dq_factor=5, dq_calibration=1),
        dict(ROW, id="B", annual=1, dq_activity=1, dq_factor=2, dq_calibration=3),
    ]
    assert not {c for c, _ in _findings(_book(tmp_path, rows))} & {"E110", "E111"}


def test_taiwan_activity_scores_run_the_other_way_for_the_uncertainty(tmp_path) -> None:
    """Taiwan scores 1 for continuous metering and 3 for an estimate (6 and 1 in 6/3/1).
    One row, factor ±10 % typed: Approach 1 is √(a² + 10²) with a the activity default of
    the score's meaning: 1 → metering ±2.5 % → √106.25 = 10.3078; 3 → estimate ±30 % →
    √1000 = 31.6228. It used to read 1 as an estimate and 3 as a reading (±31.62, ±10.20)."""
    totals = {}
    for score in (1, 3):
        row = dict(ROW, id="A", annual=100, factor_u_pct=10, dq_factor=1, dq_calibration=1)
        book = _book(tmp_path, [row | {"dq_activity": score}], TAIWAN)
        totals[score] = _json("calc", str(book))["uncertainty"]["propagation"]["total_pct"]
    assert totals[1] == pytest.approx(math.sqrt(2.5**2 + 10**2), abs=1e-4)
    assert totals[3] == pytest.approx(math.sqrt(30**2 + 10**2), abs=1e-4)


@pytest.mark.parametrize("typed", ["10%", "±10", " 10 ％"])
def test_an_uncertainty_typed_with_its_percent_sign_is_read(tmp_path, typed) -> None:
    """活动数据不确定性 "10%" and a factor typed ±20: √(10² + 20²) = 22.3607 %. The text used
    to be dropped for the default (±2.5 % for score 6: √(2.5² + 20²) = 20.1556)."""
    row = dict(ROW, id="A", annual=100, activity_u_pct=typed, factor_u_pct=20, dq_activity=6)
    book = _book(tmp_path, [row])
    total = _json("calc", str(book))["uncertainty"]["propagation"]["total_pct"]
    assert total == pytest.approx(math.sqrt(10**2 + 20**2), abs=1e-4)
    assert not {c for c, _ in _findings(book)} & {"E111"}


@pytest.mark.parametrize("typed", ["约10", -5, "10 ppm"])
def test_an_uncertainty_that_is_no_percentage_is_named(tmp_path, typed) -> None:
    row = dict(ROW, id="A", annual=100, factor_u_pct=typed)
    book = _book(tmp_path, [row])
    assert ("E111", f"活动数据!{A['factor_u_pct']}{L.FIRST_ROW}") in _findings(book)


def test_rows_sharing_a_factor_each_keep_their_own_uncertainty(tmp_path) -> None:
    """Two rows of grid.cn.national.2021, 100 MWh each (0.5568 t/MWh: 55.68 t each),
    activity ±5 % typed; factor ±20 % typed on the first, the default ±7.1 % on the second.
    One factor, so its errors add: (20 × 55.68 + 7.1 × 55.68) = 1,508.928 t·%; activities
    are independent: 5 × 55.68 each. U = √(1,508.928² + 2 × 278.4²) / 111.36 = 14.0998 %,
    whichever row comes first (it was ±20 % one way round and ±7.1 % the other)."""
    grid = dict(category=2, annual=100, unit="MWh", factor_key="grid.cn.national.2021")
    first = dict(grid, id="A", activity_u_pct=5, factor_u_pct=20)
    second = dict(grid, id="B", activity_u_pct=5)
    expected = math.sqrt((20 * 55.68 + 7.1 * 55.68) ** 2 + 2 * (5 * 55.68) ** 2) / 111.36
    found = []
    for rows in ([first, second], [second, first]):
        book = _book(tmp_path, rows)
        data = _json("calc", str(book))
        assert data["total_tco2e"] == pytest.approx(111.36)
        found.append(data["uncertainty"]["propagation"]["total_pct"])
    assert found == [pytest.approx(expected, abs=1e-4)] * 2


def test_typed_factors_of_different_sources_are_different_factors(tmp_path) -> None:
    """1 t CO2/t from supplier A (±10 %) and from supplier B (±80 %), 100 t each: two
    factors, independent. Activities default to ±5 % (score 3):
    U = √((10 × 100)² + (80 × 100)² + 2 × (5 × 100)²) / 200 = 40.4660 %. As one factor
    (value and unit alike) they gave ±10.6 % or ±80.1 % by row order."""
    a = dict(ROW, id="A", annual=100, factor_source="供应商A 声明", factor_u_pct=10, dq_activity=3)
    b = dict(ROW, id="B", annual=100, factor_source="供应商B 声明", factor_u_pct=80, dq_activity=3)
    calc = calculate_workbook(_book(tmp_path, [a, b]))
    from ghgxl.uncertainty import assess

    total = assess(calc.result)["propagation"]["total_pct"]
    assert total == pytest.approx(math.sqrt(1000**2 + 8000**2 + 2 * 500**2) / 200, abs=1e-4)


def test_a_scheme_pasted_past_its_dropdown_is_said_and_read_as_the_sheet_reads_it(tmp_path):
    """臺灣… (traditional characters) holds no 台湾: the sheet's SEARCH("台湾", …) grades it
    6/3/1, so ghgxl does too (it used to grade it Taiwan, the sheet 6/3/1), and W122 says so."""
    row = dict(ROW, id="A", annual=100, dq_activity=3, dq_factor=3, dq_calibration=3)
    book = _book(tmp_path, [row], {"dq_scheme": "臺灣環境部盤查表評分法"})
    quality = _json("calc", str(book))["data_quality"]
    assert (quality["scheme"], quality["score"], quality["grade"]) == ("631", 3.0, "三级")
    findings = _findings(book)
    assert any(code == "W122" and cell.startswith("基本信息!B") for code, cell in findings)


@pytest.mark.parametrize(("typed", "shape"), [(30, "normal"), (150, "lognormal")])
def test_a_typed_half_width_is_symmetric_in_the_monte_carlo(tmp_path, typed, shape) -> None:
    """排放因子不确定性 30 on a typed factor (whose default, ±50 %, is lognormal): the column
    is the 95 % interval's half-width, so Approach 2 draws it normal. One row, activity
    ±0.001 %: the total's interval is the factor's, −30 % / +30 % (within the Monte Carlo's
    sampling error); read as lognormal it was −23.3 % / +29.9 %. Past ±50 % a normal draw
    would go below zero, so ±150 % is lognormal: +150 % and −60 %."""
    row = dict(ROW, id="A", annual=100, activity_u_pct=0.001, factor_u_pct=typed)
    interval = _json("calc", str(_book(tmp_path, [row])))["uncertainty"]["monte_carlo"]
    if shape == "normal":
        assert interval["lower_pct"] == pytest.approx(-30, abs=0.5)
        assert interval["upper_pct"] == pytest.approx(30, abs=0.5)
    else:  # ±150 %: normal draws would go below zero; lognormal with +150 % as its upper
        # side has its lower at 1/2.5 − 1 = −60 %
        assert interval["upper_pct"] == pytest.approx(150, abs=3)
        assert interval["lower_pct"] == pytest.approx(-60, abs=1)


def test_a_percent_typed_in_excel_below_one_is_pointed_out(tmp_path) -> None:
    """10% typed in Excel is stored as 0.1: ±0.1 % counts, and W123 says what it may be."""
    book = _book(tmp_path, [dict(ROW, id="A", annual=100, factor_u_pct=0.1)])
    result = CliRunner().invoke(main, ["check", str(book)], catch_exceptions=False)
    assert f"[W123] 活动数据!{A['factor_u_pct']}{L.FIRST_ROW}" in result.output
    assert "若在 Excel 中输入的是 10%" in result.output


def test_an_out_of_scheme_score_is_printed_as_typed(tmp_path) -> None:
    """3.0000001 is not 3: the message must not say "3 is not a score of (1、3、6)"."""
    row = dict(ROW, id="A", annual=1, dq_activity=3.0000001, dq_factor=3, dq_calibration=3)
    result = CliRunner().invoke(main, ["check", str(_book(tmp_path, [row]))])
    assert "数据质量评分 3.0000001 不是" in result.output
    assert "is not an activity-data score" in result.output


def test_the_sampling_risk_reads_the_taiwan_scores_the_right_way() -> None:
    """1 (metered, calibrated) … 2 (estimated): 6/3/1 scores 6 best, Taiwan scores 1 best."""
    from ghgxl.workbook.audit import risk

    best, worst = {"dq_activity": 6, "dq_calibration": 6}, {"dq_activity": 1, "dq_calibration": 1}
    assert (risk(best), risk(worst)) == (1.0, 2.0)
    best, worst = {"dq_activity": 1, "dq_calibration": 1}, {"dq_activity": 3, "dq_calibration": 3}
    assert (risk(best, "taiwan"), risk(worst, "taiwan")) == (1.0, 2.0)
    assert risk({"dq_activity": 2, "dq_calibration": 2}, "taiwan") == 1.5
