"""How far a workbook's own formulas reach: the 活动数据 rows its 汇总 formulas sum, and the
rows and the weighted total of its 数据质量 sheet.

A workbook has the template's 200 rows, or as many as ``ghgxl workbook new --rows N`` gave
it, or whatever a user made of it. The headless path mirrors the sheet formulas as Excel
computes them, so it reads their ranges rather than assuming the template's: a row below
the 汇总 ranges is one Excel leaves out of the totals, and ``ghgxl calc``/``check`` say so
(E514) instead of writing totals that the workbook's own formulas contradict; a row below
数据质量's is counted but its data quality is not (W106, from ``check``).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ghgxl.workbook import layout as L
from ghgxl.workbook import xlsx
from ghgxl.workbook.patch import row_chunks

_FORMULA_TEXT = re.compile(rb"<f\b[^>]*>([^<]*)</f>")
_ACTIVITY_RANGE = re.compile(
    rf"(?:'{L.SHEET_ACTIVITY}'|{L.SHEET_ACTIVITY})!\$?[A-Z]{{1,3}}\$?([0-9]+):\$?[A-Z]{{1,3}}\$?([0-9]+)"
)
#: 数据质量's weighted total: ``<c r="J206" …><f>SUM(J5:J204)</f>``.
_QUALITY_TOTAL = re.compile(rb'<c r="J([0-9]+)"[^>]*><f>SUM\(J([0-9]+):J([0-9]+)\)</f>')


@dataclass(frozen=True)
class Extent:
    """The last 活动数据 row the 汇总 formulas count (None: no such formulas), and
    数据质量's last row and weighted-total row."""

    summary_last: int | None = L.LAST_ROW
    quality_last: int | None = L.LAST_ROW
    quality_total_row: int = L.QUALITY_TOTAL_ROW


def _summary_last(xml: bytes) -> int | None:
    """The last row of the 活动数据 ranges in 汇总's formulas (the lowest, if they differ:
    rows below it are not counted everywhere)."""
    ends = [
        int(end)
        for text in _FORMULA_TEXT.findall(xml)
        for _start, end in _ACTIVITY_RANGE.findall(html.unescape(text.decode("utf-8")))
    ]
    return min(ends) if ends else None


def read_extent(source: Path | bytes) -> Extent:
    """The extent of a workbook (a path or its bytes)."""
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as package:
        parts = xlsx.package_sheet_parts(package)
        summary_last = quality_last = None
        quality_total = L.QUALITY_TOTAL_ROW
        if L.SHEET_SUMMARY in parts:
            summary_last = _summary_last(package.read(parts[L.SHEET_SUMMARY]))
        if L.SHEET_QUALITY in parts:  # its totals are at its end: streamed, whole rows
            with package.open(parts[L.SHEET_QUALITY]) as sheet:
                for chunk in row_chunks(sheet):
                    for row, _first, end in _QUALITY_TOTAL.findall(chunk):
                        quality_total, quality_last = int(row), int(end)
    return Extent(summary_last, quality_last, quality_total)
