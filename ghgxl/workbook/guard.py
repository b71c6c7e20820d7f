"""Checks a file before anything parses it, so a corrupt or hostile file gives a clear
error in bounded time and memory, and the file itself is never touched.

Limits (stated in docs/errors.md too):

* a workbook file of at most 200 MB and 10,000 parts, whose zip members unpack to at most
  2 GB in all and 1 GB each, with a compression ratio of at most 200 (zip bombs);
* no XML part, whatever its name, with a ``<!DOCTYPE``/``<!ENTITY`` (billion laughs), and no
  shared-string table whose ``uniqueCount`` is more than its part could hold (calamine
  reserves room for that many strings before it reads one);
* a sheet of at most 16 million cells (rows × columns), no column past XFD, no row past
  1,048,576. A sheet is any part calamine could read as one: what the workbook's
  relationships point at (wherever it is), anything under ``worksheets/``, any XML part that
  holds a ``<sheetData>``. Its size is judged from the cells it holds, where calamine puts
  them (by a cell's ``r``; without one, the next column, and a row without one is the next
  row), and from its ``<dimension>``, which may claim more;
* a cell opened before the one before it was closed is damage (E601), found in linear time
  (a cell left open at its row's end, in a chunk nothing else in looks amiss, is left to
  calamine and to the writers, which refuse it too).

The sheet scan (:mod:`ghgxl.workbook.sheetsize`) runs on every calc and check: each sheet
once, in chunks of whole rows, with no per-cell work in Python.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from ghgxl.errors import GhgError
from ghgxl.workbook.sheetsize import (
    _QUOTED,
    MAX_TAG,
    READ_BYTES,
    SheetScan,
    declaration,
    is_declaration,
)

#: Sized for the largest workbook ghgxl makes (resize.MAX_ROWS rows, calculated: ~900 MB of
#: 活动数据 XML, ~1.3 GB in all, ~160 MB packed; tested), not far beyond.
MAX_FILE_BYTES = 200 * 2**20
MAX_TOTAL_UNPACKED = 2 * 2**30
MAX_MEMBER_UNPACKED = 2**30
MAX_RATIO = 200
MAX_MEMBERS = 10_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_SHEET_DATA = re.compile(rb"sheetData(?<=[<:]sheetData)[\s/>]")  # <sheetData, <x:sheetData
_SST = re.compile(rb"sst(?<=[<:]sst)[\s/>]")
_TAG_END = re.compile(_QUOTED + rb">")
_ATTRIBUTE = re.compile(rb"""([^=]*)=\s*(?:"([^"]*)"?|'([^']*)'?)""")
_REL = re.compile(rb"<(?:[^\s<>/!?:]+:)?Relationship\b(" + _QUOTED + rb")>")
_SHEET = re.compile(rb"<(?:[^\s<>/!?:]+:)?sheet\b(" + _QUOTED + rb")>")
_ENTITY = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(lt|gt|amp|apos|quot));")


def check_package(path: Path, first: Collection[str] | None = None) -> Callable[[], None]:
    """Raise a clear error for anything that is not a sound .xlsx/.xlsm package.

    ``first``: the sheets about to be parsed. Then the package, every part calamine reads
    to open it and those sheets are checked now, and the other sheets by the function
    returned (to be called while calamine parses: it lets go of the GIL meanwhile). Without
    ``first``, everything is checked now."""
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
    with _zip_errors(path), zipfile.ZipFile(path) as package:
        infos = [info for info in package.infolist() if not info.is_dir()]
        check_sizes(path, infos)
        parts = _Parts(package, infos)
        later = [i for i in infos if first is not None and parts.later(i.filename, first)]
        deferred = set(map(id, later))
        for info in infos:
            if id(info) not in deferred:
                _check_part(path, package, info, parts)

    def check_later() -> None:
        with _zip_errors(path), zipfile.ZipFile(path) as package:
            for info in later:
                _check_part(path, package, info, parts)

    return check_later


@contextmanager
def _zip_errors(path: Path) -> Iterator[None]:
    """A damaged zip (or deflate stream) as E601."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise GhgError(
            "E601",
            path=path.name,
            problem=f"不是 Excel 工作簿（.xlsx/.xlsm）或文件已损坏（{exc}）",
            problem_en=f"not an .xlsx/.xlsm workbook, or damaged ({exc})",
        ) from None


def check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """E609 for a package of too many parts, too many bytes unpacked in all or in one
    part, or a part compressed too well (a zip bomb)."""
    if len(infos) > MAX_MEMBERS:
        raise GhgError("E609", path=path.name, problem=f"{len(infos)} parts > {MAX_MEMBERS}")
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
        if info.flag_bits & 0x1:  # a zip-encrypted part: not how Excel protects a file
            raise zipfile.BadZipFile(f"{info.filename} is encrypted")


def _normal(name: str) -> str:
    """A part name as calamine looks it up: ``\\`` as ``/``, case ignored."""
    return name.replace("\\", "/").lower()


def _attributes(raw: bytes) -> list[tuple[bytes, bytes]]:
    """(key, value) of each attribute, split as calamine splits them: a key is what stands
    before ``=`` (trimmed), a value what stands between its quotes; where that fails,
    calamine stops with an error, and so does this list."""
    found, at = [], 0
    while (match := _ATTRIBUTE.match(raw, at)) is not None:
        key, double, single = match.groups()
        found.append((key.strip(), double if double is not None else single))
        at = match.end()
    return found


def _unescaped(text: str) -> str | None:
    """An attribute value as calamine reads it (XML's five entities and character
    references); None where it holds another (calamine then opens nothing)."""
    if text.count("&") != len(_ENTITY.findall(text)):
        return None
    named = {"lt": "<", "gt": ">", "amp": "&", "apos": "'", "quot": '"'}

    def one(found: re.Match) -> str:
        hexadecimal, decimal, name = found.groups()
        if name:
            return named[name]
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        return chr(code) if code <= 0x10FFFF else "\ufffd"

    return _ENTITY.sub(one, text)


class _Parts:
    """Which parts calamine reads, found as calamine finds them: the workbook's folder from
    ``_rels/.rels``, its sheets from the workbook's relationships (relative to that folder,
    or absolute), part names compared case-blind; and the sheets' names."""

    def __init__(self, package: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
        self.package = package
        self.by_name: dict[str, list[zipfile.ZipInfo]] = {}
        for info in infos:
            self.by_name.setdefault(_normal(info.filename), []).append(info)
        self.sheets: dict[str, set[str | None]] = {}  # part -> names (None: not known)
        self.strings: set[str] = set()
        folders = {"xl/"}
        for found in self._relationships("_rels/.rels"):
            if found.get(b"Type", b"").lower().endswith(b"officedocument"):
                folders |= {t[: t.rfind("/") + 1] for t in _resolved("", found.get(b"Target"))}
        for folder in folders:
            self.strings.add(folder + "sharedstrings.xml")
            ids: dict[bytes, list[str]] = {}
            for found in self._relationships(f"{folder}_rels/workbook.xml.rels"):
                kind = found.get(b"Type", b"").rsplit(b"/", 1)[-1]
                if kind in (b"worksheet", b"chartsheet", b"dialogsheet"):
                    targets = _resolved(folder, found.get(b"Target"))
                    ids.setdefault(found.get(b"Id", b""), []).extend(targets)
                    for target in targets:
                        self.sheets.setdefault(target, set())
            for info in self.by_name.get(f"{folder}workbook.xml", []):
                for raw in _SHEET.findall(self._head(info)):
                    found = {k.split(b":")[-1]: v for k, v in _attributes(raw)}
                    name = _unescaped(found.get(b"name", b"").decode("utf-8", "replace"))
                    for target in ids.get(found.get(b"id", b""), []):
                        self.sheets[target].add(name)

    def _head(self, info: zipfile.ZipInfo) -> bytes:
        with self.package.open(info) as member:
            return member.read(16 * 2**20)  # plenty for relationships and sheet names

    def _relationships(self, name: str) -> Iterator[dict[bytes, bytes]]:
        for info in self.by_name.get(name, []):
            for raw in _REL.findall(self._head(info)):
                yield dict(_attributes(raw))

    def sheet(self, name: str) -> str | None:
        """The name of the sheet a part is (``""``: one without a name), or None."""
        names = self.sheets.get(_normal(name))
        if names is None:
            return "" if "worksheets/" in _normal(name) else None
        return " / ".join(sorted(n for n in names if n)) or ""

    def later(self, name: str, first: Collection[str]) -> bool:
        """Whether a part is a sheet that calamine will surely not parse before it is
        checked: one whose every name is known and none of them in ``first``."""
        names = self.sheets.get(_normal(name))
        return bool(names) and None not in names and not names & set(first)


def _resolved(folder: str, target: bytes | None) -> list[str]:
    """The part names a relationship's target can stand for: calamine's, and normalised."""
    text = (target or b"").decode("utf-8", "replace")
    names = set()
    for raw in {text, _unescaped(text) or text}:
        name = raw[1:] if raw.startswith("/") else folder + raw
        names |= {_normal(name), _normal(posixpath.normpath(name))}
    return sorted(names)


def _check_part(path: Path, package: zipfile.ZipFile, info: zipfile.ZipInfo, parts: _Parts) -> None:
    sheet = parts.sheet(info.filename)
    strings = _normal(info.filename) in parts.strings
    columns = 0
    for attempt in range(3):  # again with wider columns, then tag by tag (see SheetScan)
        with package.open(info) as member:
            head = member.read(READ_BYTES)
            if not head or (sheet is None and not _looks_xml(info.filename, head)):
                return  # a binary part (VBA, an image) that nothing reads as XML
            before, rest = _prelude(path, info, member, head, strings and not attempt)
            if rest is None:
                return
            scan = SheetScan(path, info, sheet or "", columns, exact=attempt == 2)
            columns = scan.scan(before, rest, member)
        if not columns:
            return


def _looks_xml(name: str, head: bytes) -> bool:
    if name.lower().endswith((".xml", ".rels", ".vml")):
        return True
    return head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _prelude(path: Path, info: zipfile.ZipInfo, member, head: bytes, strings: bool):
    """Read an XML part up to its ``<sheetData>``, refusing a DOCTYPE/ENTITY and (in the
    shared strings) an impossible ``uniqueCount`` on the way. Returns (what stands before
    the ``<sheetData>``, the rest from it on), or (…, None) for a part without one."""
    window = head
    while True:
        if is_declaration(window):
            raise declaration(path, info.filename)
        if strings and (found := _SST.search(window)):
            window = _read_tag(path, info, member, window, found.end() - 1)
            _check_strings(path, info, window[found.end() - 1 :])
            strings = False
        found = _SHEET_DATA.search(window)
        if found is not None:
            return window[: found.start() - 1], window[found.start() - 1 :]
        more = member.read(READ_BYTES)
        if not more:
            return window, None
        window = window[-16:] + more


def _read_tag(path: Path, info: zipfile.ZipInfo, member, window: bytes, start: int) -> bytes:
    """``window``, read on until the tag open at ``start`` ends."""
    while _TAG_END.match(window, start) is None:
        more = member.read(READ_BYTES)
        if not more or len(window) - start > MAX_TAG:
            raise GhgError("E609", path=path.name, problem=f"{info.filename}: a tag without end")
        window += more
    return window


def _check_strings(path: Path, info: zipfile.ZipInfo, tag: bytes) -> None:
    """calamine reserves ``uniqueCount`` strings before it reads one: no more than fit."""
    found = _TAG_END.match(tag)
    for key, value in _attributes(found.group(0)[:-1] if found else b""):
        digits = value.strip().lstrip(b"+")
        if key == b"uniqueCount" and digits.isdigit() and int(digits) > info.file_size // 5 + 16:
            raise GhgError(
                "E609",
                path=path.name,
                problem=f"{info.filename}: uniqueCount {int(digits)} in {info.file_size} bytes",
            )
