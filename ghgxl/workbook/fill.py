"""Filling a 盘查清册 from data (the bundled example, tests, imports): input cells only.

Values go into the template's existing input cells through :mod:`ghgxl.workbook.xlsx`,
so formulas, validation, VBA and buttons are kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ghgxl.errors import GhgError
from ghgxl.workbook import layout as L
from ghgxl.workbook import xlsx

INPUT_ACTIVITY = {c.key for c in L.ACTIVITY_COLUMNS if not c.formula}
INPUT_SOURCES = {c.key for c in L.SOURCE_COLUMNS if not c.formula}


def _rows(
    records: Iterable[Mapping[str, object]], columns: dict[str, str], allowed: set[str]
) -> dict[str, xlsx.CellValue]:
    values: dict[str, xlsx.CellValue] = {}
    for offset, record in enumerate(records):
        row = L.FIRST_ROW + offset
        if row > L.LAST_ROW:
            raise GhgError("E601", path="template", problem=f"more than {L.TEMPLATE_ROWS} rows")
        for key, value in record.items():
            if key in allowed and value is not None and value != "":
                values[f"{columns[key]}{row}"] = value  # type: ignore[assignment]
    return values


def _significance(entries: Mapping[str, Mapping[str, object]]) -> dict[str, xlsx.CellValue]:
    """Scores and decisions by sub-category code (the template lists the codes)."""
    rows = {code: L.FIRST_ROW + i for i, (code, _, _) in enumerate(L.SIGNIFICANCE_ROWS)}
    inputs = {c.key for c in L.SIGNIFICANCE_COLUMNS if not c.formula} - {"code", "category", "name"}
    values: dict[str, xlsx.CellValue] = {}
    for code, entry in entries.items():
        for key, value in entry.items():
            if key in inputs and value not in (None, ""):
                values[f"{L.SIG_COL[key]}{rows[code]}"] = value  # type: ignore[assignment]
    return values


def fill(
    package: bytes,
    info: Mapping[str, object] | None = None,
    activity: Iterable[Mapping[str, object]] = (),
    sources: Iterable[Mapping[str, object]] = (),
    significance: Mapping[str, Mapping[str, object]] | None = None,
) -> bytes:
    """The package with 基本信息 values (by key), 活动数据 and 排放源识别 rows, and the
    重大性评估 scores (by sub-category code) filled in."""
    values: dict[str, dict[str, xlsx.CellValue]] = {
        L.SHEET_INFO: {L.info_cell(k): v for k, v in (info or {}).items()},  # type: ignore[misc]
        L.SHEET_ACTIVITY: _rows(activity, L.ACT_COL, INPUT_ACTIVITY),
        L.SHEET_SOURCES: _rows(sources, L.SOURCE_COL, INPUT_SOURCES),
        L.SHEET_SIGNIFICANCE: _significance(significance or {}),
    }
    return xlsx.set_cells(package, {k: v for k, v in values.items() if v})
