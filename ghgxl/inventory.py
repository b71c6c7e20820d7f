"""The inventory model: activity rows in, emissions per row and totals out — vectorised.

A row is one emission source: id, ISO 14064-1 category (1–6), scope (1/2/3), GHG Protocol
scope-3 category (1–15, optional), amount and unit, and either a library factor key or an
explicit factor with its unit (plus the gas, for refrigerant leak rates or units naming no
gas). Rows that share factor and unit share one "kg CO2e per unit" vector (computed once by
:mod:`ghgxl.emission`, the same code the cell functions use), so 100,000 rows are one
NumPy multiplication. A wrong row gets an error with its place and no result; the others
are still computed, and totals say how many rows were left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ghgxl import gwp, methods, quality
from ghgxl.emission import (
    GROUPS,
    MAX_ROW_TCO2E,
    TOTAL_GROUPS,
    co2e_by_group,
    explicit_multipliers,
    gas_or_all,
    library_multipliers,
    one_gas,
)
from ghgxl.errors import GhgError
from ghgxl.factors import FactorLibrary, key_text
from ghgxl.units import (
    cell_repr,
    conversion_factor,
    excel_error,
    is_number,
    parse_amount,
    parse_factor_unit,
)

CATEGORIES = (1, 2, 3, 4, 5, 6)
#: ISO 14064-1:2018 5.2.4 categories, as reports name them, and short, as tables do.
CATEGORY_NAMES = {
    1: "直接温室气体排放与移除",
    2: "输入能源的间接排放",
    3: "运输产生的间接排放",
    4: "组织使用的产品产生的间接排放",
    5: "与使用组织产品有关的间接排放",
    6: "其他来源的间接排放",
}
CATEGORY_SHORT = {
    1: "直接排放",
    2: "输入能源",
    3: "运输",
    4: "使用的产品",
    5: "产品使用",
    6: "其他",
}
SCOPE_OF_CATEGORY = {1: 1, 2: 2, 3: 3, 4: 3, 5: 3, 6: 3}
SCOPE3_CATEGORIES = tuple(range(1, 16))  # GHG Protocol Scope 3 Standard categories 1-15
#: How a row was quantified (one module each in ghgxl.methods).
METHODS = tuple(methods.METHODS)
INPUT_COLUMNS = (
    "id",
    "category",
    "scope",
    "scope3_category",
    "method",
    "amount",
    "unit",
    "factor_key",
    "gas",
    "factor",
    "factor_unit",
    "place",
)
_TOTAL_MASK = np.array([g in TOTAL_GROUPS for g in GROUPS])


@dataclass
class InventoryResult:
    """Per-row results (t CO2e by group) and the totals an inventory reports."""

    gwp_set: str
    library_version: str
    rows: pd.DataFrame
    errors: list[GhgError] = field(default_factory=list)
    warnings: list[GhgError] = field(default_factory=list)  # W1xx: the rows still count
    #: The rows as computed one by one, where the totals count some rows otherwise (scope 2
    #: market-based: :func:`count_market_based`); None when ``rows`` are they.
    located: pd.DataFrame | None = None

    @property
    def row_figures(self) -> pd.DataFrame:
        """Each row's own figures, as the workbook's row shows them (scope 2 location-based)."""
        return self.rows if self.located is None else self.located

    @property
    def located_total(self) -> float:
        """The total of the rows' own figures (scope 2 location-based)."""
        rows = self.row_figures
        return float(rows.loc[rows["ok"], "tco2e"].sum())

    @property
    def valid(self) -> pd.DataFrame:
        return self.rows[self.rows["ok"]]

    @property
    def total(self) -> float:
        return float(self.valid["tco2e"].sum())

    def by_category(self) -> dict[int, float]:
        sums = self.valid.groupby("category")["tco2e"].sum()
        return {c: float(sums.get(c, 0.0)) for c in CATEGORIES}

    def by_scope(self) -> dict[int, float]:
        sums = self.valid.groupby("scope")["tco2e"].sum()
        return {s: float(sums.get(s, 0.0)) for s in (1, 2, 3)}

    def by_gas(self) -> dict[str, float]:
        return {g: float(self.valid[g].sum()) for g in GROUPS}

    def by_category_gas(self) -> dict[int, dict[str, float]]:
        sums = self.valid.groupby("category")[list(GROUPS)].sum()
        return {c: {g: float(sums[g].get(c, 0.0)) for g in GROUPS} for c in CATEGORIES}

    def by_scope_gas(self) -> dict[int, dict[str, float]]:
        sums = self.valid.groupby("scope")[list(GROUPS)].sum()
        return {s: {g: float(sums[g].get(s, 0.0)) for g in GROUPS} for s in (1, 2, 3)}

    def by_scope3_category(self) -> dict[int, float]:
        """Scope-3 rows by GHG Protocol category (rows without one are left out)."""
        sums = self.valid.groupby("scope3_category")["tco2e"].sum()
        return {int(c): float(v) for c, v in sums.items()}

    def dq_scores(self, scheme: str = quality.SEED_SCHEME) -> pd.Series:
        """Each row's data-quality score in ``scheme`` (NaN if one of its three is missing)."""
        columns = ["dq_activity", "dq_factor", "dq_calibration"]
        scores = self.rows.reindex(columns=columns).apply(pd.to_numeric, errors="coerce")
        return pd.Series(quality.row_scores(scores.to_numpy(), scheme), index=self.rows.index)

    def data_quality(self, scheme: str = quality.SEED_SCHEME) -> dict[str, object]:
        """The inventory's weighted data-quality score and grade in ``scheme``; score and
        grade None (未评估, not assessed) unless every counted row has its three scores;
        ``unscored``: how many counted rows lack one."""
        valid = self.rows["ok"].to_numpy()
        scores = self.dq_scores(scheme).to_numpy()[valid]
        # weighted by each row's own figure, as the 数据质量 sheet weighs it
        score = quality.weighted_score(scores, self.row_figures["tco2e"].to_numpy()[valid])
        unscored = int(np.isnan(scores).sum())
        if np.isnan(score):
            return {"score": None, "grade": None, "scheme": scheme, "unscored": unscored}
        grade = quality.grade(score, scheme)
        return {"score": score, "grade": grade, "scheme": scheme, "unscored": unscored}

    @property
    def biogenic_co2_t(self) -> float:
        return float(self.valid["CO2-biogenic"].sum())


def count_market_based(result: InventoryResult, figures: dict[int, float]) -> None:
    """Make ``result``'s totals count the rows at ``figures`` (row position → t CO2, the
    market-based scope 2 of purchased electricity), keeping the rows as computed in
    ``result.located``. The difference is CO2: a grid or residual factor is t CO2/MWh."""
    if figures:
        located = result.row_figures
        result.located, result.rows = located, market_rows(located, figures)


def market_rows(located: pd.DataFrame, figures: dict[int, float]) -> pd.DataFrame:
    """A copy of the computed rows with those at ``figures`` (row position → t CO2) counting
    that figure: tco2e and CO2 take the difference."""
    rows = located.copy()
    positions = np.fromiter(figures, dtype=np.int64, count=len(figures))
    delta = np.fromiter(figures.values(), dtype=float, count=len(figures))
    delta -= rows["tco2e"].to_numpy(dtype=float)[positions]
    for column in ("tco2e", GROUPS[0]):
        values = rows[column].to_numpy(dtype=float).copy()
        values[positions] += delta
        rows[column] = values
    return rows


def _frame(rows: pd.DataFrame | list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows).reset_index(drop=True)
    for column in INPUT_COLUMNS:
        if column not in frame:
            frame[column] = None
    return frame


def _place(frame: pd.DataFrame, index: int) -> str:
    place = frame.at[index, "place"]
    return f"row {index + 1}" if place is None or place != place else str(place)


def _amounts(frame: pd.DataFrame, errors: dict[int, GhgError]) -> np.ndarray:
    """Numbers as they are; text parsed as people type it (each distinct text once);
    anything else — TRUE/FALSE, dates, infinities, negatives — is an error at its row."""
    values = frame["amount"].to_numpy(dtype=object)
    plain = np.fromiter((v.__class__ in (float, int) for v in values), bool, len(values))
    numeric = np.full(len(values), np.nan)
    numeric[plain] = values[plain].astype(float)
    suspect = np.flatnonzero(~plain | ~np.isfinite(numeric) | (numeric < 0))
    parsed: dict[tuple[type, object], float | GhgError] = {}
    for i in suspect.tolist():
        value = values[i]
        key = (value.__class__, value if _hashable(value) else id(value))
        if key not in parsed:
            try:
                parsed[key] = parse_amount(value, what="amount")
            except GhgError as exc:
                parsed[key] = exc
        outcome = parsed[key]
        if isinstance(outcome, GhgError):
            errors.setdefault(i, outcome)
            numeric[i] = np.nan
        else:
            numeric[i] = outcome
    return numeric


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def shown(value: object) -> str:
    """A cell value in a message: text quoted (so ``"1"`` is seen to be text), TRUE/FALSE
    as Excel writes them, numbers as they are."""
    if isinstance(value, str):
        return f'"{value}"'
    return str(cell_repr(value))


def _category_numbers(frame: pd.DataFrame, typed: bool) -> pd.Series:
    """The categories as numbers (NaN where not one). ``typed``: a cell must hold a number,
    as the workbook's SUMIFS and the row formulas see it — text such as ``"1"`` and TRUE
    are not categories; otherwise (CSV, where everything is text) text is parsed."""
    values = frame["category"].to_numpy(dtype=object)
    if typed:
        numbers = [float(v) if is_number(v) else np.nan for v in values.tolist()]
        return pd.Series(numbers, index=frame.index, dtype=float)
    numbers = [np.nan if isinstance(v, bool) else v for v in values.tolist()]
    return pd.to_numeric(pd.Series(numbers, index=frame.index, dtype=object), errors="coerce")


def _categories(
    frame: pd.DataFrame,
    excluded: dict[int, GhgError],
    labels: dict[int, GhgError],
    typed: bool,
) -> None:
    """Category (a wrong one leaves the row out of every total: the workbook's formulas
    show an error in its cells), scope (a scope that contradicts the category, likewise)
    and the GHG Protocol scope-3 category (a label: a wrong one is reported, the row counts)."""
    category = _category_numbers(frame, typed)
    bad = ~category.isin(CATEGORIES)
    for i in np.flatnonzero(bad):
        value = frame.at[i, "category"]
        error = excel_error(value)
        excluded.setdefault(
            i,
            GhgError("E107", value=error, what="category")
            if error
            else GhgError("E502", value=shown(value)),
        )
    frame["category"] = category.where(~bad, 0).astype(int)
    implied = frame["category"].map(SCOPE_OF_CATEGORY)
    given = pd.to_numeric(frame["scope"], errors="coerce")
    mismatch = given.notna() & (given != implied) & ~bad
    for i in np.flatnonzero(mismatch):
        excluded.setdefault(
            i, GhgError("E506", scope=frame.at[i, "scope"], category=frame.at[i, "category"])
        )
    frame["scope"] = implied.fillna(0).astype(int)
    scope3 = pd.to_numeric(frame["scope3_category"], errors="coerce")
    typed_in = frame["scope3_category"].notna() & (
        frame["scope3_category"].astype(str).str.strip() != ""
    )
    wrong = typed_in & (~scope3.isin(SCOPE3_CATEGORIES) | (frame["scope"] != 3))
    for i in np.flatnonzero(wrong):
        labels.setdefault(i, GhgError("E508", value=frame.at[i, "scope3_category"]))
    frame["scope3_category"] = scope3.where(typed_in & ~wrong).astype("Int64")


def _methods(frame: pd.DataFrame, labels: dict[int, GhgError]) -> None:
    """The method column names how a row was quantified (for the report); empty is fine; a
    wrong one is reported, and the row still counts (no formula reads it)."""
    method = frame["method"].astype("string").str.strip().str.lower()
    wrong = method.notna() & (method != "") & ~method.isin(METHODS)
    for i in np.flatnonzero(wrong):
        labels.setdefault(
            i, GhgError("E501", method=frame.at[i, "method"], available=", ".join(METHODS))
        )
    frame["method"] = method.where(~wrong)


def _spec_vector(spec: tuple, library: FactorLibrary, gwp_set: str) -> np.ndarray:
    """kg CO2e per amount unit, one entry per group, for one (factor, unit, gas) spec."""
    kind, unit, gas, key, factor, factor_unit = spec
    gas_name = gas_or_all(gas)
    if kind == "library":
        multipliers = library_multipliers(library, key, unit, gas_name)
    else:
        multipliers = explicit_multipliers(
            parse_amount(factor, what="factor"), factor_unit, unit, gas_name
        )
    if kind == "library":  # one gas of the factor when 气体 names one, as GHG_EMISSION
        multipliers = one_gas(multipliers, gas_name, key)
    groups = co2e_by_group(multipliers.per_unit, gwp_set)
    return np.array([groups.get(g, 0.0) for g in GROUPS])


SPEC_COLUMNS = ("factor_key", "unit", "gas", "factor", "factor_unit")


def _clean(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _specs(frame: pd.DataFrame) -> tuple[np.ndarray, list[tuple]]:
    """One code per row naming its (factor, unit, gas) spec, and the specs themselves.

    Columns are factorized one at a time and their codes combined, which hashes each
    column once (fast at 10^6 rows); text is cleaned on the few distinct specs only.
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    for column in SPEC_COLUMNS:
        codes, uniques = pd.factorize(frame[column].to_numpy(dtype=object))
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + (codes + 1))
    _, first_rows = np.unique(combined, return_index=True)
    specs = []
    for row in first_rows:
        key, unit, gas, factor, factor_unit = (_clean(frame.at[row, c]) for c in SPEC_COLUMNS)
        key = key_text(key)  # a dropdown choice's key; typed full-width, as for GHG_EMISSION
        if key:
            specs.append(("library", unit, gas, key, None, None))
        else:
            specs.append(("explicit", unit, gas, None, factor, factor_unit))
    return combined, specs


def calculate(
    rows: pd.DataFrame | list[dict],
    gwp_set: str = gwp.DEFAULT_SET,
    library: FactorLibrary | None = None,
    typed: bool = False,
    refused: dict[str, GhgError] | None = None,
) -> InventoryResult:
    """Emissions of every row (t CO2e by gas group) and the inventory totals.

    ``refused``: factor keys whose rows fail with the given error (a wrong 公司因子 row
    replacing that key: its rows are not computed from the library's value instead).

    ``rows`` has the columns of :data:`INPUT_COLUMNS` (missing ones are empty).
    ``typed``: the rows come from a workbook, whose formulas count a category only when
    the cell holds a number (text ``"1"`` is E502 there); from a CSV, text is parsed.

    A row is left out of the totals, with an error at its place, when it cannot be
    computed (E1xx–E4xx), when its category or scope is wrong (E502, E506), or when its
    result is not a finite number or more than :data:`MAX_ROW_TCO2E` (E105, E106). A wrong
    method or scope-3 category is reported (E501, E508) but the row counts, as in the
    workbook, whose formulas do not read them.
    """
    library = library or FactorLibrary.default()
    set_name = gwp.canonical_set(gwp_set)
    frame = _frame(rows)
    errors: dict[int, GhgError] = {}  # calculation errors: the row has no result
    amounts = _amounts(frame, errors)
    excluded: dict[int, GhgError] = {}  # the row is computed but left out of totals
    labels: dict[int, GhgError] = {}  # reported; the row counts
    _categories(frame, excluded, labels, typed)
    _methods(frame, labels)
    codes, specs = _specs(frame)
    matrix = np.full((len(specs), len(GROUPS)), np.nan)
    spec_errors: dict[int, GhgError] = {}
    for index, spec in enumerate(specs):
        try:
            if spec[1] is None:
                raise GhgError("E101", what="unit")
            if spec[0] == "explicit" and (spec[4] is None or spec[5] is None):
                raise GhgError("E101", what="factor_key / factor")
            if refused and spec[0] == "library" and spec[3] in refused:
                error = refused[spec[3]]
                raise GhgError(error.code, **error.details)  # at the row, not the sheet's cell
            matrix[index] = _spec_vector(spec, library, set_name)
        except GhgError as exc:
            spec_errors[index] = exc
    for i in np.flatnonzero(np.isin(codes, list(spec_errors))):
        errors.setdefault(i, spec_errors[codes[i]])
    to_t = conversion_factor("kg", "t")
    with np.errstate(over="ignore", invalid="ignore"):
        results = amounts[:, None] * matrix[codes] * to_t
    computed = np.ones(len(frame), dtype=bool)
    computed[list(errors)] = False
    _out_of_range(results, computed, frame, errors)
    computed[list(errors)] = False
    results[~computed] = np.nan
    ok = computed.copy()
    ok[list(excluded)] = False
    out = frame.copy()
    out["amount"] = amounts
    for column, group in enumerate(GROUPS):
        out[group] = results[:, column]
    out["tco2e"] = results[:, _TOTAL_MASK].sum(axis=1)
    out["ok"] = ok
    out["error"] = None
    for i, error in errors.items():
        out.at[i, "error"] = error.cell_text()
    found = [*errors.items(), *excluded.items(), *labels.items()]
    placed = [error.at(_place(frame, i)) for i, error in sorted(found, key=lambda item: item[0])]
    warnings = [w.at(_place(frame, i)) for i, w in _carbon_units(frame, codes, specs, computed)]
    return InventoryResult(set_name, library.version, out, placed, warnings)


def _out_of_range(
    results: np.ndarray, computed: np.ndarray, frame: pd.DataFrame, errors: dict[int, GhgError]
) -> None:
    """E105 for a computed row whose result is not finite (1e308 × a factor), E106 for one
    beyond :data:`MAX_ROW_TCO2E`: never a row that silently drops out of a sum."""
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(results).all(axis=1)
        size = np.where(finite, np.abs(results).sum(axis=1), 0.0)
    for i in np.flatnonzero(computed & ~finite).tolist():
        errors.setdefault(
            i, GhgError("E105", value=cell_repr(frame.at[i, "amount"]), what="amount")
        )
    for i in np.flatnonzero(computed & finite & (size > MAX_ROW_TCO2E)).tolist():
        errors.setdefault(i, GhgError("E106", value=f"{size[i]:.3g}", what="amount"))


def _carbon_units(
    frame: pd.DataFrame, codes: np.ndarray, specs: list[tuple], computed: np.ndarray
) -> list[tuple[int, GhgError]]:
    """W107 for each computed row whose explicit factor is in carbon mass (tC/TJ):
    converted with 44/12, and said so."""
    carbon = {}
    for index, (kind, *_rest, factor_unit) in enumerate(specs):
        if kind == "explicit" and factor_unit is not None:
            try:
                unit = parse_factor_unit(str(factor_unit))
            except GhgError:
                continue
            if unit.gas == "C":
                co2_unit = f"{unit.mass_unit}CO2/{unit.activity_unit}"
                carbon[index] = GhgError("W107", unit=factor_unit, co2_unit=co2_unit)
    if not carbon:
        return []
    rows = np.flatnonzero(np.isin(codes, list(carbon)) & computed).tolist()
    return [(i, carbon[codes[i]]) for i in rows]
