"""Moving last year's workbook to the current template (ghgxl workbook migrate).

tests/data/example-2023-template-2026.1.xlsm is the bundled example as ghgxl wrote it with the
2026.1 template (git 5fc8e85^: no 公司因子 or 绿电绿证 sheet, no monthly evidence columns,
none of the 基本信息 fields added since, factor library 2026.1).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.errors import GhgError
from ghgxl.workbook import layout as L
from ghgxl.workbook import migrate
from ghgxl.workbook.calc import calculate_workbook
from ghgxl.workbook.check import check_workbook
from ghgxl.workbook.manifest import sha256
from tests.support import ROOT

OLD = ROOT / "tests" / "data" / "example-2023-template-2026.1.xlsm"


def test_an_old_workbook_gains_the_new_sheets_and_computes_as_before(tmp_path: Path) -> None:
    source = Path(shutil.copy(OLD, tmp_path / "2023.xlsm"))
    before = sha256(source)
    out = tmp_path / "2023-新模板.xlsm"
    result = CliRunner().invoke(main, ["workbook", "migrate", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sha256(source) == before  # the old workbook is never changed
    old, new = calculate_workbook(source), calculate_workbook(out)
    assert new.result.total == old.result.total == pytest.approx(415_532.111608791, rel=1e-12)
    assert new.rows["row"].tolist() == old.rows["row"].tolist()  # 清册行 stay true
    assert new.result.rows["tco2e"].tolist() == old.result.rows["tco2e"].tolist()
    assert new.library.version == old.library.version == "2026.1"  # the recorded library
    book = openpyxl.load_workbook(out, read_only=True, keep_vba=True)
    assert {L.SHEET_COMPANY, L.SHEET_MARKET, L.SHEET_SITES} <= set(book.sheetnames)
    header = [c.value for c in next(book[L.SHEET_ACTIVITY].iter_rows(min_row=4, max_row=4))]
    assert "1月凭证" in header and "12月凭证" in header
    keys = {row[2] for row in book[L.SHEET_INFO].iter_rows(values_only=True) if len(row) > 2}
    assert {"base_year_workbook", "materiality_pct"} <= keys
    findings = lambda path: sorted((f.code, f.cell) for f in check_workbook(path)[1])  # noqa: E731
    assert findings(out) == findings(source)  # the same findings, at the same cells


def test_what_the_template_has_no_place_for_is_listed_and_kept_unless_forced(
    tmp_path: Path,
) -> None:
    source = tmp_path / "自改.xlsm"
    book = openpyxl.load_workbook(OLD, keep_vba=True)
    book.create_sheet("车辆台账")["A1"] = "车牌"
    sheet = book[L.SHEET_ACTIVITY]
    width = sheet.max_column
    sheet.cell(row=L.HEADER_ROW, column=width + 2, value="负责人")
    sheet.cell(row=L.FIRST_ROW + 3, column=width + 4, value="无表头的备注")
    info = book[L.SHEET_INFO]
    info.cell(row=info.max_row + 2, column=2, value="内部备忘：明年换表")
    info.cell(row=L.INFO_FIRST_ROW + 1, column=4, value="旁注")  # beside a field
    significance = book[L.SHEET_SIGNIFICANCE]
    criterion = L.SIGNIFICANCE_CRITERIA[0][0]
    significance[f"{L.SIG_COL[criterion]}{L.FIRST_ROW + 1}"] = "=1+2"
    significance[f"{L.SIG_COL['code']}{L.FIRST_ROW}"] = "4.6"  # a sub-category of one's own
    sheet[f"{L.ACT_COL['remark']}{L.FIRST_ROW + 1}"] = '="见"&"台账"'  # a formula of one's own
    book.save(source)
    out = tmp_path / "new.xlsm"
    refused = CliRunner().invoke(main, ["workbook", "migrate", str(source), "-o", str(out)])
    assert refused.exit_code != 0 and "E630" in refused.output
    assert "工作表「车辆台账」" in refused.output and "「负责人」" in refused.output
    assert f"{L.FIRST_ROW + 3}（无表头的列）" in refused.output
    assert f"{L.SHEET_INFO}!B{info.max_row}" in refused.output
    assert f"{L.SHEET_INFO}!D{L.INFO_FIRST_ROW + 1}" in refused.output
    assert f"{L.SHEET_SIGNIFICANCE} 1 个输入单元格是公式" in refused.output
    assert "子类别「4.6」不在模板中" in refused.output and "Traceback" not in refused.output
    remark = f"{L.ACT_COL['remark']}{L.FIRST_ROW + 1}"
    assert f"{L.SHEET_ACTIVITY} 1 个输入单元格是公式，迁移后为其值：{remark}" in refused.output
    assert not out.exists()
    forced = CliRunner().invoke(
        main, ["workbook", "migrate", str(source), "-o", str(out), "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert out.exists()


def test_a_migration_that_would_change_a_number_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = migrate.plan(OLD)
    original = migrate._package

    def altered(migration: migrate.Migration) -> bytes:
        migration.data.activity.loc[0, "annual"] = 1.0  # as if a value were carried wrong
        return original(migration)

    monkeypatch.setattr(migrate, "_package", altered)
    out = tmp_path / "new.xlsm"
    with pytest.raises(GhgError) as error:
        migrate.write(plan, out)
    assert error.value.code == "E629" and not out.exists()
    assert f"{L.SHEET_ACTIVITY} 第5行" in error.value.text()


def test_company_rows_keep_every_column() -> None:
    """A 公司因子 row comes across with all its columns, 核对 included."""
    from ghgxl.factors import FactorRow
    from ghgxl.workbook.company import KEYS, record_of

    row = FactorRow(
        key="company.x", gas="CO2", value=1.5, unit="tCO2/t", name_zh="甲", name_en="x",
        source="供应商声明", verified="2 sources", low=1.0, high=2.0, notes="备注",
    )  # fmt: skip
    assert set(record_of(row)) == set(KEYS) and record_of(row)["verified"] == "2 sources"


def test_notes_typed_beside_the_other_sheets_are_listed(tmp_path: Path) -> None:
    """Text typed right of the template's columns in 汇总, 数据质量 and 使用说明: the migrated
    workbook is made from the template and has no place for it, so E630 lists each (the
    migration said 与原清册相同 and dropped them before)."""
    book = openpyxl.load_workbook(OLD, keep_vba=True)
    book["汇总"]["L6"] = "备注：按集团口径"
    book["数据质量"]["L5"] = "抽查 3 张发票"
    book["使用说明"]["C3"] = "本清册由安全环保部维护"
    source = tmp_path / "2023.xlsm"
    book.save(source)
    lines = migrate.plan(source).left_behind
    for place in ("汇总!L6", "数据质量!L5", "使用说明!C3"):
        assert any(line.startswith(place) and "模板列之外" in line for line in lines), place
    out = tmp_path / "new.xlsm"
    result = CliRunner().invoke(main, ["workbook", "migrate", str(source), "-o", str(out)])
    assert result.exit_code != 0 and "[E630]" in result.output and not out.exists()
