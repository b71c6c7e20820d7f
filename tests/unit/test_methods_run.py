"""Each method's worked example computed by the engine equals the method's own formula.

The engine computes every row as one chain (amount → unit conversion through the fuel's
density and NCV → × factor per gas → × GWP, ghgxl.emission), and ghgxl.methods holds each
published formula with its citation. Here the two meet on every method's worked example,
with the factors and parameters the library ships: change a method's formula, or the engine,
or a derived factor, and one of these fails.
"""

from __future__ import annotations

import pytest

from ghgxl import api, gwp
from ghgxl.factors import FactorLibrary
from ghgxl.methods import (
    combustion,
    electricity,
    explicit,
    mass_balance,
    refrigerant,
    septic,
    transport,
)

LIBRARY = FactorLibrary.default()


def value(key: str, gas: str | None = None) -> float:
    return LIBRARY.get(key, gas).value


def kg(amount: float, unit: str, key: str, gas: str) -> float:
    """The engine's kg of ``gas`` (the gas's own mass) for an amount with a library factor."""
    return api.emission(amount, unit, key, gas, "AR6", f"kg{gas}")


def test_ipcc_combustion_is_what_the_engine_computes() -> None:
    # 5,000 L diesel in a forklift: × 0.8275 kg/L = 4.1375 t × 42.652 GJ/t (the library's NCV,
    # China default) = 0.176473 TJ; × 74,100 kg CO2/TJ = 13,076.6 kg CO2
    litres = 5000.0
    for gas in ("CO2", "CH4", "N2O"):
        tonnes = litres * value("fuel.diesel.density") / 1000
        energy_tj = tonnes * value("fuel.diesel.ncv") / 1000
        method = combustion.ipcc_emissions(energy_tj, value("fuel.diesel.offroad", gas))
        assert kg(litres, "L", "fuel.diesel.offroad", gas) == pytest.approx(method, rel=1e-12)


def test_china_combustion_is_what_the_engine_computes() -> None:
    # 10 t diesel × 42.652 GJ/t = 0.42652 TJ; × 20.2 tC/TJ × 0.98 × 44/12 = 30.959 t CO2
    energy_tj = 10 * value("fuel.diesel.ncv") / 1000
    method_t = combustion.cn_co2_emissions(
        energy_tj, value("fuel.diesel.cc"), value("fuel.diesel.of") / 100
    )
    assert round(method_t, 2) == 30.96
    engine_t = api.emission(10, "t", "fuel.diesel.cn", "CO2", "AR6", "tCO2")
    assert engine_t == pytest.approx(method_t, rel=1e-6)  # the factor is stored to 8 digits


def test_location_based_electricity_is_what_the_engine_computes() -> None:
    # 125 万kWh = 1,250 MWh × 0.5568 tCO2/MWh = 696 t
    method = electricity.location_based(1250, value("grid.cn.national.2021"))
    assert method == pytest.approx(696)
    assert api.emission(125, "万kWh", "grid.cn.national.2021") == pytest.approx(method)


def test_refrigerant_screening_is_what_the_engine_computes() -> None:
    # a 30 kg R-410A chiller at the library's chiller leak rate 8.5 %/yr
    method_kg = refrigerant.screening(30, value("refrigerant.leak.chillers", "*"))
    assert method_kg == pytest.approx(2.55)
    engine = api.emission(30, "kg", "refrigerant.leak.chillers", "R-410A", "AR6", "kgCO2e")
    assert engine == pytest.approx(method_kg * gwp.gwp("R-410A", "AR6"), rel=1e-12)


def test_septic_is_what_the_engine_computes() -> None:
    # 60,000 person-days × 0.04 kg BOD × Bo 0.6 × MCF 0.5 = 720 kg CH4
    method = septic.septic_ch4(
        60_000, value("wastewater.bod.asia") / 1000, value("wastewater.bo.bod"),
        value("wastewater.mcf.septic") / 100,
    )  # fmt: skip
    assert method == pytest.approx(720)
    assert kg(60_000, "人天", "septic.ch4.person_day", "CH4") == pytest.approx(method, rel=1e-6)
    # per kg of BOD: the factor Bo × MCF
    factor = septic.septic_factor(value("wastewater.bo.bod"), value("wastewater.mcf.septic") / 100)
    assert kg(2400, "kgBOD", "septic.ch4.bod", "CH4") == pytest.approx(2400 * factor, rel=1e-6)


def test_mass_balance_is_what_the_engine_computes() -> None:
    # 100 kg AdBlue (32.5 % urea) × 12/60 × 44/12 = 23.83 kg CO2
    method = mass_balance.urea_co2(100, 0.325)
    assert kg(100, "kg", "massbalance.adblue", "CO2") == pytest.approx(method, rel=1e-5)
    assert kg(12, "kg", "massbalance.co2_shielding", "CO2") == mass_balance.released(12.0)


def test_distance_based_and_explicit_are_what_the_engine_computes() -> None:
    # 20 t carried 150 km = 3,000 t·km × 0.1 kgCO2e/t·km = 300 kg CO2e
    activity = transport.tonne_km(20, 150)
    method = transport.distance_based(activity, 0.1)
    engine = api.emission_ef(activity, "tkm", 0.1, "kgCO2e/tkm", None, "AR6", "kgCO2e")
    assert engine == pytest.approx(method)
    assert api.emission_ef(10, "t", 2.5, "tCO2/t", None, "AR6", "tCO2e") == explicit.emissions(
        10, 2.5
    )
