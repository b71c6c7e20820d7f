"""Results as the documented JSON shape (t CO2e unless the name says otherwise)."""

from __future__ import annotations

import json
import math
from typing import Any

import ghgxl
from ghgxl.inventory import GROUPS, InventoryResult
from ghgxl.uncertainty import assess

#: Decimal places kept in JSON (t CO2e to 1 g): enough for the seed's 0.01 kg rows, and
#: stable, so the same workbook gives byte-identical JSON.
DECIMALS = 6
DQ_DECIMALS = 4  # as the seed prints it: 2.3408


def _round(value: float | None) -> float | None:
    if _missing(value) or not math.isfinite(float(value)):
        return None  # JSON has no NaN or Infinity
    return round(float(value), DECIMALS) + 0.0


def cell_text(value: object) -> str | None:
    """A cell as text: ``1.0`` (how a reader returns a typed 1) → ``'1'``."""
    if _missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _input(record: dict[str, Any], key: str) -> str | None:
    """An input column as the user typed it (a row's factor key, unit, gas), None if blank."""
    text = cell_text(record.get(key))
    return text.strip() or None if text is not None else None


def _amount(value: object) -> float | str | None:
    """A number as computed with (not rounded), a text a user typed as itself, None if blank."""
    if _missing(value) or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if math.isfinite(float(value)) else None
    return str(value)


def _groups(values: dict[str, float]) -> dict[str, float | None]:
    return {g: _round(values[g]) for g in GROUPS}


def result_dict(result: InventoryResult, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON-ready dict of an inventory result (``extra``: what a workbook adds —
    exclusions, significance)."""
    rows = []
    scheme = (extra or {}).get("dq_scheme", "631")
    scores = result.dq_scores(scheme).tolist()
    # each row as computed (as the workbook's row shows it; the totals may count scope 2
    # market-based: ``scope2``)
    for record, score in zip(result.row_figures.to_dict("records"), scores, strict=True):
        rows.append(
            {
                "id": cell_text(record["id"]),
                "sheet": record.get("sheet"),
                "row": None if _missing(record.get("row")) else int(record["row"]),
                "place": None if _missing(record["place"]) else record["place"],
                "source": _input(record, "source"),
                "category": int(record["category"]),
                "scope": int(record["scope"]),
                "amount": _amount(record.get("amount")),
                "unit": _input(record, "unit"),
                "factor_key": _input(record, "factor_key"),
                "factor": _amount(record.get("factor")),
                "factor_unit": _input(record, "factor_unit"),
                "gas": _input(record, "gas"),
                "tco2e": _round(record["tco2e"]),
                "gases": {g: _round(record[g]) for g in GROUPS},
                "dq_score": _round(score),
                "ok": bool(record["ok"]),
            }
        )
    quality = result.data_quality(scheme)
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
        "other_gases_tco2e": _round(result.by_gas()["Other"]),
        "data_quality": {
            "score": None if quality["score"] is None else round(quality["score"], DQ_DECIMALS),
            "grade": quality["grade"],
            "scheme": quality["scheme"],
            "assessed": quality["score"] is not None,
            "unscored": quality["unscored"],
        },
        "uncertainty": _uncertainty(result),
        **{k: v for k, v in (extra or {}).items() if k != "dq_scheme"},
        "rows": rows,
        "errors": [e.as_dict() for e in result.errors],
        "warnings": [w.as_dict() for w in result.warnings],
    }


def _uncertainty(result: InventoryResult) -> dict[str, Any]:
    assessed = assess(result)

    def rounded(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        if isinstance(value, float):
            return round(value, 4) if math.isfinite(value) else None
        return value

    return rounded(assessed)


def to_json(result: InventoryResult, extra: dict[str, Any] | None = None) -> str:
    """Strict JSON (``allow_nan=False``: a non-finite number would be a bug, never written)."""
    payload = _finite(result_dict(result, extra))
    return json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    """NaN and infinities (a blank read from a sheet, say) as null, everywhere in the dict."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
