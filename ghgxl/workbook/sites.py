"""The sites of an inventory and what each emits: the by-site lines of a group workbook.

``ghgxl consolidate`` writes the group's sites into 基本信息 合并的厂区, one line a site
(``厂区 | 来源清册 | 计入比例%``), and gives each of its rows the site in 厂区/部门 (``site`` or
``site｜facility``). A row belongs to the site its 厂区/部门 is, or starts with followed by
｜ (site names cannot hold ｜, | or a line break: consolidate refuses them, E631); rows of
no site (added in the group workbook afterwards) are a line of their own. A single site's workbook is one line: itself, at 100 %.

The amounts in a group workbook are already times each site's share, so the lines add up
to the group's totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ghgxl.emission import GROUPS
from ghgxl.errors import GhgError
from ghgxl.export import cell_text
from ghgxl.inventory import CATEGORIES
from ghgxl.units import parse_number
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import WorkbookCalculation
from ghgxl.workbook.read import is_blank

UNASSIGNED = "（未归属厂区）"
#: Between a site's name and the row's own 厂区/部门 in a group workbook.
SITE_MARK = "｜"
_NOT_IN_NAMES = (SITE_MARK, "|", "\n", "\r")


def check_site_name(name: str, calc: WorkbookCalculation) -> None:
    """E631 for a site name the group workbook could not tell apart again."""
    if any(mark in name for mark in _NOT_IN_NAMES):
        key = "sites" if not L.is_placeholder("sites", calc.data.info.get("sites")) else "company"
        cell = f"{L.SHEET_INFO}!B{calc.data.info_rows.get(key, 0)}"
        raise GhgError("E631", cell=cell, site=name.replace("\n", " "))


@dataclass
class SiteLine:
    name: str
    file: str
    share: float | None  # of the site's emissions the group counts; None: rows of no site
    by_category: dict[int, float] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0.0))
    by_gas: dict[str, float] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0.0))

    @property
    def total(self) -> float:
        return sum(self.by_category.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "share": self.share,
            "total_tco2e": self.total,
            "by_category": {str(k): v for k, v in self.by_category.items()},
            "by_gas": dict(self.by_gas),
        }


def sites_text(lines: list[tuple[str, str, float]]) -> str:
    """基本信息 合并的厂区 as consolidate writes it: ``name | file | share%`` a line."""
    return "\n".join(f"{name} | {file} | {share * 100:.12g}" for name, file, share in lines)


def _declared(calc: WorkbookCalculation) -> list[SiteLine]:
    text = calc.data.info.get("sites_consolidated")
    lines = []
    for raw in ("" if is_blank(text) else str(text)).splitlines():
        parts = [p.strip() for p in raw.split("|")]
        if not parts[0]:
            continue
        share = None
        if len(parts) > 2 and parts[2]:
            try:
                share = parse_number(parts[2].rstrip("%")) / 100
            except GhgError:  # a share the user mistyped shows as -; the sums stand
                share = None
        lines.append(SiteLine(parts[0], parts[1] if len(parts) > 1 else "", share))
    return lines


def site_name(calc: WorkbookCalculation, path: Path | None = None) -> str:
    """The site as 基本信息 names it (厂区/场所, else the company), else the file's name."""
    for key in ("sites", "company"):
        value = calc.data.info.get(key)
        if not L.is_placeholder(key, value):
            return str(value).strip()
    return Path(path or calc.data.path).stem


def _site_of(facility: str, names: list[str]) -> str | None:
    site = facility.split(SITE_MARK, 1)[0]
    return site if site in names else None


def by_site(calc: WorkbookCalculation) -> list[SiteLine]:
    """Each site's counted emissions by category and gas, in 基本信息's order (a last line
    for rows of no site, if any); one line for a workbook that names no sites."""
    declared = _declared(calc)
    if not declared:
        declared = [SiteLine(site_name(calc), Path(calc.data.path).name, 1.0)]
        single = True
    else:
        single = False
    lines = {line.name: line for line in declared}
    names = list(lines)
    result = calc.result.rows
    facilities = calc.rows["facility"].tolist() if "facility" in calc.rows else [None] * len(result)
    owners = [
        names[0] if single else (_site_of(cell_text(f) or "", names) or UNASSIGNED)
        for f in facilities
    ]
    ok = result["ok"].to_numpy(dtype=bool)
    valid = result.loc[ok, ["category", "tco2e", *GROUPS]].assign(
        site=[owner for owner, good in zip(owners, ok, strict=True) if good]
    )
    if (valid["site"] == UNASSIGNED).any():
        lines.setdefault(UNASSIGNED, SiteLine(UNASSIGNED, "-", None))
    valid["category"] = valid["category"].astype(int)
    for (site, category), value in valid.groupby(["site", "category"])["tco2e"].sum().items():
        lines[site].by_category[int(category)] += float(value)
    for site, sums in valid.groupby("site")[list(GROUPS)].sum().iterrows():
        for group in GROUPS:
            lines[site].by_gas[group] += float(sums[group])
    return list(lines.values())
