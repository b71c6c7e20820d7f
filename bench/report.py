"""Report benchmark: the bundled example's report (.docx, and with the PDF), and the .docx of
large inventories.

    python bench/report.py [--repeat 3] [--rows 10000 100000] [--pdf-of 10000]

Targets: the example's .docx <= 1 s and with the PDF <= 3 s (in-process: the workbook read
and calculation included, Python start-up not); the .docx of a workbook of 10,000 rows
<= 3 s and of 100,000 rows <= 15 s, each at most 600 MB peak RSS (``ghgxl report`` as a
whole process, Python start-up and imports included, measured as ``bench/run.py``
measures ``ghgxl calc``). The workbooks are ``bench/run.py``'s: its mix of methods, one
source name per row. Each figure is the least of ``--repeat`` runs after one to warm
caches (the machine is shared: the least is the one least disturbed); the peak RSS is
that of the fastest run. ``--pdf-of N`` also times the PDF of the N-row report once (not
a target: LibreOffice lays out every page). Writes bench/results/report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402  (bench/run.py builds the benchmark workbooks and measures processes)

import ghgxl  # noqa: E402
from ghgxl.report import write_report  # noqa: E402

EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"
TARGETS = {10_000: (3.0, 600.0), 100_000: (15.0, 600.0)}  # rows: (seconds, MB)


def best_of(repeat: int, pdf: bool, folder: Path) -> float:
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        write_report(EXAMPLE, folder / f"report-{pdf}-{i}.docx", pdf=pdf)
        times.append(time.perf_counter() - start)
    return min(times)


def pages(pdf: Path) -> int | None:
    """The page count of ``pdf`` (pdfinfo), None without poppler."""
    try:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return next(int(line.split()[-1]) for line in info.stdout.splitlines() if line[:6] == "Pages:")


def large(rows: int, repeat: int, folder: Path, pdf: bool) -> dict[str, object]:
    """``ghgxl report`` of a workbook of ``rows`` rows, as a whole process."""
    book = folder / f"book-{rows}.xlsm"
    run.ghgxl_workbook(run.inventory(rows), book)
    ghgxl_bin = str(Path(sys.executable).with_name("ghgxl"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = folder / f"report-{rows}.docx"
    command = [ghgxl_bin, "report", str(book), "-o", str(out)]
    run.timed(command, env=env)  # warm
    runs = sorted(run.timed(command, env=env) for _ in range(repeat))
    seconds, peak = runs[0]
    target_s, target_mb = TARGETS.get(rows, (None, None))
    record: dict[str, object] = {
        "rows": rows,
        "docx_s": round(seconds, 3),
        "docx_median_s": round(runs[len(runs) // 2][0], 3),
        "peak_rss_mb": round(peak, 1),
        "docx_mb": round(out.stat().st_size / 2**20, 2),
        "docx_target_s": target_s,
        "peak_rss_target_mb": target_mb,
    }
    if pdf:
        start = time.perf_counter()
        _, _, made = write_report(book, folder / f"report-{rows}-pdf.docx", pdf=True)
        record["with_pdf_s"] = round(time.perf_counter() - start, 3)
        record["pages"] = pages(made)
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--pdf-of", type=int, default=None, help="also make this one's PDF")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        write_report(EXAMPLE, Path(folder) / "warm.docx", pdf=True)  # warm caches, LibreOffice
        docx_s = best_of(args.repeat, False, Path(folder))
        pdf_s = best_of(args.repeat, True, Path(folder))
        example_pages = pages(Path(folder) / "report-True-0.pdf")
        scale = [large(n, args.repeat, Path(folder), n == args.pdf_of) for n in args.rows]
    record = {
        "workbook": EXAMPLE.name,
        "docx_s": round(docx_s, 3),
        "docx_target_s": 1.0,
        "docx_with_pdf_s": round(pdf_s, 3),
        "docx_with_pdf_target_s": 3.0,
        "pages": example_pages,
        "large": scale,
        "ghgxl_version": ghgxl.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    out = Path(__file__).parent / "results" / "report.json"
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
