"""Whether a workbook is ready for a final report, and what is missing when it is not.

A workbook is **ready** when ``ghgxl check`` finds no error and none of the warnings in
:data:`BLOCKING`:

* W110 — a 基本信息 field still holds its placeholder (``（姓名）``) or is empty;
* W111 — a 重大性评估 sub-category without its six scores or its decision;
* W109 — an excluded source without an estimate (the 1 %/5 % limits cannot be judged);
* W112, W113, W108 — no activity data, or a source without its data-quality scores (the
  inventory's data quality is then 未评估);
* W103 — an explicit factor without its source (the factor table could not cite it);
* W124 — a category quantified while 重大性评估 leaves all its sub-categories out (the report
  would quantify what its own assessment excludes).

The report of a workbook that is not ready is a draft: 草稿 on its cover and in its header,
and instead of the conformity statement it lists what is missing (:func:`readiness`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ghgxl.errors import GhgError
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import WorkbookCalculation, dq_scheme
from ghgxl.workbook.read import DQ_KEYS, WorkbookData, is_blank, is_number

#: Warnings that keep a workbook from being ready (errors always do).
BLOCKING = ("W110", "W111", "W109", "W112", "W113", "W108", "W103", "W124")
#: ``company`` left as its placeholder is already an error (E101).
_INFO_AS_ERROR = ("company",)


def info_place(data: WorkbookData, key: str) -> str:
    """The 基本信息 cell of ``key``: where the workbook has it, else where the template would."""
    return f"{L.SHEET_INFO}!B{data.info_rows.get(key, L.INFO_ROW[key])}"


def unfilled_info(data: WorkbookData) -> list[GhgError]:
    """W110 at each 基本信息 field that still stands for what the user has to write."""
    return [
        GhgError("W110", cell=info_place(data, f.key), field=f.label)
        for f in L.INFO_FIELDS
        if f.key not in _INFO_AS_ERROR and L.is_placeholder(f.key, data.info.get(f.key))
    ]


def unassessed_significance(data: WorkbookData) -> list[GhgError]:
    """W111 at the first empty cell (a score, or 是否纳入) of each sub-category not yet
    assessed; one W111 for the whole sheet when it has no sub-category at all."""
    if data.significance.empty:
        return [GhgError("W111", cell=f"{L.SHEET_SIGNIFICANCE}!A{L.FIRST_ROW}", value="（全部）")]
    keys = [key for key, _ in L.SIGNIFICANCE_CRITERIA] + ["included"]
    found = []
    for record in data.significance.to_dict("records"):
        empty = [
            k
            for k in keys
            if (is_blank(record.get(k)) if k == "included" else not is_number(record.get(k)))
        ]
        if empty:
            cell = f"{L.SHEET_SIGNIFICANCE}!{L.SIG_COL[empty[0]]}{record['row']}"
            name = record.get("code") or record.get("name")
            found.append(GhgError("W111", cell=cell, value=name))
    return found


def unassessed_quality(calc: WorkbookCalculation) -> list[GhgError]:
    """W112 when 活动数据 holds no row; W113 when some source has emissions but none has
    its three scores (W108 names the rows when only some lack them)."""
    activity = calc.data.activity
    columns = calc.data.activity_columns
    if activity.empty:
        return [GhgError("W112", cell=f"{L.SHEET_ACTIVITY}!{columns['id']}{L.FIRST_ROW}")]
    scores = calc.result.dq_scores(dq_scheme(calc.data)).to_numpy()
    counted = calc.result.rows["ok"].to_numpy()
    if not counted.any() or not np.isnan(scores[counted]).all():
        return []
    first = int(np.flatnonzero(counted)[0])
    rows = calc.result.rows  # the scores as read: a date is its serial, text none
    key = next((k for k in DQ_KEYS if pd.isna(rows[k].iat[first])), DQ_KEYS[0])
    cell = f"{L.SHEET_ACTIVITY}!{columns.get(key, columns['id'])}{activity['row'].iat[first]}"
    return [GhgError("W113", cell=cell, count=int(counted.sum()))]


def findings(calc: WorkbookCalculation) -> list[GhgError]:
    """The readiness warnings no other check gives: W110, W112/W113, W111."""
    return [
        *unfilled_info(calc.data),
        *unassessed_quality(calc),
        *unassessed_significance(calc.data),
    ]


@dataclass(frozen=True)
class Readiness:
    """What keeps a report from being final, as short Chinese items (empty: ready)."""

    missing: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.missing


def readiness(all_findings: list[GhgError]) -> Readiness:
    """The items a draft report lists, from the findings of ``ghgxl check``."""
    count = Counter(f.code for f in all_findings)
    errors = sum(n for code, n in count.items() if code.startswith("E") and code != "E644")
    missing = []
    if errors:
        missing.append(f"清册检查发现 {errors} 处错误，相关排放源可能未计入或数值有误")
    for late in (f for f in all_findings if f.code == "E644"):  # a setting, not a source
        missing.append(
            f"基本信息的基准年（{late.details['base']}）晚于报告年度（{late.details['year']}）"
        )
    for setting in (f for f in all_findings if f.code == "W115"):  # a default not chosen
        d = setting.details
        missing.append(
            f"基本信息“{d['field']}”填写为 {d['value']}，{d['problem']}，报告按 {d['used']} 计算"
        )
    fields = [
        str(f.details.get("field")).removesuffix("（报告用）")
        for f in all_findings
        if f.code == "W110"
    ]
    if fields:
        missing.append("基本信息尚未填写：" + "、".join(fields))
    if count["W112"]:
        missing.append("活动数据表尚无排放源")
    unscored = count["W108"] + sum(
        int(f.details.get("count", 0)) for f in all_findings if f.code == "W113"
    )
    if unscored:
        missing.append(f"{unscored} 个排放源缺少数据质量评分，整体数据质量未评估")
    if count["W111"]:
        missing.append(f"重大性评估：{count['W111']} 个间接排放子类别尚未评分或未决定是否纳入")
    if count["W109"]:
        missing.append(f"{count['W109']} 个排除的排放源尚未估算排放量，无法判断排除源是否低于上限")
    if count["W103"]:
        missing.append(f"{count['W103']} 个自定排放因子未注明来源")
    for left in (f for f in all_findings if f.code == "W124"):
        missing.append(
            f"类别 {left.details['category']} 有排放量计入，但重大性评估中其各子类别均为“不纳入”"
        )
    return Readiness(tuple(missing))
