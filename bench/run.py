"""Headless calculation benchmark: ``ghgxl calc`` against LibreOffice on the same inventory.

    python bench/run.py --rows 10000 [--formulas shared|full] [--json]

Generates an inventory of N activity rows of mixed methods twice:

1. as a ghgxl workbook made for N rows (``ghgxl workbook new --rows N``: 汇总 and 数据质量
   span them), N rows of =GHG_EMISSION formulas in 活动数据;
2. as the workbook a user would build instead: factors looked up with VLOOKUP from a factor
   sheet, per-gas columns, SUMIFS summaries, a data-quality sheet — native formulas only.

Then it times, in one run, ``ghgxl calc IN -o OUT`` as a whole process on (1), and
LibreOffice headless open + full recalculation + save on (2), and measures the peak memory
of each. Both totals and both data-quality scores are recorded, so the two can be seen to
agree. Each tool runs once to warm caches (and create LibreOffice's profile), then
``--repeat`` times (3), taking turns with the other; the least time is the figure (the
median is recorded too). ``ghgxl check`` is timed beside. Both workbooks hold their formulas
as Excel saves a filled-down column (``--formulas shared``, the default) or with the text in
every cell (``full``). Results go to ``bench/results/calc_<rows>.json``
(``calc_<rows>_full.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import openpyxl

import ghgxl
from ghgxl.emission import library_multipliers
from ghgxl.factors import FactorLibrary
from ghgxl.workbook import formulas as F
from ghgxl.workbook import layout as L
from ghgxl.workbook import xlsx
from ghgxl.workbook.resize import resized
from ghgxl.workbook.template import TEMPLATE_NAME

ROOT = Path(__file__).parents[1]
SPECS = [  # (category, unit, factor key, gas, amount scale)
    (1, "L", "fuel.diesel.offroad", None, 5_000),
    (1, "kg", "fuel.lpg.stationary", None, 2_000),
    (1, "L", "fuel.gasoline.road", None, 3_000),
    (1, "kg", "refrigerant.leak.chillers", "R-410A", 100),
    (1, "人天", "septic.ch4.person_day", None, 40_000),
    (2, "kWh", "grid.cn.south.2022", None, 1_000_000),
    (2, "MWh", "grid.cn.national.2022", None, 1_000),
    (3, "L", "fuel.diesel.road", None, 8_000),
]
LO_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def _cell(ref: str, value: object) -> str:
    if isinstance(value, str) and value.startswith("="):
        return f'<c r="{ref}"><f>{escape(value[1:])}</f></c>'
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def _row(number: int, cells: dict[str, object]) -> str:
    inner = "".join(_cell(f"{col}{number}", v) for col, v in cells.items())
    return f'<row r="{number}">{inner}</row>'


def inventory(rows: int, seed: int = 7) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(SPECS), rows)
    amounts = rng.uniform(0.1, 1.0, rows)
    scores = rng.choice([6, 3, 1], size=(rows, 3))  # data quality, 6/3/1, a row's own
    records = []
    for i, (pick, share) in enumerate(zip(picks, amounts, strict=True)):
        category, unit, key, gas, scale = SPECS[pick]
        activity, factor, calibration = scores[i].tolist()
        records.append(
            dict(id=f"R{i + 1}", source=f"排放源 {i + 1}", category=category, unit=unit,
                 factor_key=key, gas=gas, annual=round(float(share) * scale, 2),
                 dq_activity=activity, dq_factor=factor, dq_calibration=calibration)
        )  # fmt: skip
    return records


_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]+)([0-9]+)"([^>]*)><f>([^<]*)</f>(?:<v>[^<]*</v>|<v/>)?</c>'
)


def share_formulas(xml: bytes) -> bytes:
    """The sheet with each column of filled-down formulas stored as Excel saves it: the
    formula text once, in the column's first formula cell (``<f t="shared" ref=.. si=..>``),
    the cells below pointing at it. Every formula of a column must be its first one moved
    down (relative rows), as filled-down formulas are."""
    cells = _FORMULA_CELL.findall(xml)
    last = {}
    for letters, row, _attributes, _formula in cells:
        last[letters] = row
    index: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        letters, row, attributes, formula = match.groups()
        head = b'<c r="' + letters + row + b'"' + attributes + b">"
        if letters in index:
            return head + b'<f t="shared" si="%d"/></c>' % index[letters]
        index[letters] = len(index)
        span = letters + row + b":" + letters + last[letters]
        return head + b'<f t="shared" ref="%s" si="%d">%s</f></c>' % (span, index[letters], formula)

    return _FORMULA_CELL.sub(shared, xml)


def _set_sheet(path: Path, sheet: str, edit: Callable[[bytes], bytes]) -> None:
    members = xlsx.read_members(path)
    part = xlsx.sheet_parts(members)[sheet]
    members[part] = edit(members[part])
    path.write_bytes(xlsx.write_package(members))


def ghgxl_workbook(records: list[dict[str, object]], out: Path, shared: bool = True) -> None:
    """A workbook made for ``len(records)`` rows (``ghgxl workbook new --rows N``: 汇总 and
    数据质量 span them all), its 活动数据 sheet holding ``records`` with the template's
    formulas (``shared``: both table sheets' formulas stored as Excel saves filled-down
    formulas)."""
    col = L.ACT_COL
    lines = [SHEET_HEAD, _row(L.HEADER_ROW, {col[c.key]: c.header for c in L.ACTIVITY_COLUMNS})]
    for offset, record in enumerate(records):
        number = L.FIRST_ROW + offset
        cells = {col[k]: v for k, v in record.items() if v is not None}
        cells.update({col[k]: f for k, f in F.activity_formulas(number).items()})
        ordered = dict(sorted(cells.items(), key=lambda item: (len(item[0]), item[0])))
        lines.append(_row(number, ordered))
    lines.append(SHEET_TAIL)
    xml = "".join(lines).encode("utf-8")
    template = (ROOT / "workbook" / TEMPLATE_NAME).read_bytes()
    members = xlsx.read_members(resized(template, max(len(records), L.TEMPLATE_ROWS)))
    parts = xlsx.sheet_parts(members)
    members[parts[L.SHEET_ACTIVITY]] = share_formulas(xml) if shared else xml
    if shared:  # the table, not the totals below it
        quality = members[parts[L.SHEET_QUALITY]]
        rows = max(len(records), L.TEMPLATE_ROWS)
        cut = quality.index(b'<row r="%d"' % L.quality_total_row(L.last_row(rows)))
        members[parts[L.SHEET_QUALITY]] = share_formulas(quality[:cut]) + quality[cut:]
    out.write_bytes(xlsx.write_package(members))


def native_workbook(records: list[dict[str, object]], out: Path, shared: bool = True) -> None:
    """What a user builds without ghgxl: VLOOKUP factors (kg gas per unit), SUMIFS totals,
    and a data-quality sheet as ghgxl's (mean of the three scores × share of the total,
    summed) (``shared``: stored as Excel saves filled-down formulas)."""
    library = FactorLibrary.default()
    book = openpyxl.Workbook()
    factors = book.active
    factors.title = "因子"
    factors.append(["key", "kgCO2", "kgCH4", "kgN2O", "kgHFC_CO2e"])
    for _category, unit, key, gas, _scale in SPECS:
        per_unit = library_multipliers(library, key, unit, gas).per_unit
        hfc = per_unit.get("R-410A", 0.0) * 2255.5
        factors.append(
            [key, per_unit.get("CO2", 0.0), per_unit.get("CH4", 0.0), per_unit.get("N2O", 0.0), hfc]
        )
    sheet = book.create_sheet("活动数据")
    sheet.append(["id", "category", "amount", "key", "CO2", "CH4", "N2O", "HFCs", "total",
                  "dq_activity", "dq_factor", "dq_calibration"])  # fmt: skip
    for i, record in enumerate(records, start=2):
        look = f"VLOOKUP($D{i},因子!$A$2:$E${len(SPECS) + 1},{{}},FALSE)"
        sheet.append([
            record["id"], record["category"], record["annual"], record["factor_key"],
            f"=C{i}*{look.format(2)}/1000", f"=C{i}*{look.format(3)}*27.9/1000",
            f"=C{i}*{look.format(4)}*273/1000", f"=C{i}*{look.format(5)}/1000", f"=SUM(E{i}:H{i})",
            record["dq_activity"], record["dq_factor"], record["dq_calibration"],
        ])  # fmt: skip
    quality = book.create_sheet("数据质量")
    quality.append(["id", "activity", "factor", "calibration", "mean", "tCO2e", "share", "score"])
    for i in range(2, len(records) + 2):
        quality.append([
            f"=活动数据!A{i}", f"=活动数据!J{i}", f"=活动数据!K{i}", f"=活动数据!L{i}",
            f"=AVERAGE(B{i}:D{i})", f"=活动数据!I{i}", f'=IF(汇总!$B$7=0,"",F{i}/汇总!$B$7)',
            f"=E{i}*G{i}",
        ])  # fmt: skip
    quality.append(["total", *[None] * 6, f"=SUM(H2:H{len(records) + 1})"])
    summary = book.create_sheet("汇总")
    last = len(records) + 1
    for category in range(1, 7):
        summary.append(
            [category, f"=SUMIFS(活动数据!$I$2:$I${last},活动数据!$B$2:$B${last},{category})"]
        )
    summary.append(["total", "=SUM(B1:B6)"])
    for column in "EFGH":
        summary.append([column, f"=SUM(活动数据!{column}2:{column}{last})"])
    book.save(out)
    if shared:
        _set_sheet(out, "活动数据", share_formulas)
        _set_sheet(out, "数据质量", _share_table)


def _share_table(xml: bytes) -> bytes:
    """:func:`share_formulas` on the table rows of a sheet, not on its total row below."""
    cut = xml.rindex(b"<row ")
    return share_formulas(xml[:cut]) + xml[cut:]


def libreoffice_command(work: Path, workbook: Path) -> list[str]:
    """LibreOffice headless: open ``workbook``, recalculate every formula (a profile of its
    own in ``work`` that says so), save to ``work/lo-out``."""
    profile = work / "lo" / "user"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "registrymodifications.xcu").write_text(LO_PROFILE, encoding="utf-8")
    return [
        "soffice", f"-env:UserInstallation=file://{work / 'lo'}", "--headless", "--calc",
        "--convert-to", "xlsx", "--outdir", str(work / "lo-out"), str(workbook),
    ]  # fmt: skip


_MEASURE = (  # exit 1 is a tool's "findings" (ghgxl check), not a failure
    "import resource, subprocess, sys, time; start = time.perf_counter(); "
    "done = subprocess.run(sys.argv[1:], capture_output=True); "
    "seconds = time.perf_counter() - start; "
    "sys.exit(done.stderr.decode()[-2000:]) if done.returncode > 1 else None; "
    "print(seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


Command = tuple[list[str], dict[str, str]]


def interleaved(repeat: int, commands: dict[str, Command]) -> dict[str, tuple[float, float, float]]:
    """Per command: (least, median) wall seconds of ``repeat`` runs, and the peak RSS (MB)
    of the fastest. Each runs once first to warm caches (and create LibreOffice's profile);
    then the commands take turns, so a slower spell of a shared machine falls on all of
    them alike. The least time is the figure least disturbed by other work."""
    for command, env in commands.values():
        timed(command, env=env)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (command, env) in commands.items():
            runs[name].append(timed(command, env=env))
    figures = {}
    for name, times in runs.items():
        times.sort()
        figures[name] = (times[0][0], times[len(times) // 2][0], times[0][1])
    return figures


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of a command and its children, measured in a fresh
    process of its own so one command's peak does not hide another's."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    seconds, peak_kb = out.stdout.split()
    return float(seconds), float(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description="ghgxl calc vs LibreOffice recalculation")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print the result as JSON only")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each tool")
    parser.add_argument(
        "--formulas",
        choices=("shared", "full"),
        default="shared",
        help="both workbooks' formulas as Excel saves filled-down columns (shared), or the "
        "text in every cell (full: as openpyxl writes them, 3.5x the XML)",
    )
    args = parser.parse_args()
    records = inventory(args.rows)
    shared = args.formulas == "shared"
    # as on a user's machine: Python caches bytecode (this sandbox turns that off)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        ours, native = work / "ghgxl.xlsm", work / "native.xlsx"
        ghgxl_workbook(records, ours, shared)
        native_workbook(records, native, shared)
        ghgxl_bin = str(Path(sys.executable).with_name("ghgxl"))
        office = libreoffice_command(work, native)
        figures = interleaved(
            args.repeat,
            {
                "calc": ([ghgxl_bin, "calc", str(ours), "-o", str(work / "out.xlsm")], env),
                "check": ([ghgxl_bin, "check", str(ours), "--json"], env),
                "libreoffice": (office, {**env, "HOME": str(work)}),
            },
        )
        (ghgxl_s, ghgxl_median, ghgxl_mb), (check_s, _, check_mb) = (
            figures["calc"],
            figures["check"],
        )
        lo_s, lo_median, lo_mb = figures["libreoffice"]
        result = json.loads(
            subprocess.run(
                [ghgxl_bin, "calc", str(ours), "--json", "-"], capture_output=True, check=True
            ).stdout
        )
        total, dq = result["total_tco2e"], result["data_quality"]["score"]
        lo_book = openpyxl.load_workbook(
            work / "lo-out" / "native.xlsx", data_only=True, read_only=True
        )
        lo_total = next(
            row[1] for row in lo_book["汇总"].iter_rows(values_only=True) if row[0] == "total"
        )
        lo_dq = next(
            row[7] for row in lo_book["数据质量"].iter_rows(values_only=True) if row[0] == "total"
        )
    record = {
        "rows": args.rows,
        "formulas": args.formulas,
        "repeat": args.repeat,
        "ghgxl_s": round(ghgxl_s, 3),
        "libreoffice_s": round(lo_s, 3),
        "ghgxl_median_s": round(ghgxl_median, 3),
        "libreoffice_median_s": round(lo_median, 3),
        "speedup_vs_libreoffice": round(lo_s / ghgxl_s, 2),
        "peak_rss_mb": round(ghgxl_mb, 1),
        "ghgxl_check_s": round(check_s, 3),
        "ghgxl_check_peak_rss_mb": round(check_mb, 1),
        "libreoffice_peak_rss_mb": round(lo_mb, 1),
        "ghgxl_total_tco2e": total,
        "libreoffice_total_tco2e": round(float(lo_total), 6),
        "ghgxl_dq_score": round(dq, 6),
        "libreoffice_dq_score": round(float(lo_dq), 6),
        "ghgxl_version": ghgxl.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    suffix = "" if shared else "_full"
    out = Path(__file__).parent / "results" / f"calc_{args.rows}{suffix}.json"
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(record, ensure_ascii=False))
    else:
        print(json.dumps(record, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
