"""The sites of an inventory and what each emits: the by-site lines of a group workbook.

``ghgxl consolidate`` lists the group's sites in the 各厂区汇总 sheet (厂区, 来源清册,
计入比例%), and gives each of its rows the site in 厂区/部门 (``site`` or ``site｜facility``).
A row belongs to the site its 厂区/部门 is, or starts with followed by ｜ (site names cannot
hold ｜, |, a line break or the wildcards * ? ~: consolidate refuses them, E631); rows of no
site (added in the group workbook afterwards) are a line of their own. The sheet's SUMIFS
compute the same lines in Excel. A single site's workbook is one line: itself, at 100 %.

The amounts in a group workbook are already times each site's share, so the lines add up
to the group's totals.
"""

from __future__ import annotations

import hashlib
import signal
from dataclasses import dataclass, field
from pathlib import Path

from ghgxl.emission import GROUPS, TOTAL_GROUPS
from ghgxl.errors import GhgError
from ghgxl.export import cell_text
from ghgxl.factors import LibraryChoice
from ghgxl.inventory import CATEGORIES
from ghgxl.units import parse_number
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import WorkbookCalculation, calculate_other
from ghgxl.workbook.formulas import SITES_LOCATED
from ghgxl.workbook.read import is_blank
from ghgxl.workbook.xlsx import VALUE_ERROR

UNASSIGNED = "（未归属厂区）"
#: Where template 2026.2 recorded a group's sites (基本信息 合并的厂区), still read.
LEGACY_SITES_KEY = "sites_consolidated"
#: ｜, | and line breaks would make a site's rows ambiguous; * ? ~ are wildcards to the
#: SUMIFS of 各厂区汇总.
_NOT_IN_NAMES = (L.SITE_MARK, "|", "\n", "\r", "*", "?", "~")
#: The longest site name: 各厂区汇总 matches rows by SUMIFS criteria ``"="&site&"｜*"``,
#: and Excel's criteria hold 255 characters.
NAME_MOST = 255 - 3


def _unfit(name: str, cell: str | None) -> GhgError | None:
    """E631 for a name holding what SUMIFS would misread, E645 for one too long for it."""
    if any(mark in name for mark in _NOT_IN_NAMES):
        return GhgError("E631", cell=cell, site=name.replace("\n", " "))
    length = len(name.encode("utf-16-le")) // 2  # as Excel counts: 𠀀 (U+20000) is two
    if length > NAME_MOST:
        return GhgError("E645", cell=cell, site=f"{name[:20]}…", length=length, most=NAME_MOST)
    return None


def check_site_name(name: str, calc: WorkbookCalculation) -> None:
    """E631 for a site name the group workbook could not tell apart again, at the 基本信息
    cell it comes from (none when it is the file's name: :func:`site_name`)."""
    named = [k for k in ("sites", "company") if not L.is_placeholder(k, calc.data.info.get(k))]
    cell = f"{L.SHEET_INFO}!B{calc.data.info_rows.get(named[0], 0)}" if named else None
    if (error := _unfit(name, cell)) is not None:
        raise error


def site_key(name: str) -> str:
    """What makes two site names the same site to Excel's SUMIFS: case aside, and a name
    that reads as a number by its number (``1`` and ``01``)."""
    try:
        return repr(float(name))
    except ValueError:
        return name.casefold()


def check_listed_names(calc: WorkbookCalculation) -> None:
    """E631 for a listed site name the sheet's SUMIFS would misread (a group workbook of an
    older template could hold one), at the cell that lists it."""
    for line in _declared(calc):
        error = _unfit(line.name, None)
        if error is not None:
            rows = calc.data.sites
            listed = rows[rows["site"].map(cell_text) == line.name]["row"].tolist()
            cell = (
                f"{L.SHEET_SITES}!{L.SITE_COL['site']}{listed[0]}"
                if listed
                else f"{L.SHEET_INFO}!B{calc.data.info_rows.get(LEGACY_SITES_KEY, 0)}"
            )
            raise error.at(cell)


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


def _percent(value: object) -> float | None:
    """A share typed as a percentage (100, "50", "50%") as a fraction; None when it is not
    one (the line shows -; the sums stand)."""
    if is_blank(value):
        return None
    try:
        return parse_number(str(value).strip().rstrip("%")) / 100
    except GhgError:
        return None


def _declared(calc: WorkbookCalculation) -> list[SiteLine]:
    """The sites 各厂区汇总 lists; a group workbook of template 2026.2 listed them in
    基本信息 合并的厂区, one ``name | file | share%`` a line."""
    table = calc.data.sites
    if len(table):
        return [
            SiteLine(
                cell_text(r["site"]) or "", cell_text(r.get("file")) or "", _percent(r.get("share"))
            )
            for r in table.to_dict("records")
            if not is_blank(r.get("site"))
        ]
    text = calc.data.info.get(LEGACY_SITES_KEY)
    lines = []
    for raw in ("" if is_blank(text) else str(text)).splitlines():
        parts = [p.strip() for p in raw.split("|")]
        if parts[0]:
            share = _percent(parts[2]) if len(parts) > 2 else None
            lines.append(SiteLine(parts[0], parts[1] if len(parts) > 1 else "", share))
    return lines


def legacy_lines_carried(info: dict[str, object]) -> bool:
    """Whether every line of a 2026.2 合并的厂区 is ``name | file | share%`` exactly, so that
    各厂区汇总 holds all it said (else migrate lists the field as left behind)."""
    text = info.get(LEGACY_SITES_KEY)
    lines = [raw for raw in ("" if is_blank(text) else str(text)).splitlines() if raw.strip()]
    return all(
        len(parts := [p.strip() for p in raw.split("|")]) == 3
        and parts[0]
        and _percent(parts[2]) is not None
        for raw in lines
    )


def site_list(calc: WorkbookCalculation) -> list[dict[str, object]]:
    """The listed sites as 各厂区汇总 holds them (site, file, share %): what a migration
    carries into the current template."""
    return [
        {"site": line.name, "file": line.file}
        | ({} if line.share is None else {"share": float(f"{line.share * 100:.12g}")})
        for line in _declared(calc)
    ]


def is_group(calc: WorkbookCalculation) -> bool:
    """Whether the workbook lists the sites it consolidates."""
    return bool(_declared(calc))


def site_name(calc: WorkbookCalculation, path: Path | None = None) -> str:
    """The site as 基本信息 names it (厂区/场所, else the company), else the file's name."""
    for key in ("sites", "company"):
        value = calc.data.info.get(key)
        if not L.is_placeholder(key, value):
            return (cell_text(value) or "").strip()  # a site named 1 is "1", not "1.0"
    return Path(path or calc.data.path).stem


def _site_of(facility: str, names: dict[str, str]) -> str | None:
    """The site a row's 厂区/部门 names (case aside, as Excel's SUMIFS matches)."""
    return names.get(facility.split(L.SITE_MARK, 1)[0].casefold())


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
    names = {name.casefold(): name for name in lines}
    result = calc.result.row_figures  # each row location-based, as the sheet's SUMIFS add
    facilities = calc.rows["facility"].tolist() if "facility" in calc.rows else [None] * len(result)
    owners = [
        declared[0].name if single else (_site_of(cell_text(f) or "", names) or UNASSIGNED)
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


def site_values(
    calc: WorkbookCalculation, located: dict[str, object], adjustment: float = 0.0
) -> dict[str, object]:
    """The 各厂区汇总 sheet as its formulas compute it (ref → value), from the site lines
    and 汇总's values with scope 2 location-based (``located``), as the site lines count
    each row; ``adjustment``: 汇总's scope-2 adjustment, which the whole's CO2 takes back
    (NaN: its #VALUE!)."""
    c, cells = L.SITE_COL, L.summary_cells()
    values: dict[str, object] = {}
    total = float(located[L.SUMMARY_TOTAL])  # type: ignore[arg-type]

    def share(figure: float) -> object:
        return "" if total == 0 else figure / total

    figures = {f"category:{k}": cells[f"category:{k}"] for k in L.L_CATEGORIES}
    figures |= {"total": L.SUMMARY_TOTAL} | {f"gas:{g}": cells[f"gas:{g}"] for g in TOTAL_GROUPS}
    listed = [line for line in by_site(calc) if line.name != UNASSIGNED] if is_group(calc) else []
    rows = {line.name.casefold(): line for line in listed}
    sums = dict.fromkeys(figures, 0.0)
    names = [cell_text(r.get("site")) for r in calc.data.sites.to_dict("records")]
    names = [name for name in names if name]  # COUNTA: any cell that holds something
    for record in calc.data.sites.to_dict("records"):
        row, name = record["row"], cell_text(record.get("site"))
        line = None if is_blank(name) else rows.get(str(name).casefold())
        if line is None:
            continue
        own = {f"category:{k}": v for k, v in line.by_category.items()} | {"total": line.total}
        own |= {f"gas:{g}": line.by_gas[g] for g in TOTAL_GROUPS}
        for key, value in own.items():
            values[f"{c[key]}{row}"] = value
            sums[key] += value
        values[f"{c['share_of_total']}{row}"] = share(line.total)
    for key, ref in figures.items():
        whole = float(located[ref])  # type: ignore[arg-type]
        if adjustment != adjustment and key in SITES_LOCATED:  # =汇总!B15-汇总!B39: #VALUE!
            values[f"{c[key]}{L.SITES_ALL_ROW}"] = VALUE_ERROR
            values[f"{c[key]}{L.SITES_UNASSIGNED_ROW}"] = VALUE_ERROR if names else ""
            continue
        values[f"{c[key]}{L.SITES_ALL_ROW}"] = whole
        values[f"{c[key]}{L.SITES_UNASSIGNED_ROW}"] = (
            round(whole - sums[key], 6) + 0.0 if names else ""
        )
    values[f"{c['share_of_total']}{L.SITES_ALL_ROW}"] = share(total)
    rest = values[f"{c['total']}{L.SITES_UNASSIGNED_ROW}"]
    values[f"{c['share_of_total']}{L.SITES_UNASSIGNED_ROW}"] = share(rest) if names else ""  # type: ignore[arg-type]
    return values


def listed_findings(calc: WorkbookCalculation) -> list[GhgError]:
    """W116 at each site line of 各厂区汇总 that Excel's SUMIFS would read otherwise than
    :func:`by_site` does: a name twice (case aside, 1 and 01), a name holding ｜ | * ? ~ or
    spaces around it, a name that another's rows would be counted under (甲厂 and 甲厂｜一车间)."""
    found, seen = [], {}
    for record in calc.data.sites.to_dict("records"):
        name = cell_text(record.get("site"))
        if is_blank(name):
            continue
        cell = f"{L.SHEET_SITES}!{L.SITE_COL['site']}{record['row']}"
        key = site_key(name)  # type: ignore[arg-type]
        if key in seen:
            problem = (f"与 {seen[key]} 重复", f"repeats {seen[key]}")
        elif any(mark in name for mark in _NOT_IN_NAMES) or name != name.strip():  # type: ignore[union-attr]
            problem = ("含有 ｜ | * ? ~ 或前后空格", "holds ｜ | * ? ~ or spaces around it")
        else:
            problem = None
        seen.setdefault(key, cell)
        if problem:
            found.append(
                GhgError("W116", cell=cell, site=name, problem=problem[0], problem_en=problem[1])
            )
    return found


# --- reading a site, in a worker process or not ----------------------------------------
# (here, not in consolidate: a worker imports this module's imports only, half as many)


def computed_site(path: Path, library: str | None) -> tuple[str, WorkbookCalculation]:
    """One site: its bytes' SHA-256 and its calculation (in a worker process, or not)."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return digest, calculate_other(path, library=LibraryChoice(library))


def quiet_worker() -> None:
    """A worker leaves Ctrl-C to the command that started it (no traceback of its own)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
