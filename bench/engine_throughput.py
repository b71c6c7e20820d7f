"""Engine throughput: rows per second of ghgxl.inventory.calculate on mixed rows.

Target (issue 3): >= 1,000,000 rows/s for the engine alone (no file I/O).

    python bench/engine_throughput.py --rows 1000000 [--repeat 3]

Writes bench/results/engine_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

import ghgxl
from ghgxl.factors import FactorLibrary
from ghgxl.inventory import calculate

# A realistic mix: library factors with fuel conversions, a refrigerant, electricity,
# explicit spend/average-data factors (many distinct values, as in category 4).
SPECS = [
    dict(category=1, unit="L", factor_key="fuel.diesel.offroad"),
    dict(category=1, unit="kg", factor_key="fuel.lpg.stationary"),
    dict(category=1, unit="L", factor_key="fuel.gasoline.road"),
    dict(category=1, unit="kg", factor_key="refrigerant.leak.chillers", gas="R-410A"),
    dict(category=1, unit="人天", factor_key="septic.ch4.person_day"),
    dict(category=2, unit="kWh", factor_key="grid.cn.south.2022"),
    dict(category=2, unit="万kWh", factor_key="grid.cn.national.2022"),
    dict(category=3, unit="tkm", factor="0.078", factor_unit="kgCO2e/tkm"),
    dict(category=4, unit="t", factor="0.45", factor_unit="tCO2e/t"),
    dict(category=4, unit="万元", factor="0.6", factor_unit="tCO2e/万元"),
]


def make_rows(count: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(SPECS), count)
    spec_frame = pd.DataFrame(SPECS).iloc[picks].reset_index(drop=True)
    spec_frame["amount"] = rng.uniform(0, 10_000, count).round(2)
    spec_frame["id"] = [f"R{i}" for i in range(count)]
    return spec_frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    library = FactorLibrary.default()
    frame = make_rows(args.rows)
    calculate(frame.head(100), library=library)  # warm the caches of unit and factor look-ups
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = calculate(frame, library=library)
        times.append(time.perf_counter() - start)
    assert result.rows["ok"].all()
    best = min(times)
    record = {
        "rows": args.rows,
        "best_s": round(best, 4),
        "all_s": [round(t, 4) for t in times],
        "rows_per_s": round(args.rows / best),
        "target_rows_per_s": 1_000_000,
        "total_tco2e": round(result.total, 3),
        "ghgxl_version": ghgxl.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
    }
    out = Path(__file__).parent / "results" / "engine_throughput.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
