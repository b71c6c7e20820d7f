"""The report path holds whatever a workbook holds: source names with ``$`` or control
characters are drawn as written, a PDF conversion that hangs is stopped with everything it
started, and the same workbook gives the same .docx bytes."""

from __future__ import annotations

import io
import struct
import warnings
from pathlib import Path

import pytest
from docx import Document
from matplotlib.text import Text

from ghgxl.report import charts
from ghgxl.report.render import render_docx
from ghgxl.workbook import fill, template
from ghgxl.workbook.calc import calculate_workbook

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "workbook" / "examples" / "example-2023.xlsm"

# --- 1. chart labels are plain text -------------------------------------------------------

#: Source names matplotlib would read as mathtext: drawn as x² (the first), or an exception.
MATH_LIKE = ["锅炉 $x^2$ 号", "$5 per kWh", "$a_$", "$\\foo$", "$$", "成本 $ 与 $ 排放"]
#: Other names that are hard on a chart: backslashes, _ and ^, braces, very long, empty.
AWKWARD = ["C:\\锅炉\\1#", "a_b^c {x} %", "长" * 300, ""]


def _texts(figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_text()]


def _labels(figure) -> list[str]:
    """The source (or category) names along the chart's axis, in order."""
    axes = figure.axes[0]
    ticks = axes.get_yticklabels() if axes.yaxis_inverted() else axes.get_xticklabels()
    return [t.get_text() for t in ticks]


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every chart figure drawn while the fixture is in use, drawn as the PNG is."""
    figures = []
    to_png = charts._png

    def recording(figure):
        figure.canvas.draw()  # inside bar_chart's rc_context, as savefig draws it
        figures.append(figure)
        return to_png(figure)

    monkeypatch.setattr(charts, "_png", recording)
    return figures


def test_source_names_are_drawn_as_written(tmp_path: Path, drawn) -> None:
    names = MATH_LIKE + AWKWARD
    rows = [
        dict(id=f"S{i}", source=name, category=1, annual=100 * (20 - i), unit="MWh",
             factor_key="grid.cn.national.2021")
        for i, name in enumerate(names)
    ]  # fmt: skip
    workbook = tmp_path / "names.xlsm"
    workbook.write_bytes(
        fill.fill((ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes(), {}, rows)
    )
    docx = render_docx(calculate_workbook(workbook))  # E901 (mathtext's ValueError) before
    assert Document(io.BytesIO(docx)).paragraphs
    category, gas, top = drawn
    assert _labels(category) == [f"类别{c}" for c in range(1, 7)] and "CO2" in _labels(gas)
    assert _labels(top) == [
        *MATH_LIKE,  # the text itself, not what mathtext would make of it
        "C:\\锅炉\\1#",
        "a_b^c {x} %",
        "长" * (charts.MAX_LABEL - 1) + "…",
        "S9",  # the source with no name is shown by its id
    ]
    assert top.axes[0].get_title() == "排放量最大的十个排放源 (t CO2e)"
    texts = [t for figure in drawn for t in _texts(figure)]
    assert texts and not any(t.get_parse_math() for t in texts)


#: Names with control characters and line breaks: missing glyphs (a warning each) before.
CONTROL = ["nul\x00byte", "bell\x07", "tab\there", "Alt+Enter\nin a cell", "line\u2028sep", ""]


def test_control_characters_and_long_names_are_drawn_cleanly(drawn) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph 0 (\x00) missing from font(s) ..."
        png = charts.bar_chart([*CONTROL, "x" * 20000], [1.0] * 7, "t\x07itle", horizontal=True)
        charts.bar_chart(CONTROL, [1.0] * 6, "vertical")
    assert _labels(drawn[0]) == [
        "nul byte",
        "bell",
        "tab here",
        "Alt+Enter in a cell",
        "line sep",
        "",
        "x" * (charts.MAX_LABEL - 1) + "…",
    ]
    assert drawn[0].axes[0].get_title() == "t itle"
    assert _labels(drawn[1]) == _labels(drawn[0])[:6]
    width, _ = struct.unpack(">II", png[16:24])  # the PNG's IHDR
    assert width < 2000, f"a long name stretched the chart to {width} px"


def test_plain_label() -> None:
    assert charts.plain_label(" a\r\n\tb  c ") == "a b c"
    assert charts.plain_label("$x^2$") == "$x^2$"
    assert charts.plain_label("长" * 41) == "长" * 39 + "…"
    assert charts.plain_label("长" * 40) == "长" * 40
    assert charts.plain_label("长" * 41, limit=None) == "长" * 41
