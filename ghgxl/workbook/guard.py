"""Checks a file before anything parses it, so a corrupt or hostile file gives a clear
error in bounded time and memory, and the file itself is never touched.

Limits (stated in docs/errors.md too):

* a workbook file of at most 200 MB and 10,000 parts, whose zip members unpack to at most
  1 GB in all and 500 MB each, with a compression ratio of at most 200 (zip bombs);
* no XML part, whatever its name, with a ``<!DOCTYPE``/``<!ENTITY`` (billion laughs), and no
  shared-string table whose ``uniqueCount`` is more than its part could hold (calamine
  reserves room for that many strings before it reads one);
* a sheet of at most 10 million cells (rows × columns), no column past XFD, no row past
  1,048,576. A sheet is any part calamine could read as one: what the workbook's
  relationships point at (wherever it is), anything under ``worksheets/``, any XML part that
  holds a ``<sheetData>``. Its size is judged from the cells it holds, where calamine puts
  them (by a cell's ``r``; without one, the next column, and a row without one is the next
  row), and from its ``<dimension>``, which may claim more;
* a cell opened before the one before it was closed is damage (E601), found in linear time
  (a cell left open at its row's end, in a chunk nothing else in looks amiss, is left to
  calamine and to the writers, which refuse it too).

The sheet scan runs on every calc and check, so it reads each sheet once, in chunks of whole
rows, with no per-cell work in Python: one regular expression per chunk (:func:`_suspect`)
finds any cell outside bounds that keep the sheet within the limit, in a form Excel does not
write, or opened before the cell before it was closed. Only a chunk where it finds one is
read tag by tag, as calamine reads it (:class:`_Cells`).
"""

from __future__ import annotations

import posixpath
import re
import sys
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from ghgxl.errors import GhgError
from ghgxl.workbook.refs import column_letter

MAX_FILE_BYTES = 200 * 2**20
MAX_TOTAL_UNPACKED = 2**30
MAX_MEMBER_UNPACKED = 500 * 2**20
MAX_RATIO = 200
MAX_MEMBERS = 10_000
MAX_SHEET_CELLS = 10_000_000
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Decompressed bytes read at a time; a tag or comment longer than MAX_TAG is damage.
READ_BYTES = 2**20
MAX_TAG = 4 * 2**20
DAMAGED = "工作表 XML 已损坏 / the sheet XML is damaged"

_QUOTED = rb"""[^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*"""  # attributes, up to their ">"
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SHEET_DATA = re.compile(rb"sheetData(?<=[<:]sheetData)[\s/>]")  # <sheetData, <x:sheetData
_SST = re.compile(rb"sst(?<=[<:]sst)[\s/>]")
_TAG_END = re.compile(_QUOTED + rb">")
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,9}[0-9]{1,9}:)?([A-Z]{1,9})([0-9]{1,9})"')
_ATTRIBUTE = re.compile(rb"""([^=]*)=\s*(?:"([^"]*)"?|'([^']*)'?)""")
_REL = re.compile(rb"<(?:[^\s<>/!?:]+:)?Relationship\b(" + _QUOTED + rb")>")
_SHEET = re.compile(rb"<(?:[^\s<>/!?:]+:)?sheet\b(" + _QUOTED + rb")>")
_ENTITY = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|(lt|gt|amp|apos|quot));")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_LAST_CELL = re.compile(rb'<c r="[A-Z]{1,3}([1-9][0-9]{0,6})"')
_LAST_ROW = re.compile(rb'<row r="([1-9][0-9]{0,6})"[^<>]*?(/?)>')
_CELL_LETTERS = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_REF = re.compile(rb"([A-Za-z]*)([0-9]+)")
#: Possessive quantifiers (Python 3.11+) spare the fast check its backtracking bookkeeping.
_POSSESSIVE = b"+" if sys.version_info >= (3, 11) else b""

_PREFIX = rb"(?:[^\s<>/!?:]+:)?"
#: Markup the tag-by-tag reading passes over: text, tags other than cells, rows and
#: <sheetData> (attributes quoted; most names tell at their first letter), comments,
#: CDATA, processing instructions.
_SKIP = (
    rb"(?:[^<]+(?=<|\Z)|</?[^\s<>/!?:crs][^\s<>/:]*(?=[\s/>])" + _QUOTED + rb">"
    rb"|</?(?!" + _PREFIX + rb"(?:c|row|sheetData)[\s/>])[^\s<>/!?][^\s<>/]*" + _QUOTED + rb">"
    rb"|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>)"
)
_NOT_SLASH = rb"""[^<>"'/]*(?:(?:/(?!>)|"[^"]*"|'[^']*')[^<>"'/]*)*"""
#: One token of the tag-by-tag reading, after what it passes over: a declaration; a cell
#: (its ``r`` when it comes first, in capitals; its other attributes; whether self-closed;
#: its end tag when only markup passed over stands before it); a row or <sheetData> tag; a
#: cell's end tag alone; a "<" that starts nothing whole (and what follows); the end.
_TOKEN = re.compile(
    rb"(?=((?:" + _SKIP + rb")*))\1(?:<!([A-Za-z]+)"
    rb"|(<"
    + _PREFIX
    + rb'c)(?=[\s/>])(?: r="([A-Z]{1,3})([0-9]{1,7})")?('
    + _NOT_SLASH
    + rb")(/)?>(?(7)|(?:(?:"
    + _SKIP
    + rb")*(</"
    + _PREFIX
    + rb"c\s*>))?)"
    rb"|<(/?)" + _PREFIX + rb"(row|sheetData)(?=[\s/>])(" + _QUOTED + rb")>"
    rb"|(</" + _PREFIX + rb"c\s*>)|(<.*)|\Z)",
    re.DOTALL,
)
_R_VALUES = re.compile(rb"""(?:^|(?<=[\s"']))r\s*=\s*(?:"([^"]*)"|'([^']*)')""")


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
        _check_sizes(path, infos)
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
        problem = (
            "不是 Excel 工作簿（.xlsx/.xlsm）或文件已损坏 / not an .xlsx/.xlsm workbook, or damaged"
        )
        raise GhgError("E601", path=path.name, problem=f"{problem} ({exc})") from None


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
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
    for attempt in range(3):  # again with wider columns, then tag by tag (see _Sheet)
        with package.open(info) as member:
            head = member.read(READ_BYTES)
            if not head or (sheet is None and not _looks_xml(info.filename, head)):
                return  # a binary part (VBA, an image) that nothing reads as XML
            before, rest = _prelude(path, info, member, head, strings and not attempt)
            if rest is None:
                return
            scan = _Sheet(path, info, sheet or "", columns, exact=attempt == 2)
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
        if _DECLARATION.search(window):
            raise _declaration(path, info.filename)
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


def _declaration(path: Path, part: str) -> GhgError:
    return GhgError("E609", path=path.name, problem=f"{part}: XML with a DOCTYPE/ENTITY")


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


def _chunks(member, start: bytes) -> Iterator[bytes]:
    """``start`` and the rest of ``member`` in pieces that end after a ``</row>`` (or after
    a ``>`` where a row runs longer than 8 MB; the last piece: the rest)."""
    carry = start
    while True:
        data = member.read(READ_BYTES)
        if not data:
            if carry:
                yield carry
            return
        carry += data
        cut = carry.rfind(b"</row>") + 6
        if cut < 6 and len(carry) > 8 * READ_BYTES:
            cut = carry.rfind(b">") + 1
        if cut > 0:
            yield carry[:cut]
            carry = carry[cut:]


class _Sheet:
    """The scan of one sheet part, chunk by chunk, from its ``<sheetData>`` on.

    ``rows`` × ``columns`` bound where its cells stand. A chunk is first checked whole by
    :func:`_suspect`, against the columns seen and a row bound chosen to keep rows × columns
    within the limit (looser than the rows seen: ``loose``); a chunk with anything it does not
    vouch for is read tag by tag (:class:`_Cells`). Should that chunk widen the columns so
    far that the loose row bound no longer fits, :meth:`scan` says so, and the sheet is read
    again from the start with the wider columns (a third time: tag by tag throughout).
    """

    def __init__(
        self, path: Path, info: zipfile.ZipInfo, sheet: str, columns: int = 0, exact: bool = False
    ) -> None:
        self.path, self.part, self.sheet, self.exact = path, info.filename, sheet, exact
        self.rows, self.columns = 0, columns
        self.loose = False
        self.cells = _Cells(self)

    def scan(self, before: bytes, rest: bytes, member) -> int:
        """Check the sheet; 0, or the columns to read it again with."""
        found = _DIMENSION.search(before)  # what the <dimension> claims counts too
        if found:
            self.claim(int(found.group(2)), _column(found.group(1)))
        chunks = _chunks(member, rest)
        try:
            for chunk in chunks:
                if self.cells.phase == "post":
                    break
                if self.exact or self.cells.busy or not self._fast(chunk):
                    self.cells.feed(chunk)
                    if self.loose and self.rows * self.columns > MAX_SHEET_CELLS:
                        return self.columns
                    self.claim(self.rows, self.columns)
            self.cells.finish()
            self.claim(self.rows, self.columns)
            return 0
        finally:
            chunks.close()

    def claim(self, rows: int, columns: int) -> None:
        if columns > MAX_COLUMNS:
            raise self.too_large(f"column {columns:,} is past XFD ({MAX_COLUMNS:,})")
        if rows > MAX_ROWS:
            raise self.too_large(f"row {rows:,} is past {MAX_ROWS:,}")
        if rows * columns > MAX_SHEET_CELLS:
            raise self.too_large(f"{rows} rows × {columns} columns")

    def too_large(self, problem: str) -> GhgError:
        return GhgError(
            "E610", path=self.path.name, problem=f"{self.sheet or self.part}: {problem}"
        )

    def damaged(self, detail: str, ref: bytes | None = None) -> GhgError:
        cell = self.sheet or None
        if cell and ref:
            cell += "!" + ref.decode("latin-1")
        problem = f"{DAMAGED} ({self.part}: {detail})"
        return GhgError("E601", cell=cell, path=self.path.name, problem=problem)

    def _fast(self, chunk: bytes) -> bool:
        """Vouch for a chunk of whole rows without reading it tag by tag (False: read it)."""
        end = chunk.find(b"</sheetData", len(chunk) - 2**16)  # in the last chunk
        if end >= 0 and chunk.find(b"<!", 0, end) >= 0:
            return False  # that end may stand in a comment
        rows = chunk if end < 0 else chunk[:end]
        last_row = _LAST_ROW.match(rows, max(rows.rfind(b"<row"), 0))
        if last_row is None:
            return False
        if not self.columns:  # the first chunk: its widest row sets the column bound
            self.columns = max(map(_column, set(_CELL_LETTERS.findall(rows))), default=1)
        last_cell = _LAST_CELL.match(rows, max(rows.rfind(b'<c r="'), 0))
        row = int(last_cell.group(1)) if last_cell else 0
        self.claim(row, self.columns)  # a cell that far down, and one that far right
        bound = _row_bound(max(self.rows, row), self.columns)
        if bound is None or _suspect(self.columns, bound).search(rows) or _PREFIXED.search(rows):
            return False
        self.loose |= bound > max(self.rows, row)
        self.rows = max(self.rows, bound)
        # where calamine's row counter stands after the chunk (cells without r use it)
        closed = rows.count(b"</row>", last_row.end()) + (last_row.group(2) == b"/")
        self.cells.row, self.cells.column = int(last_row.group(1)) - 1 + closed, 0
        if end >= 0:
            self.cells.phase = "post"
            if _DECLARATION.search(chunk, end):
                raise _declaration(self.path, self.part)
        return True


class _Cells:
    """Where calamine puts each cell, read tag by tag. A cell's ``r`` places it; a cell
    without one goes in the column after the last, a row without one is the row after the
    last. A cell opened inside another, or a row ended inside one, is damage."""

    def __init__(self, sheet: _Sheet) -> None:
        self.sheet = sheet
        self.phase = "in"  # in <sheetData>, or "post" after it
        self.row = self.column = 0  # calamine's counters (0-based)
        self.open: bytes | None = None  # the ref of the cell open, if one is
        self.carry = b""

    @property
    def busy(self) -> bool:
        return bool(self.carry) or self.open is not None

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk if self.carry else chunk
        self.carry = b""
        sheet = self.sheet
        for token in _TOKEN.findall(data):
            _, declaration, cell, letters, digits, attributes, slash, end = token[:8]
            if cell:
                if self.open is not None:
                    raise sheet.damaged("a cell opened inside another", self.open)
                if letters and not _R_VALUES.search(attributes):  # r="A1", and no other r
                    row, column = int(digits) - 1, _column(letters) - 1
                    sheet.rows = max(sheet.rows, row + 1)
                    sheet.columns = max(sheet.columns, column + 1)
                    self.column = column + 1
                elif letters or b"r" in attributes:
                    row, column = self._cell(b' r="%s%s"%s' % (letters, digits, attributes))
                else:
                    row, column = self._next()
                if not (slash or end):
                    self.open = b"%s%d" % (_letters(column + 1), row + 1)
                continue
            row_end, name, row_attributes, end_alone, rest = token[8:]
            if name:
                if self.open is not None:
                    raise sheet.damaged("a cell without its </c>", self.open)
                self._row(name, row_end == b"/", row_attributes)
                if self.phase == "post":
                    return
            elif end_alone:
                self.open = None
            elif declaration:
                if declaration.upper() in (b"DOCTYPE", b"ENTITY"):
                    raise _declaration(sheet.path, sheet.part)
                raise sheet.damaged(f"<!{declaration.decode('latin-1')}")
            elif rest:  # a "<" that starts nothing whole: cut by the chunk's end?
                if len(rest) > MAX_TAG:
                    raise sheet.damaged("a tag or comment that does not end")
                self.carry = rest

    def _next(self) -> tuple[int, int]:
        """Place a cell without ``r``: the column after the last one."""
        row, column = self.row, self.column
        sheet = self.sheet
        sheet.rows, sheet.columns = max(sheet.rows, row + 1), max(sheet.columns, column + 1)
        self.column = column + 1
        return row, column

    def _cell(self, attributes: bytes) -> tuple[int, int]:
        """Place a cell by its ``r`` (all of them count: calamine may read any)."""
        places = [p for p in (_place(a or b) for a, b in _R_VALUES.findall(attributes)) if p]
        if not places:
            return self._next()
        sheet = self.sheet
        for row, column in places:
            sheet.rows = max(sheet.rows, row + 1)
            sheet.columns = max(sheet.columns, column + 1)
        row, column = max(places, key=lambda p: p[1])
        self.column = column + 1
        return row, column

    def _row(self, name: bytes, end: bool, attributes: bytes) -> None:
        if name == b"sheetData":
            if end or attributes.endswith(b"/"):
                self.phase = "post"
            return
        if not end:
            refs = _R_VALUES.search(attributes)  # calamine reads a row's first r
            found = _REF.fullmatch(refs.group(1) or refs.group(2) or b"") if refs else None
            if found and int(found.group(2)):
                self.row = int(found.group(2)) - 1
        if end or attributes.endswith(b"/"):
            self.row, self.column = self.row + 1, 0

    def finish(self) -> None:
        if self.carry or (self.open is not None and self.phase == "in"):
            raise self.sheet.damaged("the part ends inside a tag or a cell", self.open)


def _place(ref: bytes) -> tuple[int, int] | None:
    """(row, column), 0-based, of a cell reference as calamine reads it (letters in either
    case, then digits); None where calamine refuses it (and then reads nothing of the sheet)."""
    found = _REF.fullmatch(ref)
    if found is None or not found.group(1) or not int(found.group(2)):
        return None
    return int(found.group(2)) - 1, _column(found.group(1)) - 1


@lru_cache(maxsize=4096)
def _column(letters: bytes) -> int:
    """``AS`` → 45: any length (past XFD too), either case."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _letters(number: int) -> bytes:
    return column_letter(number).encode() if 1 <= number <= MAX_COLUMNS else b"#%d" % number


def _row_bound(row: int, columns: int) -> int | None:
    """A bound for rows, at least ``row``, quick to check: the largest number with one
    significant digit and nines after it (two or three digits where one falls short of
    ``row``) that keeps rows × ``columns`` within the limit; None if none reaches ``row``
    (the chunk is then read tag by tag)."""
    room = min(MAX_SHEET_CELLS // max(columns, 1), MAX_ROWS)
    for significant in (1, 2, 3):
        power = 10 ** max(len(str(room)) - significant, 0)
        bound = (room + 1) // power * power - 1
        if bound >= max(row, 1):
            return bound
    return None


@lru_cache(maxsize=64)
def _suspect(columns: int, rows: int) -> re.Pattern[bytes]:
    """A cell start this fast check does not vouch for: not ``<c r="…"`` with a reference
    within ``columns`` × ``rows`` and then only attributes other than ``r`` in double quotes
    (a second ``r`` would move the cell), or opened before the cell before it was closed
    (what stands before it is not ``</c>``, a self-closed tag or a row's start tag)."""
    p = _POSSESSIVE
    ref = b"(?:%s)(?:%s)" % (_columns_upto(columns), _rows_upto(rows))
    attributes = b'(?: [a-qs-z][a-zA-Z0-9]*%s="[^"]*%s")*%s/?>' % (p, p, p)
    return re.compile(b'<c(?! r="%s"%s)|<c(?<![c/"]><c)' % (ref, attributes))


def _rows_upto(bound: int) -> bytes:
    """A regular expression for the row numbers 1 … ``bound`` (written without leading
    zeros; a row written with them is read tag by tag): as long as ``bound`` and at most it,
    or shorter."""
    digits, branches, prefix = str(bound), [], b""
    if len(digits) > 1 and digits[1:] == "9" * (len(digits) - 1):  # d99…9: one branch
        first = b"[1-%s]?" % digits[0].encode() if digits[0] != "9" else b"[0-9]?"
        return first + b"[0-9]{1,%d}%s" % (len(digits) - 1, _POSSESSIVE)
    for i, digit in enumerate(digits.encode()):
        rest, low = len(digits) - i - 1, ord("1") if i == 0 else ord("0")
        if digits[i + 1 :] == "9" * rest:  # the rest is free: one branch
            branches.append(prefix + b"[%c-%c][0-9]{%d}" % (low, digit, rest))
            break
        if digit > low:
            branches.append(prefix + b"[%c-%c][0-9]{%d}" % (low, digit - 1, rest))
        prefix += bytes([digit])
    if len(digits) > 1:
        branches.append(b"[1-9][0-9]{0,%d}%s" % (len(digits) - 2, _POSSESSIVE))
    return b"|".join(branches)


def _columns_upto(columns: int) -> bytes:
    """A regular expression for the column letters 1 … ``columns``, longest first."""
    letters = column_letter(min(columns, MAX_COLUMNS)).encode()
    branches, prefix = [], b""
    for i, letter in enumerate(letters):
        rest = len(letters) - i - 1
        if rest == 0:
            branches.append(prefix + b"[A-%c]" % letter)
        elif letter > ord("A"):
            branches.append(prefix + b"[A-%c][A-Z]{%d}" % (letter - 1, rest))
        prefix += bytes([letter])
    branches += [b"[A-Z]{%d}" % n if n > 1 else b"[A-Z]" for n in range(len(letters) - 1, 0, -1)]
    return b"|".join(branches)
