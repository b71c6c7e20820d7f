"""Build the 盘查清册 template (.xlsm) reproducibly, and give users fresh copies of it.

Steps of :func:`build_template`:

1. the xlwings standalone quickstart workbook (its embedded ``xlwings`` VBA module means
   users install no add-in) is filled with the sheets of :mod:`ghgxl.workbook.sheets`;
2. the ``xlwings_udfs`` VBA module — what Excel's "Import Functions" writes — is generated
   from :mod:`ghgxl.udfs` with xlwings' own generator, and written with pyopenvba together
   with the ``ghgxl_macros`` module the buttons call;
3. the buttons 检查清册 / 重新计算 / 生成报告 / 生成核查包 are added to 使用说明 (pyopenvba), and their
   parts rewritten as Excel writes them (:mod:`ghgxl.workbook.controls`);
4. the VBA project is brought to the shape Office writes, with a document module for the
   workbook and each sheet (every sheet has a codeName) (:mod:`ghgxl.workbook.vba`);
5. the zip is written with fixed timestamps, so the same inputs give the same bytes.

pyopenvba and olefile are needed only to build the template (``pip install -e .[dev]``);
:func:`new_workbook` copies the committed template and sets company and year with
:mod:`ghgxl.workbook.xlsx`, which keeps the buttons and VBA intact.
"""

from __future__ import annotations

import importlib.resources
import tempfile
from pathlib import Path

import openpyxl

from ghgxl import udfs
from ghgxl.factors import FactorLibrary
from ghgxl.files import check_outputs, check_suffix, write_bytes_atomic, write_new
from ghgxl.udfs import udf_vba
from ghgxl.workbook import controls, sheets, vba, xlsx
from ghgxl.workbook import layout as L

TEMPLATE_NAME = "ghgxl-template.xlsm"
VBA_UDF_MODULE = "xlwings_udfs"
VBA_MACRO_MODULE = "ghgxl_macros"
BUTTONS = (  # (name, caption, macro, Python entry point in ghgxl.udfs)
    ("btnCheck", "检查清册", "GhgCheck", "check_workbook"),
    ("btnRecalc", "重新计算", "GhgRecalc", "recalculate"),
    ("btnReport", "生成报告", "GhgReport", "generate_report"),
    ("btnPack", "生成核查包", "GhgPack", "generate_pack"),
)


#: Buttons per row on 使用说明, and each one's box in points: (left, top, width, height).
BUTTONS_PER_ROW = 3


def button_box(index: int) -> tuple[int, int, int, int]:
    """Where button ``index`` stands: in the guide's button band (row 3, below the title and
    note), rows of three 130 × 34 pt buttons, 150 pt apart from the left and 44 pt down."""
    row, column = divmod(index, BUTTONS_PER_ROW)
    band = sum(L.GUIDE_ROW_HEIGHTS[:-1])
    return 20 + 150 * column, band + 6 + 44 * row, 130, 34


def template_path() -> Path:
    """The committed template inside the installed package."""
    return Path(str(importlib.resources.files("ghgxl.workbook_files").joinpath(TEMPLATE_NAME)))


def quickstart_path() -> Path:
    return Path(str(importlib.resources.files("xlwings").joinpath("quickstart_standalone.xlsm")))


# --- VBA ---------------------------------------------------------------------------------


def macro_vba() -> str:
    """The module behind the buttons: each calls a Python function with RunPython."""
    lines = [f'Attribute VB_Name = "{VBA_MACRO_MODULE}"', "' ghgxl buttons (generated)", ""]
    for _name, _caption, macro, entry in BUTTONS:
        lines += [
            f"Sub {macro}()",
            "    ' called by a button on the guide sheet",
            f'    RunPython "import ghgxl.udfs; ghgxl.udfs.{entry}()"',
            "End Sub",
            "",
        ]
    return "\r\n".join(lines)


def _without_attribute_lines(source: str) -> str:
    return "\r\n".join(line for line in source.splitlines() if not line.startswith("Attribute VB_"))


def embed_vba(path: Path) -> None:
    from pyopenvba import ExcelFile

    with ExcelFile(str(path)) as workbook:
        project = workbook.vba_project()
        project.delete_module("Module1")  # the quickstart's sample macro
        project.add_module(VBA_UDF_MODULE, _without_attribute_lines(udf_vba(TEMPLATE_NAME)))
        project.add_module(VBA_MACRO_MODULE, _without_attribute_lines(macro_vba()))
        workbook.save()


def add_buttons(path: Path) -> None:
    from pyopenvba.apps.excel import ExcelApplication

    app = ExcelApplication.open(str(path), with_vba=False)
    guide = app.sheet(1)
    for index, (name, caption, macro, _entry) in enumerate(BUTTONS):
        left, top, width, height = button_box(index)
        guide.add_button(
            name=name, left=left, top=top, width=width, height=height, text=caption, macro=macro
        )
    app.save(str(path))


def embedded_module(path: Path, name: str) -> str:
    """The source of one VBA module of a workbook (for tests and checks)."""
    from pyopenvba import ExcelFile

    with ExcelFile(str(path)) as workbook:
        return workbook.get_module(name)


# --- sheets ------------------------------------------------------------------------------

#: Rows of the quickstart's ``xlwings.conf`` sheet the template leaves out: the interpreter
#: belongs to the machine, not to the workbook. xlwings' VBA (``GetConfig``) takes a key
#: that is on the sheet even when its value is empty, so an empty row would hide the user's
#: ``%USERPROFILE%\.xlwings\xlwings.conf`` (written by ``ghgxl excel setup``) just as
#: ``python`` did, which on a clean Windows can start the Microsoft Store stub. PYTHONPATH
#: and the conda rows stay, empty: they keep a user's own xlwings settings out of ghgxl's.
MACHINE_KEYS = ("Interpreter_Win", "Interpreter_Mac")


def _settings(conf) -> None:
    """The template's xlwings settings: the UDF module set, the interpreter rows removed
    (the rows below move up, so the keys stay contiguous from A1 as the VBA reads them)."""
    for row in range(conf.max_row, 0, -1):
        key = conf.cell(row, 1).value
        if key in MACHINE_KEYS:
            conf.delete_rows(row)
        elif key == "UDF Modules":
            conf.cell(row, 2).value = udfs.UDF_MODULE


def vba_xlwings_version(path: Path) -> str:
    """The ``XLWINGS_VERSION`` constant of a workbook's ``xlwings`` VBA module."""
    import re

    source = embedded_module(path, "xlwings")
    found = re.search(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', source)
    if found is None:
        raise ValueError(f"no XLWINGS_VERSION in the xlwings module of {path}")
    return found.group(1)


def _record_xlwings_version(wb: openpyxl.Workbook, version: str) -> None:
    """The VBA's xlwings version as a hidden defined name (read without the VBA project)."""
    from openpyxl.workbook.defined_name import DefinedName

    from ghgxl.workbook.names import XLWINGS_VERSION_NAME

    wb.defined_names[XLWINGS_VERSION_NAME] = DefinedName(
        XLWINGS_VERSION_NAME, attr_text=f'"{version}"', hidden=True
    )


def _fill(
    path: Path, library: FactorLibrary, company: str | None, year: int | None, rows: int
) -> None:
    wb = openpyxl.load_workbook(quickstart_path(), keep_vba=True)
    guide = wb["Sheet1"]
    guide.title = L.SHEET_GUIDE
    conf = wb["_xlwings.conf"]
    conf.title = L.SHEET_CONF
    _settings(conf)
    conf.sheet_state = "hidden"
    _record_xlwings_version(wb, vba_xlwings_version(quickstart_path()))
    sheets.write_guide(guide, library)
    sheets.write_info(wb.create_sheet(L.SHEET_INFO), library, company, year)
    sheets.write_sources(wb.create_sheet(L.SHEET_SOURCES), library)
    sheets.write_activity(wb.create_sheet(L.SHEET_ACTIVITY), library, rows)
    sheets.write_factors(wb.create_sheet(L.SHEET_FACTORS), library)
    sheets.write_company(wb.create_sheet(L.SHEET_COMPANY))
    sheets.write_market(wb.create_sheet(L.SHEET_MARKET))
    sheets.write_quality(wb.create_sheet(L.SHEET_QUALITY), rows)
    sheets.write_significance(wb.create_sheet(L.SHEET_SIGNIFICANCE), library)
    sheets.write_summary(wb.create_sheet(L.SHEET_SUMMARY), rows)
    sheets.write_sites(wb.create_sheet(L.SHEET_SITES), rows)
    sheets.write_lists(wb.create_sheet(L.SHEET_LISTS), library)
    wb.move_sheet(L.SHEET_CONF, offset=len(wb.sheetnames))
    _name_code(wb)
    sheets.define_names(wb)
    wb.active = 0
    wb.properties.creator = "ghgxl"
    wb.properties.lastModifiedBy = "ghgxl"
    wb.properties.created = wb.properties.modified = sheets.FIXED_DATE
    wb.calculation.fullCalcOnLoad = False
    wb.save(path)


def _name_code(wb: openpyxl.Workbook) -> None:
    """A codeName for each sheet that has none, as Excel names a new sheet: Sheet and the
    next number no sheet uses (the quickstart's sheets keep Sheet1 and Sheet2)."""
    taken = {ws.sheet_properties.codeName for ws in wb.worksheets}
    number = 1
    for ws in wb.worksheets:
        if not ws.sheet_properties.codeName:
            while f"Sheet{number}" in taken:
                number += 1
            ws.sheet_properties.codeName = f"Sheet{number}"
            taken.add(ws.sheet_properties.codeName)


def build_template(
    out: Path,
    library: FactorLibrary | None = None,
    company: str | None = None,
    year: int | None = None,
    rows: int = L.TEMPLATE_ROWS,
) -> None:
    """Build the template (or a filled copy) into ``out`` (written atomically), with
    ``rows`` table rows in 活动数据 and 数据质量."""
    library = library or FactorLibrary.default()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder) / TEMPLATE_NAME
        _fill(work, library, company, year, rows)
        embed_vba(work)
        add_buttons(work)
        members = controls.form_controls_like_excel(xlsx.read_members(work))
    for name, data in members.items():
        if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
            members[name] = xlsx.ensure_r_namespace(data)
        if name == "docProps/core.xml":
            members[name] = _fixed_core(data)
        if name == "xl/workbook.xml":  # Excel keeps the cached values on open
            members[name] = xlsx.current_calc(data)
    vba.complete_project(members)
    write_bytes_atomic(Path(out), xlsx.write_package(members))


def _fixed_core(xml: bytes) -> bytes:
    import re

    stamp = sheets.FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
    return re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), xml)


def new_workbook(
    out: Path, company: str | None = None, year: int | None = None, rows: int = L.TEMPLATE_ROWS
) -> None:
    """A fresh copy of the committed template, with company and year filled in and
    ``rows`` table rows (:mod:`ghgxl.workbook.resize`).

    Never overwrites an existing file (the user's work), not even one made meanwhile: E603.
    """
    from ghgxl.errors import GhgError
    from ghgxl.workbook.resize import resized

    out = Path(out)
    check_outputs([out], [], workbooks=[out])  # a folder, a device: E604
    if out.exists() or out.is_symlink():  # a dangling symlink too
        raise GhgError("E603", path=str(out), why_zh="（文件已存在）", why_en=" (the file exists)")
    check_suffix(out, template_path())  # E639: the template is macro-enabled, .xlsm
    package = resized(template_path().read_bytes(), rows)
    values: dict[str, object] = {}
    if company:
        values[L.info_cell("company")] = company
    if year:
        for key in ("reporting_year", "base_year"):
            values[L.info_cell(key)] = int(year)
        values[L.info_cell("period_start")] = f"{year}-01-01"
        values[L.info_cell("period_end")] = f"{year}-12-31"
    if values:
        package = xlsx.set_cells(package, {L.SHEET_INFO: values})
    write_new([out], package)  # created exclusively: E603 if a file appeared meanwhile
