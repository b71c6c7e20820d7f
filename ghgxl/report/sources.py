"""The report's lists of emission sources, at any size: the largest sources in the body,
with one line for the rest, and every source in the appendix (up to
:data:`APPENDIX_ROWS`; past it the largest, and the rest in one line).

Everything here works on whole columns (pandas, NumPy): a workbook of 100,000 rows is
listed in a fraction of a second. The appendix's rows are not rendered through the
template's jinja loop but written as WordprocessingML (:mod:`ghgxl.report.tables`), from
the columns :func:`appendix_columns` returns.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ghgxl import quality
from ghgxl.export import cell_text
from ghgxl.inventory import CATEGORIES
from ghgxl.report.factor_table import FactorTable
from ghgxl.report.formats import money, none_row, percentages
from ghgxl.workbook.audit import MATERIAL, materiality_of, sampling_plan
from ghgxl.workbook.calc import WorkbookCalculation
from ghgxl.workbook.sites import by_site, is_group

#: Sources listed by name in the body's tables; the rest are one line.
TOP = 10
#: Up to this many sources, the data-quality table of chapter 5 lists each one (as the
#: seed's does); beyond, the :data:`TOP` largest and a line for the rest.
DQ_EACH = 60
REST = "其余 {count} 个排放源（见附录）"
#: 附录二 lists every row of 活动数据 up to this many rows (some 200 landscape pages).
#: Past it, the report would be a listing no one reads (200,000 rows: some 10,000 pages,
#: which LibreOffice cannot lay out within E606's time): 附录二 then lists this many, the
#: rows in error first and then the largest, in workbook order, and one line for the
#: rest, which the workbook's 活动数据 lists row by row.
APPENDIX_ROWS = 5000
#: The rest's line when 附录二 does not list every row.
REST_IN_WORKBOOK = "其余 {count:,} 个排放源（逐行见盘查清册“活动数据”表）"
#: Added to that line when some of the rest are in error: their emissions are not in it.
REST_ERRORS = "，其中 {count:,} 个有错误，未计入"


def rest_text(calc: WorkbookCalculation, count: int) -> str:
    """The line for the ``count`` sources a table leaves out: where to find them."""
    listed_all = len(calc.result.row_figures) <= APPENDIX_ROWS
    return (REST if listed_all else REST_IN_WORKBOOK).format(count=count)


def money_column(values: np.ndarray) -> list[str]:
    """``415532.11`` → ``'415,532.11'``, NaN → ``'-'``, for a whole column."""
    return ["-" if v != v else f"{v:,.2f}" for v in values.tolist()]


def _names(calc: WorkbookCalculation) -> pd.Series:
    """Each row's source name, its id where it has none."""
    rows = calc.result.rows
    names = rows["source"].astype(object)
    ids = rows["id"].astype(object)
    return names.where(names.notna() & (names.astype(str).str.strip() != ""), ids).fillna("")


def ranking(calc: WorkbookCalculation) -> pd.DataFrame:
    """The counted rows (no error) from the largest emission down (rows of equal emission
    in workbook order): ``position`` (in the workbook), ``name``, ``category``, ``tco2e``:
    each source's own figure, as 活动数据 shows it (scope 2 location-based)."""
    rows = calc.result.row_figures
    ok = rows["ok"].to_numpy()
    frame = pd.DataFrame(
        {
            "position": np.flatnonzero(ok),
            "name": _names(calc).to_numpy()[ok],
            "category": rows["category"].to_numpy()[ok],
            "tco2e": rows["tco2e"].to_numpy(dtype=float)[ok],
        }
    )
    return frame.sort_values("tco2e", ascending=False, kind="stable").reset_index(drop=True)


def top_sources(calc: WorkbookCalculation, count: int = TOP) -> list[dict[str, str]]:
    """The ``count`` largest sources ``{rank, name, category, value, share, cumulative}``
    and, when there are more computed sources, one line for the rest; each share is its
    own rounded (:func:`ghgxl.report.formats.percentages`)."""
    ranked = ranking(calc)
    top = ranked.head(count)
    rest = len(ranked) - len(top)  # the computed sources beyond the top (rows in error are not)
    values = top["tco2e"].tolist() + ([float(ranked["tco2e"][count:].sum())] if rest else [])
    shares = percentages(values)
    total = sum(values)
    cumulative = np.cumsum(top["tco2e"].to_numpy()) / total * 100 if total > 0 else None
    rows = [
        {
            "rank": str(i + 1),
            "name": str(name),
            "category": f"类别{category}",
            "value": f"{value:,.2f}",
            "share": share,
            "cumulative": "-" if cumulative is None else f"{cumulative[i]:.2f}%",
        }
        for i, (name, category, value, share) in enumerate(
            zip(top["name"], top["category"], top["tco2e"], shares, strict=False)
        )
    ]
    if rest:
        rows.append(
            {
                "rank": "",
                "name": rest_text(calc, rest),
                "category": "",
                "value": f"{values[-1]:,.2f}",
                "share": shares[-1],
                "cumulative": "100.00%" if total > 0 else "-",
            }
        )
    return rows


def _score_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value).strip() or "-"


#: Decimals of the data-quality table's shares (in %): each row's weighted score is its
#: score times its printed share, to the rounding of the printed score (2.3333 × 7.7508 %
#: is 0.1808; the unrounded 2.33… gives the 0.1809 printed).
DQ_SHARE_DECIMALS = 4


def dq_rows(
    calc: WorkbookCalculation, scheme: str, count: int | None = None
) -> list[dict[str, str]]:
    """The data-quality table of the body: every counted source, largest first, when there
    are up to :data:`DQ_EACH`; else (or given ``count``) the ``count`` largest sources
    ``{id, source, activity, factor, calibration, score, grade, tco2e, share, weighted}``
    and one line for the rest (their emissions, share and weighted score summed)."""
    rows = calc.result.row_figures  # weighted as the 数据质量 sheet weighs: each row's own
    ok = rows["ok"].to_numpy()
    emissions = rows["tco2e"].to_numpy(dtype=float)
    scores = calc.result.dq_scores(scheme).to_numpy()
    ranked = ranking(calc)
    if count is None:
        count = len(ranked) if len(ranked) <= DQ_EACH else TOP
    top = ranked.head(count)
    listed = top["position"].to_numpy()
    rest = np.ones(len(rows), dtype=bool)
    rest[listed] = False
    rest &= ok  # the computed sources not listed (a row in error has no score to weigh)
    total = float(emissions[ok].sum())
    weights = emissions / total if total else np.full(len(rows), np.nan)
    values = emissions[listed].tolist()
    if rest.any():
        values.append(float(emissions[rest].sum()))
    # at the weighted score's precision: score × share is the weighted figure beside it
    # (3.1637 %, not 3.17 %: 4.6667 × 3.17 % is not the 0.1476 printed)
    shares = percentages(values, decimals=DQ_SHARE_DECIMALS)
    out = []
    for index, position in enumerate(listed):
        score = scores[position]
        out.append(
            {
                "id": cell_text(rows["id"].iloc[position]) or "",
                "source": str(top["name"].iloc[index]),
                "activity": _score_text(rows["dq_activity"].iloc[position]),
                "factor": _score_text(rows["dq_factor"].iloc[position]),
                "calibration": _score_text(rows["dq_calibration"].iloc[position]),
                "score": "-" if math.isnan(score) else f"{score:.4f}",
                "grade": "-" if math.isnan(score) else f"第{quality.grade(score, scheme)}",
                "tco2e": f"{values[index]:,.2f}",
                "share": shares[index],
                "weighted": "-" if math.isnan(score) else f"{score * weights[position]:.4f}",
            }
        )
    if rest.any():
        weighted = (scores * weights)[rest]
        out.append(
            {
                "id": "",
                "source": rest_text(calc, int(rest.sum())),
                **dict.fromkeys(("activity", "factor", "calibration", "score", "grade"), "-"),
                "tco2e": f"{values[-1]:,.2f}",
                "share": shares[-1],
                "weighted": "-" if np.isnan(weighted).any() else f"{weighted.sum():.4f}",
            }
        )
    return out


def _texts(column: pd.Series) -> list[str]:
    """A column of cells as text, empty where blank (``1.0`` → ``'1'``)."""
    return [cell_text(v) or "" for v in column.astype(object).tolist()]


def amount_column(values: np.ndarray) -> list[str]:
    """Amounts as typed, to their last decimal (up to 6), with thousands separators:
    ``2,233.735``, ``23,610,660`` (what a verifier multiplies by the combined factor);
    ``-`` where there is no number."""
    out = []
    for v in values.tolist():
        if v != v:
            out.append("-")
            continue
        text = f"{v:,.6f}".rstrip("0").rstrip(".")
        out.append("0" if text in ("-0", "") else text)
    return out


def appendix_positions(calc: WorkbookCalculation) -> np.ndarray:
    """The rows 附录二 lists (positions in 活动数据, in workbook order): every row, or past
    :data:`APPENDIX_ROWS` that many: the rows in error first (a draft shows what to fix),
    then the largest emissions (rows of equal emission in workbook order)."""
    rows = calc.result.row_figures
    if len(rows) <= APPENDIX_ROWS:
        return np.arange(len(rows))
    ok = rows["ok"].to_numpy()
    emissions = np.where(ok, rows["tco2e"].to_numpy(dtype=float), np.inf)
    order = np.argsort(-emissions, kind="stable")  # errors (inf) first, then the largest
    return np.sort(order[:APPENDIX_ROWS])


def appendix(calc: WorkbookCalculation) -> dict[str, object]:
    """What 附录二's introduction says of the rows it lists: ``appendix_all`` (every row),
    else how many it lists (``appendix_listed``) of how many (``appendix_rows``) under
    which limit, their share of the table's 合计, and how many are left (``appendix_rest``)."""
    rows = calc.result.row_figures
    listed = appendix_positions(calc)
    ok = rows["ok"].to_numpy()
    emissions = np.where(ok, rows["tco2e"].to_numpy(dtype=float), 0.0)
    total = float(emissions.sum())
    shown = float(emissions[listed].sum())
    return {
        "appendix_all": len(listed) == len(rows),
        "appendix_limit": f"{APPENDIX_ROWS:,}",
        "appendix_rows": f"{len(rows):,}",
        "appendix_listed": f"{len(listed):,}",
        "appendix_share": f"{shown / total * 100:.2f}%" if total > 0 else "-",
        "appendix_rest": f"{len(rows) - len(listed):,}",
    }


def appendix_columns(calc: WorkbookCalculation, factors: FactorTable) -> dict[str, list[str]]:
    """The rows of 活动数据 附录二 lists (:func:`appendix_positions`), in workbook order, as
    it prints them: one list of texts per field (:data:`ghgxl.report.chapters.ACTIVITY_COLUMNS`),
    and when it does not list every row, a last line for the rest with their emissions.
    A verifier recomputes each row as amount × combined factor (kg CO2e per unit) / 1000
    and checks the factor numbers (F1 …) against the factor table and the amount against
    the evidence: so each row's own figure (scope 2 location-based), as 活动数据 shows it."""
    rows = calc.result.row_figures
    listed = appendix_positions(calc)
    ok = rows["ok"].to_numpy()
    emissions = rows["tco2e"].to_numpy(dtype=float)
    amounts = pd.to_numeric(rows["amount"], errors="coerce").to_numpy(dtype=float)
    evidence = _texts(calc.rows["evidence"].iloc[listed]) if "evidence" in calc.rows else None

    def texts(frame: pd.DataFrame, key: str) -> list[str]:
        return _texts(frame[key].iloc[listed])

    def each(values: list[str]) -> list[str]:
        return values if len(listed) == len(values) else [values[i] for i in listed.tolist()]

    columns = {
        "id": texts(rows, "id"),
        "row": texts(calc.rows, "row"),
        "source": texts(calc.rows, "source"),
        "category": texts(rows, "category"),
        "amount": amount_column(amounts[listed]),
        "unit": texts(calc.rows, "unit"),
        "factors": each(factors.row_refs),
        "factor": each(factors.row_factor),
        "evidence": [t.strip() or "（未填写）" for t in evidence or [""] * len(listed)],
        "tco2e": [
            f"{t:,.4f}" if good else "错误"
            for t, good in zip(emissions[listed].tolist(), ok[listed].tolist(), strict=True)
        ],
    }
    if len(listed) < len(rows):
        rest = np.ones(len(rows), dtype=bool)
        rest[listed] = False
        line = dict.fromkeys(columns, "")
        errors = int((rest & ~ok).sum())
        line["source"] = REST_IN_WORKBOOK.format(count=int(rest.sum())) + (
            REST_ERRORS.format(count=errors) if errors else ""
        )
        line["tco2e"] = f"{float(emissions[rest & ok].sum()):,.4f}"
        for key, value in line.items():
            columns[key].append(value)
    return columns


#: Sampled sources 附录三 lists one by one; the rest of a large sample is one line.
SAMPLE_ROWS = 30


def sampling(calc: WorkbookCalculation) -> dict[str, object]:
    """附录三: the sample a verifier would start from (:func:`ghgxl.workbook.audit.sampling_plan`,
    the same as the pack's plan.xlsx) at the workbook's 核查重要性水平: the sampled sources
    with their share, risk factor, reason and cumulative coverage, and what stays unsampled."""
    materiality = materiality_of(calc.data.info)
    picks = sampling_plan(calc, materiality)
    total = calc.result.located_total  # the rows as the verifier recomputes them

    def share(value: float) -> str:
        return f"{value / total * 100:.2f}%" if total > 0 else "-"

    sampled = [p for p in picks if p.reason]
    rows, covered = [], 0.0
    for pick in sampled[:SAMPLE_ROWS]:
        covered += pick.tco2e
        rows.append({
            "no": str(len(rows) + 1), "id": cell_text(pick.row.get("id")) or "",
            "row": str(pick.row.get("row", "")), "source": cell_text(pick.row.get("source")) or "",
            "tco2e": f"{pick.tco2e:,.2f}", "share": share(pick.tco2e),
            "risk": f"{pick.risk:.2f}", "reason": pick.reason, "coverage": share(covered),
        })  # fmt: skip
    rest = sampled[SAMPLE_ROWS:]
    if rest:  # a large inventory: the whole sample is in the pack's plan.xlsx
        rest_t = sum(p.tco2e for p in rest)
        covered += rest_t
        rows.append({
            "no": "", "id": "", "row": "",
            "source": f"其余 {len(rest)} 个抽样排放源（见核查包 plan.xlsx 抽样计划）",
            "tco2e": f"{rest_t:,.2f}", "share": share(rest_t), "risk": "", "reason": "",
            "coverage": share(covered),
        })  # fmt: skip
    unsampled = [p for p in picks if not p.reason]
    return {
        "materiality": f"{materiality * 100:g}%",
        "sample": rows or none_row("no"),
        "sample_count": len(sampled),
        "sample_material": sum(p.reason == MATERIAL for p in picks),
        "sample_coverage": share(covered),
        "unsampled_count": len(unsampled),
        "unsampled_share": share(sum(p.tco2e for p in unsampled)),
    }


def sites(calc: WorkbookCalculation) -> dict[str, object]:
    """表 各厂区排放量 (chapter 2.1): each site's counted emissions by scope, its share of the
    total, the workbook it came from and the share of it counted (:mod:`ghgxl.workbook.sites`);
    a single site's workbook is one line."""
    lines = by_site(calc)
    shares = percentages([line.total for line in lines])
    rows = []
    for line, share in zip(lines, shares, strict=True):
        scope3 = sum(v for c, v in line.by_category.items() if c > 2)
        rows.append({
            "name": line.name, "file": line.file,
            "counted": "-" if line.share is None else f"{line.share * 100:g}%",
            "scope1": money(line.by_category[1]), "scope2": money(line.by_category[2]),
            "scope3": money(scope3), "total": money(line.total), "share": share,
        })  # fmt: skip
    # the lines' sum: each row's own figure (scope 2 location-based), as the sites count
    by_category = {c: sum(line.by_category[c] for line in lines) for c in CATEGORIES}
    total = {
        "scope1": money(by_category[1]), "scope2": money(by_category[2]),
        "scope3": money(sum(v for c, v in by_category.items() if c > 2)),
        "total": money(sum(by_category.values())),
        "share": "100.00%" if sum(by_category.values()) > 0 else "-",
    }  # fmt: skip
    note = ""
    if calc.scope2 is not None and calc.scope2.counted_market:
        note = (
            "表中各厂区的范围二按位置法计（各排放源的排放量之和）；本报告总排放量中范围二按市场法计，"
            f"为 {money(calc.result.total)} t CO₂e（见“温室气体排放量”一节）。"
        )
    return {"site_rows": rows, "site_total": total, "site_group": is_group(calc), "site_note": note}
