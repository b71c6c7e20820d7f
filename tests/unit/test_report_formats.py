"""How the report prints: formulas with subscripts, shares that show small gases and are
each rounded on their own (one share per source in every table), column widths that fit their numbers, and rows written as XML."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ghgxl.report import tables
from ghgxl.report.formats import percentages, significant, subscript

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_subscript_formulas_only() -> None:
    assert subscript("t CO2e") == "t CO₂e"
    assert subscript("CO2、CH4、N2O") == "CO₂、CH₄、N₂O"
    assert subscript("SF6 NF3 kgCO2/kWh") == "SF₆ NF₃ kgCO₂/kWh"
    # not inside longer names, numbers or refrigerants
    assert subscript("HFC-134a R-410A CO22 HCO2 HFCs") == "HFC-134a R-410A CO22 HCO2 HFCs"


def test_percentages_show_small_shares_each_rounded_on_its_own() -> None:
    # the example's gases (t CO2e): CO2, CH4, N2O, HFCs, PFCs
    shares = percentages([415484.09, 19.63, 5.62, 22.78, 0.0])
    assert shares == ["99.99%", "0.0047%", "0.0014%", "0.0055%", "0.00%"]
    # 19.63 / 415,532.11 = 0.004724 % (two significant digits: 0.0047 %)
    printed = sum(Decimal(s.rstrip("%")) for s in shares)
    assert printed == Decimal("100.0016") and f"{printed:.2f}" == "100.00"
    # each share rounded on its own: a column may add up to 99.99 %, but no share is bent to
    # make it 100 (the example's 外购电力, 13,146.42 / 415,532.11 = 3.1638 %, was 3.17 % in
    # the table of the largest sources and 3.16 % in the others)
    assert percentages([1, 1, 1]) == ["33.33%", "33.33%", "33.33%"]
    assert percentages([13_146.42, 415_532.11 - 13_146.42]) == ["3.16%", "96.84%"]
    assert percentages([1, 7]) == ["12.50%", "87.50%"]  # halves round up: 12.5 exactly
    # a few kilograms in hundreds of thousands of tonnes: below 0.0001 %
    assert percentages([1e6, 0.0005, 0.3]) == ["100.00%", "<0.0001%", "<0.0001%"]
    assert percentages([0.0, 0.0]) == ["-", "-"]
    assert significant(0.004724) == "0.0047" and significant(1.2e-7) == "0.00000012"


def test_percentages_of_many_small_shares_still_add_up() -> None:
    values = [1000.0] + [0.05] * 400  # 400 shares of 0.05 / 1,020 = 0.0049 %
    shares = percentages(values)
    assert shares[1] == "0.0049%" and len(set(shares[1:])) == 1
    printed = sum(Decimal(s.rstrip("%")) for s in shares)
    assert f"{printed:.2f}" == "100.00"


def test_widths_fit_numbers_and_keep_the_table_width() -> None:
    # "375,586.28" in DejaVu Serif 9 pt: 8 digits of 0.636 em and 2 of 0.318 em = 5.724 em
    assert round(tables.need("375,586.28")) == round(5.724 * 9 * 20 + tables.MARGINS)
    assert list(tables.word_widths("外发石墨化加工服务")) == [1.0] * 9  # breaks anywhere
    assert list(tables.word_widths("类别1")) == [2.636]  # a short label stays whole
    # Latin runs joined by 、, and the bracket and character after the last, hold together
    # (LibreOffice left "CO" alone on a line of the identification table before)
    gases = "CO₂、CH₄、N₂O（以CO₂e计）"
    width = sum(tables.char_width(c) for c in "CO₂、CH₄、N₂O（以")
    assert max(tables.word_widths(gases)) == width
    assert max(tables.word_widths("外发石墨化往返运输（公路）")) == 2.0  # （公 and 路）
    widths = [1000, 3000, 1000]
    needs = [1500, 800, 900]
    fitted = tables.allocate(widths, needs)
    assert sum(fitted) == sum(widths) and fitted[0] >= 1500 and fitted[2] >= 900
    assert tables.allocate(widths, [500, 500, 500]) == widths  # nothing to fix


def test_rows_are_written_from_their_pattern_with_text_escaped() -> None:
    body = etree.fromstring(
        f'<w:body xmlns:w="{W}"><w:tbl><w:tblGrid><w:gridCol w:w="2000"/>'
        '<w:gridCol w:w="2000"/></w:tblGrid>'
        "<w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:p><w:r><w:t>名称</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>数值</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc><w:p><w:r><w:t>[[a.name]]</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>[[a.value]]</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body>"
    )
    columns = {"a": {"name": ["<w:p>&", "tab\x0b{x}"], "value": ["1.00", " 2 "]}}
    patterns = tables.take_row_patterns(body, columns)
    assert etree.tostring(body).count(b"<!--ghgxl-rows:a-->") == 1
    xml = b"".join(tables.row_chunks(patterns["a"], columns["a"]))
    rows = etree.fromstring(f'<w:tbl xmlns:w="{W}">'.encode() + xml + b"</w:tbl>")
    texts = [[t.text for t in row.iter(f"{{{W}}}t")] for row in rows]
    assert texts == [["<w:p>&", "1.00"], ["tab {x}", " 2 "]]
    # a long table is written as tables of a few hundred rows, each with the header row
    xml = b"".join(tables.row_chunks(patterns["a"], columns["a"], chunk=1))
    written = etree.fromstring(
        f'<w:body xmlns:w="{W}"><w:tbl>'.encode() + xml + b"</w:tbl></w:body>"
    )
    texts = [
        [[t.text for t in row.iter(f"{{{W}}}t")] for row in table.iter(f"{{{W}}}tr")]
        for table in written.iter(f"{{{W}}}tbl")
    ]
    assert texts == [[["<w:p>&", "1.00"]], [["名称", "数值"], ["tab {x}", " 2 "]]]
    assert [child.tag.split("}")[1] for child in written] == ["tbl", "p", "tbl"]


def test_a_company_factor_several_sources_use_is_named_after_them() -> None:
    from ghgxl.factors import FactorLibrary
    from ghgxl.report.factor_table import factor_table

    def row(name: str) -> dict[str, object]:
        return dict(source=name, unit="t", factor=1.0, factor_unit="tCO2/t", factor_source="SDS")

    two = factor_table([row("甲"), row("乙"), row("甲")], FactorLibrary.default(), "AR6", 2023)
    assert [e["name"] for e in two.entries] == ["甲、乙（自定因子）"] and two.row_refs == ["F1"] * 3
    five = factor_table([row(n) for n in "甲乙丙丁戊"], FactorLibrary.default(), "AR6", 2023)
    assert five.entries[0]["name"] == "甲、乙、丙 等 5 个排放源（自定因子）"


def test_a_signed_change_that_rounds_to_nothing_has_no_sign() -> None:
    """ "删除 +0.00 t" read as if something were removed: zero is 0.00."""
    from ghgxl.report.years import signed

    assert [signed(v) for v in (0.0, -0.0, 0.004, -0.004)] == ["0.00"] * 4
    assert signed(425) == "+425.00" and signed(-1234.5) == "−1,234.50"


def test_chart_ticks_carry_the_decimals_their_step_needs() -> None:
    """A chart of a few tonnes ticks 0, 0.5, 1.0 … (it printed 0 0 1 1 2 2); one of
    hundreds of thousands 0, 50,000 …; never -0."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ghgxl.report.charts import Thousands

    def ticks(values: list[float]) -> list[str]:
        figure, axes = plt.subplots()
        axes.barh(range(len(values)), values)
        axes.xaxis.set_major_formatter(Thousands())
        figure.canvas.draw()
        labels = [t.get_text() for t in axes.get_xticklabels()]
        plt.close(figure)
        return labels

    assert ticks([0.3, 2.4])[:3] == ["0", "0.5", "1.0"]
    assert ticks([30_000, 400_000])[:3] == ["0", "50,000", "100,000"]
    assert "-0" not in ticks([0.0, 0.0]) and "−0" not in ticks([0.0, 0.0])
