"""What ties an output (a report, a verifier's pack) to one exact input: the workbook's
SHA-256, the ghgxl and factor-library versions, the GWP set and the totals."""

from __future__ import annotations

import hashlib
from pathlib import Path

import ghgxl
from ghgxl.workbook.calc import WorkbookCalculation

DECIMALS = 6


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest(calc: WorkbookCalculation) -> dict[str, object]:
    """What ties a report (or a verifier's pack) to one exact input."""
    result = calc.result

    def rounded(values: dict) -> dict[str, float]:
        return {str(k): round(float(v), DECIMALS) for k, v in values.items()}

    return {
        "workbook": Path(calc.data.path).name,
        "workbook_sha256": sha256(Path(calc.data.path)),
        "ghgxl_version": ghgxl.__version__,
        "factor_library_version": result.library_version,
        "gwp_set": result.gwp_set,
        "reporting_year": calc.data.info.get("reporting_year"),
        "total_tco2e": round(result.total, DECIMALS),
        # the totals above count scope 2 this way; the rows (a verifier's recomputation,
        # audit.xlsx) add up to the location-based total
        "totals_use": calc.scope2.as_dict()["totals_use"] if calc.scope2 else "location_based",
        "total_location_based_tco2e": round(result.located_total, DECIMALS),
        "by_category": rounded(result.by_category()),
        "by_scope": rounded(result.by_scope()),
        "by_gas": rounded(result.by_gas()),
        # the earlier years the report compared with (chapters 7 and 10): verify needs them
        **{
            f"{what}_workbook": {
                "name": Path(other.data.path).name,
                "sha256": sha256(other.data.path),
            }
            for what, other in (("previous", calc.previous), ("base_year", calc.base))
            if other is not None
        },
    }
