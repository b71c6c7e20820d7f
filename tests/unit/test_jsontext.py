"""ghgxl's indented JSON is the standard library's text: ``json.dumps(value,
ensure_ascii=False, indent=2, allow_nan=False)`` is the oracle for every value here."""

from __future__ import annotations

import enum
import json
import math
from pathlib import Path

import pytest

from ghgxl.jsontext import RECORDS, Records, dumps


def _reference(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)


def _nulled(value: object) -> object:
    """NaN and infinities as None, in dicts and lists (what ``nan_as_null`` stands for)."""
    if isinstance(value, dict):
        return {k: _nulled(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nulled(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class Level(enum.IntEnum):
    HIGH = 3


class Text(str):
    pass


class Number(float):
    pass


def _record(i: int) -> dict[str, object]:
    return {
        "id": f"R{i}" if i % 3 else None,
        "row": i,
        "amount": [1.5, "1,000", None, 0.1 + 0.2][i % 4],
        "unit": "万kWh" if i % 2 else 'm³ "天然气"\n\t\\',
        "ok": i % 2 == 0,
        "gases": {"CO2": i * 1.1, "CH4": None if i % 5 else 1e-7, "100%": "%s %d %%"},
        "tco2e": [1e16, -0.0, 5e-324, 1.7976931348623157e308][i % 4],
    }


EDGES: dict[str, object] = {
    "scalars": [None, True, False, 0, -1, 2**70, 0.1, 1e16, -0.0, 5e-324, "", "a\u2028b"],
    "text": '类别 "引号" \\ / \x00 \x1f \x7f \ud83c\udf0d 😀 %s %%',
    "empty": [[], {}, (), [{}], {"a": {}}, {"b": []}],
    "tuple": (1, (2, 3), {"x": (4,)}),
    "keys": {
        7: "int",
        2.5: "float",
        True: "bool",
        False: "false",
        None: "none",
        "": "empty",
        "%d": "pct",
    },
    "subclasses": [Level.HIGH, Text("文本"), Number(2.5), {Text("k"): Number(1.0)}],
    "records": [_record(i) for i in range(RECORDS + 5)],
    "few records": [_record(i) for i in range(3)],
    "mixed shapes": [_record(i) if i % 7 else {"other": i} for i in range(RECORDS + 5)],
    "nested values": [
        dict(_record(i), extra=[i, {"deep": [None]}] if i % 2 else {"k": i})
        for i in range(RECORDS + 2)
    ],
    "empty nested record": [{"a": i, "b": {}} for i in range(RECORDS)],
    "non-text keys in records": [{1: i} for i in range(RECORDS)],
    "floats that overflow a sum": [{"v": 1.7e308} for _ in range(RECORDS)],
    "lists of lists": [[i, [i, "x"]] for i in range(RECORDS + 1)],
}


@pytest.mark.parametrize("case", sorted(EDGES))
def test_the_text_is_the_standard_librarys(case: str) -> None:
    value = EDGES[case]
    assert dumps(value) == _reference(value)
    assert dumps({"wrapped": [value]}) == _reference({"wrapped": [value]})


def test_nan_as_null_is_null_where_json_would_refuse() -> None:
    value = {
        "a": math.nan,
        "b": [math.inf, -math.inf, 1.0],
        "records": [{"x": math.nan if i % 2 else float(i)} for i in range(RECORDS)],
        "floats": [{"x": float(i)} for i in range(RECORDS - 1)] + [{"x": math.inf}],
    }
    assert dumps(value, nan_as_null=True) == _reference(_nulled(value))
    assert '"a": null' in dumps(value, nan_as_null=True)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (math.nan, ValueError),
        ({"records": [{"x": math.inf} for _ in range(RECORDS)]}, ValueError),
        ({1.5: math.nan}, ValueError),
        (object(), TypeError),
        ({"a": {1, 2}}, TypeError),
        ({(1, 2): "tuple key"}, TypeError),
        ([{"x": object()} for _ in range(RECORDS)], TypeError),
    ],
)
def test_what_json_refuses_is_refused(value: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        _reference(value)
    with pytest.raises(error):
        dumps(value)


def test_records_stand_for_the_list_of_dicts() -> None:
    columns = {"id": ["a", None, "c"], "gases": {"CO2": [1.0, 2.5, None], "CH4": [0.0, 1e-9, 3.0]}}
    records = Records(columns)
    listed = list(records)
    assert len(records) == 3
    assert listed[1] == {"id": None, "gases": {"CO2": 2.5, "CH4": 1e-9}}
    assert dumps({"rows": records}) == _reference({"rows": listed})
    assert dumps(Records({"x": []})) == "[]"
    with pytest.raises(ValueError, match="lengths"):
        Records({"a": [1, 2], "b": {"c": [1]}})


def test_an_inventorys_json_is_the_standard_librarys() -> None:
    """The bundled example's results: ``to_json`` is ``json.dumps`` of the same dict."""
    from ghgxl.export import result_dict, to_json
    from ghgxl.workbook.calc import calculate_workbook

    example = Path(__file__).parents[2] / "workbook" / "examples" / "example-2023.xlsm"
    result = calculate_workbook(example).result
    payload = result_dict(result, {"note": [math.nan]})
    payload["rows"] = list(payload["rows"])
    assert len(payload["rows"]) > RECORDS
    assert to_json(result, {"note": [math.nan]}) == _reference(_nulled(payload)) + "\n"
