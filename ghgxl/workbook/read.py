"""Reading a 盘查清册 fast with python-calamine (no Excel, any OS).

Cells are read as the user typed them (text stays text), so the engine's parsing — and its
error messages naming ``Sheet!Cell`` — apply. Formula cells give their cached values, which
the headless path ignores: it recomputes from the inputs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from ghgxl.errors import GhgError
from ghgxl.factors import FactorRow, key_text
from ghgxl.units import is_number, normalize_text
from ghgxl.workbook import layout as L
from ghgxl.workbook.company import KEYS as COMPANY_KEYS
from ghgxl.workbook.company import company_rows
from ghgxl.workbook.extent import Extent, read_extent
from ghgxl.workbook.refs import MAX_COLUMN, column_letter, column_number, split_ref
from ghgxl.workbook.source import OpenedWorkbook
from ghgxl.workbook.source import open_workbook as opened

#: Which 活动数据 column an error code points at (the cell a user must fix).
ERROR_COLUMN = {
    "E101": "annual", "E102": "annual", "E103": "annual", "E104": "annual", "E105": "annual",
    "E106": "annual", "E107": "annual", "E206": "unit", "E207": "factor_unit", "W107": "factor_unit",
    "E201": "unit", "E202": "unit", "E204": "unit",
    "E203": "factor_unit", "E205": "factor_unit",
    "E301": "factor_key", "E312": "factor_key", "E302": "factor_key", "E303": "factor_key", "E304": "gas", "E307": "unit",
    "E311": "factor_key",
    "E401": "gas", "E402": "gas", "E403": "gas", "E404": "gas",
    "E501": "method", "E502": "category", "E506": "category", "E508": "scope3_category",
}  # fmt: skip
INPUT_KEYS = tuple(c.key for c in L.ACTIVITY_COLUMNS if not c.formula)
#: Columns without which a 活动数据 sheet cannot be read (found by their headers).
REQUIRED_ACTIVITY = ("id", "category", "annual", "unit", "factor_key", "factor", "factor_unit")
MONTHS = tuple(f"m{m}" for m in range(1, 13))
#: Each month's evidence reference, beside its amount's column key.
MONTH_EVIDENCE = tuple(f"ev{m}" for m in range(1, 13))
DQ_KEYS = ("dq_activity", "dq_factor", "dq_calibration")
MARKET_KEYS = tuple(c.key for c in L.MARKET_COLUMNS)
SITE_KEYS = tuple(c.key for c in L.SITE_INPUTS)


@dataclass
class WorkbookData:
    """What the headless path needs from a workbook."""

    path: Path
    info: dict[str, object]
    activity: pd.DataFrame  # one row per filled 活动数据 row, inputs as typed, plus "row"
    sources: pd.DataFrame
    significance: pd.DataFrame = field(default_factory=pd.DataFrame)
    sheet_names: tuple[str, ...] = ()
    activity_columns: dict[str, str] = field(default_factory=lambda: dict(L.ACT_COL))
    source_columns: dict[str, str] = field(default_factory=lambda: dict(L.SOURCE_COL))
    extent: Extent = field(default_factory=Extent)  # how far its own formulas reach
    info_rows: dict[str, int] = field(default_factory=dict)  # 基本信息 key → its sheet row
    company: list[FactorRow] = field(default_factory=list)  # the 公司因子 sheet's rows
    company_errors: list[GhgError] = field(default_factory=list)  # its wrong rows (E311)
    market: pd.DataFrame = field(default_factory=pd.DataFrame)  # 绿电绿证 instruments
    sites: pd.DataFrame = field(default_factory=pd.DataFrame)  # 各厂区汇总's site lines


def records(frame: pd.DataFrame, keys: Iterable[str]) -> list[dict[str, object]]:
    """The rows of ``frame`` as dicts of the ``keys`` it has: a few columns of a 100,000-row
    table as dicts cost a fraction of ``to_dict`` of all of them."""
    columns = [k for k in keys if k in frame]
    if not columns:
        return [{} for _ in range(len(frame))]
    values = zip(*(frame[k].tolist() for k in columns), strict=True)
    return [dict(zip(columns, row, strict=True)) for row in values]


def is_blank(value: object) -> bool:
    """An empty cell as a reader sees it: None, NaN, or text of spaces only."""
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def read_info(grid: list[list[object]]) -> dict[str, object]:
    """基本信息 by the keys in column C (labels may be edited freely)."""
    info: dict[str, object] = {}
    for row in grid:
        if len(row) >= 3 and isinstance(row[2], str) and row[2].strip():
            info[row[2].strip()] = row[1]
    return info


def info_rows(grid: list[list[object]]) -> dict[str, int]:
    """The sheet row of each 基本信息 key (of a key typed twice, the last: the one whose
    value :func:`read_info` keeps, so a finding points at the cell that was read)."""
    rows: dict[str, int] = {}
    for number, row in enumerate(grid, start=1):
        if len(row) >= 3 and isinstance(row[2], str) and row[2].strip():
            rows[row[2].strip()] = number
    return rows


def _header_text(value: object) -> str:
    return re.sub(r"\s+", "", normalize_text(str(value))) if not is_blank(value) else ""


def header_columns(grid: list[list[object]], columns: tuple[L.Column, ...]) -> dict[str, str]:
    """Where each column of the layout is in this sheet, by its header in row 4: a user who
    inserted, moved or added columns is read correctly (key → column letter)."""
    header = grid[L.HEADER_ROW - 1] if len(grid) >= L.HEADER_ROW else []
    texts = [_header_text(v) for v in header[:MAX_COLUMN]]  # past XFD: no column of Excel's
    found: dict[str, str] = {}
    for position, column in enumerate(columns):
        target = _header_text(column.header)
        if position < len(texts) and texts[position] == target:
            found[column.key] = column_letter(position + 1)
        elif target in texts:
            found[column.key] = column_letter(texts.index(target) + 1)
    return found


def filled_mask(values: list[object], rows: np.ndarray | None = None) -> np.ndarray:
    """Which of ``values`` (or of its ``rows``) hold something — not :func:`is_blank`.
    Vectorised: an empty cell is ``""`` from calamine; the other blanks (None, NaN, spaces)
    are looked for among the distinct values only."""
    array = np.array(values, dtype=object)
    if rows is not None:
        array = array[rows]
    filled = array != ""
    distinct = set(array.tolist())
    distinct.discard("")
    if None in distinct or any(v != v or (v.__class__ is str and v.isspace()) for v in distinct):
        filled &= np.fromiter((not is_blank(v) for v in array.tolist()), bool, len(array))
    return filled


#: How far down a moved header row is looked for (to say where it is, E614).
HEADER_SEARCH_ROWS = 30
#: Headers a row must repeat to be taken for the table's header row.
HEADER_MATCHES = 3


def _header_row(head: list[list[object]], columns: tuple[L.Column, ...], sheet: str) -> None:
    """E614 when the header is not in row 4 but further down (rows inserted above it): the
    sheet's formulas, 汇总 and 数据质量 address rows by number, so ghgxl does not guess."""
    if len(header_columns(head, columns)) >= HEADER_MATCHES:
        return
    for row in range(L.HEADER_ROW, len(head)):
        found = header_columns([[]] * (L.HEADER_ROW - 1) + [head[row]], columns)
        if len(found) >= HEADER_MATCHES:
            raise GhgError(
                "E614", cell=f"{sheet}!A{row + 1}", sheet=sheet, expected=L.HEADER_ROW, row=row + 1
            )


def _table(
    grid: Iterator[list[object]],
    columns: tuple[L.Column, ...],
    keys: tuple[str, ...],
    sheet: str = "",
    exact: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rows below the header that have any input, with their sheet row number, and where
    each column is (found by header); a repeated header row (pasted from another workbook)
    is skipped. Only the input columns of each row are kept (one C-level ``itemgetter``
    call a row), and the table is built column-wise. E614 when the header row has moved.
    ``exact``: columns where a cell of spaces fills the row (a formula compares it with "")."""
    head = list(islice(grid, HEADER_SEARCH_ROWS))
    _header_row(head, columns, sheet)
    grid = chain(head[L.FIRST_ROW - 1 :], grid)
    head = head[: L.FIRST_ROW - 1]
    letters = header_columns(head, columns)
    present = [k for k in keys if k in letters]
    positions = [column_number(letters[k]) - 1 for k in present]
    pick = itemgetter(*positions, 0) if positions else itemgetter(0)  # always a tuple
    body, top = [], max(positions, default=0)
    for row in grid:
        body.append(pick(row) if len(row) > top else pick([*row, *[None] * (top + 1)]))
    picked = list(zip(*body, strict=True)) if body else [() for _ in range(len(positions) + 1)]
    data = {key: list(picked[i]) for i, key in enumerate(present)}
    filled = np.zeros(len(body), dtype=bool)
    for key in present:  # most rows are found filled by the first column or two
        empty = np.flatnonzero(~filled)
        if not len(empty):
            break
        filled[empty] = filled_mask(data[key], empty)
    for key in set(exact) & set(present):  # a cell of spaces is not empty to its formulas
        filled |= np.fromiter((v is not None and v != "" for v in data[key]), bool, len(body))
    chosen = np.flatnonzero(filled & ~_repeated_header(data, columns, present, len(body)))
    frame = pd.DataFrame({key: _column(data.get(key), chosen) for key in keys}, columns=list(keys))
    frame["row"] = chosen + L.FIRST_ROW
    return frame, letters


def _column(values: list[object] | None, chosen: np.ndarray) -> np.ndarray:
    if values is None:
        return np.full(len(chosen), None, dtype=object)
    return np.array(values, dtype=object)[chosen]


def _repeated_header(
    data: dict[str, list[object]], columns: tuple[L.Column, ...], present: list[str], length: int
) -> np.ndarray:
    """Rows that repeat the header texts (as typed, trimmed) in at least three columns."""
    headers = {c.key: c.header for c in columns}
    matches = np.zeros(length, dtype=int)
    for key in present:
        target = headers[key]
        hits = {v for v in set(data[key]) if v.__class__ is str and v.strip() == target}
        if hits:
            matches += np.fromiter((v in hits for v in data[key]), bool, length)
    return matches >= 3


_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 0 of Excel's 1900 date system (from March 1900)
#: What a date or time cell reads as (python-calamine, openpyxl).
DATE_TYPES = (dt.date, dt.datetime, dt.time, dt.timedelta)
#: Excel counts 1900-02-29, which never was: its serials before March 1900 are one less.
_LEAP_BUG = dt.datetime(1900, 3, 1)


def date_serial(value: object) -> float | None:
    """A date or time cell as the number Excel stores and its SUM counts (2024-01-02 is
    45293); None for anything else. "1/2" typed in a number cell becomes such a date."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.datetime):
        serial = (value - _EXCEL_EPOCH).total_seconds() / 86400
        return serial - 1 if value < _LEAP_BUG else serial
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, dt.timedelta):  # a duration ([h]:mm): days
        return value.total_seconds() / 86400
    return None


def numbers(values: np.ndarray) -> np.ndarray:
    """Cells as floats where the sheet's SUM would count them (not bools, not text; a date
    as its serial number, as Excel counts it), NaN elsewhere; only the non-empty cells are
    looked at one by one."""
    out = np.full(len(values), np.nan)
    typed = np.flatnonzero(values != "")
    out[typed] = [  # a float as it is (NaN too): most are
        v if v.__class__ is float else float(v) if is_number(v) else _serial_or_nan(v)
        for v in values[typed].tolist()
    ]
    return out


def _serial_or_nan(value: object) -> float:
    serial = date_serial(value)
    return np.nan if serial is None else serial


def excel_amounts(activity: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The amount each row is computed with — the rule of the 计算用活动量 formula
    ``=IF(COUNT(months)>0,SUM(months),IF(annual="","",annual))``: the sum of the numeric
    monthly values when there is one, else the annual value as typed (text in a monthly
    cell is skipped by the sheet's SUM; ``ghgxl check`` reports it); and whether the
    row has a monthly value."""
    length = len(activity)
    sums = np.zeros(length)
    has_month = np.zeros(length, dtype=bool)
    for month in MONTHS:
        numeric = numbers(activity[month].to_numpy(dtype=object))
        known = ~np.isnan(numeric)
        if known.any():
            has_month |= known
            sums[known] += numeric[known]
    annual = activity["annual"].to_numpy(dtype=object)
    # annual="" is an empty cell only: a cell of spaces is shown as it is, and the row's
    # cell functions get it (E101), as in Excel
    shown = np.array(["" if v is None or v == "" else v for v in annual], dtype=object)
    if has_month.any():
        shown[has_month] = sums[has_month]
    return shown, has_month


def read_workbook(source: Path | OpenedWorkbook) -> WorkbookData:
    """Everything the headless calculation needs; E601/E602 for an unreadable workbook.
    ``source``: a path, or a workbook whose parsing already started (:mod:`.source`)."""
    workbook = opened(source)
    try:
        return _read(workbook)
    finally:
        workbook.close()


def _read(workbook: OpenedWorkbook) -> WorkbookData:
    path = workbook.path
    names = workbook.sheet_names
    for required in (L.SHEET_INFO, L.SHEET_ACTIVITY):
        if required not in names:
            raise GhgError("E612", sheet=required, cell=str(path.name))
    extent = read_extent(path, _total_column(workbook))
    info_grid = list(_with_errors(workbook.rows(L.SHEET_INFO), extent, L.SHEET_INFO))
    info = read_info(info_grid)
    grid = _with_errors(workbook.rows(L.SHEET_ACTIVITY), extent, L.SHEET_ACTIVITY)
    activity, activity_columns = _table(
        grid, L.ACTIVITY_COLUMNS, INPUT_KEYS, L.SHEET_ACTIVITY, exact=("annual",)
    )
    if "factor_key" in activity:  # the key as every path computes with it (key_text: a
        # dropdown choice 「名称（单位）｜key」's key, full-width typed, case), once a value
        keys: dict[object, object] = {}
        activity["factor_key"] = [
            keys[v] if v in keys else keys.setdefault(v, key_text(v) or v)
            for v in activity["factor_key"].tolist()
        ]
    missing = [
        c.header
        for c in L.ACTIVITY_COLUMNS
        if c.key in REQUIRED_ACTIVITY and c.key not in activity_columns
    ]
    if missing:
        raise GhgError("E602", column="、".join(missing), cell=f"{L.SHEET_ACTIVITY}!{L.HEADER_ROW}")
    sources, source_columns = pd.DataFrame(), dict(L.SOURCE_COL)
    if L.SHEET_SOURCES in names:
        keys = tuple(c.key for c in L.SOURCE_COLUMNS if not c.formula)
        grid = _with_errors(workbook.rows(L.SHEET_SOURCES), extent, L.SHEET_SOURCES)
        sources, source_columns = _table(grid, L.SOURCE_COLUMNS, keys, L.SHEET_SOURCES)
    significance = pd.DataFrame()
    if L.SHEET_SIGNIFICANCE in names:
        keys = tuple(c.key for c in L.SIGNIFICANCE_COLUMNS if not c.formula)
        grid = _with_errors(workbook.rows(L.SHEET_SIGNIFICANCE), extent, L.SHEET_SIGNIFICANCE)
        significance, _ = _table(grid, L.SIGNIFICANCE_COLUMNS, keys, L.SHEET_SIGNIFICANCE)
    company: tuple[list[FactorRow], list[GhgError]] = ([], [])
    if L.SHEET_COMPANY in names:
        grid = _with_errors(workbook.rows(L.SHEET_COMPANY), extent, L.SHEET_COMPANY)
        table, _ = _table(grid, L.COMPANY_COLUMNS, COMPANY_KEYS, L.SHEET_COMPANY)
        company = company_rows(
            zip(table["row"].tolist(), table[list(COMPANY_KEYS)].to_dict("records"), strict=True)
        )
    market = pd.DataFrame(columns=[*MARKET_KEYS, "row"])
    if L.SHEET_MARKET in names:
        grid = _with_errors(workbook.rows(L.SHEET_MARKET), extent, L.SHEET_MARKET)
        market, _ = _table(grid, L.MARKET_COLUMNS, MARKET_KEYS, L.SHEET_MARKET)
    sites = pd.DataFrame(columns=[*SITE_KEYS, "row"])
    if L.SHEET_SITES in names:
        grid = _with_errors(workbook.rows(L.SHEET_SITES), extent, L.SHEET_SITES)
        sites, _ = _table(grid, L.SITE_COLUMNS, SITE_KEYS, L.SHEET_SITES)
        sites = sites[sites["row"] >= L.SITES_FIRST_ROW].reset_index(drop=True)
    return WorkbookData(
        path,
        info,
        activity,
        sources,
        significance,
        names,
        activity_columns,
        source_columns,
        extent,
        info_rows(info_grid),
        *company,
        market,
        sites,
    )


def _total_column(workbook: OpenedWorkbook) -> str | None:
    """Where 活动数据's row total is, by its header (read before the table, for the extent)."""
    head = list(islice(workbook.rows(L.SHEET_ACTIVITY), L.HEADER_ROW))
    return header_columns(head, L.ACTIVITY_COLUMNS).get("total")


def _with_errors(
    grid: Iterator[list[object]], extent: Extent, sheet: str
) -> Iterator[list[object]]:
    """The sheet's rows with each Excel error value put back where calamine reads an empty
    cell, as its text (``"#N/A"``): the engine then says E107 at that cell."""
    prefix = f"{sheet}!"
    errors = {k[len(prefix) :]: v for k, v in extent.error_cells.items() if k.startswith(prefix)}
    if not errors:
        yield from grid
        return
    by_row: dict[int, list[tuple[int, str]]] = {}
    for ref, value in errors.items():
        row, column = split_ref(ref)
        by_row.setdefault(row, []).append((column - 1, value))
    for number, row in enumerate(grid, start=1):
        for position, value in by_row.get(number, ()):
            row = [*row, *[""] * (position + 1 - len(row))]
            row[position] = value
        yield row


def _amount_columns(frame: pd.DataFrame, amounts: np.ndarray, has_month: np.ndarray) -> np.ndarray:
    """Where an error of each row's amount is shown: the annual cell, the first month for
    monthly rows, and for a negative monthly sum the first month holding a negative number
    (a few rows: the others are not looked at)."""
    columns = np.where(has_month, "m1", "annual").astype(object)
    monthly = np.flatnonzero(has_month)
    negative = [p for p in monthly.tolist() if amounts[p] < 0]  # monthly sums are numbers
    for position in negative:
        record = frame.iloc[position]
        for month in MONTHS:
            if is_number(record[month]) and record[month] < 0:
                columns[position] = month
                break
    return columns


def inventory_rows(data: WorkbookData) -> pd.DataFrame:
    """The 活动数据 rows as inputs of :func:`ghgxl.inventory.calculate`."""
    frame = data.activity.copy()
    amounts, has_month = excel_amounts(frame)
    # object dtype: a missing amount stays None (E101), never NaN (E105 "not finite")
    frame["amount"] = pd.Series(
        [None if a == "" else a for a in amounts.tolist()], index=frame.index, dtype=object
    )
    frame["amount_column"] = _amount_columns(frame, amounts, has_month)
    for key in DQ_KEYS:  # the sheet's COUNT/AVERAGE take numbers only (text "3" is no score;
        # a date is its serial, as they count it: check says E109)
        scores = numbers(frame[key].to_numpy(dtype=object))
        frame[key] = [None if s != s else s for s in scores.tolist()]
    frame["method"] = [
        None if is_blank(m) else L.METHOD_LABELS.get(str(m).strip(), m) for m in frame["method"]
    ]
    id_column = data.activity_columns["id"]
    frame["place"] = [f"{L.SHEET_ACTIVITY}!{id_column}{row}" for row in frame["row"].tolist()]
    frame["sheet"] = L.SHEET_ACTIVITY
    return frame


def cell_of_error(
    error: GhgError, row: int, amount_column: str = "annual", columns: dict[str, str] | None = None
) -> str:
    """The 活动数据 cell an error points at: the unit cell for a unit error, and so on."""
    key = ERROR_COLUMN.get(error.code, "id")
    what = str(error.details.get("what", ""))
    if what in ("unit", "factor", "factor_unit", "factor_key", "gas", "category"):
        key = what
    elif "factor" in what:
        key = "factor_key"
    if key == "annual":
        key = amount_column
    letters = columns or L.ACT_COL
    return f"{L.SHEET_ACTIVITY}!{letters.get(key, letters['id'])}{row}"
