"""Fuel combustion (ISO 14064-1 category 1, stationary and mobile).

Two published formulas, both run by the engine's one chain (:mod:`ghgxl.emission`):

* IPCC 2006 Vol 2 Ch 2 eq. 2.1 (Tier 1): ``E_gas = fuel (TJ) × EF_gas (kg gas/TJ)``; the
  engine converts litres or tonnes of fuel to TJ through the fuel's density and NCV.
* 《工业其他行业企业温室气体排放核算方法与报告指南（试行）》 eq. (2)–(4), GB/T 32150-2015:
  ``E_CO2 = AD × NCV × CC × OF × 44/12``. The library ships ``CC × OF × 44/12`` as the
  factor ``fuel.<fuel>.cn`` (tCO2/TJ), derived here from the fuel's ``cc`` and ``of``, so the
  chain computes ``AD × NCV × factor``.

Worked example (China method, diesel): 10 t × 42.652 GJ/t = 0.42652 TJ;
× 20.2 tC/TJ × 98 % × 44/12 = 72.585333 tCO2/TJ → 30.96 t CO2.
"""

from __future__ import annotations

from collections.abc import Iterator

from ghgxl.factors import FactorLibrary
from ghgxl.methods.base import (
    Derivation,
    Method,
    factor_rows,
    midpoint_derivations,
    parameter,
)

#: Mass ratio CO2/C as the Chinese guidelines and IPCC 2006 write it (44/12).
CO2_PER_C = 44 / 12

METHOD = Method(
    key="combustion",
    label="燃料燃烧",
    formula="排放量 = 燃料用量 × 密度（体积计量时）× 低位发热量 × 排放因子 × GWP",
    basis=(
        "IPCC 2006 国家温室气体清单指南 第2卷 第2、3章（式2.1）；中国方法：AD × NCV × "
        "单位热值含碳量 × 碳氧化率 × 44/12（《工业其他行业企业温室气体排放核算方法与报告指南（试行）》）"
    ),
    codes=("IPCC2006-V2-T1.4", "CN-IND-GUIDE-2015"),
    key_prefixes=("fuel.",),
)


def cn_co2_factor(carbon_content_tc_per_tj: float, oxidation_fraction: float) -> float:
    """CO2 emission factor (tCO2/TJ) of the Chinese method: ``EF = CC × OF × 44/12``.

    《工业其他行业企业温室气体排放核算方法与报告指南（试行）》 eq. (4); GB/T 32150-2015 eq. (3).
    Worked example (diesel): 20.2 tC/TJ × 0.98 × 44/12 = 72.585333 tCO2/TJ.
    """
    return carbon_content_tc_per_tj * oxidation_fraction * CO2_PER_C


def derivations(library: FactorLibrary) -> Iterator[Derivation]:
    """``fuel.<fuel>.cn`` from ``fuel.<fuel>.cc`` (tC/TJ) and ``fuel.<fuel>.of`` (%); a
    density the standard gives as a range (GB 19147 diesel, GB 17930 gasoline): its middle."""
    densities = [
        row
        for key in library
        if key.startswith("fuel.") and key.endswith(".density")
        for row in library.rows_of(key)
    ]
    yield from midpoint_derivations(densities)
    for row in factor_rows(library, "fuel.", ".cn"):
        fuel = row.key.split(".")[1]
        cc = parameter(library, f"fuel.{fuel}.cc", "tC/TJ")
        of = parameter(library, f"fuel.{fuel}.of", "1")
        if cc is None or of is None:
            continue  # E309 names it: a derived row whose parts are missing
        formula = f"{cc:g} tC/TJ × {of:.4g} × 44/12"
        yield Derivation(row, cn_co2_factor(cc, of), formula)
