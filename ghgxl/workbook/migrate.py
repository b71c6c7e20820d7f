"""A workbook made with an earlier template, moved to this ghgxl's template.

Companies copy last year's 盘查清册 to start the next one, so a workbook lives on with the
template it was made from, without the sheets, columns and 基本信息 fields added since
(公司因子, 绿电绿证, 1月凭证 …, 基准年清册文件 …). ``ghgxl workbook migrate OLD -o NEW`` writes
the same inputs into the current template: 基本信息 by key, 活动数据 and 排放源识别 rows in
their own sheet rows (so 清册行 references stay true), the 重大性评估 answers, the 公司因子
rows and the 绿电绿证 instruments.

Nothing is dropped silently. What the template has no place for (a sheet of the user's own,
a column with a header the layout does not know, a 基本信息 key no longer used) is listed,
and the migration stops (E630) unless the user accepts it (``--force``). The new workbook
must compute exactly what the old one does, row by row, or nothing is written (E629). The
old workbook is never changed.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import openpyxl
import pandas as pd

from ghgxl.errors import GhgError
from ghgxl.files import backup_kept, check_outputs, check_suffix, write_bytes_atomic
from ghgxl.workbook import fill, template
from ghgxl.workbook import layout as L
from ghgxl.workbook.calc import WorkbookCalculation, calculate_workbook
from ghgxl.workbook.company import record_of
from ghgxl.workbook.read import WorkbookData, header_columns, is_blank
from ghgxl.workbook.refs import column_letter
from ghgxl.workbook.sites import (
    LEGACY_SITES_KEY,
    check_listed_names,
    legacy_lines_carried,
    site_list,
)
from ghgxl.workbook.source import OpenedWorkbook

#: Sheets ghgxl's buttons add (检查结果: the findings of 检查清册, made again on demand).
KNOWN_SHEETS = frozenset(("检查结果",))


@dataclass
class Migration:
    source: Path
    calc: WorkbookCalculation
    left_behind: list[str] = field(default_factory=list)  # what the template has no place for
    backup: Path | None = None  # the workbook that was at the output, kept (write)

    @property
    def data(self) -> WorkbookData:
        return self.calc.data


def _records(frame: pd.DataFrame, keys: set[str]) -> list[dict[str, object]]:
    """Rows in their sheet rows: row ``r`` is record ``r - FIRST_ROW`` ({} for a gap)."""
    if frame.empty:
        return []
    records: list[dict[str, object]] = [
        {} for _ in range(int(frame["row"].max()) - L.FIRST_ROW + 1)
    ]
    for record in frame.to_dict("records"):
        records[int(record["row"]) - L.FIRST_ROW] = {
            k: v for k, v in record.items() if k in keys and not is_blank(v)
        }
    return records


def _unknown_columns(
    workbook: OpenedWorkbook, sheet: str, columns: tuple[L.Column, ...]
) -> list[str]:
    """Columns of ``sheet`` the layout does not know: by their header, or, without one, by
    the first cell below the header that holds something."""
    if sheet not in workbook.sheet_names:
        return []
    grid = workbook.rows(sheet)
    head = list(islice(grid, L.HEADER_ROW))
    found = set(header_columns(head, columns).values())
    header = head[L.HEADER_ROW - 1] if len(head) >= L.HEADER_ROW else []
    lines = [
        f"{sheet}!{column_letter(i)}{L.HEADER_ROW}「{value}」"
        for i, value in enumerate(header, start=1)
        if not is_blank(value) and column_letter(i) not in found
    ]
    headed = {i for i, value in enumerate(header) if not is_blank(value)}
    seen: set[int] = set()
    for number, row in enumerate(grid, start=L.HEADER_ROW + 1):
        for i, value in enumerate(row):
            if i not in headed and i not in seen and not is_blank(value):
                seen.add(i)
                lines.append(f"{sheet}!{column_letter(i + 1)}{number}（无表头的列）")
    return lines


def _info_notes(workbook: OpenedWorkbook) -> list[str]:
    """基本信息 cells that are not a field: text in a row without a key (other than the
    template's own labels), and anything right of the key column."""
    labels = {f.label for f in L.INFO_FIELDS}
    lines = []
    for number, row in enumerate(workbook.rows(L.SHEET_INFO), start=1):
        if number < L.INFO_FIRST_ROW:
            continue
        keyed = len(row) > 2 and not is_blank(row[2])
        for i, value in enumerate(row):
            if is_blank(value) or (keyed and i < 3) or (i == 0 and value in labels):
                continue
            lines.append(f"{L.SHEET_INFO}!{column_letter(i + 1)}{number}")
    return lines


def _significance_edits(data: WorkbookData) -> list[str]:
    """重大性评估 rows whose 子类别 the template does not list, or whose name was edited."""
    names = {code: name for code, _, name in L.SIGNIFICANCE_ROWS}
    lines = []
    for record in data.significance.to_dict("records"):
        code = "" if is_blank(record.get("code")) else str(record["code"]).strip()
        place = f"{L.SHEET_SIGNIFICANCE}!{L.SIG_COL['code']}{record['row']}"
        if code not in names:
            lines.append(f"{place}（子类别「{code}」不在模板中）")
        elif not is_blank(record.get("name")) and str(record["name"]).strip() != names[code]:
            lines.append(f"{place}（名称「{record['name']}」）")
    return lines


def _input_formulas(source: Path, data: WorkbookData) -> list[str]:
    """Input cells holding a formula of the user's own: the value comes across, not the
    formula (a line a sheet, with the first cells)."""
    inputs = {
        L.SHEET_INFO: (L.INFO_FIRST_ROW, {"B"}),
        L.SHEET_ACTIVITY: (L.FIRST_ROW, {data.activity_columns[k] for k in fill.INPUT_ACTIVITY
                                         if k in data.activity_columns}),
        L.SHEET_SOURCES: (L.FIRST_ROW, {data.source_columns[k] for k in fill.INPUT_SOURCES
                                        if k in data.source_columns}),
        L.SHEET_SIGNIFICANCE: (L.FIRST_ROW, {L.SIG_COL[c.key] for c in L.SIGNIFICANCE_COLUMNS
                                             if not c.formula}),
        L.SHEET_COMPANY: (L.FIRST_ROW, set(L.COMPANY_COL.values())),
        L.SHEET_MARKET: (L.FIRST_ROW, set(L.MARKET_COL.values())),
    }  # fmt: skip
    book = openpyxl.load_workbook(source, read_only=True, data_only=False, keep_links=False)
    lines = []
    try:
        for sheet, (first, letters) in inputs.items():
            if sheet not in book.sheetnames:
                continue
            cells = [
                cell.coordinate
                for row in book[sheet].iter_rows(min_row=first)
                for cell in row
                if getattr(cell, "data_type", None) == "f"  # a formula, array ones too; not text
                and getattr(cell, "column_letter", "") in letters
            ]
            if cells:
                shown = "、".join(cells[:5]) + ("…" if len(cells) > 5 else "")
                lines.append(f"{sheet} {len(cells)} 个输入单元格是公式，迁移后为其值：{shown}")
    finally:
        book.close()
    return lines


#: The sheets whose cells migrate does not carry one by one (their inputs, if any, are
#: carried by field): what a user typed right of the template's columns there is listed.
WIDTH_CHECKED = (
    L.SHEET_GUIDE, L.SHEET_FACTORS, L.SHEET_COMPANY, L.SHEET_MARKET, L.SHEET_QUALITY,
    L.SHEET_SIGNIFICANCE, L.SHEET_SUMMARY, L.SHEET_SITES,
)  # fmt: skip
#: Cells listed a sheet at most (the rest counted).
LISTED_CELLS = 3


def _template_widths() -> dict[str, int]:
    """How many columns each sheet of the current template uses."""
    book = openpyxl.load_workbook(template.template_path(), read_only=True)
    try:
        return {sheet.title: sheet.max_column for sheet in book.worksheets}
    finally:
        book.close()


def _beyond_template(source: Path) -> list[str]:
    """Cells holding something right of the current template's columns in the sheets of
    :data:`WIDTH_CHECKED` (a note typed beside 汇总, a column added to 数据质量): the
    migrated workbook, made from the template, has no place for them."""
    widths = _template_widths()
    workbook = OpenedWorkbook(source, WIDTH_CHECKED)
    lines = []
    try:
        for sheet in WIDTH_CHECKED:
            if sheet not in workbook.sheet_names or sheet not in widths:
                continue
            width, cells = widths[sheet], []
            for number, row in enumerate(workbook.rows(sheet), start=1):
                cells += [
                    f"{column_letter(i + 1)}{number}"
                    for i, value in enumerate(row[width:], start=width)
                    if not is_blank(value)
                ]
            if cells:
                more = f" 等 {len(cells)} 个单元格" if len(cells) > LISTED_CELLS else ""
                lines.append(f"{sheet}!{'、'.join(cells[:LISTED_CELLS])}{more}（模板列之外）")
    finally:
        workbook.close()
    return lines


def _left_behind(source: Path, data: WorkbookData) -> list[str]:
    """What the current template has no place for, each as a line the user can find."""
    lines = [
        f"工作表「{name}」"
        for name in data.sheet_names
        if name not in L.TEMPLATE_SHEETS and name not in KNOWN_SHEETS
    ]
    workbook = OpenedWorkbook(source)
    try:
        lines += _unknown_columns(workbook, L.SHEET_ACTIVITY, L.ACTIVITY_COLUMNS)
        lines += _unknown_columns(workbook, L.SHEET_SOURCES, L.SOURCE_COLUMNS)
        lines += _info_notes(workbook)
    finally:
        workbook.close()
    lines += _beyond_template(source)
    lines += _significance_edits(data)
    lines += _input_formulas(source, data)
    lines += [
        f"基本信息!B{data.info_rows.get(key, '')}（{key}）"
        for key, value in data.info.items()
        if key not in L.INFO_ROW
        and not (key == LEGACY_SITES_KEY and legacy_lines_carried(data.info))  # in 各厂区汇总
        and not is_blank(value)
        and data.info_rows.get(key, 0) >= L.INFO_FIRST_ROW  # not the header row (键)
    ]
    return lines


def plan(source: Path) -> Migration:
    """Read ``source`` and list what would be left behind; E630-free reading only."""
    calc = calculate_workbook(Path(source))
    if calc.data.company_errors:  # a wrong 公司因子 row cannot be carried as it is
        raise calc.data.company_errors[0]
    check_listed_names(calc)  # a site name 各厂区汇总's SUMIFS would misread: E631
    return Migration(Path(source), calc, _left_behind(Path(source), calc.data))


def _package(migration: Migration) -> bytes:
    data = migration.data
    activity = _records(data.activity, fill.INPUT_ACTIVITY)
    sources = _records(data.sources, fill.INPUT_SOURCES)
    known = {code for code, _, _ in L.SIGNIFICANCE_ROWS}  # others are listed as left behind
    significance = {
        str(r["code"]).strip(): {k: v for k, v in r.items() if not is_blank(v)}
        for r in data.significance.to_dict("records")
        if not is_blank(r.get("code")) and str(r["code"]).strip() in known
    }
    market_keys = set(L.MARKET_COL)
    return fill.fill(
        None,
        {k: v for k, v in data.info.items() if k in L.INFO_ROW and not is_blank(v)},
        activity,
        sources,
        significance,
        company=[record_of(row) for row in data.company],
        market=[
            {k: v for k, v in r.items() if k in market_keys and not is_blank(v)}
            for r in data.market.to_dict("records")
        ],
        sites=site_list(migration.calc),
    )


def _same(before: WorkbookCalculation, after: WorkbookCalculation) -> str | None:
    """The first difference between the two calculations, row by row; None if none. Each
    row's own figure (scope 2 location-based): a workbook whose 基本信息 chooses 市场法 but
    whose old 汇总 could not follow it (E641) counts it after, as chosen."""
    old, new = before.result.row_figures, after.result.row_figures
    if len(old) != len(new):
        return f"{len(old)} → {len(new)} rows"
    places = before.rows["row"].tolist()
    for place, a, b in zip(places, old.to_dict("records"), new.to_dict("records"), strict=True):
        if a["ok"] != b["ok"] or (a["ok"] and a["tco2e"] != b["tco2e"]):
            return f"{L.SHEET_ACTIVITY} 第{place}行: {a['tco2e']} → {b['tco2e']}"
    then, now = before.result.located_total, after.result.located_total
    if then != now:
        return f"total {then} → {now}"
    return None


def write(migration: Migration, out: Path, force: bool = False) -> WorkbookCalculation:
    """The migrated workbook at ``out`` (atomically; never over the source): E630 when
    something would be left behind and not ``force``; E629 when it would compute otherwise."""
    out = Path(out)
    check_outputs([out], [migration.source], workbooks=[out])
    check_suffix(out, template.template_path())  # E639: the current template, .xlsm
    if migration.left_behind and not force:
        raise GhgError(
            "E630", path=migration.source.name, what="；".join(migration.left_behind[:10])
        )
    package = _package(migration)
    with tempfile.TemporaryDirectory(prefix="ghgxl-migrate-") as folder:
        made = Path(folder) / out.name
        made.write_bytes(package)
        after = calculate_workbook(made)
        difference = _same(migration.calc, after)
        if difference is not None:
            raise GhgError("E629", path=migration.source.name, difference=difference)
        with backup_kept(out) as migration.backup:  # a workbook there already is kept
            write_bytes_atomic(out, package)
    return after
