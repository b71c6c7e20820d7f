"""Property tests: whatever a user types, the engine answers with a GhgError (a code and two
languages), never another exception. Cases per property: the hypothesis profile (``ci`` by
default; ``HYPOTHESIS_PROFILE=bench`` runs 10,000)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ghgxl import api, gwp
from ghgxl.errors import GhgError
from ghgxl.factors import FactorLibrary
from ghgxl.inventory import calculate
from ghgxl.units import conversion_factor, parse_amount, parse_factor_unit

LIBRARY = FactorLibrary.default()
UNIT_PARTS = [
    "kWh",
    "万",
    "吨",
    "t",
    "kg",
    "L",
    "m3",
    "Nm3",
    "CO2",
    "/",
    "*",
    "(",
    ")",
    "e",
    " ",
    "　",
    "１",
    "²",
    "度",
    "人天",
    "元",
    "USD",
    "%",
    "-",
]
TEXT = st.one_of(
    st.text(max_size=16),
    st.lists(st.sampled_from(UNIT_PARTS), max_size=6).map("".join),
)
KEYS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(LIBRARY.keys()),
    st.sampled_from(LIBRARY.keys()).map(str.upper),
)


def _only_ghg_errors(function, *args) -> None:
    try:
        function(*args)
    except GhgError as exc:
        assert exc.code and exc.message_zh and exc.message_en
        assert exc.text().startswith(f"[{exc.code}]")


@given(TEXT, TEXT)
def test_unit_strings(source: str, target: str) -> None:
    _only_ghg_errors(conversion_factor, source, target)
    _only_ghg_errors(parse_factor_unit, source)


@given(
    st.one_of(TEXT, st.floats(allow_nan=True), st.integers(), st.booleans(), st.none(), st.dates())
)
def test_amounts(value: object) -> None:
    _only_ghg_errors(parse_amount, value)


@given(KEYS, TEXT, st.sampled_from(["CO2e", "CO2", "R-410A", "", "xx"]))
def test_factor_keys_units_and_gases(key: str, unit: str, gas: str) -> None:
    _only_ghg_errors(api.emission, 1.0, unit, key, gas)
    _only_ghg_errors(api.factor_field, key, gas)
    _only_ghg_errors(gwp.gwp, gas or "x")


@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "category": st.one_of(st.integers(-1, 8), TEXT, st.none()),
                "amount": st.one_of(
                    st.floats(allow_nan=True, allow_infinity=True), TEXT, st.none()
                ),
                "unit": st.one_of(TEXT, st.sampled_from(["kWh", "L", "kg"])),
                "factor_key": st.one_of(st.none(), st.sampled_from(LIBRARY.keys()), TEXT),
                "factor": st.one_of(st.none(), st.floats(allow_nan=True), TEXT),
                "factor_unit": st.one_of(st.none(), TEXT, st.just("kgCO2e/t")),
                "gas": st.one_of(st.none(), TEXT, st.just("R-410A")),
            }
        ),
        max_size=8,
    )
)
def test_inventory_rows(rows: list[dict]) -> None:
    """Every row is either computed or has an error naming its place; none raises."""
    result = calculate(rows)
    errored = {e.cell for e in result.errors}
    for i, ok in enumerate(result.rows["ok"]):
        assert ok or f"row {i + 1}" in errored
    assert result.total == pytest.approx(sum(result.by_category().values()), rel=1e-9, abs=1e-9)
