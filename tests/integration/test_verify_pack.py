"""The verifier's pack: audit.xlsx recomputed by LibreOffice gives ghgxl's totals (the
example and a generated 1,000-row workbook), the sampling plan reaches its coverage, the
evidence index flags what is missing, and the manifest ties the pack to its workbook."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.emission import GROUPS
from ghgxl.workbook import fill
from ghgxl.workbook import layout as L
from ghgxl.workbook.audit import evidence_index, sampling_plan
from ghgxl.workbook.calc import calculate_workbook
from ghgxl.workbook.manifest import sha256
from ghgxl.workbook.resize import resized
from tests.support import ROOT, TEMPLATE, libreoffice_recalculate, soffice

EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"
MIX = [  # fuel with density and NCV, a refrigerant blend, electricity, explicit and spend
    dict(category=1, unit="L", factor_key="fuel.diesel.offroad"),
    dict(category=1, unit="kg", factor_key="refrigerant.leak.chillers", gas="R-410A"),
    dict(category=2, unit="万kWh", factor_key="grid.cn.east.2022"),
    dict(category=3, unit="tkm", factor_key="uk.freight.hgv.all_diesel.avg_laden.2024"),
    dict(category=4, unit="t", factor=0.45, factor_unit="tCO2e/t", factor_source="供应商"),
    dict(category=4, unit="USD", factor_key="spend.us.331110.iron_steel"),
]


def pack(source: Path, folder: Path, *options: str) -> dict:
    result = CliRunner().invoke(
        main, ["verify-pack", str(source), "-o", str(folder), *options], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return json.loads((folder / "manifest.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def thousand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = [
        dict(MIX[i % len(MIX)], id=f"R{i}", annual=100 + i, evidence="" if i % 7 else "发票")
        for i in range(1000)
    ]
    path = tmp_path_factory.mktemp("pack") / "thousand.xlsm"
    path.write_bytes(fill.fill(resized(TEMPLATE, 1000), {"company": "测试"}, rows))
    return path


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is installed by .ci/run")
@pytest.mark.parametrize("which", ["example", "thousand"])
def test_libreoffice_recomputes_the_audit_workbook_to_ghgxls_totals(
    which: str, thousand: Path, tmp_path: Path
) -> None:
    source = EXAMPLE if which == "example" else thousand
    data = pack(source, tmp_path / "pack")
    result = calculate_workbook(source).result
    out = libreoffice_recalculate(tmp_path / "pack" / "audit.xlsx", tmp_path / "lo")
    summary = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(out, data_only=True)["汇总"].iter_rows(values_only=True)
    }
    assert summary["总排放量"] == pytest.approx(result.total, rel=1e-12)
    assert data["total_tco2e"] == pytest.approx(result.total, abs=1e-6)
    for category, value in result.by_category().items():
        assert summary[f"类别{category}"] == pytest.approx(value, rel=1e-12, abs=1e-9)
    for scope, value in result.by_scope().items():
        assert summary[f"范围{scope}"] == pytest.approx(value, rel=1e-12, abs=1e-9)
    for group in GROUPS:
        assert summary[group] == pytest.approx(result.by_gas()[group], rel=1e-12, abs=1e-9)


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is installed by .ci/run")
def test_the_market_based_total_is_recomputed_from_the_instruments(tmp_path: Path) -> None:
    """Totals with scope 2 market-based: 5,000 MWh of certificates (0 t) and 3,000 MWh at a
    supplier's 0.3 t/MWh on the example's 23,610.66 MWh; by hand 3,000 × 0.3 + 15,610.66 ×
    0.5942 (the 2021 residual factor) = 10,175.854 t, and the total 415,532.11 − 13,146.415
    + 10,175.854. audit.xlsx recomputes both from the instruments it lists."""
    instruments = [
        dict(row_id=12, kind="绿证", mwh=5000, vintage=2023, certificate="GEC-1", evidence="平台"),
        dict(
            row_id=12, kind="供应商特定因子", mwh=3000, factor=0.3, vintage=2023, certificate="S-1"
        ),
    ]
    source = tmp_path / "market.xlsm"
    source.write_bytes(
        fill.fill(EXAMPLE.read_bytes(), {"scope2_basis": "市场法"}, market=instruments)
    )
    calc = calculate_workbook(source)
    market = 3000 * 0.3 + (23_610.66 - 8000) * 0.5942
    assert calc.scope2.market_t == pytest.approx(market, rel=1e-12)
    data = pack(source, tmp_path / "pack")
    out = libreoffice_recalculate(tmp_path / "pack" / "audit.xlsx", tmp_path / "lo")
    book = openpyxl.load_workbook(out, data_only=True)
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
    assert summary["范围二（市场法）"] == pytest.approx(market, rel=1e-12)
    total = 415_532.1116086 - 23_610.66 * 0.5568 + market
    assert summary["总排放量（范围二按市场法）"] == pytest.approx(total, rel=1e-12)
    assert data["total_tco2e"] == pytest.approx(summary["总排放量（范围二按市场法）"], abs=1e-6)
    assert summary["总排放量"] == pytest.approx(415_532.1116086, rel=1e-12)  # rows: location
    rows = list(book["范围二市场法"].iter_rows(values_only=True))
    assert rows[2][:3] == ("P1", "12", pytest.approx(23_610.66)) and rows[2][7] == pytest.approx(
        market, rel=1e-12
    )
    assert [r[5] for r in rows[6:8]] == ["GEC-1", "S-1"]


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is installed by .ci/run")
def test_the_market_based_figure_follows_each_consumption_not_its_typed_id(
    tmp_path: Path,
) -> None:
    """编号 a SUMIFS would misread: a heat row sharing E1 with its grid row, one 编号 on two
    grid years (kept apart by ghgxl, the certificate on the first), "e1" beside "E1" (SUMIFS
    ignores case), "A*" beside "AB" (a wildcard) and a row of no 编号. By hand, with the
    residual factors 0.5942 (2021) and 0.5856 (2022) t/MWh and the 100 MWh certificates at 0:
    E1 (1,000 − 100) × 0.5942 = 534.78; heat 100 GJ × 0.11 = 11 (location, kept);
    E2 (500 − 100) × 0.5942 + 300 × 0.5856 = 237.68 + 175.68; e1 200 × 0.5942 = 118.84;
    A* (50 − 10) × 0.5942 = 23.768; AB 70 × 0.5942 = 41.594; no 编号 20 × 0.5942 = 11.884."""
    grid = dict(category=2, unit="MWh", factor_key="grid.cn.national.2021")
    rows = [
        dict(grid, id="E1", source="电", annual=1000),
        dict(id="E1", source="热", category=2, annual=100, unit="GJ", factor=0.11,
             factor_unit="tCO2/GJ", factor_source="供热商"),
        dict(grid, id="E2", source="电a", annual=500),
        dict(grid, id="E2", source="电b", annual=300, factor_key="grid.cn.national.2022"),
        dict(grid, id="e1", source="电c", annual=200),
        dict(grid, id="A*", source="电d", annual=50),
        dict(grid, id="AB", source="电e", annual=70),
        dict(grid, source="电f", annual=20),
    ]  # fmt: skip
    certificates = [
        dict(row_id=key, kind="绿证", mwh=mwh, vintage=2023, certificate=f"G-{n}")
        for n, (key, mwh) in enumerate([("E1", 100), ("E2", 100), ("A*", 10)])
    ]
    source = tmp_path / "ids.xlsm"
    info = {"reporting_year": 2023, "base_year": 2023, "scope2_basis": "市场法"}
    source.write_bytes(fill.fill(TEMPLATE, info, rows, market=certificates))
    market = 534.78 + 11 + 237.68 + 175.68 + 118.84 + 23.768 + 41.594 + 11.884
    assert calculate_workbook(source).scope2.market_t == pytest.approx(market, rel=1e-12)
    pack(source, tmp_path / "pack")
    out = libreoffice_recalculate(tmp_path / "pack" / "audit.xlsx", tmp_path / "lo")
    summary = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(out, data_only=True)["汇总"].iter_rows(values_only=True)
    }
    assert summary["范围二（市场法）"] == pytest.approx(market, rel=1e-12)
    assert summary["总排放量（范围二按市场法）"] == pytest.approx(market, rel=1e-12)


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is installed by .ci/run")
def test_the_pack_and_the_factor_table_read_rows_as_the_engine_does(tmp_path: Path) -> None:
    """气体 CO2 on a diesel row (that gas alone), 气体 co2e on an explicit row (all gases)
    and a key typed full-width: audit.xlsx, recomputed by LibreOffice, and the report's
    factor table give calc's figures (they read the rows their own way, and differed)."""
    from ghgxl.report.context import report_factors

    rows = [
        dict(id="D", category=1, annual=1000, unit="L", factor_key="fuel.diesel.offroad", gas="CO2"),
        dict(id="X", category=1, annual=10, unit="t", factor=2, factor_unit="tCO2/t", gas="co2e",
             factor_source="手算"),
        dict(id="G", category=2, annual=1000, unit="kWh", factor_key="ｇｒｉｄ．ｃｎ．ｎａｔｉｏｎａｌ．２０２１"),
    ]  # fmt: skip
    source = tmp_path / "rows.xlsm"
    source.write_bytes(fill.fill(TEMPLATE, {"company": "测试"}, rows))
    calc = calculate_workbook(source)
    # 2.615324673 (1,000 L × 0.8275 kg/L × 42.652 GJ/t × 74,100 kg/TJ) + 20 + 0.5568
    assert calc.errors == [] and calc.result.total == pytest.approx(23.172124673, rel=1e-12)
    pack(source, tmp_path / "pack")
    out = libreoffice_recalculate(tmp_path / "pack" / "audit.xlsx", tmp_path / "lo")
    summary = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(out, data_only=True)["汇总"].iter_rows(values_only=True)
    }
    assert summary["总排放量"] == pytest.approx(calc.result.total, rel=1e-12)
    combined = report_factors(calc).row_factor  # kg CO2e per unit of each row's amount
    assert combined == ["2.615325", "2000", "0.5568"]


@pytest.mark.parametrize("materiality", [0.05, 0.01])
def test_the_sampling_plan_reaches_its_coverage(thousand: Path, materiality: float) -> None:
    calc = calculate_workbook(thousand)
    picks = sampling_plan(calc, materiality)
    total = calc.result.total
    sampled = sum(p.tco2e for p in picks if p.reason)
    assert total - sampled < materiality * total  # what is left unsampled is immaterial
    assert all(p.reason == "单独重大" for p in picks if p.tco2e >= materiality * total)
    risky = [p for p in picks if p.reason == "风险加权"]
    weights = [p.tco2e * p.risk for p in risky]
    assert weights == sorted(weights, reverse=True)  # the riskiest contributions first
    assert len(picks) == 1000


def test_the_evidence_index_and_the_manifest(thousand: Path, tmp_path: Path) -> None:
    data = pack(thousand, tmp_path / "pack", "--materiality", "0.02")
    assert data["workbook_sha256"] == sha256(thousand) and data["materiality"] == 0.02
    for name in ("audit.xlsx", "plan.xlsx"):
        assert data["files"][name] == sha256(tmp_path / "pack" / name)
    book = openpyxl.load_workbook(tmp_path / "pack" / "plan.xlsx", read_only=True)
    index = list(book["凭证索引"].iter_rows(min_row=2, values_only=True))
    missing = [row for row in index if row[6] == "缺少凭证"]
    assert len(index) == 1000 and len(missing) == 1000 - len(range(0, 1000, 7))
    assert index[7][:6] == ("R7", None, None, f"活动数据!{L.ACT_COL['annual']}12", 107, "发票")
    audit = openpyxl.load_workbook(tmp_path / "pack" / "audit.xlsx")
    assert not audit.vba_archive and "GHG_" not in str(audit["排放源"]["I2"].value)


def test_monthly_amounts_are_indexed_month_by_month(tmp_path: Path) -> None:
    """A row typed by month gets one index line per typed month: its own N月凭证, else the
    row's 数据来源/凭证 (said so), else flagged; a row with neither is flagged each month."""
    months = {f"m{m}": 100.0 for m in (1, 2, 3)}
    rows = [
        dict(MIX[2], id="E1", evidence="供电局电费单", **months, ev1="电费单2023-01"),
        dict(MIX[2], id="E2", m6=50.0, ev6="", m7=60.0, ev7="电费单2023-07"),
        dict(MIX[0], id="D1", annual=10.0),
        dict(MIX[0], id="D2", annual=20.0, m3="n/a"),  # text in a month: the annual counts
    ]
    path = tmp_path / "monthly.xlsm"
    path.write_bytes(fill.fill(TEMPLATE, {"company": "测试"}, rows))
    lines = evidence_index(calculate_workbook(path))
    month = L.ACT_COL
    assert [(line[0], line[2], line[3], line[4], line[5], line[6]) for line in lines] == [
        ("E1", "1月", f"活动数据!{month['m1']}5", 100, "电费单2023-01", ""),
        ("E1", "2月", f"活动数据!{month['m2']}5", 100, "供电局电费单", "用本行凭证"),
        ("E1", "3月", f"活动数据!{month['m3']}5", 100, "供电局电费单", "用本行凭证"),
        ("E2", "6月", f"活动数据!{month['m6']}6", 50, "", "缺少凭证"),
        ("E2", "7月", f"活动数据!{month['m7']}6", 60, "电费单2023-07", ""),
        ("D1", "", f"活动数据!{month['annual']}7", 10, "", "缺少凭证"),
        ("D2", "", f"活动数据!{month['annual']}8", 20, "", "缺少凭证"),
    ]


@pytest.mark.parametrize(
    ("typed", "used", "warned"),
    [(2, 0.02, False), ("5%", 0.05, True), (80, 0.05, True), (0.05, 0.05, True)],  # 0.05: "5%"
)
def test_the_workbook_sets_the_materiality(
    typed: object, used: float, warned: bool, tmp_path: Path
) -> None:
    """基本信息 核查重要性水平（%） sets the pack's materiality when --materiality is not
    given; text or a value outside 0.1–50 falls back to 5 % and check says so (W115)."""
    path = tmp_path / "book.xlsm"
    info = {"company": "测试", "materiality_pct": typed}
    path.write_bytes(fill.fill(TEMPLATE, info, [dict(MIX[2], id="E1", annual=1.0)]))
    assert pack(path, tmp_path / "pack")["materiality"] == used
    result = CliRunner().invoke(main, ["check", str(path)])
    cell = f"基本信息!B{L.INFO_ROW['materiality_pct']}"
    assert ("W115" in result.output and cell in result.output) is warned, result.output


def test_a_setting_typed_as_text_is_called_text(tmp_path: Path) -> None:
    """A setting typed as text "3" (a cell formatted as Text) is within 0.1–50, so saying
    "not a number from 0.1 to 50" would puzzle: W115 says it is text, and 5 is used."""
    path = tmp_path / "book.xlsm"
    info = {"company": "测试", "materiality_pct": "3"}
    path.write_bytes(fill.fill(TEMPLATE, info, [dict(MIX[2], id="E1", annual=1.0)]))
    assert pack(path, tmp_path / "pack")["materiality"] == 0.05
    result = CliRunner().invoke(main, ["check", str(path)], env={"COLUMNS": "300"})
    line = next(line for line in result.output.splitlines() if "W115" in line)
    assert "是文本而不是数字" in line and "text, not a number" in line and "0.1–50 之间" not in line
    assert "按 5 计算" in line
    path.write_bytes(
        fill.fill(TEMPLATE, info | {"materiality_pct": "80"}, [dict(MIX[2], id="E1", annual=1.0)])
    )
    result = CliRunner().invoke(main, ["check", str(path)], env={"COLUMNS": "300"})
    line = next(line for line in result.output.splitlines() if "W115" in line)
    assert "是文本而不是数字，也不在 0.5–50 之间" in line and "and not from 0.5 to 50" in line


def test_a_setting_the_sheet_formulas_read_keeps_its_typed_number() -> None:
    """重大性判定门槛 5 (outside 6–18) is what the 重大性评估 formulas use through
    ghg_sig_threshold, so ghgxl uses 5 too (W115 says so); text falls back to 12."""
    assert L.setting({"significance_threshold": 5}, "significance_threshold") == 5
    assert L.setting({"significance_threshold": "五"}, "significance_threshold") == 12
    assert L.setting({"materiality_pct": 80}, "materiality_pct") == 5  # not read by a formula
    assert L.setting({"recalculation_threshold_pct": 0.1}, "recalculation_threshold_pct") == 10


def test_unscored_rows_are_the_riskiest_not_nan(tmp_path: Path) -> None:
    """One row scored, the others not: an unscored row's risk is 2 (estimated), so the
    largest unscored source is the first risk-weighted pick."""
    rows = [dict(MIX[2], id="S", annual=1.0, dq_activity=6, dq_calibration=6)] + [
        dict(MIX[2], id=f"U{i}", annual=1.0 + i) for i in range(40)
    ]
    path = tmp_path / "mixed.xlsm"
    path.write_bytes(fill.fill(TEMPLATE, {"company": "测试"}, rows))
    picks = sampling_plan(calculate_workbook(path), 0.05)
    assert all(p.risk == 2.0 for p in picks if p.row["id"] != "S")
    assert [p.row["id"] for p in picks[:3]] == ["U39", "U38", "U37"]
    assert next(p for p in picks if p.row["id"] == "S").risk == 1.0


def test_a_pack_made_again_keeps_the_verifiers_notes_and_a_read_only_place_is_said(
    tmp_path: Path,
) -> None:
    """A verifier notes 已核对 in plan.xlsx; the pack made again keeps that file as a
    backup beside the new one. A pack into a folder that cannot be made is E604, not an
    internal error, and leaves nothing half-written."""
    pack = tmp_path / "pack"
    assert CliRunner().invoke(main, ["verify-pack", str(EXAMPLE), "-o", str(pack)]).exit_code == 0
    book = openpyxl.load_workbook(pack / "plan.xlsx")
    book.worksheets[-1]["H2"] = "已核对"
    book.save(pack / "plan.xlsx")
    assert CliRunner().invoke(main, ["verify-pack", str(EXAMPLE), "-o", str(pack)]).exit_code == 0
    kept = [p for p in pack.iterdir() if p.name.startswith("plan.backup-")]
    assert len(kept) == 1
    assert openpyxl.load_workbook(kept[0]).worksheets[-1]["H2"].value == "已核对"
    assert not [p for p in pack.iterdir() if p.name.endswith(".tmp")]
    blocked = tmp_path / "a-file"  # a folder that cannot be made: a file is in the way
    blocked.write_text("x")
    result = CliRunner().invoke(main, ["verify-pack", str(EXAMPLE), "-o", str(blocked / "p")])
    assert result.exit_code == 2 and "[E604]" in result.output and "E901" not in result.output
