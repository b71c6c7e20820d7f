"""The factor library and GWPs from the command line: ``ghgxl factors list|show|validate``,
``ghgxl gwp``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from rich.table import Table

from ghgxl import gwp
from ghgxl.cli.base import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    console,
    err_console,
    friendly,
    main,
)

if TYPE_CHECKING:  # the engine (pandas, pint) is imported where a command needs it
    from ghgxl.factors import FactorRow


# -- factors ----------------------------------------------------------------------------


@main.group()
def factors() -> None:
    """排放因子库 / the factor library."""


def _factor_table(rows: list[FactorRow], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("key", "gas", "value", "unit"):
        table.add_column(column, no_wrap=True)
    table.add_column("name_zh", overflow="fold")
    table.add_column("verified", no_wrap=True)
    for row in rows:
        table.add_row(row.key, row.gas or "", f"{row.value:g}", row.unit, row.name_zh, row.verified)
    return table


@factors.command("list")
@click.option("--search", "-s", default="", help="按关键词筛选 / filter by text, e.g. 柴油")
@friendly
def factors_list(search: str) -> None:
    """列出因子 / list the factors."""
    from ghgxl.factors import FactorLibrary

    library = FactorLibrary.default()
    rows = library.search(search) if search else library.rows()
    title = f"ghgxl 因子库 {library.version} — {len(rows)} 行 / rows"
    console.print(_factor_table(rows, title))


@factors.command("show")
@click.argument("key")
@friendly
def factors_show(key: str) -> None:
    """显示一个因子的全部信息 / show one factor with its sources."""
    from ghgxl.factors import FactorLibrary

    for row in FactorLibrary.default().rows_of(key.strip().lower()):
        console.print(f"[bold]{row.key}[/bold] {row.gas or '(参数 parameter)'}")
        fields = (
            "value",
            "unit",
            "low",
            "high",
            "name_zh",
            "name_en",
            "source",
            "verified",
            "notes",
        )
        for name in fields:
            value = getattr(row, name)
            if value not in (None, ""):
                console.print(f"  {name:9} {value}", markup=False)
        console.print(f"  {'file':9} {row.file}:{row.line}", markup=False)


@factors.command("validate")
@click.argument("overlay", type=click.Path(dir_okay=False))
@friendly
def factors_validate(overlay: str) -> None:
    """检查公司因子文件 / check a company overlay CSV (exit 1 when a line is wrong)."""
    from ghgxl.factors import FactorLibrary, read_overlay

    rows, errors = read_overlay(overlay)
    for error in errors:
        err_console.print(error.text(), markup=False)
    if any(e.code in ("E601", "E609") for e in errors):
        sys.exit(EXIT_BAD_INPUT)
    library = FactorLibrary.default()
    replaced = sum(1 for key in {r.key for r in rows} if key in library)
    console.print(
        f"{overlay}: {len(rows)} 行有效 / valid rows, {len(errors)} 行有误 / wrong lines, "
        f"{replaced} 个键覆盖因子库 / keys override the library",
        markup=False,
    )
    if errors:
        sys.exit(EXIT_FINDINGS)


# -- gwp --------------------------------------------------------------------------------


@main.command("gwp")
@click.argument("gas")
@click.option(
    "--set", "gwp_set", default=gwp.DEFAULT_SET, show_default=True, help="AR6 AR5 AR4 SAR"
)
@friendly
def gwp_command(gas: str, gwp_set: str) -> None:
    """气体的 GWP-100 / the GWP-100 of a gas or blend."""
    from ghgxl import api

    name, set_name = gwp.canonical_gas(gas), gwp.canonical_set(gwp_set)
    value = api.gwp_value(name, set_name)
    console.print(
        f"{name} {set_name} GWP-100 = {value:g}  ({gwp.SET_SOURCES[set_name]})", markup=False
    )
    if gwp.is_blend(name):
        parts = ", ".join(f"{p} {share:.1%}" for p, share in gwp.composition(name).items())
        console.print(f"  组成 / composition: {parts}", markup=False)
