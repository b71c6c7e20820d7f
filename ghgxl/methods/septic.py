"""CH4 from septic tanks (domestic wastewater of staff).

IPCC 2006 Vol 5 Ch 6 eq. 6.1–6.3: ``CH4 = TOW × EF`` with ``EF = Bo × MCF`` and
``TOW = persons × days × BOD per person-day``; Bo = 0.6 kg CH4/kg BOD (Table 6.2),
MCF(septic system) = 0.5 (Table 6.3), BOD 40 g/person/day (Table 6.4, Asia). The library
ships the factor per kg BOD (Bo × MCF) and per person-day (BOD × Bo × MCF), derived here; the
engine's chain multiplies the row's kg BOD or person-days by one of them and by GWP(CH4).

Worked example: 200 staff × 300 days = 60,000 person-days × 0.04 kg BOD × 0.6 × 0.5
= 720 kg CH4, × GWP(CH4) of the inventory's set.
"""

from __future__ import annotations

from collections.abc import Iterator

from ghgxl.factors import FactorLibrary
from ghgxl.methods.base import Derivation, Method, parameter

METHOD = Method(
    key="septic",
    label="化粪池",
    formula="CH4 = 人天数 × 人均 BOD × Bo × MCF；排放量 = CH4 × GWP",
    basis="IPCC 2006 第5卷 第6章（式6.1–6.3，表6.2–6.4）",
    codes=("IPCC2006-V5-T6.2",),
    key_prefixes=("septic.",),
)


def septic_factor(bo_kg_ch4_per_kg_bod: float, mcf: float) -> float:
    """EF (kg CH4/kg BOD) = Bo × MCF — eq. 6.2: 0.6 × 0.5 = 0.3."""
    return bo_kg_ch4_per_kg_bod * mcf


def per_person_day(bod_kg_per_person_day: float, bo_kg_ch4_per_kg_bod: float, mcf: float) -> float:
    """CH4 (kg) per person-day = BOD (kg/person-day) × Bo × MCF: 0.04 × 0.6 × 0.5 = 0.012."""
    return bod_kg_per_person_day * septic_factor(bo_kg_ch4_per_kg_bod, mcf)


def derivations(library: FactorLibrary) -> Iterator[Derivation]:
    """``septic.ch4.bod`` = Bo × MCF; ``septic.ch4.person_day`` = BOD × Bo × MCF."""
    bo = parameter(library, "wastewater.bo.bod", "kgCH4/kgBOD")
    mcf = parameter(library, "wastewater.mcf.septic", "1")
    bod = parameter(library, "wastewater.bod.asia", "kg/(person*day)")
    if bo is None or mcf is None:
        return
    for row in library.emission_factors("septic.ch4.bod") if "septic.ch4.bod" in library else []:
        yield Derivation(row, septic_factor(bo, mcf), f"{bo:g} × {mcf:g}")
    if bod is None or "septic.ch4.person_day" not in library:
        return
    for row in library.emission_factors("septic.ch4.person_day"):
        yield Derivation(row, per_person_day(bod, bo, mcf), f"{bod:g} × {bo:g} × {mcf:g}")
