"""Spend-based method (GHG Protocol Scope 3 Standard ch. 7 and its Technical Guidance for
category 1): ``E = spend × EF per unit of currency``, a last resort where neither the mass
bought nor a supplier's footprint is known.

A spend factor holds for one currency and one price year (the US EPA supply-chain factors
v1.3: kg CO2e per 2022 US dollar, purchaser price with margins). The engine's chain converts
an amount only into the same currency — 万元 into USD is refused (E204), never converted —
so the user converts the spend (exchange rate and inflation to the price year) before
typing it, and says how in the row's evidence.

Worked example: 1,000 USD (2022) of steel mill products × 0.787 kg CO2e/USD = 787 kg CO2e.
"""

from __future__ import annotations

from ghgxl.methods.base import Method

METHOD = Method(
    key="spend",
    label="支出法",
    formula="排放量 = 采购金额（折算为因子的币种与价格年）× 单位金额排放因子",
    basis="GHG Protocol 范围三标准（基于支出的方法）；美国 EPA 供应链排放因子 v1.3",
    codes=("GHGP-S3-2011", "US-EPA-SCEF-1.3.0"),
    key_prefixes=("spend.",),
)
