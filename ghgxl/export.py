"""Results as the documented JSON shape (t CO2e unless the name says otherwise)."""

from __future__ import annotations

import math
from typing import Any

import ghgxl
from ghgxl.inventory import GROUPS, InventoryResult
from ghgxl.jsontext import Records, dumps
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


def _input(value: object) -> str | None:
    """An input cell as the user typed it (a row's factor key, unit, gas), None if blank."""
    text = cell_text(value)
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


def _rows(result: InventoryResult, scheme: str) -> Records:
    """Each row as computed (as the workbook's row shows it; the totals may count scope 2
    market-based: ``scope2``), a column at a time."""
    figures = result.row_figures
    count = len(figures)

    def column(key: str) -> list[Any]:
        return figures[key].tolist() if key in figures else [None] * count

    def texts(key: str) -> list[str | None]:  # an input as the user typed it, None if blank
        return [v.strip() or None if v.__class__ is str else _input(v) for v in column(key)]

    def rounded(values: list[Any]) -> list[float | None]:  # finite floats: _round inlined
        return [
            round(v, DECIMALS) + 0.0 if v.__class__ is float and v - v == 0 else _round(v)
            for v in values
        ]

    return Records(
        {
            "id": [cell_text(value) for value in column("id")],
            "sheet": column("sheet"),
            "row": [None if _missing(value) else int(value) for value in column("row")],
            "place": [None if _missing(value) else value for value in column("place")],
            "source": texts("source"),
            "category": [int(value) for value in column("category")],
            "scope": [int(value) for value in column("scope")],
            "amount": [_amount(value) for value in column("amount")],
            "unit": texts("unit"),
            "factor_key": texts("factor_key"),
            "factor": [_amount(value) for value in column("factor")],
            "factor_unit": texts("factor_unit"),
            "gas": texts("gas"),
            "tco2e": rounded(column("tco2e")),
            "gases": {g: rounded(column(g)) for g in GROUPS},
            "dq_score": rounded(result.dq_scores(scheme).tolist()),
            "ok": [bool(value) for value in column("ok")],
        }
    )


def result_dict(result: InventoryResult, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON-ready dict of an inventory result (``extra``: what a workbook adds —
    exclusions, significance); its ``rows`` are :class:`~ghgxl.jsontext.Records` (iterate
    them for dicts)."""
    scheme = (extra or {}).get("dq_scheme", "631")
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
        "uncertainty": _uncertainty(result, scheme),
        **{k: v for k, v in (extra or {}).items() if k != "dq_scheme"},
        "rows": _rows(result, scheme),
        "errors": [e.as_dict() for e in result.errors],
        "warnings": [w.as_dict() for w in result.warnings],
    }


def _uncertainty(result: InventoryResult, scheme: str) -> dict[str, Any]:
    assessed = assess(result, scheme=scheme)

    def rounded(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        if isinstance(value, float):
            return round(value, 4) if math.isfinite(value) else None
        return value

    return rounded(assessed)


def to_json(result: InventoryResult, extra: dict[str, Any] | None = None) -> str:
    """Strict JSON, indented (NaN and infinities, a blank read from a sheet say, as null)."""
    return dumps(result_dict(result, extra), nan_as_null=True) + "\n"
