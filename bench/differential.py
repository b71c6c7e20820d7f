"""The differential test at scale: thousands of generated workbooks, ``ghgxl calc`` against
LibreOffice, and a minimal workbook for each kind of discrepancy found.

    python bench/differential.py --cases 2000 [--seed 1] [--chunk 100] [--workers 2]

Cases come from tests/strategies.py (the strategies the test uses), ``--chunk`` of them at
a time through tests/differential.py (one LibreOffice run per worker and chunk). Then the
smallest case of each kind of discrepancy is shrunk (greedy steps, each round one
LibreOffice batch for all of them). Writes bench/results/differential.json: how many
cases, how many disagree, per kind how many, and the minimal cases with their differing
cells (``--per-kind N`` shrinks up to N cases of each kind that differ in what else they
show, to find a kind's other causes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from tests.differential import evaluate, kinds_report, shrink  # noqa: E402
from tests.strategies import generate  # noqa: E402


def _differences(outcome, kind: str | None = None) -> list[dict]:
    return [
        {"kind": d.kind, "cell": d.cell, "ghgxl": repr(d.ours), "libreoffice": repr(d.referee)}
        for d in outcome.discrepancies
        if kind is None or d.kind == kind
    ]


def _representatives(outcomes, per_kind: int) -> list[tuple[object, str]]:
    """Up to ``per_kind`` cases for each kind, the smallest first, each with another set of
    kinds (a kind may have more than one cause: its cases differ in what else they show)."""
    targets = []
    for kind in sorted({k for o in outcomes for k in o.kinds}):
        showing = sorted((o for o in outcomes if kind in o.kinds), key=lambda o: o.case.size)
        seen: set[frozenset] = set()
        for outcome in showing:
            if frozenset(outcome.kinds) not in seen and len(seen) < per_kind:
                seen.add(frozenset(outcome.kinds))
                targets.append((outcome.case, kind))
    return targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-kind", type=int, default=1, help="cases shrunk per kind")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "differential.json"
    )
    args = parser.parse_args()
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    start = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="ghgxl-differential-"))
    cases = generate(args.cases, args.seed)
    outcomes = []
    for first in range(0, len(cases), args.chunk):
        outcomes += evaluate(cases[first : first + args.chunk], folder, args.workers)
        log(f"{len(outcomes)} cases, {sum(bool(o.discrepancies) for o in outcomes)} disagree")
    checked = time.perf_counter() - start
    targets = _representatives(outcomes, args.per_kind) if args.per_kind else []
    minimal: dict[str, tuple[set, object]] = {}  # repr → (kinds it was shrunk for, outcome)
    if targets:
        shrunk = shrink(targets, folder, args.workers, log)
        for (_, kind), outcome in zip(targets, evaluate(shrunk, folder, args.workers), strict=True):
            minimal.setdefault(repr(outcome.case), (set(), outcome))[0].add(kind)
    record = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "seed": args.seed,
        "cases": len(cases),
        "distinct_cases": len({repr(c) for c in cases}),
        "disagreeing_cases": sum(bool(o.discrepancies) for o in outcomes),
        "seconds_checking": round(checked, 1),
        "seconds_total": round(time.perf_counter() - start, 1),
        "kinds": {kind: count for kind, (count, _) in kinds_report(outcomes).items()},
        "minimal_cases": [
            {"shrunk_for": sorted(kinds), "case": case, "differences": _differences(outcome)}
            for case, (kinds, outcome) in sorted(minimal.items(), key=lambda m: sorted(m[1][0]))
        ],
    }
    shutil.rmtree(folder, ignore_errors=True)
    args.out.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in record.items() if k != "minimal_cases"}, indent=2))
    print(f"{len(minimal)} minimal cases; written: {args.out}")


if __name__ == "__main__":
    main()
