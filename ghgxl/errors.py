"""Errors people can act on: a code, a place, Chinese and English, what to do.

Every error ghgxl reports is a :class:`GhgError` built from one entry of :data:`CATALOGUE`,
so the codes, messages and hints live in one place (``docs/errors.md`` is generated from it).
Codes: E1xx values, E2xx units, E3xx factors, E4xx gases and GWPs, E5xx methods and rows,
E6xx files and workbooks, E7xx Excel and its Python, E9xx internal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorSpec:
    """Template of one error code (``{name}`` fields are filled from the details)."""

    zh: str
    en: str
    hint_zh: str
    hint_en: str


CATALOGUE: dict[str, ErrorSpec] = {
    "E101": ErrorSpec(
        "缺少必填数值 {what}",
        "missing required number {what}",
        "请填写数值",
        "enter a number",
    ),
    "E102": ErrorSpec(
        "'{value}' 不是数值",
        "'{value}' is not a number",
        "请只填写数字（可用千分位逗号），单位写在单位列",
        "enter digits only (thousands commas allowed); put the unit in the unit column",
    ),
    "E103": ErrorSpec(
        "数值不能为负：{value}",
        "a negative amount is not allowed: {value}",
        "活动数据应为正数或零；退回或减少量请在对应栏目中填写",
        "activity data must be zero or positive; record returns in their own column",
    ),
    "E104": ErrorSpec(
        "数值 '{value}' 有歧义（千分位或小数点写法不明）",
        "the number '{value}' is ambiguous (thousands separator or decimal point)",
        "请写成 1234.5 或 1,234.5 的形式",
        "write it as 1234.5 or 1,234.5",
    ),
    "E105": ErrorSpec(
        "数值不是有限数：{value}",
        "the number is not finite: {value}",
        "请填写普通数值",
        "enter an ordinary number",
    ),
    "E106": ErrorSpec(
        "排放量 {value} t CO2e 超过全球年排放总量，不可能是一个排放源的排放量",
        "{value} t CO2e is more than the whole world emits in a year: not one source's emissions",
        "请检查活动量及其单位（如把千克写成了吨）",
        "check the amount and its unit (kilograms typed as tonnes, say)",
    ),
    "E107": ErrorSpec(
        "单元格是 Excel 错误值 {value}（公式出错），不是数值",
        "the cell holds the Excel error {value} (a formula failed), not a number",
        "请修正该单元格的公式：#N/A 查找不到，#DIV/0! 除以零，#REF! 引用已删除，#VALUE! 类型不对",
        "fix the cell's formula: #N/A nothing found, #DIV/0! division by zero, #REF! a deleted reference, #VALUE! a wrong type",
    ),
    "E108": ErrorSpec(
        "'{value}' 是文字而非数值：工作表的求和与平均跳过文字，此值未被计入",
        "'{value}' is text, not a number: the sheet's SUM and AVERAGE skip text, so it is not counted",
        "请改为数值：只输入数字本身（不加单位、引号或千分位逗号）；粘贴来的数字可用“分列”转为数值",
        "make it a number: type the digits alone (no unit, quote or thousands comma); turn pasted numbers into numbers with Text to Columns",
    ),
    "E109": ErrorSpec(
        "单元格是日期或时间 {value}，不是数值：Excel 的求和把它按序列号 {serial:,.10g} 计入",
        "the cell holds the date or time {value}, not a number: Excel's SUM counts it as its "
        "serial number {serial:,.10g}",
        "输入 1/2、3-5 之类会被 Excel 变成日期：请把单元格格式设为“常规”，再输入数值（如 0.5）",
        "typing 1/2 or 3-5 makes Excel store a date: set the cell's format to General and type "
        "the number (0.5, say)",
    ),
    "E110": ErrorSpec(
        "数据质量评分 {value} 不是{scheme}的{item}评分（{allowed}）：此评分仍按原值计入加权平均积分",
        "the data-quality score {value} is not {item_en} score of the {scheme_en} scheme "
        "({allowed}): the weighted score still counts it as it is",
        "请从下拉列表选择评分（评分标准见“使用说明”及报告的数据质量章节）；方案见基本信息“数据质量评分方案”",
        "pick the score from the list (the rubric is in 使用说明 and in the report's data-quality "
        "chapter); the scheme is set in 基本信息 数据质量评分方案",
    ),
    "E111": ErrorSpec(
        "不确定性 '{value}' 不是百分数：计算不确定性时此行改用缺省值",
        "the uncertainty '{value}' is not a percentage: the uncertainty analysis uses the default "
        "for this row instead",
        "请填写 95% 置信区间半宽的百分数数值，如 10 表示 ±10%；不填则用缺省值",
        "type the half-width of the 95 % interval in percent, e.g. 10 for ±10 %; leave it "
        "empty for the default",
    ),
    "E201": ErrorSpec(
        "未知单位 '{unit}'",
        "unknown unit '{unit}'",
        "请从下拉列表选择单位，如 kWh、吨、升、标准立方米",
        "pick a unit from the list, e.g. kWh, t, L, Nm3",
    ),
    "E202": ErrorSpec(
        "单位 '{unit}' 无法换算为 '{target}'{extra_zh}",
        "unit '{unit}' cannot be converted to '{target}'{extra_en}",
        "请检查活动数据单位是否与排放因子单位一致",
        "check that the activity unit fits the factor's unit",
    ),
    "E203": ErrorSpec(
        "排放因子单位 '{unit}' 格式不对",
        "factor unit '{unit}' is not of the form <mass><gas>/<activity unit>",
        "请写成 kgCO2/kWh、tCO2e/t、gCH4/GJ 这样的形式",
        "write it like kgCO2/kWh, tCO2e/t, gCH4/GJ",
    ),
    "E204": ErrorSpec(
        "货币单位不能互相换算：'{unit}' 与 '{target}'",
        "currencies never convert silently: '{unit}' and '{target}'",
        "请先按汇率换算成排放因子所用的货币",
        "convert the amount to the factor's currency at your exchange rate first",
    ),
    "E205": ErrorSpec(
        "输出单位 '{unit}' 不支持",
        "output unit '{unit}' is not supported",
        "请用 tCO2e、kgCO2e，或 t<气体>/kg<气体>（如 tCH4）",
        "use tCO2e, kgCO2e, or t<gas>/kg<gas> such as tCH4",
    ),
    "E206": ErrorSpec(
        "单位 '{unit}' 有歧义：{meaning_zh}",
        "the unit '{unit}' is ambiguous: {meaning_en}",
        "请写成 {suggestion_zh}",
        "write {suggestion_en}",
    ),
    "E207": ErrorSpec(
        "排放因子单位 '{unit}' 的分子 {tag} 不是温室气体",
        "the factor unit '{unit}' gives {tag}, which is not a greenhouse gas",
        "分子应为温室气体的质量，如 kgCH4/kgBOD、tCO2/t；BOD/COD 只能出现在分母",
        "the numerator must be a mass of greenhouse gas, such as kgCH4/kgBOD or tCO2/t; BOD/COD may only be the activity",
    ),
    "E301": ErrorSpec(
        "未知排放因子 '{key}'",
        "unknown factor key '{key}'",
        "请从排放因子下拉列表选择，或在公司因子表中添加",
        "pick a key from the factor list, or add it to the company factors",
    ),
    "E302": ErrorSpec(
        "排放因子 '{key}' 没有气体 {gas} 的数值",
        "factor '{key}' has no value for gas {gas}",
        "该因子提供的气体：{available}",
        "gases this factor gives: {available}",
    ),
    "E303": ErrorSpec(
        "'{key}' 是参数（如热值、密度），不是排放因子",
        "'{key}' is a parameter (such as NCV or density), not an emission factor",
        "请选择排放因子键，例如 fuel.diesel.offroad",
        "pick an emission-factor key, e.g. fuel.diesel.offroad",
    ),
    "E304": ErrorSpec(
        "因子 '{key}' 需要指定气体（如制冷剂 R-410A）",
        "factor '{key}' needs the gas named (e.g. the refrigerant R-410A)",
        "请在气体参数中填写制冷剂或气体名称",
        "put the refrigerant or gas name in the gas argument",
    ),
    "E305": ErrorSpec(
        "因子文件 {file} 第 {line} 行有误：{problem}",
        "factor file {file} line {line}: {problem_en}",
        "请修正该行后再试",
        "fix that line and try again",
    ),
    "E306": ErrorSpec(
        "因子字段 '{field}' 不存在",
        "factor field '{field}' does not exist",
        "可用字段：value、unit、source、name_zh、name_en、verified、low、high",
        "fields: value, unit, source, name_zh, name_en, verified, low, high",
    ),
    "E307": ErrorSpec(
        "换算需要参数 '{key}'（如热值或密度），因子库中没有",
        "the conversion needs the parameter '{key}' (NCV or density), which the library lacks",
        "请改用排放因子单位所用的活动数据单位，或在公司因子表中添加该参数",
        "enter the amount in the factor's activity unit, or add the parameter as a company factor",
    ),
    "E308": ErrorSpec(
        "派生因子 '{key}' 的数值 {stored} 与其公式不符：{formula} = {computed}",
        "the derived factor '{key}' is {stored}, but its formula gives {formula} = {computed}",
        "公司因子表改了公式的某个参数（如含碳量）时，请同时按公式更新该派生因子，或一并覆盖",
        "when a company factor changes a part of the formula (a carbon content, say), update "
        "the derived factor by the formula too, or override both",
    ),
    "E309": ErrorSpec(
        "因子 '{key}' 标为派生（derived），但没有计算方法能由其组成参数重算它",
        "the factor '{key}' is marked derived, but no method recomputes it from its parts",
        "请在 ghgxl/methods 中为其添加推导公式，或改标为 1 source / 2 sources 并注明出处",
        "add its derivation to ghgxl/methods, or mark it 1 source / 2 sources with its source",
    ),
    "E310": ErrorSpec(
        "本 ghgxl 没有因子库版本 '{version}'（可用：{available}）",
        "this ghgxl has no factor library version '{version}' (available: {available})",
        "请升级 ghgxl，或用 --library 指定一个可用版本，或用 ghgxl factors upgrade 把清册迁移到新版本",
        "install a newer ghgxl, pick an available version with --library, or move the "
        "workbook to a newer version with ghgxl factors upgrade",
    ),
    "E311": ErrorSpec(
        "公司因子表第 {line} 行有误：{problem}",
        "company factor sheet row {line}: {problem_en}",
        "请按因子库 CSV 的规则修改该行（因子键、数值 ≥ 0、可识别的单位、必填出处）；用到该因子键的排放源在改正前不计算",
        "fix the row by the rules of a factor CSV (key, value >= 0, a known unit, a source); "
        "the sources using its key are not computed until then",
    ),
    "E312": ErrorSpec(
        "因子 '{key}' 不在所用的因子库 {version} 中（因子库 {current} 才有）",
        "factor '{key}' is not in library {version}, the one used (it is in {current})",
        "运行 ghgxl factors upgrade 先查看升级到 {current} 对各行的影响再升级清册，"
        "或改选因子库 {version} 中的因子",
        "run ghgxl factors upgrade to see what moving to {current} changes and then move the "
        "workbook, or pick a factor that {version} has",
    ),
    "E401": ErrorSpec(
        "未知气体 '{gas}'",
        "unknown gas '{gas}'",
        "请填写 CO2、CH4、N2O、SF6、NF3、HFC-134a、R-410A 等",
        "use CO2, CH4, N2O, SF6, NF3, HFC-134a, R-410A ...",
    ),
    "E402": ErrorSpec(
        "未知 GWP 版本 '{gwp}'",
        "unknown GWP set '{gwp}'",
        "请选择 AR6、AR5、AR4 或 SAR",
        "choose AR6, AR5, AR4 or SAR",
    ),
    "E403": ErrorSpec(
        "{gwp} 中没有 {gas} 的 GWP 值",
        "{gwp} gives no GWP for {gas}",
        "请选择其他 GWP 版本，或改用明确的 CO2e 因子",
        "choose another GWP set, or use an explicit CO2e factor",
    ),
    "E404": ErrorSpec(
        "因子单位中的气体 {unit_gas} 与气体参数 {gas} 不一致",
        "the factor unit's gas {unit_gas} differs from the gas argument {gas}",
        "请使两者一致",
        "make the two agree",
    ),
    "E405": ErrorSpec(
        "未知气体类别 '{group}'",
        "unknown gas group '{group}'",
        "可用类别：{available}",
        "groups: {available}",
    ),
    "E501": ErrorSpec(
        "未知计算方法 '{method}'",
        "unknown calculation method '{method}'",
        "可用方法：{available}",
        "methods: {available}",
    ),
    "E502": ErrorSpec(
        "ISO 14064-1 类别必须是数字 1–6，而不是 {value}",
        "the ISO 14064-1 category must be a number 1-6, not {value}",
        '请从下拉列表选择类别（看似数字的文本如 "1" 不被汇总计入）',
        'pick the category from the list (text that looks like a number, "1", is not counted by the summary)',
    ),
    "E503": ErrorSpec(
        "范围（scope）必须是 1、2 或 3，而不是 '{value}'",
        "scope must be 1, 2 or 3, not '{value}'",
        "请从下拉列表选择范围",
        "pick the scope from the list",
    ),
    "E505": ErrorSpec(
        "比例必须在 0 到 1 之间（或 0% 到 100%）：{value}",
        "a fraction must lie between 0 and 1 (0 % to 100 %): {value}",
        "请检查比例数值",
        "check the fraction",
    ),
    "E506": ErrorSpec(
        "范围 {scope} 与类别 {category} 不对应",
        "scope {scope} does not fit category {category}",
        "类别1对应范围1，类别2对应范围2，类别3–6对应范围3",
        "category 1 is scope 1, category 2 scope 2, categories 3-6 scope 3",
    ),
    "E507": ErrorSpec(
        "排放源编号重复：{value}",
        "duplicated source id: {value}",
        "每个排放源编号只能出现一次",
        "give every source a unique id",
    ),
    "E508": ErrorSpec(
        "GHG Protocol 范围三类别必须是 1–15 且只用于范围三：'{value}'",
        "GHG Protocol scope-3 category must be 1-15, and only on scope-3 rows: '{value}'",
        "请从下拉列表选择，或留空",
        "pick it from the list, or leave it empty",
    ),
    "E509": ErrorSpec(
        "排除的排放源 {value} 没有填写排除理由",
        "the excluded source {value} has no reason for its exclusion",
        "ISO 14064-1 要求说明排除理由并估算其排放量",
        "ISO 14064-1 asks for the reason of each exclusion and an estimate of its size",
    ),
    "E511": ErrorSpec(
        "间接排放子类别 {value} 不纳入量化，但没有说明理由",
        "the indirect sub-category {value} is left out without a reason",
        "ISO 14064-1 5.2.3 要求说明不纳入重大性评估对象的理由",
        "ISO 14064-1 5.2.3 asks for the reason of each sub-category left out",
    ),
    "E512": ErrorSpec(
        "排除源 {value} 约占总排放的 {share}%，超过单一排除上限 {limit}%",
        "the excluded source {value} is about {share} % of the total, over the single limit of {limit} %",
        "请将其纳入量化，或复核估算值",
        "include it in the inventory, or review the estimate",
    ),
    "E513": ErrorSpec(
        "排除源合计约占总排放的 {share}%，超过上限 {limit}%",
        "the excluded sources together are about {share} % of the total, over the limit of {limit} %",
        "请将较大的排除源纳入量化",
        "include the larger excluded sources in the inventory",
    ),
    "E514": ErrorSpec(
        "第 {row} 行在汇总公式的范围（第 {first}–{last} 行）之外，不计入总排放量",
        "row {row} is outside the rows the summary formulas count ({first}–{last}): it is left out of the totals",
        "用 ghgxl workbook new --rows N 新建行数足够的清册，把各行粘贴过去",
        "make a workbook with enough rows (ghgxl workbook new --rows N) and paste the rows into it",
    ),
    "E515": ErrorSpec(
        "第 {row} 行的合计单元格没有公式，汇总不计入此行",
        "row {row} has no formula in its total cell: the summary leaves it out",
        "把上一行的公式复制到此行（或用 ghgxl workbook new --rows N 新建清册，把各行粘贴过去）",
        "copy the formulas down from the row above (or make a workbook with ghgxl workbook new --rows N and paste the rows into it)",
    ),
    "E516": ErrorSpec(
        "年度活动量 {annual:g} 与 12 个月合计 {months:g} 不一致",
        "the annual amount {annual:g} differs from the sum of the months, {months:g}",
        "填写月度数据时，计算用活动量取 12 个月合计：请改正月度数据或年度活动量，或清空年度活动量",
        "with monthly amounts, the row is computed with their sum: correct the months or the "
        "annual amount, or leave the annual amount empty",
    ),
    "E601": ErrorSpec(
        "无法读取文件 {path}：{problem}",
        "cannot read the file {path}: {problem_en}",
        "请确认文件存在且格式正确",
        "check that the file exists and has the right format",
    ),
    "E602": ErrorSpec(
        "缺少列 {column}",
        "missing column {column}",
        "请使用模板中的列名",
        "use the column names of the template",
    ),
    "E603": ErrorSpec(
        "ghgxl 不会覆盖 {path}{why_zh}",
        "ghgxl will not overwrite {path}{why_en}",
        "请换一个输出文件名，或先移走原文件",
        "choose another name for the output, or move the existing file first",
    ),
    "E604": ErrorSpec(
        "无法写入 {path}：{problem}",
        "cannot write {path}: {problem}",
        "请关闭在 Excel 中打开的该文件，或检查文件夹权限；原文件未被改动",
        "close the file in Excel or check the folder's permissions; the original is untouched",
    ),
    "E605": ErrorSpec(
        "单元格显示 {cached}，重新计算应为 {value}",
        "the cell shows {cached}; recalculated it is {value}",
        "结果已过期或被手工改动：请点“重新计算”或运行 ghgxl calc",
        "the result is stale or was edited by hand: press 重新计算 or run ghgxl calc",
    ),
    "E606": ErrorSpec(
        "无法生成 PDF：{problem}",
        "cannot make the PDF: {problem}",
        "请安装 LibreOffice，或在 Word 中另存为 PDF；.docx 报告已生成",
        "install LibreOffice, or save as PDF from Word; the .docx report was written",
    ),
    "E608": ErrorSpec(
        "文件 {path} 受密码保护，或是旧版 .xls 格式",
        "the file {path} is password-protected or an old .xls file",
        "请在 Excel 中取消密码（文件 → 信息 → 保护工作簿）或另存为 .xlsm 后再试",
        "remove the password in Excel (File → Info → Protect Workbook) or save as .xlsm, then try again",
    ),
    "E609": ErrorSpec(
        "文件 {path} 超出安全限制：{problem}",
        "the file {path} exceeds a safety limit: {problem}",
        "该文件可能已损坏或被构造为攻击文件；ghgxl 未读取其内容，文件未被改动",
        "the file may be damaged or crafted; ghgxl did not read it and left it untouched",
    ),
    "E610": ErrorSpec(
        "工作表过大：{problem}（上限 1600 万个单元格）",
        "a sheet is too large: {problem} (limit 16 million cells)",
        "请删除表格下方或右侧多余的格式与空行，或拆分清册",
        "delete stray formatting or empty rows below or right of the table, or split the workbook",
    ),
    "E611": ErrorSpec(
        "行数 {rows} 不在 {low}–{high} 之间",
        "{rows} rows is outside {low}–{high}",
        "请选择此范围内的行数（更多的排放源请拆分为几个清册）",
        "choose a number of rows in this range (split larger inventories into several workbooks)",
    ),
    "E612": ErrorSpec(
        "缺少工作表 {sheet}",
        "the sheet {sheet} is missing",
        "请使用 ghgxl 的清册模板（ghgxl workbook new），不要删除或改名工作表",
        "use ghgxl's workbook (ghgxl workbook new), and do not delete or rename its sheets",
    ),
    "E613": ErrorSpec(
        "--gwp {gwp} 与清册设定的 GWP 版本 {chosen} 不同",
        "--gwp {gwp} differs from the workbook's GWP set {chosen}",
        "写入清册时全部结果须用同一 GWP 版本：请在基本信息中改为 {gwp} 后再计算；只看结果可不写入（--json）",
        "results written into a workbook use one GWP set: change it in 基本信息 to {gwp}, then calculate; to just compare, do not write (--json only)",
    ),
    "E614": ErrorSpec(
        "{sheet} 的表头应在第 {expected} 行，却在第 {row} 行",
        "the header of {sheet} belongs in row {expected}, but it is in row {row}",
        "请删除表头上方插入的行（表头上方只保留标题与说明）",
        "delete the rows inserted above the header (only the title and the note stay above it)",
    ),
    "E615": ErrorSpec(
        "改用因子库 {version} 后此行无法计算：{error}",
        "with factor library {version} this row cannot be computed: {error}",
        "未写入：请先为该行选择新版本中的因子（ghgxl factors diff 列出删除与更名的因子），再升级",
        "nothing written: pick a factor of the new version for this row first (ghgxl factors "
        "diff lists removed and renamed factors), then upgrade",
    ),
    "E616": ErrorSpec(
        "无法合并：{setting}不一致（{values}）",
        "cannot consolidate: the sites differ in {setting_en} ({values})",
        "合并的各厂区清册须为同一报告年度与盘查期间、同一 GWP 版本、因子库版本、数据质量评分法与总排放量中范围二的计算方法；"
        "请先统一（ghgxl factors upgrade 可迁移因子库版本），或用 --library 以同一版本重算全部厂区",
        "the site workbooks of a group must share the reporting year and period, the GWP set, "
        "the factor library version, the data-quality scheme and the scope-2 basis of the "
        "totals: align them first (ghgxl factors upgrade moves a workbook), or recompute every "
        "site with one library version (--library)",
    ),
    "E617": ErrorSpec(
        "厂区 {site} 出现两次（{first} 与 {second}）",
        "the site {site} is given twice ({first} and {second})",
        "每个厂区只合并一次：请去掉重复的清册，或在基本信息“厂区/场所”中写明不同的厂区名称",
        "consolidate each site once: drop the duplicate, or give the sites distinct names in "
        "基本信息 厂区/场所",
    ),
    "E618": ErrorSpec(
        "按股权比例合并需要厂区 {site} 的股权比例，却是 {value!r}",
        "consolidating by equity share needs the equity share of the site {site}, got {value!r}",
        "请在该清册基本信息“股权比例（%）”中填写 0–100 之间的百分数（50 即 50%）；0 到 1 之间的数不明确"
        "（设为百分比格式的单元格显示 50% 时存的是 0.5）：请写 50，或写文字“0.5%”",
        "fill 基本信息 股权比例（%） of that workbook with a percentage from 0 to 100 (50 for 50 %); "
        "a number from 0 to 1 is ambiguous (a cell formatted as a percentage showing 50 % holds "
        "0.5): type 50, or the text 0.5%",
    ),
    "E619": ErrorSpec(
        "厂区清册 {site} 有 {count} 个错误（第一个：{first}），未合并",
        "the site workbook {site} has {count} errors (the first: {first}); nothing consolidated",
        "请先用 ghgxl check 修正该清册，再合并（合并不会带入算不出的行）",
        "fix that workbook first (ghgxl check), then consolidate: rows that cannot be computed "
        "are never carried into a group",
    ),
    "E620": ErrorSpec(
        "公司因子 {key} 在厂区 {first} 与 {second} 中取值不同",
        "the company factor {key} differs between the sites {first} and {second}",
        "同一因子键在集团清册中只能有一个值：请统一，或在其中一个厂区改用不同的因子键",
        "a key has one value in a group workbook: align them, or give one site's factor "
        "another key",
    ),
    "E621": ErrorSpec(
        "绿电绿证第 {line} 行：{problem}",
        "green power / certificate row {line}: {problem_en}",
        "请修改该行：活动数据编号须指向一行外购电力（因子库电网因子），电量为 MWh 数值，"
        "供应商特定因子须填写排放因子；市场法结果在改正前不计算",
        "fix the row: its 活动数据编号 must name a purchased-electricity row (a library grid "
        "factor), the quantity a number of MWh, a supplier-specific factor its value; the "
        "market-based result is not computed until then",
    ),
    "E622": ErrorSpec(
        "活动数据 {row_id} 的绿电绿证合计 {covered:,.12g} MWh 超过其用电量 {consumption:,.12g} MWh",
        "the instruments of 活动数据 {row_id} cover {covered:,.12g} MWh, more than its "
        "consumption of {consumption:,.12g} MWh",
        "同一电量不能被多于其用量的证书或合同覆盖：请核对电量与单位",
        "an instrument cannot cover more than the electricity used: check the quantities and units",
    ),
    "E623": ErrorSpec(
        "凭证编号 {certificate} 被使用两次（第 {first} 行与第 {line} 行）",
        "the certificate {certificate} is used twice (rows {first} and {line})",
        "同一证书或合同只能声明一次（避免重复计算）",
        "an instrument is claimed once (no double counting)",
    ),
    "E624": ErrorSpec(
        "绿电绿证第 {line} 行的电量生产年份 {vintage} 不是报告年度 {year}",
        "the instrument of row {line} is of {vintage}, not of the reporting year {year}",
        "GHG Protocol 范围二质量准则：证书应与所报告的用电量属于同一年度；请使用报告年度的证书或合同",
        "GHG Protocol Scope 2 quality criteria: an instrument should be of the reporting "
        "year; use one of that year",
    ),
    "E625": ErrorSpec(
        "报告与清册不一致（{same}）：报告中“{line}”应为“{expected}”",
        "the report does not match the workbook ({same}): '{line}' should read '{expected}'",
        "请用 ghgxl report 由当前清册重新生成报告；ghgxl verify 列出全部不一致之处",
        "write the report again from the workbook (ghgxl report); ghgxl verify lists every "
        "difference",
    ),
    "E626": ErrorSpec(
        "清册 {path} 有未保存的修改，{what}须与磁盘上的文件一致（记录其 SHA-256）",
        "the workbook {path} has unsaved changes; the {what_en} must match the file on disk "
        "(it records its SHA-256)",
        "请先保存清册（Ctrl+S），再点按钮",
        "save the workbook (Ctrl+S), then press the button again",
    ),
    "E627": ErrorSpec(
        "基准年清册 {path} 的报告年度为 {found}，而基本信息的基准年为 {year}",
        "the base-year workbook {path} reports the year {found}, but 基本信息 names {year} as "
        "the base year",
        "请指定基准年（{year} 年）的清册，或更正基本信息的基准年",
        "name the workbook of the base year ({year}), or correct the base year in 基本信息",
    ),
    "E628": ErrorSpec(
        "找不到基准年清册 {path}（按本清册所在文件夹查找）",
        "the base-year workbook {path} is not found (looked for beside this workbook)",
        "请把基准年清册放在本清册旁，或更正文件名；也可用 --base-year 指定",
        "put the base-year workbook beside this one, or correct its name; or give --base-year",
    ),
    "E629": ErrorSpec(
        "迁移后的清册计算结果与 {path} 不同（{difference}），未写入",
        "the migrated workbook would compute otherwise than {path} ({difference}); nothing "
        "was written",
        "请保留原清册，并把此问题报告给 ghgxl 的维护者",
        "keep the workbook as it is and report this to ghgxl's maintainers",
    ),
    "E630": ErrorSpec(
        "{path} 中有新模板无处安放的内容：{what}",
        "{path} holds what the new template has no place for: {what}",
        "请先把这些内容移到别处（或确认可以不要），再加 --force 迁移；原清册不会被改动",
        "move it elsewhere first (or accept leaving it), then migrate with --force; the "
        "workbook itself is never changed",
    ),
    "E631": ErrorSpec(
        "厂区名称“{site}”含有 ｜、|、换行或 * ? ~，集团清册无法据此区分各厂区的排放源",
        "the site name '{site}' holds ｜, |, a line break or * ? ~ (wildcards to Excel's "
        "SUMIFS), so the group workbook could not tell its rows apart",
        "请在该厂区清册的基本信息中改用不含这些字符的厂区名称",
        "give the site a name without these characters in its 基本信息",
    ),
    "E632": ErrorSpec(
        "{what}清册 {path} 有 {count} 处错误，其排放量不完整，无法用于比较",
        "the {what_en} workbook {path} has {count} errors: its emissions are incomplete and "
        "cannot be compared with",
        "请先用 ghgxl check 检查并修正该清册",
        "check and correct that workbook first (ghgxl check)",
    ),
    "E633": ErrorSpec(
        "一次合并 {count} 个厂区，超过集团清册各厂区汇总表的 {most} 行",
        "{count} sites in one group: the 各厂区汇总 sheet of a group workbook lists at most {most}",
        "请先分组合并（如按区域），再将各组的集团清册作为厂区合并",
        "consolidate in groups first (by region, say), then consolidate the group workbooks",
    ),
    "E634": ErrorSpec(
        "{path} 是已有的 Excel 工作簿，本命令写出的是报告或 JSON，不会用它覆盖工作簿",
        "{path} is an existing Excel workbook; this command writes a report or JSON and will "
        "not replace a workbook with it",
        "请换一个输出文件名（报告用 .docx，JSON 用 .json）",
        "choose another output name (.docx for a report, .json for JSON)",
    ),
    "E635": ErrorSpec(
        "上一年度清册 {path} 的报告年度为 {found}，不早于本清册的 {year}",
        "the earlier year's workbook {path} reports the year {found}, not earlier than this "
        "workbook's {year}",
        "--previous 请指定上一年度（早于 {year} 年）的清册",
        "give --previous the workbook of an earlier year (before {year})",
    ),
    "E636": ErrorSpec(
        "{what}清册 {path} 按 GWP {theirs} 计算，本清册为 {ours}，两者的变化会混入 GWP 的改变",
        "the {what_en} workbook {path} uses GWP {theirs}, this one {ours}: the change between "
        "them would mix in the change of GWP",
        "另存一份{what}清册，在其基本信息中把 GWP 版本改为 {ours} 并计算后再比较（GWP 改变属方法变更，"
        "基准年须按新 GWP 重新计算）",
        "save a copy of the {what_en} workbook with its GWP set changed to {ours} in 基本信息, "
        "calculate it and compare with that (a GWP change is a change of method: the base year "
        "is recalculated with the new GWP)",
    ),
    "E637": ErrorSpec(
        "{what}清册 {path} 的活动数据编号 {value} 重复，逐年比较按编号对应各行，重复的编号会让一行不被比较",
        "the {what_en} workbook {path} uses the 活动数据 编号 {value} twice: years are compared "
        "row by row by 编号, so a repeated one would leave a row out",
        "请给每个排放源唯一的编号（ghgxl check 列出全部重复，E507）",
        "give every source its own 编号 (ghgxl check lists every repeat, E507)",
    ),
    "E638": ErrorSpec(
        "集团清册的活动数据编号 {row_id} 出现两次（厂区 {first}、{second}）",
        "the group's 活动数据 编号 {row_id} would come twice (sites {first}, {second})",
        "集团编号为“厂区-编号”：请改其中一行在其厂区清册中的编号，使之唯一（绿电绿证按编号对应各行）",
        "a group 编号 is site-编号: change that row's 编号 in its site workbook so that it is "
        "unique (绿电绿证 lines name rows by 编号)",
    ),
    "E639": ErrorSpec(
        "{path} 的扩展名与写出的内容不符：写出的是{kind_zh}，Excel 只以 {suffix} 打开它",
        "{path} does not fit what is written there: {kind_en}, which Excel opens only as {suffix}",
        "请把输出文件命名为 {suggest}",
        "name the output {suggest}",
    ),
    "E641": ErrorSpec(
        "基本信息选择总排放量中范围二按市场法计算，但此清册汇总表的公式按位置法合计（模板 {template} 之前）",
        "基本信息 chooses the market-based scope 2 for the totals, but this workbook's 汇总 "
        "formulas add up location-based (a template before {template})",
        "请先运行 ghgxl workbook migrate 换成当前模板（保留全部输入），或将此项改回“位置法”",
        "run ghgxl workbook migrate first to move to the current template (every input kept), "
        "or set it back to 位置法",
    ),
    "E642": ErrorSpec(
        "本清册的总排放量中范围二按市场法计算，比较年度清册 {path} 的市场法范围二却无法计算（{first}）",
        "this workbook's totals count scope 2 market-based, but the market-based scope 2 of the "
        "compared workbook {path} cannot be computed ({first})",
        "两个年度须按同一方法比较：请改正 {path} 绿电绿证表中所指的一行，或将本清册此项改回“位置法”",
        "both years are compared on one basis: correct the 绿电绿证 line named in {path}, or set "
        "this workbook's basis back to 位置法",
    ),
    "E643": ErrorSpec(
        "集团清册 {path} 将超出 ghgxl 能读取的大小：{problem}",
        "the group workbook {path} would exceed the size ghgxl reads: {problem}",
        "请分批合并较少的厂区，或缩短各厂区活动数据中很长的文字（如备注）；未写入任何文件",
        "consolidate fewer sites at a time, or shorten very long texts in the sites' 活动数据 "
        "(remarks, say); nothing was written",
    ),
    "E640": ErrorSpec(
        "合并后的集团清册将有 {rows:,} 行活动数据（读到 {site} 为止），超过一个清册可容纳的 {most:,} 行",
        "the group workbook would hold {rows:,} 活动数据 rows (up to {site}), more than one "
        "workbook holds ({most:,})",
        "请分几个集团清册合并（如按区域）并分别报告，或先在厂区清册中把同一排放源的多行合为一行"
        "（按月份列填写）",
        "consolidate in several group workbooks (by region, say) and report them apart, or first "
        "merge the rows of one source in the site workbooks into one (its months in the month "
        "columns)",
    ),
    "E644": ErrorSpec(
        "基准年 {base} 晚于报告年度 {year}",
        "the base year {base} is later than the reporting year {year}",
        "基准年是用以比较的较早年度（或本年度）：请更正基本信息的基准年或报告年度",
        "the base year is an earlier year (or this one) to compare with: correct the base year "
        "or the reporting year in 基本信息",
    ),
    "E645": ErrorSpec(
        "厂区名称“{site}”有 {length} 个字符，超过 {most} 个：各厂区汇总表的 SUMIFS 条件最长 255 个字符，"
        "该厂区的合计会显示 #VALUE!",
        "the site name '{site}' has {length} characters, more than {most}: the SUMIFS criteria "
        "of 各厂区汇总 hold 255 at most, so the site's totals would show #VALUE!",
        "请在该厂区清册的基本信息中改用较短的厂区名称（全称可写在备注或报告中）",
        "give the site a shorter name in its 基本信息 (its full name can go in a remark or the report)",
    ),
    "E646": ErrorSpec(
        "报告 {report} 与{needed}比较生成，核对时须有这些清册",
        "the report {report} compares with {needed_en}: verifying it needs them",
        "请把这些清册放在本清册旁（或基本信息所指的位置），或用 ghgxl verify 核对并加 {options}",
        "put them beside this workbook (or where 基本信息 names them), or verify with ghgxl "
        "verify and {options}",
    ),
    "E517": ErrorSpec(
        "{field} {value} 不是年份：报告、电网因子年份的核对与逐年比较都需要一个四位数的年份",
        "the {field_en} {value} is no year: the report, the grid-factor year check and the "
        "year-on-year comparison need a four-digit year",
        "请填写四位数字的年份，如 2024（不加“年”字，不用中文数字）",
        "type the year in four digits, e.g. 2024 (no 年, no Chinese numerals)",
    ),
    "E518": ErrorSpec(
        "盘查期间结束 {end} 早于开始 {start}",
        "the inventory period ends ({end}) before it starts ({start})",
        "请检查基本信息的盘查期间开始与结束日期",
        "check the period's start and end in 基本信息",
    ),
    "E519": ErrorSpec(
        "盘查期间 {period} 不在报告年度 {year} 内",
        "the inventory period {period} is not in the reporting year {year}",
        "请核对报告年度与盘查期间（跨年度的财年期间，其开始或结束应在报告年度内）",
        "check the reporting year and the period (a fiscal year spanning two years should start "
        "or end in the reporting year)",
    ),
    "W101": ErrorSpec(
        "电网因子年份 {factor_year} 与报告年度 {year} 不同",
        "the grid factor's year {factor_year} differs from the reporting year {year}",
        "如该年度因子尚未发布，请在报告中说明所用年份",
        "if that year's factor is not yet published, say in the report which year is used",
    ),
    "W102": ErrorSpec(
        "公式使用 GWP 版本 {gwp}，本清册设定为 {chosen}",
        "the formula uses the GWP set {gwp}; this workbook is set to {chosen}",
        "请在公式中使用 ghg_gwp（基本信息中的设定），全清册只用一个 GWP 版本",
        "use ghg_gwp (the setting in 基本信息): one GWP set for the whole inventory",
    ),
    "W103": ErrorSpec(
        "自定因子没有注明来源",
        "an explicit factor without its source",
        "请填写出处（文献、表号、年份或供应商声明）",
        "name its source (publication, table, year, or the supplier's statement)",
    ),
    "W104": ErrorSpec(
        "电力单位 {unit} 用于燃料因子 {key}",
        "an electricity unit {unit} against the fuel factor {key}",
        "燃料请填写用量（吨、升、标准立方米）；外购电力请选用 grid 因子",
        "enter fuel as mass or volume (t, L, Nm3); use a grid factor for purchased electricity",
    ),
    "W105": ErrorSpec(
        "间接排放子类别 {value} 判定为重大（总分 {score}），但不纳入量化",
        "the indirect sub-category {value} is significant (score {score}) but left out",
        "重大的间接排放应纳入量化；如确需排除，请在理由中说明",
        "significant indirect emissions should be quantified; if left out, explain why",
    ),
    "W106": ErrorSpec(
        "数据质量表不含第 {row} 行（其范围为第 {first}–{last} 行），表中的加权平均未计入此行（JSON 与报告计入）",
        "数据质量 does not reach row {row} (its rows are {first}–{last}): the sheet's weighted score leaves it out (the JSON and the report count it)",
        "用 ghgxl workbook new --rows N 新建行数足够的清册，把各行粘贴过去",
        "make a workbook with enough rows (ghgxl workbook new --rows N) and paste the rows into it",
    ),
    "W107": ErrorSpec(
        "因子单位 '{unit}' 是碳的质量，已按 44/12 换算为 CO2",
        "the factor unit '{unit}' is a mass of carbon: converted to CO2 with 44/12",
        "如该因子本就是 CO2 的质量，请把单位改为 {co2_unit}",
        "if the factor is in fact a mass of CO2, change its unit to {co2_unit}",
    ),
    "W108": ErrorSpec(
        "第 {row} 行没有完整的数据质量评分，全清册的数据质量为“未评估”",
        "row {row} lacks one of its three data-quality scores: the inventory's data quality is 'not assessed'",
        "请为每个排放源填写活动数据、排放系数与仪器校正三项等级",
        "give every source its three scores: activity data, emission factor, calibration",
    ),
    "W109": ErrorSpec(
        "排除源 {value} 没有估算排放量，无法判断是否低于排除上限",
        "the excluded source {value} has no estimate: whether the exclusions stay within their limits is not assessed",
        "请填写估算排放量 (t CO2e)，哪怕是保守的上限估计",
        "enter an estimate in t CO2e, a conservative upper bound if need be",
    ),
    "W110": ErrorSpec(
        "基本信息「{field}」仍为占位内容或空白，报告只能作为草稿",
        "基本信息 '{field}' still holds its placeholder or is empty: the report can only be a draft",
        "请填写实际内容（报告按原样印出此项）",
        "enter the real text (the report prints this field as it is)",
    ),
    "W111": ErrorSpec(
        "重大性评估子类别 {value} 尚未评分或未决定是否纳入，报告只能作为草稿",
        "the significance of sub-category {value} is not assessed (a score or the decision is missing): the report can only be a draft",
        "请为六项准则各评 1–3 分，并填写“是否纳入”（不纳入时说明理由）",
        "score each of the six criteria 1-3 and fill in 是否纳入 (with a reason when left out)",
    ),
    "W112": ErrorSpec(
        "活动数据表没有任何排放源，报告只能作为草稿",
        "活动数据 holds no emission source: the report can only be a draft",
        "请按排放源识别表逐项填写活动数据",
        "enter the activity data of each source of 排放源识别",
    ),
    "W113": ErrorSpec(
        "{count} 个排放源都没有完整的数据质量评分，整体数据质量未评估，报告只能作为草稿",
        "none of the {count} sources has its three data-quality scores: the inventory's data quality is not assessed and the report can only be a draft",
        "请为每个排放源填写活动数据、排放系数与仪器校正三项等级",
        "give every source its three scores: activity data, emission factor, calibration",
    ),
    "W114": ErrorSpec(
        "清册按因子库 {version} 计算；已有较新的 {latest}（{changed} 个因子数值改变，新增 {added} 个）",
        "the workbook computes with factor library {version}; {latest} is newer ({changed} values changed, {added} added)",
        "旧版本的结果保持不变；用 ghgxl factors upgrade 预览每行的变化，再决定是否迁移",
        "its results stay as they are; ghgxl factors upgrade previews each row's change, then you decide whether to move",
    ),
    "W115": ErrorSpec(
        "基本信息“{field}”填写为 {value}，{problem}，按 {used} 计算",
        "the setting '{field}' is {value}, {problem_en}; {used} is used",
        "请填写 {low:g}–{high:g} 之间的数字（不带 % 号，单元格格式为“常规”而非“文本”），或留空用默认值",
        "type a number from {low:g} to {high:g} (without %, in a cell formatted as General, "
        "not Text), or leave it blank for the default",
    ),
    "W120": ErrorSpec(
        "{before} 年度清册 {path} 的{field}为“{theirs}”，本年度为“{ours}”，两年的排放量未必可比",
        "the {before} workbook {path} has {theirs!r} as its {field_en}, this year {ours!r}: the "
        "two years' emissions may not compare",
        "请确认两份清册为同一组织、同一组织边界；边界或合并方法的改变是结构性变化，应据以判断是否重新计算基准年"
        "（ISO 14064-1:2018 第6.4.1条）",
        "check that both workbooks are of one organization and one boundary; a change of "
        "boundary or consolidation approach is a structural change, to be weighed for "
        "recalculating the base year (ISO 14064-1:2018 6.4.1)",
    ),
    "W121": ErrorSpec(
        "绿电绿证第 {line} 行的证书/合同编号 {certificate} 与第 {first} 行的 {other} 只差空格或连字符，可能是同一份证书",
        "the certificate or contract number {certificate} of row {line} differs from {other} "
        "of row {first} only in spaces or dashes: perhaps one certificate claimed twice",
        "若为同一证书，请删去其中一行（重复声明会重复计算）；若确为两份证书，可忽略此提示",
        "if it is one certificate, delete one of the rows (claimed twice it counts twice); if "
        "they are two, ignore this",
    ),
    "W119": ErrorSpec(
        "基本信息“总排放量中范围二的计算方法”填写为 {value}，不是“位置法”或“市场法”，按位置法计算",
        "the scope-2 basis of the totals in 基本信息 is {value}, neither 位置法 nor 市场法; "
        "位置法 (location-based) is used",
        "请从下拉列表选择“位置法”或“市场法”（汇总表的公式只认这两个词，不含空格）",
        "choose 位置法 or 市场法 from the dropdown (汇总's formulas know these two words only, "
        "without spaces)",
    ),
    "W122": ErrorSpec(
        "基本信息“数据质量评分方案”填写为 {value}，不是下拉列表中的方案，按{used}计算",
        "the data-quality scheme in 基本信息 is {value}, not one of the dropdown's; the "
        "{used_en} scheme is used",
        "请从下拉列表选择评分方案（工作表的公式以是否含“台湾”二字区分两种方案）",
        "choose the scheme from the dropdown (the sheet's formulas tell the two apart by the "
        "word 台湾 alone)",
    ),
    "W123": ErrorSpec(
        "不确定性 {value} 按 ±{value}% 计：若在 Excel 中输入的是 {percent}%，Excel 将其存为 {value}",
        "the uncertainty {value} counts as ±{value} %: if {percent}% was typed in Excel, Excel "
        "stores it as {value}",
        "此列填写百分数的数值（±10% 填 10）；如确为 ±{value}%，可忽略此提示",
        "this column takes the number of percent (10 for ±10 %); if ±{value} % is meant, "
        "ignore this",
    ),
    "W124": ErrorSpec(
        "类别 {category} 有排放量 {tco2e} t CO2e 计入，但重大性评估中其各子类别均为“不纳入”",
        "category {category} counts {tco2e} t CO2e, yet 重大性评估 leaves every one of its "
        "sub-categories out",
        "请核对重大性评估：纳入量化的子类别应标为“纳入”；或将这些排放源移出活动数据",
        "check 重大性评估: a quantified sub-category is 纳入; or take those sources out of 活动数据",
    ),
    "W118": ErrorSpec(
        "活动数据编号 {row_id} 按电网因子 {grid_key} 计算（位置法）；市场法中其未被绿电绿证覆盖的电量按全国剩余"
        "电力排放因子 {residual_key}（{residual} tCO2/MWh）计算，生态环境部未发布省级或区域的剩余因子",
        "活动数据 编号 {row_id} uses the grid factor {grid_key} (location-based); in the "
        "market-based figure its power no instrument covers counts at the national residual "
        "factor {residual_key} ({residual} tCO2/MWh): MEE publishes no provincial or regional one",
        "请在报告中说明市场法的这一口径；如供电方提供了该电量的排放因子，可在绿电绿证中以“供应商特定因子”填写",
        "state this basis of the market-based figure in the report; if the supplier gives a "
        "factor for that power, enter it in 绿电绿证 as a 供应商特定因子",
    ),
    "W117": ErrorSpec(
        "基本信息“{field}”填写为 {value}，不是正数，未计算{name}",
        "基本信息 '{field}' is {value}, not a positive number: no {name} is given",
        "请填写正数（数字单元格，不带单位或千位分隔的文本），或留空",
        "type a positive number (a number cell, not text with units or separators), or leave "
        "it blank",
    ),
    "W116": ErrorSpec(
        "各厂区汇总列出的厂区“{site}”{problem}，该表的公式与报告的按厂区数字会不一致",
        "the site '{site}' listed in 各厂区汇总 {problem_en}: the sheet's formulas and the "
        "report's by-site figures would disagree",
        "每个厂区只列一次，名称不含 ｜ | * ? ~、前后无空格、互不为“名称｜…”的前缀",
        "list each site once, by a name without ｜ | * ? ~ or spaces around it, none being "
        "another's name followed by ｜",
    ),
    "E701": ErrorSpec(
        "ghgxl excel setup 只用于 Windows 上的 Excel（此系统为 {system}）",
        "ghgxl excel setup is for Excel on Windows (this system: {system})",
        "请在装有 Excel 的 Windows 电脑上运行；在其他系统上用 ghgxl calc 计算清册",
        "run it on the Windows computer with Excel; elsewhere compute the workbook with ghgxl calc",
    ),
    "E702": ErrorSpec(
        "{path} 是 Microsoft Store 版 Python（或其占位程序），Excel 无法使用",
        "{path} is the Microsoft Store Python (or its stub): Excel cannot use it",
        "请从 python.org 下载安装 Python（勾选 Add python.exe to PATH），用它安装 ghgxl 后再运行 ghgxl excel setup",
        "install Python from python.org (tick Add python.exe to PATH), install ghgxl with it, then run ghgxl excel setup again",
    ),
    "E703": ErrorSpec(
        "Python 的路径 {path} 含有本机代码页 {encoding} 无法表示的字符，Excel 的 VBA 读不出",
        "the Python path {path} holds characters the code page {encoding} cannot hold: Excel's VBA cannot read it",
        "请把 Python 安装到只含英文字母和数字的文件夹，如 C:\\Python312",
        "install Python into a folder whose path is plain ASCII, e.g. C:\\Python312",
    ),
    "E704": ErrorSpec(
        "无法自动修改 {path} 的 xlwings.conf 工作表（其中有公式、合并单元格、批注或引用它的名称）",
        "cannot change the xlwings.conf sheet of {path} by itself (it holds formulas, merged cells, comments or is named elsewhere)",
        "请在 Excel 中取消隐藏 xlwings.conf 工作表，删除第 {rows} 行后保存",
        "unhide the sheet xlwings.conf in Excel, delete row {rows} and save",
    ),
    "E901": ErrorSpec(
        "内部错误：{problem}",
        "internal error: {problem}",
        "请将此信息报告给开发者",
        "please report this to the developers",
    ),
}


class GhgError(Exception):
    """An error with a code, a place (``Sheet!Cell`` or ``file:line``) and two languages."""

    def __init__(self, code: str, *, cell: str | None = None, **details: object) -> None:
        if code not in CATALOGUE:
            raise KeyError(f"undocumented error code {code}")
        self.code = code
        self.cell = cell
        self.details = details
        super().__init__(self.text())

    def _fill(self, template: str) -> str:
        return template.format_map(_Defaulting(self.details))

    @property
    def message_zh(self) -> str:
        return self._fill(CATALOGUE[self.code].zh)

    @property
    def message_en(self) -> str:
        return self._fill(CATALOGUE[self.code].en)

    @property
    def hint_zh(self) -> str:
        return self._fill(CATALOGUE[self.code].hint_zh)

    @property
    def hint_en(self) -> str:
        return self._fill(CATALOGUE[self.code].hint_en)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickled as its code, place and details (a site computed in another process)."""
        return _rebuilt, (self.code, self.cell, self.details)

    def at(self, cell: str) -> GhgError:
        """The same error placed at ``cell`` (kept if a place is already known)."""
        return self if self.cell else GhgError(self.code, cell=cell, **self.details)

    def in_file(self, name: str) -> GhgError:
        """The same error placed in the file ``name`` too (``2023.xlsm 基本信息!B12``), for
        one raised by a workbook other than the one the command is about; kept as it is
        when its message names the file already."""
        if name in self.message_zh or (self.cell or "").startswith(f"{name} "):
            return self
        place = f"{name} {self.cell}" if self.cell else name
        return GhgError(self.code, cell=place, **self.details)

    def text(self) -> str:
        """``[E201] 活动数据!F12: 未知单位 'kwhh'，请… / unknown unit 'kwhh', pick …``."""
        place = f" {self.cell}:" if self.cell else ""
        return (
            f"[{self.code}]{place} {self.message_zh}，{self.hint_zh} / "
            f"{self.message_en}; {self.hint_en}"
        )

    def cell_text(self) -> str:
        """What a cell function shows: ``#GHG! E201 未知单位 'kwhh' / unknown unit 'kwhh'``."""
        return f"#GHG! {self.code} {self.message_zh} / {self.message_en}"

    def as_dict(self) -> dict[str, str | None]:
        return {
            "code": self.code,
            "cell": self.cell,
            "message_zh": f"{self.message_zh}，{self.hint_zh}",
            "message_en": f"{self.message_en}; {self.hint_en}",
        }


class _Defaulting(dict):
    """format_map helper: a missing detail prints as empty text instead of raising, and a
    missing English detail (``problem_en``) as the detail itself (``problem``: most are
    written in English, or in both languages already)."""

    def __missing__(self, key: str) -> object:
        base = key.removesuffix("_en")
        return self[base] if base != key and base in self else ""


def _rebuilt(code: str, cell: str | None, details: dict[str, object]) -> GhgError:
    return GhgError(code, cell=cell, **details)
