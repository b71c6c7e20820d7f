"""Data-quality scoring (the seed's 6/3/1 scheme)."""

from __future__ import annotations

import numpy as np
import pytest

from ghgxl import quality


def test_row_score_and_grade() -> None:
    assert quality.row_score(3, 1, 3) == pytest.approx(7 / 3)  # the seed's rows 1, 2, 4 …
    assert quality.grade(7 / 3) == "四级"
    assert quality.grade(4.6667) == "二级"  # row 12: (6 + 2 + 6) / 3
    assert [quality.grade(s) for s in (5, 4.99, 3, 2.99, 2, 1.99)] == [
        "一级",
        "二级",
        "三级",
        "四级",
        "四级",
        "五级",
    ]


def test_weighted_score_on_unrounded_shares() -> None:
    # hand calculation: scores 7/3 and 14/3 on 300 and 100 t → 7/3 × 0.75 + 14/3 × 0.25 = 2.9167
    assert quality.weighted_score(
        np.array([7 / 3, 14 / 3]), np.array([300.0, 100.0])
    ) == pytest.approx(7 / 3 * 0.75 + 14 / 3 * 0.25)
    # a row without its scores: not assessed (NaN), never 3 × 0.5 = 1.5 (a 第五级 nobody gave)
    assert np.isnan(quality.weighted_score(np.array([3.0, np.nan]), np.array([50.0, 50.0])))
    # the sheet's order, score × share: one row scored 2/3/4 is 3.0, 三级, never 2.9999…, 四级
    # ((3 × 445387.1946094142) / 445387.1946094142 is 2.9999999999999996 in floating point)
    assert quality.weighted_score(np.array([3.0]), np.array([445387.1946094142])) == 3.0
    # no emission to weight by: not assessed either
    assert np.isnan(quality.weighted_score(np.array([3.0]), np.array([0.0])))


def test_taiwan_scheme() -> None:
    # MOENV 盤查表: error level X = activity × calibration × factor, 1–27, lower is better
    assert quality.row_score(2, 3, 2, quality.TAIWAN_SCHEME) == 12
    assert [quality.grade(x, quality.TAIWAN_SCHEME) for x in (1, 9.99, 10, 18.9, 19, 27)] == [
        "一级",
        "一级",
        "二级",
        "二级",
        "三级",
        "三级",
    ]
    scores = np.array([[1, 1, 1], [3, 3, 3], [2, np.nan, 2]])
    assert quality.row_scores(scores, quality.TAIWAN_SCHEME)[:2].tolist() == [1, 27]
    assert np.isnan(quality.row_scores(scores, quality.TAIWAN_SCHEME)[2])
    # 1 × 90 % + 27 × 10 % = 3.6 → 第一级
    assert quality.weighted_score(np.array([1.0, 27.0]), np.array([90.0, 10.0])) == pytest.approx(
        3.6
    )
    assert quality.scheme_of("台湾环境部盘查表评分法") == quality.TAIWAN_SCHEME
    assert quality.scheme_of("6/3/1 评分法（活动数据/排放因子/仪器校正）") == quality.SEED_SCHEME


def test_grade_tables_follow_the_grades() -> None:
    """The report's grade tables come from GRADES: every score falls in the band whose
    grade quality.grade gives it."""
    assert quality.grade_table() == [
        ("一级", "A ≥ 5"),
        ("二级", "4 ≤ A < 5"),
        ("三级", "3 ≤ A < 4"),
        ("四级", "2 ≤ A < 3"),
        ("五级", "A < 2"),
    ]
    assert quality.grade_table("taiwan") == [
        ("一级", "X < 10"),
        ("二级", "10 ≤ X < 19"),
        ("三级", "19 ≤ X ≤ 27"),
    ]
    for score, band in ((5.0, 0), (4.99, 1), (2.0, 3), (1.99, 4)):
        assert quality.grade(score) == quality.grade_table()[band][0]
    for score, band in ((9.99, 0), (10, 1), (18.9, 1), (19, 2), (27, 2)):
        assert quality.grade(score, "taiwan") == quality.grade_table("taiwan")[band][0]


def test_rubrics_of_both_schemes() -> None:
    seed = quality.rubric()
    assert [s for item, s, _ in seed if item == "活动数据"] == ["6", "3", "1"]
    assert [s for item, s, _ in seed if item == "排放因子"] == ["6", "5", "4", "3", "2", "1"]
    assert [s for item, s, _ in seed if item == "仪器校正"] == ["6", "3", "1"]
    taiwan = quality.rubric("taiwan")
    assert {item for item, _, _ in taiwan} == {"活动数据种类", "仪器校正", "排放系数种类"}
    assert {s for _, s, _ in taiwan} == {"1", "2", "3"}
    assert ("活动数据种类", "1", "连续量测") in taiwan  # simplified characters for the report
