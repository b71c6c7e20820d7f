"""The ghgxl command: outputs, exit codes, and no tracebacks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import ghgxl
from ghgxl.cli import main

EXAMPLE = Path(__file__).parents[2] / "workbook" / "examples" / "activity_data.csv"


@pytest.fixture
def run():
    runner = CliRunner(env={"COLUMNS": "250"})

    def invoke(*args: str):
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert "Traceback" not in result.output
        return result

    return invoke


def test_version(run) -> None:
    result = run("--version")
    assert result.exit_code == 0 and ghgxl.__version__ in result.output


def test_factors_list_search(run) -> None:
    result = run("factors", "list", "--search", "柴油")
    assert result.exit_code == 0
    assert "fuel.diesel.offroad" in result.output and "grid.cn" not in result.output


def test_factors_show(run) -> None:
    result = run("factors", "show", "grid.cn.national.2021")
    assert result.exit_code == 0
    assert "0.5568" in result.output and "公告2024年第12号" in result.output


def test_factors_show_unknown_key(run) -> None:
    result = run("factors", "show", "grid.cn.mars.2021")
    assert result.exit_code == 2
    assert "E301" in result.output and "unknown factor key" in result.output


def test_gwp(run) -> None:
    result = run("gwp", "N2O", "--set", "AR5")
    assert result.exit_code == 0 and "265" in result.output
    blend = run("gwp", "R-410A", "--set", "AR4")
    assert "2087.5" in blend.output and "HFC-32" in blend.output
    assert run("gwp", "XYZ").exit_code == 2


def test_validate_overlay(run, tmp_path: Path) -> None:
    good = tmp_path / "company.csv"
    good.write_text(
        "key,gas,value,unit,name_zh,name_en,source\n"
        "grid.cn.national.2021,CO2,0.55,tCO2/MWh,公司购电合同因子,supplier factor,供电合同 2023\n"
        "company.steel,CO2e,1.9,tCO2e/t,钢材,steel,供应商声明\n",
        encoding="utf-8",
    )
    result = run("factors", "validate", str(good))
    assert result.exit_code == 0
    assert "2 行有效" in result.output and "1 个键覆盖因子库" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "key,gas,value,unit,name_zh,name_en,source\n"
        "company.a,CO2,abc,tCO2/t,甲,a,x\n"
        "company.b,CO2,1,tCO2/kwhh,乙,b,x\n",
        encoding="utf-8",
    )
    result = run("factors", "validate", str(bad))
    assert result.exit_code == 1
    assert "bad.csv line 2" in result.output and "bad.csv line 3" in result.output
    assert run("factors", "validate", str(tmp_path / "missing.csv")).exit_code == 2


def test_validate_finds_a_derived_factor_left_behind(run, tmp_path: Path) -> None:
    """A measured carbon content replaces the library's, but the China-method factor made
    from it still holds the default: 20.2 → 21.0 tC/TJ gives 21.0 × 0.98 × 44/12 = 75.46."""
    overlay = tmp_path / "measured.csv"
    header = "key,gas,value,unit,name_zh,name_en,source\n"
    cc = "fuel.diesel.cc,,21.0,tC/TJ,柴油含碳量（实测）,diesel carbon content,化验报告 2023\n"
    overlay.write_text(header + cc, encoding="utf-8")
    result = run("factors", "validate", str(overlay))
    assert result.exit_code == 1
    assert "E308" in result.output and "fuel.diesel.cn" in result.output
    assert "75.46" in result.output
    cn = "fuel.diesel.cn,CO2,75.46,tCO2/TJ,柴油CO2因子（实测）,diesel CO2 factor,21.0×0.98×44/12\n"
    overlay.write_text(header + cc + cn, encoding="utf-8")
    assert run("factors", "validate", str(overlay)).exit_code == 0


def test_calc_example(run) -> None:
    result = run("calc", str(EXAMPLE))
    assert result.exit_code == 0 and "合计 total" in result.output
    # categories by their ISO 14064-1 names, not only 1–6
    for name in ("1 直接排放", "2 输入能源", "3 运输", "4 使用的产品", "5 产品使用", "6 其他"):
        assert name in result.output


def test_calc_json_is_deterministic(run) -> None:
    first = run("calc", str(EXAMPLE), "--json", "-").output
    second = run("calc", str(EXAMPLE), "--json", "-").output
    assert first == second
    data = json.loads(first)
    assert data["gwp_set"] == "AR6" and data["factor_library_version"] == "2026.3"
    assert data["by_category"]["2"] == pytest.approx(696.0)  # 125 万kWh × 0.5568
    assert sum(data["by_category"].values()) == pytest.approx(data["total_tco2e"])
    assert len(data["rows"]) == 12 and data["errors"] == []


def test_calc_with_overlay(run, tmp_path: Path) -> None:
    overlay = tmp_path / "company.csv"
    overlay.write_text(
        "key,gas,value,unit,name_zh,name_en,source\n"
        "grid.cn.national.2021,CO2,0.5,tCO2/MWh,供电合同因子,supplier factor,合同\n",
        encoding="utf-8",
    )
    data = json.loads(run("calc", str(EXAMPLE), "--overlay", str(overlay), "--json", "-").output)
    assert data["by_category"]["2"] == pytest.approx(625.0)  # 1,250 MWh × 0.5
    assert data["factor_library_version"] == "2026.3+company"


def test_calc_reports_bad_rows_with_their_line(run, tmp_path: Path) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "id,category,amount,unit,factor_key\n"
        "a,2,1000,kWh,grid.cn.national.2021\n"
        "b,1,-3,kg,fuel.lpg.stationary\n",
        encoding="utf-8",
    )
    result = run("calc", str(sheet))
    assert result.exit_code == 1
    assert "[E103] bad.csv:3" in result.output


def test_calc_unreadable_file(run, tmp_path: Path) -> None:
    missing = run("calc", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "E601" in missing.output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("calc", str(wrong))
    assert result.exit_code == 2 and "E602" in result.output


def test_excel_commands(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listed = run("excel", "--help").output
    assert "setup" in listed and "doctor" in listed
    if sys.platform != "win32":  # setup is for Windows; the simulated Windows: test_excel_setup
        monkeypatch.setenv("USERPROFILE", str(tmp_path))
        result = run("excel", "setup")
        assert result.exit_code == 2 and "[E701]" in result.output
        assert not (tmp_path / ".xlwings").exists()
    missing = run("excel", "doctor", str(tmp_path / "nope.xlsm"))
    assert missing.exit_code == 2 and "E601" in missing.output
