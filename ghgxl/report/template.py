"""Build the Word report template (``templates/report-template.docx``) with python-docx.

The template is an ordinary .docx with docxtpl (jinja2) tags, so users may restyle or reword
it in Word; this builder makes the shipped one reproducibly (a test checks the committed
file is current). Chapters follow the seed report and ISO 14064-1:2018 clause 9.3.

Form, for every table and figure alike (the ``_Writer`` methods): a table's header row
repeats on each page it runs onto and no row is split across pages; numbers are
right-aligned and codes centred (:func:`column_alignment`, from the column's header); a
caption is kept on the page of its table (the caption comes first) or of its figure (the
figure comes first); gas formulas are printed with subscripts (``t CO₂e``). Column widths
are the template's; the renderer widens a column whose numbers would not fit
(:mod:`ghgxl.report.tables`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from ghgxl.files import write_bytes_atomic
from ghgxl.report import fonts
from ghgxl.report.chapters import chapters
from ghgxl.report.formats import subscript
from ghgxl.workbook import xlsx

FIXED_DATE = dt.datetime(2026, 1, 1)
TEXT_WIDTH_CM = 16.0
#: The text width of the landscape pages of the appendices (A4, the same margins).
LANDSCAPE_TEXT_WIDTH_CM = 24.7
#: What the table of contents shows before it is updated (Word does so on opening,
#: LibreOffice when ghgxl makes the PDF; the renderer lists the headings in it meanwhile).
TOC_PLACEHOLDER = "（目录在 Word 中打开时更新）"
TOC_INSTRUCTION = 'TOC \\o "1-2" \\h \\z \\u'
#: Marker of the rows a table gets from ghgxl itself, not from a jinja loop:
#: ``[[activity.id]]`` is the ``id`` of each row of the ``activity`` rows
#: (:mod:`ghgxl.report.tables`).
ROW_FIELD = "[[{key}.{field}]]"


#: Column headers of numbers (right-aligned) and of codes and scores (centred); anything
#: else is text, left-aligned.
NUMBER_HEADER = re.compile(
    r"排放量|百分比|占比|占总排放|GWP|数值|得分|积分|误差|下限|上限|累计|活动量|综合排放因子|风险系数|t CO2e|变化率|计入比例|gas_headers|^合计$"
)
CODE_HEADERS = frozenset((
    "编号", "序号", "类别", "范围", "子类别", "量级", "影响", "风险/机遇", "行业", "外包", "员工",
    "总分", "判定", "纳入", "纳入/排除", "等级", "气体", "温室气体", "单位", "活动数据", "排放因子",
    "仪器校正",
))  # fmt: skip
#: A cell that prints a gas name, a formula or a unit: printed with subscripts.
_GAS_CELL = re.compile(r"^\{\{ (\w+\.(?:gas|gases|formula|unit)) \}\}$")
_TAG = re.compile(r"(\{\{.*?\}\})")


def column_alignment(header: str):
    """How a column's cells are aligned, from its header."""
    if NUMBER_HEADER.search(header):
        return WD_ALIGN_PARAGRAPH.RIGHT
    if header in CODE_HEADERS:
        return WD_ALIGN_PARAGRAPH.CENTER
    return None


def literal_subscripted(text: str) -> str:
    """A template text with the formulas of its literal text subscripted (``{{ tags }}``
    left as they are: a tag may hold a picture)."""
    return "".join(part if _TAG.fullmatch(part) else subscript(part) for part in _TAG.split(text))


def subscripted(text: str) -> str:
    """A template text with its formulas subscripted: literal text at once, ``{{ tags }}``
    through the ``subscript`` filter when rendered."""
    return "".join(
        part[:-2].rstrip() + "|subscript }}" if _TAG.fullmatch(part) else subscript(part)
        for part in _TAG.split(text)
    )


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (TOC, PAGE): begin, instruction, separate, result, end."""
    run = paragraph.add_run()
    for kind, text in (
        ("begin", None),
        ("instr", instruction),
        ("separate", None),
        ("text", placeholder),
        ("end", None),
    ):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def _cell(cell, text: str, style: str = "Table Text", align=None, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    if bold:
        run.bold = True


def _row_form(row, header: bool = False) -> None:
    """No page break inside the row; a header row repeats on every page of its table."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


#: Column widths (cm; the text is 16 cm wide) of the tables whose first columns are short.
TABLE_WIDTHS = {
    "盘查小组及职责": [3.0, 2.6, 10.4],
    "各厂区排放量": [2.6, 2.6, 1.7, 1.9, 1.9, 2.0, 2.0, 1.3],
    "温室气体种类": [4.0, 6.0],
    "直接排放源类型": [1.2, 2.0, 6.0, 6.8],
    "排放源识别表": [1.0, 2.0, 4.8, 2.2, 1.0, 1.0, 2.6, 1.4],
    "温室气体排放范围及排放量": [2.4, 3.0, 6.0, 4.6],
    "温室气体排放类别及排放量": [1.2, 8.0, 4.0, 2.8],
    "基准年与本年度排放量": [5.2, 2.3, 2.3, 1.6, 2.2, 2.4],
    "排除的排放源": [4.0, 7.5, 2.8, 1.7],
    "间接排放重大性评估": [1.2, 3.2, 0.9, 0.9, 1.1, 0.9, 0.9, 0.9, 1.0, 1.2, 1.0, 2.8],
    "排放量不确定性（95% 置信区间）": [5.2, 3.0, 2.6, 2.6, 2.6],
    "量化方法": [2.4, 6.0, 7.6],
    "数据质量评分准则": [2.6, 1.4, 12.0],
    "数据质量等级": [3.0, 5.0],
    "数据质量评估": [1.0, 3.6, 1.2, 1.2, 1.2, 1.4, 1.1, 2.5, 1.4, 1.4],
    # the appendices, on landscape pages (LANDSCAPE_TEXT_WIDTH_CM)
    "排放因子": [1.3, 7.0, 1.8, 2.2, 2.6, 9.8],
    "各排放源活动数据与排放量": [1.2, 1.3, 4.4, 1.1, 2.8, 1.3, 3.4, 2.6, 3.6, 3.0],
    "核查抽样计划": [1.0, 1.6, 1.4, 8.3, 3.2, 2.2, 2.0, 2.4, 2.6],
    "排放量最大的排放源": [1.0, 6.6, 1.4, 3.0, 2.0, 2.0],
}
for _gas_table in (
    "直接温室气体排放量（范围一，类别1，按气体）",
    "能源间接温室气体排放量（范围二，类别2，按气体）",
    "其他间接温室气体排放量（类别3–6，按气体）",
):
    TABLE_WIDTHS[_gas_table] = [1.3, 2.4, 1.5, 1.5, 1.5, 1.3, 1.3, 1.3, 1.5, 2.4]


class _Writer:
    def __init__(self) -> None:
        self.doc = Document()
        self.tables = 0
        self.figures = 0
        self._styles()

    def _styles(self) -> None:
        styles = self.doc.styles
        fonts.style_fonts(styles["Normal"], fonts.BODY_FONT, 10.5)
        styles["Normal"].paragraph_format.space_after = Pt(4)
        styles["Normal"].paragraph_format.line_spacing = 1.3
        for level, size in ((1, 16), (2, 13), (3, 11)):
            fonts.style_fonts(styles[f"Heading {level}"], fonts.HEADING_FONT, size, bold=True)
        fonts.style_fonts(styles["Title"], fonts.HEADING_FONT, 24, bold=True)
        fonts.style_fonts(styles["Caption"], fonts.HEADING_FONT, 10, bold=True)
        fonts.style_fonts(styles["TOC Heading"], fonts.HEADING_FONT, 16, bold=True)
        self._table_styles()
        self._toc_styles()
        fonts.document_fonts(self.doc)
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.orientation = WD_ORIENT.PORTRAIT
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)

    def _table_styles(self) -> None:
        """Paragraph styles of table cells: text, numbers (right-aligned), headers."""
        styles = self.doc.styles
        text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        text.base_style = styles["Normal"]
        text.font.size = Pt(9)
        text.paragraph_format.space_before = text.paragraph_format.space_after = Pt(0)
        text.paragraph_format.line_spacing = 1.0
        number = styles.add_style("Table Number", WD_STYLE_TYPE.PARAGRAPH)
        number.base_style = text
        number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        heading = styles.add_style("Table Heading", WD_STYLE_TYPE.PARAGRAPH)
        heading.base_style = text
        heading.font.bold = True
        heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def _toc_styles(self) -> None:
        """The table of contents' entries: one line each, page numbers after dot leaders."""
        styles = self.doc.styles
        for level in (1, 2):
            style = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            style.paragraph_format.space_before = style.paragraph_format.space_after = Pt(0)
            style.paragraph_format.line_spacing = 1.15  # chapters and sections on one page
            style.paragraph_format.left_indent = Cm(0.74 * (level - 1))
            style.paragraph_format.tab_stops.add_tab_stop(
                Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
            )

    def p(self, text: str = "", style: str | None = None, align=None):
        paragraph = self.doc.add_paragraph(literal_subscripted(text), style=style)
        if align is not None:
            paragraph.alignment = align
        return paragraph

    def h(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(subscript(text), level=level)

    def caption(self, kind: str, title: str) -> None:
        """``表3 title`` above its table, kept with it; ``图2 title`` below its figure, the
        figure kept with it."""
        if kind == "表":
            self.tables += 1
            number = self.tables
        else:
            self.figures += 1
            number = self.figures
            previous = self.doc.element.body[-2]  # the last block before the section
            if previous.tag == qn("w:p"):
                Paragraph(previous, self.doc._body).paragraph_format.keep_with_next = True
        caption = self.p(
            subscripted(f"{kind}{number} {title}"), style="Caption", align=WD_ALIGN_PARAGRAPH.CENTER
        )
        caption.paragraph_format.keep_with_next = kind == "表"

    def _table(self, title: str, headers: list[str]):
        """A captioned table with its header row."""
        self.caption("表", title)
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            _cell(cell, subscripted(header), style="Table Heading")
        return table

    def _end_table(self, table, title: str, widths: list[float] | None) -> None:
        _row_form(table.rows[0], header=True)
        for row in table.rows[1:]:
            _row_form(row)
        widths = widths or TABLE_WIDTHS.get(title)
        if widths:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=False):
                column.width = Cm(width)
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=False):
                    cell.width = Cm(width)
        self.p()

    def loop_table(
        self,
        title: str,
        headers: list[str],
        loop: str,
        cells: list[str],
        totals: list[str] | None = None,
        widths: list[float] | None = None,
    ):
        """A table whose body rows repeat (docxtpl ``{%tr for %}``), with an optional total
        row; ``widths`` in cm (the text width is 16 cm)."""
        table = self._table(title, headers)
        aligns = [column_alignment(h) for h in headers]
        table.add_row().cells[0].text = "{%tr " + loop + " %}"
        for cell, text, align in zip(table.add_row().cells, cells, aligns, strict=True):
            gas = _GAS_CELL.match(text)
            _cell(cell, "{{ " + gas.group(1) + "|subscript }}" if gas else text, align=align)
        table.add_row().cells[0].text = "{%tr endfor %}"
        if totals:
            for cell, text, align in zip(table.add_row().cells, totals, aligns, strict=True):
                _cell(cell, text, align=align, bold=True)
        self._end_table(table, title, widths)
        return table

    def rows_table(
        self,
        title: str,
        headers: list[str],
        key: str,
        fields: list[str],
        totals: list[str] | None = None,
        widths: list[float] | None = None,
    ):
        """A table whose body rows ghgxl writes itself, one for each of the ``key`` rows
        (the row of ``[[key.field]]`` cells is their pattern): the long tables, which a
        jinja loop makes too slowly; with an optional total row (jinja tags)."""
        table = self._table(title, headers)
        aligns = [column_alignment(h) for h in headers]
        for cell, field, align in zip(table.add_row().cells, fields, aligns, strict=True):
            _cell(cell, ROW_FIELD.format(key=key, field=field), align=align)
        if totals:
            for cell, text, align in zip(table.add_row().cells, totals, aligns, strict=True):
                _cell(cell, text, align=align, bold=True)
        self._end_table(table, title, widths)
        return table

    def landscape(self) -> None:
        """What follows is on landscape pages (a new section, on a new page, with the same
        running header and page numbers): the wide tables of the appendices."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        section.different_first_page_header_footer = False  # the cover's has no header

    def page_break(self) -> None:
        """What follows starts a page (an empty paragraph that starts one: never an empty
        page, however full the page before)."""
        paragraph = self.p()
        paragraph.paragraph_format.page_break_before = True
        paragraph.paragraph_format.space_after = Pt(0)


def _cover(w: _Writer) -> None:
    """The cover: title, 草稿 when the workbook is not ready, report number, version and
    date, 编写/审核/批准 (all from 基本信息); no running header (a first page of its own)."""
    for _ in range(3):
        w.p()
    w.p("{{ company }}", style="Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    w.p("{{ year }} 年度温室气体盘查报告", style="Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    w.p("{%p if draft %}")
    w.p("草稿", style="Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    w.p("（尚未完成，未作符合性声明；未完成事项见第十一章）", align=WD_ALIGN_PARAGRAPH.CENTER)
    w.p("{%p endif %}")
    for _ in range(2):
        w.p()
    for line in (
        "报告编号：{{ report_number }}　　版本：{{ report_version }}",
        "报告日期：{{ report_date }}",
        "盘查期间：{{ period_start }} 至 {{ period_end }}",
        "依据标准：ISO 14064-1:2018",
        "查证状态：{{ verification }}",
        "",
        "编写：{{ prepared_by }}　　审核：{{ reviewed_by }}　　批准：{{ approved_by }}",
    ):
        w.p(line, align=WD_ALIGN_PARAGRAPH.CENTER)
    w.page_break()


def _toc(w: _Writer) -> None:
    """The table of contents (chapters and sections), on a page of its own."""
    w.p("目录", style="TOC Heading")
    _field(w.p(), TOC_INSTRUCTION, TOC_PLACEHOLDER)
    w.page_break()


def _header_footer(w: _Writer) -> None:
    """The running header (with 草稿 on a draft) and the page number, on every page but
    the cover."""
    section = w.doc.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.text = "{{ company }} {{ year }} 年度温室气体盘查报告{% if draft %}（草稿）{% endif %}"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE", "1")
    footer.add_run(" 页")


def build_report_template(out: Path) -> None:
    """Write the report template to ``out`` (byte-identical for the same code)."""
    writer = _Writer()
    _header_footer(writer)
    _cover(writer)
    _toc(writer)
    chapters(writer)
    properties = writer.doc.core_properties
    properties.author = properties.last_modified_by = "ghgxl"
    properties.created = properties.modified = FIXED_DATE
    properties.revision = 1
    buffer = io.BytesIO()
    writer.doc.save(buffer)
    members = xlsx.read_members(buffer.getvalue())
    members["word/fontTable.xml"] = fonts.FONT_TABLE.encode("utf-8")
    members["docProps/core.xml"] = re.sub(
        rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
        rb"\g<1>" + FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
        members["docProps/core.xml"],
    )
    write_bytes_atomic(Path(out), xlsx.write_package(members))
