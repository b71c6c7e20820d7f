"""The Word report: every number from the engine, ISO 14064-1 clause 9.3 content, safe user
text, a template whose variables the context provides, and a PDF."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docxtpl import DocxTemplate
from matplotlib import font_manager

from ghgxl.cli import main
from ghgxl.report import charts, provenance
from ghgxl.report import context as report_context
from ghgxl.report.formats import percentages, subscript
from ghgxl.report.render import jinja_env, render_docx, template_path
from ghgxl.report.template import build_report_template
from ghgxl.workbook import fill, template
from ghgxl.workbook.calc import calculate_workbook
from tests.integration.test_workbook import ROWS
from tests.support import soffice

ROOT = Path(__file__).parents[2]
CHART_VARIABLES = {"chart_category", "chart_scope", "chart_top", "chart_sites"}


def docx_text(path_or_bytes) -> str:
    """Paragraphs and table cells of the body (and the header), in document order."""
    document = Document(path_or_bytes)
    parts = [p.text for p in document.sections[0].header.paragraphs]
    for block in document.element.body.iterchildren():
        if block.tag.endswith("}p"):
            parts.append("".join(t.text or "" for t in block.iter() if t.tag.endswith("}t")))
        elif block.tag.endswith("}tbl"):
            for row in block.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iterchildren():
                        if cell.tag.endswith("}tc"):
                            cells.append(
                                "".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t"))
                            )
                    parts.append(" | ".join(cells))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "filled.xlsm"
    info = {
        "company": "测试公司",
        "company_profile": "{{ 7*7 }} {% for x in [1] %}loop{% endfor %} <w:p>&",
        "sites": "一厂、二厂",
    }
    sources = [
        dict(id="S1", source="叉车柴油", category=1, included="纳入", gases="CO2、CH4、N2O"),
        dict(id="X1", source="应急柴油发电机", category=1, included="排除", exclusion_reason="仅维护性启动，用量小", estimate_tco2e=0.8),
    ]  # fmt: skip
    path.write_bytes(
        fill.fill((ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes(), info, ROWS, sources)
    )
    return path


@pytest.fixture(scope="module")
def rendered(workbook: Path) -> tuple[str, dict]:
    calc = calculate_workbook(workbook)
    text = docx_text(__import__("io").BytesIO(render_docx(calc)))
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["calc", str(workbook), "--json", "-"]).stdout)
    return text, data


def test_template_is_up_to_date(tmp_path: Path) -> None:
    rebuilt = tmp_path / "report.docx"
    build_report_template(rebuilt)
    assert rebuilt.read_bytes() == (ROOT / "templates" / "report-template.docx").read_bytes()


def test_template_uses_only_context_variables(workbook: Path) -> None:
    used = DocxTemplate(str(template_path())).get_undeclared_template_variables(jinja_env())
    provided = set(report_context.build_context(calculate_workbook(workbook))) | CHART_VARIABLES
    assert used, "no variables found: the check itself is broken"
    assert used <= provided, f"the template uses what the context lacks: {sorted(used - provided)}"


def test_no_template_tags_left(rendered) -> None:
    text, _ = rendered
    assert "{{" not in text.replace("{{ 7*7 }}", "") and "{%" not in text.replace(
        "{% for x in [1] %}", ""
    ).replace("{% endfor %}", "")


def test_user_text_is_printed_not_run(rendered) -> None:
    text, _ = rendered
    assert "{{ 7*7 }} {% for x in [1] %}loop{% endfor %} <w:p>&" in text
    assert "49" not in text.split("1.1 公司简介")[-1].split("\n")[1]


def _money(value: float) -> str:
    return f"{value:,.2f}"


def test_every_number_comes_from_the_engine(rendered) -> None:
    text, data = rendered
    assert f"排放总量为 {_money(data['total_tco2e'])} 吨" in text
    for category, value in data["by_category"].items():
        # a category without a 活动数据 row prints what it is, never 0.00
        shown = re.escape(_money(value)) if value else "(?:未量化（排除）|无排放源)"
        assert re.search(rf"^{category} \| 类别{category} [^|]* \| {shown} \| ", text, re.M), (
            category
        )
    for gas in ("CO2", "CH4", "N2O", "HFCs"):  # the formula printed with subscripts (CO₂)
        value = re.escape(_money(data["by_gas"][gas]))
        assert re.search(rf"^{subscript(gas)} \| {value} \| ", text, re.M), gas
    scope1 = data["by_category_gas"]["1"]
    row = " | ".join(
        [
            "类别1",
            *(
                _money(scope1[g])
                for g in ("CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3", "CO2e")
            ),
            _money(data["by_category"]["1"]),
        ]
    )
    assert row in text
    assert (
        f"加权平均积分总计为 {data['data_quality']['score']:.4f}，整体数据质量等级为第{data['data_quality']['grade']}"
        in text
    )


def test_percentages_are_each_rounded_and_add_up_to_about_100(rendered) -> None:
    """Each share is its own value rounded (the same source shows one share in every table);
    the column adds up to 100 % within the rounding of its rows, and the report says so."""
    text, _ = rendered
    table = text.split(" 温室气体排放类别及排放量\n")[1].split("合计")[0]
    rows = re.findall(r"^\d \| 类别\d [^|]* \| ([\d,.]+) \| ([\d.]+)%$", table, re.M)
    assert len(rows) >= 3
    values = [float(v.replace(",", "")) for v, _ in rows]
    for value, (_, share) in zip(values, rows, strict=True):
        assert share == f"{value / sum(values) * 100:.2f}"
    assert abs(sum(float(s) for _, s in rows) - 100) <= 0.005 * len(rows)
    assert "各项占比分别四舍五入" in text
    assert percentages([1, 1, 1]) == ["33.33%", "33.33%", "33.33%"]


ISO_14064_9_3 = {  # element of ISO 14064-1:2018 clause 9.3.1 → what the report must say
    "reporting organization": "测试公司",
    "responsible person": "报告负责人",
    "reporting period": "盘查期间为",
    "organizational boundaries": "组织边界",
    "reporting boundaries and significance criteria": "重大间接排放的判定准则",
    "direct emissions per gas (t CO2e)": "直接温室气体排放量（范围一，类别1，按气体）",
    "biogenic CO2 separately": "生物质燃烧产生的 CO₂ 单独报告",
    "removals": "移除量",
    "exclusions explained": "排除的排放源",
    "indirect emissions by category": "其他间接温室气体排放量（类别3–6，按气体）",
    "base year": "基准年",
    "methods and changes": "量化方法与排放因子的变更",
    "factors used": "附录一 排放因子表",
    "GWPs and their source": "IPCC 第六次评估报告第一工作组报告（2021）",
    "uncertainty": "不确定性",
    "statement of conformity": "符合性声明",
    "verification status": "查证状态",
}


def test_iso_14064_clause_9_3_content(rendered) -> None:
    text, _ = rendered
    missing = [element for element, phrase in ISO_14064_9_3.items() if phrase not in text]
    assert missing == []
    assert "应急柴油发电机 | 仅维护性启动，用量小 | 0.80" in text


@pytest.mark.skipif(
    soffice() is None or shutil.which("pdftoppm") is None,
    reason="LibreOffice and poppler are installed by .ci/run",
)
def test_report_to_pdf_and_png(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "报告.docx"
    result = CliRunner().invoke(main, ["report", str(workbook), "-o", str(out), "--pdf"])
    assert "Traceback" not in result.output
    pdf = out.with_suffix(".pdf")
    assert out.exists() and pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    assert len(list(tmp_path.glob("page-*.png"))) == 3


EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"
GOLDEN = ROOT / "tests" / "golden" / "example-report.txt"


def test_golden_text_of_the_example_report() -> None:
    """The whole text of the bundled example's report, reviewed once and kept in
    tests/golden/ (regenerate with GHGXL_UPDATE_GOLDEN=1 and review the diff)."""
    import io
    import os

    text = docx_text(io.BytesIO(render_docx(calculate_workbook(EXAMPLE)))) + "\n"
    digest = provenance.sha256(EXAMPLE)  # the workbook's own hash, which every rebuild changes
    assert text.count(digest) == 1
    text = text.replace(digest, "<SHA-256 of the example workbook>")
    if os.environ.get("GHGXL_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_previous_year_in_the_performance_chapter(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsm"
    info = {"company": "测试公司", "previous_year": 2023, "previous_total": 50.0}
    rows = [dict(id="E1", category=2, annual=100, unit="MWh", factor_key="grid.cn.national.2021")]
    path.write_bytes(
        fill.fill((ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes(), info, rows)
    )
    import io

    text = docx_text(io.BytesIO(render_docx(calculate_workbook(path))))
    # 100 MWh × 0.5568 = 55.68 t; (55.68 − 50) / 50 = +11.36 %
    assert "2023 年度为 50.00 t CO₂e（基本信息“上一年度排放总量”所填），变化 +11.36%。" in text
    info["previous_total"] = 60.0  # (55.68 − 60) / 60 = −7.20 %, with the report's minus
    path.write_bytes(
        fill.fill((ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes(), info, rows)
    )
    text = docx_text(io.BytesIO(render_docx(calculate_workbook(path))))
    assert "2023 年度为 60.00 t CO₂e（基本信息“上一年度排放总量”所填），变化 −7.20%。" in text


def test_a_typed_previous_total_gives_way_to_the_previous_workbook(tmp_path: Path) -> None:
    """With last year's workbook given, chapter 10 compares the two on one basis: the figure
    typed in 基本信息 (perhaps location-based where this year is market-based) is not
    printed beside it as a second, different total for the same year."""
    from ghgxl.workbook.change import attach_years

    base = dict(category=2, unit="MWh", factor_key="grid.cn.national.2021")
    last, this = tmp_path / "2023.xlsm", tmp_path / "2024.xlsm"
    empty = (ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes()
    last.write_bytes(fill.fill(empty, {"reporting_year": 2023, "base_year": 2023},
                               [dict(base, id="E1", annual=100)]))  # fmt: skip
    info = {"reporting_year": 2024, "base_year": 2023, "previous_year": 2023, "previous_total": 9}
    this.write_bytes(fill.fill(empty, info, [dict(base, id="E1", annual=110)]))
    calc = calculate_workbook(this)
    attach_years(calc, previous=last)
    text = docx_text(__import__("io").BytesIO(render_docx(calc)))
    assert "9.00 t CO₂e" not in text and "所填" not in text
    assert "与 2023 年度比较：总排放量由 55.68 t CO₂e 变为 61.25 t CO₂e" in text


def _cjk_font_files() -> list[str]:
    return [
        p
        for p in font_manager.findSystemFonts()
        if any(name in Path(p).name.lower() for name in charts.CJK_FILES)
    ]


def test_chart_labels_have_their_chinese_glyphs(monkeypatch: pytest.MonkeyPatch) -> None:
    if not _cjk_font_files():
        pytest.skip("no CJK font installed (.ci/run installs fonts-noto-cjk)")
    # a font list cached before the CJK font was installed: the font is still found
    stale = [f for f in font_manager.fontManager.ttflist if f.name not in charts.CJK_FONTS]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    assert charts._font()[0] in charts.CJK_FONTS
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        png = charts.bar_chart(["范围一", "范围二"], [1.0, 2.0], "按类别排放量")
    assert png.startswith(b"\x89PNG")
