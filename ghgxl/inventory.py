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

from ghgxl import gwp, quality
from ghgxl.emission import (
    GROUPS,
    TOTAL_GROUPS,
    co2e_by_group,
    explicit_multipliers,
    library_multipliers,
)
from ghgxl.errors import GhgError
from ghgxl.factors import FactorLibrary
from ghgxl.units import conversion_factor, parse_amount

CATEGORIES = (1, 2, 3, 4, 5, 6)
SCOPE_OF_CATEGORY = {1: 1, 2: 2, 3: 3, 4: 3, 5: 3, 6: 3}
SCOPE3_CATEGORIES = tuple(range(1, 16))  # GHG Protocol Scope 3 Standard categories 1-15
#: How a row was quantified (one module each in ghgxl.methods).
METHODS = (
    "combustion",
    "electricity",
    "refrigerant",
    "septic",
    "mass_balance",
    "transport",
    "explicit",
)
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

    def data_quality(self, scheme: str = quality.SEED_SCHEME) -> dict[str, float | str | None]:
        """The inventory's weighted data-quality score and grade in ``scheme``."""
        valid = self.rows["ok"].to_numpy()
        score = quality.weighted_score(
            self.dq_scores(scheme).to_numpy()[valid], self.rows["tco2e"].to_numpy()[valid]
        )
        if np.isnan(score):
            return {"score": None, "grade": None, "scheme": scheme}
        return {"score": score, "grade": quality.grade(score, scheme), "scheme": scheme}

    @property
    def biogenic_co2_t(self) -> float:
        return float(self.valid["CO2-biogenic"].sum())


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
    """Numbers as they are; text parsed as people type it; anything else is an error."""
    numeric = pd.to_numeric(frame["amount"], errors="coerce").to_numpy(dtype=float, copy=True)
    suspect = np.flatnonzero(np.isnan(numeric) | (numeric < 0))
    for i in suspect:
        try:
            numeric[i] = parse_amount(frame.at[i, "amount"], what="amount")
        except GhgError as exc:
            errors.setdefault(i, exc)
            numeric[i] = np.nan
    return numeric


def _categories(frame: pd.DataFrame, errors: dict[int, GhgError]) -> None:
    category = pd.to_numeric(frame["category"], errors="coerce")
    bad = ~category.isin(CATEGORIES)
    for i in np.flatnonzero(bad):
        errors.setdefault(i, GhgError("E502", value=frame.at[i, "category"]))
    frame["category"] = category.where(~bad, 0).astype(int)
    implied = frame["category"].map(SCOPE_OF_CATEGORY)
    given = pd.to_numeric(frame["scope"], errors="coerce")
    mismatch = given.notna() & (given != implied) & ~bad
    for i in np.flatnonzero(mismatch):
        errors.setdefault(
            i, GhgError("E506", scope=frame.at[i, "scope"], category=frame.at[i, "category"])
        )
    frame["scope"] = implied.fillna(0).astype(int)
    scope3 = pd.to_numeric(frame["scope3_category"], errors="coerce")
    typed = frame["scope3_category"].notna() & (
        frame["scope3_category"].astype(str).str.strip() != ""
    )
    wrong = typed & (~scope3.isin(SCOPE3_CATEGORIES) | (frame["scope"] != 3))
    for i in np.flatnonzero(wrong):
        errors.setdefault(i, GhgError("E508", value=frame.at[i, "scope3_category"]))
    frame["scope3_category"] = scope3.where(typed & ~wrong).astype("Int64")


def _methods(frame: pd.DataFrame, errors: dict[int, GhgError]) -> None:
    """The method column names how a row was quantified (for the report); empty is fine."""
    method = frame["method"].astype("string").str.strip().str.lower()
    wrong = method.notna() & (method != "") & ~method.isin(METHODS)
    for i in np.flatnonzero(wrong):
        errors.setdefault(
            i, GhgError("E501", method=frame.at[i, "method"], available=", ".join(METHODS))
        )
    frame["method"] = method.where(~wrong)


def _spec_vector(spec: tuple, library: FactorLibrary, gwp_set: str) -> np.ndarray:
    """kg CO2e per amount unit, one entry per group, for one (factor, unit, gas) spec."""
    kind, unit, gas, key, factor, factor_unit = spec
    gas_name = None if gas in (None, "", "CO2e") else gwp.canonical_gas(gas)
    if kind == "library":
        multipliers = library_multipliers(library, key, unit, gas_name)
    else:
        multipliers = explicit_multipliers(
            parse_amount(factor, what="factor"), factor_unit, unit, gas_name
        )
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
        if key is not None:
            specs.append(("library", unit, gas, str(key).lower(), None, None))
        else:
            specs.append(("explicit", unit, gas, None, factor, factor_unit))
    return combined, specs


def calculate(
    rows: pd.DataFrame | list[dict],
    gwp_set: str = gwp.DEFAULT_SET,
    library: FactorLibrary | None = None,
) -> InventoryResult:
    """Emissions of every row (t CO2e by gas group) and the inventory totals.

    ``rows`` has the columns of :data:`INPUT_COLUMNS` (missing ones are empty).
    """
    library = library or FactorLibrary.default()
    set_name = gwp.canonical_set(gwp_set)
    frame = _frame(rows)
    errors: dict[int, GhgError] = {}  # calculation errors: the row has no result
    amounts = _amounts(frame, errors)
    classification: dict[int, GhgError] = {}  # the row is computed but left out of totals
    _categories(frame, classification)
    _methods(frame, classification)
    codes, specs = _specs(frame)
    matrix = np.full((len(specs), len(GROUPS)), np.nan)
    spec_errors: dict[int, GhgError] = {}
    for index, spec in enumerate(specs):
        try:
            if spec[1] is None:
                raise GhgError("E101", what="unit")
            if spec[0] == "explicit" and (spec[4] is None or spec[5] is None):
                raise GhgError("E101", what="factor_key / factor")
            matrix[index] = _spec_vector(spec, library, set_name)
        except GhgError as exc:
            spec_errors[index] = exc
    for i in np.flatnonzero(np.isin(codes, list(spec_errors))):
        errors.setdefault(i, spec_errors[codes[i]])
    to_t = conversion_factor("kg", "t")
    results = amounts[:, None] * matrix[codes] * to_t
    computed = np.ones(len(frame), dtype=bool)
    computed[list(errors)] = False
    results[~computed] = np.nan
    ok = computed.copy()
    ok[list(classification)] = False
    out = frame.copy()
    out["amount"] = amounts
    for column, group in enumerate(GROUPS):
        out[group] = results[:, column]
    out["tco2e"] = results[:, _TOTAL_MASK].sum(axis=1)
    out["ok"] = ok
    out["error"] = None
    for i, error in errors.items():
        out.at[i, "error"] = error.cell_text()
    found = [(i, e) for i, e in errors.items()] + [(i, e) for i, e in classification.items()]
    placed = [error.at(_place(frame, i)) for i, error in sorted(found, key=lambda item: item[0])]
    return InventoryResult(set_name, library.version, out, placed)
