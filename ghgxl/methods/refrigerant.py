"""Refrigerant and other fluorinated-gas emissions from equipment.

* Screening (emission-factor) method, IPCC 2006 Vol 3 Ch 7 eq. 7.13 for the operating stage:
  ``E = charge × x`` with ``x`` the annual leak rate of IPCC Table 7.9 (fraction of charge per
  year).
* Mass balance (GHG Protocol HFC tool / IPCC 2006 Vol 3 eq. 7.9, simplified):
  ``E = (stock at start − stock at end) + (purchased − sold or returned)
  + (charge of retired equipment − charge of new equipment)``.
"""

from __future__ import annotations

from ghgxl.errors import GhgError
from ghgxl.methods.combustion import Number


def screening(charge_kg: Number, annual_leak_rate: float) -> Number:
    """Refrigerant emitted (kg) = charge (kg) × annual leak rate (fraction).

    Worked example: a 30 kg R-410A chiller at 15 %/yr leaks 4.5 kg, × GWP(AR6) 2255.5 =
    10,149.75 kg CO2e.
    """
    return charge_kg * annual_leak_rate


def mass_balance(
    stock_start_kg: float,
    stock_end_kg: float,
    purchased_kg: float,
    returned_kg: float = 0.0,
    new_equipment_charge_kg: float = 0.0,
    retired_equipment_charge_kg: float = 0.0,
) -> float:
    """Refrigerant emitted (kg) by mass balance; E504 when the balance is negative."""
    emitted = (
        (stock_start_kg - stock_end_kg)
        + (purchased_kg - returned_kg)
        + (retired_equipment_charge_kg - new_equipment_charge_kg)
    )
    if emitted < 0:
        raise GhgError("E504", value=emitted)
    return emitted
