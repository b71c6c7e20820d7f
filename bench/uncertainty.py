"""Monte Carlo benchmark: 100,000 draws on the bundled example (target <= 2 s).

    python bench/uncertainty.py

Writes bench/results/uncertainty.json with the time and the example's uncertainty.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from ghgxl.uncertainty import inventory_components, monte_carlo, propagation
from ghgxl.workbook.calc import calculate_workbook

EXAMPLE = Path(__file__).parents[1] / "workbook" / "examples" / "example-2023.xlsm"


def main() -> None:
    parts = inventory_components(calculate_workbook(EXAMPLE).result)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = monte_carlo(parts, draws=100_000)
        times.append(time.perf_counter() - start)
    record = {
        "workbook": EXAMPLE.name,
        "components": len(parts),
        "draws": result["draws"],
        "best_s": round(min(times), 3),
        "target_s": 2.0,
        "monte_carlo_lower_pct": round(result["lower_pct"], 2),
        "monte_carlo_upper_pct": round(result["upper_pct"], 2),
        "propagation_pct": round(propagation(parts)["total_pct"], 2),
    }
    out = Path(__file__).parent / "results" / "uncertainty.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
