"""Quantitative uncertainty of an inventory: IPCC Approach 1 and Approach 2.

* Approach 1, error propagation (IPCC 2006 Vol 1 Ch 3): for a product
  ``U = sqrt(U_1² + U_2² + …)`` (eq. 3.1); for a sum
  ``U = sqrt((U_1·x_1)² + (U_2·x_2)² + …) / |x_1 + x_2 + …|`` (eq. 3.2). Uncertainties are
  half-widths of the 95 % confidence interval in percent. Rows that share a factor are
  fully correlated in that factor: their errors (each row's emissions times its ±%) are
  added before eq. 3.2 is applied.
* Approach 2, Monte Carlo (Vol 1 Ch 3.2.3): every activity amount and every factor is drawn
  (normal, or lognormal for skewed factors and wide ranges) with a fixed seed; a factor used by many rows is
  drawn once per iteration, so those rows move together. The result is the 2.5 and 97.5
  percentiles of the total relative to the central estimate.

Rows that share a factor and an activity uncertainty are summed first (a sum of independent
normal activity errors is normal), so the work grows with the number of distinct factors,
not with rows: 100,000 draws of the bundled example take well under a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from numbers import Real
from statistics import NormalDist

import numpy as np
import pandas as pd

from ghgxl import quality
from ghgxl.errors import GhgError
from ghgxl.factors import key_text
from ghgxl.units import parse_number

Z95 = NormalDist().inv_cdf(0.975)  # 1.959964…
DEFAULT_DRAWS = 100_000
DEFAULT_SEED = 14064


def product_pct(*uncertainties: float) -> float:
    """IPCC 2006 Vol 1 eq. 3.1: ``sqrt(ΣU_i²)`` — e.g. 3 % and 4 % give 5 %."""
    return float(np.sqrt(np.sum(np.square(uncertainties))))


def sum_pct(values: np.ndarray, uncertainties: np.ndarray) -> float:
    """IPCC 2006 Vol 1 eq. 3.2: ``sqrt(Σ(U_i·x_i)²) / |Σx_i|``."""
    values, uncertainties = np.asarray(values, float), np.asarray(uncertainties, float)
    total = abs(values.sum())
    return float(np.sqrt(np.sum(np.square(uncertainties * values))) / total) if total else 0.0


@dataclass(frozen=True)
class Component:
    """One part of the inventory: emissions (t CO2e) of a row's gas group, the uncertainty
    of its activity (per row) and of its factor (shared by every part with the same
    ``factor_id``), in ±% at 95 %."""

    row: int
    category: int
    tco2e: float
    activity_pct: float
    factor_id: str
    factor_pct: float
    distribution: str = "normal"


def _frame(components: list[Component] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(components, pd.DataFrame):
        return components.query("tco2e > 0")
    return pd.DataFrame([c.__dict__ for c in components]).query("tco2e > 0")


def propagation(components: list[Component] | pd.DataFrame) -> dict[str, object]:
    """Approach 1 for the total and for each category."""
    frame = _frame(components)

    def of(part: pd.DataFrame) -> float:
        if part.empty:
            return 0.0
        # a row's activity and its factor multiply (eq. 3.1) …
        activity = part.groupby("row").agg(tco2e=("tco2e", "sum"), pct=("activity_pct", "first"))
        # … rows sharing a factor move together: their errors add (each row at its own ±%,
        # when one has its own), then the factors and activities combine (eq. 3.2)
        spread = part["factor_pct"] * part["tco2e"]
        factor = spread.groupby(part["factor_id"]).sum()
        errors = np.concatenate([activity["pct"] * activity["tco2e"], factor])
        total = part["tco2e"].sum()
        return float(np.sqrt(np.sum(np.square(errors))) / total) if total else 0.0

    return {
        "total_pct": of(frame),
        "by_category": {int(c): of(part) for c, part in frame.groupby("category")},
    }


def _factor_multipliers(z: np.ndarray, pct: np.ndarray, lognormal: np.ndarray) -> np.ndarray:
    """Multipliers around 1 from standard normal draws ``z`` (one column a component,
    overwritten): their 95 % interval is ±pct (normal), or their 97.5th percentile is
    1 + pct with the published factor as the median (lognormal: skewed ranges such as
    IPCC's for CH4 and N2O, 'a factor of 2.5', are read this way). Components of one factor
    share its draw, each at its own ±% (a row may give its own)."""
    z *= np.where(lognormal, np.log1p(pct / 100), pct / 100) / Z95
    if lognormal.all():
        return np.exp(z, out=z)
    if lognormal.any():
        z[:, lognormal] = np.exp(z[:, lognormal])
        z[:, ~lognormal] += 1.0
        return z
    z += 1.0
    return z


EXACT_LIMIT = 5_000  # components drawn one by one up to this many; grouped beyond
BLOCK = 10_000  # draws per block, to bound memory


def monte_carlo(
    components: list[Component] | pd.DataFrame,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> dict[str, object]:
    """Approach 2: percentiles of the total and of each category, reproducible by ``seed``.

    Each row's activity is drawn once per iteration and applies to all its gases; each
    factor once per iteration and applies to every row using it. Beyond ``EXACT_LIMIT``
    components, rows sharing a factor and an activity uncertainty are summed first (their
    independent normal activity errors make one normal error), which keeps large
    inventories fast.
    """
    frame = _frame(components).reset_index(drop=True)
    if len(frame) > EXACT_LIMIT:
        frame = _grouped(frame)
    rng = np.random.default_rng(seed)
    row_codes, rows = pd.factorize(frame["row"], sort=True)
    factor_codes, factor_ids = pd.factorize(frame["factor_id"], sort=True)
    factor_pct = frame["factor_pct"].to_numpy(dtype=float)
    lognormal = (frame["distribution"] == "lognormal").to_numpy()
    first_row = frame.groupby(row_codes)["activity_pct"].first().to_numpy()
    category_codes, categories = pd.factorize(frame["category"], sort=True)
    values = frame["tco2e"].to_numpy()
    samples = np.zeros((draws, len(categories)))
    for start in range(0, draws, BLOCK):
        size = min(BLOCK, draws - start)
        activity = rng.normal(1.0, first_row / 100 / Z95, (size, len(rows)))
        z = np.column_stack([rng.standard_normal(size) for _ in range(len(factor_ids))])
        factor = _factor_multipliers(z[:, factor_codes], factor_pct, lognormal)
        contributions = activity[:, row_codes] * factor * values
        for c in range(len(categories)):
            samples[start : start + size, c] = contributions[:, category_codes == c].sum(axis=1)

    def interval(draws_of: np.ndarray, central: float) -> dict[str, float]:
        low, high = np.percentile(draws_of, [2.5, 97.5])
        if not central:
            return {"lower_pct": 0.0, "upper_pct": 0.0}
        return {
            "lower_pct": float((low - central) / central * 100),
            "upper_pct": float((high - central) / central * 100),
        }

    central = float(values.sum())
    by_category = {
        int(category): interval(samples[:, c], float(values[category_codes == c].sum()))
        for c, category in enumerate(categories)
    }
    return {
        **interval(samples.sum(axis=1), central),
        "draws": draws,
        "seed": seed,
        "by_category": by_category,
    }


def _grouped(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sharing (factor, category, activity uncertainty) as one component whose activity
    uncertainty is that of their sum (eq. 3.2 within the group)."""
    keys = ["factor_id", "category", "activity_pct", "factor_pct", "distribution"]
    grouped = frame.groupby(keys, sort=True).agg(
        tco2e=("tco2e", "sum"), spread=("tco2e", lambda x: float(np.sqrt(np.sum(np.square(x)))))
    )
    grouped = grouped.reset_index()
    grouped["activity_pct"] = grouped["activity_pct"] * grouped["spread"] / grouped["tco2e"]
    grouped["row"] = np.arange(len(grouped))
    return grouped.drop(columns="spread")


# --- from an inventory to components, with cited defaults ---------------------------------

#: Factor-key prefixes → the default factor uncertainty they take (factors/uncertainty_defaults.csv).
FACTOR_DEFAULTS = (
    ("fuel.", "factor.fuel"),
    ("grid.", "factor.grid"),
    ("heat.", "factor.grid"),
    ("refrigerant.", "factor.refrigerant"),
    ("septic.", "factor.septic"),
    ("massbalance.", "factor.massbalance"),
    ("lubricant.", "factor.massbalance"),
)


@dataclass(frozen=True)
class Default:
    key: str
    u95_pct: float
    distribution: str
    source: str


def load_defaults() -> dict[str, Default]:
    """The cited default uncertainties (``factors/uncertainty_defaults.csv``)."""
    import csv
    import importlib.resources

    text = (
        importlib.resources.files("ghgxl.factor_data")
        .joinpath("uncertainty_defaults.csv")
        .read_text("utf-8")
    )
    return {
        r["key"]: Default(
            r["key"], float(r["u95_pct"]), r["distribution"].strip() or "normal", r["source"]
        )
        for r in csv.DictReader(text.splitlines())
    }


def _number(value: object) -> float | None:
    if isinstance(value, bool):  # TRUE is no score (W108), as the sheet's COUNT sees it
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) or number < 0 else number


#: Signs around a typed percentage: "±10 %", "10％" are 10.
_PERCENT_TEXT = re.compile(r"\s*[±]?\s*(?P<number>[^±%％]+?)\s*[%％]?\s*")


def percent_value(value: object) -> float | None:
    """A ±% cell (活动数据不确定性, 排放因子不确定性) as its number of percent: 10, "10",
    "10%", "±10 %" → 10.0; None for an empty cell; E111 for anything else (other text, a
    negative number, a date), which would otherwise leave the default in its place."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    number: float | None = None
    if isinstance(value, Real) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and (typed := _PERCENT_TEXT.fullmatch(value)):
        try:
            number = parse_number(typed.group("number"))
        except GhgError:
            number = None
    if number is None or not np.isfinite(number) or number < 0:
        raise GhgError("E111", value=str(value))
    return number


def _percent_or_nan(value: object) -> float:
    try:
        number = percent_value(value)
    except GhgError:  # check says E111 at the cell; the default stands meanwhile
        return np.nan
    return np.nan if number is None else number


#: The default activity uncertainty of each activity score, by scheme: metered, periodic,
#: estimated (:data:`ghgxl.quality.ACTIVITY_LEVELS`). Any other score takes periodic's.
ACTIVITY_DEFAULTS = {
    scheme: dict(zip(levels, ("activity.dq6", "activity.dq3", "activity.dq1"), strict=True))
    for scheme, levels in quality.ACTIVITY_LEVELS.items()
}


def _most_specific(defaults: dict[str, Default], *names: str) -> Default:
    """The first of ``names`` that has a default (most specific first)."""
    for name in names:
        if name in defaults:
            return defaults[name]
    return defaults["factor.explicit"]


def factor_default(key: str | None, group: str, defaults: dict[str, Default]) -> Default:
    """The default uncertainty of a factor key's gas group: ``fuel.diesel.offroad`` CO2 →
    ``factor.fuel.co2.diesel`` (else ``factor.fuel.co2``), ``refrigerant.leak.chillers`` →
    ``factor.refrigerant.chillers``, a China-method key → ``factor.fuel.co2.cn`` …"""
    if not key:
        return defaults["factor.explicit"]
    parts = key.split(".")
    if parts[0] == "fuel":
        gas = {"CO2": "co2", "CH4": "ch4", "N2O": "n2o"}.get(group, "co2")
        if gas == "co2" and parts[-1] == "cn":
            return _most_specific(defaults, "factor.fuel.co2.cn", "factor.fuel.co2")
        return _most_specific(defaults, f"factor.fuel.{gas}.{parts[1]}", f"factor.fuel.{gas}")
    if parts[0] == "refrigerant":
        return _most_specific(defaults, f"factor.refrigerant.{parts[-1]}", "factor.refrigerant")
    if parts[0] == "septic":
        return _most_specific(defaults, f"factor.septic.{parts[-1]}", "factor.septic")
    for prefix, name in FACTOR_DEFAULTS:
        if key.startswith(prefix):
            return _most_specific(defaults, name)
    return defaults["factor.explicit"]


COMPONENT_COLUMNS = [
    "row", "category", "tco2e", "activity_pct", "factor_id", "factor_pct", "distribution"
]  # fmt: skip


def inventory_frame(
    result, defaults: dict[str, Default] | None = None, scheme: str = quality.SEED_SCHEME
) -> pd.DataFrame:
    """The components of an :class:`~ghgxl.inventory.InventoryResult` as a table (the
    fields of :class:`Component`), one row per row and gas group with emissions, in that
    order; per-row overrides (``activity_u_pct``, ``factor_u_pct``) win over the defaults,
    which follow the row's activity data-quality score (read in ``scheme``) and its factor.
    Rows share a factor when they share its key, or, for a factor typed on the row, its
    value, unit and 排放因子来源.

    Built column by column: each distinct key, score and override is looked up once, so
    100,000 rows take a fraction of a second."""
    from ghgxl.emission import TOTAL_GROUPS

    defaults = defaults or load_defaults()
    rows = result.rows[result.rows["ok"]]
    if rows.empty:
        return pd.DataFrame(columns=COMPONENT_COLUMNS)
    score = _numbers(rows.get("dq_activity"), len(rows))
    by_score = ACTIVITY_DEFAULTS[scheme]
    pct_of = {s: defaults[name].u95_pct for s, name in by_score.items()}
    typical = defaults["activity.dq3"].u95_pct
    activity_pct = np.array([pct_of.get(s, typical) for s in score.tolist()], dtype=float)
    own_activity = _numbers(rows.get("activity_u_pct"), len(rows), _percent_or_nan)
    activity_pct = np.where(np.isnan(own_activity), activity_pct, own_activity)
    texts: dict[object, str] = {}  # the key as the engine reads it (key_text), once a value
    key = [
        (texts[k] if k in texts else texts.setdefault(k, key_text(k))) or None
        if isinstance(k, str)
        else None
        for k in rows["factor_key"].astype(object).tolist()
    ]
    typed = zip(
        _values(rows, "factor"),
        _values(rows, "factor_unit"),
        _values(rows, "factor_source"),
        strict=True,
    )
    spec = [k or f"explicit:{f}:{u}:{source}" for k, (f, u, source) in zip(key, typed, strict=True)]
    own_factor = _numbers(rows.get("factor_u_pct"), len(rows), _percent_or_nan)
    looked_up: dict[tuple[str | None, str], Default] = {}
    parts = []
    for order, group in enumerate(TOTAL_GROUPS):
        values = rows[group].to_numpy(dtype=float)
        emitted = np.flatnonzero(values > 0)
        if not len(emitted):
            continue
        found = [
            looked_up.setdefault((key[i], group), factor_default(key[i], group, defaults))
            for i in emitted.tolist()
        ]
        default_pct = np.array([d.u95_pct for d in found])
        parts.append(
            pd.DataFrame(
                {
                    "position": emitted,
                    "order": order,
                    "row": rows.index.to_numpy()[emitted].astype(int),
                    "category": rows["category"].to_numpy()[emitted].astype(int),
                    "tco2e": values[emitted],
                    "activity_pct": activity_pct[emitted],
                    "factor_id": [f"{spec[i]}|{group}" for i in emitted.tolist()],
                    "factor_pct": np.where(
                        np.isnan(own_factor[emitted]), default_pct, own_factor[emitted]
                    ),
                    "distribution": _distributions(
                        own_factor[emitted], [d.distribution for d in found]
                    ),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=COMPONENT_COLUMNS)
    frame = pd.concat(parts).sort_values(["position", "order"], kind="stable")
    return frame[COMPONENT_COLUMNS].reset_index(drop=True)


#: A ±% typed on the row is a half-width, so symmetric: normal up to this; wider, normal
#: draws would go below zero (IPCC 2006 Vol 1 3.2.2.4), so lognormal, the ±% its upper side.
SYMMETRIC_UP_TO = 50.0


def _distributions(typed: np.ndarray, defaults: list[str]) -> np.ndarray:
    """Each factor's distribution: its default's, or for a ±% typed on the row, normal up to
    :data:`SYMMETRIC_UP_TO` and lognormal beyond."""
    chosen = np.where(typed <= SYMMETRIC_UP_TO, "normal", "lognormal")
    return np.where(np.isnan(typed), np.array(defaults, dtype=object), chosen)


def _values(rows: pd.DataFrame, column: str) -> list[object]:
    """A column's cells as a row's ``row.get(column)`` gives them (None when absent)."""
    if column not in rows:
        return [None] * len(rows)
    return rows[column].astype(object).tolist()


def _numbers(column: pd.Series | None, size: int, read=_number) -> np.ndarray:
    """``read`` (:func:`_number`) of each cell, NaN for None."""
    if column is None:
        return np.full(size, np.nan)
    cells = column.astype(object).where(column.notna(), None).tolist()
    numbers = {v: read(v) for v in set(cells)}
    return np.array([numbers[v] for v in cells], dtype=float)


def inventory_components(
    result, defaults: dict[str, Default] | None = None, scheme: str = quality.SEED_SCHEME
) -> list[Component]:
    """:func:`inventory_frame` as a list of :class:`Component`."""
    frame = inventory_frame(result, defaults, scheme)
    return [Component(**record) for record in frame.to_dict("records")]


def assess(
    result,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    scheme: str = quality.SEED_SCHEME,
) -> dict[str, object]:
    """Both approaches for an inventory result, in the shape of the JSON ``uncertainty``;
    ``scheme``: the data-quality scheme its activity scores are in."""
    parts = inventory_frame(result, scheme=scheme)
    if parts.empty:
        return {
            "propagation": {"total_pct": None, "by_category": {}},
            "monte_carlo": None,
            "by_category": {},
        }
    approach1 = propagation(parts)
    approach2 = monte_carlo(parts, draws, seed)
    by_category = {
        str(c): {
            "propagation_pct": approach1["by_category"].get(c),
            **approach2["by_category"].get(c, {}),
        }
        for c in sorted(set(approach1["by_category"]) | set(approach2["by_category"]))
    }
    return {
        "propagation": {"total_pct": approach1["total_pct"]},
        "monte_carlo": {k: v for k, v in approach2.items() if k != "by_category"},
        "by_category": by_category,
    }
