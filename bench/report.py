"""Report benchmark: the bundled example's report, .docx alone and with the PDF.

    python bench/report.py [--repeat 3]

Targets (issue 7): <= 1 s for the .docx, <= 3 s with the PDF. Times are in-process (the
workbook read and calculation included, Python start-up not). Writes
bench/results/report.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import ghgxl
from ghgxl.report import write_report

EXAMPLE = Path(__file__).parents[1] / "workbook" / "examples" / "example-2023.xlsm"


def best_of(repeat: int, pdf: bool, folder: Path) -> float:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        write_report(EXAMPLE, folder / f"report-{pdf}-{i}.docx", pdf=pdf)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        write_report(EXAMPLE, Path(folder) / "warm.docx", pdf=True)  # warm caches and LibreOffice
        docx_s = best_of(args.repeat, False, Path(folder))
        pdf_s = best_of(args.repeat, True, Path(folder))
    record = {
        "workbook": EXAMPLE.name,
        "docx_s": round(docx_s, 3),
        "docx_target_s": 1.0,
        "docx_with_pdf_s": round(pdf_s, 3),
        "docx_with_pdf_target_s": 3.0,
        "ghgxl_version": ghgxl.__version__,
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    out = Path(__file__).parent / "results" / "report.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
