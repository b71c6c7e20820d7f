"""Year on year: a second inventory (an invented 2024, labelled as such) against the bundled
2023 example, matched by 活动数据 编号.

Hand calculation of the changes:
- 编号 12, purchased electricity: 23,610,660 kWh at the 2021 factor 0.5568 → 26,000,000 kWh
  at the 2022 factor 0.5366 t CO2/MWh. Activity effect (26,000 − 23,610.66) MWh × 0.5568 =
  1,330.384512 t; factor effect 26,000 MWh × (0.5366 − 0.5568) = −525.2 t; together
  13,951.6 − 13,146.415488 = 805.184512 t.
- 编号 33 (外发石墨化加工服务, 335,752.63 t) is gone in 2024: removed −335,752.63172 t,
  80.8 % of 2023's 415,532.11 t, past the 10 % threshold: the base year is recalculated.
- 编号 N1 is new: 10,000 t·km × 0.1 kg CO2e/t·km = 1 t, added.
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.report.render import render_docx
from ghgxl.workbook import fill
from ghgxl.workbook.calc import calculate_workbook
from ghgxl.workbook.change import compare
from tests.integration.test_report import docx_text
from tests.support import ROOT, TEMPLATE

EXAMPLES = ROOT / "workbook" / "examples"
EXAMPLE = EXAMPLES / "example-2023.xlsm"
NEW = dict(id="N1", source="（示例）新增委外运输", category=3, annual=10_000, unit="tkm",
           factor=0.1, factor_unit="kgCO2e/tkm", factor_source="示例值")  # fmt: skip


def _seed_script():
    spec = importlib.util.spec_from_file_location("seed_2023", EXAMPLES / "seed_2023.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def second_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seed = _seed_script()
    rows = []
    for row in seed.load_rows():
        if row["id"] == "33":
            continue
        if row["id"] == "12":
            row = dict(row, annual=26_000_000, factor_key="grid.cn.national.2022")
        rows.append(row)
    info = dict(seed.INFO, reporting_year=2024, company="示例新能源科技有限公司（虚构的第二年）")
    path = tmp_path_factory.mktemp("yoy") / "example-2024.xlsm"
    path.write_bytes(fill.fill(TEMPLATE, info, [*rows, NEW]))
    return path


def test_the_change_splits_into_activity_factor_and_structure(second_year: Path) -> None:
    change = compare(calculate_workbook(second_year), calculate_workbook(EXAMPLE))
    electricity = change.by_category[2]
    assert electricity.effects["activity"] == pytest.approx(2_389.34 * 0.5568, rel=1e-12)
    assert electricity.effects["factor"] == pytest.approx(26_000 * (0.5366 - 0.5568), rel=1e-9)
    assert electricity.change == pytest.approx(805.184512, rel=1e-9)
    assert change.by_category[4].effects["removed"] == pytest.approx(-335_752.63172, abs=1e-6)
    assert change.by_category[3].effects["added"] == pytest.approx(1.0)
    for line in (*change.by_category.values(), *change.by_scope.values(), change.total):
        assert sum(line.effects.values()) == pytest.approx(line.change, abs=1e-6)
    assert change.total.before == pytest.approx(415_532.11, abs=0.005)
    assert change.recalculate and change.threshold_pct == 10


def test_calc_and_report_take_the_previous_year(second_year: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["calc", str(second_year), "--previous", str(EXAMPLE), "--json", "-"]
    )
    data = json.loads(result.stdout)["year_on_year"]
    assert data["before_year"] == 2023 and data["after_year"] == 2024
    assert isinstance(data["before_year"], int)  # 2023, not 2023.0 as the cell holds it
    assert data["by_category"]["2"]["factor_tco2e"] == pytest.approx(-525.2, abs=1e-6)
    assert data["recalculate_base_year"] is True
    calc = calculate_workbook(second_year)
    calc.previous = calculate_workbook(EXAMPLE)
    text = docx_text(io.BytesIO(render_docx(calc, images=tmp_path)))
    assert "与 2023 年度比较" in text
    assert "超过基准年重新计算门槛 10%" in text
    out = tmp_path / "r.docx"
    report = CliRunner().invoke(
        main, ["report", str(second_year), "--previous", str(EXAMPLE), "-o", str(out)]
    )
    assert report.exit_code in (0, 1) and "与 2023 年度比较" in docx_text(out)


def test_without_a_previous_year_the_report_has_no_comparison(tmp_path: Path) -> None:
    text = docx_text(io.BytesIO(render_docx(calculate_workbook(EXAMPLE), images=tmp_path)))
    assert "年度比较" not in text


def test_last_year_that_is_not_the_base_year_leaves_the_verdict_to_chapter_7(
    second_year: Path, tmp_path: Path
) -> None:
    """The threshold is a share of the base year's emissions: compared with 2023 while the base
    year is 2022, chapter 10 lists what was added and removed and points to chapter 7, rather
    than judging the base year by last year's total."""
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.calc import write_values
    from ghgxl.workbook.read import read_workbook

    row = read_workbook(second_year).info_rows["base_year"]
    book = tmp_path / "base-2022.xlsm"
    write_values(second_year, book, {L.SHEET_INFO: {f"B{row}": 2022}})
    calc = calculate_workbook(book)
    calc.previous = calculate_workbook(EXAMPLE)
    text = docx_text(io.BytesIO(render_docx(calc, images=tmp_path)))
    chapter = text.split("与 2023 年度比较")[1]
    assert (
        "删除排放源 −335,752.63 t CO₂e；是否重新计算基准年以基准年排放量为准判断，见第七章"
        in chapter
    )
    assert "应重新计算基准年" not in chapter.split("第十一章")[0]
