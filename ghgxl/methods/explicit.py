"""Explicit factor (average-data and spend-based methods, GHG Protocol Scope 3 Standard
ch. 7; ISO 14064-1:2018 annex B).

``E = activity × EF × GWP``: the workhorse of ISO 14064-1 categories 3–6 (purchased goods by
mass or spend, waste by mass) when the factor comes from a supplier, an LCA database or a
published table the user names in the row. The engine's chain converts the amount to the
factor's activity unit (a currency only to the same currency, E204) and applies the gas the
factor's unit names.

Worked example: 10 t × 2.5 t CO2/t = 25 t CO2.
"""

from __future__ import annotations

from ghgxl.methods.base import Method

METHOD = Method(
    key="explicit",
    label="排放因子法",
    formula="排放量 = 活动数据 × 排放因子 × GWP",
    basis="ISO 14064-1:2018 附录 B；因子来源见因子表",
    codes=("ISO14064-1-2018",),
)
