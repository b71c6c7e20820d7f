"""Mass-balance items: CO2 released from what was bought.

* A gas used up as such (CO2 fire extinguishers refilled, CO2 welding shielding gas):
  ``E = mass × mass fraction of CO2``.
* Carbon in a product oxidised to CO2 (urea solution in SCR exhaust treatment, IPCC 2006
  Vol 2 Ch 3 eq. 3.2.2): ``E = mass × purity × 12/60 × 44/12`` (12/60: carbon in urea,
  CO(NH2)2).
"""

from __future__ import annotations

from ghgxl.methods.combustion import CO2_PER_C, Number

#: Mass fraction of carbon in urea, CO(NH2)2, as IPCC 2006 Vol 2 eq. 3.2.2 writes it.
CARBON_PER_UREA = 12 / 60


def released(mass: Number, gas_fraction: float = 1.0) -> Number:
    """Gas released = mass × its mass fraction of the gas (same unit as ``mass``)."""
    return mass * gas_fraction


def urea_co2(solution_mass: Number, purity: float) -> Number:
    """CO2 from urea solution = mass × purity × 12/60 × 44/12 (IPCC 2006 V2 eq. 3.2.2).

    Worked example: 100 kg AdBlue (32.5 % urea) → 100 × 0.325 × 0.2 × 3.6667 = 23.83 kg CO2.
    """
    return solution_mass * purity * CARBON_PER_UREA * CO2_PER_C


def carbon_co2(mass: Number, carbon_fraction: float) -> Number:
    """CO2 from carbon oxidised = mass × carbon fraction × 44/12."""
    return mass * carbon_fraction * CO2_PER_C
