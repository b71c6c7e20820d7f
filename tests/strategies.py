"""Hypothesis strategies for filled 盘查清册: valid and messy 活动数据 and 排放源识别 rows, as
people type them, and the workbook bytes they make.

``referee=True`` (the default) leaves out what Excel and LibreOffice compute differently, so
LibreOffice can stand in for Excel (tests/integration/test_differential.py):

* booleans in any cell a native formula reads (id, source, category, amounts, scores):
  Excel's COUNT/SUM skip TRUE and ``TRUE=1`` is FALSE; LibreOffice stores TRUE as the
  number 1 and counts it;
* numeric text in a category cell (``"1"``, ``" 2 "``, ``"3.0"``): Excel's SUMIFS/COUNTIF
  compare a numeric criterion with such text as a number (``1`` matches ``"1"``),
  LibreOffice does not.

``referee=False`` draws them too (for properties that need no referee).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from ghgxl.workbook import fill, xlsx
from ghgxl.workbook import layout as L

MONTHS = tuple(f"m{m}" for m in range(1, 13))


@dataclass(frozen=True)
class ExcelError:
    """An Excel error value in a cell (``<c t="e"><v>#N/A</v></c>``)."""

    code: str

    def __repr__(self) -> str:
        return f"ExcelError({self.code!r})"


ERRORS = st.sampled_from(["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NUM!"]).map(ExcelError)


def weighted(*options: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of ``options`` (weight, strategy), picked in proportion to the weights."""
    choices = [strategy for weight, strategy in options for _ in range(weight)]
    return st.sampled_from(choices).flatmap(lambda strategy: strategy)


@dataclass(frozen=True)
class Case:
    """One workbook: 基本信息 values, 活动数据 rows and 排放源识别 rows (dicts by column key
    of :mod:`ghgxl.workbook.layout`). Its repr is Python that rebuilds it."""

    info: dict[str, Any] = field(default_factory=dict)
    activity: tuple[dict[str, Any], ...] = ()
    sources: tuple[dict[str, Any], ...] = ()

    def __repr__(self) -> str:
        return f"Case(info={self.info!r}, activity={self.activity!r}, sources={self.sources!r})"

    @property
    def size(self) -> int:
        """How much there is to read: rows and filled cells (smaller is simpler)."""
        rows = (*self.activity, *self.sources)
        return len(rows) * 100 + sum(len(r) for r in rows) * 10 + len(self.info)


# --- numbers as people type them ------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789,.-", "０１２３４５６７８９，．－")


def _typed(number: float, style: str) -> str:
    """``1234.5`` as someone might type it into a text cell."""
    plain = repr(number) if isinstance(number, float) else str(number)
    return {
        "plain": plain,
        "padded": f" {plain} ",
        "thousands": f"{number:,}",
        "full_width": plain.translate(FULL_WIDTH),
        "exponent": f"{number:e}",
    }[style]


def _numbers(max_value: float = 1e6) -> st.SearchStrategy[float | int]:
    return st.one_of(
        st.integers(0, int(max_value)),
        st.floats(0, max_value, allow_nan=False, allow_infinity=False),
        st.integers(0, 10**6).map(lambda n: n / 100),  # two decimals, as on an invoice
        st.sampled_from([0, 1, 0.1, 1e-6, 1e9]),
    )


TEXT_NUMBERS = st.builds(
    _typed,
    _numbers(),
    st.sampled_from(["plain", "padded", "thousands", "full_width", "exponent"]),
)
NOT_NUMBERS = st.sampled_from(["一千", "12kg", "5%", "n/a", "-", "1,2,3", "?", "见附件"])
BLANK_TEXT = st.sampled_from([" ", "\u3000", "  "])


def amounts() -> st.SearchStrategy[object]:
    """An amount cell: a number mostly; text numbers, negatives, words, spaces, errors."""
    return weighted(
        (12, _numbers()),
        (3, TEXT_NUMBERS),
        (1, _numbers(1e4).map(lambda n: -n if n else -1)),
        (1, _numbers(1e4).map(lambda n: f"-{n}" if n else "-1")),
        (1, NOT_NUMBERS),
        (1, BLANK_TEXT),
        (1, ERRORS),
    )


def categories(referee: bool = True) -> st.SearchStrategy[object]:
    """An ISO 14064-1 category cell: 1–6 mostly; out of range, fractions, words, errors."""
    options = [
        (16, st.integers(1, 6)),
        (2, st.integers(1, 6).map(float)),
        (1, st.sampled_from([0, 7, -1, 1.5, 2.0000001])),
        (1, st.sampled_from(["类别一", "直接排放", "x", "二"])),
        (1, ERRORS),
    ]
    if not referee:
        options += [
            (2, st.integers(1, 6).map(str)),  # "1": a category typed as text
            (1, st.integers(1, 6).map(lambda c: f" {c} ")),
            (1, st.integers(1, 6).map(lambda c: f"{c}.0")),
            (1, st.booleans()),
        ]
    return weighted(*options)


def scores(referee: bool = True) -> st.SearchStrategy[object]:
    """A data-quality score: 1–6 mostly; text, out of range, fractions, errors."""
    options = [
        (12, st.sampled_from(L.DQ_SCORES)),
        (4, st.integers(1, 3)),
        (1, st.sampled_from(L.DQ_SCORES).map(str)),
        (1, st.sampled_from([0, 7, 2.5, -1])),
        (1, ERRORS),
    ]
    if not referee:
        options.append((1, st.booleans()))
    return weighted(*options)


# --- what an emission is computed from ------------------------------------------------

GOOD_SPECS: tuple[dict[str, Any], ...] = (
    dict(unit="kWh", factor_key="grid.cn.national.2021"),
    dict(unit="MWh", factor_key="grid.cn.east.2022"),
    dict(unit="万kWh", factor_key="grid.cn.national.2023"),
    dict(unit="L", factor_key="fuel.diesel.offroad"),
    dict(unit="t", factor_key="fuel.diesel.cn"),
    dict(unit="Nm3", factor_key="fuel.natural_gas.stationary"),
    dict(unit="kg", factor_key="fuel.lpg.stationary"),
    dict(unit="人天", factor_key="septic.ch4.person_day"),
    dict(unit="kg", factor_key="refrigerant.leak.residential_ac", gas="R-410A"),
    dict(unit="kg", factor_key="refrigerant.leak.chillers", gas="R-134a"),
    dict(unit="t", factor_key="refrigerant.leak.commercial_standalone", gas="R-404A"),
    dict(unit="kg", factor_key="refrigerant.leak.mobile_ac", gas="HCFC-22"),
    dict(unit="kWh", factor_unit="kgCO2/kWh"),
    dict(unit="t", factor_unit="tCO2e/t"),
    dict(unit="tkm", factor_unit="kgCO2e/tkm"),
    dict(unit="t", factor_unit="kgCH4/t"),
    dict(unit="TJ", factor_unit="tCO2/TJ"),
    dict(unit="万元", factor_unit="kgCO2e/万元"),
    dict(unit="kWh", factor_unit="g/kWh", gas="N2O"),
    dict(unit="t", factor_unit="tC/t"),
)
MESSY_SPECS: tuple[dict[str, Any], ...] = (
    dict(unit="kwhh", factor_key="grid.cn.national.2021"),  # unknown unit
    dict(unit="kWh", factor_key="grid.cn.mars.2023"),  # unknown key
    dict(unit=" kWh ", factor_key=" GRID.CN.NATIONAL.2021 "),  # spaces, capitals
    dict(unit="L", factor_key="grid.cn.national.2021"),  # a volume against a grid factor
    dict(unit="kWh", factor_key="fuel.diesel.offroad"),  # electricity against a fuel
    dict(factor_key="grid.cn.national.2021"),  # no unit
    dict(unit="kWh"),  # neither key nor factor
    dict(unit="kg", factor_key="refrigerant.leak.residential_ac"),  # no gas
    dict(unit="kg", factor_key="refrigerant.leak.residential_ac", gas="R-999"),  # unknown gas
    dict(unit="kWh", factor_unit="kgXYZ/kWh"),  # unknown factor unit
    dict(unit="t", factor_unit="kgCO2e/tkm"),  # a mass against a per-tkm factor
    dict(unit="kWh", factor_unit="kgCO2/kWh", gas="CH4"),  # gas named twice, differently
)


def explicit_factors() -> st.SearchStrategy[object]:
    return weighted(
        (12, _numbers(10)),
        (2, TEXT_NUMBERS),
        (1, st.just(-0.5)),
        (1, NOT_NUMBERS),
        (1, ERRORS),
    )


@st.composite
def specs(draw: st.DrawFn) -> dict[str, Any]:
    spec = dict(draw(st.sampled_from(GOOD_SPECS + GOOD_SPECS + MESSY_SPECS)))
    if "factor_unit" in spec:
        spec["factor"] = draw(explicit_factors())
        if draw(st.booleans()):
            spec["factor_source"] = "供应商声明"
    return spec


# --- rows -----------------------------------------------------------------------------

METHODS = st.sampled_from([*L.METHOD_LABELS, "combustion", "其他方法"])


@st.composite
def activity_rows(draw: st.DrawFn, referee: bool = True) -> dict[str, Any]:
    """One 活动数据 row: an id, a category, amounts (annual and/or monthly), a factor, and
    data-quality scores, each sometimes missing or mistyped."""
    row: dict[str, Any] = {}
    row["id"] = draw(st.one_of(st.integers(1, 99).map(lambda n: f"E{n}"), st.just(101)))
    if draw(st.integers(0, 9)) == 0:
        del row["id"]
    if draw(st.booleans()):
        row["source"] = draw(st.sampled_from(["外购电力", "柴油叉车", "空调 R-410A", "化粪池"]))
    if draw(st.integers(0, 9)):
        row["category"] = draw(categories(referee))
    if draw(st.integers(0, 5)) == 0:
        row["scope3_category"] = draw(st.one_of(st.integers(1, 16), st.just("4")))
    if draw(st.integers(0, 4)) == 0:
        row["method"] = draw(METHODS)
    where = draw(st.sampled_from(["annual", "annual", "months", "both", "none"]))
    if where in ("annual", "both"):
        row["annual"] = draw(amounts())
    if where in ("months", "both"):
        months = draw(st.lists(st.sampled_from(MONTHS), min_size=1, max_size=4, unique=True))
        for month in sorted(months, key=MONTHS.index):
            row[month] = draw(amounts())
    row.update(draw(specs()))
    for key in ("dq_activity", "dq_factor", "dq_calibration"):
        if draw(st.integers(0, 7)):
            row[key] = draw(scores(referee))
    if draw(st.integers(0, 9)) == 0:
        row["activity_u_pct"] = draw(st.sampled_from([5, 10.5, "7.5", -3]))
    if not referee and draw(st.integers(0, 9)) == 0:
        row[draw(st.sampled_from(["annual", "m1", "id", "source"]))] = draw(st.booleans())
    return row


@st.composite
def source_rows(draw: st.DrawFn, referee: bool = True) -> dict[str, Any]:
    """One 排放源识别 row; some are exclusions (排除) with or without an estimate."""
    row: dict[str, Any] = {
        "id": draw(st.integers(1, 99).map(lambda n: f"E{n}")),
        "source": draw(st.sampled_from(["外购电力", "员工通勤", "废弃物", "灭火器"])),
    }
    if draw(st.integers(0, 5)):
        row["category"] = draw(categories(referee))
    row["included"] = draw(st.sampled_from([*L.INCLUDED, "排除", "exclude", None]))
    if row["included"] is None:
        del row["included"]
    if row.get("included") in ("排除", "exclude"):
        if draw(st.booleans()):
            row["exclusion_reason"] = "排放量极小"
        if draw(st.integers(0, 3)):
            row["estimate_tco2e"] = draw(
                st.one_of(_numbers(100), TEXT_NUMBERS, st.just(-1), NOT_NUMBERS)
            )
    return row


INFOS = st.fixed_dictionaries(
    {"company": st.just("测试公司")},
    optional={
        "gwp_set": st.sampled_from(["AR6", "AR5", "AR4", "SAR"]),
        "dq_scheme": st.sampled_from(L.DQ_SCHEMES),
    },
)


def workbook_cases(referee: bool = True, max_rows: int = 4) -> st.SearchStrategy[Case]:
    """A workbook of up to ``max_rows`` 活动数据 rows and two 排放源识别 rows."""
    return st.builds(
        Case,
        info=INFOS,
        activity=st.lists(activity_rows(referee), min_size=1, max_size=max_rows).map(tuple),
        sources=st.lists(source_rows(referee), max_size=2).map(tuple),
    )


# --- the workbook itself --------------------------------------------------------------


def _error_cells(
    records: tuple[dict[str, Any], ...], columns: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The rows without their error values, and those values by cell (``T5`` → ``#N/A``)."""
    plain, errors = [], {}
    for offset, record in enumerate(records):
        row = L.FIRST_ROW + offset
        plain.append({k: v for k, v in record.items() if not isinstance(v, ExcelError)})
        for key, value in record.items():
            if isinstance(value, ExcelError):
                errors[f"{columns[key]}{row}"] = value.code
    return plain, errors


def _set_errors(xml: bytes, errors: dict[str, str]) -> bytes:
    for ref, code in errors.items():
        cell = re.compile(rb'<c r="' + ref.encode() + rb'"( s="\d+")?[^>]*?(?:/>|>.*?</c>)', re.S)
        replacement = b'<c r="' + ref.encode() + rb'"\1 t="e"><v>' + code.encode() + b"</v></c>"
        xml, found = cell.subn(replacement, xml, count=1)
        assert found, ref
    return xml


def workbook_bytes(template: bytes, case: Case) -> bytes:
    """``template`` filled with ``case`` (:func:`ghgxl.workbook.fill.fill`); Excel error
    values, which fill does not write, are put into their cells afterwards."""
    activity, activity_errors = _error_cells(case.activity, L.ACT_COL)
    sources, source_errors = _error_cells(case.sources, L.SOURCE_COL)
    package = fill.fill(template, case.info, activity, sources)
    if not (activity_errors or source_errors):
        return package
    members = xlsx.read_members(package)
    parts = xlsx.sheet_parts(members)
    for sheet, errors in ((L.SHEET_ACTIVITY, activity_errors), (L.SHEET_SOURCES, source_errors)):
        if errors:
            members[parts[sheet]] = _set_errors(members[parts[sheet]], errors)
    return xlsx.write_package(members)


def generate(count: int, seed: int, referee: bool = True) -> list[Case]:
    """``count`` cases from :func:`workbook_cases`, the same ones for the same ``seed``
    (hypothesis' engine draws them, so they cover the strategies as a test run would; the
    caller evaluates them in a batch — a LibreOffice run per example would take hours)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    cases: list[Case] = []

    @seeded(seed)
    @settings(
        max_examples=count,
        phases=[Phase.generate],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(workbook_cases(referee))
    def collect(case: Case) -> None:
        cases.append(case)

    collect()
    return cases
