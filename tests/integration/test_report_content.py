"""What the report says is what the data supports: a workbook that is not ready gives a
draft that lists what is missing, a ready one carries the conformity claim; the content of
the seed report (scope table, team, definitions, source types, data-quality rubric, factor
citations, a recomputable activity appendix, contacts, cover) is there, from the workbook."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document

from ghgxl.factors import FactorLibrary
from ghgxl.report import charts, provenance
from ghgxl.report.factor_table import REF_SEPARATOR
from ghgxl.report.render import render_docx
from ghgxl.workbook import fill, template
from ghgxl.workbook import layout as L
from ghgxl.workbook.audit import sampling_plan
from ghgxl.workbook.calc import calculate_workbook
from ghgxl.workbook.check import check_workbook
from ghgxl.workbook.ready import BLOCKING
from tests.integration.test_report import docx_text

ROOT = Path(__file__).parents[2]
TEMPLATE = ROOT / "workbook" / template.TEMPLATE_NAME
EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"
CLAIM = "报告内容符合 ISO 14064-1:2018"
#: Where the library's own notes on where a value was read would show (never in a report).
PROVENANCE = ("read in", "public SQL dump", "CityCatalyst", "code index id", "EFDB", "bonsai")

READY_INFO = {
    "company": "就绪测试有限公司",
    "credit_code": "91440000000000000X",
    "address": "广东省某市某路 1 号",
    "industry": "电子元件制造",
    "sites": "一厂",
    "reporting_year": 2023,
    "period_start": "2023-01-01",
    "period_end": "2023-12-31",
    "base_year": 2023,
    "responsible": "李四",
    "contact": "020-00000000 / ghg@example.com",
    "contact_department": "安全环保部",
    "contact_person": "王五",
    "report_number": "GHG-2023-01",
    "report_version": "V1.0",
    "report_date": "2024-04-30",
    "prepared_by": "赵六",
    "reviewed_by": "钱七",
    "approved_by": "孙八",
    "company_profile": "公司成立于 2010 年，生产电子元件。",
    "ghg_policy": "每年盘查一次。",
    "lead_department": "安全环保部",
    "team": "组长 | 李四 | 统筹盘查与报告审核\n组员 | 王五 | 收集活动数据",
    "reduction_measures": "推进节能改造。",
}
ROW = dict(
    id="E1",
    source="外购电力",
    category=2,
    annual=100000,
    unit="kWh",
    evidence="电费单",
    factor_key="grid.cn.national.2023",
    dq_activity=6,
    dq_factor=2,
    dq_calibration=6,
)
SOURCES = [
    dict(id="E1", source="外购电力", category=2, emission_type="外购电力", included="纳入"),
    dict(id="X1", source="应急发电机", category=1, emission_type="固定燃烧", included="排除",
         exclusion_reason="仅维护性启动", estimate_tco2e=0.01),
]  # fmt: skip
SIGNIFICANCE = {
    code: dict(magnitude=1, influence=1, risk=1, sector=1, outsourcing=1, engagement=1,
               included="不纳入", reason="量小，经评估不重大")
    for code, _, _ in L.SIGNIFICANCE_ROWS
}  # fmt: skip


def _report(path: Path, images: Path | None = None) -> str:
    return docx_text(io.BytesIO(render_docx(calculate_workbook(path), images=images)))


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "空白.xlsm"
    path.write_bytes(TEMPLATE.read_bytes())
    return path


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ready") / "就绪.xlsm"
    package = fill.fill(TEMPLATE.read_bytes(), READY_INFO, [ROW], SOURCES, SIGNIFICANCE)
    path.write_bytes(package)
    return path


@pytest.fixture(scope="module")
def example() -> str:
    return _report(EXAMPLE)


# --- 1. ready or draft ----------------------------------------------------------------------


def test_check_names_what_an_empty_workbook_lacks_at_its_cells(empty: Path) -> None:
    _, findings = check_workbook(empty)
    found = {(f.code, f.cell) for f in findings}
    for field in ("credit_code", "address", "responsible", "team", "prepared_by", "report_date"):
        assert ("W110", f"基本信息!{L.info_cell(field)}") in found, field
    assert ("E101", f"基本信息!{L.info_cell('company')}") in found  # an error, not also W110
    assert ("W110", f"基本信息!{L.info_cell('company')}") not in found
    assert ("W110", f"基本信息!{L.info_cell('previous_year')}") not in found  # optional
    magnitude = L.SIG_COL["magnitude"]
    assert {c for code, c in found if code == "W111"} == {
        f"重大性评估!{magnitude}{L.FIRST_ROW + i}" for i in range(len(L.SIGNIFICANCE_ROWS))
    }
    assert ("W112", f"活动数据!A{L.FIRST_ROW}") in found


def test_the_report_of_an_empty_workbook_is_a_draft_that_says_what_is_missing(
    empty: Path,
) -> None:
    text = _report(empty)
    header = text.split("\n")[0]
    assert header.endswith("年度温室气体盘查报告（草稿）")
    cover = text.split("目录")[0]
    assert "\n草稿\n" in cover
    assert CLAIM not in text
    statement = text.split("11.2 符合性声明")[-1].split("11.3")[0]
    assert "尚不声明符合 ISO 14064-1:2018" in statement
    items = re.findall(r"^\d\. (.+)$", statement, re.M)
    assert any(i.startswith("清册检查发现 1 处错误") for i in items)  # E101: no company name
    assert any(i.startswith("基本信息尚未填写：统一社会信用代码、地址") for i in items)
    assert "活动数据表尚无排放源" in items
    assert "重大性评估：15 个间接排放子类别尚未评分或未决定是否纳入" in items
    # no category is shown as emitting 0.00 when it has no source
    assert re.search(r"^1 \| 类别1 [^|]* \| 无排放源 \| -$", text, re.M)
    assert "本报告期间无排除的排放源" in text


def test_a_ready_workbook_has_no_finding_that_keeps_it_a_draft(ready: Path) -> None:
    _, findings = check_workbook(ready)
    assert [
        (f.code, f.cell) for f in findings if f.code.startswith("E") or f.code in BLOCKING
    ] == []


def test_the_report_of_a_ready_workbook_claims_conformity(ready: Path) -> None:
    text = _report(ready)
    assert "草稿" not in text
    assert CLAIM in text and "尚不声明符合" not in text
    # exclusions estimated: the limits are judged, and met (0.01 of 53.07 t)
    assert "符合单一排除源低于 1%、合计低于 5% 的要求" in text


# --- 3. content from 基本信息 ----------------------------------------------------------------


def test_cover_team_and_contact_come_from_the_workbook(ready: Path) -> None:
    text = _report(ready)
    cover = text.split("目录")[0]
    for line in (
        "报告编号：GHG-2023-01　　版本：V1.0",
        "报告日期：2024-04-30",
        "编写：赵六　　审核：钱七　　批准：孙八",
    ):
        assert line in cover
    assert "组长 | 李四 | 统筹盘查与报告审核" in text
    assert "组员 | 王五 | 收集活动数据" in text
    assert "温室气体管理主责部门：安全环保部" in text
    contact = text.split("11.3 报告的取得与咨询")[-1].split("第十二章")[0]
    for line in (
        "单位/部门：安全环保部",
        "咨询人员：王五",
        "联系方式：020-00000000",
        "地址：广东省某市",
    ):
        assert line in contact


def test_the_cover_has_no_running_header() -> None:
    document = Document(str(ROOT / "templates" / "report-template.docx"))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()
    assert "年度温室气体盘查报告" in section.header.paragraphs[0].text


def test_pictures_beside_the_workbook_are_inserted_and_absent_ones_said(
    ready: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "图片"
    folder.mkdir()
    (folder / "组织架构图.png").write_bytes(charts.bar_chart(["a"], [1.0], "组织"))
    (folder / "厂区平面图.jpg").write_bytes(b"not an image")
    document = Document(io.BytesIO(render_docx(calculate_workbook(ready), images=folder)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "（图片文件无法读取：厂区平面图.jpg）" in text
    process = text.split("工艺流程图：")[1].split("\n")[1]
    assert process == "（未提供）"
    org = text.split("组织架构图：")[1].split("\n")[1]
    assert org == ""  # the picture, no text
    pictures = document.inline_shapes
    assert len(pictures) == 4 + 1  # four charts and the organization chart


# --- 2. and 3. the example: what its data supports ---------------------------------------


def test_the_example_is_a_draft_for_its_genuine_gaps(example: str) -> None:
    statement = example.split("11.2 符合性声明")[-1].split("11.3")[0]
    items = re.findall(r"^\d\. (.+)$", statement, re.M)
    assert items == [
        "基本信息尚未填写：统一社会信用代码、地址、厂区/场所、报告负责人、联系方式、"
        "咨询单位/部门、咨询人员、报告编号、报告版本、报告日期、编写人、审核人、批准人",
        "5 个排除的排放源尚未估算排放量，无法判断排除源是否低于上限",
    ]
    assert CLAIM not in example
    assert "符合单一排除源" not in example and "尚无法判断排除源是否符合" in example


def test_scope_totals_equal_the_seed(example: str) -> None:
    """Seed table 2: 范畴1 131.74, 范畴2 13,146.42, 范畴3 (categories 3–6) 402,253.96."""
    table = example.split("温室气体排放范围及排放量\n")[1].split("\n\n")[0]
    assert "范围一 | 类别1 | 131.74 | 0.03%" in table
    assert "范围二 | 类别2 | 13,146.42 | 3.16%" in table
    # 402,253.96 / 415,532.11 = 96.8046 %: each share rounded on its own (6.42 % + 90.39 %
    # of seed table 2 add up to 96.81 %, a sum of rounded shares)
    assert "范围三 | 类别3–6 | 402,253.96 | 96.80%" in table
    assert "合计 |  | 415,532.11 | 100.00%" in table
    assert "类别5：未量化（排除），类别6：未量化（排除）" in example


def test_excluded_categories_are_not_shown_as_zero(example: str) -> None:
    for category in (5, 6):
        assert re.search(
            rf"^{category} \| 类别{category} [^|]* \| 未量化（排除） \| -$", example, re.M
        )
        row = re.search(rf"^类别{category} \|.*$", example, re.M).group(0)
        assert "0.00" not in row and row.endswith("| 未量化（排除）")


def test_definitions_and_direct_source_types(example: str) -> None:
    for formula, name in (("CO₂", "二氧化碳"), ("CH₄", "甲烷"), ("N₂O", "氧化亚氮"),
                          ("HFCs", "氢氟碳化物"), ("PFCs", "全氟碳化物"), ("SF₆", "六氟化硫"),
                          ("NF₃", "三氟化氮")):  # fmt: skip
        assert f"\n{formula} | {name}\n" in example
    assert "\nA | 固定燃烧 | " in example and "| 食堂灶具 液化石油气\n" in example
    assert "\nC | 制程排放 | 物理或化学制程产生的排放 | 无\n" in example
    assert "\n1 | 食堂 | 食堂灶具 液化石油气 | A 固定燃烧 | 1 | 1 |" in example
    assert "\n12 | 设备部 | 外购电力 | 外购电力 | 2 | 2 |" in example


def test_the_data_quality_rubric_is_a_table(example: str) -> None:
    rubric = example.split("数据质量评分准则\n")[1].split("\n\n")[0]
    assert "排放因子 | 5 | 同类设施经验" in rubric and "仪器校正 | 1 | 没有规定执行" in rubric
    grades = example.split("数据质量等级\n")[1].split("\n\n")[0]
    assert "第一级 | A ≥ 5" in grades and "第五级 | A < 2" in grades


def test_the_grid_factor_and_its_year_are_named(example: str) -> None:
    assert (
        "外购能源的排放因子采用2021年全国电力平均二氧化碳排放因子：0.5568 tCO₂/MWh，出自"
        "《关于发布2021年电力二氧化碳排放因子的公告》（生态环境部、国家统计局公告2024年第12号）。"
        "因子数据年份为 2021 年，与报告年度 2023 年不同。"
    ) in example


def test_factor_table_is_chinese_and_cited_without_keys_or_provenance(example: str) -> None:
    keys = [k for k in FactorLibrary.default() if k in example]
    assert keys == []
    assert [p for p in PROVENANCE if p in example] == []
    table = example.split("表", 1)[1].split("各排放源活动数据与排放量")[0]
    assert "F1 | 液化石油气固定燃烧CO2排放因子" in table
    assert (
        "| 0.5568 | tCO₂/MWh | 《关于发布2021年电力二氧化碳排放因子的公告》"
        "（生态环境部、国家统计局公告2024年第12号）" in table
    )
    assert "| 参数 | 0.8275 | kg/L | 《车用柴油》（GB 19147-2016）密度指标（20 ℃）" in table
    references = example.split("第十二章 参考文献\n")[-1].split("附录一")[0]
    lines = references.strip().split("\n")
    assert len(lines) == len(set(lines)) >= 8  # each publication once
    assert sum("2006 IPCC Guidelines" in line for line in lines) == 1


def test_the_company_text_names_no_tool_except_the_colophon(example: str) -> None:
    lines = [line for line in example.split("\n") if "ghgxl" in line or "LibreOffice" in line]
    digest = provenance.sha256(EXAMPLE)
    assert lines == [
        f"本报告由盘查清册经 ghgxl 0.1.0 生成（因子库 2026.3；清册 SHA-256：{digest}）；"
        "报告中全部数值由清册计算得出，未经手工录入，可用 ghgxl verify 核对本报告与清册是否一致。"
    ]
    assert "原报告" not in example


def test_every_activity_row_can_be_recomputed(example: str) -> None:
    """amount × combined factor / 1000 = t CO2e, each factor number in the factor table,
    each row with its evidence and its 活动数据 row (rows 5, 6, … in workbook order)."""
    numbers = set(re.findall(r"^(F\d+) \| ", example, re.M))
    appendix = example.split("各排放源活动数据与排放量\n")[1].split("\n\n")[0].split("\n")[1:]
    *appendix, total = appendix
    assert len(appendix) == 41 and total.startswith("合计 |") and total.endswith("| 415,532.11")
    rows = []
    for line in appendix:
        _, row, _, _, amount, _, refs, factor, evidence, tco2e = line.split(" | ")
        rows.append(int(row))
        assert evidence and evidence != "（未填写）", line
        assert set(refs.split(REF_SEPARATOR)) <= numbers, line
        computed = float(amount.replace(",", "")) * float(factor) / 1000
        assert computed == pytest.approx(float(tco2e.replace(",", "")), abs=6e-5, rel=1e-6), line
    assert rows == list(range(L.FIRST_ROW, L.FIRST_ROW + 41))


def test_the_sampling_appendix_is_the_packs_plan(example: str) -> None:
    """附录三 lists the sources the verifier's plan samples (the same function as plan.xlsx),
    its coverage adds up, and what it leaves unsampled is below the 5 % materiality."""
    section = example.split("附录三 核查抽样计划\n")[2]
    table = section.split("核查抽样计划\n")[1].split("\n\n")[0].split("\n")[1:]
    picks = [p for p in sampling_plan(calculate_workbook(EXAMPLE), 0.05) if p.reason]
    assert [line.split(" | ")[1] for line in table] == [str(p.row["id"]) for p in picks]
    shares = [float(line.split(" | ")[5].rstrip("%")) for line in table]
    covered = float(table[-1].split(" | ")[8].rstrip("%"))  # exact, each share rounded
    assert covered == pytest.approx(sum(shares), abs=0.005 * len(shares) + 1e-9)
    rest = re.search(r"其余 (\d+) 个排放源合计占 ([\d.]+)%", section)
    assert rest and int(rest[1]) == 41 - len(table) and float(rest[2]) < 5
    assert float(rest[2]) == pytest.approx(100 - covered, abs=0.01)


def test_unscored_sources_keep_the_report_a_draft(tmp_path: Path) -> None:
    """No source scored: W113 at the first missing score (calc itself stays silent, as
    before); the draft says the data quality is not assessed."""
    unscored = {**ROW, "dq_activity": None, "dq_factor": None, "dq_calibration": None}
    path = tmp_path / "未评分.xlsm"
    path.write_bytes(
        fill.fill(TEMPLATE.read_bytes(), READY_INFO, [unscored], SOURCES, SIGNIFICANCE)
    )
    _, findings = check_workbook(path)
    blocking = [(f.code, f.cell) for f in findings if f.code in BLOCKING]
    assert blocking == [("W113", f"活动数据!{L.ACT_COL['dq_activity']}{L.FIRST_ROW}")]
    text = _report(path)
    assert "1. 1 个排放源缺少数据质量评分，整体数据质量未评估" in text and CLAIM not in text


def test_the_taiwan_scheme_prints_its_own_rubric(tmp_path: Path) -> None:
    path = tmp_path / "台湾.xlsm"
    info = {**READY_INFO, "dq_scheme": L.DQ_SCHEMES[1]}
    row = {**ROW, "dq_activity": 1, "dq_factor": 3, "dq_calibration": 2}
    path.write_bytes(fill.fill(TEMPLATE.read_bytes(), info, [row], SOURCES, SIGNIFICANCE))
    text = _report(path)
    rubric = text.split("数据质量评分准则\n")[1].split("\n\n")[0]
    assert "活动数据种类 | 1 | 连续量测" in rubric and "排放系数种类 | 3 | 国际排放系数" in rubric
    grades = text.split("数据质量等级\n")[1].split("\n\n")[0]
    assert grades.split("\n")[1:] == [
        "第一级 | X < 10",
        "第二级 | 10 ≤ X < 19",
        "第三级 | 19 ≤ X ≤ 27",
    ]


def test_a_large_sample_is_listed_to_thirty_sources_and_a_line(tmp_path: Path) -> None:
    """100 equal sources at 5 %: 96 are sampled (the unsampled 4 % is below 5 %); 附录三
    lists the first 30 and one line for the other 66, covering 96.00 % in all."""
    rows = [
        dict(id=f"E{i}", source=f"电表{i}", category=2, annual=1000, unit="kWh",
             factor_key="grid.cn.national.2021")
        for i in range(100)
    ]  # fmt: skip
    path = tmp_path / "百行.xlsm"
    path.write_bytes(fill.fill(TEMPLATE.read_bytes(), {"company": "测试"}, rows))
    text = _report(path)
    section = text.split("附录三 核查抽样计划\n")[2]
    table = section.split("核查抽样计划\n")[1].split("\n\n")[0].split("\n")[1:]
    assert len(table) == 31 and "本计划抽取 96 个排放源" in section
    assert (
        table[-1]
        == " |  |  | 其余 66 个抽样排放源（见核查包 plan.xlsx 抽样计划） | 36.75 | 66.00% |  |  | 96.00%"
    )


def test_a_jpeg_word_cannot_read_is_converted_not_refused(ready: Path, tmp_path: Path) -> None:
    """A CMYK JPEG whose header is Adobe's (no JFIF, no Exif), as scanners and Photoshop
    write it: python-docx does not know the header, Pillow reads it; the report carries it
    as PNG instead of saying （图片文件无法读取）."""
    from PIL import Image as Picture

    folder = tmp_path / "图片"
    folder.mkdir()
    picture = Picture.new("CMYK", (40, 20), (0, 128, 255, 0))
    picture.save(folder / "厂区平面图.jpg", format="JPEG")  # CMYK: an Adobe APP14 marker
    data = (folder / "厂区平面图.jpg").read_bytes()
    assert b"JFIF" not in data[:40] and b"Adobe" in data[:80]
    document = Document(io.BytesIO(render_docx(calculate_workbook(ready), images=folder)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "图片文件无法读取" not in text
    assert len(document.inline_shapes) == 4 + 1  # four charts and the site map


def test_a_category_without_rows_is_said_not_printed_as_zero(ready: Path) -> None:
    """The ready workbook has no category-1 row and excludes its one category-1 source:
    3.4 says 未量化（排除） for direct emissions, as 表7 does, not "0.00 t CO₂e"."""
    from ghgxl.report.context import build_context

    assert build_context(calculate_workbook(ready))["direct_total"] == "未量化（排除）"
    assert "其中直接排放（类别1）未量化（排除），间接排放" in _report(ready)


def test_the_rest_line_counts_computed_sources_only(tmp_path: Path) -> None:
    """12 computed rows and one in error (an unknown unit): the largest ten and 其余 2, not
    3 — the row in error has no figure in the table (E201 lists it)."""
    from ghgxl.report.sources import top_sources

    rows = [dict(ROW, id=f"E{i}", annual=1000 * i) for i in range(1, 13)]
    rows.append(dict(ROW, id="BAD", unit="kwhh"))
    path = tmp_path / "rest.xlsm"
    path.write_bytes(fill.fill(TEMPLATE.read_bytes(), READY_INFO, rows, SOURCES, SIGNIFICANCE))
    calc = calculate_workbook(path)
    assert [e.code for e in calc.errors] == ["E201"]
    listed = top_sources(calc)
    assert len(listed) == 11 and listed[-1]["name"].startswith("其余 2 个排放源")


def test_a_table_with_nothing_to_list_says_so(empty: Path) -> None:
    """No 排放源识别 row, no 活动数据 row, nothing excluded: each table filled from a list
    holds one row （无） instead of its header alone."""
    from ghgxl.report.context import build_context

    context = build_context(calculate_workbook(empty))
    lists = ("sources", "methods", "exclusion_rows", "factors", "top_sources", "dq_rows")
    for key in (*lists, "uncertainty_rows", "sample"):
        assert len(context[key]) == 1 and next(iter(context[key][0].values())) == "（无）", key
    assert not context["exclusion_listed"]
    assert "本报告期间无排除的排放源" in _report(empty)


def test_the_quality_table_has_no_rest_line_for_rows_in_error(tmp_path: Path) -> None:
    """Two computed sources and one in error: the data-quality table lists the two and no
    其余 line (it printed 其余 0 个排放源, 0.00 t, for the row in error)."""
    from ghgxl.report.sources import dq_rows

    rows = [dict(ROW, id="E1"), dict(ROW, id="E2", annual=5), dict(ROW, id="BAD", unit="kwhh")]
    path = tmp_path / "dq.xlsm"
    path.write_bytes(fill.fill(TEMPLATE.read_bytes(), READY_INFO, rows, SOURCES, SIGNIFICANCE))
    listed = dq_rows(calculate_workbook(path), "631")
    assert [r["id"] for r in listed] == ["E1", "E2"]
