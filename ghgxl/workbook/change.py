"""Year on year: this inventory against an earlier one (last year's, or the base year's),
by category and scope, and where each category's change comes from (GHG Protocol Corporate
Standard ch. 5 and 9; ISO 14064-1:2018 6.4 and 9.3.1).

Rows are matched by their 活动数据 编号. For a source in both years the change splits
exactly into an activity effect, (A₁ − A₀) × f₀, and a factor effect, A₁ × (f₁ − f₀), where
A is the amount and f the t CO2e per unit of it (a new grid factor, a corrected factor, a
method change). A source in one year only is a structural change (added or removed). When
the structural changes reach the recalculation threshold (基本信息 基准年重新计算门槛, 10 % by
default, as ISO 14064-1 practice and the seed report use) of the earlier total, the base
year should be recalculated: ``recalculate`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ghgxl import gwp
from ghgxl.errors import GhgError
from ghgxl.export import cell_text
from ghgxl.inventory import market_rows
from ghgxl.units import conversion_factor, is_number, parse_number
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import WorkbookCalculation
from ghgxl.workbook.period import year_of
from ghgxl.workbook.read import is_blank, records
from ghgxl.workbook.sites import site_list

#: ``moved``: a source of both years whose category changed leaves its old category and
#: enters its new one (out and in cancel in the total): a reclassification, not a source
#: added and one removed
EFFECTS = ("activity", "factor", "added", "removed", "moved")


@dataclass
class Line:
    """One category (or scope, or the total): t CO2e before and after, and the change by
    effect."""

    before: float = 0.0
    after: float = 0.0
    effects: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EFFECTS, 0.0))

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def adjusted_before(self) -> float:
        """The earlier year recalculated for the structural changes: without the sources
        (and shares of sites) removed since, with the sources added since at this year's
        emissions (the earlier workbook has no figure for them; GHG Protocol ch. 5 asks for
        the best estimate), and the sources reclassified since in their new category."""
        return (
            self.before + self.effects["removed"] + self.effects["added"] + self.effects["moved"]
        )  # a source moved to another category counts in its new one, as this year

    def as_dict(self) -> dict[str, object]:
        pct = self.change / self.before * 100 if self.before else None
        return {
            "before_tco2e": self.before,
            "after_tco2e": self.after,
            "change_tco2e": self.change,
            "change_pct": pct,
            "adjusted_before_tco2e": self.adjusted_before,
            **{f"{k}_tco2e": v for k, v in self.effects.items()},
        }


@dataclass
class Comparison:
    before_year: object
    after_year: object
    by_category: dict[int, Line]
    by_scope: dict[int, Line]
    total: Line
    threshold_pct: float
    #: 编号 matched across the years whose 排放源 name differs (编号, then, now): rows are
    #: matched by 编号 alone, so a renumbering would misplace the change; the report asks
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    #: W120 where the two years differ in company, consolidation approach or a site's share
    boundary: list[GhgError] = field(default_factory=list)
    #: 编号 whose unit changed to one the earlier amount does not convert to (编号, then,
    #: now; t → L): their change cannot be split and counts as activity; the report says so
    unconverted: list[tuple[str, str, str]] = field(default_factory=list)
    #: 编号 of the earlier year whose row is in error this year: not computed, so counted
    #: as removed until the error is fixed (the report is a draft then, and says so)
    in_error: list[str] = field(default_factory=list)

    @property
    def structural(self) -> float:
        """The net structural change: sources added less sources removed."""
        return self.total.effects["added"] + self.total.effects["removed"]

    @property
    def structural_gross(self) -> float:
        """Sources added and sources removed, each counted: a plant bought and another sold
        in one year are two structural changes, not none."""
        return abs(self.total.effects["added"]) + abs(self.total.effects["removed"])

    @property
    def structural_pct(self) -> float:
        before = self.total.before
        return self.structural_gross / before * 100 if before else 0.0

    @property
    def recalculate(self) -> bool:
        """Whether the structural changes, added and removed each counted, reach the
        threshold of the earlier total."""
        return bool(self.total.before) and self.structural_pct >= self.threshold_pct

    def as_dict(self) -> dict[str, object]:
        return {
            "before_year": self.before_year,
            "after_year": self.after_year,
            "total": self.total.as_dict(),
            "by_category": {str(k): v.as_dict() for k, v in self.by_category.items()},
            "by_scope": {str(k): v.as_dict() for k, v in self.by_scope.items()},
            "structural_tco2e": self.structural,
            "structural_gross_tco2e": self.structural_gross,
            "structural_pct": self.structural_pct,
            "threshold_pct": self.threshold_pct,
            "recalculate_base_year": self.recalculate,
            "renamed_sources": [
                {"id": key, "before": then, "after": now} for key, then, now in self.renamed
            ],
            "boundary_changes": [
                {k: w.details[k] for k in ("field_en", "theirs", "ours")} for w in self.boundary
            ],
            "unconverted_units": [
                {"id": key, "before": then, "after": now} for key, then, now in self.unconverted
            ],
            "removed_in_error": self.in_error,
        }


#: category, scope, amount, unit, t CO2e, and the share of its site a group counts (None
#: outside a group workbook, or for a row of no listed site)
Row = tuple[int, int, float, str, float, float | None]


#: 基本信息 fields two years of one inventory share: a difference is said (W120), not
#: refused (a company renamed, a boundary changed on purpose), and the report says it.
SAME_ORGANIZATION = (("company", "公司名称", "company name"),
                     ("consolidation", "组织边界合并方法", "consolidation approach"))  # fmt: skip


def boundary_changes(after: WorkbookCalculation, before: WorkbookCalculation) -> list[GhgError]:
    """W120 at this year's 基本信息 cell of each :data:`SAME_ORGANIZATION` field ``before``
    (an earlier year's workbook) fills otherwise."""
    found = []
    year = cell_text(_year(before.data.info.get("reporting_year"))) or "比较"
    path = Path(before.data.path).name
    for key, label, label_en in SAME_ORGANIZATION:
        was, now = before.data.info.get(key), after.data.info.get(key)
        if L.is_placeholder(key, was) or L.is_placeholder(key, now):  # W110 says it already
            continue
        theirs, ours = (cell_text(was) or "").strip(), (cell_text(now) or "").strip()
        if theirs and ours and theirs != ours:
            cell = f"{L.SHEET_INFO}!B{after.data.info_rows.get(key, L.INFO_ROW[key])}"
            details = dict(field=label, field_en=label_en, theirs=theirs, ours=ours)
            found.append(GhgError("W120", cell=cell, before=year, path=path, **details))
    was, now = site_shares(before), site_shares(after)
    listed = after.data.sites
    for line in site_list(after):  # a share bought or sold: counted as structural, and said
        name = str(line["site"])
        s0, s1 = was.get(name.casefold()), now.get(name.casefold())
        if s0 is None or s1 is None or s0 == s1:
            continue
        rows = listed[listed["site"].map(cell_text) == name]["row"].tolist()
        cell = f"{L.SHEET_SITES}!{L.SITE_COL['share']}{rows[0]}" if rows else None
        field = dict(field=f"厂区“{name}”的计入比例", field_en=f"share counted of the site {name}")
        shares = dict(theirs=f"{s0 * 100:g}%", ours=f"{s1 * 100:g}%")
        found.append(GhgError("W120", cell=cell, before=year, path=path, **field, **shares))
    return found


def late_base_year(info: dict[str, object], rows: dict[str, int]) -> GhgError | None:
    """E644 at 基本信息 基准年 when it is later than the reporting year."""
    base, year = _year(info.get("base_year")), _year(info.get("reporting_year"))
    if is_number(base) and is_number(year) and base > year:  # type: ignore[operator]
        cell = f"{L.SHEET_INFO}!B{rows.get('base_year', L.INFO_ROW['base_year'])}"
        return GhgError("E644", cell=cell, base=base, year=year)
    return None


def unique_ids(calc: WorkbookCalculation, what: str = "本", what_en: str = "this") -> None:
    """E637 at the second row of an 编号 used twice: rows are matched across years by their
    编号, so a repeated one would drop a row from the comparison."""
    seen: set[str] = set()
    column = calc.data.activity_columns.get("id", "A")
    for identifier, row in zip(calc.rows["id"].tolist(), calc.rows["row"].tolist(), strict=True):
        key = cell_text(identifier)
        if key is None or not key.strip():
            continue
        if key.strip() in seen:
            cell = f"{L.SHEET_ACTIVITY}!{column}{row}"
            path = Path(calc.data.path).name
            raise GhgError("E637", cell=cell, what=what, what_en=what_en, path=path, value=key)
        seen.add(key.strip())


def counted_rows(calc: WorkbookCalculation, basis: str) -> pd.DataFrame:
    """``calc``'s computed rows with scope 2 counted by ``basis`` (位置法 or 市场法), the
    one a comparison puts both years on: this year's. E642 when the other year's
    market-based figures cannot be computed (an instrument of its 绿电绿证 is wrong)."""
    both = calc.scope2
    if basis != L.SCOPE2_MARKET:
        return calc.result.row_figures
    if both is not None and both.counted_market:
        return calc.result.rows
    if both is None or both.market_t is None:
        first = both.errors[0].cell_text() if both is not None and both.errors else "-"
        raise GhgError("E642", path=Path(calc.data.path).name, first=first)
    return market_rows(calc.result.row_figures, both.row_market_t)


def site_shares(calc: WorkbookCalculation) -> dict[str, float]:
    """A group workbook's listed sites (case aside, as its SUMIFS match them) and the share
    of each it counts (各厂区汇总 计入比例); empty for a single site's workbook."""
    return {
        str(line["site"]).casefold(): float(line["share"]) / 100  # type: ignore[arg-type]
        for line in site_list(calc)
        if line.get("share") is not None
    }


def _key(row: dict[str, object]) -> str:
    """A row's key across the years: its 编号, else its row number."""
    return (cell_text(row.get("id")) or "").strip() or f"row {row['row']}"


def _failed(calc: WorkbookCalculation) -> set[str]:
    """The keys of ``calc``'s rows in error."""
    inputs = records(calc.rows, ("id", "row"))
    ok = calc.result.row_figures["ok"].tolist()
    return {_key(row) for row, good in zip(inputs, ok, strict=True) if not good}


def _rows(calc: WorkbookCalculation, basis: str) -> dict[str, Row]:
    """Valid rows by id (unique: :func:`unique_ids`), scope 2 counted by ``basis``."""
    rows: dict[str, Row] = {}
    shares = site_shares(calc)
    inputs = records(calc.rows, ("id", "row", "amount", "unit", "facility"))
    computed_rows = records(counted_rows(calc, basis), ("ok", "category", "scope", "tco2e"))
    for row, computed in zip(inputs, computed_rows, strict=True):
        if not computed["ok"]:
            continue
        key = _key(row)
        amount = parse_number(row["amount"])
        category, scope = int(computed["category"]), int(computed["scope"])
        site = (cell_text(row.get("facility")) or "").split(L.SITE_MARK, 1)[0].strip()
        share = shares.get(site.casefold())
        rows[key] = (category, scope, amount, str(row["unit"]), float(computed["tco2e"]), share)
    return rows


def _in_unit(amount: float, unit: str, target: str) -> float | None:
    """Last year's amount in this year's unit (万kWh → kWh), None when they do not convert."""
    if unit == target:
        return amount
    try:
        return amount * conversion_factor(unit, target)
    except GhgError:
        return None


def threshold_pct(info: dict[str, object]) -> float:
    """The base-year recalculation threshold 基本信息 sets (% of the base year), else 10."""
    return L.setting(info, "recalculation_threshold_pct")


def _names(calc: WorkbookCalculation) -> dict[str, str]:
    """Each 编号's 排放源 name, as typed (trimmed)."""
    names = calc.rows["source"].tolist() if "source" in calc.rows else [None] * len(calc.rows)
    pairs = zip(calc.rows["id"].tolist(), names, strict=True)
    return {
        (cell_text(i) or "").strip(): str(name).strip()
        for i, name in pairs
        if not is_blank(i) and not is_blank(name)
    }


def compare(after: WorkbookCalculation, before: WorkbookCalculation) -> Comparison:
    """``after`` (this year) against ``before`` (an earlier year)."""
    unique_ids(after)
    unique_ids(before, "比较年度", "compared year's")
    # the basis this year's totals count (location-based while a wrong instrument stands)
    counted = after.scope2 is not None and after.scope2.counted_market
    basis = L.SCOPE2_MARKET if counted else L.SCOPE2_LOCATION
    old, new = _rows(before, basis), _rows(after, basis)
    categories: dict[int, Line] = {}
    scopes: dict[int, Line] = {}
    total = Line()
    unconverted: list[tuple[str, str, str]] = []

    def add(category: int, scope: int, before_t: float, after_t: float, effects: dict) -> None:
        for line in (
            categories.setdefault(category, Line()),
            scopes.setdefault(scope, Line()),
            total,
        ):
            line.before += before_t
            line.after += after_t
            for name, value in effects.items():
                line.effects[name] += value

    for key, (category, scope, a1, unit, t1, s1) in new.items():
        was = old.get(key)
        if was is None:  # a new source
            add(category, scope, 0.0, t1, {"added": t1})
            continue
        a0 = _in_unit(was[2], was[3], unit)
        if a0 is None:
            unconverted.append((key, was[3], unit))
        t0, s0 = was[4], was[5]
        effects = {"added": 0.0, "removed": 0.0}
        before_t = t0
        if was[0] != category:  # reclassified: out of the old category, into this one
            add(was[0], was[1], t0, 0.0, {"moved": -t0})
            effects["moved"], before_t = t0, 0.0
        t0_kept, t1_kept = t0, t1  # what compares at one share of the site
        if s0 is not None and s1 is not None and s0 != s1:  # a share bought or sold
            if s1 > s0:  # bought: this year's emissions of the share bought, as a new source
                effects["added"] = t1 * (s1 - s0) / s1
                a1, t1_kept = a1 * s0 / s1, t1 - effects["added"]
            else:  # sold: last year's emissions of the share sold, as a source removed
                effects["removed"] = -t0 * (s0 - s1) / s0
                a0 = None if a0 is None else a0 * s1 / s0
                t0_kept = t0 + effects["removed"]
        if a0 and a1:
            f0, f1 = t0_kept / a0, t1_kept / a1
            effects |= {"activity": (a1 - a0) * f0, "factor": a1 * (f1 - f0)}
        else:  # no amount in one year, or units that do not convert: all of it is activity
            effects["activity"] = t1_kept - t0_kept
        add(category, scope, before_t, t1, effects)
    failed = _failed(after) if after.errors else set()
    in_error = [key for key in old if key not in new and key in failed]
    for key, (category, scope, _, _, t0, _) in old.items():
        if key not in new:
            add(category, scope, t0, 0.0, {"removed": -t0})
    years = tuple(_year(c.data.info.get("reporting_year")) for c in (before, after))  # 2023
    was_named, named = _names(before), _names(after)
    renamed = [
        (key, was_named[key], named[key])
        for key in new
        if key in old and key in was_named and key in named and was_named[key] != named[key]
    ]
    return Comparison(
        *years, dict(sorted(categories.items())), dict(sorted(scopes.items())), total,
        threshold_pct(after.data.info), renamed, boundary_changes(after, before), unconverted,
        in_error,
    )  # fmt: skip


def base_year_path(
    info: dict[str, object], workbook: Path, folder: Path | None = None
) -> Path | None:
    """Where the base-year workbook 基本信息 基准年清册文件 names would be: beside
    ``workbook`` (or in ``folder``: the Excel buttons work on a copy); None when none is
    named, or when it names the workbook itself."""
    value = info.get("base_year_workbook")
    if is_blank(value) or not str(value).strip():
        return None
    path = Path(folder or Path(workbook).parent) / str(value).strip()
    return None if path.name == Path(workbook).name else path


def _named_base_year(
    info: dict[str, object], rows: dict[str, int], workbook: Path, folder: Path | None
) -> Path | None:
    """:func:`base_year_path`; E628 when it is not there."""
    path = base_year_path(info, workbook, folder)
    if path is not None and not path.is_file():
        cell = f"{L.SHEET_INFO}!B{rows.get('base_year_workbook', 0)}"
        raise GhgError("E628", cell=cell, path=path.name)
    return path


def _year(value: object) -> object:
    """A year as a number: 2023, 2023.0 or "2023" typed as text; anything else as it is."""
    year = year_of(value)
    return value if year is None else year


def _complete(other: WorkbookCalculation, what: str, what_en: str) -> WorkbookCalculation:
    """E632 when an earlier year's workbook has errors: its rows in error would count as
    sources removed (a structural change), and its totals would be short."""
    if other.errors:
        path = Path(other.data.path).name
        raise GhgError("E632", path=path, what=what, what_en=what_en, count=len(other.errors))
    return other


def _comparable(
    other: WorkbookCalculation,
    info: dict[str, object],
    rows: dict[str, int],
    what: str,
    what_en: str,
) -> WorkbookCalculation:
    """E636 when the other year's workbook weighs the gases with another GWP set: the change
    would mix a change of method into the change of emissions."""
    theirs, ours = other.result.gwp_set, str(info.get("gwp_set") or gwp.DEFAULT_SET)
    try:
        same = gwp.canonical_set(ours) == theirs
    except GhgError:  # this workbook's own GWP cell is wrong: its calculation says so (E402)
        return other
    if not same:
        cell = f"{L.SHEET_INFO}!B{rows.get('gwp_set', 0)}"
        path = Path(other.data.path).name
        raise GhgError(
            "E636", cell=cell, what=what, what_en=what_en, path=path, theirs=theirs, ours=ours
        )
    return other


@dataclass
class OtherYears:
    previous: WorkbookCalculation | None = None
    base: WorkbookCalculation | None = None
    read: list[Path] = field(default_factory=list)  # the files read (inputs: never outputs)

    def boundary_changes(self, calc: WorkbookCalculation) -> list[GhgError]:
        """W120 of both years against ``calc`` (the base year's said once if it is last year)."""
        found = [
            warning
            for other in (self.previous, self.base)
            if other is not None
            for warning in boundary_changes(calc, other)
        ]
        return list({w.text(): w for w in found}.values())


def other_years(
    info: dict[str, object],
    rows: dict[str, int],
    workbook: Path,
    previous: Path | None = None,
    base_year: Path | None = None,
    folder: Path | None = None,
) -> OtherYears:
    """The earlier year (``--previous``) and the base year (``--base-year``, else the
    workbook 基本信息 names, beside ``workbook`` or in ``folder``), each computed with the
    library it records. E628 when the named one is not there; E627 when the base-year
    workbook is of another year than 基本信息 基准年; E632 when either has errors. Needs
    only this workbook's 基本信息 (``info``, ``rows``), so it can run before anything is
    written."""
    from ghgxl.workbook.calc import calculate_other

    years = OtherYears()
    if previous is not None:
        earlier = _complete(calculate_other(Path(previous)), "上一年度", "earlier year's")
        found, year = (
            _year(earlier.data.info.get("reporting_year")),
            _year(info.get("reporting_year")),
        )
        if is_number(found) and is_number(year) and found >= year:  # type: ignore[operator]
            cell = f"{L.SHEET_INFO}!B{rows.get('reporting_year', 0)}"
            raise GhgError("E635", cell=cell, path=Path(previous).name, found=found, year=year)
        unique_ids(earlier, "上一年度", "earlier year's")
        years.previous = _comparable(earlier, info, rows, "上一年度", "earlier year's")
        years.read.append(Path(previous))
    if base_year is not None:
        path: Path | None = Path(base_year)
    else:
        path = _named_base_year(info, rows, workbook, folder)
    if path is not None:
        if (late := late_base_year(info, rows)) is not None:
            raise late
        base = calculate_other(path)
        found = _year(base.data.info.get("reporting_year"))
        year = _year(info.get("base_year"))
        if is_number(found) and is_number(year) and found != year:
            cell = f"{L.SHEET_INFO}!B{rows.get('base_year', 0)}"
            raise GhgError("E627", cell=cell, path=path.name, found=found, year=year)
        unique_ids(base, "基准年", "base-year")
        years.base = _comparable(
            _complete(base, "基准年", "base-year"), info, rows, "基准年", "base-year"
        )
        years.read.append(path)
    return years


def attach_years(
    calc: WorkbookCalculation,
    previous: Path | None = None,
    base_year: Path | None = None,
    folder: Path | None = None,
) -> list[Path]:
    """:func:`other_years` of ``calc``'s workbook, put onto it; the files read."""
    years = other_years(
        calc.data.info, calc.data.info_rows, Path(calc.data.path), previous, base_year, folder
    )
    calc.previous, calc.base = years.previous, years.base
    return years.read
