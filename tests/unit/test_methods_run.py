"""Each method's worked example, computed by the engine, equals the hand calculation — and
the factor the engine multiplies by is what the method's derivation gives.

The engine runs every method as one chain (amount → the factor's activity unit through the
fuel's density and NCV → × kg of each gas per unit → × GWP, ghgxl.emission); ghgxl.methods
holds each method's formula, citation and the derivations of its factor rows. Change a
derivation, a library value or the engine, and one of these fails. A method without a
worked example here fails :func:`test_every_method_has_a_worked_example`.
"""

from __future__ import annotations

import pytest

from ghgxl import api, gwp, methods
from ghgxl.errors import GhgError
from ghgxl.factors import FactorLibrary
from ghgxl.methods import combustion, mass_balance, septic

LIBRARY = FactorLibrary.default()


def value(key: str, gas: str | None = None) -> float:
    return LIBRARY.get(key, gas).value


def kg(amount: float, unit: str, key: str, gas: str) -> float:
    """The engine's kg of ``gas`` (the gas's own mass) for an amount with a library factor."""
    return api.emission(amount, unit, key, gas, "AR6", f"kg{gas}")


def combustion_example() -> None:
    # IPCC: 5,000 L diesel in a forklift × 0.8275 kg/L = 4,137.5 kg = 4.1375 t;
    # × 42.652 GJ/t = 176.47 GJ = 0.176473 TJ; × 74,100 kg CO2/TJ = 13,076.6 kg CO2
    hand = 5000 * 0.8275 / 1000 * 42.652 / 1000 * 74_100
    assert kg(5000, "L", "fuel.diesel.offroad", "CO2") == pytest.approx(hand, rel=1e-12)
    assert round(hand, 1) == 13_076.6
    # China method: 10 t × 42.652 GJ/t = 0.42652 TJ × 20.2 tC/TJ × 98 % × 44/12 = 30.96 t
    hand_t = 10 * 42.652 / 1000 * 20.2 * 0.98 * 44 / 12
    assert round(hand_t, 2) == 30.96
    engine_t = api.emission(10, "t", "fuel.diesel.cn", "CO2", "AR6", "tCO2")
    assert engine_t == pytest.approx(hand_t, rel=1e-7)  # the factor is stored to 8 digits
    derived = combustion.cn_co2_factor(value("fuel.diesel.cc"), value("fuel.diesel.of") / 100)
    assert engine_t == pytest.approx(10 * value("fuel.diesel.ncv") / 1000 * derived, rel=1e-7)


def electricity_example() -> None:
    # 125 万kWh = 1,250 MWh × 0.5568 tCO2/MWh = 696 t
    assert api.emission(125, "万kWh", "grid.cn.national.2021") == pytest.approx(696)


def refrigerant_example() -> None:
    # a 30 kg R-410A chiller at 8.5 %/yr (the middle of IPCC's 2–15 %) leaks 2.55 kg;
    # R-410A = 50 % HFC-32 (GWP 771) + 50 % HFC-125 (3,740) = 2,255.5 → 5,751.525 kg CO2e
    hand = 30 * (0.02 + 0.15) / 2 * (0.5 * 771 + 0.5 * 3740)
    engine = api.emission(30, "kg", "refrigerant.leak.chillers", "R-410A", "AR6", "kgCO2e")
    assert engine == pytest.approx(hand, rel=1e-12)
    assert gwp.gwp("R-410A", "AR6") == pytest.approx(2255.5)


def septic_example() -> None:
    # 200 staff × 300 days = 60,000 person-days × 0.04 kg BOD × 0.6 × 0.5 = 720 kg CH4
    assert kg(60_000, "人天", "septic.ch4.person_day", "CH4") == pytest.approx(720, rel=1e-6)
    derived = septic.per_person_day(0.04, 0.6, 0.5)
    assert kg(60_000, "人天", "septic.ch4.person_day", "CH4") == pytest.approx(60_000 * derived)
    # per kg of BOD: 2,400 kg × Bo × MCF = 720 kg CH4
    assert kg(2400, "kgBOD", "septic.ch4.bod", "CH4") == pytest.approx(720, rel=1e-6)


def mass_balance_example() -> None:
    # 100 kg AdBlue (32.5 % urea) × 12/60 × 44/12 = 23.83 kg CO2
    hand = 100 * 0.325 * 12 / 60 * 44 / 12
    assert round(hand, 2) == 23.83
    assert kg(100, "kg", "massbalance.adblue", "CO2") == pytest.approx(hand, rel=1e-5)
    assert kg(100, "kg", "massbalance.adblue", "CO2") == pytest.approx(
        100 * mass_balance.urea_co2_per_kg(mass_balance.AUS32_UREA_FRACTION),
        rel=methods.DERIVED_TOLERANCE,  # stored to 6 digits: 0.238333
    )
    assert kg(12, "kg", "massbalance.co2_shielding", "CO2") == 12.0


def transport_example() -> None:
    # 20 t carried 150 km = 3,000 t·km × 0.1 kg CO2e/t·km = 300 kg CO2e
    assert api.emission_ef(3000, "tkm", 0.1, "kgCO2e/tkm", None, "AR6", "kgCO2e") == (
        pytest.approx(300)
    )
    hgv = "uk.freight.hgv.all_diesel.avg_laden.2024"  # UK DESNZ 2024: 0.09752 kg CO2e/t·km
    assert api.emission(3000, "tkm", hgv, None, "AR6", "kgCO2e") == pytest.approx(292.56)
    assert methods.infer(None, hgv, "tkm") == "transport"


def spend_example() -> None:
    # 1,000 USD (2022) of steel mill products × 0.787 kg CO2e/USD = 787 kg CO2e; 万元 is no USD
    key = "spend.us.331110.iron_steel"
    assert api.emission(1000, "USD", key, None, "AR6", "kgCO2e") == pytest.approx(787)
    with pytest.raises(GhgError) as refused:
        api.emission(10, "万元", key)
    assert refused.value.code == "E204"
    assert methods.infer(None, key, "USD") == "spend"


def explicit_example() -> None:
    # 10 t × 2.5 t CO2/t = 25 t CO2; 2 t of a CH4 factor 0.5 kg CH4/t × GWP(AR6) 27.9 = 27.9 kg
    assert api.emission_ef(10, "t", 2.5, "tCO2/t", None, "AR6", "tCO2e") == pytest.approx(25)
    hand = 2 * 0.5 * gwp.gwp("CH4", "AR6")
    assert api.emission_ef(2, "t", 0.5, "kgCH4/t", None, "AR6", "kgCO2e") == pytest.approx(hand)


WORKED_EXAMPLES = {
    "combustion": combustion_example,
    "electricity": electricity_example,
    "refrigerant": refrigerant_example,
    "septic": septic_example,
    "mass_balance": mass_balance_example,
    "transport": transport_example,
    "spend": spend_example,
    "explicit": explicit_example,
}


def test_every_method_has_a_worked_example() -> None:
    assert list(WORKED_EXAMPLES) == list(methods.METHODS)


@pytest.mark.parametrize("method", list(WORKED_EXAMPLES))
def test_the_engine_computes_the_worked_example(method: str) -> None:
    WORKED_EXAMPLES[method]()


def test_a_changed_derivation_would_be_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check the library's tests and ``ghgxl factors validate`` run fails when a
    derivation's formula changes and the number the engine uses does not."""
    assert methods.check_derived(LIBRARY) == []
    monkeypatch.setattr(combustion, "CO2_PER_C", 44.01 / 12.011)
    found = {e.details["key"] for e in methods.check_derived(LIBRARY)}
    assert found == {k for k in LIBRARY.emission_factor_keys() if k.endswith(".cn")}
