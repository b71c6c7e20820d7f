"""What keeps a report from claiming conformity while its own 基本信息 or assessment says
otherwise: a reporting year that is no year, a period backwards or outside the year, a
significant sub-category left out, a category quantified that the assessment leaves out."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.workbook import layout as L
from ghgxl.workbook.period import day_of, year_of
from tests.support import ROOT

EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"


def _edited(tmp_path: Path, sheet: str, cells: dict[str, object]) -> Path:
    book = openpyxl.load_workbook(EXAMPLE, keep_vba=True)
    for ref, value in cells.items():
        book[sheet][ref] = value
    path = tmp_path / "book.xlsm"
    book.save(path)
    return path


def _findings(book: Path) -> set[tuple[str, str]]:
    result = CliRunner().invoke(main, ["check", str(book), "--json"], catch_exceptions=False)
    return {(f["code"], f["cell"]) for f in json.loads(result.stdout)["findings"]}


def test_years_and_days_as_typed() -> None:
    assert [year_of(v) for v in (2023, 2023.0, "2023", " 2023 ")] == [2023] * 4
    assert [year_of(v) for v in ("二〇二三", "2023年", 23.5, "", None, True)] == [None] * 6
    day = dt.date(2023, 1, 31)
    typed = (day, dt.datetime(2023, 1, 31), "2023-01-31", "2023/1/31", "2023年1月31日")
    assert [day_of(v) for v in typed] == [day] * 5
    assert [day_of(v) for v in ("2023-02-30", "（日期）", 45000)] == [None] * 3


@pytest.mark.parametrize(
    ("cells", "code", "key"),
    [
        ({"reporting_year": "二〇二三"}, "E517", "reporting_year"),
        ({"reporting_year": "2023年"}, "E517", "reporting_year"),
        ({"base_year": "2023年"}, "E517", "base_year"),  # printed "2023 年 年" before
        ({"period_start": "2023-12-31", "period_end": "2023-01-01"}, "E518", "period_end"),
        ({"period_start": "2021-01-01", "period_end": "2021-12-31"}, "E519", "period_start"),
    ],
)
def test_a_year_or_period_unfit_for_a_report_is_an_error(tmp_path, cells, code, key) -> None:
    """Each used to give a final report claiming conformity ("盘查期间为 2023-12-31 至
    2023-01-01"); now check names the cell, and the report is a draft."""
    book = _edited(tmp_path, L.SHEET_INFO, {L.info_cell(k): v for k, v in cells.items()})
    assert (code, f"{L.SHEET_INFO}!{L.info_cell(key)}") in _findings(book)


def test_a_fiscal_year_across_two_years_passes(tmp_path) -> None:
    cells = {"period_start": dt.datetime(2023, 4, 1), "period_end": "2024-03-31"}
    book = _edited(tmp_path, L.SHEET_INFO, {L.info_cell(k): v for k, v in cells.items()})
    assert not {c for c, _ in _findings(book)} & {"E517", "E518", "E519"}


def _significance_row(code: str) -> int:
    sheet = openpyxl.load_workbook(EXAMPLE, keep_vba=True)[L.SHEET_SIGNIFICANCE]
    column = L.SIG_COL["code"]
    return next(r for r in range(1, 60) if str(sheet[f"{column}{r}"].value) == code)


def test_a_category_quantified_that_the_assessment_leaves_out_is_said(tmp_path) -> None:
    """Category 3 holds 26,667.68 t in the example; every 3.x marked 不纳入 contradicts it."""
    included, reason = L.SIG_COL["included"], L.SIG_COL["reason"]
    cells = {}
    for code in ("3.1", "3.2", "3.3", "3.4", "3.5"):
        row = _significance_row(code)
        cells |= {f"{included}{row}": "不纳入", f"{reason}{row}": "示例理由"}
    book = _edited(tmp_path, L.SHEET_SIGNIFICANCE, cells)
    first = f"{L.SHEET_SIGNIFICANCE}!{included}{_significance_row('3.1')}"
    assert ("W124", first) in _findings(book)
    result = CliRunner().invoke(main, ["check", str(book)])
    assert "类别 3 有排放量 26,667.68 t CO2e 计入" in result.output
    from ghgxl.workbook.check import check_workbook
    from ghgxl.workbook.ready import readiness

    _, findings = check_workbook(book)  # a draft, which says why
    assert (
        "类别 3 有排放量计入，但重大性评估中其各子类别均为“不纳入”" in readiness(findings).missing
    )


def test_a_significant_sub_category_left_out_is_named_in_the_report(tmp_path) -> None:
    """3.1 is 重大 in the example; left out with a reason, chapter 3.3's rule (重大的间接排放
    纳入量化) is followed by the exception and its reason."""
    from ghgxl.report.context import build_context
    from ghgxl.workbook.calc import calculate_workbook

    row = _significance_row("3.1")
    cells = {
        f"{L.SIG_COL['included']}{row}": "不纳入",
        f"{L.SIG_COL['reason']}{row}": "数据无法取得。",
    }
    calc = calculate_workbook(_edited(tmp_path, L.SHEET_SIGNIFICANCE, cells))
    sentence = build_context(calc)["significant_left_out"]
    assert sentence.startswith("以下判定为重大的间接排放未纳入量化")
    assert "3.1" in sentence and sentence.endswith("：数据无法取得。")  # its 。 not doubled
    assert build_context(calculate_workbook(EXAMPLE))["significant_left_out"] == ""


def test_a_period_around_the_year_passes_and_a_blank_bound_is_said(tmp_path) -> None:
    """2022-12-01 to 2024-01-31 holds all of 2023: no E519. A period of 2021 with its end
    left blank is E519, its blank bound printed as （未填写）."""
    cells = {"period_start": "2022-12-01", "period_end": "2024-01-31"}
    book = _edited(tmp_path, L.SHEET_INFO, {L.info_cell(k): v for k, v in cells.items()})
    assert not {c for c, _ in _findings(book)} & {"E518", "E519"}
    cells = {"period_start": "2021-01-01", "period_end": None}
    book = _edited(tmp_path, L.SHEET_INFO, {L.info_cell(k): v for k, v in cells.items()})
    result = CliRunner().invoke(main, ["check", str(book)])
    assert "盘查期间 2021-01-01 至 （未填写） 不在报告年度 2023 内" in result.output


def test_fill_sets_a_whole_period_or_none(tmp_path) -> None:
    """A year given with one bound of its period keeps the other as the template has it,
    rather than inventing 2023-12-31 for an April start nobody ended."""
    from ghgxl.workbook import fill, template
    from ghgxl.workbook.read import read_workbook

    package = (ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes()
    path = tmp_path / "half.xlsm"
    path.write_bytes(fill.fill(package, {"reporting_year": 2023, "period_start": "2023-04-01"}))
    info = read_workbook(path).info
    default = next(f.default for f in L.INFO_FIELDS if f.key == "period_end")
    assert (info["period_start"], info["period_end"]) == ("2023-04-01", default)
    path.write_bytes(fill.fill(package, {"reporting_year": 2023}))
    info = read_workbook(path).info
    assert (info["period_start"], info["period_end"]) == ("2023-01-01", "2023-12-31")
