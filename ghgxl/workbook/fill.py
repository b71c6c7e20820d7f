"""Filling a 盘查清册 from data (the bundled example, tests, imports): input cells only.

Values go into the template's existing input cells through :mod:`ghgxl.workbook.xlsx`,
so formulas, validation, VBA and buttons are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ghgxl.errors import GhgError
from ghgxl.workbook import layout as L
from ghgxl.workbook import resize, template, xlsx
from ghgxl.workbook.extent import read_extent
from ghgxl.workbook.period import year_of

INPUT_ACTIVITY = {c.key for c in L.ACTIVITY_COLUMNS if not c.formula}
INPUT_SOURCES = {c.key for c in L.SOURCE_COLUMNS if not c.formula}
SITE_INPUTS = {c.key for c in L.SITE_INPUTS}
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+[0-9]+:[A-Z]+([0-9]+)"')


def _rows(
    records: Iterable[Mapping[str, object]],
    columns: dict[str, str],
    allowed: set[str],
    last: int = L.LAST_ROW,
    first: int = L.FIRST_ROW,
) -> dict[str, xlsx.CellValue]:
    values: dict[str, xlsx.CellValue] = {}
    for offset, record in enumerate(records):
        row = first + offset
        if row > last:
            rows = last - first + 1
            raise GhgError("E601", path="template", problem=f"more than its {rows} rows")
        for letter, value in _inputs(record, columns, allowed).items():
            values[f"{letter}{row}"] = value
    return values


def _inputs(
    record: Mapping[str, object], columns: dict[str, str], allowed: set[str]
) -> dict[str, xlsx.CellValue]:
    """One row's values to write, by column letter: its ``allowed`` keys, none blank."""
    return {
        columns[key]: value  # type: ignore[misc]
        for key, value in record.items()
        if key in allowed and value is not None and value != ""
    }


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


def _sources_last_row(package: bytes) -> int:
    """The last 排放源识别 row of the workbook (the template's 200, or more in a group
    workbook: :func:`ghgxl.workbook.resize.with_source_lines`)."""
    members = xlsx.read_members(package)
    part = xlsx.sheet_parts(members).get(L.SHEET_SOURCES)
    found = part and _DIMENSION.search(members[part])
    return max(L.LAST_ROW, int(found.group(1))) if found else L.LAST_ROW


def _last_row(package: bytes) -> int:
    """The last 活动数据 row the workbook's 汇总 counts (the template's if it has none)."""
    rows = read_extent(package).summary_rows
    return rows[1] if rows else L.LAST_ROW


def fill(
    package: bytes | None,
    info: Mapping[str, object] | None = None,
    activity: Iterable[Mapping[str, object]] = (),
    sources: Iterable[Mapping[str, object]] = (),
    significance: Mapping[str, Mapping[str, object]] | None = None,
    company: Iterable[Mapping[str, object]] = (),
    market: Iterable[Mapping[str, object]] = (),
    sites: Iterable[Mapping[str, object]] = (),
) -> bytes:
    """The package with 基本信息 values (by key), 活动数据 and 排放源识别 rows, and the
    重大性评估 scores (by sub-category code), 公司因子 rows (by CSV column), 绿电绿证
    instruments and 各厂区汇总 site lines (site, file, share) filled in;
    活动数据 takes as many rows as the workbook has (``ghgxl workbook new --rows``),
    排放源识别 and 公司因子 the template's 200.

    Without a ``package``: the template with as many 活动数据 and 排放源识别 rows as given
    (at least its 200) — the same bytes as filling ``with_source_lines(resized(template,
    rows), lines)``, made in one pass over each sheet: the 活动数据 rows are written with
    their values as they are made (a group workbook of 10^5 rows)."""
    sources = list(sources)
    if package is None:
        sources_last = L.last_row(max(L.TEMPLATE_ROWS, len(sources)))
    elif len(sources) > L.TEMPLATE_ROWS:
        sources_last = _sources_last_row(package)
    else:
        sources_last = L.LAST_ROW
    info = dict(info or {})
    year = year_of(info.get("reporting_year"))
    if year is not None and "period_start" not in info and "period_end" not in info:
        # a year given without a period: that calendar year, as `workbook new --year` (never
        # half a period: one bound given and the other left as typed)
        info |= {"period_start": f"{year}-01-01", "period_end": f"{year}-12-31"}
    values: dict[str, dict[str, xlsx.CellValue]] = {
        L.SHEET_INFO: {L.info_cell(k): v for k, v in info.items()},  # type: ignore[misc]
        L.SHEET_SOURCES: _rows(sources, L.SOURCE_COL, INPUT_SOURCES, sources_last),
        L.SHEET_SIGNIFICANCE: _significance(significance or {}),
        L.SHEET_COMPANY: _rows(company, L.COMPANY_COL, set(L.COMPANY_COL), L.COMPANY_LAST_ROW),
        L.SHEET_MARKET: _rows(market, L.MARKET_COL, set(L.MARKET_COL), L.MARKET_LAST_ROW),
        L.SHEET_SITES: _rows(
            sites, L.SITE_COL, set(SITE_INPUTS), L.SITES_LAST_ROW, L.SITES_FIRST_ROW
        ),
    }
    if package is None:
        return _new(activity, len(sources), values)
    values[L.SHEET_ACTIVITY] = _rows(activity, L.ACT_COL, INPUT_ACTIVITY, _last_row(package))
    return xlsx.set_cells(package, {k: v for k, v in values.items() if v})


def _new(
    activity: Iterable[Mapping[str, object]],
    lines: int,
    values: dict[str, dict[str, xlsx.CellValue]],
) -> bytes:
    """The template made for the ``activity`` rows and 排放源识别 ``lines``, filled: the
    rows written with their values as they are made, then the other sheets' ``values``."""
    inputs = [_inputs(record, L.ACT_COL, INPUT_ACTIVITY) for record in activity]
    members = xlsx.read_members(template.template_path().read_bytes())
    resize.grow(members, max(L.TEMPLATE_ROWS, len(inputs)), inputs)
    del inputs
    resize.grow_sources(members, lines)
    xlsx.patch_members(members, {k: v for k, v in values.items() if v})
    return xlsx.write_package(members)
