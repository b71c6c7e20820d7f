"""Cell references: column letters ⇄ numbers, ``AC5`` → (row, column).

openpyxl has these helpers, but importing them imports openpyxl's whole workbook machinery
(~0.1 s), which ``ghgxl calc`` and ``ghgxl check`` would pay at every start-up for three
small functions; this module imports nothing.
"""

from __future__ import annotations

import re

#: Excel's last column, XFD.
MAX_COLUMN = 16384
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+)")


def column_number(letters: str) -> int:
    """``A`` → 1, ``AC`` → 29, ``XFD`` → 16384 (ValueError for anything else)."""
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        raise ValueError(f"not a column: {letters!r}")
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    if number > MAX_COLUMN:
        raise ValueError(f"not a column: {letters!r}")
    return number


def column_letter(number: int) -> str:
    """1 → ``A``, 29 → ``AC``, 16384 → ``XFD`` (ValueError outside 1–16384)."""
    if not 1 <= number <= MAX_COLUMN:
        raise ValueError(f"not a column number: {number!r}")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def split_ref(ref: str) -> tuple[int, int]:
    """``AC5`` (or ``$AC$5``) → (5, 29): row and column numbers."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(match.group(2)), column_number(match.group(1))
