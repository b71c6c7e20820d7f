"""The headless calculation of a 盘查清册: read inputs, compute with the engine, and write
the results into the formula cells as cached values, keeping the formulas.

The values written are what Excel shows after a recalculation: the UDF cells get the
engine's numbers (or its ``#GHG!`` text), and the native formulas (SUMIFS, COUNTIF, the
data-quality columns) are mirrored with their own spreadsheet semantics, so a file opened
without Python — in Excel, LibreOffice or a viewer — shows every number, and LibreOffice
recomputing the native formulas finds the same totals (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ghgxl import gwp, quality
from ghgxl.emission import GROUPS, TOTAL_GROUPS, library_multipliers
from ghgxl.errors import GhgError
from ghgxl.export import cell_text
from ghgxl.factors import LIBRARY_ORIGIN, FactorLibrary, FactorRow, LibraryChoice
from ghgxl.files import backup_kept, backup_paths, check_outputs, check_suffix, write_new
from ghgxl.inventory import InventoryResult, calculate, count_market_based
from ghgxl.workbook import layout as L
from ghgxl.workbook import xlsx
from ghgxl.workbook.boundary import exclusions, significance
from ghgxl.workbook.intensity import indicators
from ghgxl.workbook.market import Scope2, scope2
from ghgxl.workbook.patch import Block, Progress, write_patched
from ghgxl.workbook.read import (
    DQ_KEYS,
    INPUT_KEYS,
    WorkbookData,
    cell_of_error,
    inventory_rows,
    is_blank,
    is_number,
    numbers,
    read_workbook,
)
from ghgxl.workbook.refs import split_ref
from ghgxl.workbook.source import OpenedWorkbook

ROW_ERROR_TEXT = "#GHG! 见本行 / see this row"
Values = dict[str, Block | dict[str, xlsx.CellValue]]


@dataclass
class WorkbookCalculation:
    data: WorkbookData
    result: InventoryResult
    rows: pd.DataFrame  # inventory_rows(data): inputs with sheet row numbers
    library: FactorLibrary  # the one computed with: the workbook's recorded version by default
    scope2: Scope2 | None = None  # location- and market-based (绿电绿证)
    previous: WorkbookCalculation | None = None  # an earlier year to compare with (--previous)
    base: WorkbookCalculation | None = None  # the base year (--base-year, or 基本信息 names it)

    @property
    def errors(self) -> list[GhgError]:
        return self.result.errors


def calculate_workbook(
    source: Path | OpenedWorkbook,
    gwp_set: str | None = None,
    library: FactorLibrary | LibraryChoice | None = None,
) -> WorkbookCalculation:
    """Compute a workbook with the engine; errors name their ``活动数据!Cell``.

    ``library``: a library to use as it is, or a :class:`LibraryChoice`; by default the
    version the workbook's 基本信息 records (因子库版本), so a workbook made with an older
    library recomputes with the factors it was made with (E310 if this ghgxl lacks it).
    The workbook's 公司因子 sheet adds to or replaces library keys either way; its wrong rows
    are errors (E311) at their cells."""
    data = read_workbook(source)
    if isinstance(library, FactorLibrary):
        library = library.with_overlay(data.company) if data.company else library
    else:
        choice = library or LibraryChoice()
        try:
            library = choice.resolve(data.info.get("factor_library"), data.company)
        except GhgError as error:  # E310 of the version 基本信息 records: at its cell
            row = data.info_rows.get("factor_library")
            if choice.version is not None or row is None:
                raise
            raise error.at(f"{L.SHEET_INFO}!B{row}") from None
    rows = inventory_rows(data)
    set_name = gwp_set or workbook_gwp(data)
    # a wrong 公司因子 row's key: its rows fail as their cells do (E311), never the library's
    refused = {str(e.details["key"]): e for e in data.company_errors if e.details.get("key")}
    result = calculate(rows, gwp.canonical_set(set_name), library, typed=True, refused=refused)
    by_place = dict(
        zip(rows["place"], zip(rows["row"], rows["amount_column"], strict=True), strict=True)
    )

    def placed(findings: list[GhgError]) -> list[GhgError]:
        out = []
        for finding in findings:
            row, amount_column = by_place[finding.cell]
            cell = cell_of_error(finding, row, amount_column, data.activity_columns)
            out.append(GhgError(finding.code, cell=cell, **finding.details))
        return out

    errors = placed(result.errors)
    errors += _error_values(data, {e.cell for e in errors if e.code == "E107"})
    errors += data.company_errors
    errors += _beyond_formulas(data, rows["row"].to_numpy(), result)  # before scope 2: 汇总's
    both = scope2(data.market, rows, result, library, data.info.get("reporting_year"))
    errors += both.errors + _count_scope2(data, result, both)
    result.errors = errors
    result.warnings = placed(result.warnings) + _unscored(data, result) + both.warnings
    return WorkbookCalculation(data, result, rows, library, both)


def scope2_basis(info: dict[str, object]) -> str:
    """Which scope-2 figure the totals count, as 汇总's formulas test 基本信息's cell
    (``ghg_scope2_basis="市场法"``): 市场法 only when it says exactly that."""
    return (
        L.SCOPE2_MARKET
        if cell_text(info.get("scope2_basis")) == L.SCOPE2_MARKET
        else L.SCOPE2_LOCATION
    )


def _count_scope2(data: WorkbookData, result: InventoryResult, both: Scope2) -> list[GhgError]:
    """Count scope 2 in the totals the way 基本信息 chooses: market-based makes each
    purchased-electricity row count its market-based figure (the rows keep their own in
    ``result.located``). E641 where the workbook's 汇总 cannot follow (an older template);
    with a wrong instrument, the totals stay location-based and the error stands."""
    both.basis = scope2_basis(data.info)
    if both.basis != L.SCOPE2_MARKET:
        return []
    if not data.extent.scope2_basis:
        both.basis = L.SCOPE2_LOCATION  # what the workbook's formulas add up
        row = data.info_rows.get("scope2_basis", L.INFO_ROW["scope2_basis"])
        return [GhgError("E641", cell=f"{L.SHEET_INFO}!B{row}", template=L.TEMPLATE_VERSION)]
    if both.market_t is not None:
        count_market_based(result, both.row_market_t)
        both.counted_market = True
    return []


def calculate_other(
    path: Path, library: FactorLibrary | LibraryChoice | None = None
) -> WorkbookCalculation:
    """A workbook other than the one a command is about (a site, an earlier year, the base
    year) computed: what stops it (E310, E402, a damaged file) names its file too."""
    try:
        return calculate_workbook(Path(path), library=library)
    except GhgError as error:
        raise error.in_file(Path(path).name) from None


def _error_values(data: WorkbookData, known: set[str | None]) -> list[GhgError]:
    """E107 for the input cells of the sheets ghgxl reads that hold an Excel error value (a
    monthly amount, a score, a setting in 基本信息 …) not already reported by the engine."""
    inputs = {
        L.SHEET_ACTIVITY: {v for k, v in data.activity_columns.items() if k in INPUT_KEYS},
        L.SHEET_SOURCES: {v for k, v in data.source_columns.items() if k in SOURCE_INPUTS},
        L.SHEET_SIGNIFICANCE: {L.SIG_COL[k] for k in SIGNIFICANCE_INPUTS},
        L.SHEET_INFO: {"B"},
    }
    found = []
    for cell, value in sorted(data.extent.error_cells.items()):
        sheet, ref = cell.split("!")
        row, _ = split_ref(ref)
        first = L.INFO_FIRST_ROW if sheet == L.SHEET_INFO else L.FIRST_ROW
        column = ref.rstrip("0123456789")
        if column in inputs.get(sheet, ()) and row >= first and cell not in known:
            found.append(GhgError("E107", cell=cell, value=value))
    return found


SOURCE_INPUTS = frozenset(c.key for c in L.SOURCE_COLUMNS if not c.formula)
SIGNIFICANCE_INPUTS = frozenset(c.key for c in L.SIGNIFICANCE_COLUMNS if not c.formula)


def holds_error_values(calc: WorkbookCalculation) -> bool:
    """Whether an input cell holds an Excel error: Excel's own formulas then show errors in
    the totals, which no cached value ghgxl writes could match."""
    return any(e.code == "E107" for e in calc.errors)


def _unscored(data: WorkbookData, result: InventoryResult) -> list[GhgError]:
    """W108 at the first missing score of each counted row without its three scores, when
    some rows are scored (with none scored, the data quality is simply not assessed)."""
    scores = result.dq_scores(dq_scheme(data)).to_numpy()
    counted_rows = result.rows["ok"].to_numpy()
    missing = counted_rows & np.isnan(scores)
    if not missing.any() or not (counted_rows & ~np.isnan(scores)).any():
        return []
    columns, activity = data.activity_columns, data.activity
    found = []
    for i in np.flatnonzero(missing).tolist():
        row = int(activity["row"].iat[i])
        key = next((k for k in DQ_KEYS if pd.isna(result.rows[k].iat[i])), DQ_KEYS[0])  # as read
        cell = f"{L.SHEET_ACTIVITY}!{columns.get(key, columns['id'])}{row}"
        found.append(GhgError("W108", cell=cell, row=row))
    return found


def workbook_gwp(data: WorkbookData) -> str:
    """The GWP set 基本信息 chooses (AR6 when it is blank); E402 at its cell."""
    try:
        return gwp.canonical_set(str(data.info.get("gwp_set") or gwp.DEFAULT_SET))
    except GhgError as error:
        row = data.info_rows.get("gwp_set", L.INFO_ROW["gwp_set"])
        raise error.at(f"{L.SHEET_INFO}!B{row}") from None


def counted(data: WorkbookData, rows: np.ndarray) -> np.ndarray:
    """Which of the 活动数据 ``rows`` the workbook's 汇总 counts, as Excel computes it: those
    inside its ranges that hold the row-total formula (all, without 汇总 formulas)."""
    extent = data.extent
    if extent.summary_rows is None:
        return np.ones(len(rows), dtype=bool)
    first, last = extent.summary_rows
    inside = (rows >= first) & (rows <= last)
    if extent.formula_rows is not None:
        inside &= np.fromiter((r in extent.formula_rows for r in rows.tolist()), bool, len(rows))
    return inside


def _beyond_formulas(data: WorkbookData, rows: np.ndarray, result: InventoryResult) -> list:
    """E514 for the rows outside the ranges the workbook's 汇总 formulas count, E515 for
    those without the row-total formula; they are computed, but left out of the totals, as
    Excel leaves them out of 汇总."""
    left_out = ~counted(data, rows)
    if not left_out.any():
        return []
    ok = result.rows["ok"].to_numpy().copy()
    ok[left_out] = False
    result.rows["ok"] = ok
    first, last = data.extent.summary_rows
    id_column, total_column = data.activity_columns["id"], data.activity_columns.get("total")
    errors = []
    for row in rows[left_out].tolist():
        if first <= row <= last:
            errors.append(GhgError("E515", cell=f"{L.SHEET_ACTIVITY}!{total_column}{row}", row=row))
        else:
            cell = f"{L.SHEET_ACTIVITY}!{id_column}{row}"
            errors.append(GhgError("E514", cell=cell, row=row, first=first, last=last))
    return errors


# --- mirrors of the sheet formulas --------------------------------------------------------


def excel_scope(category: object) -> object:
    """``=IF(D="","",IF(D=1,1,IF(D=2,2,3)))``: only an empty cell is "" (a cell of spaces
    is not, so it shows 3, as in Excel)."""
    if category is None or category == "" or (isinstance(category, float) and category != category):
        return ""
    if is_number(category) and float(category) in (1.0, 2.0):
        return int(category)
    return 3


def activity_values(calc: WorkbookCalculation) -> tuple[Block, pd.DataFrame]:
    """Cached values of the 活动数据 formula cells, and the per-row values the other sheets
    read (total, groups) as the sheet shows them. Vectorised: 10^5 rows are a few arrays."""
    activity, result = calc.data.activity, calc.result.row_figures
    rows = activity["row"].to_numpy()
    # the 计算用活动量 cells as the sheet shows them (inventory_rows: None where it shows "")
    amounts = np.array(["" if a is None else a for a in calc.rows["amount"].tolist()], dtype=object)
    blank = np.array([a == "" for a in amounts.tolist()], dtype=bool)
    errors = result["error"].to_numpy(dtype=object).copy()
    # the row formulas test the category before they call the cell functions
    no_category = (result["category"].to_numpy() == 0) & ~blank
    errors[no_category] = L.CATEGORY_ERROR_TEXT
    failed = (np.array([bool(e) for e in errors], dtype=bool) | no_category) & ~blank
    plain = not (blank.any() or failed.any())  # every row a number: float columns
    shown: dict[str, np.ndarray] = {}
    for group in GROUPS:
        column = result[group].to_numpy(dtype=float)
        if not plain:
            column = column.astype(object)
            column[blank] = ""
            column[failed] = errors[failed]
        shown[group] = column
    total = result[list(TOTAL_GROUPS)].to_numpy(dtype=float).sum(axis=1)
    if not plain:
        total = total.astype(object)
        total[blank] = ""
        total[failed] = ROW_ERROR_TEXT
    scopes = [excel_scope(c) for c in activity["category"]]
    col = calc.data.activity_columns  # where this workbook has them (found by header)
    columns = {"scope": scopes, "amount": amounts, "total": total}
    columns |= {f"g_{g}": shown[g] for g in GROUPS}
    block = Block(rows, {col[key]: values for key, values in columns.items() if key in col})
    table = pd.DataFrame(
        {"row": rows, "category": activity["category"].to_numpy(), "total": total, **shown}
    )
    return block, table


def _numeric(series: pd.Series) -> pd.Series:
    if series.dtype.kind == "f":
        return series
    return pd.to_numeric(series.map(lambda v: v if is_number(v) else np.nan), errors="coerce")


def summary_values(
    shown: pd.DataFrame, rows: np.ndarray | None = None, adjustment: float = 0.0
) -> dict[str, xlsx.CellValue]:
    """The 汇总 sheet as its SUMIFS/SUM/COUNTIF formulas compute it from the row values of
    the rows they count (``rows``: a mask, :func:`counted`), 类别2 and CO2 with scope 2's
    ``adjustment`` (市场法: market less location; NaN: its cell's #VALUE!)."""
    if rows is not None:
        shown = shown[rows]
    cells = L.summary_cells()
    values: dict[str, xlsx.CellValue] = {}
    category = _numeric(shown["category"])
    total_column = _numeric(shown["total"]).fillna(0.0)
    by_category = {c: float(total_column[category == c].sum()) for c in L.L_CATEGORIES}
    by_category[2] += adjustment
    total = sum(by_category.values())
    for c, value in by_category.items():
        values[cells[f"category:{c}"]] = value
        values[cells[f"share:{c}"]] = "" if total == 0 else value / total
    values[cells["total"]] = total
    values[cells["share_total"]] = (
        "" if total == 0 else sum(v / total for v in by_category.values())
    )
    gas_sum = 0.0
    for gas in L.SUMMARY_GASES:
        column = _numeric(shown[gas]).fillna(0.0)
        added = adjustment if gas == GROUPS[0] else 0.0  # CO2
        values[cells[f"gas:{gas}"]] = float(column.sum()) + added
        values[cells[f"gas_share:{gas}"]] = (
            "" if total == 0 else (float(column.sum()) + added) / total
        )
        gas_sum += float(column.sum()) + added
        for c in L.L_CATEGORIES:
            values[cells[f"category_gas:{c}:{gas}"]] = float(column[category == c].sum()) + (
                added if c == 2 else 0.0
            )
    values[cells["gas_total"]] = gas_sum
    values[cells["biogenic"]] = float(_numeric(shown["CO2-biogenic"]).fillna(0.0).sum())
    values[cells["other"]] = float(_numeric(shown["Other"]).fillna(0.0).sum())
    values[cells["errors"]] = sum(
        sum(isinstance(v, str) and v.startswith("#GHG!") for v in shown[c].tolist())
        for c in (*GROUPS, "total")
        if shown[c].dtype.kind == "O"
    )
    values[L.SUMMARY_CHECK] = "一致" if abs(total - gas_sum) < 1e-6 else "不一致"
    if adjustment != adjustment:  # the market cell's error: every figure it reaches shows #VALUE!
        for key in _ADJUSTED:
            values[cells[key]] = xlsx.VALUE_ERROR
        for key, ref in cells.items():
            if key.startswith(("share", "gas_share")):
                values[ref] = xlsx.VALUE_ERROR
        values[L.SUMMARY_CHECK] = xlsx.VALUE_ERROR
    return values


#: 汇总 figures the scope-2 adjustment reaches (and every share, through the total).
_ADJUSTED = ("category:2", "total", f"gas:{GROUPS[0]}", f"category_gas:2:{GROUPS[0]}", "gas_total")


def quality_values(calc: WorkbookCalculation, shown: pd.DataFrame, total: float) -> Block:
    """The 数据质量 sheet's formulas for every row at once, and its weighted total and grade."""
    activity = calc.data.activity
    scores = activity[["dq_activity", "dq_factor", "dq_calibration"]]
    numeric = np.column_stack([numbers(scores[c].to_numpy(dtype=object)) for c in scores])
    scheme = dq_scheme(calc.data)
    mean = quality.row_scores(numeric, scheme) if len(numeric) else np.zeros(0)
    emission = numbers(shown["total"].to_numpy(dtype=object))
    share = emission / total if total else np.full(len(emission), np.nan)
    product = mean * share

    def typed(key: str) -> np.ndarray:  # =IF(x="","",x): an input as the sheet shows it
        values = activity[key].to_numpy(dtype=object).copy()
        values[[v is None for v in values.tolist()]] = ""
        return values

    grades = {s: quality.grade(s, scheme) for s in set(mean[~np.isnan(mean)].tolist())}
    columns: dict[str, Sequence[xlsx.CellValue]] = {
        "A": typed("id"),
        "B": typed("source"),
        "C": typed("dq_activity"),
        "D": typed("dq_factor"),
        "E": typed("dq_calibration"),
        "F": mean,  # NaN: shown blank
        "G": ["" if v != v else grades[v] for v in mean.tolist()],
        "H": emission,
        "I": share,
        "J": product,
    }
    rows, extent = activity["row"].to_numpy(), calc.data.extent
    inside = (
        np.ones(len(rows), bool) if extent.quality_last is None else rows <= extent.quality_last
    )
    scored = ~np.isnan(product[inside])
    total_row, totals = extent.quality_total_row, {}
    if total_row is not None:  # not found: nothing written where it is not
        # the sheet's rule: a score only when every row with an emission (H) has one (J)
        assessed = scored.any() and scored.sum() == (~np.isnan(emission[inside])).sum()
        score = float(product[inside][scored].sum()) if assessed else ""
        totals = {
            f"J{total_row}": score,
            f"J{total_row + 1}": f"第{quality.grade(score, scheme)}"
            if assessed
            else quality.NOT_ASSESSED,
        }
    return Block(rows, columns, totals)


def sources_values(data: WorkbookData) -> dict[str, xlsx.CellValue]:
    column = data.source_columns.get("scope")
    if data.sources.empty or column is None:
        return {}
    return {
        f"{column}{r['row']}": excel_scope(r["category"]) for r in data.sources.to_dict("records")
    }


def boundary(calc: WorkbookCalculation) -> dict[str, object]:
    """Exclusions and significance of a workbook, for the JSON and the report."""
    return {
        "dq_scheme": dq_scheme(calc.data),
        "exclusions": exclusions(calc.data, calc.result.total).as_dict(),
        "significance": significance(calc.data).as_dict(),
        "company_factors": company_factors(calc),
        "scope2": calc.scope2.as_dict() if calc.scope2 else None,
        "intensity": {i.key: i.as_dict() for i in indicators(calc.data.info, calc.result.total)},
        "year_on_year": _year_on_year(calc),
        "base_year": _base_year(calc),
        "by_site": _by_site(calc),
    }


def _year_on_year(calc: WorkbookCalculation) -> dict[str, object] | None:
    from ghgxl.workbook.change import compare  # change builds on this module

    return compare(calc, calc.previous).as_dict() if calc.previous else None


def _base_year(calc: WorkbookCalculation) -> dict[str, object] | None:
    from ghgxl.workbook.change import compare

    return compare(calc, calc.base).as_dict() if calc.base else None


def _by_site(calc: WorkbookCalculation) -> dict[str, dict[str, object]]:
    from ghgxl.workbook.sites import by_site  # sites builds on this module

    return {line.name: line.as_dict() for line in by_site(calc)}


def company_factors(calc: WorkbookCalculation) -> list[dict[str, object]]:
    """The company's own factor rows (公司因子 sheet or overlay file) the rows used — also
    as a part of a library chain, a carbon content, say — and where: for the JSON."""
    used: dict[tuple[str, str | None], dict[str, object]] = {}
    chains: dict[tuple[str, str, str | None], tuple[FactorRow, ...]] = {}
    columns = ("factor_key", "unit", "gas", "place")
    for key, unit, gas, place in zip(*(calc.rows[c].tolist() for c in columns), strict=True):
        if is_blank(key):
            continue
        use = (str(key).strip().lower(), str(unit or ""), None if is_blank(gas) else str(gas))
        if use not in chains:
            try:
                chains[use] = library_multipliers(calc.library, *use).rows
            except GhgError:  # the row's error is in the results already
                chains[use] = ()
        for row in chains[use]:
            if row.origin == LIBRARY_ORIGIN:
                continue
            entry = used.setdefault(
                (row.key, row.gas),
                {
                    "key": row.key,
                    "gas": row.gas,
                    "value": row.value,
                    "unit": row.unit,
                    "source": row.source,
                    "from": row.origin.split(":", 1)[-1],
                    "places": [],
                },
            )
            entry["places"].append(place)  # type: ignore[union-attr]
    return list(used.values())


def dq_scheme(data: WorkbookData) -> str:
    """The data-quality scheme chosen in 基本信息."""
    return quality.scheme_of(data.info.get("dq_scheme"))


def significance_values(data: WorkbookData) -> dict[str, xlsx.CellValue]:
    """The 重大性评估 formulas (total score, judgement) as the sheet computes them."""
    if data.significance.empty:
        return {}
    values: dict[str, xlsx.CellValue] = {}
    for entry in significance(data).rows:
        row = entry["row"]
        values[f"{L.SIG_COL['score']}{row}"] = "" if entry["score"] is None else entry["score"]
        values[f"{L.SIG_COL['judgement']}{row}"] = entry["judgement"] or ""
    return values


def scope2_adjustment(calc: WorkbookCalculation) -> float:
    """What 汇总 adds to 类别2, the total and CO2 for the scope-2 basis 基本信息 chooses
    (its cell ``adjustment``): market less location for 市场法, 0 for 位置法, NaN for the
    #VALUE! of 市场法 while an instrument is wrong."""
    both = calc.scope2
    if both is None or both.basis != L.SCOPE2_MARKET:
        return 0.0
    return float("nan") if both.market_t is None else both.market_t - both.location_t


def scope2_values(calc: WorkbookCalculation, located_total: float) -> dict[str, xlsx.CellValue]:
    """汇总's dual reporting of scope 2 as its cells compute it: location-based (the 类别2
    rows), the market-based figure or the first instrument error's cell text, the total
    each way (``located_total``: 汇总's total with scope 2 location-based) and the
    adjustment the basis makes (template 2026.5 on)."""
    s2, both = L.SCOPE2_CELLS, calc.scope2
    if both is None or not calc.data.extent.scope2_cells:  # an older template: none there
        return {}
    if both.market_t is None:
        market: xlsx.CellValue = both.errors[0].cell_text()
        total: xlsx.CellValue = market
    else:
        market, total = both.market_t, both.total_market_t  # type: ignore[assignment]
    location = both.location_t  # = 汇总's 类别2 rows
    values = {
        s2["scope2_location"]: location,
        s2["scope2_market"]: market,
        s2["total_market"]: total,
    }
    if calc.data.extent.scope2_basis:
        adjustment = scope2_adjustment(calc)
        values[s2["total_location"]] = located_total
        values[s2["adjustment"]] = xlsx.VALUE_ERROR if adjustment != adjustment else adjustment
    return values


def cell_values(calc: WorkbookCalculation) -> Values:
    """Every cached value to write, by sheet."""
    activity, shown = activity_values(calc)
    inside, adjustment = counted(calc.data, shown["row"].to_numpy()), scope2_adjustment(calc)
    located = summary_values(shown, inside)  # scope 2 location-based, as the rows count
    located_total = float(located[L.SUMMARY_TOTAL])  # ghg_total: 数据质量's weights, the sites'
    summary = dict(located) if adjustment == 0 else summary_values(shown, inside, adjustment)
    summary |= scope2_values(calc, located_total)
    values: Values = {L.SHEET_ACTIVITY: activity, L.SHEET_SUMMARY: summary}
    if L.SHEET_QUALITY in calc.data.sheet_names:
        values[L.SHEET_QUALITY] = quality_values(calc, shown, located_total)
    if L.SHEET_SOURCES in calc.data.sheet_names:
        values[L.SHEET_SOURCES] = sources_values(calc.data)
    if L.SHEET_SIGNIFICANCE in calc.data.sheet_names:
        values[L.SHEET_SIGNIFICANCE] = significance_values(calc.data)
    if L.SHEET_SITES in calc.data.sheet_names:
        from ghgxl.workbook.sites import site_values  # sites builds on this module

        values[L.SHEET_SITES] = site_values(calc, located, adjustment)
    return values


#: Sheets whose formula cells not written are cleared (a row emptied since the last run),
#: in the columns ghgxl owns: those it writes, and for the sheets written cell by cell these.
CLEARED_SHEETS = (
    L.SHEET_ACTIVITY, L.SHEET_QUALITY, L.SHEET_SOURCES, L.SHEET_SIGNIFICANCE, L.SHEET_SITES,
)  # fmt: skip
FORMULA_COLUMNS = {
    L.SHEET_SOURCES: frozenset(L.SOURCE_COL[c.key] for c in L.SOURCE_COLUMNS if c.formula),
    L.SHEET_SIGNIFICANCE: frozenset(L.SIG_COL[c.key] for c in L.SIGNIFICANCE_COLUMNS if c.formula),
    L.SHEET_SITES: frozenset(L.SITE_COL[c.key] for c in L.SITE_FIGURES),
}


def write_values(
    source: Path, target: Path, values: Values, progress: Progress | None = None
) -> None:
    """Write ``values`` into a copy of ``source`` at ``target``, atomically."""
    blocks, small = {}, {}
    for sheet, sheet_values in values.items():
        if sheet in CLEARED_SHEETS:
            block = sheet_values
            if not isinstance(block, Block):
                owned = FORMULA_COLUMNS.get(sheet, frozenset())
                block = Block(np.zeros(0, dtype=np.int64), {}, dict(sheet_values), owned)
            blocks[sheet] = block
        else:
            small[sheet] = sheet_values
    write_patched(Path(source), Path(target), blocks, small, progress)


def calc_file(
    source: Path,
    out: Path | None = None,
    in_place: bool = False,
    gwp_set: str | None = None,
    library: FactorLibrary | LibraryChoice | None = None,
    opened: OpenedWorkbook | None = None,
    progress: Callable[[str, float], object] | None = None,
) -> tuple[WorkbookCalculation, Path | None, Path | None]:
    """Compute ``source`` and write the results to ``out`` (or over ``source`` with a
    timestamped backup first). Returns the calculation, the file written and the backup.
    ``opened``: ``source`` already being parsed (:class:`OpenedWorkbook`); ``progress``
    is told each stage (``read``, ``write``) and how far it is, from 0 to 1."""
    tell = progress or (lambda stage, fraction: None)
    outputs = [] if in_place else [out]
    check_outputs(outputs, [source], workbooks=outputs)  # E603/E604 before any work
    if not in_place:
        check_suffix(out, Path(source))  # E639: .xlsm for a macro-enabled workbook
    tell("read", 0.0)
    calc = calculate_workbook(opened or source, gwp_set, library)
    chosen = workbook_gwp(calc.data)
    if (out is not None or in_place) and calc.result.gwp_set != chosen:
        # a workbook whose numbers are AR5 while 基本信息 says AR6 contradicts itself
        raise GhgError("E613", gwp=calc.result.gwp_set, chosen=chosen)
    tell("read", 1.0)
    if holds_error_values(calc):  # nothing written: the user fixes the cells first (E107)
        return calc, None, None
    values = cell_values(calc)
    backup = None
    if in_place:
        original = Path(source).read_bytes()
        mode = Path(source).stat().st_mode & 0o777
        backup = write_new(backup_paths(Path(source)), original, mode)  # complete or absent
        out = source
        write_values(source, Path(out), values, lambda fraction: tell("write", fraction))
    elif out is not None:
        with backup_kept(Path(out)) as backup:  # a workbook there already is kept, not lost
            write_values(source, Path(out), values, lambda fraction: tell("write", fraction))
    return calc, out, backup
