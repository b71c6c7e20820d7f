"""Damaged sheet XML is refused in linear time: the writers' cell patterns cannot run past
a cell's end."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest

from ghgxl.errors import GhgError
from ghgxl.workbook import fill, resize, template, xlsx
from ghgxl.workbook import layout as L

ROOT = Path(__file__).parents[2]
TEMPLATE = (ROOT / "workbook" / template.TEMPLATE_NAME).read_bytes()
ROWS = [
    dict(id="E1", category=2, annual=1000, unit="kWh", factor_key="grid.cn.national.2021"),
    dict(id="F1", category=1, annual=5000, unit="L", factor_key="fuel.diesel.offroad"),
]

#: a workbook of 2,100 rows: 21,000 formula cells in 数据质量
LARGER = fill.fill(resize.resized(TEMPLATE, 2100), {}, ROWS)


def _damaged_quality(cells: int) -> bytes:
    """LARGER with the cells of 数据质量 from its last ``cells`` formula cells on left
    without their </c> (for each, the writer's cell patterns used to search on to the
    chunk's end, which took ~51 s for 20,000)."""
    members = xlsx.read_members(LARGER)
    part = xlsx.sheet_parts(members)[L.SHEET_QUALITY]
    starts = [m.start() for m in re.finditer(rb'<c r="[A-Z]+[0-9]+"[^>]*><f>', members[part])]
    head, tail = members[part][: starts[-cells]], members[part][starts[-cells] :]
    members[part] = head + tail.replace(b"</c>", b"")
    return xlsx.write_package(members)


DAMAGED = _damaged_quality(20_000)


def test_the_writer_refuses_damaged_cells_in_linear_time(tmp_path: Path) -> None:
    """The writer's own cell patterns stop at the next cell or the row's end, so cells
    left open are counted out in linear time and refused (E601, naming the sheet), with
    no output. (The guard refuses this file first; one cell left open at its row's end
    may get past its quick look, not past the writer.)"""
    from ghgxl.workbook.patch import Block, write_patched

    members = xlsx.read_members(DAMAGED)
    path = tmp_path / "book.xlsm"
    path.write_bytes(DAMAGED)
    block = Block(rows=np.arange(5, 10), columns={"F": [1.0] * 5})
    start = time.perf_counter()
    with pytest.raises(GhgError) as raised:
        write_patched(path, tmp_path / "out.xlsm", {L.SHEET_QUALITY: block}, {})
    assert time.perf_counter() - start < 5
    assert raised.value.code == "E601" and L.SHEET_QUALITY in str(raised.value)
    assert not (tmp_path / "out.xlsm").exists()
    formula_cells = xlsx.formula_cells(members[xlsx.sheet_parts(members)[L.SHEET_QUALITY]])
    assert formula_cells[0] > formula_cells[1]  # the unclosed cells are not matched
