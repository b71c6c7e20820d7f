"""The reporting boundary: exclusions with their size, and the significance of indirect
emissions (ISO 14064-1:2018 5.2.3) — computed once here for check, JSON and report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ghgxl.errors import GhgError
from ghgxl.units import parse_amount
from ghgxl.workbook import layout as L
from ghgxl.workbook.read import WorkbookData, is_blank, is_number


def _setting(data: WorkbookData, key: str) -> float:
    return L.setting(data.info, key)


@dataclass
class Exclusions:
    rows: list[dict[str, object]]
    total_tco2e: float
    total_pct: float | None
    single_limit_pct: float
    total_limit_pct: float
    findings: list[GhgError] = field(default_factory=list)
    unestimated: int = 0  # excluded sources without a usable estimate

    @property
    def within_limits(self) -> bool | None:
        """True or False when every exclusion is estimated; None (not assessed) otherwise:
        a source without an estimate may be any size."""
        if any(f.code in ("E512", "E513") for f in self.findings):
            return False
        return None if self.unestimated else True

    def as_dict(self) -> dict[str, object]:
        return {
            "sources": self.rows,
            "total_tco2e": round(self.total_tco2e, 6),
            "total_pct": None if self.total_pct is None else round(self.total_pct, 4),
            "single_limit_pct": self.single_limit_pct,
            "total_limit_pct": self.total_limit_pct,
            "unestimated": self.unestimated,
            "within_limits": self.within_limits,
        }


def _estimate(value: object, cell: str) -> tuple[float | None, GhgError | None]:
    """An exclusion's estimate in t CO2e as typed (``"50,000"`` is 50000); blank: None;
    anything else: None and the error at its cell."""
    if is_blank(value):
        return None, None
    try:
        return parse_amount(value, what="estimate_tco2e"), None
    except GhgError as exc:
        return None, GhgError(exc.code, cell=cell, **exc.details)


def exclusions(data: WorkbookData, inventory_total: float) -> Exclusions:
    """Each excluded source's estimate as a share of the total (inventory + exclusions),
    against the single and total limits set in 基本信息. An excluded source without an
    estimate is W109, and the verdict is then not assessed."""
    single, limit = _setting(data, "exclusion_single_pct"), _setting(data, "exclusion_total_pct")
    columns = data.source_columns
    rows, findings = [], []
    records = [] if data.sources.empty else data.sources.to_dict("records")
    excluded = [r for r in records if str(r.get("included") or "").strip() == "排除"]
    estimates = []
    for record in excluded:
        cell = f"{L.SHEET_SOURCES}!{columns.get('estimate_tco2e', 'L')}{record['row']}"
        estimate, error = _estimate(record.get("estimate_tco2e"), cell)
        estimates.append((record, cell, estimate))
        findings += [error] if error else []
    known = [e for _, _, e in estimates if e is not None]
    base = inventory_total + sum(known)
    unestimated = 0
    for record, cell, estimate in estimates:
        name = record.get("source") or record.get("id")
        if is_blank(record.get("exclusion_reason")):
            reason_cell = f"{L.SHEET_SOURCES}!{columns.get('exclusion_reason', 'K')}{record['row']}"
            findings.append(GhgError("E509", cell=reason_cell, value=name))
        if estimate is None:
            unestimated += 1
            findings.append(GhgError("W109", cell=cell, value=name))
        share = estimate / base * 100 if estimate is not None and base else None
        rows.append(
            {
                "id": None if is_blank(record.get("id")) else str(record.get("id")),
                "source": record.get("source"),
                "reason": record.get("exclusion_reason"),
                "estimate_tco2e": estimate,
                "share_pct": share,
                "cell": cell,
            }
        )
        if share is not None and share >= single:
            findings.append(
                GhgError(
                    "E512",
                    cell=cell,
                    value=record.get("source"),
                    share=f"{share:.2f}",
                    limit=single,
                )
            )
    total = sum(known)
    total_pct = total / base * 100 if base else None
    if total_pct is not None and total_pct >= limit:
        cell = f"{L.SHEET_SOURCES}!{columns.get('estimate_tco2e', 'L')}{L.HEADER_ROW}"
        findings.append(GhgError("E513", cell=cell, share=f"{total_pct:.2f}", limit=limit))
    return Exclusions(rows, total, total_pct, single, limit, findings, unestimated)


@dataclass
class Significance:
    rows: list[dict[str, object]]
    threshold: float
    findings: list[GhgError] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"threshold": self.threshold, "subcategories": self.rows}


def significance(data: WorkbookData) -> Significance:
    """Scores, judgement (重大 when the total reaches the threshold) and the decision of each
    indirect sub-category; a significant one left out, or any left out without a reason, is
    a finding."""
    threshold = _setting(data, "significance_threshold")
    rows, findings = [], []
    if data.significance.empty:
        return Significance(rows, threshold)
    criteria = [key for key, _ in L.SIGNIFICANCE_CRITERIA]
    for record in data.significance.to_dict("records"):
        scores = [float(record[k]) for k in criteria if is_number(record.get(k))]
        score = sum(scores) if scores else None
        judgement = None if score is None else ("重大" if score >= threshold else "不重大")
        included = None if is_blank(record.get("included")) else str(record["included"]).strip()
        row_number = record["row"]
        rows.append(
            {
                "code": str(record.get("code") or ""),
                "category": record.get("category"),
                "name": record.get("name"),
                "scores": {k: record.get(k) for k in criteria},
                "score": score,
                "judgement": judgement,
                "included": included,
                "reason": record.get("reason"),
                "row": row_number,
            }
        )
        reason_cell = f"{L.SHEET_SIGNIFICANCE}!{L.SIG_COL['reason']}{row_number}"
        if included == "不纳入" and is_blank(record.get("reason")):
            findings.append(GhgError("E511", cell=reason_cell, value=record.get("name")))
        if judgement == "重大" and included == "不纳入":
            findings.append(
                GhgError("W105", cell=reason_cell, value=record.get("name"), score=score)
            )
    return Significance(rows, threshold, findings)
