"""The base year in chapter 7: its inventory beside this year's, by category, and the base
year recalculated when structural changes reach the threshold (ISO 14064-1:2018 6.4.1,
9.3.1; GHG Protocol Corporate Standard ch. 5).

Hand calculation of the small pair (category 1, explicit factors in t CO2e/t):
- base year 2023: A 100 t × 1.0 = 100 t; B 50 t × 1.0 = 50 t; total 150 t.
- 2024: A 110 t × 1.0 = 110 t (activity +10 t); B gone (removed −50 t); C new 30 t × 1.0
  = 30 t (added +30 t); total 140 t.
- structural changes: −50 t removed and +30 t added, each counted (a source bought and one
  sold are two changes, not one net change): 80 t, 53.33 % of 150 t ≥ 10 %: recalculate.
  Recalculated base year 150 − 50 + 30 = 130 t; 2024 against it (140 − 130) / 130 = +7.69 %.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.report.render import render_docx
from ghgxl.workbook import fill
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calculate_workbook
from ghgxl.workbook.change import attach_years
from tests.integration.test_report import docx_text
from tests.support import ROOT, TEMPLATE

EXAMPLES = ROOT / "workbook" / "examples"
COMMON = dict(category=1, unit="t", factor=1.0, factor_unit="tCO2e/t", factor_source="手算")


def _book(path: Path, year: int, rows: dict[str, float], **info: object) -> Path:
    records = [dict(COMMON, id=key, source=f"排放源{key}", annual=v) for key, v in rows.items()]
    details = {"company": "测试公司", "reporting_year": year, "base_year": 2023, **info}
    path.write_bytes(fill.fill(TEMPLATE, details, records))
    return path


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    base = _book(tmp_path / "清册-2023.xlsm", 2023, {"A": 100, "B": 50})
    now = _book(
        tmp_path / "清册-2024.xlsm", 2024, {"A": 110, "C": 30}, base_year_workbook="清册-2023.xlsm"
    )
    return base, now


def _chapter_seven(path: Path) -> str:
    calc = calculate_workbook(path)
    attach_years(calc)
    text = docx_text(io.BytesIO(render_docx(calc)))
    return re.split(r"表\d+ 基准年与本年度排放量\n", text)[1].split("第八章")[0]


def test_structural_changes_past_the_threshold_recalculate_the_base_year(pair) -> None:
    _, now = pair
    result = CliRunner().invoke(main, ["calc", str(now), "--json", "-"])
    data = json.loads(result.stdout)["base_year"]
    assert data["before_year"] == 2023 and data["recalculate_base_year"] is True
    total = data["total"]
    assert (total["before_tco2e"], total["after_tco2e"]) == (150, 140)
    assert (total["removed_tco2e"], total["added_tco2e"], total["activity_tco2e"]) == (-50, 30, 10)
    assert total["adjusted_before_tco2e"] == 130
    chapter = _chapter_seven(now)
    lines = chapter.split("\n")
    assert lines[1] == "类别1 直接温室气体排放与移除 | 150.00 | 140.00 | −6.67% | −20.00 | 130.00"
    assert lines[7] == "合计 | 150.00 | 140.00 | −6.67% | −20.00 | 130.00"
    assert data["structural_gross_tco2e"] == 80 and data["structural_tco2e"] == -20
    assert "新增 +30.00、删除 −50.00 t CO₂e，两者分别计入共 80.00 t CO₂e" in chapter
    assert "占 2023 年度排放量的 53.33%，超过基准年重新计算门槛 10%" in chapter
    assert "重新计算基准年排放量为 130.00 t CO₂e：扣除此后删除的排放源 50.00 t CO₂e" in chapter
    assert "加上此后新增的排放源 30.00 t CO₂e" in chapter and "变化 +7.69%" in chapter


def test_a_higher_threshold_keeps_the_base_year(tmp_path: Path) -> None:
    _book(tmp_path / "清册-2023.xlsm", 2023, {"A": 100, "B": 50})
    now = _book(
        tmp_path / "清册-2024.xlsm", 2024, {"A": 110, "C": 30},
        base_year_workbook="清册-2023.xlsm", recalculation_threshold_pct=60,
    )  # fmt: skip
    chapter = _chapter_seven(now)
    assert "53.33%，未超过基准年重新计算门槛 60%，基准年排放量不重新计算。" in chapter
    assert chapter.split("\n")[7] == "合计 | 150.00 | 140.00 | −6.67% | −20.00 | -"


def test_the_base_year_option_and_the_named_workbook_agree(pair, tmp_path: Path) -> None:
    base, now = pair
    named = CliRunner().invoke(main, ["calc", str(now), "--json", "-"]).stdout
    other = tmp_path / "elsewhere"
    other.mkdir()
    moved = Path(shutil.copy(base, other / "基准.xlsm"))
    given = CliRunner().invoke(main, ["calc", str(now), "--base-year", str(moved), "--json", "-"])
    assert json.loads(given.stdout)["base_year"] == json.loads(named)["base_year"]


def test_this_year_is_the_base_year_or_it_is_not_given(tmp_path: Path) -> None:
    own = _chapter_seven(_book(tmp_path / "a.xlsm", 2023, {"A": 100}))
    assert "合计 | 100.00 | 100.00 | 0.00% | - | -" in own
    assert "本年度即基准年" in own
    missing = _chapter_seven(_book(tmp_path / "b.xlsm", 2024, {"A": 100}))
    assert "合计 | 未提供 | 100.00 | - | - | -" in missing
    assert "未提供基准年（2023 年）清册" in missing


def test_a_base_year_workbook_of_another_year_or_missing_is_refused(pair, tmp_path: Path) -> None:
    _, now = pair
    wrong = _book(tmp_path / "清册-2022.xlsm", 2022, {"A": 1})
    result = CliRunner().invoke(main, ["report", str(now), "--base-year", str(wrong)])
    assert result.exit_code != 0 and "E627" in result.output
    assert f"基本信息!B{L.INFO_ROW['base_year']}" in result.output
    gone = _book(tmp_path / "c.xlsm", 2024, {"A": 1}, base_year_workbook="不存在.xlsm")
    result = CliRunner().invoke(main, ["report", str(gone)])
    assert result.exit_code != 0 and "E628" in result.output and "不存在.xlsm" in result.output
    assert not list(tmp_path.glob("*.docx"))


def test_structural_changes_exactly_at_the_threshold_reach_it(tmp_path: Path) -> None:
    """B (10 t of 100) removed: 10.00 % of the base year, the threshold itself. The rule
    is 达到或超过, and the note says 达到 (not 超过, which 10.00 % is not)."""
    _book(tmp_path / "清册-2023.xlsm", 2023, {"A": 90, "B": 10})
    now = _book(tmp_path / "b.xlsm", 2024, {"A": 90}, base_year_workbook="清册-2023.xlsm")
    chapter = _chapter_seven(now)
    assert "占 2023 年度排放量的 10.00%，达到基准年重新计算门槛 10%" in chapter


def test_a_threshold_that_cannot_be_used_makes_the_report_a_draft_saying_so(
    tmp_path: Path,
) -> None:
    """50% typed as text: the default 10 % is used (W115), so the report, whose chapter 7
    verdict depends on it, is a draft that says which threshold it used, never final."""
    book = _book(tmp_path / "a.xlsm", 2023, {"A": 100}, recalculation_threshold_pct="50%")
    statement = docx_text(io.BytesIO(render_docx(calculate_workbook(book)))).split("11.2")[-1]
    line = next(x for x in statement.splitlines() if "基准年重新计算门槛（%）”填写为 50%" in x)
    assert line.endswith("报告按 10 计算") and "不是" in line  # W115's own reason


def test_a_base_year_after_the_reporting_year_is_an_error(tmp_path: Path) -> None:
    """基准年 2025 in a 2024 inventory: check says so at the cell (E644), and calc with a
    2025 workbook as the base year refuses it, as --previous refuses a later year (E635)."""
    later = _book(tmp_path / "清册-2025.xlsm", 2025, {"A": 1}, base_year=2025)
    now = _book(tmp_path / "清册-2024.xlsm", 2024, {"A": 1}, base_year=2025)
    cell = f"基本信息!B{L.INFO_ROW['base_year']}"
    result = CliRunner().invoke(main, ["check", str(now)])
    assert "E644" in result.output and cell in result.output and "2025" in result.output
    result = CliRunner().invoke(main, ["calc", str(now), "--base-year", str(later)])
    assert result.exit_code != 0 and "E644" in result.output
    fine = _book(tmp_path / "清册-2023.xlsm", 2023, {"A": 1})
    assert "E644" not in CliRunner().invoke(main, ["check", str(fine)]).output
    # the report is a draft that says why in its words, not "sources may be missing"
    statement = docx_text(io.BytesIO(render_docx(calculate_workbook(now)))).split("11.2")[-1]
    assert "基本信息的基准年（2025）晚于报告年度（2024）" in statement
    assert "清册检查发现" not in statement


def test_another_company_or_consolidation_approach_is_said_not_compared_silently(
    tmp_path: Path,
) -> None:
    """A base year of another 公司名称, or by equity share where this year is by control:
    the change is not only activity and factors. calc warns (W120, at this year's cell) and
    the report's chapter 7 says it beside the figures."""
    base = _book(tmp_path / "清册-2023.xlsm", 2023, {"A": 100}, company="另一家公司",
                 consolidation="股权比例")  # fmt: skip
    now = _book(tmp_path / "清册-2024.xlsm", 2024, {"A": 110}, base_year_workbook=base.name)
    result = CliRunner().invoke(main, ["calc", str(now), "--json", "-"])
    warnings = {(w["code"], w["cell"]) for w in json.loads(result.stdout)["warnings"]}
    assert ("W120", f"基本信息!B{L.INFO_ROW['company']}") in warnings
    assert ("W120", f"基本信息!B{L.INFO_ROW['consolidation']}") in warnings
    assert "另一家公司" in result.stderr or "另一家公司" in result.output
    # the same file as last year too (chapter 10's comparison): each said once
    both = CliRunner().invoke(main, ["calc", str(now), "--previous", str(base), "--json", "-"])
    codes = [w["code"] for w in json.loads(both.stdout)["warnings"]]
    assert codes.count("W120") == 2
    changes = json.loads(both.stdout)["year_on_year"]["boundary_changes"]
    assert {"field_en": "company name", "theirs": "另一家公司", "ours": "测试公司"} in changes
    chapter = _chapter_seven(now)
    assert "2023 年度清册的公司名称为“另一家公司”，本年度为“测试公司”" in chapter
    assert "组织边界合并方法为“股权比例”，本年度为“运营控制”" in chapter
    same = _book(tmp_path / "b.xlsm", 2024, {"A": 110}, base_year_workbook=_book(
        tmp_path / "a.xlsm", 2023, {"A": 100}).name)  # fmt: skip
    assert "W120" not in CliRunner().invoke(main, ["calc", str(same)]).output
    unnamed = _book(tmp_path / "c.xlsm", 2023, {"A": 100}, company=L.INFO_FIELD["company"].default)
    later = _book(tmp_path / "d.xlsm", 2024, {"A": 110}, base_year_workbook=unnamed.name)
    assert "W120" not in CliRunner().invoke(main, ["calc", str(later)]).output  # W110's matter


def test_the_second_year_example_names_its_base_year(tmp_path: Path) -> None:
    """example-2024.xlsm names example-2023.xlsm beside it: chapter 7 has 2023's 415,532.11 t,
    2024's 382,500.43 t, the +425 t new source as the only structural change (0.10 %); the
    report ghgxl verify re-renders finds the same base year."""
    example = EXAMPLES / "example-2024.xlsm"
    chapter = _chapter_seven(example)
    assert chapter.split("\n")[7] == "合计 | 415,532.11 | 382,500.43 | −7.95% | +425.00 | -"
    assert "取自基准年清册 example-2023.xlsm" in chapter and "0.10%，未超过" in chapter
    report = tmp_path / "r.docx"
    made = CliRunner().invoke(main, ["report", str(example), "-o", str(report)])
    assert made.exit_code == 0, made.output
    checked = CliRunner().invoke(main, ["verify", str(report), str(example)])
    assert checked.exit_code == 0, checked.output


def test_a_base_year_with_errors_is_refused_and_calc_goes_on_without_a_missing_one(
    tmp_path: Path,
) -> None:
    """A base-year row in error would count as a source removed: E632. calc of a workbook
    whose named base year is not there still computes (and writes), saying E628."""
    base = tmp_path / "清册-2023.xlsm"
    records = [dict(COMMON, id="A", annual=100), dict(COMMON, id="B", annual="50吨")]
    base.write_bytes(fill.fill(TEMPLATE, {"company": "测试", "reporting_year": 2023}, records))
    now = _book(tmp_path / "2024.xlsm", 2024, {"A": 100}, base_year_workbook="清册-2023.xlsm")
    result = CliRunner().invoke(main, ["report", str(now)])
    assert result.exit_code != 0 and "E632" in result.output and "清册-2023.xlsm" in result.output
    written = tmp_path / "written.xlsm"  # calc says so and goes on: only its JSON needs it
    result = CliRunner().invoke(main, ["calc", str(now), "-o", str(written)])
    assert result.exit_code == 0 and "E632" in result.output and written.exists()
    gone = _book(tmp_path / "b.xlsm", 2024, {"A": 100}, base_year_workbook="不存在.xlsm")
    out = tmp_path / "out.xlsm"
    result = CliRunner().invoke(main, ["calc", str(gone), "-o", str(out)])
    assert result.exit_code == 0 and "E628" in result.output and out.exists()


def test_calc_never_writes_over_the_base_year_workbook(pair) -> None:
    base, now = pair
    before = base.read_bytes()
    result = CliRunner().invoke(main, ["calc", str(now), "-o", str(base)])
    assert result.exit_code != 0 and "E603" in result.output
    assert base.read_bytes() == before


def test_the_refusal_names_whole_years(pair, tmp_path: Path) -> None:
    _, now = pair
    wrong = _book(tmp_path / "清册-2022.xlsm", 2022, {"A": 1})
    result = CliRunner().invoke(main, ["report", str(now), "--base-year", str(wrong)])
    assert "报告年度为 2022，而基本信息的基准年为 2023" in result.output


def test_a_source_added_and_one_removed_do_not_cancel(tmp_path: Path) -> None:
    """B (50 t) sold and D (50 t) bought: the net structural change is 0, but each is 33.33 %
    of the 150 t base year, 66.67 % together, past the 10 % threshold; a net test would
    have said no recalculation."""
    _book(tmp_path / "清册-2023.xlsm", 2023, {"A": 100, "B": 50})
    now = _book(
        tmp_path / "清册-2024.xlsm", 2024, {"A": 100, "D": 50}, base_year_workbook="清册-2023.xlsm"
    )
    data = json.loads(CliRunner().invoke(main, ["calc", str(now), "--json", "-"]).stdout)
    change = data["base_year"]
    assert change["structural_tco2e"] == 0 and change["structural_gross_tco2e"] == 100
    assert change["structural_pct"] == pytest.approx(100 / 150 * 100)
    assert change["recalculate_base_year"] is True


def test_a_source_moved_to_another_category_is_not_added_and_removed(tmp_path: Path) -> None:
    """C (20 t) moves from category 3 to category 4, same 编号, amount and factor: 120 t
    both years. A reclassification, not a source added and one removed (which counted 40 t,
    33.33 %, and asked for the base year to be recalculated): category 3 shows −20 t and
    category 4 +20 t as 类别调整, the total and the structural change nothing."""
    base = tmp_path / "清册-2023.xlsm"
    rows = [dict(COMMON, id="A", source="排放源A", annual=100),
            dict(COMMON, id="C", source="原料运输", annual=20, category=3)]  # fmt: skip
    base.write_bytes(fill.fill(TEMPLATE, {"company": "测试公司", "reporting_year": 2023,
                                          "base_year": 2023}, rows))  # fmt: skip
    rows[1]["category"] = 4
    now = tmp_path / "清册-2024.xlsm"
    info = {"company": "测试公司", "reporting_year": 2024, "base_year": 2023,
            "base_year_workbook": base.name}  # fmt: skip
    now.write_bytes(fill.fill(TEMPLATE, info, rows))
    data = json.loads(CliRunner().invoke(main, ["calc", str(now), "--json", "-"]).stdout)
    change = data["base_year"]
    assert change["structural_gross_tco2e"] == 0 and change["recalculate_base_year"] is False
    assert change["by_category"]["3"]["moved_tco2e"] == pytest.approx(-20)
    assert change["by_category"]["4"]["moved_tco2e"] == pytest.approx(20)
    assert change["total"]["moved_tco2e"] == 0 and change["total"]["change_tco2e"] == 0
    # recalculated, the base year has C in its new category too
    assert change["by_category"]["3"]["adjusted_before_tco2e"] == pytest.approx(0)
    assert change["by_category"]["4"]["adjusted_before_tco2e"] == pytest.approx(20)
    calc = calculate_workbook(now)
    attach_years(calc, previous=base)  # chapter 10 gives each category's parts
    text = docx_text(io.BytesIO(render_docx(calc)))
    assert "类别4 组织使用的产品产生的间接排放：0.00 → 20.00 t CO₂e" in text
    assert "删除排放源 0.00、类别调整 +20.00 t CO₂e" in text
