"""Writing cached values into the formula cells of large sheets, fast and in bounded memory.

:func:`ghgxl.workbook.xlsx.patch_sheet_xml` edits cell by cell in Python: right for a few
hundred cells, too slow for the 1.3 million formula cells of a 100,000-row 活动数据 sheet.
Here a sheet is streamed through in chunks of whole rows; in each chunk one regular
expression splits every formula cell into (start tag without its type, formula) and the
new cells are put together with list slices and one ``join`` — the per-cell work left in
Python is a list index, and rendering the numbers (each distinct number once).

A cell the fast pattern does not cover (a type attribute after other attributes, an inline
string in a formula cell) sends its chunk through the cell-by-cell path, so the result is
the same either way; only the speed differs.
"""

from __future__ import annotations

import functools
import queue
import re
import threading
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from ghgxl.errors import GhgError
from ghgxl.files import atomic_output
from ghgxl.workbook import xlsx

#: Decompressed bytes handled at a time (cut at a row end): bounds the memory of a sheet.
CHUNK_BYTES = 4 * 2**20

#: A formula cell: (start tag up to its type, column, row, type attribute, rest of the start
#: tag + formula, cached value); a cell ghgxl writes gets a new type and value, a cell of a
#: column it does not own keeps its own.
_FORMULA_CELL_OF = (
    rb'(<c r="(%s)([0-9]{1,7})"(?: s="[0-9]+")?)( t="[a-z]+")?'
    rb'((?: (?!t=)[A-Za-z:]+="[^"]*")*>'
    rb"<f\b[^>]*?(?:/>|>[^<]*</f>))"
    rb"(<v>[^<]*</v>|<v/>)?</c>"
)
_FORMULA_CELL = re.compile(_FORMULA_CELL_OF % rb"[A-Z]{1,3}")
_GROUPS = 7  # pieces per formula cell in _FORMULA_CELL.split: the text before it + 6 groups
_ROW_END = b"</row>"
#: An array formula's first cell: the ref of every cell its result fills (``AC5:AJ5``).
_ARRAY = re.compile(rb'<f t="array" ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')


def _letters(columns: frozenset[str]) -> bytes:
    """``columns`` as a regular expression, one character class per leading letters
    (``{"E", "U", "AC", "AD"}`` → ``A[CD]|[EU]``): a cell of another column fails on its
    first letters, 2-3x faster than trying each column's name in turn."""
    last: dict[str, list[str]] = defaultdict(list)
    for column in columns:
        last[column[:-1]].append(column[-1])
    alternatives = [
        prefix.encode("ascii") + b"[" + "".join(sorted(ends)).encode("ascii") + b"]"
        for prefix, ends in sorted(last.items(), key=lambda item: (-len(item[0]), item[0]))
    ]
    return b"(?:" + b"|".join(alternatives) + b")" if alternatives else b"(?!)"


def _value_cells(columns: frozenset[str]) -> re.Pattern[bytes]:
    """A cell of one of ``columns`` without a formula (a cell an array formula fills holds
    only its value): (the whole cell, column, row, attributes before its type, after)."""
    return re.compile(
        rb'(<c r="(' + _letters(columns) + rb')([0-9]{1,7})"'
        rb'((?: (?!t=)[A-Za-z:]+="[^"]*")*)(?: t="[a-zA-Z]+")?'
        rb'((?: (?!t=)[A-Za-z:]+="[^"]*")*)(?:/>|>(?:<v>[^<]*</v>|<v/>|<is>.*?</is>)?</c>))',
        re.DOTALL,
    )


#: Formula elements written with a namespace prefix, which neither writer handles.
_PREFIXED_FORMULA = re.compile(rb"<[A-Za-z][\w.-]*:f[ >/]")
_BLANK = (b' t="str"', b"<v></v></c>")


@dataclass
class Block:
    """Cached values for the formula cells of a sheet: ``columns`` holds one sequence per
    column letter, one value per sheet row in ``rows``; ``cells`` holds single cells
    (a total below the table). The other formula cells of the columns ghgxl owns (``owned``,
    by default those of ``columns``) are cleared — a row emptied since the last run; formula
    cells elsewhere are the user's own (``=2000+233.735`` as an amount) and keep their values."""

    rows: np.ndarray
    columns: dict[str, Sequence[xlsx.CellValue]]
    cells: dict[str, xlsx.CellValue] = field(default_factory=dict)
    owned: frozenset[str] | None = None

    @property
    def owned_columns(self) -> frozenset[str]:
        """The columns whose formula cells ghgxl writes or clears (with the single cells')."""
        owned = frozenset(self.columns) if self.owned is None else self.owned
        return owned | {ref.rstrip("0123456789") for ref in self.cells}

    def items(self) -> Iterator[tuple[str, xlsx.CellValue]]:
        """(ref, value) of every cell; NaN (a blank in a float column) as ``""``."""
        for letter, values in self.columns.items():
            for row, value in zip(self.rows.tolist(), list(values), strict=True):
                yield f"{letter}{row}", "" if value != value else value
        yield from self.cells.items()

    def as_dict(self) -> dict[str, xlsx.CellValue]:
        return dict(self.items())


def _render_one(value: xlsx.CellValue) -> tuple[bytes, bytes]:
    if value.__class__ is float and abs(value) < 1e308:  # finite: the common case, fast
        return b"", b"<v>" + repr(value).encode("ascii") + b"</v></c>"
    if value is None or value == "":
        return _BLANK
    kind, cached = xlsx.value_xml(value)
    return kind, cached + b"</c>"


def _floats(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(type attribute, cached value + ``</c>``) of floats: each distinct value rendered once,
    in one ``join`` (NaN: a blank cell)."""
    unique, inverse = np.unique(values, return_inverse=True)
    finite = np.isfinite(unique)
    texts = list(map(repr, unique[finite].tolist()))
    tails = np.empty(len(unique), dtype=object)
    if texts:
        joined = "<v>" + "</v></c>\0<v>".join(texts) + "</v></c>"
        tails[finite] = joined.encode("ascii").split(b"\0")
    kinds = np.full(len(unique), b"", dtype=object)
    for i in np.flatnonzero(~finite).tolist():
        kinds[i], tails[i] = _render_one(float(unique[i]) if unique[i] == unique[i] else "")
    return kinds[inverse.ravel()], tails[inverse.ravel()]


def _texts(values: list[str]) -> np.ndarray:
    """Cached values + ``</c>`` of strings, escaped and encoded in one go (``\0``, which XML
    cannot hold, separates them)."""
    tails = np.empty(len(values), dtype=object)
    escaped = escape(xlsx.ooxml_text("\0".join(values), keep_nul=True)).split("\0")
    if len(escaped) != len(values):  # a NUL in a value: one at a time (_x0000_)
        tails[:] = [b"<v>" + xlsx.escaped_text(v) + b"</v></c>" for v in values]
        return tails
    joined = "<v>" + "</v></c>\0<v>".join(escaped) + "</v></c>"
    tails[:] = joined.encode("utf-8").split(b"\0")
    return tails


def _rendered(values: Sequence[xlsx.CellValue]) -> tuple[np.ndarray, np.ndarray]:
    """(type attribute, cached value + ``</c>``) of each value: floats and strings a column
    at a time, anything else (ints, bools, NaN-free odds) one distinct value at a time."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return _floats(values)
    values = list(values)
    kinds = np.empty(len(values), dtype=object)
    tails = np.empty(len(values), dtype=object)
    classes = [v.__class__ for v in values]
    floats = [i for i, c in enumerate(classes) if c is float]
    texts = [i for i, c in enumerate(classes) if c is str]
    if floats:
        kinds[floats], tails[floats] = _floats(np.array([values[i] for i in floats]))
    if texts:
        kinds[texts] = _BLANK[0]  # t="str"; "" is a blank: <v></v>, the same as _BLANK
        tails[texts] = _texts([values[i] for i in texts])
    memo: dict[tuple[type, object], tuple[bytes, bytes]] = {}
    for i, c in enumerate(classes):
        if c is not float and c is not str:
            pair = memo.get((c, values[i]))
            if pair is None:
                pair = memo[(c, values[i])] = _render_one(values[i])
            kinds[i], tails[i] = pair
    return kinds, tails


def _letters_row(ref: str) -> tuple[bytes, int]:
    """``"J206"`` → ``(b"J", 206)``."""
    letters = ref.rstrip("0123456789")
    return letters.encode("ascii"), int(ref[len(letters) :])


class _Lookup:
    """Block values rendered once, addressed by (column index, row position)."""

    def __init__(self, block: Block, sheet: str = "") -> None:
        self.block, self.sheet = block, sheet  # the sheet's name, for messages
        self.everything: dict[str, xlsx.CellValue] | None = None  # for the slow path
        for letter, values in block.columns.items():
            if len(values) != len(block.rows):
                raise ValueError(
                    f"column {letter}: {len(values)} values for {len(block.rows)} rows"
                )
        self.letters: dict[bytes, int] = defaultdict(lambda: -1)  # -1: not a block column
        self.letters |= {letter.encode("ascii"): i for i, letter in enumerate(block.columns)}
        rows = np.asarray(block.rows, dtype=np.int64)
        self.width = len(rows)
        top = int(rows.max()) + 1 if len(rows) else 1
        self.position = np.full(top + 1, -1, dtype=np.int64)
        self.position[rows] = np.arange(len(rows))
        kinds, tails = [], []
        for values in block.columns.values():
            k, t = _rendered(values)
            kinds.append(k)
            tails.append(t)
        # the last entry: a formula cell not in the block
        self.kinds = np.concatenate([*kinds, np.array([_BLANK[0]], dtype=object)])
        self.tails = np.concatenate([*tails, np.array([_BLANK[1]], dtype=object)])
        #: single cells by (column letters, row): rendered once
        self.cells = {_letters_row(ref): _render_one(v) for ref, v in block.cells.items()}
        #: no cell gets a type attribute: the type slot can be left out of the join
        self.untyped = not self.cells and not (self.kinds[:-1] != b"").any()
        self.owned = {letter.encode("ascii") for letter in block.owned_columns}
        #: array formulas seen so far that reach below their first row: (first row, last
        #: row, first column, last column, the anchor's ref)
        self.tall_arrays: list[tuple[int, int, int, int, bytes]] = []
        self.value_cells = _value_cells(block.owned_columns)
        #: the formula cells of the columns ghgxl owns: in a sheet of its rows, those it
        #: writes are a tenth of all cells, which this pattern passes over at once
        self.owned_formula_cells = re.compile(_FORMULA_CELL_OF % _letters(block.owned_columns))

    def value(self, letters: bytes, row: int) -> tuple[bytes, bytes] | None:
        """The (type attribute, ``<v>…</c>``) ghgxl writes into a cell, None for a cell
        that is not ghgxl's (a column it does not own)."""
        column = self.letters[letters]
        position = self.position[row] if row < len(self.position) else -1
        if column >= 0 and position >= 0:
            index = column * self.width + position
            return self.kinds[index], self.tails[index]
        if (letters, row) in self.cells:
            return self.cells[(letters, row)]
        return _BLANK if letters in self.owned else None

    def indices(
        self, letters: list[bytes], digits: list[bytes]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where each formula cell's value is in :attr:`kinds`/:attr:`tails` (the last entry:
        not in the block), the cells' row numbers, and which cells are not ghgxl's to write
        (in a column it does not own): they keep their own type and value."""
        column = np.fromiter(map(self.letters.__getitem__, letters), np.int64, len(letters))
        row = np.fromiter(map(int, digits), np.int64, len(digits))
        inside = row < len(self.position)
        position = np.full(len(row), -1, dtype=np.int64)
        position[inside] = self.position[row[inside]]
        found = (column >= 0) & (position >= 0)
        keep = np.zeros(len(letters), dtype=bool)
        foreign = np.flatnonzero(column < 0).tolist()  # few: the user's own formulas
        if foreign:
            keep[foreign] = [letters[i] not in self.owned for i in foreign]
        index = np.where(found, column * self.width + position, len(self.kinds) - 1)
        return index, row, keep


def patch_chunk(xml: bytes, lookup: _Lookup) -> bytes:
    """One chunk of whole rows with every formula cell's cached value set or cleared —
    including the cells an array formula fills, which hold only a value."""
    patched = _patch_formula_cells(xml, lookup)
    if b't="array"' in patched or lookup.tall_arrays:
        return _patch_array_cells(patched, lookup)
    return patched


def _patch_array_cells(xml: bytes, lookup: _Lookup) -> bytes:
    """The value cells that an array formula fills (not its first cell, a formula cell
    written already), in the columns ghgxl owns, get their values."""
    found = _ARRAY.findall(xml)  # (first column, first row, last column, last row)
    first_columns, first_rows, last_columns, last_rows = (
        zip(*found, strict=True) if found else ((),) * 4
    )
    tops, bottoms = (
        np.fromiter(map(int, r), np.int64, len(found)) for r in (first_rows, last_rows)
    )
    lows, highs = (
        np.fromiter(map(column_number, c), np.int64, len(found))
        for c in (first_columns, last_columns)
    )
    one_row = tops == bottoms
    for i in np.flatnonzero(~one_row).tolist():
        anchor = first_columns[i] + first_rows[i]
        lookup.tall_arrays.append(
            (int(tops[i]), int(bottoms[i]), int(lows[i]), int(highs[i]), anchor)
        )
    if not lookup.tall_arrays and not lookup.cells:
        patched = _patch_row_arrays(xml, lookup, tops, lows, highs, first_rows)
        if patched is not None:
            return patched
    covered: dict[int, list[tuple[int, int, bytes]]] = defaultdict(list)  # row → spans
    for i in np.flatnonzero(one_row).tolist():
        anchor = first_columns[i] + first_rows[i]
        covered[int(tops[i])].append((int(lows[i]), int(highs[i]), anchor))

    def inside(letters: bytes, row: int) -> bool:
        number = column_number(letters)
        ref = letters + str(row).encode("ascii")
        for low, high, anchor in covered.get(row, ()):
            if low <= number <= high and ref != anchor:
                return True
        return any(
            top <= row <= bottom and low <= number <= high and ref != anchor
            for top, bottom, low, high, anchor in lookup.tall_arrays
        )

    def write(match: re.Match) -> bytes:
        letters, row = match.group(2), int(match.group(3))
        if not inside(letters, row):
            return match.group(0)
        value = lookup.value(letters, row)
        if value is None:
            return match.group(0)
        kind, tail = value
        return b'<c r="%s%d"%s%s%s>%s' % (letters, row, match.group(4), match.group(5), kind, tail)

    return lookup.value_cells.sub(write, xml)


#: Room for every column (XFD is 16,384) in a key of row and column.
_COLUMN_ROOM = 2**14 + 1


def _patch_row_arrays(
    xml: bytes,
    lookup: _Lookup,
    tops: np.ndarray,
    lows: np.ndarray,
    highs: np.ndarray,
    first_rows: tuple[bytes, ...],
) -> bytes | None:
    """:func:`_patch_array_cells` when every array formula (its row ``tops``, first and
    last columns ``lows``, ``highs``; its row as written, ``first_rows``) is one row high,
    as ghgxl's are, and the block has no single cells: the cells are found in one split and
    their values looked up and joined at once, as :func:`_patch_formula_cells` does. None
    for arrays it does not vouch for — covering more cells than the chunk could hold, past
    column XFD, or with a row number written with a leading zero: the general path then."""
    widths = np.maximum(highs - lows, 0)  # a reversed ref fills nothing
    if (
        widths.sum() > len(xml) // 8  # a cell takes more than 8 bytes: arrays of the user's
        or (len(highs) and highs.max() >= _COLUMN_ROOM)
        or any(row[:1] == b"0" for row in first_rows)
    ):
        return None
    pieces = lookup.value_cells.split(xml)
    count = (len(pieces) - 1) // 6
    if not count:
        return xml
    letters, digits = pieces[2::6], pieces[3::6]
    index, rows, _ = lookup.indices(letters, digits)
    columns = np.fromiter(map(column_number, letters), np.int64, count)
    if columns.max() >= _COLUMN_ROOM:
        return None
    # what the arrays fill besides their anchors (their first columns), as (row, column) keys
    starts = np.repeat(tops * _COLUMN_ROOM + lows, widths)
    steps = np.arange(widths.sum()) - np.repeat(np.cumsum(widths) - widths, widths)
    inside = np.isin(rows * _COLUMN_ROOM + columns, starts + steps + 1).tolist()
    kinds, tails = lookup.kinds[index].tolist(), lookup.tails[index].tolist()
    cells = [
        b'<c r="%s%d"%s%s%s>%s' % (letter, row, before, after, kind, tail) if write else whole
        for write, whole, letter, row, before, after, kind, tail in zip(
            inside, pieces[1::6], letters, rows.tolist(), pieces[4::6], pieces[5::6],
            kinds, tails, strict=True,
        )
    ]  # fmt: skip
    out: list[bytes] = [b""] * (2 * count + 1)
    out[0::2] = pieces[0::6]
    out[1::2] = cells
    return b"".join(out)


@functools.lru_cache(maxsize=4096)
def column_number(letters: bytes) -> int:
    """``b"AC"`` → 29."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _patch_formula_cells(xml: bytes, lookup: _Lookup) -> bytes:
    """One chunk of whole rows with every formula cell's cached value set or cleared."""
    if b":f" in xml and _PREFIXED_FORMULA.search(xml):  # the cheap test first
        raise GhgError(
            "E601",
            cell=lookup.sheet or None,
            path="sheet XML",
            problem="formula cells with a namespace prefix (<x:f>); open and save the "
            "workbook in Excel, then calculate again",
        )
    pieces = lookup.owned_formula_cells.split(xml)
    count = (len(pieces) - 1) // _GROUPS
    if count != xml.count(b"<f"):  # formula cells of the user's own elsewhere (or a tag
        # such as <filterColumn> after the table): every formula cell, as they were found
        pieces = _FORMULA_CELL.split(xml)
        count = (len(pieces) - 1) // _GROUPS
        if not _every_formula(xml, count):
            return _patch_slowly(xml, lookup)  # a formula cell the pattern does not cover
    letters, digits = pieces[2::_GROUPS], pieces[3::_GROUPS]
    index, rows, keep = lookup.indices(letters, digits)
    tails = lookup.tails[index].tolist()
    starts, rests = pieces[1::_GROUPS], pieces[5::_GROUPS]
    if lookup.untyped and not (index == len(lookup.kinds) - 1).any():
        out: list[bytes] = [b""] * (4 * count + 1)
        out[0::4] = pieces[0::_GROUPS]
        out[1::4] = starts
        out[2::4] = rests
        out[3::4] = tails
        return b"".join(out)
    kinds = lookup.kinds[index].tolist()
    for (letter, row), pair in lookup.cells.items():  # a few (totals): found by their row
        for i in np.flatnonzero(rows == row).tolist():
            if letters[i] == letter:
                kinds[i], tails[i] = pair
    for i in np.flatnonzero(keep).tolist():  # the user's own formula cells, as they were
        kinds[i] = pieces[4 + _GROUPS * i] or b""
        tails[i] = (pieces[6 + _GROUPS * i] or b"") + b"</c>"
    out = [b""] * (5 * count + 1)
    out[0::5] = pieces[0::_GROUPS]
    out[1::5] = starts
    out[2::5] = kinds
    out[3::5] = rests
    out[4::5] = tails
    return b"".join(out)


def _every_formula(xml: bytes, count: int) -> bool:
    """Whether ``count`` cells found are every formula ``xml`` holds."""
    return count == xml.count(b"<f") or count == xlsx.formula_elements(xml)


def _patch_slowly(xml: bytes, lookup: _Lookup) -> bytes:
    elements, writable = xlsx.formula_cells(xml)
    if elements != writable:  # never leave a formula cell showing last run's number
        raise GhgError(
            "E601",
            cell=lookup.sheet or None,
            path="sheet XML",
            problem=f"{elements - writable} formula cell(s) ghgxl cannot write: not closed "
            "(the sheet XML is damaged), without an r attribute, or with line breaks inside; "
            "open and save the workbook in Excel, then calculate again",
        )
    if lookup.everything is None:  # built once, for the first chunk that needs it
        lookup.everything = lookup.block.as_dict()
    refs = {ref.decode("ascii") for ref in re.findall(rb'<c r="([A-Z]+[0-9]+)"', xml)}
    wanted = {ref: lookup.everything[ref] for ref in refs if ref in lookup.everything}
    clear = lookup.block.owned_columns
    patched, _missing = xlsx.patch_sheet_xml(xml, wanted, clear_columns=clear)
    return patched


def row_chunks(stream, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The stream's bytes in pieces that end after a ``</row>`` (the last: the rest)."""
    carry = b""
    while True:
        data = stream.read(size)
        if not data:
            if carry:
                yield carry
            return
        carry += data
        cut = carry.rfind(_ROW_END)
        if cut >= 0:
            cut += len(_ROW_END)
            yield carry[:cut]
            carry = carry[cut:]


_END = object()


def _pipeline(
    chunks: Iterator[bytes], edit: Callable[[bytes], bytes], write: Callable[[bytes], object]
) -> None:
    """``write(edit(chunk))`` for every chunk, with reading (decompression) and writing
    (compression) in threads of their own: zlib lets go of the GIL, so on two cores they
    run beside the editing. The first error in any of the three is raised here."""
    inbox: queue.Queue = queue.Queue(maxsize=2)
    outbox: queue.Queue = queue.Queue(maxsize=2)
    failures: list[BaseException] = []

    def read() -> None:
        try:
            for chunk in chunks:
                if failures:
                    break
                inbox.put(chunk)
        except BaseException as exc:  # handed to the main thread
            failures.append(exc)
        inbox.put(_END)

    def drain() -> None:
        while (data := outbox.get()) is not _END:
            if not failures:
                try:
                    write(data)
                except BaseException as exc:  # handed to the main thread
                    failures.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    writer = threading.Thread(target=drain, daemon=True)
    reader.start()
    writer.start()
    try:
        while (chunk := inbox.get()) is not _END:
            if not failures:
                outbox.put(edit(chunk))
    except BaseException as exc:
        failures.append(exc)
    finally:
        while reader.is_alive():  # let the reader finish (it may wait on a full queue)
            with suppress(queue.Empty):
                inbox.get(timeout=0.05)
        outbox.put(_END)
        writer.join()
        reader.join()
    if failures:
        raise failures[0]


Progress = Callable[[float], object]


def write_patched(
    source: Path,
    target: Path,
    blocks: Mapping[str, Block],
    small: Mapping[str, Mapping[str, xlsx.CellValue]],
    progress: Progress | None = None,
) -> None:
    """A copy of ``source`` at ``target`` (atomically) with ``blocks`` written into their
    sheets chunk by chunk and ``small`` (a few cells, other formula cells kept) cell by
    cell; every other member is copied as it is. ``progress`` is told the share of the
    package's (uncompressed) bytes written, from 0 to 1."""
    # the source is closed before the output replaces it (--in-place: the same file; Windows
    # refuses to replace a file that is open)
    with atomic_output(Path(target)) as handle, zipfile.ZipFile(source) as package:
        parts = xlsx.package_sheet_parts(package)
        streamed = {parts[s]: _Lookup(b, s) for s, b in blocks.items() if s in parts}
        patched = {parts[s]: v for s, v in small.items() if s in parts}
        total = max(sum(i.file_size for i in package.infolist()), 1)
        done = 0

        def advance(size: int) -> None:
            nonlocal done
            done += size
            if progress is not None:
                progress(min(done / total, 1.0))

        with zipfile.ZipFile(handle, "w") as out:
            for info in package.infolist():
                copy = xlsx.member_info(info.filename, info.file_size)
                if info.filename in streamed:
                    edit = partial(patch_chunk, lookup=streamed[info.filename])
                    with package.open(info) as src, out.open(copy, "w") as dst:
                        chunks = _counted(row_chunks(src), advance)
                        _pipeline(chunks, edit, dst.write)
                    continue
                data = package.read(info)
                if info.filename == "xl/workbook.xml":  # Excel keeps the values written
                    data = xlsx.current_calc(data)
                if info.filename in patched:
                    data, _missing = xlsx.patch_sheet_xml(data, patched[info.filename])
                out.writestr(copy, data)
                advance(info.file_size)
        if progress is not None:
            progress(1.0)


def _counted(chunks: Iterator[bytes], advance: Callable[[int], None]) -> Iterator[bytes]:
    for chunk in chunks:
        advance(len(chunk))
        yield chunk
