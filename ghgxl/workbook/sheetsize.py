"""Sizing a sheet part as calamine would place its cells, before calamine allocates it: the
scan the package guard (:mod:`ghgxl.workbook.guard`) runs on every sheet.

It reads each sheet once, in chunks of whole rows, with no per-cell work in Python: one
regular expression per chunk (:func:`_suspect`) finds any cell outside bounds that keep the
sheet within the limit, in a form Excel does not write, or opened before the cell before it
was closed. Only a chunk where it finds one is read tag by tag, as calamine reads it
(:class:`_Cells`): by a cell's ``r``; without one, the next column, and a row without one
is the next row.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from ghgxl.errors import GhgError
from ghgxl.workbook.refs import column_letter

#: 250,004 rows × 57 columns of the largest 活动数据 (resize.MAX_ROWS) fit, with some room.
MAX_SHEET_CELLS = 16_000_000
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384
#: Decompressed bytes read at a time; a tag or comment longer than MAX_TAG is damage.
READ_BYTES = 2**20
MAX_TAG = 4 * 2**20
DAMAGED = ("工作表 XML 已损坏", "the sheet XML is damaged")

_QUOTED = rb"""[^<>"']*(?:(?:"[^"]*"|'[^']*')[^<>"']*)*"""  # attributes, up to their ">"
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,9}[0-9]{1,9}:)?([A-Z]{1,9})([0-9]{1,9})"')
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


def is_declaration(xml: bytes) -> bool:
    """Whether ``xml`` holds a ``<!DOCTYPE``/``<!ENTITY`` (billion laughs)."""
    return _DECLARATION.search(xml) is not None


def declaration(path: Path, part: str) -> GhgError:
    return GhgError("E609", path=path.name, problem=f"{part}: XML with a DOCTYPE/ENTITY")


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


class SheetScan:
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
        zh, en = DAMAGED
        return GhgError(
            "E601",
            cell=cell,
            path=self.path.name,
            problem=f"{zh}（{self.part}：{detail}）",
            problem_en=f"{en} ({self.part}: {detail})",
        )

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
                raise declaration(self.path, self.part)
        return True


class _Cells:
    """Where calamine puts each cell, read tag by tag. A cell's ``r`` places it; a cell
    without one goes in the column after the last, a row without one is the row after the
    last. A cell opened inside another, or a row ended inside one, is damage."""

    def __init__(self, sheet: SheetScan) -> None:
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
                    raise declaration(sheet.path, sheet.part)
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
