"""Several workbooks at once: ``ghgxl consolidate`` (site workbooks of one year into a group
盘查清册)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ghgxl.cli.base import (
    EXIT_FINDINGS,
    console,
    err_console,
    friendly,
    library_option,
    main,
    print_findings,
)

#: The stages of writing the group workbook: label, and where each starts and ends on its
#: bar (as the time they take at 10^5 rows: making it ~5 s, reading ~5 s, writing ~9 s).
WRITING = {
    "make": ("生成集团清册 / making the group workbook", 0.0, 0.25),
    "read": ("计算集团清册 / computing the group workbook", 0.25, 0.5),
    "write": ("写入计算结果 / writing its results", 0.5, 1.0),
}


@main.command("consolidate")
@click.argument(
    "sites", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="集团清册 / the group workbook",
)
@click.option(
    "--approach",
    type=click.Choice(["control", "financial", "equity"]),
    default="control",
    show_default=True,
    help="运营控制 / 财务控制（各厂区 100%）或股权比例（基本信息 股权比例）/ control counts "
    "each site 100 %, equity its 基本信息 equity share",
)
@click.option("--company", default="", help="集团名称（默认：第一个厂区的公司名称）/ group name")
@click.option("--json", "json_out", type=click.Path(allow_dash=True), help="FILE or -")
@library_option
@friendly
def consolidate(
    sites: tuple[Path, ...],
    out: Path,
    approach: str,
    company: str,
    json_out: str | None,
    library_version: str | None,
) -> None:
    """合并各厂区清册为集团清册 / consolidate site workbooks of one year into a group workbook."""
    from ghgxl.export import to_json
    from ghgxl.files import check_outputs, check_suffix, write_text_atomic
    from ghgxl.workbook import consolidate as C
    from ghgxl.workbook.calc import boundary
    from ghgxl.workbook.template import template_path

    check_outputs([out, json_out], list(sites), workbooks=[out])
    check_suffix(out, template_path())  # E639 before reading any site
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    hidden = not err_console.is_terminal
    with Progress(*columns, console=err_console, transient=True, disable=hidden) as bar:
        task = bar.add_task("读取厂区清册 / reading the sites", total=len(sites))

        def told(path: Path) -> None:
            bar.update(task, advance=1, description=f"{path.name}")

        workers = C.workers_for(len(sites))  # this program's main code is guarded: spawn works
        read = C.read_sites(sites, approach, library_version, progress=told, workers=workers)
        bar.update(task, description="读取厂区清册 / reading the sites")
        group = C.consolidate(read, approach, company)
        writing = bar.add_task(WRITING["make"][0], total=1.0)

        def stage(name: str, fraction: float) -> None:
            label, start, end = WRITING[name]
            bar.update(writing, description=label, completed=start + (end - start) * fraction)

        calc = C.write_group(group, out, progress=stage)
    if group.backup:
        err_console.print(f"备份 / backup: {group.backup}", markup=False)
    err_console.print(f"已写入 / written: {out}", markup=False)
    extra = {**boundary(calc), "consolidation": approach}  # by_site: from the group workbook
    by_site = extra["by_site"]
    if json_out:
        text = to_json(calc.result, extra)
        sys.stdout.write(text) if json_out == "-" else write_text_atomic(Path(json_out), text)
    if json_out != "-":
        table = Table(title=f"集团合并 / consolidation ({C.APPROACHES[approach]})")
        for name in ("厂区 site", "清册 file", "计入比例 share", "t CO2e"):
            table.add_column(name, justify="right" if name[0] in "计t" else "left")
        for name, entry in by_site.items():
            table.add_row(
                name,
                str(entry["file"]),
                "-" if entry["share"] is None else f"{entry['share']:.0%}",
                f"{entry['total_tco2e']:,.2f}",
            )
        table.add_row("集团 group", out.name, "", f"{calc.result.located_total:,.2f}")
        if calc.scope2 is not None and calc.scope2.counted_market:  # the sites: location-based
            total = f"{calc.result.total:,.2f}"
            table.add_row("集团总量（范围二按市场法）total, scope 2 market-based", "", "", total)
        console.print(table)
    print_findings([*calc.result.errors, *calc.result.warnings])
    if calc.result.errors:  # written, as calc -o writes; but not a clean group: say so
        sys.exit(EXIT_FINDINGS)
