"""Fuel combustion.

Two published formulas:

* IPCC 2006 Vol 2 Ch 2 eq. 2.1 (Tier 1): ``E_gas = fuel consumed (TJ) × EF_gas (kg gas/TJ)``,
  the fuel converted to energy with its net calorific value (NCV).
* 《工业其他行业企业温室气体排放核算方法与报告指南（试行）》 eq. (2)–(4) and GB/T 32150-2015:
  ``E_CO2 = AD × NCV × CC × OF × 44/12`` with CC the carbon content per unit of heat
  (tC/TJ) and OF the oxidation rate.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np

Number = TypeVar("Number", float, np.ndarray)

#: Mass ratio CO2/C as the Chinese guidelines and IPCC 2006 write it (44/12).
CO2_PER_C = 44 / 12


def ipcc_emissions(energy_tj: Number, ef_kg_per_tj: float) -> Number:
    """Mass of one gas (kg) from fuel energy and an IPCC factor.

    ``E = energy (TJ) × EF (kg gas/TJ)`` — IPCC 2006 Vol 2 Ch 2 eq. 2.1.
    """
    return energy_tj * ef_kg_per_tj


def cn_co2_factor(carbon_content_tc_per_tj: float, oxidation_fraction: float) -> float:
    """CO2 emission factor (tCO2/TJ) of the Chinese method: ``EF = CC × OF × 44/12``.

    《工业其他行业企业温室气体排放核算方法与报告指南（试行）》 eq. (4); GB/T 32150-2015 eq. (3).
    """
    return carbon_content_tc_per_tj * oxidation_fraction * CO2_PER_C


def cn_co2_emissions(
    energy_tj: Number, carbon_content_tc_per_tj: float, oxidation_fraction: float
) -> Number:
    """CO2 (t) by the Chinese method: ``E = AD × NCV × CC × OF × 44/12`` with ``AD × NCV``
    given as fuel energy (TJ).

    Worked example (diesel forklift, China defaults): 10 t × 42.652 GJ/t = 0.42652 TJ;
    × 20.2 tC/TJ × 0.98 × 44/12 = 30.96 t CO2.
    """
    return energy_tj * cn_co2_factor(carbon_content_tc_per_tj, oxidation_fraction)
