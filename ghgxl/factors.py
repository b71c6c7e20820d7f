"""The factor library: cited CSV files under ``factors/``, plus a company overlay.

Rows are emission factors (a gas, a unit ``<mass><gas>/<activity>``) or parameters
(NCV, density, carbon content ...). See ``factors/README.md`` for the format. A company
overlay (CSV of the same format, or rows from the workbook) adds or replaces rows; every
row remembers where it came from (``origin``), so results can say which factors were the
company's own.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from ghgxl import gwp
from ghgxl.errors import GhgError
from ghgxl.units import normalize_text, parse_factor_unit, parse_number, parse_unit

#: Files of the library that hold factor rows (GWP data files have their own format).
NON_FACTOR_FILES = {
    "gwp_ch4_split.csv",
    "refrigerant_blends.csv",
    "uncertainty_defaults.csv",
    "dq_scheme_taiwan.csv",
    "citations.csv",
}
COLUMNS = (
    "key",
    "gas",
    "value",
    "unit",
    "name_zh",
    "name_en",
    "low",
    "high",
    "source",
    "verified",
    "notes",
)
REQUIRED = ("key", "value", "unit", "name_zh", "source")
VERIFIED = {"2 sources", "1 source", "derived", "company"}
ANY_GAS = "*"
LIBRARY_ORIGIN = "library"
_KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
#: Between a factor's Chinese name and its key in the 活动数据 dropdown:
#: 「2021年全国电力平均二氧化碳排放因子（tCO2/MWh）｜grid.cn.national.2021」.
CHOICE_SEPARATOR = "｜"


def key_of(value: object) -> object:
    """The factor key a cell holds: the key itself, or the key of a dropdown choice (what
    follows its last ｜: the Chinese name is for people, the key is what is computed with).
    Anything else is returned as it is."""
    if isinstance(value, str) and CHOICE_SEPARATOR in value:
        return value.rsplit(CHOICE_SEPARATOR, 1)[1].strip()
    return value


def key_text(value: object) -> str:
    """A 因子键 cell as the key it names, as every path computes with it: a dropdown
    choice's key (:func:`key_of`), NFKC-normalised (ｇｒｉｄ．… typed full-width is
    grid.…), trimmed and lower-case; "" when blank."""
    value = key_of(value)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return normalize_text(str(value)).lower()


@dataclass(frozen=True)
class FactorRow:
    """One value of the library, with its citation and where it was read."""

    key: str
    gas: str | None  # canonical gas, "*" (named by the user), or None for a parameter
    value: float
    unit: str
    name_zh: str
    name_en: str
    source: str
    verified: str
    low: float | None = None
    high: float | None = None
    notes: str = ""
    origin: str = LIBRARY_ORIGIN
    file: str = ""
    line: int = 0

    @property
    def is_parameter(self) -> bool:
        return self.gas is None


def parse_rows(
    text: str, file: str, origin: str = LIBRARY_ORIGIN
) -> tuple[list[FactorRow], list[GhgError]]:
    """Rows of one CSV text, and an E305 error for every line that is wrong (all of them,
    so a user fixing an overlay sees every problem at once)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        return [], [GhgError("E305", file=file, line=1, problem=f"missing columns {missing}")]
    return parse_records(enumerate(reader, start=2), file, origin)


def _problem(error: GhgError) -> dict[str, object]:
    return {k: error.details[k] for k in ("problem", "problem_en") if k in error.details}


def parse_records(
    records: Iterable[tuple[int, dict[str, str | None]]], file: str, origin: str = LIBRARY_ORIGIN
) -> tuple[list[FactorRow], list[GhgError]]:
    """Rows of ``(line, {column: text})`` records — a CSV file's or a sheet's — validated
    alike, with an E305 for every wrong line."""
    rows: list[FactorRow] = []
    errors: list[GhgError] = []
    for line, record in records:
        try:
            rows.append(_row(record, file, line, origin))
        except GhgError as exc:
            if exc.code == "E305":
                error = GhgError("E305", file=file, line=line, **_problem(exc))
            else:  # an error of one of its cells, in each language
                error = GhgError(
                    "E305", file=file, line=line, problem=f"{exc.code} {exc.message_zh}",
                    problem_en=f"{exc.code} {exc.message_en}",
                )  # fmt: skip
            errors.append(error)
    return rows, errors


def _text(record: dict[str, str | None], column: str) -> str:
    return normalize_text(record.get(column) or "")


def _prose(record: dict[str, str | None], column: str) -> str:
    """A name, citation or note as written: trimmed only, so Chinese text keeps its
    full-width （）：，and a formula its × (NFKC is for keys, units and gases)."""
    return (record.get(column) or "").strip()


def _optional_number(record: dict[str, str | None], column: str) -> float | None:
    text = _text(record, column)
    return parse_number(text, what=column) if text else None


def _row(record: dict[str, str | None], file: str, line: int, origin: str) -> FactorRow:
    key = _text(record, "key")
    if not _KEY.match(key):
        raise GhgError("E301", key=key)
    for column in REQUIRED:
        if not _text(record, column):
            raise GhgError("E101", what=column)
    gas_text = _text(record, "gas")
    unit = _text(record, "unit")
    if gas_text:
        gas = ANY_GAS if gas_text == ANY_GAS else gwp.canonical_gas(gas_text)
        factor_unit = parse_factor_unit(unit)
        if gas != ANY_GAS and factor_unit.gas not in (None, gas):
            raise GhgError("E404", unit_gas=factor_unit.gas, gas=gas)
    else:
        gas = None
        if _factor_unit_or_none(unit) is None:  # tC/TJ is a parameter in factor grammar
            parse_unit(unit)
    verified = _text(record, "verified") or ("company" if origin != LIBRARY_ORIGIN else "")
    if verified not in VERIFIED:
        raise GhgError(
            "E305", file=file, line=line, problem=f"verified must be one of {sorted(VERIFIED)}"
        )
    value = parse_number(record.get("value"), what="value")  # E105 for inf/NaN
    if gas is None and value <= 0:  # NCV, density, carbon content: a divisor or a chain link
        problem = (
            f"parameter value {value:g} must be greater than 0 (NCV, density, carbon content ...)"
        )
        raise GhgError("E305", file=file, line=line, problem=problem)
    if gas is not None and value < 0:
        raise GhgError("E103", value=value, what="value")
    return FactorRow(
        key=key,
        gas=gas,
        value=value,
        unit=unit,
        name_zh=_prose(record, "name_zh"),
        name_en=_prose(record, "name_en"),
        source=_prose(record, "source"),
        verified=verified,
        low=_optional_number(record, "low"),
        high=_optional_number(record, "high"),
        notes=_prose(record, "notes"),
        origin=origin,
        file=file,
        line=line,
    )


def _factor_unit_or_none(unit: str) -> object | None:
    try:
        return parse_factor_unit(unit)
    except GhgError:
        return None


class FactorLibrary:
    """Look-up of factor rows by key (and gas); immutable, so it can be cached and shared."""

    def __init__(self, rows: Iterable[FactorRow], version: str) -> None:
        self.version = version
        self.released = False  # loaded as a released version (:meth:`release`), unchanged
        self._rows: dict[tuple[str, str | None], FactorRow] = {}
        self._by_key: dict[str, list[FactorRow]] = {}
        for row in rows:
            self._rows[(row.key, row.gas)] = row
        for row in self._rows.values():
            self._by_key.setdefault(row.key, []).append(row)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """A released version is pickled as its version: the receiving process uses its own
        (loaded once, shared by every site a worker sends back); any other as its rows."""
        if self.released:
            return FactorLibrary.release, (self.version,)
        return FactorLibrary, (list(self._rows.values()), self.version)

    # -- construction --------------------------------------------------------------------
    @classmethod
    def default(cls) -> FactorLibrary:
        """The bundled library (loaded once per process)."""
        return _default_library()

    @classmethod
    def release(cls, version: str | None = None) -> FactorLibrary:
        """A released version (the current one when None or empty); E310 when unknown."""
        return _library(str(version).strip() if version else current_version())

    def with_overlay(self, rows: Iterable[FactorRow]) -> FactorLibrary:
        """A new library in which ``rows`` (a company's factors) add to or replace rows of
        this one: an overlay key replaces all library rows of that key."""
        overlay = list(rows)
        replaced = {row.key for row in overlay}
        kept = [row for row in self._rows.values() if row.key not in replaced]
        return FactorLibrary(kept + overlay, f"{self.version.split('+')[0]}+company")

    def with_overlay_file(self, path: str | Path) -> FactorLibrary:
        """:meth:`with_overlay` with the rows of a CSV file; raises the first E305 if any."""
        rows, errors = read_overlay(path)
        if errors:
            raise errors[0]
        return self.with_overlay(rows)

    # -- look-up ---------------------------------------------------------------------------
    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def __iter__(self):
        return iter(self.keys())

    def keys(self) -> list[str]:
        return sorted(self._by_key)

    def rows(self) -> list[FactorRow]:
        return sorted(self._rows.values(), key=lambda r: (r.key, r.gas or ""))

    def rows_of(self, key: str) -> list[FactorRow]:
        """All rows of ``key``; E301 if there are none."""
        if key not in self._by_key:
            raise self._unknown(key)
        return sorted(self._by_key[key], key=lambda r: r.gas or "")

    def _unknown(self, key: str) -> GhgError:
        """E301, or E312 when this is an older version and the current one has ``key``: a
        workbook pinned to its library meets a factor added since (the cure is an upgrade)."""
        version, current = self.version.split("+")[0], current_version()
        if version_key(version) < version_key(current) and key in FactorLibrary.default():
            return GhgError("E312", key=key, version=version, current=current)
        return GhgError("E301", key=key)

    def emission_factors(self, key: str) -> list[FactorRow]:
        """The gas rows of an emission-factor key; E301 unknown key, E303 a parameter."""
        rows = self.rows_of(key)
        if rows[0].is_parameter:
            raise GhgError("E303", key=key)
        return rows

    def emission_factor_keys(self) -> list[str]:
        return [k for k in self.keys() if not self._by_key[k][0].is_parameter]

    def choice(self, key: str) -> str:
        """How the 活动数据 dropdown offers ``key``: its Chinese name and unit, then the key
        (:func:`key_of` reads it back). A key of several gases is named by its first gas
        row, the gas taken out of the name: 「柴油固定燃烧排放因子(IPCC 2006表2.3,…)（kgCO2/TJ
        等）｜fuel.diesel.stationary」."""
        rows = self.emission_factors(key)
        first = rows[0]
        name, unit = first.name_zh, first.unit
        if len(rows) > 1:
            unit = next((r.unit for r in rows if r.gas == "CO2"), unit)
            name, unit = name.replace(first.gas or "", "", 1), f"{unit} 等"
        return f"{name}（{unit}）{CHOICE_SEPARATOR}{key}"

    def parameter(self, key: str) -> FactorRow | None:
        """A parameter row, or None when the library has none under ``key``."""
        row = self._rows.get((key, None))
        return row

    def get(self, key: str, gas: str | None = None) -> FactorRow:
        """One row: the parameter ``key``, or the row of ``gas`` under ``key``."""
        rows = self.rows_of(key)
        if gas is None:
            if len(rows) == 1:
                return rows[0]
            raise GhgError("E302", key=key, gas="?", available=", ".join(r.gas or "" for r in rows))
        name = gas if gas == ANY_GAS else gwp.canonical_gas(gas)
        for row in rows:
            if row.gas == name:
                return row
        raise GhgError("E302", key=key, gas=name, available=", ".join(r.gas or "" for r in rows))

    def search(self, text: str) -> list[FactorRow]:
        """Rows whose key, names or source contain ``text`` (case-insensitive)."""
        needle = normalize_text(text).lower()
        return [
            row
            for row in self.rows()
            if needle in f"{row.key} {row.name_zh} {row.name_en} {row.source}".lower()
        ]

    def verification(self) -> dict[str, int]:
        """How many rows are checked in two sources, one, derived (or the company's own):
        the trust a verifier can put in this version, in ``factors versions``."""
        counts = dict.fromkeys(("2 sources", "1 source", "derived", "company"), 0)
        for row in self.rows():
            counts[row.verified] += 1
        return {name: n for name, n in counts.items() if n}


#: A company overlay is a few hundred rows; anything past this is no factor file.
MAX_OVERLAY_BYTES = 20 * 2**20


def read_overlay(path: str | Path) -> tuple[list[FactorRow], list[GhgError]]:
    """Rows of a company overlay CSV and the errors of its wrong lines."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_OVERLAY_BYTES:
            problem = f"{size / 2**20:.0f} MB > {MAX_OVERLAY_BYTES // 2**20} MB"
            return [], [GhgError("E609", path=path.name, problem=problem)]
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [GhgError("E601", path=str(path), problem=str(exc))]
    rows, errors = parse_rows(text, path.name, origin=f"company:{path.name}")
    return [replace(row, verified="company") for row in rows], errors


def library_files() -> list[str]:
    """Names of the bundled factor CSV files."""
    folder = importlib.resources.files("ghgxl.factor_data")
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name.endswith(".csv") and p.name not in NON_FACTOR_FILES
    )


def read_library_file(name: str) -> str:
    return importlib.resources.files("ghgxl.factor_data").joinpath(name).read_text("utf-8")


#: Every released version of the library, each a zip of its factor files and ``VERSION``
#: under ``factors/releases/`` (written by ``ghgxl factors freeze``), so a workbook made
#: with an older version recomputes with the factors it was made with.
RELEASES = "releases"


def current_version() -> str:
    """The version of the library files shipped (``factors/VERSION``)."""
    return read_library_file("VERSION").strip()


def version_key(version: str) -> tuple[int, ...]:
    """``'2026.10'`` → ``(2026, 10)``: versions sort by their numbers, not as text."""
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


#: More folders of released versions (``os.pathsep``-separated): a company that keeps the
#: library versions its past inventories used, or the tests' made-up versions.
RELEASES_ENV = "GHGXL_FACTOR_RELEASES"


def _release_archives() -> dict[str, Traversable]:
    """Version → its zip, the bundled releases first (a folder in the environment variable
    cannot replace a version ghgxl ships)."""
    folders: list[Traversable] = [importlib.resources.files("ghgxl.factor_data") / RELEASES]
    folders += [Path(p) for p in os.environ.get(RELEASES_ENV, "").split(os.pathsep) if p]
    found: dict[str, Traversable] = {}
    for folder in folders:
        if folder.is_dir():
            for item in folder.iterdir():
                if item.name.endswith(".zip"):
                    found.setdefault(item.name[: -len(".zip")], item)
    return found


def released_versions() -> list[str]:
    """The versions that can be loaded, oldest first (the current one included)."""
    return sorted({*_release_archives(), current_version()}, key=version_key)


def release_files(version: str) -> dict[str, str]:
    """The factor files of a released version (name → text), ``VERSION`` included.

    Raises
    ------
    GhgError
        E310 when this ghgxl has no such version.
    """
    if version == current_version():  # the live files; a test holds its zip equal to them
        return {name: read_library_file(name) for name in [*library_files(), "VERSION"]}
    archive = _release_archives().get(version)
    if archive is None:
        raise GhgError("E310", version=version, available="、".join(released_versions()))
    with archive.open("rb") as handle, zipfile.ZipFile(handle) as package:
        return {n: package.read(n).decode("utf-8") for n in sorted(package.namelist())}


def freeze_release(folder: Path) -> Path:
    """Write the current library files as ``folder/<version>.zip`` (byte-identical each
    time for the same files: fixed dates, sorted names), the release a workbook pins."""
    version = current_version()
    target = folder / f"{version}.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name in [*library_files(), "VERSION"]:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, read_library_file(name).encode("utf-8"))
    target.write_bytes(buffer.getvalue())
    return target


def load_library(version: str | None = None) -> tuple[FactorLibrary, list[GhgError]]:
    """Load every file of a version (the current one by default); return the library and
    any line errors (tests assert none)."""
    files = release_files(version or current_version())
    rows: list[FactorRow] = []
    errors: list[GhgError] = []
    seen: dict[tuple[str, str | None], FactorRow] = {}
    is_parameter: dict[str, bool] = {}
    for name, text in files.items():
        if name == "VERSION":
            continue
        file_rows, file_errors = parse_rows(text, name)
        errors += file_errors
        for row in file_rows:
            first = seen.setdefault((row.key, row.gas), row)
            if first is not row:
                problem = f"duplicate ({row.key}, {row.gas}) first at {first.file}:{first.line}"
                errors.append(GhgError("E305", file=name, line=row.line, problem=problem))
            if is_parameter.setdefault(row.key, row.is_parameter) != row.is_parameter:
                problem = f"{row.key} has both parameter and emission-factor rows"
                errors.append(GhgError("E305", file=name, line=row.line, problem=problem))
            rows.append(row)
    return FactorLibrary(rows, files["VERSION"].strip()), errors


@cache
def _library(version: str) -> FactorLibrary:
    library, errors = load_library(version)
    if errors:
        raise errors[0]
    library.released = True
    return library


def _default_library() -> FactorLibrary:
    return _library(current_version())


@dataclass(frozen=True)
class Change:
    """One value that differs between two library versions."""

    kind: str  # "added", "removed", "changed" (value or unit), "recited" (source only)
    key: str
    gas: str | None
    old: FactorRow | None
    new: FactorRow | None

    @property
    def relative(self) -> float | None:
        """(new − old) / old for a changed value (None when added, removed or from 0)."""
        if self.old is None or self.new is None or self.old.value == 0:
            return None
        return (self.new.value - self.old.value) / self.old.value


def diff_libraries(old: FactorLibrary, new: FactorLibrary) -> list[Change]:
    """Values added, removed and changed (value or unit) from ``old`` to ``new``, by key;
    a value that stays but is cited or verified anew is ``recited``."""
    before = {(r.key, r.gas): r for r in old.rows()}
    after = {(r.key, r.gas): r for r in new.rows()}
    changes = []
    for key, gas in sorted(before.keys() | after.keys(), key=lambda k: (k[0], k[1] or "")):
        was, now = before.get((key, gas)), after.get((key, gas))
        if was is None:
            changes.append(Change("added", key, gas, None, now))
        elif now is None:
            changes.append(Change("removed", key, gas, was, None))
        elif (was.value, was.unit) != (now.value, now.unit):
            changes.append(Change("changed", key, gas, was, now))
        elif (was.source, was.verified) != (now.source, now.verified):
            changes.append(Change("recited", key, gas, was, now))
    return changes


def recorded_version(value: object) -> str | None:
    """The library version a workbook's 基本信息 records (``'2026.1'``; the ``+company``
    of an overlay dropped), or None when it records none."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip().split("+")[0]
    return text or None


@dataclass(frozen=True)
class LibraryChoice:
    """Which library a workbook is computed with: ``version`` (None: the one the workbook
    records, else the current one) and a company ``overlay`` file on top of it."""

    version: str | None = None
    overlay: Path | None = None

    def resolve(self, recorded: object = None, company: Iterable[FactorRow] = ()) -> FactorLibrary:
        """The library: the version, then the workbook's own ``company`` rows (its 公司因子
        sheet), then the overlay file, each replacing the keys it names."""
        library = FactorLibrary.release(self.version or recorded_version(recorded))
        company = list(company)
        if company:
            library = library.with_overlay(company)
        return library.with_overlay_file(self.overlay) if self.overlay else library
