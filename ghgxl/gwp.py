"""Global warming potentials (100-year) by IPCC assessment, from ``globalwarmingpotentials``.

The package gives SAR, AR4, AR5 and AR6 GWP-100 for the single gases. Two facts it lacks
live as data in ``factors/``: the AR5/AR6 fossil and non-fossil CH4 values
(``gwp_ch4_split.csv``) and refrigerant blend compositions (``refrigerant_blends.csv``).
A blend's GWP is the mass-weighted sum of its components' GWPs, computed here.

Gas names are canonical after :func:`canonical_gas`: ``CO2``, ``CH4``, ``CH4-fossil``,
``CH4-nonfossil``, ``N2O``, ``SF6``, ``NF3``, ``HFC-134a``, ``HCFC-22``, ``CF4``,
``R-410A`` ... plus ``CO2e`` (already weighted) and ``CO2-biogenic`` (kept out of totals).
"""

from __future__ import annotations

import csv
import importlib.resources
import re
import unicodedata
from functools import cache

import globalwarmingpotentials

from ghgxl.errors import GhgError

# User-facing set name -> the package's column.
GWP_SETS: dict[str, str] = {
    "AR6": "AR6GWP100",
    "AR5": "AR5GWP100",
    "AR4": "AR4GWP100",
    "SAR": "SARGWP100",
}
SET_ALIASES = {"AR2": "SAR"}
DEFAULT_SET = "AR6"

SET_SOURCES: dict[str, str] = {
    "AR6": "IPCC AR6 WG1 (2021) Chapter 7 Table 7.SM.7, GWP-100",
    "AR5": "IPCC AR5 WG1 (2013) Chapter 8 Table 8.A.1, GWP-100 without climate-carbon feedback",
    "AR4": "IPCC AR4 WG1 (2007) Table 2.14, GWP-100",
    "SAR": "IPCC Second Assessment Report (1995), GWP-100",
}

# The seven gas groups of ISO 14064-1 / the Kyoto basket, in reporting order.
KYOTO_GROUPS = ("CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3")

PFCS = frozenset(
    ["CF4", "C2F6", "C3F8", "cC4F8", "C4F10", "C5F12", "C6F14", "C7F16", "C8F18", "C10F18", "cC3F6"]
)
_SPECIAL = {  # keys in _lookup_form
    "CO2": "CO2",
    "CO2E": "CO2e",
    "CO2BIOGENIC": "CO2-biogenic",
    "BIOGENICCO2": "CO2-biogenic",
    "生物质CO2": "CO2-biogenic",
    "CH4FOSSIL": "CH4-fossil",
    "CH4NONFOSSIL": "CH4-nonfossil",
    "CH4BIOGENIC": "CH4-nonfossil",
    "PFC14": "CF4",
    "PFC116": "C2F6",
    "PFC218": "C3F8",
    "PFC318": "cC4F8",
    "R14": "CF4",
    "R116": "C2F6",
    "R218": "C3F8",
    "R318": "cC4F8",
    "R744": "CO2",
}
_PREFIXED = re.compile(r"^(HFC|HCFC|CFC|HFE|HCFE)(\d.*)$", re.IGNORECASE)


def _data_rows(name: str) -> list[dict[str, str]]:
    text = importlib.resources.files("ghgxl.factor_data").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _display(package_key: str) -> str:
    """``HFC134a`` → ``HFC-134a``; other package keys stay as they are."""
    match = _PREFIXED.match(package_key)
    return f"{match.group(1).upper()}-{match.group(2)}" if match else package_key


@cache
def _single_gases() -> dict[str, str]:
    """Upper-case lookup form → package key, for every gas in any GWP-100 set."""
    keys = {"CO2"}
    for column in GWP_SETS.values():
        keys.update(globalwarmingpotentials.data[column])
    return {_lookup_form(_display(k)): k for k in keys}


@cache
def _blends() -> dict[str, dict[str, float]]:
    """Blend name → {component: mass fraction}."""
    blends: dict[str, dict[str, float]] = {}
    for row in _data_rows("refrigerant_blends.csv"):
        parts = blends.setdefault(row["blend"], {})
        parts[canonical_gas(row["component"])] = float(row["mass_pct"]) / 100
    return blends


@cache
def _ch4_split() -> dict[tuple[str, str], float]:
    return {(r["gwp_set"], r["gas"]): float(r["value"]) for r in _data_rows("gwp_ch4_split.csv")}


def _lookup_form(name: str) -> str:
    """Spelling-insensitive form: NFKC, no spaces/hyphens/underscores, upper case."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", name)).upper()


def canonical_gas(name: object) -> str:
    """The canonical name of a gas or blend as people write it.

    ``'hfc134a'``, ``'R-134a'``, ``'HFC-134a'`` → ``'HFC-134a'``; ``'r410a'`` → ``'R-410A'``;
    ``'CH₄'`` → ``'CH4'``; ``'PFC-14'`` → ``'CF4'``.

    Raises
    ------
    GhgError
        E401 for an unknown gas.
    """
    if not isinstance(name, str) or not name.strip():
        raise GhgError("E401", gas=name)
    form = _lookup_form(name)
    if form in _SPECIAL:
        return _SPECIAL[form]
    singles = _single_gases()
    if form in singles:
        return _display(singles[form])
    blend = _blend_name(form)
    if blend is not None:
        return blend
    number = re.match(r"^R(\d.*)$", form)
    if number:
        for prefix in ("HFC", "HCFC", "CFC"):
            if (form := _lookup_form(prefix + number.group(1))) in singles:
                return _display(singles[form])
    raise GhgError("E401", gas=name)


def _blend_name(upper: str) -> str | None:
    match = re.match(r"^R(\d{3}[A-Z])$", upper)
    if not match:
        return None
    name = f"R-{match.group(1)}"
    return name if name in _blends() else None


def is_blend(gas: str) -> bool:
    return gas in _blends()


def composition(gas: str) -> dict[str, float]:
    """Mass fractions of the gases in ``gas``: a blend's components, or ``{gas: 1.0}``."""
    return dict(_blends()[gas]) if gas in _blends() else {gas: 1.0}


def gas_group(gas: str) -> str:
    """The reporting group of a single gas: one of :data:`KYOTO_GROUPS`, ``CO2e``
    (an already-weighted factor), ``CO2-biogenic``, or ``Other`` (outside the Kyoto basket,
    e.g. HCFC-22, reported apart from the total)."""
    if gas in ("CO2", "N2O", "SF6", "NF3", "CO2e", "CO2-biogenic"):
        return gas
    if gas.startswith("CH4"):
        return "CH4"
    if gas.startswith("HFC-"):
        return "HFCs"
    if gas in PFCS:
        return "PFCs"
    return "Other"


def canonical_set(name: object) -> str:
    """``'ar6'`` → ``'AR6'``, ``'AR2'`` → ``'SAR'``; E402 for an unknown set."""
    if not isinstance(name, str):
        raise GhgError("E402", gwp=name)
    upper = unicodedata.normalize("NFKC", name).strip().upper()
    upper = SET_ALIASES.get(upper, upper)
    if upper not in GWP_SETS:
        raise GhgError("E402", gwp=name)
    return upper


@cache
def gwp(gas: str, gwp_set: str = DEFAULT_SET) -> float:
    """GWP-100 of ``gas`` (any spelling) in ``gwp_set``; a blend's is mass-weighted.

    ``CO2e`` and ``CO2-biogenic`` have GWP 1 (biogenic CO2 is reported apart, not excluded
    from physics).

    Raises
    ------
    GhgError
        E401 unknown gas, E402 unknown set, E403 the set has no value for the gas.
    """
    name, set_name = canonical_gas(gas), canonical_set(gwp_set)
    if name in ("CO2", "CO2e", "CO2-biogenic"):
        return 1.0
    if name in _blends():
        return sum(share * gwp(part, set_name) for part, share in _blends()[name].items())
    if (set_name, name) in _ch4_split():
        return _ch4_split()[(set_name, name)]
    key = _single_gases()[_lookup_form(name)]
    values = globalwarmingpotentials.data[GWP_SETS[set_name]]
    if key not in values:
        raise GhgError("E403", gwp=set_name, gas=name)
    return float(values[key])


def known_gases() -> list[str]:
    """Every canonical single gas and blend name, sorted."""
    singles = {_display(k) for k in _single_gases().values()}
    return sorted(singles | set(_blends()) | {"CH4-fossil", "CH4-nonfossil", "CO2-biogenic"})
