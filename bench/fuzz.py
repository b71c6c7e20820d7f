"""Run the property tests with the bench profile (>= 10,000 cases each) and record the counts.

    python bench/fuzz.py

Writes bench/results/fuzz.json: per property, cases passing / failing / invalid.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
TESTS = ["tests/unit/test_fuzz.py", "tests/unit/test_udfs.py::test_cell_functions_never_raise"]


def parse(text: str) -> list[tuple[str, str, str, str]]:
    """(property, passing, failing, invalid) from hypothesis' statistics output."""
    return re.findall(r"::(\w+):.*?(\d+) passing, (\d+) failing, and (\d+) invalid", text, re.S)


def main() -> None:
    start = time.perf_counter()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *TESTS,
            "-q",
            "--hypothesis-show-statistics",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HYPOTHESIS_PROFILE": "bench"},
    )
    seconds = time.perf_counter() - start
    properties = {}
    for name, passing, failing, invalid in parse(run.stdout):
        properties[name] = {
            "passing": int(passing),
            "failing": int(failing),
            "invalid": int(invalid),
        }
    record = {
        "profile": "bench",
        "properties": properties,
        "total_passing": sum(p["passing"] for p in properties.values()),
        "total_failing": sum(p["failing"] for p in properties.values()),
        "pytest_exit_code": run.returncode,
        "seconds": round(seconds, 1),
    }
    (ROOT / "bench" / "results" / "fuzz.json").write_text(
        json.dumps(record, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
