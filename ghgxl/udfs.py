"""Excel cell functions (xlwings UDFs) — the only module that imports xlwings.

Each function is a thin wrapper over :mod:`ghgxl.api`: it never raises into Excel. On bad
input a cell shows ``#GHG! <code> <中文> / <English>``, e.g.
``#GHG! E201 未知单位 'kwhh' / unknown unit 'kwhh'``; the 汇总 sheet counts such cells so a
SUM never skips one silently. Without Excel (Linux, tests) the decorators leave the
functions callable as plain Python, exactly as a cell calls them. An empty cell arrives as
``None`` and means "use the default" for optional arguments.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import types
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import xlwings as xw

from ghgxl import api
from ghgxl.errors import GhgError
from ghgxl.workbook.company import library_for as company_library

ERROR_PREFIX = "#GHG!"


def _cell_safe(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn any exception into ``#GHG!`` text, so a cell never shows a Python traceback."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except GhgError as exc:
            return exc.cell_text()
        except Exception as exc:  # a cell must never raise
            return GhgError("E901", problem=f"{type(exc).__name__}: {exc}").cell_text()

    return wrapper


def _or(value: Any, default: Any) -> Any:
    return default if value is None or value == "" else value


@xw.func
@_cell_safe
def GHG_EMISSION(
    amount, amount_unit, factor_key, gas="CO2e", gwp="AR6", out_unit="tCO2e", group=None
):
    """排放量（因子库）/ emissions from a library factor: amount × factor × GWP.

    gas="CO2e" sums all gases of the factor; a gas name (CH4, R-410A) picks one.
    group (CO2, CH4, N2O, HFCs, PFCs, SF6, NF3, CO2e, CO2-biogenic): only that group's CO2e.
    """
    return api.emission(
        amount,
        amount_unit,
        factor_key,
        _or(gas, "CO2e"),
        _or(gwp, "AR6"),
        _or(out_unit, "tCO2e"),
        _or(group, None),
    )


@xw.func
@_cell_safe
def GHG_EMISSION_EF(
    amount, amount_unit, factor, factor_unit, gas=None, gwp="AR6", out_unit="tCO2e", group=None
):
    """排放量（自定因子）/ emissions from an explicit factor: amount × factor × GWP(gas).

    group: only that gas group's CO2e (0 when the factor's gas is in another group).
    """
    return api.emission_ef(
        amount,
        amount_unit,
        factor,
        factor_unit,
        _or(gas, None),
        _or(gwp, "AR6"),
        _or(out_unit, "tCO2e"),
        _or(group, None),
    )


@xw.func
@_cell_safe
def GHG_EMISSION_GROUPS(
    amount,
    amount_unit,
    factor_key,
    factor,
    factor_unit,
    gas=None,
    gwp="AR6",
    groups="CO2e",
    company=None,
    library=None,
):
    """各气体组排放量（一行一次调用）/ one row's emissions in each gas group, as an array
    across the row's group cells: GHG_EMISSION when factor_key is filled, else GHG_EMISSION_EF.

    groups: "CO2,CH4,N2O,HFCs,PFCs,SF6,NF3,CO2e" — one cell each, in that order (t CO2e).
    company: the 公司因子 table (ghg_company_factors, header row first): its keys add to or
    replace the library's, as ghgxl calc reads them.
    library: the factor library version the workbook records (ghg_library, 基本信息 因子库版本):
    the row computes with it, as ghgxl calc does, not with the newest installed.
    """
    values = api.emission_groups(
        amount,
        amount_unit,
        factor_key,
        factor,
        factor_unit,
        _or(gas, None),
        _or(gwp, "AR6"),
        _or(groups, "CO2e"),
        library=company_library(company, factor_key, library),
    )
    return [values]


@xw.func
@_cell_safe
def GHG_FACTOR(factor_key, gas="CO2e", field="value"):
    """因子库数值 / a library factor's value, unit, source, name_zh ... (field)."""
    return api.factor_field(factor_key, _or(gas, "CO2e"), _or(field, "value"))


@xw.func
@_cell_safe
def GHG_GWP(gas, gwp="AR6"):
    """全球变暖潜势 / GWP-100 of a gas or refrigerant blend in a set (AR6, AR5, AR4, SAR)."""
    return api.gwp_value(gas, _or(gwp, "AR6"))


@xw.func
@_cell_safe
def GHG_CONVERT(value, from_unit, to_unit):
    """单位换算 / unit conversion, e.g. GHG_CONVERT(1, "万kWh", "MWh") = 10."""
    return api.convert(value, from_unit, to_unit)


def _column(values: Any) -> list[Any]:
    """A range as a flat list: Excel passes a column as a list, a block as a list of rows."""
    if not isinstance(values, list):
        return [values]
    return [v for row in values for v in (row if isinstance(row, list) else [row])]


@xw.func
@xw.arg("instruments", ndim=2)
@_cell_safe
def GHG_SCOPE2_MARKET(
    ids, categories, amounts, units, factor_keys, totals, instruments, year=None, company=None,
    library=None,
):  # fmt: skip
    """范围二市场法排放量（t CO2e）/ market-based scope 2, as ghgxl calc computes it.

    ids … totals: 活动数据's 编号, 类别, 活动量, 单位, 因子键 and 排放量 (t CO2e) columns;
    instruments: the 绿电绿证 table; year: 报告年度 (ghg_year); company and library: the
    公司因子 table and the recorded library version, as for GHG_EMISSION_GROUPS. Covered
    power counts at each instrument's factor, the rest at the residual factor of its grid
    factor's year; a wrong instrument shows its error (E621–E624), never a number.
    """
    from ghgxl.factors import FactorLibrary
    from ghgxl.workbook.market import market_from_cells

    columns = [_column(c) for c in (ids, categories, amounts, units, factor_keys, totals)]
    chosen = company_library(company, None, library) or FactorLibrary.default()
    return market_from_cells(columns, instruments or [], year, chosen)


def _broadcast(values: Any, count: int) -> list[Any]:
    column = _column(values)
    return column * count if len(column) == 1 else column


@xw.func
@xw.ret(expand="table")
@_cell_safe
def GHG_EMISSIONS(amounts, amount_units, factor_keys, gases="CO2e", gwp="AR6", out_unit="tCO2e"):
    """批量排放量（数组公式）/ GHG_EMISSION for a whole block of rows at once.

    Ranges of equal length (or one value for all rows) in; one column out, one result or
    ``#GHG!`` text per row. One call instead of thousands keeps large sheets fast.
    """
    amount_list = _column(amounts)
    count = len(amount_list)
    units = _broadcast(amount_units, count)
    keys = _broadcast(factor_keys, count)
    gas_list = _broadcast(_or(gases, "CO2e"), count)
    if not (len(units) == len(keys) == len(gas_list) == count):
        message = GhgError("E101", what="equal-length ranges / 等长区域").cell_text()
        return [[message]]
    single = _cell_safe(api.emission)
    return [
        [single(a, u, k, _or(g, "CO2e"), _or(gwp, "AR6"), _or(out_unit, "tCO2e"))]
        for a, u, k, g in zip(amount_list, units, keys, gas_list, strict=False)
    ]


# --- buttons on 使用说明 (RunPython) -----------------------------------------------------

CHECK_SHEET = "检查结果"


def _button_safe(function: Callable[[], None]) -> Callable[[], None]:
    """A button never ends in a Python traceback: errors become a bilingual message box."""

    @wraps(function)
    def wrapper() -> None:
        try:
            function()
        except GhgError as exc:
            xw.Book.caller().app.alert(exc.text(), title="ghgxl")
        except Exception as exc:
            error = GhgError("E901", problem=f"{type(exc).__name__}: {exc}")
            xw.Book.caller().app.alert(error.text(), title="ghgxl")

    return wrapper


def _saved_copy(book: xw.Book, folder: str) -> Path:
    """A copy of the open workbook as Excel has it now, without saving the user's file
    (Excel's SaveCopyAs leaves the workbook and its saved state untouched)."""
    copy = Path(folder) / f"copy-{Path(book.fullname).name}"
    book.api.SaveCopyAs(str(copy))
    return copy


def _saved_file(book: xw.Book, folder: str, what: str, what_en: str) -> Path:
    """A byte copy of the workbook's saved file, under its own name: the report and the pack
    record the file's name and SHA-256, so they must be made from the file on disk (which
    the verifier receives), not from Excel's unsaved state. E626 while there are unsaved
    changes (the user saves; ghgxl never saves the user's workbook)."""
    original = Path(book.fullname)
    if not book.api.Saved or not original.is_file():
        raise GhgError("E626", path=original.name, what=what, what_en=what_en)
    copy = Path(folder) / original.name
    copy.write_bytes(original.read_bytes())  # Excel shares an open workbook for reading
    return copy


@_button_safe
def check_workbook() -> None:
    """检查清册: run ``ghgxl check`` on the open workbook; findings go to the 检查结果 sheet."""
    from ghgxl.workbook.check import check_workbook as check

    book = xw.Book.caller()
    with tempfile.TemporaryDirectory() as folder:
        _, findings = check(_saved_copy(book, folder))
    names = [s.name for s in book.sheets]
    sheet = (
        book.sheets[CHECK_SHEET]
        if CHECK_SHEET in names
        else book.sheets.add(CHECK_SHEET, after=book.sheets[-1])
    )
    sheet.clear()
    rows = [["代码 code", "单元格 cell", "问题", "怎么办", "problem", "what to do"]]
    rows += [[f.code, f.cell, f.message_zh, f.hint_zh, f.message_en, f.hint_en] for f in findings]
    if len(rows) == 1:
        rows.append(["", "", "未发现问题", "", "no findings", ""])
    sheet["A1"].value = rows
    sheet.activate()


@_button_safe
def recalculate() -> None:
    """重新计算: a full recalculation of the open workbook (every GHG_ cell)."""
    xw.Book.caller().app.api.CalculateFull()


@_button_safe
def generate_report() -> None:
    """生成报告: the Word report of the open workbook, saved beside it, then opened; the
    pictures (组织架构图.png …) are taken from the workbook's folder."""
    from ghgxl.report import write_report

    book = xw.Book.caller()
    workbook_path = Path(book.fullname)
    out = workbook_path.with_name(f"{workbook_path.stem}-温室气体盘查报告.docx")
    with tempfile.TemporaryDirectory() as folder:
        source = _saved_file(book, folder, "报告", "report")
        write_report(source, out, images=workbook_path.parent, folder=workbook_path.parent)
    if hasattr(os, "startfile"):
        os.startfile(out)  # Windows: open in Word


@_button_safe
def generate_pack() -> None:
    """生成核查包: the verifier's pack (audit.xlsx, plan.xlsx, manifest.json) of the saved
    workbook, in a folder beside it, then opened."""
    from ghgxl.workbook.audit import write_pack
    from ghgxl.workbook.calc import calculate_workbook

    book = xw.Book.caller()
    workbook_path = Path(book.fullname)
    out = workbook_path.with_name(f"{workbook_path.stem}-核查包")
    with tempfile.TemporaryDirectory() as folder:
        source = _saved_file(book, folder, "核查包", "verifier's pack")
        write_pack(calculate_workbook(source), out)
    book.app.alert(f"核查包已生成 / the verifier's pack is written: {out}", title="ghgxl")
    if hasattr(os, "startfile"):
        os.startfile(out)  # Windows: open the folder in Explorer


FUNCTIONS = (
    GHG_EMISSION,
    GHG_EMISSION_EF,
    GHG_EMISSION_GROUPS,
    GHG_FACTOR,
    GHG_GWP,
    GHG_CONVERT,
    GHG_EMISSIONS,
    GHG_SCOPE2_MARKET,
)
UDF_MODULE = "ghgxl.udfs"


# --- the VBA declarations of these functions (build time) --------------------------------


def _xlwings_udf_generator() -> types.ModuleType:
    """``xlwings.udfs`` imports Windows-only modules at import time; stubs let its VBA
    generator run anywhere (it only inspects Python functions and writes text)."""
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["pythoncom"].CoInitialize = getattr(
        sys.modules["pythoncom"], "CoInitialize", lambda: None
    )
    sys.modules["win32com.client"].Dispatch = getattr(
        sys.modules["win32com.client"], "Dispatch", None
    )
    sys.modules["win32com"].client = sys.modules["win32com.client"]
    sys.modules["pywintypes"].com_error = getattr(sys.modules["pywintypes"], "com_error", Exception)
    import xlwings.udfs

    return xlwings.udfs


def udf_vba(workbook_name: str = "ghgxl.xlsm") -> str:
    """The ``xlwings_udfs`` VBA module, as Excel's "Import Functions" would write it,
    made by xlwings' own generator from the functions of this module."""
    generator = _xlwings_udf_generator()
    namespace = types.SimpleNamespace(**{f.__name__: generator.xlfunc(f) for f in FUNCTIONS})
    buffer = io.StringIO()
    buffer.write('Attribute VB_Name = "xlwings_udfs"\n')
    buffer.write("'Autogenerated code by xlwings - changes will be lost with next import!\n")
    buffer.write('#Const App = "Microsoft Excel" \'Adjust when using outside of Excel\n')

    class _Workbook:
        Name = workbook_name

    generator.generate_vba_wrapper(UDF_MODULE, namespace, buffer, _Workbook())
    return buffer.getvalue().replace("\r\n", "\n").replace("\n", "\r\n")


__all__ = [*(f.__name__ for f in FUNCTIONS), "ERROR_PREFIX", "udf_vba"]
