"""Cell functions, called exactly as a cell calls them; they never raise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ghgxl import udfs
from ghgxl.udfs import (
    GHG_CONVERT,
    GHG_EMISSION,
    GHG_EMISSION_EF,
    GHG_EMISSIONS,
    GHG_FACTOR,
    GHG_GWP,
)


def test_examples_from_the_issue() -> None:
    assert GHG_EMISSION_EF(1000, "kWh", 0.5568, "tCO2/MWh") == pytest.approx(0.5568)
    assert GHG_GWP("N2O", "AR5") == 265
    assert GHG_CONVERT(1, "万kWh", "MWh") == pytest.approx(10)
    assert GHG_EMISSION_EF(-5, "t", 1, "tCO2/t").startswith("#GHG! E103")


def test_error_text_is_bilingual() -> None:
    text = GHG_EMISSION(5, "kwhh", "grid.cn.national.2021")
    assert text == "#GHG! E201 未知单位 'kwhh' / unknown unit 'kwhh'"


def test_library_factor_with_unit_conversion() -> None:
    # 125 万kWh = 1,250 MWh × 0.5568 tCO2/MWh = 696 t
    assert GHG_EMISSION(125, "万kWh", "grid.cn.national.2021") == pytest.approx(696.0)
    assert GHG_EMISSION(125, "万kWh", "grid.cn.national.2021", out_unit="kgCO2e") == pytest.approx(
        696_000
    )


def test_one_gas_and_mass_of_gas() -> None:
    # 1 TJ of diesel in forklifts: 28.6 kg N2O = 28.6 × 273 kg CO2e (AR6)
    assert GHG_EMISSION(1, "TJ", "fuel.diesel.offroad", "N2O", "AR6", "kgN2O") == pytest.approx(
        28.6
    )
    assert GHG_EMISSION(1, "TJ", "fuel.diesel.offroad", "N2O", "AR6", "kgCO2e") == pytest.approx(
        28.6 * 273
    )
    assert GHG_EMISSION(1, "TJ", "fuel.diesel.offroad", "N2O", "AR5", "kgCO2e") == pytest.approx(
        28.6 * 265
    )


def test_all_gases_sum() -> None:
    # 1 TJ: 74,100 kg CO2 + 4.15 kg CH4 × 27.9 + 28.6 kg N2O × 273
    hand = 74_100 + 4.15 * 27.9 + 28.6 * 273
    assert GHG_EMISSION(1, "TJ", "fuel.diesel.offroad", out_unit="kgCO2e") == pytest.approx(hand)


def test_refrigerant_needs_the_gas() -> None:
    assert GHG_EMISSION(30, "kg", "refrigerant.leak.chillers").startswith("#GHG! E304")
    rate = GHG_FACTOR("refrigerant.leak.chillers", "*")
    # 30 kg × leak rate × GWP(R-410A, AR6) = 0.5×771 + 0.5×3740
    expected = 30 * rate * (0.5 * 771 + 0.5 * 3740)
    assert GHG_EMISSION(
        30, "kg", "refrigerant.leak.chillers", "R-410A", "AR6", "kgCO2e"
    ) == pytest.approx(expected)


def test_explicit_factor_gases() -> None:
    # the unit names the gas: 10 t × 2 kg CH4/t = 20 kg CH4 × 27.9
    assert GHG_EMISSION_EF(10, "t", 2, "kgCH4/t", None, "AR6", "kgCO2e") == pytest.approx(20 * 27.9)
    # a CO2e factor gets no GWP
    assert GHG_EMISSION_EF(3, "万元", 1.5, "tCO2e/万元") == pytest.approx(4.5)
    # a unit naming no gas takes the gas argument
    assert GHG_EMISSION_EF(2, "kg", 1, "kg/kg", "SF6", "AR6", "kgCO2e") == pytest.approx(2 * 25200)
    assert GHG_EMISSION_EF(2, "kg", 1, "kgCH4/kg", "N2O").startswith("#GHG! E404")


def test_factor_fields() -> None:
    assert GHG_FACTOR("grid.cn.national.2021", "CO2") == 0.5568
    assert GHG_FACTOR("grid.cn.national.2021", "CO2", "unit") == "tCO2/MWh"
    assert "2024" in GHG_FACTOR("grid.cn.national.2021", "CO2", "source")
    assert GHG_FACTOR("fuel.diesel.offroad", "CO2e", "value") == pytest.approx(
        74_100 + 4.15 * 27.9 + 28.6 * 273
    )
    assert GHG_FACTOR("fuel.diesel.offroad", "CO2e", "unit") == "kgCO2e/TJ"
    assert GHG_FACTOR("fuel.diesel.ncv") == 42.652
    assert GHG_FACTOR("nope.key").startswith("#GHG! E301")
    assert GHG_FACTOR("fuel.diesel.ncv", None, "colour").startswith("#GHG! E306")


def test_empty_cells_mean_defaults() -> None:
    assert GHG_EMISSION(1000, "kWh", "grid.cn.national.2021", None, None, None) == pytest.approx(
        0.5568
    )
    assert GHG_GWP("CH4", "") == 27.9


def test_array_form() -> None:
    result = GHG_EMISSIONS(
        [[1000], [2000], ["x"]], [["kWh"], ["kWh"], ["kWh"]], "grid.cn.national.2021"
    )
    assert result[0][0] == pytest.approx(0.5568)
    assert result[1][0] == pytest.approx(1.1136)
    assert result[2][0].startswith("#GHG! E102")
    assert GHG_EMISSIONS([1, 2], ["kWh"], ["a", "b", "c"])[0][0].startswith("#GHG!")


def test_only_udfs_imports_xlwings() -> None:
    import pathlib

    package = pathlib.Path(udfs.__file__).parent
    importers = [p.name for p in package.rglob("*.py") if "import xlwings" in p.read_text("utf-8")]
    assert importers == ["udfs.py"]


CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        ["kWh", "万kWh", "t", "L", "CO2e", "R-410A", "grid.cn.national.2021", "AR6", "tCO2e"]
    ),
)


@given(st.lists(CELL_VALUES, min_size=6, max_size=6))
def test_cell_functions_never_raise(args: list) -> None:
    for function, count in (
        (GHG_EMISSION, 6),
        (GHG_EMISSION_EF, 6),
        (GHG_FACTOR, 3),
        (GHG_GWP, 2),
        (GHG_CONVERT, 3),
    ):
        value = function(*args[:count])
        assert isinstance(value, (int, float, str))
        if isinstance(value, str):
            assert value.startswith("#GHG! ") or function is GHG_FACTOR


def test_error_docs_are_current() -> None:
    import pathlib

    from ghgxl.docs import errors_markdown

    docs = pathlib.Path(__file__).parents[2] / "docs" / "errors.md"
    assert docs.read_text("utf-8") == errors_markdown(), "run: python -m ghgxl.docs"


def test_group_columns() -> None:
    # per-gas columns of the 活动数据 sheet: one group's CO2e, 0 when the factor has none
    one_tj = (1, "TJ", "fuel.diesel.offroad", None, "AR6", "kgCO2e")
    assert GHG_EMISSION(*one_tj, "N2O") == pytest.approx(28.6 * 273)
    assert GHG_EMISSION(*one_tj, "CO2") == pytest.approx(74_100)
    assert GHG_EMISSION(*one_tj, "HFCs") == 0
    assert GHG_EMISSION(30, "kg", "refrigerant.leak.chillers", "R-410A", "AR6", "tCO2e", "CO2") == 0
    hfcs = GHG_EMISSION(30, "kg", "refrigerant.leak.chillers", "R-410A", "AR6", "tCO2e", "hfcs")
    assert hfcs == pytest.approx(GHG_EMISSION(30, "kg", "refrigerant.leak.chillers", "R-410A"))
    assert GHG_EMISSION_EF(3, "t", 2, "tCO2e/t", None, "AR6", "tCO2e", "CO2e") == pytest.approx(6)
    assert GHG_EMISSION_EF(3, "t", 2, "tCO2e/t", None, "AR6", "tCO2e", "CO2") == 0
    assert GHG_EMISSION_EF(3, "t", 2, "tCO2/t", None, "AR6", "tCO2e", "氢").startswith("#GHG! E405")


def test_a_factor_key_of_spaces_beside_an_explicit_factor_is_no_key_as_for_calc() -> None:
    """因子键 holding a space and an explicit factor: calc reads the row by its explicit
    factor (the key is blank once trimmed); the cell function did not (E101)."""
    from ghgxl import api
    from ghgxl.inventory import calculate

    row = dict(category=2, amount=1000, unit="kWh", factor=0.005, factor_unit="kgCO2/kWh")
    expected = calculate([{**row, "factor_key": " "}]).total
    assert expected == pytest.approx(0.005)  # 1,000 kWh × 0.005 kg/kWh = 5 kg
    cells = api.emission_groups(1000, "kWh", " ", 0.005, "kgCO2/kWh", None, "AR6", "CO2")
    assert cells == [pytest.approx(0.005)]


def test_ghg_factor_of_a_leak_rate_with_the_refrigerant_named() -> None:
    """A leak rate is one row for any gas (*): GHG_FACTOR with R-410A gives it, as the row's
    GHG_EMISSION computes with it (it was E302: "gases this factor gives: *")."""
    rate = GHG_FACTOR("refrigerant.leak.chillers")
    assert isinstance(rate, float) and GHG_FACTOR("refrigerant.leak.chillers", "R-410A") == rate
    assert str(GHG_FACTOR("fuel.diesel.offroad", "R-410A")).startswith("#GHG! E302")
