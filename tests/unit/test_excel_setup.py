"""``ghgxl excel setup`` and ``ghgxl excel doctor`` on a simulated Windows.

Windows is simulated through the seam of :mod:`ghgxl.xlconfig` (``on_windows``,
``ansi_encoding``: GBK, as on a Chinese Windows) with ``USERPROFILE`` in ``tmp_path``;
the Python that "Excel starts" is a ``python.exe`` under ``tmp_path`` that runs this
interpreter. What is written is read back with xlwings' own reader
(``xlwings.utils.read_user_config``) and, for workbooks, with openpyxl and calamine.
"""

from __future__ import annotations

import builtins
import functools
import re
import sys
from pathlib import Path

import openpyxl
import pytest
import xlwings
import xlwings.utils
from click.testing import CliRunner

from ghgxl import excel, xlconfig
from ghgxl.cli import main
from ghgxl.workbook import conf as wbconf
from ghgxl.workbook import template, xlsx
from ghgxl.workbook.names import SHEET_CONF, XLWINGS_VERSION_NAME

PYTHON = sys.executable  # the real interpreter, before a test pretends to be another
VERSION = xlwings.__version__
CONF_PART = xlsx.sheet_parts(xlsx.read_members(template.template_path()))[SHEET_CONF]


# -- the simulated machine ---------------------------------------------------------------


def fake_python(folder: Path) -> Path:
    """``python.exe`` in ``folder``: a script running this interpreter."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "python.exe"
    exe.write_text(f'#!/bin/sh\nexec "{PYTHON}" "$@"\n')
    exe.chmod(0o755)
    return exe


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A Chinese Windows: the user's profile, and ghgxl running in a python.org Python
    with the xlwings DLLs beside it and pywin32 (stubs) importable."""
    if sys.platform == "win32":
        pytest.skip("simulates Windows on a POSIX system (python.exe is a shell script)")
    profile = tmp_path / "Users" / "zhang"
    profile.mkdir(parents=True)
    monkeypatch.setenv("USERPROFILE", str(profile))
    monkeypatch.setenv("HOME", str(profile))
    monkeypatch.setattr(xlconfig, "on_windows", lambda: True)
    monkeypatch.setattr(xlconfig, "ansi_encoding", lambda: "gbk")
    python = fake_python(tmp_path / "Programs" / "Python" / "Python312")
    for bits in (32, 64):
        (python.parent / f"xlwings{bits}-{VERSION}.dll").write_bytes(b"")
    monkeypatch.setattr(sys, "executable", str(python))
    stubs = tmp_path / "stubs"
    (stubs / "win32com").mkdir(parents=True)
    for name in ("pythoncom.py", "pywintypes.py", "win32com/__init__.py", "win32com/client.py"):
        (stubs / name).write_text("")
    monkeypatch.setenv("PYTHONPATH", str(stubs))
    return profile / ".xlwings" / "xlwings.conf"


@pytest.fixture
def run():
    runner = CliRunner(env={"COLUMNS": "250"})

    def invoke(*args: object):
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
        assert "Traceback" not in result.output
        return result

    return invoke


def xlwings_reads(monkeypatch: pytest.MonkeyPatch, config: Path, encoding: str = "gbk"):
    """The user config as xlwings' Python reads it, on a Windows whose locale code page is
    ``encoding`` (xlwings opens the file with the locale's encoding)."""
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(config))
    monkeypatch.setattr(
        xlwings.utils, "open", functools.partial(builtins.open, encoding=encoding), raising=False
    )
    return xlwings.utils.read_user_config()


def healthy(**more: object) -> dict[str, object]:
    """What the probe finds in a complete installation."""
    import ghgxl

    return {"python": [3, 12, 4], "ghgxl": ghgxl.__version__, "xlwings": VERSION,
            "pywin32": True, "udfs": True, **more}  # fmt: skip


# -- workbooks ----------------------------------------------------------------------------


def _renumbered(xml: bytes, by: int) -> bytes:
    xml = re.sub(rb'(<row\b[^>]*?\br=")(\d+)', lambda m: m[1] + b"%d" % (int(m[2]) + by), xml)
    xml = re.sub(rb'(<c\b[^>]*?\br="[A-Z]+)(\d+)', lambda m: m[1] + b"%d" % (int(m[2]) + by), xml)
    return re.sub(rb'(<dimension ref="A1:B)(\d+)', lambda m: m[1] + b"%d" % (int(m[2]) + by), xml)


def old_style(path: Path) -> Path:
    """The template as it was before ghgxl excel setup: ``Interpreter_Win = python`` in
    row 1 of its xlwings.conf sheet, the other rows one lower."""
    members = xlsx.read_members(template.template_path())
    row = (b'<row r="1"><c r="A1" s="1" t="inlineStr"><is><t>Interpreter_Win</t></is></c>'
           b'<c r="B1" s="1" t="inlineStr"><is><t>python</t></is></c></row>')  # fmt: skip
    xml = _renumbered(members[CONF_PART], 1)
    members[CONF_PART] = xml.replace(b"<sheetData>", b"<sheetData>" + row, 1)
    path.write_bytes(xlsx.write_package(members))
    return path


def sheet_settings(path: Path) -> list[tuple[object, object]]:
    sheet = openpyxl.load_workbook(path)[SHEET_CONF]
    rows = []
    for key, value in sheet.iter_rows(max_col=2, values_only=True):
        if key is None:
            break
        rows.append((key, value))
    return rows


def test_template_names_no_interpreter_and_records_the_vba_version() -> None:
    path = template.template_path()
    settings = sheet_settings(path)
    keys = [key.upper() for key, _ in settings]
    assert "INTERPRETER_WIN" not in keys and "INTERPRETER_MAC" not in keys
    assert ("UDF Modules", "ghgxl.udfs") in settings
    assert keys == ["PYTHONPATH", "CONDA PATH", "CONDA ENV", "UDF MODULES", "DEBUG UDFS",
                    "USE UDF SERVER", "SHOW CONSOLE"]  # fmt: skip
    recorded = wbconf.read_conf(path).xlwings_version
    assert recorded == template.vba_xlwings_version(path) == VERSION
    workbook = openpyxl.load_workbook(path)
    assert workbook.defined_names[XLWINGS_VERSION_NAME].hidden


def test_a_new_workbook_keeps_the_recorded_version(run, tmp_path: Path) -> None:
    out = tmp_path / "清册.xlsm"
    assert run("workbook", "new", out, "--rows", "250").exit_code == 0
    assert wbconf.read_conf(out).xlwings_version == VERSION


# -- the user config ----------------------------------------------------------------------


def test_setup_writes_the_interpreter_and_keeps_the_other_settings(
    windows: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    windows.parent.mkdir()
    windows.write_bytes(
        b'"LICENSE_KEY","abc,def"\r\n'
        b'"interpreter_win","C:\\Python39\\python.exe"\r\n'
        b'"CONDA PATH","C:\\Anaconda3"\r\n'
        b'"INTERPRETER_WIN","C:\\stale\\python.exe"\r\n'
    )
    result = run("excel", "setup")
    assert result.exit_code == 0, result.output
    python = sys.executable
    assert windows.read_bytes() == (
        b'"LICENSE_KEY","abc,def"\r\n'
        + f'"INTERPRETER_WIN","{python}"\r\n'.encode()
        + b'"CONDA PATH","C:\\Anaconda3"\r\n'
    )
    assert xlwings_reads(monkeypatch, windows) == {
        "license_key": "abc,def",
        "interpreter_win": python,
        "conda path": "C:\\Anaconda3",
    }
    assert f"INTERPRETER_WIN = {python}" in result.output
    assert "C:\\Python39\\python.exe" in result.output  # what it was
    for line in ("✓ Python 3.", "✓ ghgxl ", f"✓ xlwings {VERSION}", "✓ pywin32",
                 "✓ import ghgxl.udfs", f"xlwings64-{VERSION}.dll"):  # fmt: skip
        assert line in result.output, line
    assert "✗" not in result.output and "全部就绪 / all good" in result.output
    again = run("excel", "setup")
    assert again.exit_code == 0 and "already has" in again.output
    assert len(windows.read_bytes().splitlines()) == 3


def test_setup_makes_the_config_file(windows: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlconfig, "probe", lambda interpreter: healthy())
    report = excel.setup()
    assert report.ok
    assert windows.read_bytes() == f'"INTERPRETER_WIN","{sys.executable}"\r\n'.encode()


def test_a_last_line_without_its_newline_is_kept() -> None:
    data = b'"SHOW CONSOLE","True"'
    assert xlconfig.with_setting(data, "INTERPRETER_WIN", "C:\\P\\python.exe") == (
        b'"SHOW CONSOLE","True"\n"INTERPRETER_WIN","C:\\P\\python.exe"\n'
    )
    bare = b"INTERPRETER_WIN,C:\\old.exe\n"  # what VBA's Input # reads too
    assert xlconfig.with_setting(bare, "INTERPRETER_WIN", "C:\\new.exe") == (
        b'"INTERPRETER_WIN","C:\\new.exe"\n'
    )


def test_a_chinese_profile_is_written_in_the_ansi_code_page(
    windows: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    python = fake_python(tmp_path / "Users" / "张三" / "Python312")
    monkeypatch.setattr(sys, "executable", str(python))
    monkeypatch.setattr(xlconfig, "probe", lambda interpreter: healthy())
    excel.setup()
    data = windows.read_bytes()
    assert data == f'"INTERPRETER_WIN","{python}"\r\n'.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # VBA reads ANSI: UTF-8 would garble 张三
    assert xlwings_reads(monkeypatch, windows)["interpreter_win"] == str(python)


def test_a_path_outside_the_code_page_is_refused(
    windows: Path, run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    python = fake_python(tmp_path / "Users" / "🐍" / "Python312")
    monkeypatch.setattr(sys, "executable", str(python))
    result = run("excel", "setup")
    assert result.exit_code == 2 and "[E703]" in result.output and "gbk" in result.output
    assert not windows.exists()


def test_the_store_python_is_refused(
    windows: Path, run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = tmp_path / "AppData" / "Local" / "Microsoft" / "WindowsApps"
    monkeypatch.setattr(sys, "executable", str(fake_python(store)))
    result = run("excel", "setup")
    assert result.exit_code == 2 and "[E702]" in result.output
    assert "python.org" in result.output and not windows.exists()


def test_setup_is_for_windows(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlconfig, "on_windows", lambda: False)
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    result = run("excel", "setup")
    assert result.exit_code == 2 and "[E701]" in result.output
    assert not (tmp_path / ".xlwings").exists()


def test_pythonw_becomes_the_python_beside_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    python = fake_python(tmp_path / "Python312")
    (python.parent / "pythonw.exe").write_text("")
    monkeypatch.setattr(sys, "executable", str(python.parent / "pythonw.exe"))
    assert xlconfig.own_interpreter() == python


# -- the workbook's sheet -----------------------------------------------------------------


def test_setup_removes_the_workbooks_interpreter_after_a_backup(
    windows: Path, run, tmp_path: Path
) -> None:
    book = old_style(tmp_path / "盘查清册.xlsm")
    original = book.read_bytes()
    before = run("excel", "doctor", book)
    assert before.exit_code == 1
    assert "Interpreter_Win = 'python' 优先于用户配置 / overrides the user config" in before.output
    assert "→ 运行 ghgxl excel setup 盘查清册.xlsm" in before.output

    result = run("excel", "setup", book)
    assert result.exit_code == 0, result.output
    backups = list(tmp_path.glob("盘查清册.backup-*.xlsm"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert "Interpreter_Win = 'python'" in result.output and str(backups[0]) in result.output
    # xlwings' VBA reads keys from A1 down to the first empty cell: all there but the one
    assert sheet_settings(book) == sheet_settings(template.template_path())
    assert [s.row for s in wbconf.read_conf(book).settings] == list(range(1, 8))
    changed, kept = xlsx.read_members(book), xlsx.read_members(original)
    assert changed.keys() == kept.keys()
    assert [n for n in kept if changed[n] != kept[n]] == [CONF_PART]
    assert changed[CONF_PART] == xlsx.read_members(template.template_path())[CONF_PART]
    assert "清册 / workbook 盘查清册.xlsm: 未指定解释器" in result.output

    again = run("excel", "setup", book)
    assert again.exit_code == 0 and "unchanged" in again.output
    assert len(list(tmp_path.glob("盘查清册.backup-*"))) == 1


def excel_saved(path: Path, rows: list[tuple[str | None, str | bool | None]]) -> Path:
    """A workbook with one sheet, xlwings.conf, as Excel saves it: text in the shared
    strings, rows with ``spans``, a boolean as ``t="b"``."""
    strings: list[str] = []
    xml_rows = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, value in zip("AB", row, strict=True):
            ref = f"{column}{number}"
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif value is not None:
                strings.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        xml_rows.append(
            f'<row r="{number}" spans="1:2" x14ac:dyDescent="0.25">{"".join(cells)}</row>'
        )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    types = "http://schemas.openxmlformats.org/package/2006/content-types"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sst = "".join(f"<si><t>{text}</t></si>" for text in strings)
    members = {
        "[Content_Types].xml": f'<Types xmlns="{types}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
        "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        f'<sheet name="{SHEET_CONF}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
        f'<dimension ref="A1:B{len(rows)}"/><sheetData>{"".join(xml_rows)}</sheetData></worksheet>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{sst}</sst>',
    }
    path.write_bytes(xlsx.write_package({k: v.encode() for k, v in members.items()}))
    return path


def test_a_sheet_excel_saved_with_shared_strings(tmp_path: Path) -> None:
    rows = [("UDF Modules", "ghgxl.udfs"), ("interpreter_win", "C:\\Python312\\python.exe"),
            ("Show Console", False), (None, None), ("Instructions:", None)]  # fmt: skip
    path = excel_saved(tmp_path / "saved.xlsm", rows)
    conf = wbconf.read_conf(path)
    assert [s.key for s in conf.settings] == ["UDF Modules", "interpreter_win", "Show Console"]
    assert conf.get("INTERPRETER_WIN").row == 2 and conf.xlwings_version is None
    changed = wbconf.without_keys(path.read_bytes(), conf, ["INTERPRETER_WIN"])
    path.write_bytes(changed)
    after = openpyxl.load_workbook(path)[SHEET_CONF]
    assert [tuple(r) for r in after.iter_rows(values_only=True)] == [
        ("UDF Modules", "ghgxl.udfs"), ("Show Console", False), (None, None),
        ("Instructions:", None)]  # fmt: skip
    assert after.dimensions == "A1:B4"
    assert wbconf.without_keys(changed, wbconf.read_conf(path), ["INTERPRETER_WIN"]) is None


def test_a_sheet_with_formulas_is_left_to_the_user(
    windows: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = SHEET_CONF
    sheet.append(("Interpreter_Win", '=CONCAT("C:\\","python.exe")'))
    path = tmp_path / "formula.xlsm"
    wb.save(path)
    original = path.read_bytes()
    result = run("excel", "setup", path)
    assert (
        result.exit_code == 2
        and "[E704]" in result.output
        and "1（Interpreter_Win）" in result.output
    )
    assert path.read_bytes() == original and not list(tmp_path.glob("*.backup-*"))
    assert not windows.exists()  # nothing written when the workbook cannot be done


# -- doctor -------------------------------------------------------------------------------


def test_doctor_on_a_bare_machine(windows: Path, run, tmp_path: Path, monkeypatch) -> None:
    for dll in Path(sys.executable).parent.glob("*.dll"):
        dll.unlink()
    monkeypatch.delenv("PYTHONPATH")  # no pywin32
    result = run("excel", "doctor")
    assert result.exit_code == 1
    out = result.output
    assert f"✗ 用户配置 / user config {windows}: 文件不存在 / no such file" in out
    assert "✗ Excel 启动的 Python / the Python Excel starts: pythonw（默认 / default）" in out
    assert "checking this Python instead" in out
    assert f"✗ xlwings DLL: xlwings64-{VERSION}.dll: 未找到 / not found" in out
    assert "✗ pywin32: ModuleNotFoundError" in out
    assert "✓ import ghgxl.udfs" in out and "✓ ghgxl " in out
    lines = out.splitlines()
    for index, line in enumerate(lines):  # every ✗ says what to do, on the next line
        if line.startswith("✗"):
            assert lines[index + 1].startswith("  → "), line


def test_doctor_flags_a_store_interpreter_in_the_config(
    windows: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = fake_python(tmp_path / "AppData" / "Local" / "Microsoft" / "WindowsApps")
    windows.parent.mkdir()
    windows.write_bytes(f'"INTERPRETER_WIN","{store}"\r\n'.encode())
    monkeypatch.setattr(xlconfig, "probe", lambda interpreter: healthy())
    result = run("excel", "doctor")
    assert result.exit_code == 1
    assert f"✗ 用户配置 / user config {windows}: INTERPRETER_WIN = {store}" in result.output
    assert "Microsoft Store" in result.output


def test_doctor_compares_xlwings_with_the_workbooks_vba(
    windows: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = xlsx.read_members(template.template_path())
    members["xl/workbook.xml"] = members["xl/workbook.xml"].replace(
        f'"{VERSION}"</definedName>'.encode(), b'"0.30.0"</definedName>'
    )
    book = tmp_path / "old.xlsm"
    book.write_bytes(xlsx.write_package(members))
    monkeypatch.setattr(xlconfig, "probe", lambda interpreter: healthy())
    excel.setup()  # the user config is fine
    result = run("excel", "doctor", book)
    assert result.exit_code == 1
    assert f"✗ xlwings {VERSION}（清册的 VBA / the workbook's VBA: 0.30.0）" in result.output
    assert "-m pip install xlwings==0.30.0" in result.output
    assert "xlwings64-0.30.0.dll: 未找到 / not found" in result.output  # the DLL the VBA loads
    assert run("excel", "doctor").exit_code == 0  # against the template: all good


def test_doctor_off_windows_checks_this_python(run) -> None:
    example = Path(__file__).parents[2] / "workbook" / "examples" / "example-2023.xlsm"
    result = run("excel", "doctor", example)
    assert result.exit_code == 0, result.output
    assert "– 非 Windows" in result.output and "✓ import ghgxl.udfs" in result.output
    assert f"✓ xlwings {VERSION}（清册的 VBA / the workbook's VBA: {VERSION}）" in result.output
    assert "✓ 清册 / workbook example-2023.xlsm: UDF Modules = ghgxl.udfs" in result.output


# -- xlwings' precedence --------------------------------------------------------------------


def test_the_interpreter_is_looked_up_as_the_vba_does() -> None:
    user = {"INTERPRETER_WIN": "C:\\user\\python.exe"}
    beside = {"INTERPRETER_WIN": "C:\\beside\\python.exe"}
    sheet = {"INTERPRETER_WIN": "python"}
    find = xlconfig.interpreter_source
    assert find([("s", sheet), ("d", beside), ("u", user)])[0] == "python"
    assert find([("s", {}), ("d", beside), ("u", user)])[0] == "C:\\beside\\python.exe"
    assert find([("s", {}), ("d", None), ("u", user)]) == (
        "C:\\user\\python.exe",
        "u INTERPRETER_WIN",
    )
    # an empty row on the sheet hides the user config: the VBA falls back to the legacy key
    assert find([("s", {"INTERPRETER_WIN": ""}), ("u", user)])[0] == "pythonw"
    assert find([("s", {"INTERPRETER_WIN": None}), ("u", {"INTERPRETER": "C:\\l.exe"})])[0] == (
        "C:\\l.exe"
    )
    assert xlconfig.expand("%LOCALAPPDATA%\\P\\python.exe", {"LocalAppData": "C:\\U"}) == (
        "C:\\U\\P\\python.exe"
    )


def test_marks_fit_the_output() -> None:
    assert excel.marks("utf-8") == ("✓", "✗")
    assert excel.marks("gbk") == ("√", "×")  # a Chinese console redirected to a file


def test_the_probe_reports_what_fails(tmp_path: Path) -> None:
    facts = xlconfig.probe(PYTHON)
    assert facts["udfs"] is True and facts["xlwings"] == VERSION
    assert facts["python"][:2] == list(sys.version_info[:2])
    assert "error" in xlconfig.probe(str(tmp_path / "missing" / "python.exe"))
