"""The report's other years: the base year (chapter 7, ISO 14064-1:2018 9.3.1 asks for the
base-year inventory and its recalculation) and the year-on-year comparison (chapter 10).

Both come from :func:`ghgxl.workbook.change.compare` of this workbook with another one,
each computed with the factor library it records.
"""

from __future__ import annotations

from pathlib import Path

from ghgxl.export import cell_text
from ghgxl.report.content import CATEGORY_NAMES, category_status
from ghgxl.report.formats import money
from ghgxl.workbook.calc import WorkbookCalculation
from ghgxl.workbook.change import Comparison, Line, compare

CATEGORIES = tuple(CATEGORY_NAMES)
NOT_GIVEN = "未提供"


def signed(value: float) -> str:
    """+1,234.50 or −1,234.50; a change that rounds to nothing is 0.00, with no sign."""
    text = money(abs(value))
    return text if text.strip("0.,") == "" else f"{'+' if value >= 0 else '−'}{text}"


def percent_change(change: float, before: float) -> str:
    """+7.69% or −7.69% of ``before``; '-' without a ``before``."""
    if not before:
        return "-"
    text = f"{change / before * 100:+.2f}%"
    return "0.00%" if text in ("+0.00%", "-0.00%") else text.replace("-", "−")


def _parts(line: Line) -> str:
    e = line.effects
    moved = f"、类别调整 {signed(e['moved'])}" if signed(e["moved"]) != "0.00" else ""
    return (
        f"活动数据变化 {signed(e['activity'])}、排放因子变化 {signed(e['factor'])}、"
        f"新增排放源 {signed(e['added'])}、删除排放源 {signed(e['removed'])}{moved} t CO₂e"
    )


def _structural(change: Comparison, before: str) -> str:
    effects = change.total.effects
    crossed = "超过"  # the rule (chapter 7): recalculated when it reaches the threshold
    if not change.recalculate:
        crossed = "未超过"
    elif round(change.structural_pct, 2) == change.threshold_pct:
        crossed = "达到"
    return (
        f"新增与删除排放源等结构性变化：新增 {signed(effects['added'])}、删除 "
        f"{signed(effects['removed'])} t CO₂e，两者分别计入共 {money(change.structural_gross)} "
        f"t CO₂e，占 {before} 年度排放量的 {change.structural_pct:.2f}%，{crossed}基准年重新计算"
        f"门槛 {change.threshold_pct:g}%"
    )


def _changed(changes: list[tuple[str, str, str]], shown: int = 5) -> str:
    """编号 1：then → now；… for the first ``shown`` (编号, then, now), and how many in all."""
    listed = "；".join(f"编号 {key}：{then} → {now}" for key, then, now in changes[:shown])
    return listed + (f" 等 {len(changes)} 处" if len(changes) > shown else "")


def _renamed(change: Comparison, before: str) -> str:
    """A sentence on the 编号 whose source name changed since ``before``, else ""."""
    if not change.renamed:
        return ""
    return (
        f"以下排放源的编号与 {before} 年度相同而名称不同（{_changed(change.renamed)}）：逐年比较按编号对应各行，"
        "请确认其为同一排放源，否则应改用新编号。"
    )


def _unconverted(change: Comparison, before: str) -> str:
    """A sentence on the 编号 whose unit changed to one the earlier amount does not convert
    to (t → L), else "": their change could not be split."""
    if not change.unconverted:
        return ""
    return (
        f"以下排放源的活动数据单位与 {before} 年度不同且无法换算（{_changed(change.unconverted)}）：其排放量变化"
        "无法分解为活动数据与排放因子的变化，全部计入活动数据变化；如属计算方法变更，"
        "请说明并据以判断是否重新计算基准年。"
    )


def _in_error(change: Comparison) -> str:
    """A sentence on the sources counted as removed because their row is in error this
    year, else ""."""
    if not change.in_error:
        return ""
    shown = "、".join(change.in_error[:5])
    more = f" 等 {len(change.in_error)} 个" if len(change.in_error) > 5 else " 的"
    return (
        f"编号 {shown}{more}排放源本年度计算有误，未计入本年度排放量，比较中暂按删除排放源计；"
        "请更正后重新生成报告。"
    )


def _caveats(change: Comparison, before: str) -> str:
    """What the comparison could not settle by itself: sources in error this year, renamed
    sources, units that do not convert, another company or consolidation approach."""
    return (
        _in_error(change)
        + _renamed(change, before)
        + _unconverted(change, before)
        + _boundary(change, before)
    )


def _boundary(change: Comparison, before: str) -> str:
    """A sentence on the company or consolidation approach ``before`` had otherwise, else ""."""
    if not change.boundary:
        return ""
    shown = "，".join(
        f"{w.details['field']}为“{w.details['theirs']}”，本年度为“{w.details['ours']}”"
        for w in change.boundary
    )
    return (
        f"{before} 年度清册的{shown}：两年的排放量未必可比，请确认两份清册为同一组织、同一组织边界；"
        "边界或合并方法的改变属于结构性变化，应据以判断是否重新计算基准年。"
    )


def _restated(
    calc: WorkbookCalculation, change: Comparison, other: WorkbookCalculation, before: str
) -> str:
    """A sentence when ``other``'s figure here differs from its workbook's own total: the
    earlier year put on this year's scope-2 basis (market-based here, location there)."""
    own = other.result.total
    if money(own) == money(change.total.before):
        return ""
    basis = "市场法" if calc.scope2 is not None and calc.scope2.counted_market else "位置法"
    return (
        f"{before} 年度排放量按本年度总排放量的范围二计算方法（{basis}）计为 "
        f"{money(change.total.before)} t CO₂e，其清册自身的总排放量为 {money(own)} t CO₂e。"
    )


def year_on_year(calc: WorkbookCalculation) -> dict[str, object] | None:
    """与上一年度比较 (chapter 10) when an earlier workbook was given (``--previous``)."""
    if calc.previous is None:
        return None
    change = compare(calc, calc.previous)
    before, total = cell_text(change.before_year) or "上一", change.total
    pct = f"，{percent_change(total.change, total.before)}" if total.before else ""
    summary = (
        f"与 {before} 年度比较：总排放量由 {money(total.before)} t CO₂e 变为 "
        f"{money(total.after)} t CO₂e（{signed(total.change)} t CO₂e{pct}），其中{_parts(total)}。"
        + _restated(calc, change, calc.previous, before)
    )
    rows = [
        f"{CATEGORY_NAMES.get(category, f'类别{category}')}：{money(line.before)} → "
        f"{money(line.after)} t CO₂e（{_parts(line)}）"
        for category, line in change.by_category.items()
    ]
    if cell_text(change.before_year) == cell_text(calc.data.info.get("base_year")):
        note = _structural(change, before) + (  # last year is the base year: its verdict
            "，应重新计算基准年及其后各年的排放量。" if change.recalculate else "。"
        )
    else:  # the threshold is of the base year's emissions, not last year's: chapter 7
        effects = change.total.effects
        note = (
            f"与 {before} 年度相比，新增排放源 {signed(effects['added'])}、删除排放源 "
            f"{signed(effects['removed'])} t CO₂e；是否重新计算基准年以基准年排放量为准判断，"
            "见第七章基准年。"
        )
    note += _caveats(change, before)
    return {"summary": summary, "rows": rows, "note": note}


def _row(name: str, base: str, now: str, pct: str, structural: str, adjusted: str) -> dict:
    return {
        "name": name, "base": base, "now": now, "pct": pct, "structural": structural,
        "adjusted": adjusted,
    }  # fmt: skip


def base_year(calc: WorkbookCalculation) -> dict[str, object]:
    """基准年排放量 (chapter 7), by category and in total: the base year's, this year's, the
    change, the structural changes, and the base year recalculated for them when they reach
    the threshold. This year is the base year when 基本信息 says so; without a base-year
    workbook otherwise, the base-year columns say 未提供 and the note says how to give one."""
    info = calc.data.info
    year, base = cell_text(info.get("reporting_year")), cell_text(info.get("base_year"))
    by_category = calc.result.by_category()
    status = category_status(calc.data, CATEGORIES)  # no source this year: 未量化（排除） …
    blank = _row("", "-", "-", "-", "-", "-")
    if calc.base is None:
        own = bool(year) and year == base
        rows = [
            {**blank, "name": CATEGORY_NAMES[c]} if c in status else _row(
                CATEGORY_NAMES[c], money(by_category.get(c, 0.0)) if own else NOT_GIVEN,
                money(by_category.get(c, 0.0)), "0.00%" if own else "-", "-", "-",
            )
            for c in CATEGORIES
        ]  # fmt: skip
        total = money(calc.result.total)
        total_row = _row(
            "合计", total if own else NOT_GIVEN, total, "0.00%" if own else "-", "-", "-"
        )
        if own:
            note = "本年度即基准年，基准年排放量即本年度排放量。"
        else:
            note = (
                f"未提供基准年（{base or '-'} 年）清册：请在基本信息“基准年清册文件”填写与本清册"
                "同一文件夹中的基准年清册文件名（或 ghgxl report --base-year），报告即列出基准年"
                "排放量，并按门槛判断是否重新计算。"
            )
        return {"rows": rows, "total": total_row, "note": note}
    change = compare(calc, calc.base)
    crossed = change.recalculate

    def line_row(name: str, line: Line) -> dict:
        return _row(
            name, money(line.before), money(line.after), percent_change(line.change, line.before),
            signed(line.effects["added"] + line.effects["removed"]),
            money(line.adjusted_before) if crossed else "-",
        )  # fmt: skip

    rows = [
        line_row(CATEGORY_NAMES[c], change.by_category[c])
        if c in change.by_category
        else {**blank, "name": CATEGORY_NAMES[c]}
        for c in CATEGORIES
    ]
    before = cell_text(change.before_year) or base or "基准"
    total = change.total
    note = (
        f"基准年（{before} 年）排放量取自基准年清册 {Path(calc.base.data.path).name}。"
        + _restated(calc, change, calc.base, before)
        + _structural(change, before)
    )
    if crossed:
        note += (
            f"，故重新计算基准年排放量为 {money(total.adjusted_before)} t CO₂e：扣除此后删除的"
            f"排放源 {money(abs(total.effects['removed']))} t CO₂e，加上此后新增的排放源 "
            f"{money(total.effects['added'])} t CO₂e（以本年度排放量计）；"
            f"本年度较重新计算后的基准年变化 {percent_change(total.after - total.adjusted_before, total.adjusted_before)}。"
        )
    else:
        note += "，基准年排放量不重新计算。"
    note += _caveats(change, before)
    return {"rows": rows, "total": line_row("合计", total), "note": note}
