"""Validating the packages ghgxl writes against the ECMA-376 transitional schemas.

Three steps for each part of a package (tests/integration/test_schemas.py):

1. its content type, from ``[Content_Types].xml`` (an Override by part name, else the
   Default of its extension), says what the part is: :data:`SCHEMA_ROOTS` maps a content
   type to the root element the schemas define for it, :data:`PARSE_ONLY` and
   :data:`NOT_XML` name those with no ECMA schema, and why;
2. every XML part is parsed strictly (no recovery, no DTD, no entities, UTF-8/16);
3. a part with a schema goes through :func:`mce_preprocess` — what a markup consumer that
   understands only the transitional namespaces does (ECMA-376 Part 3) — and is then
   validated with lxml against one schema set compiled from tests/schemas/ (README there).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).parent / "schemas"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SML = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
DML = "http://schemas.openxmlformats.org/drawingml/2006/main"
OPC_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
OPC_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CORE = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
EXTENDED = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

# The schema set: each namespace imported from its file, in this order. The XML namespace
# and Dublin Core come first: libxml2 imports a namespace once, so the imports of them in
# dc.xsd (http://www.w3.org/2001/03/xml.xsd) and opc-coreProperties.xsd (dublincore.org)
# are skipped instead of fetched. sml.xsd brings DrawingML (dml-spreadsheetDrawing.xsd,
# dml-main.xsd and what it imports), the relationship reference and the shared types.
IMPORTS = (
    (XML_NS, "xml.xsd"),
    ("http://purl.org/dc/elements/1.1/", "dublincore/dc.xsd"),
    ("http://purl.org/dc/dcmitype/", "dublincore/dcmitype.xsd"),
    ("http://purl.org/dc/terms/", "dublincore/dcterms.xsd"),
    (OPC_CT, "ecma376/opc/opc-contentTypes.xsd"),
    (OPC_RELS, "ecma376/opc/opc-relationships.xsd"),
    (CORE, "ecma376/opc/opc-coreProperties.xsd"),
    (SML, "ecma376/transitional/sml.xsd"),
    (EXTENDED, "ecma376/transitional/shared-documentPropertiesExtended.xsd"),
    (CUSTOM, "ecma376/transitional/shared-documentPropertiesCustom.xsd"),
)

# What a transitional consumer understands: every namespace of the schema set (the ones
# sml.xsd imports too), the schema instance namespace (xsi:type in core.xml) and mc itself.
UNDERSTOOD = frozenset(
    {ns for ns, _ in IMPORTS}
    | {
        XDR,
        DML,
        "http://schemas.openxmlformats.org/drawingml/2006/chart",
        "http://schemas.openxmlformats.org/drawingml/2006/chartDrawing",
        "http://schemas.openxmlformats.org/drawingml/2006/diagram",
        "http://schemas.openxmlformats.org/drawingml/2006/picture",
        "http://schemas.openxmlformats.org/drawingml/2006/lockedCanvas",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
        "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
        XSI,
        MC,
    }
)

_CT = "application/vnd.openxmlformats-officedocument."
SCHEMA_ROOTS = {  # content type -> the root element the schema set defines for it
    "application/vnd.openxmlformats-package.relationships+xml": (OPC_RELS, "Relationships"),
    "application/vnd.openxmlformats-package.core-properties+xml": (CORE, "coreProperties"),
    _CT + "extended-properties+xml": (EXTENDED, "Properties"),
    _CT + "custom-properties+xml": (CUSTOM, "Properties"),
    _CT + "spreadsheetml.sheet.main+xml": (SML, "workbook"),
    _CT + "spreadsheetml.template.main+xml": (SML, "workbook"),
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": (SML, "workbook"),
    "application/vnd.ms-excel.template.macroEnabled.main+xml": (SML, "workbook"),
    _CT + "spreadsheetml.worksheet+xml": (SML, "worksheet"),
    _CT + "spreadsheetml.styles+xml": (SML, "styleSheet"),
    _CT + "spreadsheetml.sharedStrings+xml": (SML, "sst"),
    _CT + "spreadsheetml.comments+xml": (SML, "comments"),
    _CT + "drawing+xml": (XDR, "wsDr"),
    _CT + "theme+xml": (DML, "theme"),
}
PARSE_ONLY = {  # content type -> (root element, why it is parsed but not validated)
    _CT + "vmlDrawing": (
        (None, "xml"),  # Excel's <xml> root, holding v:, o: and x: elements
        "VML (the comment boxes and the buttons' legacy shapes) is the legacy drawing format "
        "of ECMA-376 Part 4; it is parsed only (its vml-*.xsd, which import "
        "WordprocessingML, are not vendored)",
    ),
    "application/vnd.ms-excel.controlproperties+xml": (
        ("http://schemas.microsoft.com/office/spreadsheetml/2009/9/main", "formControlPr"),
        "form control properties are Microsoft's extension (namespace x14, [MS-XLSX]): "
        "no ECMA-376 schema defines them",
    ),
}
NOT_XML = {
    "application/vnd.ms-office.vbaProject": "the VBA project is a binary OLE compound file "
    "([MS-OVBA]), not XML",
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class MceError(ValueError):
    """Markup a transitional consumer must refuse (ECMA-376 Part 3): a namespace it does not
    understand that is neither ignorable nor inside an extension, an mc:MustUnderstand it
    cannot meet, an undeclared prefix."""


# [MS-OI29500] 2.1.678 (18.4.12 t) and its neighbours (author, formula1, oddFooter ...): "The
# standard makes no mention of an xml:space attribute. Excel uses this attribute ..." — so
# sml.xsd, which types these elements as plain strings, refuses what Excel itself writes.
XML_SPACE = f"{{{XML_NS}}}space"


def excel_xml_space(root: etree._Element) -> None:
    """Drop ``xml:space`` from SpreadsheetML elements (changed in place), as the schema has
    no place for it, after checking its value is one XML 1.0 (2.10) allows."""
    for element in root.iter(f"{{{SML}}}*"):
        value = element.attrib.pop(XML_SPACE, None)
        if value not in (None, "preserve", "default"):
            raise ValueError(f"xml:space={value!r} on {element.tag}")


# --- Markup compatibility (ECMA-376 Part 3) ------------------------------------------------


def _namespaces(element: etree._Element, prefixes: str, what: str) -> set[str]:
    """The namespaces of a whitespace-separated prefix list, in ``element``'s scope."""
    found = set()
    for prefix in prefixes.split():
        if prefix not in element.nsmap:
            raise MceError(f"{what}: prefix {prefix!r} is not declared")
        found.add(element.nsmap[prefix])
    return found


def _namespace(tag: str) -> str:
    return tag[1:].split("}")[0] if tag.startswith("{") else ""


def _is_extension(element: etree._Element) -> bool:
    """An ``ext`` of an ``extLst`` (SpreadsheetML and DrawingML alike; DrawingML's ``a:ext``
    is also a size, in ``a:xfrm``, so the parent decides)."""
    parent = element.getparent()
    return (
        etree.QName(element).localname == "ext"
        and parent is not None
        and etree.QName(parent).localname == "extLst"
    )


def _remove(element: etree._Element) -> None:
    """``element`` out of the tree, keeping the text after it."""
    parent, tail = element.getparent(), element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _unwrap(element: etree._Element, children: list[etree._Element]) -> list[etree._Element]:
    """``element`` replaced in its parent by ``children`` (lxml keeps their namespaces)."""
    parent = element.getparent()
    at = parent.index(element)
    for offset, child in enumerate(children):
        parent.insert(at + offset, child)
    _remove(element)
    return children


def _choice(alternate: etree._Element, requires_ok: frozenset[str]) -> list[etree._Element]:
    """The content an mc:AlternateContent stands for (Part 3): the first mc:Choice
    whose Requires namespaces are all understood, else mc:Fallback, else nothing."""
    for branch in alternate:
        if branch.tag == f"{{{MC}}}Choice":
            if _namespaces(branch, branch.get("Requires", ""), "Requires") <= requires_ok:
                return list(branch)
        elif branch.tag == f"{{{MC}}}Fallback":
            return list(branch)
        elif isinstance(branch.tag, str):
            raise MceError(f"{branch.tag} in mc:AlternateContent")
    return []


def _process(
    element: etree._Element,
    understood: frozenset[str],
    requires_ok: frozenset[str],
    ignorable: frozenset[str],
    process_content: frozenset[tuple[str, str]],
) -> None:
    # 1. the mc attributes of this element: they apply to it and to its descendants
    #    (PreserveElements/PreserveAttributes only concern editors: dropped)
    for name in ("Ignorable", "ProcessContent", "MustUnderstand"):
        value = element.attrib.pop(f"{{{MC}}}{name}", None)
        if value is None:
            continue
        if name == "Ignorable":
            ignorable |= _namespaces(element, value, "Ignorable")
        elif name == "MustUnderstand":
            missing = _namespaces(element, value, "MustUnderstand") - understood
            if missing:
                raise MceError(f"{element.tag} must be understood with {sorted(missing)}")
        else:
            for qname in value.split():
                prefix, _, local = qname.partition(":")
                (ns,) = _namespaces(element, prefix, "ProcessContent")
                process_content |= {(ns, local)}
    for name in ("PreserveElements", "PreserveAttributes"):
        element.attrib.pop(f"{{{MC}}}{name}", None)
    # 2. attributes of namespaces not understood: dropped if ignorable, an error otherwise
    for name in list(element.attrib):
        ns = _namespace(name)
        if ns and ns not in understood:
            if ns not in ignorable:
                raise MceError(f"attribute {name} of {element.tag}: not ignorable")
            del element.attrib[name]
    # 3. children: AlternateContent replaced by its choice, ignorable elements dropped (or
    #    unwrapped, ProcessContent), an extension's content left to the schema (xsd:any lax)
    children = list(element)
    while children:
        child = children.pop(0)
        if not isinstance(child.tag, str):  # a comment or processing instruction
            continue
        ns = _namespace(child.tag)
        if child.tag == f"{{{MC}}}AlternateContent":
            children[:0] = _unwrap(child, _choice(child, requires_ok))
        elif ns not in understood:
            if ns not in ignorable:
                raise MceError(f"element {child.tag} in {element.tag}: not ignorable")
            local = etree.QName(child).localname
            if {(ns, local), (ns, "*")} & process_content:
                children[:0] = _unwrap(child, list(child))
            else:
                _remove(child)
        elif not _is_extension(child):
            _process(child, understood, requires_ok, ignorable, process_content)


def mce_preprocess(
    root: etree._Element,
    understood: frozenset[str] = UNDERSTOOD,
    choices: frozenset[str] = frozenset(),
) -> etree._Element:
    """``root`` (changed in place) as a markup consumer that understands ``understood``
    sees it (ECMA-376 Part 3): ignorable namespaces' attributes and elements removed (an
    element named in mc:ProcessContent leaves its children), each mc:AlternateContent
    replaced by its first understood mc:Choice or else its mc:Fallback, mc attributes gone.
    An extension (``extLst/ext``) is not entered: the schema takes any one element there
    (``xsd:any processContents="lax"``), and validates it where it knows the namespace.

    ``choices``: namespaces whose mc:Choice is taken although not understood — to validate
    what the Choice holds as far as the schema knows it (extensions of those namespaces in
    ``extLst`` are skipped by the schema; anything of them elsewhere is an error).
    """
    if _namespace(root.tag) not in understood:
        raise MceError(f"root {root.tag} is not understood")
    _process(root, understood, understood | choices, frozenset(), frozenset())
    return root


def required_namespaces(root: etree._Element) -> frozenset[str]:
    """The namespaces the mc:Choice elements under ``root`` require."""
    found: set[str] = set()
    for choice in root.iter(f"{{{MC}}}Choice"):
        found |= _namespaces(choice, choice.get("Requires", ""), "Requires")
    return frozenset(found)


# --- parts and their schemas ------------------------------------------------------------------


def strict_parse(data: bytes) -> etree._Element:
    """A part's XML as a strict consumer reads it: no recovery, no DTD, no entities, no
    network; UTF-8 or UTF-16, the encodings ECMA-376 Part 2 allows."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, recover=False, huge_tree=False
    )
    tree = etree.ElementTree(etree.fromstring(data, parser))
    assert not tree.docinfo.doctype, f"a DOCTYPE: {tree.docinfo.doctype}"
    assert tree.docinfo.encoding.upper() in ("UTF-8", "UTF-16"), tree.docinfo.encoding
    return tree.getroot()


@functools.cache
def schema_set() -> etree.XMLSchema:
    """One compiled schema for every namespace of :data:`IMPORTS` (lxml, no network)."""
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(SCHEMAS / path).as_uri()}"/>'
        for ns, path in IMPORTS
    )
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    root = etree.fromstring(wrapper.encode(), parser, base_url=(SCHEMAS / "all.xsd").as_uri())
    return etree.XMLSchema(etree.ElementTree(root))


def content_types(members: dict[str, bytes]) -> dict[str, str | None]:
    """Each part's content type by ``[Content_Types].xml`` (None: it gives the part none).
    Part names and extensions compare case-insensitively, as OPC has them."""
    types = strict_parse(members["[Content_Types].xml"])
    defaults = {
        d.get("Extension").lower(): d.get("ContentType") for d in types.iter(f"{{{OPC_CT}}}Default")
    }
    overrides = {
        o.get("PartName").lower(): o.get("ContentType") for o in types.iter(f"{{{OPC_CT}}}Override")
    }
    found: dict[str, str | None] = {}
    for name in members:
        if name == "[Content_Types].xml" or name.endswith("/"):
            continue
        segment = name.rpartition("/")[2]  # "_rels/.rels": the extension is "rels"
        extension = segment.rpartition(".")[2].lower() if "." in segment else ""
        found[name] = overrides.get("/" + name.lower(), defaults.get(extension))
    return found


@dataclass
class PartCheck:
    """What was done with one part and what was wrong with it."""

    part: str
    content_type: str | None
    checked: str = ""  # "schema", "parse", "binary"
    why: str = ""  # for parse-only and binary parts: why there is no schema
    errors: list[str] = field(default_factory=list)


def _schema_errors(root: etree._Element, part: str) -> list[str]:
    schema = schema_set()
    if schema.validate(etree.ElementTree(root)):
        return []
    return [f"{part}:{e.line}: {e.message}" for e in schema.error_log]


def check_part(
    part: str, data: bytes, content_type: str | None, choices: frozenset[str] = frozenset()
) -> PartCheck:
    """Parse ``data`` strictly and validate it by its content type (module docstring)."""
    check = PartCheck(part, content_type)
    if content_type is None:
        check.errors.append(f"{part}: no content type in [Content_Types].xml")
        return check
    if content_type in NOT_XML:
        check.checked, check.why = "binary", NOT_XML[content_type]
        if not data.startswith(OLE_MAGIC):
            check.errors.append(f"{part}: not an OLE compound file")
        return check
    try:
        root = strict_parse(data)
    except (etree.XMLSyntaxError, AssertionError) as error:
        check.errors.append(f"{part}: does not parse: {error}")
        return check
    if content_type in PARSE_ONLY:
        (ns, local), check.why = PARSE_ONLY[content_type]
        check.checked = "parse"
        if root.tag != (f"{{{ns}}}{local}" if ns else local):
            check.errors.append(f"{part}: root {root.tag}, expected {ns or ''} {local}")
        return check
    if content_type not in SCHEMA_ROOTS:
        check.errors.append(f"{part}: content type {content_type} has no schema here")
        return check
    check.checked = "schema"
    expected = "{{{}}}{}".format(*SCHEMA_ROOTS[content_type])
    if root.tag != expected:
        check.errors.append(f"{part}: root {root.tag}, expected {expected} for {content_type}")
        return check
    try:
        mce_preprocess(root, choices=choices)
        excel_xml_space(root)
    except ValueError as error:  # MceError, or a bad xml:space
        check.errors.append(f"{part}: markup compatibility: {error}")
        return check
    check.errors += _schema_errors(root, part)
    return check


def check_content_types(data: bytes) -> PartCheck:
    """``[Content_Types].xml`` (not a part itself) against opc-contentTypes.xsd."""
    check = PartCheck("[Content_Types].xml", None, "schema")
    try:
        root = strict_parse(data)
    except (etree.XMLSyntaxError, AssertionError) as error:
        check.errors.append(f"[Content_Types].xml: does not parse: {error}")
        return check
    if root.tag != f"{{{OPC_CT}}}Types":
        check.errors.append(f"[Content_Types].xml: root {root.tag}")
    else:
        check.errors += _schema_errors(root, check.part)
    return check


def check_package(members: dict[str, bytes]) -> list[PartCheck]:
    """``[Content_Types].xml`` and every part of a package (by :func:`check_part`)."""
    types = content_types(members)
    checks = [check_content_types(members["[Content_Types].xml"])]
    return checks + [check_part(name, members[name], types[name]) for name in sorted(types)]
