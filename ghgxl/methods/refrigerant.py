"""Refrigerant and other fluorinated-gas emissions from equipment.

Screening (emission-factor) method, IPCC 2006 Vol 3 Ch 7 eq. 7.13 for the operating stage:
``E = charge × x × GWP(refrigerant)`` with ``x`` the annual leak rate of IPCC Table 7.9.
The engine runs it as its chain with a ``refrigerant.leak.*`` factor (kg emitted per kg of
charge, gas ``*``: the refrigerant the row names), splitting a blend into its components.
IPCC gives each equipment type a range; the library's rate is its middle, derived here.

Worked example: a 30 kg R-410A chiller at 8.5 %/yr (the middle of 2–15 %) leaks 2.55 kg,
× GWP(AR6) 2,255.5 = 5,751.5 kg CO2e.
"""

from __future__ import annotations

from collections.abc import Iterator

from ghgxl.factors import FactorLibrary
from ghgxl.methods.base import Derivation, Method, factor_rows, midpoint_derivations

METHOD = Method(
    key="refrigerant",
    label="制冷剂逸散",
    formula="排放量 = 设备充填量 × 年逸散率 × GWP（制冷剂）",
    basis="IPCC 2006 第3卷 第7章 表7.9；混合制冷剂的 GWP 按组分质量分数加权",
    codes=("IPCC2006-V3-T7.9",),
    key_prefixes=("refrigerant.",),
)


def derivations(library: FactorLibrary) -> Iterator[Derivation]:
    """Each ``refrigerant.leak.*`` rate: the middle of its Table 7.9 range (low, high)."""
    yield from midpoint_derivations(factor_rows(library, "refrigerant.leak."))
