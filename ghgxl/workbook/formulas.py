"""The formulas of the 盘查清册, built here once for the template, ``workbook new`` (through
:mod:`ghgxl.workbook.resize`) and the checks that compare a workbook's formulas with them.

Read by people, so they stay plain: IF, SUM, SUMIFS, COUNTIF and the GHG_* functions.
Strings only — no openpyxl — so resizing a workbook does not load a spreadsheet library.
"""

from __future__ import annotations

from ghgxl import quality
from ghgxl.emission import GROUPS, TOTAL_GROUPS
from ghgxl.workbook import layout as L
from ghgxl.workbook.refs import split_ref


def scope_formula(category: str) -> str:
    return f'=IF({category}="","",IF({category}=1,1,IF({category}=2,2,3)))'


def category_test(cell: str) -> str:
    """TRUE when ``cell`` is not one of the categories as a number (text "1", TRUE, 7, "")."""
    categories = ",".join(str(c) for c in L.L_CATEGORIES)
    return f"ISNA(MATCH({cell},{{{categories}}},0))"


def groups_formula(row: int, groups: tuple[str, ...]) -> str:
    """The array formula of a run of gas-group cells (one Python call for the run):
    ``=IF($U5="","",IF(ISNA(MATCH($D5,{1,…,6},0)),"#GHG! E502 …",
    GHG_EMISSION_GROUPS($U5,$V5,$X5,$Y5,$Z5,$AA5,ghg_gwp,"CO2,CH4,…",ghg_company_factors,
    ghg_library)))`` (the last two: the 公司因子 table and the library version the workbook
    records, so a row computes in Excel as ``ghgxl calc`` computes it)."""
    keys = ("amount", "unit", "factor_key", "factor", "factor_unit", "gas", "category")
    c = {k: f"${L.ACT_COL[k]}{row}" for k in keys}
    arguments = ",".join(c[k] for k in keys[:-1])
    call = (
        f'GHG_EMISSION_GROUPS({arguments},ghg_gwp,"{",".join(groups)}",{L.COMPANY_NAME},'
        f"{L.LIBRARY_NAME})"
    )
    category = f'IF({category_test(c["category"])},"{L.CATEGORY_ERROR_TEXT}",{call})'
    return f'=IF({c["amount"]}="","",{category})'


def array_ref(row: int, groups: tuple[str, ...]) -> str:
    """The cells of one run of gas groups in ``row``: ``AC5:AJ5``."""
    return f"{L.ACT_COL['g_' + groups[0]]}{row}:{L.ACT_COL['g_' + groups[-1]]}{row}"


def _total_span(row: int) -> str:
    first = L.ACT_COL[f"g_{TOTAL_GROUPS[0]}"]
    last = L.ACT_COL[f"g_{TOTAL_GROUPS[-1]}"]
    return f"${first}{row}:${last}{row}"


def activity_formulas(row: int) -> dict[str, str]:
    """Every formula of one 活动数据 row, by column key."""
    c = {k: f"${v}{row}" for k, v in L.ACT_COL.items()}
    months = f"${L.ACT_COL['m1']}{row}:${L.ACT_COL['m12']}{row}"
    span = _total_span(row)
    formulas = {
        "scope": scope_formula(c["category"]),
        "amount": f'=IF(COUNT({months})>0,SUM({months}),IF({c["annual"]}="","",{c["annual"]}))',
        "total": (
            f'=IF({c["amount"]}="","",IF(COUNTIF({span},"#GHG!*")>0,'
            f'"#GHG! 见本行 / see this row",SUM({span})))'
        ),
    }
    for groups in L.GROUP_SPANS:  # the first cell of each run: the others are its array
        formulas[f"g_{groups[0]}"] = groups_formula(row, groups)
    return formulas


def significance_formulas(row: int) -> dict[str, str]:
    c = L.SIG_COL
    first, last = c[L.SIGNIFICANCE_CRITERIA[0][0]], c[L.SIGNIFICANCE_CRITERIA[-1][0]]
    scores = f"{first}{row}:{last}{row}"
    return {
        "score": f'=IF(COUNT({scores})=0,"",SUM({scores}))',
        "judgement": f'=IF({c["score"]}{row}="","",IF({c["score"]}{row}>=ghg_sig_threshold,"重大","不重大"))',
    }


def quality_formulas(row: int) -> list[str]:
    a = {k: f"{L.SHEET_ACTIVITY}!${v}{row}" for k, v in L.ACT_COL.items()}
    return [
        f'=IF({a["id"]}="","",{a["id"]})',
        f'=IF({a["source"]}="","",{a["source"]})',
        f'=IF({a["dq_activity"]}="","",{a["dq_activity"]})',
        f'=IF({a["dq_factor"]}="","",{a["dq_factor"]})',
        f'=IF({a["dq_calibration"]}="","",{a["dq_calibration"]})',
        f'=IF(COUNT(C{row}:E{row})<3,"",IF({TAIWAN},PRODUCT(C{row}:E{row}),AVERAGE(C{row}:E{row})))',
        f'=IF(F{row}="","",{_grade("F" + str(row))})',
        f'=IF(ISNUMBER({a["total"]}),{a["total"]},"")',
        f'=IF(OR(H{row}="",ghg_total=0),"",H{row}/ghg_total)',
        f'=IF(OR(F{row}="",I{row}=""),"",F{row}*I{row})',
    ]


#: True when 基本信息 chooses the Taiwan MOENV scheme (ghgxl.quality.scheme_of reads it alike).
TAIWAN = 'ISNUMBER(SEARCH("台湾",ghg_dq_scheme))'


def _grade_of(score: str, grades: tuple[tuple[float, str], ...]) -> str:
    """Nested IFs from a grade table: ``IF(s>=5,"一级",IF(s>=4,"二级",…"五级"))``."""
    (threshold, name), *rest = grades
    if not rest:
        return f'"{name}"'
    return f'IF({score}>={threshold:g},"{name}",{_grade_of(score, tuple(rest))})'


def _grade(score: str) -> str:
    """The grade formula of both schemes, built from ghgxl.quality.GRADES."""
    seed = _grade_of(score, quality.GRADES[quality.SEED_SCHEME])
    taiwan = _grade_of(score, quality.GRADES[quality.TAIWAN_SCHEME])
    return f"IF({TAIWAN},{taiwan},{seed})"


def quality_total_formulas(last: int = L.LAST_ROW) -> dict[str, str]:
    """The weighted score and grade below a 数据质量 table that ends in row ``last``. The
    score is left blank, and the grade says 未评估 (not assessed), unless every row with an
    emission has its three scores: a sum over some of the rows is no score (the same rule
    as ghgxl.inventory.InventoryResult.data_quality)."""
    total = L.quality_total_row(last)
    score, emitted = f"J{L.FIRST_ROW}:J{last}", f"H{L.FIRST_ROW}:H{last}"
    return {
        f"J{total}": (f'=IF(OR(COUNT({score})=0,COUNT({score})<COUNT({emitted})),"",SUM({score}))'),
        f"J{total + 1}": (f'=IF(J{total}="","{quality.NOT_ASSESSED}","第"&{_grade(f"J{total}")})'),
    }


def label_of(ref: str) -> str:
    """The label cell in column A of a summary figure's row."""
    return f"A{split_ref(ref)[0]}"


def summary_formulas(last: int = L.LAST_ROW) -> dict[str, str]:
    """Every formula of 汇总 (ref → formula) for a 活动数据 table ending in row ``last``."""
    cells = L.summary_cells()

    def rows(key: str) -> str:
        return L.act_range(key, last=last)

    grand = L.SUMMARY_TOTAL
    adjustment = L.SCOPE2_CELLS["adjustment"]  # 市场法: scope 2's market less location, else 0
    adjusted = {"category:2", f"gas:{GROUPS[0]}", f"category_gas:2:{GROUPS[0]}"}  # CO2
    formulas: dict[str, str] = {}
    for c in L.L_CATEGORIES:
        ref = cells[f"category:{c}"]
        formulas[ref] = f"=SUMIFS({rows('total')},{rows('category')},{c})"
        formulas[cells[f"share:{c}"]] = f'=IF({grand}=0,"",{ref}/{grand})'
    first, end = cells[f"category:{L.L_CATEGORIES[0]}"], cells[f"category:{L.L_CATEGORIES[-1]}"]
    formulas[grand] = f"=SUM({first}:{end})"
    shares = f"{cells[f'share:{L.L_CATEGORIES[0]}']}:{cells[f'share:{L.L_CATEGORIES[-1]}']}"
    formulas[cells["share_total"]] = f'=IF({grand}=0,"",SUM({shares}))'
    for gas in L.SUMMARY_GASES:
        ref = cells[f"gas:{gas}"]
        formulas[ref] = f"=SUM({rows(f'g_{gas}')})"
        formulas[cells[f"gas_share:{gas}"]] = f'=IF({grand}=0,"",{ref}/{grand})'
        for c in L.L_CATEGORIES:
            formulas[cells[f"category_gas:{c}:{gas}"]] = (
                f"=SUMIFS({rows(f'g_{gas}')},{rows('category')},{c})"
            )
    gases = f"{cells[f'gas:{L.SUMMARY_GASES[0]}']}:{cells[f'gas:{L.SUMMARY_GASES[-1]}']}"
    formulas[cells["gas_total"]] = f"=SUM({gases})"
    formulas[cells["biogenic"]] = f"=SUM({rows('g_CO2-biogenic')})"
    formulas[cells["other"]] = f"=SUM({rows('g_Other')})"
    first_result = L.ACT_COL[f"g_{GROUPS[0]}"]
    last_result = L.ACT_COL["g_Other"]
    errors = f"{L.SHEET_ACTIVITY}!${first_result}${L.FIRST_ROW}:${last_result}${last}"
    formulas[cells["errors"]] = f'=COUNTIF({errors},"#GHG!*")'
    formulas[L.SUMMARY_CHECK] = f'=IF(ABS({grand}-{cells["gas_total"]})<0.000001,"一致","不一致")'
    for key in adjusted:
        formulas[cells[key]] += f"+{adjustment}"
    return formulas | scope2_formulas(last)


def scope2_formulas(last: int = L.LAST_ROW) -> dict[str, str]:
    """汇总's dual reporting of scope 2: location-based (the 类别2 rows), market-based (the
    cell function over 活动数据 and 绿电绿证, as ``ghgxl calc`` computes it), the total with
    scope 2 each way (the market cell's error text while an instrument is wrong) and what
    the basis 基本信息 chooses adds to 类别2, the total and CO2 (an error while the market
    cell holds one and the basis is 市场法: never a total that is neither)."""
    s2 = L.SCOPE2_CELLS
    columns = ",".join(
        L.act_range(key, last=last)
        for key in ("id", "category", "amount", "unit", "factor_key", "total")
    )
    first, end = L.MARKET_COL["row_id"], L.MARKET_COL["evidence"]
    market = f"{L.SHEET_MARKET}!${first}${L.FIRST_ROW}:${end}${L.MARKET_LAST_ROW}"
    cells = L.summary_cells()
    others = ",".join(cells[f"category:{c}"] for c in L.L_CATEGORIES if c != 2)
    location, market_t = s2["scope2_location"], s2["scope2_market"]
    return {
        location: f"=SUMIFS({L.act_range('total', last=last)},{L.act_range('category', last=last)},2)",
        market_t: (
            f"=GHG_SCOPE2_MARKET({columns},{market},ghg_year,{L.COMPANY_NAME},{L.LIBRARY_NAME})"
        ),
        s2["total_market"]: (f"=IF(ISNUMBER({market_t}),SUM({others})+{market_t},{market_t})"),
        s2["total_location"]: f"=SUM({others})+{location}",
        s2["adjustment"]: f'=IF(ghg_scope2_basis="{L.SCOPE2_MARKET}",{market_t}-{location},0)',
    }


def _site_sum(column: str, site: str, last: int, category: int | None = None) -> str:
    """What the rows of the site named in ``site`` emit in 活动数据 ``column``: those whose
    厂区/部门 is the site, or the site followed by ｜ ("=" makes the name a text to match,
    never an operator; consolidate refuses names holding * ? ~, E631)."""
    values, facility = L.act_range(column, last=last), L.act_range("facility", last=last)
    condition = f",{L.act_range('category', last=last)},{category}" if category else ""
    exact = f'SUMIFS({values}{condition},{facility},"="&{site})'
    below = f'SUMIFS({values}{condition},{facility},"="&{site}&"{L.SITE_MARK}*")'
    return f"{exact}+{below}"


def site_formulas(row: int, last: int = L.LAST_ROW) -> dict[str, str]:
    """The 各厂区汇总 formulas of the site line in ``row`` (column letter → formula)."""
    c = L.SITE_COL
    site = f"${c['site']}{row}"
    formulas = {}
    for category in L.L_CATEGORIES:
        formulas[c[f"category:{category}"]] = (
            f'=IF({site}="","",{_site_sum("total", site, last, category)})'
        )
    first, end = c["category:1"], c[f"category:{L.L_CATEGORIES[-1]}"]
    formulas[c["total"]] = f'=IF({site}="","",SUM({first}{row}:{end}{row}))'
    formulas[c["share_of_total"]] = f'=IF(OR({site}="",ghg_total=0),"",{c["total"]}{row}/ghg_total)'
    for gas in TOTAL_GROUPS:
        formulas[c[f"gas:{gas}"]] = f'=IF({site}="","",{_site_sum(f"g_{gas}", site, last)})'
    return formulas


def sites_total_formulas() -> dict[str, str]:
    """Row 5 of 各厂区汇总 (the whole workbook, from 汇总, with scope 2 location-based as
    the site lines count it) and row 6 (the rows of no listed site: the whole less the
    sites; blank while no site is listed), as ref → formula."""
    c = L.SITE_COL
    summary = sites_whole()
    for key in SITES_LOCATED:
        summary[key] += f"-{L.SHEET_SUMMARY}!{L.SCOPE2_CELLS['adjustment']}"
    all_row, rest, first, end = (
        L.SITES_ALL_ROW, L.SITES_UNASSIGNED_ROW, L.SITES_FIRST_ROW, L.SITES_LAST_ROW,
    )  # fmt: skip
    site = c["site"]
    listed = f"COUNTA(${site}${first}:${site}${end})"  # no site listed: a single site's workbook
    formulas = {}
    for key, ref in summary.items():
        letter = c[key]
        formulas[f"{letter}{all_row}"] = f"={L.SHEET_SUMMARY}!{ref}"
        # rounded to 10^-6 t, so that a sum's last bits never show as -0.00
        formulas[f"{letter}{rest}"] = (
            f'=IF({listed}=0,"",ROUND({letter}{all_row}-SUM({letter}{first}:{letter}{end}),6))'
        )
    share = c["share_of_total"]
    formulas[f"{share}{all_row}"] = f'=IF(ghg_total=0,"",{c["total"]}{all_row}/ghg_total)'
    formulas[f"{share}{rest}"] = f'=IF(OR({listed}=0,ghg_total=0),"",{c["total"]}{rest}/ghg_total)'
    return formulas


#: The 各厂区汇总 figures whose whole (row 5) takes back 汇总's scope-2 adjustment: the
#: site lines count each row location-based, so the whole does too (类别2 and the total come
#: from the location-based cells themselves).
SITES_LOCATED = (f"gas:{GROUPS[0]}",)


def sites_whole() -> dict[str, str]:
    """Where each 各厂区汇总 figure of the whole workbook is in 汇总: 类别2 and the total
    location-based, as the site lines count them."""
    cells = L.summary_cells()
    whole = {f"category:{k}": cells[f"category:{k}"] for k in L.L_CATEGORIES}
    whole |= {"total": L.SUMMARY_TOTAL} | {f"gas:{g}": cells[f"gas:{g}"] for g in TOTAL_GROUPS}
    whole["category:2"] = L.SCOPE2_CELLS["scope2_location"]
    whole["total"] = L.SCOPE2_CELLS["total_location"]
    return whole


def sites_formulas(last: int = L.LAST_ROW) -> dict[str, str]:
    """Every formula of 各厂区汇总 (ref → formula) for a 活动数据 table ending in ``last``."""
    formulas = sites_total_formulas()
    for row in range(L.SITES_FIRST_ROW, L.SITES_LAST_ROW + 1):
        formulas |= {f"{letter}{row}": f for letter, f in site_formulas(row, last).items()}
    return formulas
