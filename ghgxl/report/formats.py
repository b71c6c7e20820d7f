"""Typography of the report's text: chemical formulas with subscript digits.

``subscript`` is also the jinja filter of the same name in the report template
(``{{ g.gas|subscript }}``). It uses the Unicode subscript digits (U+2080–U+2089): Word and
LibreOffice set them in the Latin font (Times New Roman; DejaVu Serif where that is absent),
which has them; the CJK faces (Noto CJK) do not, so they are never asked to.
"""

from __future__ import annotations

import re

#: Formulas of the gases a report names, and how they are printed.
FORMULAS = {"CO2": "CO₂", "CH4": "CH₄", "N2O": "N₂O", "SF6": "SF₆", "NF3": "NF₃"}
#: A formula standing alone or after a unit prefix (``t CO2e``, ``kgCO2/kWh``), not inside a
#: longer name or number (``HCO2``, ``CO22``).
_FORMULA = re.compile(r"(?<![A-Z0-9])(" + "|".join(FORMULAS) + r")(?![0-9])")


def subscript(text: object) -> str:
    """``'t CO2e'`` → ``'t CO₂e'``, ``'N2O'`` → ``'N₂O'``; anything else unchanged."""
    return _FORMULA.sub(lambda match: FORMULAS[match.group(1)], str(text))
