"""Group consolidation at scale: ``ghgxl consolidate`` on N site workbooks of R rows each.

Target (the multi-site issue): 200 sites of 1,000 rows in <= 30 s on the reference machine.

    python bench/consolidate.py --sites 200 --rows 1000

The site workbooks are made once (``workbook new --rows R`` filled with the engine
benchmark's mix of rows, one site name each, then ``calc``); the timed part is the whole
``consolidate`` process: read and compute every site, check them, build and compute the
group workbook. Writes bench/results/consolidate_<sites>x<rows>.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ghgxl
from ghgxl.workbook import fill, template
from ghgxl.workbook.calc import calc_file
from ghgxl.workbook.resize import resized

sys.path.insert(0, str(Path(__file__).parent))
from engine_throughput import make_rows

RESULTS = Path(__file__).parent / "results"


def make_sites(folder: Path, sites: int, rows: int) -> list[Path]:
    base = resized(template.template_path().read_bytes(), max(rows, 200))
    records = make_rows(rows).drop(columns=["amount"]).assign(annual=make_rows(rows)["amount"])
    activity = [
        {k: v for k, v in r.items() if v == v and v is not None} for r in records.to_dict("records")
    ]
    paths = []
    for number in range(1, sites + 1):
        filled = folder / f"filled-{number}.xlsm"
        filled.write_bytes(
            fill.fill(base, {"company": "基准集团", "sites": f"厂区{number:03d}"}, activity)
        )
        path = folder / f"site-{number:03d}.xlsm"
        calc_file(filled, path)
        filled.unlink()
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ghgxl-bench-group-") as name:
        folder = Path(name)
        made = time.perf_counter()
        paths = make_sites(folder, args.sites, args.rows)
        made = time.perf_counter() - made
        out = folder / "group.xlsm"
        ghgxl_command = str(Path(sys.executable).parent / "ghgxl")
        command = [ghgxl_command, "consolidate", *map(str, paths), "-o", str(out)]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(done.stdout + done.stderr)
    record = {
        "sites": args.sites,
        "rows_per_site": args.rows,
        "consolidate_s": round(seconds, 2),
        "make_sites_s": round(made, 1),
        "target_s": 30,
        "ghgxl_version": ghgxl.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, 2 cores",
    }
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"consolidate_{args.sites}x{args.rows}.json"
    target.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
