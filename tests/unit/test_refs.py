"""Cell references without openpyxl: checked against openpyxl's own helpers, and the
commands that only read and write workbooks do not import openpyxl at all."""

from __future__ import annotations

import subprocess
import sys

import pytest
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, get_column_letter

from ghgxl.workbook.refs import column_letter, column_number, split_ref


def test_every_column_agrees_with_openpyxl() -> None:
    for number in range(1, 16385):
        letters = get_column_letter(number)
        assert column_letter(number) == letters
        assert column_number(letters) == column_index_from_string(letters) == number
    assert column_number("ac") == 29  # as typed in lower case


@pytest.mark.parametrize("ref", ["A1", "AC5", "$AC$5", "XFD1048576", "b12"])
def test_split_ref_agrees_with_openpyxl(ref: str) -> None:
    assert split_ref(ref) == coordinate_to_tuple(ref.replace("$", "").upper())


@pytest.mark.parametrize("bad", ["", "A1B", "XFE", "ZZZZ", "Ä", "1", "A-1"])
def test_not_a_column_or_reference(bad: str) -> None:
    with pytest.raises(ValueError):
        column_number(bad)
    with pytest.raises(ValueError):
        split_ref(bad + "1" if bad.isalpha() else bad)


@pytest.mark.parametrize("number", [0, -1, 16385])
def test_not_a_column_number(number: int) -> None:
    with pytest.raises(ValueError):
        column_letter(number)


def test_calc_and_check_start_without_openpyxl() -> None:
    """openpyxl (~0.1 s to import) is for building templates; the headless commands
    must not pay for it at every start."""
    code = (
        "import sys, ghgxl.cli, ghgxl.workbook.calc, ghgxl.workbook.check, ghgxl.export; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_header_past_xfd_is_ignored_not_a_crash() -> None:
    """calamine reads a cell past XFD in a sheet whose dimension is missing; Excel has no
    such column, so the header there names nothing."""
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.read import header_columns

    header = [c.header for c in L.ACTIVITY_COLUMNS[:-1]]
    header += [""] * (16384 - len(header)) + [L.ACTIVITY_COLUMNS[-1].header]  # at XFE
    found = header_columns([[], [], [], header], L.ACTIVITY_COLUMNS)
    assert found["id"] == "A" and L.ACTIVITY_COLUMNS[-1].key not in found
