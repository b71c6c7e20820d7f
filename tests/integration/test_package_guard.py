"""The package guard cannot be got round: every XML part is checked for a DOCTYPE, every part
calamine may read as a sheet is found and sized by the cells it holds (where calamine would
put them), and damaged sheet XML is refused in linear time. Each hostile file gives a clear
error from calc, check and report alike, and the file stays untouched."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from ghgxl.cli import main
from ghgxl.errors import GhgError
from ghgxl.workbook import fill, guard, resize, sheetsize, xlsx
from ghgxl.workbook import layout as L
from tests.support import TEMPLATE, TWO_ROW_BOOK
from tests.support import TWO_ROWS as ROWS

FILLED = TWO_ROW_BOOK
MEMBERS = xlsx.read_members(FILLED)
PARTS = xlsx.sheet_parts(MEMBERS)
ACTIVITY, QUALITY = PARTS[L.SHEET_ACTIVITY], PARTS[L.SHEET_QUALITY]
RELS = "xl/_rels/workbook.xml.rels"
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
DOCTYPE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'


def _package(members: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compress) as out:
        for name, data in members.items():
            out.writestr(name, data)
    return buffer.getvalue()


def _changed(**changes: bytes) -> bytes:
    """FILLED with members replaced (or added); ``name=b""`` leaves a member out."""
    members = {**MEMBERS, **{k.replace("|", "/"): v for k, v in changes.items()}}
    return _package({k: v for k, v in members.items() if v})


def _sheet(rows: bytes, head: bytes = b"") -> bytes:
    return b"<worksheet " + NS + b">" + head + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def _activity(rows: bytes, dimension: bytes | None = None) -> bytes:
    """FILLED with ``rows`` added to its 活动数据 sheet (after its own), and its dimension
    replaced (``b""``: left out)."""
    sheet = MEMBERS[ACTIVITY]
    if dimension is not None:
        sheet = sheet.replace(b'<dimension ref="A1:AS204"/>', dimension)
    end = sheet.index(b"</sheetData>")
    return _changed(**{ACTIVITY.replace("/", "|"): sheet[:end] + rows + sheet[end:]})


def _moved(target: str, name: str, sheet: bytes) -> bytes:
    """FILLED with 活动数据 moved to ``name``, its relationship pointing at ``target``."""
    rels = MEMBERS[RELS].replace(b"/" + ACTIVITY.encode(), target.encode())
    members = {k: v for k, v in MEMBERS.items() if k != ACTIVITY}
    return _package({**members, RELS: rels, name: sheet})


#: a sheet that holds (or claims) more cells than the limit, however it is written
FAR_ROW = sheetsize.MAX_SHEET_CELLS // 1_000 + 1_000  # FAR_ROW rows × 1,000 columns (ALL)
FAR = b'<row r="%d"><c r="ALL%d"><v>1</v></c></row>' % (FAR_ROW, FAR_ROW)
#: rows without r after row 200,000, to pass the limit at 45 columns (the widest row: AS)
UNNUMBERED = sheetsize.MAX_SHEET_CELLS // 45 + 1 - 200_000
TOO_LARGE = {
    "a cell at XFD1048576, dimension A1:A1": _activity(
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', b'<dimension ref="A1:A1"/>'
    ),
    "a far cell and no dimension": _activity(FAR, b""),
    "a row of a million in the middle, rows out of order": _changed(
        **{
            ACTIVITY.replace("/", "|"): MEMBERS[ACTIVITY].replace(
                b'<row r="100"', b'<row r="1048576"><c r="K1048576"><v>1</v></c></row><row r="100"'
            )
        }
    ),
    "rows without r after a high row": _activity(  # (200,000 + UNNUMBERED) rows × 45 columns
        b'<row r="200000"><c r="A200000"><v>1</v></c></row>'
        + b"<row><c><v>1</v></c></row>" * UNNUMBERED
    ),
    "cells without r": _activity(b"<row>" + b"<c><v>1</v></c>" * 17_000 + b"</row>"),
    "a cell with two r": _activity(
        b'<row r="300"><c r="A300" r="ALL%d"><v>1</v></c></row>' % FAR_ROW
    ),
    "a second r with no space": _activity(
        b'<row r="300"><c r="A300"r="ALL%d"><v>1</v></c></row>' % FAR_ROW
    ),
    "a > inside an attribute": _activity(
        b'<row r="300"><c r="A300" x="a>b" r="ALL%d"><v>1</v></c></row>' % FAR_ROW
    ),
    "a reference in lower case": _activity(
        b'<row r="%d"><c r="all%d"><v>1</v></c></row>' % (FAR_ROW, FAR_ROW)
    ),
    "a cell with a namespace prefix": _activity(
        b'<row r="%d"><x:c xmlns:x="urn:x" r="ALL%d"><x:v>1</x:v></x:c></row>' % (FAR_ROW, FAR_ROW)
    ),
    "a comment hiding a </sheetData>": _activity(b"<!-- </sheetData> -->" + FAR),
    "a sheet moved to xl/other.xml": _moved("/xl/other.xml", "xl/other.xml", _sheet(FAR)),
    "a sheet moved out of xl/": _moved("../foo/sheet.xml", "xl/../foo/sheet.xml", _sheet(FAR)),
    "a sheet stored as .bin": _moved("media/sheet.bin", "xl/media/sheet.bin", _sheet(FAR)),
    "a sheet with a part name in capitals": _moved(
        "/xl/worksheets/sheet4.xml", "XL/Worksheets/SHEET4.XML", _sheet(FAR)
    ),
}
ANY_PART_DOCTYPE = {
    "xl/workbook.xml": _changed(**{"xl|workbook.xml": DOCTYPE + MEMBERS["xl/workbook.xml"]}),
    "its relationships": _changed(**{RELS.replace("/", "|"): DOCTYPE + MEMBERS[RELS]}),
    "xl/styles.xml": _changed(**{"xl|styles.xml": DOCTYPE + MEMBERS["xl/styles.xml"]}),
    "[Content_Types].xml": _changed(
        **{"[Content_Types].xml": DOCTYPE + MEMBERS["[Content_Types].xml"]}
    ),
    "the shared strings": _changed(
        **{
            "xl|sharedStrings.xml": DOCTYPE
            + b"<sst "
            + NS
            + b' uniqueCount="1"><si><t>&a;</t></si></sst>'
        }
    ),
    "a sheet, after 8 KB of comment": _changed(
        **{
            ACTIVITY.replace("/", "|"): b"<?xml version='1.0'?><!--"
            + b"x" * 8192
            + b"-->"
            + DOCTYPE[21:]
            + MEMBERS[ACTIVITY]
        }
    ),
}
HOSTILE = {
    **{f"too large: {k}": (v, "E610") for k, v in TOO_LARGE.items()},
    **{f"DOCTYPE in {k}": (v, "E609") for k, v in ANY_PART_DOCTYPE.items()},
    "a shared-string table claiming a billion strings": (
        _changed(
            **{
                "xl|sharedStrings.xml": b"<sst "
                + NS
                + b' uniqueCount="1000000000"><si><t>x</t></si></sst>'
            }
        ),
        "E609",
    ),
    "10,001 parts": (_package({**MEMBERS, **{f"x/{i}.txt": b"" for i in range(10_001)}}), "E609"),
    "an activity cell without its </c>": (
        _activity(b'<row r="300"><c r="A300"><v>1</v><c r="B300"><v>2</v></c></row>'),
        "E601",
    ),
}


def _cli(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output and "[E901]" not in result.output
    return result


def _refused_alike(data: bytes, code: str, folder: Path, seconds: float = 20) -> list[str]:
    """calc --in-place, check and report each exit 2 with ``code`` within ``seconds``; the
    file is untouched and nothing is written beside it. Their outputs."""
    path = folder / "清册.xlsm"
    path.write_bytes(data)
    outputs = []
    for command in (
        ["calc", str(path), "--in-place"],
        ["check", str(path)],
        ["report", str(path), "-o", str(folder / "r.docx")],
    ):
        start = time.perf_counter()
        result = _cli(*command)
        assert time.perf_counter() - start < seconds, command
        assert result.exit_code == 2, (command, result.output)
        assert f"[{code}]" in result.output and " / " in result.output, result.output
        outputs.append(result.output)
    assert path.read_bytes() == data
    assert list(folder.iterdir()) == [path]  # no backup, no half-written output
    return outputs


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_packages_are_refused_by_every_command(case: str, tmp_path: Path) -> None:
    data, code = HOSTILE[case]
    _refused_alike(data, code, tmp_path)


#: a workbook of 2,100 rows: 21,000 formula cells in 数据质量
LARGER = fill.fill(resize.resized(TEMPLATE, 2100), {}, ROWS)


def _damaged_quality(cells: int) -> bytes:
    """LARGER with the cells of 数据质量 from its last ``cells`` formula cells on left
    without their </c> (for each, the writer's cell patterns used to search on to the
    chunk's end, which took ~51 s for 20,000)."""
    members = xlsx.read_members(LARGER)
    part = xlsx.sheet_parts(members)[L.SHEET_QUALITY]
    starts = [m.start() for m in re.finditer(rb'<c r="[A-Z]+[0-9]+"[^>]*><f>', members[part])]
    head, tail = members[part][: starts[-cells]], members[part][starts[-cells] :]
    members[part] = head + tail.replace(b"</c>", b"")
    return xlsx.write_package(members)


DAMAGED = _damaged_quality(20_000)
#: 数据质量's header cells without their </c>: calc used to write its output regardless
HEADER_DAMAGED = _changed(
    **{
        QUALITY.replace("/", "|"): re.sub(
            rb'(<c r="[A-J]4"[^>]*t="inlineStr"><is><t>[^<]*</t></is>)</c>',
            rb"\1",
            MEMBERS[QUALITY],
        )
    }
)


@pytest.mark.parametrize(
    ("data", "sheet"),
    [
        (DAMAGED, L.SHEET_QUALITY),
        (HOSTILE["an activity cell without its </c>"][0], L.SHEET_ACTIVITY),
    ],
    ids=["20,000 formula cells", "one activity cell"],
)
def test_damaged_sheet_xml_is_refused_quickly_naming_the_sheet(
    data: bytes, sheet: str, tmp_path: Path
) -> None:
    for output in _refused_alike(data, "E601", tmp_path, seconds=5):
        assert "工作表 XML 已损坏（" in output and "/ cannot read" in output  # once each
        assert output.count("工作表 XML 已损坏") == 1 and "the sheet XML is damaged (" in output
        assert sheet in output


@pytest.mark.parametrize("data", [DAMAGED, HEADER_DAMAGED], ids=["formula cells", "header cells"])
def test_calc_writes_no_output_for_damaged_xml(data: bytes, tmp_path: Path) -> None:
    path, out = tmp_path / "book.xlsm", tmp_path / "out.xlsm"
    path.write_bytes(data)
    result = _cli("calc", str(path), "-o", str(out))
    assert result.exit_code == 2 and "[E601]" in result.output, result.output
    assert L.SHEET_QUALITY in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_the_writer_refuses_damaged_cells_in_linear_time(tmp_path: Path) -> None:
    """The writer's own cell patterns stop at the next cell or the row's end, so cells
    left open are counted out in linear time and refused (E601, naming the sheet), with
    no output. (The guard refuses this file first; one cell left open at its row's end
    may get past its quick look, not past the writer.)"""
    from ghgxl.workbook.patch import Block, write_patched

    members = xlsx.read_members(DAMAGED)
    path = tmp_path / "book.xlsm"
    path.write_bytes(DAMAGED)
    block = Block(rows=np.arange(5, 10), columns={"F": [1.0] * 5})
    start = time.perf_counter()
    with pytest.raises(GhgError) as raised:
        write_patched(path, tmp_path / "out.xlsm", {L.SHEET_QUALITY: block}, {})
    assert time.perf_counter() - start < 5
    assert raised.value.code == "E601" and L.SHEET_QUALITY in str(raised.value)
    assert not (tmp_path / "out.xlsm").exists()
    formula_cells = xlsx.formula_cells(members[xlsx.sheet_parts(members)[L.SHEET_QUALITY]])
    assert formula_cells[0] > formula_cells[1]  # the unclosed cells are not matched


WITHIN = {
    "self-closed cells, as LibreOffice and Excel save blank ones": (
        b'<row r="1"><c r="A1" s="1"/><c r="B1" s="2" t="n"><v>1</v></c><c r="C1" s="3"/></row>'
    ),
    "rows out of order": b'<row r="9"><c r="B9"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>',
    "cells and rows without r": b'<row><c><v>1</v></c><c/><c t="inlineStr"><is><t>x</t></is></c></row>'
    * 50,
    "comments, CDATA and processing instructions": (
        b'<!-- a --><row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<c r="XFD9">]]></t></is></c>'
        b"<?pi x?></row>"
    ),
    "attributes Excel writes": b'<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="1" t="n" cm="1" vm="2"><v>0</v></c></row>',
}
JUST_UNDER = (
    b'<row r="1"><c r="A1"><v>1</v></c></row><row r="9999"><c r="ALL9999"><v>1</v></c></row>'
)


def test_a_sheet_just_under_the_limit_passes(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsm"
    path.write_bytes(_changed(**{ACTIVITY.replace("/", "|"): _sheet(JUST_UNDER)}))
    guard.check_package(path)  # 9,999 rows × 1,000 columns


@pytest.mark.parametrize("case", list(WITHIN))
def test_sheets_within_the_limits_pass(case: str, tmp_path: Path) -> None:
    path = tmp_path / "book.xlsm"
    path.write_bytes(_changed(**{ACTIVITY.replace("/", "|"): _sheet(WITHIN[case])}))
    guard.check_package(path)


def _one_sheet(sheet: bytes) -> bytes:
    """A workbook of one sheet, S, and nothing else."""
    package = b"http://schemas.openxmlformats.org/package/2006/relationships"
    office = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return _package(
        {
            "[Content_Types].xml": b'<Types xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
            b"</Types>",
            "_rels/.rels": b'<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/'
            b'officeDocument" Target="xl/workbook.xml"/></Relationships>' % (package, office),
            "xl/workbook.xml": b'<workbook %s xmlns:r="%s"><sheets><sheet name="S" sheetId="1" '
            b'r:id="rId1"/></sheets></workbook>' % (NS, office),
            RELS: b'<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/worksheet" '
            b'Target="worksheets/sheet1.xml"/></Relationships>' % (package, office),
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


SOUNDNESS = {
    **WITHIN,
    "a far cell between ordinary ones": b'<row r="3"><c r="B3"><v>1</v></c><c r="Z70"><v>2</v></c><c r="C3"><v>3</v></c></row>',
    "cells without r after a far one": b'<row r="5"><c r="X5"><v>1</v></c><c><v>1</v></c><c><v>2</v></c></row>',
    "rows without r after a far one": b'<row r="40"><c r="A40"><v>1</v></c></row><row/><row><c r="B1"><v>1</v></c><c><v>1</v></c></row><row><c><v>1</v></c></row>',
    "a second r": b'<row r="2"><c r="A2" s="1" r="Q30"><v>1</v></c></row>',
    "a reference in lower case": b'<row r="2"><c r="aa50"><v>1</v></c></row>',
    "leading zeros": b'<row r="2"><c r="B0040"><v>1</v></c></row>',
    "spaces around =, single quotes": b"<row r = '7'><c r = 'D7'><v>1</v></c><c r=\"E3\"/></row>",
    "a prefixed cell": b'<row r="2"><x:c xmlns:x="urn:x" r="M12"><x:v>1</x:v></x:c><x:c><x:v>1</x:v></x:c></row>',
}


@pytest.mark.parametrize("case", list(SOUNDNESS))
def test_the_size_found_is_never_less_than_what_calamine_allocates(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """calamine's own reading is the reference: with the limit one cell below the rows ×
    columns it allocates (counted from A1, as the guard counts), the guard must refuse."""
    path = tmp_path / "book.xlsx"
    path.write_bytes(_one_sheet(_sheet(SOUNDNESS[case])))
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S")
    assert sheet.end is not None
    allocated = (sheet.end[0] + 1) * (sheet.end[1] + 1)
    guard.check_package(path)
    monkeypatch.setattr(sheetsize, "MAX_SHEET_CELLS", allocated - 1)
    with pytest.raises(GhgError) as raised:
        guard.check_package(path)
    assert raised.value.code == "E610"


def test_the_quick_look_and_the_slow_reading_agree(tmp_path: Path) -> None:
    """Over a workbook's table sheets (several chunks each), the bounds vouched for chunk by
    chunk cover what the tag-by-tag reading finds, and neither finds damage."""
    path = tmp_path / "book.xlsm"
    path.write_bytes(LARGER)
    with zipfile.ZipFile(path) as package:
        for name in (ACTIVITY, QUALITY):
            info = package.getinfo(name)
            found = []
            for exact in (False, True):
                with package.open(info) as member:
                    before, rest = guard._prelude(path, info, member, member.read(), False)
                    scan = guard.SheetScan(path, info, name, exact=exact)
                    assert scan.scan(before, rest, member) == 0
                    found.append((scan.rows, scan.columns))
            (quick_rows, quick_columns), (rows, columns) = found
            assert quick_rows >= rows and quick_columns >= columns


def test_sheets_not_parsed_first_are_checked_while_calamine_parses(tmp_path: Path) -> None:
    """The reader checks the sheets it parses before calamine sees them, the others (here the
    damaged 数据质量) afterwards, and still refuses before anything is read."""
    from ghgxl.workbook.source import READ_SHEETS, OpenedWorkbook

    path = tmp_path / "book.xlsm"
    path.write_bytes(DAMAGED)
    check_rest = guard.check_package(path, first=READ_SHEETS)
    with pytest.raises(GhgError) as later:
        check_rest()
    assert later.value.code == "E601" and L.SHEET_QUALITY in str(later.value)
    with pytest.raises(GhgError):
        OpenedWorkbook(path)
    with pytest.raises(GhgError):  # a sheet to parse is checked at once
        guard.check_package(path, first=(L.SHEET_QUALITY,))
