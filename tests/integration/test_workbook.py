"""The 盘查清册 template: built reproducibly, VBA and buttons in place, formulas that call
real cell functions, dropdowns from the library, and LibreOffice agreeing with the engine."""

from __future__ import annotations

import inspect
import re
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings
from openpyxl.worksheet.formula import ArrayFormula

from ghgxl import udfs
from ghgxl.errors import GhgError
from ghgxl.factors import FactorLibrary, key_of
from ghgxl.workbook import calc, fill, sheets, template
from ghgxl.workbook import layout as L
from tests.support import freeze_udf_cells, libreoffice_recalculate, soffice

ROOT = Path(__file__).parents[2]
TEMPLATE = ROOT / "workbook" / template.TEMPLATE_NAME


@pytest.fixture(scope="module")
def book() -> openpyxl.Workbook:
    return openpyxl.load_workbook(TEMPLATE, keep_vba=True)


def test_template_is_up_to_date(tmp_path: Path) -> None:
    rebuilt = tmp_path / "rebuilt.xlsm"
    template.build_template(rebuilt)
    assert rebuilt.read_bytes() == TEMPLATE.read_bytes(), "run: python workbook/build_template.py"


def test_sheets_in_working_order(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == [
        "使用说明", "基本信息", "排放源识别", "活动数据", "排放因子", "公司因子", "绿电绿证", "数据质量",
        "重大性评估",
        "汇总", "各厂区汇总", "_lists", "xlwings.conf",
    ]  # fmt: skip
    assert book["_lists"].sheet_state == "hidden" and book["xlwings.conf"].sheet_state == "hidden"
    conf = {row[0].value: row[1].value for row in book["xlwings.conf"].iter_rows(max_col=2)}
    assert conf["UDF Modules"] == "ghgxl.udfs"


def test_vba_project_and_versions() -> None:
    modules = zipfile.ZipFile(TEMPLATE).namelist()
    assert "xl/vbaProject.bin" in modules
    embedded = template.embedded_module(TEMPLATE, "xlwings_udfs")
    fresh = udfs.udf_vba(template.TEMPLATE_NAME)

    def body(text: str) -> list[str]:
        return [
            line.rstrip()
            for line in text.splitlines()
            if line.strip() and not line.startswith("Attribute")
        ]

    assert body(embedded) == body(fresh), "the embedded UDF module is stale: rebuild the template"
    pinned = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    pin = next(d for d in pinned if d.startswith("xlwings=="))
    vba_version = re.search(
        r"'Version: ([\d.]+)", template.embedded_module(TEMPLATE, "xlwings")
    ).group(1)
    assert pin == f"xlwings=={vba_version}" == f"xlwings=={xlwings.__version__}"


def test_buttons_call_macros_that_exist() -> None:
    package = zipfile.ZipFile(TEMPLATE)
    guide_xml = package.read("xl/worksheets/sheet1.xml").decode()
    macros = set(re.findall(r'macro="\[0\]!(\w+)"', guide_xml))
    assert macros == {macro for _, _, macro, _ in template.BUTTONS}
    vba = template.embedded_module(TEMPLATE, "ghgxl_macros")
    for _name, caption, macro, entry in template.BUTTONS:
        assert f"Sub {macro}()" in vba and f"ghgxl.udfs.{entry}()" in vba
        assert callable(getattr(udfs, entry))
        assert caption in package.read("xl/drawings/vmlDrawing1.vml").decode("utf-8")


GHG_CALL = re.compile(r"(GHG_[A-Z_]+)\(")


def _arguments(formula: str, start: int) -> int:
    """Number of top-level arguments of the call whose '(' is at ``start``."""
    depth, count, in_text = 0, 1, False
    for char in formula[start:]:
        if char == '"':
            in_text = not in_text
        elif in_text:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return count
        elif char == "," and depth == 1:
            count += 1
    raise AssertionError(f"unbalanced formula {formula}")


def test_formulas_call_functions_that_exist(book: openpyxl.Workbook) -> None:
    calls = 0
    for row in book["活动数据"].iter_rows(min_row=L.FIRST_ROW):
        for cell in row:
            value = cell.value.text if isinstance(cell.value, ArrayFormula) else cell.value
            if isinstance(value, str) and value.startswith("="):
                for match in GHG_CALL.finditer(value):
                    function = getattr(udfs, match.group(1))
                    parameters = inspect.signature(function).parameters.values()
                    required = sum(p.default is inspect.Parameter.empty for p in parameters)
                    count = _arguments(value, match.end() - 1)
                    assert required <= count <= len(parameters), (cell.coordinate, value)
                    calls += 1
    # one call a row for each run of gas-group columns (CO2 … CO2e; 生物质CO2, 其他)
    assert calls == L.TEMPLATE_ROWS * 2


def test_dropdowns_match_the_library(book: openpyxl.Workbook) -> None:
    library = FactorLibrary.default()
    lists = book["_lists"]
    header = [c.value for c in lists[1]]
    keys_column = header.index("factor_key") + 1
    choices = [lists.cell(row=r, column=keys_column).value for r in range(2, lists.max_row + 1)]
    choices = [c for c in choices if c]
    # users choose by Chinese name and unit; the key after ｜ is what is computed with
    assert [key_of(c) for c in choices] == library.emission_factor_keys()
    assert choices[library.emission_factor_keys().index("grid.cn.national.2021")] == (
        "2021年全国电力平均二氧化碳排放因子（tCO2/MWh）｜grid.cn.national.2021"
    )
    assert all(re.match(r"^[^a-z｜]*[\u4e00-\u9fff]", c) for c in choices), choices  # Chinese first
    assert len(set(c.split("｜")[0] for c in choices)) == len(choices)  # no two names alike
    rules = {str(v.sqref): v for v in book["活动数据"].data_validations.dataValidation}
    factor_column = L.ACT_COL["factor_key"]
    rule = rules[f"{factor_column}{L.FIRST_ROW}:{factor_column}{L.LAST_ROW}"]
    assert rule.formula1 == sheets.list_ref(library, "factor_key")
    assert rule.errorStyle == "warning"  # a bare key may still be typed or pasted
    gwp_rule = [
        v
        for v in book["基本信息"].data_validations.dataValidation
        if str(v.sqref) == L.info_cell("gwp_set")
    ]
    assert gwp_rule and gwp_rule[0].formula1 == sheets.list_ref(library, "gwp_set")


def test_formula_columns_are_protected(book: openpyxl.Workbook) -> None:
    sheet = book["活动数据"]
    assert sheet.protection.sheet
    for column in L.ACTIVITY_COLUMNS:
        cell = sheet[f"{L.ACT_COL[column.key]}{L.FIRST_ROW}"]
        assert cell.protection.locked == column.formula, column.key
    assert sheet.freeze_panes == f"D{L.FIRST_ROW}"
    assert sheet[f"{L.ACT_COL['unit']}{L.HEADER_ROW}"].comment is not None


def test_new_workbook(tmp_path: Path) -> None:
    out = tmp_path / "盘查清册2025.xlsm"
    template.new_workbook(out, company="测试公司", year=2025)
    book = openpyxl.load_workbook(out, keep_vba=True)
    assert book["基本信息"][L.info_cell("company")].value == "测试公司"
    assert book["基本信息"][L.info_cell("reporting_year")].value == 2025
    original, copy = zipfile.ZipFile(TEMPLATE), zipfile.ZipFile(out)
    for part in ("xl/vbaProject.bin", "xl/drawings/vmlDrawing1.vml", "xl/ctrlProps/ctrlProp1.xml"):
        assert original.read(part) == copy.read(part)
    with pytest.raises(GhgError) as info:
        template.new_workbook(out)
    assert info.value.code == "E603"


ROWS = [
    dict(id="S1", source="叉车柴油", category=1, annual=5000, unit="L", factor_key="fuel.diesel.offroad",
         dq_activity=3, dq_factor=1, dq_calibration=3),
    dict(id="S2", source="化粪池", category=1, m1=3000, m2=3100, m3=2900, unit="人天",
         factor_key="septic.ch4.person_day", dq_activity=1, dq_factor=1, dq_calibration=1),
    dict(id="S3", source="空调 R-410A", category=1, annual=96, unit="kg",
         factor_key="refrigerant.leak.residential_ac", gas="R-410A", dq_activity=3, dq_factor=6, dq_calibration=3),
    dict(id="E1", source="外购电力", category=2, annual=125, unit="万kWh", factor_key="grid.cn.national.2021",
         dq_activity=6, dq_factor=2, dq_calibration=6),
    dict(id="T1", source="原料运输", category=3, scope3_category=4, annual=180000, unit="tkm",
         factor=0.078, factor_unit="kgCO2e/tkm", factor_source="供应商", dq_activity=1, dq_factor=1, dq_calibration=1),
    dict(id="P1", source="石油焦", category=4, scope3_category=1, annual=3200, unit="t",
         factor=0.45, factor_unit="tCO2/t", factor_source="供应商声明", dq_activity=3, dq_factor=1, dq_calibration=3),
    dict(id="X1", source="错误单位", category=1, annual=10, unit="kwhh", factor_key="grid.cn.national.2021"),
]  # fmt: skip


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, calc.WorkbookCalculation]:
    folder = tmp_path_factory.mktemp("calc")
    source = folder / "filled.xlsm"
    source.write_bytes(
        fill.fill(TEMPLATE.read_bytes(), info={"company": "测试公司"}, activity=ROWS)
    )
    out = folder / "computed.xlsm"
    calculation, _, _ = calc.calc_file(source, out)
    return out, calculation


def test_calc_writes_engine_numbers_and_keeps_formulas(computed) -> None:
    out, calculation = computed
    values = openpyxl.load_workbook(out, data_only=True)
    formulas = openpyxl.load_workbook(out)
    activity, summary = values["活动数据"], values["汇总"]
    total_column = L.ACT_COL["total"]
    # row 5: 5,000 L diesel in forklifts — the worked example, 14.4749 t
    assert activity[f"{total_column}5"].value == pytest.approx(14.4749, abs=1e-4)
    assert formulas["活动数据"][f"{total_column}5"].value.startswith("=IF(")
    # the bad unit shows its error in the cells and in the count of error cells
    assert activity[f"{L.ACT_COL['g_CO2']}11"].value.startswith("#GHG! E201")
    assert summary[L.SUMMARY_ERRORS].value == 11  # 10 group cells + the row total
    assert [e.cell for e in calculation.errors] == [f"活动数据!{L.ACT_COL['unit']}11"]
    assert summary[L.SUMMARY_TOTAL].value == pytest.approx(calculation.result.total)


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is installed by .ci/run")
def test_libreoffice_recalculates_the_same_totals(computed, tmp_path: Path) -> None:
    out, calculation = computed
    referee = tmp_path / "referee.xlsm"
    referee.write_bytes(freeze_udf_cells(out.read_bytes()))
    recalculated = openpyxl.load_workbook(
        libreoffice_recalculate(referee, tmp_path), data_only=True
    )
    ours = openpyxl.load_workbook(out, data_only=True)
    cells = L.summary_cells()
    for name, ref in cells.items():
        assert recalculated["汇总"][ref].value == pytest.approx(
            ours["汇总"][ref].value, rel=1e-9, abs=1e-9
        ), name
    assert recalculated["汇总"][L.SUMMARY_CHECK].value == "一致"
    result = calculation.result
    assert recalculated["汇总"][cells["total"]].value == pytest.approx(result.total, rel=1e-12)
    for category, value in result.by_category().items():
        assert recalculated["汇总"][cells[f"category:{category}"]].value == pytest.approx(
            value, rel=1e-12, abs=1e-12
        )
    quality_total = f"J{L.QUALITY_TOTAL_ROW}"
    assert recalculated["数据质量"][quality_total].value == pytest.approx(
        ours["数据质量"][quality_total].value
    )
    assert (
        recalculated["数据质量"][f"J{L.QUALITY_TOTAL_ROW + 1}"].value
        == ours["数据质量"][f"J{L.QUALITY_TOTAL_ROW + 1}"].value
    )


def test_the_factor_sheet_cites_each_value_as_the_report_does() -> None:
    """排放因子 shows each library value's Chinese citation (the report's 附录一 prints the
    same text), beside the library's own note on where it was read."""
    from ghgxl import citations
    from ghgxl.factors import FactorLibrary

    sheet = openpyxl.load_workbook(TEMPLATE, read_only=True)[L.SHEET_FACTORS]
    column = L.FACTOR_COL["citation"]
    library = FactorLibrary.default()
    rows = list(library.rows())
    for index, factor in enumerate(rows):
        cited = sheet[f"{column}{L.FIRST_ROW + index}"].value
        assert cited == citations.citation(factor.source), factor.key
        assert cited and not citations.codes_in(cited), factor.key  # a citation, not a code
    assert sheet[f"{column}{L.HEADER_ROW}"].value == "出处（报告中的引用）"
