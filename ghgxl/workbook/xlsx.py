"""Surgical edits of an .xlsx/.xlsm package: put values into existing cells, keep the rest.

openpyxl rewrites a whole workbook and drops what it does not model (form-control buttons,
cached values of formulas); here only the ``<v>`` of the cells named changes, so VBA,
styles, comments, validation, buttons and the user's own formulas stay byte-for-byte.
The package's own XML (workbook.xml and its relationships) is parsed with defusedxml.
"""

from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
from collections.abc import Collection, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from ghgxl.errors import GhgError

NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
R_NAMESPACE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: A fixed timestamp for every member, so the same content gives the same bytes.
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


class ExcelError(str):
    """A formula's value that is one of Excel's errors (``#VALUE!``): cached as an error
    (``t="e"``), as Excel saves it, not as text."""


VALUE_ERROR = ExcelError("#VALUE!")
CellValue = float | int | str | bool | None
# Sheets are patched as bytes: a 10^5-row sheet is ~200 MB of UTF-8, which as a Python str
# with Chinese text would take four bytes a character.
#: What a cell holds, up to its ``</c>``: it cannot run past the next cell's start or the
#: row's end, so a cell without its ``</c>`` is not matched (and costs one look at its own
#: bytes, not at the rest of the sheet).
_INSIDE = rb"[^<]*(?:<(?!/?c[\s/>]|/row>)[^<]*)*"
_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(' + _INSIDE + rb")</c>)")
#: Only cells that hold a formula (what the headless calculation writes into).
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*?)>(<f\b' + _INSIDE + rb")</c>")
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>.*?</f>)", re.DOTALL)
_TYPE = re.compile(rb'\st="[^"]*"')


#: The calculation engine Excel 2019 and Microsoft 365 write (``<calcPr calcId>``) and the
#: features Microsoft 365 declares with it. Excel recalculates every formula of a workbook
#: "last calculated by an earlier version" when it opens it (ECMA-376 Part 1, 18.2.2
#: calcPr/@calcId): with openpyxl's 124519 (Excel 2007) the values calc wrote would be
#: thrown away on open — #NAME? without Python, one Python call per formula with it.
CALC_ID = 191029
_CALC_FEATURES = (
    b'<ext uri="{B58B0392-4F1F-4190-BB64-5DF3571DCE5F}" '
    b'xmlns:xcalcf="http://schemas.microsoft.com/office/spreadsheetml/2018/calcfeatures">'
    b"<xcalcf:calcFeatures>"
    + b"".join(
        b'<xcalcf:feature name="microsoft.com:%s"/>' % name
        for name in (b"RD", b"Single", b"FV", b"CNMTM", b"LET_WF", b"LAMBDA_WF", b"ARRAYTEXT_WF")
    )
    + b"</xcalcf:calcFeatures></ext>"
)
_CALC_PR = re.compile(rb"<calcPr\b[^>]*?/>|<calcPr\b[^>]*>.*?</calcPr>", re.DOTALL)


def current_calc(workbook_xml: bytes) -> bytes:
    """``xl/workbook.xml`` marked as calculated by the current Excel engine, so Excel keeps
    the cached values on open: ``calcId`` set to :data:`CALC_ID`, no ``fullCalcOnLoad``,
    and Microsoft 365's calculation features declared (an ``extLst`` entry). Idempotent."""
    found = _CALC_PR.search(workbook_xml)
    if found is None:  # no calcPr: it follows what comes before it in the schema's order
        calc = b'<calcPr calcId="%d"/>' % CALC_ID
        before = (b"</definedNames>", b"</externalReferences>", b"</functionGroups>", b"</sheets>")
        where = next(workbook_xml.rindex(t) + len(t) for t in before if t in workbook_xml)
        workbook_xml = workbook_xml[:where] + calc + workbook_xml[where:]
    else:
        calc = found.group(0)
        calc = re.sub(rb'\s(?:calcId|fullCalcOnLoad)="[^"]*"', b"", calc)
        calc = calc.replace(b"<calcPr", b'<calcPr calcId="%d"' % CALC_ID, 1)
        workbook_xml = workbook_xml[: found.start()] + calc + workbook_xml[found.end() :]
    if b"B58B0392-4F1F-4190-BB64-5DF3571DCE5F" in workbook_xml:
        return workbook_xml
    if b"</extLst>" in workbook_xml:
        end = workbook_xml.rindex(b"</extLst>")
        return workbook_xml[:end] + _CALC_FEATURES + workbook_xml[end:]
    end = workbook_xml.rindex(b"</workbook>")
    return workbook_xml[:end] + b"<extLst>" + _CALC_FEATURES + b"</extLst>" + workbook_xml[end:]


def read_members(path: Path | bytes) -> dict[str, bytes]:
    """Every member of the package, in order (E601 for a file that is not a package)."""
    try:
        source = io.BytesIO(path) if isinstance(path, bytes) else path
        with zipfile.ZipFile(source) as package:
            return {info.filename: package.read(info) for info in package.infolist()}
    except (OSError, zipfile.BadZipFile, KeyError) as exc:
        raise GhgError("E601", path=str(path)[:80], problem=str(exc)) from None


def member_info(name: str, size: int) -> zipfile.ZipInfo:
    """How ghgxl stores a member: fixed timestamp, deflated; large sheets with fast
    compression (3x faster, files ~15 % larger)."""
    info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    info._compresslevel = 1 if size > 2**20 else 6  # the level zipfile's writers read
    return info


def write_package(members: Mapping[str, bytes]) -> bytes:
    """Deterministic zip bytes: fixed timestamps, members in the given order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(member_info(name, len(data)), data)
    return buffer.getvalue()


def package_sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """:func:`sheet_parts` of an open package, reading only the two members it needs;
    E601 when a sheet's part is not in the package (a damaged file)."""
    try:
        names = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        parts = sheet_parts({n: package.read(n) for n in names})
    except (KeyError, ElementTree.ParseError) as exc:
        raise GhgError(
            "E601",
            path=str(package.filename),
            problem=f"工作簿结构已损坏（{exc}）",
            problem_en=f"the workbook's structure is damaged ({exc})",
        ) from None
    present = set(package.namelist())
    for sheet, part in parts.items():
        if part not in present:
            raise GhgError(
                "E601",
                path=str(package.filename),
                problem=f"工作表 {sheet} 的内容缺失（{part}）",
                problem_en=f"the sheet {sheet} has no content ({part})",
            )
    return parts


def sheet_parts(members: Mapping[str, bytes]) -> dict[str, str]:
    """Sheet name → part name (``xl/worksheets/sheet3.xml``)."""
    workbook = ElementTree.fromstring(members["xl/workbook.xml"])
    rels = ElementTree.fromstring(members["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{NS_PKG_REL}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{NS_MAIN}sheet"):
        target = targets[sheet.get(f"{NS_REL}id")]
        parts[sheet.get("name")] = (
            target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        )
    return parts


#: What XML 1.0 cannot hold (C0 controls but tab and line feed, U+FFFE/U+FFFF, lone
#: surrogates; a carriage return, which XML parsers turn into a line feed), and a literal
#: ``_x`` that reads like an escape (``_x000B_``): written as
#: Excel writes them (ECMA-376 Part 1, 22.9.2.19 ST_Xstring: ``_xHHHH_``, a literal
#: underscore as ``_x005F_``), so every part stays well-formed and Excel reads the text back.
_NOT_XML = r"\x01-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff"
_OOXML_ESCAPE = re.compile(rf"[\x00{_NOT_XML}]|_(?=x[0-9A-Fa-f]{{4}}_)")
_OOXML_ESCAPE_BUT_NUL = re.compile(rf"[{_NOT_XML}]|_(?=x[0-9A-Fa-f]{{4}}_)")


#: The characters XML 1.0 cannot hold at all (where a part has no _xHHHH_ escape: Word).
NOT_XML_CHARS = re.compile(f"[\x00{_NOT_XML}]")


def _hex_escape(match: re.Match[str]) -> str:
    return f"_x{ord(match.group()):04X}_"


def ooxml_text(text: str, keep_nul: bool = False) -> str:
    """``text`` as a spreadsheet part stores it: ``'a\x0bb'`` → ``'a_x000B_b'``, a literal
    ``'_x0041_'`` → ``'_x005F_x0041_'`` (``keep_nul``: leave NUL, a separator, alone)."""
    return (_OOXML_ESCAPE_BUT_NUL if keep_nul else _OOXML_ESCAPE).sub(_hex_escape, text)


def escaped_text(text: str) -> bytes:
    """``text`` ready for a part: OOXML escapes (:func:`ooxml_text`), then XML escapes."""
    return escape(ooxml_text(text)).encode("utf-8")


def value_xml(value: CellValue) -> tuple[bytes, bytes]:
    """(type attribute, inner xml) of a cached value."""
    if isinstance(value, bool):
        return b' t="b"', b"<v>%d</v>" % int(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return b' t="e"', b"<v>#NUM!</v>"
        number = repr(float(value)) if isinstance(value, float) else str(value)
        return b"", b"<v>" + number.encode("ascii") + b"</v>"
    if isinstance(value, ExcelError):
        return b' t="e"', b"<v>" + escaped_text(str(value)) + b"</v>"
    return b' t="str"', b"<v>" + escaped_text(str(value)) + b"</v>"


def untyped(attributes: bytes) -> bytes:
    """A cell's attributes without its type (``t="…"``), which its new value sets."""
    return _TYPE.sub(b"", attributes)


def plain_tail(value: CellValue) -> bytes:
    """What follows a plain (formula-free) cell's attributes (but its type) for ``value``:
    its type and value and end tag; ``/>`` for an empty cell."""
    if value is None or value == "":
        return b"/>"
    if isinstance(value, str):
        return (
            b' t="inlineStr"><is><t xml:space="preserve">' + escaped_text(value) + b"</t></is></c>"
        )
    kind, cached = value_xml(value)
    return kind + b">" + cached + b"</c>"


def patched_cell(ref: bytes, attributes: bytes, inner: bytes | None, value: CellValue) -> bytes:
    """The cell ``ref`` (its attributes and inner XML as the sheet has them) holding
    ``value``: a plain cell its value, a formula cell its formula and ``value`` cached."""
    attributes = untyped(attributes)
    formula = _FORMULA.search(inner or b"")
    head = b'<c r="' + ref + b'"' + attributes
    if formula is None:  # a plain value cell: write the value itself
        return head + plain_tail(value)
    if value is None or value == "":
        return head + b' t="str">' + formula.group(0) + b"<v></v></c>"
    kind, cached = value_xml(value)
    return head + kind + b">" + formula.group(0) + cached + b"</c>"


def formula_elements(xml: bytes) -> int:
    """How many ``<f>`` elements (formulas) ``xml`` holds."""
    return xml.count(b"<f>") + xml.count(b"<f ") + xml.count(b"<f/")


def formula_cells(xml: bytes) -> tuple[int, int]:
    """(formula elements in ``xml``, formula cells the writers can write): when the two
    differ, some formula cell has a form neither writer handles."""
    return formula_elements(xml), len(_FORMULA_CELL.findall(xml))


def patch_sheet_xml(
    xml: bytes, values: Mapping[str, CellValue], clear_columns: Collection[str] | None = None
) -> tuple[bytes, set[str]]:
    """The sheet with the cached values of ``values`` set; and the refs not found.

    ``clear_columns``: every other formula cell of these columns gets an empty cached value
    (a row whose inputs were deleted must not keep showing last run's result), formula cells
    of other columns (the user's own) are kept; such sheets are scanned for formula cells
    only. The bytes are split at the cells once (no per-cell callbacks), which keeps 10^5-row
    sheets fast.
    """
    clear_formulas = clear_columns is not None
    if not clear_formulas:
        return _patch_cells(xml, values)
    pieces = _FORMULA_CELL.split(xml)
    out = [pieces[0]]
    found: set[str] = set()
    for i in range(1, len(pieces), 4):
        raw, attributes, inner = pieces[i], pieces[i + 1], pieces[i + 2]
        ref = raw.decode("ascii")
        if ref in values:
            found.add(ref)
            out.append(patched_cell(raw, attributes, inner, values[ref]))
        elif clear_formulas and ref.rstrip("0123456789") in clear_columns:
            out.append(patched_cell(raw, attributes, inner, ""))
        elif inner is None:
            out.append(b'<c r="' + raw + b'"' + attributes + b"/>")
        else:
            out.append(b'<c r="' + raw + b'"' + attributes + b">" + inner + b"</c>")
        out.append(pieces[i + 3])
    return b"".join(out), set(values) - found


_A1 = re.compile(r"[A-Z]{1,3}[0-9]{1,7}")


def _patch_cells(xml: bytes, values: Mapping[str, CellValue]) -> tuple[bytes, set[str]]:
    """:func:`patch_sheet_xml` without clearing: only the cells of the columns ``values``
    names are matched (a sheet of 10^5 rows has ten times as many cells), the others are
    left as they are."""
    letters = {ref.rstrip("0123456789") for ref in values if _A1.fullmatch(ref)}
    if not letters:  # nothing a sheet could hold (``B15``, not ``5`` or ``A(5``)
        return xml, set(values)
    alternatives = b"|".join(sorted((c.encode("ascii") for c in letters), key=len, reverse=True))
    pattern = re.compile(
        rb'<c r="((?:' + alternatives + rb')[0-9]+)"([^>]*?)(?:/>|>(' + _INSIDE + rb")</c>)"
    )
    found: set[str] = set()

    def write(match: re.Match) -> bytes:
        ref = match.group(1).decode("ascii")
        if ref not in values:
            return match.group(0)
        found.add(ref)
        return patched_cell(match.group(1), match.group(2), match.group(3), values[ref])

    return pattern.sub(write, xml), set(values) - found


def ensure_r_namespace(xml: bytes) -> bytes:
    """Declare ``xmlns:r`` on a worksheet root that uses ``r:id`` without it."""
    text = xml.decode("utf-8")
    head_end = text.index(">", text.index("<worksheet"))
    if "r:id=" in text and "xmlns:r=" not in text[:head_end]:
        text = text[:head_end] + f' xmlns:r="{R_NAMESPACE}"' + text[head_end:]
    return text.encode("utf-8")


def row_cells(xml: bytes) -> dict[str, tuple[int, int, bytes, bytes | None]]:
    """Each cell of one ``<row>``'s XML by its column letter: where it starts and ends, its
    attributes and inner XML (None for ``<c …/>``), as :func:`patched_cell` takes them."""
    return {
        m.group(1).decode("ascii").rstrip("0123456789"): (
            m.start(),
            m.end(),
            m.group(2),
            m.group(3),
        )
        for m in _CELL.finditer(xml)
    }


def cells_missing(sheet: str, missing: Collection[str]) -> None:
    """E601 for cell values whose cells a sheet does not have (the template has them)."""
    if missing:
        raise GhgError("E601", path=sheet, problem=f"cells not in the sheet: {sorted(missing)[:5]}")


def patch_members(
    members: dict[str, bytes], sheet_values: Mapping[str, Mapping[str, CellValue]]
) -> None:
    """:func:`set_cells` on a package's members, in place."""
    parts = sheet_parts(members)
    for sheet, values in sheet_values.items():
        part = parts[sheet]
        members[part], missing = patch_sheet_xml(members[part], values)
        cells_missing(sheet, missing)


def set_cells(package: bytes, sheet_values: Mapping[str, Mapping[str, CellValue]]) -> bytes:
    """The package with cell values set, sheet by sheet; cells must already exist
    (E601 otherwise: the template has them)."""
    members = read_members(package)
    patch_members(members, sheet_values)
    return write_package(members)
