"""Report content that is neither a number of the engine nor a 基本信息 text as typed: the
definitions of the seven gases, the direct-source types A–D, the 盘查小组 table parsed from
its 基本信息 field, and what a category that was not quantified prints instead of 0.00.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ghgxl import inventory
from ghgxl.workbook import layout as L
from ghgxl.workbook.read import WorkbookData, is_blank

#: 类别1 直接排放 … as the report names the ISO 14064-1 categories.
CATEGORY_NAMES = {c: f"类别{c} {name}" for c, name in inventory.CATEGORY_NAMES.items()}

#: ISO 14064-1:2018 3.1.1 and annex: the seven gases (groups) and their Chinese names.
GHG_DEFINITIONS = (
    ("CO2", "二氧化碳"),
    ("CH4", "甲烷"),
    ("N2O", "氧化亚氮"),
    ("HFCs", "氢氟碳化物"),
    ("PFCs", "全氟碳化物"),
    ("SF6", "六氟化硫"),
    ("NF3", "三氟化氮"),
)
#: Direct (category 1) source types, as the seed's 3.2 lists them.
DIRECT_TYPES = (
    ("A", "固定燃烧", "固定设备、设施的燃料燃烧，如锅炉、窑炉、食堂灶具、发电机"),
    ("B", "移动燃烧", "组织拥有或控制的交通运输设备与移动机械的燃料燃烧，如公务车、货车、叉车"),
    ("C", "制程排放", "物理或化学制程产生的排放"),
    ("D", "逸散排放", "有意或无意的释放，如制冷剂泄漏、化粪池、灭火器"),
)
#: What a category's cells print when it has no row in 活动数据.
NOT_QUANTIFIED = "未量化（排除）"
NO_SOURCE = "无排放源"
_TEAM_SEPARATOR = re.compile(r"\s*[|｜]\s*")


def type_label(emission_type: str) -> str:
    """``'固定燃烧'`` → ``'A 固定燃烧'``; other types as they are."""
    for code, name, _ in DIRECT_TYPES:
        if emission_type.strip() == name:
            return f"{code} {name}"
    return emission_type


def direct_types(sources: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    """Types A–D with the included category-1 sources of each (``无`` when none)."""
    rows = []
    for code, name, description in DIRECT_TYPES:
        named = [
            s.get("source") or s.get("id") or ""
            for s in sources
            if s.get("category") == "1"
            and s.get("emission_type", "").strip() == name
            and s.get("included") != "排除"
        ]
        rows.append(
            {
                "code": code,
                "type": name,
                "description": description,
                "sources": "、".join(n for n in named if n) or "无",
            }
        )
    return rows


def team(info: dict[str, object]) -> list[dict[str, str]]:
    """The 盘查小组 field, one line per member: role | name | duty (a line without
    separators is a role). Unfilled: one row that says so."""
    value = info.get("team")
    if L.is_placeholder("team", value):
        return [{"role": "（未填写）", "name": "", "duty": ""}]
    rows = []
    for line in str(value).splitlines():
        if not line.strip():
            continue
        parts = [*_TEAM_SEPARATOR.split(line.strip(), maxsplit=2), "", ""]
        rows.append({"role": parts[0], "name": parts[1], "duty": parts[2]})
    return rows


def category_status(data: WorkbookData, categories: Iterable[int]) -> dict[int, str]:
    """For each category without a 活动数据 row, what it prints: 未量化（排除） when a source of
    it is excluded in 排放源识别 or a sub-category of it left out in 重大性评估, else
    无排放源. Categories with rows are absent (they print their number, 0.00 included)."""
    activity = data.activity
    with_rows = set() if activity.empty else {_category(v) for v in activity["category"]}
    excluded: set[int | None] = set()
    if not data.sources.empty:
        excluded |= {
            _category(r.get("category"))
            for r in data.sources.to_dict("records")
            if str(r.get("included") or "").strip() == "排除"
        }
    if not data.significance.empty:
        excluded |= {
            _category(r.get("category"))
            for r in data.significance.to_dict("records")
            if str(r.get("included") or "").strip() == "不纳入"
        }
    return {
        c: NOT_QUANTIFIED if c in excluded else NO_SOURCE for c in categories if c not in with_rows
    }


def _category(value: object) -> int | None:
    if is_blank(value):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


#: Pictures the user supplies: context variable → file name (without extension) looked for
#: beside the workbook or in ``--images DIR`` (ghgxl.report.pictures).
PICTURES = {
    "picture_org": "组织架构图",
    "picture_process": "工艺流程图",
    "picture_site": "厂区平面图",
}
#: What a picture's place says when its file is absent.
NOT_SUPPLIED = "（未提供）"
