"""From an amount and a factor to masses of gas and CO2e — the one calculation everything uses.

A factor turns one unit of activity into kg of each gas it names. :func:`library_multipliers`
and :func:`explicit_multipliers` work out "kg of gas per one amount unit" for a factor and
the unit the user typed, converting through the fuel's density and NCV where the units
differ (L of diesel against a factor per TJ). Because every method is linear in its
activity, a block of rows that share factor and unit is then one multiplication
(:mod:`ghgxl.inventory`). :func:`co2e_by_group` weights masses with a GWP set and splits
blends into their components, so HFC blends are reported as HFCs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from ghgxl import gwp
from ghgxl.errors import GhgError
from ghgxl.factors import ANY_GAS, FactorLibrary, FactorRow
from ghgxl.units import (
    SUBSTANCE_TAGS,
    FactorUnit,
    cell_repr,
    conversion_factor,
    normalize_text,
    parse_factor_unit,
    parse_unit,
    ureg,
)


def gas_or_all(gas: object) -> str | None:
    """A 气体 cell as the calculation reads it: None for "all gases of the factor" (empty or
    CO2e, in any case or width), else the canonical gas (``*`` as it is)."""
    text = "" if gas is None else normalize_text(str(gas))
    if text.upper() in ("", "CO2E"):
        return None
    return ANY_GAS if text == ANY_GAS else gwp.canonical_gas(text)


KG = "kg"
#: Groups whose CO2e counts in the inventory total (ISO 14064-1's seven gases, plus
#: factors that are already CO2e); biogenic CO2 and non-Kyoto gases are reported apart.
TOTAL_GROUPS = (*gwp.KYOTO_GROUPS, "CO2e")
#: Every reporting group, in the order results are shown.
GROUPS = (*TOTAL_GROUPS, "CO2-biogenic", "Other")
_GROUP_ALIASES = {"BIOGENIC": "CO2-biogenic", "生物质CO2": "CO2-biogenic", "未分气体": "CO2e"}


#: A factor unit in carbon mass (``tC/TJ``): what it gives is CO2, 44/12 kg per kg of C
#: (molar masses 44 and 12, as IPCC 2006 Vol 2 eq. 2.3 and China's guidelines write it).
CARBON = "C"
CO2_PER_CARBON = 44 / 12
#: Substance tags that are no greenhouse gas: only an activity (``kgCH4/kgBOD``), never
#: what a factor gives.
NOT_GASES = ("BOD", "COD")


def gas_mass_ratio(factor_unit: FactorUnit) -> float:
    """kg of gas per kg of what the factor unit counts: 44/12 for carbon, else 1."""
    return CO2_PER_CARBON if factor_unit.gas == CARBON else 1.0


@dataclass(frozen=True)
class Multipliers:
    """kg of each gas per one unit of the amount, and the factor rows that gave them."""

    per_unit: dict[str, float]
    rows: tuple[FactorRow, ...]


def split_amount_unit(text: str) -> tuple[str, str | None]:
    """``'kgBOD'`` → ``('kg', 'BOD')``; ``'kWh'`` → ``('kWh', None)``."""
    compact = normalize_text(text).replace(" ", "")
    for tag in SUBSTANCE_TAGS:
        if compact.endswith(tag) and len(compact) > len(tag):
            head = compact[: -len(tag)]
            try:
                parse_unit(head)
            except GhgError:
                continue
            return head, tag
    return compact, None


def _fuel_parameters(library: FactorLibrary, key: str) -> list[FactorRow]:
    """Density and NCV of the fuel a ``fuel.<id>.*`` key belongs to (those that exist)."""
    parts = key.split(".")
    if len(parts) < 3 or parts[0] != "fuel":
        return []
    prefix = f"fuel.{parts[1]}"
    found = [library.parameter(f"{prefix}.{name}") for name in ("density", "ncv")]
    return [row for row in found if row is not None]


def _parameter_quantity(row: FactorRow) -> ureg.Quantity:
    return ureg.Quantity(row.value, parse_unit(row.unit))


def activity_conversion(
    amount_unit: str, activity_unit: str, parameters: list[FactorRow]
) -> tuple[float, tuple[FactorRow, ...]]:
    """How many ``activity_unit`` one ``amount_unit`` is, through fuel density and NCV
    where the dimensions differ; and which parameter rows were used.

    Raises
    ------
    GhgError
        E201 unknown unit, E204 currencies, E202/E307 no conversion path.
    """
    try:
        return conversion_factor(amount_unit, activity_unit), ()
    except GhgError as direct:
        if direct.code != "E202":
            raise
        target = parse_unit(activity_unit)
        one = ureg.Quantity(1.0, parse_unit(amount_unit))
        for used in _parameter_chains(parameters):
            quantity = one
            for row in used:
                quantity = quantity * _parameter_quantity(row)
            for candidate in (quantity, one / _product(used)):
                if candidate.dimensionality == target.dimensionality:
                    return float(candidate.to(target).magnitude), used
        if not parameters:
            raise direct from None
        raise GhgError("E202", unit=amount_unit, target=activity_unit) from None


def _product(rows: tuple[FactorRow, ...]) -> ureg.Quantity:
    quantity = ureg.Quantity(1.0)
    for row in rows:
        quantity = quantity * _parameter_quantity(row)
    return quantity


def _parameter_chains(parameters: list[FactorRow]) -> list[tuple[FactorRow, ...]]:
    """Density alone, NCV alone, then density × NCV (volume → mass → energy)."""
    singles = [(row,) for row in parameters]
    return singles + ([tuple(parameters)] if len(parameters) == 2 else [])


def _check_tag(amount_tag: str | None, factor_unit: FactorUnit, amount_unit: str) -> None:
    if amount_tag and factor_unit.activity_tag and amount_tag != factor_unit.activity_tag:
        raise GhgError("E202", unit=amount_unit, target=factor_unit.text)


def _row_gas(row: FactorRow, gas: str | None, key: str) -> str:
    if row.gas != ANY_GAS:
        return row.gas  # type: ignore[return-value]
    if gas is None or gas == "CO2e":
        raise GhgError("E304", key=key)
    return gas


@lru_cache(maxsize=65536)
def _library_multipliers(
    library: FactorLibrary, key: str, amount_unit: str, gas: str | None
) -> Multipliers:
    rows = library.emission_factors(key)
    unit_text, amount_tag = split_amount_unit(amount_unit)
    parameters = _fuel_parameters(library, key)
    per_unit: dict[str, float] = {}
    used: list[FactorRow] = []
    for row in rows:
        factor_unit = parse_factor_unit(row.unit)
        _check_tag(amount_tag, factor_unit, amount_unit)
        to_activity, via = activity_conversion(unit_text, factor_unit.activity_unit, parameters)
        row_gas = _row_gas(row, gas, key)
        ratio = gas_mass_ratio(factor_unit)
        per_unit[row_gas] = to_activity * row.value * factor_unit.mass_in(KG) * ratio
        used += [row, *(p for p in via if p not in used)]
    return Multipliers(per_unit, tuple(used))


def one_gas(multipliers: Multipliers, gas: str | None, key: str) -> Multipliers:
    """A library factor's multipliers as a row naming ``gas`` (:func:`gas_or_all`) counts
    them: that gas alone, and the factor rows of it and the parameters (E302 when the factor
    has no such gas); all of them when ``gas`` is None."""
    if gas is None or gas == ANY_GAS:
        return multipliers
    if gas not in multipliers.per_unit:
        raise GhgError("E302", key=key, gas=gas, available=", ".join(multipliers.per_unit))
    rows = tuple(r for r in multipliers.rows if r.gas in (None, gas, ANY_GAS))
    return Multipliers({gas: multipliers.per_unit[gas]}, rows)


def library_multipliers(
    library: FactorLibrary, key: str, amount_unit: str, gas: str | None = None
) -> Multipliers:
    """kg of each gas per one ``amount_unit`` for the library factor ``key``.

    ``gas`` names the gas of a ``*`` factor (a refrigerant leak rate); for other factors it
    is ignored here (the caller picks one gas of the result if it wants one).
    """
    name = None if gas is None or gas == "CO2e" else gwp.canonical_gas(gas)
    return _library_multipliers(library, key, amount_unit, name)


@lru_cache(maxsize=65536)
def explicit_multipliers(
    factor: float, factor_unit_text: str, amount_unit: str, gas: str | None = None
) -> Multipliers:
    """kg of gas per one ``amount_unit`` for an explicit factor ``factor factor_unit``.

    The gas is the one the factor unit names (``kgCH4/kg``), else ``gas``, else CO2.
    ``CO2e`` units carry no gas and get no GWP.

    Raises
    ------
    GhgError
        E203 bad factor unit, E404 the unit's gas and ``gas`` disagree, E202 units.
    """
    factor_unit = parse_factor_unit(factor_unit_text)
    if factor_unit.gas in NOT_GASES:
        raise GhgError("E207", unit=factor_unit_text, tag=factor_unit.gas)
    named = None if gas in (None, "") else gwp.canonical_gas(gas)
    unit_gas = "CO2" if factor_unit.gas == CARBON else factor_unit.gas
    if unit_gas and named and named != unit_gas and unit_gas != "CO2e":
        raise GhgError("E404", unit_gas=factor_unit.gas, gas=named)
    row_gas = unit_gas or named or "CO2"
    unit_text, amount_tag = split_amount_unit(amount_unit)
    _check_tag(amount_tag, factor_unit, amount_unit)
    to_activity, _ = activity_conversion(unit_text, factor_unit.activity_unit, [])
    per_unit = to_activity * factor * factor_unit.mass_in(KG) * gas_mass_ratio(factor_unit)
    return Multipliers({row_gas: per_unit}, ())


@lru_cache(maxsize=4096)
def co2e_weights(gas: str, gwp_set: str) -> dict[str, float]:
    """kg CO2e per kg of ``gas``, split by reporting group (a blend into its components'
    groups): ``co2e_weights('R-410A', 'AR6') == {'HFCs': 2255.5}``."""
    weights: dict[str, float] = {}
    for part, share in gwp.composition(gas).items():
        group = gwp.gas_group(part)
        weights[group] = weights.get(group, 0.0) + share * gwp.gwp(part, gwp_set)
    return weights


def co2e_by_group(kg_by_gas: dict[str, float], gwp_set: str) -> dict[str, float]:
    """kg CO2e by reporting group (CO2, CH4, ..., CO2e, CO2-biogenic, Other)."""
    groups: dict[str, float] = {}
    for gas, kg in kg_by_gas.items():
        for group, weight in co2e_weights(gas, gwp_set).items():
            groups[group] = groups.get(group, 0.0) + kg * weight
    return groups


def canonical_group(name: object) -> str:
    """``'hfcs'`` → ``'HFCs'``, ``'biogenic'`` → ``'CO2-biogenic'``; E405 otherwise."""
    text = normalize_text(str(name or "")).replace(" ", "")
    by_upper = {g.upper(): g for g in GROUPS} | _GROUP_ALIASES
    if text.upper() in by_upper:
        return by_upper[text.upper()]
    if text in _GROUP_ALIASES:
        return _GROUP_ALIASES[text]
    raise GhgError("E405", group=name, available=", ".join(GROUPS))


#: No single source emits more than the whole world does in a year (about 5.5e10 t CO2e,
#: UNEP Emissions Gap Report 2023): a larger row is a typing error (kg as t, a stray
#: exponent), and 10^6 such rows still add up to a finite total.
MAX_ROW_TCO2E = 1e11


def check_size(amount: object, tco2e: float) -> None:
    """E105 when a row's emissions are not a finite number (1e308 × a factor), E106 when
    they are more than :data:`MAX_ROW_TCO2E` — never a row that silently drops out of a sum."""
    if not math.isfinite(tco2e):
        raise GhgError("E105", value=cell_repr(amount), what="amount")
    if abs(tco2e) > MAX_ROW_TCO2E:
        raise GhgError("E106", value=f"{tco2e:.3g}", what="amount")


def total_co2e(groups: dict[str, float]) -> float:
    """The part of :func:`co2e_by_group` that counts in an inventory total."""
    return sum(value for group, value in groups.items() if group in TOTAL_GROUPS)
