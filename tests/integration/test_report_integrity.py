"""The report path holds whatever a workbook holds: source names with ``$`` or control
characters are drawn as written, a PDF conversion that hangs is stopped with everything it
started, and the same workbook gives the same .docx bytes."""

from __future__ import annotations

import io
import os
import re
import signal
import struct
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from docx import Document
from matplotlib.text import Text

from ghgxl.errors import GhgError
from ghgxl.report import charts, render
from ghgxl.report.context import CATEGORY_NAMES
from ghgxl.report.render import render_docx
from ghgxl.workbook import fill, template, xlsx
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
    category, scope, top, sites = drawn
    assert _labels(sites) == ["names"]  # the one site: the workbook, named by its file
    assert _labels(category) == list(CATEGORY_NAMES.values())
    assert _labels(scope) == list(render.SCOPE_NAMES.values())
    assert _labels(top) == [
        *MATH_LIKE,  # the text itself, not what mathtext would make of it
        "C:\\锅炉\\1#",
        "a_b^c {x} %",
        "长" * (charts.MAX_LABEL - 1) + "…",
        "S9",  # the source with no name is shown by its id
    ]
    assert top.axes[0].get_title() == "排放量最大的十个排放源 (t CO₂e) 及累计占比"
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


# --- 2. a PDF conversion that hangs is stopped, with what it started ----------------------

#: A stand-in for LibreOffice: like soffice it starts a child (soffice.bin) and waits for it.
#: It writes "<its pid> <the child's pid>" where GHGXL_FAKE_PIDS says, then does ``then``.
FAKE_SOFFICE = """#!/bin/sh
sleep 300 &
echo "$$ $!" > "$GHGXL_FAKE_PIDS"
{then}
wait
"""
needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads process states from /proc (Linux)"
)


def _state(pid: int) -> tuple[str, int] | None:
    """(state, process group) of a process, None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields[0], int(fields[2])


def _running(pid: int) -> bool:
    state = _state(pid)
    return state is not None and state[0] not in "ZXx"  # a zombie has ended


def _group(pgid: int) -> list[int]:
    """The processes of group ``pgid`` that still run."""
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    return [pid for pid in pids if (_state(pid) or ("X", 0))[1] == pgid and _running(pid)]


def _survivors(leader: int, child: int) -> list[int]:
    """What still runs of the fake LibreOffice, after a few seconds for the kernel to reap."""
    deadline = time.monotonic() + 5
    while True:
        left = sorted({*_group(leader), *([child] if _running(child) else [])})
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Put a fake ``soffice`` first on PATH; yields a function that writes it and returns the
    file its pids go to. Whatever of it is left at the end is killed (by pid)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    pids = tmp_path / "pids"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("GHGXL_FAKE_PIDS", str(pids))

    def make(then: str = "") -> Path:
        script = folder / "soffice"
        script.write_text(FAKE_SOFFICE.format(then=then), encoding="utf-8")
        script.chmod(0o755)
        return pids

    yield make
    if pids.exists():
        for pid in map(int, pids.read_text().split()):
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


@needs_proc
def test_a_pdf_conversion_that_times_out_is_stopped_whole(
    tmp_path: Path, fake_soffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    pids = fake_soffice()
    monkeypatch.setattr(render, "PDF_TIMEOUT_S", 1)
    docx = tmp_path / "报告.docx"
    docx.write_bytes(b"PK")
    started = time.monotonic()
    with pytest.raises(GhgError) as caught:
        render.docx_to_pdf(docx, tmp_path)
    leader, child = map(int, pids.read_text().split())
    assert _survivors(leader, child) == [], "soffice.bin (here: sleep) outlived the timeout"
    assert time.monotonic() - started < 30
    assert caught.value.code == "E606"
    assert "did not finish within 1 s and was stopped" in caught.value.message_en


@needs_proc
def test_ctrl_c_during_the_pdf_conversion_stops_libreoffice(
    tmp_path: Path, fake_soffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the fake presses Ctrl+C on us (SIGINT to its parent) once it has started its child
    pids = fake_soffice(then="sleep 1; kill -INT $PPID")
    monkeypatch.setattr(render, "PDF_TIMEOUT_S", 60)
    # Python raises KeyboardInterrupt on SIGINT unless it started with SIGINT ignored (as a
    # background job of a shell does): the handler a terminal gives it, whoever started us
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    docx = tmp_path / "报告.docx"
    docx.write_bytes(b"PK")
    try:
        with pytest.raises(KeyboardInterrupt):
            render.docx_to_pdf(docx, tmp_path)
    finally:
        signal.signal(signal.SIGINT, previous)
    leader, child = map(int, pids.read_text().split())
    assert _survivors(leader, child) == []


def test_libreoffice_failing_is_e606_with_its_last_words(tmp_path: Path, fake_soffice) -> None:
    fake_soffice(then="kill $!; echo 'Error: source file could not be loaded' >&2; exit 1")
    docx = tmp_path / "报告.docx"
    docx.write_bytes(b"PK")
    with pytest.raises(GhgError) as caught:
        render.docx_to_pdf(docx, tmp_path)
    assert caught.value.code == "E606"
    assert "status 1: Error: source file could not be loaded" in caught.value.message_en


# --- 3. the same workbook gives the same .docx bytes --------------------------------------


def test_the_same_workbook_gives_the_same_report_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    calc = calculate_workbook(EXAMPLE)
    first = render_docx(calc)
    clock = time.time
    monkeypatch.setattr(time, "time", lambda: clock() + 400 * 86400 + 3)  # zipfile's clock
    second = render_docx(calc)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        members = package.infolist()
        core = package.read("docProps/core.xml").decode()
    assert {m.date_time for m in members} == {xlsx.FIXED_ZIP_TIME}
    assert {(m.external_attr, m.create_system, m.compress_type) for m in members} == {
        (0o600 << 16, 3, zipfile.ZIP_DEFLATED)
    }
    assert [m.filename for m in members][:3] == [
        "[Content_Types].xml",
        "_rels/.rels",
        "docProps/core.xml",
    ]
    assert (
        re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
        == ["2026-01-01T00:00:00Z"] * 2
    )
