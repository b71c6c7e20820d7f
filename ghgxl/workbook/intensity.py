"""Intensity indicators (ISO 14064-1:2018 9.3.2; GHG Protocol Corporate Standard ch. 9):
the total emissions per unit of output, per 万元 of revenue and per employee, from the
denominators 基本信息 gives. A denominator left blank, zero, negative or not a number gives
no indicator (never a division by something that is not the company's figure)."""

from __future__ import annotations

from dataclasses import dataclass

from ghgxl.errors import GhgError
from ghgxl.units import cell_repr, is_number
from ghgxl.workbook import layout as L
from ghgxl.workbook.read import is_blank

#: 基本信息 key of each denominator → (indicator key, unit of the indicator, Chinese name).
DENOMINATORS = {
    "output": ("per_output", "t CO2e/{unit}", "单位产品排放强度"),
    "revenue_10k_yuan": ("per_revenue", "t CO2e/万元", "单位营业收入排放强度"),
    "employees": ("per_employee", "t CO2e/人", "人均排放量"),
}


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    value: float
    unit: str
    denominator: float

    def as_dict(self) -> dict[str, object]:
        return {"value": self.value, "unit": self.unit, "denominator": self.denominator}


def indicators(info: dict[str, object], total: float) -> list[Indicator]:
    """The indicators whose denominator 基本信息 gives as a positive number."""
    out = []
    for field, (key, unit, name) in DENOMINATORS.items():
        value = info.get(field)
        if not is_number(value) or float(value) <= 0:  # type: ignore[arg-type]
            continue
        output_unit = str(info.get("output_unit") or "").strip() or "单位产品"
        out.append(
            Indicator(key, name, total / float(value), unit.format(unit=output_unit), float(value))  # type: ignore[arg-type]
        )
    return out


def denominator_findings(info: dict[str, object], place) -> list[GhgError]:
    """W117 at each denominator filled but not a positive number (text such as "250,000",
    zero, negative): its indicator is left out, and ``check`` says so rather than silently.
    ``place(key)`` names the 基本信息 cell of a field."""
    found = []
    for field, (_, _, name) in DENOMINATORS.items():
        value = info.get(field)
        if is_blank(value) or (is_number(value) and float(value) > 0):  # type: ignore[arg-type]
            continue
        label = L.INFO_FIELD[field].label
        found.append(
            GhgError("W117", cell=place(field), field=label, value=cell_repr(value), name=name)
        )
    return found
