"""``fill.fill(None, …)``: a workbook of any size made and filled in one pass over each sheet
(a group workbook, a migrated one) is byte for byte the template resized, given room for
its 排放源识别 lines and filled cell by cell — for any rows, those the template has and
those made for them alike."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ghgxl.errors import GhgError
from ghgxl.workbook import fill, resize, template, xlsx
from ghgxl.workbook import layout as L
from tests.strategies import activity_rows, source_rows

TEMPLATE = template.template_path().read_bytes()
INFO = {"company": "测试集团", "reporting_year": 2023}


def _cell_by_cell(info: dict, activity: list[dict], sources: list[dict], **rest: object) -> bytes:
    rows = max(L.TEMPLATE_ROWS, len(activity))
    package = resize.with_source_lines(resize.resized(TEMPLATE, rows), len(sources))
    return fill.fill(package, info, activity, sources, **rest)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(activity_rows(referee=False), min_size=1, max_size=6),
    count=st.sampled_from([3, L.TEMPLATE_ROWS, L.TEMPLATE_ROWS + 1, 260]),
    lines=st.lists(source_rows(referee=False), max_size=3),
    line_count=st.sampled_from([0, 2, L.TEMPLATE_ROWS + 5]),
)
def test_one_pass_is_cell_by_cell(rows: list, count: int, lines: list, line_count: int) -> None:
    # messy rows (text amounts, booleans, Excel errors, markup-like text) repeated to the
    # count, so rows below the template's 200 are written as they are made
    activity = [dict(rows[i % len(rows)]) for i in range(count)]
    activity[-1]["remark"] = '<b>&"x"</b> _x0041_ \x0b 末行'
    sources = [lines[i % len(lines)] for i in range(line_count)] if lines else []
    made = fill.fill(None, INFO, activity, sources)
    assert made == _cell_by_cell(INFO, activity, sources)


def test_every_sheet_a_group_fills_is_as_cell_by_cell() -> None:
    activity = [
        {"id": f"厂A-{i}", "category": 1, "annual": i + 0.5, "unit": "t", "factor_key": "k"}
        for i in range(230)
    ]
    rest = dict(
        company=[{"key": "k", "gas": "CO2", "value": 2.5, "unit": "t CO2/t", "source": "测试"}],
        market=[{"row_id": "厂A-3", "kind": "绿证", "mwh": 10, "vintage": 2023}],
        sites=[{"site": "厂A", "file": "a.xlsm", "share": 100}],
    )
    sources = [{"id": "厂A-1", "source": "锅炉", "category": 1}]
    assert fill.fill(None, INFO, activity, sources, **rest) == _cell_by_cell(
        INFO, activity, sources, **rest
    )


def test_values_equal_but_written_differently_stay_apart() -> None:
    # 0.0 and -0.0, Decimal 1.0 and 1.00 are equal (one cache key would merge them), a list
    # is unhashable: each is written as the cell-by-cell path writes it, in rows made too
    odd = [0.0, -0.0, Decimal("1.0"), Decimal("1.00"), ["a"], "x" * 300, "x" * 300]
    activity = [{"id": f"R{i}", "annual": odd[i % len(odd)]} for i in range(240)]
    made = fill.fill(None, INFO, activity)
    assert made == _cell_by_cell(INFO, activity, [])
    sheet = xlsx.read_members(made)[xlsx.sheet_parts(xlsx.read_members(made))[L.SHEET_ACTIVITY]]
    assert b"<v>-0.0</v>" in sheet and b"<v>0.0</v>" in sheet


def test_a_value_for_a_cell_the_rows_lack_is_refused_naming_them() -> None:
    members = xlsx.read_members(TEMPLATE)
    inputs = [{"A": "E1"} for _ in range(300)]
    inputs[5] = inputs[295] = {"ZZ": 1}  # 活动数据 has no column ZZ: rows 10 and 300
    with pytest.raises(GhgError) as caught:
        resize.grow(members, 300, inputs)
    assert caught.value.code == "E601"
    assert "ZZ10" in str(caught.value)
    inputs[5] = {"A": "E1"}  # only a row made for the workbook (300) is wrong
    with pytest.raises(GhgError) as caught:
        resize.grow(xlsx.read_members(TEMPLATE), 300, inputs)
    assert caught.value.code == "E601"
    assert "ZZ300" in str(caught.value)


def test_more_rows_than_the_workbook_is_refused() -> None:
    with pytest.raises(GhgError) as caught:
        resize.grow(xlsx.read_members(TEMPLATE), 250, [{"A": 1}] * 251)
    assert caught.value.code == "E601"
