"""Every case of bad input the integrity review listed ends in its own clear, coded message
— at its cell where it has one — and the exit code ``check`` and ``calc`` document (0 clean
or warnings, 1 findings, 2 unreadable), never in E901 (internal error).

The cases are built here one by one, by name, so a case that regresses shows by name; the
tests beside them (test_integrity, test_package_guard, test_outputs, test_report_integrity)
check each one in depth.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ghgxl.cli import main
from ghgxl.errors import CATALOGUE
from ghgxl.workbook import fill, template, xlsx
from ghgxl.workbook import layout as L
from tests.integration import test_package_guard as guard

ROOT = Path(__file__).parents[2]
TEMPLATE = (ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes()
ROWS = [
    dict(id="E1", category=2, annual=1000, unit="kWh", factor_key="grid.cn.national.2021",
         source="外购电力", dq_activity=6, dq_factor=1, dq_calibration=6),
    dict(id="F1", category=1, annual=5000, unit="L", factor_key="fuel.diesel.offroad",
         source="叉车", dq_activity=3, dq_factor=1, dq_calibration=3),
]  # fmt: skip
INFO = {"company": "测试", "reporting_year": 2021, "base_year": 2021}


def _filled(rows: list[dict] = ROWS) -> bytes:
    return fill.fill(TEMPLATE, INFO, rows)


def _edited(sheet: str | None, edit: Callable[[bytes], bytes], part: str | None = None) -> bytes:
    members = xlsx.read_members(_filled())
    name = part or xlsx.sheet_parts(members)[sheet]
    members[name] = edit(members[name])
    return xlsx.write_package(members)


def _shifted(xml: bytes) -> bytes:
    cell = re.sub(rb'(<c r="[A-Z]+)(\d+)', lambda m: m[1] + str(int(m[2]) + 1).encode(), xml)
    return re.sub(rb'(<row r=")(\d+)', lambda m: m[1] + str(int(m[2]) + 1).encode(), cell)


def _without_summary_part() -> bytes:
    members = xlsx.read_members(_filled())
    del members[xlsx.sheet_parts(members)[L.SHEET_SUMMARY]]
    return xlsx.write_package(members)


def _without_activity(folder: Path) -> Path:
    book = openpyxl.load_workbook(ROOT / "workbook" / template.TEMPLATE_NAME)
    del book[L.SHEET_ACTIVITY]
    path = folder / "清册.xlsx"
    book.save(path)
    return path


def _error_value(xml: bytes) -> bytes:
    ref = f"{L.ACT_COL['annual']}5"
    cell = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*?)(?: t="[a-z]+")?>.*?</c>', re.DOTALL)
    return cell.sub(rb'<c r="' + ref.encode() + rb'"\1 t="e"><f>NA()</f><v>#N/A</v></c>', xml, 1)


def _all(code: str) -> dict[str, tuple[int, str | None]]:
    """Every command refuses the file (exit 2) with ``code``."""
    return {command: (2, code) for command in ("calc", "check", "report")}


#: case → (what the file is, and for each command the exit code and the code it shows)
Build = Callable[[Path], bytes | Path]
CASES: dict[str, tuple[Build, dict[str, tuple[int, str | None]]]] = {
    "a row inserted above the 活动数据 header": (
        lambda folder: _edited(L.SHEET_ACTIVITY, _shifted),
        {"calc": (2, "E614"), "check": (2, "E614"), "report": (2, "E614")},
    ),
    "a row inserted above the 排放源识别 header": (
        lambda folder: _edited(L.SHEET_SOURCES, _shifted),
        {"calc": (2, "E614"), "check": (2, "E614"), "report": (2, "E614")},
    ),
    "a source named like mathtext in the top-10 chart": (
        lambda folder: fill.fill(TEMPLATE, INFO, [{**ROWS[0], "source": "$a_$ 锅炉 $x^2$"}]),
        {"calc": (0, None), "check": (0, None), "report": (0, None)},
    ),
    "a sheet named in workbook.xml whose part is missing": (
        lambda folder: _without_summary_part(),
        {"calc": (2, "E601"), "check": (2, "E601"), "report": (2, "E601")},
    ),
    "a unit that overflows (t**200/kg**199)": (
        lambda folder: _filled([{**ROWS[0], "unit": "t**200/kg**199"}, ROWS[1]]),
        {"calc": (1, "E201"), "check": (1, "E201"), "report": (1, "E201")},
    ),
    "an old .xls file": (
        lambda folder: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024,
        {"calc": (2, "E608"), "check": (2, "E608"), "report": (2, "E608")},
    ),
    "an Excel error value cached in an input cell": (
        lambda folder: _edited(L.SHEET_ACTIVITY, _error_value),
        {"calc": (1, "E107"), "check": (1, "E107"), "report": (1, "E107")},
    ),
    "a workbook without 活动数据": (
        _without_activity,
        {"calc": (2, "E612"), "check": (2, "E612"), "report": (2, "E612")},
    ),
    **{  # the package guard's cases (each in depth in test_package_guard)
        name: (lambda folder, data=guard.HOSTILE[key][0]: data, _all(guard.HOSTILE[key][1]))
        for name, key in (
            ("a DOCTYPE in workbook.xml", "DOCTYPE in xl/workbook.xml"),
            (
                "a cell at XFD1048576 under a lying dimension",
                "too large: a cell at XFD1048576, dimension A1:A1",
            ),
            ("rows without r", "too large: rows without r after a high row"),
            ("a sheet part outside xl/worksheets/", "too large: a sheet moved to xl/other.xml"),
            ("malformed sheet XML (a cell without </c>)", "an activity cell without its </c>"),
        )
    },
}


def _run(*args: object):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("case", list(CASES))
def test_no_case_ends_in_an_internal_error(case: str, tmp_path: Path) -> None:
    build, expected = CASES[case]
    made = build(tmp_path)
    if isinstance(made, Path):
        path = made
    else:
        path = tmp_path / ("清册.xls" if made.startswith(b"\xd0\xcf") else "清册.xlsm")
        path.write_bytes(made)
    commands = {
        "calc": [
            "calc",
            path,
            "-o",
            tmp_path / f"out{'.xlsx' if path.suffix == '.xlsx' else '.xlsm'}",
        ],
        "check": ["check", path],
        "report": ["report", path, "-o", tmp_path / "out.docx"],
    }
    for name, (code, shown) in expected.items():
        result = _run(*commands[name])
        assert "[E901]" not in result.output, (case, name, result.output)
        assert result.exit_code == code, (case, name, result.output)
        if shown:
            assert f"[{shown}]" in result.output and " / " in result.output, (case, name)


def test_every_code_raised_is_documented() -> None:
    """Each code the package raises is in the catalogue (and so in docs/errors.md)."""
    raised = set()
    for source in (ROOT / "ghgxl").rglob("*.py"):
        raised |= set(re.findall(r'GhgError\(\s*"([EW]\d{3})"', source.read_text("utf-8")))
    assert raised and raised <= set(CATALOGUE)
    documented = (ROOT / "docs" / "errors.md").read_text("utf-8")
    assert all(f"| {code} |" in documented for code in raised)
