"""CH4 from septic tanks (domestic wastewater of staff).

IPCC 2006 Vol 5 Ch 6 eq. 6.1–6.3: ``CH4 = TOW × EF`` with ``EF = Bo × MCF``;
``TOW = persons × days × BOD per person-day``. Bo = 0.6 kg CH4/kg BOD (Table 6.2),
MCF(septic system) = 0.5 (Table 6.3).
"""

from __future__ import annotations

from ghgxl.methods.combustion import Number


def septic_factor(bo_kg_ch4_per_kg_bod: float, mcf: float) -> float:
    """EF (kg CH4/kg BOD) = Bo × MCF — eq. 6.2: 0.6 × 0.5 = 0.3."""
    return bo_kg_ch4_per_kg_bod * mcf


def septic_ch4(
    person_days: Number, bod_kg_per_person_day: float, bo_kg_ch4_per_kg_bod: float, mcf: float
) -> Number:
    """CH4 (kg) = person-days × BOD (kg/person-day) × Bo × MCF.

    Worked example: 200 staff × 300 days = 60,000 person-days × 0.04 kg BOD × 0.6 × 0.5
    = 720 kg CH4 → × 27.9 (AR6) = 20,088 kg CO2e.
    """
    return person_days * bod_kg_per_person_day * septic_factor(bo_kg_ch4_per_kg_bod, mcf)
