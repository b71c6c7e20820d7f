"""Build the Word report template (``templates/report-template.docx``) with python-docx.

The template is an ordinary .docx with docxtpl (jinja2) tags, so users may restyle or reword
it in Word; this builder makes the shipped one reproducibly (a test checks the committed
file is current). Chapters follow the seed report and ISO 14064-1:2018 clause 9.3.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ghgxl.files import write_bytes_atomic
from ghgxl.report.chapters import chapters
from ghgxl.workbook import xlsx

BODY_FONT, HEADING_FONT = "宋体", "黑体"
FIXED_DATE = dt.datetime(2026, 1, 1)


def _fonts(style, east_asia: str, size: float, bold: bool = False) -> None:
    style.font.name = "Times New Roman"
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)


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


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = text
    run = cell.paragraphs[0].runs[0] if cell.paragraphs[0].runs else cell.paragraphs[0].add_run("")
    run.font.size = Pt(9)
    run.bold = bold


#: Column widths (cm; the text is 16 cm wide) of the tables whose first columns are short.
TABLE_WIDTHS = {
    "盘查小组及职责": [3.0, 2.6, 10.4],
    "温室气体种类": [4.0, 6.0],
    "直接排放源类型": [1.2, 2.0, 6.0, 6.8],
    "排放源识别表": [1.0, 2.0, 4.8, 2.2, 1.0, 1.0, 2.6, 1.4],
    "温室气体排放范围及排放量": [2.4, 3.0, 6.0, 4.6],
    "温室气体排放类别及排放量": [1.2, 8.0, 4.0, 2.8],
    "排除的排放源": [4.0, 7.5, 2.8, 1.7],
    "间接排放重大性评估": [1.2, 3.2, 0.9, 0.9, 1.1, 0.9, 0.9, 0.9, 1.0, 1.2, 1.0, 2.8],
    "排放量不确定性（95% 置信区间）": [5.2, 3.0, 2.6, 2.6, 2.6],
    "量化方法": [2.4, 6.0, 7.6],
    "数据质量评分准则": [2.6, 1.4, 12.0],
    "数据品质等级": [3.0, 5.0],
    "数据质量评估": [1.0, 3.6, 1.2, 1.2, 1.2, 1.4, 1.1, 2.5, 1.4, 1.4],
    "排放因子": [1.3, 4.9, 1.3, 1.6, 2.0, 4.9],
    "各排放源活动数据与排放量": [1.0, 3.0, 0.9, 2.1, 1.0, 2.3, 1.8, 2.3, 1.6],
}


class _Writer:
    def __init__(self) -> None:
        self.doc = Document()
        self.tables = 0
        self.figures = 0
        self._styles()

    def _styles(self) -> None:
        styles = self.doc.styles
        _fonts(styles["Normal"], BODY_FONT, 10.5)
        styles["Normal"].paragraph_format.space_after = Pt(4)
        styles["Normal"].paragraph_format.line_spacing = 1.3
        for level, size in ((1, 16), (2, 13), (3, 11)):
            _fonts(styles[f"Heading {level}"], HEADING_FONT, size, bold=True)
        _fonts(styles["Title"], HEADING_FONT, 24, bold=True)
        _fonts(styles["Caption"], HEADING_FONT, 10, bold=True)
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.orientation = WD_ORIENT.PORTRAIT
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)

    def p(self, text: str = "", style: str | None = None, align=None):
        paragraph = self.doc.add_paragraph(text, style=style)
        if align is not None:
            paragraph.alignment = align
        return paragraph

    def h(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def caption(self, kind: str, title: str) -> None:
        if kind == "表":
            self.tables += 1
            number = self.tables
        else:
            self.figures += 1
            number = self.figures
        caption = self.p(
            f"{kind}{number} {title}", style="Caption", align=WD_ALIGN_PARAGRAPH.CENTER
        )
        caption.paragraph_format.keep_with_next = kind == "表"

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
        self.caption("表", title)
        widths = widths or TABLE_WIDTHS.get(title)
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            _cell(cell, header, bold=True)
        table.add_row().cells[0].text = "{%tr " + loop + " %}"
        for cell, text in zip(table.add_row().cells, cells, strict=True):
            _cell(cell, text)
        table.add_row().cells[0].text = "{%tr endfor %}"
        if totals:
            for cell, text in zip(table.add_row().cells, totals, strict=True):
                _cell(cell, text, bold=True)
        if widths:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=False):
                column.width = Cm(width)
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=False):
                    cell.width = Cm(width)
        self.p()
        return table

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


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
    w.p("目录", style="Heading 1")
    _field(w.p(), 'TOC \\o "1-2" \\h \\z \\u', "（在 Word 中右键 → 更新域，生成目录）")
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
    chapters(writer)
    properties = writer.doc.core_properties
    properties.author = properties.last_modified_by = "ghgxl"
    properties.created = properties.modified = FIXED_DATE
    properties.revision = 1
    buffer = io.BytesIO()
    writer.doc.save(buffer)
    members = xlsx.read_members(buffer.getvalue())
    members["docProps/core.xml"] = re.sub(
        rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
        rb"\g<1>" + FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
        members["docProps/core.xml"],
    )
    write_bytes_atomic(Path(out), xlsx.write_package(members))
