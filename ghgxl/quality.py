"""Data-quality scoring, in the two schemes a Chinese-speaking inventory uses.

* ``631`` — the Shenzhen-style template of the seed report: each row gets three scores —
  activity data (6 continuous metering, 3 periodic reading, 1 estimate), emission factor
  (6 measured or mass balance … 1 international default) and instrument calibration
  (6, 3, 1); the row's score is their **mean**; grades >= 5 一级, 4–5 二级, 3–4 三级,
  2–3 四级, < 2 五级 (higher is better).
* ``taiwan`` — the 數據品質管理 sheet of Taiwan MOENV's 溫室氣體排放量盤查表
  (``factors/dq_scheme_taiwan.csv``): activity 1–3, calibration 1–3, factor 1–3; the row's
  error level X is their **product** (1–27); grades 第一級 X < 10, 第二級 10–19, 第三級
  19–27 (lower is better).

In both, the inventory's score is Σ row score × row share of the total emissions, on
unrounded shares.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import math

import numpy as np

SEED_SCHEME, TAIWAN_SCHEME = "631", "taiwan"
#: The grade of an inventory whose rows are not all scored (or that has no emissions).
NOT_ASSESSED = "未评估"
#: (lower bound, grade) from best to worst.
GRADES = {
    SEED_SCHEME: ((5.0, "一级"), (4.0, "二级"), (3.0, "三级"), (2.0, "四级"), (-np.inf, "五级")),
    TAIWAN_SCHEME: ((19.0, "三级"), (10.0, "二级"), (-np.inf, "一级")),
}


#: The 6/3/1 scoring table of the seed (its 4.5): (item, score, criterion).
RUBRIC_631 = (
    ("活动数据", 6, "自动连续测量"),
    ("活动数据", 3, "定期量测（抄表、缴费单据）"),
    ("活动数据", 1, "推估"),
    ("排放因子", 6, "计算或质量平衡"),
    ("排放因子", 5, "同类设施经验"),
    ("排放因子", 4, "生产商提供"),
    ("排放因子", 3, "当地排放因子"),
    ("排放因子", 2, "地域排放因子"),
    ("排放因子", 1, "国际排放因子"),
    ("仪器校正", 6, "有规定且执行，结果符合要求"),
    ("仪器校正", 3, "有规定执行但结果不符合要求，或无规定执行但数据得到确认"),
    ("仪器校正", 1, "没有规定执行"),
)
TAIWAN_FILE = "dq_scheme_taiwan.csv"
_TAIWAN_ITEMS = {"activity": "活动数据种类", "calibration": "仪器校正", "factor": "排放系数种类"}


def rubric(scheme: str = SEED_SCHEME) -> list[tuple[str, str, str]]:
    """The scoring table of a scheme as (item, score, criterion): the seed's 6/3/1 table, or
    the MOENV levels of ``factors/dq_scheme_taiwan.csv`` (in simplified characters)."""
    if scheme != TAIWAN_SCHEME:
        return [(item, str(score), text) for item, score, text in RUBRIC_631]
    data = importlib.resources.files("ghgxl.factor_data").joinpath(TAIWAN_FILE)
    rows = csv.DictReader(io.StringIO(data.read_text("utf-8")))
    return [
        (_TAIWAN_ITEMS[r["item"]], r["score"], r["criterion_zh_hans"])
        for r in rows
        if r["item"] in _TAIWAN_ITEMS
    ]


def grade_table(scheme: str = SEED_SCHEME) -> list[tuple[str, str]]:
    """(grade, range of the weighted score) from :data:`GRADES`, best grade first:
    ``('一级', 'A ≥ 5')`` … ``('五级', 'A < 2')``; Taiwan: ``('一级', 'X < 10')`` …
    ``('三级', '19 ≤ X ≤ 27')``."""
    grades = GRADES[scheme]
    if scheme == TAIWAN_SCHEME:  # lower is better: from the lowest band up
        bounds = [t for t, _ in grades][::-1]  # -inf, 10, 19
        names = [n for _, n in grades][::-1]
        uppers = [*bounds[1:], None]
        table = []
        for low, high, name in zip(bounds, uppers, names, strict=True):
            if math.isinf(low):
                table.append((name, f"X < {high:g}"))
            elif high is None:
                table.append((name, f"{low:g} ≤ X ≤ 27"))
            else:
                table.append((name, f"{low:g} ≤ X < {high:g}"))
        return table
    table = []
    previous = None
    for threshold, name in grades:
        if math.isinf(threshold):
            table.append((name, f"A < {previous:g}"))
        elif previous is None:
            table.append((name, f"A ≥ {threshold:g}"))
        else:
            table.append((name, f"{threshold:g} ≤ A < {previous:g}"))
        previous = threshold
    return table


#: What names the Taiwan scheme in 基本信息 数据质量评分方案: the sheet's formulas test
#: ``ISNUMBER(SEARCH("台湾", …))`` (:data:`ghgxl.workbook.formulas.TAIWAN`), so ghgxl reads
#: the label exactly as they do, or the two would grade one workbook two ways.
TAIWAN_MARK = "台湾"


def scheme_of(label: object) -> str:
    """The scheme a 基本信息 label names (``台湾…`` → taiwan; anything else → 631), as the
    sheet's formulas read it."""
    return TAIWAN_SCHEME if TAIWAN_MARK in str(label or "") else SEED_SCHEME


#: The three score columns' items, in their order.
ITEMS = ("活动数据", "排放因子", "仪器校正")
#: The rubrics' items by the score column they fill (Taiwan names two of them otherwise).
COLUMN_OF_ITEM = {**{item: i for i, item in enumerate(ITEMS)}, "活动数据种类": 0, "排放系数种类": 1}
#: The activity (and calibration) scores from metered to estimated: 6/3/1 scores 6 for
#: continuous metering, the Taiwan scheme 1 (連續量測) — the two run opposite ways.
ACTIVITY_LEVELS = {SEED_SCHEME: (6.0, 3.0, 1.0), TAIWAN_SCHEME: (1.0, 2.0, 3.0)}


def allowed_scores(scheme: str = SEED_SCHEME) -> tuple[tuple[float, ...], ...]:
    """The scores each score column may hold in ``scheme``, from its rubric (活动数据,
    排放因子, 仪器校正): 631 → (1, 3, 6), (1 … 6), (1, 3, 6); taiwan → (1, 2, 3) each."""
    found: list[set[float]] = [set(), set(), set()]
    for item, score, _ in rubric(scheme):
        found[COLUMN_OF_ITEM[item]].add(float(score))
    return tuple(tuple(sorted(scores)) for scores in found)


def row_score(
    activity: float, factor: float, calibration: float, scheme: str = SEED_SCHEME
) -> float:
    """Mean of the three scores (631: (3 + 1 + 3) / 3 = 2.333…), or their product (taiwan)."""
    if scheme == TAIWAN_SCHEME:
        return activity * factor * calibration
    return (activity + factor + calibration) / 3


def row_scores(scores: np.ndarray, scheme: str = SEED_SCHEME) -> np.ndarray:
    """:func:`row_score` for an (n, 3) array; NaN where a score is missing."""
    scores = np.asarray(scores, dtype=float)
    return scores.prod(axis=1) if scheme == TAIWAN_SCHEME else scores.mean(axis=1)


#: Significant digits a score is compared at: Excel compares numbers at 15 digits, so a
#: weighted score of 4.999999999999999 (every row 5, the shares summed in floating point)
#: is 5 to the sheet's grade formula, and to ghgxl.
COMPARED_DIGITS = 15


def grade(score: float, scheme: str = SEED_SCHEME) -> str:
    """``grade(2.3408) == '四级'``; ``grade(12, 'taiwan') == '二级'``; a score a rounding
    error short of a bound (4.999999999999999) takes the bound's grade, as in Excel."""
    compared = float(f"{score:.{COMPARED_DIGITS}g}")
    for threshold, name in GRADES[scheme]:
        if compared >= threshold:
            return name
    return GRADES[scheme][-1][1]


def weighted_score(scores: np.ndarray, emissions: np.ndarray) -> float:
    """Σ score × emissions/total (shares not rounded); NaN — not assessed — when a row with
    an emission lacks its score, or when there is no emission to weight by: a sum over
    some of the rows would read as a (bad) grade that nobody gave."""
    scores = np.asarray(scores, dtype=float)
    emissions = np.asarray(emissions, dtype=float)
    emitted = ~np.isnan(emissions)
    total = emissions[emitted].sum()
    if total == 0 or np.isnan(scores[emitted]).any():
        return float("nan")
    # score × (emission / total), in the sheet's order (F × I): (3 × e) / e is not always 3
    return float((scores[emitted] * (emissions[emitted] / total)).sum())
