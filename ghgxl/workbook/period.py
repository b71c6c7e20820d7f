"""The inventory's year and period as 基本信息 gives them (报告年度, 盘查期间开始/结束), read
the one way every path reads them, and what makes them unfit for a report: a year that is no
year ("二〇二三", "2023年"), a period that ends before it starts, or one that does not touch
the reporting year. Each keeps the report a draft (``ghgxl check`` says it as an error)."""

from __future__ import annotations

import datetime as dt
import re

from ghgxl.errors import GhgError
from ghgxl.export import cell_text
from ghgxl.units import cell_repr
from ghgxl.workbook import layout as L
from ghgxl.workbook.read import WorkbookData, is_blank

#: A date typed as text: 2023-01-01, 2023/1/1, 2023.1.1, 2023年1月1日.
DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
#: Years a reporting year may be (Excel's dates start in 1900).
YEARS = (1900, 2200)


def year_of(value: object) -> int | None:
    """报告年度 as a number: 2023, 2023.0 or "2023" typed as text; None for anything else."""
    text = (cell_text(value) or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    year = int(text)
    return year if YEARS[0] <= year <= YEARS[1] else None


def day_of(value: object) -> dt.date | None:
    """A period bound typed as a date or as text (2023-01-01, 2023/1/1, 2023年1月1日); None
    for anything else (a placeholder, text that is no date, a bare number)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    found = DATE_TEXT.fullmatch((cell_text(value) or "").strip())
    if not found:
        return None
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:  # 2023-02-30
        return None


def day_text(value: object) -> str:
    """A period bound as one form (2023-01-01), or as typed when it is no date."""
    day = day_of(value)
    return f"{day:%Y-%m-%d}" if day else (cell_text(value) or "").strip()


#: 基本信息 fields that hold a year: key, and how a message names it.
YEAR_FIELDS = (
    ("reporting_year", "报告年度", "reporting year"),
    ("base_year", "基准年", "base year"),
    ("previous_year", "上一年度", "earlier year"),
)


def _place(data: WorkbookData, key: str) -> str:
    return f"{L.SHEET_INFO}!B{data.info_rows.get(key, L.INFO_ROW[key])}"


def _touches(start: dt.date | None, end: dt.date | None, year: int) -> bool:
    """Whether the period holds a day of ``year`` (a bound left blank: the other's year)."""
    if start and end:
        return start.year <= year <= end.year
    return (start or end).year == year  # type: ignore[union-attr]


def period_findings(data: WorkbookData) -> list[GhgError]:
    """E517 where 报告年度, 基准年 or 上一年度 is filled but no year; E518 where the period
    ends before it starts; E519 where it holds no day of the reporting year."""
    info = data.info
    found = []
    for key, field, field_en in YEAR_FIELDS:
        typed = info.get(key)
        if year_of(typed) is None and not is_blank(typed):
            value = cell_repr(typed)
            found.append(
                GhgError(
                    "E517", cell=_place(data, key), value=value, field=field, field_en=field_en
                )
            )
    year = year_of(info.get("reporting_year"))
    start, end = day_of(info.get("period_start")), day_of(info.get("period_end"))
    if start and end and start > end:
        found.append(
            GhgError("E518", cell=_place(data, "period_end"), start=f"{start}", end=f"{end}")
        )
    elif year is not None and (start or end) and not _touches(start, end, year):
        shown = " 至 ".join(
            day_text(info.get(key)) or "（未填写）" for key in ("period_start", "period_end")
        )
        found.append(GhgError("E519", cell=_place(data, "period_start"), period=shown, year=year))
    return found
