"""Corrupt, hostile and messy files: a clear error in bounded time and memory, the input
untouched; real-world mess (moved columns, a repeated header row) read correctly; a write
killed half-way loses nothing; user text never becomes a formula; no network."""

from __future__ import annotations

import io
import json
import re
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.workbook import fill, xlsx
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import calculate_workbook
from tests.support import ROOT, TEMPLATE, TWO_ROW_BOOK


def _cli(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def _with_member(
    package: bytes, name: str, data: bytes, compress: int = zipfile.ZIP_DEFLATED
) -> bytes:
    members = xlsx.read_members(package)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compress) as out:
        for member, content in members.items():
            out.writestr(member, data if member == name else content)
    return buffer.getvalue()


def _activity_part(package: bytes) -> str:
    return xlsx.sheet_parts(xlsx.read_members(package))[L.SHEET_ACTIVITY]


FILLED = TWO_ROW_BOOK
BOMB_XML = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;&lol%s;">'
        % ((i,) + (b"" if i == 1 else str(i - 1).encode(),) * 10)
        for i in range(1, 10)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)
HOSTILE = {
    "not a zip": (b"just some text, not a workbook", "E601"),
    "truncated zip": (FILLED[: len(FILLED) // 2], "E601"),
    "a csv renamed .xlsm": (b"id,category\n1,2\n", "E601"),
    "password-protected (OLE container)": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096,
        "E608",
    ),
    "XML bomb (billion laughs)": (_with_member(FILLED, _activity_part(FILLED), BOMB_XML), "E609"),
    "zip bomb (huge ratio)": (
        _with_member(
            FILLED, _activity_part(FILLED), b"<worksheet>" + b" " * (50 * 2**20) + b"</worksheet>"
        ),
        "E609",
    ),
    "a sheet claiming a million rows": (
        _with_member(
            FILLED,
            _activity_part(FILLED),
            b'<worksheet><dimension ref="A1:AQ1048576"/><sheetData/></worksheet>',
        ),
        "E610",
    ),
    "a sheet claiming columns past XFD": (
        _with_member(
            FILLED,
            _activity_part(FILLED),
            b'<worksheet><dimension ref="A1:ZZZZ5"/><sheetData/></worksheet>',
        ),
        "E610",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_files_get_a_clear_error_and_stay_untouched(case: str, tmp_path: Path) -> None:
    data, code = HOSTILE[case]
    path = tmp_path / "清册.xlsm"
    path.write_bytes(data)
    for command in (
        ["calc", str(path), "--in-place"],
        ["check", str(path)],
        ["report", str(path), "-o", str(tmp_path / "r.docx")],
    ):
        start = time.perf_counter()
        result = _cli(*command)
        assert time.perf_counter() - start < 20
        assert result.exit_code == 2, (case, command, result.output)
        assert f"[{code}]" in result.output and " / " in result.output  # Chinese / English
        english = result.output.split(" / ", 1)[1].replace("清册.xlsm", "")
        for name in (L.SHEET_ACTIVITY, L.SHEET_INFO, L.SHEET_SOURCES):  # names, not words
            english = english.replace(name, "")
        assert not re.search(r"[\u4e00-\u9fff]", english), english  # said once, in English
    assert path.read_bytes() == data
    assert list(tmp_path.iterdir()) == [path]  # no backup, no half-written output


def test_moved_columns_and_a_repeated_header_row(tmp_path: Path) -> None:
    """A user inserts a column before 排放源 and pastes a second header row: both are read."""
    plain = tmp_path / "plain.xlsm"
    plain.write_bytes(FILLED)
    expected = calculate_workbook(plain).result.total
    book = openpyxl.load_workbook(plain, keep_vba=True)
    sheet = book[L.SHEET_ACTIVITY]
    sheet.insert_cols(3)
    sheet["C4"] = "我加的备注列"
    sheet.insert_rows(5)
    for column in range(1, sheet.max_column + 1):
        sheet.cell(row=5, column=column, value=sheet.cell(row=4, column=column).value)
    moved = tmp_path / "moved.xlsm"
    book.save(moved)
    calculation = calculate_workbook(moved)
    assert calculation.result.total == pytest.approx(expected)
    assert calculation.data.activity_columns["unit"] == "W"  # was V: one column to the right
    broken = tmp_path / "broken.xlsm"
    sheet.cell(row=4, column=23, value="单位？")
    book.save(broken)
    result = _cli("calc", str(broken))
    assert result.exit_code == 2 and "[E602]" in result.output and "单位" in result.output


def test_user_text_is_never_written_as_a_formula(tmp_path: Path) -> None:
    out = tmp_path / "new.xlsm"
    assert (
        _cli("workbook", "new", str(out), "--company", '=HYPERLINK("http://x","y")').exit_code == 0
    )
    members = xlsx.read_members(out)
    info = members[xlsx.sheet_parts(members)[L.SHEET_INFO]].decode()
    cell = info[info.index(f'<c r="{L.info_cell("company")}"') :].split("</c>")[0]
    assert "<f>" not in cell and "inlineStr" in cell
    book = openpyxl.load_workbook(out)
    assert book[L.SHEET_INFO][L.info_cell("company")].data_type == "s"


def test_no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args, **_kwargs):
        raise AssertionError("ghgxl opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    path = tmp_path / "book.xlsm"
    path.write_bytes(FILLED)
    assert _cli("calc", str(path), "-o", str(tmp_path / "out.xlsm")).exit_code == 0
    assert _cli("check", str(path)).exit_code in (0, 1)
    assert _cli("report", str(path), "-o", str(tmp_path / "r.docx")).exit_code == 0


def test_the_same_workbook_gives_byte_identical_json(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsm"
    path.write_bytes(FILLED)
    first = _cli("calc", str(path), "--json", "-").stdout
    assert first == _cli("calc", str(path), "--json", "-").stdout
    assert json.loads(first)["total_tco2e"] > 0


def _big_workbook(path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import run  # bench/run.py builds a ghgxl workbook of N rows

    run.ghgxl_workbook(run.inventory(20_000), path)


@pytest.mark.parametrize("delay", [0.4, 0.9, 1.5, 2.2])
def test_a_write_killed_half_way_loses_nothing(tmp_path: Path, delay: float) -> None:
    source = tmp_path / "big.xlsm"
    _big_workbook(source)
    original = source.read_bytes()
    ghgxl = str(Path(sys.executable).with_name("ghgxl"))
    process = subprocess.Popen(
        [ghgxl, "calc", str(source), "--in-place"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    now = source.read_bytes()
    backups = list(tmp_path.glob("big.backup-*.xlsm"))
    if now != original:  # the replace happened: it is complete, and the backup is the original
        with zipfile.ZipFile(source) as package:
            assert package.testzip() is None
        assert len(backups) == 1 and backups[0].read_bytes() == original
    for backup in backups:
        assert backup.read_bytes() == original  # a backup is complete or absent
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert all(name.endswith(".tmp") for name in leftovers)


def test_real_world_mess(tmp_path: Path) -> None:
    """Dates in amount cells, numbers as text with full-width digits and spaces, empty rows in
    the middle, a formula without a cached value where a number is expected."""
    import datetime as dt

    rows = [
        dict(
            id="A",
            category=2,
            annual=dt.datetime(2023, 5, 1),
            unit="kWh",
            factor_key="grid.cn.national.2021",
        ),
        dict(
            id="B",
            category=2,
            annual="１，０００",
            unit=" kWh\u3000",
            factor_key=" grid.cn.national.2021 ",
        ),
        {},  # an empty row in the middle
        dict(id="C", category=2, annual=500, unit="kWh", factor_key="GRID.CN.NATIONAL.2021"),
    ]
    package = fill.fill(TEMPLATE, {"company": "测试"}, [r for r in rows if r])
    path = tmp_path / "mess.xlsm"
    path.write_bytes(package)
    calculation = calculate_workbook(path)
    codes = {(e.code, e.cell) for e in calculation.errors}
    assert ("E102", f"活动数据!{L.ACT_COL['annual']}5") in codes  # the date
    assert calculation.result.total == pytest.approx(1.5 * 0.5568)  # 1,000 + 500 kWh


def test_missing_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    path = tmp_path / "other.xlsx"
    book.save(path)
    result = _cli("calc", str(path))
    assert (
        result.exit_code == 2
        and "[E612]" in result.output
        and "缺少工作表 基本信息" in result.output
    )
