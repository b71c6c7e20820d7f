"""The factor library and GWPs from the command line: ``ghgxl factors
list|show|validate|versions|diff|upgrade``, ``ghgxl gwp``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
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
    from ghgxl.methods import check_derived

    rows, errors = read_overlay(overlay)
    if any(e.code in ("E601", "E609") for e in errors):
        _print_errors(errors)
        sys.exit(EXIT_BAD_INPUT)
    library = FactorLibrary.default()
    replaced = sum(1 for key in {r.key for r in rows} if key in library)
    errors += check_derived(library.with_overlay(rows))  # a part changed, its result not
    _print_errors(errors)
    console.print(
        f"{overlay}: {len(rows)} 行有效 / valid rows, {len(errors)} 个问题 / findings, "
        f"{replaced} 个键覆盖因子库 / keys override the library",
        markup=False,
    )
    if errors:
        sys.exit(EXIT_FINDINGS)


@factors.command("versions")
@friendly
def factors_versions() -> None:
    """列出可用的因子库版本及其核对情况 / the library versions this ghgxl can compute with,
    and how many values each has checked in two sources."""
    from ghgxl.factors import FactorLibrary, current_version, released_versions

    for version in released_versions():
        mark = "（当前 / current）" if version == current_version() else ""
        counts = FactorLibrary.release(version).verification()
        checked = counts.get("2 sources", 0)
        measured = checked + counts.get("1 source", 0)  # derived rows inherit their parts
        share = f"{checked}/{measured} = {checked / measured:.0%}" if measured else "—"
        detail = ", ".join(f"{n} {name}" for name, n in counts.items())
        console.print(
            f"{version}{mark}  双来源核对 / two sources: {share}  ({detail})", markup=False
        )


def _value(row: FactorRow | None) -> str:
    return "" if row is None else f"{row.value:g} {row.unit}"


@factors.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option("--all", "show_all", is_flag=True, help="也列出只改了出处的因子 / also re-cited")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出 / as JSON")
@friendly
def factors_diff(old: str, new: str | None, show_all: bool, as_json: bool) -> None:
    """两个因子库版本之间新增、删除和数值改变的因子 / what changed from OLD to NEW (default:
    the current version)."""
    from ghgxl.factors import FactorLibrary, diff_libraries

    before, after = FactorLibrary.release(old), FactorLibrary.release(new)
    changes = diff_libraries(before, after)
    shown = [c for c in changes if show_all or c.kind != "recited"]
    if as_json:
        payload = [
            {
                "kind": c.kind,
                "key": c.key,
                "gas": c.gas,
                "old": None if c.old is None else {"value": c.old.value, "unit": c.old.unit},
                "new": None if c.new is None else {"value": c.new.value, "unit": c.new.unit},
                "relative_change": c.relative,
                "source": (c.new or c.old).source,  # type: ignore[union-attr]
            }
            for c in shown
        ]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    labels = {"added": "新增", "removed": "删除", "changed": "改变", "recited": "出处更新"}
    table = Table(title=f"因子库 {before.version} → {after.version}")
    for column in ("", "key", "gas", "旧值 old", "新值 new", "变化 change"):
        table.add_column(column, no_wrap=column != "key")
    table.add_column("出处 source", overflow="fold")
    for c in shown:
        relative = "" if c.relative is None else f"{c.relative:+.2%}"
        row = c.new or c.old
        table.add_row(
            labels[c.kind], c.key, c.gas or "", _value(c.old), _value(c.new), relative,
            row.source if row else "",
        )  # fmt: skip
    console.print(table)
    counts = {kind: sum(c.kind == kind for c in changes) for kind in labels}
    console.print(
        f"新增 added {counts['added']}，删除 removed {counts['removed']}，"
        f"改变 changed {counts['changed']}，出处更新 re-cited {counts['recited']}",
        markup=False,
    )


@factors.command("upgrade")
@click.argument("book", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "to_version", default=None, help="目标版本（默认当前）/ target version")
@click.option("-o", "--out", type=click.Path(path_type=Path), help="写入新文件 / write to OUT")
@click.option("--in-place", is_flag=True, help="写回原清册（先备份）/ over BOOK, after a backup")
@friendly
def factors_upgrade(book: Path, to_version: str | None, out: Path | None, in_place: bool) -> None:
    """把清册迁移到新的因子库版本：先列出每行和合计的变化，再写入 / move a workbook to
    another library version: shows the effect per row and in total, then writes it
    (only with -o or --in-place)."""
    from ghgxl.files import check_outputs, check_suffix
    from ghgxl.workbook.upgrade import upgrade_effect, write_upgrade

    if in_place and out:
        raise click.UsageError("--in-place 与 -o 不能同时使用 / use --in-place or -o, not both")
    outputs = [] if in_place else [out]
    check_outputs(outputs, [book], workbooks=outputs)
    check_suffix(out, book)  # E639 before the comparison is shown
    upgrade = upgrade_effect(book, to_version)
    old, new = upgrade.versions
    changes = upgrade.changes()
    table = Table(title=f"{book.name}：因子库 {old} → {new}")
    for column in ("行 row", "编号 id", "排放源 source", "因子 factor"):
        table.add_column(column, overflow="fold")
    for column in ("原 tCO2e", "新 tCO2e", "变化 change"):
        table.add_column(column, justify="right", no_wrap=True)
    for item in changes.itertuples():
        relative = "" if item.relative != item.relative else f"{item.relative:+.2%}"
        table.add_row(
            str(item.row), str(item.id or ""), str(item.source or ""), str(item.factor_key or ""),
            f"{item.before:,.4f}", f"{item.after:,.4f}", relative,
        )  # fmt: skip
    console.print(table)
    before, after = upgrade.totals
    share = f"{(after - before) / before:+.4%}" if before else ""
    console.print(
        f"合计 total: {before:,.2f} → {after:,.2f} t CO2e（{share}）；"
        f"{len(changes)} 行改变 / rows change",
        markup=False,
    )
    if not (out or in_place):
        console.print(
            "未写入（仅预览）；写入请用 -o 新文件 或 --in-place（先备份）/ nothing written "
            "(preview): use -o NEW.xlsm or --in-place (after a backup)",
            markup=False,
        )
        return
    written, backup = write_upgrade(book, upgrade, out, in_place)
    if backup:
        err_console.print(f"备份 / backup: {backup}", markup=False)
    console.print(f"已写入 / written: {written}（因子库 {new}）", markup=False)


@factors.command("freeze", hidden=True)
@friendly
def factors_freeze() -> None:
    """(维护者) 把当前因子文件存为发布版本 / (maintainers) archive the current files as
    factors/releases/<VERSION>.zip."""
    from ghgxl.factors import freeze_release

    folder = Path(__file__).resolve().parents[2] / "factors" / "releases"
    console.print(f"已写入 / written: {freeze_release(folder)}", markup=False)


def _print_errors(errors: list) -> None:
    for error in errors:
        err_console.print(error.text(), markup=False)


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
