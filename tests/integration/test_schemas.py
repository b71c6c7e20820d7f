"""Every part of every workbook ghgxl writes parses strictly and, where ECMA-376 has a
schema for it, validates against the transitional schemas (tests/schemas/, README there),
after the markup-compatibility processing of a transitional consumer
(tests/schemas_support.py). Part by part, workbook by workbook: a defect that cannot be
fixed would fail its one part, not hide a whole workbook.

What is validated against what (tests/schemas_support.py maps it by content type):
worksheets, workbook, styles, comments: sml.xsd; the button drawing: dml-spreadsheetDrawing
(with dml-main.xsd); the theme: dml-main.xsd; docProps/app.xml:
shared-documentPropertiesExtended.xsd; docProps/core.xml: opc-coreProperties.xsd (+ Dublin
Core); .rels: opc-relationships.xsd; [Content_Types].xml: opc-contentTypes.xsd. VML and
ctrlProps are parsed only (no ECMA schema fits them), vbaProject.bin is binary.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from ghgxl.cli import main
from ghgxl.workbook import fill, template, xlsx
from ghgxl.workbook import layout as L
from tests import schemas_support as S
from tests.support import libreoffice_convert, soffice

ROOT = Path(__file__).parents[2]
TEMPLATE = ROOT / "workbook" / template.TEMPLATE_NAME
EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"
COMPANY = "公司\x0b名"  # U+000B cannot be in XML: stored as 公司_x000B_名
NASTY = "控制\x0b字符\x01_x0041_\r行\x1f末 "
DIESEL = dict(id="D", category=1, annual=1000, unit="L", factor_key="fuel.diesel.road",
              dq_activity=3, dq_factor=1, dq_calibration=3, source="柴油车")  # fmt: skip
POWER = dict(id="P", category=2, annual=10000, unit="kWh", factor_key="grid.cn.national.2022",
             dq_activity=6, dq_factor=1, dq_calibration=6, source="外购电力")  # fmt: skip
# what users type: text XML cannot hold, an unknown unit and factor, a category as text or
# missing, an amount as text with a thousands separator, absurd and negative amounts, a
# source without scores, an excluded source without its estimate
MESSY_ROWS = [
    {**DIESEL, "source": NASTY, "id": f"D{NASTY}"},
    {**POWER, "unit": f"k{NASTY}Wh"},
    {**POWER, "id": "text", "category": "2"},
    {**POWER, "id": "blank", "category": None},
    {**POWER, "id": "typed", "annual": " 1,234.5 ", "dq_activity": None},
    {**POWER, "id": "huge", "annual": 1e300},
    {**POWER, "id": "negative", "annual": -5},
    {**DIESEL, "id": "nofactor", "factor_key": "no.such.factor"},
]
MESSY_SOURCES = [
    dict(id="X1", source=NASTY, category=1, included="排除", exclusion_reason="极少使用")
]
BOOKS = ("template", "new-200", "new-1000", "example", "example-calc", "messy", "messy-calc")
# every workbook has the template's parts (test_every_part_is_checked): one check each
with zipfile.ZipFile(TEMPLATE) as _template:
    PARTS = sorted(set(_template.namelist()) - {"[Content_Types].xml"})
WITH_CHOICES = ("xl/worksheets/sheet1.xml", "xl/drawings/drawing1.xml")  # mc:AlternateContent


def _calc(book: Path, out: Path, code: int) -> bytes:
    """``ghgxl calc BOOK -o OUT`` (exit code 1: written, with rows in error)."""
    result = CliRunner().invoke(main, ["calc", str(book), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == code and out.exists(), result.output
    return out.read_bytes()


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, bytes]]:
    """The members of a workbook of :data:`BOOKS`, each made once, by ghgxl's own writers."""
    folder = tmp_path_factory.mktemp("schemas")
    made: dict[str, dict[str, bytes]] = {}

    def make(name: str) -> bytes:
        if name == "template":
            return TEMPLATE.read_bytes()
        if name.startswith("new-"):
            out = folder / f"{name}.xlsm"
            template.new_workbook(out, company=COMPANY, year=2023, rows=int(name[4:]))
            return out.read_bytes()
        if name == "example":
            return EXAMPLE.read_bytes()
        if name == "example-calc":
            return _calc(EXAMPLE, folder / "example-calc.xlsm", code=0)
        messy = folder / "messy.xlsm"
        if not messy.exists():
            info = {"company": NASTY, "reporting_year": 2022}
            package = fill.fill(TEMPLATE.read_bytes(), info, MESSY_ROWS, MESSY_SOURCES)
            messy.write_bytes(package)
        if name == "messy":
            return messy.read_bytes()
        return _calc(messy, folder / "messy-calc.xlsm", code=1)

    def members(name: str) -> dict[str, bytes]:
        if name not in made:
            made[name] = xlsx.read_members(make(name))
        return made[name]

    return members


# --- the workbooks ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", BOOKS)
def test_every_part_is_checked(name: str, book) -> None:
    """The parts below are the template's; a workbook with another part fails here, so no
    part goes unchecked (give a new one its content type in tests/schemas_support.py)."""
    assert set(book(name)) == {*PARTS, "[Content_Types].xml"}


@pytest.mark.parametrize("name", BOOKS)
def test_content_types_validate(name: str, book) -> None:
    check = S.check_content_types(book(name)["[Content_Types].xml"])
    assert not check.errors, "\n".join(check.errors)


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("name", BOOKS)
def test_part_parses_strictly_and_validates(name: str, part: str, book) -> None:
    members = book(name)
    check = S.check_part(part, members[part], S.content_types(members)[part])
    assert not check.errors, "\n".join(check.errors[:20])
    assert check.checked in ("schema", "parse", "binary")
    assert check.checked == "schema" or check.why  # a part without a schema says why


# the buttons' <anchor> (sml.xsd CT_ObjectAnchor: xdr:from, xdr:to) as libxml2 reports it
CONTROL_ANCHOR_ERROR = (
    f"Element '{{{S.SML}}}from': This element is not expected. Expected is ( {{{S.XDR}}}from )."
)


@pytest.mark.parametrize("part", WITH_CHOICES)
@pytest.mark.parametrize("name", BOOKS)
def test_alternate_content_choices_validate_too(name: str, part: str, book) -> None:
    """What a transitional consumer skips (mc:Choice Requires="x14"/"a14": the buttons), read
    as an Excel 2010 consumer would take it, validates where the schemas define it."""
    members = book(name)
    requires = S.required_namespaces(S.strict_parse(members[part]))
    assert requires  # the part does hold choices
    check = S.check_part(part, members[part], S.content_types(members)[part], choices=requires)
    # One known difference, on purpose: the buttons' <controls><control><controlPr><anchor>
    # holds <from>/<to> in the SpreadsheetML namespace, as Excel writes it (and the Open XML
    # SDK models it, x:from), where sml.xsd's CT_ObjectAnchor says xdr:from. Anything else
    # is a defect.
    errors = [e for e in check.errors if not e.endswith(CONTROL_ANCHOR_ERROR)]
    if len(errors) < len(check.errors):
        assert b"<anchor" in members[part] and b"<from><xdr:col>" in members[part]
    assert not errors, "\n".join(errors[:20])


def test_what_is_validated_against_what(book) -> None:
    members = book("template")
    types = S.content_types(members)
    checked = {p: S.check_part(p, members[p], types[p]).checked for p in PARTS}
    parsed = {p for p, kind in checked.items() if kind == "parse"}
    assert {p for p, kind in checked.items() if kind == "binary"} == {"xl/vbaProject.bin"}
    assert parsed == {p for p in PARTS if p.endswith(".vml") or p.startswith("xl/ctrlProps/")}
    roots = {S.strict_parse(members[p]).tag for p in PARTS if checked[p] == "schema"}
    assert roots == {
        f"{{{S.SML}}}{local}" for local in ("workbook", "worksheet", "styleSheet", "comments")
    } | {
        f"{{{S.XDR}}}wsDr",
        f"{{{S.DML}}}theme",
        f"{{{S.OPC_RELS}}}Relationships",
        f"{{{S.CORE}}}coreProperties",
        f"{{{S.EXTENDED}}}Properties",
    }


@pytest.mark.parametrize("name", ["new-200", "new-1000", "messy-calc"])
def test_text_xml_cannot_hold_is_stored_escaped(name: str, book) -> None:
    """The company name's U+000B is ``_x000B_`` in 基本信息 (strict parsing above already
    refuses the character itself, raw or as ``&#11;``)."""
    members = book(name)
    info = S.strict_parse(members[xlsx.sheet_parts(members)[L.SHEET_INFO]])
    texts = {t.text for t in info.iter(f"{{{S.SML}}}t")}
    expected = "公司_x000B_名" if name != "messy-calc" else xlsx.ooxml_text(NASTY)
    assert expected in texts


def _errors(members: dict[str, bytes]) -> set[tuple[str, str]]:
    """(part, message) of every schema error, without line numbers."""
    return {
        (check.part, error.split(": ", 1)[1])
        for check in S.check_package(members)
        for error in check.errors
    }


@pytest.mark.skipif(soffice() is None, reason="needs LibreOffice (.ci/run installs it)")
def test_calc_adds_no_schema_error_to_a_workbook_another_program_saved(
    tmp_path: Path, book
) -> None:
    """The messy workbook as LibreOffice saves it — shared strings, mc:Ignorable and
    mc:AlternateContent in its comments, custom properties, its own part names — and calc's
    output of that: calc's patches add no schema error (LibreOffice's own, such as its
    workbookPr/@dateCompatibility, which the transitional schema lacks, are not ghgxl's)."""
    messy = tmp_path / "messy.xlsm"
    messy.write_bytes(xlsx.write_package(book("messy")))
    libreoffice_convert([messy], tmp_path / "profile", tmp_path / "lo", timeout=180)
    saved = tmp_path / "lo" / "messy.xlsx"
    before = xlsx.read_members(saved.read_bytes())
    assert "xl/sharedStrings.xml" in before and "docProps/custom.xml" in before
    assert any(b"mc:Ignorable" in data for data in before.values())  # the consumer at work
    after = xlsx.read_members(_calc(saved, tmp_path / "calc.xlsx", code=1))
    assert _errors(after) <= _errors(before)


# --- the markup-compatibility consumer (tests/schemas_support.py) -------------------------------

X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
HEAD = (
    f'xmlns="{S.SML}" xmlns:mc="{S.MC}" xmlns:x14ac="{X14AC}" xmlns:xr="{XR}" '
    f'xmlns:x14="{X14}" xmlns:xdr="{S.XDR}"'
)
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def _sheet(attributes: str = "", data: str = "", after: str = "") -> bytes:
    return (
        f"<worksheet {HEAD} {attributes}><sheetData>{data}</sheetData>{after}</worksheet>".encode()
    )


def _valid(xml: bytes) -> bool:
    return S.schema_set().validate(etree.ElementTree(etree.fromstring(xml)))


def _consumed(xml: bytes, **options) -> etree._Element:
    return S.mce_preprocess(etree.fromstring(xml), **options)


def test_ignorable_attributes_and_elements_are_dropped() -> None:
    # as Excel writes a sheet: x14ac:dyDescent on rows, xr:uid on the root, both ignorable
    xml = _sheet(
        'mc:Ignorable="x14ac xr" xr:uid="{00000000-0001-0000-0000-000000000000}"',
        '<row r="1" x14ac:dyDescent="0.25"><c r="A1"><v>1</v></c></row>',
    )
    assert not _valid(xml)
    root = _consumed(xml)
    assert S.schema_set().validate(etree.ElementTree(root)), S.schema_set().error_log
    row = root.find(f".//{{{S.SML}}}row")
    assert dict(row.attrib) == {"r": "1"} and not any(S.MC in a for a in root.attrib)


def test_a_namespace_neither_understood_nor_ignorable_is_an_error() -> None:
    with pytest.raises(S.MceError, match="dyDescent"):
        _consumed(_sheet(data='<row r="1" x14ac:dyDescent="0.25"/>'))
    with pytest.raises(S.MceError, match="element"):
        _consumed(_sheet(after="<x14:conditionalFormattings/>"))
    with pytest.raises(S.MceError, match="must be understood"):
        _consumed(_sheet('mc:MustUnderstand="x14"'))


def test_an_ignorable_element_goes_with_its_content_unless_processed() -> None:
    dropped = _consumed(_sheet('mc:Ignorable="x14"', after="<x14:wrap><mergeCells/></x14:wrap>"))
    assert [etree.QName(e).localname for e in dropped] == ["sheetData"]
    xml = _sheet('mc:Ignorable="x14" mc:ProcessContent="x14:wrap"',
                 after='<x14:wrap><mergeCells><mergeCell ref="A1:B1"/></mergeCells></x14:wrap>')  # fmt: skip
    kept = _consumed(xml)
    assert [etree.QName(e).localname for e in kept] == ["sheetData", "mergeCells"]
    assert S.schema_set().validate(etree.ElementTree(kept)), S.schema_set().error_log


def test_alternate_content_takes_the_first_understood_choice_else_the_fallback() -> None:
    def alternate(*branches: str) -> bytes:
        return _sheet(after=f"<mc:AlternateContent>{''.join(branches)}</mc:AlternateContent>")

    x14 = '<mc:Choice Requires="x14"><x14:thing/></mc:Choice>'
    fallback = '<mc:Fallback><mergeCells><mergeCell ref="A1:B1"/></mergeCells></mc:Fallback>'
    understood = '<mc:Choice Requires="xdr"><pageMargins left="1" right="1" top="1" bottom="1" header="0" footer="0"/></mc:Choice>'  # fmt: skip

    def children(root: etree._Element) -> list[str]:
        return [etree.QName(e).localname for e in root]

    assert children(_consumed(alternate(x14, fallback))) == ["sheetData", "mergeCells"]
    assert children(_consumed(alternate(understood, fallback))) == ["sheetData", "pageMargins"]
    assert children(_consumed(alternate(x14))) == ["sheetData"]  # no fallback: nothing
    # a consumer told to take the x14 choice gets x14:thing, outside any extension: refused
    with pytest.raises(S.MceError, match="thing"):
        _consumed(alternate(x14, fallback), choices=frozenset({X14}))


def test_an_extension_is_left_to_the_schemas_any_element() -> None:
    """extLst/ext takes one element of any namespace (sml.xsd CT_Extension: xsd:any
    processContents="lax"): not ignorable, not understood, and still valid there."""
    ext = (
        '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}">'
        "<x14:conditionalFormattings/></ext></extLst>"
    )
    root = _consumed(_sheet(after=ext))
    assert root.find(f".//{{{X14}}}conditionalFormattings") is not None
    assert S.schema_set().validate(etree.ElementTree(root)), S.schema_set().error_log
    two = ext.replace("<x14:conditionalFormattings/>", "<x14:a/><x14:b/>")
    assert not S.schema_set().validate(etree.ElementTree(_consumed(_sheet(after=two))))


# --- the checks fail where they should -------------------------------------------------------


def _sheet_check(xml: bytes, content_type: str | None = SHEET_TYPE) -> S.PartCheck:
    return S.check_part("xl/worksheets/sheet1.xml", xml, content_type)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (_sheet(data='<row r="1"><c r="A1" t="bogus"><v>1</v></c></row>'), "bogus"),
        (f'<worksheet xmlns="{S.SML}"><mergeCells/><sheetData/></worksheet>'.encode(), "sheetData"),
        (_sheet(data='<row r="x"/>'), "unsignedInt"),
        (_sheet(data='<row r="1"><c r="A1"><is><t xml:space="keep">a</t></is></c></row>'), "keep"),
        (b"<worksheet/>", "root worksheet"),
        (b'<?xml version="1.0"?><!DOCTYPE worksheet []><worksheet/>', "DOCTYPE"),
        (
            _sheet(data='<row r="1"><c r="A1" t="inlineStr"><is><t>a\x0bb</t></is></c></row>'),
            "parse",
        ),
        (
            _sheet(data='<row r="1"><c r="A1" t="inlineStr"><is><t>a&#11;b</t></is></c></row>'),
            "parse",
        ),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><worksheet/>', "ISO-8859-1"),
    ],
)
def test_a_defect_is_found(xml: bytes, message: str) -> None:
    check = _sheet_check(xml)
    assert check.errors and message in "\n".join(check.errors), check.errors


def test_the_xml_space_excel_writes_is_accepted() -> None:
    cell = '<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> a </t></is></c></row>'
    assert not _valid(_sheet(data=cell))  # the schema itself has no xml:space on <t>
    assert _sheet_check(_sheet(data=cell)).errors == []


def test_content_types_parts_and_what_has_no_schema() -> None:
    types = (
        f'<Types xmlns="{S.OPC_CT}"><Default Extension="RELS" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Override PartName="/XL/Workbook.xml" '
        'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>'
    ).encode()
    members = {
        "[Content_Types].xml": types,
        "_rels/.rels": b"",
        "xl/workbook.xml": b"",
        "x.bin": b"",
    }
    assert S.content_types(members) == {
        "_rels/.rels": "application/vnd.openxmlformats-package.relationships+xml",
        "xl/workbook.xml": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        "x.bin": None,
    }
    assert "no content type" in S.check_part("x.bin", b"", None).errors[0]
    assert S.check_part("a.bin", b"PK", "application/vnd.ms-office.vbaProject").errors
    ctrl = "application/vnd.ms-excel.controlproperties+xml"
    assert S.check_part("c.xml", f'<formControlPr xmlns="{X14}"/>'.encode(), ctrl).errors == []
    assert S.check_part("c.xml", f'<control xmlns="{X14}"/>'.encode(), ctrl).errors
    assert "has no schema" in S.check_part("p.xml", b"<a/>", "application/xml").errors[0]
    assert S.check_content_types(types).errors == []
    assert S.check_content_types(types.replace(b"Extension=", b"Ext=")).errors


def test_core_properties_are_checked_through_dublin_core() -> None:
    """docProps/core.xml's dates are typed by Dublin Core's W3CDTF (xsi:type): the imported
    DCMI schemas check them."""
    core = "application/vnd.openxmlformats-package.core-properties+xml"
    with zipfile.ZipFile(TEMPLATE) as package:
        xml = package.read("docProps/core.xml")
    assert S.check_part("docProps/core.xml", xml, core).errors == []
    bad = xml.replace(b">2026-01-01T00:00:00Z<", b">yesterday<", 1)
    assert bad != xml
    (error,) = S.check_part("docProps/core.xml", bad, core).errors
    assert "dc/terms/}created': 'yesterday' is not a valid value" in error
