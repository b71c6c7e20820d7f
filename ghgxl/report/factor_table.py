"""The factors a report cites: one numbered row per factor or parameter actually used, with
its Chinese name, value, unit and a citation a verifier can look up; for each 活动数据 row,
the numbers of the factors it used and its combined factor (kg CO2e per unit of its
amount), so any row can be recomputed as amount × combined factor; the grid factors named
in the text; and the publications of 参考文献.

No factor key and no note on where a library value was read reaches the report: those stay
in the library (``factors/SOURCES.md``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ghgxl import citations
from ghgxl.emission import (
    Multipliers,
    co2e_by_group,
    explicit_multipliers,
    gas_or_all,
    library_multipliers,
    one_gas,
    total_co2e,
)
from ghgxl.errors import GhgError
from ghgxl.factors import ANY_GAS, LIBRARY_ORIGIN, FactorLibrary, FactorRow, key_text
from ghgxl.methods import METHODS
from ghgxl.units import parse_amount
from ghgxl.workbook.read import is_blank

#: The gas column of a leak rate, whose gas is the refrigerant each row names.
ANY_GAS_TEXT = "所填制冷剂"
#: Between factor numbers: 、 and a zero-width space, where a line may break (LibreOffice
#: breaks no line at 、 between Latin letters, and would split F11 into F1 / 1).
REF_SEPARATOR = "、\u200b"
_YEAR_KEY = re.compile(r"\.(\d{4})$")


def number_text(value: float, digits: int = 10) -> str:
    """A value as published, without an exponent: ``63100``, ``0.238333``, ``0.00012``."""
    if not math.isfinite(value):
        return "-"
    text = f"{value:.{digits}g}"
    if "e" in text:
        decimals = max(0, digits - 1 - math.floor(math.log10(abs(value))))
        text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return text


@dataclass
class FactorTable:
    """The numbered factors, and what each 活动数据 row used."""

    entries: list[dict[str, str]] = field(default_factory=list)
    row_refs: list[str] = field(default_factory=list)  # "F3、F4、F5" per row
    row_factor: list[str] = field(default_factory=list)  # kg CO2e per unit, per row
    codes: list[str] = field(default_factory=list)  # source codes of the library rows used
    also: dict[str, str] = field(default_factory=dict)  # each ``also`` key → its F-numbers
    grid: list[dict[str, str]] = field(default_factory=list)

    def _number(self, identity: tuple, entry: dict[str, str], seen: dict[tuple, str]) -> str:
        if identity not in seen:
            seen[identity] = f"F{len(seen) + 1}"
            self.entries.append({"no": seen[identity], **entry})
        return seen[identity]


_GAS_ORDER = ("CO2", "CH4", "N2O")


def _reading_order(factor: FactorRow) -> tuple[int, int, str]:
    """Emission factors before parameters; CO2, CH4, N2O first; then by key."""
    gas = factor.gas or ""
    rank = _GAS_ORDER.index(gas) if gas in _GAS_ORDER else len(_GAS_ORDER)
    return (factor.is_parameter, rank, factor.key)


def _library_entry(factor: FactorRow) -> dict[str, str]:
    gas = factor.gas or "参数"
    if gas == ANY_GAS:
        gas = ANY_GAS_TEXT
    cited = citations.citation(factor.source)
    if factor.origin != LIBRARY_ORIGIN:
        cited = f"{factor.source}（公司因子）"
    return {
        "name": factor.name_zh,
        "gas": gas,
        "value": number_text(factor.value),
        "unit": factor.unit,
        "citation": cited,
    }


def _combined(multipliers: Multipliers, gwp_set: str) -> str:
    """kg CO2e (counted in the total) per unit of the row's amount."""
    return number_text(total_co2e(co2e_by_group(multipliers.per_unit, gwp_set)), 7)


def _use(row: dict[str, object], key: str, unit: str, gas: str | None) -> tuple:
    """What decides a row's factor numbers and combined factor: rows alike share them, so
    100,000 rows that use a few factors are worked out a few times."""
    if key:
        return ("lib", key, unit, gas)
    own = (row.get("factor"), row.get("factor_unit"), row.get("factor_source"))
    return ("own", *(None if is_blank(v) else str(v) for v in own), unit, gas)


def factor_table(
    rows: Iterable[dict[str, object]],
    library: FactorLibrary,
    gwp_set: str,
    year: object,
    also: Iterable[str] = (),
) -> FactorTable:
    """The table of every factor the rows used, numbered in the order first used, then the
    library factors ``also`` names (the residual factors of a market-based scope 2); rows
    with an error get ``-`` (``ghgxl check`` lists them, not the factor table)."""
    table = FactorTable()
    seen: dict[tuple, str] = {}
    grid_keys: dict[str, FactorRow] = {}
    done: dict[tuple, tuple[str, str]] = {}  # a row's use → its factor numbers, combined
    users: dict[str, dict[str, None]] = {}  # a 自定因子's number → the sources using it
    gases: dict[object, str | None] = {}  # each distinct cell read once (100,000 rows)
    keys: dict[object, str] = {}
    for row in rows:
        unit, gas, cell = str(row.get("unit") or ""), row.get("gas"), row.get("factor_key")
        if gas not in gases:
            try:
                gases[gas] = gas_or_all(None if is_blank(gas) else gas)  # as the engine
            except GhgError:
                gases[gas] = str(gas)  # a gas no one knows: the row is in error, "-" below
        gas_name = gases[gas]
        key = keys[cell] if cell in keys else keys.setdefault(cell, key_text(cell))
        use = _use(row, key, unit, gas_name)
        if use in done:
            refs_text, combined = done[use]
            table.row_refs.append(refs_text)
            table.row_factor.append(combined)
            if use[0] == "own" and refs_text in users:
                users[refs_text][_source_name(row)] = None
            continue
        refs: list[str] = []
        combined = "-"
        try:
            if key:
                multipliers = one_gas(
                    library_multipliers(library, key, unit, gas_name), gas_name, key
                )
                for used in sorted(multipliers.rows, key=_reading_order):
                    refs.append(
                        table._number(("lib", used.key, used.gas), _library_entry(used), seen)
                    )
                    if used.origin == LIBRARY_ORIGIN:
                        table.codes += citations.codes_in(used.source)
                    if key.startswith(("grid.", "heat.")) and used.key == key:
                        grid_keys.setdefault(key, used)
                combined = _combined(multipliers, gwp_set)
            elif not is_blank(row.get("factor")):
                value = parse_amount(row["factor"], what="factor")  # "1,234" as the engine
                factor_unit = str(row.get("factor_unit") or "")
                multipliers = explicit_multipliers(value, factor_unit, unit, gas_name)
                source = str(row.get("factor_source") or "").strip() or "（未注明来源）"
                entry = {
                    "name": "",  # named after the sources that use it, below
                    "gas": "、".join(multipliers.per_unit),
                    "value": number_text(value),
                    "unit": factor_unit,
                    "citation": source,
                }
                identity = ("explicit", value, factor_unit, entry["gas"], source)
                refs.append(table._number(identity, entry, seen))
                users.setdefault(refs[-1], {})[_source_name(row)] = None
                combined = _combined(multipliers, gwp_set)
        except (GhgError, TypeError, ValueError):
            refs, combined = [], "-"
        done[use] = (REF_SEPARATOR.join(dict.fromkeys(refs)) or "-", combined)
        table.row_refs.append(done[use][0])
        table.row_factor.append(combined)
    for key in also:
        numbers = []
        for used in sorted(library.rows_of(key), key=_reading_order):
            numbers.append(table._number(("lib", used.key, used.gas), _library_entry(used), seen))
            table.codes += citations.codes_in(used.source)
        table.also[key] = REF_SEPARATOR.join(numbers)
    for entry in table.entries:
        if entry["no"] in users:
            entry["name"] = _own_factor_name(list(users[entry["no"]]))
    table.grid = [_grid_entry(factor, year) for factor in grid_keys.values()]
    return table


#: Sources named in the name of a 自定因子 several use; beyond, "… 等 N 个排放源".
NAMED_USERS = 3


def _source_name(row: dict[str, object]) -> str:
    return str(row.get("source") or row.get("id") or "")


def _own_factor_name(sources: list[str]) -> str:
    """``原材料 针状煅后焦（自定因子）``; shared: ``A、B（自定因子）``, ``A、B、C 等 5 个排放源
    （自定因子）``."""
    named = "、".join(sources[:NAMED_USERS])
    if len(sources) > NAMED_USERS:
        named += f" 等 {len(sources)} 个排放源"
    return f"{named}（自定因子）"


def _grid_entry(factor: FactorRow, year: object) -> dict[str, str]:
    """A grid or heat factor as the text names it, with its data year against the
    reporting year."""
    match = _YEAR_KEY.search(factor.key)
    data_year = match.group(1) if match else ""
    reporting = str(year).strip()
    if not data_year:
        note = ""
    elif data_year == reporting:
        note = f"因子数据年份为 {data_year} 年，与报告年度相同。"
    else:
        note = f"因子数据年份为 {data_year} 年，与报告年度 {reporting} 年不同。"
    return {
        "name": factor.name_zh,
        "value": number_text(factor.value),
        "unit": factor.unit,
        "year": data_year,
        "citation": _library_entry(factor)["citation"],
        "note": note,
    }


def references(used: Iterable[str], gwp_code: str, codes: Iterable[str]) -> list[str]:
    """参考文献: the standards, the GWP report, the publications of the methods and of the
    library factors used, each once."""
    method_codes = [c for m in used for c in METHODS[m].codes if m in METHODS]
    return citations.publications([*citations.STANDARDS, gwp_code, *method_codes, *codes])
