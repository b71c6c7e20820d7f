"""Results as the documented JSON shape (t CO2e unless the name says otherwise)."""

from __future__ import annotations

import json
import math
from typing import Any

import ghgxl
from ghgxl.inventory import GROUPS, InventoryResult

#: Decimal places kept in JSON (t CO2e to 1 g): enough for the seed's 0.01 kg rows, and
#: stable, so the same workbook gives byte-identical JSON.
DECIMALS = 6


def _round(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(value, DECIMALS) + 0.0


def _groups(values: dict[str, float]) -> dict[str, float | None]:
    return {g: _round(values[g]) for g in GROUPS}


def result_dict(result: InventoryResult) -> dict[str, Any]:
    """The JSON-ready dict of an inventory result."""
    rows = []
    for record in result.rows.to_dict("records"):
        rows.append(
            {
                "id": None if record["id"] is None else str(record["id"]),
                "place": record["place"],
                "category": int(record["category"]),
                "scope": int(record["scope"]),
                "tco2e": _round(record["tco2e"]),
                "gases": {g: _round(record[g]) for g in GROUPS},
                "ok": bool(record["ok"]),
            }
        )
    return {
        "ghgxl_version": ghgxl.__version__,
        "factor_library_version": result.library_version,
        "gwp_set": result.gwp_set,
        "total_tco2e": _round(result.total),
        "by_category": {str(k): _round(v) for k, v in result.by_category().items()},
        "by_scope": {str(k): _round(v) for k, v in result.by_scope().items()},
        "by_gas": _groups(result.by_gas()),
        "by_category_gas": {str(k): _groups(v) for k, v in result.by_category_gas().items()},
        "biogenic_co2_t": _round(result.biogenic_co2_t),
        "rows": rows,
        "errors": [e.as_dict() for e in result.errors],
    }


def to_json(result: InventoryResult) -> str:
    return json.dumps(result_dict(result), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
