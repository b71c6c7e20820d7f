"""Every factor file parses; keys are unique; units parse; published values are what the
publications say; derived rows equal their formula."""

from __future__ import annotations

import dataclasses

import pytest

from ghgxl import api, citations, gwp, methods
from ghgxl.errors import GhgError
from ghgxl.factors import FactorLibrary, library_files, load_library, parse_rows, read_library_file
from ghgxl.methods import combustion
from ghgxl.units import parse_factor_unit, parse_unit


def test_every_file_loads_without_errors() -> None:
    library, errors = load_library()
    assert [e.text() for e in errors] == []
    assert len(library.rows()) > 150
    assert library.version == "2026.3"


@pytest.mark.parametrize("name", library_files())
def test_rows_are_complete(name: str) -> None:
    rows, errors = parse_rows(read_library_file(name), name)
    assert not errors
    assert rows, f"{name} is empty"
    for row in rows:
        assert row.source and row.name_zh and row.name_en, f"{name}:{row.line}"
        assert row.verified in {"2 sources", "1 source", "derived"}, f"{name}:{row.line}"
        if row.verified == "derived":
            assert row.notes, f"{name}:{row.line} derived without its formula"
        if row.low is not None and row.high is not None:
            assert row.low <= row.value <= row.high, f"{name}:{row.line}"


def test_units_parse(library: FactorLibrary) -> None:
    for row in library.rows():
        if row.is_parameter:
            try:
                parse_unit(row.unit)
            except Exception:
                parse_factor_unit(row.unit)
        else:
            unit = parse_factor_unit(row.unit)
            if row.gas not in ("*",) and unit.gas is not None:
                assert unit.gas == row.gas, row.key


def test_fuel_factors_per_energy_have_an_ncv(library: FactorLibrary) -> None:
    """A fuel factor per TJ must be applicable to a mass: its fuel needs an NCV —
    except the coals whose China NCV is not shipped (conflicting sources, SOURCES.md)."""
    without_ncv = {"anthracite", "bituminous_coal"}
    for key in library.emission_factor_keys():
        if not key.startswith("fuel."):
            continue
        fuel = key.split(".")[1]
        unit = parse_factor_unit(library.emission_factors(key)[0].unit)
        if unit.activity_unit in ("TJ", "GJ"):
            assert library.parameter(f"fuel.{fuel}.ncv") or fuel in without_ncv, key


# (key, gas, value) as published; the source is named on each line.
PUBLISHED = [
    # IPCC 2006 Vol 2 Table 1.4 / 2.3 (stationary, manufacturing industries and construction)
    ("fuel.diesel.stationary", "CO2", 74100),
    ("fuel.diesel.stationary", "CH4", 3),
    ("fuel.diesel.stationary", "N2O", 0.6),
    ("fuel.natural_gas.stationary", "CO2", 56100),
    ("fuel.natural_gas.stationary", "CH4", 1),
    ("fuel.natural_gas.stationary", "N2O", 0.1),
    ("fuel.lpg.stationary", "CO2", 63100),
    ("fuel.gasoline.stationary", "CO2", 69300),
    ("fuel.fuel_oil.stationary", "CO2", 77400),
    ("fuel.bituminous_coal.stationary", "CO2", 94600),
    ("fuel.coke.stationary", "CO2", 107000),
    # IPCC 2006 Vol 2 Table 3.3.1 (off-road, industry, diesel)
    ("fuel.diesel.offroad", "CH4", 4.15),
    ("fuel.diesel.offroad", "N2O", 28.6),
    # IPCC 2006 Vol 2 Table 3.2.2 (road, diesel)
    ("fuel.diesel.road", "CH4", 3.9),
    ("fuel.diesel.road", "N2O", 3.9),
    # MEE/NBS electricity CO2 factors (公告2024年第12号 and later announcements)
    ("grid.cn.national.2021", "CO2", 0.5568),
    ("grid.cn.national.2022", "CO2", 0.5366),
    ("grid.cn.national.2023", "CO2", 0.5306),
    ("grid.cn.national_excl_market.2021", "CO2", 0.5942),
    # IPCC 2006 Vol 5 Ch 6: Bo × MCF(septic) = 0.6 × 0.5
    ("septic.ch4.bod", "CH4", 0.3),
]
PARAMETERS = [
    ("fuel.diesel.ncv", 42.652),  # China default NCV, GJ/t
    ("fuel.gasoline.ncv", 43.070),
    ("fuel.lpg.ncv", 50.179),
    ("fuel.natural_gas.ncv", 389.31),  # GJ/万Nm3
    ("fuel.diesel.ncv.ipcc", 43.0),  # IPCC Table 1.2, TJ/Gg
    ("wastewater.bo.bod", 0.6),
    ("wastewater.mcf.septic", 50),
    ("wastewater.bod.asia", 40),
]


@pytest.mark.parametrize(("key", "gas", "value"), PUBLISHED)
def test_published_factors(library: FactorLibrary, key: str, gas: str, value: float) -> None:
    assert library.get(key, gas).value == value


@pytest.mark.parametrize(("key", "value"), PARAMETERS)
def test_published_parameters(library: FactorLibrary, key: str, value: float) -> None:
    assert library.parameter(key).value == value


def test_grid_2021_is_labelled_national_not_southern(library: FactorLibrary) -> None:
    """The seed labels 0.5568 as the southern grid; it is the 2021 national average."""
    row = library.get("grid.cn.national.2021", "CO2")
    assert "全国" in row.name_zh and "2021" in row.name_zh
    assert library.get("grid.cn.south.2021", "CO2").value != 0.5568


def test_every_derived_row_is_recomputed_from_its_parts(library: FactorLibrary) -> None:
    """Each row marked derived is what its method's formula gives from the library's own
    parameters (ghgxl.methods): CC × OF × 44/12, Bo × MCF, range midpoints, stoichiometry."""
    derived = {(r.key, r.gas) for r in library.rows() if r.verified == "derived"}
    recomputed = {(d.row.key, d.row.gas) for d in methods.derivations(library)}
    # 9 China-method fuels, 2 densities, 8 leak rates, 2 septic, 4 mass balance, 1 lubricant
    assert len(derived) == 26
    assert recomputed == derived
    assert [e.text() for e in methods.check_derived(library)] == []
    # a derived row no formula computes is named
    orphan = dataclasses.replace(library.get("grid.cn.national.2021", "CO2"), verified="derived")
    errors = methods.check_derived(FactorLibrary([*library.rows(), orphan], library.version))
    assert [e.code for e in errors] == ["E309"]


def test_china_method_rows_have_the_published_inputs(library: FactorLibrary) -> None:
    # diesel: 20.2 tC/TJ × 98 % × 44/12 = 72.585333 (stored to 8 digits)
    assert library.get("fuel.diesel.cn", "CO2").value == pytest.approx(
        combustion.cn_co2_factor(20.2, 0.98), rel=1e-8
    )


def test_refrigerant_leak_rates_are_fractions(library: FactorLibrary) -> None:
    keys = [k for k in library if k.startswith("refrigerant.leak.")]
    assert len(keys) == 8  # the eight equipment types of IPCC 2006 Vol 3 Table 7.9
    for key in keys:
        row = library.get(key, "*")
        assert 0 < row.value < 1 and row.low <= row.value <= row.high


def test_blend_components_have_gwps() -> None:
    for name in gwp.known_gases():
        if gwp.is_blend(name):
            for set_name in gwp.GWP_SETS:
                assert gwp.gwp(name, set_name) > 0


def test_every_source_code_of_a_shipped_factor_has_a_citation(library: FactorLibrary) -> None:
    """The report cites each factor by its source codes (factors/citations.csv): every row
    names at least one code, and every code it names has a Chinese citation."""
    table = citations.table()
    uncited = [row.key for row in library.rows() if not citations.codes_in(row.source)]
    assert uncited == []
    codes = {code for row in library.rows() for code in citations.codes_in(row.source)}
    assert len(codes) > 20, "the code pattern no longer finds the codes"
    assert sorted(codes - set(table)) == []
    for code in codes:
        assert table[code].citation and "read in" not in table[code].citation, code
    # what a verifier reads for the 2021 grid factor and an IPCC table
    grid = library.get("grid.cn.national.2021", "CO2")
    assert citations.citation(grid.source) == (
        "《关于发布2021年电力二氧化碳排放因子的公告》（生态环境部、国家统计局公告2024年第12号）"
    )
    offroad = library.get("fuel.diesel.offroad", "N2O")
    assert citations.citation(offroad.source).startswith(
        "《2006年IPCC国家温室气体清单指南》第2卷 第3章 表3.3.1"
    )


def test_the_citation_table_is_complete() -> None:
    """Each code of the table has a citation, and a publication unless it is a principle;
    the GWP sets and the standards the report always cites are in it."""
    table = citations.table()
    for code, entry in table.items():
        assert entry.citation, code
        assert entry.publication or code == "MASSBALANCE", code
    assert set(citations.GWP_CODES.values()) | set(citations.STANDARDS) <= set(table)
    assert set(citations.GWP_CODES) == set(gwp.SET_SOURCES)
    # one publication however many of its tables are cited
    ipcc = [c for c in table if c.startswith("IPCC2006-")]
    assert len(citations.publications(ipcc)) == 1


#: Tables ghgxl redistributes whole from a third party, and the terms each is under.
REDISTRIBUTED = {
    "us_epa_spend.csv": "public domain",
    "uk_desnz.csv": "Open Government Licence v3.0",
}


@pytest.mark.parametrize(("name", "terms"), sorted(REDISTRIBUTED.items()))
def test_redistributed_tables_record_their_licence(name: str, terms: str) -> None:
    """Every row of a bulk table names its licence, and so does its publication's
    citation (factors/citations.csv, column licence)."""
    rows, errors = parse_rows(read_library_file(name), name)
    assert not errors and rows
    table = citations.table()
    for row in rows:
        assert terms in row.notes, f"{name}:{row.line}"
        codes = citations.codes_in(row.source)
        assert codes and all(terms in table[c].licence for c in codes), f"{name}:{row.line}"


def test_spend_factors_need_an_amount_in_their_currency_and_price_year() -> None:
    """A spend-based factor is per USD of its price year: 1,000 USD of steel is
    1,000 × 0.787 kg CO2e; an amount in 万元 is refused (E204), never converted silently."""
    row = FactorLibrary.default().get("spend.us.331110.iron_steel", "CO2e")
    assert row.value == 0.787 and row.unit == "kgCO2e/USD" and "2022 USD" in row.notes
    assert api.emission(1000, "USD", "spend.us.331110.iron_steel", None, "AR6", "kgCO2e") == (
        pytest.approx(787.0)
    )
    with pytest.raises(GhgError) as info:
        api.emission(10, "万元", "spend.us.331110.iron_steel")
    assert info.value.code == "E204"


#: Rows per file checked in two sources, in one, and derived — asserted so that a
#: change of coverage is a reviewed change of this table (factors/SOURCES.md says how
#: each file was checked). 2026.1 had 81 of its 189 measured values in two sources, 2026.2
#: 233 of 337.
COVERAGE = {
    "fuels.csv": {"2 sources": 91, "derived": 2},
    "grid_cn.csv": {"2 sources": 120, "1 source": 2},
    "misc.csv": {"2 sources": 6, "derived": 7},
    "combustion_cn.csv": {"derived": 9},
    "refrigerant_leak.csv": {"derived": 8},
    "us_epa_spend.csv": {"2 sources": 32, "1 source": 28},
    "uk_desnz.csv": {"2 sources": 37, "1 source": 21},
}

#: Why a value has no second source: each ``1 source`` row says one of these.
WHY_ONE_SOURCE = ("no second", "not independent", "not verified", "not found")


def test_two_source_coverage(library: FactorLibrary) -> None:
    by_file: dict[str, dict[str, int]] = {}
    for row in library.rows():
        counts = by_file.setdefault(row.file, {})
        counts[row.verified] = counts.get(row.verified, 0) + 1
    assert by_file == COVERAGE
    counts = library.verification()
    assert counts == {"2 sources": 286, "1 source": 51, "derived": 26}
    old = FactorLibrary.release("2026.1").verification()
    assert old["2 sources"] == 81 and old["1 source"] == 108
    assert FactorLibrary.release("2026.2").verification()["2 sources"] == 233


def test_a_value_in_one_source_says_why(library: FactorLibrary) -> None:
    for row in library.rows():
        if row.verified == "1 source":
            text = f"{row.source} {row.notes}".lower()
            assert any(why in text for why in WHY_ONE_SOURCE), f"{row.file}:{row.line} {row.key}"


@pytest.mark.parametrize(
    ("key", "value", "unit"),
    [  # DESNZ 2024 v1.1, column "kg CO2e" (factors/SOURCES.md: sheet and cell per row)
        ("uk.freight.hgv.all_diesel.avg_laden.2024", 0.09752, "kgCO2e/tkm"),
        ("uk.freight.sea.container.avg.2024", 0.01612, "kgCO2e/tkm"),
        ("uk.travel.air.long_haul.economy.rf.2024", 0.20011, "kgCO2e/pkm"),
        ("uk.waste.commercial_industrial.landfill.2024", 520.3342, "kgCO2e/t"),
        ("uk.water.supply.2024", 0.15311, "kgCO2e/m3"),
    ],
)
def test_uk_conversion_factors(library: FactorLibrary, key: str, value: float, unit: str) -> None:
    row = library.get(key, "CO2e")
    assert (row.value, row.unit) == (value, unit)
    assert "Open Government Licence v3.0" in row.notes and "UK average" in row.notes


def test_freight_in_tonne_kilometres() -> None:
    """20 t carried 500 km by an average laden diesel HGV: 20 × 500 = 10,000 t·km ×
    0.09752 kg CO2e/t·km = 975.2 kg CO2e."""
    key = "uk.freight.hgv.all_diesel.avg_laden.2024"
    assert api.emission(10_000, "tkm", key, None, "AR6", "kgCO2e") == pytest.approx(975.2)
