"""Explicit factor (average-data and spend-based methods, GHG Protocol Scope 3 Standard ch. 7).

``E = activity × EF``: the workhorse of ISO 14064-1 categories 3–6 (purchased goods by mass
or spend, waste by mass, business travel by distance) when the factor comes from a supplier,
an LCA database or a published table that the user names.
"""

from __future__ import annotations

from ghgxl.methods.combustion import Number


def emissions(activity: Number, factor: float) -> Number:
    """Emissions = activity × factor (units fixed by the factor's unit)."""
    return activity * factor
