"""Opening a workbook: calamine parses in a thread; its failures become E601, and rows come
back with the sheet's own column positions."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ghgxl.errors import GhgError
from ghgxl.workbook import source


def test_rows_keep_the_empty_columns_left_of_the_data(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "基本信息"
    book.active["E10"], book.active["F12"] = 1, "x"
    path = tmp_path / "sparse.xlsx"
    book.save(path)
    rows = list(source.OpenedWorkbook(path, ("基本信息",)).rows("基本信息"))
    assert len(rows) == 12
    assert rows[9][:6] == ["", "", "", "", 1.0, ""]  # E10 is the fifth cell, as in the sheet
    assert rows[11][5] == "x"


def test_a_panic_while_parsing_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Panic(BaseException):  # what pyo3 raises when Rust panics
        pass

    def panic(path: str) -> None:
        raise Panic("called `Option::unwrap()` on a `None` value")

    path = tmp_path / "ok.xlsx"
    openpyxl.Workbook().save(path)
    monkeypatch.setattr(source.CalamineWorkbook, "from_path", panic)
    with pytest.raises(GhgError) as caught:
        source.OpenedWorkbook(path).sheet("基本信息")
    assert caught.value.code == "E601" and "unwrap" in str(caught.value.details)
