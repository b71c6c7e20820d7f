"""``ghgxl check``: a linter for the 盘查清册. Each finding names ``Sheet!Cell``, says what is
wrong in Chinese and English, and what to do.

Besides every error the engine finds while computing (missing or negative amounts, text in
number cells, unknown units or factor keys, units that do not fit the factor), it looks for
what a calculation alone would not stop at: duplicated source ids, numbers typed as text in
monthly cells (the sheet's SUM would skip them), stale or hand-edited results, grid factors
of another year than the reporting year, formulas with another GWP set than the workbook's,
exclusions without a reason, explicit factors without a source.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from openpyxl.utils.cell import coordinate_to_tuple

from ghgxl import gwp
from ghgxl.errors import GhgError
from ghgxl.factors import FactorLibrary
from ghgxl.workbook import layout as L
from ghgxl.workbook import xlsx
from ghgxl.workbook.boundary import exclusions, significance
from ghgxl.workbook.calc import WorkbookCalculation, calculate_workbook, cell_values
from ghgxl.workbook.read import MONTHS, is_blank, open_workbook

_GRID_KEY = re.compile(r"^grid\.cn\.[a-z_]+\.(\d{4})$")
_GWP_LITERAL = re.compile(r'<c r="([A-Z]+[0-9]+)"[^>]*><f>([^<]*GHG_EMISSION[^<]*)</f>')


def _cell(calc: WorkbookCalculation, key: str, row: int) -> str:
    columns = calc.data.activity_columns
    return f"{L.SHEET_ACTIVITY}!{columns.get(key, columns['id'])}{row}"


def _duplicates(calc: WorkbookCalculation) -> list[GhgError]:
    seen: dict[str, int] = {}
    found = []
    for record in calc.data.activity.to_dict("records"):
        identifier = record.get("id")
        if is_blank(identifier):
            continue
        key = str(identifier).strip()
        if key in seen:
            found.append(GhgError("E507", cell=_cell(calc, "id", record["row"]), value=key))
        seen.setdefault(key, record["row"])
    return found


def _text_in_months(calc: WorkbookCalculation) -> list[GhgError]:
    found = []
    for record in calc.data.activity.to_dict("records"):
        for month in MONTHS:
            value = record.get(month)
            if isinstance(value, str) and value.strip():
                found.append(
                    GhgError(
                        "E102", cell=_cell(calc, month, record["row"]), value=value, what=month
                    )
                )
    return found


def _missing_info(calc: WorkbookCalculation) -> list[GhgError]:
    found = []
    for key in ("company", "reporting_year"):
        value = calc.data.info.get(key)
        field = next(f for f in L.INFO_FIELDS if f.key == key)
        if is_blank(value) or (value == field.default and key == "company"):
            found.append(
                GhgError("E101", cell=f"{L.SHEET_INFO}!{L.info_cell(key)}", what=field.label)
            )
    return found


def _grid_years(calc: WorkbookCalculation) -> list[GhgError]:
    year = calc.data.info.get("reporting_year")
    if not isinstance(year, (int, float)) or isinstance(year, bool):
        return []
    found = []
    for record in calc.data.activity.to_dict("records"):
        match = _GRID_KEY.match(str(record.get("factor_key") or "").strip().lower())
        if match and int(match.group(1)) != int(year):
            found.append(
                GhgError(
                    "W101",
                    cell=_cell(calc, "factor_key", record["row"]),
                    factor_year=match.group(1),
                    year=int(year),
                )
            )
    return found


#: Units people use for electricity; an amount in them against a fuel factor is almost
#: certainly a wrong row (pint would convert kWh to TJ without complaint).
ELECTRICITY_UNITS = {"kwh", "mwh", "gwh", "万kwh", "度", "千瓦时", "兆瓦时", "万千瓦时"}


def _electricity_against_fuel(calc: WorkbookCalculation) -> list[GhgError]:
    return [
        GhgError("W104", cell=_cell(calc, "unit", r["row"]), unit=r["unit"], key=r["factor_key"])
        for r in calc.data.activity.to_dict("records")
        if str(r.get("factor_key") or "").strip().lower().startswith("fuel.")
        and str(r.get("unit") or "").strip().lower() in ELECTRICITY_UNITS
    ]


def _explicit_without_source(calc: WorkbookCalculation) -> list[GhgError]:
    return [
        GhgError("W103", cell=_cell(calc, "factor_source", r["row"]))
        for r in calc.data.activity.to_dict("records")
        if is_blank(r.get("factor_key"))
        and not is_blank(r.get("factor"))
        and is_blank(r.get("factor_source"))
    ]


def _mixed_gwp(path: Path, calc: WorkbookCalculation) -> list[GhgError]:
    """Formulas that pass a literal GWP set other than the workbook's (instead of ghg_gwp)."""
    chosen = gwp.canonical_set(str(calc.data.info.get("gwp_set") or gwp.DEFAULT_SET))
    members = xlsx.read_members(path)
    part = xlsx.sheet_parts(members).get(L.SHEET_ACTIVITY)
    if part is None:
        return []
    found = []
    text = members[part].decode("utf-8")
    for ref, formula in _GWP_LITERAL.findall(text):
        for literal in re.findall(r"&quot;(AR\d|SAR)&quot;|\"(AR\d|SAR)\"", formula):
            name = next(x for x in literal if x)
            if gwp.canonical_set(name) != chosen:
                found.append(
                    GhgError("W102", cell=f"{L.SHEET_ACTIVITY}!{ref}", gwp=name, chosen=chosen)
                )
    return found


def _stale_results(path: Path, calc: WorkbookCalculation) -> list[GhgError]:
    """Cached values (what Excel last showed) that differ from the engine: a stale file or
    a hand-edited result. Only cells that hold a cached number are compared."""
    workbook = open_workbook(path)
    expected = cell_values(calc)
    found = []
    for sheet in (L.SHEET_ACTIVITY, L.SHEET_SUMMARY):
        if sheet not in calc.data.sheet_names:
            continue
        grid = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for ref, value in expected[sheet].items():
            row, column = coordinate_to_tuple(ref)
            line = grid[row - 1] if row <= len(grid) else []
            cached = line[column - 1] if column <= len(line) else None
            if _differs(cached, value):
                found.append(GhgError("E605", cell=f"{sheet}!{ref}", cached=cached, value=value))
    return found


def _differs(cached: object, value: object) -> bool:
    """A cached number that differs, or a cached ``#GHG!`` where the engine now computes a
    number (cells without a cached value are not compared)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    if isinstance(cached, str):
        return cached.startswith("#GHG!")
    if not isinstance(cached, (int, float)) or isinstance(cached, bool):
        return False
    return not math.isclose(float(cached), float(value), rel_tol=1e-9, abs_tol=1e-9)


def check_workbook(
    path: Path, library: FactorLibrary | None = None
) -> tuple[WorkbookCalculation, list[GhgError]]:
    """All findings for a workbook, in sheet order (E601/E602 raised for an unreadable one)."""
    path = Path(path)
    calc = calculate_workbook(path, library=library)
    findings = [
        *_missing_info(calc),
        *calc.errors,
        *_text_in_months(calc),
        *_duplicates(calc),
        *_grid_years(calc),
        *_electricity_against_fuel(calc),
        *_explicit_without_source(calc),
        *_mixed_gwp(path, calc),
        *exclusions(calc.data, calc.result.total).findings,
        *significance(calc.data).findings,
        *_stale_results(path, calc),
    ]
    return calc, findings
