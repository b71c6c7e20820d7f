"""One truth under any input: what the JSON says, what calc caches in the workbook, and
what the workbook's own formulas compute (LibreOffice as referee) agree, or the row is an
error at its cell in all of them; and every failure is a clear message, never E901."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.workbook import fill, template, xlsx
from ghgxl.workbook import layout as L
from tests.support import freeze_udf_cells, libreoffice_recalculate, soffice

ROOT = Path(__file__).parents[2]
TEMPLATE = (ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes()
INFO = {"company": "测试公司", "reporting_year": 2022}
# 1000 L road diesel and 10,000 kWh at the 2022 national factor, both fully scored
DIESEL = dict(id="D", category=1, annual=1000, unit="L", factor_key="fuel.diesel.road",
              dq_activity=3, dq_factor=1, dq_calibration=3, source="柴油车")  # fmt: skip
POWER = dict(id="P", category=2, annual=10000, unit="kWh", factor_key="grid.cn.national.2022",
             dq_activity=6, dq_factor=1, dq_calibration=6, source="外购电力")  # fmt: skip
SUMMARY = L.summary_cells()


def _cli(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output and "[E901]" not in result.output, result.output
    return result


def _book(tmp_path: Path, rows: list[dict], sources: list[dict] = (), name: str = "in.xlsm"):
    path = tmp_path / name
    path.write_bytes(fill.fill(TEMPLATE, INFO, rows, sources))
    return path


def _calc(tmp_path: Path, book: Path) -> tuple[int, dict, Path]:
    out, report = tmp_path / "out.xlsm", tmp_path / "out.json"
    result = _cli("calc", book, "-o", out, "--json", report)
    return result.exit_code, json.loads(report.read_text(encoding="utf-8")), out


def _cached(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path, data_only=True)


def _referee(out: Path, folder: Path) -> openpyxl.Workbook:
    """The output's native formulas recalculated by LibreOffice (cell functions frozen)."""
    referee = folder / "referee.xlsm"
    referee.write_bytes(freeze_udf_cells(out.read_bytes()))
    return openpyxl.load_workbook(libreoffice_recalculate(referee, folder), data_only=True)


# --- one truth ------------------------------------------------------------------------------


def test_a_category_that_is_no_number_is_an_error_in_the_json_and_the_workbook(
    tmp_path: Path,
) -> None:
    rows = [
        DIESEL,
        {**POWER, "id": "text", "category": "2"},  # typed as text
        {**POWER, "id": "bool", "category": True},
        {**POWER, "id": "seven", "category": 7},
        {**POWER, "id": "blank", "category": None},
    ]
    code, report, out = _calc(tmp_path, _book(tmp_path, rows))
    assert code == 1
    errors = [(e["code"], e["cell"]) for e in report["errors"]]
    column = L.ACT_COL["category"]
    assert errors == [("E502", f"活动数据!{column}{row}") for row in (6, 7, 8, 9)]
    diesel = report["total_tco2e"]
    assert diesel == pytest.approx(report["by_category"]["1"]) and report["by_category"]["2"] == 0
    cached = _cached(out)
    summary = cached[L.SHEET_SUMMARY]
    assert summary[SUMMARY["total"]].value == pytest.approx(diesel)  # was 5.37 t more
    assert summary[SUMMARY["gas_total"]].value == pytest.approx(diesel)
    assert summary[L.SUMMARY_CHECK].value == "一致"
    for row in (6, 7, 8, 9):  # the row formulas show why
        assert cached[L.SHEET_ACTIVITY][f"{L.ACT_COL['g_CO2']}{row}"].value == L.CATEGORY_ERROR_TEXT
    assert _cli("check", out).exit_code == 1
    if soffice():  # the workbook's own SUMIFS/SUM agree with the cached totals
        referee = _referee(out, tmp_path)[L.SHEET_SUMMARY]
        assert referee[SUMMARY["total"]].value == pytest.approx(diesel)
        assert referee[SUMMARY["gas_total"]].value == pytest.approx(diesel)
        assert referee[L.SUMMARY_CHECK].value == "一致"


@pytest.mark.parametrize("scored", ["none", "some"])
def test_data_quality_is_not_assessed_until_every_source_is_scored(
    scored: str, tmp_path: Path
) -> None:
    unscored = dict(dq_activity=None, dq_factor=None, dq_calibration=None)
    rows = [{**DIESEL, **unscored}, {**POWER, **(unscored if scored == "none" else {})}]
    code, report, out = _calc(tmp_path, _book(tmp_path, rows))
    assert code == 0
    quality = report["data_quality"]
    assert (quality["score"], quality["grade"], quality["assessed"]) == (None, None, False)
    assert quality["unscored"] == (2 if scored == "none" else 1)
    warnings = [(w["code"], w["cell"]) for w in report["warnings"]]
    expected = [] if scored == "none" else [("W108", f"活动数据!{L.ACT_COL['dq_activity']}5")]
    assert warnings == expected
    total = L.QUALITY_TOTAL_ROW
    sheet = _cached(out)[L.SHEET_QUALITY]  # not "0.0000 第五级", nor a partial sum
    assert (sheet[f"J{total}"].value, sheet[f"J{total + 1}"].value) == (None, "未评估")
    text = _cli("calc", out).output
    assert "未评估 / not assessed" in text
    if soffice():
        referee = _referee(out, tmp_path)[L.SHEET_QUALITY]
        assert (referee[f"J{total}"].value, referee[f"J{total + 1}"].value) == (None, "未评估")


def test_exclusion_estimates_typed_as_text_and_missing_ones(tmp_path: Path) -> None:
    sources = [
        dict(id="X1", source="应急发电机", category=1, included="排除", exclusion_reason="极少使用",
             estimate_tco2e="0.05"),  # text: read
        dict(id="X2", source="灭火器", category=1, included="排除", exclusion_reason="量小",
             estimate_tco2e="约 0.1"),  # not a number: an error at its cell
        dict(id="X3", source="清洁剂", category=1, included="排除", exclusion_reason="量小"),
    ]  # fmt: skip
    _, report, _ = _calc(tmp_path, _book(tmp_path, [DIESEL, POWER], sources))
    excluded = report["exclusions"]
    estimates = [s["estimate_tco2e"] for s in excluded["sources"]]
    assert estimates == [0.05, None, None]
    assert excluded["within_limits"] is None and excluded["unestimated"] == 2
    result = _cli("check", tmp_path / "in.xlsm", "--json")
    findings = [(f["code"], f["cell"]) for f in json.loads(result.stdout)["findings"]]
    column = L.SOURCE_COL["estimate_tco2e"]
    assert ("E102", f"排放源识别!{column}6") in findings
    assert ("W109", f"排放源识别!{column}6") in findings
    assert ("W109", f"排放源识别!{column}7") in findings
    assert result.exit_code == 1


def test_calc_writes_one_gwp_set_into_a_workbook(tmp_path: Path) -> None:
    book = _book(tmp_path, [DIESEL, POWER])
    refused = _cli("calc", book, "--gwp", "AR5", "-o", tmp_path / "out.xlsm")
    assert refused.exit_code == 2 and "[E613]" in refused.output
    assert not (tmp_path / "out.xlsm").exists()
    compared = _cli("calc", book, "--gwp", "AR5", "--json", "-")  # a what-if, not written
    assert compared.exit_code == 0 and json.loads(compared.stdout)["gwp_set"] == "AR5"


def test_check_on_calcs_own_output_is_clean(tmp_path: Path) -> None:
    out = tmp_path / "example.xlsm"
    assert _cli("calc", ROOT / "workbook/examples/example-2023.xlsm", "-o", out).exit_code == 0
    result = _cli("check", out, "--json")
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert result.exit_code == 0 and not {c for c in codes if c.startswith("E")}


# --- every failure a clear message ------------------------------------------------------------


def _members(path: Path) -> dict[str, bytes]:
    return xlsx.read_members(path.read_bytes())


def _shift_rows(xml: bytes, by: int = 1) -> bytes:
    """Every row of a sheet moved down (a row inserted above the table)."""
    cell = re.sub(rb'(<c r="[A-Z]+)(\d+)', lambda m: m[1] + str(int(m[2]) + by).encode(), xml)
    return re.sub(rb'(<row r=")(\d+)', lambda m: m[1] + str(int(m[2]) + by).encode(), cell)


@pytest.mark.parametrize("sheet", [L.SHEET_ACTIVITY, L.SHEET_SOURCES])
def test_a_row_inserted_above_the_header_is_e614(sheet: str, tmp_path: Path) -> None:
    book = _book(tmp_path, [DIESEL, POWER])
    members = _members(book)
    part = xlsx.sheet_parts(members)[sheet]
    members[part] = _shift_rows(members[part])
    book.write_bytes(xlsx.write_package(members))
    for command in (["calc", book, "-o", tmp_path / "o.xlsm"], ["check", book],
                    ["report", book, "-o", tmp_path / "r.docx"]):  # fmt: skip
        result = _cli(*command)
        assert result.exit_code == 2 and f"[E614] {sheet}!A5" in result.output, command
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsm"]


def test_missing_sheets_and_parts(tmp_path: Path) -> None:
    book = _book(tmp_path, [DIESEL])
    members = _members(book)
    part = xlsx.sheet_parts(members)[L.SHEET_SUMMARY]
    del members[part]  # 汇总 named in workbook.xml, its part gone
    book.write_bytes(xlsx.write_package(members))
    for command in (["calc", book, "-o", tmp_path / "o.xlsm"], ["check", book],
                    ["report", book, "-o", tmp_path / "r.docx"]):  # fmt: skip
        result = _cli(*command)
        assert result.exit_code == 2 and "[E601]" in result.output, command
    workbook = openpyxl.load_workbook(ROOT / "workbook" / template.TEMPLATE_NAME)
    del workbook[L.SHEET_ACTIVITY]
    workbook.save(tmp_path / "no-activity.xlsx")
    result = _cli("calc", tmp_path / "no-activity.xlsx")
    assert result.exit_code == 2 and "[E612]" in result.output
    assert "缺少工作表 活动数据" in result.output and "missing" in result.output


def _error_cell(xml: bytes, ref: str, error: str, formula: str = "") -> bytes:
    """``ref`` holding a cached Excel error (``t="e"``), as Excel saves a failed formula."""
    cell = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*?)(?:/>|>.*?</c>)', re.DOTALL)
    style = re.search(rb' s="[0-9]+"', cell.search(xml)[1])
    f = f"<f>{formula}</f>" if formula else ""
    new = f'<c r="{ref}"{style[0].decode() if style else ""} t="e">{f}<v>{error}</v></c>'
    return cell.sub(new.encode(), xml, count=1)


def test_excel_error_values_in_input_cells(tmp_path: Path) -> None:
    book = _book(tmp_path, [DIESEL, POWER])
    members = _members(book)
    part = xlsx.sheet_parts(members)[L.SHEET_ACTIVITY]
    annual, month = L.ACT_COL["annual"], L.ACT_COL["m3"]
    # a VLOOKUP that found nothing, and a #DIV/0! in a monthly cell (calamine reads both empty)
    xml = _error_cell(members[part], f"{annual}6", "#N/A", "VLOOKUP(1,A1:A2,2,0)")
    members[part] = _error_cell(xml, f"{month}5", "#DIV/0!")
    book.write_bytes(xlsx.write_package(members))
    out = tmp_path / "out.xlsm"
    result = _cli("calc", book, "-o", out)
    assert result.exit_code == 1
    assert f"[E107] 活动数据!{annual}6" in result.output and "#N/A" in result.output
    assert f"[E107] 活动数据!{month}5" in result.output and "#DIV/0!" in result.output
    assert not out.exists() and "not written" in result.output  # Excel would show #N/A totals


def test_an_error_value_beside_a_negative_month_is_named_at_its_own_cell(tmp_path: Path) -> None:
    """Found by the differential fuzzer: #N/A in 1月 and -1 in 2月. The negative sum is
    E103 at 2月 (the month holding it, not 1月), the error value E107 at 1月, and the
    workbook is not written (Excel would show #N/A in the totals)."""
    row = {k: v for k, v in POWER.items() if k != "annual"} | {"m2": -1}
    book = _book(tmp_path, [row])
    members = _members(book)
    part = xlsx.sheet_parts(members)[L.SHEET_ACTIVITY]
    members[part] = _error_cell(members[part], f"{L.ACT_COL['m1']}5", "#N/A")
    book.write_bytes(xlsx.write_package(members))
    out = tmp_path / "out.xlsm"
    result = _cli("calc", book, "-o", out)
    assert f"[E103] 活动数据!{L.ACT_COL['m2']}5" in result.output
    assert f"[E107] 活动数据!{L.ACT_COL['m1']}5" in result.output
    assert result.exit_code == 1 and not out.exists()


def test_an_old_xls_file_is_e608(tmp_path: Path) -> None:
    old = tmp_path / "清册.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    for command in (["calc", old], ["check", old], ["report", old, "-o", tmp_path / "r.docx"]):
        result = _cli(*command)
        assert result.exit_code == 2 and "[E608]" in result.output, command


# --- characters XML forbids, through every writer ----------------------------------------------

NASTY = "控制\x0b字符\x01_x0041_\r行\x1f末"  # (U+FFFE is stored as _xFFFE_; calamine keeps that)


def _strict_parts(path: Path) -> None:
    """Every XML part of a package parses with a strict parser (Excel refuses what does not)."""
    from xml.etree import ElementTree

    for name, data in xlsx.read_members(path.read_bytes()).items():
        if name.endswith((".xml", ".rels", ".vml")):
            ElementTree.fromstring(data)  # raises ParseError


def test_text_xml_cannot_hold_goes_through_every_writer(tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    fresh = tmp_path / "new.xlsm"
    assert _cli("workbook", "new", fresh, "--company", NASTY).exit_code == 0
    _strict_parts(fresh)
    book = _book(tmp_path, [{**DIESEL, "source": NASTY, "id": f"D{NASTY}"},
                            {**POWER, "unit": f"k{NASTY}Wh"}])  # fmt: skip
    _strict_parts(book)
    code, _, out = _calc(tmp_path, book)
    assert code == 1  # the unit is unknown: its error text, with the unit in it, is cached
    _strict_parts(out)
    read = CalamineWorkbook.from_path(str(out))
    activity = read.get_sheet_by_name(L.SHEET_ACTIVITY).to_python()
    quality = read.get_sheet_by_name(L.SHEET_QUALITY).to_python()
    assert activity[4][2] == NASTY and quality[4][1] == NASTY  # read back as typed
    info = read.get_sheet_by_name(L.SHEET_INFO).to_python()
    assert (
        CalamineWorkbook.from_path(str(fresh))
        .get_sheet_by_name(L.SHEET_INFO)
        .to_python()[L.INFO_ROW["company"] - 1][1]
        == NASTY
    )
    assert info  # the filled workbook's 基本信息 is readable too
    report = tmp_path / "r.docx"
    assert _cli("report", book, "-o", report).exit_code == 1  # rendered, with the row's error
    _strict_parts(report)


def _formula_cell(xml: bytes, ref: str, formula: str, cached: str) -> bytes:
    """``ref`` as a formula of the user's own with its cached value, as Excel saves it."""
    cell = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*?)(?:/>|>.*?</c>)', re.DOTALL)
    style = re.search(rb' s="[0-9]+"', cell.search(xml)[1])
    new = f'<c r="{ref}"{style[0].decode() if style else ""}><f>{formula}</f><v>{cached}</v></c>'
    return cell.sub(new.encode(), xml, count=1)


def test_formulas_of_the_users_own_keep_their_values_and_emptied_rows_are_cleared(
    tmp_path: Path,
) -> None:
    book = _book(tmp_path, [DIESEL, POWER])
    members = _members(book)
    part = xlsx.sheet_parts(members)[L.SHEET_ACTIVITY]
    annual = L.ACT_COL["annual"]
    members[part] = _formula_cell(members[part], f"{annual}6", "2000+233.735", "2233.735")
    book.write_bytes(xlsx.write_package(members))
    _, first, once = _calc(tmp_path, book)
    twice = tmp_path / "twice.xlsm"  # calc of calc's output: the row must not drop out
    assert _cli("calc", once, "-o", twice).exit_code == 0
    activity = _cached(twice)[L.SHEET_ACTIVITY]
    assert activity[f"{annual}6"].value == pytest.approx(2233.735)
    again = json.loads(_cli("calc", twice, "--json", "-").stdout)
    assert again["total_tco2e"] == first["total_tco2e"]
    assert first["rows"][1]["tco2e"] == pytest.approx(2233.735 * 0.5366 / 1000)
    # row 5 emptied (its inputs deleted) since the last run: its cached results go too
    members = _members(twice)
    for key in DIESEL:
        ref = f"{L.ACT_COL[key]}5"
        members[part] = re.sub(
            rb'<c r="' + ref.encode() + rb'"([^>]*?)(?: t="[a-zA-Z]+")?>.*?</c>',
            rb'<c r="' + ref.encode() + rb'"\1/>',
            members[part],
            count=1,
            flags=re.DOTALL,
        )
    emptied = tmp_path / "emptied.xlsm"
    emptied.write_bytes(xlsx.write_package(members))
    cleared = tmp_path / "cleared.xlsm"
    assert _cli("calc", emptied, "-o", cleared).exit_code == 0
    activity = _cached(cleared)[L.SHEET_ACTIVITY]
    assert activity[f"{L.ACT_COL['g_CO2']}5"].value is None
    assert activity[f"{L.ACT_COL['total']}5"].value is None
    assert activity[f"{annual}6"].value == pytest.approx(2233.735)


def test_calc_says_where_the_results_went(tmp_path: Path) -> None:
    book = _book(tmp_path, [DIESEL])
    before = book.read_bytes()
    shown = _cli("calc", book)
    assert shown.exit_code == 0 and "the workbook is unchanged" in shown.output
    assert book.read_bytes() == before
    written = _cli("calc", book, "-o", tmp_path / "out.xlsm")
    assert "已写入 / written" in written.output and "unchanged" not in written.output


@pytest.mark.parametrize(
    ("estimate", "says", "never"),
    [
        (None, "尚无法判断排除源是否符合", "符合单一排除源低于"),  # not assessed: no claim
        (0.05, "符合单一排除源低于 1%、合计低于 5% 的要求", "尚无法判断"),
        (50, "不符合单一排除源低于 1%", "尚无法判断"),  # 50 t of ~55.7 t: over both limits
    ],
)
def test_the_report_claims_only_what_the_data_supports(
    estimate: float | None, says: str, never: str, tmp_path: Path
) -> None:
    from tests.integration.test_report import docx_text

    source = dict(id="X1", source="应急发电机", category=1, included="排除",
                  exclusion_reason="极少使用", estimate_tco2e=estimate)  # fmt: skip
    unscored = {**POWER, "dq_activity": None}
    book = _book(tmp_path, [DIESEL, unscored], [{k: v for k, v in source.items() if v is not None}])
    report = tmp_path / "r.docx"
    assert _cli("report", book, "-o", report).exit_code in (0, 1)
    text = docx_text(report)
    assert says in text and never not in text
    assert "尚有 1 个排放源缺少数据质量评分，整体数据质量未评估" in text
    assert "加权平均积分总计为" not in text


def test_monthly_amounts_that_do_not_sum_to_the_annual_amount_are_an_error(
    tmp_path: Path,
) -> None:
    """12 × 100 = 1,200 kWh typed monthly with 1,200 as the annual amount is fine; with
    1,250 it is E516 at the annual cell (the row counts the months' 1,200)."""
    months = {f"m{m}": 100 for m in range(1, 13)}
    good = dict(POWER, id="G", **months, annual=1200)
    bad = dict(POWER, id="B", **months, annual=1250)
    only = dict(POWER, id="M", **months)
    del only["annual"]
    result = _cli("check", _book(tmp_path, [good, bad, only]))
    annual = L.ACT_COL["annual"]
    assert f"[E516] 活动数据!{annual}6" in result.output and "1250" in result.output
    assert f"活动数据!{annual}5" not in result.output and f"活动数据!{annual}7" not in result.output
