"""Factors chosen by their Chinese name: the 活动数据 dropdown offers
「中文名称（单位）｜key」, and every path computes with the key after the ｜ — the cell
functions, calc, check and the report — exactly as with the bare key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ghgxl import api, udfs
from ghgxl.factors import FactorLibrary, key_of
from ghgxl.workbook import fill
from ghgxl.workbook.calc import calc_file, calculate_workbook
from ghgxl.workbook.check import check_workbook
from tests.support import TEMPLATE

LIBRARY = FactorLibrary.default()
ROWS = [
    dict(id="E1", category=2, annual=1000, unit="kWh", factor_key="grid.cn.national.2021"),
    dict(id="F1", category=1, annual=5000, unit="L", factor_key="fuel.diesel.offroad"),
    dict(id="R1", category=1, annual=10, unit="kg", factor_key="refrigerant.leak.chillers",
         gas="R-134a"),
]  # fmt: skip


def chosen(rows: list[dict]) -> list[dict]:
    return [dict(r, factor_key=LIBRARY.choice(r["factor_key"])) for r in rows]


def test_every_choice_reads_back_as_its_key() -> None:
    for key in LIBRARY.emission_factor_keys():
        assert key_of(LIBRARY.choice(key)) == key
    assert key_of("grid.cn.national.2021") == "grid.cn.national.2021"
    assert key_of(None) is None and key_of(3.5) == 3.5


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_cell_functions_compute_with_the_key(row: dict) -> None:
    by_key = udfs.GHG_EMISSION_GROUPS(
        row["annual"], row["unit"], row["factor_key"], None, None, row.get("gas"), "AR6",
        "CO2,CH4,N2O,HFCs,CO2e",
    )  # fmt: skip
    by_choice = udfs.GHG_EMISSION_GROUPS(
        row["annual"], row["unit"], LIBRARY.choice(row["factor_key"]), None, None,
        row.get("gas"), "AR6", "CO2,CH4,N2O,HFCs,CO2e",
    )  # fmt: skip
    assert by_choice == by_key and sum(by_key[0]) > 0
    assert api.emission(1000, "kWh", LIBRARY.choice("grid.cn.national.2021")) == 0.5568


def test_calc_check_and_report_compute_with_the_key(tmp_path: Path) -> None:
    keys, names = tmp_path / "keys.xlsm", tmp_path / "names.xlsm"
    keys.write_bytes(fill.fill(TEMPLATE, {"company": "测试"}, ROWS))
    names.write_bytes(fill.fill(TEMPLATE, {"company": "测试"}, chosen(ROWS)))
    by_key, by_name = calculate_workbook(keys), calculate_workbook(names)
    assert by_name.result.total == by_key.result.total > 0
    assert by_name.result.by_gas() == by_key.result.by_gas()
    assert not by_name.errors
    out = tmp_path / "out.xlsm"
    calc_file(names, out)
    _, findings = check_workbook(out)
    assert [f.code for f in findings if f.code.startswith("E")] == []
    from ghgxl.report import write_report

    report = tmp_path / "report.docx"
    write_report(out, report)  # the factor table names the factor by its key's entry
    assert report.stat().st_size > 10_000
