"""Checks a file before anything parses it, so a corrupt or hostile file gives a clear
error in bounded time and memory, and the file itself is never touched.

Limits (stated in docs/errors.md too):

* a workbook file of at most 200 MB, whose zip members unpack to at most 1 GB in all and
  500 MB each, with a compression ratio of at most 200 (zip bombs);
* a sheet of at most 10 million cells (rows × columns), judged from its ``<dimension>`` and
  its last ``<row>`` before calamine allocates it (a sheet "claiming a million rows"), and
  no column past XFD, Excel's last;
* XML with a ``<!DOCTYPE``/``<!ENTITY`` is refused (billion laughs); workbook.xml and its
  relationships are parsed with defusedxml.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ghgxl.errors import GhgError
from ghgxl.workbook.refs import column_number

MAX_FILE_BYTES = 200 * 2**20
MAX_TOTAL_UNPACKED = 2**30
MAX_MEMBER_UNPACKED = 500 * 2**20
MAX_RATIO = 200
MAX_SHEET_CELLS = 10_000_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]*[0-9]*:?([A-Z]+)([0-9]+)"')
_LAST_ROW = re.compile(rb'<row r="([0-9]+)"')


def check_package(path: Path) -> None:
    """Raise a clear error for anything that is not a sound .xlsx/.xlsm package."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise GhgError("E601", path=str(path), problem=exc.strerror or str(exc)) from None
    if head.startswith(OLE_MAGIC):
        raise GhgError("E608", path=path.name)
    if size > MAX_FILE_BYTES:
        raise GhgError(
            "E609", path=path.name, problem=f"{size / 2**20:.0f} MB > {MAX_FILE_BYTES // 2**20} MB"
        )
    try:
        with zipfile.ZipFile(path) as package:
            infos = package.infolist()
            _check_sizes(path, infos)
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_sheet(path, package, info)
    except zipfile.BadZipFile as exc:
        problem = (
            "不是 Excel 工作簿（.xlsx/.xlsm）或文件已损坏 / not an .xlsx/.xlsm workbook, or damaged"
        )
        raise GhgError("E601", path=path.name, problem=f"{problem} ({exc})") from None


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_UNPACKED:
        raise GhgError("E609", path=path.name, problem=f"unpacks to {total / 2**20:.0f} MB")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_UNPACKED or (info.file_size > 2**20 and ratio > MAX_RATIO):
            raise GhgError(
                "E609",
                path=path.name,
                problem=f"{info.filename}: {info.file_size / 2**20:.0f} MB, ratio {ratio:.0f}",
            )


def _check_sheet(path: Path, package: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    with package.open(info) as member:
        head = member.read(4096)
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise GhgError(
            "E609", path=path.name, problem=f"{info.filename}: XML with a DOCTYPE/ENTITY"
        )
    dimension = _DIMENSION.search(head)
    rows = int(dimension.group(2)) if dimension else 0
    try:
        columns = column_number(dimension.group(1).decode()) if dimension else 1
    except ValueError:  # a column beyond XFD: no sheet Excel writes
        raise GhgError(
            "E610",
            path=path.name,
            problem=f"{info.filename}: column {dimension.group(1).decode()} is past XFD",
        ) from None
    if rows * columns > MAX_SHEET_CELLS:
        raise GhgError(
            "E610", path=path.name, problem=f"{info.filename}: {rows} rows × {columns} columns"
        )
    with package.open(info) as member:
        tail = _tail(member)
    last = _LAST_ROW.findall(tail)
    if last and int(last[-1]) * columns > MAX_SHEET_CELLS:
        raise GhgError("E610", path=path.name, problem=f"{info.filename}: row {int(last[-1])}")


def _tail(member, length: int = 65536) -> bytes:
    """The last ``length`` bytes of a zip member (read through; members are size-checked)."""
    tail = b""
    while chunk := member.read(2**20):
        tail = (tail + chunk)[-length:]
    return tail
