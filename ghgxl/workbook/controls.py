"""Form-control buttons written as Excel writes them: a post-step over the package's parts.

A Forms button lives in five places: the legacy VML drawing (what Excel draws it from), the
DrawingML drawing, the sheet's ``<controls>``, a control-properties part, and the
relationships and content types that tie them. pyopenvba's ``add_button`` writes all five;
the functions here (pure, bytes to bytes, deterministic) change what differs from Excel's
own markup and leave every other byte alone.

What Excel writes was read from two workbooks Excel saved:

- ``macro2.xlsm`` in github.com/JanMarvin/openxlsx-data (commit 4094b26; docProps/app.xml:
  Microsoft Macintosh Excel 16.0300): one button, caption "Line<br>Break", macro
  ``[0]!Oval1_Click``, all five places;
- ``xlsxwriter/test/comparison/xlsx_files/button07.xlsm`` in github.com/jmcnamara/XlsxWriter
  (commit cf3fe78; docProps/app.xml: Microsoft Excel 12.0, Excel 2007 for Windows, which
  writes a button in the VML only): one button, caption "Hello", macro ``[0]!say_hello``.

Compared and the same in pyopenvba's markup (so left alone): the VML shape type
``_x0000_t201`` and its ``x:ClientData`` children (``PrintObject``, ``AutoFill``,
``FmlaMacro`` as ``[0]!Name``, ``TextHAlign``/``TextVAlign``); the drawing's
``mc:AlternateContent`` with ``a14:compatExt spid`` naming the VML shape, the hidden shape
and its empty transform, ``fPrintsWithSheet="0"``; the sheet's ``<drawing>``,
``<legacyDrawing>`` and ``<controls>`` (``shapeId``, ``r:id``, ``macro``, the anchor);
the relationship types (drawing, vmlDrawing, ctrlProp) and the content types (``vml``
default, drawing and ``application/vnd.ms-excel.controlproperties+xml`` overrides).
What differed is fixed by :func:`vml_like_excel`, :func:`drawing_like_excel`,
:func:`sheet_controls_like_excel` and :func:`control_properties_like_excel`.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
REL_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
#: EMU in one pixel at 96 DPI (914,400 EMU an inch).
EMU_PER_PIXEL = 9525

Anchor = tuple[int, int, int, int, int, int, int, int]  # col, off, row, off (from, to), EMU


@dataclass(frozen=True)
class Font:
    """The font Excel gives a new button: the workbook's Normal style font."""

    face: str = "Calibri"
    points: float = 11.0


def normal_font(styles: bytes) -> Font:
    """The Normal style's font of ``xl/styles.xml`` (the first cell-style format's font)."""
    root = ElementTree.fromstring(styles)
    fonts = root.findall(f"{NS_MAIN}fonts/{NS_MAIN}font")
    style_xf = root.find(f"{NS_MAIN}cellStyleXfs/{NS_MAIN}xf")
    index = int(style_xf.get("fontId", "0")) if style_xf is not None else 0
    if index >= len(fonts):
        return Font()
    name, size = fonts[index].find(f"{NS_MAIN}name"), fonts[index].find(f"{NS_MAIN}sz")
    return Font(
        face=name.get("val", Font.face) if name is not None else Font.face,
        points=float(size.get("val", Font.points)) if size is not None else Font.points,
    )


# --- the control-properties part ---------------------------------------------------------

_FORM_CONTROL_PR = re.compile(rb"<formControlPr\b[^>]*>")
_EMPTY_ATTRIBUTE = re.compile(rb'\s[\w:]+=""')


def control_properties_like_excel(xml: bytes) -> bytes:
    """Without the empty attributes pyopenvba leaves (``fmlaLink=""``, ``fmlaRange=""``):
    Excel writes a button's part as ``<formControlPr xmlns="…/2009/9/main"
    objectType="Button" lockText="1"/>`` (xl/ctrlProps/ctrlProp1.xml of macro2.xlsm), and
    an empty ``fmlaLink`` is a link to no cell, not the absence of one."""
    return _FORM_CONTROL_PR.sub(lambda tag: _EMPTY_ATTRIBUTE.sub(b"", tag.group(0)), xml)


# --- the VML drawing ---------------------------------------------------------------------

_VML_SHAPE = re.compile(rb"<v:shape\b[^>]*>.*?</v:shape>", re.DOTALL)
_SHAPE_ID = re.compile(rb'\so:spid="([^"]*)"')
_VML_ID = re.compile(rb'\sid="([^"]*)"')
_DIV = re.compile(rb"(<v:textbox\b[^>]*>\s*<div\b[^>]*(?<!/)>)(.*?)(</div>)", re.DOTALL)
_FILL_COLOR = re.compile(rb'\sfillcolor="[^"]*"')
_VML_ANCHOR = re.compile(rb"<x:Anchor>[^<]*</x:Anchor>")
_BREAK = re.compile(rb"<br\s*/?>")


def vml_shape_id(shape: bytes) -> str:
    """The id the drawing's ``a14:compatExt spid`` names: ``o:spid``, else ``id``."""
    head = shape[: shape.index(b">") + 1]
    found = _SHAPE_ID.search(head) or _VML_ID.search(head)
    return found.group(1).decode("ascii") if found else ""


def vml_anchor(anchor: Anchor) -> bytes:
    """An ``x:Anchor``: column, offset, row, offset of each corner, the offsets in screen
    pixels, here 96 to the inch (Excel for Windows at 100 %).

    Excel for Mac (72 pixels an inch) wrote ``1, 43, 1, 13, …`` in macro2.xlsm for
    drawing offsets of 546,100 and 165,100 EMU (43 and 13 points). pyopenvba writes
    half-points (a 144-DPI screen's pixels); LibreOffice reads pixels at 96 DPI
    (``ShapeAnchor::importVmlAnchor``, CellAnchorType::Pixel, in
    sc/source/filter/oox/drawingbase.cxx) and drew the buttons 1.5 times too large."""
    pixels = [
        value if index % 2 == 0 else (value + EMU_PER_PIXEL // 2) // EMU_PER_PIXEL
        for index, value in enumerate(anchor)
    ]
    return b"<x:Anchor>" + ", ".join(map(str, pixels)).encode("ascii") + b"</x:Anchor>"


def font_run(text: bytes, font: Font) -> bytes:
    """A caption as Excel writes it in a button's VML text box:
    ``<font face="Calibri" size="220" color="#000000">Hello</font>`` (button07.xlsm;
    macro2.xlsm: ``<font face="Calibri" size="240" color="auto">Line<br>Break</font>``),
    the size in twentieths of a point. LibreOffice and EPPlus read a caption only from
    inside this ``<font>`` (oox/source/vml/vmltextboxcontext.cxx: a ``div`` yields text
    only through a ``font`` child), so without it the buttons show blank."""
    size = round(font.points * 20)
    return (
        f'<font face={quoteattr(font.face)} size="{size}" color="#000000">'.encode()
        + text
        + b"</font>"
    )


def vml_like_excel(vml: bytes, font: Font, anchors: Mapping[str, Anchor]) -> bytes:
    """Each Forms control of a VML drawing as Excel writes it: its caption inside a
    ``<font>`` run (:func:`font_run`), a ``strokecolor`` (``windowText [64]`` in
    button07.xlsm, ``black [64]`` in macro2.xlsm; pyopenvba writes none) and, where the
    DrawingML anchor of the same shape is known, an ``x:Anchor`` in pixels
    (:func:`vml_anchor`). A shape that already has these keeps them."""

    def fixed(match: re.Match[bytes]) -> bytes:
        shape = match.group(0)
        if b'type="#_x0000_t201"' not in shape[: shape.index(b">")]:
            return shape  # a comment's note, not a control
        head_end = shape.index(b">")
        head = shape[:head_end]
        if b"strokecolor=" not in head:
            filled = _FILL_COLOR.search(head)
            at = filled.end() if filled else head_end
            shape = shape[:at] + b' strokecolor="windowText [64]"' + shape[at:]
        shape = _DIV.sub(lambda div: _with_font_run(div, font), shape, count=1)
        anchor = anchors.get(vml_shape_id(shape))
        if anchor is not None:
            shape = _VML_ANCHOR.sub(lambda _: vml_anchor(anchor), shape, count=1)
        return shape

    return _VML_SHAPE.sub(fixed, vml)


def _with_font_run(div: re.Match[bytes], font: Font) -> bytes:
    """A text box's ``div`` with its caption in a :func:`font_run` (unless it has one)."""
    opening, caption, closing = div.groups()
    if b"<font" in caption or not caption.strip():
        return div.group(0)
    return opening + font_run(caption, font) + closing


def vml_buttons(vml: bytes) -> dict[str, tuple[list[str], bool]]:
    """The buttons of a VML drawing: shape id -> (caption lines, printed)."""
    buttons: dict[str, tuple[list[str], bool]] = {}
    for match in _VML_SHAPE.finditer(vml):
        shape = match.group(0)
        if b'ObjectType="Button"' not in shape:
            continue
        div = _DIV.search(shape)
        inner = div.group(2) if div else b""
        lines = [
            html.unescape(re.sub(rb"<[^>]*>", b"", line).decode("utf-8")).strip()
            for line in _BREAK.split(inner)
        ]
        printed = b"<x:PrintObject>False</x:PrintObject>" not in shape
        buttons[vml_shape_id(shape)] = ([line for line in lines if line], printed)
    return buttons


# --- the DrawingML drawing ---------------------------------------------------------------

_DRAWING_ANCHOR = re.compile(rb"<xdr:twoCellAnchor\b[^>]*>.*?</xdr:twoCellAnchor>", re.DOTALL)
_COMPAT_SPID = re.compile(rb'<a14:compatExt spid="([^"]*)"')
_CORNER = re.compile(
    rb"<xdr:(from|to)><xdr:col>(\d+)</xdr:col><xdr:colOff>(\d+)</xdr:colOff>"
    rb"<xdr:row>(\d+)</xdr:row><xdr:rowOff>(\d+)</xdr:rowOff></xdr:\1>"
)


def drawing_anchors(drawing: bytes) -> dict[str, Anchor]:
    """The cell anchor (EMU offsets) of each shape of a drawing that stands for a VML
    shape (``a14:compatExt spid``), by that VML shape's id."""
    anchors: dict[str, Anchor] = {}
    for match in _DRAWING_ANCHOR.finditer(drawing):
        spid = _COMPAT_SPID.search(match.group(0))
        corners = {c.group(1): c.groups()[1:] for c in _CORNER.finditer(match.group(0))}
        if spid and {b"from", b"to"} <= corners.keys():
            c1, o1, r1, p1 = map(int, corners[b"from"])
            c2, o2, r2, p2 = map(int, corners[b"to"])
            anchors[spid.group(1).decode("ascii")] = (c1, o1, r1, p1, c2, o2, r2, p2)
    return anchors


def text_body(lines: list[str], font: Font) -> bytes:
    """A button's caption in DrawingML, as Excel writes it beside the VML (macro2.xlsm,
    xl/drawings/drawing1.xml: one ``a:p`` a line, centred, black, the Normal font)."""
    size = round(font.points * 100)
    face = quoteattr(font.face)
    paragraphs = "".join(
        '<a:p><a:pPr algn="ctr" rtl="0"><a:defRPr sz="1000"/></a:pPr>'
        f'<a:r><a:rPr lang="zh-CN" sz="{size}" b="0" i="0" u="none" strike="noStrike"'
        ' baseline="0"><a:solidFill><a:srgbClr val="000000"/></a:solidFill>'
        f"<a:latin typeface={face}/><a:cs typeface={face}/></a:rPr>"
        f"<a:t>{escape(line)}</a:t></a:r></a:p>"
        for line in lines
    )
    return (
        '<xdr:txBody><a:bodyPr vertOverflow="clip" wrap="square" lIns="27432" tIns="22860"'
        ' rIns="27432" bIns="22860" anchor="ctr" upright="1"/><a:lstStyle/>'
        f"{paragraphs}</xdr:txBody>"
    ).encode()


def drawing_like_excel(
    drawing: bytes, buttons: Mapping[str, tuple[list[str], bool]], font: Font
) -> bytes:
    """Each button's shape in the drawing with its caption (:func:`text_body`), which
    Excel writes in both drawings and pyopenvba only in the VML."""

    def fixed(match: re.Match[bytes]) -> bytes:
        anchor = match.group(0)
        spid = _COMPAT_SPID.search(anchor)
        button = buttons.get(spid.group(1).decode("ascii")) if spid else None
        if button is None or not button[0] or b"<xdr:txBody>" in anchor:
            return anchor
        return anchor.replace(b"</xdr:spPr>", b"</xdr:spPr>" + text_body(button[0], font), 1)

    return _DRAWING_ANCHOR.sub(fixed, drawing)


# --- the sheet's <controls> --------------------------------------------------------------

_CONTROL_PR = re.compile(rb'(<control shapeId="(\d+)"[^>]*>\s*<controlPr\b)([^>]*>)')


def sheet_controls_like_excel(sheet: bytes, unprinted: set[str]) -> bytes:
    """``print="0"`` on the ``controlPr`` of each control the VML does not print:
    macro2.xlsm writes ``<controlPr defaultSize="0" print="0" autoFill="0" …>`` with
    ``<x:PrintObject>False</x:PrintObject>``; without it Excel 2010 and later, which read
    ``controlPr``, would print the buttons the VML and the drawing say are not printed."""

    def fixed(match: re.Match[bytes]) -> bytes:
        head, shape_id, rest = match.groups()
        if shape_id.decode("ascii") not in unprinted or b" print=" in rest:
            return match.group(0)
        if rest.startswith(b' defaultSize="'):
            cut = rest.index(b'"', len(b' defaultSize="')) + 1
            return head + rest[:cut] + b' print="0"' + rest[cut:]
        return head + b' print="0"' + rest

    return _CONTROL_PR.sub(fixed, sheet)


# --- the package -------------------------------------------------------------------------


def _related(members: Mapping[str, bytes], rels_name: str) -> dict[str, list[str]]:
    """Targets of a part's relationships, as member names, by relationship type."""
    folder = posixpath.dirname(posixpath.dirname(rels_name))
    targets: dict[str, list[str]] = {}
    for rel in ElementTree.fromstring(members[rels_name]).iter(f"{NS_PKG_REL}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        kind = rel.get("Type", "").removeprefix(REL_TYPES)
        target = rel.get("Target", "")
        name = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        targets.setdefault(kind, []).append(posixpath.normpath(name))
    return targets


def form_controls_like_excel(members: dict[str, bytes]) -> dict[str, bytes]:
    """The package's members with every sheet's Forms controls written as Excel writes
    them (the other members unchanged, in the same order)."""
    out = dict(members)
    font = normal_font(members["xl/styles.xml"]) if "xl/styles.xml" in members else Font()
    for rels_name in members:
        if not re.fullmatch(r"xl/worksheets/_rels/[^/]+\.xml\.rels", rels_name):
            continue
        sheet = posixpath.join("xl/worksheets", posixpath.basename(rels_name)[: -len(".rels")])
        related = _related(members, rels_name)
        drawings = [n for n in related.get("drawing", []) if n in out]
        anchors = {k: v for n in drawings for k, v in drawing_anchors(out[n]).items()}
        buttons: dict[str, tuple[list[str], bool]] = {}
        for name in related.get("vmlDrawing", []):
            if name in out:
                out[name] = vml_like_excel(out[name], font, anchors)
                buttons.update(vml_buttons(out[name]))
        for name in drawings:
            out[name] = drawing_like_excel(out[name], buttons, font)
        unprinted = {spid.removeprefix("_x0000_s") for spid, (_, p) in buttons.items() if not p}
        if sheet in out and unprinted:
            out[sheet] = sheet_controls_like_excel(out[sheet], unprinted)
        for name in related.get("ctrlProp", []):
            if name in out:
                out[name] = control_properties_like_excel(out[name])
    return out
