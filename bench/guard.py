"""What the package guard costs: ``guard.check_package`` and ``ghgxl calc`` at N rows.

    python bench/guard.py --rows 100000 [--formulas shared|full] [--repeat 5]
                          [--baseline DIR]

Builds the benchmark workbook of ``bench/run.py`` (N rows of 活动数据, 数据质量 spanning
them), then times, each in a fresh process: ``check_package`` on it (everything at once,
as any caller but ghgxl's own reader gets it), the part ``ghgxl calc`` waits for (the
package and the sheets calamine parses; the other sheets are checked while calamine
parses), and ``ghgxl calc IN -o OUT`` as a whole. With ``--baseline DIR`` (a checkout of
another version, e.g. ``git worktree add /tmp/main main``) the same is timed for it, the
two taking turns, so that a slower spell of a shared machine falls on both alike. The least
time of ``--repeat`` runs is the figure. Results go to ``bench/results/guard_<rows>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402  (bench/run.py builds the benchmark workbook)

_GUARD = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from ghgxl.workbook import guard
from ghgxl.workbook.source import READ_SHEETS
path, first = Path(sys.argv[2]), sys.argv[3] == "first"
start = time.perf_counter()
if first:
    try:
        guard.check_package(path, first=READ_SHEETS)
    except TypeError:  # a version without the split
        guard.check_package(path)
else:
    guard.check_package(path)
print("SECONDS", time.perf_counter() - start)
"""
_CALC = """
import sys, time
sys.path.insert(0, sys.argv[1])
from ghgxl.cli import main
sys.argv = ["ghgxl", "calc", sys.argv[2], "-o", sys.argv[3]]
start = time.perf_counter()
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print("SECONDS", time.perf_counter() - start, file=sys.stderr)
"""


def timed(script: str, *args: str) -> float:
    """Seconds the script reports."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, check=True
    )
    lines = (out.stdout + out.stderr).splitlines()
    return float(next(line.split()[1] for line in lines if line.startswith("SECONDS ")))


def main() -> None:
    parser = argparse.ArgumentParser(description="the package guard's cost")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formulas", choices=("shared", "full"), default="shared")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--baseline-label", default="", help="what the baseline is (a commit)")
    args = parser.parse_args()
    trees = {"this": ROOT}
    if args.baseline:
        trees["baseline"] = args.baseline.resolve()
    runs: dict[str, dict[str, list[float]]] = {
        name: {"check_package_s": [], "calc_waits_for_s": [], "calc_s": []} for name in trees
    }
    with tempfile.TemporaryDirectory() as folder:
        book = Path(folder) / "book.xlsm"
        run.ghgxl_workbook(run.inventory(args.rows), book, args.formulas == "shared")
        for _ in range(args.repeat):
            for name, tree in trees.items():  # taking turns
                figures = runs[name]
                figures["check_package_s"].append(timed(_GUARD, str(tree), str(book), "all"))
                figures["calc_waits_for_s"].append(timed(_GUARD, str(tree), str(book), "first"))
                out = str(Path(folder) / f"out-{name}.xlsm")
                figures["calc_s"].append(timed(_CALC, str(tree), str(book), out))
        size = book.stat().st_size
    record: dict[str, object] = {
        "date": date.today().isoformat(),
        "rows": args.rows,
        "formulas": args.formulas,
        "repeat": args.repeat,
        "workbook_mb": round(size / 2**20, 1),
    }
    for name, figures in runs.items():
        record[name] = {key: round(min(values), 3) for key, values in figures.items()}
    if "baseline" in record:
        record["baseline_is"] = args.baseline_label or str(args.baseline)
        record["added_s"] = {
            key: round(record["this"][key] - record["baseline"][key], 3)  # type: ignore[index]
            for key in runs["this"]
        }
    record["machine"] = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    suffix = "" if args.formulas == "shared" else "_full"
    target = ROOT / "bench" / "results" / f"guard_{args.rows}{suffix}.json"
    target.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
