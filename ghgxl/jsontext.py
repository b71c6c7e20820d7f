"""Indented JSON text, as ``json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)``
writes it, faster for the long lists of records ghgxl writes (a row of a 10^5-row inventory
each, a finding each): such a list is rendered a column at a time, each record one ``%`` of
a template made once.

With ``indent`` set, the standard library leaves its C encoder for a generator per level of
nesting and yields each token through all of them; here each value is appended to one list
as it is met, and the scalars are rendered by the same functions ``json`` uses
(``encode_basestring``, ``float.__repr__``, ``int.__repr__``), so the text is the same
(tested against ``json.dumps``). Circular references are not looked for: ghgxl's results
are trees.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from json.encoder import encode_basestring  # C when the accelerator is there, as json's
from typing import Any

INDENT = "  "
#: Lists of this many items or more are tried as records (dicts of one shape).
RECORDS = 16

Shape = tuple[tuple[str, "Shape | None"], ...]


def dumps(value: Any, nan_as_null: bool = False) -> str:
    """``value`` as ``json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)``
    writes it; ``nan_as_null``: NaN and infinities as ``null`` instead of a ValueError."""
    parts: list[str] = []
    _value(value, "\n", parts, nan_as_null)
    return "".join(parts)


def _scalar(value: Any, nan_as_null: bool) -> str | None:
    """A scalar's JSON text, in the order ``json`` tries the types; None if not a scalar."""
    kind = value.__class__
    if kind is str:
        return encode_basestring(value)
    if kind is float:
        return _float(value, nan_as_null)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if isinstance(value, str):  # subclasses: as json renders them
        return encode_basestring(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value, nan_as_null)
    return None


def _float(value: float, nan_as_null: bool) -> str:
    if math.isfinite(value):
        return float.__repr__(value)
    if nan_as_null:
        return "null"
    raise ValueError(f"Out of range float values are not JSON compliant: {value!r}")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    if isinstance(key, (bool, int, float)) or key is None:  # as json turns keys into text
        text = _scalar(key, nan_as_null=False)
        return encode_basestring(text)  # type: ignore[arg-type]
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


class Records:
    """A list of records held as columns: key → a list of values, or → the columns of a
    nested record (a dict of such); every list one length. :func:`dumps` renders it as the
    list of dicts it stands for, without making them; iterating gives them."""

    def __init__(self, columns: dict[str, Any]) -> None:
        self.columns = columns
        self.length = _length(columns)

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for index in range(self.length):
            yield _record(self.columns, index)


def _length(columns: dict[str, Any]) -> int:
    lengths = {len(c) if c.__class__ is list else _length(c) for c in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    return lengths.pop()


def _record(columns: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        key: column[index] if column.__class__ is list else _record(column, index)
        for key, column in columns.items()
    }


def _value(value: Any, newline: str, parts: list[str], nan_as_null: bool) -> None:
    """``value`` appended to ``parts``; ``newline``: a line break and the indent of its level."""
    text = _scalar(value, nan_as_null)
    if text is not None:
        parts.append(text)
        return
    inner = newline + INDENT
    if isinstance(value, (list, tuple)) and len(value) >= RECORDS:
        value = _as_records(value) or value
    if isinstance(value, Records):
        if not value.length:
            parts.append("[]")
            return
        template = _template(value.columns, inner, columns := [], nan_as_null)
        records = [template % values for values in zip(*columns, strict=True)]
        parts.append("[" + inner + ("," + inner).join(records) + newline + "]")
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _value(item, inner, parts, nan_as_null)
            separator = "," + inner
        parts.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        separator = "{" + inner
        for key, item in value.items():
            parts.append(separator + _key(key) + ": ")
            _value(item, inner, parts, nan_as_null)
            separator = "," + inner
        parts.append(newline + "}")
    else:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _text(value: Any, newline: str, nan_as_null: bool) -> str:
    text = _scalar(value, nan_as_null)
    if text is None:
        parts: list[str] = []
        _value(value, newline, parts, nan_as_null)
        text = "".join(parts)
    return text


def _shape(value: Any) -> Shape | None:
    """A dict's keys, and for each value that is a dict (not empty) its own shape; None for
    anything but a dict (not empty) with text keys."""
    if value.__class__ is not dict or not value:
        return None
    shape = []
    for key, item in value.items():
        if key.__class__ is not str:
            return None
        shape.append((key, _shape(item) if item.__class__ is dict and item else None))
    return tuple(shape)


def _as_records(items: list[Any] | tuple[Any, ...]) -> Records | None:
    """``items`` as :class:`Records` when all are dicts of one shape (a finding each, say)."""
    shape = _shape(items[0])
    if shape is None or any(_shape(item) != shape for item in items):
        return None
    return Records(_columns(shape, items))


def _columns(shape: Shape, items: list[Any] | tuple[Any, ...]) -> dict[str, Any]:
    return {
        key: [item[key] for item in items]
        if nested is None
        else _columns(nested, [item[key] for item in items])
        for key, nested in shape
    }


def _template(
    columns: dict[str, Any], newline: str, rendered: list[list[str]], nan_as_null: bool
) -> str:
    """The ``%`` template of one record at the indent of ``newline``; each column's values
    rendered into ``rendered``, in the template's order."""
    inner = newline + INDENT
    if not columns:
        return "{}"
    pieces = []
    for key, column in columns.items():
        head = (encode_basestring(key) + ": ").replace("%", "%%")
        if column.__class__ is list:
            rendered.append(_column(column, inner, nan_as_null))
            pieces.append(head + "%s")
        else:
            pieces.append(head + _template(column, inner, rendered, nan_as_null))
    return "{" + inner + ("," + inner).join(pieces) + newline + "}"


def _column(values: list[Any], newline: str, nan_as_null: bool) -> list[str]:
    """Each value's text: a column of text or of finite floats at once."""
    kinds = set(map(type, values))
    if kinds == {str}:
        return list(map(encode_basestring, values))
    if kinds == {float} and math.isfinite(sum(values)):  # an overflow to inf: one by one
        return list(map(float.__repr__, values))
    return [_text(value, newline, nan_as_null) for value in values]
