"""Excel keeps the values ghgxl wrote: every workbook the project writes says it was
calculated by the current Excel engine.

Excel recalculates every formula of a workbook "created in an earlier version" when it opens
it (ECMA-376 Part 1, 18.2.2, calcPr/@calcId). openpyxl writes calcId 124519 (Excel 2007):
such a workbook loses its cached values on open — ``#NAME?`` without Python, one Python
call per formula with it, and a "save changes?" prompt with no edits.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ghgxl.workbook import template, xlsx
from ghgxl.workbook.calc import calc_file
from tests.support import ROOT, TWO_ROW_BOOK

FEATURES = b"{B58B0392-4F1F-4190-BB64-5DF3571DCE5F}"


def calc_pr(package: Path | bytes) -> bytes:
    workbook = xlsx.read_members(package)["xl/workbook.xml"]
    (found,) = re.findall(rb"<calcPr\b[^>]*/>", workbook)
    assert workbook.count(FEATURES) == 1  # Microsoft 365's calculation features, once
    return found


def assert_current(package: Path | bytes) -> None:
    found = calc_pr(package)
    assert b'calcId="191029"' in found
    assert b"fullCalcOnLoad" not in found


def test_the_template_and_the_example_are_current() -> None:
    assert_current(ROOT / "workbook" / template.TEMPLATE_NAME)
    assert_current(ROOT / "workbook" / "examples" / "example-2023.xlsm")


@pytest.mark.parametrize("rows", [200, 1000])
def test_workbook_new_is_current(tmp_path: Path, rows: int) -> None:
    out = tmp_path / "new.xlsm"
    template.new_workbook(out, company="某某公司", year=2025, rows=rows)
    assert_current(out)


def test_calc_output_of_an_old_workbook_is_current(tmp_path: Path) -> None:
    members = xlsx.read_members(TWO_ROW_BOOK)
    workbook = re.sub(rb"<calcPr\b[^>]*/>", b"", members["xl/workbook.xml"])
    workbook = re.sub(rb"<extLst>.*</extLst>", b"", workbook)
    members["xl/workbook.xml"] = workbook.replace(
        b"</definedNames>", b'</definedNames><calcPr calcId="124519" fullCalcOnLoad="1"/>'
    )
    old = tmp_path / "old.xlsm"
    old.write_bytes(xlsx.write_package(members))
    assert b'calcId="124519"' in calc_pr_loose(old)
    out = tmp_path / "out.xlsm"
    calc_file(old, out)
    assert_current(out)
    again = tmp_path / "again.xlsm"
    calc_file(out, again)  # a second run adds nothing
    assert xlsx.read_members(again)["xl/workbook.xml"] == xlsx.read_members(out)["xl/workbook.xml"]


def calc_pr_loose(package: Path) -> bytes:
    return re.search(rb"<calcPr\b[^>]*/>", xlsx.read_members(package)["xl/workbook.xml"]).group(0)


def test_current_calc_in_each_form_a_workbook_can_have() -> None:
    head = b'<workbook xmlns="x"><sheets><sheet name="a"/></sheets>'
    forms = {
        "none": head + b"</workbook>",
        "no calcPr, names": head + b"<definedNames><definedName>x</definedName></definedNames>"
        b'<fileRecoveryPr repairLoad="1"/></workbook>',
        "old": head + b'<calcPr calcId="124519" fullCalcOnLoad="1" iterate="1"/></workbook>',
        "with extLst": head + b'<calcPr calcId="171027"/><extLst><ext uri="{x}"/></extLst>'
        b"</workbook>",
    }
    for name, xml in forms.items():
        out = xlsx.current_calc(xml)
        assert xlsx.current_calc(out) == out, name  # idempotent
        assert out.count(b'calcId="191029"') == 1 and out.count(FEATURES) == 1, name
        assert b"fullCalcOnLoad" not in out and out.count(b"<extLst>") == 1, name
        # schema order: calcPr after sheets/definedNames, before fileRecoveryPr and extLst
        calc = out.index(b"<calcPr")
        assert out.index(b"</sheets>") < calc < out.index(b"<extLst>"), name
        if b"fileRecoveryPr" in out:
            assert calc < out.index(b"<fileRecoveryPr"), name
    assert b'iterate="1"' in xlsx.current_calc(forms["old"])  # other settings kept
