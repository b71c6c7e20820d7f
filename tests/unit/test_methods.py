"""The methods' own formulas against hand calculations, and the registry every row's
method column, the dropdown and the report read."""

from __future__ import annotations

import pytest

from ghgxl import inventory, methods
from ghgxl.methods import combustion, mass_balance, septic
from ghgxl.methods.base import midpoint
from ghgxl.workbook import layout as L


def test_china_method_factor() -> None:
    # diesel: 20.2 tC/TJ × 0.98 × 44/12 = 72.585333 tCO2/TJ
    assert combustion.cn_co2_factor(20.2, 0.98) == pytest.approx(20.2 * 0.98 * 44 / 12)
    assert round(combustion.cn_co2_factor(20.2, 0.98), 6) == 72.585333


def test_septic_factors() -> None:
    assert septic.septic_factor(0.6, 0.5) == pytest.approx(0.3)
    # 40 g BOD = 0.04 kg × 0.6 × 0.5 = 0.012 kg CH4 per person-day
    assert septic.per_person_day(0.04, 0.6, 0.5) == pytest.approx(0.012)


def test_mass_balance_factors() -> None:
    # AdBlue: 0.325 × 12/60 × 44/12 = 0.238333 kg CO2/kg
    assert mass_balance.urea_co2_per_kg(0.325) == pytest.approx(0.325 * 0.2 * 44 / 12)
    # urea: 44.009 / 60.056, with C 12.011, H 1.008, N 14.007, O 15.999
    assert mass_balance.urea_stoichiometric() == pytest.approx(44.009 / 60.056)
    # lubricant: 40.2 GJ/t × 20.0 kg C/GJ × 0.2 × 44/12 / 1000 = 0.5896 kg CO2/kg
    assert mass_balance.carbon_co2_per_kg(40.2, 20.0, 0.2) == pytest.approx(0.5896)


def test_midpoint() -> None:
    assert midpoint(0.02, 0.15) == pytest.approx(0.085)


def test_one_registry_names_the_methods_everywhere() -> None:
    assert tuple(methods.METHODS) == inventory.METHODS
    assert set(L.METHOD_LABELS.values()) == set(methods.METHODS)
    for method in methods.METHODS.values():
        assert method.label and method.formula and method.basis and method.codes


@pytest.mark.parametrize(
    ("method", "key", "unit", "expected"),
    [
        ("septic", "fuel.diesel.cn", "t", "septic"),  # what the row names wins
        (None, "fuel.diesel.cn", "t", "combustion"),
        ("", "grid.cn.national.2021", "kWh", "electricity"),
        (None, "refrigerant.leak.chillers", "kg", "refrigerant"),
        (None, "lubricant.oil", "kg", "mass_balance"),
        (None, None, "tkm", "transport"),
        (None, None, "t", "explicit"),
        ("no such method", None, "t", "explicit"),
    ],
)
def test_infer(method, key, unit, expected) -> None:
    assert methods.infer(method, key, unit) == expected
