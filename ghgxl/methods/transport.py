"""Transport (ISO 14064-1 category 3; GHG Protocol scope 3 categories 4, 6, 7, 9).

Distance-based: ``E = tonne-km (or passenger-km) × EF``; fuel-based transport uses
:mod:`ghgxl.methods.combustion` with the vehicle's fuel.
"""

from __future__ import annotations

from ghgxl.methods.combustion import Number


def tonne_km(mass_t: Number, distance_km: Number) -> Number:
    """Freight activity (t·km) = mass carried (t) × distance (km)."""
    return mass_t * distance_km


def distance_based(activity: Number, factor_per_unit: float) -> Number:
    """Emissions = activity (t·km, p·km, km) × factor per unit of activity."""
    return activity * factor_per_unit
