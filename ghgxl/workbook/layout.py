"""The layout of the 盘查清册: sheet names, columns, rows — the one place these facts live.

The template builder, the headless reader and writer, the checks and the tests all take
their cell addresses from here, so a column can move without anything drifting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ghgxl import methods
from ghgxl.emission import GROUPS, TOTAL_GROUPS
from ghgxl.units import is_number
from ghgxl.workbook.names import *  # noqa: F403  (the sheet names, re-exported here)
from ghgxl.workbook.names import SHEET_ACTIVITY, SHEET_COMPANY
from ghgxl.workbook.refs import column_letter

TEMPLATE_VERSION = "2026.5"

#: 使用说明: heights (points) of the title, the note and the band the buttons stand in (two
#: rows of buttons, above the text, so no wrapped line of the guide runs under them).
GUIDE_ROW_HEIGHTS = (24, 16, 92)
HEADER_ROW = 4  # table sheets: title in row 1, notes in row 2, headers in row 4
FIRST_ROW = 5
TEMPLATE_ROWS = 200  # empty formula rows in a fresh workbook (``workbook new --rows`` for more)
LAST_ROW = FIRST_ROW + TEMPLATE_ROWS - 1  # the template's; a workbook's own: its summary ranges


def last_row(rows: int) -> int:
    """The last table row of a workbook with ``rows`` rows in 活动数据 and 数据质量."""
    return FIRST_ROW + rows - 1


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    note: str = ""
    formula: bool = False  # computed, protected
    number_format: str = "General"


def _letters(columns: tuple[Column, ...]) -> dict[str, str]:
    return {c.key: column_letter(i) for i, c in enumerate(columns, start=1)}


# --- 基本信息: label | value | key ------------------------------------------------------


@dataclass(frozen=True)
class InfoField:
    key: str
    label: str
    default: object
    note: str = ""
    choices: tuple[str, ...] = ()
    long_text: bool = False
    bounds: tuple[float, float] | None = None  # a numeric setting's range (inclusive)


CONSOLIDATION = ("运营控制", "财务控制", "股权比例")
DQ_SCHEMES = ("6/3/1 评分法（活动数据/排放因子/仪器校正）", "台湾环境部盘查表评分法")
#: Lines of the 盘查小组 field: role | name | duty.
TEAM_PLACEHOLDER = "（每行一人：职务 | 姓名 | 职责）"
#: Which scope-2 figure the inventory's totals count (GHG Protocol Scope 2 Guidance: both are
#: reported; the company says which one its totals and targets use).
SCOPE2_LOCATION, SCOPE2_MARKET = "位置法", "市场法"
VERIFICATION = ("未查证", "内部查证", "第三方查证（合理保证）", "第三方查证（有限保证）")

INFO_FIELDS: tuple[InfoField, ...] = (
    InfoField("company", "公司名称", "（公司名称）"),
    InfoField("credit_code", "统一社会信用代码", "（18位代码）"),
    InfoField("address", "地址", "（地址）"),
    InfoField("industry", "行业", "（行业）"),
    InfoField("sites", "厂区/场所", "（厂区名称，多个用顿号分隔）"),
    InfoField("reporting_year", "报告年度", 2024, "盘查的年度，如 2024"),
    InfoField("period_start", "盘查期间开始", "2024-01-01"),
    InfoField("period_end", "盘查期间结束", "2024-12-31"),
    InfoField("base_year", "基准年", 2024, "基准年及其选定理由见报告"),
    InfoField("consolidation", "组织边界合并方法", "运营控制", choices=CONSOLIDATION),
    InfoField(
        "gwp_set", "GWP 版本（100年）", "AR6", "全部计算使用同一版本", ("AR6", "AR5", "AR4", "SAR")
    ),
    InfoField("factor_library", "因子库版本", "", "由 ghgxl 填写 / filled by ghgxl"),
    InfoField("dq_scheme", "数据质量评分方案", DQ_SCHEMES[0], choices=DQ_SCHEMES),
    InfoField("responsible", "报告负责人", "（姓名）"),
    InfoField("contact", "联系方式", "（电话 / 邮箱）", "报告“报告的取得与咨询”一节印出"),
    InfoField("contact_department", "咨询单位/部门", "（部门）", "对外答复本报告问题的部门"),
    InfoField("contact_person", "咨询人员", "（姓名）"),
    InfoField("verification", "查证状态", VERIFICATION[0], choices=VERIFICATION),
    InfoField("report_number", "报告编号", "（报告编号）", "印在封面"),
    InfoField("report_version", "报告版本", "（如 V1.0）", "印在封面"),
    InfoField("report_date", "报告日期", "（YYYY-MM-DD）", "报告批准发行的日期，印在封面"),
    InfoField("prepared_by", "编写人", "（姓名）", "印在封面"),
    InfoField("reviewed_by", "审核人", "（姓名）", "印在封面"),
    InfoField("approved_by", "批准人", "（姓名）", "最高管理者或其授权人，印在封面"),
    InfoField("previous_year", "上一年度（可选）", "", "填写后报告列出上一年度排放量与变化"),
    InfoField(
        "previous_total", "上一年度排放总量 (t CO2e，可选)", "", "上一年度盘查报告的总排放量"
    ),
    InfoField(
        "exclusion_single_pct",
        "单一排除源上限（占总排放 %）",
        1,
        "ISO 14064-1 实务：单一排除源 < 1%",
        bounds=(0, 100),
    ),
    InfoField(
        "exclusion_total_pct", "排除源合计上限（占总排放 %）", 5, "排除源合计 < 5%", bounds=(0, 100)
    ),
    InfoField(
        "significance_threshold",
        "重大性判定门槛（总分）",
        12,
        "重大性评估表六项准则（各 1–3 分）总分达到此值判定为重大",
        bounds=(6, 18),
    ),
    InfoField(
        "company_profile",
        "公司简介（报告用）",
        "（公司简介：成立时间、主要产品、制程）",
        long_text=True,
    ),
    InfoField(
        "ghg_policy", "温室气体政策（报告用）", "（温室气体管理政策与盘查小组职责）", long_text=True
    ),
    InfoField("lead_department", "温室气体管理主责部门", "（主责部门）"),
    InfoField(
        "team",
        "盘查小组成员与职责（报告用）",
        TEAM_PLACEHOLDER,
        "每行一人：职务或角色 | 姓名 | 职责（用 | 分隔；按行印成报告的盘查小组表）",
        long_text=True,
    ),
    InfoField("reduction_measures", "减排措施（报告用）", "（减排目标与措施）", long_text=True),
    InfoField(
        "recalculation_threshold_pct",
        "基准年重新计算门槛（%）",
        10,
        "结构性变化（边界、排放源增减、方法或因子更正）超过基准年排放量的此比例时重新计算基准年",
        bounds=(1, 100),  # "10%" typed in Excel is 0.1: refused, not a 0.1 % threshold
    ),
    InfoField("output", "产品产量（可选）", "", "报告年度的产品产量，用于单位产品排放强度"),
    InfoField("output_unit", "产量单位", "", "如 t、件、万只"),
    InfoField("revenue_10k_yuan", "营业收入（万元，可选）", "", "用于单位营业收入排放强度"),
    InfoField("employees", "员工人数（可选）", "", "用于人均排放量"),
    InfoField(
        "equity_share",
        "股权比例（%，集团按股权比例合并时）",
        "",
        "集团持有本厂区的股权比例，0–100；ghgxl consolidate --approach equity 按此比例计入",
    ),
    InfoField(
        "materiality_pct",
        "核查重要性水平（%）",
        5,
        "核查包抽样计划的重要性水平：合理保证常用 5%；抽样直至未抽样排放量低于总排放量的此比例",
        bounds=(0.5, 50),
    ),
    InfoField(
        "base_year_workbook",
        "基准年清册文件（可选）",
        "",
        "与本清册同一文件夹中基准年的盘查清册文件名，如 盘查清册-2023.xlsm；报告第七章据此列出基准年排放量，"
        "结构性变化超过门槛时列出重新计算后的基准年",
    ),
    InfoField(
        "scope2_basis",
        "总排放量中范围二的计算方法",
        SCOPE2_LOCATION,
        "位置法：电网平均排放因子；市场法：绿电绿证表的合同工具，其余用电按剩余电力排放因子。"
        "两种结果都列在汇总表；各行、各厂区与数据质量权重按位置法",
        choices=(SCOPE2_LOCATION, SCOPE2_MARKET),
    ),
)
INFO_FIRST_ROW = 4
INFO_ROW = {f.key: INFO_FIRST_ROW + i for i, f in enumerate(INFO_FIELDS)}
#: Defined names formulas use (``=GHG_EMISSION(..., ghg_gwp, ...)``).
DEFINED_NAMES = {
    "ghg_gwp": ("gwp_set",),
    "ghg_year": ("reporting_year",),
    "ghg_company": ("company",),
    "ghg_sig_threshold": ("significance_threshold",),
    "ghg_dq_scheme": ("dq_scheme",),
    "ghg_library": ("factor_library",),
    "ghg_scope2_basis": ("scope2_basis",),
}


def info_cell(key: str) -> str:
    return f"B{INFO_ROW[key]}"


def placeholders() -> tuple[str, ...]:
    """The placeholder texts of 基本信息 (``（姓名）``, ``（地址）`` …): a default in full-width
    parentheses stands for what the user has to write."""
    return tuple(
        f.default
        for f in INFO_FIELDS
        if isinstance(f.default, str) and f.default.startswith("（") and f.default.endswith("）")
    )


INFO_FIELD = {f.key: f for f in INFO_FIELDS}


#: 基本信息 settings the sheets' formulas read through DEFINED_NAMES.
FORMULA_SETTINGS = frozenset(key for keys in DEFINED_NAMES.values() for key in keys)


def setting_is_valid(key: str, value: object) -> bool:
    """Whether a typed numeric setting is a number within its field's bounds."""
    low, high = INFO_FIELD[key].bounds or (float("-inf"), float("inf"))
    return is_number(value) and low <= float(value) <= high  # type: ignore[arg-type]


def setting(info: Mapping[str, object], key: str) -> float:
    """A numeric 基本信息 setting: the typed value when it is a number within its bounds,
    else the field's default (``ghgxl check`` says so where one was typed: W115). A setting
    the sheet's own formulas read (through a defined name) keeps a typed number even out of
    bounds, so ghgxl and the workbook's cells never disagree."""
    value = info.get(key)
    if setting_is_valid(key, value) or (is_number(value) and key in FORMULA_SETTINGS):
        return float(value)  # type: ignore[arg-type]
    return float(INFO_FIELD[key].default)  # type: ignore[arg-type]


#: A whole value in full-width parentheses or lenticular brackets: ``（厂区名称）``, ``【请填写】``.
_BRACKETED = re.compile(r"^\s*(（[^（）]*）|【[^【】]*】)\s*$")


def is_placeholder(key: str, value: object) -> bool:
    """Whether a 基本信息 value still stands for what the user has to write: empty (for a
    field whose default is a placeholder), a placeholder of the template, text holding one
    (``组长 | （姓名） | 统筹``), or a value that is nothing but a bracketed phrase."""
    field = next(f for f in INFO_FIELDS if f.key == key)
    if field.default not in placeholders():
        return False
    if value is None or (isinstance(value, float) and value != value):
        return True
    text = str(value).strip()
    return not text or bool(_BRACKETED.match(text)) or any(p in text for p in placeholders())


# --- 排放源识别 (the seed's table 1) ---------------------------------------------------------

SOURCE_COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", 8, "与活动数据表的编号一致"),
    Column("facility", "厂区/部门", 14),
    Column("equipment", "设备/活动", 18),
    Column("source", "排放源", 22),
    Column(
        "category",
        "ISO 14064-1 类别",
        10,
        "1 直接排放；2 输入能源；3 运输；4 使用的产品；5 产品使用；6 其他",
    ),
    Column("scope", "范围", 7, "由类别自动得出", formula=True),
    Column("scope3_category", "GHG Protocol 范围三类别", 12, "1–15，仅范围三"),
    Column("emission_type", "排放类型", 12),
    Column("gases", "温室气体", 16, "如 CO2、CH4、N2O、HFCs"),
    Column("included", "纳入/排除", 9),
    Column("exclusion_reason", "排除理由", 28, "排除时必填"),
    Column("estimate_tco2e", "估算排放量 (t CO2e)", 14, "排除源的估算值", number_format="#,##0.00"),
)
SOURCE_COL = _letters(SOURCE_COLUMNS)
EMISSION_TYPES = (
    "固定燃烧",
    "移动燃烧",
    "制程排放",
    "逸散排放",
    "外购电力",
    "外购热力/蒸汽",
    "运输",
    "购买的产品与服务",
    "废弃物",
    "其他",
)
INCLUDED = ("纳入", "排除")

# --- 活动数据 -------------------------------------------------------------------------------

#: Calculation methods as the dropdown shows them → their keys (ghgxl.methods).
METHOD_LABELS = methods.LABELS
GROUP_HEADERS = {
    "CO2": "CO2",
    "CH4": "CH4",
    "N2O": "N2O",
    "HFCs": "HFCs",
    "PFCs": "PFCs",
    "SF6": "SF6",
    "NF3": "NF3",
    "CO2e": "CO2e",
    "CO2-biogenic": "CO2-biogenic",
    "Other": "Other",
}
_TCO2E = "#,##0.0000"
ACTIVITY_COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", 8, "排放源编号，唯一"),
    Column("facility", "厂区/部门", 12),
    Column("source", "排放源", 24, "与排放源识别表一致"),
    Column("category", "类别", 6, "ISO 14064-1 类别 1–6"),
    Column("scope", "范围", 6, "由类别自动得出", formula=True),
    Column("scope3_category", "范围三类别", 8, "GHG Protocol 范围三类别 1–15（仅范围三）"),
    Column("method", "计算方法", 12),
    *(
        Column(
            f"m{m}",
            f"{m}月",
            9,
            "月度活动量（可选）；填写后年度量=12个月合计",
            number_format="#,##0.00",
        )
        for m in range(1, 13)
    ),
    Column("annual", "年度活动量", 15, "不填月度时填写年度合计", number_format="#,##0.00"),
    Column(
        "amount",
        "计算用活动量",
        12,
        "有月度数据时为月度合计，否则为年度活动量",
        formula=True,
        number_format="#,##0.00",
    ),
    Column("unit", "单位", 9, "从下拉列表选择，如 kWh、万kWh、吨、升、标准立方米"),
    Column("evidence", "数据来源/凭证", 16, "缴费单据、发票、抄表记录"),
    Column(
        "factor_key",
        "因子键",
        44,
        "从因子库选择（中文名称（单位）｜因子键）或直接填写因子键；或留空并填写自定因子",
    ),
    Column("factor", "自定因子", 10, "供应商或文献因子的数值"),
    Column("factor_unit", "自定因子单位", 14, "如 kgCO2e/tkm、tCO2/t、kgCO2e/万元"),
    Column("gas", "气体/制冷剂", 10, "制冷剂逸散必填（如 R-410A）；自定因子单位未注明气体时填写"),
    Column("factor_source", "自定因子来源", 22, "自定因子必填：出处、表号、年份"),
    *(
        Column(
            f"g_{g}",
            GROUP_HEADERS[g],
            11,
            f"{g} 排放量 (t CO2e)",
            formula=True,
            number_format=_TCO2E,
        )
        for g in GROUPS
        if g not in ("CO2-biogenic", "Other")
    ),
    Column(
        "total",
        "合计 (t CO2e)",
        12,
        "本行各气体合计；若有 #GHG! 错误则显示错误",
        formula=True,
        number_format=_TCO2E,
    ),
    Column(
        "g_CO2-biogenic",
        "生物质CO2 (t)",
        11,
        "单独报告，不计入总量",
        formula=True,
        number_format=_TCO2E,
    ),
    Column(
        "g_Other",
        "其他气体 (t CO2e)",
        11,
        "京都议定书以外的气体（如 HCFC-22），单独报告",
        formula=True,
        number_format=_TCO2E,
    ),
    Column(
        "dq_activity",
        "活动数据等级",
        8,
        "6/3/1 法：6 自动连续测量；3 定期抄表；1 推估。台湾法：1 连续量测；2 定期量测；3 推估",
    ),
    Column(
        "dq_factor",
        "排放系数等级",
        8,
        "6/3/1 法：6 计算/质量平衡 … 1 国际因子。台湾法：1 自厂/质量平衡 … 3 国家/国际因子",
    ),
    Column(
        "dq_calibration",
        "仪器校正等级",
        8,
        "6/3/1 法：6 规定执行且符合；3 部分符合；1 未执行。台湾法：1 外部校正；2 内部校正；3 未校正",
    ),
    Column(
        "activity_u_pct",
        "活动数据不确定性 (±%)",
        10,
        "95% 置信区间半宽；留空则按活动数据等级取默认值（见 docs/uncertainty.md）",
    ),
    Column(
        "factor_u_pct",
        "排放因子不确定性 (±%)",
        10,
        "95% 置信区间半宽；留空则按因子类别取默认值（见 docs/uncertainty.md）",
    ),
    Column("remark", "备注", 20),
    *(
        Column(
            f"ev{m}",
            f"{m}月凭证",
            12,
            f"{m}月活动量的凭证（可选），如电费单号；留空则以本行的数据来源/凭证为准",
        )
        for m in range(1, 13)
    ),
)
ACT_COL = _letters(ACTIVITY_COLUMNS)
#: What a 活动数据 row's result cells show when its category is not a number 1–6 (text
#: "1", TRUE, 7, blank): the row formulas test it, so 汇总 leaves the row out visibly, as
#: ghgxl's totals do (E502), instead of SUMIFS and SUM disagreeing about it.
CATEGORY_ERROR_TEXT = "#GHG! E502 类别须为数字 1–6 / the category must be a number 1-6"
RESULT_GROUPS = tuple(g for g in GROUPS)  # every group has a column g_<group>


def _group_spans() -> tuple[tuple[str, ...], ...]:
    """The gas groups of 活动数据 in runs of adjacent columns (CO2 … CO2e | 生物质CO2, 其他):
    each run is one array formula, so a row's emissions take one Python call per run."""
    spans: list[list[str]] = []
    previous = None
    for index, column in enumerate(ACTIVITY_COLUMNS):
        if not column.key.startswith("g_"):
            continue
        if previous is None or index != previous + 1:
            spans.append([])
        spans[-1].append(column.key.removeprefix("g_"))
        previous = index
    return tuple(tuple(span) for span in spans)


#: Runs of adjacent gas-group columns; the first of each holds the row's array formula.
GROUP_SPANS = _group_spans()
#: Scores offered in the data-quality columns: 6/3/1 (and 5–2 for factors) in the seed's
#: scheme, 1–3 in Taiwan's; the scheme is chosen in 基本信息.
DQ_SCORES = (6, 5, 4, 3, 2, 1)


def act_range(key: str, first: int = FIRST_ROW, last: int = LAST_ROW, sheet: bool = True) -> str:
    """An absolute range of one 活动数据 column, e.g. ``活动数据!$AC$5:$AC$204``."""
    letter = ACT_COL[key]
    prefix = f"{SHEET_ACTIVITY}!" if sheet else ""
    return f"{prefix}${letter}${first}:${letter}${last}"


# --- 排放因子 (reference listing of the library) -----------------------------------------

# --- 重大性评估 (ISO 14064-1:2018 5.2.3 and Annex B) ---------------------------------------

#: ISO 14064-1:2018 5.2.3 criteria for significant indirect emissions.
SIGNIFICANCE_CRITERIA = (
    ("magnitude", "排放量级"),
    ("influence", "影响程度"),
    ("risk", "风险或机遇"),
    ("sector", "行业指引/惯例"),
    ("outsourcing", "外包活动"),
    ("engagement", "员工参与"),
)
#: ISO 14064-1:2018 Annex B sub-categories of indirect emissions (categories 3–6).
SIGNIFICANCE_ROWS = (
    ("3.1", 3, "上游运输与配送"),
    ("3.2", 3, "下游运输与配送"),
    ("3.3", 3, "员工通勤"),
    ("3.4", 3, "客户与访客交通"),
    ("3.5", 3, "商务差旅"),
    ("4.1", 4, "购买的产品（原材料等）"),
    ("4.2", 4, "资本货物"),
    ("4.3", 4, "废弃物处置"),
    ("4.4", 4, "租赁资产的使用（上游）"),
    ("4.5", 4, "使用的服务"),
    ("5.1", 5, "售出产品的使用阶段"),
    ("5.2", 5, "下游租赁资产"),
    ("5.3", 5, "售出产品的废弃处置"),
    ("5.4", 5, "投资"),
    ("6.1", 6, "其他来源"),
)
SIGNIFICANCE_COLUMNS: tuple[Column, ...] = (
    Column("code", "子类别", 8),
    Column("category", "类别", 6),
    Column("name", "名称", 24),
    *(Column(key, label, 10, "1 低；2 中；3 高") for key, label in SIGNIFICANCE_CRITERIA),
    Column("score", "总分", 8, "六项准则得分合计", formula=True),
    Column("judgement", "判定", 8, "总分 ≥ 门槛（基本信息）为重大", formula=True),
    Column("included", "是否纳入", 9, "重大的间接排放应纳入量化"),
    Column("reason", "说明/理由", 36, "判定依据；不纳入时必填"),
)
SIG_COL = _letters(SIGNIFICANCE_COLUMNS)

FACTOR_COLUMNS: tuple[Column, ...] = (
    Column("key", "因子键", 34),
    Column("gas", "气体", 10),
    Column("value", "数值", 12),
    Column("unit", "单位", 16),
    Column("name_zh", "名称", 44),
    Column("citation", "出处（报告中的引用）", 60),
    Column("source", "来源说明（因子库，含读取处）", 60),
    Column("verified", "核对情况", 10),
)
FACTOR_COL = _letters(FACTOR_COLUMNS)

# --- 公司因子: the company's own factors, the columns of a factor CSV (factors/README.md) --

#: Same columns, same order as a company overlay CSV, so rows copy across either way; the
#: header is Chinese with the CSV column name below it.
COMPANY_COLUMNS: tuple[Column, ...] = (
    Column(
        "key",
        "因子键 key",
        30,
        "小写英文、以点分隔，如 company.steel.supplier_a；与因子库同键则替换之",
    ),
    Column("gas", "气体 gas", 9, "CO2、CH4、N2O、CO2e 或制冷剂；参数（热值、密度）留空"),
    Column("value", "数值 value", 12, "因子数值（≥ 0）", number_format="General"),
    Column("unit", "单位 unit", 16, "如 kgCO2e/t、tCO2/MWh、kgCO2e/tkm"),
    Column("name_zh", "中文名称 name_zh", 34, "报告因子表中印出的名称"),
    Column("name_en", "英文名称 name_en", 24),
    Column("low", "下限 low", 9, "不确定性下限（可选）"),
    Column("high", "上限 high", 9, "不确定性上限（可选）"),
    Column("source", "出处 source", 40, "必填：供应商声明、检测报告或文献，含编号与年份"),
    Column("verified", "核对 verified", 10, "可留空（记为 company）"),
    Column("notes", "备注 notes", 30),
)
COMPANY_COL = _letters(COMPANY_COLUMNS)
COMPANY_ROWS = 200  # rows the template formats for company factors
COMPANY_LAST_ROW = FIRST_ROW + COMPANY_ROWS - 1
#: The 公司因子 table each 活动数据 row's formula passes to Python: from the header row to
#: the last key (the classic MATCH(REPT("z",255), …) finds the last text cell, gaps or not;
#: INDEX keeps the range as small as the table and, unlike OFFSET, is not volatile).
COMPANY_NAME = "ghg_company_factors"
#: The 基本信息 cell of the library version, passed to every row's cell function.
LIBRARY_NAME = "ghg_library"


def company_range() -> str:
    sheet = f"'{SHEET_COMPANY}'!"
    first, last = COMPANY_COL["key"], COMPANY_COL["notes"]
    keys = f"{sheet}${first}${FIRST_ROW}:${first}${COMPANY_LAST_ROW}"
    return (
        f"{sheet}${first}${HEADER_ROW}:INDEX({sheet}${last}${HEADER_ROW}:${last}${COMPANY_LAST_ROW},"
        f'IFERROR(MATCH(REPT("z",255),{keys}),1)+1)'
    )


# --- 绿电绿证: contractual instruments for market-based scope 2 ------------------------

INSTRUMENT_KINDS = ("绿电交易", "绿证", "供应商特定因子")
MARKET_COLUMNS: tuple[Column, ...] = (
    Column("row_id", "活动数据编号", 12, "所覆盖的外购电力在活动数据表中的编号"),
    Column("kind", "工具类型", 14, "绿电交易、绿证（GEC）或供应商特定因子"),
    Column("mwh", "电量 (MWh)", 12, "证书或合同覆盖的电量", number_format="#,##0.000"),
    Column("factor", "排放因子 (tCO2/MWh)", 14, "绿电、绿证为 0 可留空；供应商特定因子必填"),
    Column("vintage", "电量生产年份", 10, "应为报告年度"),
    Column("certificate", "证书/合同编号", 22, "同一编号只能声明一次"),
    Column("evidence", "凭证说明", 30, "交易平台、合同或证书的出处"),
)
MARKET_COL = _letters(MARKET_COLUMNS)
MARKET_ROWS = 200
MARKET_LAST_ROW = FIRST_ROW + MARKET_ROWS - 1

# --- 各厂区汇总: the sites of a group workbook and what each emits ------------------------

#: Site lines: the sites ``ghgxl consolidate`` lists (inputs), then what each emits by
#: category and by gas (SUMIFS over 活动数据 by 厂区/部门: the site, or the site and ｜).
#: Between a site's name and a row's own 厂区/部门 in a group workbook (``一厂｜锅炉房``).
SITE_MARK = "｜"
SITE_INPUTS: tuple[Column, ...] = (
    Column(
        "site",
        "厂区",
        16,
        "consolidate 填写；活动数据“厂区/部门”为此名称或以“此名称｜”开头的行属于此厂区",
    ),
    Column("file", "来源清册", 26, "合并时读取的厂区盘查清册文件"),
    Column(
        "share",
        "计入比例（%）",
        10,
        "运营控制、财务控制为 100；股权比例法为股权比例（填 50 表示 50%）",
    ),
)
SITE_FIGURES: tuple[Column, ...] = (
    *(
        Column(f"category:{c}", f"类别{c}", 12, formula=True, number_format="#,##0.00")
        for c in (1, 2, 3, 4, 5, 6)
    ),
    Column("total", "合计 (t CO2e)", 14, formula=True, number_format="#,##0.00"),
    Column("share_of_total", "占总排放量", 10, formula=True, number_format="0.00%"),
    *(
        Column(f"gas:{g}", GROUP_HEADERS[g], 12, formula=True, number_format="#,##0.00")
        for g in TOTAL_GROUPS
    ),
)
SITE_COLUMNS = (*SITE_INPUTS, *SITE_FIGURES)
SITE_COL = _letters(SITE_COLUMNS)
#: Row 5: the whole workbook (汇总's figures); row 6: the rows of no listed site; the
#: sites from row 7.
SITES_ALL_ROW, SITES_UNASSIGNED_ROW, SITES_FIRST_ROW = 5, 6, 7
SITE_ROWS = 200
SITES_LAST_ROW = SITES_FIRST_ROW + SITE_ROWS - 1

# --- 数据质量 and 汇总: where their totals are (the builder writes them, calc fills them) --

#: ISO 14064-1 categories, as the dropdowns and the summary tables list them.
L_CATEGORIES = (1, 2, 3, 4, 5, 6)


def quality_total_row(last: int = LAST_ROW) -> int:
    """数据质量's weighted score, a row below its table (its grade one row further)."""
    return last + 2


QUALITY_TOTAL_ROW = quality_total_row()  # the template's

SUMMARY_GASES = TOTAL_GROUPS  # CO2 … NF3, CO2e
SUMMARY_CATEGORY_FIRST = 5  # table 2: categories in rows 5–10, total in 11
SUMMARY_TOTAL = "B11"
SUMMARY_GAS_ROW = 15  # table 3: one row of gases
SUMMARY_CATGAS_FIRST = 20  # tables 4–5: category × gas, rows 20–25
SUMMARY_BIOGENIC = "B28"
SUMMARY_OTHER = "B29"
SUMMARY_ERRORS = "B31"
SUMMARY_CHECK = "B32"
#: Dual reporting of scope 2 (GHG Protocol Scope 2 Guidance): the location-based figure
#: (the 类别2 rows), the market-based one (GHG_SCOPE2_MARKET over 活动数据 and 绿电绿证), the
#: total with scope 2 each way, and what 基本信息's 总排放量中范围二的计算方法 adds to 类别2,
#: the total and CO2 (市场法: market less location; 位置法: 0). Apart from
#: :func:`summary_cells`: the market-based figure is a Python cell function, not a native
#: formula LibreOffice recomputes.
SCOPE2_CELLS = {
    "scope2_location": "B35",
    "scope2_market": "B36",
    "total_market": "B37",
    "total_location": "B38",
    "adjustment": "B39",
}


def summary_cells() -> dict[str, str]:
    """Where each summary figure is: ``category:1`` → ``B5`` and its share ``share:1`` →
    ``C5``, ``total`` and ``share_total``; ``gas:CO2`` → ``B15`` and ``gas_share:CO2`` →
    ``B16``, ``gas_total``; ``category_gas:3:HFCs`` → ``E22``; ``biogenic``, ``other``,
    ``errors`` (the text of :data:`SUMMARY_CHECK` is not a figure)."""
    cells: dict[str, str] = {}
    for c in L_CATEGORIES:
        cells[f"category:{c}"] = f"B{SUMMARY_CATEGORY_FIRST + c - 1}"
        cells[f"share:{c}"] = f"C{SUMMARY_CATEGORY_FIRST + c - 1}"
    cells["total"] = SUMMARY_TOTAL
    cells["share_total"] = f"C{SUMMARY_TOTAL[1:]}"
    for index, gas in enumerate(SUMMARY_GASES):
        letter = column_letter(2 + index)
        cells[f"gas:{gas}"] = f"{letter}{SUMMARY_GAS_ROW}"
        cells[f"gas_share:{gas}"] = f"{letter}{SUMMARY_GAS_ROW + 1}"
        for category in L_CATEGORIES:
            cells[f"category_gas:{category}:{gas}"] = (
                f"{letter}{SUMMARY_CATGAS_FIRST + category - 1}"
            )
    cells["gas_total"] = f"{column_letter(2 + len(SUMMARY_GASES))}{SUMMARY_GAS_ROW}"
    cells.update(biogenic=SUMMARY_BIOGENIC, other=SUMMARY_OTHER, errors=SUMMARY_ERRORS)
    return cells
