"""Transport (ISO 14064-1 category 3; GHG Protocol scope 3 categories 4, 6, 7, 9).

Distance-based method (GHG Protocol Scope 3 Standard): ``E = t·km (or passenger-km, km)
× EF``, the engine's chain with the factor per unit of transport work. Fuel-based transport
is the combustion method with the vehicle's fuel.

Worked example: 20 t carried 150 km = 3,000 t·km × 0.1 kg CO2e/t·km = 300 kg CO2e; with
the library's UK average laden HGV, 3,000 t·km × 0.09752 = 292.56 kg CO2e.
"""

from __future__ import annotations

from ghgxl.methods.base import Method

METHOD = Method(
    key="transport",
    label="运输",
    formula="排放量 = 运输量 (吨公里/人公里) × 排放因子",
    basis="GHG Protocol 范围三标准（基于距离的方法）",
    codes=("GHGP-S3-2011",),
    key_prefixes=("uk.freight.", "uk.travel."),  # per t·km, p·km or vehicle km
)
