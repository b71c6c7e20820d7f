"""Moving a workbook to another factor-library version, knowingly.

A workbook records the library version it was made with (基本信息 因子库版本) and is
computed with it, so last year's inventory reproduces to the cent after ghgxl ships new
factors. :func:`upgrade_effect` computes the workbook under both versions and lists every
row whose emissions change; :func:`write_upgrade` then writes the new results with the new
version recorded — into a new file, or over the workbook after a backup.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ghgxl.errors import GhgError
from ghgxl.factors import FactorLibrary, LibraryChoice, current_version, recorded_version
from ghgxl.files import backup_kept, backup_paths, check_suffix, write_new
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import (
    WorkbookCalculation,
    calculate_workbook,
    cell_values,
    holds_error_values,
    write_values,
)
from ghgxl.workbook.source import OpenedWorkbook


@dataclass
class Upgrade:
    """A workbook computed with its own library version and with the target one."""

    before: WorkbookCalculation
    after: WorkbookCalculation

    @property
    def versions(self) -> tuple[str, str]:
        return self.before.library.version, self.after.library.version

    def changes(self) -> pd.DataFrame:
        """The rows whose t CO2e differ: sheet row, id, source, before, after, change,
        relative change (NaN from zero); rows that are an error in either are listed too."""
        columns = ["row", "id", "source", "factor_key"]
        frame = self.before.rows.reindex(columns=columns).copy()
        # each row's own figure, as 活动数据 shows it (scope 2 location-based)
        before = self.before.result.row_figures["tco2e"].to_numpy(dtype=float)
        after = self.after.result.row_figures["tco2e"].to_numpy(dtype=float)
        frame["before"], frame["after"] = before, after
        frame["change"] = after - before
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["relative"] = np.where(before != 0, (after - before) / before, np.nan)
        same = np.isclose(before, after, rtol=1e-12, atol=0.0) | (
            np.isnan(before) & np.isnan(after)
        )
        return frame[~same].reset_index(drop=True)

    @property
    def totals(self) -> tuple[float, float]:
        return self.before.result.total, self.after.result.total


def upgrade_effect(source: Path, to_version: str | None = None) -> Upgrade:
    """The workbook under the version it records and under ``to_version`` (default: the
    current library). E310 when either is not in this ghgxl."""
    opened = OpenedWorkbook(source)
    before = calculate_workbook(opened, library=LibraryChoice())
    target = FactorLibrary.release(to_version or current_version())
    after = calculate_workbook(OpenedWorkbook(source), library=target)
    return Upgrade(before, after)


def write_upgrade(
    source: Path, upgrade: Upgrade, out: Path | None = None, in_place: bool = False
) -> tuple[Path, Path | None]:
    """Write the workbook's results under the new version, with the version recorded in
    基本信息, to ``out`` or over ``source`` after a backup. Returns (written, backup).

    Raises
    ------
    GhgError
        E107 when input cells hold Excel error values (nothing is written), E615 when a row
        that computed before is an error with the new version (its factor was removed).
    """
    if not in_place:
        check_suffix(out, Path(source))  # E639: .xlsm for a macro-enabled workbook
    after = upgrade.after
    if holds_error_values(after):
        raise after.errors[0]
    broken = np.isnan(after.result.rows["tco2e"].to_numpy(dtype=float)) & ~np.isnan(
        upgrade.before.result.rows["tco2e"].to_numpy(dtype=float)
    )
    if broken.any():
        first = int(np.flatnonzero(broken)[0])
        raise GhgError(
            "E615",
            cell=str(after.rows["place"].iloc[first]),
            version=after.library.version,
            error=str(after.result.rows["error"].iloc[first]),
        )
    values = cell_values(after)
    row = after.data.info_rows.get("factor_library")
    if row is None:
        raise GhgError("E615", version=after.library.version, error="基本信息 缺少 因子库版本")
    values[L.SHEET_INFO] = {f"B{row}": after.library.version}
    backup = None
    if in_place:
        original = Path(source).read_bytes()
        mode = Path(source).stat().st_mode & 0o777
        backup = write_new(backup_paths(Path(source)), original, mode)
        out = source
    if out is None:
        raise ValueError("out or in_place")
    if in_place:
        write_values(source, Path(out), values)
    else:
        with backup_kept(Path(out)) as backup:  # a workbook there already is kept, not lost
            write_values(source, Path(out), values)
    return Path(out), backup


__all__ = ["Upgrade", "recorded_version", "upgrade_effect", "write_upgrade"]
