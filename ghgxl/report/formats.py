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
from decimal import ROUND_HALF_UP, Decimal

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
    """Each value's share of their sum in %, rounded on its own to ``decimals`` decimals, so
    a source shows one share in every table (3.16 %, whichever table and neighbours; a
    column may then add up to 99.99 % or 100.01 %, its 合计 still 100.00 %); a share too
    small to show that way (below 0.01 %) with two significant digits (CH4 ``0.0047%``, not
    ``0.00%``), or as ``<0.0001%`` below that. A share that is 0 is ``0.00%``."""
    shares = np.asarray(values, dtype=float)
    total = shares.sum()
    if not total > 0:
        return ["-" for _ in shares]
    exact = shares / total * 100
    small = (exact > 0) & (exact < 1 / 10**decimals)
    return [
        (significant(x) if x >= SMALLEST else f"<{SMALLEST:g}") + "%"
        if tiny
        else f"{Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)}%"
        for x, tiny in zip(exact.tolist(), small.tolist(), strict=True)
    ]


def significant(value: float, digits: int = 2) -> str:
    """``0.004712`` → ``'0.0047'``: a small positive number with ``digits`` significant
    digits, never in exponent form."""
    return format(Decimal(f"{value:.{digits}g}"), "f")


def none_row(first: str) -> list[dict[str, str]]:
    """The one row of a table with nothing to list: （无） in its ``first`` field (the
    template's other cells of the row print empty), so that no table is printed as its
    header alone."""
    return [{first: "（无）"}]
