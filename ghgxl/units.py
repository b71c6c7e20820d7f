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


#: Unit spellings that pint would read as something other than what an inventory means
#: (``ton`` is pint's US short ton, ``mt`` a millitonne, ``mWh`` a milliwatt-hour, ``bbl``
#: a 119 L barrel, ``Tj`` the textile unit jute): refused with a suggestion, never guessed.
AMBIGUOUS_UNITS: dict[str, tuple[str, str, str, str]] = {
    "ton": ("美制短吨（907 kg）还是公吨（1000 kg）？", "a US short ton (907 kg) or a tonne (1000 kg)?", "t（公吨）、short_ton 或 long_ton", "t (tonne), short_ton or long_ton"),
    "tons": ("美制短吨（907 kg）还是公吨（1000 kg）？", "US short tons (907 kg) or tonnes (1000 kg)?", "t（公吨）、short_ton 或 long_ton", "t (tonne), short_ton or long_ton"),
    "mt": ("毫吨（1 kg）还是公吨（metric ton）？", "a millitonne (1 kg) or a metric ton?", "t（公吨）", "t (tonne)"),
    "MT": ("兆特斯拉还是公吨（metric ton）？", "a megatesla or a metric ton?", "t（公吨）", "t (tonne)"),
    "mWh": ("毫瓦时还是兆瓦时？", "a milliwatt-hour or a megawatt-hour?", "MWh（兆瓦时）或 kWh", "MWh (megawatt-hour) or kWh"),
    "mW": ("毫瓦还是兆瓦？", "a milliwatt or a megawatt?", "MW", "MW"),
    "mJ": ("毫焦还是兆焦？", "a millijoule or a megajoule?", "MJ（兆焦）", "MJ (megajoule)"),
    "Tj": ("Tj 是纤维单位 jute，是否想写 TJ（太焦）？", "Tj is the textile unit jute: did you mean TJ (terajoule)?", "TJ", "TJ"),
    "gal": ("美制加仑还是英制加仑？", "a US or an imperial gallon?", "L、US_liquid_gallon 或 imperial_gallon", "L, US_liquid_gallon or imperial_gallon"),
    "gallon": ("美制加仑还是英制加仑？", "a US or an imperial gallon?", "L、US_liquid_gallon 或 imperial_gallon", "L, US_liquid_gallon or imperial_gallon"),
    "gallons": ("美制加仑还是英制加仑？", "US or imperial gallons?", "L、US_liquid_gallon 或 imperial_gallon", "L, US_liquid_gallon or imperial_gallon"),
    "bbl": ("桶：石油桶为 159 L，其他桶为 119 L", "a barrel: an oil barrel is 159 L, pint's barrel 119 L", "oil_barrel 或 L", "oil_barrel or L"),
    "barrel": ("桶：石油桶为 159 L，其他桶为 119 L", "a barrel: an oil barrel is 159 L, pint's barrel 119 L", "oil_barrel 或 L", "oil_barrel or L"),
    "barrels": ("桶：石油桶为 159 L，其他桶为 119 L", "barrels: an oil barrel is 159 L, pint's barrel 119 L", "oil_barrel 或 L", "oil_barrel or L"),
}  # fmt: skip
_UNIT_TOKEN = re.compile(r"[^\s*/()^]+")
#: Largest power a unit may be raised to (m3 is 3; t**200 would only overflow).
MAX_UNIT_POWER = 4


@lru_cache(maxsize=4096)
def parse_unit(text: str) -> pint.Unit:
    """The pint unit for a unit string such as ``'万kWh'``, ``'吨'``, ``'t*km'``.

    Raises
    ------
    GhgError
        E201 when the text is not a known unit; E206 when it is ambiguous (``ton``, ``mt``,
        ``mWh`` ...: see :data:`AMBIGUOUS_UNITS`).
    """
    if not isinstance(text, str) or not _compact(text):
        raise GhgError("E201", unit=text)
    compact = _compact(text)
    for token in _UNIT_TOKEN.findall(compact.replace("**", "^")):
        if token in AMBIGUOUS_UNITS:
            meaning_zh, meaning_en, suggestion_zh, suggestion_en = AMBIGUOUS_UNITS[token]
            raise GhgError(
                "E206",
                unit=text,
                meaning_zh=meaning_zh,
                meaning_en=meaning_en,
                suggestion_zh=suggestion_zh,
                suggestion_en=suggestion_en,
            )
    try:
        unit = ureg.parse_units(compact)
    except Exception as exc:  # pint's parser raises many kinds (even AssertionError) on junk
        raise GhgError("E201", unit=text) from exc
    if any(abs(power) > MAX_UNIT_POWER for power in unit._units.values()):
        raise GhgError("E201", unit=text)
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
    try:
        factor = float(ureg.Quantity(1.0, source).to(target).magnitude)
    except (ArithmeticError, ValueError):  # a conversion past what a float holds
        factor = math.inf
    if not math.isfinite(factor) or factor == 0:
        raise GhgError("E202", unit=from_unit, target=to_unit, extra_zh="", extra_en="")
    return factor


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
#: The error values a cell can hold (what Excel shows; typed into a cell they are errors too).
EXCEL_ERRORS = frozenset(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
     "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")
)  # fmt: skip


def excel_error(value: object) -> str | None:
    """The Excel error a cell value is (``'#N/A'``), or None."""
    if value.__class__ is not str and not isinstance(value, str):
        return None
    text = value.strip().upper()
    return text if text in EXCEL_ERRORS else None


def is_number(value: object) -> bool:
    """A cell Excel's COUNT/SUM would count: a number, not a bool, not NaN."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def cell_repr(value: object) -> object:
    """A cell value as a message shows it: booleans as Excel writes them (TRUE/FALSE)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return value


def parse_number(value: object, *, what: str = "") -> float:
    """A float from a cell value: numbers as they are; text such as ``'１２３'``,
    ``'1,234.5'``, ``' 12 '`` understood; anything else refused with a clear error.

    ``'1,23'``, ``'1.234,5'`` or ``'1.5 2'`` are refused (E104) rather than guessed;
    ``'10²'`` is not 102 (E102); TRUE/FALSE are not numbers (E102, as in Excel's SUM);
    ``'#N/A'`` and the other Excel errors are E107; infinities and NaN are E105.
    """
    if value is None or (isinstance(value, str) and not normalize_text(value)):
        raise GhgError("E101", what=what)
    if isinstance(value, bool):
        raise GhgError("E102", value=cell_repr(value), what=what)
    if isinstance(value, Real):
        number = float(value)
    elif isinstance(value, str):
        if excel_error(value):
            raise GhgError("E107", value=excel_error(value), what=what)
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
    if any(unicodedata.category(c) == "No" for c in value):  # ² ½ ①: NFKC would make digits
        raise GhgError("E102", value=value)
    text = normalize_text(value)
    if re.search(r"\s", text):  # "1.5 2", "1 234": two numbers, or a separator guessed at
        raise GhgError("E104" if re.fullmatch(r"[+\-\d.,\s]+", text) else "E102", value=value)
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
