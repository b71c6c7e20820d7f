"""How many Python calls a full recalculation in Excel makes, and what they compute.

Each GHG_* cell Excel evaluates is one call through COM into Python (milliseconds each), so
the number of calls is what a user waits for when Excel recalculates everything (Ctrl+Alt+F9,
the 重新计算 button, a pasted block of rows). :mod:`tests.excel_eval` evaluates the saved
formulas as Excel does (IF lazily, an array formula once for all its cells) and counts the
calls it sends to :mod:`ghgxl.udfs` by name, as xlwings does.
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

from ghgxl.workbook import fill
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calc_file
from ghgxl.workbook.resize import resized
from tests.excel_eval import Recalculation
from tests.support import ROOT, TEMPLATE

EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"
#: Calls a row makes: one per run of adjacent gas-group columns (CO2 … CO2e; 生物质CO2, 其他).
CALLS_PER_ROW = len(L.GROUP_SPANS)


def test_a_row_is_one_call_per_run_of_gas_columns() -> None:
    assert [len(span) for span in L.GROUP_SPANS] == [8, 2]
    assert CALLS_PER_ROW == 2  # was 10: one GHG_EMISSION call for each gas-group cell


def test_the_empty_template_makes_no_python_call() -> None:
    calls = Recalculation(ROOT / "workbook" / "ghgxl-template.xlsm", L.SHEET_ACTIVITY).run()
    assert sum(calls.values()) == 0  # 200 blank rows: IF($U5="","",…) stops before Python


def test_the_example_makes_two_calls_a_row_and_they_give_what_calc_wrote() -> None:
    recalculation = Recalculation(EXAMPLE, L.SHEET_ACTIVITY)
    calls = recalculation.run()
    assert calls == {"GHG_EMISSION_GROUPS": 41 * CALLS_PER_ROW}  # 41 sources in the example
    cached = openpyxl.load_workbook(EXAMPLE, data_only=True)[L.SHEET_ACTIVITY]
    compared = 0
    for row in range(L.FIRST_ROW, L.FIRST_ROW + 41):
        for group in (g for span in L.GROUP_SPANS for g in span):
            ref = f"{L.ACT_COL['g_' + group]}{row}"
            value = recalculation.values[(L.SHEET_ACTIVITY, ref)]
            assert math.isclose(value, cached[ref].value, rel_tol=1e-12, abs_tol=1e-15), ref
            compared += 1
        total = f"{L.ACT_COL['total']}{row}"
        assert math.isclose(
            recalculation.values[(L.SHEET_ACTIVITY, total)], cached[total].value, rel_tol=1e-12
        )
    assert compared == 41 * 10


def test_a_thousand_rows_make_two_thousand_calls(tmp_path: Path) -> None:
    rows = [
        dict(id=f"R{i}", category=1 + i % 4, annual=100 + i, unit="kWh",
             factor_key="grid.cn.national.2021")
        if i % 3
        else dict(id=f"R{i}", category=3, annual=50 + i, unit="t", factor=0.5,
                  factor_unit="tCO2e/t", factor_source="测试")
        for i in range(1000)
    ]  # fmt: skip
    book = tmp_path / "book.xlsm"
    book.write_bytes(fill.fill(resized(TEMPLATE, 1000), {"company": "测试"}, rows))
    out = tmp_path / "out.xlsm"
    calc_file(book, out)
    calls = Recalculation(out, L.SHEET_ACTIVITY).run()
    assert calls == {"GHG_EMISSION_GROUPS": 1000 * CALLS_PER_ROW}


@pytest.mark.parametrize("category", ["1", True, 7])
def test_a_row_with_a_bad_category_calls_nothing(tmp_path: Path, category: object) -> None:
    rows = [dict(id="E1", category=category, annual=1000, unit="kWh",
                 factor_key="grid.cn.national.2021")]  # fmt: skip
    book = tmp_path / "book.xlsm"
    book.write_bytes(fill.fill(TEMPLATE, {}, rows))
    recalculation = Recalculation(book, L.SHEET_ACTIVITY)
    assert sum(recalculation.run().values()) == 0
    shown = recalculation.values[(L.SHEET_ACTIVITY, f"{L.ACT_COL['g_CH4']}{L.FIRST_ROW}")]
    assert shown == L.CATEGORY_ERROR_TEXT  # the text fills every cell of the array


def test_a_gas_named_on_a_library_row_counts_that_gas_in_calc_as_in_the_cells(
    tmp_path: Path,
) -> None:
    """气体 CO2 on a diesel row: GHG_EMISSION_GROUPS counts the CO2 alone (1,000 L ×
    0.8275 kg/L × 42.652 GJ/t × 74,100 kg CO2/TJ = 2.615324673 t), so calc must too (it
    counted all three gases, 2.8950 t); a gas the factor lacks is E302 in both."""
    diesel = dict(category=1, annual=1000, unit="L", factor_key="fuel.diesel.offroad")
    rows = [dict(diesel, id="all"), dict(diesel, id="CO2", gas="CO2"),
            dict(diesel, id="R", gas="R-410A")]  # fmt: skip
    book, out = tmp_path / "gas.xlsm", tmp_path / "out.xlsm"
    book.write_bytes(fill.fill(TEMPLATE, {}, rows))
    calc_file(book, out)
    cached = openpyxl.load_workbook(out, data_only=True)[L.SHEET_ACTIVITY]
    excel = Recalculation(out, L.SHEET_ACTIVITY)
    excel.run()
    totals = [f"{L.ACT_COL['total']}{L.FIRST_ROW + i}" for i in range(3)]
    assert cached[totals[1]].value == pytest.approx(2.615324673, rel=1e-9)
    assert cached[totals[0]].value > cached[totals[1]].value  # CH4 and N2O besides
    for ref in totals[:2]:
        assert excel.values[(L.SHEET_ACTIVITY, ref)] == pytest.approx(cached[ref].value, rel=1e-12)
    co2 = f"{L.ACT_COL['g_CO2']}{L.FIRST_ROW + 2}"
    assert str(excel.values[(L.SHEET_ACTIVITY, co2)]).startswith("#GHG! E302")
    assert str(cached[co2].value).startswith("#GHG!")  # calc: the error is in the row
