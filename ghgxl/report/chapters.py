"""The chapters of the report template: what the report says, in Chinese, with docxtpl
tags for every number and 基本信息 text (context variables: ``templates/README.md``).

Chapters follow the seed report and ISO 14064-1:2018 clause 9.3. Every sentence holds
whatever the data: a statement that needs a condition (the exclusion limits met, the
conformity claim) is inside the ``{% if %}`` of the flag that supports it. The tool is
named once, in the closing colophon line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.enum.text import WD_ALIGN_PARAGRAPH

from ghgxl.emission import TOTAL_GROUPS

if TYPE_CHECKING:
    from ghgxl.report.template import _Writer

CENTER = WD_ALIGN_PARAGRAPH.CENTER
DQ_HEADERS = [
    *("编号", "排放源", "活动数据", "排放因子", "仪器校正", "平均得分", "等级"),
    *("排放量 (t CO2e)", "占比", "加权积分"),
]
#: The activity appendix: its fields (ghgxl.report.sources.appendix_columns) and headers.
ACTIVITY_COLUMNS = (
    "id",
    "row",
    "source",
    "category",
    "amount",
    "unit",
    "factors",
    "factor",
    "evidence",
    "tco2e",
)
ACTIVITY_HEADERS = [
    *("编号", "清册行", "排放源", "类别", "活动量", "单位", "所用因子"),
    *("综合排放因子 (kg CO2e/单位)", "数据来源/凭证", "排放量 (t CO2e)"),
]


def _gas_cells(prefix: str) -> list[str]:
    return [f"{{{{ {prefix}['{g}'] }}}}" for g in TOTAL_GROUPS]


def _picture(w: _Writer, variable: str, title: str) -> None:
    """A picture the user supplies (or （未提供）), with its caption."""
    w.p(f"{{{{ {variable} }}}}", align=CENTER)
    w.caption("图", title)


def _overview(w: _Writer) -> None:
    w.h("第一章 概述")
    w.h("1.1 公司简介", 2)
    w.p("{{ company_profile }}")
    w.p("公司地址：{{ address }}；统一社会信用代码：{{ credit_code }}；行业：{{ industry }}。")
    w.p("工艺流程图：")
    _picture(w, "picture_process", "工艺流程图")
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
    w.p("盘查期间为 {{ period_start }} 至 {{ period_end }}。报告负责人：{{ responsible }}。")
    w.h("1.6 报告的发行与保存", 2)
    w.p(
        "本报告每年编制一次，经最高管理者或其授权人批准后发行；报告及其盘查清册（计算文件）保存于温室气体管理主责部门，并在查证与内部审核时提供。"
    )


def _organisation(w: _Writer) -> None:
    w.h("第二章 组织边界")
    w.h("2.1 组织边界", 2)
    w.p(
        "本组织依据 ISO 14064-1:2018 第5.1条，采用{{ consolidation }}法设定组织边界，纳入的厂区/场所为：{{ sites }}。{% if site_group %}本报告为集团合并清册：各厂区按{{ consolidation }}法计入的排放量如下表，附录二中各排放源的编号以其厂区名开头。{% else %}本组织的排放量按厂区/场所列于下表。{% endif %}"
    )
    w.loop_table(
        "各厂区排放量",
        [
            "厂区/场所",
            "来源清册",
            "计入比例",
            "范围一 (t CO2e)",
            "范围二 (t CO2e)",
            "范围三 (t CO2e)",
            "合计 (t CO2e)",
            "占比",
        ],
        "for s in site_rows",
        [
            "{{ s.name }}",
            "{{ s.file }}",
            "{{ s.counted }}",
            "{{ s.scope1 }}",
            "{{ s.scope2 }}",
            "{{ s.scope3 }}",
            "{{ s.total }}",
            "{{ s.share }}",
        ],
        [
            "合计",
            "",
            "",
            "{{ site_total.scope1 }}",
            "{{ site_total.scope2 }}",
            "{{ site_total.scope3 }}",
            "{{ site_total.total }}",
            "{{ site_total.share }}",
        ],
    )
    w.p("{%p if site_note %}")
    w.p("{{ site_note }}")
    w.p("{%p endif %}")
    w.p("{{ chart_sites }}", align=CENTER)
    w.caption("图", "各厂区排放量（按范围）")
    w.p("厂区平面图：")
    _picture(w, "picture_site", "厂区平面图")
    w.h("2.2 温室气体管理组织与盘查小组", 2)
    w.p(
        "温室气体管理主责部门：{{ lead_department }}，负责召集盘查小组、编制年度盘查清册与温室气体报告、策划内部核查，并推动减排工作。盘查小组成员及职责如下。"
    )
    w.loop_table(
        "盘查小组及职责",
        ["职务/角色", "姓名", "职责"],
        "for m in team",
        ["{{ m.role }}", "{{ m.name }}", "{{ m.duty }}"],
    )
    w.p("组织架构图：")
    _picture(w, "picture_org", "组织架构图")


def _definitions(w: _Writer) -> None:
    w.h("3.1 定义", 2)
    for text in (
        "温室气体：自然或人为产生的、能吸收和释放地球表面、大气和云层所释放红外辐射光谱范围内特定波长辐射的大气气体成分。ISO 14064-1:2018 所指的温室气体包括下表七种（类）。",
        "直接温室气体排放（类别1，范围一）：组织拥有或控制的温室气体源的排放。",
        "输入能源的间接排放（类别2，范围二）：组织消耗的外购电力、热力、蒸汽等能源在其生产过程中产生的排放。",
        "其他间接排放（类别3–6，范围三）：组织活动引起、但发生于他人拥有或控制的温室气体源的排放，如运输、购买的产品与服务、产品的使用与废弃。",
        "全球变暖潜势（GWP）：单位质量温室气体在100年内的辐射强迫相对于二氧化碳的倍数；温室气体排放量 × GWP = 二氧化碳当量（CO2e）。",
    ):
        w.p(text)
    w.loop_table(
        "温室气体种类",
        ["化学式", "中文名称"],
        "for d in ghg_definitions",
        ["{{ d.formula }}", "{{ d.name }}"],
    )


def _sources(w: _Writer) -> None:
    w.h("3.2 排放源识别", 2)
    w.p(
        "依据 ISO 14064-1:2018 第5.2条，识别组织边界内的直接排放（类别1）与间接排放（类别2–6）排放源。直接排放源分为以下四种类型："
    )
    w.loop_table(
        "直接排放源类型",
        ["代码", "类型", "说明", "本组织的排放源"],
        "for t in direct_types",
        ["{{ t.code }}", "{{ t.type }}", "{{ t.description }}", "{{ t.sources }}"],
    )
    w.p("各排放源及其类型如下。")
    w.loop_table(
        "排放源识别表",
        ["编号", "厂区/部门", "排放源", "排放类型", "类别", "范围", "温室气体", "纳入/排除"],
        "for s in sources",
        [
            "{{ s.id }}",
            "{{ s.facility }}",
            "{{ s.source }}",
            "{{ s.type_label }}",
            "{{ s.category }}",
            "{{ s.scope }}",
            "{{ s.gases }}",
            "{{ s.included }}",
        ],
    )
    w.h("3.3 重大间接排放的判定准则", 2)
    w.p(
        "间接排放按 ISO 14064-1:2018 第5.2.3条，以排放量级、影响程度、风险或机遇、行业指引、外包活动与员工参与六项准则各评 1–3 分，总分达到 {{ significance_threshold }} 分判定为重大，重大的间接排放纳入量化。单一排除源应低于总排放量的 {{ exclusion_single_limit }}，排除源合计应低于 {{ exclusion_total_limit }}。"
    )
    headers = ["子类别", "名称", "量级", "影响", "风险/机遇", "行业", "外包", "员工"]
    w.loop_table(
        "间接排放重大性评估",
        [*headers, "总分", "判定", "纳入", "说明"],
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
    w.p("{%p if significant_left_out %}")
    w.p("{{ significant_left_out }}")
    w.p("{%p endif %}")


def _emissions(w: _Writer) -> None:
    w.h("3.4 温室气体排放量", 2)
    w.p(
        "{{ year }} 年度温室气体排放总量为 {{ total }} 吨 CO2 当量（t CO2e），其中直接排放（类别1）{{ direct_total }}，间接排放（类别2–6）{{ indirect_total }} t CO2e。GWP 采用 {{ gwp_set }}。未量化的类别不计为 0，而注明“未量化（排除）”或“无排放源”。各表中的各项占比分别四舍五入，其和可能与 100% 略有出入。"
    )
    w.loop_table(
        "温室气体排放范围及排放量",
        ["范围", "对应类别", "排放量 (t CO2e)", "百分比"],
        "for s in scopes",
        ["{{ s.scope }}", "{{ s.categories }}", "{{ s.value }}", "{{ s.percent }}"],
        ["合计", "", "{{ total }}", "{{ category_total.percent }}"],
    )
    w.p("{{ scope_note }}")
    w.loop_table(
        "温室气体排放类别及排放量",
        ["类别", "名称", "排放量 (t CO2e)", "百分比"],
        "for c in categories",
        ["{{ c.no }}", "{{ c.name }}", "{{ c.value }}", "{{ c.percent }}"],
        ["合计", "", "{{ category_total.value }}", "{{ category_total.percent }}"],
    )
    w.p("{{ chart_category }}", align=CENTER)
    w.caption("图", "各类别排放量")
    w.loop_table(
        "温室气体种类及排放量",
        ["温室气体", "排放量 (t CO2e)", "百分比"],
        "for g in gases",
        ["{{ g.gas }}", "{{ g.value }}", "{{ g.percent }}"],
        ["合计", "{{ total }}", "{{ category_total.percent }}"],
    )
    w.p("{{ chart_scope }}", align=CENTER)
    w.caption("图", "各范围排放量及占比")
    headers = ["类别", *[f"{{{{ gas_headers[{i}] }}}}" for i in range(len(TOTAL_GROUPS))], "合计"]
    cells = ["{{ r.category }}", *_gas_cells("r"), "{{ r.total }}"]
    w.loop_table(
        "直接温室气体排放量（范围一，类别1，按气体）", headers, "for r in scope1_gases", cells
    )
    w.loop_table(
        "能源间接温室气体排放量（范围二，类别2，按气体）", headers, "for r in scope2_gases", cells
    )
    w.p("{%p if scope2_market %}")
    w.p("{{ scope2_market }}")
    w.p("{%p endif %}")
    w.loop_table(
        "其他间接温室气体排放量（类别3–6，按气体）", headers, "for r in indirect_gases", cells
    )
    w.p("{{ gas_note }}")
    w.p("{{ chart_top }}", align=CENTER)
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
        ["合计", "", "", "{{ sources_total }}", "{{ category_total.percent }}", ""],
    )
    w.h("3.5 生物质 CO2、移除量与其他气体", 2)
    w.p(
        "生物质燃烧产生的 CO2 单独报告，不计入总排放量：{{ biogenic }} t CO2。本报告期间未量化温室气体移除量。京都议定书以外的气体（如 HCFC-22）单独报告、不计入总量：{{ other_gases }} t CO2e。"
    )
    w.h("3.6 排除的排放源", 2)
    w.p(
        "{% if exclusion_listed %}以下排放源经评估排除于量化之外。{% if exclusion_assessed %}排除源估算合计 {{ exclusion_total }} t CO2e，约占总排放量的 {{ exclusion_total_pct }}，{{ exclusion_verdict }}单一排除源低于 {{ exclusion_single_limit }}、合计低于 {{ exclusion_total_limit }} 的要求。{% else %}其中 {{ exclusion_unestimated }} 个排除源尚未估算排放量，因此尚无法判断排除源是否符合单一低于 {{ exclusion_single_limit }}、合计低于 {{ exclusion_total_limit }} 的要求{% if exclusion_estimated %}（已估算的 {{ exclusion_estimated }} 个合计 {{ exclusion_total }} t CO2e）{% endif %}。{% endif %}{% else %}本报告期间无排除的排放源。{% endif %}"
    )
    w.loop_table(
        "排除的排放源",
        ["排放源", "排除理由", "估算排放量 (t CO2e)", "占总排放"],
        "for x in exclusion_rows",
        ["{{ x.source }}", "{{ x.reason }}", "{{ x.estimate }}", "{{ x.share }}"],
    )


def _boundary(w: _Writer) -> None:
    w.h("第三章 报告边界")
    _definitions(w)
    _sources(w)
    _emissions(w)


def _quantification(w: _Writer) -> None:
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
        "排放因子选用原则：优先采用实测或质量平衡所得因子，其次为国家或地区因子，再次为国际公认因子。"
    )
    w.p("{%p for g in grid_factors %}")
    w.p(
        "外购能源的排放因子采用{{ g.name }}：{{ g.value }} {{ g.unit|subscript }}，出自{{ g.citation }}。{{ g.note }}"
    )
    w.p("{%p endfor %}")
    w.p(
        "所用全部因子与参数的数值、单位与出处见附录一（因子库版本 {{ factor_library_version }}）；各排放源所用的因子及其综合排放因子见附录二{% if not appendix_all %}（附录二未逐行列出的排放源见盘查清册“活动数据”表）{% endif %}，可据以复核每个排放源的排放量。"
    )
    w.h("4.3 全球变暖潜势（GWP）", 2)
    w.p("本报告全部采用 {{ gwp_set }} 的 100 年全球变暖潜势，出自{{ gwp_source }}。")
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


def _quality(w: _Writer) -> None:
    w.h("第五章 数据质量")
    w.p(
        "{% if dq_taiwan %}依台湾环境部温室气体排放量盘查表的数据质量管理方法，各排放源的活动数据种类、仪器校正与排放系数种类按下表评分，三项等级相乘为单一排放源数据误差等级（1–27，越低越好）。{% else %}各排放源的活动数据、排放因子与仪器校正按下表评分（分数越高，数据越可靠、不确定性越低），三项的平均值为该排放源的平均得分。{% endif %}"
    )
    w.loop_table(
        "数据质量评分准则",
        ["项目", "评分", "准则"],
        "for r in dq_rubric",
        ["{{ r.item }}", "{{ r.score }}", "{{ r.criterion }}"],
    )
    w.p(
        "{% if dq_taiwan %}清册等级总平均分数 = Σ（单一排放源数据误差等级 × 该排放源占总排放量的比例），按下表定级。{% else %}加权平均积分 = Σ（平均得分 × 该排放源占总排放量的比例），按下表定级（级别越高，数据质量越好）。{% endif %}"
    )
    w.loop_table(
        "数据质量等级",
        ["等级", "加权平均分数范围"],
        "for r in dq_grade_table",
        ["{{ r.grade }}", "{{ r.range }}"],
    )
    w.loop_table(
        "数据质量评估",
        DQ_HEADERS,
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
        "{% if dq_assessed %}加权平均积分总计为 {{ dq_score }}，整体数据质量等级为{{ dq_grade }}。"
        "{% else %}尚有 {{ dq_unscored }} 个排放源缺少数据质量评分，整体数据质量未评估。{% endif %}"
    )


def _uncertainty(w: _Writer) -> None:
    w.h("第六章 不确定性")
    w.p(
        "参数不确定性以 95% 置信区间表示：各排放源活动数据与排放因子的不确定性取自清册（未填写者按数据类别采用 IPCC 2006 等文献的默认值）。方法一（IPCC 2006 第1卷 式3.1、3.2 误差传递）与方法二（蒙特卡罗模拟，{{ uncertainty_total.draws }} 次，随机种子 {{ uncertainty_total.seed }}；同一排放因子在各排放源间完全相关）结果如下。模型不确定性不在本次评估范围内；数据质量等级为{{ dq_grade }}。"
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


def _management(w: _Writer) -> None:
    w.h("第七章 基准年")
    w.p(
        "本组织以 {{ base_year }} 年为基准年。当组织边界或运营边界改变、排放源的所有权或控制权转移，或量化方法、排放因子改变，导致排放量变化达到或超过基准年排放量的 {{ recalculation_threshold }}% 时，重新计算基准年及其后各年的排放量。"
    )
    w.loop_table(
        "基准年与本年度排放量",
        [
            "类别",
            "基准年 (t CO2e)",
            "本年度 (t CO2e)",
            "变化率",
            "结构性变化 (t CO2e)",
            "重新计算后的基准年 (t CO2e)",
        ],
        "for r in base.rows",
        [
            "{{ r.name }}",
            "{{ r.base }}",
            "{{ r.now }}",
            "{{ r.pct }}",
            "{{ r.structural }}",
            "{{ r.adjusted }}",
        ],
        [
            "合计",
            "{{ base.total.base }}",
            "{{ base.total.now }}",
            "{{ base.total.pct }}",
            "{{ base.total.structural }}",
            "{{ base.total.adjusted }}",
        ],
    )
    w.p("{{ base.note }}")
    w.h("第八章 温室气体信息管理与内部核查")
    w.p(
        "盘查数据由各部门按盘查清册收集，保留缴费单据、发票、抄表记录等原始凭证（各排放源的凭证见附录二{% if not appendix_all %}及盘查清册“活动数据”表{% endif %}）；排放量由盘查清册按附录一的因子计算。盘查小组每年进行内部核查，核对活动数据与凭证、因子与出处，并检查清册的完整性与一致性。"
    )
    w.h("第九章 查证")
    w.p("查证状态：{{ verification }}。")
    w.h("第十章 减排策略与绩效")
    w.p("{{ reduction_measures }}")
    w.p(
        "{{ year }} 年度温室气体排放总量为 {{ total }} t CO2e。{% if previous_total %}{{ previous_year }} 年度为 {{ previous_total }} t CO2e（基本信息“上一年度排放总量”所填），变化 {{ change_pct }}。{% endif %}"
    )
    w.p("{%p if intensity %}")
    w.p("{{ intensity }}")
    w.p("{%p endif %}")
    w.p("{%p if yoy %}")
    w.p("{{ yoy.summary }}")
    w.p("{%p for r in yoy.rows %}")
    w.p("{{ r }}")
    w.p("{%p endfor %}")
    w.p("{{ yoy.note }}")
    w.p("{%p endif %}")


def _statement(w: _Writer) -> None:
    w.h("第十一章 报告书管理与符合性声明")
    w.h("11.1 报告的编写与批准", 2)
    w.p(
        "本报告（编号 {{ report_number }}，版本 {{ report_version }}）由 {{ prepared_by }} 编写，{{ reviewed_by }} 审核，{{ approved_by }} 批准，报告日期 {{ report_date }}。"
    )
    w.h("11.2 符合性声明", 2)
    w.p("{%p if draft %}")
    w.p(
        "本报告为草稿：以下事项尚未完成，因此本报告尚不声明符合 ISO 14064-1:2018。完成后重新生成的报告方可作为正式报告。"
    )
    w.p("{%p for m in missing %}")
    w.p("{{ loop.index }}. {{ m }}")
    w.p("{%p endfor %}")
    w.p("{%p else %}")
    w.p("本报告依据 ISO 14064-1:2018 第9章的要求编制，报告内容符合 ISO 14064-1:2018。")
    w.p("{%p endif %}")
    w.p(
        "{% if error_count %}注意：生成本报告时清册中仍有 {{ error_count }} 处错误，相关排放源未计入上述数值，请修正后重新生成。{% endif %}"
    )
    w.h("11.3 报告的取得与咨询", 2)
    w.p("本报告经批准后发行；如需对外提供，须经报告负责人同意。有关本报告的问题请联系：")
    for line in (
        "单位/部门：{{ contact_department }}",
        "咨询人员：{{ contact_person }}",
        "联系方式：{{ contact }}",
        "地址：{{ address }}",
    ):
        w.p(line)
    w.h("第十二章 参考文献")
    w.p("{%p for r in references %}")
    w.p("[{{ loop.index }}] {{ r }}")
    w.p("{%p endfor %}")


def _appendices(w: _Writer) -> None:
    w.landscape()
    w.h("附录一 排放因子表")
    w.p("本报告所用的每个排放因子与参数（热值、密度等）各列一行；编号（F1、F2 …）在附录二中引用。")
    w.loop_table(
        "排放因子",
        ["编号", "名称", "气体", "数值", "单位", "出处"],
        "for f in factors",
        [
            "{{ f.no }}",
            "{{ f.name }}",
            "{{ f.gas }}",
            "{{ f.value }}",
            "{{ f.unit }}",
            "{{ f.citation }}",
        ],
    )
    w.h("附录二 活动数据与排放量")
    w.p(
        "排放量 (t CO2e) = 活动数据 × 综合排放因子 (kg CO2e/单位) ÷ 1000；综合排放因子由“所用因子”列的因子（附录一）与 GWP 算得。“清册行”为该排放源在盘查清册活动数据表中的行号，可据以追溯每个数值。{% if not appendix_all %}本清册共 {{ appendix_rows }} 个排放源，超过本附录逐行列出的上限（{{ appendix_limit }} 个）。本附录列出其中 {{ appendix_listed }} 个（先取有错误的行，再按排放量由大到小选取），按清册行顺序排列，其排放量占本表“合计”的 {{ appendix_share }}；其余 {{ appendix_rest }} 个排放源合为“合计”行上方的一行，逐行见盘查清册“活动数据”表（已计算的排放源亦见查证资料包 audit.xlsx）。{% endif %}{{ appendix_basis }}"
    )
    w.rows_table(
        "各排放源活动数据与排放量",
        ACTIVITY_HEADERS,
        "activity",
        list(ACTIVITY_COLUMNS),
        ["合计", "", "", "", "", "", "", "", "", "{{ sources_total }}"],
    )
    w.h("附录三 核查抽样计划")
    w.p(
        "供查证机构参考的抽样起点：先抽取单独达到重要性水平（{{ materiality }}，清册基本信息“核查重要性水平”）的排放源，再按“排放量 × 风险系数”由大到小抽取，直至未抽样排放量低于重要性水平。风险系数由活动数据与仪器校正等级得出，自 1（自动连续测量且校正）至 2（推估）。本计划抽取 {{ sample_count }} 个排放源（其中单独重大 {{ sample_material }} 个），覆盖总排放量的 {{ sample_coverage }}；其余 {{ unsampled_count }} 个排放源合计占 {{ unsampled_share }}。查证机构可按其风险评估调整。"
    )
    w.loop_table(
        "核查抽样计划",
        [
            "序号",
            "编号",
            "清册行",
            "排放源",
            "排放量 (t CO2e)",
            "占比",
            "风险系数",
            "理由",
            "累计覆盖",
        ],
        "for s in sample",
        [
            "{{ s.no }}",
            "{{ s.id }}",
            "{{ s.row }}",
            "{{ s.source }}",
            "{{ s.tco2e }}",
            "{{ s.share }}",
            "{{ s.risk }}",
            "{{ s.reason }}",
            "{{ s.coverage }}",
        ],
    )
    w.p(
        "本报告由盘查清册经 ghgxl {{ ghgxl_version }} 生成（因子库 {{ factor_library_version }}；清册 SHA-256：{{ workbook_sha256 }}）；报告中全部数值由清册计算得出，未经手工录入，可用 ghgxl verify 核对本报告与清册是否一致。"
    )


def chapters(w: _Writer) -> None:
    """The report after its cover and table of contents."""
    _overview(w)
    _organisation(w)
    _boundary(w)
    _quantification(w)
    _quality(w)
    _uncertainty(w)
    _management(w)
    _statement(w)
    _appendices(w)
