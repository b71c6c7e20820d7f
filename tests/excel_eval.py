"""A small stand-in for Excel's recalculation of the 活动数据 sheet, to count Python calls.

Excel evaluates every formula cell once in a full recalculation (an array formula once for
all the cells it fills) and evaluates ``IF`` lazily: only the branch chosen. Each GHG_*
function it meets is one call through xlwings into Python — xlwings looks the function up
by name in the workbook's UDF module and calls it with the cell values (``xlwings.udfs.
call_udf``). :class:`Recalculation` does the same with the formulas of a saved workbook:
cell values from the sheet, the functions this sheet uses (IF, ISNA, ISNUMBER, MATCH, COUNT, SUM,
COUNTIF, SUMIFS of one number, and IFERROR, REPT and an approximate MATCH for the 公司因子 range) evaluated as Excel does, and each GHG_* call sent to :mod:`ghgxl.udfs` through a
counter. Only what the 盘查清册's own formulas need is implemented; anything else raises.
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import coordinate_from_string, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from ghgxl import udfs

_INDEX_END = re.compile(
    r"^(?:'?(?P<sheet>[^'!]+)'?!)?(?P<start>\$?[A-Z]+\$?[0-9]+):INDEX\((?P<column>[^,]+),(?P<n>.+)\)$"
)
_REF = re.compile(r"^(?:'?([^'!]+)'?!)?\$?([A-Z]+)\$?([0-9]+)(?::\$?([A-Z]+)\$?([0-9]+))?$")


class Recalculation:
    """Evaluate the formula cells of one sheet of a workbook as Excel would on a full
    recalculation; ``calls`` counts the Python calls by function name."""

    def __init__(self, path: Path, sheet: str) -> None:
        self.book = openpyxl.load_workbook(path)
        self.sheet = sheet
        self.values: dict[tuple[str, str], Any] = {}  # (sheet, "AC5") → value, once known
        self.arrays: dict[tuple[str, str], str] = {}  # a cell an array fills → its anchor
        self.calls: Counter[str] = Counter()
        ws = self.book[sheet]
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, ArrayFormula):
                    min_col, min_row, max_col, max_row = range_boundaries(cell.value.ref)
                    for r in range(min_row, max_row + 1):
                        for c in range(min_col, max_col + 1):
                            self.arrays[(sheet, ws.cell(r, c).coordinate)] = cell.coordinate

    def run(self) -> Counter[str]:
        """Every formula cell of the sheet, once: the calls it took."""
        for row in self.book[self.sheet].iter_rows():
            for cell in row:
                if isinstance(cell.value, ArrayFormula) or (
                    isinstance(cell.value, str) and cell.value.startswith("=")
                ):
                    self.cell(self.sheet, cell.coordinate)
        return self.calls

    # --- cells ------------------------------------------------------------------------

    def cell(self, sheet: str, ref: str) -> Any:
        key = (sheet, ref)
        if key in self.values:
            return self.values[key]
        anchor = self.arrays.get(key)
        if anchor is not None and anchor != ref:
            self.cell(sheet, anchor)  # evaluating the anchor fills the array's cells
            return self.values[key]
        value = self.book[sheet][ref].value
        if isinstance(value, ArrayFormula):
            self._spread(sheet, value.ref, self.formula(sheet, value.text))
        elif isinstance(value, str) and value.startswith("="):
            self.values[key] = _scalar(self.formula(sheet, value))
        else:
            self.values[key] = value
        return self.values[key]

    def _spread(self, sheet: str, ref: str, result: Any) -> None:
        """An array formula's result over its cells: a single value fills every cell."""
        rows = result if isinstance(result, list) else [[result]]
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        for i, r in enumerate(range(min_row, max_row + 1)):
            for j, c in enumerate(range(min_col, max_col + 1)):
                line = rows[i] if len(rows) > 1 else rows[0]
                value = line[j] if len(line) > 1 else line[0]
                self.values[(sheet, self.book[sheet].cell(r, c).coordinate)] = value

    def reference(self, sheet: str, text: str) -> Any:
        """A cell's value, or a range's values as a list of rows; defined names resolved."""
        if text in self.book.defined_names:
            text = self.book.defined_names[text].attr_text
        ended = _INDEX_END.match(text)
        if ended is not None:  # A4:INDEX(K4:K204,n): a range that ends where INDEX points
            target, start = ended.group("sheet") or sheet, ended.group("start")
            column = ended.group("column")
            n = int(_number(_scalar(self.formula(sheet, "=" + ended.group("n")))))
            min_col, min_row, _, _ = range_boundaries(column.split("!")[-1].replace("$", ""))
            end = self.book[target].cell(min_row + n - 1, min_col).coordinate
            text = f"'{target}'!{start}:{end}"
        match = _REF.match(text)
        if match is None:
            raise NotImplementedError(f"reference {text}")
        target = match.group(1) or sheet
        if match.group(4) is None:
            return self.cell(target, f"{match.group(2)}{match.group(3)}")
        min_col, min_row, max_col, max_row = range_boundaries(text.split("!")[-1].replace("$", ""))
        ws = self.book[target]
        return [
            [self.cell(target, ws.cell(r, c).coordinate) for c in range(min_col, max_col + 1)]
            for r in range(min_row, max_row + 1)
        ]

    # --- formulas ---------------------------------------------------------------------

    def formula(self, sheet: str, text: str) -> Any:
        tokens = [t for t in Tokenizer(text).items if t.type != Token.WSPACE]
        parser = _Parser(tokens)
        tree = parser.expression()
        if parser.position != len(tokens):
            raise NotImplementedError(f"formula {text}")
        return self.evaluate(sheet, tree)

    def evaluate(self, sheet: str, node: tuple) -> Any:
        kind = node[0]
        if kind == "value":
            return node[1]
        if kind == "ref":
            return self.reference(sheet, node[1])
        if kind == "array":
            return [[self.evaluate(sheet, n) for n in node[1]]]
        if kind == "neg":
            return -_number(_scalar(self.evaluate(sheet, node[1])))
        if kind == "op":
            left = _scalar(self.evaluate(sheet, node[2]))
            right = _scalar(self.evaluate(sheet, node[3]))
            return _OPERATORS[node[1]](left, right)
        name, arguments = node[1], node[2]
        if name == "IF":  # lazy, as Excel: only the branch chosen is evaluated
            test = _scalar(self.evaluate(sheet, arguments[0]))
            branch = (
                arguments[1] if _truth(test) else (arguments[2] if len(arguments) > 2 else None)
            )
            return False if branch is None else self.evaluate(sheet, branch)
        values = [self.evaluate(sheet, a) for a in arguments]
        if name.startswith("GHG_"):
            return self.python_call(name, values)
        return _FUNCTIONS[name](*values)

    def python_call(self, name: str, values: list[Any]) -> Any:
        """What xlwings does for a UDF cell: the module's function by name, called with
        the cells' values (a range as a list of rows, one cell as its value; an empty
        cell as None), counted."""
        self.calls[name] += 1
        function: Callable[..., Any] = getattr(udfs, name)
        return function(*values)


class _Parser:
    """Excel formula tokens → a tree: ("value", x), ("ref", text), ("array", items),
    ("neg", node), ("op", symbol, left, right), ("call", NAME, arguments)."""

    _LEVELS = (("=", "<>", "<", ">", "<=", ">="), ("&",), ("+", "-"), ("*", "/"))

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens, self.position = tokens, 0

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expression(self, level: int = 0) -> tuple:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.expression(level + 1)
        while (token := self.peek()) is not None and (
            token.type == Token.OP_IN and token.value in self._LEVELS[level]
        ):
            self.take()
            node = ("op", token.value, node, self.expression(level + 1))
        return node

    def unary(self) -> tuple:
        token = self.peek()
        if token is not None and token.type == Token.OP_PRE and token.value == "-":
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self) -> tuple:
        token = self.take()
        if token.type == Token.OPERAND:
            if token.subtype == Token.TEXT:
                return ("value", token.value[1:-1].replace('""', '"'))
            if token.subtype == Token.NUMBER:
                return ("value", float(token.value))
            if token.subtype == Token.LOGICAL:
                return ("value", token.value == "TRUE")
            return ("ref", token.value)
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            name = token.value[:-1].upper()
            return ("call", name, self.items(Token.FUNC)) if name else self.items(Token.FUNC)[0]
        if token.type == Token.ARRAY and token.subtype == Token.OPEN:
            return ("array", self.items(Token.ARRAY))
        raise NotImplementedError(f"token {token.value!r}")

    def items(self, closing: str) -> list[tuple]:
        items: list[tuple] = []
        while True:
            token = self.peek()
            if token.type == closing and token.subtype == Token.CLOSE:
                self.take()
                return items
            items.append(self.expression())
            if self.peek().type == Token.SEP:
                self.take()


# --- Excel's functions and operators, as far as the 盘查清册 uses them ----------------------


def _cells(values: Any) -> list[Any]:
    if isinstance(values, list):
        return [v for row in values for v in row]
    return [values]


def _scalar(value: Any) -> Any:
    return value[0][0] if isinstance(value, list) else value


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _number(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    raise ValueError(f"#VALUE! {value!r}")


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        raise ValueError(f"#VALUE! IF({value!r})")
    return bool(value)


def _equal(left: Any, right: Any) -> bool:
    left, right = _blank(left), _blank(right)
    if isinstance(left, str) or isinstance(right, str):
        if left == "" and right == "":
            return True
        if isinstance(left, str) and isinstance(right, str):
            return left.lower() == right.lower()
        return False
    return _number(left) == _number(right)


def _greater(left: Any, right: Any) -> bool:
    left, right = _blank(left), _blank(right)
    if isinstance(left, str) != isinstance(right, str):
        return isinstance(left, str)  # text sorts after numbers
    return left > right


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "=": _equal,
    "<>": lambda a, b: not _equal(a, b),
    ">": _greater,
    "<": lambda a, b: not _greater(a, b) and not _equal(a, b),
    ">=": lambda a, b: _greater(a, b) or _equal(a, b),
    "<=": lambda a, b: not _greater(a, b),
    "&": lambda a, b: f"{_blank(a)}{_blank(b)}",
    "+": lambda a, b: _number(a) + _number(b),
    "-": lambda a, b: _number(a) - _number(b),
    "*": lambda a, b: _number(a) * _number(b),
    "/": lambda a, b: _number(a) / _number(b),
}


class _NotAvailable:  # Excel's #N/A
    pass


def _match(value: Any, lookup: Any, kind: float = 1.0) -> Any:
    if kind == 1:  # the last cell of the value's type not above it (blanks skipped)
        found: Any = _NotAvailable()
        for position, candidate in enumerate(_cells(lookup), 1):
            if candidate is None or candidate == "":
                continue
            if isinstance(value, str) == isinstance(candidate, str) and not _greater(
                candidate, value
            ):
                found = position
        return found
    if kind != 0:
        raise NotImplementedError("MATCH other than exact or 1")
    value = _blank(value)
    for position, candidate in enumerate(_cells(lookup), 1):
        if isinstance(value, bool) or isinstance(candidate, bool):
            if value is candidate:
                return position
            continue
        if isinstance(value, str) != isinstance(candidate, str):
            continue
        if _equal(value, candidate):
            return position
    return _NotAvailable()


def _countif(values: Any, criterion: Any) -> int:
    if not (isinstance(criterion, str) and criterion.endswith("*")):
        raise NotImplementedError(f"COUNTIF criterion {criterion!r}")
    return sum(
        isinstance(v, str) and fnmatch.fnmatchcase(v.lower(), criterion.lower())
        for v in _cells(values)
    )


def _sumifs(values: Any, criteria: Any, criterion: Any) -> float:
    """SUMIFS of one numeric criterion (汇总's "类别 = 2"): the numbers of ``values`` whose
    cell in ``criteria`` is that number."""
    if not isinstance(criterion, (int, float)) or isinstance(criterion, bool):
        raise NotImplementedError(f"SUMIFS criterion {criterion!r}")
    pairs = zip(_cells(values), _cells(criteria), strict=True)
    return float(
        sum(
            v
            for v, c in pairs
            if isinstance(v, (int, float)) and not isinstance(v, bool)
            and isinstance(c, (int, float)) and not isinstance(c, bool) and c == criterion
        )
    )  # fmt: skip


def _numbers(arguments: tuple) -> list[float]:
    return [
        v
        for argument in arguments
        for v in _cells(argument)
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    ]


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ISNA": lambda value: isinstance(_scalar(value), _NotAvailable),
    "ISNUMBER": lambda value: (
        isinstance(_scalar(value), (int, float)) and not isinstance(_scalar(value), bool)
    ),
    "MATCH": lambda value, lookup, kind=1.0: _match(_scalar(value), lookup, kind),
    "COUNT": lambda *arguments: len(_numbers(arguments)),
    "SUM": lambda *arguments: float(sum(_numbers(arguments))),
    "COUNTIF": _countif,
    "SUMIFS": _sumifs,
    "IFERROR": lambda value, alternative: (
        alternative if isinstance(_scalar(value), _NotAvailable) else value
    ),
    "REPT": lambda text, times: str(_blank(_scalar(text))) * int(_number(_scalar(times))),
}


def coordinate(ref: str) -> tuple[str, int]:
    """``"AC5"`` → ``("AC", 5)``."""
    return coordinate_from_string(ref)
