"""The fonts the report names, and what Word and LibreOffice need to set them right.

Times New Roman for Latin text, 宋体 for body text and 黑体 for headings, named in every
style (a theme font would override them with Calibri and Japanese faces), Chinese as the
East Asian language, and a font table that describes 宋体 and 黑体 as SimSun and SimHei, so
a machine without them substitutes Simplified Chinese faces.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

#: The Latin font of all text, and the Chinese fonts of body text and headings. Where 宋体
#: and 黑体 are absent, the PDF's LibreOffice uses Noto Serif CJK SC and Noto Sans CJK SC
#: (:mod:`ghgxl.report.office`).
LATIN_FONT = "Times New Roman"
BODY_FONT, HEADING_FONT = "宋体", "黑体"
#: The document's East Asian language: a CJK fallback font is then a Simplified Chinese one.
EAST_ASIAN_LANGUAGE = "zh-CN"
_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def font_names(fonts, east_asia: str) -> None:
    """``fonts`` (a ``w:rFonts``) names the fonts themselves: a theme font would override
    them (the default theme's are Calibri and, for East Asian text, Japanese faces)."""
    for name in _THEME_FONTS:
        fonts.attrib.pop(qn(name), None)
    for name in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(name), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


def style_fonts(style, east_asia: str, size: float, bold: bool = False) -> None:
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    font_names(style.element.get_or_add_rPr().get_or_add_rFonts(), east_asia)


def document_fonts(doc) -> None:
    """No theme fonts anywhere (each style that used one names the font instead), Chinese
    as the East Asian language, and Word updating the fields (the table of contents) when
    it opens the report."""
    styles = doc.styles.element
    for fonts in styles.iter(qn("w:rFonts")):
        themed = fonts.get(qn("w:eastAsiaTheme")) or fonts.get(qn("w:asciiTheme"))
        if themed:
            font_names(fonts, HEADING_FONT if themed.startswith("major") else BODY_FONT)
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    font_names(defaults.find(qn("w:rFonts")), BODY_FONT)
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)
    settings = doc.settings.element
    settings.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), EAST_ASIAN_LANGUAGE)
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.find(qn("w:compat")).addprevious(update)  # its place in CT_Settings


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
