"""Purchased electricity and heat (scope 2 / ISO 14064-1 category 2).

GHG Protocol Scope 2 Guidance (2015): location-based = consumption × grid average factor;
market-based = consumption covered by contractual instruments (green-power certificates,
supplier-specific factors) at the instruments' factor, the rest at the residual mix
(or, where none is published, the grid average — the Guidance's fallback, ch. 6.11).
"""

from __future__ import annotations

from ghgxl.methods.combustion import Number


def location_based(consumption_mwh: Number, grid_factor_t_per_mwh: float) -> Number:
    """CO2 (t) = electricity (MWh) × grid factor (tCO2/MWh).

    Worked example: 1,000 kWh = 1 MWh × 0.5568 tCO2/MWh (China 2021 national average)
    = 0.5568 t CO2.
    """
    return consumption_mwh * grid_factor_t_per_mwh


def market_based(
    consumption_mwh: Number,
    certified_mwh: Number,
    residual_factor_t_per_mwh: float,
    certified_factor_t_per_mwh: float = 0.0,
) -> Number:
    """CO2 (t) = certified MWh × their factor + (consumption − certified) × residual factor.

    ``certified_mwh`` are green-power certificates (绿证) or a supplier contract; they cannot
    exceed the consumption (the caller checks it).
    """
    return (
        certified_mwh * certified_factor_t_per_mwh
        + (consumption_mwh - certified_mwh) * residual_factor_t_per_mwh
    )
