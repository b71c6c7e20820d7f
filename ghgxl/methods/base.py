"""What every method module declares: its :class:`Method` and the :class:`Derivation` of
each factor row it makes."""

from __future__ import annotations

from dataclasses import dataclass

from ghgxl.factors import FactorLibrary, FactorRow
from ghgxl.units import conversion_factor


@dataclass(frozen=True)
class Method:
    """A calculation method as rows name it and the report describes it."""

    key: str  # what a row's method column stores: "combustion"
    label: str  # the dropdown's Chinese label: 燃料燃烧
    formula: str  # the formula as the report prints it
    basis: str  # the publications, as the report prints them
    codes: tuple[str, ...]  # their codes in factors/citations.csv, for the references
    key_prefixes: tuple[str, ...] = ()  # library keys whose factors this method made


@dataclass(frozen=True)
class Derivation:
    """A library row and the value its formula gives from the library's parameters."""

    row: FactorRow
    value: float
    formula: str  # the formula with its numbers, for a message


def parameter(library: FactorLibrary, key: str, unit: str) -> float | None:
    """A parameter's value in ``unit`` (``%`` → ``1`` gives a fraction), or None when the
    library has no such parameter."""
    row = library.parameter(key)
    if row is None:
        return None
    if row.unit == unit:  # also units pint cannot read, such as tC/TJ
        return row.value
    return row.value * conversion_factor(row.unit, unit)


def factor_rows(library: FactorLibrary, prefix: str, suffix: str = "") -> list[FactorRow]:
    """The emission-factor rows whose key starts with ``prefix`` and ends with ``suffix``."""
    return [
        row
        for key in library.emission_factor_keys()
        if key.startswith(prefix) and key.endswith(suffix)
        for row in library.emission_factors(key)
    ]


def midpoint(low: float, high: float) -> float:
    """The middle of a published range, (low + high) / 2: a leak rate of 2–15 % → 8.5 %,
    a diesel density of 0.810–0.845 kg/L → 0.8275 kg/L."""
    return (low + high) / 2


def midpoint_derivations(rows: list[FactorRow]) -> list[Derivation]:
    """The rows marked derived that carry a range: the middle of it."""
    return [
        Derivation(row, midpoint(row.low, row.high), f"({row.low:g} + {row.high:g}) / 2")
        for row in rows
        if row.verified == "derived" and row.low is not None and row.high is not None
    ]
