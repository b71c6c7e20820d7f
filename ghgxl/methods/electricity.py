"""Purchased electricity and heat (scope 2 / ISO 14064-1 category 2).

GHG Protocol Scope 2 Guidance (2015), location-based method: ``E = consumption × grid
average factor`` — the engine's chain with a ``grid.*`` or ``heat.*`` factor (kWh, 万kWh and
MWh converted to the factor's MWh). The grid factors are published values (MEE/NBS
announcements), not derived.

Worked example: 125 万kWh = 1,250 MWh × 0.5568 tCO2/MWh (China 2021 national average)
= 696 t CO2.

Market-based method (same guidance, ch. 6–7), reported beside the location-based total:
the electricity a contractual instrument covers — green power bought through 绿电交易, green
certificates (绿证/GEC), a supplier's own factor — counts at the instrument's factor (0 for
renewable power), and what no instrument covers at the residual factor: for China the
national factor excluding market-traded non-fossil power
(``grid.cn.national_excl_market.<year>``). Worked example: 1,250 MWh of which 500 MWh are
covered by green certificates: 500 × 0 + 750 × 0.5942 = 445.65 t CO2.
"""

from __future__ import annotations

from ghgxl.methods.base import Method

METHOD = Method(
    key="electricity",
    label="外购电力/热力",
    formula="排放量 = 用电量 (MWh) × 电网排放因子 (tCO2/MWh)",
    basis="GHG Protocol 范围二指南（2015）基于位置的方法；因子为生态环境部、国家统计局公布的电力二氧化碳排放因子",
    codes=("GHGP-S2-2015",),
    key_prefixes=("grid.", "heat."),
)
#: The residual factor of a grid factor's data year (market-based, uncovered electricity).
RESIDUAL_KEY = "grid.cn.national_excl_market.{year}"
MARKET_BASIS = "GHG Protocol 范围二指南（2015）基于市场的方法"


def market_based(
    consumption_mwh: float, covered: list[tuple[float, float]], residual: float
) -> float:
    """t CO2 of one electricity use by the market-based method: each instrument's MWh ×
    its factor (t CO2/MWh; 0 for green power), the rest × the residual factor.
    ``covered``: (MWh, factor) of each instrument; their MWh must not exceed the use."""
    claimed = sum(mwh for mwh, _ in covered)
    if claimed > consumption_mwh * (1 + 1e-12):
        raise ValueError(f"instruments cover {claimed} MWh of {consumption_mwh} MWh")
    return sum(mwh * factor for mwh, factor in covered) + (consumption_mwh - claimed) * residual
