"""One pint registry for the units of a GHG inventory, Chinese aliases included.

Also: the factor-unit grammar ``<mass unit><gas>/<activity unit>`` (``kgCO2/kWh``,
``g N2O/mmBtu``, ``kgCH4/kgBOD``) and the parsing of amounts as people type them
(full-width digits, thousands separators).

Currencies are base dimensions of their own, so ``CNY`` never converts into ``USD``.
Standard cubic metres (``Nm3``) are a dimension of their own too: a gas meter's m3 at
line conditions is not a standard m3, and the user must say which one a bill gives.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from numbers import Real

import pint

from ghgxl import gwp
from ghgxl.errors import GhgError

# Definitions added to pint's defaults. Chinese names are ordinary pint aliases.
_DEFINITIONS = """
m3 = meter ** 3
mmBtu = 1e6 * Btu = MMBtu
Nm3 = [normal_volume]
万m3 = 1e4 * m3
万Nm3 = 1e4 * Nm3
万kWh = 1e4 * kWh
person = [person]
passenger = [passenger]
tkm = t * km
pkm = passenger * km
CNY = [currency_CNY] = RMB
USD = [currency_USD]
EUR = [currency_EUR]
万元 = 1e4 * CNY
吨 = t
千克 = kg = 公斤
克 = g
磅 = lb
千瓦时 = kWh = 度
兆瓦时 = MWh
万千瓦时 = 万kWh
吉焦 = GJ
兆焦 = MJ
升 = L
立方米 = m3
标准立方米 = Nm3
万立方米 = 万m3
万标准立方米 = 万Nm3
公里 = km = 千米
吨公里 = tkm
人公里 = pkm
人天 = person * day
人时 = person * hour
元 = CNY
美元 = USD
"""


def _registry() -> pint.UnitRegistry:
    """pint's registry, with its parsed default definitions cached on disk when it can
    (start-up 0.14 s → 0.03 s; a read-only disk just means no cache)."""
    try:
        return pint.UnitRegistry(cache_folder=":auto:")
    except OSError:
        return pint.UnitRegistry()


ureg = _registry()
for _line in _DEFINITIONS.strip().splitlines():
    ureg.define(_line)

# Mass units that may start a factor unit ("kg" in "kgCO2/kWh"), longest first.
MASS_UNITS = ("千克", "公斤", "吨", "克", "Mt", "kt", "Gg", "kg", "mg", "lb", "t", "g")
# Substance tags that are not greenhouse gases but may follow a mass unit.
SUBSTANCE_TAGS = ("CO2e", "BOD", "COD", "C")

_SEPARATORS = str.maketrans({"·": "*", "×": "*", "・": "*", "÷": "/"})


def normalize_text(text: str) -> str:
    """NFKC-normalise (full-width → ASCII, ``m³`` → ``m3``) and trim every kind of space."""
    return unicodedata.normalize("NFKC", text).translate(_SEPARATORS).strip()


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", normalize_text(text))


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """The pint unit for a unit string such as ``'万kWh'``, ``'吨'``, ``'t*km'``.

    Raises
    ------
    GhgError
        E201 when the text is not a known unit.
    """
    if not isinstance(text, str) or not _compact(text):
        raise GhgError("E201", unit=text)
    compact = _compact(text)
    try:
        unit = ureg.parse_units(compact)
    except Exception as exc:  # pint's parser raises many kinds (even AssertionError) on junk
        raise GhgError("E201", unit=text) from exc
    return unit


def _is_currency(unit: pint.Unit) -> bool:
    return any(str(dim).startswith("[currency_") for dim in unit.dimensionality)


@lru_cache(maxsize=4096)
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """How many ``to_unit`` one ``from_unit`` is: ``conversion_factor('万kWh', 'MWh') == 10``.

    Raises
    ------
    GhgError
        E201 unknown unit; E204 two different currencies; E202 any other dimension mismatch.
    """
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    if source.dimensionality != target.dimensionality:
        if _is_currency(source) or _is_currency(target):
            raise GhgError("E204", unit=from_unit, target=to_unit)
        extra_zh, extra_en = _mismatch_hint(source, target)
        raise GhgError("E202", unit=from_unit, target=to_unit, extra_zh=extra_zh, extra_en=extra_en)
    return float(ureg.Quantity(1.0, source).to(target).magnitude)


def _mismatch_hint(source: pint.Unit, target: pint.Unit) -> tuple[str, str]:
    dims = {str(d) for d in (source.dimensionality, target.dimensionality)}
    if "[normal_volume]" in dims and "[length] ** 3" in dims:
        return (
            "（标准立方米 Nm3 与立方米 m3 不是同一量）",
            " (a standard cubic metre, Nm3, is not a cubic metre, m3)",
        )
    return "", ""


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``."""
    return value * conversion_factor(from_unit, to_unit)


# --- the factor-unit grammar ------------------------------------------------------------


@dataclass(frozen=True)
class FactorUnit:
    """A parsed factor unit: ``kgCO2/kWh`` → mass ``kg``, gas ``CO2``, activity ``kWh``.

    ``gas`` is a canonical gas name (see :mod:`ghgxl.gwp`), a substance tag (``CO2e``,
    ``C``, ``BOD``) or ``None`` when the unit names no substance (``kg/kg``).
    ``activity_tag`` is a substance tag of the denominator (``BOD`` in ``kgCH4/kgBOD``).
    """

    text: str
    mass_unit: str
    gas: str | None
    activity_unit: str
    activity_tag: str | None = None

    def mass_in(self, unit: str) -> float:
        """How many ``unit`` (a mass unit) one of this factor's mass unit is."""
        return conversion_factor(self.mass_unit, unit)


def split_mass_and_substance(part: str) -> tuple[str, str | None] | None:
    """``'kgCO2'`` → ``('kg', 'CO2')``; ``'kg'`` → ``('kg', None)``; not a mass → None."""
    for mass in MASS_UNITS:
        if not part.startswith(mass):
            continue
        rest = part[len(mass) :]
        if not rest:
            return mass, None
        if rest in SUBSTANCE_TAGS:
            return mass, rest
        try:
            return mass, gwp.canonical_gas(rest)
        except GhgError:
            continue
    return None


@lru_cache(maxsize=4096)
def parse_factor_unit(text: str) -> FactorUnit:
    """Parse ``<mass unit><gas>/<activity unit>``; the space after the mass unit is optional.

    Examples: ``kgCO2/kWh``, ``kg CO2/TJ``, ``tCO2e/t``, ``gCH4/GJ``, ``kgCO2e/tkm``,
    ``g N2O/mmBtu``, ``tCO2/MWh``, ``kgCH4/kgBOD``, ``tC/TJ``, ``kg/kg``.

    Raises
    ------
    GhgError
        E203 when the text does not follow the grammar; E201 when the activity unit is unknown.
    """
    if not isinstance(text, str):
        raise GhgError("E203", unit=text)
    compact = _compact(text)
    numerator, slash, denominator = compact.partition("/")
    if not slash or not denominator:
        raise GhgError("E203", unit=text)
    head = split_mass_and_substance(numerator)
    if head is None:
        raise GhgError("E203", unit=text)
    mass_unit, gas = head
    activity_unit, activity_tag = denominator, None
    tagged = split_mass_and_substance(denominator)
    if tagged is not None and tagged[1] in SUBSTANCE_TAGS:
        activity_unit, activity_tag = tagged
    parse_unit(activity_unit)
    return FactorUnit(compact, mass_unit, gas, activity_unit, activity_tag)


# --- amounts as people type them ---------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(value: object, *, what: str = "") -> float:
    """A float from a cell value: numbers as they are; text such as ``'１２３'``,
    ``'1,234.5'``, ``' 12 '`` understood; anything else refused with a clear error.

    ``'1,23'`` or ``'1.234,5'`` are refused (E104) rather than guessed.
    """
    if value is None or (isinstance(value, str) and not normalize_text(value)):
        raise GhgError("E101", what=what)
    if isinstance(value, bool):
        raise GhgError("E102", value=value, what=what)
    if isinstance(value, Real):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = _parse_number_text(value)
        except GhgError as exc:
            raise GhgError(exc.code, what=what, **exc.details) from None
    else:
        raise GhgError("E102", value=value, what=what)
    if not math.isfinite(number):
        raise GhgError("E105", value=value, what=what)
    return number


def _parse_number_text(value: str) -> float:
    text = re.sub(r"\s+", "", normalize_text(value))
    if _PLAIN_NUMBER.match(text):
        return float(text)
    if _GROUPED_NUMBER.match(text):
        return float(text.replace(",", ""))
    if re.match(r"^[+-]?[\d.,]+$", text):
        raise GhgError("E104", value=value)
    raise GhgError("E102", value=value)


def parse_amount(value: object, *, what: str = "") -> float:
    """Like :func:`parse_number`, and refuses a negative amount (E103)."""
    number = parse_number(value, what=what)
    if number < 0:
        raise GhgError("E103", value=value, what=what)
    return number


def parse_fraction(value: object, *, what: str = "") -> float:
    """A fraction from ``0.325``, ``'32.5%'`` or ``'32.5 %'``; must lie in [0, 1]."""
    if isinstance(value, str) and normalize_text(value).endswith("%"):
        number = parse_number(normalize_text(value)[:-1], what=what) / 100
    else:
        number = parse_number(value, what=what)
    if not 0 <= number <= 1:
        raise GhgError("E505", value=value)
    return number
