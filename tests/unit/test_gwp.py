"""GWPs: from globalwarmingpotentials, spelling-insensitive gas names, blends."""

from __future__ import annotations

import pytest

from ghgxl import gwp
from ghgxl.errors import GhgError


@pytest.mark.parametrize(
    ("gas", "gwp_set", "expected"),
    [
        ("CO2", "AR6", 1),
        ("CH4", "AR6", 27.9),  # AR6 WG1 7.SM.7
        ("N2O", "AR6", 273),
        ("N2O", "AR5", 265),  # AR5 Table 8.A.1
        ("CH4", "AR5", 28),
        ("CH4", "AR4", 25),
        ("N2O", "AR4", 298),
        ("CH4", "SAR", 21),
        ("CH4", "AR2", 21),  # AR2 is SAR
        ("N2O", "SAR", 310),
        ("SF6", "AR6", 25200),
        ("NF3", "AR6", 17400),
        ("HFC-134a", "AR6", 1530),
        ("HFC-32", "AR5", 677),
        ("CF4", "AR6", 7380),
        ("CH4-fossil", "AR6", 29.8),  # AR6 Table 7.15
        ("CH4-nonfossil", "AR6", 27.0),
        ("CH4-fossil", "AR5", 30),
        ("CH4-fossil", "AR4", 25),  # no split before AR5: the single value
    ],
)
def test_published_values(gas: str, gwp_set: str, expected: float) -> None:
    assert gwp.gwp(gas, gwp_set) == expected


@pytest.mark.parametrize(
    ("blend", "gwp_set", "hand"),
    [
        # mass-weighted sums of the component values of the same set
        ("R-410A", "AR4", 0.5 * 675 + 0.5 * 3500),  # = 2087.5
        ("R-404A", "AR4", 0.44 * 3500 + 0.52 * 4470 + 0.04 * 1430),  # = 3921.6
        ("R-407C", "AR6", 0.23 * 771 + 0.25 * 3740 + 0.52 * 1530),
        ("R-507A", "AR5", 0.5 * 3170 + 0.5 * 4800),
        ("R-410A", "AR6", 0.5 * 771 + 0.5 * 3740),  # = 2255.5
    ],
)
def test_blends(blend: str, gwp_set: str, hand: float) -> None:
    assert gwp.gwp(blend, gwp_set) == pytest.approx(hand, rel=1e-12)


def test_well_known_blend_values() -> None:
    assert gwp.gwp("R-410A", "AR4") == pytest.approx(2087.5)
    assert round(gwp.gwp("R-404A", "AR4")) == 3922


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("hfc134a", "HFC-134a"),
        ("HFC 134a", "HFC-134a"),
        ("R-134a", "HFC-134a"),
        ("R134a", "HFC-134a"),
        ("r410a", "R-410A"),
        ("R 410A", "R-410A"),
        ("CH₄", "CH4"),
        ("n2o", "N2O"),
        ("PFC-14", "CF4"),
        ("R-22", "HCFC-22"),
        ("R-32", "HFC-32"),
        ("ch4 fossil", "CH4-fossil"),
        ("CO2e", "CO2e"),
    ],
)
def test_gas_spellings(typed: str, canonical: str) -> None:
    assert gwp.canonical_gas(typed) == canonical


@pytest.mark.parametrize(
    ("gas", "group"),
    [
        ("CO2", "CO2"),
        ("CH4-fossil", "CH4"),
        ("HFC-23", "HFCs"),
        ("C2F6", "PFCs"),
        ("HCFC-22", "Other"),
    ],
)
def test_groups(gas: str, group: str) -> None:
    assert gwp.gas_group(gas) == group


def test_errors() -> None:
    with pytest.raises(GhgError) as unknown:
        gwp.gwp("XYZ")
    assert unknown.value.code == "E401"
    with pytest.raises(GhgError) as bad_set:
        gwp.gwp("CH4", "AR7")
    assert bad_set.value.code == "E402"
    with pytest.raises(GhgError) as missing:
        gwp.gwp("NF3", "SAR")  # SAR has no NF3
    assert missing.value.code == "E403"


def test_blend_compositions_sum_to_one() -> None:
    for name in gwp.known_gases():
        if gwp.is_blend(name):
            assert sum(gwp.composition(name).values()) == pytest.approx(1.0)
