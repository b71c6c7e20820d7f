"""Tables of the rendered report: column widths that fit their numbers, and the rows of the
long tables written as WordprocessingML.

Widths. The template gives each table its column widths (``template.TABLE_WIDTHS``), but
not the numbers that will fill them: ``375,586.28`` or ``CO₂e*`` broken over two lines is
hard to read and easy to misread. :func:`fit_widths` measures, in each column, the widest
word that may not be broken — numbers and short words (:data:`UNBROKEN`); Chinese text may
break between any two characters — and widens a column too narrow for it, taking the width
from the columns with room to spare; the table keeps its width. Widths are measured with
generous character widths (DejaVu Serif's digits, wider than Times New Roman's), so they
hold in LibreOffice and in Word.

Rows. A row of ``[[key.field]]`` cells in the template (``template._Writer.rows_table``)
is a pattern: :func:`take_row_patterns` takes it out of the rendered document, leaving a
marker, and :func:`row_chunks` writes one row like it for each row of data, straight into
the package (:func:`ghgxl.report.render._deterministic_package`). A jinja loop over 100,000
rows of cells would take minutes; this takes well under a second, in little memory.
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from ghgxl.workbook import xlsx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FIELD = re.compile(r"\[\[(\w+)\.(\w+)\]\]")
MARKER = "ghgxl-rows:{key}"
#: Texts measured of each column of a long table: its longest (by characters).
LONGEST = 50
#: Rows of each table a long table is written as (see :func:`_restart`).
TABLE_ROWS = 500
_SEPARATOR = "\x00"  # not in any text XML can hold
_NOT_XML_BUT_SEPARATOR = re.compile(xlsx.NOT_XML_CHARS.pattern.replace(_SEPARATOR, "", 1))
#: Words never broken: up to this many characters (longer ones, such as factor keys and
#: references, may be broken where they do not fit, as Word and LibreOffice do).
UNBROKEN = 12
#: Texts this short are labels, never broken (类别1, 合计, 序号).
SHORT = 3
#: A number, however long: never broken.
NUMBER = re.compile(r"[-+±]?[\d,]*\.?\d+%?")
#: Marks that never start a line (、 ） ，) or end one (（ 「), Chinese line-breaking rules.
_CLOSE, _OPEN = "、，。；：！？）」』】》〉〕”’", "（「『【《〈〔“‘"
_CJK = "\u2e80-\u2fff\u3040-\u9fff\uf900-\ufaff"  # ideographs, kana, radicals
_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"  # CJK and full-width punctuation
#: A run of anything but Chinese text, spaces and marks (CO₂, 2023, kWh).
_LATIN = f"[^\\s{_CJK}{_PUNCTUATION}{_OPEN}{_CLOSE}]+"
#: A word: one Chinese character or a run of anything else, with its closing and opening
#: marks. Line breaking (UAX #14, as LibreOffice applies it) keeps more together after a
#: Latin run: runs joined by a closing mark (``CO₂、CH₄、N₂O``: no break after 、 before a
#: letter) and an opening mark with the character after it (``N₂O（以``: no break between
#: a letter and an opening bracket). Where the column cannot hold that, it breaks before a
#: subscript digit instead, leaving ``CO`` alone on its line.
_WORD = re.compile(
    f"[{_OPEN}]*(?P<core>[{_CJK}]|{_LATIN}(?:[{_CLOSE}]{_LATIN})*)[{_CLOSE}]*"
    f"(?:(?<![{_CLOSE}{_CJK}])[{_OPEN}]+[{_CJK}][{_CLOSE}]*)?"
)
#: Font size of table text (the Table Text style), in points.
TABLE_POINTS = 9.0
#: Cell margins, left plus right, in twentieths of a point (Table Grid: 108 + 108), and a
#: little more so that a fitting word is never on the edge.
MARGINS = 216 + 40
#: Narrowest a column with text is made when another needs its width (two characters).
NARROWEST = 2 * 20 * TABLE_POINTS + MARGINS
#: Advance widths (1/1000 em) of DejaVu Serif and DejaVu Serif Bold, the face LibreOffice
#: sets Latin text in where Times New Roman is missing (its widths, from the font files
#: matplotlib ships; Times New Roman is narrower, so a width that fits here fits in Word).
_LATIN = (
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
    "±×·–—°µ₀₁₂₃₄₅₆₇₈₉"
)
_REGULAR = (
    318, 402, 460, 838, 636, 950, 890, 275, 390, 390, 500, 838, 318, 338, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 536, 1000, 722, 735, 765, 802, 730,
    694, 799, 872, 395, 401, 747, 664, 1024, 875, 820, 673, 820, 753, 685, 667, 843, 722, 1028,
    712, 660, 695, 390, 337, 390, 838, 500, 500, 596, 640, 560, 640, 592, 370, 640, 644, 320, 310,
    606, 320, 948, 644, 602, 640, 640, 478, 513, 402, 644, 565, 856, 564, 565, 527, 636, 337, 636,
    838, 838, 838, 318, 500, 1000, 500, 650, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401,
)  # fmt: skip
_BOLD = (
    348, 439, 521, 838, 696, 950, 903, 306, 473, 473, 523, 838, 348, 415, 348, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 369, 369, 838, 838, 838, 586, 1000, 776, 845, 796, 867, 762,
    710, 854, 945, 468, 473, 869, 703, 1107, 914, 871, 752, 871, 831, 722, 744, 872, 776, 1123,
    776, 714, 730, 473, 365, 473, 838, 500, 500, 648, 699, 609, 699, 636, 430, 699, 727, 380, 362,
    693, 380, 1058, 727, 667, 699, 699, 527, 563, 462, 727, 581, 861, 596, 581, 568, 643, 364, 643,
    838, 838, 838, 348, 500, 1000, 500, 732, 438, 438, 438, 438, 438, 438, 438, 438, 438, 438,
)  # fmt: skip
_WIDTHS = {
    False: {c: w / 1000 for c, w in zip(_LATIN, _REGULAR, strict=True)},
    True: {c: w / 1000 for c, w in zip(_LATIN, _BOLD, strict=True)},
}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def char_width(char: str, bold: bool = False) -> float:
    """Width of ``char`` in em: DejaVu Serif's for Latin text, 1 for Chinese, 0.8 for
    anything else."""
    width = _WIDTHS[bold].get(char)
    if width is not None:
        return width
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.8


def word_widths(text: str, bold: bool = False) -> Iterator[float]:
    """Width (em) of each word of ``text`` that may not be broken: a number however long,
    another word of Latin letters up to :data:`UNBROKEN` characters, a short label
    (:data:`SHORT` characters: 类别1, 合计) whole; Chinese text may break between any two
    characters, but not before a closing mark nor after an opening one (``CO2、`` and
    ``（公路）`` hold together)."""
    text = text.strip()
    if 0 < len(text) <= SHORT:
        yield sum(char_width(c, bold) for c in text)
        return
    for match in _WORD.finditer(text):
        core = match.group("core")
        if len(core) == 1 or len(core) <= UNBROKEN or NUMBER.fullmatch(core):
            yield sum(char_width(c, bold) for c in match.group())


def need(text: str, bold: bool = False) -> float:
    """Narrowest width (twips) a cell holding ``text`` can have without breaking a word."""
    widest = max(word_widths(text, bold), default=0.0)
    return widest * 20 * TABLE_POINTS + MARGINS


def allocate(widths: Sequence[float], needs: Sequence[float]) -> list[int]:
    """``widths`` with each column at least its need, the same sum: what the narrow columns
    lack is taken from the others in proportion to what they can spare (down to their own
    need, and never below :data:`NARROWEST`). If there is not enough, each column gets its
    share of the table in proportion to its need."""
    widths = [float(w) for w in widths]
    lacking = sum(max(n - w, 0.0) for w, n in zip(widths, needs, strict=True))
    if lacking <= 0:
        return [round(w) for w in widths]
    floors = [max(n, min(w, NARROWEST)) for w, n in zip(widths, needs, strict=True)]
    spare = [max(w - f, 0.0) for w, f in zip(widths, floors, strict=True)]
    if sum(spare) < lacking:
        total = sum(widths)
        return [round(n / sum(needs) * total) for n in needs]
    ratio = lacking / sum(spare)
    fitted = [max(w, n) - s * ratio for w, n, s in zip(widths, needs, spare, strict=True)]
    return [round(w) for w in fitted]


def _text(cell) -> str:
    return "".join(t.text or "" for t in cell.iter(_w("t")))


def column_needs(table, extra: dict[int, Sequence[str]] | None = None) -> list[float] | None:
    """Each column's need in ``table`` (a ``w:tbl``), with the texts of ``extra`` columns
    (by index) that are not in it yet; None for a table with merged cells."""
    grid = table.find(_w("tblGrid"))
    if grid is None or table.find(f".//{_w('gridSpan')}") is not None:
        return None
    needs = [0.0] * len(grid)
    for row in table.iter(_w("tr")):
        header = row.find(f"{_w('trPr')}/{_w('tblHeader')}") is not None
        for index, cell in enumerate(row.iter(_w("tc"))):
            text = _text(cell)
            if index < len(needs) and not FIELD.search(text):
                bold = header or cell.find(f".//{_w('b')}") is not None
                needs[index] = max(needs[index], need(text, bold))
    for index, texts in (extra or {}).items():  # the longest few: MWh is wider than kWh
        longest = heapq.nlargest(LONGEST, set(texts), key=len)
        needs[index] = max([needs[index], *(need(t) for t in longest)])
    return needs


def fit_table(table, extra: dict[int, Sequence[str]] | None = None) -> None:
    """Widen the columns of ``table`` whose words would break (see :func:`allocate`)."""
    needs = column_needs(table, extra)
    if needs is None:
        return
    columns = table.find(_w("tblGrid"))
    widths = [float(c.get(_w("w"))) for c in columns]
    fitted = allocate(widths, needs)
    if fitted == [round(w) for w in widths]:
        return
    for column, width in zip(columns, fitted, strict=True):
        column.set(_w("w"), str(width))
    for row in table.iter(_w("tr")):
        for cell, width in zip(row.iter(_w("tc")), fitted, strict=False):
            size = cell.find(f"{_w('tcPr')}/{_w('tcW')}")
            if size is not None:
                size.set(_w("w"), str(width))
                size.set(_w("type"), "dxa")


@dataclass(frozen=True)
class RowPattern:
    """A table row with ``{}`` where each field's text goes."""

    key: str
    fields: tuple[str, ...]
    xml: str  # the row's XML with str.format fields, in the document's namespace prefixes
    restart: str = ""  # ends the table and starts the next one, with its header row


def _row_fields(row) -> list[tuple[str, str]]:
    return [m.groups() for t in row.iter(_w("t")) for m in FIELD.finditer(t.text or "")]


def _xml(element) -> str:
    return re.sub(r' xmlns:\w+="[^"]*"', "", etree.tostring(element, encoding="unicode"))


def _restart(table) -> str:
    """XML that ends ``table`` and starts another like it (its properties, grid and header
    row) after a paragraph of a point: a long table is written as tables of
    :data:`TABLE_ROWS` rows, which LibreOffice lays out many times faster than one (and
    which Word would join into one if nothing were between them)."""
    parts = [table.find(_w(tag)) for tag in ("tblPr", "tblGrid", "tr")]
    head = "".join(_xml(part) for part in parts if part is not None)
    gap = (
        '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
        '<w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>'
    )
    return f"</w:tbl>{gap}<w:tbl>{head}"


def take_row_patterns(body, columns: dict[str, dict[str, Sequence[str]]]) -> dict[str, RowPattern]:
    """Take each pattern row (``[[key.field]]`` cells) out of ``body``, leaving the comment
    ``<!--ghgxl-rows:key-->`` in its place, and fit its table's widths to the texts of
    ``columns[key]``. Returns the patterns by key."""
    patterns = {}
    for row in list(body.iter(_w("tr"))):
        found = _row_fields(row)
        if not found:
            continue
        key = found[0][0]
        table = row.getparent()
        data = columns.get(key, {})
        fields = [field for _, field in found]
        fit_table(table, {i: data.get(f, ()) for i, f in enumerate(fields)})
        for text in row.iter(_w("t")):
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        xml = _xml(row)  # the namespaces are declared on the document
        xml = xml.replace("{", "{{").replace("}", "}}")
        xml = FIELD.sub(lambda m: "{}", xml)
        patterns[key] = RowPattern(key, tuple(fields), xml, _restart(table))
        row.addprevious(etree.Comment(MARKER.format(key=key)))
        table.remove(row)
    return patterns


def xml_texts(texts: Sequence[object]) -> list[str]:
    """``texts`` as the text of XML elements: what XML cannot hold at all (a vertical tab
    pasted into a cell) becomes a space, as in the rest of the report, and ``&<>`` are
    escaped. The whole column is cleaned at once, joined by a separator it does not hold."""
    texts = [str(t) for t in texts]
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != max(len(texts) - 1, 0):  # a text holds the separator
        return [escape(xlsx.NOT_XML_CHARS.sub(" ", t)) for t in texts]
    cleaned = escape(_NOT_XML_BUT_SEPARATOR.sub(" ", joined))
    return cleaned.split(_SEPARATOR) if texts else []


def row_chunks(
    pattern: RowPattern, columns: dict[str, Sequence[object]], chunk: int | None = None
) -> Iterator[bytes]:
    """The rows of ``pattern`` for ``columns`` (a list of texts per field), as UTF-8, a
    table of ``chunk`` (:data:`TABLE_ROWS`) rows at a time, each after the first starting a
    new table (:func:`_restart`)."""
    chunk = chunk or TABLE_ROWS
    texts = [xml_texts(columns[field]) for field in pattern.fields]
    count = len(texts[0]) if texts else 0
    for start in range(0, count, chunk):
        rows = map(pattern.xml.format, *(t[start : start + chunk] for t in texts))
        yield ((pattern.restart if start else "") + "".join(rows)).encode("utf-8")


def fit_widths(body) -> None:
    """:func:`fit_table` for every table of ``body`` (pattern rows left out)."""
    for table in body.iter(_w("tbl")):
        fit_table(table)


TOTAL = "合计"


def keep_totals(body) -> None:
    """A table's total row never stands alone on a page: the row before it is kept with it
    (``w:keepNext`` on its paragraphs, as Word keeps table rows together)."""
    for table in body.iter(_w("tbl")):
        rows = table.findall(_w("tr"))
        if len(rows) < 3 or _text(rows[-1].find(_w("tc"))).strip() != TOTAL:
            continue
        for paragraph in rows[-2].iter(_w("p")):
            properties = paragraph.find(_w("pPr"))
            if properties is None:
                properties = etree.SubElement(paragraph, _w("pPr"))
                paragraph.insert(0, properties)
            if properties.find(_w("keepNext")) is None:
                keep = etree.Element(_w("keepNext"))
                style = properties.find(_w("pStyle"))
                properties.insert(0 if style is None else 1, keep)
