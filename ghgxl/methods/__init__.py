"""The calculation methods: what each one is, the formula the report prints and cites, and
the derivations that make its factor rows.

Every method an inventory row can name is linear in its activity, so the engine runs all of
them as one chain (:mod:`ghgxl.emission`: amount → the factor's activity unit, through the
fuel's density and NCV where needed → × kg of each gas per unit → × GWP), vectorised per
distinct factor and unit. What differs between methods is how their factor rows are made:
the China method's CO2 factor is carbon content × oxidation × 44/12, a septic factor is
Bo × MCF, a leak rate is the middle of IPCC's range. Those formulas live here, one module per
method, and they run: :func:`check_derived` recomputes every derived row of a library from
its parts (``ghgxl factors validate`` and the library's tests call it), so a formula and the
number the engine multiplies by cannot drift apart.

Each module holds its :class:`Method` (dropdown label, formula and basis as the report
prints them, the publications it cites, the library keys that use it) and its derivations,
each with its worked example. ``tests/unit/test_methods_run.py`` runs every method's worked
example through the engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

from ghgxl.errors import GhgError
from ghgxl.factors import LIBRARY_ORIGIN, FactorLibrary, FactorRow
from ghgxl.methods import (
    combustion,
    electricity,
    explicit,
    mass_balance,
    refrigerant,
    septic,
    spend,
    transport,
)
from ghgxl.methods.base import Derivation, Method

#: Every method, in the order the report lists them; the key is what rows store.
METHODS: dict[str, Method] = {
    m.key: m
    for m in (
        combustion.METHOD,
        electricity.METHOD,
        refrigerant.METHOD,
        septic.METHOD,
        mass_balance.METHOD,
        transport.METHOD,
        spend.METHOD,
        explicit.METHOD,
    )
}
#: The dropdown's labels → method keys (燃料燃烧 → combustion).
LABELS = {m.label: m.key for m in METHODS.values()}
#: Relative difference between a stored derived value and its formula that is still the
#: same number: the library stores derived values to 6–8 significant digits.
DERIVED_TOLERANCE = 5e-6

_DERIVATION_SOURCES: tuple[Callable[[FactorLibrary], Iterable[Derivation]], ...] = (
    combustion.derivations,
    refrigerant.derivations,
    septic.derivations,
    mass_balance.derivations,
)


#: Units of transport work: a row in them with no method and no library factor is transport.
TRANSPORT_UNITS = ("tkm", "pkm", "吨公里", "人公里")


def infer(method: object, factor_key: object, unit: object) -> str:
    """The method a row names; else the one whose factor rows its library key belongs to
    (``fuel.diesel.cn`` → combustion); else transport for a unit of transport work, else
    the explicit-factor method."""
    if isinstance(method, str) and method in METHODS:
        return method
    key = str(factor_key or "")
    for candidate in METHODS.values():
        if key and key.startswith(candidate.key_prefixes):
            return candidate.key
    return "transport" if str(unit or "") in TRANSPORT_UNITS else "explicit"


def derivations(library: FactorLibrary) -> Iterator[Derivation]:
    """Every derived row the methods know how to compute, with the value its formula gives
    from the library's own parameters."""
    for source in _DERIVATION_SOURCES:
        yield from source(library)


def check_derived(library: FactorLibrary) -> list[GhgError]:
    """E308 for each derived row whose stored value is not what its formula gives from the
    library's parameters (a company overlay that changes a fuel's carbon content without
    its China-method factor, say), and E309 for each library row marked derived that no
    formula here computes. Company rows are the company's own values and are not checked."""
    errors: list[GhgError] = []
    computed: set[tuple[str, str | None]] = set()
    for derivation in derivations(library):
        row = derivation.row
        computed.add((row.key, row.gas))
        if row.origin != LIBRARY_ORIGIN:
            continue  # the company's own value: theirs to derive
        if not math.isclose(row.value, derivation.value, rel_tol=DERIVED_TOLERANCE):
            errors.append(
                GhgError(
                    "E308",
                    key=row.key,
                    stored=f"{row.value:g}",
                    computed=f"{derivation.value:.8g}",
                    formula=derivation.formula,
                ).at(f"{row.file}:{row.line}" if row.file else row.key)
            )
    for row in library.rows():
        derived = row.verified == "derived" and row.origin == LIBRARY_ORIGIN
        if derived and (row.key, row.gas) not in computed:
            errors.append(GhgError("E309", key=row.key).at(f"{row.file}:{row.line}"))
    return errors


__all__ = [
    "LABELS",
    "METHODS",
    "Derivation",
    "FactorRow",
    "Method",
    "check_derived",
    "derivations",
    "infer",
]
