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
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from ghgxl.emission import TOTAL_GROUPS
from ghgxl.files import write_bytes_atomic
from ghgxl.report.formats import subscript
from ghgxl.workbook import xlsx

#: The Latin font of all text, and the Chinese fonts of body text and headings. Where 宋体
#: and 黑体 are absent, the PDF's LibreOffice uses Noto Serif CJK SC and Noto Sans CJK SC
#: (:mod:`ghgxl.report.office`).
LATIN_FONT = "Times New Roman"
BODY_FONT, HEADING_FONT = "宋体", "黑体"
#: The document's East Asian language: a CJK fallback font is then a Simplified Chinese one.
EAST_ASIAN_LANGUAGE = "zh-CN"
FIXED_DATE = dt.datetime(2026, 1, 1)
TEXT_WIDTH_CM = 16.0
#: What the table of contents shows before it is updated (Word does so on opening,
#: LibreOffice when ghgxl makes the PDF; the renderer lists the headings in it meanwhile).
TOC_PLACEHOLDER = "（目录在 Word 中打开时更新）"
TOC_INSTRUCTION = 'TOC \\o "1-2" \\h \\z \\u'
#: Marker of the rows a table gets from ghgxl itself, not from a jinja loop:
#: ``[[activity.id]]`` is the ``id`` of each row of the ``activity`` rows
#: (:mod:`ghgxl.report.tables`).
ROW_FIELD = "[[{key}.{field}]]"
_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")

#: Column headers of numbers (right-aligned) and of codes and scores (centred); anything
#: else is text, left-aligned.
NUMBER_HEADER = re.compile(
    r"排放量|百分比|占比|占总排放|GWP|数值|得分|积分|误差|下限|上限|累计|活动量|gas_headers|^合计$"
)
CODE_HEADERS = frozenset((
    "编号", "序号", "类别", "范围", "子类别", "量级", "影响", "风险/机遇", "行业", "外包", "员工",
    "总分", "判定", "纳入", "纳入/排除", "等级", "气体", "温室气体", "单位", "活动数据", "排放因子",
    "仪器校正",
))  # fmt: skip
#: A cell that prints a gas name: printed with subscripts.
_GAS_CELL = re.compile(r"^\{\{ (\w+\.gas) \}\}$")
_TAG = re.compile(r"(\{\{.*?\}\})")


def column_alignment(header: str):
    """How a column's cells are aligned, from its header."""
    if NUMBER_HEADER.search(header):
        return WD_ALIGN_PARAGRAPH.RIGHT
    if header in CODE_HEADERS:
        return WD_ALIGN_PARAGRAPH.CENTER
    return None


def subscripted(text: str) -> str:
    """A template text with its formulas subscripted: literal text at once, ``{{ tags }}``
    through the ``subscript`` filter when rendered."""
    return "".join(
        part[:-2].rstrip() + "|subscript }}" if _TAG.fullmatch(part) else subscript(part)
        for part in _TAG.split(text)
    )


def _font_names(fonts, east_asia: str) -> None:
    """``fonts`` (a ``w:rFonts``) names the fonts themselves: a theme font would override
    them (the default theme's are Calibri and, for East Asian text, Japanese faces)."""
    for name in _THEME_FONTS:
        fonts.attrib.pop(qn(name), None)
    for name in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(name), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


def _fonts(style, east_asia: str, size: float, bold: bool = False) -> None:
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    _font_names(style.element.get_or_add_rPr().get_or_add_rFonts(), east_asia)


def _document_fonts(doc) -> None:
    """No theme fonts anywhere (each style that used one names the font instead), Chinese
    as the East Asian language, and Word updating the fields (the table of contents) when
    it opens the report."""
    styles = doc.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        themed = fonts.get(qn("w:eastAsiaTheme")) or fonts.get(qn("w:asciiTheme"))
        if themed:
            _font_names(fonts, HEADING_FONT if themed.startswith("major") else BODY_FONT)
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _font_names(defaults.find(qn("w:rFonts")), BODY_FONT)
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)
    settings = doc.settings.element
    settings.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.find(qn("w:compat")).addprevious(update)  # its place in CT_Settings


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
    "排放源识别表": [1.2, 2.2, 6.0, 1.2, 1.2, 2.8, 1.4],
    "温室气体排放类别及排放量": [1.2, 8.0, 4.0, 2.8],
    "排除的排放源": [4.0, 7.5, 2.8, 1.7],
    "间接排放重大性评估": [1.2, 3.2, 0.9, 0.9, 1.1, 0.9, 0.9, 0.9, 1.0, 1.2, 1.0, 2.8],
    "排放量不确定性（95% 置信区间）": [5.2, 3.0, 2.6, 2.6, 2.6],
    "量化方法": [2.4, 6.0, 7.6],
    "数据质量评估": [1.0, 3.6, 1.2, 1.2, 1.2, 1.4, 1.1, 2.5, 1.4, 1.4],
    "排放因子": [3.2, 3.6, 1.3, 1.6, 1.9, 4.4],
    "排放量最大的排放源": [1.0, 6.6, 1.4, 3.0, 2.0, 2.0],
    "各排放源活动数据与排放量": [1.3, 4.6, 1.0, 2.4, 1.2, 2.3, 1.6, 1.6],
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
        _fonts(styles["Normal"], BODY_FONT, 10.5)
        styles["Normal"].paragraph_format.space_after = Pt(4)
        styles["Normal"].paragraph_format.line_spacing = 1.3
        for level, size in ((1, 16), (2, 13), (3, 11)):
            _fonts(styles[f"Heading {level}"], HEADING_FONT, size, bold=True)
        _fonts(styles["Title"], HEADING_FONT, 24, bold=True)
        _fonts(styles["Caption"], HEADING_FONT, 10, bold=True)
        _fonts(styles["TOC Heading"], HEADING_FONT, 16, bold=True)
        self._table_styles()
        self._toc_styles()
        _document_fonts(self.doc)
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
            style.paragraph_format.left_indent = Cm(0.74 * (level - 1))
            style.paragraph_format.tab_stops.add_tab_stop(
                Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
            )

    def p(self, text: str = "", style: str | None = None, align=None):
        paragraph = self.doc.add_paragraph(text, style=style)
        if align is not None:
            paragraph.alignment = align
        return paragraph

    def h(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

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

    def page_break(self) -> None:
        """What follows starts a page (an empty paragraph that starts one: never an empty
        page, however full the page before)."""
        paragraph = self.p()
        paragraph.paragraph_format.page_break_before = True
        paragraph.paragraph_format.space_after = Pt(0)


def _cover(w: _Writer) -> None:
    for _ in range(4):
        w.p()
    w.p("{{ company }}", style="Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    w.p("{{ year }} 年度温室气体盘查报告", style="Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    for _ in range(3):
        w.p()
    for line in (
        "盘查期间：{{ period_start }} 至 {{ period_end }}",
        "依据标准：ISO 14064-1:2018",
        "报告负责人：{{ responsible }}",
        "查证状态：{{ verification }}",
    ):
        w.p(line, align=WD_ALIGN_PARAGRAPH.CENTER)
    w.page_break()


def _toc(w: _Writer) -> None:
    """The table of contents (chapters and sections), on a page of its own."""
    w.p("目录", style="TOC Heading")
    _field(w.p(), TOC_INSTRUCTION, TOC_PLACEHOLDER)
    w.page_break()


def _header_footer(w: _Writer) -> None:
    section = w.doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = "{{ company }} {{ year }} 年度温室气体盘查报告"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    _field(footer, "PAGE", "1")
    footer.add_run(" 页")


def _gas_cells(prefix: str) -> list[str]:
    return [f"{{{{ {prefix}['{g}'] }}}}" for g in TOTAL_GROUPS]


def _chapters(w: _Writer) -> None:
    w.h("第一章 概述")
    w.h("1.1 公司简介", 2)
    w.p("{{ company_profile }}")
    w.p("公司地址：{{ address }}；统一社会信用代码：{{ credit_code }}；行业：{{ industry }}。")
    w.h("1.2 温室气体政策", 2)
    w.p("{{ ghg_policy }}")
    w.h("1.3 报告目的与预期使用者", 2)
    w.p(
        "本报告说明本组织 {{ year }} 年度的温室气体排放与移除量，供管理层掌握排放情况与趋势、制定减排目标，并供客户、查证机构及其他相关方了解本组织的温室气体管理。"
    )
    w.h("1.4 依据标准", 2)
    w.p(
        "本报告依据 ISO 14064-1:2018《温室气体 第1部分：组织层面温室气体排放和移除的量化和报告规范及指南》编制，并参考 GHG Protocol《企业核算与报告标准》及其范围二、范围三指南。"
    )
    w.h("1.5 报告期间与负责人", 2)
    w.p(
        "盘查期间为 {{ period_start }} 至 {{ period_end }}。报告负责人：{{ responsible }}（{{ contact }}）。"
    )
    w.h("1.6 报告的发行与保存", 2)
    w.p(
        "本报告每年编制一次，经最高管理者或其授权人批准后发行；报告及其盘查清册（计算文件）保存于温室气体管理主责部门，并在查证与内部审核时提供。"
    )

    w.h("第二章 组织边界")
    w.p(
        "本组织依据 ISO 14064-1:2018 第5.1条，采用{{ consolidation }}法设定组织边界，纳入的厂区/场所为：{{ sites }}。"
    )

    w.h("第三章 报告边界")
    w.h("3.1 排放源识别", 2)
    w.p(
        "依据 ISO 14064-1:2018 第5.2条，识别组织边界内的直接排放（类别1）与间接排放（类别2–6）排放源如下。"
    )
    w.loop_table(
        "排放源识别表",
        ["编号", "厂区/部门", "排放源", "类别", "范围", "温室气体", "纳入/排除"],
        "for s in sources",
        [
            "{{ s.id }}",
            "{{ s.facility }}",
            "{{ s.source }}",
            "{{ s.category }}",
            "{{ s.scope }}",
            "{{ s.gases }}",
            "{{ s.included }}",
        ],
    )
    w.h("3.2 重大间接排放的判定准则", 2)
    w.p(
        "间接排放按 ISO 14064-1:2018 第5.2.3条，以排放量级、影响程度、风险或机遇、行业指引、外包活动与员工参与六项准则各评 1–3 分，总分达到 {{ significance_threshold }} 分判定为重大，重大的间接排放纳入量化。单一排除源应低于总排放量的 {{ exclusion_single_limit }}，排除源合计应低于 {{ exclusion_total_limit }}。"
    )
    w.loop_table(
        "间接排放重大性评估",
        [
            "子类别",
            "名称",
            "量级",
            "影响",
            "风险/机遇",
            "行业",
            "外包",
            "员工",
            "总分",
            "判定",
            "纳入",
            "说明",
        ],
        "for g in significance",
        [
            "{{ g.code }}",
            "{{ g.name }}",
            "{{ g.magnitude }}",
            "{{ g.influence }}",
            "{{ g.risk }}",
            "{{ g.sector }}",
            "{{ g.outsourcing }}",
            "{{ g.engagement }}",
            "{{ g.score }}",
            "{{ g.judgement }}",
            "{{ g.included }}",
            "{{ g.reason }}",
        ],
    )
    w.h("3.3 温室气体排放量", 2)
    w.p(
        "{{ year }} 年度温室气体排放总量为 {{ total }} 吨 CO2 当量（t CO2e），其中直接排放（类别1）{{ direct_total }} t CO2e，间接排放（类别2–6）{{ indirect_total }} t CO2e。GWP 采用 {{ gwp_set }}。"
    )
    w.loop_table(
        "温室气体排放类别及排放量",
        ["类别", "名称", "排放量 (t CO2e)", "百分比"],
        "for c in categories",
        ["{{ c.no }}", "{{ c.name }}", "{{ c.value }}", "{{ c.percent }}"],
        ["合计", "", "{{ category_total.value }}", "{{ category_total.percent }}"],
    )
    w.p("{{ chart_category }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    w.caption("图", "各类别排放量")
    w.loop_table(
        "温室气体种类及排放量",
        ["温室气体", "排放量 (t CO2e)", "百分比"],
        "for g in gases",
        ["{{ g.gas }}", "{{ g.value }}", "{{ g.percent }}"],
        ["合计", "{{ total }}", "{{ category_total.percent }}"],
    )
    w.p("{{ chart_scope }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    w.caption("图", "各范围排放量及占比")
    headers = ["类别", *[f"{{{{ gas_headers[{i}] }}}}" for i in range(len(TOTAL_GROUPS))], "合计"]
    cells = ["{{ r.category }}", *_gas_cells("r"), "{{ r.total }}"]
    w.loop_table(
        "直接温室气体排放量（范围一，类别1，按气体）", headers, "for r in scope1_gases", cells
    )
    w.loop_table(
        "能源间接温室气体排放量（范围二，类别2，按气体）", headers, "for r in scope2_gases", cells
    )
    w.loop_table(
        "其他间接温室气体排放量（类别3–6，按气体）", headers, "for r in indirect_gases", cells
    )
    w.p("{{ gas_note }}")
    w.p("{{ chart_top }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    w.caption("图", "排放量最大的十个排放源及累计占比")
    w.loop_table(
        "排放量最大的排放源",
        ["序号", "排放源", "类别", "排放量 (t CO2e)", "占比", "累计占比"],
        "for t in top_sources",
        [
            "{{ t.rank }}",
            "{{ t.name }}",
            "{{ t.category }}",
            "{{ t.value }}",
            "{{ t.share }}",
            "{{ t.cumulative }}",
        ],
        ["合计", "", "", "{{ total }}", "{{ category_total.percent }}", ""],
    )
    w.h("3.4 生物质 CO2、移除量与其他气体", 2)
    w.p(
        "生物质燃烧产生的 CO2 单独报告，不计入总排放量：{{ biogenic }} t CO2。本报告期间量化的温室气体移除量：{{ removals }} t CO2e。京都议定书以外的气体（如 HCFC-22）单独报告、不计入总量：{{ other_gases }} t CO2e。"
    )
    w.h("3.5 排除的排放源", 2)
    w.p(
        "{% if exclusion_rows %}以下排放源经评估排除于量化之外。{% if exclusion_assessed %}排除源估算合计 {{ exclusion_total }} t CO2e，约占总排放量的 {{ exclusion_total_pct }}，{{ exclusion_verdict }}单一排除源低于 {{ exclusion_single_limit }}、合计低于 {{ exclusion_total_limit }} 的要求。{% else %}其中 {{ exclusion_unestimated }} 个排除源尚未估算排放量，因此尚无法判断排除源是否符合单一低于 {{ exclusion_single_limit }}、合计低于 {{ exclusion_total_limit }} 的要求{% if exclusion_estimated %}（已估算的 {{ exclusion_estimated }} 个合计 {{ exclusion_total }} t CO2e）{% endif %}。{% endif %}{% else %}本报告期间无排除的排放源。{% endif %}"
    )
    w.loop_table(
        "排除的排放源",
        ["排放源", "排除理由", "估算排放量 (t CO2e)", "占总排放"],
        "for x in exclusion_rows",
        ["{{ x.source }}", "{{ x.reason }}", "{{ x.estimate }}", "{{ x.share }}"],
    )

    w.h("第四章 量化方法")
    w.h("4.1 量化方法", 2)
    w.p(
        "各排放源采用排放因子法（含质量平衡法）量化：活动数据 × 排放因子 × 全球变暖潜势（GWP）= CO2 当量。所用方法如下："
    )
    w.loop_table(
        "量化方法",
        ["方法", "计算式", "依据"],
        "for m in methods",
        ["{{ m.name }}", "{{ m.formula }}", "{{ m.reference }}"],
    )
    w.h("4.2 排放因子", 2)
    w.p(
        "排放因子选用原则：优先采用实测或质量平衡所得因子，其次为国家或地区因子，再次为国际公认因子。所用因子的数值、单位与来源见附录表（因子库版本 {{ factor_library_version }}）。"
    )
    w.h("4.3 全球变暖潜势（GWP）", 2)
    w.p("本报告全部采用 {{ gwp_set }} 的 100 年全球变暖潜势：{{ gwp_source }}。")
    w.loop_table(
        "所用 GWP 值",
        ["温室气体", "GWP-100"],
        "for v in gwp_values",
        ["{{ v.gas }}", "{{ v.value }}"],
    )
    w.h("4.4 量化方法与排放因子的变更", 2)
    w.p(
        "量化方法或排放因子变更时，说明变更内容、理由及对排放量的影响，并按第七章判断是否重新计算基准年排放量。"
    )

    w.h("第五章 数据质量")
    w.p(
        "{% if dq_taiwan %}依台湾环境部温室气体排放量盘查表的数据品质管理方法：活动数据种类（1 连续量测、2 定期量测、3 推估）、仪器校正（1 外部校正、2 内部校正或会计签证、3 未校正）与排放系数种类（1 自厂或质量平衡 … 3 国家或国际系数）三项等级相乘为单一排放源数据误差等级（1–27），加权平均 = Σ（误差等级 × 排放占比）；{{ dq_grades }}。{% else %}活动数据按自动连续测量（6分）、定期抄表（3分）、推估（1分）评分；排放因子按计算或质量平衡（6分）至国际因子（1分）评分；仪器校正按规定执行且符合（6分）、部分符合（3分）、未执行（1分）评分。平均得分为三项的平均值，加权平均积分 = Σ（平均得分 × 排放占比）；{{ dq_grades }}。{% endif %}"
    )
    w.loop_table(
        "数据质量评估",
        [
            "编号",
            "排放源",
            "活动数据",
            "排放因子",
            "仪器校正",
            "平均得分",
            "等级",
            "排放量 (t CO2e)",
            "占比",
            "加权积分",
        ],
        "for d in dq_rows",
        [
            "{{ d.id }}",
            "{{ d.source }}",
            "{{ d.activity }}",
            "{{ d.factor }}",
            "{{ d.calibration }}",
            "{{ d.score }}",
            "{{ d.grade }}",
            "{{ d.tco2e }}",
            "{{ d.share }}",
            "{{ d.weighted }}",
        ],
    )
    w.p(
        "{% if dq_assessed %}加权平均积分总计为 {{ dq_score }}，整体数据品质等级为{{ dq_grade }}。"
        "{% else %}尚有 {{ dq_unscored }} 个排放源缺少数据质量评分，整体数据品质未评估。{% endif %}"
    )

    w.h("第六章 不确定性")
    w.p(
        "参数不确定性以 95% 置信区间表示：各排放源活动数据与排放因子的不确定性取自清册（未填写者按数据类别采用 IPCC 2006 等文献的默认值，见附录）。方法一（IPCC 2006 第1卷 式3.1、3.2 误差传递）与方法二（蒙特卡罗模拟，{{ uncertainty_total.draws }} 次，随机种子 {{ uncertainty_total.seed }}；同一排放因子在各排放源间完全相关）结果如下。模型不确定性不在本次评估范围内；数据品质等级为{{ dq_grade }}。"
    )
    w.loop_table(
        "排放量不确定性（95% 置信区间）",
        ["类别", "排放量 (t CO2e)", "方法一 误差传递", "方法二 下限", "方法二 上限"],
        "for u in uncertainty_rows",
        [
            "{{ u.category }}",
            "{{ u.value }}",
            "{{ u.propagation }}",
            "{{ u.lower }}",
            "{{ u.upper }}",
        ],
        [
            "合计",
            "{{ uncertainty_total.value }}",
            "{{ uncertainty_total.propagation }}",
            "{{ uncertainty_total.lower }}",
            "{{ uncertainty_total.upper }}",
        ],
    )

    w.h("第七章 基准年")
    w.p(
        "本组织以 {{ base_year }} 年为基准年。当组织边界或运营边界改变、排放源的所有权或控制权转移，或量化方法、排放因子改变，导致排放量变化超过基准年排放量的 10% 时，重新计算基准年及其后各年的排放量。"
    )

    w.h("第八章 温室气体信息管理与内部核查")
    w.p(
        "盘查数据由各部门按盘查清册收集，保留缴费单据、发票、抄表记录等原始凭证；计算由清册中的 ghgxl 函数完成，盘查小组每年进行内部核查，核对活动数据与凭证、因子与来源，并以 ghgxl check 检查清册的完整性与一致性。"
    )

    w.h("第九章 查证")
    w.p("查证状态：{{ verification }}。")

    w.h("第十章 减排策略与绩效")
    w.p("{{ reduction_measures }}")
    w.p(
        "{{ year }} 年度温室气体排放总量为 {{ total }} t CO2e。{% if previous_total %}{{ previous_year }} 年度为 {{ previous_total }} t CO2e，变化 {{ change_pct }}。{% endif %}"
    )

    w.h("第十一章 报告书管理与符合性声明")
    w.p(
        "本报告依据 ISO 14064-1:2018 第9章的要求编制，报告内容符合 ISO 14064-1:2018。报告中全部数值由盘查清册经 ghgxl {{ ghgxl_version }} 计算得出，未经手工录入。"
    )
    w.p(
        "{% if error_count %}注意：生成本报告时清册中仍有 {{ error_count }} 处错误，相关排放源未计入上述数值，请修正后重新生成。{% endif %}"
    )

    w.h("附录 排放因子表")
    w.loop_table(
        "排放因子",
        ["因子键", "名称", "气体", "数值", "单位", "来源"],
        "for f in factors",
        [
            "{{ f.key }}",
            "{{ f.name }}",
            "{{ f.gas }}",
            "{{ f.value }}",
            "{{ f.unit }}",
            "{{ f.source }}",
        ],
    )
    w.h("附录 活动数据与排放量", 1)
    w.rows_table(
        "各排放源活动数据与排放量",
        ["编号", "排放源", "类别", "活动量", "单位", "排放量 (t CO2e)", "占比", "数据质量得分"],
        "activity",
        ["id", "source", "category", "amount", "unit", "tco2e", "share", "score"],
        ["合计", "", "", "", "", "{{ total }}", "{{ category_total.percent }}", "{{ dq_score }}"],
    )


#: The fonts the report names, with what Word needs to substitute them where they are
#: missing: 宋体 and 黑体 as Word describes SimSun and SimHei (GB2312 charset, panose, code
#: pages), not the default template's Calibri and Japanese faces.
FONT_TABLE = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    f'<w:font w:name="{LATIN_FONT}"><w:panose1 w:val="02020603050405020304"/>'
    '<w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/>'
    '<w:sig w:usb0="E0002AFF" w:usb1="C0007841" w:usb2="00000009" w:usb3="00000000" '
    'w:csb0="000001FF" w:csb1="00000000"/></w:font>'
    f'<w:font w:name="{BODY_FONT}"><w:altName w:val="SimSun"/>'
    '<w:panose1 w:val="02010600030101010101"/><w:charset w:val="86"/>'
    '<w:family w:val="auto"/><w:pitch w:val="variable"/>'
    '<w:sig w:usb0="00000003" w:usb1="288F0000" w:usb2="00000016" w:usb3="00000000" '
    'w:csb0="00040001" w:csb1="00000000"/></w:font>'
    f'<w:font w:name="{HEADING_FONT}"><w:altName w:val="SimHei"/>'
    '<w:panose1 w:val="02010609060101010101"/><w:charset w:val="86"/>'
    '<w:family w:val="modern"/><w:pitch w:val="fixed"/>'
    '<w:sig w:usb0="800002BF" w:usb1="38CF7CFA" w:usb2="00000016" w:usb3="00000000" '
    'w:csb0="00040001" w:csb1="00000000"/></w:font>'
    "</w:fonts>"
)


def build_report_template(out: Path) -> None:
    """Write the report template to ``out`` (byte-identical for the same code)."""
    writer = _Writer()
    _header_footer(writer)
    _cover(writer)
    _toc(writer)
    _chapters(writer)
    properties = writer.doc.core_properties
    properties.author = properties.last_modified_by = "ghgxl"
    properties.created = properties.modified = FIXED_DATE
    properties.revision = 1
    buffer = io.BytesIO()
    writer.doc.save(buffer)
    members = xlsx.read_members(buffer.getvalue())
    members["word/fontTable.xml"] = FONT_TABLE.encode("utf-8")
    members["docProps/core.xml"] = re.sub(
        rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
        rb"\g<1>" + FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
        members["docProps/core.xml"],
    )
    write_bytes_atomic(Path(out), xlsx.write_package(members))
