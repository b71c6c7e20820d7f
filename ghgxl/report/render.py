"""Render the Word report from a workbook: context → docxtpl template → .docx (→ PDF).

User text (company profile, policy ...) is rendered through a jinja2 sandbox with
autoescaping, so a cell holding ``{{ ... }}`` or ``<w:p>`` is printed as text, never run.
"""

from __future__ import annotations

import importlib.resources
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment

from ghgxl.errors import GhgError
from ghgxl.factors import FactorLibrary
from ghgxl.files import check_outputs, write_bytes_atomic
from ghgxl.report import charts
from ghgxl.report.context import CATEGORY_NAMES, build_context
from ghgxl.workbook.calc import WorkbookCalculation, calculate_workbook

TEMPLATE_NAME = "report-template.docx"
PDF_TIMEOUT_S = 120


def template_path() -> Path:
    return Path(str(importlib.resources.files("ghgxl.templates_files").joinpath(TEMPLATE_NAME)))


def jinja_env() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=False)


def _charts(template: DocxTemplate, calc: WorkbookCalculation) -> dict[str, InlineImage]:
    result = calc.result
    by_category = result.by_category()
    by_gas = {g: v for g, v in result.by_gas().items() if g not in ("CO2-biogenic", "Other")}
    rows = [r for r in result.rows.to_dict("records") if r["ok"]]
    sources = calc.rows.to_dict("records")
    names = {i: str(s.get("source") or s.get("id") or i) for i, s in enumerate(sources)}
    top = sorted(
        ((names[i], r["tco2e"]) for i, r in enumerate(result.rows.to_dict("records")) if r["ok"]),
        key=lambda x: -x[1],
    )[:10]
    del rows
    images = {
        "chart_category": charts.bar_chart(
            [f"类别{c}" for c in CATEGORY_NAMES],
            list(by_category.values()),
            "各类别排放量 (t CO2e)",
        ),
        "chart_gas": charts.bar_chart(
            list(by_gas), list(by_gas.values()), "各温室气体排放量 (t CO2e)"
        ),
        "chart_top": charts.bar_chart(
            [n for n, _ in top],
            [v for _, v in top],
            "排放量最大的十个排放源 (t CO2e)",
            horizontal=True,
        ),
    }
    return {
        name: InlineImage(template, io.BytesIO(png), width=Mm(150)) for name, png in images.items()
    }


def render_docx(
    calc: WorkbookCalculation, library: FactorLibrary | None = None, template: Path | None = None
) -> bytes:
    """The report as .docx bytes."""
    document = DocxTemplate(str(template or template_path()))
    context = build_context(calc, library)
    context.update(_charts(document, calc))
    document.render(context, jinja_env=jinja_env(), autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_to_pdf(docx: Path, out_dir: Path) -> Path:
    """PDF through LibreOffice headless (E606 when it is missing or fails)."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise GhgError("E606", problem="LibreOffice (soffice) not found")
    with tempfile.TemporaryDirectory() as profile:
        command = [
            office,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(docx),
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=PDF_TIMEOUT_S)
        except (subprocess.SubprocessError, OSError) as exc:
            raise GhgError("E606", problem=str(exc)[:200]) from None
    pdf = out_dir / (docx.stem + ".pdf")
    if not pdf.exists():
        raise GhgError("E606", problem="no PDF written")
    return pdf


def write_report(
    workbook: Path, out: Path, pdf: bool = False, library: FactorLibrary | None = None
) -> tuple[WorkbookCalculation, Path, Path | None]:
    """Compute ``workbook`` and write its report to ``out`` (.docx), and a PDF beside it.
    Neither may be the workbook (E603) nor anything but a regular file (E604)."""
    out = Path(out)
    pdf_path = out.with_suffix(".pdf") if pdf else None
    check_outputs([out, pdf_path], [workbook])
    calc = calculate_workbook(Path(workbook), library=library)
    write_bytes_atomic(out, render_docx(calc, library))
    if pdf_path is not None:
        with tempfile.TemporaryDirectory() as folder:
            made = docx_to_pdf(out, Path(folder))
            write_bytes_atomic(pdf_path, made.read_bytes())
    return calc, out, pdf_path
