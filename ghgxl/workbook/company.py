"""The 公司因子 sheet: a company's own factors kept in the workbook, in the columns of a
factor CSV and validated as one (:func:`ghgxl.factors.parse_records`). The headless
reader and the cell functions both read it here, so a company key computes the same in
Excel and on the command line."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache

from ghgxl.errors import GhgError
from ghgxl.factors import (
    FactorLibrary,
    FactorRow,
    key_text,
    parse_records,
    recorded_version,
)
from ghgxl.workbook import layout as L

#: The ``origin`` of a row from the sheet (the report's factor table marks it 公司因子).
ORIGIN = f"company:{L.SHEET_COMPANY}"
KEYS = tuple(c.key for c in L.COMPANY_COLUMNS)


def _text(value: object) -> str:
    """A cell as the CSV would hold it: 0.5 → "0.5", 12.0 → "12", blanks → ""."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def company_rows(
    records: Iterable[tuple[int, dict[str, object]]],
) -> tuple[list[FactorRow], list[GhgError]]:
    """The sheet's ``(row, {column key: cell})`` records as factor rows (verified =
    company, as an overlay CSV's), and an E311 at ``公司因子!A<row>`` for each wrong row."""
    texts = [(row, {k: _text(v) for k, v in record.items()}) for row, record in records]
    keys = {row: key_text(record.get("key")) for row, record in texts}
    rows, errors = parse_records(texts, L.SHEET_COMPANY, ORIGIN)
    placed = [
        GhgError(
            "E311",
            cell=f"{L.SHEET_COMPANY}!{L.COMPANY_COL['key']}{e.details['line']}",
            line=e.details["line"],
            problem=e.details.get("problem", ""),
            problem_en=e.details.get("problem_en", e.details.get("problem", "")),
            key=keys.get(e.details["line"], ""),  # the key whose rows it stops
        )
        for e in errors
    ]
    return [replace(row, verified="company") for row in rows], placed


def _header_key(text: object) -> str | None:
    """A header cell → its column key, matched as the reader matches headers (spaces
    ignored): ``因子键 key`` → ``key``."""
    return _HEADERS.get(re.sub(r"\s+", "", _text(text)))


_HEADERS = {re.sub(r"\s+", "", c.header): c.key for c in L.COMPANY_COLUMNS}


def table_records(table: Sequence[Sequence[object]]) -> list[tuple[int, dict[str, object]]]:
    """The named range ``ghg_company_factors`` as a cell function gets it — the header row,
    then the rows — as records with their sheet rows, columns found by their headers."""
    if not table:
        return []
    header = [_header_key(v) for v in table[0]]
    records = []
    for offset, cells in enumerate(table[1:]):
        record = {k: v for k, v in zip(header, cells, strict=False) if k}
        if any(_text(v) for v in record.values()):
            records.append((L.FIRST_ROW + offset, record))
    return records


@lru_cache(maxsize=8)
def _library(
    table: tuple[tuple[object, ...], ...], version: str | None
) -> tuple[FactorLibrary | None, dict[str, GhgError]]:
    records = table_records(table)
    rows, errors = company_rows(records)
    broken: dict[str, GhgError] = {}
    by_line = dict(records)
    for error in errors:
        key = key_text(by_line.get(error.details["line"], {}).get("key"))  # as the engine
        broken.setdefault(key, error)
    if not rows and version is None:
        return None, broken
    base = FactorLibrary.release(version)  # E310 when this ghgxl lacks it
    return (base.with_overlay(rows) if rows else base), broken


def library_for(table: object, key: object = None, version: object = None) -> FactorLibrary | None:
    """The library a 活动数据 row's cell function computes with, as ``ghgxl calc`` does: the
    version the workbook records (基本信息 因子库版本, ``ghg_library``; the installed one when
    blank) with the 公司因子 rows over it — parsed once per content of the table. None when
    both are absent (the installed library). Raises E310 for a version this ghgxl lacks,
    and the row's E311 when ``key`` is a key of a wrong row of the sheet."""
    grid: tuple[tuple[object, ...], ...] = ()
    if isinstance(table, (list, tuple)) and len(table) >= 2:
        grid = tuple(tuple(row) if isinstance(row, (list, tuple)) else (row,) for row in table)
    library, broken = _library(grid, recorded_version(version))
    name = key_text(key)
    if name in broken:
        raise broken[name]
    return library


def record_of(row: FactorRow) -> dict[str, object]:
    """A 公司因子 row as the sheet's (and the overlay CSV's) columns hold it."""
    return {k: getattr(row, k) for k in KEYS if getattr(row, k, None) not in (None, "")}
