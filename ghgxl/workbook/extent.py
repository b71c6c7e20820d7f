"""How far a workbook's own formulas reach: the 活动数据 rows its 汇总 totals sum, which of
those rows hold the row-total formula, and the rows and the weighted total of 数据质量.

A workbook has the template's 200 rows, or as many as ``ghgxl workbook new --rows N`` gave
it, or whatever a user made of it in Excel (rows inserted, pasted below the table, saved by
LibreOffice). The headless path mirrors the sheet formulas as Excel computes them, so it
reads their ranges rather than assuming the template's: a row outside the 汇总 ranges, or
one without the row-total formula, is one Excel leaves out of the totals, and ``ghgxl
calc``/``check`` say so (E514, E515) instead of writing totals that the workbook's own
formulas contradict; a row below 数据质量's range is counted but its data quality is not
(W106, from ``check``).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ghgxl.workbook import layout as L
from ghgxl.workbook import xlsx
from ghgxl.workbook.patch import row_chunks

_CELL_FORMULA = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*<f\b[^>]*>([^<]*)</f>')
#: A range of 活动数据 in a formula (not of a sheet whose name ends in 活动数据).
_ACTIVITY_RANGE = re.compile(
    rf"(?<![\w'])(?:'{L.SHEET_ACTIVITY}'|{L.SHEET_ACTIVITY})!"
    r"\$?[A-Z]{1,3}\$?([0-9]+):\$?[A-Z]{1,3}\$?([0-9]+)"
)
#: 数据质量's weighted total, however it was saved: ``<c r="J206" …><f …>…SUM(J5:J204)</f>``.
_QUALITY_TOTAL = re.compile(
    rb'<c r="J([0-9]+)"[^>]*>\s*<f\b[^>]*>[^<]*?SUM\(\s*\$?J\$?([0-9]+)\s*:\s*\$?J\$?([0-9]+)\s*\)'
)


@dataclass(frozen=True)
class Extent:
    """What a workbook's formulas count.

    ``summary_rows``: the first and last 活动数据 rows of 汇总's totals by category (None: no
    such formulas, nothing to agree with); ``formula_rows``: the 活动数据 rows whose total
    cell holds a formula (None: not read); ``quality_last``/``quality_total_row``: the last
    row 数据质量's weighted total sums, and where that total is (None: not found);
    ``error_cells``: the cells of the sheets ghgxl reads (活动数据, 基本信息, 排放源识别,
    重大性评估) that hold an Excel error value (``"活动数据!T5"`` → ``"#N/A"``);
    ``scope2_cells``: whether 汇总 holds the market-based scope 2 cell function (a workbook
    of template 2026.3 or earlier does not: calc writes nothing there); ``scope2_basis``:
    whether its totals follow 基本信息's 总排放量中范围二的计算方法 (template 2026.5 on).
    """

    summary_rows: tuple[int, int] | None = (L.FIRST_ROW, L.LAST_ROW)
    formula_rows: frozenset[int] | None = None
    quality_last: int | None = L.LAST_ROW
    quality_total_row: int | None = L.QUALITY_TOTAL_ROW
    error_cells: dict[str, str] = field(default_factory=dict)
    scope2_cells: bool = True
    scope2_basis: bool = True


def _formulas(xml: bytes) -> dict[str, str]:
    """Cell ref → formula text of the sheet's formula cells that have their text."""
    return {
        ref.decode("ascii"): html.unescape(text.decode("utf-8"))
        for ref, text in _CELL_FORMULA.findall(xml)
    }


def _summary_rows(formulas: dict[str, str]) -> tuple[int, int] | None:
    """The rows the totals by category (汇总 B5:B10, whose sum is the total) span; where
    they differ, the rows all of them count."""
    cells = L.summary_cells()
    spans = [
        (int(first), int(last))
        for c in L.L_CATEGORIES
        for first, last in _ACTIVITY_RANGE.findall(formulas.get(cells[f"category:{c}"], ""))
    ]
    if not spans:
        return None
    return max(first for first, _ in spans), min(last for _, last in spans)


#: A cell holding an Excel error value (``t="e"``), its formula if any, and the error.
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3}[0-9]+)"[^>]*?\bt="e"[^>]*>\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?\s*<v>([^<]*)</v>'
)


def _activity_scan(member, column: str | None) -> tuple[frozenset[int] | None, dict[str, str]]:
    """One streamed pass over a sheet (whole rows at a time): the rows of ``column`` that
    hold a formula (None without a column), and the cells that hold an Excel error value
    (``#N/A``, ``#DIV/0!`` …), which calamine reads as empty."""
    pattern = None
    if column:
        pattern = re.compile(rb'<c r="' + column.encode("ascii") + rb'([0-9]+)"[^>]*>\s*<f\b')
    rows: set[int] = set()
    errors: dict[str, str] = {}
    for chunk in row_chunks(member):
        if pattern is not None:
            rows.update(int(row) for row in pattern.findall(chunk))
        if b't="e"' in chunk:
            for ref, value in _ERROR_CELL.findall(chunk):
                errors[ref.decode("ascii")] = html.unescape(value.decode("utf-8"))
    return (frozenset(rows) if pattern is not None else None), errors


def read_extent(source: Path | bytes, total_column: str | None = None) -> Extent:
    """The extent of a workbook (a path or its bytes); ``total_column``: where 活动数据's
    row total is, to find the rows that hold its formula."""
    summary_rows = quality_last = quality_total = formula_rows = None
    error_cells: dict[str, str] = {}
    scope2_cells = scope2_basis = False
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as package:
        parts = xlsx.package_sheet_parts(package)
        if L.SHEET_SUMMARY in parts:
            formulas = _formulas(package.read(parts[L.SHEET_SUMMARY]))
            summary_rows = _summary_rows(formulas)
            market = formulas.get(L.SCOPE2_CELLS["scope2_market"], "")
            scope2_cells = "GHG_SCOPE2_MARKET" in market.upper()
            adjustment = formulas.get(L.SCOPE2_CELLS["adjustment"], "")
            scope2_basis = "GHG_SCOPE2_BASIS" in adjustment.upper()
        if L.SHEET_ACTIVITY in parts:
            with package.open(parts[L.SHEET_ACTIVITY]) as sheet:
                column = total_column if summary_rows else None
                formula_rows, errors = _activity_scan(sheet, column)
                error_cells |= {f"{L.SHEET_ACTIVITY}!{ref}": value for ref, value in errors.items()}
        for sheet in (L.SHEET_INFO, L.SHEET_SOURCES, L.SHEET_SIGNIFICANCE):  # a few rows each
            if sheet in parts:
                with package.open(parts[sheet]) as member:
                    _, errors = _activity_scan(member, None)
                error_cells |= {f"{sheet}!{ref}": value for ref, value in errors.items()}
        if L.SHEET_QUALITY in parts:  # its totals are at its end: streamed, whole rows
            with package.open(parts[L.SHEET_QUALITY]) as sheet:
                for chunk in row_chunks(sheet):
                    for row, _first, end in _QUALITY_TOTAL.findall(chunk):
                        quality_total, quality_last = int(row), int(end)
    return Extent(
        summary_rows, formula_rows, quality_last, quality_total, error_cells, scope2_cells,
        scope2_basis,
    )  # fmt: skip
