"""Uncertainty: IPCC Approach 1 against hand calculations; Approach 2 against Approach 1."""

from __future__ import annotations

import math

import pytest

from ghgxl import uncertainty as U
from ghgxl.uncertainty import Component


def test_equations_3_1_and_3_2() -> None:
    assert U.product_pct(3, 4) == pytest.approx(5.0)  # eq. 3.1
    # eq. 3.2: sqrt((10 % × 100)² + (20 % × 50)²) / 150 = sqrt(1000² + 1000²) / 150 = 9.428 %
    assert U.sum_pct([100, 50], [10, 20]) == pytest.approx(math.sqrt(2) * 1000 / 150)


SHARED = [  # two rows on the same grid factor, one fuel row with CO2 and a skewed N2O part
    Component(row=1, category=2, tco2e=100, activity_pct=5, factor_id="grid|CO2", factor_pct=5),
    Component(row=2, category=2, tco2e=50, activity_pct=5, factor_id="grid|CO2", factor_pct=5),
    Component(row=3, category=1, tco2e=30, activity_pct=10, factor_id="diesel|CO2", factor_pct=3),
]


def test_propagation_with_a_shared_factor() -> None:
    result = U.propagation(SHARED)
    # category 2: activity 5 % × 100 and 5 % × 50 (independent), factor 5 % × 150 (shared):
    # sqrt(500² + 250² + 750²) / 150 = 6.2361 %
    assert result["by_category"][2] == pytest.approx(math.sqrt(500**2 + 250**2 + 750**2) / 150)
    # category 1: one row, activity 10 % and factor 3 % multiply: sqrt(10² + 3²) = 10.44 %
    assert result["by_category"][1] == pytest.approx(math.hypot(10, 3))
    # total: the same terms over 180 t: sqrt(500² + 250² + 750² + 300² + 90²) / 180
    assert result["total_pct"] == pytest.approx(
        math.sqrt(500**2 + 250**2 + 750**2 + 300**2 + 90**2) / 180
    )


def test_monte_carlo_agrees_with_propagation_for_small_normal_uncertainties() -> None:
    approach1 = U.propagation(SHARED)
    approach2 = U.monte_carlo(SHARED, draws=200_000, seed=7)
    # tolerance: 5 % of the propagated half-width (sampling error of the 2.5/97.5 percentiles
    # at 200,000 draws is about 1 %; the rest is the non-linearity of the product)
    for side in ("lower_pct", "upper_pct"):
        assert abs(approach2[side]) == pytest.approx(approach1["total_pct"], rel=0.05)
        for category in (1, 2):
            assert abs(approach2["by_category"][category][side]) == pytest.approx(
                approach1["by_category"][category], rel=0.05
            )


def test_monte_carlo_is_reproducible_with_its_seed() -> None:
    first = U.monte_carlo(SHARED, draws=20_000, seed=1)
    assert first == U.monte_carlo(SHARED, draws=20_000, seed=1)
    assert first != U.monte_carlo(SHARED, draws=20_000, seed=2)
    assert first["draws"] == 20_000 and first["seed"] == 1


def test_lognormal_factors_are_skewed() -> None:
    parts = [
        Component(
            row=1,
            category=1,
            tco2e=10,
            activity_pct=1,
            factor_id="n2o",
            factor_pct=150,
            distribution="lognormal",
        )
    ]
    result = U.monte_carlo(parts, draws=50_000, seed=3)
    assert result["upper_pct"] > -result["lower_pct"] > 0
    assert result["upper_pct"] == pytest.approx(150, rel=0.1)  # the upper side is the published one


def test_grouped_path_for_large_inventories(monkeypatch: pytest.MonkeyPatch) -> None:
    many = [
        Component(
            row=i, category=2, tco2e=1.0 + i % 3, activity_pct=5, factor_id="grid|CO2", factor_pct=5
        )
        for i in range(300)
    ]
    exact = U.monte_carlo(many, draws=50_000, seed=5)
    monkeypatch.setattr(U, "EXACT_LIMIT", 10)
    grouped = U.monte_carlo(many, draws=50_000, seed=5)
    assert grouped["upper_pct"] == pytest.approx(exact["upper_pct"], rel=0.05)
    assert grouped["upper_pct"] == pytest.approx(U.propagation(many)["total_pct"], rel=0.05)


def test_defaults_and_overrides_from_an_inventory() -> None:
    from ghgxl.inventory import calculate

    defaults = U.load_defaults()
    rows = [
        dict(category=2, amount=100, unit="MWh", factor_key="grid.cn.national.2021", dq_activity=6),
        dict(
            category=2,
            amount=100,
            unit="MWh",
            factor_key="grid.cn.national.2021",
            dq_activity=1,
            activity_u_pct=8,
            factor_u_pct=2,
        ),
        dict(category=1, amount=1, unit="TJ", factor_key="fuel.diesel.offroad", dq_activity=3),
    ]
    parts = U.inventory_components(calculate(rows), defaults)
    grid = [p for p in parts if p.factor_id.startswith("grid")]
    assert grid[0].activity_pct == defaults["activity.dq6"].u95_pct
    assert grid[1].activity_pct == 8  # the row's own figure wins over the default
    assert {p.factor_pct for p in grid} == {defaults["factor.grid"].u95_pct, 2}
    diesel = {p.factor_id.split("|")[1]: p for p in parts if p.factor_id.startswith("fuel")}
    assert diesel["CO2"].factor_pct == defaults["factor.fuel.co2.diesel"].u95_pct
    assert diesel["N2O"].distribution == "lognormal"
    for default in defaults.values():  # every default names its source
        assert default.source and default.u95_pct >= 0


def test_a_key_as_a_dropdown_choice_or_full_width_is_the_same_factor() -> None:
    """The engine reads all three as fuel.diesel.cn; so must the uncertainty (its 5.3 %,
    and one factor: the three rows' factor errors are correlated, not independent)."""
    from ghgxl.inventory import calculate

    keys = ["fuel.diesel.cn", "柴油（L）｜fuel.diesel.cn", "ｆｕｅｌ．ｄｉｅｓｅｌ．ｃｎ"]
    rows = [
        dict(id=str(i), category=1, amount=1000, unit="L", factor_key=key, place=f"x!A{i}")
        for i, key in enumerate(keys)
    ]
    frame = U.inventory_frame(calculate(rows))
    assert set(frame["factor_id"]) == {"fuel.diesel.cn|CO2"}
    assert set(frame["factor_pct"]) == {5.3}
