"""Calculation methods against their worked examples (hand calculations shown)."""

from __future__ import annotations

import numpy as np
import pytest

from ghgxl.errors import GhgError
from ghgxl.methods import (
    combustion,
    electricity,
    explicit,
    mass_balance,
    refrigerant,
    septic,
    transport,
)


def test_ipcc_combustion() -> None:
    # 0.5 TJ × 74,100 kg CO2/TJ = 37,050 kg
    assert combustion.ipcc_emissions(0.5, 74_100) == pytest.approx(37_050)


def test_china_combustion() -> None:
    # 10 t diesel × 42.652 GJ/t = 0.42652 TJ; × 20.2 tC/TJ × 0.98 × 44/12
    energy_tj = 10 * 42.652 / 1000
    hand = 0.42652 * 20.2 * 0.98 * 44 / 12  # = 30.959 t CO2
    assert combustion.cn_co2_emissions(energy_tj, 20.2, 0.98) == pytest.approx(hand)
    assert round(hand, 2) == 30.96


def test_vectorised_inputs() -> None:
    energy = np.array([0.1, 0.2, 0.3])
    assert combustion.ipcc_emissions(energy, 100).tolist() == pytest.approx([10, 20, 30])


def test_electricity() -> None:
    assert electricity.location_based(1.0, 0.5568) == pytest.approx(0.5568)
    # 100 MWh, 40 MWh with green certificates (factor 0), the rest at 0.6 t/MWh → 36 t
    assert electricity.market_based(100, 40, 0.6) == pytest.approx(36)


def test_refrigerant() -> None:
    assert refrigerant.screening(30, 0.15) == pytest.approx(4.5)
    # start 50, end 40, bought 20, returned 5, new equipment charged 10, retired 0:
    # (50 − 40) + (20 − 5) + (0 − 10) = 15 kg
    assert refrigerant.mass_balance(50, 40, 20, 5, 10, 0) == pytest.approx(15)
    with pytest.raises(GhgError) as info:
        refrigerant.mass_balance(10, 40, 0)
    assert info.value.code == "E504"


def test_septic() -> None:
    assert septic.septic_factor(0.6, 0.5) == pytest.approx(0.3)
    # 200 staff × 300 days × 0.04 kg BOD × 0.3 = 720 kg CH4
    assert septic.septic_ch4(60_000, 0.04, 0.6, 0.5) == pytest.approx(720)


def test_mass_balance() -> None:
    # 100 kg AdBlue × 0.325 × 12/60 × 44/12 = 23.833 kg CO2
    assert mass_balance.urea_co2(100, 0.325) == pytest.approx(100 * 0.325 * 0.2 * 44 / 12)
    assert mass_balance.released(12.0) == 12.0
    assert mass_balance.carbon_co2(12.0, 1.0) == pytest.approx(44.0)


def test_transport_and_explicit() -> None:
    assert transport.tonne_km(20, 150) == 3000
    assert transport.distance_based(3000, 0.1) == pytest.approx(300)
    assert explicit.emissions(10, 2.5) == 25
