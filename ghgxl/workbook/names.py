"""The sheet names of the 盘查清册 (a module of its own, free of heavy imports, so that
reading can start before the rest of ghgxl is loaded; :mod:`ghgxl.workbook.layout`
re-exports them with the rest of the layout)."""

SHEET_GUIDE = "使用说明"
SHEET_INFO = "基本信息"
SHEET_SOURCES = "排放源识别"
SHEET_ACTIVITY = "活动数据"
SHEET_FACTORS = "排放因子"
SHEET_COMPANY = "公司因子"
SHEET_MARKET = "绿电绿证"
SHEET_QUALITY = "数据质量"
SHEET_SUMMARY = "汇总"
SHEET_SITES = "各厂区汇总"
SHEET_SIGNIFICANCE = "重大性评估"
SHEET_LISTS = "_lists"
SHEET_CONF = "xlwings.conf"

#: Every sheet of the template (the 检查结果 sheet the 检查清册 button adds is the user's).
TEMPLATE_SHEETS = (
    SHEET_GUIDE, SHEET_INFO, SHEET_SOURCES, SHEET_ACTIVITY, SHEET_FACTORS, SHEET_COMPANY,
    SHEET_MARKET, SHEET_QUALITY, SHEET_SUMMARY, SHEET_SITES, SHEET_SIGNIFICANCE, SHEET_LISTS, SHEET_CONF,
)  # fmt: skip

#: A hidden defined name holding the xlwings version of the workbook's VBA (its
#: ``XLWINGS_VERSION`` constant), written when the template is built, so the version can be
#: checked without reading the VBA project (``ghgxl excel doctor``).
XLWINGS_VERSION_NAME = "ghgxl_xlwings_version"

__all__ = [
    "SHEET_ACTIVITY",
    "SHEET_COMPANY",
    "SHEET_CONF",
    "SHEET_FACTORS",
    "SHEET_GUIDE",
    "SHEET_INFO",
    "SHEET_LISTS",
    "SHEET_MARKET",
    "SHEET_QUALITY",
    "SHEET_SIGNIFICANCE",
    "SHEET_SITES",
    "SHEET_SOURCES",
    "SHEET_SUMMARY",
    "TEMPLATE_SHEETS",
]
