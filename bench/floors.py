"""How fast `ghgxl calc` can be in pure Python: the least time of each step it cannot skip,
measured on the benchmark workbook of ``run.py``, summed into a lower bound and set against
issue 5's targets; with ``--native``, the two sheet passes compiled, for comparison.

    python bench/floors.py --rows 100000 [--repeat 3] [--native]

Steps (best of ``--repeat``):

* start-up: a new Python importing the libraries calc needs (NumPy, pandas, pint, click,
  calamine), the same without pandas, and ghgxl's own calc imports (for comparison);
* parse: calamine parsing 活动数据 (Rust; lets go of the GIL, so it can overlap start-up);
* rows: the parsed sheet's rows as Python lists (``iter_rows``);
* scan: the writer's one regular-expression split of the two table sheets (活动数据 and
  数据质量, a value in every row of both) at their formula cells, 4 MB at a time
  (``patch._FORMULA_CELL``; the cheapest pure-Python way found to reach every formula
  cell's value);
* render: the new values rendered as XML (``patch._Lookup``: each distinct number once);
* join: the split sheets joined again;
* patch: the writer's whole pass over both sheets once the values are rendered (split,
  index, join: ``patch.patch_chunk``); ``patch_activity`` the same for 活动数据 alone, what
  the compiled probe does;
* inflate/deflate: zlib, in threads beside the rest (they let go of the GIL).

Two lower bounds, leaving out everything else calc does (engine, mirrors, other sheets):
steps that hold the GIL run one after another on any number of cores
(start-up + rows + scan + render + join), and each of parse → rows → render → join needs the
one before. ``--native`` builds ``native_probe/fastxl.c`` with the system C compiler in a
temporary folder, checks that its output equals ghgxl's (the patched sheet byte for byte, the
input cells as calamine reads them) and times the same two passes. Results:
``results/floors_<rows>.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from python_calamine import CalamineWorkbook
from run import ghgxl_workbook, inventory, libreoffice_command, native_workbook, timed

import ghgxl
from ghgxl.workbook import layout as L
from ghgxl.workbook import patch, xlsx
from ghgxl.workbook.calc import calculate_workbook, cell_values
from ghgxl.workbook.refs import column_number

HERE = Path(__file__).parent
CALC_IMPORTS = "import numpy, pandas, pint, click, python_calamine"
LEAN_IMPORTS = "import numpy, pint, click, python_calamine"
GHGXL_IMPORTS = "import ghgxl.cli, ghgxl.workbook.source, ghgxl.workbook.calc, ghgxl.export"


def best(repeat: int, step: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return min(times), result


def startup(repeat: int, imports: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", imports], check=True, env=env)  # bytecode cached
    return best(repeat, lambda: subprocess.run([sys.executable, "-c", imports], env=env))[0]


#: The sheets calc writes a value into every row of: 活动数据 and 数据质量.
TABLES = (L.SHEET_ACTIVITY, L.SHEET_QUALITY)


def sheet_xmls(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        parts = xlsx.package_sheet_parts(package)
        return {sheet: package.read(parts[sheet]) for sheet in TABLES}


def scan(xml: bytes) -> list[list[bytes]]:
    return [patch._FORMULA_CELL.split(chunk) for chunk in patch.row_chunks(io.BytesIO(xml))]


def deflate(xml: bytes) -> int:
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    return len(packer.compress(xml) + packer.flush())


def build_native(folder: Path):
    """fastxl built from native_probe/fastxl.c, or None without a C compiler."""
    target = folder / f"fastxl{sysconfig.get_config_var('EXT_SUFFIX')}"
    command = [
        os.environ.get("CC", "cc"), "-O2", "-shared", "-fPIC", "-D_GNU_SOURCE",
        f"-I{sysconfig.get_paths()['include']}", str(HERE / "native_probe" / "fastxl.c"),
        "-o", str(target),
    ]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"no native probe: {exc}", file=sys.stderr)
        return None
    sys.path.insert(0, str(folder))
    import fastxl

    return fastxl


def patched(xml: bytes, lookup: patch._Lookup) -> bytes:
    """The writer's pass over the sheet once the values are rendered (no zlib)."""
    return b"".join(patch.patch_chunk(c, lookup) for c in patch.row_chunks(io.BytesIO(xml)))


def native_steps(
    fastxl, xml: bytes, lookup: patch._Lookup, written: bytes, path: Path, repeat: int
) -> dict:
    """The compiled writer and reader, timed, after checking they give what ghgxl gives."""
    columns = bytearray([255]) * 16385
    for letter, index in lookup.letters.items():
        if index >= 0:  # the lookup's default dict also holds letters it was asked about
            columns[column_number(letter.decode())] = index
    arguments = (bytes(columns), lookup.position.tobytes(), lookup.width, lookup.tails.tolist())
    patch_s, native = best(repeat, lambda: fastxl.patch(xml, *arguments))
    if native != written:
        raise SystemExit("the native writer differs from ghgxl's")

    keys = ("id", "source", "category", "annual", "unit", "factor_key")
    keys += ("dq_activity", "dq_factor", "dq_calibration")
    wanted = bytearray([255]) * 16385
    for slot, key in enumerate(keys):
        wanted[column_number(L.ACT_COL[key])] = slot
    last = L.FIRST_ROW + len(lookup.block.rows) - 1
    read_s, cells = best(
        repeat, lambda: fastxl.read(xml, bytes(wanted), len(keys), L.FIRST_ROW, last)
    )
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(L.SHEET_ACTIVITY)
    top, left = sheet.start
    grid = sheet.to_python()
    for slot, key in enumerate(keys):
        at = column_number(L.ACT_COL[key]) - 1 - left
        expected = [grid[row - 1 - top][at] for row in range(L.FIRST_ROW, last + 1)]
        if cells[slot] != expected:
            raise SystemExit(f"the native reader differs from calamine in {key}")
    return {"native_patch_s": round(patch_s, 3), "native_read_s": round(read_s, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description="pure-Python floors of ghgxl calc")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--native", action="store_true", help="also time native_probe/fastxl.c")
    args = parser.parse_args()
    records = inventory(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        ours, native = work / "ghgxl.xlsm", work / "native.xlsx"
        ghgxl_workbook(records, ours)
        native_workbook(records, native)
        steps = {"startup_s": startup(args.repeat, CALC_IMPORTS)}
        steps["startup_without_pandas_s"] = startup(args.repeat, LEAN_IMPORTS)
        steps["startup_ghgxl_s"] = startup(args.repeat, GHGXL_IMPORTS)
        steps["parse_s"], parsed = best(
            args.repeat,
            lambda: CalamineWorkbook.from_path(str(ours)).get_sheet_by_name(L.SHEET_ACTIVITY),
        )
        steps["rows_s"], _ = best(args.repeat, lambda: list(parsed.iter_rows()))
        steps["inflate_s"], xmls = best(args.repeat, lambda: sheet_xmls(ours))
        steps["scan_s"], pieces = best(args.repeat, lambda: [scan(x) for x in xmls.values()])
        steps["join_s"], _ = best(
            args.repeat, lambda: [b"".join(p) for sheet in pieces for p in sheet]
        )
        blocks = cell_values(calculate_workbook(ours))
        steps["render_s"], lookups = best(
            args.repeat, lambda: {sheet: patch._Lookup(blocks[sheet]) for sheet in TABLES}
        )
        steps["patch_s"], _ = best(
            args.repeat, lambda: [patched(xmls[sheet], lookups[sheet]) for sheet in TABLES]
        )
        xml, lookup = xmls[L.SHEET_ACTIVITY], lookups[L.SHEET_ACTIVITY]
        steps["patch_activity_s"], written = best(args.repeat, lambda: patched(xml, lookup))
        steps["deflate_s"], _ = best(args.repeat, lambda: [deflate(x) for x in xmls.values()])
        office = libreoffice_command(work, native)
        env = {**os.environ, "HOME": str(work)}
        timed(office, env=env)  # LibreOffice's profile is made on the first run
        steps["libreoffice_s"] = min(timed(office, env=env)[0] for _ in range(args.repeat))
        if args.native and (fastxl := build_native(work)) is not None:
            steps |= native_steps(fastxl, xml, lookup, written, ours, args.repeat)
    s = {k: round(v, 3) for k, v in steps.items()}
    gil = s["startup_s"] + s["rows_s"] + s["scan_s"] + s["render_s"] + s["join_s"]
    chain = s["parse_s"] + s["rows_s"] + s["render_s"] + s["join_s"]
    target = 0.5 if args.rows <= 10_000 else s["libreoffice_s"] / 3
    record = {
        "rows": args.rows,
        "sheets_mb": round(sum(map(len, xmls.values())) / 1e6, 1),
        **s,
        "bound_gil_s": round(gil, 3),
        "bound_chain_s": round(chain, 3),
        "bound_s": round(max(gil, chain), 3),
        "target_s": round(target, 3),
        "ghgxl_version": ghgxl.__version__,
        "numpy": np.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    out = HERE / "results" / f"floors_{args.rows}.json"
    out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
