"""Calculation methods: pure, typed functions, one module per method, formula cited.

Each function takes plain numbers or NumPy arrays (so a block of rows is computed at once)
in the units its docstring names, and returns masses of gas in kg (or the unit named).
Unit conversion, factor look-up and GWPs happen outside, in :mod:`ghgxl.emission`.
"""

from ghgxl.methods import (
    combustion,
    electricity,
    explicit,
    mass_balance,
    refrigerant,
    septic,
    transport,
)

__all__ = [
    "combustion",
    "electricity",
    "explicit",
    "mass_balance",
    "refrigerant",
    "septic",
    "transport",
]
