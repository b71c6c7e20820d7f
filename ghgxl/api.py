"""The Python API behind the cell functions and the CLI: one function per question a user asks.

These functions raise :class:`~ghgxl.errors.GhgError`; :mod:`ghgxl.udfs` turns that into
``#GHG!`` cell text and :mod:`ghgxl.cli` into a terminal message.
"""

from __future__ import annotations

from ghgxl import gwp
from ghgxl.emission import (
    KG,
    Multipliers,
    canonical_group,
    check_size,
    co2e_by_group,
    explicit_multipliers,
    gas_or_all,
    library_multipliers,
    total_co2e,
)
from ghgxl.errors import GhgError
from ghgxl.factors import ANY_GAS, FactorLibrary, FactorRow, key_of
from ghgxl.units import (
    conversion_factor,
    normalize_text,
    parse_amount,
    parse_factor_unit,
    parse_number,
    split_mass_and_substance,
)

DEFAULT_OUT = "tCO2e"
FACTOR_FIELDS = ("value", "unit", "source", "name_zh", "name_en", "verified", "low", "high")


def _text(value: object, what: str) -> str:
    if value is None or not normalize_text(str(value)):
        raise GhgError("E101", what=what)
    return normalize_text(str(value))


def _blank(value: object) -> bool:
    return value is None or not normalize_text(str(value))


def _key(value: object) -> str:
    return _text(key_of(value), "factor_key").lower()


def parse_out_unit(text: object) -> tuple[str, str]:
    """``'tCO2e'`` → ``('t', 'CO2e')``; ``'kgCH4'`` → ``('kg', 'CH4')``; E205 otherwise."""
    split = split_mass_and_substance(normalize_text(str(text or DEFAULT_OUT)).replace(" ", ""))
    if split is None or split[1] in (None, "C", "BOD", "COD"):  # a mass of what is given
        raise GhgError("E205", unit=text)
    return split  # type: ignore[return-value]


def express(
    amount: float,
    multipliers: Multipliers,
    gas: str | None,
    gwp_set: str,
    out_unit: object,
    key: str = "",
    group: object = None,
) -> float:
    """``amount`` × multipliers, for one gas or all, in ``out_unit`` (CO2e or mass of a gas).

    With ``group`` (CO2, CH4, N2O, HFCs, PFCs, SF6, NF3, CO2e, CO2-biogenic, Other) only the
    CO2e of that gas group is returned, 0 when the factor has none: the per-gas columns of
    the 活动数据 sheet.
    """
    out_mass, out_gas = parse_out_unit(out_unit)
    per_unit = multipliers.per_unit
    if gas is not None:
        if gas not in per_unit:
            raise GhgError("E302", key=key, gas=gas, available=", ".join(per_unit))
        per_unit = {gas: per_unit[gas]}
    if not _blank(group):
        if out_gas != "CO2e":
            raise GhgError("E205", unit=out_unit)
        kg = co2e_by_group(per_unit, gwp_set).get(canonical_group(group), 0.0)
    elif out_gas == "CO2e":
        groups = co2e_by_group(per_unit, gwp_set)
        kg = sum(groups.values()) if gas is not None else total_co2e(groups)
    elif out_gas in per_unit and (gas is not None or len(per_unit) == 1):
        kg = per_unit[out_gas]
    elif gas is None:
        raise GhgError("E205", unit=out_unit)
    else:
        raise GhgError("E404", unit_gas=out_gas, gas=gas)
    return amount * kg * conversion_factor(KG, out_mass)


def emission(
    amount: object,
    amount_unit: object,
    factor_key: object,
    gas: object = "CO2e",
    gwp_set: object = gwp.DEFAULT_SET,
    out_unit: object = DEFAULT_OUT,
    group: object = None,
    library: FactorLibrary | None = None,
) -> float:
    """Emissions from a library factor: ``amount × factor`` per gas, weighted with ``gwp_set``.

    ``gas='CO2e'`` sums all gases of the factor (biogenic CO2 left out); a gas name picks one,
    and names the refrigerant of a ``*`` factor (leak rates).
    """
    library = library or FactorLibrary.default()
    value = parse_amount(amount, what="amount")
    key = _key(factor_key)
    set_name = gwp.canonical_set(gwp_set or gwp.DEFAULT_SET)
    chosen = gas_or_all(gas)
    multipliers = library_multipliers(library, key, _text(amount_unit, "amount_unit"), chosen)
    _check_size(amount, value, multipliers, set_name)
    return express(value, multipliers, chosen, set_name, out_unit, key, group)


def emission_ef(
    amount: object,
    amount_unit: object,
    factor: object,
    factor_unit: object,
    gas: object = None,
    gwp_set: object = gwp.DEFAULT_SET,
    out_unit: object = DEFAULT_OUT,
    group: object = None,
) -> float:
    """Emissions from an explicit factor: ``amount × factor × GWP(gas)``; no GWP for a
    factor already in CO2e. The gas is the factor unit's (``kgCH4/kg``), else ``gas``, else CO2.
    """
    value = parse_amount(amount, what="amount")
    factor_value = parse_amount(factor, what="factor")
    set_name = gwp.canonical_set(gwp_set or gwp.DEFAULT_SET)
    named = gas_or_all(gas)
    multipliers = explicit_multipliers(
        factor_value, _text(factor_unit, "factor_unit"), _text(amount_unit, "amount_unit"), named
    )
    (row_gas,) = multipliers.per_unit  # an explicit factor is one gas
    _check_size(amount, value, multipliers, set_name)
    return express(value, multipliers, row_gas, set_name, out_unit, "", group)


def emission_groups(
    amount: object,
    amount_unit: object,
    factor_key: object,
    factor: object,
    factor_unit: object,
    gas: object = None,
    gwp_set: object = gwp.DEFAULT_SET,
    groups: object = "CO2e",
    out_unit: object = DEFAULT_OUT,
    library: FactorLibrary | None = None,
) -> list[float]:
    """One 活动数据 row's emissions in each of ``groups`` (``"CO2,CH4,N2O"``), as the row's
    cells show them: from the library factor when ``factor_key`` is filled, else from the
    explicit ``factor``/``factor_unit`` — :func:`emission` or :func:`emission_ef` per group."""
    names = [name.strip() for name in _text(groups, "groups").split(",")]
    if _blank(factor_key):  # empty, or spaces only: as ghgxl calc reads the row
        return [
            emission_ef(amount, amount_unit, factor, factor_unit, gas, gwp_set, out_unit, name)
            for name in names
        ]
    chosen = "CO2e" if gas is None or gas == "" else gas
    return [
        emission(amount, amount_unit, factor_key, chosen, gwp_set, out_unit, name, library)
        for name in names
    ]


def _check_size(amount: object, value: float, multipliers: Multipliers, gwp_set: str) -> None:
    """The row's emissions, all gases and groups, as the inventory checks them (E105/E106)."""
    kg = sum(abs(v) for v in co2e_by_group(multipliers.per_unit, gwp_set).values())
    with_overflow = value * kg * conversion_factor(KG, "t") if kg else 0.0
    check_size(amount, with_overflow)


def factor_field(
    factor_key: object,
    gas: object = "CO2e",
    field: object = "value",
    gwp_set: object = gwp.DEFAULT_SET,
    library: FactorLibrary | None = None,
) -> float | str:
    """A field of a library row. For an emission factor with several gases and
    ``gas='CO2e'``, ``value`` is the CO2e-weighted sum (in the unit ``unit`` then shows)."""
    library = library or FactorLibrary.default()
    key = _key(factor_key)
    name = normalize_text(str(field or "value")).lower()
    if name not in FACTOR_FIELDS:
        raise GhgError("E306", field=field)
    rows = library.rows_of(key)
    chosen = gas_or_all(gas)
    if rows[0].is_parameter or (len(rows) == 1 and chosen is None):
        return _field(rows[0], name)
    if chosen is not None:
        if len(rows) == 1 and rows[0].gas == ANY_GAS:  # a leak rate: of the gas the row names
            return _field(rows[0], name)
        return _field(library.get(key, chosen), name)
    return _combined_field(rows, name, gwp.canonical_set(gwp_set or gwp.DEFAULT_SET))


def _field(row: FactorRow, name: str) -> float | str:
    value = getattr(row, name)
    return "" if value is None else value


def _combined_field(rows: list[FactorRow], name: str, gwp_set: str) -> float | str:
    """CO2e value (in the first row's mass and activity unit) of a multi-gas factor."""
    first = parse_factor_unit(rows[0].unit)
    if name == "unit":
        return f"{first.mass_unit}CO2e/{first.activity_unit}"
    if name == "value":
        total = 0.0
        for row in rows:
            unit = parse_factor_unit(row.unit)
            to_first = conversion_factor(unit.mass_unit, first.mass_unit) * conversion_factor(
                first.activity_unit, unit.activity_unit
            )
            total += row.value * to_first * gwp.gwp(row.gas, gwp_set)  # type: ignore[arg-type]
        return total
    return "; ".join(dict.fromkeys(str(_field(row, name)) for row in rows))


def gwp_value(gas: object, gwp_set: object = gwp.DEFAULT_SET) -> float:
    """GWP-100 of a gas or blend in a set (AR6 by default)."""
    return gwp.gwp(_text(gas, "gas"), gwp.canonical_set(gwp_set or gwp.DEFAULT_SET))


def convert(value: object, from_unit: object, to_unit: object) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``."""
    number = parse_number(value, what="value")
    return number * conversion_factor(_text(from_unit, "from_unit"), _text(to_unit, "to_unit"))
