"""Intensity indicators (ISO 14064-1:2018 9.3.2) from the denominators 基本信息 gives.

Hand calculation on the bundled example (415,532.1116 t CO2e): 50,000 t of product →
8.3106 t CO2e/t; 300,000 万元 of revenue → 1.3851 t CO2e/万元; 800 employees →
519.4151 t CO2e per person.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.report.render import render_docx
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calculate_workbook, write_values
from ghgxl.workbook.intensity import indicators
from ghgxl.workbook.read import read_workbook
from tests.integration.test_report import docx_text
from tests.support import ROOT

EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"
TOTAL = 415_532.1116087912


def with_info(tmp_path: Path, **info: object) -> Path:
    rows = read_workbook(EXAMPLE).info_rows
    path = tmp_path / "book.xlsm"
    write_values(EXAMPLE, path, {L.SHEET_INFO: {f"B{rows[k]}": v for k, v in info.items()}})
    return path


def test_the_three_indicators_by_hand(tmp_path: Path) -> None:
    book = with_info(
        tmp_path, output=50_000, output_unit="t", revenue_10k_yuan=300_000, employees=800
    )
    report = json.loads(CliRunner().invoke(main, ["calc", str(book), "--json", "-"]).stdout)
    intensity = report["intensity"]
    assert intensity["per_output"]["value"] == pytest.approx(TOTAL / 50_000, rel=1e-9)
    assert intensity["per_output"]["unit"] == "t CO2e/t"
    assert intensity["per_revenue"]["value"] == pytest.approx(TOTAL / 300_000, rel=1e-9)
    assert intensity["per_employee"]["value"] == pytest.approx(TOTAL / 800, rel=1e-9)
    text = docx_text(io.BytesIO(render_docx(calculate_workbook(book), images=tmp_path)))
    assert "单位产品排放强度 8.311 t CO2e/t" in text and "人均排放量 519.4 t CO2e/人" in text


@pytest.mark.parametrize("denominator", [None, 0, -5, "很多"])
def test_no_indicator_without_a_positive_denominator(denominator: object) -> None:
    assert indicators({"employees": denominator}, TOTAL) == []


def test_the_example_has_none(tmp_path: Path) -> None:
    report = json.loads(CliRunner().invoke(main, ["calc", str(EXAMPLE), "--json", "-"]).stdout)
    assert report["intensity"] == {}
