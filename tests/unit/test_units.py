"""Units: the registry, Chinese aliases, the factor-unit grammar, amounts as typed."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ghgxl.errors import GhgError
from ghgxl.units import (
    conversion_factor,
    parse_amount,
    parse_factor_unit,
    parse_fraction,
    parse_number,
)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("万kWh", "MWh", 10),  # 10^4 kWh = 10 MWh
        ("度", "kWh", 1),
        ("千瓦时", "kWh", 1),
        ("吨", "kg", 1000),
        ("公斤", "kg", 1),
        ("千克", "g", 1000),
        ("升", "m3", 0.001),
        ("立方米", "L", 1000),
        ("万m3", "m3", 10_000),
        ("万Nm3", "标准立方米", 10_000),
        ("吨公里", "t*km", 1),
        ("tkm", "kg*km", 1000),
        ("人公里", "pkm", 1),
        ("人时", "人天", 1 / 24),  # the seed: person-days = working hours / 24
        ("TJ", "GJ", 1000),
        ("mmBtu", "GJ", 1.055056),  # 10^6 Btu(IT) × 1055.056 J
        ("US_liquid_gallon", "L", 3.785411784),  # exact by definition (a plain "gallon" is E206)
        ("lb", "kg", 0.45359237),  # exact by definition
        ("万元", "元", 10_000),
        ("TJ/Gg", "GJ/t", 1),
    ],
)
def test_conversions(source: str, target: str, expected: float) -> None:
    assert conversion_factor(source, target) == pytest.approx(expected, rel=1e-12)


def test_full_width_and_spaces_in_units() -> None:
    assert conversion_factor("ｋＷｈ", "kWh") == 1
    assert conversion_factor("\u3000kWh ", "MWh") == pytest.approx(0.001)
    assert conversion_factor("m³", "L") == pytest.approx(1000)


@pytest.mark.parametrize(
    ("source", "target", "code"),
    [
        ("CNY", "USD", "E204"),  # currencies never convert silently
        ("万元", "USD", "E204"),
        ("m3", "Nm3", "E202"),  # a standard m3 is not a m3
        ("kWh", "t", "E202"),
        ("kwhh", "kWh", "E201"),
        ("", "kWh", "E201"),
    ],
)
def test_refused_conversions(source: str, target: str, code: str) -> None:
    with pytest.raises(GhgError) as info:
        conversion_factor(source, target)
    assert info.value.code == code


def test_nm3_error_explains_the_difference() -> None:
    with pytest.raises(GhgError) as info:
        conversion_factor("m3", "Nm3")
    assert "标准立方米" in info.value.message_zh
    assert "standard cubic metre" in info.value.message_en


@pytest.mark.parametrize(
    ("text", "mass", "gas", "activity"),
    [
        ("kgCO2/kWh", "kg", "CO2", "kWh"),
        ("kg CO2/TJ", "kg", "CO2", "TJ"),
        ("tCO2e/t", "t", "CO2e", "t"),
        ("gCH4/GJ", "g", "CH4", "GJ"),
        ("kgCO2e/tkm", "kg", "CO2e", "tkm"),
        ("kg CO2/mmBtu", "kg", "CO2", "mmBtu"),
        ("g N2O/mmBtu", "g", "N2O", "mmBtu"),
        ("tCO2/MWh", "t", "CO2", "MWh"),
        ("kgHFC-134a/kg", "kg", "HFC-134a", "kg"),
        ("kgCO2/万元", "kg", "CO2", "万元"),
        ("千克CO2/千瓦时", "千克", "CO2", "千瓦时"),
        ("kg/kg", "kg", None, "kg"),
        ("tC/TJ", "t", "C", "TJ"),
    ],
)
def test_factor_unit_grammar(text: str, mass: str, gas: str | None, activity: str) -> None:
    unit = parse_factor_unit(text)
    assert (unit.mass_unit, unit.gas, unit.activity_unit) == (mass, gas, activity)


def test_factor_unit_with_substance_in_the_denominator() -> None:
    unit = parse_factor_unit("kgCH4/kgBOD")
    assert (unit.gas, unit.activity_unit, unit.activity_tag) == ("CH4", "kg", "BOD")


@pytest.mark.parametrize(
    "text", ["kWh", "CO2/kWh", "kgXYZ/kWh", "kgCO2/", "kgCO2/foo", "", "m3CO2/kWh"]
)
def test_bad_factor_units(text: str) -> None:
    with pytest.raises(GhgError) as info:
        parse_factor_unit(text)
    assert info.value.code in ("E203", "E201")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (12, 12.0),
        (12.5, 12.5),
        ("12.5", 12.5),
        ("１２３", 123.0),  # full-width digits
        ("１２３．５", 123.5),
        ("1,234.5", 1234.5),
        ("1，234.5", 1234.5),  # full-width comma
        ("12,345,678", 12_345_678.0),
        (" 42 ", 42.0),
        ("\u300042\u3000", 42.0),  # full-width spaces
        ("1e3", 1000.0),
    ],
)
def test_amounts_as_typed(typed: object, expected: float) -> None:
    assert parse_amount(typed) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1,23", "E104"),  # decimal comma or a typo: refused, never guessed
        ("1.234,5", "E104"),
        ("12,34,567", "E104"),
        ("abc", "E102"),
        ("12 kg", "E102"),
        (None, "E101"),
        ("", "E101"),
        (True, "E102"),
        (-5, "E103"),
        ("-5", "E103"),
        (float("nan"), "E105"),
        (float("inf"), "E105"),
    ],
)
def test_amounts_refused(typed: object, code: str) -> None:
    with pytest.raises(GhgError) as info:
        parse_amount(typed)
    assert info.value.code == code


def test_fractions() -> None:
    assert parse_fraction("32.5%") == pytest.approx(0.325)
    assert parse_fraction(0.5) == 0.5
    with pytest.raises(GhgError):
        parse_fraction(150)


UNIT_PAIRS = [
    ("kWh", "MWh"),
    ("万kWh", "GJ"),
    ("吨", "lb"),
    ("L", "US_liquid_gallon"),
    ("万m3", "立方米"),
    ("mmBtu", "TJ"),
    ("tkm", "kg*km"),
    ("人天", "人时"),
]


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False), st.sampled_from(UNIT_PAIRS))
def test_unit_round_trip(value: float, pair: tuple[str, str]) -> None:
    there = value * conversion_factor(*pair)
    back = there * conversion_factor(pair[1], pair[0])
    assert math.isclose(back, value, rel_tol=1e-12, abs_tol=1e-300)


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
def test_number_text_round_trip(value: float) -> None:
    assert parse_number(repr(value)) == value
    grouped = f"{value:,.3f}"
    assert parse_number(grouped) == pytest.approx(float(f"{value:.3f}"), rel=1e-15, abs=1e-9)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1.5 2", "E104"),  # two numbers, or a decimal comma guessed at: never 1.52
        ("1 234", "E104"),  # a space as thousands separator: not guessed
        ("10²", "E102"),  # NFKC would make it 102
        ("½", "E102"),
        ("①", "E102"),
        (True, "E102"),  # Excel's SUM skips TRUE: not a number here either
        (False, "E102"),
        ("#N/A", "E107"),  # an Excel error value, as calamine or a user gives it
        ("#div/0!", "E107"),
        ("inf", "E102"),
        ("Infinity", "E102"),
        ("NaN", "E102"),
        ("1.2e400", "E105"),  # overflows a float
        (float("inf"), "E105"),
        (float("nan"), "E105"),
    ],
)
def test_numbers_that_are_never_guessed(typed: object, code: str) -> None:
    with pytest.raises(GhgError) as info:
        parse_number(typed, what="amount")
    assert info.value.code == code
    if isinstance(typed, bool):
        assert "TRUE" in info.value.message_en or "FALSE" in info.value.message_en


@pytest.mark.parametrize(
    ("unit", "suggested"),
    [
        ("ton", "t (tonne)"),  # pint's ton is the US short ton, 907 kg
        ("tons", "t (tonne)"),
        ("ton*km", "t (tonne)"),
        ("mt", "t (tonne)"),  # a millitonne, 1 kg
        ("MT", "t (tonne)"),  # a megatesla
        ("mWh", "MWh"),  # a milliwatt-hour
        ("Tj", "TJ"),  # the textile unit jute
        ("gal", "US_liquid_gallon"),
        ("bbl", "oil_barrel"),  # pint's barrel is 119 L, an oil barrel 159 L
    ],
)
def test_ambiguous_units_are_refused_with_a_suggestion(unit: str, suggested: str) -> None:
    with pytest.raises(GhgError) as info:
        conversion_factor(unit, "kg")
    assert info.value.code == "E206"
    assert suggested in info.value.hint_en


def test_what_the_suggestions_name_is_a_unit() -> None:
    assert conversion_factor("short_ton", "kg") == pytest.approx(907.18474)
    assert conversion_factor("oil_barrel", "L") == pytest.approx(158.987294928)
    assert conversion_factor("US_liquid_gallon", "L") == pytest.approx(3.785411784)


@pytest.mark.parametrize("unit", ["t**200/kg**199", "Mt**100/kg**99", "kg**5"])
def test_unit_powers_that_would_overflow_are_an_error_not_a_crash(unit: str) -> None:
    with pytest.raises(GhgError) as info:
        conversion_factor(unit, "kg")
    assert info.value.code in ("E201", "E202")
