"""The sheets of the 盘查清册, written with openpyxl into the xlwings standalone workbook.

Cell addresses come from :mod:`ghgxl.workbook.layout`, formulas from
:mod:`ghgxl.workbook.formulas`; here: styles, validation, comments, protection.
"""

from __future__ import annotations

import datetime as dt

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

import ghgxl
from ghgxl import citations
from ghgxl.factors import FactorLibrary
from ghgxl.workbook import formulas as F
from ghgxl.workbook import layout as L
from ghgxl.workbook.refs import column_letter, split_ref
from ghgxl.workbook.xlsx import ooxml_text

TITLE = Font(name="黑体", size=14, bold=True)
HEADER = Font(name="黑体", size=10, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="2F5597")
FORMULA_FILL = PatternFill("solid", fgColor="E7EEF8")
NOTE = Font(size=9, color="595959", italic=True)
BOLD = Font(name="黑体", size=10, bold=True)
BODY = Font(name="宋体", size=10)
THIN = Side(style="thin", color="BFBFBF")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
AUTHOR = "ghgxl"
#: Units offered in the dropdown (any unit ghgxl understands may be typed).
UNIT_CHOICES = (
    "kWh", "万kWh", "MWh", "GJ", "TJ", "t", "kg", "L", "m3", "Nm3", "万Nm3",
    "tkm", "pkm", "km", "人天", "人时", "万元", "元", "USD",
)  # fmt: skip
#: Fixed document dates, so that a rebuild of the template is byte-identical.
FIXED_DATE = dt.datetime(2026, 1, 1)


def _title(ws: Worksheet, title: str, note: str) -> None:
    """Title and note rows, and a print layout: landscape A4, one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws["A1"] = title
    ws["A1"].font = TITLE
    ws["A2"] = note
    ws["A2"].font = NOTE


def _table_header(ws: Worksheet, columns: tuple[L.Column, ...], row: int = L.HEADER_ROW) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=row, column=index, value=column.header)
        cell.font, cell.fill, cell.border = HEADER, HEADER_FILL, GRID
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        if column.note:
            cell.comment = Comment(column.note, AUTHOR, width=260, height=80)
        ws.column_dimensions[cell.column_letter].width = column.width
    ws.row_dimensions[row].height = 42


def _validation(ws: Worksheet, formula: str, cells: str, prompt: str = "") -> None:
    rule = DataValidation(type="list", formula1=formula, allow_blank=True)
    rule.error = "请从下拉列表选择 / pick a value from the list"
    rule.errorTitle = "ghgxl"
    rule.showErrorMessage = True
    if prompt:
        rule.prompt, rule.showInputMessage = prompt, True
    ws.add_data_validation(rule)
    rule.add(cells)


# --- _lists ------------------------------------------------------------------------------


def list_columns(library: FactorLibrary) -> dict[str, tuple]:
    """The dropdown lists, by name (column order of the hidden ``_lists`` sheet)."""
    return {
        "category": L.L_CATEGORIES,
        "scope3_category": tuple(range(1, 16)),
        "method": tuple(L.METHOD_LABELS),
        "unit": UNIT_CHOICES,
        "factor_key": tuple(library.choice(k) for k in library.emission_factor_keys()),
        "gwp_set": ("AR6", "AR5", "AR4", "SAR"),
        "dq_activity": L.DQ_SCORES,
        "dq_factor": L.DQ_SCORES,
        "dq_calibration": L.DQ_SCORES,
        "consolidation": L.CONSOLIDATION,
        "dq_scheme": L.DQ_SCHEMES,
        "verification": L.VERIFICATION,
        "included": L.INCLUDED,
        "emission_type": L.EMISSION_TYPES,
        "significance_score": (1, 2, 3),
        "significance_included": ("纳入", "不纳入"),
        "scope2_basis": (L.SCOPE2_LOCATION, L.SCOPE2_MARKET),
    }


def list_ref(library: FactorLibrary, name: str) -> str:
    """``_lists!$E$2:$E$120`` for the dropdown list ``name``."""
    names = list(list_columns(library))
    letter = chr(ord("A") + names.index(name))
    count = len(list_columns(library)[name])
    return f"{L.SHEET_LISTS}!${letter}$2:${letter}${count + 1}"


def write_lists(ws: Worksheet, library: FactorLibrary) -> None:
    for index, (name, values) in enumerate(list_columns(library).items(), start=1):
        ws.cell(row=1, column=index, value=name)
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=index, value=value)
    ws.sheet_state = "hidden"


# --- 使用说明 -----------------------------------------------------------------------------

GUIDE_LINES = (
    "本工作簿是温室气体盘查清册（ISO 14064-1:2018 / GHG Protocol），计算由 ghgxl 完成。",
    "步骤：① 基本信息 → ② 排放源识别 → ③ 活动数据（每个排放源一行，填写活动量、单位和因子）"
    " → ④ 数据质量等级 → ⑤ 查看汇总 → ⑥ 生成报告。",
    "蓝色底纹的列是公式，由 ghgxl 计算，请勿手工输入；白色的列由您填写。",
    "排放量公式 =GHG_EMISSION_GROUPS(...)（每行一个数组公式）在 Excel（Windows）中调用 Python；"
    "没有 Python 时打开本文件仍显示上次保存的结果。",
    "没有 Excel 时：在命令行运行 ghgxl calc 本文件.xlsm --in-place（先自动备份），结果写入单元格（公式保留）；"
    "或 ghgxl calc 本文件.xlsm -o 新文件.xlsm 写入新文件。只运行 ghgxl calc 本文件.xlsm 时只显示结果、不改动文件。",
    "按钮：检查清册（查找缺漏与错误）、重新计算、生成报告（Word，保存在本文件旁）、生成核查包（供查证机构重算与抽样，保存在本文件旁的“-核查包”文件夹）；后两个按钮先要保存清册，因报告与核查包记录所保存文件的 SHA-256。",
    "首次在 Windows 上使用，或单元格显示 #NAME?、按钮无反应时：在命令提示符运行 ghgxl excel setup 本文件.xlsm，"
    "再运行 ghgxl excel doctor 本文件.xlsm，按 → 提示处理（安装步骤见 ghgxl 的 docs/install-windows.md）。",
    "macOS 版 Excel 不支持 xlwings 的自定义函数（UDF），按钮（RunPython）可用；请用 ghgxl calc 计算。",
    "单元格显示 #GHG! 表示该行输入有误，提示中有中英文说明与处理办法；汇总表统计错误单元格数。",
    "大表（数千行）：粘贴数据后用 ghgxl calc 本文件.xlsm --in-place 计算（10 万行约 10 秒），"
    "再在 Excel 中打开，无需 Excel 全部重算。",
)


def write_guide(ws: Worksheet, library: FactorLibrary) -> None:
    _title(
        ws,
        "温室气体盘查清册 — 使用说明",
        "ghgxl: 清册即界面，计算在底层 / the workbook is the interface",
    )
    for row, height in enumerate(L.GUIDE_ROW_HEIGHTS, start=1):
        ws.row_dimensions[row].height = height
    for row, line in enumerate(GUIDE_LINES, start=len(L.GUIDE_ROW_HEIGHTS) + 1):
        ws.cell(row=row, column=1, value=line).alignment = WRAP
    versions = (
        ("ghgxl 版本", ghgxl.__version__),
        ("因子库版本", library.version),
        ("模板版本", L.TEMPLATE_VERSION),
    )
    start = len(L.GUIDE_ROW_HEIGHTS) + 1 + len(GUIDE_LINES) + 1
    for offset, (label, value) in enumerate(versions):
        ws.cell(row=start + offset, column=1, value=f"{label}：{value}").font = NOTE
    ws.column_dimensions["A"].width = 110
    ws.sheet_view.showGridLines = False


# --- 基本信息 -----------------------------------------------------------------------------


def write_info(
    ws: Worksheet, library: FactorLibrary, company: str | None, year: int | None
) -> None:
    _title(ws, "基本信息", "组织、边界与报告设置；C 列为 ghgxl 读取用的键名（请勿修改）")
    for column, (header, width) in enumerate((("项目", 24), ("内容", 70), ("键", 18)), start=1):
        cell = ws.cell(row=3, column=column, value=header)
        cell.font, cell.fill = HEADER, HEADER_FILL
        ws.column_dimensions[cell.column_letter].width = width
    for field in L.INFO_FIELDS:
        row = L.INFO_ROW[field.key]
        value = field.default
        if field.key == "company" and company:
            value = ooxml_text(company)  # openpyxl writes text as it is
        elif field.key == "factor_library":
            value = library.version
        elif field.key in ("reporting_year", "base_year") and year:
            value = year
        elif field.key in ("period_start", "period_end") and year:
            value = f"{year}-01-01" if field.key == "period_start" else f"{year}-12-31"
        ws.cell(row=row, column=1, value=field.label).font = BODY
        cell = ws.cell(row=row, column=2, value=value)
        cell.border, cell.protection = GRID, Protection(locked=False)
        cell.alignment = WRAP
        if field.long_text:
            ws.row_dimensions[row].height = 60
        if field.note:
            cell.comment = Comment(field.note, AUTHOR)
        ws.cell(row=row, column=3, value=field.key).font = NOTE
        if field.choices:
            _validation(ws, list_ref(library, field.key), cell.coordinate)


def define_names(wb) -> None:
    for name, (key,) in L.DEFINED_NAMES.items():
        ref = f"'{L.SHEET_INFO}'!${'B'}${L.INFO_ROW[key]}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    wb.defined_names[L.COMPANY_NAME] = DefinedName(L.COMPANY_NAME, attr_text=L.company_range())
    # the total the per-row shares divide (数据质量's weights, 各厂区汇总): each row counts
    # location-based, so the total with scope 2 location-based (汇总's B11 when 位置法)
    total = L.SCOPE2_CELLS["total_location"]
    wb.defined_names["ghg_total"] = DefinedName(
        "ghg_total", attr_text=f"'{L.SHEET_SUMMARY}'!${total[0]}${total[1:]}"
    )


# --- 排放源识别 ---------------------------------------------------------------------------


def write_sources(ws: Worksheet, library: FactorLibrary) -> None:
    _title(ws, "排放源识别", "ISO 14064-1 类别 1–6；排除的排放源须填写理由与估算排放量")
    _table_header(ws, L.SOURCE_COLUMNS)
    col = L.SOURCE_COL
    for row in range(L.FIRST_ROW, L.LAST_ROW + 1):
        ws[f"{col['scope']}{row}"] = F.scope_formula(f"${col['category']}{row}")
        for column in L.SOURCE_COLUMNS:
            cell = ws[f"{col[column.key]}{row}"]
            cell.border, cell.number_format = GRID, column.number_format
            cell.protection = Protection(locked=column.formula)
            if column.formula:
                cell.fill = FORMULA_FILL
    rows = f"{L.FIRST_ROW}:{L.LAST_ROW}"
    for key in ("category", "scope3_category", "included", "emission_type"):
        first, last = rows.split(":")
        _validation(ws, list_ref(library, key), f"{col[key]}{first}:{col[key]}{last}")
    ws.freeze_panes = f"A{L.FIRST_ROW}"


# --- 活动数据 -----------------------------------------------------------------------------


def write_activity(ws: Worksheet, library: FactorLibrary, rows: int = L.TEMPLATE_ROWS) -> None:
    _title(
        ws,
        "活动数据与排放量计算",
        "每个排放源一行；蓝色列为公式（t CO2e）。因子键从因子库选择，或填写自定因子、单位与来源。",
    )
    _table_header(ws, L.ACTIVITY_COLUMNS)
    last = L.FIRST_ROW + rows - 1
    for row in range(L.FIRST_ROW, last + 1):
        formulas = F.activity_formulas(row)
        arrays = {f"g_{groups[0]}": F.array_ref(row, groups) for groups in L.GROUP_SPANS}
        for column in L.ACTIVITY_COLUMNS:
            cell = ws[f"{L.ACT_COL[column.key]}{row}"]
            cell.border, cell.number_format = GRID, column.number_format
            if column.formula:
                formula = formulas.get(column.key)  # none: a cell of its run's array
                if column.key in arrays:
                    formula = ArrayFormula(arrays[column.key], formula)
                cell.value, cell.fill = formula, FORMULA_FILL
                cell.protection = Protection(locked=True)
            else:
                cell.protection = Protection(locked=False)
    for key in (
        "category",
        "scope3_category",
        "method",
        "unit",
        "factor_key",
        "dq_activity",
        "dq_factor",
        "dq_calibration",
    ):
        letter = L.ACT_COL[key]
        _validation(ws, list_ref(library, key), f"{letter}{L.FIRST_ROW}:{letter}{last}")
    # units are a list of common ones; any unit ghgxl knows may be typed, and a factor key
    # may be typed without its Chinese name: warn, not stop
    for rule in ws.data_validations.dataValidation:
        if str(rule.sqref).split(":")[0].rstrip("0123456789") in (
            L.ACT_COL["unit"],
            L.ACT_COL["factor_key"],
        ):
            rule.errorStyle = "warning"
    ws.freeze_panes = f"D{L.FIRST_ROW}"
    ws.auto_filter.ref = f"A{L.HEADER_ROW}:{L.ACT_COL['remark']}{last}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


# --- 重大性评估 ---------------------------------------------------------------------------


def write_significance(ws: Worksheet, library: FactorLibrary) -> None:
    _title(
        ws,
        "间接排放重大性评估（ISO 14064-1:2018 5.2.3）",
        "六项准则各评 1–3 分；总分达到基本信息中的门槛为重大，重大的间接排放应纳入量化；不纳入须说明理由",
    )
    _table_header(ws, L.SIGNIFICANCE_COLUMNS)
    c = L.SIG_COL
    last = L.FIRST_ROW + len(L.SIGNIFICANCE_ROWS) - 1
    for offset, (code, category, name) in enumerate(L.SIGNIFICANCE_ROWS):
        row = L.FIRST_ROW + offset
        ws[f"{c['code']}{row}"], ws[f"{c['category']}{row}"], ws[f"{c['name']}{row}"] = (
            code,
            category,
            name,
        )
        formulas = F.significance_formulas(row)
        for column in L.SIGNIFICANCE_COLUMNS:
            cell = ws[f"{c[column.key]}{row}"]
            cell.border = GRID
            if column.formula:
                cell.value, cell.fill = formulas[column.key], FORMULA_FILL
            cell.protection = Protection(
                locked=column.formula or column.key in ("code", "category", "name")
            )
    first_score, last_score = c[L.SIGNIFICANCE_CRITERIA[0][0]], c[L.SIGNIFICANCE_CRITERIA[-1][0]]
    _validation(
        ws,
        list_ref(library, "significance_score"),
        f"{first_score}{L.FIRST_ROW}:{last_score}{last}",
    )
    _validation(
        ws,
        list_ref(library, "significance_included"),
        f"{c['included']}{L.FIRST_ROW}:{c['included']}{last}",
    )
    ws.freeze_panes = f"D{L.FIRST_ROW}"
    ws.protection.sheet = True


# --- 排放因子 -----------------------------------------------------------------------------


def write_factors(ws: Worksheet, library: FactorLibrary) -> None:
    _title(
        ws,
        f"排放因子（ghgxl 因子库 {library.version}，只读参考）",
        "每个数值注明出处（报告中的引用，可供查证）、因子库的来源说明与核对情况；公司自有因子请填在“公司因子”表（按因子键使用）或活动数据表的“自定因子”列，并注明来源。",
    )
    _table_header(ws, L.FACTOR_COLUMNS)
    for row, factor in enumerate(library.rows(), start=L.FIRST_ROW):
        for column in L.FACTOR_COLUMNS:
            if column.key == "citation":
                value = citations.citation(factor.source)
            else:
                value = getattr(factor, column.key)
            ws[f"{L.FACTOR_COL[column.key]}{row}"] = "" if value is None else value
    ws.freeze_panes = f"B{L.FIRST_ROW}"
    ws.auto_filter.ref = (
        f"A{L.HEADER_ROW}:{L.FACTOR_COL['verified']}{L.FIRST_ROW + len(library.rows()) - 1}"
    )


# --- 公司因子 -----------------------------------------------------------------------------


def write_company(ws: Worksheet) -> None:
    """The company's own factors: the columns of a factor CSV, checked as the library's
    rows are; a key here replaces the library's key of the same name in this workbook."""
    _title(
        ws,
        "公司因子（本清册自有的排放因子与参数）",
        "列与因子库 CSV 相同，可整行复制；因子键与因子库相同时替换因子库的值。活动数据表“因子键”列填写此处的因子键即可使用；"
        "报告因子表注明“公司因子”。每行必须注明出处。",
    )
    _table_header(ws, L.COMPANY_COLUMNS)
    for row in range(L.FIRST_ROW, L.COMPANY_LAST_ROW + 1):
        for column in L.COMPANY_COLUMNS:
            cell = ws[f"{L.COMPANY_COL[column.key]}{row}"]
            cell.border, cell.number_format = GRID, column.number_format
    ws.freeze_panes = f"B{L.FIRST_ROW}"


# --- 绿电绿证 -----------------------------------------------------------------------------


def write_market(ws: Worksheet) -> None:
    """Contractual instruments for the market-based scope 2 (reported beside the
    location-based one; 基本信息 says which of the two the totals count)."""
    _title(
        ws,
        "绿电绿证（范围二市场法）",
        "每行一份证书或合同：所覆盖外购电力的活动数据编号、类型、电量 (MWh)、生产年份与编号。"
        "范围二按位置法与市场法并列报告；未被覆盖的电量按全国电力平均二氧化碳排放因子（不包括市场化交易的非化石能源电量）计算。总排放量采用哪一种，见基本信息“总排放量中范围二的计算方法”。",
    )
    _table_header(ws, L.MARKET_COLUMNS)
    last = L.MARKET_LAST_ROW
    for row in range(L.FIRST_ROW, last + 1):
        for column in L.MARKET_COLUMNS:
            cell = ws[f"{L.MARKET_COL[column.key]}{row}"]
            cell.border, cell.number_format = GRID, column.number_format
    kinds = '"' + ",".join(L.INSTRUMENT_KINDS) + '"'
    kind = L.MARKET_COL["kind"]
    _validation(ws, kinds, f"{kind}{L.FIRST_ROW}:{kind}{last}")
    ws.freeze_panes = f"B{L.FIRST_ROW}"


# --- 数据质量 -----------------------------------------------------------------------------

QUALITY_HEADERS = (
    ("编号", 8), ("排放源", 24), ("活动数据等级", 9), ("排放系数等级", 9), ("仪器校正等级", 9),
    ("平均得分", 9), ("数据等级", 8), ("排放量 (t CO2e)", 14), ("占总排放量比例", 12), ("加权平均积分", 12),
)  # fmt: skip


def write_quality(ws: Worksheet, rows: int = L.TEMPLATE_ROWS) -> None:
    _title(
        ws,
        "数据质量评估",
        "平均得分=(活动数据+排放系数+仪器校正)/3；加权平均积分=平均得分×排放占比；等级：≥5 一级，4–5 二级，3–4 三级，2–3 四级，<2 五级",
    )
    for column, (header, width) in enumerate(QUALITY_HEADERS, start=1):
        cell = ws.cell(row=L.HEADER_ROW, column=column, value=header)
        cell.font, cell.fill, cell.border = HEADER, HEADER_FILL, GRID
        ws.column_dimensions[cell.column_letter].width = width
    last = L.last_row(rows)
    for row in range(L.FIRST_ROW, last + 1):
        for column, formula in enumerate(F.quality_formulas(row), start=1):
            cell = ws.cell(row=row, column=column, value=formula)
            cell.fill, cell.border = FORMULA_FILL, GRID
        ws.cell(row=row, column=6).number_format = "0.0000"
        ws.cell(row=row, column=8).number_format = "#,##0.00"
        ws.cell(row=row, column=9).number_format = "0.0000%"
        ws.cell(row=row, column=10).number_format = "0.0000"
    total = L.quality_total_row(last)
    ws.cell(row=total, column=1, value="加权平均积分总计").font = BOLD
    ws.cell(row=total + 1, column=1, value="数据等级").font = BOLD
    for ref, formula in F.quality_total_formulas(last).items():
        ws[ref] = formula
    ws[f"J{total}"].number_format = "0.0000"
    ws.freeze_panes = f"C{L.FIRST_ROW}"
    ws.protection.sheet = True


# --- 汇总 ---------------------------------------------------------------------------------


def write_summary(ws: Worksheet, rows: int = L.TEMPLATE_ROWS) -> None:
    _title(
        ws,
        "排放量汇总（t CO2e）",
        "全部为公式，来自活动数据表；若错误单元格数不为 0，请先修正活动数据",
    )
    cells = L.summary_cells()
    ws["A4"], ws["B4"], ws["C4"] = "ISO 14064-1 类别", "排放量 (t CO2e)", "百分比"
    labels = (
        "类别1 直接排放",
        "类别2 输入能源间接排放",
        "类别3 运输间接排放",
        "类别4 使用产品间接排放",
        "类别5 产品使用间接排放",
        "类别6 其他间接排放",
    )
    for c, label in zip(L.L_CATEGORIES, labels, strict=True):
        ws[F.label_of(cells[f"category:{c}"])] = label
    ws[F.label_of(L.SUMMARY_TOTAL)] = "总计"
    ws[f"A{L.SUMMARY_GAS_ROW - 2}"] = (
        "表3 温室气体种类及排放量（CO2e 列为已以 CO2 当量给出、未分气体的因子）"
    )
    ws[f"A{L.SUMMARY_GAS_ROW - 1}"] = "气体"
    ws[f"A{L.SUMMARY_GAS_ROW}"], ws[f"A{L.SUMMARY_GAS_ROW + 1}"] = "排放量", "百分比"
    ws[f"A{L.SUMMARY_CATGAS_FIRST - 1}"] = "类别 \\ 气体"
    ws[f"A{L.SUMMARY_CATGAS_FIRST - 2}"] = (
        "表4–5 各类别分气体排放量（类别1=范围一，类别2=范围二，类别3–6=范围三）"
    )
    for gas in L.SUMMARY_GASES:
        letter = cells[f"gas:{gas}"].rstrip("0123456789")
        ws[f"{letter}{L.SUMMARY_GAS_ROW - 1}"] = L.GROUP_HEADERS[gas]
        ws[f"{letter}{L.SUMMARY_CATGAS_FIRST - 1}"] = L.GROUP_HEADERS[gas]
        for c in L.L_CATEGORIES:
            ws[F.label_of(cells[f"category_gas:{c}:{gas}"])] = f"类别{c}"
    ws[f"{cells['gas_total'].rstrip('0123456789')}{L.SUMMARY_GAS_ROW - 1}"] = "合计"
    ws[F.label_of(cells["biogenic"])] = "生物质 CO2 (t，不计入总量)"
    ws[F.label_of(cells["other"])] = "其他气体 (t CO2e，京都议定书以外，不计入总量)"
    ws[F.label_of(cells["errors"])] = "错误单元格数（#GHG!）"
    ws[F.label_of(L.SUMMARY_CHECK)] = "核对：按类别合计 = 按气体合计"
    s2 = L.SCOPE2_CELLS
    ws[f"A{int(s2['scope2_location'][1:]) - 1}"] = (
        "范围二双重报告（GHG Protocol 范围二指南；市场法的凭证见绿电绿证表）"
    )
    ws[F.label_of(s2["scope2_location"])] = "范围二 位置法 (t CO2e，类别2各行)"
    ws[F.label_of(s2["scope2_market"])] = "范围二 市场法 (t CO2e)"
    ws[F.label_of(s2["total_market"])] = "总计（范围二按市场法）"
    ws[F.label_of(s2["total_location"])] = "总计（范围二按位置法）"
    ws[F.label_of(s2["adjustment"])] = "范围二调整（选市场法时计入总量）"
    for ref, formula in F.summary_formulas(L.last_row(rows)).items():
        ws[ref] = formula
    percent_cells = {v for k, v in cells.items() if k.startswith(("share", "gas_share"))}
    for row in ws.iter_rows(min_row=4, max_row=split_ref(L.SCOPE2_CELLS["adjustment"])[0]):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.fill = FORMULA_FILL
                percent = cell.coordinate in percent_cells
                cell.number_format = "0.00%" if percent else "#,##0.00"
    ws[cells["errors"]].number_format = "0"
    ws.column_dimensions["A"].width = 34
    for index in range(len(L.SUMMARY_GASES) + 1):
        ws.column_dimensions[column_letter(2 + index)].width = 14
    ws.protection.sheet = True


# --- 各厂区汇总 ---------------------------------------------------------------------------


def write_sites(ws: Worksheet, rows: int = L.TEMPLATE_ROWS) -> None:
    """The sites of a group workbook (consolidate lists them) and what each emits."""
    _title(
        ws,
        "各厂区汇总（t CO2e）",
        "集团清册由 ghgxl consolidate 填写厂区、来源清册与计入比例；其余为公式，按活动数据“厂区/部门”"
        "（厂区名称，或“厂区名称｜部门”）汇总，排放量已按计入比例折算。单一厂区的清册可留空。",
    )
    _table_header(ws, L.SITE_COLUMNS)
    labels = {
        L.SITES_ALL_ROW: "全部排放源（汇总表，范围二按位置法）",
        L.SITES_UNASSIGNED_ROW: "（未归属厂区）",
    }
    for row, label in labels.items():
        ws[f"A{row}"] = label
        ws[f"A{row}"].font = BOLD
    for ref, formula in F.sites_formulas(L.last_row(rows)).items():
        ws[ref] = formula
    for row in range(L.SITES_FIRST_ROW, L.SITES_LAST_ROW + 1):
        for column in L.SITE_INPUTS:
            cell = ws[f"{L.SITE_COL[column.key]}{row}"]
            cell.number_format, cell.protection = column.number_format, Protection(locked=False)
    for row in range(L.SITES_ALL_ROW, L.SITES_LAST_ROW + 1):
        for column in L.SITE_COLUMNS:
            cell = ws[f"{L.SITE_COL[column.key]}{row}"]
            cell.border = GRID
            if column.formula:
                cell.fill, cell.number_format = FORMULA_FILL, column.number_format
    ws.freeze_panes = f"B{L.SITES_FIRST_ROW}"
    ws.protection.sheet = True  # the figures are formulas (and calc writes their values)
