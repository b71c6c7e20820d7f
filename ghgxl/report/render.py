"""Render the Word report from a workbook: context → docxtpl template → .docx (→ PDF).

User text (company profile, policy ...) is rendered through a jinja2 sandbox with
autoescaping, so a cell holding ``{{ ... }}`` or ``<w:p>`` is printed as text, never run.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment

from ghgxl.errors import GhgError
from ghgxl.factors import FactorLibrary, LibraryChoice
from ghgxl.files import check_outputs, replace_kept, write_bytes_atomic
from ghgxl.report import charts, office, pictures, provenance, sources, tables, toc
from ghgxl.report.content import category_status
from ghgxl.report.context import CATEGORY_NAMES, build_context, report_factors, scope_status
from ghgxl.report.formats import percentages, subscript
from ghgxl.workbook import xlsx
from ghgxl.workbook.calc import WorkbookCalculation, calculate_workbook
from ghgxl.workbook.change import attach_years
from ghgxl.workbook.sites import SiteLine, by_site

TEMPLATE_NAME = "report-template.docx"
PDF_TIMEOUT_S = 120
#: Unix, whichever system wrote the report (zipfile puts the writer's system in each member).
_ZIP_SYSTEM_UNIX = 3


def template_path() -> Path:
    return Path(str(importlib.resources.files("ghgxl.templates_files").joinpath(TEMPLATE_NAME)))


def jinja_env() -> SandboxedEnvironment:
    """The template's jinja2 environment: sandboxed, with the report's filters."""
    env = SandboxedEnvironment(autoescape=False)
    env.filters["subscript"] = subscript
    return env


#: The scopes of the scope chart.
SCOPE_NAMES = {1: "范围一 直接排放", 2: "范围二 能源间接排放", 3: "范围三 其他间接排放"}


def _charts(template: DocxTemplate, calc: WorkbookCalculation) -> dict[str, InlineImage]:
    result = calc.result
    by_category = result.by_category()
    by_scope = result.by_scope()
    status = category_status(calc.data, tuple(CATEGORY_NAMES))  # 无排放源, 未量化（排除）
    ranked = sources.ranking(calc)
    top = ranked.head(sources.TOP)
    names, values = top["name"].tolist(), top["tco2e"].tolist()
    rest = len(ranked) - len(top)  # computed sources only, as the table beside it counts
    if rest:
        names.append(sources.REST.format(count=rest).split("（")[0])
        values.append(float(ranked["tco2e"][sources.TOP :].sum()))
    images = {
        "chart_category": charts.bar_chart(
            list(CATEGORY_NAMES.values()),
            list(by_category.values()),
            subscript("各类别排放量 (t CO2e) 及占比"),
            horizontal=True,
            shares=percentages(list(by_category.values())),
            notes={
                position: status[category]
                for position, category in enumerate(CATEGORY_NAMES)
                if category in status
            },
        ),
        "chart_scope": charts.bar_chart(
            list(SCOPE_NAMES.values()),
            list(by_scope.values()),
            subscript("各范围排放量 (t CO2e) 及占比"),
            horizontal=True,
            shares=percentages(list(by_scope.values())),
            notes=scope_status(status),
        ),
        "chart_top": charts.pareto_chart(
            names,
            values,
            result.total,
            subscript("排放量最大的十个排放源 (t CO2e) 及累计占比"),
            rest=names[-1] if rest else None,
        ),
    }
    images["chart_sites"] = _site_chart(calc)
    return {
        name: InlineImage(template, io.BytesIO(png), width=Mm(150)) for name, png in images.items()
    }


#: Sites drawn one bar each in the by-site chart; the others share a last bar.
CHART_SITES = 15


def _site_chart(calc: WorkbookCalculation) -> bytes:
    """Each site's emissions by scope, the largest first (图 各厂区排放量)."""
    lines = sorted(by_site(calc), key=lambda line: -line.total)
    shown, others = lines[:CHART_SITES], lines[CHART_SITES:]
    labels = [line.name for line in shown]

    def by_scope(line: SiteLine) -> list[float]:
        one, two = line.by_category[1], line.by_category[2]
        return [one, two, line.total - one - two]

    scopes = [by_scope(line) for line in shown]
    if others:
        labels.append(f"其他 {len(others)} 个厂区")
        scopes.append([sum(values) for values in zip(*map(by_scope, others), strict=True)])
    series = {name: [s[i] for s in scopes] for i, name in enumerate(SCOPE_NAMES.values())}
    return charts.stacked_bar_chart(labels, series, subscript("各厂区排放量 (t CO2e)，按范围"))


def render_docx(
    calc: WorkbookCalculation,
    library: FactorLibrary | None = None,
    template: Path | None = None,
    images: Path | None = None,
) -> bytes:
    """The report as .docx bytes; the pictures (ghgxl.report.pictures) from ``images``, by
    default the workbook's folder.

    docxtpl renders the template; then the table of contents is filled in, tables get
    widths that fit their numbers, and the appendix's rows (one per row of 活动数据) are
    written straight into the package (:mod:`ghgxl.report.tables`)."""
    document = DocxTemplate(str(template or template_path()))
    factors = report_factors(calc, library)
    stamp = provenance.manifest(calc)
    context = _xml_safe(build_context(calc, library, factors))
    context.update(_charts(document, calc))
    context.update(pictures.inline(document, images or Path(calc.data.path).parent))
    document.render(context, jinja_env=jinja_env(), autoescape=True)
    body = document.docx.element.body
    toc.fill(body)
    columns = {"activity": sources.appendix_columns(calc, factors)}
    patterns = tables.take_row_patterns(body, columns)
    tables.fit_widths(body)
    tables.keep_totals(body)
    buffer = io.BytesIO()
    document.save(buffer)
    rows = {key: (pattern, columns.get(key, {})) for key, pattern in patterns.items()}
    return _deterministic_package(buffer.getvalue(), rows, stamp)


def _xml_safe(value: Any) -> Any:
    """Context text without what XML cannot hold (a vertical tab pasted into a cell, U+FFFF):
    each such character becomes a space, as Word has no way to show it."""
    if isinstance(value, str):
        return xlsx.NOT_XML_CHARS.sub(" ", value)
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_xml_safe(v) for v in value]
    return value


def _deterministic_package(
    docx: bytes,
    rows: dict[str, tuple[tables.RowPattern, dict]] | None = None,
    stamp: dict[str, object] | None = None,
) -> bytes:
    """``docx`` zipped again as ghgxl zips workbooks: each member stamped with
    :data:`ghgxl.workbook.xlsx.FIXED_ZIP_TIME` (python-docx stamps them with the clock), with
    the same attributes, in python-docx's order; the rows of ``rows`` (by key: a pattern and
    its columns) written where document.xml marks them, streamed into the package.

    The same workbook then gives the same report bytes on every run, so a report can be
    checked by its hash and kept under version control without changes that are not there.
    The date a report speaks for is the one printed in it, not when the file was written.
    docProps/core.xml needs nothing: python-docx copies the template's, whose dates are fixed
    too (:mod:`ghgxl.report.template`). ``stamp``: the manifest kept in the package
    (:mod:`ghgxl.report.provenance`)."""
    members = xlsx.read_members(docx)
    if stamp is not None:
        members = provenance.embed(members, stamp)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in members.items():
            if name == DOCUMENT_PART and rows:
                _write_document(package, data, rows)
                continue
            info = xlsx.member_info(name, len(data))
            info.create_system = _ZIP_SYSTEM_UNIX
            package.writestr(info, data)
    return buffer.getvalue()


DOCUMENT_PART = "word/document.xml"


def _write_document(
    package: zipfile.ZipFile, xml: bytes, rows: dict[str, tuple[tables.RowPattern, dict]]
) -> None:
    """document.xml with each row marker replaced by its rows, written in chunks."""
    marker = re.compile(rb"<!--" + re.escape(tables.MARKER.format(key="")).encode() + rb"(\w+)-->")
    pieces = marker.split(xml)  # text, key, text, key, ..., text
    estimate = len(xml) + sum(
        len(pattern.xml) * len(next(iter(columns.values()), ()))
        for pattern, columns in rows.values()
    )
    info = xlsx.member_info(DOCUMENT_PART, estimate)
    info.create_system = _ZIP_SYSTEM_UNIX
    with package.open(info, "w") as member:
        for index, piece in enumerate(pieces):
            if index % 2 == 0:
                member.write(piece)
                continue
            pattern, columns = rows[piece.decode()]
            for chunk in tables.row_chunks(pattern, columns):
                member.write(chunk)


def docx_to_pdf(docx: Path, out_dir: Path) -> Path:
    """PDF through LibreOffice headless, its table of contents updated and missing Chinese
    fonts replaced by Simplified Chinese faces (:mod:`ghgxl.report.office`); E606 when
    LibreOffice is missing, fails or takes longer than :data:`PDF_TIMEOUT_S`."""
    office_bin = shutil.which("soffice") or shutil.which("libreoffice")
    if office_bin is None:
        raise GhgError("E606", problem="LibreOffice (soffice) not found")
    pdf = out_dir / (docx.stem + ".pdf")
    # LibreOffice may leave files in its profile while it is being stopped
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        profile, error = Path(folder) / "profile", Path(folder) / "error.txt"
        office.write_profile(profile)
        env = office.font_environment(Path(folder) / "config")
        _run_office(office.command(office_bin, profile, docx, pdf, error), PDF_TIMEOUT_S, env)
        said = error.read_text("utf-8", "replace").strip() if error.exists() else ""
    if said:
        raise GhgError("E606", problem=f"LibreOffice: {said}"[:200])
    if not pdf.exists():
        raise GhgError("E606", problem="no PDF written")
    return pdf


def _run_office(command: list[str], timeout: float, env: dict[str, str] | None = None) -> None:
    """Run LibreOffice in a process group of its own and wait at most ``timeout`` seconds.

    ``soffice`` is a launcher that starts ``soffice.bin`` and waits for it: killing only the
    launcher (what ``subprocess.run(timeout=...)`` does) would leave ``soffice.bin`` running,
    holding the profile and the CPU. So the whole group goes, on a timeout and on Ctrl+C.
    Output goes to a file, not a pipe, so a process that outlives the launcher cannot keep
    us waiting for the pipe to close."""
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=errors,
                stderr=errors,
                env=env,
                **_OWN_GROUP,
            )
        except OSError as exc:
            raise GhgError("E606", problem=f"LibreOffice did not start: {exc}"[:200]) from None
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise GhgError(
                "E606",
                problem=f"LibreOffice did not finish within {timeout:g} s and was stopped",
            ) from None
        except BaseException:  # KeyboardInterrupt: stop LibreOffice too, then let it through
            _kill_group(process)
            raise
        if returncode != 0:
            errors.seek(0)
            said = errors.read().decode("utf-8", "replace").strip().splitlines()
            detail = f": {said[-1]}" if said else ""
            raise GhgError(
                "E606", problem=f"LibreOffice exited with status {returncode}{detail}"[:200]
            )


#: Popen arguments that start a process in a new process group (POSIX: a new session).
_OWN_GROUP: dict[str, object] = (
    {"start_new_session": True}
    if os.name == "posix"
    else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
)


def _kill_group(process: subprocess.Popen) -> None:
    """Kill ``process`` and every process it started (its group), and reap it."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
            os.killpg(process.pid, signal.SIGKILL)  # the group's id is the leader's pid
    else:  # Windows has no process groups to signal; taskkill /T walks the tree
        with contextlib.suppress(OSError):
            subprocess.run(
                ["taskkill", "/F", "/T", "/PID", str(process.pid)],
                capture_output=True,
                check=False,
            )
    process.kill()
    process.wait()


def write_report(
    workbook: Path,
    out: Path,
    pdf: bool = False,
    library: FactorLibrary | LibraryChoice | None = None,
    images: Path | None = None,
    previous: Path | None = None,
    base_year: Path | None = None,
    folder: Path | None = None,
) -> tuple[WorkbookCalculation, Path, Path | None]:
    """Compute ``workbook`` and write its report to ``out`` (.docx), and a PDF beside it;
    pictures from ``images`` (default: beside the workbook); ``previous``: an earlier year's
    workbook to compare with; ``base_year``: the base year's (default: the one 基本信息
    names, looked for in ``folder``, by default the workbook's). Neither output may be an
    input (E603) nor anything but a regular file (E604)."""
    out = Path(out)
    pdf_path = out.with_suffix(".pdf") if pdf else None
    check_outputs([out, pdf_path], [workbook, previous, base_year])
    calc = calculate_workbook(Path(workbook), library=library)
    check_outputs([out, pdf_path], attach_years(calc, previous, base_year, folder))
    replace_kept(out, render_docx(calc, images=images))  # an edited report is kept
    if pdf_path is not None:
        with tempfile.TemporaryDirectory() as folder:
            made = docx_to_pdf(out, Path(folder))
            write_bytes_atomic(pdf_path, made.read_bytes())  # made from the .docx: no edits
    return calc, out, pdf_path


def verify_report(
    report: Path, workbook: Path, previous: Path | None = None, base_year: Path | None = None
) -> provenance.Verdict:
    """Whether ``report`` was made from ``workbook`` as it is now: the hash the report
    carries, and its text against the report ghgxl writes from the workbook today (with
    the same ``previous`` and base year if the report compared with them)."""
    members = _report_members(Path(report))
    stamp = provenance.read_manifest(members) or {}
    calc = calculate_workbook(Path(workbook))
    given = {"previous": previous, "base_year": base_year}
    changed = _compared_years(stamp, given, Path(report), calc)
    attach_years(calc, given["previous"], given["base_year"])
    expected = xlsx.read_members(render_docx(calc))
    verdict = provenance.Verdict(stamp or None, provenance.sha256(Path(workbook)))
    verdict.differences = changed + provenance.compare_text(
        provenance.text_lines(members), provenance.text_lines(expected)
    )
    return verdict


#: The earlier years a report's manifest may record: key, option, and how a message names
#: each (Chinese, English).
EARLIER = (
    ("previous", "--previous", "上一年度清册", "the earlier year's workbook"),
    ("base_year", "--base-year", "基准年清册", "the base-year workbook"),
)


def _compared_years(
    stamp: dict[str, object],
    given: dict[str, Path | None],
    report: Path,
    calc: WorkbookCalculation,
) -> list[tuple[str, str]]:
    """The earlier workbooks the report compared with (its manifest records them), put into
    ``given`` where not given: where the report found them (the base year where 基本信息
    names it), else by name beside the workbook, if it is the same file; E646 naming all
    that are missing. A given one that is not the recorded file is a difference."""
    from ghgxl.workbook.change import base_year_path

    workbook = Path(calc.data.path)
    changed, missing = [], []
    for what, option, zh, en in EARLIER:
        recorded = stamp.get(f"{what}_workbook")
        if not isinstance(recorded, dict):
            continue
        name, digest = str(recorded.get("name")), str(recorded.get("sha256"))
        chosen = given[what]
        if chosen is not None:
            if (found := provenance.sha256(Path(chosen))) != digest:
                changed.append((f"{zh} {name}：SHA-256 {digest}", f"{Path(chosen).name}：{found}"))
            continue
        places = [workbook.parent / name]
        if what == "base_year":
            places.insert(0, base_year_path(calc.data.info, workbook) or places[0])
        same = [p for p in places if p.is_file() and provenance.sha256(p) == digest]
        if same:
            given[what] = same[0]
        else:
            missing.append((option, zh, en, name, digest))
    if missing:
        raise GhgError(
            "E646", report=report.name,
            needed="、".join(f"{zh} {name}（SHA-256 {d[:12]}…）" for _, zh, _, name, d in missing),
            needed_en=", ".join(f"{en} {name} (SHA-256 {d[:12]}…)" for _, _, en, name, d in missing),
            options=" ".join(f'{option} "{name}"' for option, _, _, name, _ in missing),
        )  # fmt: skip
    return changed


#: A report is a few MB; past this it is no report of ghgxl's.
MAX_REPORT_BYTES = 200 * 2**20


def _report_members(path: Path) -> dict[str, bytes]:
    """The report's parts, read with limits (E601 for what is not a readable .docx)."""
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_BYTES:
            raise GhgError("E609", path=path.name, problem=f"{size / 2**20:.0f} MB")
        with zipfile.ZipFile(path) as package:
            total = sum(info.file_size for info in package.infolist())
            if total > 4 * MAX_REPORT_BYTES:
                raise GhgError("E609", path=path.name, problem="expands too far")
            members = {name: package.read(name) for name in package.namelist()}
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise GhgError("E601", path=str(path), problem=str(exc)) from None
    if "word/document.xml" not in members:
        raise GhgError("E601", path=str(path), problem="not a Word document (.docx)")
    return members
