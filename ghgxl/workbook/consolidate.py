"""Group consolidation: site workbooks of one year into one group 盘查清册 (ISO 14064-1:2018
5.1, GHG Protocol Corporate Standard ch. 3).

Under operational or financial control a controlled site counts 100 %; under equity share
it counts its 基本信息 股权比例. The group workbook is a normal 盘查清册 (calc, check and
report take it): each site's 活动数据 rows, their amounts times the site's share, the id
prefixed with the site and a remark naming the site workbook's file and cell; the
排放源识别 rows alike; the sites' 公司因子 rows merged; their 绿电绿证 instruments naming
the group's row ids; the sites listed in 各厂区汇总, whose formulas give each site's
emissions. What cannot be added up is refused: sites of different years or periods, GWP
sets, factor library versions or data-quality schemes (E616), a site twice (E617; also one
a group workbook given as a site lists), an equity share missing or ambiguous (E618), a
site with errors (E619), a company factor with two values or replacing a library factor
another site uses (E620), a group 编号 twice (E638), more rows than one workbook holds
(E640), a group workbook larger than ghgxl reads back (E643).
"""

from __future__ import annotations

import copy
import io
import multiprocessing
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ghgxl.errors import GhgError
from ghgxl.export import cell_text
from ghgxl.factors import FactorRow, recorded_version
from ghgxl.files import check_outputs, check_suffix, write_bytes_atomic
from ghgxl.units import is_number, parse_number
from ghgxl.workbook import fill, guard, template
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import WorkbookCalculation, calc_file
from ghgxl.workbook.company import record_of
from ghgxl.workbook.period import day_text
from ghgxl.workbook.read import MONTH_EVIDENCE, MONTHS, is_blank, records
from ghgxl.workbook.resize import MAX_ROWS
from ghgxl.workbook.sites import (
    check_site_name,
    computed_site,
    quiet_worker,
    site_key,
    site_list,
    site_name,
)
from ghgxl.workbook.source import OpenedWorkbook

#: --approach → the 基本信息 组织边界合并方法 the group workbook records.
APPROACHES = {"control": "运营控制", "financial": "财务控制", "equity": "股权比例"}
#: 活动数据 inputs carried into the group as they are (amounts are scaled, ids prefixed).
CARRIED = (
    "source", "category", "scope3_category", "method", "unit", "evidence", "factor_key",
    "factor", "factor_unit", "gas", "factor_source", "dq_activity", "dq_factor",
    "dq_calibration", "activity_u_pct", "factor_u_pct", *MONTH_EVIDENCE,
)  # fmt: skip
SOURCE_CARRIED = tuple(
    c.key for c in L.SOURCE_COLUMNS if not c.formula and c.key not in ("id", "facility")
)
#: A date typed as text: 2023-01-01, 2023/1/1, 2023.1.1, 2023年1月1日.
#: The most characters an Excel cell holds.
CELL_TEXT_MAX = 32_767
#: 基本信息 fields the group takes from its first site.
FROM_FIRST_SITE = (
    "reporting_year", "period_start", "period_end", "base_year", "dq_scheme", "scope2_basis",
)  # fmt: skip


@dataclass
class Site:
    path: Path
    name: str
    share: float  # of its emissions the group counts: 1 under control
    calc: WorkbookCalculation

    @property
    def total(self) -> float:
        return self.calc.result.total * self.share


@dataclass
class Consolidation:
    sites: list[Site]
    approach: str
    activity: list[dict[str, object]] = field(default_factory=list)
    sources: list[dict[str, object]] = field(default_factory=list)
    company: list[dict[str, object]] = field(default_factory=list)
    market: list[dict[str, object]] = field(default_factory=list)  # 绿电绿证 instruments
    lines: list[dict[str, object]] = field(default_factory=list)  # 各厂区汇总: site, file, share
    info: dict[str, object] = field(default_factory=dict)
    backup: Path | None = None  # the workbook that was at the output, kept (write_group)


def _share(calc: WorkbookCalculation, name: str, approach: str) -> float:
    if approach != "equity":
        return 1.0
    value = calc.data.info.get("equity_share")
    cell = f"{L.SHEET_INFO}!B{calc.data.info_rows.get('equity_share', L.INFO_FIRST_ROW)}"
    text = str(value).strip() if isinstance(value, str) else None
    try:  # 50, or text "50" / "50%" / "50 %"
        share = parse_number(text.rstrip("%").strip() if text else value)
    except GhgError:
        raise GhgError("E618", cell=cell, site=name, value=value) from None
    if not 0 <= share <= 100 or (0 < share <= 1 and not (text or "").endswith("%")):
        # 0.5 is what a cell formatted as 50% holds: 0.5 % or 50 %? typed "0.5%" says
        raise GhgError("E618", cell=cell, site=name, value=value)
    return share / 100


#: Sites read in worker processes from this many on: a worker starts in ~1.8 s (it imports
#: ghgxl), a site reads in ~0.13 s; on two cores the workers pay from ~28 sites, on more sooner.
PARALLEL_FROM = 24


def workers_for(count: int) -> int:
    """How many processes read ``count`` sites: one per core this process may use, at most
    8, only from :data:`PARALLEL_FROM` sites on; ``GHGXL_WORKERS`` sets it (1: all in this
    process; at most 61, Windows' limit)."""
    chosen = os.environ.get("GHGXL_WORKERS", "").strip()
    if chosen.isdecimal() and chosen.isascii():
        return max(1, min(int(chosen), count, 61))
    if count < PARALLEL_FROM:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may use (Linux)
    except AttributeError:  # Windows, macOS
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8, count))


def _computed_sites(
    paths: list[Path],
    library: str | None,
    workers: int = 1,
    progress: Callable[[Path], object] | None = None,
) -> Iterator[tuple[Path, str, WorkbookCalculation]]:
    """Each site computed, in the order given (``progress`` told of each before it is
    awaited): in ``workers`` processes started afresh ("spawn", as on Windows, so the same
    code runs everywhere), else in this process. When the workers cannot start or die (a
    program without the ``if __name__ == "__main__"`` guard spawn needs, say), the sites
    not given back are read here; an error of a site itself (E601, a locked file) is raised
    as it would be here."""
    done, pool = 0, None
    if workers > 1:
        try:
            pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"), initializer=quiet_worker
            )
            futures = [pool.submit(computed_site, path, library) for path in paths]
        except (BrokenProcessPool, OSError, ValueError, NotImplementedError):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            pool = None
    if pool is not None:
        try:
            for path, future in zip(paths, futures, strict=True):
                if progress:
                    progress(path)
                try:
                    digest, calc = future.result()
                except BrokenProcessPool:  # the workers died: the rest in this process
                    break
                yield path, digest, calc
                done += 1
        finally:  # an error (E617, E640 …) stops the reading: no site more is queued (those
            # queued already, about one a worker, still run)
            pool.shutdown(wait=True, cancel_futures=True)
        if done == len(paths):
            return
    for index, path in enumerate(paths[done:]):
        if progress and (pool is None or index > 0):  # the one that broke was told already
            progress(path)
        yield (path, *computed_site(path, library))


def read_sites(
    paths: Iterable[Path],
    approach: str = "control",
    library: str | None = None,
    progress: Callable[[Path], object] | None = None,
    workers: int = 1,
) -> list[Site]:
    """Each site workbook computed (with ``library`` when given), named and checked;
    ``progress`` is told each site as it is read; ``workers``: processes that read them
    (:func:`workers_for`; 1, the default, reads them in this process — a program that
    asks for more runs its own main code under ``if __name__ == "__main__"``, as
    multiprocessing's spawn requires)."""
    sites: list[Site] = []
    seen: dict[str, Path] = {}
    rows = 0
    for path, digest, calc in _computed_sites(list(map(Path, paths)), library, workers, progress):
        name = site_name(calc, path)
        try:  # errors at a cell of this site's workbook name it
            check_site_name(name, calc)
            share = _share(calc, name, approach)
        except GhgError as error:
            raise error.in_file(path.name) from None
        # a group workbook given as a site brings the sites it lists: none may come twice
        listed = [str(line["site"]) for line in site_list(calc)]
        names = {site_key(name): name, digest: name, **{site_key(n): n for n in listed}}
        for key, shown in names.items():
            if key in seen:
                raise GhgError("E617", site=shown, first=seen[key].name, second=path.name)
            seen[key] = path
        if calc.errors:
            first = calc.errors[0]
            raise GhgError(
                "E619", cell=path.name, site=name, count=len(calc.errors),
                first=f"{first.code} {first.cell or ''}".strip(),
            )  # fmt: skip
        rows += len(calc.data.activity)
        if rows > MAX_ROWS:  # said as soon as it is known, not after reading every site
            raise GhgError("E640", rows=rows, site=path.name, most=MAX_ROWS)
        sites.append(Site(path, name, share, calc))
    _same_settings(sites)
    return sites


def _period(site: Site) -> str:
    info = site.calc.data.info
    return f"{day_text(info.get('period_start'))}–{day_text(info.get('period_end'))}"


def _basis(site: Site) -> str:
    """The scope-2 basis a site's totals count (位置法 where its 基本信息 has no such line)."""
    return site.calc.scope2.basis if site.calc.scope2 is not None else L.SCOPE2_LOCATION


def _same_settings(sites: list[Site]) -> None:
    settings = (
        ("报告年度", "reporting year", lambda s: s.calc.data.info.get("reporting_year")),
        ("盘查期间", "reporting period", _period),
        ("GWP 版本", "GWP set", lambda s: s.calc.result.gwp_set),
        ("因子库版本", "factor library version", lambda s: s.calc.library.version.split("+")[0]),
        ("数据质量评分方案", "data-quality scheme", lambda s: s.calc.data.info.get("dq_scheme")),
        ("总排放量中范围二的计算方法", "scope-2 basis of the totals", _basis),
    )
    for zh, en, value in settings:
        values = {site.name: (cell_text(value(site)) or "").strip() for site in sites}
        if len(set(values.values())) > 1:  # 2023 typed or as text "2023" is one year
            listed = "、".join(f"{name} {v}" for name, v in values.items())
            raise GhgError("E616", setting=zh, setting_en=en, values=listed)


def consolidate(sites: list[Site], approach: str = "control", company: str = "") -> Consolidation:
    """The group's rows, 排放源识别 lines, company factors and 基本信息 from its sites."""
    if len(sites) > L.SITE_ROWS:
        raise GhgError("E633", count=len(sites), most=L.SITE_ROWS)
    rows = sum(len(site.calc.data.activity) for site in sites)
    if rows > MAX_ROWS:
        raise GhgError("E640", rows=rows, site=sites[-1].path.name, most=MAX_ROWS)
    group = Consolidation(sites, approach)
    owner: dict[str, str] = {}
    for site in sites:
        rows, seen = _activity(site), set()
        ids = site.calc.data.activity["id"].tolist() if len(rows) else []
        for row, own_id in zip(rows, ids, strict=True):
            if is_blank(own_id):
                continue  # a row without 编号 takes the site's name: many may
            group_id = str(row["id"])  # 厂-1 + 1-1 and 厂 + 1-1-… could meet: refused
            first = owner.setdefault(group_id, site.name)
            if first != site.name or group_id in seen:
                raise GhgError("E638", row_id=group_id, first=first, second=site.name)
            seen.add(group_id)
        group.activity += rows
        group.sources += _sources(site)
        group.market += _instruments(site)
    group.company = [record_of(row) for row in _company_factors(sites)]
    group.lines = [
        {"site": s.name, "file": s.path.name, "share": float(f"{s.share * 100:.12g}")}
        for s in sites
    ]
    first = sites[0].calc
    group.info = {k: first.data.info.get(k) for k in FROM_FIRST_SITE}
    group.info |= {
        "company": company or first.data.info.get("company"),
        "sites": _site_names([s.name for s in sites]),
        "consolidation": APPROACHES[approach],
        "gwp_set": first.result.gwp_set,
        "factor_library": recorded_version(first.library.version),
    }
    group.info = {k: v for k, v in group.info.items() if not is_blank(v)}
    return group


def _site_names(names: list[str]) -> str:
    """基本信息 厂区/场所 of the group: every site's name, or as many as an Excel cell holds
    (32,767 characters) and how many more (各厂区汇总 lists them all)."""
    text = "、".join(names)
    if len(text) <= CELL_TEXT_MAX:
        return text
    for count in range(len(names) - 1, 0, -1):
        rest = f"等 {len(names)} 个厂区（全部见{L.SHEET_SITES}）"
        text = "、".join(names[:count]) + rest
        if len(text) <= CELL_TEXT_MAX:
            return text
    return f"{len(names)} 个厂区（全部见{L.SHEET_SITES}）"


def _company_factors(sites: list[Site]) -> list[FactorRow]:
    """The sites' 公司因子 rows, one set per key. E620 when two sites give a key different
    rows (a value, a unit, a gas more or less), and when a site replaces a library factor
    that another site uses as the library's: in one workbook its rows would change too."""
    defined: dict[str, tuple[tuple[tuple[str, float, str], ...], str, list[FactorRow]]] = {}
    for site in sites:
        mine: dict[str, list[FactorRow]] = {}
        for row in site.calc.data.company:
            mine.setdefault(row.key, []).append(row)
        for key, rows in mine.items():
            shape = tuple(sorted((r.gas or "", r.value, r.unit) for r in rows))
            known = defined.setdefault(key, (shape, site.name, rows))
            if known[0] != shape:
                raise GhgError("E620", key=key, first=known[1], second=site.name)
    for site in sites:
        own = {row.key.lower() for row in site.calc.data.company}
        keys = site.calc.data.activity.get("factor_key", [])
        used = {str(k).strip().lower() for k in keys if not is_blank(k)}
        for key in sorted((used & {k.lower() for k in defined}) - own):
            owner = next(v[1] for k, v in defined.items() if k.lower() == key)
            raise GhgError("E620", key=key, first=owner, second=site.name)
    return [row for _, _, rows in defined.values() for row in rows]


def _scaled(value: object, share: float) -> object:
    """An amount times the share: a number, or text the engine reads as one ("1,000");
    other text stays as it is (the group's calc then names it, as the site's would)."""
    if share == 1 or is_blank(value):
        return value
    if is_number(value):
        return value * share  # type: ignore[operator]
    try:
        return parse_number(value) * share
    except GhgError:
        return value


def _activity(site: Site) -> list[dict[str, object]]:
    rows = []
    id_column = site.calc.data.activity_columns["id"]
    percent = f"；按股权比例 {site.share * 100:g}% 计入" if site.share != 1 else ""
    wanted = (*CARRIED, "id", "facility", "annual", *MONTHS, "remark", "row")
    for record in records(site.calc.data.activity, wanted):
        row = {k: record.get(k) for k in CARRIED if not is_blank(record.get(k))}
        row["id"] = (
            f"{site.name}-{cell_text(record['id'])}"
            if not is_blank(record.get("id"))
            else site.name
        )
        facility = record.get("facility")
        row["facility"] = site.name if is_blank(facility) else f"{site.name}{L.SITE_MARK}{facility}"
        if not is_blank(record.get("annual")):
            row["annual"] = _scaled(record["annual"], site.share)
        for key in MONTHS:  # the sheet's SUM skips text in a month: it stays text (E108)
            value = record.get(key)
            if not is_blank(value):
                row[key] = value * site.share if is_number(value) else value  # type: ignore[operator]
        origin = f"来源：{site.path.name} {L.SHEET_ACTIVITY}!{id_column}{record['row']}{percent}"
        remark = record.get("remark")
        row["remark"] = origin if is_blank(remark) else f"{origin}；{remark}"
        rows.append(row)
    return rows


def _sources(site: Site) -> list[dict[str, object]]:
    lines = []
    for record in site.calc.data.sources.to_dict("records"):
        line = {k: record.get(k) for k in SOURCE_CARRIED if not is_blank(record.get(k))}
        if "estimate_tco2e" in line:  # an exclusion's estimate counts with the site's share
            line["estimate_tco2e"] = _scaled(line["estimate_tco2e"], site.share)
        if not is_blank(record.get("id")):
            line["id"] = f"{site.name}-{cell_text(record['id'])}"
        facility = record.get("facility")
        line["facility"] = (
            site.name if is_blank(facility) else f"{site.name}{L.SITE_MARK}{facility}"
        )
        lines.append(line)
    return lines


def _instruments(site: Site) -> list[dict[str, object]]:
    """The site's 绿电绿证 lines, naming the group's row ids; MWh times the share."""
    lines = []
    for record in site.calc.data.market.to_dict("records"):
        line = {k: record.get(k) for k in L.MARKET_COL if not is_blank(record.get(k))}
        if "row_id" in line:
            line["row_id"] = f"{site.name}-{cell_text(line['row_id'])}"
        if "mwh" in line:
            line["mwh"] = _scaled(line["mwh"], site.share)
        lines.append(line)
    return lines


def write_group(
    group: Consolidation, out: Path, progress: Callable[[str, float], object] | None = None
) -> WorkbookCalculation:
    """The group workbook at ``out`` (atomically, never over a site), computed; ``progress``
    is told each stage (``make``: the workbook filled; then calc's ``read`` and ``write``)
    and how far it is, from 0 to 1."""
    check_outputs([out], [s.path for s in group.sites], workbooks=[out])
    check_suffix(out, template.template_path())  # E639: the group is macro-enabled, .xlsm
    tell = progress or (lambda stage, fraction: None)
    tell("make", 0.0)
    package = fill.fill(
        None,
        group.info,
        group.activity,
        group.sources,
        company=group.company,
        market=group.market,
        sites=group.lines,
    )
    tell("make", 1.0)
    _within_limits(package, out)
    with tempfile.TemporaryDirectory(prefix="ghgxl-group-") as folder:
        filled = Path(folder) / "group.xlsm"
        write_bytes_atomic(filled, package)
        del package
        opened = OpenedWorkbook(filled, made_here=True)  # ghgxl's own bytes: no guard
        calc, _, group.backup = calc_file(filled, out, opened=opened, progress=tell)
    return calc


#: How much calculation grows the group workbook: the cached values it writes (活动数据
#: 2,856 → 3,589 bytes a row measured; 1.3 leaves room), so that the file calc writes is
#: within the limits too, not only the one it reads.
CALCULATED_GROWTH = 1.3


def _within_limits(package: bytes, out: Path) -> None:
    """E643 when the group workbook, once calculated, would be larger than ghgxl reads (the
    package checks' limits, which every later calc, check and report of it applies): long
    remarks in many rows can make 100,000 rows too many."""
    with zipfile.ZipFile(io.BytesIO(package)) as members:
        infos = [copy.copy(info) for info in members.infolist()]
    for info in infos:
        info.file_size = int(info.file_size * CALCULATED_GROWTH)
    packed = len(package) * CALCULATED_GROWTH
    try:
        if packed > guard.MAX_FILE_BYTES:
            problem = f"{packed / 2**20:.0f} MB > {guard.MAX_FILE_BYTES // 2**20} MB"
            raise GhgError("E609", path=out.name, problem=problem)
        guard.check_sizes(out, infos)
    except GhgError as error:
        raise GhgError("E643", path=out.name, problem=error.details["problem"]) from None
