"""Opening a workbook to read it: the package and the sheets to read are checked first
(:mod:`ghgxl.workbook.guard`), then calamine parses those sheets in a thread of its own
while the other sheets are checked. calamine lets go of the GIL while it parses, so the
parse of a 10^5-row sheet runs while the rest of ghgxl (pandas, pint, the factor library)
is still being imported and loaded. This module imports nothing heavy for that reason.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

from python_calamine import CalamineSheet, CalamineWorkbook

from ghgxl.errors import GhgError
from ghgxl.workbook import names as N
from ghgxl.workbook.guard import check_package

#: The sheets the headless path reads (the others it only writes).
READ_SHEETS = (
    N.SHEET_ACTIVITY,
    N.SHEET_INFO,
    N.SHEET_SOURCES,
    N.SHEET_SIGNIFICANCE,
    N.SHEET_COMPANY,
    N.SHEET_MARKET,
    N.SHEET_SITES,
)


def _problem(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


class OpenedWorkbook:
    """A workbook being parsed in the background; :meth:`sheet` waits for it."""

    def __init__(
        self,
        path: Path,
        sheets: tuple[str, ...] = READ_SHEETS,
        keep: bool = False,
        made_here: bool = False,
    ) -> None:
        """``sheets``: which to parse (in this order); ``keep``: hold them after reading
        (``ghgxl check`` reads cached values again) until :meth:`release`; ``made_here``:
        the file is one this process has just made from the template (a group workbook
        before its calculation), not input, so the package checks are skipped."""
        self.path = Path(path)
        self.wanted, self.keep = sheets, keep
        # hostile or corrupt files stop here: the package and the sheets to parse are
        # checked before calamine sees them, the other sheets while it parses
        check_rest = (lambda: None) if made_here else check_package(self.path, first=sheets)
        self._names: tuple[str, ...] = ()
        self._sheets: dict[str, CalamineSheet] = {}
        self._failure: GhgError | None = None
        self._thread = threading.Thread(target=self._parse, daemon=True)
        self._thread.start()
        check_rest()

    def _parse(self) -> None:
        try:
            self._parse_sheets()
        except BaseException as exc:  # a panic in calamine (pyo3's PanicException) too
            self._failure = GhgError("E601", path=str(self.path), problem=_problem(exc))

    def _parse_sheets(self) -> None:
        try:
            workbook = CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises its own error types for bad files
            self._failure = GhgError("E601", path=str(self.path), problem=_problem(exc))
            return
        self._names = tuple(workbook.sheet_names)
        for name in self.wanted:
            if name not in self._names:
                continue
            try:
                self._sheets[name] = workbook.get_sheet_by_name(name)
            except Exception as exc:  # a damaged sheet
                where = f"{self.path.name} / {name}"
                self._failure = GhgError("E601", path=where, problem=_problem(exc))
                return

    def _wait(self) -> None:
        self._thread.join()
        if self._failure is not None:
            raise self._failure

    @property
    def sheet_names(self) -> tuple[str, ...]:
        self._wait()
        return self._names

    def sheet(self, name: str) -> CalamineSheet:
        """A parsed sheet of those wanted (E612 when the workbook lacks it)."""
        self._wait()
        if name not in self._sheets:
            if name in self._names:
                raise RuntimeError(f"sheet {name} was read and let go already")
            raise GhgError("E612", sheet=name, cell=self.path.name)
        return self._sheets[name]

    def rows(self, name: str) -> Iterator[list[object]]:
        """The sheet's rows from A1, a list of cells each (``""`` when empty), one at a time.
        calamine starts each row at the first column that holds anything (its rows do
        start at row 1): the columns to its left are put back, so positions are sheet
        columns."""
        sheet = self.sheet(name)
        left = [""] * sheet.start[1] if sheet.start else []
        if not left:
            return sheet.iter_rows()
        return (left + row for row in sheet.iter_rows())

    def close(self) -> None:
        """Done reading: let go of the parsed sheets (a 10^5-row sheet holds a few hundred
        MB), unless they are kept."""
        if not self.keep:
            self.release()

    def release(self) -> None:
        self._wait()
        self._sheets.clear()


def open_workbook(source: Path | OpenedWorkbook) -> OpenedWorkbook:
    return source if isinstance(source, OpenedWorkbook) else OpenedWorkbook(Path(source))
