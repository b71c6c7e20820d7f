"""The buttons 检查清册 / 重新计算 / 生成报告 on 使用说明, written as Excel writes Forms buttons
(the references are cited in ghgxl/workbook/controls.py) and read back by LibreOffice."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from ghgxl.workbook import controls, template, xlsx
from ghgxl.workbook import layout as L
from tests.support import soffice

ROOT = Path(__file__).parents[2]
TEMPLATE = ROOT / "workbook" / template.TEMPLATE_NAME
GUIDE = "xl/worksheets/sheet1.xml"
VML = "xl/drawings/vmlDrawing1.vml"
DRAWING = "xl/drawings/drawing1.xml"

V = "{urn:schemas-microsoft-com:vml}"
VO = "{urn:schemas-microsoft-com:office:office}"
X = "{urn:schemas-microsoft-com:office:excel}"
X14 = "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/main}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
A14 = "{http://schemas.microsoft.com/office/drawing/2010/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"

BUTTONS = {name: (caption, macro) for name, caption, macro, _entry in template.BUTTONS}


def parse_vml(data: bytes) -> ElementTree.Element:
    """A VML drawing, parsed strictly once HTML's void ``<br>`` is closed: Excel writes
    captions like ``<font …>Line<br>\\n Break</font>``, which is not well-formed XML."""
    return ElementTree.fromstring(re.sub(rb"<br(\s[^>]*)?>", rb"<br\1/>", data))


@pytest.fixture(scope="module")
def members() -> dict[str, bytes]:
    return xlsx.read_members(TEMPLATE)


def vml_buttons(members: dict[str, bytes]) -> dict[str, ElementTree.Element]:
    shapes = parse_vml(members[VML]).iter(f"{V}shape")
    return {
        shape.get("id"): shape
        for shape in shapes
        if shape.find(f"{X}ClientData") is not None
        and shape.find(f"{X}ClientData").get("ObjectType") == "Button"
    }


def sub_names(vba: str) -> set[str]:
    return set(re.findall(r"^Sub (\w+)\(\)", vba, re.MULTILINE))


def test_the_tolerant_parse_reads_excels_own_markup() -> None:
    excel = (  # the form of Excel 16's VML text box (macro2.xlsm), a caption of two lines
        b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:'
        b'office:office"><v:shape id="_x0000_s1025"><v:textbox o:singleclick="f">\r\n'
        b'<div style=\'text-align:center\'><font face="Calibri" size="240" color="auto">'
        b"\xe6\xa3\x80\xe6\x9f\xa5<br>\r\n   \xe6\xb8\x85\xe5\x86\x8c</font></div>"
        b"</v:textbox></v:shape></xml>"
    )
    with pytest.raises(ElementTree.ParseError):
        ElementTree.fromstring(excel)
    font = parse_vml(excel).find(f"{V}shape/{V}textbox/div/font")
    assert font.text == "检查" and font.find("br").tail.strip() == "清册"


def test_each_button_has_its_caption_in_a_font_run(members: dict[str, bytes]) -> None:
    buttons = vml_buttons(members)
    assert sorted(buttons) == sorted(BUTTONS)
    # the Normal style's font, which Excel gives a new button: Calibri 12 in the template
    assert controls.normal_font(members["xl/styles.xml"]) == controls.Font("Calibri", 12.0)
    for name, shape in buttons.items():
        div = shape.find(f"{V}textbox/div")
        assert div.get("style") == "text-align:center"
        assert not (div.text or "").strip(), "caption text outside the font run"
        assert [child.tag for child in div] == ["font"], name
        font = div[0]
        assert font.attrib == {"face": "Calibri", "size": "240", "color": "#000000"}
        assert font.text == BUTTONS[name][0] and len(font) == 0
        assert shape.get("fillcolor") == "buttonFace [67]"
        assert shape.get("strokecolor") == "windowText [64]"


def test_each_button_runs_a_sub_of_the_macro_module(members: dict[str, bytes]) -> None:
    subs = sub_names(template.macro_vba())
    assert sub_names(template.embedded_module(TEMPLATE, template.VBA_MACRO_MODULE)) == subs
    sheet = ElementTree.fromstring(members[GUIDE])
    sheet_macros = {
        c.get("name"): c.find(f"{MAIN}controlPr").get("macro") for c in sheet.iter(f"{MAIN}control")
    }
    for name, shape in vml_buttons(members).items():
        data = shape.find(f"{X}ClientData")
        assert [e.text for e in data.findall(f"{X}FmlaMacro")] == [f"[0]!{BUTTONS[name][1]}"]
        macro = data.find(f"{X}FmlaMacro").text.removeprefix("[0]!")
        assert macro in subs, f"{name} runs {macro}, not a Sub of {template.VBA_MACRO_MODULE}"
        assert sheet_macros[name] == f"[0]!{macro}"
        assert data.find(f"{X}PrintObject").text == "False"


def test_control_properties_are_as_excel_writes_a_button(members: dict[str, bytes]) -> None:
    rels = ElementTree.fromstring(members["xl/worksheets/_rels/sheet1.xml.rels"])
    parts = [
        "xl/" + r.get("Target").removeprefix("../")
        for r in rels
        if r.get("Type").endswith("/ctrlProp")
    ]
    assert len(parts) == len(BUTTONS)
    for part in parts:
        assert b'=""' not in members[part], part
        root = ElementTree.fromstring(members[part])
        assert root.tag == f"{X14}formControlPr"
        assert root.attrib == {"objectType": "Button", "lockText": "1"}, part
        assert all(value for value in root.attrib.values())


def _drawing_shapes(members: dict[str, bytes]) -> dict[str, ElementTree.Element]:
    """The drawing's anchors by the name of their shape."""
    drawing = ElementTree.fromstring(members[DRAWING])
    return {
        anchor.find(f"{XDR}sp/{XDR}nvSpPr/{XDR}cNvPr").get("name"): anchor
        for anchor in drawing.iter(f"{XDR}twoCellAnchor")
    }


def _corners(anchor: ElementTree.Element, ns: str) -> list[int]:
    return [
        int(anchor.find(f"{ns}{corner}/{XDR}{field}").text)
        for corner in ("from", "to")
        for field in ("col", "colOff", "row", "rowOff")
    ]


def test_the_three_records_of_a_button_agree(members: dict[str, bytes]) -> None:
    """VML, drawing and the sheet's controls name the same shape, at the same place, with
    the same caption, not printed; the VML anchor in pixels (96 DPI) as Excel counts."""
    drawn = _drawing_shapes(members)
    sheet = ElementTree.fromstring(members[GUIDE])
    listed = {c.get("name"): c for c in sheet.iter(f"{MAIN}control")}
    assert sorted(drawn) == sorted(listed) == sorted(BUTTONS)
    for name, shape in vml_buttons(members).items():
        spid = shape.get(f"{VO}spid")
        anchor = drawn[name]
        cnvpr = anchor.find(f"{XDR}sp/{XDR}nvSpPr/{XDR}cNvPr")
        assert anchor.find(f".//{A14}compatExt").get("spid") == spid
        assert listed[name].get("shapeId") == cnvpr.get("id") == spid.removeprefix("_x0000_s")
        emu = _corners(anchor, XDR)
        assert _corners(listed[name].find(f"{MAIN}controlPr/{MAIN}anchor"), MAIN) == emu
        pixels = [v if i % 2 == 0 else round(v / 9525) for i, v in enumerate(emu)]
        vml_anchor = shape.find(f"{X}ClientData/{X}Anchor").text
        assert [int(n) for n in vml_anchor.split(",")] == pixels, name
        texts = [t.text for t in anchor.iter(f"{A}t")]
        assert texts == [BUTTONS[name][0]], name
        assert anchor.find(f"{XDR}clientData").get("fPrintsWithSheet") == "0"
        assert listed[name].find(f"{MAIN}controlPr").get("print") == "0", name


def test_relationships_and_content_types(members: dict[str, bytes]) -> None:
    rels = ElementTree.fromstring(members["xl/worksheets/_rels/sheet1.xml.rels"])
    kinds = {r.get("Id"): r.get("Type").rsplit("/", 1)[1] for r in rels}
    sheet = ElementTree.fromstring(members[GUIDE])
    assert kinds[sheet.find(f"{MAIN}drawing").get(f"{R}id")] == "drawing"
    assert kinds[sheet.find(f"{MAIN}legacyDrawing").get(f"{R}id")] == "vmlDrawing"
    for control in sheet.iter(f"{MAIN}control"):
        assert kinds[control.get(f"{R}id")] == "ctrlProp"
    types = ElementTree.fromstring(members["[Content_Types].xml"])
    defaults = {
        d.get("Extension"): d.get("ContentType") for d in types.iter(f"{CONTENT_TYPES}Default")
    }
    overrides = {
        o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CONTENT_TYPES}Override")
    }
    assert defaults["vml"] == "application/vnd.openxmlformats-officedocument.vmlDrawing"
    assert overrides["/" + DRAWING] == "application/vnd.openxmlformats-officedocument.drawing+xml"
    for number in range(1, len(BUTTONS) + 1):
        part = f"/xl/ctrlProps/ctrlProp{number}.xml"
        assert overrides[part] == "application/vnd.ms-excel.controlproperties+xml"


# --- the post-step itself ----------------------------------------------------------------

#: What pyopenvba 6.5 writes for a button (the template before controls.py).
PYOPENVBA_CTRL_PROP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<formControlPr xmlns="'
    b'http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" objectType="Button"'
    b' lockText="1" fmlaLink="" fmlaRange=""/>'
)
PYOPENVBA_SHAPE = (
    b'<v:shape id="btnCheck" o:spid="_x0000_s1025" type="#_x0000_t201" style=\'position:'
    b"absolute;margin-left:20pt;margin-top:250pt;width:130pt;height:34pt;z-index:1;mso-wrap-"
    b'style:tight\' o:button="t" fillcolor="buttonFace [67]" o:insetmode="auto"><v:fill'
    b' color2="buttonFace [67]" o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/>'
    b"<v:textbox style='mso-direction-alt:auto' o:singleclick='f'><div style='text-align:"
    b'center\'>A &amp; B</div></v:textbox><x:ClientData ObjectType="Button"><x:Anchor>0,'
    b" 40, 15, 28, 0, 300, 18, 1</x:Anchor><x:PrintObject>False</x:PrintObject>"
    b"<x:FmlaMacro>[0]!GhgCheck</x:FmlaMacro></x:ClientData></v:shape>"
)


def test_control_properties_lose_only_the_empty_attributes() -> None:
    fixed = controls.control_properties_like_excel(PYOPENVBA_CTRL_PROP)
    assert fixed == PYOPENVBA_CTRL_PROP.replace(b' fmlaLink="" fmlaRange=""', b"")
    linked = PYOPENVBA_CTRL_PROP.replace(b'fmlaLink=""', b'fmlaLink="$A$1"')
    assert b'fmlaLink="$A$1"' in controls.control_properties_like_excel(linked)


def test_vml_gets_the_font_run_stroke_and_pixel_anchor() -> None:
    anchors = {"_x0000_s1025": (0, 254000, 15, 174625, 0, 1905000, 18, 6350)}
    font = controls.Font("Calibri", 11.0)
    fixed = controls.vml_like_excel(PYOPENVBA_SHAPE, font, anchors)
    assert (
        b'<div style=\'text-align:center\'><font face="Calibri" size="220"'
        b' color="#000000">A &amp; B</font></div>'
    ) in fixed
    assert b'fillcolor="buttonFace [67]" strokecolor="windowText [64]"' in fixed
    assert b"<x:Anchor>0, 27, 15, 18, 0, 200, 18, 1</x:Anchor>" in fixed
    assert controls.vml_like_excel(fixed, font, anchors) == fixed  # a second pass: no change
    assert controls.vml_buttons(fixed) == {"_x0000_s1025": (["A & B"], False)}


def test_the_committed_template_is_a_fixed_point(members: dict[str, bytes]) -> None:
    assert controls.form_controls_like_excel(members) == members


# --- LibreOffice -------------------------------------------------------------------------

FORM = "{urn:oasis:names:tc:opendocument:xmlns:form:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
SCRIPT = "{urn:oasis:names:tc:opendocument:xmlns:script:1.0}"
XLINK = "{http://www.w3.org/1999/xlink}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
POINTS = {"in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pt": 1.0}


def _points(length: str) -> float:
    number, unit = re.fullmatch(r"([-\d.]+)([a-z]+)", length).groups()
    return float(number) * POINTS[unit]


@pytest.fixture(scope="module")
def guide_in_libreoffice(tmp_path_factory: pytest.TempPathFactory) -> ElementTree.Element:
    """The guide sheet as LibreOffice imports it (the template saved as flat ODF)."""
    folder = tmp_path_factory.mktemp("lo-controls")
    profile = folder / "profile"
    subprocess.run(
        [
            soffice() or "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "fods",
            "--outdir",
            str(folder),
            str(TEMPLATE),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(profile)},
    )
    document = ElementTree.parse(folder / (TEMPLATE.stem + ".fods")).getroot()
    tables = {t.get(f"{TABLE}name"): t for t in document.iter(f"{TABLE}table")}
    return tables["使用说明"]


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is installed by .ci/run")
def test_libreoffice_imports_the_buttons_with_captions_and_macros(guide_in_libreoffice) -> None:
    buttons = {b.get(f"{FORM}name"): b for b in guide_in_libreoffice.iter(f"{FORM}button")}
    assert sorted(buttons) == sorted(BUTTONS)
    for name, (caption, macro) in BUTTONS.items():
        button = buttons[name]
        assert button.get(f"{FORM}label") == caption, name
        listeners = [
            (e.get(f"{SCRIPT}event-name"), e.get(f"{XLINK}href"))
            for e in button.iter(f"{SCRIPT}event-listener")
        ]
        assert len(listeners) == 1, listeners
        event, href = listeners[0]
        assert event == "form:performaction"
        assert re.fullmatch(
            rf"vnd\.sun\.star\.script:VBAProject\.{template.VBA_MACRO_MODULE}\.{macro}"
            r"\?language=Basic&location=document",
            href,
        ), href


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is installed by .ci/run")
def test_libreoffice_places_the_buttons_where_they_were_put(guide_in_libreoffice) -> None:
    """130 x 34 points, three a row in the guide's button band, as add_buttons asks,
    to within a pixel: the VML anchor LibreOffice places them by agrees with the drawing's."""
    ids = {
        b.get(f"{FORM}id"): b.get(f"{FORM}name") for b in guide_in_libreoffice.iter(f"{FORM}button")
    }
    placed = {ids[c.get(f"{DRAW}control")]: c for c in guide_in_libreoffice.iter(f"{DRAW}control")}
    for index, (name, _caption, _macro, _entry) in enumerate(template.BUTTONS):
        control = placed[name]
        box = [_points(control.get(f"{SVG}{key}")) for key in ("x", "y", "width", "height")]
        left, top = 20 + 150 * (index % 3), 24 + 16 + 6 + 44 * (index // 3)  # the button band
        assert box == pytest.approx([left, top, 130, 34], abs=1.0), name
        assert top + 34 <= sum(L.GUIDE_ROW_HEIGHTS)  # above the first line of the guide
