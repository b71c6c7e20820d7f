"""Data-quality scoring: the 6/3/1 scheme of the Shenzhen-style inventory template.

Each row gets three scores — activity data (6 continuous metering, 3 periodic reading,
1 estimate), emission factor (6 measured or mass balance … 1 international default) and
instrument calibration (6, 3, 1). The row's score is their mean; the inventory's score is
the sum of row score × row share of the total emissions, on unrounded shares. Grades:
>= 5 一级, 4–5 二级, 3–4 三级, 2–3 四级, < 2 五级.
"""

from __future__ import annotations

import numpy as np

GRADES = ((5.0, "一级"), (4.0, "二级"), (3.0, "三级"), (2.0, "四级"), (-np.inf, "五级"))


def row_score(activity: float, factor: float, calibration: float) -> float:
    """Mean of the three scores: (3 + 1 + 3) / 3 = 2.333…"""
    return (activity + factor + calibration) / 3


def grade(score: float) -> str:
    """``grade(2.3408) == '四级'``."""
    for threshold, name in GRADES:
        if score >= threshold:
            return name
    return GRADES[-1][1]


def weighted_score(scores: np.ndarray, emissions: np.ndarray) -> float:
    """Σ score × emissions/total, over rows with both (shares are not rounded)."""
    scores = np.asarray(scores, dtype=float)
    emissions = np.asarray(emissions, dtype=float)
    usable = ~np.isnan(scores) & ~np.isnan(emissions)
    total = emissions[~np.isnan(emissions)].sum()
    if total == 0:
        return float("nan")
    return float((scores[usable] * emissions[usable] / total).sum())
