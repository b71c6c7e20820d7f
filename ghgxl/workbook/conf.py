"""The workbook's hidden ``xlwings.conf`` sheet as xlwings' VBA reads it, and the xlwings
version the workbook's VBA was built with.

xlwings' VBA (``GetConfigFromSheet`` in its ``xlwings`` module) reads the keys of column A
from A1 down to the first empty cell, upper-cased, with the values of column B; a key on
the sheet wins over every config file even when its value is empty. So a setting is taken
out of a workbook by removing its row (:func:`without_keys`), never by emptying its value.

The version is the hidden defined name :data:`~ghgxl.workbook.names.XLWINGS_VERSION_NAME`
the template builder writes from the VBA's ``XLWINGS_VERSION`` constant: reading the VBA
project itself would need an OLE reader at run time.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

from ghgxl.errors import GhgError
from ghgxl.workbook import xlsx
from ghgxl.workbook.names import SHEET_CONF, XLWINGS_VERSION_NAME


@dataclass(frozen=True)
class Setting:
    """One key of the sheet: its row (from 1), the key as written, the value of column B."""

    row: int
    key: str
    value: object


@dataclass(frozen=True)
class WorkbookConf:
    path: Path
    #: The settings as the VBA sees them; ``None`` when the workbook has no such sheet.
    settings: tuple[Setting, ...] | None
    #: The xlwings version of the workbook's VBA; ``None`` when not recorded (a workbook
    #: made before ghgxl recorded it).
    xlwings_version: str | None

    def get(self, key: str) -> Setting | None:
        """The setting the VBA's ``GetConfig(key)`` finds on the sheet (keys compared
        upper-cased, as the VBA does)."""
        for setting in self.settings or ():
            if setting.key.upper() == key.upper():
                return setting
        return None


def read_conf(path: Path) -> WorkbookConf:
    """The xlwings settings and version of a workbook (the package is checked first:
    E601/E608/E609 for a damaged or hostile file)."""
    from ghgxl.workbook.source import OpenedWorkbook

    opened = OpenedWorkbook(Path(path), sheets=(SHEET_CONF,))
    settings = None
    if SHEET_CONF in opened.sheet_names:
        settings = _settings(opened.sheet(SHEET_CONF).start, opened.rows(SHEET_CONF))
    opened.release()
    with zipfile.ZipFile(path) as package:
        workbook_xml = package.read("xl/workbook.xml")
    return WorkbookConf(Path(path), settings, _recorded_version(workbook_xml))


def _settings(start: tuple[int, int] | None, rows) -> tuple[Setting, ...]:
    """Column A from A1 down to the first empty cell, as the VBA reads it."""
    if not start or start[0] > 0:  # A1 is empty: no settings the VBA would find
        return ()
    found = []
    for number, row in enumerate(rows, start=1):
        key = row[0] if row else ""
        if key in ("", None):
            break
        found.append(Setting(number, str(key), row[1] if len(row) > 1 else ""))
    return tuple(found)


def _recorded_version(workbook_xml: bytes) -> str | None:
    root = ElementTree.fromstring(workbook_xml)
    for name in root.iter(f"{xlsx.NS_MAIN}definedName"):
        if name.get("name") == XLWINGS_VERSION_NAME:
            text = (name.text or "").strip()
            return text[1:-1] if len(text) > 1 and text[0] == text[-1] == '"' else None
    return None


# -- removing settings --------------------------------------------------------------------

_ROW = re.compile(rb"<row\b([^>]*?)(/>|>.*?</row>)", re.DOTALL)
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_CELL_REF = re.compile(rb'(<c\b[^>]*?\br=")([A-Z]+)(\d+)(")')
_DIMENSION = re.compile(rb'(<dimension\b[^>]*?\bref="[A-Z]+\d+:[A-Z]+)(\d+)(")')
#: What refers to the sheet's rows and would need moving too: left to a person.
_ROW_BOUND = (b"<f>", b"<f ", b"<mergeCell", b"<hyperlink", b"<conditionalFormatting",
              b"<dataValidation", b"<tablePart", b"<drawing", b"<legacyDrawing")  # fmt: skip


def without_keys(package: bytes, conf: WorkbookConf, keys: Collection[str]) -> bytes | None:
    """The package with the rows of ``keys`` (any case) removed from its ``xlwings.conf``
    sheet, the rows below moved up; ``None`` when no such key is there. Only that sheet's
    part changes. E704 when the sheet holds what a moved row would break (formulas, merged
    cells ...): the user removes the row in Excel."""
    wanted = {k.upper() for k in keys}
    rows = sorted(s.row for s in conf.settings or () if s.key.upper() in wanted)
    if not rows:
        return None
    members = xlsx.read_members(package)
    part = xlsx.sheet_parts(members)[SHEET_CONF]
    xml = members[part]
    refers = f"'{SHEET_CONF}'!".encode() in members["xl/workbook.xml"]
    if refers or any(marker in xml for marker in _ROW_BOUND) or not _numbered(xml):
        named = ", ".join(f"{s.row}（{s.key}）" for s in conf.settings or () if s.row in rows)
        raise GhgError("E704", path=conf.path.name, rows=named)
    members[part] = _delete_rows(xml, rows)
    return xlsx.write_package(members)


def _numbered(xml: bytes) -> bool:
    """Every row of the sheet says its number (a row without one is placed after the
    previous row, so removing a row before it could not be written)."""
    return all(_ROW_NUMBER.search(m.group(1)) for m in _ROW.finditer(xml))


def _delete_rows(xml: bytes, rows: list[int]) -> bytes:
    def above(number: int) -> int:
        return sum(1 for r in rows if r < number)

    def row(match: re.Match[bytes]) -> bytes:
        number = int(_ROW_NUMBER.search(match.group(1)).group(1))
        if number in rows:
            return b""
        shift = above(number)
        if not shift:
            return match.group(0)
        new = str(number - shift).encode()
        head = _ROW_NUMBER.sub(b'r="' + new + b'"', match.group(1), count=1)
        body = _CELL_REF.sub(lambda c: c.group(1) + c.group(2) + new + c.group(4), match.group(2))
        return b"<row" + head + body

    def dimension(match: re.Match[bytes]) -> bytes:
        last = int(match.group(2))
        return match.group(1) + str(max(1, last - above(last + 1))).encode() + match.group(3)

    return _DIMENSION.sub(dimension, _ROW.sub(row, xml), count=1)
