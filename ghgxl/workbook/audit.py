"""The verifier's pack (ISO 14064-3): what a verifier needs to recompute and sample an
inventory without ghgxl.

* ``audit.xlsx``, no macros and no cell functions. Each source row's emissions are plain
  formulas: amount × SUMIFS over the factor-use sheet (kg of each gas per unit of the
  row's amount, density and NCV conversions included, with the factors it came from) ×
  the GWP weight looked up on the GWP sheet. The totals by category, scope and gas are
  SUMIFS/SUM on a summary sheet; with 绿电绿证 instruments (or market-based totals) the
  market-based scope 2 is recomputed from the instruments on a sheet of its own. Excel or
  LibreOffice shows the same totals as ghgxl.
* ``plan.xlsx``: the sampling plan — sources ranked by contribution and risk (data
  quality: an estimate or an uncalibrated meter is riskier), every source material on its
  own (≥ materiality × total), then the riskiest until what is left unsampled is below
  the materiality — and the evidence index (each amount's evidence: a row's 数据来源/凭证,
  or each month's N月凭证 where the row is typed by month; flagged where missing).
* ``manifest.json``: the workbook's SHA-256, ghgxl and library versions, GWP set, totals,
  each file of the pack with its SHA-256, and the time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

import ghgxl
from ghgxl import citations, quality
from ghgxl.emission import (
    GROUPS,
    TOTAL_GROUPS,
    co2e_weights,
    explicit_multipliers,
    gas_or_all,
    library_multipliers,
    one_gas,
)
from ghgxl.export import cell_text
from ghgxl.factors import key_text
from ghgxl.files import (
    backup_kept,
    cannot_write,
    check_outputs,
    write_bytes_atomic,
    write_text_atomic,
)
from ghgxl.units import is_number, parse_number
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import WorkbookCalculation, dq_scheme
from ghgxl.workbook.manifest import manifest
from ghgxl.workbook.market import Scope2
from ghgxl.workbook.read import MONTH_EVIDENCE, MONTHS, is_blank, records
from ghgxl.workbook.refs import column_letter

#: 5 %, reasonable assurance in ISO 14064-3 practice (基本信息 核查重要性水平's default).
DEFAULT_MATERIALITY = float(L.INFO_FIELD["materiality_pct"].default) / 100  # type: ignore[arg-type]
BOLD = Font(bold=True)
ROW_HEADERS = ("编号", "排放源", "类别", "范围", "活动量", "单位", "因子使用", "数据来源/凭证")
FIRST_GROUP_COLUMN = len(ROW_HEADERS) + 1


def materiality_of(info: dict[str, object]) -> float:
    """基本信息 核查重要性水平（%） as a fraction (5 % unless a valid one is typed)."""
    return L.setting(info, "materiality_pct") / 100


@dataclass(frozen=True)
class Use:
    """One distinct (factor, unit, gas) of the rows: kg of each gas per unit of amount."""

    number: str
    label: str
    per_unit: dict[str, float]
    sources: str  # the factor rows it was made from, value and unit, with their citation


def _uses(calc: WorkbookCalculation) -> tuple[dict[tuple, Use], list[tuple[dict, str, int]]]:
    """Each valid row with its use number (as the engine computes it) and its position in
    活动数据, and the uses."""
    uses: dict[tuple, Use] = {}
    rows: list[tuple[dict, str, int]] = []
    inputs = calc.rows.to_dict("records")
    pairs = zip(inputs, calc.result.rows.to_dict("records"), strict=True)
    for position, (row, computed) in enumerate(pairs):
        if not computed["ok"]:
            continue
        key = key_text(row.get("factor_key"))  # as the engine reads the row
        unit = str(row.get("unit") or "").strip()
        gas_name = gas_or_all(None if is_blank(row.get("gas")) else row["gas"])
        if key:
            spec = ("lib", key, unit, gas_name)
        else:
            spec = ("own", row.get("factor"), str(row.get("factor_unit") or ""), unit, gas_name)
        if spec not in uses:
            uses[spec] = _use(calc, spec, f"U{len(uses) + 1}")
        rows.append((row, uses[spec].number, position))
    return uses, rows


def _use(calc: WorkbookCalculation, spec: tuple, number: str) -> Use:
    if spec[0] == "lib":
        _, key, unit, gas_name = spec
        multipliers = one_gas(library_multipliers(calc.library, key, unit, gas_name), gas_name, key)
        parts = [
            f"{r.key} {r.gas or '参数'} = {r.value:g} {r.unit}（{citations.citation(r.source)}）"
            for r in multipliers.rows
        ]
        return Use(number, key, dict(multipliers.per_unit), "；".join(parts))
    _, factor, factor_unit, unit, gas_name = spec
    value = parse_number(factor, what="factor")
    multipliers = explicit_multipliers(value, factor_unit, unit, gas_name)
    return Use(number, f"自定因子 {value:g} {factor_unit}", dict(multipliers.per_unit), "")


def _weights(uses: dict[tuple, Use], gwp_set: str) -> dict[tuple[str, str], float]:
    """kg CO2e per kg of each gas the uses name, by reporting group (blends split)."""
    return {
        (gas, group): weight
        for use in uses.values()
        for gas in use.per_unit
        for group, weight in co2e_weights(gas, gwp_set).items()
    }


def write_audit(calc: WorkbookCalculation, path: Path | IO[bytes]) -> None:
    """audit.xlsx: the rows, the factor uses, the GWPs and the totals, as formulas."""
    uses, rows = _uses(calc)
    weights = _weights(uses, calc.result.gwp_set)
    scope2 = calc.scope2
    market = (
        scope2
        if scope2 is not None
        and scope2.market_t is not None
        and (scope2.instruments or scope2.basis == L.SCOPE2_MARKET)
        else None
    )
    # each purchased-electricity consumption's own key (P1 …) on its rows: no 编号 as typed
    # is matched by SUMIFS, which ignores case and reads * and ? as wildcards
    consumptions = market.consumptions if market else []
    purchase = {str(use["use"]): f"P{n}" for n, use in enumerate(consumptions, start=1)}
    purchased = {
        position: purchase[str(use["use"])]
        for use in consumptions
        for position in use["rows"]  # type: ignore[attr-defined]
    }
    book = Workbook()
    sheet = book.active
    sheet.title = "排放源"
    headers = [
        *ROW_HEADERS,
        *GROUPS,
        "合计 (t CO2e)",
        "清册位置",
        *([MARKET_KEY] if market else []),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = BOLD
    first_group = column_letter(FIRST_GROUP_COLUMN)
    last_total = column_letter(FIRST_GROUP_COLUMN + len(TOTAL_GROUPS) - 1)
    for number, (row, use, position) in enumerate(rows, start=2):
        values: list[object] = [
            cell_text(row.get("id")),
            cell_text(row.get("source")),
            int(row["category"]),
            1 if int(row["category"]) == 1 else (2 if int(row["category"]) == 2 else 3),
            parse_number(row["amount"]),
            str(row.get("unit") or ""),
            use,
            cell_text(row.get("evidence")) or "",
        ]
        for index in range(len(GROUPS)):
            column = column_letter(FIRST_GROUP_COLUMN + index)
            values.append(
                f"=$E{number}*SUMIFS(因子使用!$F:$F,因子使用!$A:$A,$G{number},"
                f"因子使用!$D:$D,{column}$1)/1000"
            )
        values.append(f"=SUM({first_group}{number}:{last_total}{number})")
        values.append(str(row.get("place") or ""))
        if market:
            values.append(purchased.get(position, ""))
        sheet.append(values)
    _uses_sheet(book, uses, weights)
    _gwp_sheet(book, weights, calc.result.gwp_set)
    summary = _summary_sheet(book, len(rows) + 1)
    if market:
        _market_sheet(book, summary, market, purchase, column_letter(len(headers)))
    book.save(path)


def _uses_sheet(book: Workbook, uses: dict[tuple, Use], weights: dict) -> None:
    sheet = book.create_sheet("因子使用")
    sheet.append(
        ["使用编号", "因子", "气体", "报告气体组", "每单位活动量的气体量 (kg)",
         "每单位活动量的 CO2e (kg)", "所用因子与参数（含密度、热值换算）"]
    )  # fmt: skip
    for cell in sheet[1]:
        cell.font = BOLD
    line = 2
    for use in uses.values():
        for gas, kg in use.per_unit.items():
            for (weighted_gas, group), _ in weights.items():
                if weighted_gas != gas:
                    continue
                sheet.append(
                    [use.number, use.label, gas, group, kg,
                     f'=E{line}*VLOOKUP(C{line}&"|"&D{line},GWP!$A:$D,4,0)', use.sources]
                )  # fmt: skip
                line += 1


def _gwp_sheet(book: Workbook, weights: dict, gwp_set: str) -> None:
    sheet = book.create_sheet("GWP")
    sheet.append(["键", "气体", "报告气体组", f"GWP-100（{gwp_set}，kg CO2e/kg）"])
    for cell in sheet[1]:
        cell.font = BOLD
    for (gas, group), weight in weights.items():
        sheet.append([f"{gas}|{group}", gas, group, weight])
    sheet.append([])
    sheet.append(["出处", citations.citation(citations.GWP_CODES[gwp_set])])


def _summary_sheet(book: Workbook, last: int) -> Worksheet:
    sheet = book.create_sheet("汇总", 0)
    total = column_letter(FIRST_GROUP_COLUMN + len(GROUPS))
    rows_range = f"排放源!${total}$2:${total}${max(last, 2)}"
    sheet.append(["项目", "t CO2e"])
    for cell in sheet[1]:
        cell.font = BOLD
    sheet.append(["总排放量", f"=SUM({rows_range})"])
    for category in range(1, 7):
        sheet.append(
            [f"类别{category}", f"=SUMIFS({rows_range},排放源!$C$2:$C${max(last, 2)},{category})"]
        )
    for scope in (1, 2, 3):
        sheet.append(
            [f"范围{scope}", f"=SUMIFS({rows_range},排放源!$D$2:$D${max(last, 2)},{scope})"]
        )
    for index, group in enumerate(GROUPS):
        column = column_letter(FIRST_GROUP_COLUMN + index)
        sheet.append([group, f"=SUM(排放源!{column}2:{column}{max(last, 2)})"])
    return sheet


#: audit.xlsx's market-based scope 2: the 排放源 column of each purchased-electricity row's
#: consumption, the consumptions' columns, then the instruments'.
MARKET_KEY = "市场法用电键"
USE_HEADERS = (
    "用电键", "活动数据编号", "用电量 (MWh)", "剩余电力因子", "剩余因子 (tCO2/MWh)",
    "证书覆盖电量 (MWh)", "证书与合同排放 (t CO2)", "市场法排放 (t CO2)", "位置法排放 (t CO2e)",
)  # fmt: skip
CLAIM_HEADERS = (
    "用电键", "工具类型", "电量 (MWh)", "排放因子 (tCO2/MWh)", "电量生产年份", "证书/合同编号",
    "凭证说明", "清册位置",
)  # fmt: skip


def _market_sheet(
    book: Workbook, summary: Worksheet, scope2: Scope2, purchase: dict[str, str], key_column: str
) -> None:
    """范围二市场法: each purchased-electricity consumption recomputed market-based (GHG
    Protocol Scope 2 Guidance) as the instruments' MWh × their factors plus the uncovered
    MWh × the residual factor, from the instruments listed below it; and on 汇总 scope 2
    and the total that way."""
    sheet = book.create_sheet("范围二市场法")
    uses, claims = scope2.consumptions, scope2.claims
    sheet.append(["外购电力：市场法排放 = 证书与合同排放 + (用电量 − 证书覆盖电量) × 剩余因子"])
    sheet.append(list(USE_HEADERS))
    first_claim = 2 + len(uses) + 4  # after a blank line, the instruments' title and headers
    last_claim = first_claim + len(claims) - 1
    total = column_letter(FIRST_GROUP_COLUMN + len(GROUPS))
    for line, use in enumerate(uses, start=3):
        key = purchase[str(use["use"])]
        if claims:
            keys, mwh = f"$A${first_claim}:$A${last_claim}", f"$C${first_claim}:$C${last_claim}"
            factors = f"$D${first_claim}:$D${last_claim}"
            covered, covered_t = (
                f"=SUMIFS({mwh},{keys},A{line})",
                f"=SUMPRODUCT(({keys}=A{line})*{mwh}*{factors})",
            )
        else:
            covered, covered_t = 0, 0
        located = f"=SUMIFS(排放源!${total}:${total},排放源!${key_column}:${key_column},A{line})"
        sheet.append(
            [key, use["row_id"], use["mwh"], use["residual_key"] or "（无：按电网因子）",
             use["residual"], covered, covered_t, f"=G{line}+(C{line}-F{line})*E{line}", located]
        )  # fmt: skip
    sheet.append([])
    sheet.append(["证书与合同（绿电绿证表中计入的各行）"])
    sheet.append(list(CLAIM_HEADERS))
    for claim in claims:
        sheet.append(
            [purchase[str(claim["use"])], claim["kind"], claim["mwh"], claim["factor"], claim["vintage"],
             claim["certificate"], claim["evidence"], f"{L.SHEET_MARKET}!A{claim['line']}"]
        )  # fmt: skip
    for row in (2, first_claim - 1):
        for cell in sheet[row]:
            cell.font = BOLD
    last_use = max(2 + len(uses), 3)
    scope2_cell = next(f"B{r[0].row}" for r in summary.iter_rows() if r[0].value == "范围2")
    summary.append(
        ["范围二（市场法）",
         f"={scope2_cell}-SUM(范围二市场法!I3:I{last_use})+SUM(范围二市场法!H3:H{last_use})"]
    )  # fmt: skip
    summary.append(["总排放量（范围二按市场法）", f"=B2-{scope2_cell}+B{summary.max_row}"])


# --- the sampling plan and the evidence index ---------------------------------------------


def risk(row: dict[str, object], scheme: str = quality.SEED_SCHEME) -> float:
    """1 (metered, calibrated) … 2 (estimated, uncalibrated): from the row's activity-data and
    calibration scores (6/3/1: 6 metered/calibrated, 3 invoices, 1 estimated; the Taiwan
    scheme the other way round: 1 metered … 3 estimated)."""
    scores = [row.get("dq_activity"), row.get("dq_calibration")]
    known = [float(s) for s in scores if is_number(s)]  # not NaN (an unscored cell), not a bool
    if not known:
        return 2.0
    best, *_, worst = quality.ACTIVITY_LEVELS[scheme]
    mean = min(max(sum(known) / len(known), min(best, worst)), max(best, worst))
    return 1 + (mean - best) / (worst - best)


#: The 活动数据 fields a pick carries: who it is, where, and what its risk comes from.
PICK_COLUMNS = ("id", "source", "row", "place", "dq_activity", "dq_calibration")
#: Why a source is sampled: material on its own, or next by emissions × risk.
MATERIAL, RISK_WEIGHTED = "单独重大", "风险加权"


@dataclass(frozen=True)
class Pick:
    row: dict[str, object]
    tco2e: float
    risk: float
    reason: str  # 单独重大 / 风险加权 / "" (not sampled)


def sampling_plan(
    calc: WorkbookCalculation, materiality: float = DEFAULT_MATERIALITY
) -> list[Pick]:
    """Every source, ranked: those material on their own first, then by emissions × risk;
    sampled until the unsampled remainder is below ``materiality`` of the total."""
    # the rows as audit.xlsx recomputes them: each its own figure (scope 2 location-based)
    total = calc.result.located_total
    ok = calc.result.row_figures["ok"].to_numpy(dtype=bool)
    emissions = calc.result.row_figures["tco2e"].to_numpy(dtype=float)
    rows = records(calc.rows, PICK_COLUMNS)
    scheme = dq_scheme(calc.data)
    ranked = [(rows[i], float(emissions[i]), risk(rows[i], scheme)) for i in np.flatnonzero(ok)]
    ranked.sort(key=lambda item: (item[1] < materiality * total, -item[1] * item[2]))
    picks, left = [], total
    for row, tco2e, weight in ranked:
        if tco2e >= materiality * total:
            reason = MATERIAL
        elif left - materiality * total >= -1e-9 * total:  # not yet below (float-safe)
            reason = RISK_WEIGHTED
        else:
            reason = ""
        if reason:
            left -= tco2e
        picks.append(Pick(row, tco2e, weight, reason))
    return picks


EVIDENCE_HEADERS = ("编号", "排放源", "月份", "活动量单元格", "活动量", "数据来源/凭证", "状态")
#: 状态 of an evidence line: none given at all, or a month that relies on its row's.
MISSING, ROW_EVIDENCE = "缺少凭证", "用本行凭证"


def evidence_index(calc: WorkbookCalculation) -> list[tuple[object, ...]]:
    """One line per amount a verifier vouches: a row's annual amount, or each month it
    typed (its N月凭证, else the row's 数据来源/凭证), with the cell the amount is in."""
    letters = calc.data.activity_columns
    lines: list[tuple[object, ...]] = []
    keys = ("id", "source", "evidence", "annual", "row", *MONTHS, *MONTH_EVIDENCE)
    for row in records(calc.rows, keys):
        ident, source = cell_text(row.get("id")), cell_text(row.get("source"))
        own = (cell_text(row.get("evidence")) or "").strip()
        # the months the row's amount is the sum of (the sheet's COUNT: numbers only)
        months = [m for m in range(1, 13) if is_number(row.get(f"m{m}"))]
        if not months:
            cell = f"{L.SHEET_ACTIVITY}!{letters.get('annual', '')}{row['row']}"
            lines.append((ident, source, "", cell, row.get("annual"), own, "" if own else MISSING))
            continue
        for month in months:
            text = (cell_text(row.get(f"ev{month}")) or "").strip()
            status = "" if text else (ROW_EVIDENCE if own else MISSING)
            cell = f"{L.SHEET_ACTIVITY}!{letters.get(f'm{month}', '')}{row['row']}"
            lines.append(
                (ident, source, f"{month}月", cell, row.get(f"m{month}"), text or own, status)
            )
    return lines


def write_plan(calc: WorkbookCalculation, path: Path | IO[bytes], materiality: float) -> list[Pick]:
    picks = sampling_plan(calc, materiality)
    total = calc.result.located_total or 1.0
    book = Workbook()
    sheet = book.active
    sheet.title = "抽样计划"
    sheet.append([f"重要性水平 {materiality * 100:g}%；抽样直至未抽样排放量低于总排放量的该比例"])
    sheet.append(
        ["序", "编号", "排放源", "t CO2e", "占比", "风险系数", "加权", "抽样", "理由", "累计覆盖"]
    )
    covered = 0.0
    for order, pick in enumerate(picks, start=1):
        covered += pick.tco2e if pick.reason else 0.0
        sheet.append([
            order, cell_text(pick.row.get("id")), cell_text(pick.row.get("source")), pick.tco2e,
            pick.tco2e / total, round(pick.risk, 3), pick.tco2e * pick.risk,
            "是" if pick.reason else "否", pick.reason, covered / total,
        ])  # fmt: skip
    evidence = book.create_sheet("凭证索引")
    evidence.append(list(EVIDENCE_HEADERS))
    for line in evidence_index(calc):
        evidence.append(list(line))
    book.save(path)
    return picks


def write_pack(
    calc: WorkbookCalculation, folder: Path, materiality: float | None = None
) -> dict[str, object]:
    """audit.xlsx, plan.xlsx and manifest.json in ``folder``; returns the manifest. The
    materiality is the workbook's 核查重要性水平 unless given."""
    if materiality is None:
        materiality = materiality_of(calc.data.info)
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a read-only place: said, not an internal error
        raise cannot_write(folder, exc) from None
    audit, plan, stamp = folder / "audit.xlsx", folder / "plan.xlsx", folder / "manifest.json"
    check_outputs([audit, plan, stamp], [calc.data.path], workbooks=[audit, plan])
    made = {audit: io.BytesIO(), plan: io.BytesIO()}  # in memory: no half-written file
    write_audit(calc, made[audit])
    write_plan(calc, made[plan], materiality)
    for target, content in made.items():
        with backup_kept(target):  # a pack the verifier annotated (plan.xlsx) is kept
            write_bytes_atomic(target, content.getvalue())
    data = manifest(calc)
    data["materiality"] = materiality
    data["files"] = {p.name: hashlib.sha256(made[p].getvalue()).hexdigest() for p in (audit, plan)}
    data["generated_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    data["ghgxl_version"] = ghgxl.__version__
    write_text_atomic(stamp, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return data
