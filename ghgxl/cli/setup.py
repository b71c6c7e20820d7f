"""Setting up: ``ghgxl workbook new|build`` and ``ghgxl excel setup|doctor``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ghgxl.cli.base import EXIT_FINDINGS, console, err_console, friendly, main

# -- workbook -----------------------------------------------------------------------------


@main.group("workbook")
def workbook_group() -> None:
    """盘查清册模板 / the workbook template."""


@workbook_group.command("new")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--company", default=None, help="公司名称 / company name")
@click.option("--year", type=int, default=None, help="报告年度 / reporting year")
@click.option(
    "--rows",
    type=int,
    default=None,
    help="活动数据与数据质量的行数（默认 200）/ rows in 活动数据 and 数据质量 (default 200)",
)
@friendly
def workbook_new(out: Path, company: str | None, year: int | None, rows: int | None) -> None:
    """新建空白清册 / a fresh workbook from the template (never overwrites a file)."""
    from ghgxl.workbook import layout as L
    from ghgxl.workbook.template import new_workbook

    new_workbook(out, company, year, L.TEMPLATE_ROWS if rows is None else rows)
    console.print(f"已创建 / created: {out}", markup=False)


@workbook_group.command("migrate")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="迁移后的新清册 / the migrated workbook (a new file)",
)  # fmt: skip
@click.option(
    "--force", is_flag=True, help="即使有内容无法迁移也继续 / migrate even if something is left"
)
@friendly
def workbook_migrate(source: Path, out: Path, force: bool) -> None:
    """把旧模板的清册迁移到当前模板（新增的表、列与字段），结果逐行不变 / move a workbook made
    with an earlier template to the current one; every row computes as before."""
    from ghgxl.workbook import migrate

    migration = migrate.plan(source)
    for line in migration.left_behind:
        err_console.print(f"未迁移 / not carried: {line}", markup=False)
    after = migrate.write(migration, out, force)
    if migration.backup:
        err_console.print(f"备份 / backup: {migration.backup}", markup=False)
    same = "与原清册相同 / as before"
    if after.result.total != migration.calc.result.total:  # E641 before: 市场法 counted now
        same = (
            f"范围二按基本信息所选的市场法计；原清册的汇总按位置法为 {migration.calc.result.total:,.2f}"
            " / scope 2 market-based as 基本信息 chooses; the old 汇总 counted it location-based"
        )
    console.print(
        f"已写入 / written: {out}（{len(after.rows)} 行，总排放量 / total "
        f"{after.result.total:,.2f} t CO2e，{same}）",
        markup=False,
    )


@workbook_group.command("build")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@friendly
def workbook_build(out: Path) -> None:
    """重新生成模板（开发用，需 pyopenvba）/ rebuild the template (development)."""
    from ghgxl.files import check_suffix
    from ghgxl.workbook.template import build_template, template_path

    check_suffix(out, template_path())  # E639: the template is macro-enabled
    build_template(out)
    console.print(f"已生成 / built: {out}", markup=False)


# -- excel ----------------------------------------------------------------------------------


@main.group("excel")
def excel_group() -> None:
    """Excel 与 Python 的连接 / connecting Excel to Python (Windows)."""


def _print_checks(report_lines: list[tuple[str, str, str]]) -> None:
    from rich.text import Text

    for mark, text, style in report_lines:
        console.print(Text.assemble((mark, style), " ", text))


@excel_group.command("setup")
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@friendly
def excel_setup(workbook: Path | None) -> None:
    """让 Excel 使用此 Python / make Excel start this Python (exit 1 when a check fails).

    把此 Python 写入 %USERPROFILE%\\.xlwings\\xlwings.conf 的 INTERPRETER_WIN（其他设置保留）；
    给出 WORKBOOK 时先备份，再删除清册 xlwings.conf 表中的解释器行，让用户配置生效；最后做
    excel doctor 的检查。

    Writes INTERPRETER_WIN into %USERPROFILE%\\.xlwings\\xlwings.conf, keeping the other
    settings; with WORKBOOK, removes the workbook's own interpreter row (after a
    timestamped backup) so that setting applies. Then checks, as `excel doctor` does.
    """
    from ghgxl import excel

    report = excel.setup(workbook)
    for action in report.actions:
        console.print(f"· {action}", markup=False)
    _print_checks(excel.lines(report.checks, console.encoding))
    _verdict(report.ok)


@excel_group.command("doctor")
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@friendly
def excel_doctor(workbook: Path | None) -> None:
    """检查 Excel 能否使用 ghgxl / what Excel needs to run ghgxl (exit 1 when missing)."""
    from ghgxl import excel

    checks = excel.doctor(workbook)
    _print_checks(excel.lines(checks, console.encoding))
    _verdict(excel.Report(checks=checks).ok)


def _verdict(ok: bool) -> None:
    if ok:
        console.print("全部就绪 / all good", markup=False)
        return
    console.print(
        "请按 → 处理后再运行 ghgxl excel doctor / fix the → items, then run ghgxl excel doctor",
        markup=False,
    )
    sys.exit(EXIT_FINDINGS)
