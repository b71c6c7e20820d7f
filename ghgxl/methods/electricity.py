"""Purchased electricity and heat (scope 2 / ISO 14064-1 category 2).

GHG Protocol Scope 2 Guidance (2015), location-based method: ``E = consumption × grid
average factor`` — the engine's chain with a ``grid.*`` or ``heat.*`` factor (kWh, 万kWh and
MWh converted to the factor's MWh). The grid factors are published values (MEE/NBS
announcements), not derived.

Worked example: 125 万kWh = 1,250 MWh × 0.5568 tCO2/MWh (China 2021 national average)
= 696 t CO2.
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
