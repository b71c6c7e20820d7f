"""The table of contents, filled in before anyone updates it.

The template holds an empty TOC field, and its settings ask Word to update the fields when
it opens the report (``w:updateFields``), which gives the page numbers. Until then (Word's
question answered no, or a viewer that never updates fields: WPS, a preview) the field shows
what :func:`fill` put in it: each chapter and section heading, a link to it. The PDF's
LibreOffice updates the field itself (:mod:`ghgxl.report.office`).
"""

from __future__ import annotations

from copy import deepcopy

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: Heading styles (their ids) listed, and the TOC style of their entries: the TOC field's
#: ``\o "1-2"``.
LEVELS = {"Heading1": "toc1", "Heading2": "toc2"}
BOOKMARK = "_Toc{:09d}"  # the hidden bookmarks Word gives TOC headings


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _element(tag: str, parent=None, **attributes: str):
    attrs = {_w(k): v for k, v in attributes.items()}
    if parent is None:
        return etree.Element(_w(tag), attrs)
    return etree.SubElement(parent, _w(tag), attrs)


def _text(paragraph) -> str:
    return "".join(t.text or "" for t in paragraph.iter(_w("t")))


def _toc_paragraph(body):
    for instruction in body.iter(_w("instrText")):
        if (instruction.text or "").strip().startswith("TOC"):
            return instruction.getparent().getparent()
    return None


def _headings(body) -> list[tuple[object, str, str]]:
    """(paragraph, text, TOC style) of each heading the TOC lists, in order."""
    found = []
    for paragraph in body.iter(_w("p")):
        style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
        level = LEVELS.get(style.get(_w("val"))) if style is not None else None
        text = _text(paragraph).strip()
        if level and text:
            found.append((paragraph, text, level))
    return found


def fill(body) -> int:
    """Fill the TOC field of ``body`` (a ``w:body``) with an entry for each heading, linked
    to a bookmark on it. Returns the number of entries (0: no TOC field, or no headings)."""
    field = _toc_paragraph(body)
    headings = _headings(body)
    if field is None or not headings:
        return 0
    run = next(r for r in field.iter(_w("r")) if r.find(_w("instrText")) is not None)
    begin, instruction, separate = (deepcopy(c) for c in list(run)[:3])
    used = [int(b.get(_w("id"))) for b in body.iter(_w("bookmarkStart"))]
    first_id = max(used, default=0) + 1
    entries = []
    for number, (heading, text, level) in enumerate(headings):
        name = BOOKMARK.format(number + 1)
        ident = str(first_id + number)
        start = _element("bookmarkStart", id=ident, name=name)
        properties = heading.find(_w("pPr"))
        heading.insert(0 if properties is None else heading.index(properties) + 1, start)
        _element("bookmarkEnd", heading, id=ident)
        entry = _element("p")
        _element("pStyle", _element("pPr", entry), val=level)
        if number == 0:  # the field begins in the first entry, as Word writes it
            for code in (begin, instruction, separate):
                _element("r", entry).append(code)
        link = _element("hyperlink", entry, anchor=name, history="1")
        _element("t", _element("r", link)).text = text
        entries.append(entry)
    end = _element("p")
    _element("fldChar", _element("r", end), fldCharType="end")
    position = body.index(field)
    body.remove(field)
    for offset, paragraph in enumerate([*entries, end]):
        body.insert(position + offset, paragraph)
    return len(entries)
