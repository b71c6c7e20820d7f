"""``ghgxl check``: a linter for the 盘查清册. Each finding names ``Sheet!Cell``, says what is
wrong in Chinese and English, and what to do.

Besides every error the engine finds while computing (missing or negative amounts, text in
number cells, unknown units or factor keys, units that do not fit the factor), it looks for
what a calculation alone would not stop at: duplicated source ids, numbers typed as text in
monthly cells (the sheet's SUM would skip them), stale or hand-edited results, grid factors
of another year than the reporting year, formulas with another GWP set than the workbook's,
exclusions without a reason, explicit factors without a source; and what keeps the report
a draft (:mod:`ghgxl.workbook.ready`: placeholders in 基本信息, significance not assessed,
exclusions not estimated, data quality not assessed).
"""

from __future__ import annotations

import re
import zipfile
from operator import itemgetter
from pathlib import Path

import numpy as np

from ghgxl import gwp, quality
from ghgxl.errors import GhgError
from ghgxl.export import cell_text
from ghgxl.factors import (
    FactorLibrary,
    LibraryChoice,
    current_version,
    diff_libraries,
    version_key,
)
from ghgxl.uncertainty import percent_value
from ghgxl.units import cell_repr, excel_error, is_number, parse_number
from ghgxl.workbook import layout as L
from ghgxl.workbook import ready, xlsx
from ghgxl.workbook.boundary import exclusions, significance
from ghgxl.workbook.calc import WorkbookCalculation, calculate_workbook, cell_values, dq_scheme
from ghgxl.workbook.change import late_base_year
from ghgxl.workbook.intensity import denominator_findings
from ghgxl.workbook.names import SHEET_SUMMARY
from ghgxl.workbook.patch import Block, row_chunks
from ghgxl.workbook.period import period_findings
from ghgxl.workbook.read import DATE_TYPES, DQ_KEYS, MONTHS, date_serial, is_blank, numbers
from ghgxl.workbook.refs import column_letter, column_number, split_ref
from ghgxl.workbook.sites import listed_findings
from ghgxl.workbook.source import READ_SHEETS, OpenedWorkbook

_GRID_KEY = re.compile(r"^grid\.cn\.[a-z_]+\.(\d{4})$")
_GWP_LITERAL = re.compile(r'<c r="([A-Z]+[0-9]+)"[^>]*><f\b[^>]*>([^<]*GHG_EMISSION[^<]*)</f>')
_QUOTES = (b'"', b";")  # before a GWP set's name in a formula: " or the ; of &quot;
_CLOSING = (b'"', b"&")  # after it


def has_gwp_literal(xml: bytes) -> bool:
    """Whether ``xml`` may hold a GWP set's name in quotes ("AR5", &quot;SAR&quot;): each
    "AR" found by ``bytes.find`` (most are cell refs, r="AR12") is looked at around it —
    a regular expression trying every quote of the sheet is 10x slower."""
    at = xml.find(b"AR")
    while at >= 0:
        name = at - 1 if xml[at - 1 : at] == b"S" else at
        end = at + 2 if name < at else at + 3
        if (name < at or xml[at + 2 : at + 3].isdigit()) and (
            xml[name - 1 : name] in _QUOTES and xml[end : end + 1] in _CLOSING
        ):
            return True
        at = xml.find(b"AR", at + 2)
    return False


def _cell(calc: WorkbookCalculation, key: str, row: int) -> str:
    columns = calc.data.activity_columns
    return f"{L.SHEET_ACTIVITY}!{columns.get(key, columns['id'])}{row}"


def _column(calc: WorkbookCalculation, key: str) -> list[object]:
    return calc.data.activity[key].tolist()


def _rows(calc: WorkbookCalculation) -> list[int]:
    return calc.data.activity["row"].tolist()


def _duplicates(calc: WorkbookCalculation) -> list[GhgError]:
    seen: set[str] = set()
    found = []
    for identifier, row in zip(_column(calc, "id"), _rows(calc), strict=True):
        if is_blank(identifier):
            continue
        key = str(identifier).strip()
        if key in seen:
            found.append(GhgError("E507", cell=_cell(calc, "id", row), value=key))
        seen.add(key)
    return found


def _text_in_number_cells(calc: WorkbookCalculation) -> list[GhgError]:
    """Text in a monthly amount or a score: the sheet's SUM, COUNT and AVERAGE skip it
    (E108); a date there: they count its serial number (E109)."""
    found = []
    for index, key in enumerate((*MONTHS, *DQ_KEYS)):
        for row, value in zip(_rows(calc), _column(calc, key), strict=True):
            if value.__class__ is str and value.strip() and not excel_error(value):
                error = GhgError("E108", cell=_cell(calc, key, row), value=value, what=key)
                found.append((row, index, error))
            elif value.__class__ in DATE_TYPES and (serial := date_serial(value)) is not None:
                cell = _cell(calc, key, row)
                found.append(
                    (row, index, GhgError("E109", cell=cell, value=str(value), serial=serial))
                )
    return [error for _, _, error in sorted(found, key=lambda item: item[:2])]


#: How each scheme is named in a finding (Chinese, English).
SCHEME_NAMES = {
    quality.SEED_SCHEME: ("6/3/1 评分法", "6/3/1"),
    quality.TAIWAN_SCHEME: ("台湾环境部盘查表评分法", "Taiwan MOENV"),
}
ITEM_NAMES_EN = ("an activity-data", "an emission-factor", "a calibration")


def _scores_outside_scheme(calc: WorkbookCalculation) -> list[GhgError]:
    """E110 at a score cell holding a number its scheme's rubric does not give (0, 2.5,
    7; 4–6 under the Taiwan scheme): the sheet's AVERAGE or PRODUCT counts it as it is,
    so the weighted score and its grade would be off the scale."""
    scheme = dq_scheme(calc.data)
    zh, en = SCHEME_NAMES[scheme]
    found = []
    for index, (key, allowed) in enumerate(
        zip(DQ_KEYS, quality.allowed_scores(scheme), strict=True)
    ):
        item = quality.ITEMS[index]
        shown = "、".join(f"{a:g}" for a in allowed)
        for row, value in zip(_rows(calc), _column(calc, key), strict=True):
            if not is_number(value) or float(value) in allowed:  # type: ignore[arg-type]
                continue
            error = GhgError(
                "E110", cell=_cell(calc, key, row), value=f"{float(value):.15g}",  # type: ignore[arg-type]
                scheme=zh, scheme_en=en, item=item, item_en=ITEM_NAMES_EN[index], allowed=shown,
            )  # fmt: skip
            found.append((row, index, error))
    return [error for _, _, error in sorted(found, key=lambda item: item[:2])]


def _uncertainty_not_percent(calc: WorkbookCalculation) -> list[GhgError]:
    """E111 at an uncertainty cell that is no percentage ("约10", -5, a date): the
    uncertainty analysis would use the default in its place. W123 at one below 1: 10%
    typed in Excel is stored as 0.1, which would count as ±0.1 %."""
    read: dict[object, float | GhgError | None] = {}  # each distinct cell once (10^5 rows)

    def reading(value: object) -> float | GhgError | None:
        if value not in read:
            try:
                read[value] = percent_value(value)
            except GhgError as error:
                read[value] = error
        return read[value]

    found = []
    for index, key in enumerate(("activity_u_pct", "factor_u_pct")):
        for row, value in zip(_rows(calc), _column(calc, key), strict=True):
            number = reading(value)
            if isinstance(number, GhgError):
                found.append((row, index, number.at(_cell(calc, key, row))))
                continue
            if number is not None and 0 < number < 1:
                warning = GhgError(
                    "W123", cell=_cell(calc, key, row), value=f"{number:.15g}",
                    percent=f"{number * 100:.15g}",
                )  # fmt: skip
                found.append((row, index, warning))
    return [error for _, _, error in sorted(found, key=lambda item: item[:2])]


def _quantified_but_left_out(calc: WorkbookCalculation) -> list[GhgError]:
    """W124 where a category (3–6) has emissions while 重大性评估 leaves every one of its
    sub-categories out (不纳入): the report would quantify what its own assessment excludes."""
    rows = significance(calc.data).rows
    by_category = calc.result.by_category()
    found = []
    for category in (3, 4, 5, 6):
        subs = [r for r in rows if is_number(r["category"]) and int(r["category"]) == category]
        emitted = by_category.get(category, 0.0)
        if subs and emitted > 0 and all(r["included"] == "不纳入" for r in subs):
            cell = f"{L.SHEET_SIGNIFICANCE}!{L.SIG_COL['included']}{subs[0]['row']}"
            found.append(GhgError("W124", cell=cell, category=category, tco2e=f"{emitted:,.2f}"))
    return found


def _unknown_scheme(calc: WorkbookCalculation) -> list[GhgError]:
    """W122 where 数据质量评分方案 is not one of its dropdown's schemes (pasted past it):
    the sheet's formulas, and ghgxl, read it by the word 台湾 alone."""
    value = calc.data.info.get("dq_scheme")
    if is_blank(value) or cell_text(value) in L.DQ_SCHEMES:
        return []
    used = dq_scheme(calc.data)
    return [
        GhgError(
            "W122", cell=ready.info_place(calc.data, "dq_scheme"), value=cell_repr(value),
            used=SCHEME_NAMES[used][0], used_en=SCHEME_NAMES[used][1],
        )
    ]  # fmt: skip


def _months_against_annual(calc: WorkbookCalculation) -> list[GhgError]:
    """E516 at the annual cell where both it and monthly amounts are typed and they differ
    (beyond rounding): the row counts the months' sum, the annual figure is then wrong."""
    activity = calc.data.activity
    months = np.column_stack(
        [numbers(activity[m].to_numpy(dtype=object)) for m in MONTHS] or [np.zeros(0)]
    )
    annual = numbers(activity["annual"].to_numpy(dtype=object))
    with np.errstate(invalid="ignore"):
        typed = ~np.isnan(months).all(axis=1) if len(months) else np.zeros(0, dtype=bool)
        totals = np.nansum(months, axis=1) if len(months) else np.zeros(0)
        differ = ~np.isclose(totals, annual, rtol=1e-9, atol=0.005)
    rows = _rows(calc)
    return [
        GhgError("E516", cell=_cell(calc, "annual", rows[i]), annual=annual[i], months=totals[i])
        for i in np.flatnonzero(typed & ~np.isnan(annual) & differ)
    ]


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


def _beyond_quality(calc: WorkbookCalculation) -> list[GhgError]:
    """W106 for rows the 汇总 counts but 数据质量 does not reach."""
    extent = calc.data.extent
    if extent.quality_last is None or L.SHEET_QUALITY not in calc.data.sheet_names:
        return []
    summary_last = extent.summary_rows[1] if extent.summary_rows else max(_rows(calc), default=0)
    return [
        GhgError(
            "W106",
            cell=_cell(calc, "id", row),
            row=row,
            first=L.FIRST_ROW,
            last=extent.quality_last,
        )
        for row in _rows(calc)
        if extent.quality_last < row <= summary_last
    ]


def _grid_years(calc: WorkbookCalculation) -> list[GhgError]:
    year = calc.data.info.get("reporting_year")
    if not isinstance(year, (int, float)) or isinstance(year, bool):
        return []
    found = []
    years: dict[object, str | None] = {}  # per distinct key: a few regex matches, not 10^5
    for key, row in zip(_column(calc, "factor_key"), _rows(calc), strict=True):
        if key not in years:
            match = _GRID_KEY.match(str(key or "").strip().lower())
            years[key] = match.group(1) if match else None
        if years[key] is not None and int(years[key]) != int(year):
            found.append(
                GhgError(
                    "W101",
                    cell=_cell(calc, "factor_key", row),
                    factor_year=years[key],
                    year=int(year),
                )
            )
    return found


#: Units people use for electricity; an amount in them against a fuel factor is almost
#: certainly a wrong row (pint would convert kWh to TJ without complaint).
ELECTRICITY_UNITS = {"kwh", "mwh", "gwh", "万kwh", "度", "千瓦时", "兆瓦时", "万千瓦时"}


def _electricity_against_fuel(calc: WorkbookCalculation) -> list[GhgError]:
    columns = zip(_column(calc, "factor_key"), _column(calc, "unit"), _rows(calc), strict=True)
    return [
        GhgError("W104", cell=_cell(calc, "unit", row), unit=unit, key=key)
        for key, unit, row in columns
        if str(key or "").strip().lower().startswith("fuel.")
        and str(unit or "").strip().lower() in ELECTRICITY_UNITS
    ]


def _explicit_without_source(calc: WorkbookCalculation) -> list[GhgError]:
    columns = zip(
        _column(calc, "factor_key"),
        _column(calc, "factor"),
        _column(calc, "factor_source"),
        _rows(calc),
        strict=True,
    )
    return [
        GhgError("W103", cell=_cell(calc, "factor_source", row))
        for key, factor, source, row in columns
        if is_blank(key) and not is_blank(factor) and is_blank(source)
    ]


def _mixed_gwp(path: Path, calc: WorkbookCalculation) -> list[GhgError]:
    """Formulas that pass a literal GWP set other than the workbook's (instead of ghg_gwp).
    The sheet is streamed in chunks; only chunks that hold such a literal are searched."""
    chosen = gwp.canonical_set(str(calc.data.info.get("gwp_set") or gwp.DEFAULT_SET))
    found = []
    with zipfile.ZipFile(path) as package:
        part = xlsx.package_sheet_parts(package).get(L.SHEET_ACTIVITY)
        if part is None:
            return []
        with package.open(part) as sheet:
            for chunk in row_chunks(sheet):
                if not has_gwp_literal(chunk):
                    continue
                for ref, formula in _GWP_LITERAL.findall(chunk.decode("utf-8")):
                    for literal in re.findall(r"&quot;(AR\d|SAR)&quot;|\"(AR\d|SAR)\"", formula):
                        name = next(x for x in literal if x)
                        if gwp.canonical_set(name) != chosen:
                            cell = f"{L.SHEET_ACTIVITY}!{ref}"
                            found.append(GhgError("W102", cell=cell, gwp=name, chosen=chosen))
    return found


def _stale_results(workbook: OpenedWorkbook, calc: WorkbookCalculation) -> list[GhgError]:
    """Cached values (what Excel last showed) that differ from the engine: a stale file or
    a hand-edited result. Only cells that hold a cached number are compared; column by
    column, from the sheets parsed once for the calculation."""
    expected = cell_values(calc)
    found = []
    for sheet in (L.SHEET_ACTIVITY, L.SHEET_SUMMARY):
        if sheet not in workbook.sheet_names:
            continue
        columns = _columns(expected[sheet])
        letters = sorted({letter for letter, _, _ in columns})
        if not letters:
            continue
        where = {letter: i for i, letter in enumerate(letters)}
        positions = [column_number(letter) - 1 for letter in letters]
        pick, width = itemgetter(*positions, 0), max(positions) + 1
        grid = [pick(r) if len(r) >= width else None for r in workbook.rows(sheet)]
        for letter, rows, wanted in columns:
            cached = np.empty(len(rows), dtype=object)
            cached[:] = [
                grid[r - 1][where[letter]] if r <= len(grid) and grid[r - 1] else None
                for r in rows.tolist()
            ]
            for i in _differing(cached, wanted).tolist():
                cell = f"{sheet}!{letter}{rows[i]}"
                found.append(GhgError("E605", cell=cell, cached=cached[i], value=wanted[i]))
    return found


def _columns(values: Block | dict[str, object]) -> list[tuple[str, np.ndarray, list[object]]]:
    """(column letter, sheet rows, values) of what calc writes into a sheet."""
    single = values.cells if isinstance(values, Block) else values
    columns = []
    if isinstance(values, Block):
        columns = [(x, values.rows, list(v)) for x, v in values.columns.items()]
    by_letter: dict[str, list[tuple[int, object]]] = {}
    for ref, value in single.items():
        row, column = split_ref(ref)
        by_letter.setdefault(column_letter(column), []).append((row, value))
    for letter, cells in by_letter.items():
        columns.append((letter, np.array([r for r, _ in cells]), [v for _, v in cells]))
    return columns


def _differing(cached: np.ndarray, wanted: list[object]) -> np.ndarray:
    """Where a cached number differs from the engine's number, or a cached ``#GHG!`` stands
    where the engine now computes a number (cells without a cached number: not compared)."""
    want = numbers(np.array(wanted, dtype=object))
    have = numbers(cached)
    both = ~np.isnan(want) & ~np.isnan(have)
    gap = np.abs(have - want) <= np.maximum(1e-9 * np.maximum(np.abs(have), np.abs(want)), 1e-9)
    error = np.fromiter(
        (c.__class__ is str and c.startswith("#GHG!") for c in cached.tolist()), bool, len(cached)
    )
    return np.flatnonzero((both & ~gap) | (~np.isnan(want) & error))


def check_workbook(
    path: Path, library: FactorLibrary | LibraryChoice | None = None
) -> tuple[WorkbookCalculation, list[GhgError]]:
    """All findings for a workbook, in sheet order (E601/E602 raised for an unreadable one)."""
    path = Path(path)
    workbook = OpenedWorkbook(path, (*READ_SHEETS, SHEET_SUMMARY), keep=True)
    try:
        return _check(path, workbook, library)
    finally:
        workbook.release()


def input_findings(calc: WorkbookCalculation) -> list[GhgError]:
    """Every finding the workbook's inputs give, in sheet order: all of ``check`` but the two
    that read what Excel last showed (stale results E605, GWP literals in formulas W102),
    which the report, computing from the inputs, does not depend on. The readiness
    warnings (:mod:`ghgxl.workbook.ready`) are among them."""
    return [
        *_missing_info(calc),
        *period_findings(calc.data),
        *ready.unfilled_info(calc.data),
        *filter(None, [late_base_year(calc.data.info, calc.data.info_rows)]),
        *calc.errors,
        *calc.result.warnings,
        *ready.unassessed_quality(calc),
        *_beyond_quality(calc),
        *_text_in_number_cells(calc),
        *_scores_outside_scheme(calc),
        *_uncertainty_not_percent(calc),
        *_months_against_annual(calc),
        *_duplicates(calc),
        *_grid_years(calc),
        *_electricity_against_fuel(calc),
        *_explicit_without_source(calc),
        *exclusions(calc.data, calc.result.total).findings,
        *significance(calc.data).findings,
        *_quantified_but_left_out(calc),
        *ready.unassessed_significance(calc.data),
        *_settings_out_of_range(calc),
        *_unknown_basis(calc),
        *_unknown_scheme(calc),
        *denominator_findings(calc.data.info, lambda key: ready.info_place(calc.data, key)),
        *listed_findings(calc),
    ]


def _parses(text: str) -> bool:
    try:
        parse_number(text)
    except GhgError:
        return False
    return True


def _unknown_basis(calc: WorkbookCalculation) -> list[GhgError]:
    """W119 where 总排放量中范围二的计算方法 holds something other than its two words (pasted
    past the dropdown): Excel's formulas, and so ghgxl, count scope 2 location-based."""
    value = calc.data.info.get("scope2_basis")
    if is_blank(value) or cell_text(value) in (L.SCOPE2_LOCATION, L.SCOPE2_MARKET):
        return []
    place = ready.info_place(calc.data, "scope2_basis")
    return [GhgError("W119", cell=place, value=cell_repr(value))]


def _settings_out_of_range(calc: WorkbookCalculation) -> list[GhgError]:
    """W115 at each numeric 基本信息 setting typed as text or out of its bounds: the
    calculation uses the default instead, and says so rather than silently."""
    found = []
    for field in L.INFO_FIELDS:
        value = calc.data.info.get(field.key)
        if field.bounds is None or is_blank(value) or L.setting_is_valid(field.key, value):
            continue
        low, high = field.bounds
        problem = (f"不是 {low:g}–{high:g} 之间的数字", f"not a number from {low:g} to {high:g}")
        if isinstance(value, str) and _parses(value):  # "5": text the sheet's formulas skip
            inside = low <= parse_number(value) <= high
            problem = (
                "是文本而不是数字" + ("" if inside else f"，也不在 {low:g}–{high:g} 之间"),
                "text, not a number" + ("" if inside else f", and not from {low:g} to {high:g}"),
            )
        found.append(
            GhgError(
                "W115", cell=ready.info_place(calc.data, field.key), field=field.label,
                value=cell_repr(value), low=low, high=high, problem=problem[0],
                problem_en=problem[1], used=f"{L.setting(calc.data.info, field.key):g}",
            )
        )  # fmt: skip
    return found


def _check(
    path: Path, workbook: OpenedWorkbook, library: FactorLibrary | LibraryChoice | None
) -> tuple[WorkbookCalculation, list[GhgError]]:
    calc = calculate_workbook(workbook, library=library)
    findings = [
        *input_findings(calc),
        *_mixed_gwp(path, calc),
        *_stale_results(workbook, calc),
        *_newer_library(calc),
    ]
    return calc, findings


def _newer_library(calc: WorkbookCalculation) -> list[GhgError]:
    """W114 when the workbook computes with an older library than this ghgxl's newest: it
    stays reproducible, and the user decides whether to move (``ghgxl factors upgrade``)."""
    used, latest = calc.library.version.split("+")[0], current_version()
    if version_key(used) >= version_key(latest):
        return []
    changes = diff_libraries(FactorLibrary.release(used), FactorLibrary.release(latest))
    changed = sum(c.kind == "changed" for c in changes)
    added = sum(c.kind == "added" for c in changes)
    cell = f"{L.SHEET_INFO}!B{calc.data.info_rows.get('factor_library', L.INFO_FIRST_ROW)}"
    return [GhgError("W114", cell=cell, version=used, latest=latest, changed=changed, added=added)]
