"""The inventory's commands: ``ghgxl calc`` (a workbook or an activity CSV), ``ghgxl check``
and ``ghgxl report``."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

import ghgxl
from ghgxl import gwp
from ghgxl.cli.base import (
    EXIT_FINDINGS,
    base_year_option,
    console,
    err_console,
    friendly,
    library_option,
    main,
    print_findings,
)
from ghgxl.errors import GhgError
from ghgxl.files import check_outputs, check_suffix, write_text_atomic
from ghgxl.jsontext import dumps

if TYPE_CHECKING:  # the engine (pandas, pint) is imported where a command needs it
    import pandas as pd

    from ghgxl.inventory import InventoryResult

GROUP_LABELS = {"CO2e": "未分气体 CO2e", "CO2-biogenic": "生物质 CO2", "Other": "其他气体 Other"}


# -- calc (activity table as CSV; the workbook path comes with `ghgxl calc IN.xlsm`) ------


def read_activity_csv(path: Path) -> pd.DataFrame:
    """Activity rows from a CSV with the columns of :data:`ghgxl.inventory.INPUT_COLUMNS`;
    every cell is read as text, so the engine sees what the user typed."""
    import pandas as pd

    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise GhgError("E601", path=str(path), problem=exc.strerror or str(exc)) from None
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file (.xls, encrypted) named .csv
        raise GhgError("E608", path=path.name)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise GhgError("E601", path=str(path), problem=str(exc).splitlines()[0]) from None
    missing = [c for c in ("category", "amount", "unit") if c not in frame]
    if missing:
        raise GhgError("E602", column=", ".join(missing), cell=str(path))
    frame = frame.replace("", None)
    frame["place"] = [f"{path.name}:{line}" for line in range(2, len(frame) + 2)]
    return frame


def _summary(result: InventoryResult) -> Table:
    """Totals by category and gas group; all-zero gas columns are left out to fit a terminal."""
    from ghgxl.emission import GROUPS
    from ghgxl.inventory import CATEGORY_SHORT

    table = Table(title=f"排放量 / emissions (t CO2e, GWP {result.gwp_set})")
    by_category_gas, totals = result.by_category_gas(), result.by_gas()
    shown = [g for g in GROUPS if g == "CO2" or totals[g] != 0]
    table.add_column("类别 category")
    for group in shown:
        table.add_column(GROUP_LABELS.get(group, group), justify="right")
    table.add_column("合计 total", justify="right")
    by_category = result.by_category()
    for category, gases in by_category_gas.items():
        name = f"{category} {CATEGORY_SHORT.get(category, '')}".strip()
        table.add_row(name, *[f"{gases[g]:,.2f}" for g in shown], f"{by_category[category]:,.2f}")
    table.add_row("合计 total", *[f"{totals[g]:,.2f}" for g in shown], f"{result.total:,.2f}")
    return table


WORKBOOK_SUFFIXES = (".xlsm", ".xlsx")
#: Excel files ghgxl cannot read (binary formats): E608, "save as .xlsm".
OLD_WORKBOOK_SUFFIXES = (".xls", ".xlsb")
STAGES = {
    "read": ("读取并计算 / reading, computing", 0.0, 0.5),
    "write": ("写入 / writing", 0.5, 1.0),
}


@contextmanager
def _progress() -> Iterator[Callable[[str, float], None]]:
    """A progress bar on the terminal (nothing when stderr is not one) for calc's stages."""
    if not err_console.is_terminal:
        yield lambda stage, fraction: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(STAGES["read"][0], total=1.0)

        def report(stage: str, fraction: float) -> None:
            label, start, end = STAGES[stage]
            bar.update(task, description=label, completed=start + (end - start) * fraction)

        yield report


def _other_years(opened, source: Path, previous: Path | None, base_year: Path | None):
    """The earlier and base years of ``calc``, each with the library it records, from this
    workbook's 基本信息. The base-year workbook 基本信息 names does not stop calc when it is
    not there (E628) or has errors (E632): the report needs it, calc says so and goes on."""
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.change import other_years
    from ghgxl.workbook.read import info_rows, read_info

    grid = list(opened.rows(L.SHEET_INFO))
    info, rows = read_info(grid), info_rows(grid)
    unnamed = {**info, "base_year_workbook": None}
    years = other_years(unnamed, rows, source, previous=previous)
    try:
        base = other_years(info if base_year is None else unnamed, rows, source, None, base_year)
    except GhgError as error:
        if base_year is not None or error.code not in ("E628", "E632"):
            raise
        err_console.print(error.text(), markup=False)
        return years
    years.base = base.base
    years.read += base.read
    return years


@main.command("calc")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    help="写入结果的新文件 / write the results to this file",
)
@click.option(
    "--in-place",
    is_flag=True,
    help="写回原文件（先备份）/ write into SOURCE, after a timestamped backup",
)
@click.option(
    "--gwp", "gwp_set", default=None, help="默认用清册设定 / default: the workbook's (AR6 for CSV)"
)
@click.option("--overlay", type=click.Path(dir_okay=False), help="公司因子 CSV / company factors")
@click.option("--json", "json_out", type=click.Path(allow_dash=True), help="FILE or -")
@click.option(
    "--previous",
    type=click.Path(dir_okay=False, path_type=Path),
    help="上一年度清册，用于比较 / an earlier year's workbook to compare with",
)
@base_year_option
@library_option
@friendly
def calc(
    source: Path,
    out: Path | None,
    in_place: bool,
    gwp_set: str | None,
    overlay: str | None,
    json_out: str | None,
    previous: Path | None,
    base_year: Path | None,
    library_version: str | None,
) -> None:
    """计算清册或活动数据表 / compute a workbook (.xlsm) or an activity table (.csv).

    A workbook is never changed unless --in-place (then a backup is written first); with
    -o the results are written into a copy, formulas kept, so it shows every number
    without Python.
    """
    check_outputs([out, json_out], [source, overlay, previous, base_year], workbooks=[out])
    opened = None
    if source.suffix.lower() in OLD_WORKBOOK_SUFFIXES:  # never read as a CSV
        raise GhgError("E608", path=source.name)
    if source.suffix.lower() in WORKBOOK_SUFFIXES:
        if in_place and out:
            raise click.UsageError("--in-place 与 -o 不能同时使用 / use --in-place or -o, not both")
        from ghgxl.workbook.source import OpenedWorkbook

        check_suffix(out, source)  # E639 before any work

        opened = OpenedWorkbook(source)  # parsed in a thread while the engine loads
    elif out or in_place:
        raise click.UsageError("-o/--in-place 只用于工作簿 / only for workbooks")
    from ghgxl.export import to_json
    from ghgxl.factors import LibraryChoice
    from ghgxl.inventory import calculate

    choice = LibraryChoice(library_version, Path(overlay) if overlay else None)
    extra = None
    if opened is not None:
        from ghgxl.workbook.calc import boundary, calc_file

        years = _other_years(opened, source, previous, base_year)  # before anything is written
        check_outputs([out, json_out], years.read, workbooks=[out])
        with _progress() as report:
            calculation, written, backup = calc_file(
                source, out, in_place, gwp_set, choice, opened=opened, progress=report
            )
        result = calculation.result
        calculation.previous, calculation.base = years.previous, years.base
        result.warnings.extend(years.boundary_changes(calculation))  # W120: JSON and terminal
        extra = boundary(calculation)
        if backup:
            err_console.print(f"备份 / backup: {backup}", markup=False)
        if written:
            err_console.print(f"已写入 / written: {written}", markup=False)
        elif out or in_place:
            err_console.print(
                "未写入：清册的输入单元格含 Excel 错误值（E107），请先修正 / not written: input "
                "cells hold Excel error values (E107); fix them first",
                markup=False,
            )
        else:
            err_console.print(
                "清册未改动：结果只显示在此处；写入清册请用 --in-place（先备份）或 -o 新文件 / "
                "the workbook is unchanged: to write the results into it use --in-place "
                "(after a backup) or -o NEW.xlsm",
                markup=False,
            )
    else:
        library = choice.resolve()  # a CSV records no version: the one asked for, or current
        result = calculate(read_activity_csv(source), gwp_set or gwp.DEFAULT_SET, library)
    if json_out == "-":
        sys.stdout.write(to_json(result, extra))
    else:
        if json_out:
            write_text_atomic(Path(json_out), to_json(result, extra))
        console.print(_summary(result))
        console.print(
            _quality_line(result.data_quality(str((extra or {}).get("dq_scheme", "631"))))
        )
        console.print(
            f"因子库 / factor library {result.library_version}; ghgxl {ghgxl.__version__}"
        )
    print_findings([*result.errors, *result.warnings])
    if result.errors:
        sys.exit(EXIT_FINDINGS)


def _around(have: str, want: str, margin: int = 24) -> tuple[str, str]:
    """The part of two lines around where they first differ (…, so the figure shows)."""
    start = next((i for i, (a, b) in enumerate(zip(have, want, strict=False)) if a != b), 0)
    start = max(0, start - margin)

    def cut(text: str) -> str:
        part = text[start : start + 2 * margin]
        return ("…" if start else "") + part + ("…" if start + 2 * margin < len(text) else "")

    return cut(have), cut(want)


def _quality_line(quality: dict[str, object]) -> str:
    if quality["score"] is not None:
        return f"数据质量 / data quality: {quality['score']:.4f} 第{quality['grade']}"
    unscored = quality["unscored"]
    why = f"（{unscored} 个排放源缺少评分 / {unscored} sources lack scores）" if unscored else ""
    return f"数据质量 / data quality: 未评估 / not assessed{why}"


@main.command("check")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 / findings as JSON")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="同时核对此报告是否由本清册生成且未被改动 / also verify this report against the workbook",
)
@library_option
@friendly
def check(
    source: Path, as_json: bool, report_path: Path | None, library_version: str | None
) -> None:
    """检查清册 / lint a workbook: exit 0 clean (warnings W… only), 1 errors, 2 unreadable."""
    from ghgxl.factors import LibraryChoice
    from ghgxl.workbook.check import check_workbook

    _, findings = check_workbook(source, LibraryChoice(library_version))
    if report_path is not None:
        from ghgxl.report.render import verify_report

        try:
            verdict = verify_report(report_path, source)
        except GhgError as error:  # a workbook the report compared with is missing (E646)
            if not error.code.startswith("E64"):
                raise
            findings.append(error)
            verdict = None
        if verdict is not None and not verdict.ok:
            have, want = _around(*(verdict.differences or [("", "")])[0])
            same = "同一清册" if verdict.same_workbook else "清册已改变"
            findings.append(
                GhgError("E625", cell=report_path.name, same=same, line=have, expected=want)
            )
    if as_json:
        payload = {"file": str(source), "findings": [f.as_dict() for f in findings]}
        sys.stdout.write(dumps(payload) + "\n")
    elif findings:
        print_findings(findings)
        err_console.print(f"{len(findings)} 项问题 / findings", markup=False)
    else:
        console.print("未发现问题 / no findings")
    if any(f.code.startswith("E") for f in findings):
        sys.exit(EXIT_FINDINGS)


@main.command("report")
@library_option
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    help="报告文件 .docx（默认在清册旁）/ the .docx (default: beside SOURCE)",
)
@click.option("--pdf", is_flag=True, help="同时生成 PDF（LibreOffice）/ also a PDF (LibreOffice)")
@click.option(
    "--images",
    type=click.Path(file_okay=False, path_type=Path),
    help="组织架构图/工艺流程图/厂区平面图（.png/.jpg）所在文件夹（默认为清册所在文件夹）"
    " / folder of the pictures (default: the workbook's)",
)
@click.option(
    "--previous",
    type=click.Path(dir_okay=False, path_type=Path),
    help="上一年度清册，用于比较 / an earlier year's workbook to compare with",
)
@base_year_option
@friendly
def report(
    source: Path,
    out: Path | None,
    pdf: bool,
    images: Path | None,
    previous: Path | None,
    base_year: Path | None,
    library_version: str | None,
) -> None:
    """生成温室气体盘查报告 (Word) / write the GHG report of a workbook."""
    from ghgxl.factors import LibraryChoice
    from ghgxl.report import write_report

    out = out or source.with_name(f"{source.stem}-温室气体盘查报告.docx")
    with err_console.status("生成报告 / writing the report …"):
        calculation, written, pdf_path = write_report(
            source, out, pdf, LibraryChoice(library_version), images=images, previous=previous,
            base_year=base_year,
        )  # fmt: skip
    console.print(f"已生成 / written: {written}", markup=False)
    if pdf_path:
        console.print(f"已生成 / written: {pdf_path}", markup=False)
    print_findings(calculation.errors)
    if calculation.errors:
        sys.exit(EXIT_FINDINGS)


@main.command("verify")
@click.argument(
    "report_path", metavar="REPORT.docx", type=click.Path(dir_okay=False, path_type=Path)
)
@click.argument("workbook", metavar="BOOK.xlsm", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--previous",
    type=click.Path(dir_okay=False, path_type=Path),
    help="报告生成时所用的上一年度清册 / the earlier year the report was made with",
)
@base_year_option
@friendly
def verify(
    report_path: Path, workbook: Path, previous: Path | None, base_year: Path | None
) -> None:
    """核对报告是否由此清册生成且未被改动 / check that a report was made from this workbook
    and not edited since (exit 0 yes, 1 no, 2 unreadable)."""
    from ghgxl.report.render import verify_report

    verdict = verify_report(report_path, workbook, previous, base_year)
    stamp = verdict.manifest or {}
    if not stamp:
        console.print(
            "✗ 报告中没有 ghgxl 清单（不是 ghgxl 生成的报告，或为旧版本）/ the report carries no "
            "ghgxl manifest",
            markup=False,
        )
    elif not verdict.same_workbook:
        console.print(
            f"✗ 清册已改变：报告生成自 SHA-256 {stamp.get('workbook_sha256')}，此清册为 "
            f"{verdict.workbook_sha256} / the workbook is not the one the report was made from",
            markup=False,
        )
    else:
        console.print(
            f"✓ 清册一致 / same workbook: SHA-256 {verdict.workbook_sha256}", markup=False
        )
    for have, want in verdict.differences:
        console.print(f"✗ 报告：{have}", markup=False)
        console.print(f"  应为 / expected：{want}", markup=False)
    if verdict.ok:
        console.print(
            "✓ 报告中的全部文字与数值与清册的计算结果一致 / every figure matches", markup=False
        )
        return
    sys.exit(EXIT_FINDINGS)


@main.command("verify-pack")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--out", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="查证资料包文件夹 / the folder of the pack",
)  # fmt: skip
@click.option(
    "--materiality",
    type=click.FloatRange(0.001, 0.5),
    default=None,
    help="重要性水平，如 0.05（默认取基本信息 核查重要性水平，未填则 5%）/ materiality for "
    "the sampling plan (default: the workbook's, else 0.05)",
)
@library_option
@friendly
def verify_pack(
    source: Path, out: Path, materiality: float | None, library_version: str | None
) -> None:
    """生成查证资料包：audit.xlsx（纯公式重算）、plan.xlsx（抽样计划与凭证索引）、
    manifest.json / write the verifier's pack."""
    from ghgxl.factors import LibraryChoice
    from ghgxl.workbook.audit import write_pack
    from ghgxl.workbook.calc import calculate_workbook

    calculation = calculate_workbook(source, library=LibraryChoice(library_version))
    data = write_pack(calculation, out, materiality)
    for name in (*data["files"], "manifest.json"):  # type: ignore[misc]
        console.print(f"已生成 / written: {out / name}", markup=False)
    console.print(
        f"总排放量 / total {calculation.result.total:,.2f} t CO2e；清册 SHA-256 "
        f"{data['workbook_sha256']}",
        markup=False,
    )
    print_findings(calculation.errors)
    if calculation.errors:
        sys.exit(EXIT_FINDINGS)
