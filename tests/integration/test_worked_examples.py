"""The worked examples of docs/worked-examples.md, against hand calculations.

Each goes through the cell function and through the inventory (the CLI's path), so the
two can never disagree.
"""

from __future__ import annotations

import pytest

from ghgxl.inventory import calculate
from ghgxl.udfs import GHG_EMISSION


def test_diesel_forklift() -> None:
    # 5,000 L diesel in forklifts (IPCC 2006 V2 Table 3.3.1, off-road industry)
    mass_t = 5000 * 0.8275 / 1000  # density 0.8275 kg/L (GB 19147-2016 mid-range) = 4.1375 t
    energy_tj = mass_t * 42.652 / 1000  # China NCV 42.652 GJ/t = 0.17647265 TJ
    co2 = energy_tj * 74_100  # = 13,076.62 kg CO2
    ch4 = energy_tj * 4.15 * 27.9  # = 20.43 kg CO2e (AR6)
    n2o = energy_tj * 28.6 * 273  # = 1,377.86 kg CO2e (AR6)
    hand = (co2 + ch4 + n2o) / 1000
    assert round(hand, 4) == 14.4749
    assert GHG_EMISSION(5000, "L", "fuel.diesel.offroad") == pytest.approx(hand, rel=1e-12)
    row = dict(category=1, amount=5000, unit="L", factor_key="fuel.diesel.offroad")
    result = calculate([row])
    assert result.total == pytest.approx(hand, rel=1e-12)
    assert result.by_gas()["N2O"] == pytest.approx(n2o / 1000)


def test_grid_electricity() -> None:
    # 125 万kWh = 1,250 MWh × 0.5568 tCO2/MWh (China 2021 national average) = 696 t
    hand = 1250 * 0.5568
    assert GHG_EMISSION(125, "万kWh", "grid.cn.national.2021") == pytest.approx(hand)
    result = calculate(
        [dict(category=2, amount=125, unit="万kWh", factor_key="grid.cn.national.2021")]
    )
    assert result.by_scope()[2] == pytest.approx(696.0)


def test_septic_tank() -> None:
    # 150 staff × 250 days = 37,500 person-days × 0.040 kg BOD × 0.6 × 0.5 = 450 kg CH4
    ch4_kg = 37_500 * 0.040 * 0.6 * 0.5
    hand = ch4_kg * 27.9 / 1000  # AR6 → 12.555 t CO2e
    assert hand == pytest.approx(12.555)
    assert GHG_EMISSION(37_500, "人天", "septic.ch4.person_day") == pytest.approx(hand)
    # the same from working hours (the seed: person-days = hours / 24)
    assert GHG_EMISSION(37_500 * 24, "人时", "septic.ch4.person_day") == pytest.approx(hand)
    result = calculate(
        [dict(category=1, amount="37,500", unit="人天", factor_key="septic.ch4.person_day")]
    )
    assert result.by_gas()["CH4"] == pytest.approx(hand)
