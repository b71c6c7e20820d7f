"""The chunked, vectorised writer of cached values (ghgxl.workbook.patch) gives what the
cell-by-cell writer (xlsx.patch_sheet_xml) gives, on every form of formula cell a saved
workbook holds; it streams in bounded chunks and never hides an error of its threads."""

from __future__ import annotations

import io
import math
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ghgxl.errors import GhgError
from ghgxl.workbook import patch, xlsx
from ghgxl.workbook.patch import Block

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
TAIL = b'</sheetData><autoFilter ref="A1:D9"><filterColumn colId="0"/></autoFilter></worksheet>'

#: Every form of formula cell seen in saved workbooks, and cells that are not formulas.
ROWS = [
    # plain formula, no cached value (openpyxl); an input cell; a shared-formula master
    b'<row r="5"><c r="A5" t="inlineStr"><is><t>R1</t></is></c>'
    b'<c r="B5" s="3"><f>SUM(C5:D5)</f></c>'
    b'<c r="C5"><f t="shared" ref="C5:C9" si="0">A5&amp;"x"</f><v>old</v></c>'
    b'<c r="D5" s="2" t="str"><f>IF(1,"",1)</f><v></v></c></row>',
    # shared children (self-closing <f/>), old cached values and types of every kind
    b'<row r="6"><c r="A6"><v>12.5</v></c>'
    b'<c r="B6" s="3" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    b'<c r="C6"><f t="shared" si="0"/><v>3</v></c>'
    b'<c r="D6" t="b"><f>TRUE()</f><v>1</v></c></row>',
    # attributes in another order (t before s), and a cell left out of the block (cleared)
    b'<row r="7"><c r="B7" t="str" s="4"><f>"a"</f><v>a</v></c>'
    b'<c r="C7"><f t="shared" si="0"/></c>'
    b'<c r="D7" s="2"><f>NOW()</f><v>45000.5</v></c></row>',
    # a type attribute after another attribute: the fast pattern does not cover it
    b'<row r="8"><c r="B8" cm="1" t="str"><f>X()</f><v>x</v></c>'
    b'<c r="C8"><f t="shared" si="0"/><v/></c></row>',
    # E9: a formula in a column the block does not own (a user's =2000+233.735 in an input)
    b'<row r="9"><c r="B9"><f>1+1</f><v>2</v></c><c r="E9"><f>E8</f><v>0</v></c></row>',
]
BLOCK = Block(
    np.array([5, 6, 7, 8, 9]),
    {
        "B": np.array([1.5, math.nan, 0.1 + 0.2, 1e-07, math.inf]),
        "C": ["#GHG! E201 单位 <kg> & t", "", 3, True, None],
        "D": [0.0, 2.0, "文本", 4.0, 5.0],
    },
    cells={"D7": "第四级"},
)


def _cells(xml: bytes) -> dict[str, tuple]:
    """Each cell as (attributes, formula element, cached value): what Excel reads."""
    root = ElementTree.fromstring(xml)
    cells = {}
    for cell in root.iter(f"{NS}c"):
        f, v = cell.find(f"{NS}f"), cell.find(f"{NS}v")
        formula = None if f is None else (f.text, tuple(sorted(f.attrib.items())))
        cells[cell.get("r")] = (
            tuple(sorted(cell.attrib.items())),
            formula,
            None if v is None else (v.text or ""),
        )
    return cells


def _sheet(rows: list[bytes]) -> bytes:
    return HEAD + b"".join(rows) + TAIL


def test_fast_writer_agrees_with_the_cell_by_cell_writer() -> None:
    xml = _sheet(ROWS)
    fast = patch.patch_chunk(xml, patch._Lookup(BLOCK))
    slow, _ = xlsx.patch_sheet_xml(xml, BLOCK.as_dict(), clear_columns=BLOCK.owned_columns)
    assert _cells(fast) == _cells(slow)
    cells = _cells(fast)
    assert cells["B5"][2] == "1.5" and cells["B7"][2] == repr(0.1 + 0.2)
    assert cells["B6"] == ((("r", "B6"), ("s", "3"), ("t", "str")), ("1/0", ()), "")  # NaN: blank
    assert cells["B9"][0] == (("r", "B9"), ("t", "e")) and cells["B9"][2] == "#NUM!"  # inf
    assert cells["C5"][2] == "#GHG! E201 单位 <kg> & t"
    assert cells["C5"][1] == ('A5&"x"', (("ref", "C5:C9"), ("si", "0"), ("t", "shared")))
    assert cells["C8"][0] == (("r", "C8"), ("t", "b")) and cells["C8"][2] == "1"
    assert cells["D7"][2] == "第四级"  # a single cell beside the table
    # a formula cell in a column ghgxl does not own (the user's own) keeps its value
    assert cells["E9"] == ((("r", "E9"),), ("E8", ()), "0")
    assert cells["A6"] == ((("r", "A6"),), None, "12.5")  # inputs untouched
    assert b'<filterColumn colId="0"/>' in fast  # an element starting <f that is no formula


def test_fast_path_covers_the_usual_cells_without_falling_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    usual = _sheet([ROWS[0], ROWS[1], ROWS[2], ROWS[4]])

    def refuse(*args: object) -> bytes:
        raise AssertionError("fell back to the cell-by-cell writer")

    monkeypatch.setattr(patch, "_patch_slowly", refuse)
    fast = patch.patch_chunk(usual, patch._Lookup(BLOCK))
    slow, _ = xlsx.patch_sheet_xml(usual, BLOCK.as_dict(), clear_columns=BLOCK.owned_columns)
    assert _cells(fast) == _cells(slow)


def test_numbers_round_trip_and_repeat_cheaply() -> None:
    values = np.array([0.0, 0.0, 1 / 3, 2.5e-300, -7.0, 1e21, math.nan, 1 / 3])
    kinds, tails = patch._floats(values)
    assert list(kinds) == [b""] * 6 + [b' t="str"', b""]
    shown = [t.removeprefix(b"<v>").removesuffix(b"</v></c>").decode() for t in tails]
    assert [float(s) for s in shown[:6]] == values[:6].tolist()
    assert shown[6] == "<v></v></c>".removesuffix("</v></c>").removeprefix("<v>")
    assert tails[2] is tails[7]  # each distinct number rendered once


def test_chunks_end_at_row_ends_and_lose_nothing() -> None:
    xml = _sheet([ROWS[0], ROWS[1], ROWS[2], ROWS[4]] * 40)  # rows of the fast path
    chunks = list(patch.row_chunks(io.BytesIO(xml), size=97))
    assert b"".join(chunks) == xml
    assert all(c.endswith(b"</row>") for c in chunks[:-1]) and len(chunks) > 40
    lookup = patch._Lookup(BLOCK)
    whole = patch.patch_chunk(xml, lookup)
    pieces = b"".join(patch.patch_chunk(c, lookup) for c in chunks)
    assert pieces == whole


def test_block_items_show_nan_as_blank() -> None:
    block = Block(np.array([3, 4]), {"J": np.array([0.5, math.nan])}, {"J9": 1.0})
    assert block.as_dict() == {"J3": 0.5, "J4": "", "J9": 1.0}


@pytest.mark.parametrize("where", ["read", "edit", "write"])
def test_pipeline_raises_the_first_error_of_any_thread(where: str) -> None:
    written: list[bytes] = []

    def chunks():
        for i in range(50):
            if where == "read" and i == 7:
                raise zipfile.BadZipFile("Bad CRC-32")
            yield b"%d" % i

    def edit(chunk: bytes) -> bytes:
        if where == "edit" and chunk == b"9":
            raise ValueError("edit failed")
        return chunk

    def write(data: bytes) -> None:
        if where == "write" and data == b"11":
            raise OSError("disk full")
        written.append(data)

    with pytest.raises((zipfile.BadZipFile, ValueError, OSError)):
        patch._pipeline(chunks(), edit, write)
    assert written == [b"%d" % i for i in range(len(written))]  # in order, none after
    assert len(written) <= 11


def test_write_patched_streams_a_sheet_and_copies_the_rest(tmp_path: Path) -> None:
    book = tmp_path / "in.xlsx"
    members = {
        "[Content_Types].xml": b"<Types/>",
        "xl/workbook.xml": b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/><sheet name="T" sheetId="2" r:id="rId2"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="worksheets/sheet2.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": _sheet(ROWS * 3),
        "xl/worksheets/sheet2.xml": _sheet(
            [b'<row r="1"><c r="A1"><f>1</f><v>1</v></c><c r="B1"><f>2</f><v>2</v></c></row>']
        ),
        "xl/vbaProject.bin": bytes(range(256)) * 10,
    }
    book.write_bytes(xlsx.write_package(members))
    out = tmp_path / "out.xlsx"
    patch.write_patched(book, out, {"S": BLOCK}, {"T": {"A1": 7.0}})
    with zipfile.ZipFile(out) as written:
        assert written.namelist() == list(members)
        assert written.read("xl/vbaProject.bin") == members["xl/vbaProject.bin"]
        sheet = _cells(written.read("xl/worksheets/sheet1.xml"))
        other = _cells(written.read("xl/worksheets/sheet2.xml"))
    assert sheet["B5"][2] == "1.5" and sheet["D7"][2] == "第四级"
    assert other["A1"][2] == "7.0" and other["B1"][2] == "2"  # not cleared: not a block
    assert not list(tmp_path.glob(".out.xlsx.*.tmp"))


def test_texts_escape_and_survive_a_nul() -> None:
    assert list(patch._texts(["a<b", "", "x&y"])) == [
        b"<v>a&lt;b</v></c>",
        b"<v></v></c>",
        b"<v>x&amp;y</v></c>",
    ]
    # NUL (which no XML holds) as Excel stores it: _x0000_
    assert list(patch._texts(["a\0b", "c"])) == [b"<v>a_x0000_b</v></c>", b"<v>c</v></c>"]


def test_formula_cells_with_a_namespace_prefix_are_refused_not_skipped() -> None:
    xml = HEAD + b'<row r="5"><x:c r="B5"><x:f>1+1</x:f><x:v>3</x:v></x:c></row>' + TAIL
    with pytest.raises(GhgError) as caught:
        patch.patch_chunk(xml, patch._Lookup(BLOCK))
    assert caught.value.code == "E601"


def test_a_block_column_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="column B: 2 values for 3 rows"):
        patch._Lookup(Block(np.array([5, 6, 7]), {"B": [1.0, 2.0]}))


def test_formula_cells_neither_writer_can_write_are_refused_not_skipped() -> None:
    for cell in (b"<c><f>1+1</f><v>3</v></c>", b'<c r="B5">\n  <f>1+1</f>\n  <v>3</v>\n</c>'):
        xml = HEAD + b'<row r="5">' + cell + b"</row>" + TAIL
        with pytest.raises(GhgError) as caught:
            patch.patch_chunk(xml, patch._Lookup(BLOCK))
        assert caught.value.code == "E601" and "cannot write" in str(caught.value.details)


# --- text XML cannot hold, written as Excel writes it ----------------------------------------

_TRICKY = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(["\x00", "\x01", "\x0b", "\x1f", "\ufffe", "\uffff", "_x", "_x0041_", "_"]),
    ),
    max_size=40,
).map("".join)


def _excel_reads(stored: str) -> str:
    """How Excel (and calamine) read ST_Xstring text: each _xHHHH_ is one character."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), stored)


@given(_TRICKY)
def test_any_text_is_stored_as_well_formed_xml_and_read_back(text: str) -> None:
    stored = xlsx.escaped_text(text)
    element = ElementTree.fromstring(b"<t>" + stored + b"</t>")  # strict: raises if not XML
    assert _excel_reads(element.text or "") == text


# --- cells an array formula fills ---------------------------------------------------------

ARRAY_ROWS = (
    # as openpyxl writes the template: the anchor with its formula, the others empty
    b'<row r="5"><c r="A5"><v>1</v></c>'
    b'<c r="B5" s="3"><f t="array" ref="B5:D5">GHG_EMISSION_GROUPS(A5)</f><v></v></c>'
    b'<c r="C5" s="3"/><c r="D5" s="3" t="n"></c>'
    # a user's own array formula in a column ghgxl does not own: kept as it is
    b'<c r="E5"><f t="array" ref="E5:F5">X()</f><v>7</v></c><c r="F5"><v>8</v></c></row>',
    # as Excel saves it: values of every type in the cells the array fills
    b'<row r="6"><c r="B6" s="3"><f t="array" ref="B6:D6">GHG_EMISSION_GROUPS(A6)</f>'
    b'<v>0.5</v></c><c r="C6" s="3" t="str"><v>#GHG! old</v></c>'
    b'<c r="D6" s="3" t="e"><v>#NAME?</v></c></row>',
    # a tall array (a block formula of the user's) over owned columns, cut across chunks
    b'<row r="7"><c r="B7"><f t="array" ref="B7:C9">BLOCK()</f><v>1</v></c>'
    b'<c r="C7"><v>1</v></c></row>',
    b'<row r="8"><c r="B8"><v>1</v></c><c r="C8"><v>1</v></c><c r="D8"><v>1</v></c></row>',
    b'<row r="9"><c r="B9"><v>1</v></c><c r="C9"><v>1</v></c></row>',
)
ARRAY_BLOCK = Block(
    np.array([5, 6, 7, 8, 9]),
    {
        "B": [0.25, 1.0, 11.0, 12.0, 13.0],
        "C": [0.5, "#GHG! E201 未知单位", 21.0, 22.0, 23.0],
        "D": ["", 3.0, 31.0, 32.0, 33.0],
    },
)


def _values(xml: bytes) -> dict[str, tuple[str | None, str | None]]:
    root = ElementTree.fromstring(HEAD + xml + TAIL)
    return {c.get("r"): (c.get("t"), c.findtext(f"{NS}v")) for c in root.iter(f"{NS}c")}


@pytest.mark.parametrize("chunk_rows", [1, 2, 5])
def test_the_cells_an_array_fills_get_their_values(chunk_rows: int) -> None:
    lookup = patch._Lookup(ARRAY_BLOCK)
    out = b"".join(
        patch.patch_chunk(b"".join(ARRAY_ROWS[i : i + chunk_rows]), lookup)
        for i in range(0, len(ARRAY_ROWS), chunk_rows)
    )
    got = _values(out)
    assert got["B5"] == (None, "0.25") and got["C5"] == (None, "0.5")
    assert got["D5"] == ("str", "")  # a blank result: an empty text, as Excel writes it
    assert got["C6"] == ("str", "#GHG! E201 未知单位") and got["D6"] == (None, "3.0")
    assert got["E5"] == (None, "7") and got["F5"] == (None, "8")  # not ghgxl's: kept
    # the tall array: its cells below and beside the anchor, whichever chunk they are in
    assert [got[r][1] for r in ("B7", "C7", "B8", "C8", "B9", "C9")] == [
        "11.0", "21.0", "12.0", "22.0", "13.0", "23.0",
    ]  # fmt: skip
    assert got["D8"] == (None, "1")  # outside the array, no formula: an input, kept
    assert out.count(b"<f ") == 4  # every formula kept
    assert re.search(rb'<c r="C5" s="3"', out)  # the style kept


def test_setting_input_cells_touches_those_cells_only() -> None:
    """xlsx.patch_sheet_xml without clearing (``fill``) matches the cells of the columns it
    sets only: those cells get their values (a number, text inline, a blank), every other
    cell — of another column, or of the same column in another row, empty, valued or a
    formula — stays byte for byte; refs not in the sheet are returned."""
    xml = (
        b'<sheetData><row r="5"><c r="A5" s="3"/><c r="AB5" s="4"><v>7</v></c>'
        b'<c r="B5" s="2"><f>A5*2</f><v>0</v></c><c r="C5" t="inlineStr"><is><t>x</t></is></c>'
        b'</row><row r="6"><c r="A6" s="3"/><c r="C6"><v>1</v></c></row></sheetData>'
    )
    out, missing = xlsx.patch_sheet_xml(xml, {"A5": 12.5, "C5": "文本 <&>", "C6": "", "A9": 1})
    assert missing == {"A9"}
    assert b'<c r="A5" s="3"><v>12.5</v></c>' in out
    text = '<c r="C5" t="inlineStr"><is><t xml:space="preserve">文本 &lt;&amp;&gt;</t></is></c>'
    assert text.encode() in out
    assert b'<c r="C6"/>' in out
    for untouched in (
        b'<c r="AB5" s="4"><v>7</v></c>',
        b'<c r="B5" s="2"><f>A5*2</f><v>0</v></c>',
        b'<c r="A6" s="3"/>',
    ):
        assert untouched in out


@st.composite
def _array_rows(draw: st.DrawFn) -> tuple[bytes, Block]:
    """Rows of one-row arrays of any span (reversed too) over columns B–F, with value cells
    inside and outside them, owned (B–D) or not (E, F), empty or holding old values."""
    rows, xml = list(range(5, 5 + draw(st.integers(1, 6)))), []
    for row in rows:
        low, high = draw(st.integers(2, 6)), draw(st.integers(1, 6))  # columns B.. F
        cells = [
            b'<c r="%s%d" s="3"><f t="array" ref="%s%d:%s%d">G(A%d)</f><v>0</v></c>'
            % (bytes([64 + low]), row, bytes([64 + low]), row, bytes([64 + high]), row, row)
        ]
        for column in range(low + 1, 8):
            kind = draw(st.sampled_from([b"", b' t="str"', b' t="e"']))
            value = draw(st.sampled_from([b"", b"<v>1</v>", b"<v/>"]))
            cells.append(b'<c r="%s%d"%s>%s</c>' % (bytes([64 + column]), row, kind, value))
        xml.append(b'<row r="%d">' % row + b"".join(cells) + b"</row>")
    values = st.one_of(st.floats(allow_nan=True), st.text(max_size=3), st.just(""))
    columns = {c: draw(st.lists(values, min_size=len(rows), max_size=len(rows))) for c in "BCD"}
    return b"".join(xml), Block(np.array(rows), columns)


@given(_array_rows())
def test_the_one_row_arrays_path_is_the_general_one(case: tuple[bytes, Block]) -> None:
    xml, block = case
    fast = patch.patch_chunk(xml, patch._Lookup(block))
    general = patch._Lookup(block)
    general.tall_arrays.append((10**6, 10**6 + 1, 1, 2, b"A1000000"))  # takes the general path
    assert fast == patch.patch_chunk(xml, general)


def _both_paths(xml: bytes, block: Block) -> tuple[bytes, bytes]:
    """``xml`` patched as usual, and by the general path (a tall array far below forces it)."""
    general = patch._Lookup(block)
    general.tall_arrays.append((10**6, 10**6 + 1, 1, 2, b"A1000000"))
    return patch.patch_chunk(xml, patch._Lookup(block)), patch.patch_chunk(xml, general)


ONE_ROW = Block(np.array([5]), {"B": [1.5], "C": [2.5]})


@pytest.mark.parametrize(
    "ref",
    [
        b"A5:XFD5",  # the user's array over the whole row: more cells than the chunk holds
        b"A5:XFG5",  # past XFD, where (row, column) keys would run into the next row
        b"B05:D05",  # its row written with a leading zero: B5 is not its anchor's text
    ],
)
def test_arrays_the_fast_path_does_not_vouch_for_take_the_general_one(ref: bytes) -> None:
    xml = (
        b'<row r="5"><c r="A5"><f t="array" ref="%s">X()</f><v>0</v></c>'
        b'<c r="B5"><v>1</v></c><c r="C5" t="str"><v>old</v></c></row>' % ref
    )
    fast, general = _both_paths(xml, ONE_ROW)
    assert fast == general
    found = patch._ARRAY.findall(xml)[0]
    tops, lows, highs = (np.array([v]) for v in (5, 1, patch.column_number(found[2])))
    lows[0] = patch.column_number(found[0])
    vouched = patch._patch_row_arrays(xml, patch._Lookup(ONE_ROW), tops, lows, highs, (found[1],))
    assert vouched is None


def test_a_formula_form_neither_pattern_counts_is_refused_as_before() -> None:
    # a formula element with a tab (<f\t…>) in a column ghgxl does not own, and a tag that
    # starts "<f" but is none: the counts disagree, as they did before the owned pattern
    xml = b'<row r="5"><c r="E5"><f\tx="1">1+1</f><v>2</v></c><family/></row>'
    with pytest.raises(GhgError) as caught:
        patch.patch_chunk(xml, patch._Lookup(ONE_ROW))
    assert caught.value.code == "E601"
