"""A 盘查清册 of any size: the committed template with more rows in 活动数据 and 数据质量.

The template holds 200 rows; a company with more sources asks ``ghgxl workbook new --rows
N``. The rows added are the template's last row repeated — the same cell styles, and for
each row its own formulas from :mod:`ghgxl.workbook.formulas` — and everything that spans the
table ends in the new last row: the 汇总 formulas, the dropdown validations, the filter,
the 数据质量 totals (moved down) and the sheet dimensions. The result is byte for byte what
building the template with N rows gives (tested), made without openpyxl or pyopenvba
rewriting the package, so the VBA and the buttons stay exactly as committed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from xml.sax.saxutils import escape

from ghgxl.errors import GhgError
from ghgxl.workbook import formulas as F
from ghgxl.workbook import layout as L
from ghgxl.workbook import xlsx
from ghgxl.workbook.refs import column_letter, split_ref

#: The most rows a workbook holds (``workbook new --rows``, a group workbook): 200 sites of
#: 1,000 rows and room to spare. Such a workbook, calculated, still passes ghgxl's own size
#: checks (guard: a 活动数据 row is ~3.6 KB of XML with its formulas in full, a 数据质量 row
#: ~1.4 KB; tested against guard's limits).
MAX_ROWS = 250_000
_ROW = re.compile(rb'<row r="([0-9]+)"[^>]*>.*?</row>', re.DOTALL)
#: A formula cell: its start tag (group 1) and ref (group 2); the formula text follows.
_FORMULA = re.compile(rb'(<c r="([A-Z]+[0-9]+)"[^>]*>)<f>[^<]*</f>')

Formulas = Mapping[str, str]  # column letter → formula, for one row
#: 活动数据's input values row by row from its first: column letter → value (none blank).
Inputs = Sequence[Mapping[str, xlsx.CellValue]]


def formula_xml(formula: str) -> bytes:
    """A formula as openpyxl writes it into ``<f>``: no ``=``, XML-escaped, every non-ASCII
    character as a character reference."""
    return escape(formula.removeprefix("=")).encode("ascii", "xmlcharrefreplace")


_SLOTS = re.compile(
    rb'<row r="([0-9]+)"|<c r="([A-Z]+)([0-9]+)"'
    rb'|<f(?: t="array" ref="[A-Z]+[0-9]+:([A-Z]+)[0-9]+")?>[^<]*</f>'
)


class _Row:
    """A ``<row>`` element cut once at its row numbers and its formulas, so that a copy for
    another row is one join: the new number in each number's place, and in each formula's
    the formula of that cell's column."""

    def __init__(self, xml: bytes) -> None:
        # bytes: kept as they are; None: the row number; a tuple: the formula of that column
        # (and the last column of its array, "" for a formula of one cell)
        self.pieces: list[bytes | tuple[str, str] | None] = []
        position, column = 0, ""
        for match in _SLOTS.finditer(xml):
            if match.group(2) is not None:
                column, span = match.group(2).decode(), match.span(3)
            else:
                span = match.span(1) if match.group(1) is not None else match.span()
            self.pieces.append(xml[position : span[0]])
            is_formula = match.group(0)[1] == ord("f")
            self.pieces.append((column, (match.group(4) or b"").decode()) if is_formula else None)
            position = span[1]
        self.pieces.append(xml[position:])

    def render(self, row: int, formulas: Formulas) -> bytes:
        number = str(row).encode("ascii")
        return b"".join(
            piece
            if piece.__class__ is bytes
            else number
            if piece is None
            else _formula_element(piece, row, formulas[piece[0]])
            for piece in self.pieces
        )


def _formula_element(slot: tuple[str, str], row: int, formula: str) -> bytes:
    column, array_end = slot
    if not array_end:
        return b"<f>" + formula_xml(formula) + b"</f>"
    ref = f"{column}{row}:{array_end}{row}".encode("ascii")
    return b'<f t="array" ref="' + ref + b'">' + formula_xml(formula) + b"</f>"


def _by_row(formulas: Mapping[str, str]) -> dict[int, dict[str, str]]:
    """``{"J206": f}`` → ``{206: {"J": f}}``."""
    rows: dict[int, dict[str, str]] = {}
    for ref, formula in formulas.items():
        row, column = split_ref(ref)
        rows.setdefault(row, {})[column_letter(column)] = formula
    return rows


def _grown(
    xml: bytes,
    last: int,
    formulas_of: Callable[[int], Formulas],
    below: Mapping[str, str],
    inputs: Inputs = (),
) -> bytes:
    """A table sheet whose rows end in the template's last row, grown to end in ``last``:
    rows copied from the last one; the rows below the table moved down as far, their
    formulas from ``below`` (ref → formula, at the new places); ``inputs``: the values of
    the table's rows from its first, by column letter."""
    rows = {int(m.group(1)): (m.start(), m.end()) for m in _ROW.finditer(xml)}
    start, end = rows[L.LAST_ROW]
    head = _filled(xml[:end], inputs, range(L.FIRST_ROW, L.LAST_ROW + 1))
    added = _copies(_Row(xml[start:end]), range(L.LAST_ROW + 1, last + 1), formulas_of, inputs)
    after = sorted(row for row in rows if row > L.LAST_ROW)
    if not after:
        return b"".join([head, *added, xml[end:]])  # one copy of a sheet of 10^5 rows
    shift, renewed = last - L.LAST_ROW, _by_row(below)
    moved = [
        _Row(xml[slice(*rows[row])]).render(row + shift, renewed.get(row + shift, {}))
        for row in after
    ]
    first, final = rows[after[0]][0], rows[after[-1]][1]
    return b"".join([head, *added, xml[end:first], *moved, xml[final:]])


#: A row number no sheet holds otherwise: a row rendered for it is every row's pattern.
_SENTINEL = 987_654_321
_SENTINEL_BYTES = str(_SENTINEL).encode("ascii")


def _copies(
    prototype: _Row, numbers: range, formulas_of: Callable[[int], Formulas], inputs: Inputs = ()
) -> list[bytes]:
    """``prototype`` rendered for each row of ``numbers``, with its ``inputs`` (the values
    of the table's rows from its first, by column letter) in its cells: rendered once for
    a sentinel row number, then that number replaced in a copy per row — 10x faster than
    rendering each row, and the same bytes whenever a row's formulas differ from another's
    only by its number (checked on the first row; otherwise each row is rendered)."""
    if not numbers:
        return []
    pattern = prototype.render(_SENTINEL, formulas_of(_SENTINEL))
    first = numbers[0]
    if pattern.replace(_SENTINEL_BYTES, str(first).encode("ascii")) != prototype.render(
        first, formulas_of(first)
    ):
        return [
            _filled(prototype.render(row, formulas_of(row)), inputs, range(row, row + 1))
            for row in numbers
        ]
    filled = _Pattern(pattern)
    if set().union(*inputs[numbers[0] - L.FIRST_ROW :]) - filled.cells.keys():
        xlsx.cells_missing(L.SHEET_ACTIVITY, _unknown(inputs, filled.cells.keys(), numbers[0]))
    out: list[bytes] = []
    for row in numbers:
        index = row - L.FIRST_ROW
        filled.render(out, str(row).encode("ascii"), inputs[index] if index < len(inputs) else {})
    return out


class _Pattern:
    """A row rendered for the sentinel row number, its cells located: a copy for another
    row is that number replaced, with the row's values written into their cells."""

    def __init__(self, pattern: bytes) -> None:
        self.pattern = pattern
        self.cells = xlsx.row_cells(pattern)
        #: a plain cell whose attributes hold no row number: where it is, and its start and
        #: end but the row number (others are written cell by cell)
        self.plain = {
            letter: (start, end, b'<c r="' + letter.encode("ascii"), b'"' + xlsx.untyped(attrs))
            for letter, (start, end, attrs, inner) in self.cells.items()
            if not inner and _SENTINEL_BYTES not in attrs
        }
        self.texts: dict[str, bytes] = {}  # each distinct short text's XML once

    def render(self, out: list[bytes], number: bytes, values: Mapping[str, xlsx.CellValue]) -> None:
        """The row ``number`` (ASCII digits) with ``values`` (column letter → value), added
        to ``out`` in pieces."""
        pattern = self.pattern
        if not values:
            out.append(pattern.replace(_SENTINEL_BYTES, number))
            return
        position = 0
        for letter in sorted(values, key=lambda c: self.cells[c][0]):  # in the row's order
            start, end = self.cells[letter][:2]
            out.append(pattern[position:start].replace(_SENTINEL_BYTES, number))
            out.append(self._cell(letter, number, values[letter]))
            position = end
        out.append(pattern[position:].replace(_SENTINEL_BYTES, number))

    def _cell(self, letter: str, number: bytes, value: xlsx.CellValue) -> bytes:
        if letter not in self.plain:
            _, _, attributes, inner = self.cells[letter]
            ref = letter.encode("ascii") + number
            inner = inner.replace(_SENTINEL_BYTES, number) if inner else inner
            attributes = attributes.replace(_SENTINEL_BYTES, number)
            return xlsx.patched_cell(ref, attributes, inner, value)
        _, _, head, attributes = self.plain[letter]
        if isinstance(value, str) and value.__class__ is str and len(value) <= _CACHED_TEXT:
            tail = self.texts.get(value)
            if tail is None:
                tail = self.texts[value] = xlsx.plain_tail(value)
        else:  # a number (0.0 and -0.0 are equal, not the same), a long text
            tail = xlsx.plain_tail(value)
        return head + number + attributes + tail


#: Texts up to this long are rendered once each (most repeat); longer ones, remarks, rarely do.
_CACHED_TEXT = 100


def _unknown(inputs: Inputs, known: Collection[str], first: int) -> set[str]:
    """The cells, from row ``first`` on, of ``inputs`` whose columns are not ``known``."""
    return {
        f"{letter}{row}"
        for row in range(first, L.FIRST_ROW + len(inputs))
        for letter in inputs[row - L.FIRST_ROW]
        if letter not in known
    }


def _filled(xml: bytes, inputs: Inputs, rows: range) -> bytes:
    """``xml`` (sheet rows) with the ``inputs`` of ``rows`` in their cells."""
    values = {
        f"{letter}{row}": value
        for row in rows
        if row - L.FIRST_ROW < len(inputs)
        for letter, value in inputs[row - L.FIRST_ROW].items()
    }
    if not values:
        return xml
    xml, missing = xlsx.patch_sheet_xml(xml, values)
    xlsx.cells_missing(L.SHEET_ACTIVITY, missing)
    return xml


def _ends_in(xml: bytes, last: int) -> bytes:
    """Every ``sqref``/``ref`` range ending in the template's last row ends in ``last`` (not
    the last row's own array formulas)."""
    return re.sub(
        rb'((?:sqref|(?<!t="array" )ref)="[A-Z]+[0-9]+:[A-Z]+)'
        + str(L.LAST_ROW).encode("ascii")
        + rb'"',
        rb"\g<1>" + str(last).encode("ascii") + b'"',
        xml,
    )


def _dimension(xml: bytes, last: int) -> bytes:
    return re.sub(
        rb'(<dimension ref="[A-Z]+[0-9]+:[A-Z]+)[0-9]+"',
        rb"\g<1>" + str(last).encode("ascii") + b'"',
        xml,
        count=1,
    )


def _formulas_set(xml: bytes, formulas: Mapping[str, str]) -> bytes:
    """The sheet with the formula text of the cells named (ref → formula) replaced."""

    def renew(match: re.Match) -> bytes:
        ref = match.group(2).decode("ascii")
        if ref not in formulas:
            return match.group(0)
        return match.group(1) + b"<f>" + formula_xml(formulas[ref]) + b"</f>"

    return _FORMULA.sub(renew, xml)


def resized(package: bytes, rows: int) -> bytes:
    """The template ``package`` with ``rows`` table rows (200, the template's, or more)."""
    if rows == L.TEMPLATE_ROWS:
        return package
    members = xlsx.read_members(package)
    grow(members, rows)
    return xlsx.write_package(members)


def grow(members: dict[str, bytes], rows: int, inputs: Inputs = ()) -> None:
    """:func:`resized` on the template's members, in place; ``inputs``: 活动数据's values
    row by row from its first, by column letter, written into the rows as they are made
    (what :func:`ghgxl.workbook.fill.fill` would write after, in one pass)."""
    if not L.TEMPLATE_ROWS <= rows <= MAX_ROWS:
        raise GhgError("E611", rows=rows, low=L.TEMPLATE_ROWS, high=MAX_ROWS)
    if len(inputs) > rows:
        raise GhgError("E601", path="template", problem=f"more than its {rows} rows")
    parts = xlsx.sheet_parts(members)
    if rows == L.TEMPLATE_ROWS:
        part = parts[L.SHEET_ACTIVITY]
        members[part] = _filled(members[part], inputs, range(L.FIRST_ROW, L.LAST_ROW + 1))
        return
    last = L.last_row(rows)
    letters = dict(L.ACT_COL)

    def activity(row: int) -> Formulas:
        return {letters[key]: f for key, f in F.activity_formulas(row).items()}

    def quality(row: int) -> Formulas:
        return {column_letter(i): f for i, f in enumerate(F.quality_formulas(row), 1)}

    part = parts[L.SHEET_ACTIVITY]
    # ranges first, on the template's sheet: the rows added hold none (only their arrays)
    xml = _dimension(_ends_in(members[part], last), last)  # the template's: small
    members[part] = _grown(xml, last, activity, {}, inputs)
    part = parts[L.SHEET_QUALITY]
    xml = _dimension(members[part], L.quality_total_row(last) + 1)
    members[part] = _grown(xml, last, quality, F.quality_total_formulas(last))
    part = parts[L.SHEET_SUMMARY]
    members[part] = _formulas_set(members[part], F.summary_formulas(last))
    part = parts[L.SHEET_SITES]
    members[part] = _formulas_set(members[part], F.sites_formulas(last))
    span = f"!$A${L.HEADER_ROW}:${L.ACT_COL['remark']}$"  # the filter's defined name
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(
        f"{span}{L.LAST_ROW}<".encode(), f"{span}{last}<".encode(), 1
    )


def with_source_lines(package: bytes, lines: int) -> bytes:
    """``package`` with room for ``lines`` 排放源识别 lines (the template has 200): a group
    workbook carries every site's lines. The rows added are the last row repeated, each with
    its 范围 formula; the dropdowns reach the new last row."""
    if lines <= L.TEMPLATE_ROWS:
        return package
    members = xlsx.read_members(package)
    grow_sources(members, lines)
    return xlsx.write_package(members)


def grow_sources(members: dict[str, bytes], lines: int) -> None:
    """:func:`with_source_lines` on a package's members, in place."""
    if lines <= L.TEMPLATE_ROWS:
        return
    if lines > MAX_ROWS:
        raise GhgError("E611", rows=lines, low=L.TEMPLATE_ROWS, high=MAX_ROWS)
    part = xlsx.sheet_parts(members)[L.SHEET_SOURCES]
    last, column = L.last_row(lines), L.SOURCE_COL

    def source(row: int) -> Formulas:
        return {column["scope"]: F.scope_formula(f"${column['category']}{row}")}

    members[part] = _grown(_dimension(_ends_in(members[part], last), last), last, source, {})
