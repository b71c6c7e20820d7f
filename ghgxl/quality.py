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

import numpy as np

SEED_SCHEME, TAIWAN_SCHEME = "631", "taiwan"
#: The grade of an inventory whose rows are not all scored (or that has no emissions).
NOT_ASSESSED = "未评估"
#: (lower bound, grade) from best to worst.
GRADES = {
    SEED_SCHEME: ((5.0, "一级"), (4.0, "二级"), (3.0, "三级"), (2.0, "四级"), (-np.inf, "五级")),
    TAIWAN_SCHEME: ((19.0, "三级"), (10.0, "二级"), (-np.inf, "一级")),
}


def scheme_of(label: object) -> str:
    """The scheme a 基本信息 label names (``台湾…`` → taiwan; anything else → 631)."""
    text = str(label or "")
    return (
        TAIWAN_SCHEME
        if ("台湾" in text or "臺灣" in text or "taiwan" in text.lower())
        else SEED_SCHEME
    )


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


def grade(score: float, scheme: str = SEED_SCHEME) -> str:
    """``grade(2.3408) == '四级'``; ``grade(12, 'taiwan') == '二级'``."""
    for threshold, name in GRADES[scheme]:
        if score >= threshold:
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
