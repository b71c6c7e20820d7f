"""Build the bundled example 盘查清册: the seed company's 2023 inventory, reconstructed.

The seed is a published 2023 GHG inventory report (ISO 14064-1) of a lithium-battery anode
material maker. It prints, for each of its 41 emission sources, the emissions in kg CO2e and
three data-quality scores (chapter 4.5), but not the activity data. This script rebuilds the
workbook those figures came from:

* 基本信息: the company anonymised (示例新能源科技有限公司), people, contacts, address and
  site as placeholders (so the example's report is a draft, docs/example.md), reporting
  year 2023, base year 2023, 运营控制, GWP AR6, 第三方查证（合理保证）, the 主责部门 and
  盘查小组 duties of the seed's 2.1.
* 排放源识别: the 41 sources (the seed's table 1, row by row) and the exclusions the seed
  names in 3.5 (and categories 5/6, "经评估，暂不纳入"), each with the seed's reason.
* 活动数据: the 41 rows of ``seed_2023_rows.csv`` (beside this script), in the seed's order.
  Amounts were derived as ``seed kg CO2e ÷ kg CO2e per unit`` with the library factor the
  seed's chapter 4 names, or with an explicit example factor where the seed gives none; the
  ``basis`` column of the CSV says, row by row, what is published and what was derived.

The filled workbook is then computed (``ghgxl.workbook.calc.calc_file``) into the final
file, so ``example-2023.xlsm`` shows every number without Python. Rebuild with::

    python workbook/examples/seed_2023.py            # writes example-2023.xlsm beside it
    python workbook/examples/seed_2023.py OUT.xlsm   # or to another file

See docs/example.md for the table of rows and the places where the seed disagrees with itself.
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

from ghgxl.files import write_bytes_atomic
from ghgxl.workbook import fill
from ghgxl.workbook.calc import WorkbookCalculation, calc_file

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE.parent / "ghgxl-template.xlsm"
ROWS_CSV = HERE / "seed_2023_rows.csv"
EXAMPLE = HERE / "example-2023.xlsm"

NOTE = (
    "（示例）本报告依据一份公开发布的 2023 年度温室气体盘查报告重建，公司名称与人员已匿名化；"
    "各排放源的排放量与数据质量评分取自该报告，活动数据与部分排放因子为按其排放量反推的示例值，"
    "并非该公司的记录。"
)
#: The seed's 2.1: 温室气体盘查小组 and the duties of its 主责部门 (roles only: the people
#: are anonymised, so the name column says who by role).
TEAM = "\n".join(
    (
        "主责部门 | 品质管理部体系组 | 召集盘查小组会议；推动温室气体盘查与减量工作；编制年度"
        "温室气体清册与报告；策划实施内部审核；审议温室气体管理作业方式与相关文件",
        "盘查小组成员 | 各部门代表 | 收集本部门活动数据及证明资料，配合排放量计算、内部查证"
        "与减排工作",
    )
)

INFO: dict[str, object] = {
    "company": "示例新能源科技有限公司",
    "credit_code": "（18位代码）",
    "address": "（地址）",
    "industry": "锂离子电池负极材料制造",
    "sites": "（厂区名称）",
    "reporting_year": 2023,
    "period_start": "2023-01-01",
    "period_end": "2023-12-31",
    "base_year": 2023,
    "consolidation": "运营控制",
    "gwp_set": "AR6",
    "responsible": "（姓名）",
    "contact": "（电话 / 邮箱）",
    "verification": "第三方查证（合理保证）",
    "lead_department": "品质管理部体系组",
    "team": TEAM,
    "company_profile": (
        NOTE + "公司生产新能源汽车、储能及消费电子用锂离子电池负极材料，制程包括粗破、粉碎、混批、"
        "造粒、整形、筛分、外发石墨化、筛分包装；主要原辅材料为石油焦、针状焦及煤系焦等。"
    ),
    "ghg_policy": (
        "依据 ISO 14064-1 每年进行温室气体盘查与查证；温室气体盘查小组负责数据收集、排放量计算、"
        "清册与报告编制及减排推动。2023 年运营边界变更，故以 2023 年为基准年。"
    ),
    "reduction_measures": (
        "制定碳减排目标并分解至相关部门，按月统计达成情况；通过能源管理体系与环境管理体系的运行"
        "减少排放；评估外购绿色电力的中长期方案。"
    ),
}

#: Sources left out of the quantification, with the seed's reasons (3.5 and table 2).
EXCLUSIONS: list[dict[str, object]] = [
    {
        "id": "X1",
        "facility": "物流部",
        "equipment": "货车、公务用车空调",
        "source": "运输车辆冷媒逸散",
        "category": 1,
        "emission_type": "逸散排放",
        "gases": "HFCs",
        "exclusion_reason": "排放量小，且不易取得冷媒成分含量，免除量化",
    },
    {
        "id": "X2",
        "facility": "生产部",
        "equipment": "清洁剂",
        "source": "清洁剂氧化过程排放",
        "category": 1,
        "emission_type": "逸散排放",
        "gases": "CO2",
        "exclusion_reason": "排放量小，且不易取得成分含量，免除量化",
    },
    {
        "id": "X3",
        "facility": "设备部",
        "equipment": "柴油紧急发电机",
        "source": "紧急发电机 柴油",
        "category": 1,
        "emission_type": "固定燃烧",
        "gases": "CO2、CH4、N2O",
        "exclusion_reason": ("仅做维护性启动，能源消耗量小，且不易取得实际耗用柴油数据，免除量化"),
    },
    {
        "id": "X4",
        "facility": "—",
        "equipment": "—",
        "source": "组织产品使用相关的间接排放（类别 5）",
        "category": 5,
        "emission_type": "其他",
        "gases": "—",
        "exclusion_reason": "经评估，暂不纳入此次盘查",
    },
    {
        "id": "X5",
        "facility": "—",
        "equipment": "—",
        "source": "其他来源的间接排放（类别 6）",
        "category": 6,
        "emission_type": "其他",
        "gases": "—",
        "exclusion_reason": "经评估，暂不纳入此次盘查",
    },
]

INTEGER_COLUMNS = ("category", "scope3_category", "dq_activity", "dq_factor", "dq_calibration")
NUMBER_COLUMNS = ("annual", "factor")


def _number(text: str) -> int | float:
    """``'23610660'`` → 23610660, ``'142.43'`` → 142.43: the value a user types."""
    return float(text) if "." in text else int(text)


def load_rows(path: Path = ROWS_CSV) -> list[dict[str, object]]:
    """The 41 rows of the CSV, numbers as numbers, empty cells left out."""
    rows = []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            row: dict[str, object] = {}
            for key, text in record.items():
                text = text.strip()
                if not text:
                    continue
                if key in INTEGER_COLUMNS:
                    row[key] = int(text)
                elif key in NUMBER_COLUMNS:
                    row[key] = _number(text)
                else:
                    row[key] = text
            rows.append(row)
    return rows


def source_records(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """排放源识别: one line per 活动数据 row (same id), then the exclusions."""
    keys = ("id", "facility", "equipment", "source", "category", "scope3_category")
    keys += ("emission_type", "gases")
    included = [{**{k: r[k] for k in keys if k in r}, "included": "纳入"} for r in rows]
    excluded = [{**e, "included": "排除"} for e in EXCLUSIONS]
    return included + excluded


def _scores(
    magnitude: int, influence: int, risk: int, sector: int, outsourcing: int, engagement: int
) -> dict[str, int]:
    return dict(
        magnitude=magnitude,
        influence=influence,
        risk=risk,
        sector=sector,
        outsourcing=outsourcing,
        engagement=engagement,
    )


INCLUDED = "纳入"
LEFT_OUT = "不纳入"
#: 重大性评估 of the example. The seed states which indirect sources it quantified (table 1)
#: and that categories 5 and 6 were "经评估，暂不纳入" without showing the assessment; the
#: scores below are example values consistent with those decisions, not published figures.
SIGNIFICANCE = {
    "3.1": {
        **_scores(3, 2, 2, 3, 3, 1),
        "included": INCLUDED,
        "reason": "原料与外发加工运输",
    },
    "3.2": {
        **_scores(3, 2, 2, 3, 3, 1),
        "included": INCLUDED,
        "reason": "产品与废弃物委外运输",
    },
    "3.3": {
        **_scores(2, 2, 2, 2, 1, 3),
        "included": INCLUDED,
        "reason": "员工自用车辆通勤",
    },
    "3.4": {
        **_scores(1, 1, 1, 2, 1, 1),
        "included": LEFT_OUT,
        "reason": "量小且难以取得数据，经评估不重大",
    },
    "3.5": {
        **_scores(2, 2, 2, 2, 1, 3),
        "included": INCLUDED,
        "reason": "员工商务出行",
    },
    "4.1": {
        **_scores(3, 2, 3, 3, 2, 1),
        "included": INCLUDED,
        "reason": "原辅材料，占总排放约 90%",
    },
    "4.2": {
        **_scores(2, 1, 1, 2, 1, 1),
        "included": LEFT_OUT,
        "reason": "经评估，暂不纳入",
    },
    "4.3": {
        **_scores(2, 2, 2, 2, 3, 1),
        "included": INCLUDED,
        "reason": "废弃物委外焚烧处理",
    },
    "4.4": {**_scores(1, 1, 1, 1, 1, 1), "included": LEFT_OUT, "reason": "无租赁资产"},
    "4.5": {
        **_scores(2, 2, 2, 2, 3, 1),
        "included": INCLUDED,
        "reason": "外发石墨化等委外加工服务",
    },
    "5.1": {
        **_scores(2, 1, 2, 1, 1, 1),
        "included": LEFT_OUT,
        "reason": "经评估，暂不纳入此次盘查工作",
    },
    "5.2": {**_scores(1, 1, 1, 1, 1, 1), "included": LEFT_OUT, "reason": "无下游租赁资产"},
    "5.3": {
        **_scores(2, 1, 1, 1, 1, 1),
        "included": LEFT_OUT,
        "reason": "经评估，暂不纳入此次盘查工作",
    },
    "5.4": {**_scores(1, 1, 1, 1, 1, 1), "included": LEFT_OUT, "reason": "无相关投资"},
    "6.1": {
        **_scores(1, 1, 1, 1, 1, 1),
        "included": LEFT_OUT,
        "reason": "经评估，暂不纳入此次盘查工作",
    },
}


def build(out: Path = EXAMPLE, template: Path = TEMPLATE) -> WorkbookCalculation:
    """Fill the template, compute it into ``out``; returns the calculation."""
    rows = load_rows()
    package = fill.fill(
        Path(template).read_bytes(),
        info=INFO,
        activity=rows,
        sources=source_records(rows),
        significance=SIGNIFICANCE,
    )
    return compute(package, Path(out))


def compute(package: bytes, out: Path) -> WorkbookCalculation:
    """A filled package computed into ``out`` (through a temporary file, never half-written)."""
    with tempfile.TemporaryDirectory(prefix="ghgxl-example-") as folder:
        filled = Path(folder) / f"filled{out.suffix}"
        write_bytes_atomic(filled, package)
        calculation, _, backup = calc_file(filled, out)
    if backup is not None:  # the example it replaces is generated and kept in git: no backup
        backup.unlink()
    return calculation


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else EXAMPLE
    result = build(out).result
    quality = result.data_quality()
    categories = ", ".join(f"{c}: {v:,.2f}" for c, v in result.by_category().items() if v)
    print(f"written: {out}")
    print(f"total {result.total:,.2f} t CO2e ({categories})")
    print(f"data quality {quality['score']:.4f} 第{quality['grade']}; errors: {len(result.errors)}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
