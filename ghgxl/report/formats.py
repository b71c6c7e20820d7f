"""Typography of the report's text: numbers, shares that add up to 100 %, and chemical
formulas with subscript digits.

``subscript`` is also the jinja filter of the same name in the report template
(``{{ g.gas|subscript }}``). It uses the Unicode subscript digits (U+2080–U+2089): Word and
LibreOffice set them in the Latin font (Times New Roman; DejaVu Serif where that is absent),
which has them; the CJK faces (Noto CJK) do not, so they are never asked to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

#: Formulas of the gases a report names, and how they are printed.
FORMULAS = {"CO2": "CO₂", "CH4": "CH₄", "N2O": "N₂O", "SF6": "SF₆", "NF3": "NF₃"}
#: A formula standing alone or after a unit prefix (``t CO2e``, ``kgCO2/kWh``), not inside a
#: longer name or number (``HCO2``, ``CO22``).
_FORMULA = re.compile(r"(?<![A-Z0-9])(" + "|".join(FORMULAS) + r")(?![0-9])")


def subscript(text: object) -> str:
    """``'t CO2e'`` → ``'t CO₂e'``, ``'N2O'`` → ``'N₂O'``; anything else unchanged."""
    return _FORMULA.sub(lambda match: FORMULAS[match.group(1)], str(text))


def money(value: float | None, decimals: int = 2) -> str:
    """``415532.11`` → ``'415,532.11'``; missing → ``'-'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{decimals}f}"


#: Shares below this (in %) are printed as ``<0.0001%``: a source of a few kilograms in an
#: inventory of hundreds of thousands of tonnes.
SMALLEST = 0.0001


def percentages(values: Sequence[float], decimals: int = 2) -> list[str]:
    """Shares in % that a reader can add up: each with ``decimals`` decimals, rounded so the
    printed column sums to exactly 100 (largest remainder), except a share too small to
    show that way (below 0.01 %), printed with two significant digits (CH4 ``0.0047%``, not
    ``0.00%``), or as ``<0.0001%`` below that; the others then sum to 100 minus those, so
    the column still adds up to 100.00 % at two decimals. A share that is 0 is ``0.00%``."""
    shares = np.asarray(values, dtype=float)
    total = shares.sum()
    if not total > 0:
        return ["-" for _ in shares]
    exact = shares / total * 100
    unit = 10**decimals
    small = (exact > 0) & (exact < 1 / unit)
    texts = np.empty(len(exact), dtype=object)
    texts[small] = [significant(x) if x >= SMALLEST else f"<{SMALLEST:g}" for x in exact[small]]
    shown_small = sum(float(t) for t in texts[small] if t[0] != "<")
    scaled = exact[~small] * unit
    floors = np.floor(scaled)
    missing = 100 * unit - round(shown_small * unit) - int(floors.sum())
    order = np.argsort(-(scaled - floors), kind="stable")
    floors[order[: max(missing, 0)]] += 1
    texts[~small] = [f"{f / unit:.{decimals}f}" for f in floors]
    return [f"{t}%" for t in texts]


def significant(value: float, digits: int = 2) -> str:
    """``0.004712`` → ``'0.0047'``: a small positive number with ``digits`` significant
    digits, never in exponent form."""
    return format(Decimal(f"{value:.{digits}g}"), "f")
