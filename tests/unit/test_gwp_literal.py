"""``ghgxl check``'s quick test for a GWP set named in a formula ("AR5", &quot;SAR&quot;)
finds every one the regular expression it replaced finds (it may find more: the formulas
are then read in full), and passes over a sheet of cell refs such as r="AR12"."""

from __future__ import annotations

import random
import re

from ghgxl.workbook.check import has_gwp_literal

#: the test it replaced: a set's name between quotes, as written inside <f> or escaped
REFERENCE = re.compile(rb"(?:&quot;|\")(?:AR\d|SAR)(?:&quot;|\")")
TOKENS = [b'"', b"&quot;", b";", b"&", b"AR", b"S", b"5", b"12", b"x", b"<c r=", b"A", b"R"]


def test_every_name_the_regular_expression_finds_is_found() -> None:
    draw = random.Random(14064)
    found = 0
    for _ in range(60_000):
        text = b"".join(draw.choice(TOKENS) for _ in range(draw.randint(1, 12)))
        if REFERENCE.search(text):
            found += 1
            assert has_gwp_literal(text), text
    assert found > 50  # the draw does reach the names


def test_names_and_cell_refs() -> None:
    assert has_gwp_literal(b'<f>GHG_EMISSION(U5,V5,X5,Y5,Z5,AA5,"AR5")</f>')
    assert has_gwp_literal(b"<f>GHG_EMISSION(U5,&quot;SAR&quot;)</f>")
    assert has_gwp_literal(b'"AR4"')  # at the very start
    row = b'<row r="12"><c r="AR12" s="10"/><c r="AS12"><f>SUM(AR1:AR9)</f></c></row>'
    assert not has_gwp_literal(row * 1000)
    assert not has_gwp_literal(b"AR")
    assert not has_gwp_literal(b"")
