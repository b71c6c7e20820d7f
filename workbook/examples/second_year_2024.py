"""Build ``example-2024.xlsm``: an invented second year of the bundled example, to show the
year-two workflow (``--previous``), green certificates (market-based scope 2), a company
factor and intensity indicators. Every change below is made up and labelled as such in the
workbook's 公司简介; the 2023 example stays the published seed.

    python workbook/examples/second_year_2024.py [OUT.xlsm]
    ghgxl report workbook/examples/example-2024.xlsm --previous workbook/examples/example-2023.xlsm

What changes from 2023 (all invented):

* 编号 12 外购电力: 25,000,000 kWh at the 2023 national grid factor (0.5306 t CO2/MWh), of
  which 5,000 MWh are covered by green certificates (绿电绿证, vintage 2024).
* 编号 33 外发石墨化加工服务: 10 % less (38,582.4015 t instead of 42,869.335 t).
* 编号 N1, new: 500 t of needle coke from a supplier whose declared footprint, 0.85 t
  CO2e/t, is a company factor (公司因子 company.needle_coke.supplier_a).
* 基本信息: year 2024, base year 2023; output 40,000 t, revenue 250,000 万元, 620 employees.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from ghgxl.workbook import fill
from ghgxl.workbook.calc import WorkbookCalculation

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE.parent / "ghgxl-template.xlsm"
EXAMPLE = HERE / "example-2024.xlsm"

NOTE = (
    "（虚构示例）本清册是 2023 年示例的虚构第二年，用于演示逐年比较、绿证（范围二市场法）、"
    "公司因子与排放强度；其中的变化均为编造，并非任何公司的记录。"
)
COMPANY_FACTOR = {
    "key": "company.needle_coke.supplier_a",
    "gas": "CO2e",
    "value": 0.85,
    "unit": "tCO2e/t",
    "name_zh": "（虚构）供应商A针状焦碳足迹",
    "source": "（虚构示例）供应商A 2024年产品碳足迹声明 PCF-2024-003",
}
NEW_ROW = {
    "id": "N1",
    "facility": "原料仓",
    "source": "（虚构）原材料 针状焦（供应商A）",
    "category": 4,
    "scope3_category": 1,
    "annual": 500,
    "unit": "t",
    "evidence": "采购入库单",
    "factor_key": COMPANY_FACTOR["key"],
    "dq_activity": 3,
    "dq_factor": 3,
    "dq_calibration": 3,
}
CERTIFICATES = [
    {
        "row_id": 12,
        "kind": "绿证",
        "mwh": 5000,
        "vintage": 2024,
        "certificate": "GEC-2024-000123",
        "evidence": "（虚构示例）中国绿色电力证书交易平台",
    }
]


def _seed():
    spec = importlib.util.spec_from_file_location("seed_2023", HERE / "seed_2023.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def rows() -> list[dict[str, object]]:
    changed = []
    for row in _seed().load_rows():
        if row["id"] == "12":
            row = dict(row, annual=25_000_000, factor_key="grid.cn.national.2023")
        elif row["id"] == "33":
            row = dict(row, annual=38_582.4015, remark="（虚构）较上年减少 10%")
        changed.append(row)
    return [*changed, NEW_ROW]


def info() -> dict[str, object]:
    seed = _seed()
    profile = str(seed.INFO["company_profile"]).replace(seed.NOTE, NOTE)
    return {
        **seed.INFO,
        "company_profile": profile,
        "reporting_year": 2024,
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "base_year": 2023,
        "base_year_workbook": "example-2023.xlsm",  # beside it: chapter 7 lists 2023
        "previous_year": "",
        "previous_total": "",
        "output": 40_000,
        "output_unit": "t",
        "revenue_10k_yuan": 250_000,
        "employees": 620,
    }


def build(out: Path = EXAMPLE, template: Path = TEMPLATE) -> WorkbookCalculation:
    seed = _seed()
    activity = rows()
    package = fill.fill(
        Path(template).read_bytes(),
        info=info(),
        activity=activity,
        sources=seed.source_records(activity),
        significance=seed.SIGNIFICANCE,
        company=[COMPANY_FACTOR],
        market=CERTIFICATES,
    )
    return seed.compute(package, Path(out))


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else EXAMPLE
    calculation = build(out)
    result = calculation.result
    print(f"written: {out}")
    print(f"total {result.total:,.2f} t CO2e; errors: {len(result.errors)}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
