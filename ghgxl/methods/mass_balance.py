"""Mass-balance items: CO2 released from what was bought.

* A gas used up as such (CO2 fire extinguishers refilled, CO2 welding shielding gas):
  ``E = mass × mass fraction of CO2`` — 1 kg CO2 per kg of pure CO2.
* Carbon in a product oxidised to CO2: urea by stoichiometry, ``M(CO2) / M(CO(NH2)2)``;
  urea solution in SCR exhaust treatment (IPCC 2006 Vol 2 Ch 3 eq. 3.2.2):
  ``E = mass × purity × 12/60 × 44/12``; lubricants used up in engines (IPCC 2006 Vol 3
  eq. 5.2): ``E = mass × NCV × CC × ODU × 44/12``.

The library ships each of these per kg (``massbalance.*``, ``lubricant.oil``), derived
here; the engine's chain multiplies the row's mass by it.

Worked example: 100 kg AdBlue (32.5 % urea) → 100 × 0.325 × 12/60 × 44/12 = 23.83 kg CO2.
"""

from __future__ import annotations

from collections.abc import Iterator

from ghgxl.factors import FactorLibrary
from ghgxl.methods.base import Derivation, Method, parameter
from ghgxl.methods.combustion import CO2_PER_C

METHOD = Method(
    key="mass_balance",
    label="质量平衡",
    formula="CO2 = 用量 × CO2 质量分数（或含碳量 × 44/12）",
    basis="质量守恒；车用尿素：IPCC 2006 第2卷 式3.2.2",
    codes=("IPCC2006-V2-EQ3.2.2",),
    key_prefixes=("massbalance.", "lubricant."),
)

#: Mass fraction of carbon in urea, CO(NH2)2, as IPCC 2006 Vol 2 eq. 3.2.2 writes it.
CARBON_PER_UREA = 12 / 60
#: Urea in AUS 32 (AdBlue), ISO 22241-1: 32.5 % by mass.
AUS32_UREA_FRACTION = 0.325
#: Standard atomic weights (IUPAC, abridged) of C, H, N, O.
ATOMIC_WEIGHT = {"C": 12.011, "H": 1.008, "N": 14.007, "O": 15.999}


def urea_co2_per_kg(purity: float) -> float:
    """kg CO2 per kg of urea solution = purity × 12/60 × 44/12 (IPCC 2006 V2 eq. 3.2.2):
    AUS 32, 0.325 × 0.2 × 3.666667 = 0.238333."""
    return purity * CARBON_PER_UREA * CO2_PER_C


def urea_stoichiometric() -> float:
    """kg CO2 per kg of urea by its formula: M(CO2) / M(CO(NH2)2) = 44.009 / 60.056."""
    w = ATOMIC_WEIGHT
    return (w["C"] + 2 * w["O"]) / (w["C"] + w["O"] + 2 * (w["N"] + 2 * w["H"]))


def carbon_co2_per_kg(
    ncv_gj_per_t: float, carbon_kg_per_gj: float, oxidised_fraction: float
) -> float:
    """kg CO2 per kg of a product whose carbon is partly oxidised = NCV × CC × ODU × 44/12
    (IPCC 2006 V3 eq. 5.2): lubricant, 40.2 GJ/t × 20.0 kgC/GJ × 0.2 × 44/12 / 1000 = 0.5896."""
    return ncv_gj_per_t * carbon_kg_per_gj * oxidised_fraction * CO2_PER_C / 1000


def derivations(library: FactorLibrary) -> Iterator[Derivation]:
    """The ``massbalance.*`` rows and ``lubricant.oil`` from their formulas and parts."""
    made = {
        "massbalance.co2_extinguisher": (1.0, "1 kg CO2 / kg CO2"),
        "massbalance.co2_shielding": (1.0, "1 kg CO2 / kg CO2"),
        "massbalance.urea": (urea_stoichiometric(), "44.009 / 60.056"),
        "massbalance.adblue": (
            urea_co2_per_kg(AUS32_UREA_FRACTION),
            f"{AUS32_UREA_FRACTION} × 12/60 × 44/12",
        ),
    }
    ncv = parameter(library, "fuel.lubricant.ncv.ipcc", "GJ/t")
    cc = parameter(library, "fuel.lubricant.cc.ipcc", "tC/TJ")  # = kg C/GJ
    odu = parameter(library, "lubricant.odu", "1")
    if ncv is not None and cc is not None and odu is not None:
        made["lubricant.oil"] = (
            carbon_co2_per_kg(ncv, cc, odu),
            f"{ncv:g} GJ/t × {cc:g} kgC/GJ × {odu:g} × 44/12 / 1000",
        )
    for key, (value, formula) in made.items():
        if key in library:
            for row in library.emission_factors(key):
                yield Derivation(row, value, formula)
