"""The inventory model: per-row results equal the cell functions; totals add up."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ghgxl import api
from ghgxl.errors import GhgError
from ghgxl.inventory import GROUPS, calculate

SPECS = [
    # (unit, factor_key, gas, factor, factor_unit, category)
    ("L", "fuel.diesel.offroad", None, None, None, 1),
    ("kg", "fuel.lpg.stationary", None, None, None, 1),
    ("kg", "refrigerant.leak.chillers", "R-410A", None, None, 1),
    ("人天", "septic.ch4.person_day", None, None, None, 1),
    ("万kWh", "grid.cn.national.2022", None, None, None, 2),
    ("tkm", None, None, 0.078, "kgCO2e/tkm", 3),
    ("t", None, None, 0.45, "tCO2e/t", 4),
    ("kg", None, "SF6", 1, "kg/kg", 1),
    ("kg", None, "HCFC-22", 1, "kg/kg", 1),
]


def _rows(amounts: list[float], picks: list[int]) -> list[dict]:
    rows = []
    for i, (amount, pick) in enumerate(zip(amounts, picks, strict=False)):
        unit, key, gas, factor, factor_unit, category = SPECS[pick]
        rows.append(
            dict(
                id=f"r{i}",
                category=category,
                amount=amount,
                unit=unit,
                factor_key=key,
                gas=gas,
                factor=factor,
                factor_unit=factor_unit,
            )
        )
    return rows


@given(
    st.lists(st.floats(min_value=0, max_value=1e7), min_size=1, max_size=30),
    st.data(),
)
def test_sum_by_gas_equals_sum_by_category(amounts: list[float], data: st.DataObject) -> None:
    picks = data.draw(
        st.lists(st.integers(0, len(SPECS) - 1), min_size=len(amounts), max_size=len(amounts))
    )
    result = calculate(_rows(amounts, picks))
    kyoto = sum(v for g, v in result.by_gas().items() if g not in ("CO2-biogenic", "Other"))
    assert sum(result.by_category().values()) == pytest.approx(kyoto, rel=1e-9, abs=1e-9)
    assert sum(result.by_scope().values()) == pytest.approx(result.total, rel=1e-9, abs=1e-9)
    assert result.total == pytest.approx(kyoto, rel=1e-9, abs=1e-9)


def test_rows_equal_the_cell_functions() -> None:
    amounts = [100.0 * (i + 1) for i in range(len(SPECS))]
    result = calculate(_rows(amounts, list(range(len(SPECS)))))
    for row, spec, amount in zip(result.rows.to_dict("records"), SPECS, amounts, strict=False):
        unit, key, gas, factor, factor_unit, _ = spec
        if key:
            expected = api.emission(amount, unit, key, gas or "CO2e")
        else:
            expected = api.emission_ef(amount, unit, factor, factor_unit, gas)
        if gas == "HCFC-22":  # outside the Kyoto basket: reported apart, not in the total
            assert row["tco2e"] == 0 and row["Other"] == pytest.approx(expected)
        else:
            assert row["tco2e"] == pytest.approx(expected, rel=1e-12)


def test_blend_is_reported_as_hfcs() -> None:
    result = calculate(_rows([100.0], [2]))
    assert result.by_gas()["HFCs"] > 0 and result.by_gas()["Other"] == 0


def test_bad_rows_are_placed_and_left_out() -> None:
    rows = [
        dict(
            id="ok",
            category=2,
            amount=1000,
            unit="kWh",
            factor_key="grid.cn.national.2021",
            place="活动数据!F5",
        ),
        dict(
            id="neg",
            category=1,
            amount=-1,
            unit="kg",
            factor_key="fuel.lpg.stationary",
            place="活动数据!F6",
        ),
        dict(
            id="unit",
            category=1,
            amount=1,
            unit="kwhh",
            factor_key="grid.cn.national.2021",
            place="活动数据!F7",
        ),
        dict(
            id="key", category=1, amount=1, unit="kg", factor_key="no.such.key", place="活动数据!F8"
        ),
        dict(
            id="cat",
            category=9,
            amount=1,
            unit="kg",
            factor_key="fuel.lpg.stationary",
            place="活动数据!F9",
        ),
        dict(
            id="scope",
            category=2,
            scope=1,
            amount=1,
            unit="kWh",
            factor_key="grid.cn.national.2021",
            place="活动数据!F10",
        ),
        dict(
            id="text",
            category=1,
            amount="abc",
            unit="kg",
            factor_key="fuel.lpg.stationary",
            place="活动数据!F11",
        ),
        dict(id="nofactor", category=1, amount=1, unit="kg", place="活动数据!F12"),
    ]
    result = calculate(rows)
    found = {(e.code, e.cell) for e in result.errors}
    assert found == {
        ("E103", "活动数据!F6"),
        ("E201", "活动数据!F7"),
        ("E301", "活动数据!F8"),
        ("E502", "活动数据!F9"),
        ("E506", "活动数据!F10"),
        ("E102", "活动数据!F11"),
        ("E101", "活动数据!F12"),
    }
    assert result.total == pytest.approx(0.5568)
    assert result.rows["ok"].tolist() == [True] + [False] * 7


def test_text_amounts_are_parsed() -> None:
    rows = [dict(category=2, amount="１,０００", unit="kWh", factor_key="grid.cn.national.2021")]
    assert calculate(rows).total == pytest.approx(0.5568)


def test_gwp_set_is_part_of_the_result() -> None:
    rows = [dict(category=1, amount=1, unit="kg", factor="1", factor_unit="kgCH4/kg")]
    assert calculate(rows, "AR5").total == pytest.approx(0.028)
    assert calculate(rows, "AR6").gwp_set == "AR6"


def test_groups_are_the_seven_gases_first() -> None:
    assert GROUPS[:7] == ("CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3")


def test_large_frame_is_vectorised() -> None:
    frame = pd.DataFrame(_rows([1.0] * 20_000, [i % len(SPECS) for i in range(20_000)]))
    result = calculate(frame)
    assert result.rows["ok"].all() and len(result.rows) == 20_000


def test_biogenic_co2_is_kept_apart() -> None:
    rows = [
        dict(category=1, amount=10, unit="t", factor=1.5, factor_unit="tCO2-biogenic/t"),
        dict(category=1, amount=10, unit="t", factor=0.01, factor_unit="tCH4/t"),
    ]
    result = calculate(rows)
    assert result.biogenic_co2_t == pytest.approx(15.0)
    assert result.total == pytest.approx(10 * 0.01 * 27.9)  # the CH4 only


def test_scope3_categories_and_methods() -> None:
    rows = [
        dict(
            category=3,
            scope3_category=4,
            method="transport",
            amount=1000,
            unit="tkm",
            factor=0.1,
            factor_unit="kgCO2e/tkm",
        ),
        dict(
            category=4,
            scope3_category="1",
            method="Explicit",
            amount=2,
            unit="t",
            factor=1,
            factor_unit="tCO2e/t",
        ),
        dict(
            category=1,
            scope3_category=4,
            amount=1,
            unit="t",
            factor=1,
            factor_unit="tCO2e/t",
            place="A",
        ),
        dict(
            category=4,
            scope3_category=16,
            amount=1,
            unit="t",
            factor=1,
            factor_unit="tCO2e/t",
            place="B",
        ),
        dict(
            category=4,
            method="guess",
            amount=1,
            unit="t",
            factor=1,
            factor_unit="tCO2e/t",
            place="C",
        ),
    ]
    result = calculate(rows)
    assert {(e.code, e.cell) for e in result.errors} == {
        ("E508", "A"),
        ("E508", "B"),
        ("E501", "C"),
    }
    assert result.by_scope3_category() == {1: pytest.approx(2.0), 4: pytest.approx(0.1)}
    assert result.rows.loc[1, "method"] == "explicit"


def _one(**row: object):
    base = dict(id="r", category=2, unit="kWh", factor_key="grid.cn.national.2021", place="P")
    return calculate([{**base, **row}])


@pytest.mark.parametrize(
    ("amount", "unit", "code"),
    [
        (True, "kWh", "E102"),  # TRUE as an amount: an error, exactly as GHG_EMISSION says
        ("1.2e400", "kWh", "E105"),  # text that overflows a float
        (1e308, "GWh", "E105"),  # finite, but × 1000 MWh/GWh overflows: not a row left out
        (1e308, "kWh", "E106"),  # 5.6e302 t
        (1e20, "kWh", "E106"),  # 5.6e16 t, more than the world emits
        ("#N/A", "kWh", "E107"),
    ],
)
def test_amounts_that_never_pass_in_silence(amount: object, unit: str, code: str) -> None:
    result = _one(amount=amount, unit=unit)
    assert [(e.code, e.cell) for e in result.errors] == [(code, "P")]
    assert result.total == 0 and not result.rows["ok"].any()
    with pytest.raises(GhgError) as info:
        api.emission(amount, unit, "grid.cn.national.2021")
    assert info.value.code == code  # the cell function says the same


def test_a_row_near_the_limit_still_counts() -> None:
    # 1.7e14 kWh × 0.5568 kg/kWh = 9.5e10 t, below MAX_ROW_TCO2E = 1e11
    assert _one(amount=1.7e14).total == pytest.approx(1.7e14 * 0.5568 / 1000)


def test_text_categories_count_only_where_text_is_all_there_is() -> None:
    # from a CSV every cell is text: "2" is category 2
    assert _one(amount=1000, category="2").total == pytest.approx(0.5568)
    # in a workbook the summary's SUMIFS and the row formulas need a number: E502
    for category in ("2", True, 7, 2.5, None):
        result = calculate([dict(amount=1000, category=category, unit="kWh",
                                 factor_key="grid.cn.national.2021", place="P")], typed=True)  # fmt: skip
        assert [e.code for e in result.errors] == ["E502"], category
        assert result.total == 0


def test_wrong_labels_are_reported_and_the_row_still_counts() -> None:
    result = _one(amount=1000, method="guess")
    assert [e.code for e in result.errors] == ["E501"]
    assert result.total == pytest.approx(0.5568)  # as the workbook, whose formulas ignore it


def test_carbon_mass_factors_are_converted_and_said_so() -> None:
    # 20 tC/TJ × 44/12 = 73.333 tCO2/TJ (IPCC 2006 Vol 2 eq. 2.3: CO2 = C × 44/12)
    row = dict(amount=1, unit="TJ", factor=20, factor_unit="tC/TJ", category=1, place="P")
    result = calculate([row])
    assert result.total == pytest.approx(20 * 44 / 12)
    assert result.by_gas()["CO2"] == pytest.approx(20 * 44 / 12)
    assert [(w.code, w.cell) for w in result.warnings] == [("W107", "P")]
    assert "tCO2/TJ" in result.warnings[0].hint_en
    assert api.emission_ef(1, "TJ", 20, "tC/TJ") == pytest.approx(20 * 44 / 12)


@pytest.mark.parametrize("unit", ["kgBOD/kg", "kgCOD/t"])
def test_a_factor_of_something_that_is_no_gas_is_refused(unit: str) -> None:
    result = calculate([dict(amount=1, unit="kg", factor=2, factor_unit=unit, category=1)])
    assert [e.code for e in result.errors] == ["E207"]
    with pytest.raises(GhgError) as info:
        api.emission_ef(1, "kg", 2, unit)
    assert info.value.code == "E207"


def test_json_is_always_valid_json() -> None:
    import json

    from ghgxl.export import to_json

    rows = [
        dict(amount=1e308, category=2, unit="kWh", factor_key="grid.cn.national.2021"),
        dict(amount="Infinity", category=2, unit="kWh", factor_key="grid.cn.national.2021"),
        dict(amount=1, category=2, unit="kWh", factor_key="grid.cn.national.2021"),
    ]
    text = to_json(calculate(rows))
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))


@pytest.mark.parametrize("gas", ["co2e", "CO2E", "ＣＯ２ｅ", " CO2e "])
def test_co2e_typed_in_any_case_or_width_is_all_gases_as_in_the_cells(gas: str) -> None:
    """The row's cell function reads 气体 co2e as CO2e (all gases of the factor); calc did
    only for "CO2e" exactly: 5 kg CO2/kWh × 1,000 kWh = 5 t in both, and in the CO2 column."""
    row = dict(category=2, amount=1000, unit="kWh", factor=5, factor_unit="kgCO2/kWh")
    result = calculate([{**row, "gas": gas}])
    assert result.errors == [] and result.total == pytest.approx(5.0, rel=1e-12)
    assert result.by_gas()["CO2"] == pytest.approx(5.0, rel=1e-12)
