"""The report's context: every number from the engine's calculation of the workbook, every
company text from the workbook's 基本信息, formatted once here.

The variables are documented in ``templates/README.md``; a test fails when the template
uses one this module does not provide.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

import ghgxl
from ghgxl import citations, gwp, methods, quality
from ghgxl.emission import TOTAL_GROUPS
from ghgxl.export import cell_text
from ghgxl.factors import FactorLibrary
from ghgxl.report import content, provenance, years
from ghgxl.report import sources as listing
from ghgxl.report.content import CATEGORY_NAMES
from ghgxl.report.factor_table import FactorTable, factor_table, references
from ghgxl.report.formats import money, none_row, percentages, significant, subscript
from ghgxl.uncertainty import assess
from ghgxl.workbook import layout as L
from ghgxl.workbook.boundary import exclusions, significance
from ghgxl.workbook.calc import WorkbookCalculation, dq_scheme
from ghgxl.workbook.change import threshold_pct
from ghgxl.workbook.check import input_findings
from ghgxl.workbook.intensity import indicators
from ghgxl.workbook.read import is_blank, records
from ghgxl.workbook.ready import readiness

GAS_LABELS = {"CO2e": "CO2e*"}
GAS_NOTE = (
    "CO2e*：以 CO2 当量给出、未分气体的排放因子（如供应商、生命周期数据库或英国 DESNZ 因子）"
    "算得的排放量；其 CO2 当量沿用因子来源所用的 GWP 版本（见附录一各因子的出处），"
    "未换算为本报告所选的 GWP 版本。"
)
#: What makes two rows use the same methods, gases and factors: for a row with a library
#: factor (``factor_key``), its key, unit, gas and method; for one with its own factor, also
#: the factor, its unit and source and the row's source (the factor table names it so).
USE = ["method", "factor_key", "unit", "gas"]
OWN_FACTOR = ["factor", "factor_unit", "factor_source", "source"]


def _text(info: dict[str, object], key: str) -> str:
    value = info.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return next(f.default for f in L.INFO_FIELDS if f.key == key) or ""  # type: ignore[return-value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):  # a date typed as a date
        return value.strftime("%Y-%m-%d")
    return str(value).strip()


def distinct_uses(rows: pd.DataFrame) -> pd.DataFrame:
    """The first row of each distinct use of methods, gases and factors (:data:`USE`), in
    workbook order: what the methods, GWP and factor tables list, found without visiting
    100,000 rows that use the same few factors."""
    present = [c for c in USE + OWN_FACTOR if c in rows]
    key = rows[present].astype(object)
    if "factor_key" in key:
        library = key["factor_key"].map(lambda k: not is_blank(k)).to_numpy(dtype=bool)
        own = [c for c in OWN_FACTOR if c in key]
        key.loc[library, own] = None
    return rows[~key.duplicated().to_numpy()]


def method_of(row: dict[str, object]) -> str:
    """The method a row names, else the one its factor implies (:func:`methods.infer`)."""
    return methods.infer(row.get("method"), row.get("factor_key"), row.get("unit"))


def _category_table(result, status: dict[int, str]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Categories 1–6; one without a 活动数据 row prints its status (未量化（排除）,
    无排放源), not 0.00."""
    by_category = result.by_category()
    values = list(by_category.values())
    shares = percentages(values)
    rows = [
        {
            "no": str(c),
            "name": CATEGORY_NAMES[c],
            "value": status.get(c, money(v)),
            "percent": "-" if c in status else p,
        }
        for (c, v), p in zip(by_category.items(), shares, strict=True)
    ]
    return rows, {"value": money(result.total), "percent": "100.00%" if result.total > 0 else "-"}


SCOPES = (("范围一", "类别1", (1,)), ("范围二", "类别2", (2,)), ("范围三", "类别3–6", (3, 4, 5, 6)))


def scope_status(status: dict[int, str]) -> dict[int, str]:
    """What each scope without a quantified category prints instead of a figure, by its
    position in :data:`SCOPES` (范围三 when none of categories 3–6 is quantified: the status
    of category 3, as its table row says)."""
    return {
        position: status[cats[0]]
        for position, (_, _, cats) in enumerate(SCOPES)
        if all(c in status for c in cats)
    }


def _scope_table(result, status: dict[int, str]) -> dict[str, Any]:
    """The seed's table 2: scope 1, 2 and 3 (categories 3–6, the quantified ones summed)."""
    by_category = result.by_category()
    values = [sum(by_category[c] for c in cats) for _, _, cats in SCOPES]
    shares = percentages(values)
    rows = []
    for (scope, label, cats), value, share in zip(SCOPES, values, shares, strict=True):
        quantified = [c for c in cats if c not in status]
        text = money(value) if quantified else status[cats[0]]
        rows.append(
            {
                "scope": scope,
                "categories": label,
                "value": text,
                "percent": share if quantified else "-",
            }
        )
    left = [f"类别{c}：{status[c]}" for c in (3, 4, 5, 6) if c in status]
    note = "范围三合计为类别3–6 中已量化类别之和" + ("；" + "，".join(left) if left else "") + "。"
    return {"scopes": rows, "scope_note": note}


def _gas_table(by_gas: dict[str, float]) -> list[dict[str, str]]:
    values = [by_gas[g] for g in TOTAL_GROUPS]
    return [
        {"gas": GAS_LABELS.get(g, g), "value": money(v), "percent": p}
        for g, v, p in zip(TOTAL_GROUPS, values, percentages(values), strict=True)
    ]


def _category_gas_rows(
    result, categories: Iterable[int], status: dict[int, str]
) -> list[dict[str, str]]:
    table = result.by_category_gas()
    by_category = result.by_category()
    return [
        {
            "category": f"类别{c}",
            **{g: "-" if c in status else money(table[c][g]) for g in TOTAL_GROUPS},
            "total": status.get(c, money(by_category[c])),
        }
        for c in categories
    ]


def _dq_rows(calc: WorkbookCalculation) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The largest sources' data quality and one line for the rest (every source's is in
    the appendix), and the inventory's weighted score and grade."""
    scheme = dq_scheme(calc.data)
    summary = calc.result.data_quality(scheme)
    return listing.dq_rows(calc, scheme), {
        "unscored": str(summary["unscored"]),
        "score": "-" if summary["score"] is None else f"{summary['score']:.4f}",
        "grade": quality.NOT_ASSESSED if summary["grade"] is None else f"第{summary['grade']}",
    }


def _sources(calc: WorkbookCalculation) -> list[dict[str, str]]:
    """The 排放源识别 rows as text, with the scope each category implies."""
    sources = []
    frame = calc.data.sources
    if frame.empty:
        return sources
    for record in frame.to_dict("records"):
        entry = {k: "" if is_blank(v) else (cell_text(v) or "") for k, v in record.items()}
        category = record.get("category")
        entry["scope"] = (
            "" if is_blank(category) else ("1" if category == 1 else "2" if category == 2 else "3")
        )
        sources.append(entry)
    return sources


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.2f}%" if signed else f"±{value:.2f}%"


def _uncertainty(result, scheme: str) -> tuple[list[dict[str, str]], dict[str, str]]:
    assessed = assess(result, scheme=scheme)
    by_category = result.by_category()
    rows = []
    for category, entry in assessed["by_category"].items():
        rows.append(
            {
                "category": CATEGORY_NAMES[int(category)],
                "value": money(by_category[int(category)]),
                "propagation": _pct(entry.get("propagation_pct")),
                "lower": _pct(entry.get("lower_pct"), signed=True),
                "upper": _pct(entry.get("upper_pct"), signed=True),
            }
        )
    carlo = assessed["monte_carlo"] or {}
    total = {
        "value": money(result.total),
        "propagation": _pct(assessed["propagation"]["total_pct"]),
        "lower": _pct(carlo.get("lower_pct"), signed=True),
        "upper": _pct(carlo.get("upper_pct"), signed=True),
        "draws": f"{carlo.get('draws', 0):,}",
        "seed": str(carlo.get("seed", "")),
    }
    return rows, total


def _boundary(calc: WorkbookCalculation) -> dict[str, Any]:
    excluded = exclusions(calc.data, calc.result.total)
    judged = significance(calc.data)
    excluded_rows = [
        {
            "source": str(r["source"] or ""),
            "reason": str(r["reason"] or "（未填写理由）"),
            "estimate": money(r["estimate_tco2e"])
            if r["estimate_tco2e"] is not None
            else "无法估算",
            "share": "-" if r["share_pct"] is None else f"{r['share_pct']:.2f}%",
        }
        for r in excluded.rows
    ]
    return {
        "exclusion_rows": excluded_rows or none_row("source"),
        "exclusion_listed": bool(excluded_rows),
        "exclusion_total": money(excluded.total_tco2e),
        "exclusion_total_pct": "-" if excluded.total_pct is None else f"{excluded.total_pct:.2f}%",
        "exclusion_single_limit": f"{excluded.single_limit_pct:g}%",
        "exclusion_total_limit": f"{excluded.total_limit_pct:g}%",
        "exclusion_assessed": excluded.within_limits is not None,
        "exclusion_unestimated": str(excluded.unestimated),
        "exclusion_estimated": len(excluded.rows) - excluded.unestimated,
        "exclusion_verdict": "符合" if excluded.within_limits else "不符合",
        "significance_threshold": f"{judged.threshold:g}",
        "significant_left_out": _significant_left_out(judged.rows),
        "significance": [
            {
                "code": r["code"],
                "name": str(r["name"] or ""),
                **{k: "" if is_blank(v) else f"{float(v):g}" for k, v in r["scores"].items()},
                "score": "-" if r["score"] is None else f"{r['score']:g}",
                "judgement": r["judgement"] or "未评估",
                "included": r["included"] or "-",
                "reason": str(r["reason"] or ""),
            }
            for r in judged.rows
        ],
    }


def _significant_left_out(rows: list[dict[str, Any]]) -> str:
    """A sentence naming the sub-categories judged significant but not quantified, with
    their reasons (the rule above the table says significant ones are quantified), else ""."""
    left = [r for r in rows if r["judgement"] == "重大" and r["included"] == "不纳入"]
    if not left:
        return ""

    def one(row: dict[str, Any]) -> str:
        name = str(row["name"] or "").strip()
        reason = str(row["reason"] or "").strip().rstrip("。；;.， ") or "未填写理由"
        return f"{row['code']}{' ' + name if name else ''}（总分 {row['score']:g}）：{reason}"

    return f"以下判定为重大的间接排放未纳入量化，理由如下——{'；'.join(one(r) for r in left)}。"


def grade_bands(scheme: str) -> str:
    """The grade table of a scheme as the report states it, from ghgxl.quality.GRADES:
    ``≥5 为一级，4–5 二级，…，<2 五级`` (631) or ``小于 10 为第一级，10–19 为第二级，19–27 为第三级``."""
    grades = quality.GRADES[scheme]
    if scheme == quality.TAIWAN_SCHEME:  # lower is better: listed from the best grade up
        bounds = [t for t, _ in grades if t != -math.inf][::-1]
        names = [n for _, n in grades][::-1]
        upper = [*bounds[1:], 27]
        parts = [f"小于 {bounds[0]:g} 为第{names[0]}"]
        parts += [
            f"{low:g}–{high:g} 为第{name}"
            for low, high, name in zip(bounds, upper, names[1:], strict=True)
        ]
        return "，".join(parts)
    (top, best), *middle = grades[:-1]
    parts = [f"≥{top:g} 为{best}"]
    previous = top
    for threshold, name in middle:
        parts.append(f"{threshold:g}–{previous:g} {name}")
        previous = threshold
    parts.append(f"<{previous:g} {grades[-1][1]}")
    return "，".join(parts)


def _previous(calc: WorkbookCalculation) -> dict[str, str]:
    """Last year's total as 基本信息 上一年度排放总量 gives it, and the change to this year's;
    empty when not given, or when last year's workbook is given (--previous): chapter 10
    then compares the two workbooks on one basis, and a typed figure beside it could be on
    another (location-based where this year counts market-based, say)."""
    previous = calc.data.info.get("previous_total")
    number = isinstance(previous, (int, float)) and not isinstance(previous, bool)
    if calc.previous is not None or not number or previous <= 0:  # type: ignore[operator]
        return {"previous_total": "", "previous_year": "", "change_pct": ""}
    year = calc.data.info.get("previous_year")
    total = calc.result.total
    return {
        "previous_total": money(float(previous)),  # type: ignore[arg-type]
        "previous_year": cell_text(year) or "上一年度",
        "change_pct": years.percent_change(total - float(previous), float(previous)),  # type: ignore[arg-type]
    }


def _readiness(calc: WorkbookCalculation) -> dict[str, Any]:
    """Whether the report is final (every check passed: ghgxl.workbook.ready) or a draft,
    and what is missing."""
    state = readiness(input_findings(calc))
    return {"draft": not state.ready, "missing": list(state.missing)}


#: What the factor table reads of each row (:func:`ghgxl.report.factor_table.factor_table`).
FACTOR_FIELDS = (
    "id",
    "source",
    "unit",
    "gas",
    "factor_key",
    "factor",
    "factor_unit",
    "factor_source",
)


def report_factors(calc: WorkbookCalculation, library: FactorLibrary | None = None) -> FactorTable:
    """The factors the report cites (appendix one) and what each 活动数据 row used."""
    library = library or calc.library
    rows = records(calc.rows, FACTOR_FIELDS)
    year = _text(calc.data.info, "reporting_year")
    return factor_table(rows, library, calc.result.gwp_set, year, _residual_keys(calc))


def _appendix_basis(calc: WorkbookCalculation) -> str:
    """附录二 adds up each source's own figure, purchased power location-based: when the
    totals count scope 2 market-based, a sentence says why its 合计 is not the total."""
    if calc.scope2 is None or not calc.scope2.counted_market:
        return ""
    result = calc.result
    return (
        f"本表按各排放源自身的排放量计，外购电力按位置法；本报告的总排放量中范围二按市场法计，"
        f"故本表“合计”（{money(result.located_total)} t CO₂e）与总排放量"
        f"（{money(result.total)} t CO₂e）相差 {money(abs(result.located_total - result.total))} t CO₂e"
        "（见第三章范围二的说明）。"
    )


def _residual_keys(calc: WorkbookCalculation) -> list[str]:
    """The residual factors the market-based scope 2 counted, when the report states it
    (:func:`_scope2_market`): cited in 附录一 like every other factor of a figure it prints."""
    both = calc.scope2
    if both is None or both.market_t is None:
        return []
    if not (both.instruments or both.basis == L.SCOPE2_MARKET):
        return []
    return list(both.residual)


def _intensity(calc: WorkbookCalculation) -> str:
    """排放强度 sentence (ISO 14064-1 9.3.2) from the denominators 基本信息 gives; "" without."""
    parts = [
        f"{i.name} {significant(i.value, 4)} {i.unit}"
        for i in indicators(calc.data.info, calc.result.total)
    ]
    return f"排放强度：{'；'.join(parts)}。" if parts else ""


def _scope2_market(calc: WorkbookCalculation, factors: FactorTable | None = None) -> str:
    """The dual-reporting sentence of scope 2, when the workbook holds instruments (绿电绿证)
    or its totals count scope 2 market-based; "" otherwise (the market-based figure is in
    the JSON). It says which figure the totals count."""
    both = calc.scope2
    market_basis = both is not None and both.basis == L.SCOPE2_MARKET
    if both is not None and market_basis and both.market_t is None:
        return (
            f"基本信息选择总排放量中范围二按市场法计算，但绿电绿证表有错误（{both.errors[0].cell}），"
            f"市场法范围二无法计算：本报告的总排放量暂按位置法计（{money(calc.result.total)} t CO₂e），"
            "改正后须重新生成。"
        )
    if both is not None and both.instruments and both.market_t is None:
        return (
            f"绿电绿证表有错误（{both.errors[0].cell}），市场法范围二无法计算，改正后须重新生成；"
            f"范围二按位置法为 {money(both.location_t)} t CO₂e，本报告总排放量采用位置法"
            f"（{money(calc.result.total)} t CO₂e）。"
        )
    if both is None or not (both.instruments or market_basis) or both.market_t is None:
        return ""
    covered = "、".join(f"{kind} {money(mwh, 3)} MWh" for kind, mwh in both.covered_mwh.items())
    cited = factors.also if factors is not None else {}  # the F-numbers 附录一 gives them
    residual = "、".join(
        f"{value:g} tCO₂/MWh" + (f"（附录一 {cited[key]}）" if cited.get(key) else " ")
        for key, value in both.residual.items()
    )
    rest = (
        f"，其余 {money(both.uncovered_mwh, 3)} MWh 按剩余电力排放因子 {residual}计"
        if residual
        else ""
    )
    if both.warnings:  # W118: provincial or regional rows
        rest += (
            "（按省级或区域电网因子计算的用电亦然：生态环境部未发布省级或区域的剩余电力排放因子）"
        )
    if not covered:  # no instrument: all of it at the residual factor
        rest = rest.replace("，其余", "全部", 1)
    dual = (
        f"范围二排放量按位置法为 {money(both.location_t)} t CO₂e，按市场法为 "
        f"{money(both.market_t)} t CO₂e（{covered}{rest}；GHG Protocol 范围二指南）。"
    )
    if market_basis:
        located = calc.result.total - both.market_t + both.location_t
        return (
            f"{dual}依基本信息“总排放量中范围二的计算方法”，本报告的总排放量及各类别、各气体合计中范围二"
            f"按市场法计（{money(calc.result.total)} t CO₂e，清册汇总表“总计”）；范围二按位置法计，总排放量为 "
            f"{money(located)} t CO₂e（“总计（范围二按位置法）”）。各排放源的排放量（排放源排名、附录）、"
            "各厂区合计与数据质量权重按位置法。"
        )
    return (
        f"{dual}本报告总排放量采用位置法（{money(calc.result.total)} t CO₂e）；范围二按市场法计，总排放量为 "
        f"{money(both.total_market_t)} t CO₂e（清册汇总表“总计（范围二按市场法）”）。"
    )


def build_context(
    calc: WorkbookCalculation,
    library: FactorLibrary | None = None,
    factors: FactorTable | None = None,
) -> dict[str, Any]:
    """Everything the report template shows, as strings and lists of dicts; ``factors``
    (:func:`report_factors`) when the caller has them already."""
    info = calc.data.info
    result = calc.result
    status = content.category_status(calc.data, CATEGORY_NAMES)
    category_rows, category_total = _category_table(result, status)
    by_gas = result.by_gas()
    rows = distinct_uses(calc.rows).to_dict("records")
    methods_used = sorted({method_of(r) for r in rows}, key=list(methods.METHODS).index)
    named = {gwp.canonical_gas(str(r["gas"])) for r in rows if not is_blank(r.get("gas"))}
    gases_used = ["CO2", "CH4", "N2O", *sorted(g for g in named if g not in ("CO2", "CH4", "N2O"))]
    dq_rows, dq_summary = _dq_rows(calc)
    scheme = dq_scheme(calc.data)
    sources = _sources(calc)
    for source in sources:
        source["type_label"] = content.type_label(source.get("emission_type", ""))
    year = _text(info, "reporting_year")
    set_name = result.gwp_set
    factors = factors or report_factors(calc, library)
    uncertainty_rows, uncertainty_total = _uncertainty(result, scheme)
    gwp_code = citations.GWP_CODES[set_name]
    return {
        **{f.key: _text(info, f.key) for f in L.INFO_FIELDS},
        **_readiness(calc),
        "year": year,
        "ghgxl_version": ghgxl.__version__,
        "workbook_sha256": provenance.sha256(Path(calc.data.path)),
        "factor_library_version": result.library_version,
        "gwp_set": set_name,
        "gwp_source": citations.table()[gwp_code].citation,
        "gwp_values": [{"gas": g, "value": f"{gwp.gwp(g, set_name):g}"} for g in gases_used],
        "ghg_definitions": [{"formula": f, "name": n} for f, n in content.GHG_DEFINITIONS],
        "direct_types": content.direct_types(sources),
        "team": content.team(info),
        "total": money(result.total),
        # the per-source tables' sum: each source its own figure (scope 2 location-based)
        "sources_total": money(result.located_total),
        "appendix_basis": _appendix_basis(calc),
        "categories": category_rows,
        "category_total": category_total,
        **_scope_table(result, status),
        # category 1 with no row is 无排放源 or 未量化（排除）, as 表7 says, not 0.00 t
        "direct_total": status.get(1) or f"{money(result.by_category()[1])} t CO₂e",
        "indirect_total": money(sum(v for c, v in result.by_category().items() if c > 1)),
        "gases": _gas_table(by_gas),
        "scope1_gases": _category_gas_rows(result, [1], status),
        "scope2_gases": _category_gas_rows(result, [2], status),
        "indirect_gases": _category_gas_rows(result, [3, 4, 5, 6], status),
        "gas_headers": [GAS_LABELS.get(g, g) for g in TOTAL_GROUPS],
        "gas_note": subscript(GAS_NOTE),
        "biogenic": money(result.biogenic_co2_t),
        "other_gases": money(by_gas["Other"]),
        "removals": "0.00",
        "sources": sources or none_row("id"),
        "methods": [
            {
                "name": methods.METHODS[m].label,
                "formula": methods.METHODS[m].formula,
                "reference": methods.METHODS[m].basis,
            }
            for m in methods_used
        ]
        or none_row("name"),
        "factors": factors.entries or none_row("no"),
        "grid_factors": factors.grid,
        "scope2_market": _scope2_market(calc, factors),
        "intensity": _intensity(calc),
        "yoy": years.year_on_year(calc),
        "base": years.base_year(calc),
        "recalculation_threshold": f"{threshold_pct(info):g}",
        "references": references(methods_used, gwp_code, factors.codes),
        "dq_rows": dq_rows or none_row("id"),
        "dq_score": dq_summary["score"],
        "dq_assessed": dq_summary["score"] != "-",
        "dq_unscored": dq_summary["unscored"],
        "dq_taiwan": scheme == quality.TAIWAN_SCHEME,
        "dq_grades": grade_bands(scheme),
        "dq_rubric": [
            {"item": item, "score": score, "criterion": text}
            for item, score, text in quality.rubric(scheme)
        ],
        "dq_grade_table": [{"grade": f"第{g}", "range": r} for g, r in quality.grade_table(scheme)],
        "dq_grade": dq_summary["grade"],
        "top_sources": listing.top_sources(calc) or none_row("rank"),
        "uncertainty_rows": uncertainty_rows or none_row("category"),
        "uncertainty_total": uncertainty_total,
        **_boundary(calc),
        **listing.sampling(calc),
        **listing.sites(calc),
        **listing.appendix(calc),
        **_previous(calc),
        **{name: content.NOT_SUPPLIED for name in content.PICTURES},
        "error_count": len(result.errors),
        "errors": [e.text() for e in result.errors],
    }
