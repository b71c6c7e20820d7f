"""A company's own factors in the workbook (the 公司因子 sheet): same columns and checks as
an overlay CSV; calc, the cell functions and the report use them alike, and say so.

Hand calculation used below: 120 t of steel × 1.85 t CO2e/t (the supplier's declared
footprint) = 222 t CO2e; 1,000 kWh × 0.6 t CO2/MWh (a company value that replaces the
library's 2021 grid factor in this workbook) = 0.6 t CO2e; total 222.6 t CO2e.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl import udfs
from ghgxl.cli import main
from ghgxl.factors import COLUMNS, FactorLibrary
from ghgxl.report.render import render_docx
from ghgxl.workbook import fill
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calc_file, calculate_workbook
from ghgxl.workbook.check import check_workbook
from tests.excel_eval import Recalculation
from tests.integration.test_report import docx_text
from tests.support import TEMPLATE, libreoffice_recalculate, soffice

STEEL = dict(
    key="company.steel.supplier_a",
    gas="CO2e",
    value=1.85,
    unit="tCO2e/t",
    name_zh="供应商A热轧钢卷碳足迹",
    source="供应商A 2023年产品碳足迹声明 PCF-2023-017",
)
GRID = dict(
    key="grid.cn.national.2021",
    gas="CO2",
    value=0.6,
    unit="tCO2/MWh",
    name_zh="园区售电公司供电排放因子",
    source="园区售电公司2023年排放因子声明",
)
ROWS = [
    dict(id="S1", source="外购钢材", category=4, annual=120, unit="t", factor_key=STEEL["key"]),
    dict(id="E1", source="外购电力", category=2, annual=1000, unit="kWh", factor_key=GRID["key"]),
]
GROUPS = "CO2,CH4,N2O,HFCs,PFCs,SF6,NF3,CO2e"


def _book(tmp_path: Path, company: list[dict], rows: list[dict] = ROWS) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "company.xlsm"
    path.write_bytes(fill.fill(TEMPLATE, {"company": "测试"}, rows, company=company))
    return path


def _table(company: list[dict]) -> list[list[object]]:
    """The named range ghg_company_factors as xlwings passes it: header row, then rows."""
    header = [c.header for c in L.COMPANY_COLUMNS]
    return [header, *([r.get(c.key) for c in L.COMPANY_COLUMNS] for r in company)]


def test_calc_uses_the_sheet_and_says_which_factors_came_from_it(tmp_path: Path) -> None:
    book = _book(tmp_path, [STEEL, GRID])
    calc = calculate_workbook(book)
    assert calc.errors == []
    assert calc.result.total == pytest.approx(120 * 1.85 + 1000 / 1000 * 0.6)
    assert calc.library.version == f"{FactorLibrary.default().version}+company"
    result = CliRunner().invoke(main, ["calc", str(book), "--json", "-"])
    report = json.loads(result.stdout)
    assert report["total_tco2e"] == pytest.approx(222.6)
    used = {(f["key"], f["from"]): f["places"] for f in report["company_factors"]}
    assert used == {
        (STEEL["key"], L.SHEET_COMPANY): [f"{L.SHEET_ACTIVITY}!A5"],
        (GRID["key"], L.SHEET_COMPANY): [f"{L.SHEET_ACTIVITY}!A6"],
    }


def test_the_cell_functions_compute_what_calc_computes(tmp_path: Path) -> None:
    calc = calculate_workbook(_book(tmp_path, [STEEL, GRID]))
    table = _table([STEEL, GRID])
    for row, record in zip(ROWS, calc.result.rows.to_dict("records"), strict=True):
        cells = udfs.GHG_EMISSION_GROUPS(
            row["annual"], row["unit"], row["factor_key"], None, None, None, "AR6", GROUPS, table
        )
        assert sum(cells[0]) == pytest.approx(record["tco2e"])  # the row total: all groups
    # without the table the library's own 2021 grid factor (0.5568) applies
    plain = udfs.GHG_EMISSION_GROUPS(1000, "kWh", GRID["key"], None, None, None, "AR6", "CO2")
    assert plain == [[pytest.approx(0.5568)]]


def test_excel_recalculation_reads_the_named_range_as_calc_reads_the_sheet(
    tmp_path: Path,
) -> None:
    """The formulas as saved, evaluated as Excel does (tests.excel_eval): each row passes
    ghg_company_factors (the header and the rows up to the last key) to Python, and the row
    totals equal what calc wrote."""
    book = _book(tmp_path, [STEEL, {}, GRID])  # a blank row inside the table
    out = tmp_path / "out.xlsm"
    calc_file(book, out)
    recalculation = Recalculation(out, L.SHEET_ACTIVITY)
    recalculation.run()
    cached = openpyxl.load_workbook(out, data_only=True)[L.SHEET_ACTIVITY]
    totals = []
    for row in (L.FIRST_ROW, L.FIRST_ROW + 1):
        ref = f"{L.ACT_COL['total']}{row}"
        assert recalculation.values[(L.SHEET_ACTIVITY, ref)] == pytest.approx(cached[ref].value)
        totals.append(cached[ref].value)
    assert totals == [pytest.approx(222.0), pytest.approx(0.6)]


def test_a_wrong_row_is_an_error_at_its_cell_everywhere(tmp_path: Path) -> None:
    bad = dict(STEEL, value=-1.85)
    book = _book(tmp_path, [GRID, bad])
    calc, findings = check_workbook(book)
    codes = {(e.code, e.cell) for e in findings}
    assert ("E311", f"{L.SHEET_COMPANY}!A6") in codes  # the second row of the sheet
    # the row using its key fails with the sheet row's error, as its cell function does
    assert ("E311", f"{L.SHEET_ACTIVITY}!{L.ACT_COL['factor_key']}5") in codes
    e311 = next(e for e in findings if e.code == "E311")
    assert "-1.85" in e311.text() and "公司因子表第 6 行" in e311.text()
    cell = udfs.GHG_EMISSION_GROUPS(120, "t", STEEL["key"], None, None, None, "AR6", GROUPS,
                                    _table([GRID, bad]))  # fmt: skip
    assert isinstance(cell, str) and cell.startswith("#GHG! E311")
    # the grid row is fine, and its key still computes from the company value
    assert calc.result.rows["tco2e"].iloc[1] == pytest.approx(0.6)
    # a wrong row replacing a library key: its rows fail (E311), never the library's value
    grid = _book(tmp_path, [dict(GRID, value=-0.6)])
    calc, findings = check_workbook(grid)
    assert ("E311", f"{L.SHEET_ACTIVITY}!{L.ACT_COL['factor_key']}6") in {
        (e.code, e.cell) for e in findings
    }
    assert not calc.result.rows["ok"].iloc[1] and calc.result.by_category().get(2, 0) == 0
    # its key typed full-width is that key to the cell function too (NFKC, as for calc)
    wide = dict(GRID, key="ｇｒｉｄ．ｃｎ．ｎａｔｉｏｎａｌ．２０２１", value=-0.6)
    cell = udfs.GHG_EMISSION_GROUPS(1000, "kWh", GRID["key"], None, None, None, "AR6", GROUPS,
                                    _table([wide]))  # fmt: skip
    assert isinstance(cell, str) and cell.startswith("#GHG! E311")
    # a missing source: the reason in each language, not the English one in both
    _, findings = check_workbook(_book(tmp_path, [dict(GRID, source=None)]))
    e311 = next(e for e in findings if e.code == "E311")
    assert "缺少必填数值 source" in e311.message_zh and "missing" not in e311.message_zh
    assert "missing required number source" in e311.message_en


def test_the_report_names_the_company_factors(tmp_path: Path) -> None:
    calc = calculate_workbook(_book(tmp_path, [STEEL, GRID]))
    text = docx_text(io.BytesIO(render_docx(calc, images=tmp_path)))
    assert f"{STEEL['source']}（公司因子）" in text
    assert f"{GRID['source']}（公司因子）" in text


def test_the_template_passes_the_table_to_every_row() -> None:
    book = openpyxl.load_workbook(io.BytesIO(TEMPLATE), keep_vba=True)
    assert L.SHEET_COMPANY in book.sheetnames
    assert book.defined_names[L.COMPANY_NAME].attr_text == L.company_range()
    activity = book[L.SHEET_ACTIVITY]
    first = activity[f"{L.ACT_COL['g_CO2']}{L.FIRST_ROW}"].value
    text = first.text if hasattr(first, "text") else str(first)
    assert text.endswith(f",{L.COMPANY_NAME},{L.LIBRARY_NAME})))")
    headers = [c.value for c in book[L.SHEET_COMPANY][L.HEADER_ROW]]
    assert [h.split()[-1] for h in headers] == list(COLUMNS)  # the overlay CSV's, in order


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is installed by .ci/run")
def test_a_spreadsheet_sizes_the_named_range_to_the_last_key(tmp_path: Path) -> None:
    """LibreOffice evaluates ghg_company_factors: header + rows up to the last key, gaps
    included, and two rows (header + one empty) when the sheet is empty."""
    gap = [STEEL, {}, dict(GRID, key="company.grid.park")]
    books = {"empty": _book(tmp_path / "a", []), "gap": _book(tmp_path / "b", gap)}
    expected = {"empty": 2, "gap": 4}
    for name, path in books.items():
        book = openpyxl.load_workbook(path, keep_vba=True)
        book[L.SHEET_INFO]["Z1"] = f"=ROWS({L.COMPANY_NAME})"
        book[L.SHEET_INFO]["Z2"] = f"=COLUMNS({L.COMPANY_NAME})"
        plain = tmp_path / f"{name}.xlsx"
        book.save(plain)
        out = libreoffice_recalculate(plain, tmp_path / f"lo-{name}")
        sheet = openpyxl.load_workbook(out, data_only=True)[L.SHEET_INFO]
        assert (sheet["Z1"].value, sheet["Z2"].value) == (expected[name], len(L.COMPANY_COLUMNS))
